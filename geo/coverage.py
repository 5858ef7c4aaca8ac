"""Coverage rules: the one place that says what "covered" means.

For an as-of date D each village or community is exactly one of

* ``covered`` - at least one assignment with start <= D <= end (both inclusive; no end = open-ended);
* ``lapsed``  - not covered, but had an assignment that ended before D;
* ``never``   - no assignment starting on or before D.

``expiring`` is a subset of covered: every current assignment ends within N days after D (default 60), so an
open-ended assignment is never expiring.  coverage_rate = covered / villages.  A unit with no contract started on
or before D has no data (:func:`has_data`): not 0 %, but not imported yet.

The rule exists in two forms, on purpose: :func:`village_status` here in plain Python (readable, used by tests as
the independent reference) and its SQL form in :mod:`geo.store.rules` (per village on a day, and precomputed as
coverage spans so that a national summary over 700,000 assignments stays under 100 ms, see ``python -m geo
bench``).  The tests check that both agree on random cases.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Iterable

DEFAULT_EXPIRING_DAYS = 60


class Status(str, Enum):
    COVERED = "covered"
    EXPIRING = "expiring"  # covered, but every current contract ends within the warning window
    LAPSED = "lapsed"
    NEVER = "never"

    @property
    def is_covered(self) -> bool:
        return self in (Status.COVERED, Status.EXPIRING)


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


def has_data(covered, lapsed):
    """A unit (or village) has data when any contract of it started on or before D: covered + lapsed > 0.

    One without has not had its ledgers imported yet: it is "no data" (无数据), never a coverage of 0 %, so it is
    drawn hatched, listed apart and left out of rankings and headline rates.  Works on ints and pandas Series.
    """
    return covered + lapsed > 0


@dataclass(frozen=True)
class Counts:
    """Villages of one unit by status.  ``covered`` includes ``expiring``."""

    villages: int
    covered: int
    expiring: int
    lapsed: int

    @property
    def never(self) -> int:
        return self.villages - self.covered - self.lapsed

    @property
    def coverage_rate(self) -> float:
        return self.covered / self.villages if self.villages else 0.0

    @property
    def has_data(self) -> bool:
        return bool(has_data(self.covered, self.lapsed))

