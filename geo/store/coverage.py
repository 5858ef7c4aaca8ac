"""Coverage on a day: per unit (summary, totals), per village (statuses with their advisers), the counties without
data, and the assignments that point nowhere.

Each read is one query built from the coverage rule's SQL (:mod:`geo.store.sql.rules`), over the precomputed
coverage spans when the store has them, and from the service rule's (:meth:`ServiceQueries._service_cte`).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

import numpy as np
import pandas as pd

from geo.core.codes import LEVEL_OF_NAME, Scope, to_str
from geo.core.coverage import DEFAULT_EXPIRING_DAYS, Status, counted_villages, has_data
from geo.core.dates import as_date
from geo.core.service_rule import DEFAULT_SERVICE, ServedCounts, ServiceSettings, ServiceStatus, has_service_data
from geo.store.base import level_width
from geo.store.registry import REAL_VILLAGE
from geo.store.services import ServiceQueries
from geo.store.sql import rules

#: the per-unit counts of :meth:`CoverageQueries._unit_figures`'s query
_COUNT_COLUMNS = ("villages", "data_villages", "no_data_counties", "covered", "expiring", "lapsed", "served",
                  "nominal", "in_recorded_counties")


class CoverageQueries(ServiceQueries):
    """Reads of the coverage rule (and the service rule beside it) for a scope on a day."""

    def _per_village_sql(self) -> str:
        """One row per village in [$low, $high) with a contract started by $as_of: village, cur_end, expiring,
        seen (the precomputed spans; grouping assignments for a read-only store that predates them)."""
        if self._spans:
            return rules.spans_per_village_sql()
        return rules.per_village_sql(
            table="(SELECT * FROM assignments WHERE village >= $low AND village < $high) scoped")

    def _village_status_cte(self) -> str:
        """CTEs ``pv`` (:meth:`_per_village_sql`), ``v`` (the real villages in [$low, $high)) and ``cd`` (the
        counties of [$clow, $chigh) with data on the day: :func:`rules.data_counties_sql`)."""
        return f"""
            pv AS ({self._per_village_sql()}),
            v AS (SELECT code FROM divisions WHERE {REAL_VILLAGE} AND code >= $low AND code < $high),
            cd AS ({rules.data_counties_sql(self._spans)})"""

    @staticmethod
    def _status_params(scope: Scope, as_of: dt.date | str, expiring_days: int) -> dict[str, Any]:
        """The parameters of :meth:`_village_status_cte`: the scope's range and that of its whole counties."""
        low, high = scope.int_range
        county = 10**6
        return {"as_of": as_date(as_of), "days": int(expiring_days), "low": low, "high": high,
                "clow": low // county * county, "chigh": -(-high // county) * county}

    def _served_per_unit_sql(self, width: int, low: int, high: int) -> str:
        """How served villages per unit of `width` in [low, high) are counted from served_spans: one grouping scan
        (DuckDB's columns and threads are made for it); :class:`PostgresStore` reads a range per unit."""
        return rules.served_per_unit_sql(width)

    def _unit_figures(self, scope: Scope, as_of: dt.date | str, width: int, expiring_days: int,
                      service: ServiceSettings) -> pd.DataFrame:
        """Per unit of `width` in `scope`: unit, villages, covered, expiring, lapsed, served, nominal,
        in_recorded_counties (villages with a contract started by the date in a county with service records).

        Villages per unit and statuses per unit are counted apart and joined per unit (a few hundred rows), not
        per village (620,000): pv holds real villages only (spans) or is cut to them by the semi join.  Units of
        a county or wider in a scope of whole counties are summed from the per-county tables instead.  Served
        villages are counted from served_spans (the default counting mode, any window) with a range filter; the
        general form joins coverage and records village by village.
        """
        w = width
        only_real = "" if self._spans else "WHERE pv.village IN (SELECT code FROM v)"
        service_cte, params = self._service_cte(self._status_params(scope, as_of, expiring_days), service)
        if self._served_spans_answer(service):
            served = self._served_per_unit_sql(w, params["low"], params["high"])
            params = {k: v for k, v in params.items() if not k.startswith("mode") and k != "window_start"}
            service_cte = service_cte[service_cte.index("sc AS"):]
        else:
            served = f"""SELECT idiv(pv.village, {w}) * {w} AS unit, count(*) AS served
                         FROM pv JOIN ps ON ps.village = pv.village WHERE {rules.served_sql()} GROUP BY 1"""
        low, high = params["low"], params["high"]
        if self._spans and w >= 10**6 and low % 10**6 == 0 and high % 10**6 == 0:
            counts = rules.county_figures_sql(w)
        else:
            counts = f"""
            n AS (SELECT idiv(v.code, {w}) * {w} AS unit, count(*) AS villages, count(cd.county) AS data_villages,
                         count(DISTINCT CASE WHEN cd.county IS NULL THEN idiv(v.code, 1000000) END) AS no_data_counties
                  FROM v LEFT JOIN cd ON cd.county = idiv(v.code, 1000000) GROUP BY 1),
            agg AS (
                SELECT idiv(pv.village, {w}) * {w} AS unit, count(pv.cur_end) AS covered,
                       count(*) FILTER (WHERE pv.expiring) AS expiring,
                       count(*) FILTER (WHERE pv.cur_end IS NULL) AS lapsed,
                       count(*) FILTER (WHERE pv.cur_end IS NOT NULL AND sc.county IS NOT NULL) AS covered_recorded,
                       count(sc.county) AS in_recorded_counties
                FROM pv LEFT JOIN sc ON sc.county = idiv(pv.village, 1000000) {only_real}
                GROUP BY 1)"""
        df = self.query(f"""
            WITH {self._village_status_cte()}, {service_cte}, {counts},
            srv AS ({served}),
            u AS (SELECT n.unit, villages, data_villages, no_data_counties,
                         coalesce(covered, 0) AS covered, coalesce(expiring, 0) AS expiring,
                         coalesce(lapsed, 0) AS lapsed, coalesce(served, 0) AS served,
                         coalesce(covered_recorded, 0) - coalesce(served, 0) AS nominal,
                         coalesce(in_recorded_counties, 0) AS in_recorded_counties
                  FROM n LEFT JOIN agg ON agg.unit = n.unit LEFT JOIN srv ON srv.unit = n.unit)
            -- each unit's name looked up by its code: PostgreSQL cannot estimate that u holds a few dozen units
            -- (a grouping by code prefix) and would join all of divisions to it.  DuckDB turns the lookup into a
            -- join whose build side is every division that passes the lookup's own filters: the codes that are
            -- whole units of this width in the scope (31 provinces, not 665,000 divisions and their names)
            SELECT u.unit,
                   coalesce((SELECT d.name FROM divisions d
                             WHERE d.code = u.unit AND d.code % {w} = 0
                               AND d.code >= idiv($low, {w}) * {w} AND d.code < $high),
                            CAST(u.unit AS VARCHAR)) AS name,
                   villages, data_villages, no_data_counties, covered, expiring, lapsed, served, nominal,
                   in_recorded_counties
            FROM u
            ORDER BY u.unit""", params)
        # numpy columns, the frame built once at the end: on a national summary (31 rows) pandas' column by column
        # conversions and assignments cost about a third of the query's own time
        cols = {c: df[c].to_numpy(dtype="int64") for c in _COUNT_COLUMNS}
        # the no-data rule (geo.core.coverage): only the villages of counties with data count
        counted = counted_villages(cols["villages"], cols["data_villages"])
        cols["no_data_villages"] = cols["villages"] - cols["data_villages"]
        cols["villages"] = counted
        return pd.DataFrame({"unit": df["unit"].to_numpy(dtype="int64"), "name": df["name"].to_numpy(), **cols})

    def summary(self, scope: Scope, as_of: dt.date | str, by: str | int = "county",
                expiring_days: int = DEFAULT_EXPIRING_DAYS, service: ServiceSettings = DEFAULT_SERVICE
                ) -> pd.DataFrame:
        """Coverage and effective service per unit at level `by` inside `scope`, one row per unit with villages.

        Columns: code, name, villages, covered, expiring, lapsed, never, coverage_rate, has_data, served,
        nominal, served_rate, in_recorded_counties (villages with a contract started by the date in a county
        with service records), has_service_data (there are such villages: else 无服务记录, not 0 % served),
        no_data_counties, no_data_villages.  The no-data rule is geo.core.coverage's: ``villages`` counts the
        villages of the unit's counties with data (all of them, and has_data false, when none has), and the
        counties without data and their villages are the last two columns.
        """
        level = LEVEL_OF_NAME[by] if isinstance(by, str) else int(by)
        df = self._unit_figures(scope, as_of, level_width(level), expiring_days, service)
        n = {c: df[c].to_numpy() for c in _COUNT_COLUMNS + ("no_data_villages",)}
        with np.errstate(divide="ignore", invalid="ignore"):      # a unit without villages: NaN, as pandas gives
            coverage_rate = n["covered"] / n["villages"]
            served_rate = n["served"] / n["villages"]
        return pd.DataFrame({
            "code": [to_str(u) for u in df["unit"].tolist()], "name": df["name"].to_numpy(),
            "villages": n["villages"], "covered": n["covered"], "expiring": n["expiring"], "lapsed": n["lapsed"],
            "never": n["villages"] - n["covered"] - n["lapsed"], "coverage_rate": coverage_rate.astype("float64"),
            "has_data": has_data(n["covered"], n["lapsed"], n["villages"], n["no_data_villages"]),
            "served": n["served"], "nominal": n["nominal"], "served_rate": served_rate.astype("float64"),
            "in_recorded_counties": n["in_recorded_counties"],
            "has_service_data": has_service_data(n["in_recorded_counties"]),
            "no_data_counties": n["no_data_counties"], "no_data_villages": n["no_data_villages"]})

    def totals(self, scope: Scope, as_of: dt.date | str, expiring_days: int = DEFAULT_EXPIRING_DAYS,
               service: ServiceSettings = DEFAULT_SERVICE) -> ServedCounts:
        df = self._unit_figures(scope, as_of, 10**12, expiring_days, service)
        return ServedCounts(**{c: int(df[c].sum()) for c in (
            "villages", "covered", "expiring", "lapsed", "no_data_counties", "no_data_villages", "served", "nominal",
            "in_recorded_counties")})

    def no_data_counties(self, scope: Scope, as_of: dt.date | str) -> pd.DataFrame:
        """The counties of `scope` (or the county of a narrower one) without data on `as_of` (geo.core.coverage: no
        contract of theirs started by then, their ledger not imported yet), most villages first: code, name,
        city, province (names), villages.  东莞, 中山 and 儋州, cities without counties, are their own county
        (and city)."""
        params = self._status_params(scope, as_of, DEFAULT_EXPIRING_DAYS)
        params = {k: params[k] for k in ("as_of", "clow", "chigh")}
        villages = ("SELECT county, villages FROM county_villages" if self._spans else
                    f"SELECT idiv(code, 1000000) AS county, count(*) AS villages FROM divisions WHERE {REAL_VILLAGE} "
                    "GROUP BY 1")
        df = self._codes_frame(f"""
            WITH cd AS ({rules.data_counties_sql(self._spans)}),
            cv AS ({villages}),
            left_out AS (SELECT cv.county * 1000000 AS code, cv.villages FROM cv
                         WHERE cv.county >= idiv($clow, 1000000) AND cv.county < idiv($chigh, 1000000)
                           AND cv.county NOT IN (SELECT county FROM cd))
            SELECT l.code, coalesce(d.name, CAST(l.code AS VARCHAR)) AS name,
                   coalesce(c.name, '') AS city, coalesce(p.name, '') AS province, l.villages
            FROM left_out l LEFT JOIN divisions d ON d.code = l.code
            LEFT JOIN divisions c ON c.code = idiv(l.code, 100000000) * 100000000
            LEFT JOIN divisions p ON p.code = idiv(l.code, 10000000000) * 10000000000
            ORDER BY l.villages DESC, l.code""", params)
        df["villages"] = df["villages"].astype("int64")
        return df

    def _status_rows(self, scope: Scope, as_of: dt.date | str, statuses: Sequence[str] | None,
                     township: str | None, expiring_days: int, service: ServiceSettings
                     ) -> tuple[str, dict[str, Any]]:
        """The CTEs up to ``sv`` (code, status, service_status, last_onsite of each village in scope with one of
        `statuses`, all when none) and their parameters: :meth:`village_statuses` and its counts share them."""
        params = self._status_params(scope, as_of, expiring_days)
        if township:
            low, high = Scope.parse(township).int_range
            params["low"], params["high"] = max(low, params["low"]), min(high, params["high"])
        service_cte, params = self._service_cte(params, service)
        where = ""
        if statuses:
            coverage = [s for s in statuses if s in {x.value for x in Status}] or ["-"]
            effective = [s for s in statuses if s in {x.value for x in ServiceStatus}] or ["-"]
            where = ("WHERE status IN (" + ", ".join(f"'{s}'" for s in coverage) + ") OR service_status IN ("
                     + ", ".join(f"'{s}'" for s in effective) + ")")
        return f"""
            WITH {self._village_status_cte()}, {service_cte},
            sv AS (SELECT * FROM (SELECT v.code, {rules.status_sql('pv')} AS status,
                                         {rules.service_status_sql()} AS service_status,
                                         ps.last_counting AS last_onsite
                                  FROM v LEFT JOIN pv ON pv.village = v.code LEFT JOIN ps ON ps.village = v.code
                                  LEFT JOIN sc ON sc.county = idiv(v.code, 1000000)
                                  LEFT JOIN cd ON cd.county = idiv(v.code, 1000000)) s {where})""", params

    def village_status_counts(self, scope: Scope, as_of: dt.date | str, statuses: Sequence[str] | None = None,
                              township: str | None = None, by: int | None = None,
                              expiring_days: int = DEFAULT_EXPIRING_DAYS,
                              service: ServiceSettings = DEFAULT_SERVICE) -> pd.DataFrame:
        """The villages :meth:`village_statuses` lists, counted without reading them: code (the unit of level
        `by` holding them, 12 digits; the scope's own code when None), status, service_status, villages.  A page
        of a national list needs the counts and one page of rows, not 600,000 rows with their advisers."""
        head, params = self._status_rows(scope, as_of, statuses, township, expiring_days, service)
        unit = level_width(by) if by else None
        code = f"idiv(code, {unit}) * {unit}" if unit else str(scope.int_range[0])
        df = self.query(f"""{head}
            SELECT {code} AS code, status, service_status, count(*) AS villages FROM sv
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""", params)
        df["code"] = df["code"].map(to_str)
        df["villages"] = df["villages"].astype("int64")
        return df

    def village_statuses(self, scope: Scope, as_of: dt.date | str, statuses: Sequence[str] | None = None,
                 township: str | None = None, expiring_days: int = DEFAULT_EXPIRING_DAYS,
                 service: ServiceSettings = DEFAULT_SERVICE, rows: slice | None = None) -> pd.DataFrame:
        """One row per village in scope with its status and current (or, if lapsed, last) advisers.

        Columns: code, name, township_code, township, county, status, service_status (served / nominal / lapsed
        / never / no_data, geo.core.service_rule), last_onsite (the latest record of a counting mode on or before the
        date: on site by default; NaT = none), advisers, orgs, phones, contract_start, contract_end (NaT =
        open-ended or none).  Filter by `statuses` (coverage statuses, and effective ones such as 'nominal')
        and a township code.  `rows`: only these rows of the list (in code order; a page of a long list).
        """
        head, params = self._status_rows(scope, as_of, statuses, township, expiring_days, service)
        if rows is not None:
            start, stop, _ = rows.indices(2**62)
            params["first"], params["n"] = int(start), max(0, int(stop - start))
            head += ", sv_page AS (SELECT * FROM sv ORDER BY code LIMIT $n OFFSET $first)"
        sv = "sv_page AS sv" if rows is not None else "sv"
        # the status filter applies before the advisers are looked up: a gap list of a province needs the
        # names of a few thousand villages' advisers, not of all 60,000
        df = self.query(f"""{head},
            -- advisers shown: the current ones; for a lapsed village those of its last contract
            cand AS (
                SELECT a.village, a.adviser_id, a.start_date, a.end_date,
                       (a.end_date IS NULL OR a.end_date >= $as_of) AS is_cur
                FROM assignments a JOIN {sv} ON sv.code = a.village
                WHERE a.start_date <= $as_of AND a.village >= $low AND a.village < $high),
            ranked AS (
                SELECT cand.*, bool_or(is_cur) OVER w AS any_cur, max(end_date) OVER w AS last_end
                FROM cand WINDOW w AS (PARTITION BY village)),
            shown AS (
                SELECT * FROM ranked
                WHERE (any_cur AND is_cur) OR (NOT any_cur AND end_date = last_end)),
            people AS (
                SELECT s.village,
                       string_agg(DISTINCT ad.name, '、' ORDER BY ad.name) AS advisers,
                       string_agg(DISTINCT ad.org, '、' ORDER BY ad.org) AS orgs,
                       string_agg(DISTINCT ad.phone, '、' ORDER BY ad.phone) AS phones,
                       min(s.start_date) AS contract_start,
                       CASE WHEN bool_or(s.end_date IS NULL) THEN NULL ELSE max(s.end_date) END AS contract_end
                FROM shown s JOIN advisers ad ON ad.adviser_id = s.adviser_id
                GROUP BY s.village),
            rows AS (
                SELECT sv.code, d.name, idiv(sv.code, 1000) * 1000 AS township_code, t.name AS township,
                       c.name AS county, sv.status, sv.service_status, sv.last_onsite,
                       p.advisers, p.orgs, p.phones, p.contract_start, p.contract_end
                FROM {sv} JOIN divisions d ON d.code = sv.code
                LEFT JOIN divisions t ON t.code = idiv(sv.code, 1000) * 1000
                LEFT JOIN divisions c ON c.code = idiv(sv.code, 1000000) * 1000000
                LEFT JOIN people p ON p.village = sv.code)
            SELECT * FROM rows ORDER BY code""", params)
        df["code"] = df["code"].map(to_str)
        df["township_code"] = df["township_code"].map(to_str)
        for col in ("contract_start", "contract_end", "last_onsite"):
            df[col] = pd.to_datetime(df[col])
        return df

    def adviser_stats(self, scope: Scope, as_of: dt.date | str) -> tuple[int, float]:
        """(advisers serving villages in scope on `as_of`, covered villages per such adviser)."""
        low, high = scope.int_range
        params = {"low": low, "high": high, "as_of": as_date(as_of)}
        if self._spans and not scope.digits:
            # nationally every load is in scope: the people with a load on the day and the covered villages,
            # from a span per person and per county instead of every contract grouped twice
            row = self._q_rows("""
                SELECT (SELECT count(*) FROM adviser_spans
                        WHERE span_from <= $as_of AND span_until > $as_of AND villages > 0),
                       (SELECT coalesce(sum(covered), 0) FROM county_spans
                        WHERE span_from <= $as_of AND span_until > $as_of)""", {"as_of": params["as_of"]})[0]
        else:
            row = self._q_rows(f"""
                SELECT count(DISTINCT a.adviser_id), count(DISTINCT a.village)
                FROM assignments a JOIN divisions d ON d.code = a.village AND {rules.real_village('d')}
                WHERE a.village >= $low AND a.village < $high AND a.start_date <= $as_of
                  AND (a.end_date IS NULL OR a.end_date >= $as_of)""", params)[0]
        n_adv, n_vil = int(row[0]), int(row[1])
        return n_adv, (n_vil / n_adv if n_adv else 0.0)

    def orphan_assignments(self, scope: Scope = Scope("")) -> pd.DataFrame:
        """Assignments whose village is unknown or abolished: a data problem, shown, never dropped."""
        low, high = scope.int_range
        return self._codes_frame(f"""
            SELECT a.village AS code, d.name, d.abolished, ad.name AS adviser, a.start_date, a.end_date,
                   a.batch_id
            FROM assignments a JOIN advisers ad ON ad.adviser_id = a.adviser_id
            LEFT JOIN divisions d ON d.code = a.village
            WHERE a.village >= $low AND a.village < $high
              AND (d.code IS NULL OR NOT {rules.real_village('d')})
            ORDER BY a.village""", {"low": low, "high": high})

