"""Matching a read service log: the county (chosen, else from the title words, codes and village names), each
village through the one matching core (:mod:`geo.sources.matching`) exactly as the ledgers do, and each adviser to a
known one (:meth:`geo.store.Store.known_advisers`): by licence number, else by name within the county.

A row is rejected, with its number and why, for an unknown or ambiguous adviser, an unknown or ambiguous
village, no village, an unreadable, impossible or future date, or unreadable hours.  Nothing here touches the
store; the caller writes the result.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo.sources.errors import ServiceLogError
from geo.sources.ledger.match import table_county
from geo.sources.matching import County, Found, RegistryIndex, Reject, Wanted, match_village
from geo.sources.matching import registry_index as _registry_index
from geo.sources.servicelog.fields import ServiceRow, ServiceTable
from geo.sources.servicelog.values import Problem

REJECT_REASONS = ("unknown_adviser", "ambiguous_adviser", "no_adviser", "unknown_village", "ambiguous_village",
                  "no_village", "bad_date", "future_date", "bad_hours", "too_long")


@dataclass(frozen=True)
class ServiceRecord:
    """One accepted service at one village: the store's ``services`` row without its batch."""

    row_number: int
    village_code: str
    village_name: str          # the registry's name
    written_village: str       # as the log wrote it ("" when matched by code alone)
    adviser_id: int
    adviser_name: str | None   # as the log wrote it
    service_date: dt.date
    mode: str
    category: str | None
    hours: float | None
    people: int | None
    content: str | None
    notes: tuple[str, ...] = ()


@dataclass
class ServiceMatch:
    county_code: str
    county_name: str
    county_source: str
    records: list[ServiceRecord]
    rejects: list[Reject]
    rows_read: int
    duplicate_rows: int
    warnings: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return len({r.row_number for r in self.records})

    @property
    def rejected(self) -> int:
        return len({r.row for r in self.rejects})


@dataclass(frozen=True)
class AdviserBook:
    """The advisers a county's log may name: by licence number, and by name (several ids when homonyms)."""

    by_licence: dict[str, int]
    by_name: dict[str, tuple[int, ...]]

    @classmethod
    def of(cls, known: pd.DataFrame) -> "AdviserBook":
        by_licence = {str(lic): int(a) for a, lic in zip(known["adviser_id"], known["licence_no"])
                      if isinstance(lic, str) and lic}
        by_name: dict[str, list[int]] = {}
        for a, name in zip(known["adviser_id"], known["name"]):
            ids = by_name.setdefault(str(name), [])
            if int(a) not in ids:
                ids.append(int(a))
        return cls(by_licence, {n: tuple(ids) for n, ids in by_name.items()})

    def find(self, name: str | None, licence: str | None) -> int | Problem:
        if licence and licence in self.by_licence:
            return self.by_licence[licence]
        if not name:
            return Problem("no_adviser", "no_adviser") if not licence else \
                Problem("unknown_adviser", "licence_unknown", {"licence": licence})
        ids = self.by_name.get(name, ())
        if len(ids) == 1:
            return ids[0]
        if ids:
            return Problem("ambiguous_adviser", "ambiguous_adviser", {"name": name, "n": len(ids)})
        return Problem("unknown_adviser", "adviser_unknown", {"name": name})


# ---------------------------------------------------------------------------------------------- county
def _title_words(table: ServiceTable) -> str:
    return " ".join(x for x in (table.title, Path(table.path).stem) if x)


def _undetected(table: ServiceTable) -> ServiceLogError:
    return ServiceLogError(key="match.e.undetected_services", params={"name": Path(table.path).name})


def _county(table: ServiceTable, index: RegistryIndex, given: object) -> County:
    return table_county(index, given, _title_words(table), table.rows, lambda: _undetected(table), ServiceLogError)


def service_county(table: ServiceTable, registry: pd.DataFrame | RegistryIndex, county: object = None) -> County:
    """The county of the log: `county` (code or name) when given, else detected; ServiceLogError when neither."""
    return _county(table, _registry_index(registry), county)


# ---------------------------------------------------------------------------------------------- rows
def match_service_log(table: ServiceTable, county: County, advisers: pd.DataFrame) -> ServiceMatch:
    """Every row of `table` as service records in `county` (one per village it names, the hours shared
    between them) or as one Reject.  `advisers` is :meth:`geo.store.Store.known_advisers` of the county."""
    book = AdviserBook.of(advisers)
    result = ServiceMatch(county.code, county.name, county.source, [], [],
                          rows_read=len(table.rows) + len(table.duplicate_rows),
                          duplicate_rows=len(table.duplicate_rows))
    for row in table.rows:
        _match_row(row, county, book, result)
    return result


def _problem(row: ServiceRow, book: AdviserBook) -> Problem | None:
    """What rejects the row as a whole, in the order a clerk would fix it."""
    if not row.village_names and not row.village_code:
        return Problem("no_village", "no_village")
    for checked in (row.date, row.hours):
        if isinstance(checked, Problem):
            return checked
    adviser = book.find(row.adviser_name, row.licence_no)
    return adviser if isinstance(adviser, Problem) else None


def _wanted(row: ServiceRow) -> list[Wanted]:
    raw = dict(row.raw)
    if row.village_code and len(row.village_names) <= 1:
        return [Wanted(row.row_number, row.village_names[0] if row.village_names else None, row.township,
                       row.village_code, raw)]
    return [Wanted(row.row_number, name, row.township, None, raw) for name in row.village_names]


def _match_row(row: ServiceRow, county: County, book: AdviserBook, result: ServiceMatch) -> None:
    problem = _problem(row, book)
    if problem is not None:
        result.rejects.append(Reject(row.row_number, problem.reason, problem.params, dict(row.raw), why=problem.why))
        return
    outcomes = [match_village(county, want) for want in _wanted(row)]
    rejects = [o for o in outcomes if isinstance(o, Reject)]
    if rejects:     # a row is one service: recorded whole or not at all
        result.rejects.append(rejects[0])
        return
    found = [o for o in outcomes if isinstance(o, Found)]
    adviser = book.find(row.adviser_name, row.licence_no)
    assert isinstance(adviser, int) and isinstance(row.date, dt.date) and not isinstance(row.hours, Problem)
    share = row.hours / len(found) if row.hours is not None else None
    for f in found:
        result.records.append(ServiceRecord(row.row_number, f.code, f.name, f.written, adviser, row.adviser_name,
                                            row.date, row.mode, row.category, share, row.people, row.content,
                                            (*row.warnings, *f.notes)))
