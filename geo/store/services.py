"""Service records and the effective-service rule's reads over them (geo.core.service_rule).

The served / nominal figures themselves are part of :meth:`Store.summary`, :meth:`Store.totals`,
:meth:`Store.village_statuses` and :meth:`Store.trend` (one query each, with the SQL of
:mod:`geo.store.sql.rules`); this module writes the records, tells those reads how to count them
(:meth:`ServiceQueries._service_cte`), and answers what stands apart from coverage: whom a log can name, when a
scope's records begin, each adviser's service activity.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from geo.core.codes import Scope
from geo.core.dates import as_date
from geo.core.service_rule import DEFAULT_SERVICE, ServiceSettings, meets_hours_standard, month_of
from geo.privacy.phones import scrub_personal_numbers
from geo.store.base import Cursor, counties_of, scrubbed
from geo.store.derived import DerivedTables
from geo.store.schema import USER_TEXT_COLUMNS
from geo.store.sql import rules


class ServiceQueries(DerivedTables):
    """The ``services`` table: written by the service log import, read by the service rule."""

    def add_services(self, cur: Cursor, services: pd.DataFrame) -> int:
        """Insert service records: columns village (12-digit str or int), adviser_id (or missing), service_date,
        mode ('onsite' / 'remote' / 'other'), category, hours, people, content, batch_id.  Free text is scrubbed
        of ID numbers like every stored text.  Returns the number inserted."""
        if services.empty:
            return 0
        frame = pd.DataFrame({
            "village": services["village"].astype("int64"),
            "adviser_id": services["adviser_id"].astype("Int64"),
            "service_date": pd.to_datetime(services["service_date"]).astype("datetime64[us]"),
            "mode": services["mode"].astype(str),
            "category": services["category"],
            "hours": pd.to_numeric(services["hours"]).astype(float),
            "people": pd.to_numeric(services["people"]).astype("Int64"),
            "content": services["content"],
            "batch_id": services["batch_id"].astype("Int64")})
        # a log's free text names the people served: their phone numbers go too, not only ID numbers
        frame = scrubbed(frame, USER_TEXT_COLUMNS["services"], scrub_personal_numbers)
        batches = frame["batch_id"]
        # records without a batch cannot be told apart from the stored ones: the commit rebuilds instead
        self._changed(cur, counties_of(frame["village"]), derived="services",
                      appended=None if batches.isna().any() else batches.unique().tolist())
        self._insert_rows(cur, "services", frame)
        return len(frame)

    def rollback_services(self, cur: Cursor, batch_id: int) -> None:
        p = {"batch": batch_id}
        self._changed(cur, counties_of(v for (v,) in self._rows(
            cur, "SELECT DISTINCT village FROM services WHERE batch_id = $batch", p)), derived="services")
        self._run(cur, "DELETE FROM services WHERE batch_id = $batch", p)

    def known_advisers(self, scope: Scope, as_of: dt.date, cur: Cursor | None = None) -> pd.DataFrame:
        """adviser_id, name, licence_no of every adviser who held a contract for a village in `scope` that
        started on or before `as_of`: the people a log of that county can name (by licence, else by name)."""
        low, high = scope.int_range
        return self._q_frame("""
            SELECT ad.adviser_id, ad.name, ad.licence_no FROM advisers ad
            WHERE EXISTS (SELECT 1 FROM assignments a WHERE a.adviser_id = ad.adviser_id
                          AND a.village >= $low AND a.village < $high AND a.start_date <= $as_of)
            ORDER BY ad.adviser_id""", {"low": low, "high": high, "as_of": as_date(as_of)}, cur)

    # -- one visit entered in a form (geo.imports.visit) -------------------------------------------------------
    def visit_village(self, code: str, cur: Cursor | None = None) -> tuple[str, str, str] | None:
        """(village name, township name, county name) of `code` when it is a real, current village; else None."""
        rows = self._q_rows(f"""
            SELECT v.name, coalesce(t.name, ''), coalesce(c.name, '') FROM divisions v
            LEFT JOIN divisions t ON t.code = idiv(v.code, 1000) * 1000
            LEFT JOIN divisions c ON c.code = idiv(v.code, 1000000) * 1000000
            WHERE v.code = $code AND {rules.real_village('v')}""", {"code": int(code)}, cur)
        return (str(rows[0][0]), str(rows[0][1]), str(rows[0][2])) if rows else None

    def village_advisers_on(self, code: str, day: dt.date | str, cur: Cursor | None = None) -> pd.DataFrame:
        """adviser_id, name, licence_no, org of the advisers with a contract for village `code` in force on
        `day` (the coverage rule's "current"), by name."""
        df = self._q_frame(f"""
            SELECT DISTINCT ad.adviser_id, ad.name, ad.licence_no, ad.org FROM assignments a
            JOIN advisers ad ON ad.adviser_id = a.adviser_id
            WHERE a.village = $code AND {rules.current_contract('a')}
            ORDER BY ad.name, ad.adviser_id""", {"code": int(code), "as_of": as_date(day)}, cur)
        df["adviser_id"] = df["adviser_id"].astype("int64")
        return df

    # -- how the reads count service (geo.core.service_rule) ------------------------------------------------
    def _served_spans_answer(self, settings: ServiceSettings) -> bool:
        """Whether served_spans holds the answer for `settings` (the rule's default window and modes)."""
        return (self._service_days_ready() and tuple(settings.counting_modes) == rules.SERVED_SPANS_MODES
                and settings.window_days == rules.SERVED_SPANS_WINDOW)

    def _service_cte(self, params: dict[str, Any], settings: ServiceSettings
                     ) -> tuple[str, dict[str, Any]]:
        """CTEs ``ps`` (per village in [$low, $high) with a record of a counting mode by $as_of: last_counting)
        and ``sc`` (counties with any record by $as_of, looked at whole: a township without records in a county
        with records is nominal, not without data), and `params` (as_of, low, high) with what they read."""
        n = len(settings.counting_modes)
        county = 10**6
        params = {**params, "window_start": settings.window(params["as_of"])[0],
                  "clow": params["low"] // county * county, "chigh": -(-params["high"] // county) * county,
                  **{f"mode{i}": m for i, m in enumerate(settings.counting_modes)}}
        if self._service_days_ready():
            per_village, counties = rules.service_per_village_sql(n), rules.service_counties_sql()
        else:
            per_village, counties = rules.raw_service_per_village_sql(n), rules.raw_service_counties_sql()
        return f"ps AS ({per_village}), sc AS ({counties})", params

    def first_service_day(self, scope: Scope) -> dt.date | None:
        """The earliest day with a service record at a village of `scope` (None: no record at all).  Before it the
        scope has no service data, which is not the same as logs never imported: the summary says which.  Inside
        a county the county's day counts, as whether there is service data is the county's (sql/rules.py)."""
        low, high = (Scope(scope.digits[:6]) if len(scope.digits) > 6 else scope).int_range
        rows = self._q_rows("SELECT min(service_date) FROM services WHERE village >= $low AND village < $high",
                            {"low": low, "high": high})
        day = rows[0][0] if rows else None
        return None if day is None else pd.Timestamp(day).date()

    def adviser_service_stats(self, scope: Scope, as_of: dt.date | str,
                              settings: ServiceSettings = DEFAULT_SERVICE, *, current: bool = True) -> pd.DataFrame:
        """One row per adviser with a current contract in `scope` on `as_of` (unless not `current`: the register
        joins the figures to its own people) or a service record there by then.

        Columns: adviser_id, onsite_hours_month (on-site hours in `as_of`'s calendar month up to `as_of`),
        records_window (records of any mode in the window D-(W-1) .. D), onsite_records_window, last_onsite
        (NaT = none by `as_of`), meets_hours_standard (geo.core.service_rule).  Only records at villages in `scope`
        count: a county sees what its advisers did in the county.
        """
        day = as_date(as_of)
        low, high = scope.int_range
        window_start = settings.window(day)[0]
        params = {"as_of": day, "low": low, "high": high, "month_start": month_of(day)[0],
                  "window_start": window_start}
        # whole counties' figures add up adviser_months; a township's are counted from its records
        from_months = self._service_days_ready() and len(scope.digits) <= 6
        if from_months:
            params["window_next"] = month_of(window_start)[1] + dt.timedelta(days=1)
        stats = rules.adviser_service_stats_sql(from_months)
        if current:
            sql = f"""
                WITH stats AS ({stats}),
                -- the people from the grouped records, not from the records again: a union of millions of rows
                people AS (SELECT adviser_id FROM stats
                           UNION SELECT a.adviser_id FROM assignments a
                           JOIN divisions d ON d.code = a.village AND {rules.real_village('d')}
                           WHERE a.village >= $low AND a.village < $high AND {rules.current_contract('a')})
                SELECT p.adviser_id, coalesce(st.onsite_hours_month, 0) AS onsite_hours_month,
                       coalesce(st.records_window, 0) AS records_window,
                       coalesce(st.onsite_records_window, 0) AS onsite_records_window, st.last_onsite
                FROM people p LEFT JOIN stats st ON st.adviser_id = p.adviser_id
                ORDER BY p.adviser_id"""
        else:
            # the grouped records alone: a query PostgreSQL may run in parallel (a CTE read twice it may not, and
            # joining the groups to themselves cost a second pass over 200,000 of them)
            sql = f"{stats} ORDER BY adviser_id"
        df = self._ordered_groups_frame(sql, params) if from_months else self._q_frame(sql, params)
        df["adviser_id"] = df["adviser_id"].astype("int64")
        df["onsite_hours_month"] = df["onsite_hours_month"].astype("float64")
        for col in ("records_window", "onsite_records_window"):
            df[col] = df[col].astype("int64")
        df["last_onsite"] = pd.to_datetime(df["last_onsite"])
        df["meets_hours_standard"] = meets_hours_standard(df["onsite_hours_month"].to_numpy(), settings)
        return df
