"""Matching a read questionnaire summary: the county (chosen, else from the title words, codes and village names)
and each row's village through the one matching core (:mod:`geo.sources.matching`) exactly as the ledgers do.

A row is rejected, with its number and why, for no village, an unknown or ambiguous one, several villages in
one cell (one villager lives in one village), an unreadable, missing or future survey day, an unreadable
satisfaction or yes / no answer, or no answer at all.  Two rows with the same questionnaire number for the same
village are both kept and the later one flagged as a duplicate (counted nowhere).  Nothing here touches the store.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from geo.sources.errors import QuestionnaireError
from geo.sources.ledger.match import table_county
from geo.sources.matching import County, Found, RegistryIndex, Reject, Wanted, match_village
from geo.sources.matching import registry_index as _registry_index
from geo.sources.questionnaire.fields import QuestionnaireRow, QuestionnaireTable
from geo.sources.servicelog.values import Problem

REJECT_REASONS = ("no_village", "unknown_village", "ambiguous_village", "several_villages", "bad_survey_date",
                  "future_survey_date", "bad_satisfaction", "bad_answer", "no_answer", "too_long")


@dataclass(frozen=True)
class Response:
    """One accepted questionnaire: the store's ``feedback`` row without its batch and time of day."""

    row_number: int
    village_code: str
    village_name: str          # the registry's name
    written_village: str       # as the file wrote it ("" when matched by code alone)
    day: dt.date
    satisfaction: int | None
    reached: bool | None
    never_seen: bool
    comment: str | None
    qid: str | None
    duplicate_of: int | None = None     # the row with the same questionnaire number for the same village
    notes: tuple[str, ...] = ()


@dataclass
class QuestionnaireMatch:
    county_code: str
    county_name: str
    county_source: str
    responses: list[Response]
    rejects: list[Reject]
    rows_read: int
    warnings: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return len(self.responses)

    @property
    def rejected(self) -> int:
        return len({r.row for r in self.rejects})

    @property
    def duplicates(self) -> int:
        return sum(r.duplicate_of is not None for r in self.responses)

    @property
    def never_seen(self) -> int:
        return sum(r.never_seen and r.duplicate_of is None for r in self.responses)


def _undetected(table: QuestionnaireTable) -> QuestionnaireError:
    return QuestionnaireError(key="match.e.undetected_questionnaires", params={"name": Path(table.path).name})


def questionnaire_county(table: QuestionnaireTable, registry: pd.DataFrame | RegistryIndex,
                         county: object = None) -> County:
    """The county of the file: `county` (code or name) when given, else detected; QuestionnaireError when
    neither."""
    words = " ".join(x for x in (table.title, Path(table.path).stem) if x)
    return table_county(_registry_index(registry), county, words, table.rows, lambda: _undetected(table),
                        QuestionnaireError)


def match_questionnaires(table: QuestionnaireTable, county: County) -> QuestionnaireMatch:
    """Every row of `table` as one response in `county` or as one Reject."""
    result = QuestionnaireMatch(county.code, county.name, county.source, [], [], rows_read=len(table.rows))
    numbered: dict[tuple[str, str], int] = {}
    for row in table.rows:
        outcome = _match_row(row, county)
        if isinstance(outcome, Reject):
            result.rejects.append(outcome)
            continue
        if outcome.qid:
            key = (outcome.village_code, outcome.qid)
            if key in numbered:
                outcome = replace(outcome, duplicate_of=numbered[key])
            else:
                numbered[key] = outcome.row_number
        result.responses.append(outcome)
    return result


def _problem(row: QuestionnaireRow) -> Problem | None:
    """What rejects the row as a whole, in the order a clerk would fix it."""
    if not row.village_names and not row.village_code:
        return Problem("no_village", "no_village")
    if len(row.village_names) > 1 and not row.village_code:
        return Problem("several_villages", "several_villages", {"names": "、".join(row.village_names[:5])})
    for checked in (row.day, row.satisfaction, row.reached, row.never_seen):
        if isinstance(checked, Problem):
            return checked
    if row.satisfaction is None and row.reached is None and not row.never_seen and not row.comment:
        return Problem("no_answer", "no_answer")
    return None


def _match_row(row: QuestionnaireRow, county: County) -> Response | Reject:
    problem = _problem(row)
    if problem is not None:
        return Reject(row.row_number, problem.reason, problem.params, dict(row.raw), why=problem.why)
    name = row.village_names[0] if row.village_names else None
    found = match_village(county, Wanted(row.row_number, name, row.township, row.village_code, dict(row.raw)))
    if isinstance(found, Reject):
        return found
    assert isinstance(found, Found) and isinstance(row.day, dt.date)
    assert not isinstance(row.satisfaction, Problem) and not isinstance(row.reached, Problem)
    return Response(row.row_number, found.code, found.name, found.written, row.day, row.satisfaction, row.reached,
                    bool(row.never_seen), row.comment, row.qid, notes=found.notes)
