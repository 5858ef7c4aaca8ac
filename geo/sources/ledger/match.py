"""Matching a read ledger to the registry: the county (chosen, else from the title words, the codes and the
village names), then every village of every row through the one matching core (:mod:`geo.sources.matching`), and the
advisers grouped by person.  Nothing here touches the store; the caller imports the result.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import pandas as pd

from geo.sources.errors import LedgerError, SourceError
from geo.sources.ledger.fields import LedgerRow, LedgerTable
from geo.sources.ledger.people import Identity, Likeness, People
from geo.sources.matching import (
    County,
    CountyError,
    Found,
    RegistryIndex,
    Reject,
    Wanted,
    choose_county,
    match_village,
    registry_index,
)
from geo.sources.matching import detect_county as detect_county_in
from geo.sources.periods import PeriodError

REJECT_REASONS = ("unknown_village", "ambiguous_village", "bad_period", "end_before_start", "no_adviser",
                  "no_village")


@dataclass
class Assignment:
    row_number: int
    village_code: str  # 12 digits
    village_name: str  # registry name
    adviser_key: str  # one person across rows (geo.sources.ledger.people): the adviser_key of their first row
    adviser_name: str
    kind: str
    org: str | None
    licence_no: str | None
    phone: str | None
    start: dt.date
    end: dt.date | None  # None = open-ended
    ledger_village: str  # the name as written in the ledger ("" when matched by code only)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Adviser:
    key: str
    name: str
    kind: str
    org: str | None
    licence_no: str | None
    phone: str | None
    rows: list[int]
    villages: list[str]


@dataclass
class LedgerMatch:
    county_code: str  # 12 digits
    county_name: str
    county_source: str  # "given" / "title" / "villages" / "codes"
    assignments: list[Assignment]
    rejects: list[Reject]
    rows_read: int  # data rows in the file, duplicates included
    duplicate_rows: int  # identical rows dropped by read_ledger
    duplicate_assignments: int  # same village + adviser + period given again on another row
    warnings: list[str] = field(default_factory=list)
    identities: dict[str, Identity] = field(default_factory=dict)  # each person's, by adviser_key
    likenesses: list[Likeness] = field(default_factory=list)  # people kept apart who look alike

    @property
    def accepted(self) -> int:
        return len(self.assignments)

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    @property
    def duplicates_dropped(self) -> int:
        return self.duplicate_rows + self.duplicate_assignments

    def advisers(self) -> dict[str, Adviser]:
        """Accepted assignments grouped by person (``adviser_key``), first-seen details kept."""
        out: dict[str, Adviser] = {}
        for a in self.assignments:
            adv = out.get(a.adviser_key)
            if adv is None:
                adv = out[a.adviser_key] = Adviser(a.adviser_key, a.adviser_name, a.kind, a.org, a.licence_no,
                                                   a.phone, [], [])
            if a.row_number not in adv.rows:
                adv.rows.append(a.row_number)
            adv.villages.append(a.village_code)
            for attr in ("org", "phone", "licence_no"):
                if getattr(adv, attr) is None and getattr(a, attr):
                    setattr(adv, attr, getattr(a, attr))
        return out


def adviser_key(name: str, licence_no: str | None, phone: str | None) -> str:
    """A readable key of the person first met with these details (who is who is decided by
    :mod:`geo.sources.ledger.people`): the licence number when present, else name + phone digits."""
    if licence_no:
        return f"licence:{licence_no}"
    digits = re.sub(r"\D", "", phone or "")
    return f"name:{name}|phone:{digits}"


# ---------------------------------------------------------------------------------------------- county
def _title_words(table: LedgerTable) -> str:
    return " ".join(x for x in (table.title, Path(table.path).stem, table.sheet or "") if x)


def _undetected(table: LedgerTable) -> LedgerError:
    return LedgerError(key="match.e.undetected_ledger", params={"name": Path(table.path).name})


def detect_county(table: LedgerTable, registry: pd.DataFrame | RegistryIndex) -> tuple[str, str]:
    """(county6, source) from the title words, the village codes or the village names; LedgerError if none."""
    found = detect_county_in(registry_index(registry), _title_words(table),
                             [n for r in table.rows for n in r.village_names], [r.village_code for r in table.rows])
    if found is None:
        raise _undetected(table)
    return found


def table_county(index: RegistryIndex, given: object, text: str, rows: Sequence,
                 undetected: Callable[[], SourceError], error: type[SourceError] = LedgerError) -> County:
    """The county of a file's `rows` (each with village_names and village_code): `given` (code or name) when
    there is one, else detected from the title words `text` and the rows; every refusal an `error`, the
    file's own `undetected()` when nothing tells."""
    try:
        return choose_county(index, given, text=text, names=[n for r in rows for n in r.village_names],
                             codes=[r.village_code for r in rows])
    except CountyError as e:
        if e.key == "match.county.undetected":
            raise undetected() from None
        raise (error(key=e.key, params=e.params) if e.key else error(str(e))) from None


def _county(table: LedgerTable, index: RegistryIndex, given: object) -> County:
    return table_county(index, given, _title_words(table), table.rows, lambda: _undetected(table))


# ---------------------------------------------------------------------------------------------- rows
def match_ledger(table: LedgerTable, registry: pd.DataFrame | RegistryIndex,
                 county: str | None = None) -> LedgerMatch:
    """Match every row of ``table`` to registry villages of one county.

    ``county`` may be a 6- or 12-digit code or a county name; when omitted it is detected (see
    :func:`detect_county`).  Each village named by a row becomes one accepted :class:`Assignment` or one
    :class:`Reject`; a row rejected as a whole (no adviser, bad period, no village) gives one Reject.
    """
    chosen = _county(table, registry_index(registry), county)
    result = LedgerMatch(county_code=chosen.code, county_name=chosen.name, county_source=chosen.source,
                         assignments=[], rejects=[], rows_read=len(table.rows) + len(table.duplicate_rows),
                         duplicate_rows=len(table.duplicate_rows), duplicate_assignments=0)
    seen: set[tuple[str, str, dt.date, dt.date | None]] = set()
    people = People()
    for row in table.rows:
        _match_row(row, chosen, result, seen, people)
    result.identities = dict(people.known)
    result.likenesses = people.likenesses
    return result


def _row_reject(row: LedgerRow) -> Reject | None:
    """The reject of a row that cannot give any assignment (no village, no adviser, no readable period)."""
    if not row.village_names and not row.village_code:
        return Reject(row.row_number, "no_village", raw=dict(row.raw))
    if not row.adviser_name:
        return Reject(row.row_number, "no_adviser", raw=dict(row.raw))
    if row.period is None:
        err = row.period_error or PeriodError("period.e.empty")
        code = err.code
        return Reject(row.row_number, code if code in REJECT_REASONS else "bad_period",
                      {"zh": err.text("zh"), "en": err.text("en")},
                      dict(row.raw), why="period")
    return None


def _wanted(row: LedgerRow) -> list[Wanted]:
    """The villages a row names: its code (with its one name, if any), else each of its names."""
    raw = dict(row.raw)
    if row.village_code and len(row.village_names) <= 1:
        name = row.village_names[0] if row.village_names else None
        return [Wanted(row.row_number, name, row.township, row.village_code, raw)]
    return [Wanted(row.row_number, name, row.township, None, raw) for name in row.village_names]


def _match_row(row: LedgerRow, county: County, result: LedgerMatch, seen: set, people: People) -> None:
    rejected = _row_reject(row)
    if rejected is not None:
        result.rejects.append(rejected)
        return
    key = None
    for want in _wanted(row):
        outcome = match_village(county, want)
        if isinstance(outcome, Reject):
            result.rejects.append(outcome)
        else:
            key = key or _person(people, row)       # only a row with a village accepted brings a person
            _accept(result, row, outcome, seen, key)


def _person(people: People, row: LedgerRow) -> str:
    """The key of the row's adviser: a person met on an earlier row, or a new one."""
    assert row.adviser_name
    who = Identity.of(row.adviser_name, row.licence_no, row.phone, row.org)
    key, doubts = people.find(who)
    if key is None:
        key = adviser_key(row.adviser_name, row.licence_no, row.phone)
        if key in people.known:                     # a namesake kept apart: another key
            key = f"{key}#{row.row_number}"
        people.add(key, who)
    else:
        people.merge(key, who)
    people.note(row.row_number, key, doubts)
    return key


def _accept(result: LedgerMatch, row: LedgerRow, found: Found, seen: set, key: str) -> None:
    assert row.period is not None and row.adviser_name
    dedupe = (found.code, key, row.period.start, row.period.end)
    if dedupe in seen:
        result.duplicate_assignments += 1
        return
    seen.add(dedupe)
    result.assignments.append(Assignment(
        row_number=row.row_number, village_code=found.code, village_name=found.name, adviser_key=key,
        adviser_name=row.adviser_name, kind=row.kind, org=row.org, licence_no=row.licence_no, phone=row.phone,
        start=row.period.start, end=row.period.end, ledger_village=found.written,
        warnings=[*row.warnings, *found.notes]))
