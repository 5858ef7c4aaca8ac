"""Store reads of the effective-service rule that stand apart from coverage: each adviser's service activity.

The served / nominal figures themselves are part of :meth:`Store.summary`, :meth:`Store.totals`,
:meth:`Store.village_statuses` and :meth:`Store.trend` (one query each, with the SQL of
:mod:`geo.store.rules`).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.core.codes import Scope
from geo.core.service_rule import DEFAULT_SERVICE, ServiceSettings, meets_hours_standard, month_of
from geo.store import rules


class ServiceRuleQueries:
    """Mixin of :class:`geo.store.base.Store`: reads over the ``services`` records."""

    def first_service_day(self, scope: Scope) -> dt.date | None:
        """The earliest day with a service record at a village of `scope` (None: no record at all).  Before it the
        scope has no service data, which is not the same as logs never imported: the summary says which.  Inside
        a county the county's day counts, as whether there is service data is the county's (rules.py)."""
        low, high = (Scope(scope.digits[:6]) if len(scope.digits) > 6 else scope).int_range
        rows = self._q_rows("SELECT min(service_date) FROM services WHERE village >= $low AND village < $high",
                            {"low": low, "high": high})
        day = rows[0][0] if rows else None
        return None if day is None else pd.Timestamp(day).date()

    def adviser_service_stats(self, scope: Scope, as_of: dt.date | str,
                              settings: ServiceSettings = DEFAULT_SERVICE) -> pd.DataFrame:
        """One row per adviser with a current contract in `scope` on `as_of` or a service record there by then.

        Columns: adviser_id, onsite_hours_month (on-site hours in `as_of`'s calendar month up to `as_of`),
        records_window (records of any mode in the window D-(W-1) .. D), onsite_records_window, last_onsite
        (NaT = none by `as_of`), meets_hours_standard (geo.core.service_rule).  Only records at villages in `scope`
        count: a county sees what its advisers did in the county.
        """
        from geo.store.base import as_date

        day = as_date(as_of)
        low, high = scope.int_range
        params = {"as_of": day, "low": low, "high": high, "month_start": month_of(day)[0],
                  "window_start": settings.window(day)[0]}
        df = self._q_frame(f"""
            WITH s AS (SELECT adviser_id, service_date, mode, hours FROM services
                       WHERE adviser_id IS NOT NULL AND service_date <= $as_of
                         AND village >= $low AND village < $high),
            current AS (SELECT DISTINCT a.adviser_id FROM assignments a
                        JOIN divisions d ON d.code = a.village AND {rules.real_village('d')}
                        WHERE a.village >= $low AND a.village < $high AND {rules.current_contract('a')}),
            stats AS (SELECT adviser_id,
                             sum(hours) FILTER (WHERE mode = 'onsite' AND service_date >= $month_start)
                                 AS onsite_hours_month,
                             count(*) FILTER (WHERE service_date >= $window_start) AS records_window,
                             count(*) FILTER (WHERE mode = 'onsite' AND service_date >= $window_start)
                                 AS onsite_records_window,
                             max(service_date) FILTER (WHERE mode = 'onsite') AS last_onsite
                      FROM s GROUP BY adviser_id),
            -- the people from the grouped records, not from the records again: a union of millions of rows
            people AS (SELECT adviser_id FROM current UNION SELECT adviser_id FROM stats)
            SELECT p.adviser_id, coalesce(st.onsite_hours_month, 0) AS onsite_hours_month,
                   coalesce(st.records_window, 0) AS records_window,
                   coalesce(st.onsite_records_window, 0) AS onsite_records_window, st.last_onsite
            FROM people p LEFT JOIN stats st ON st.adviser_id = p.adviser_id
            ORDER BY p.adviser_id""", params)
        df["adviser_id"] = df["adviser_id"].astype("int64")
        df["onsite_hours_month"] = df["onsite_hours_month"].astype("float64")
        for col in ("records_window", "onsite_records_window"):
            df[col] = df[col].astype("int64")
        df["last_onsite"] = pd.to_datetime(df["last_onsite"])
        df["meets_hours_standard"] = [meets_hours_standard(h, settings) for h in df["onsite_hours_month"]]
        return df
