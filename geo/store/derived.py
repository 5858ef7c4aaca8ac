"""The derived tables: coverage spans and service days, rebuilt inside every write transaction before its commit.

``coverage_spans`` (with ``county_spans`` and ``county_villages``) hold the coverage rule precomputed per village,
``adviser_spans`` (with ``adviser_counties``) the same rule applied to each person's load;
``service_days``, ``served_spans`` and ``service_counties`` the effective-service rule, ``adviser_months`` each
adviser's records by month.  All are written by the SQL of :mod:`geo.store.sql.rules`, for the counties a
transaction touched or for the whole country.
"""
from __future__ import annotations

import re
from typing import Iterable

import pandas as pd

from geo.store.base import Changes, Cursor, StoreBase
from geo.store.sql import rules

#: meta key and value saying coverage_spans is built and kept current by every write transaction
#: (2: with county_spans and county_villages; 3: with adviser_spans and adviser_counties)
SPANS_META, SPANS_VERSION = "coverage_spans", "3"
#: meta key and value saying service_days is built and kept current by every write transaction
SERVICE_DAYS_META, SERVICE_DAYS_VERSION = "service_days", "5"   # 5: with adviser_months
#: a write touching more counties than this rebuilds the whole country's spans at once, which is cheaper then
MAX_COUNTIES_REFRESHED = 100

#: the temporary table a statement makes (CREATE TEMP TABLE name AS ...)
_TEMP_TABLE = re.compile(r"\s*CREATE TEMP TABLE (\w+) AS")
#: SQL condition: a code column inside the range of a county's parameters $low, $high
_IN_RANGE = "{column} >= $low AND {column} < $high"


def _county_ranges(counties: Iterable[int]) -> list[dict[str, int]]:
    """The BIGINT code ranges {low, high} of `counties` (6-digit numbers), in order: what a refresh reads."""
    return [{"low": int(c) * 10**6, "high": (int(c) + 1) * 10**6} for c in sorted(set(counties))]


class DerivedTables(StoreBase):
    """Keeps the derived tables current; tells the reads whether they may use them."""

    def _refresh_derived(self, cur: Cursor, changes: Changes) -> None:
        """Before the commit: the coverage spans of the counties whose contracts or villages changed, then the
        service tables of those and of the counties whose service records changed (too many counties, or not
        known which: the whole country)."""
        if changes.only_appended_services and self._append_service_days(cur, changes.appended_batches):
            return
        coverage = None if changes.whole_country or len(changes.counties) > MAX_COUNTIES_REFRESHED \
            else changes.counties
        served = None if coverage is None else coverage | changes.service_counties
        self.refresh_coverage_spans(cur, coverage)
        # villages whose contracts alone changed (a change made in the app), outside the counties rebuilt whole
        villages = [] if coverage is None else [v for v in sorted(changes.contract_villages)
                                                if v // 10**6 not in coverage]
        self.refresh_village_spans(cur, villages)
        self.refresh_adviser_spans(cur, {v // 10**6 for v in villages})
        self.refresh_service_days(cur, None if served is None or len(served) > MAX_COUNTIES_REFRESHED else served)
        if served is not None and len(served) <= MAX_COUNTIES_REFRESHED:
            self.refresh_served_spans(cur, [v for v in villages if v // 10**6 not in served])

    def refresh_village_spans(self, cur: Cursor, villages: Iterable[int]) -> None:
        """The coverage spans of `villages` (12-digit numbers) whose contracts alone changed, and the per-county
        counts of their counties; the counties' other villages, their village counts and the service days stay.
        One statement per village: each reads its village's contracts through the index."""
        villages = sorted({int(v) for v in villages})
        for village in villages:
            self._run(cur, "DELETE FROM coverage_spans WHERE village = $village", {"village": village})
            self._run(cur, rules.spans_sql("a.village = $village"), {"village": village})
        for p in _county_ranges({v // 10**6 for v in villages}):
            self._run(cur, "DELETE FROM county_spans WHERE county = idiv($low, 1000000)", {"low": p["low"]})
            self._run(cur, rules.county_spans_sql(_IN_RANGE.format(column="village")), p)

    def refresh_adviser_spans(self, cur: Cursor, counties: Iterable[int] | None = None) -> None:
        """Rebuild adviser_spans and adviser_counties for the people who held or hold a contract in `counties`
        (6-digit numbers; their whole load, anywhere) or for everyone (inside the caller's transaction)."""
        if counties is None:
            for table in ("adviser_spans", "adviser_counties"):
                self._run(cur, f"DELETE FROM {table}")
            self._run(cur, rules.adviser_counties_sql())
            self._run(cur, rules.adviser_spans_sql())
            return
        people: set[int] = set()
        for p in _county_ranges(counties):
            people.update(int(a) for (a,) in self._rows(cur, f"""
                SELECT adviser_id FROM adviser_counties WHERE county = idiv($low, 1000000)
                UNION SELECT adviser_id FROM assignments WHERE {_IN_RANGE.format(column="village")}""", p))
            self._run(cur, "DELETE FROM adviser_counties WHERE county = idiv($low, 1000000)", {"low": p["low"]})
            self._run(cur, rules.adviser_counties_sql(_IN_RANGE.format(column="village")), p)
        if not people:
            return
        with self._table(cur, "refreshed_advisers", pd.DataFrame({"adviser_id": sorted(people)}, dtype="int64")):
            self._run(cur, "DELETE FROM adviser_spans WHERE adviser_id IN (SELECT adviser_id FROM refreshed_advisers)")
            self._run(cur, rules.adviser_spans_sql("refreshed_advisers"))

    def refresh_served_spans(self, cur: Cursor, villages: Iterable[int]) -> None:
        """The served spans of `villages` (12-digit numbers) from their service days and coverage spans (both
        current): what a change of their contracts alone changes of the effective-service tables."""
        for village in sorted({int(v) for v in villages}):
            self._run(cur, "DELETE FROM served_spans WHERE village = $village", {"village": village})
            self._run(cur, rules.served_spans_sql("village = $village"), {"village": village})

    def _append_service_days(self, cur: Cursor, batch_ids: Iterable[int]) -> bool:
        """Extend the service tables by the records of `batch_ids` (:func:`rules.service_append_sql`); False, with
        nothing changed, when some record is older than its village's latest stored day (then they are rebuilt)."""
        if self.get_meta(SERVICE_DAYS_META, cur) != SERVICE_DAYS_VERSION:
            return False
        steps = rules.service_append_sql(sorted(batch_ids))
        try:
            for sql in steps.prepare:
                self._run_step(cur, sql)
            if int(self._rows(cur, steps.late)[0][0]):
                return False
            for sql in steps.apply:
                self._run_step(cur, sql)
            return True
        finally:
            for sql in steps.cleanup:
                self._run(cur, sql)

    def _run_step(self, cur: Cursor, sql: str) -> None:
        """One statement of a service append; a temporary table it makes is analyzed at once (PostgreSQL plans
        the next steps over a national month's 500,000 rows, not over the few rows it assumes of a table it
        never looked at: sorts spilled to disk, hash tables were resized on the way)."""
        self._run(cur, sql)
        if made := _TEMP_TABLE.match(sql):
            self._analyze(cur, made.group(1))

    def refresh_coverage_spans(self, cur: Cursor, counties: Iterable[int] | None = None) -> None:
        """Rebuild coverage_spans from assignments and real villages, for `counties` (6-digit numbers) or the
        whole country (inside the caller's transaction), and the loads of the people with contracts there."""
        if counties is None:
            for table in ("coverage_spans", "county_spans", "county_villages"):
                self._run(cur, f"DELETE FROM {table}")
            self._run(cur, rules.spans_sql())
            self._run(cur, rules.county_spans_sql())
            self._run(cur, rules.county_villages_sql())
            self.refresh_adviser_spans(cur)
            if self.get_meta(SPANS_META, cur) != SPANS_VERSION:
                self.set_meta(SPANS_META, SPANS_VERSION, cur)
            return
        counties = set(counties)
        # a statement per county with its bounds as parameters: each reads its county through the village
        # indexes (a join with a table of ranges made PostgreSQL scan the whole country for every county)
        for p in _county_ranges(counties):
            self._run(cur, f"DELETE FROM coverage_spans WHERE {_IN_RANGE.format(column='village')}", p)
            self._run(cur, rules.spans_sql(_IN_RANGE.format(column="a.village")), p)
            for table in ("county_spans", "county_villages"):
                self._run(cur, f"DELETE FROM {table} WHERE county >= idiv($low, 1000000) "
                               "AND county < idiv($high, 1000000)", p)
            self._run(cur, rules.county_spans_sql(_IN_RANGE.format(column="village")), p)
            self._run(cur, rules.county_villages_sql(_IN_RANGE.format(column="code")), p)
        self.refresh_adviser_spans(cur, counties)

    def refresh_service_days(self, cur: Cursor, counties: Iterable[int] | None = None) -> None:
        """Rebuild service_days from the service records of real villages, served_spans from them and the
        coverage spans (refreshed first), and adviser_months from every record, for `counties` (6-digit numbers)
        or the whole country (inside the caller's transaction)."""
        if counties is None:
            self._run(cur, "DELETE FROM service_days")
            self._run(cur, rules.service_days_sql())
            self._run(cur, "DELETE FROM served_spans")
            self._run(cur, rules.served_spans_sql())
            self._run(cur, "DELETE FROM service_counties")
            self._run(cur, rules.service_counties_build_sql())
            self._run(cur, "DELETE FROM adviser_months")
            self._run(cur, rules.adviser_months_sql())
            if self.get_meta(SERVICE_DAYS_META, cur) != SERVICE_DAYS_VERSION:
                self.set_meta(SERVICE_DAYS_META, SERVICE_DAYS_VERSION, cur)
            return
        for p in _county_ranges(counties):
            in_range = _IN_RANGE.format(column="village")
            self._run(cur, f"DELETE FROM service_days WHERE {in_range}", p)
            self._run(cur, rules.service_days_sql(_IN_RANGE.format(column="s.village")), p)
            self._run(cur, f"DELETE FROM served_spans WHERE {in_range}", p)
            self._run(cur, rules.served_spans_sql(in_range), p)
            self._run(cur, "DELETE FROM service_counties WHERE county = idiv($low, 1000000)", {"low": p["low"]})
            self._run(cur, rules.service_counties_build_sql(in_range), p)
            self._run(cur, "DELETE FROM adviser_months WHERE county = idiv($low, 1000000)", {"low": p["low"]})
            self._run(cur, rules.adviser_months_sql(in_range), p)

    def _service_days_ready(self) -> bool:
        """Whether reads may use service_days (looked up once, then kept until a write)."""
        if self._service_days is None:
            self._service_days = self.get_meta(SERVICE_DAYS_META) == SERVICE_DAYS_VERSION
        return self._service_days
