"""Snapshot ledgers: a county's whole current ledger read as its record *as of D* and compared with the store.

The difference (:class:`SnapshotPlan`) has four parts:

* **new contracts**: an adviser on a village where the store holds none of theirs (a person not on record yet
  always brings new ones);
* **renewed periods**: the same adviser and village, a period the store does not hold;
* **changed advisers**: a stored person whose phone, organisation, licence number or kind in the file differ from
  the record (a blank cell changes nothing; the kind only counts when the file has a kind column);
* **ended contracts**: the store's contracts in force on D whose adviser the file no longer lists on that village;
  each ends as of D (its last day D - 1, its printed end kept, reason ``snapshot``).  A village named by a row
  that could not be read (a period, a village that cannot be told ...) keeps its contracts: a row that was not
  understood is not taken as "no longer listed" (a row naming no adviser, 待聘, is: the village is vacant).

Only the county's villages inside the importer's jurisdiction are compared, and only people whose every contract
lies inside it are updated (a record shared with another jurisdiction is that level's to change).  A contract the
store ended early that the file still lists with its printed period is not brought back (the ledger was not
brought up to date yet): the preview says so.  Ending more than :data:`SNAPSHOT_CONFIRM_SHARE` of the contracts in
force needs a confirmation, as a division list's abolitions do.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.core.codes import Scope
from geo.core.dates import as_date
from geo.imports.results import ImportRefused, refused
from geo.privacy.phones import phone_numbers
from geo.sources.ledger.match import Adviser, Assignment, LedgerMatch
from geo.sources.ledger.people import normal_text
from geo.sources.names import normalize_village_name
from geo.store import Store
from geo.store.base import Cursor
from geo.text.catalogue import Msg

#: a snapshot ending more than this share of the compared contracts in force needs a confirmation
SNAPSHOT_CONFIRM_SHARE = 0.05
#: the parts of a difference, in the order they are listed (labels imp.s.part.<part>)
PARTS = ("new", "renewed", "adviser", "ended")
#: the adviser fields a snapshot compares and updates
COMPARED = ("phone", "org", "licence_no", "kind")
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class AdviserChange:
    """A stored person whose record the file gives differently: the fields that change, before and after."""

    adviser_id: int
    name: str
    row: int
    before: Mapping[str, Any]
    after: Mapping[str, Any]


@dataclass(frozen=True)
class Ending:
    """A contract in force on the day that the file no longer lists."""

    adviser_id: int
    name: str
    village: str
    village_name: str
    township: str
    start: dt.date
    end: dt.date | None


@dataclass(frozen=True)
class SnapshotPlan:
    """What importing a ledger as a snapshot as of `as_of` changes; preview, CLI and the import use this."""

    as_of: dt.date
    scope: str                                  # digits of the villages compared ("-": none of the county's)
    new: tuple[Assignment, ...]
    renewed: tuple[Assignment, ...]
    advisers: tuple[AdviserChange, ...]
    ended: tuple[Ending, ...]
    in_force: int                               # contracts in force on the day among the villages compared
    unchanged: int
    relisted: tuple[Assignment, ...] = ()       # ended early in the store, still listed: not brought back
    shared: tuple[str, ...] = ()                # people whose record reaches outside: not updated
    held: tuple[Ending, ...] = ()               # not listed, but named by a row that could not be read: kept

    @property
    def last_day(self) -> dt.date:
        return self.as_of - ONE_DAY

    @property
    def share(self) -> float:
        return len(self.ended) / self.in_force if self.in_force else 0.0

    @property
    def needs_confirmation(self) -> bool:
        return self.share > SNAPSHOT_CONFIRM_SHARE

    def counts(self) -> dict[str, int]:
        """How many of each part (the audit trail's and the result line's figures)."""
        return {"new": len(self.new), "renewed": len(self.renewed), "advisers": len(self.advisers),
                "ended": len(self.ended), "unchanged": self.unchanged}


def snapshot_day(options: Mapping[str, Any]) -> dt.date:
    """The day a snapshot is as of: ``as_of`` (a date or YYYY-MM-DD), today when not given."""
    value = options.get("as_of")
    return as_date(value) if value else dt.date.today()


def compared_scope(county_code: str, jurisdiction: Scope) -> Scope | None:
    """The villages a snapshot of the county compares: the county, or the part of it inside the jurisdiction
    (None: the jurisdiction holds none of it)."""
    county, mine = county_code[:6], jurisdiction.digits
    if mine.startswith(county):
        return Scope(mine)
    if county.startswith(mine):
        return Scope(county)
    return None


def _same_phone(file_value: str, stored: object) -> bool:
    return phone_numbers(file_value) == phone_numbers(str(stored or ""))


def _same_text(file_value: str, stored: object) -> bool:
    return normal_text(file_value) == normal_text(stored)


def adviser_changes(people: Mapping[str, Adviser], by_key: Mapping[str, int], records: pd.DataFrame,
                    shared: set[int], with_kind: bool) -> tuple[tuple[AdviserChange, ...], tuple[str, ...]]:
    """The stored people the file gives differently (a blank cell changes nothing), and the names of those left
    as they are because their record reaches outside the jurisdiction."""
    stored = {int(r["adviser_id"]): r for r in records.to_dict("records")}
    changes, kept = [], []
    for key, adviser_id in sorted(by_key.items(), key=lambda kv: people[kv[0]].rows[0]):
        person, record = people[key], stored.get(adviser_id)
        if record is None:
            continue
        after = {}
        for field in COMPARED:
            value = getattr(person, field)
            if not value or (field == "kind" and not with_kind):
                continue
            same = _same_phone(value, record[field]) if field == "phone" else (
                value == record[field] if field == "kind" else _same_text(value, record[field]))
            if not same:
                after[field] = value
        if not after:
            continue
        if adviser_id in shared:
            kept.append(person.name)
            continue
        before = {f: (None if pd.isna(record[f]) else record[f]) for f in after}
        changes.append(AdviserChange(adviser_id, person.name, person.rows[0], before, after))
    return tuple(changes), tuple(kept)


#: rows not read that do not hold back the contracts of the village they name
_NOT_HOLDING = ("outside_jurisdiction", "no_adviser")
_NAME_SEPARATORS = re.compile(r"[、,，;；/\s]+")


@dataclass(frozen=True)
class Unread:
    """The villages named by the rows that could not be read: 12-digit codes, and names by their normalised key."""

    codes: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()

    @classmethod
    def of(cls, match: LedgerMatch, mapped: Mapping[str, object]) -> Unread:
        codes, names = set(), set()
        village, code = mapped.get("village"), mapped.get("code")
        for reject in match.rejects:
            if reject.reason in _NOT_HOLDING:
                continue
            digits = re.sub(r"\D", "", str(reject.raw.get(code) or "")) if code is not None else ""
            if len(digits) >= 12:
                codes.add(digits[:12])
            text = str(reject.raw.get(village) or "") if village is not None else ""
            names.update(key for part in _NAME_SEPARATORS.split(text) if part and (key := normalize_village_name(part)))
        return cls(frozenset(codes), frozenset(names))

    def names_village(self, code: str, name: str) -> bool:
        return code in self.codes or (bool(name) and normalize_village_name(name) in self.names)


def plan_snapshot(match: LedgerMatch, by_key: Mapping[str, int], contracts: pd.DataFrame, as_of: dt.date,
                  scope: Scope | None, changes: tuple[tuple[AdviserChange, ...], tuple[str, ...]] = ((), ()),
                  unread: Unread = Unread()) -> SnapshotPlan:
    """The difference between the file's contracts (`match`, its people matched to stored ones by `by_key`) and
    the store's `contracts` of the compared villages (Store.scope_contracts), as of `as_of`; the villages
    `unread` names keep their contracts."""
    stored = {(int(a), v, s): (e, p, r) for a, v, s, e, p, r in zip(
        contracts["adviser_id"], contracts["village"], contracts["start_date"], contracts["end_date"],
        contracts["printed_end"], contracts["end_reason"])}
    pairs = {(a, v) for a, v, _ in stored}
    new, renewed, relisted, unchanged = [], [], [], 0
    listed: set[tuple[int, str]] = set()
    for a in match.assignments:
        adviser_id = by_key.get(a.adviser_key)
        if adviser_id is not None:
            listed.add((adviser_id, a.village_code))
        if adviser_id is None or (adviser_id, a.village_code) not in pairs:
            new.append(a)
        else:
            held = stored.get((adviser_id, a.village_code, a.start))
            if held is None:
                renewed.append(a)
            elif a.end == held[0]:
                unchanged += 1
            elif held[2] is not None and a.end == held[1]:
                relisted.append(a)
            else:
                renewed.append(a)
    in_force = contracts[(contracts["start_date"] <= as_of)
                         & contracts["end_date"].map(lambda e: e is None or e >= as_of)]
    missing = [Ending(int(r.adviser_id), r.name, r.village, _text(r.village_name), _text(r.township),
                      r.start_date, r.end_date)
               for r in in_force.itertuples() if (int(r.adviser_id), r.village) not in listed]
    held = tuple(e for e in missing if unread.names_village(e.village, e.village_name))
    ended = tuple(e for e in missing if not unread.names_village(e.village, e.village_name))
    return SnapshotPlan(as_of, scope.digits if scope is not None else "-", tuple(new), tuple(renewed), changes[0],
                        ended, len(in_force), unchanged, tuple(relisted), changes[1], held)


def snapshot_plan(store: Store, cur: Cursor, mapped: Mapping[str, object], match: LedgerMatch,
                  people: Mapping[str, Adviser], by_key: Mapping[str, int], as_of: dt.date,
                  jurisdiction: Scope) -> SnapshotPlan:
    """:func:`plan_snapshot` against the store as it is now (inside `cur`'s transaction); `mapped` is the file's
    field -> header (LedgerTable.mapped)."""
    scope = compared_scope(match.county_code, jurisdiction)
    if scope is None:
        return plan_snapshot(match, by_key, _no_contracts(), as_of, None)
    contracts = store.scope_contracts(scope, cur)
    ids = sorted(set(by_key.values()))
    records = store.adviser_rows(ids, cur)
    shared = store.advisers_reaching_outside(ids, jurisdiction, cur) if jurisdiction.digits else set()
    return plan_snapshot(match, by_key, contracts, as_of, scope,
                         adviser_changes(people, by_key, records, shared, "kind" in mapped), Unread.of(match, mapped))


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _no_contracts() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in (
        "adviser_id", "village", "start_date", "end_date", "printed_end", "end_reason", "name", "village_name",
        "township")})


class EndsNotConfirmed(ImportRefused):
    """A snapshot refused because it would end more than a small share of the contracts in force."""

    def __init__(self, file_name: str, plan: SnapshotPlan):
        self.plan = plan
        super().__init__(key="imp.s.refused", params={
            "file": file_name, "n": f"{len(plan.ended):,}", "total": f"{plan.in_force:,}",
            "share": f"{plan.share:.1%}", "limit": f"{SNAPSHOT_CONFIRM_SHARE:.0%}", "day": plan.as_of.isoformat()})

    def for_page(self) -> ImportRefused:
        """The page's wording: the way on is the checkbox above the import button."""
        return refused("imp.s.refused_page", n=f"{len(self.plan.ended):,}", box=Msg("imp.s.allow"),
                       limit=f"{SNAPSHOT_CONFIRM_SHARE:.0%}")
