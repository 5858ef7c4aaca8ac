"""Coverage rules: the one place that says what "covered" means.

For an as-of date D each village or community is exactly one of

* ``covered`` - at least one assignment with start <= D <= end (both inclusive; no end = open-ended);
* ``lapsed``  - not covered, but had an assignment that ended before D;
* ``never``   - no assignment starting on or before D.

``expiring`` is a subset of covered: every current assignment ends within N days after D (default 60), so an
open-ended assignment is never expiring.  coverage_rate = covered / villages.

"No data" is decided once, at the level that imports ledgers: the county (东莞 441900, 中山 442000 and 儋州
460400, cities without counties, are their own county).  A county with no contract of its villages started on or
before D has not imported its ledger yet (:func:`county_has_data`): it is no data (无数据) at every level, not
0 %, and its villages are ``no_data``, not gaps.  Inside a county with data a township or village without a
contract is ``never``, a gap, at every level.  A unit above the county has data when any of its counties has;
its figures (villages, never, rate) count the villages of those counties only, and say how many counties and
villages were left out (:class:`Counts`).  One with no county with data counts all its villages, as never.

The rule exists in two forms, on purpose: :func:`village_status` here in plain Python (readable, used by tests as
the independent reference) and its SQL form in :mod:`geo.store.sql.rules` (per village on a day, and precomputed as
coverage spans so that a national summary over 700,000 assignments stays under 100 ms, see ``python -m geo
bench``).  The tests check that both agree on random cases.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Mapping

DEFAULT_EXPIRING_DAYS = 60


class Status(str, Enum):
    COVERED = "covered"
    EXPIRING = "expiring"  # covered, but every current contract ends within the warning window
    LAPSED = "lapsed"
    NEVER = "never"

    @property
    def is_covered(self) -> bool:
        return self in (Status.COVERED, Status.EXPIRING)


#: the status of a village whose county has no data on the day (not a :class:`Status`: its county decides it)
NO_DATA = "no_data"

#: the statuses a gap list shows by default
GAP_STATUSES = (Status.LAPSED, Status.EXPIRING, Status.NEVER)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date | None  # None = open-ended

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def village_status(periods: Iterable[Period], as_of: dt.date,
                   expiring_days: int = DEFAULT_EXPIRING_DAYS) -> Status:
    """The status of one village on `as_of`, given all its assignment periods."""
    periods = list(periods)
    current = [p for p in periods if p.covers(as_of)]
    if current:
        horizon = as_of + dt.timedelta(days=expiring_days)
        if all(p.end is not None and p.end <= horizon for p in current):
            return Status.EXPIRING
        return Status.COVERED
    if any(p.start <= as_of for p in periods):
        return Status.LAPSED
    return Status.NEVER


def county_statuses(periods: Mapping[str, Iterable[Period]], as_of: dt.date,
                    expiring_days: int = DEFAULT_EXPIRING_DAYS) -> dict[str, str]:
    """The status of each village of one county on `as_of`, given every village's assignment periods (an empty
    list for a village without any): :func:`village_status`, or :data:`NO_DATA` for every village while no
    contract of the county started by then."""
    statuses = {v: village_status(p, as_of, expiring_days) for v, p in periods.items()}
    if not any(s is not Status.NEVER for s in statuses.values()):
        return {v: NO_DATA for v in statuses}
    return {v: s.value for v, s in statuses.items()}


def county_has_data(covered, lapsed):
    """A county has data when a contract of any of its villages started on or before D: covered + lapsed > 0.

    One without has not had its ledger imported yet: it is "no data" (无数据) at every level, never a coverage of
    0 %, so it is drawn hatched, listed apart and left out of rankings and headline rates.  Works on ints and
    pandas Series."""
    return covered + lapsed > 0


def has_data(covered, lapsed, villages, no_data_villages):
    """Whether a unit of any level with these counts (:class:`Counts`) has data: any of its counties has.

    A county or wider unit has data exactly when it has a covered or lapsed village; a township or village
    inside a county with data has data even without a contract of its own (none of its villages is left out),
    and one inside a county without data has all its villages left out.  Works on ints and pandas Series."""
    return county_has_data(covered, lapsed) | ((villages > 0) & (no_data_villages == 0))


def counted_villages(villages, data_villages):
    """The villages a unit's figures count, of its `villages` of which `data_villages` lie in counties with
    data: those, or all of them while none does (then every one is never and the unit has no data).  Works on
    ints and pandas Series."""
    return data_villages + (data_villages == 0) * villages


@dataclass(frozen=True)
class Counts:
    """Villages of one unit by status.  ``covered`` includes ``expiring``.

    ``villages`` are the villages counted (:func:`counted_villages`); ``no_data_counties`` and
    ``no_data_villages`` the counties without data and their villages, left out of the figures (for a unit
    without data: all of it)."""

    villages: int
    covered: int
    expiring: int
    lapsed: int
    no_data_counties: int = 0
    no_data_villages: int = 0

    @property
    def never(self) -> int:
        return self.villages - self.covered - self.lapsed

    @property
    def coverage_rate(self) -> float:
        return self.covered / self.villages if self.villages else 0.0

    @property
    def has_data(self) -> bool:
        return bool(has_data(self.covered, self.lapsed, self.villages, self.no_data_villages))

