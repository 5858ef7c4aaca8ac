"""Coverage rules: the one place that says what "covered" means.

For an as-of date D each village or community is exactly one of

* ``covered`` - at least one assignment with start <= D <= end (both inclusive; no end = open-ended);
* ``lapsed``  - not covered, but had an assignment that ended before D;
* ``never``   - no assignment starting on or before D.

``expiring`` is a subset of covered: every current assignment ends within N days after D (default 60), so an
open-ended assignment is never expiring.  coverage_rate = covered / villages.  A unit with no contract started on or before D has no data
(:func:`has_data`): not 0 %, but not imported yet.

The same rule exists in three forms, on purpose: :func:`village_status` in plain Python (readable, used by
tests as the independent reference), :func:`per_village_sql` / :func:`status_sql` for the store, and
:func:`spans_sql`, the rule precomputed per village so that a national summary over 700,000 assignments stays
under 100 ms (see ``python -m geo bench``).  The tests check that all agree on random cases.
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


def per_village_sql(as_of_param: str = "$as_of", days_param: str = "$days",
                    table: str = "assignments") -> str:
    """SQL yielding one row per village that has any assignment starting on or before D.

    Columns: ``village`` (BIGINT), ``cur_end`` (latest end among current assignments, 9999-12-31 for
    open-ended, NULL when none is current), ``expiring`` (bool), ``seen`` (always true; NULL after a left join
    means the village had no assignment at all).  A village absent from the result is ``never``;
    one present with ``cur_end IS NULL`` is ``lapsed``.
    """
    return f"""
        SELECT village,
               max(CASE WHEN end_date IS NULL OR end_date >= {as_of_param}
                        THEN coalesce(end_date, DATE '9999-12-31') END) AS cur_end,
               coalesce(max(CASE WHEN end_date IS NULL OR end_date >= {as_of_param}
                        THEN coalesce(end_date, DATE '9999-12-31') END)
                        <= {as_of_param} + CAST({days_param} AS INTEGER), false) AS expiring,
               true AS seen
        FROM {table}
        WHERE start_date <= {as_of_param}
        GROUP BY village
    """


def status_sql(alias: str = "pv") -> str:
    """SQL CASE turning the columns of :func:`per_village_sql` (left-joined as `alias`) into a status."""
    return (f"CASE WHEN {alias}.cur_end IS NOT NULL AND {alias}.expiring THEN 'expiring' "
            f"WHEN {alias}.cur_end IS NOT NULL THEN 'covered' "
            f"WHEN {alias}.seen THEN 'lapsed' ELSE 'never' END")


def spans_sql(active_village_filter: str) -> str:
    """SQL inserting ``coverage_spans``: the same rule, precomputed per village for fast as-of queries.

    For each village, the spans [span_from, span_until) in which its set of current contracts does not change
    (span boundaries are every start day and every day after an end); ``cur_end`` is the latest end among the
    contracts current in the span (9999-12-31 open-ended) or NULL when none is (lapsed).  Before its first span
    a village is ``never``.  "Status on D" is then a range filter instead of a grouping of every assignment.
    `active_village_filter` restricts to live villages (alias ``d`` for divisions).
    """
    return f"""
    INSERT INTO coverage_spans
    WITH a AS (SELECT a.village, a.start_date, coalesce(a.end_date, DATE '9999-12-31') AS end_date
               FROM assignments a SEMI JOIN divisions d ON d.code = a.village AND {active_village_filter}),
    bp AS (SELECT village, start_date AS day FROM a
           UNION SELECT village, end_date + 1 FROM a WHERE end_date < DATE '9999-12-31'),
    span AS (SELECT village, day AS span_from,
                    coalesce(lead(day) OVER (PARTITION BY village ORDER BY day), DATE 'infinity') AS span_until
             FROM bp)
    SELECT s.village, s.span_from, s.span_until, max(CASE WHEN a.end_date >= s.span_from THEN a.end_date END)
    FROM span s JOIN a ON a.village = s.village AND a.start_date <= s.span_from
    GROUP BY s.village, s.span_from, s.span_until
    ORDER BY s.village, s.span_from"""
