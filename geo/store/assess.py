"""The reads of an assessment (考核) and of the statistics sent upward: contracts and service records of a scope
and a period, and the names of its places.  Only what is filed once: no app activity is ever read.

The records come back grouped per adviser, village, month, mode and class, as small numbers: a national quarter
of a few million records is a million groups, and :mod:`geo.assess` reads each distinct category text into its
class once (:func:`geo.core.categories.category_class`), not once per record.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.core.codes import Scope
from geo.core.feedback import DAY_OFFSET
from geo.store.base import StoreBase
from geo.store.sql.rules import real_village

#: the modes of a service record, coded 0, 1, 2 in what the reads return (anything else counts as other)
MODE_CODES = ("onsite", "remote", "other")
#: a service date's month as the number yyyymm, the same on both backends
_MONTH = ("(CAST(EXTRACT(YEAR FROM service_date) AS INTEGER) * 100 "
          "+ CAST(EXTRACT(MONTH FROM service_date) AS INTEGER))")


class AssessQueries(StoreBase):
    """Contracts, grouped service records and places of a scope over a period [start, end] (both inclusive)."""

    def assess_contracts(self, scope: Scope, start: dt.date, end: dt.date) -> pd.DataFrame:
        """adviser_id, village (int), start_date, end_date (NaT = open-ended; the last day in force) of every
        contract at a real village of `scope` in force on at least one day of [start, end]."""
        low, high = scope.int_range
        with self.reading() as cur:      # the dates as day numbers: a national quarter is 600,000 contracts
            df = self._numbers_frame(cur, f"""
                SELECT CAST(a.adviser_id AS BIGINT) AS adviser_id, a.village,
                       CAST(a.start_date - DATE '1970-01-01' AS BIGINT) AS start_day,
                       CAST(a.end_date - DATE '1970-01-01' AS BIGINT) AS end_day
                FROM assignments a
                JOIN divisions d ON d.code = a.village AND {real_village('d')}
                WHERE a.village >= $low AND a.village < $high AND a.start_date <= $end
                  AND (a.end_date IS NULL OR a.end_date >= $start)
                ORDER BY a.adviser_id, a.village, a.start_date""",
                {"low": low, "high": high, "start": start, "end": end},
                {"adviser_id": "int64", "village": "int64", "start_day": "int64", "end_day": "Int64"})
        return pd.DataFrame({"adviser_id": df["adviser_id"], "village": df["village"],
                             "start_date": pd.to_datetime(df["start_day"], unit="D").astype("datetime64[us]"),
                             "end_date": pd.to_datetime(df["end_day"], unit="D").astype("datetime64[us]")})

    def assess_advisers(self, ids: list[int]) -> pd.DataFrame:
        """adviser_id, name, org, licence_no of the people `ids`."""
        if not ids:
            return pd.DataFrame({"adviser_id": pd.Series(dtype="int64"), "name": [], "org": [], "licence_no": []})
        with self.reading() as cur:
            with self._table(cur, "wanted_advisers", pd.DataFrame({"adviser_id": pd.Series(ids, dtype="int64")})):
                df = self._frame(cur, """SELECT ad.adviser_id, ad.name, ad.org, ad.licence_no FROM advisers ad
                                         WHERE ad.adviser_id IN (SELECT adviser_id FROM wanted_advisers)
                                         ORDER BY ad.adviser_id""")
        df["adviser_id"] = df["adviser_id"].astype("int64")
        return df.drop_duplicates("adviser_id")

    def assess_categories(self, scope: Scope, start: dt.date, end: dt.date) -> list[str]:
        """The distinct category texts of the records at villages of `scope` dated in [start, end]."""
        low, high = scope.int_range
        rows = self._q_rows("""SELECT DISTINCT category FROM services WHERE village >= $low AND village < $high
                               AND service_date >= $start AND service_date <= $end AND category IS NOT NULL""",
                            {"low": low, "high": high, "start": start, "end": end})
        return [r[0] for r in rows]

    def assess_services(self, scope: Scope, start: dt.date, end: dt.date, category_codes: pd.DataFrame
                        ) -> pd.DataFrame:
        """The service records at villages of `scope` dated in [start, end], grouped and coded as small numbers
        (a national quarter is a million groups: numbers cross from the engine fast, texts do not): adviser_id
        (<NA>: no adviser named), village, month (yyyymm), mode (:data:`MODE_CODES`), cls (the code
        `category_codes` gives the category text: columns category, code; -1 for a text it does not list or
        none), records, hours, people."""
        low, high = scope.int_range
        mode = " ".join(f"WHEN '{m}' THEN {i}" for i, m in enumerate(MODE_CODES))
        with self.reading() as cur:
            with self._table(cur, "assess_category_codes", category_codes[["category", "code"]]):
                return self._numbers_frame(cur, f"""
                    SELECT CAST(s.adviser_id AS BIGINT) AS adviser_id, s.village, {_MONTH} AS month,
                           CAST(CASE s.mode {mode} ELSE {MODE_CODES.index("other")} END AS SMALLINT) AS mode,
                           CAST(coalesce(c.code, -1) AS SMALLINT) AS cls, count(*) AS records,
                           CAST(coalesce(sum(s.hours), 0) AS DOUBLE PRECISION) AS hours,
                           CAST(coalesce(sum(s.people), 0) AS BIGINT) AS people
                    FROM services s LEFT JOIN assess_category_codes c ON c.category = s.category
                    WHERE s.village >= $low AND s.village < $high AND s.service_date >= $start
                      AND s.service_date <= $end
                    GROUP BY 1, 2, 3, 4, 5""", {"low": low, "high": high, "start": start, "end": end},
                    {"adviser_id": "Int64", "village": "int64", "month": "int64", "mode": "int8", "cls": "int8",
                     "records": "int64", "hours": "float64", "people": "int64"})

    def assess_feedback(self, scope: Scope, first: dt.datetime, after: dt.datetime) -> pd.DataFrame:
        """village, month (yyyymm of the China Standard Time day), satisfaction (1-5), answers: the villagers'
        responses at villages of `scope` received in [first, after) (UTC, naive) that give a satisfaction,
        duplicates left out, counted per village, month and mark.  Empty for a store written before the
        feedback table."""
        columns = {"village": "int64", "month": "int64", "satisfaction": "int64", "answers": "int64"}
        if not self._one("SELECT count(*) FROM information_schema.tables WHERE table_name = 'feedback'"):
            return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
        low, high = scope.int_range
        local = f"(received_at + INTERVAL '{int(DAY_OFFSET.total_seconds()) // 3600} hours')"
        df = self._q_frame(f"""
            SELECT village, CAST(EXTRACT(YEAR FROM {local}) AS INTEGER) * 100
                            + CAST(EXTRACT(MONTH FROM {local}) AS INTEGER) AS month,
                   satisfaction, count(*) AS answers
            FROM feedback
            WHERE village >= $low AND village < $high AND received_at >= $first AND received_at < $after
              AND NOT duplicate AND satisfaction IS NOT NULL
            GROUP BY 1, 2, 3""", {"low": low, "high": high, "first": first, "after": after})
        return df.astype(columns)

    def assess_places(self, scope: Scope) -> pd.DataFrame:
        """code (int), name, level of the cities, counties, townships and real villages of `scope`."""
        low, high = scope.int_range
        df = self._q_frame(f"""
            SELECT d.code, d.name, d.level FROM divisions d
            WHERE d.code >= $low AND d.code < $high AND NOT d.abolished
              AND (d.level IN (2, 3, 4) OR {real_village('d')})""", {"low": low, "high": high})
        return pd.DataFrame({"code": df["code"].astype("int64"), "name": df["name"].astype(str),
                             "level": df["level"].astype("int64")})
