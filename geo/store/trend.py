"""The trend: coverage and effective service on the last day of each of a run of months, in one query."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from geo.core.codes import Scope
from geo.core.dates import as_date, month_ends
from geo.core.service_rule import DEFAULT_SERVICE, ServiceSettings
from geo.store.registry import REAL_VILLAGE
from geo.store.services import ServiceQueries
from geo.store.sql import rules

#: :meth:`TrendQueries.trend_at`'s `first_day` not read yet
UNREAD = object()


@dataclass
class KeptTrend:
    """What the app keeps of :meth:`TrendQueries.trend` for one scope, service settings and data version: its rows
    by day, and the scope's first service day once read."""

    rows: dict[dt.date, pd.DataFrame] = field(default_factory=dict)
    first_day: dt.date | None | object = UNREAD


TREND_COLUMNS = ["month", "as_of", "villages", "covered", "coverage_rate", "served", "served_rate", "has_service_data"]


class TrendQueries(ServiceQueries):
    """:meth:`trend`, with the day-by-contract counting it needs."""

    def trend(self, scope: Scope, last_month: dt.date | str, months: int = 24,
              service: ServiceSettings = DEFAULT_SERVICE) -> pd.DataFrame:
        """Coverage and effective service on the last day of each of the `months` months ending with
        `last_month`'s month.

        Columns: month (YYYY-MM), as_of, villages, covered, coverage_rate, served, served_rate, has_service_data
        (any service record in scope by that day: before it the served line is not a figure).
        """
        return self.trend_at(scope, month_ends(as_date(last_month), months), service)

    def trend_kept(self, scope: Scope, last_month: dt.date | str, kept: KeptTrend, months: int = 24,
                   service: ServiceSettings = DEFAULT_SERVICE) -> pd.DataFrame:
        """:meth:`trend`, with the rows of the days `kept` (of the same scope, service settings and data) taken
        from it and only the other days queried, which are added to it; the scope's first record is read once."""
        days = month_ends(as_date(last_month), months)
        missing = [d for d in days if d not in kept.rows]
        if missing:
            if kept.first_day is UNREAD:
                kept.first_day = self.trend_first_day(scope)
            fresh = self.trend_at(scope, missing, service, first_day=kept.first_day)
            for i, day in enumerate(sorted(set(missing))):
                kept.rows[day] = fresh.iloc[i:i + 1]
        return pd.concat([kept.rows[d] for d in days], ignore_index=True)

    def trend_first_day(self, scope: Scope) -> dt.date | None:
        """The earliest day of a service record at a real village of `scope` (None: none): :meth:`trend`'s
        has_service_data is whether the day is on or after it.  A fact of the data, not of a day; a national
        store reads millions of records for it."""
        low, high = scope.int_range
        rows = self._q_rows(f"""
            SELECT min(r.day) FROM {self._trend_records()} r
            WHERE r.village >= $low AND r.village < $high
              AND r.village IN (SELECT code FROM divisions WHERE {REAL_VILLAGE} AND code >= $low AND code < $high)""",
                            {"low": low, "high": high})
        day = rows[0][0] if rows else None
        return None if day is None else pd.Timestamp(day).date()

    def _trend_records(self) -> str:
        return ("(SELECT village, mode, day FROM service_days)" if self._service_days_ready()
                else "(SELECT village, mode, service_date AS day FROM services)")

    def trend_at(self, scope: Scope, days: Sequence[dt.date], service: ServiceSettings = DEFAULT_SERVICE,
                 first_day: dt.date | None | object = UNREAD) -> pd.DataFrame:
        """:meth:`trend`'s rows for the given `days` (each row depends on its day only, so the app keeps rows it
        has computed and asks for the days it lacks: a new date needs one day, not 24 months).  `first_day`:
        :meth:`trend_first_day` of `scope`, when the caller has it (read in the query otherwise)."""
        days = sorted(set(days))
        if not days:
            return pd.DataFrame(columns=TREND_COLUMNS)
        low, high = scope.int_range
        frame = pd.DataFrame({"as_of": days, "window_start": [service.window(d)[0] for d in days]})
        modes = {f"mode{i}": m for i, m in enumerate(service.counting_modes)}
        records = self._trend_records()
        first_record = ("SELECT CAST(NULL AS DATE) AS day" if first_day is not UNREAD else f"""
                        SELECT min(r.day) AS day FROM {records} r
                        WHERE r.village >= $low AND r.village < $high AND r.village IN (SELECT code FROM v)""")
        if self._served_spans_answer(service):
            modes = {}
            served = """SELECT t.as_of, count(*) AS served FROM trend_days t
                        JOIN served_spans ss ON ss.span_from <= t.as_of AND ss.span_until > t.as_of
                        WHERE ss.village >= $low AND ss.village < $high GROUP BY t.as_of"""
        else:
            served = f"""
                WITH visited AS (SELECT DISTINCT t.as_of, r.village FROM trend_days t
                                 JOIN {records} r ON r.day <= t.as_of AND r.day >= t.window_start
                                 WHERE {rules.modes_in('r.mode', len(modes))}
                                   AND r.village >= $low AND r.village < $high)
                SELECT cv.as_of, count(*) AS served FROM cv
                JOIN visited ON visited.as_of = cv.as_of AND visited.village = cv.village GROUP BY cv.as_of"""
        counties = "county >= idiv($low, 1000000) AND county < idiv($high, 1000000)"
        if self._spans and len(scope.digits) <= 6 and not modes:
            # whole counties, served by the default rule: their kept counts, a row per county and day
            covered = f"""c AS (SELECT t.as_of, CAST(sum(cs.covered) AS BIGINT) AS covered FROM trend_days t
                                JOIN county_spans cs ON cs.span_from <= t.as_of AND cs.span_until > t.as_of
                                WHERE cs.{counties} GROUP BY t.as_of)"""
            villages = f"SELECT CAST(coalesce(sum(villages), 0) AS BIGINT) FROM county_villages WHERE {counties}"
        else:
            covered = f"""a AS (SELECT a.village, a.start_date, coalesce(a.end_date, DATE '9999-12-31') AS end_date
                                FROM assignments a JOIN v ON v.code = a.village),
                {self._covered_days_cte(len(days))}"""
            villages = "SELECT count(*) FROM v"
        with self.reading() as cur, self._table(cur, "trend_days", frame):
            df = self._frame(cur, f"""
                WITH v AS (SELECT code FROM divisions WHERE {REAL_VILLAGE} AND code >= $low AND code < $high),
                {covered},
                s AS ({served}),
                first_record AS ({first_record})
                SELECT t.as_of, ({villages}) AS villages, coalesce(c.covered, 0) AS covered,
                       coalesce(s.served, 0) AS served,
                       coalesce((SELECT day FROM first_record) <= t.as_of, false) AS has_service_data
                FROM trend_days t LEFT JOIN c ON c.as_of = t.as_of LEFT JOIN s ON s.as_of = t.as_of
                ORDER BY t.as_of""", {"low": low, "high": high, **modes})
        df.insert(0, "month", [f"{d.year:04d}-{d.month:02d}" for d in pd.to_datetime(df["as_of"])])
        for col in ("villages", "covered", "served"):
            df[col] = df[col].astype("int64")
        villages = df["villages"].where(df["villages"] > 0)
        df["coverage_rate"] = (df["covered"] / villages).fillna(0.0)
        df["served_rate"] = (df["served"] / villages).fillna(0.0)
        df["has_service_data"] = (df["has_service_data"].astype(bool) if first_day is UNREAD else
                                  pd.Series([first_day is not None and first_day <= d for d in days], dtype=bool))
        return df[TREND_COLUMNS]

    @staticmethod
    def _covered_days_cte(days: int) -> str:
        """``cv``: (as_of, village) for each day of ``trend_days`` a village of ``a`` is under contract, and ``c``:
        the count of them per day (as_of, covered).

        A contract covers a run of the sorted days, [i0, i1) by index: one bit mask per contract period (the
        distinct (start, end) pairs, a few thousand for 730,000 contracts), OR-ed per village, then one row per set
        bit.  The plain join of days and contracts with DISTINCT is the same set, a dozen times slower on a
        national store (730,000 contracts: 13 s against 0.9 s); it stays for more days than a BIGINT has bits.
        The indices are counted by a grouped join, not a subquery per row: PostgreSQL inlines the CTE and ran the
        subqueries once per contract.  ``c`` counts villages per distinct mask first, not the 14 million rows of
        ``cv`` nationally (PostgreSQL sorted them on disk: 8 s in all).  For one or two days (the app asks for the
        days of a new date only, :meth:`trend_kept`) the plain join is the cheaper: no mask per village to build
        (0.4 s against 0.9 s of CPU for one national day)."""
        if days > 62 or days <= 2:
            return """cv AS (SELECT DISTINCT t.as_of, a.village
                       FROM trend_days t JOIN a ON a.start_date <= t.as_of AND a.end_date >= t.as_of),
                c AS (SELECT as_of, count(*) AS covered FROM cv GROUP BY as_of)"""
        return """ti AS (SELECT as_of, CAST(row_number() OVER (ORDER BY as_of) - 1 AS INTEGER) AS i FROM trend_days),
                pi AS (SELECT p.start_date, p.end_date,
                              CAST(count(*) FILTER (WHERE ti.as_of < p.start_date) AS INTEGER) AS i0,
                              CAST(count(*) FILTER (WHERE ti.as_of <= p.end_date) AS INTEGER) AS i1
                       FROM (SELECT DISTINCT start_date, end_date FROM a) p CROSS JOIN ti
                       GROUP BY p.start_date, p.end_date),
                pm AS (SELECT start_date, end_date, (CAST(1 AS BIGINT) << i1) - (CAST(1 AS BIGINT) << i0) AS mask
                       FROM pi WHERE i1 > i0),
                cm AS (SELECT a.village, bit_or(pm.mask) AS mask
                       FROM a JOIN pm ON pm.start_date = a.start_date AND pm.end_date = a.end_date
                       GROUP BY a.village),
                cv AS (SELECT ti.as_of, cm.village FROM ti JOIN cm ON (cm.mask >> ti.i) & 1 = 1),
                mn AS (SELECT mask, count(*) AS n FROM cm GROUP BY mask),
                c AS (SELECT ti.as_of, sum(mn.n) AS covered FROM ti JOIN mn ON (mn.mask >> ti.i) & 1 = 1
                      GROUP BY ti.as_of)"""

