"""The SQL of ``adviser_service_days``: each adviser's service records in a county as running totals per day.

One row per adviser, county and day with a record of theirs there: ``next_day`` is the pair's next such day
(infinity after the last), ``records`` and ``onsite_records`` count the pair's records up to and including the
day, ``month_onsite_hours`` sums its on-site hours from the first of the day's month up to the day, and
``last_onsite`` is its latest on-site day up to the day.  The one row with ``day <= D < next_day`` then holds the
pair's totals on D, and a count over a window is the difference of two such rows: the adviser register's
service columns (:meth:`geo.store.Store.adviser_service_stats`) read two rows per adviser and county instead of
grouping every record.  Counties are 6-digit numbers, as in ``county_spans``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

#: the calendar month of a day column as one number (the partition of the month's running hours)
_MONTH = "(EXTRACT(YEAR FROM {day}) * 100 + EXTRACT(MONTH FROM {day}))"

#: the per-day figures of a pair from service records ``s`` (an adviser's records, grouped by county and day)
_PER_DAY = """SELECT adviser_id, idiv(village, 1000000) AS county, service_date AS day, count(*) AS n,
                     count(*) FILTER (WHERE mode = 'onsite') AS n_onsite,
                     coalesce(sum(hours) FILTER (WHERE mode = 'onsite'), 0) AS onsite_hours
              FROM services WHERE adviser_id IS NOT NULL{extra} GROUP BY 1, 2, 3"""

_COLUMNS = "adviser_id, county, day, next_day, records, onsite_records, month_onsite_hours, last_onsite"


def adviser_days_sql(village_filter: str = "") -> str:
    """SQL inserting ``adviser_service_days`` from the service records (optionally only those matching
    `village_filter`, a condition on ``village``: whole counties, as the table is kept per county)."""
    extra = f" AND {village_filter}" if village_filter else ""
    month = _MONTH.format(day="day")
    return f"""
    INSERT INTO adviser_service_days ({_COLUMNS})
    WITH g AS ({_PER_DAY.format(extra=extra)})
    SELECT adviser_id, county, day, coalesce(lead(day) OVER w, DATE 'infinity'), sum(n) OVER w, sum(n_onsite) OVER w,
           sum(onsite_hours) OVER (PARTITION BY adviser_id, county, {month} ORDER BY day),
           max(CASE WHEN n_onsite > 0 THEN day END) OVER w
    FROM g WINDOW w AS (PARTITION BY adviser_id, county ORDER BY day)"""


@dataclass(frozen=True)
class AppendSteps:
    """As :class:`geo.store.sql.rules.AppendSteps`: `prepare`, `late` (a count of pairs whose new records are not
    all after their latest stored day: then the table is rebuilt for their counties), `apply`, `cleanup`."""

    prepare: tuple[str, ...]
    late: str
    apply: tuple[str, ...]
    cleanup: tuple[str, ...]


def adviser_days_append_sql(batch_ids: Sequence[int]) -> AppendSteps:
    """The table extended by the records of `batch_ids` (added, nothing else changed), when each pair's new days
    all come after its latest stored day: the latest stored row's next day becomes the first new day, and the
    new rows continue its running totals (its month's hours only within the same month)."""
    ids = ", ".join(str(int(b)) for b in batch_ids) or "NULL"
    new_month, old_month = _MONTH.format(day="n.day"), _MONTH.format(day="t.last_old")
    prepare = (
        f"CREATE TEMP TABLE asd_new AS {_PER_DAY.format(extra=f' AND batch_id IN ({ids})')}",
        """CREATE TEMP TABLE asd_tail AS
           SELECT g.adviser_id, g.county, g.first_new, a.day AS last_old, a.records, a.onsite_records,
                  a.month_onsite_hours, a.last_onsite
           FROM (SELECT adviser_id, county, min(day) AS first_new FROM asd_new GROUP BY adviser_id, county) g
           LEFT JOIN adviser_service_days a ON a.adviser_id = g.adviser_id AND a.county = g.county
                                           AND a.next_day = DATE 'infinity'""",
    )
    late = "SELECT count(*) FROM asd_tail WHERE last_old >= first_new"
    apply = (
        """UPDATE adviser_service_days SET next_day = t.first_new FROM asd_tail t
           WHERE adviser_service_days.adviser_id = t.adviser_id AND adviser_service_days.county = t.county
             AND adviser_service_days.next_day = DATE 'infinity' AND t.last_old IS NOT NULL""",
        f"""INSERT INTO adviser_service_days ({_COLUMNS})
            SELECT n.adviser_id, n.county, n.day, coalesce(lead(n.day) OVER w, DATE 'infinity'),
                   coalesce(t.records, 0) + sum(n.n) OVER w, coalesce(t.onsite_records, 0) + sum(n.n_onsite) OVER w,
                   CASE WHEN t.last_old IS NOT NULL AND {old_month} = {new_month} THEN t.month_onsite_hours ELSE 0 END
                       + sum(n.onsite_hours) OVER (PARTITION BY n.adviser_id, n.county, {new_month} ORDER BY n.day),
                   coalesce(max(CASE WHEN n.n_onsite > 0 THEN n.day END) OVER w, t.last_onsite)
            FROM asd_new n JOIN asd_tail t ON t.adviser_id = n.adviser_id AND t.county = n.county
            WINDOW w AS (PARTITION BY n.adviser_id, n.county ORDER BY n.day)""",
    )
    cleanup = tuple(f"DROP TABLE IF EXISTS {t}" for t in ("asd_tail", "asd_new"))
    return AppendSteps(prepare, late, apply, cleanup)


def adviser_totals_sql() -> str:
    """SQL of each adviser's service figures in the counties [$clow, $chigh) on $as_of from the table: adviser_id,
    onsite_hours_month (on-site hours from $month_start), records_window and onsite_records_window (records from
    $window_start), last_onsite; one row per adviser with a record there by $as_of.  Per pair it reads the row on
    $as_of and the row on the day before the window (a window's count is their difference)."""
    on_day = "next_day > $as_of"
    before = "day < $window_start AND next_day >= $window_start"
    return f"""
        SELECT adviser_id,
               sum(CASE WHEN {on_day} AND day >= $month_start THEN month_onsite_hours ELSE 0 END)
                   AS onsite_hours_month,
               sum(CASE WHEN {on_day} THEN records ELSE 0 END)
                   - sum(CASE WHEN {before} THEN records ELSE 0 END) AS records_window,
               sum(CASE WHEN {on_day} THEN onsite_records ELSE 0 END)
                   - sum(CASE WHEN {before} THEN onsite_records ELSE 0 END) AS onsite_records_window,
               max(CASE WHEN {on_day} THEN last_onsite END) AS last_onsite
        FROM adviser_service_days
        WHERE county >= $clow AND county < $chigh AND day <= $as_of AND ({on_day} OR ({before}))
        GROUP BY adviser_id"""
