"""What the gap plan (:mod:`geo.planning`) reads: one call, :meth:`PlanningQueries.plan_inputs`, returning frames.

The seam is kept narrow on purpose: the plan needs the villages of a scope with their status on a day, the
advisers who work there with their current load and base, what they serve now (to place an adviser without a
base), and the geometry that places villages.  Everything else (locations, distances, the solver) is pandas and
numpy in :mod:`geo.planning`.  The load is counted here; the adviser register's own load query can replace
:meth:`PlanningQueries._adviser_loads` once both are merged, without the plan noticing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.core.codes import Scope, to_str
from geo.core.coverage import DEFAULT_EXPIRING_DAYS
from geo.store.base import Cursor
from geo.store.coverage import CoverageQueries
from geo.store.sql import rules

REAL = rules.real_village("d")
CURRENT = rules.current_contract("a")


@dataclass(frozen=True)
class PlanInputs:
    """The frames a gap plan is made from (codes as 12-digit strings).

    * ``villages``: every real village in scope (``in_scope`` true; ``status`` by the coverage rule) and the
      villages outside it that its advisers serve (``in_scope`` false, no status): code, name, township_code,
      township, county_code, county, status, in_scope;
    * ``advisers``: everyone with a contract started by the day on a village in scope: adviser_id, name,
      licence_no, org, lon, lat (the base, NaN when unknown), load (villages served on the day, anywhere);
    * ``served``: adviser_id, village, current - the villages each adviser serves on the day, or for one who
      serves none, those of their last contract (current false);
    * ``geoms``: code, geom (WKB, WGS-84), schematic - the boundaries of the villages listed;
    * ``county_outlines``: code, geojson - the outline of each county of the villages listed.
    """

    villages: pd.DataFrame
    advisers: pd.DataFrame
    served: pd.DataFrame
    geoms: pd.DataFrame
    county_outlines: pd.DataFrame


def _codes(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for col in columns:
        df[col] = df[col].map(to_str).astype(object)
    return df


class PlanningQueries(CoverageQueries):
    """The store's reads for :mod:`geo.planning`."""

    def plan_inputs(self, scope: Scope, as_of: dt.date | str) -> PlanInputs:
        params = self._status_params(scope, as_of, DEFAULT_EXPIRING_DAYS)
        window = {k: params[k] for k in ("as_of", "low", "high")}
        with self.reading() as cur:
            villages = self._scope_villages(cur, params)
            advisers = self._adviser_loads(cur, window)
            served = self._plan_served(cur, window)
            outside = served.loc[~served["village"].isin(villages["code"]), "village"].unique()
            with self._table(cur, "plan_outside", pd.DataFrame({"code": pd.array(outside, dtype="int64")})):
                villages = pd.concat([villages, self._outside_villages(cur)], ignore_index=True)
                geoms = self._q_frame("""
                    SELECT g.code, g.geom, g.schematic FROM village_geoms g
                    WHERE (g.code >= $low AND g.code < $high) OR g.code IN (SELECT code FROM plan_outside)""",
                                      {"low": params["low"], "high": params["high"]}, cur)
            counties = pd.DataFrame({"code": pd.array(pd.unique(villages["county_code"]), dtype="int64")})
            with self._table(cur, "plan_counties", counties):
                outlines = self._q_frame("""SELECT s.code, s.geojson FROM shapes s
                                            JOIN plan_counties c ON c.code = s.code WHERE s.tier = 'city'""",
                                         cur=cur)
        geoms["geom"] = geoms["geom"].map(bytes)
        geoms["schematic"] = geoms["schematic"].astype(bool)
        return PlanInputs(_codes(villages, "code", "township_code", "county_code"), advisers,
                          _codes(served, "village"), _codes(geoms, "code"), _codes(outlines, "code"))

    def _scope_villages(self, cur: Cursor, params: dict[str, Any]) -> pd.DataFrame:
        """Every real village in scope with its status on the day (the coverage rule's SQL), but those of counties
        without data: not imported yet, they are neither gaps nor counted (geo.core.coverage)."""
        df = self._q_frame(f"""
            WITH {self._village_status_cte()}
            SELECT v.code, d.name, idiv(v.code, 1000) * 1000 AS township_code, t.name AS township,
                   idiv(v.code, 1000000) * 1000000 AS county_code, c.name AS county,
                   {rules.status_sql('pv')} AS status, true AS in_scope
            FROM v LEFT JOIN pv ON pv.village = v.code JOIN cd ON cd.county = idiv(v.code, 1000000)
            JOIN divisions d ON d.code = v.code
            LEFT JOIN divisions t ON t.code = idiv(v.code, 1000) * 1000
            LEFT JOIN divisions c ON c.code = idiv(v.code, 1000000) * 1000000
            ORDER BY v.code""", params, cur)
        return df

    def _outside_villages(self, cur: Cursor) -> pd.DataFrame:
        """The villages of ``plan_outside`` (served by the scope's advisers, outside it), without a status."""
        return self._q_frame("""
            SELECT d.code, d.name, idiv(d.code, 1000) * 1000 AS township_code, t.name AS township,
                   idiv(d.code, 1000000) * 1000000 AS county_code, c.name AS county,
                   CAST(NULL AS VARCHAR) AS status, false AS in_scope
            FROM divisions d JOIN plan_outside o ON o.code = d.code
            LEFT JOIN divisions t ON t.code = idiv(d.code, 1000) * 1000
            LEFT JOIN divisions c ON c.code = idiv(d.code, 1000000) * 1000000
            ORDER BY d.code""", cur=cur)

    @staticmethod
    def _candidates_cte() -> str:
        """``cand``: the advisers with a contract started by the day on a real village in scope."""
        return f"""cand AS (SELECT DISTINCT a.adviser_id FROM assignments a JOIN divisions d ON d.code = a.village
                            WHERE a.village >= $low AND a.village < $high AND {REAL}
                              AND a.start_date <= $as_of)"""

    def _adviser_loads(self, cur: Cursor, params: dict[str, Any]) -> pd.DataFrame:
        """The scope's advisers with their base and load: the real villages they serve on the day, anywhere
        (the cap counts every village of a person, not only those in scope)."""
        df = self._q_frame(f"""
            WITH {self._candidates_cte()},
            load AS (SELECT a.adviser_id, count(DISTINCT a.village) AS load
                     FROM assignments a JOIN cand ON cand.adviser_id = a.adviser_id
                     JOIN divisions d ON d.code = a.village AND {REAL}
                     WHERE {CURRENT} GROUP BY a.adviser_id),
            person AS (SELECT ad.adviser_id, min(ad.name) AS name, min(ad.licence_no) AS licence_no,
                              min(ad.org) AS org, min(ad.lon) AS lon, min(ad.lat) AS lat
                       FROM advisers ad JOIN cand ON cand.adviser_id = ad.adviser_id GROUP BY ad.adviser_id)
            SELECT p.adviser_id, p.name, p.licence_no, p.org, p.lon, p.lat, coalesce(load.load, 0) AS load
            FROM person p LEFT JOIN load ON load.adviser_id = p.adviser_id
            ORDER BY p.adviser_id""", params, cur)
        return df.astype({"adviser_id": "int64", "lon": "float64", "lat": "float64", "load": "int64"})

    def _plan_served(self, cur: Cursor, params: dict[str, Any]) -> pd.DataFrame:
        """(adviser_id, village, current): what each of the scope's advisers serves on the day, or for one who
        serves nothing then, the villages of their last contract."""
        df = self._q_frame(f"""
            WITH {self._candidates_cte()},
            mine AS (SELECT a.adviser_id, a.village, a.end_date, {CURRENT} AS is_cur
                     FROM assignments a JOIN cand ON cand.adviser_id = a.adviser_id
                     JOIN divisions d ON d.code = a.village AND {REAL}
                     WHERE a.start_date <= $as_of),
            ranked AS (SELECT mine.*, bool_or(is_cur) OVER w AS any_cur, max(end_date) OVER w AS last_end
                       FROM mine WINDOW w AS (PARTITION BY adviser_id))
            SELECT DISTINCT adviser_id, village, is_cur AS current FROM ranked
            WHERE (any_cur AND is_cur) OR (NOT any_cur AND end_date = last_end)
            ORDER BY adviser_id, village""", params, cur)
        return df.astype({"adviser_id": "int64", "village": "int64", "current": "bool"})
