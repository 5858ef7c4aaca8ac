"""The store's queries about people: each adviser's load on a day, the register, renewals, one adviser's history.

A person is one ``advisers.adviser_id`` (the ledger import already decides who is the same person:
:mod:`geo.sources.ledger.people`).  "Current" is the coverage rule's
(:func:`geo.store.sql.rules.current_contract`), and a load counts real villages only, like coverage does.  A load is
the person's whole load, inside the scope or not: the cap is per person, and an adviser with five villages in the
next county has no room for one more here.  The scope picks the people: those with a contract on a village in it
that started on or before the day.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from geo.core.codes import Scope, to_str
from geo.core.coverage import DEFAULT_EXPIRING_DAYS
from geo.core.dates import as_date
from geo.store.registry import RegistryQueries
from geo.store.sql import rules

REAL = rules.real_village("d")

#: the people of a scope on a day: a contract on one of its villages started by then
_PEOPLE = """people AS (SELECT DISTINCT adviser_id FROM assignments
                        WHERE village >= $low AND village < $high AND start_date <= $as_of)"""


def _current_sql(of_people: bool) -> str:
    """CTE ``cur``: contracts in force on the day, on real villages (one row per contract); of the people only
    when `of_people`."""
    people = "JOIN people p ON p.adviser_id = a.adviser_id" if of_people else ""
    return f"""cur AS (SELECT a.adviser_id, a.village, a.end_date
                       FROM assignments a {people}
                       JOIN divisions d ON d.code = a.village AND {REAL}
                       WHERE {rules.current_contract('a')})"""


#: the people's contracts in force on the day, on real villages (one row per contract)
_CURRENT = _current_sql(of_people=True)


def _current_of(scope: Scope) -> str:
    """:data:`_CURRENT` for `scope`.  Nationally every contract in force was started by the day on a village of
    the scope, so its adviser is one of the people: the join is left out (PostgreSQL took the people for 200 rows
    and planned 196,000 index lookups or a second hash of them; the national register's query used 28% less CPU
    of the server without it)."""
    return _current_sql(of_people=scope.digits != "")


def _params(scope: Scope, as_of: dt.date | str, **more: Any) -> dict[str, Any]:
    low, high = scope.int_range
    return {"low": low, "high": high, "as_of": as_date(as_of), **more}


def _dates(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for col in columns:
        # element by element: a column of nothing but open ends would come back as NaT from .where()
        days = pd.to_datetime(df[col]).dt.date
        df[col] = pd.Series([None if pd.isna(d) else d for d in days], index=df.index, dtype=object)
    return df


#: up to this many advisers, their villages are read for them alone (a page of the register); more, for the scope
SERVED_BY_ID = 2_000


#: CTEs ``items`` (the worklist's rows: kind, adviser_id, village, end_date) and ``load`` (adviser_id, villages: each
#: listed person's load on the day) counted from the contracts, as :meth:`AdviserQueries.renewals` defines them
_RENEWAL_ITEMS = f"""scoped AS (
                SELECT a.adviser_id, a.village, a.start_date, a.end_date
                FROM assignments a JOIN divisions d ON d.code = a.village AND {REAL}
                WHERE a.village >= $low AND a.village < $high AND a.start_date <= $as_of),
            ending AS (
                SELECT 'ending' AS kind, s.adviser_id, s.village, s.end_date FROM scoped s
                WHERE {rules.current_contract('s')} AND s.end_date <= $as_of + CAST($days AS INTEGER)
                  AND NOT EXISTS (SELECT 1 FROM assignments b WHERE b.village = s.village
                                  AND b.start_date <= s.end_date + 1
                                  AND (b.end_date IS NULL OR b.end_date > s.end_date))),
            lapsed AS (
                SELECT village, max(end_date) AS last_end FROM scoped GROUP BY village
                HAVING bool_and(coalesce(end_date, DATE '9999-12-31') < $as_of)),
            renewable AS (
                SELECT 'lapsed' AS kind, s.adviser_id, s.village, s.end_date
                FROM scoped s JOIN lapsed l ON l.village = s.village AND l.last_end = s.end_date
                WHERE NOT EXISTS (SELECT 1 FROM assignments b WHERE b.village = s.village AND b.start_date > $as_of)),
            items AS (SELECT * FROM renewable UNION ALL SELECT * FROM ending),
            load AS (
                SELECT a.adviser_id, count(DISTINCT a.village) AS villages
                FROM assignments a JOIN divisions d ON d.code = a.village AND {REAL}
                WHERE {rules.current_contract('a')}
                  AND a.adviser_id IN (SELECT adviser_id FROM items)
                GROUP BY a.adviser_id)"""


#: :data:`_RENEWAL_ITEMS` read from the coverage spans and the people's spans.  A contract in force with nothing after
#: it ends at its village's latest current end (any earlier one is continued by the contract ending then), and
#: nothing is after it when the village's span from the day after is lapsed: the expiring villages are found by
#: their end day (an index range), not by probing each of the 730,000 contracts in force for a successor.  A
#: village lapsed on the day with nothing signed for later is in a lapsed span that never ends.
_RENEWAL_ITEMS_FROM_SPANS = """ending_villages AS (
                SELECT c.village, c.cur_end FROM coverage_spans c
                WHERE c.cur_end >= $as_of AND c.cur_end <= $as_of + CAST($days AS INTEGER)
                  AND c.span_from <= $as_of AND c.span_until > $as_of AND c.village >= $low AND c.village < $high
                  AND EXISTS (SELECT 1 FROM coverage_spans n WHERE n.village = c.village
                              AND n.span_from = c.cur_end + 1 AND n.cur_end IS NULL)),
            ending AS (
                SELECT 'ending' AS kind, a.adviser_id, a.village, a.end_date
                FROM ending_villages e JOIN assignments a ON a.village = e.village AND a.end_date = e.cur_end
                WHERE a.start_date <= $as_of),
            lapsed AS (
                SELECT a.village, max(a.end_date) AS last_end
                FROM coverage_spans c JOIN assignments a ON a.village = c.village
                WHERE c.cur_end IS NULL AND c.span_from <= $as_of AND c.span_until = DATE 'infinity'
                  AND c.village >= $low AND c.village < $high
                GROUP BY a.village),
            renewable AS (
                SELECT 'lapsed' AS kind, a.adviser_id, a.village, a.end_date
                FROM lapsed l JOIN assignments a ON a.village = l.village AND a.end_date = l.last_end),
            items AS (SELECT * FROM renewable UNION ALL SELECT * FROM ending),
            load AS (
                SELECT adviser_id, villages FROM adviser_spans
                WHERE span_from <= $as_of AND span_until > $as_of
                  AND adviser_id IN (SELECT adviser_id FROM items))"""


class AdviserQueries(RegistryQueries):
    """Reads about advisers, written once for both backends."""

    def adviser_loads(self, scope: Scope, as_of: dt.date | str) -> pd.DataFrame:
        """Current load per adviser of `scope` on `as_of`: adviser_id, villages (distinct real villages under a
        contract in force, anywhere), next_end (earliest end among them, None = open-ended or none).  Advisers
        with no current contract are listed with 0: they have the most room."""
        people = self._people(scope, as_of, identity=False)
        return _per_adviser(people, self._served(scope, as_of))[["adviser_id", "villages", "next_end"]]

    def adviser_register_people(self, scope: Scope, as_of: dt.date | str) -> pd.DataFrame:
        """The people of `scope` on `as_of` with their load, in adviser order: adviser_id, name, kind, org, phone,
        licence_no, villages, n_townships, next_end, last_end (dates or None; next_end the earliest end among
        their current contracts, last_end the latest, open-ended = None).  One row per person, read from their
        load's span holding the day (``adviser_spans``): a national register (200,000 people) without its 576,000
        villages served, which are read for the rows shown (:meth:`adviser_served`)."""
        loads, params = self._loads_of(scope, as_of)
        with self.reading() as cur:
            df = self._text_frame(cur, f"""
            WITH {loads}
            SELECT p.adviser_id, ad.name, ad.kind, ad.org, ad.phone, ad.licence_no,
                   coalesce(l.villages, 0) AS villages, coalesce(l.n_townships, 0) AS n_townships,
                   l.next_end - DATE '1970-01-01' AS next_end, l.last_end - DATE '1970-01-01' AS last_end
            FROM people p JOIN advisers ad ON ad.adviser_id = p.adviser_id
            LEFT JOIN loads l ON l.adviser_id = p.adviser_id
            ORDER BY p.adviser_id""", params)
        df["adviser_id"] = df["adviser_id"].astype("int64")
        for col in ("villages", "n_townships"):
            df[col] = df[col].astype("int64")
        for col in ("next_end", "last_end"):
            df[col] = _as_dates(pd.to_numeric(df[col]).astype("float64"))
        return df

    def _loads_of(self, scope: Scope, as_of: dt.date | str) -> tuple[str, dict[str, Any]]:
        """CTEs ``people`` (unless the scope is the whole country) and ``loads``: the people of `scope` on $as_of
        and each one's load then (adviser_id, villages, n_townships, next_end, last_end as dates; a person whose
        contracts have all ended has none).  From ``adviser_spans`` when it is kept, else counted from the
        contracts (a read-only database written before it); with the statement's parameters."""
        if self._spans:
            loads = """loads AS (SELECT adviser_id, villages, n_townships, next_end, last_end FROM adviser_spans
                                 WHERE span_from <= $as_of AND span_until > $as_of)"""
            if not scope.digits:    # the people are those with a span holding the day: a contract started by then
                return f"{loads}, people AS (SELECT adviser_id FROM loads)", {"as_of": as_date(as_of)}
            return f"{_PEOPLE}, {loads}", _params(scope, as_of)
        return f"""{_PEOPLE}, {_current_of(scope)},
            pairs AS (SELECT adviser_id, village, min(end_date) AS first_end,
                             max(coalesce(end_date, DATE '9999-12-31')) AS last_end
                      FROM cur GROUP BY adviser_id, village),
            loads AS (SELECT adviser_id, count(*) AS villages, count(DISTINCT idiv(village, 1000)) AS n_townships,
                             min(first_end) AS next_end, max(last_end) AS last_end
                      FROM pairs GROUP BY adviser_id)""", _params(scope, as_of)

    def adviser_served(self, scope: Scope, as_of: dt.date | str, adviser_ids) -> pd.DataFrame:
        """One row per adviser of `adviser_ids` (of `scope` on `as_of`) and real village under a contract in force
        on the day, sorted: adviser_id, village (int64), first_end, last_end (days since 1970-01-01), village_name,
        township."""
        ids = sorted({int(a) for a in adviser_ids})
        if not ids:
            return self._served(scope, as_of, named=True, only=[-1])
        served = self._served(scope, as_of, named=True, only=ids if len(ids) <= SERVED_BY_ID else None)
        if len(ids) > SERVED_BY_ID:
            served = served[served["adviser_id"].isin(ids)].reset_index(drop=True)
        return served

    def adviser_load_counts(self, scope: Scope, as_of: dt.date | str) -> pd.DataFrame:
        """How many advisers of `scope` on `as_of` carry each load, the register's ``villages`` counted in SQL
        (the summary's chart and its count over the cap need no 200,000-row register): columns villages (0 =
        idle) and advisers, by villages."""
        loads, params = self._loads_of(scope, as_of)
        df = self._q_frame(f"""
            WITH {loads}
            SELECT coalesce(l.villages, 0) AS villages, count(*) AS advisers
            FROM people p JOIN advisers ad ON ad.adviser_id = p.adviser_id
            LEFT JOIN loads l ON l.adviser_id = p.adviser_id
            GROUP BY coalesce(l.villages, 0) ORDER BY 1""", params)
        return df.astype({"villages": "int64", "advisers": "int64"})

    def _people(self, scope: Scope, as_of: dt.date | str, identity: bool = True) -> pd.DataFrame:
        """The people of `scope` on `as_of`, in adviser order: adviser_id and, with `identity`, name, kind, org,
        phone, licence_no."""
        columns = ", ad.name, ad.kind, ad.org, ad.phone, ad.licence_no" if identity else ""
        df = self._q_frame(f"""
            WITH {_PEOPLE}
            SELECT p.adviser_id{columns} FROM people p JOIN advisers ad ON ad.adviser_id = p.adviser_id
            ORDER BY p.adviser_id""", _params(scope, as_of))
        df["adviser_id"] = df["adviser_id"].astype("int64")
        return df

    def _served(self, scope: Scope, as_of: dt.date | str, named: bool = False, only: list[int] | None = None
                ) -> pd.DataFrame:
        """One row per adviser of `scope` (`only` those of the ids given) and real village under a contract in
        force on `as_of`, sorted: adviser_id, village (int64), first_end / last_end (days since 1970-01-01 of the
        earliest / latest end among the contracts; NaN / OPEN_DAYS when open-ended) and, when `named`,
        village_name and township."""
        people = _PEOPLE
        if only is not None:     # ints, written into the statement: a page of the register is 100 of them
            people = people.replace("WHERE ", f"WHERE adviser_id IN ({', '.join(str(int(a)) for a in only)}) AND ")
        df = self._q_frame(f"""
            WITH {people}, {_CURRENT},
            pairs AS (SELECT c.adviser_id, c.village, min(c.end_date) AS first_end,
                             max(coalesce(c.end_date, DATE '9999-12-31')) AS last_end
                      FROM cur c GROUP BY c.adviser_id, c.village)
            SELECT adviser_id, village, first_end - DATE '1970-01-01' AS first_end,
                   last_end - DATE '1970-01-01' AS last_end
            FROM pairs""", _params(scope, as_of))
        df["adviser_id"] = df["adviser_id"].astype("int64")
        df["village"] = df["village"].astype("int64")
        for col in ("first_end", "last_end"):
            df[col] = pd.to_numeric(df[col]).astype("float64")
        df = df.sort_values(["adviser_id", "village"], kind="stable").reset_index(drop=True)
        if named:
            names = self._names_by_code()
            # object columns on purpose: pandas' string dtype would copy 576,000 names twice nationally
            for col, codes in (("village_name", df["village"]), ("township", df["village"] // 1000 * 1000)):
                df[col] = pd.Series(names.reindex(codes.to_numpy()).to_numpy(), index=df.index, dtype=object)
        return df

    def _names_by_code(self) -> pd.Series:
        """Name of every current division by its code (int64), kept until the registry changes: naming the
        200,000 people's villages from it costs a lookup, not a second read of their names."""
        version = self.registry_version()
        cached = self.__dict__.get("_names_cache")
        if cached and cached[0] == version:
            return cached[1]
        reg = self.registry_frame()
        names = pd.Series(reg["name"].to_numpy(dtype=object), index=reg["code"].astype("int64").to_numpy(),
                          dtype=object)
        self.__dict__["_names_cache"] = (version, names)
        return names

    def renewals(self, scope: Scope, as_of: dt.date | str, days: int = DEFAULT_EXPIRING_DAYS) -> pd.DataFrame:
        """The renewal worklist of `scope` on `as_of` for a horizon of `days`.

        Two kinds of rows (``kind``): 'lapsed' - a village of the scope lapsed on the day (no contract in force,
        none signed for later) whose last adviser still serves other villages, so renewing is one phone call;
        'ending' - a contract in force ending within `days` (inclusive) after which the village would have no
        contract on record.  Columns: kind, org, adviser_id, adviser, licence_no, phone, village (12-digit str),
        village_name, township, county, end_date, current_villages (the adviser's load on the day).  Ordered
        lapsed first, then by organisation, adviser, end date and village.
        """
        items = _RENEWAL_ITEMS_FROM_SPANS if self._spans else _RENEWAL_ITEMS
        df = self._q_frame(f"""
            WITH {items}
            SELECT i.kind, ad.org, i.adviser_id, ad.name AS adviser, ad.licence_no, ad.phone,
                   i.village, v.name AS village_name, t.name AS township, c.name AS county, i.end_date,
                   coalesce(l.villages, 0) AS current_villages
            FROM items i JOIN advisers ad ON ad.adviser_id = i.adviser_id
            JOIN divisions v ON v.code = i.village
            LEFT JOIN divisions t ON t.code = idiv(i.village, 1000) * 1000
            LEFT JOIN divisions c ON c.code = idiv(i.village, 1000000) * 1000000
            LEFT JOIN load l ON l.adviser_id = i.adviser_id
            WHERE i.kind = 'ending' OR l.villages > 0""", _params(scope, as_of, days=int(days)))
        df["village"] = df["village"].map(to_str)
        df["adviser_id"] = df["adviser_id"].astype("int64")
        df["current_villages"] = df["current_villages"].astype("int64")
        df = _dates(df, "end_date")
        df["_first"] = df["kind"] != "lapsed"
        df = df.sort_values(["_first", "org", "adviser", "adviser_id", "end_date", "village"], na_position="last",
                            kind="stable")
        return df.drop(columns="_first").reset_index(drop=True)

    def adviser_contracts(self, scope: Scope, as_of: dt.date | str, adviser_id: int) -> pd.DataFrame:
        """Every contract on record of one adviser of `scope` on a village of the scope (empty when they have none
        there by `as_of`; their contracts elsewhere are another jurisdiction's): village (12-digit str),
        village_name, township, county, start_date, end_date (None = open-ended), current (in force on `as_of`),
        real (the village is a current real village).  Newest first."""
        df = self._q_frame(f"""
            WITH {_PEOPLE}
            SELECT a.village, v.name AS village_name, t.name AS township, c.name AS county,
                   a.start_date, a.end_date, {rules.current_contract('a')} AS current,
                   coalesce({rules.real_village('v')}, false) AS real
            FROM assignments a JOIN people p ON p.adviser_id = a.adviser_id
            LEFT JOIN divisions v ON v.code = a.village
            LEFT JOIN divisions t ON t.code = idiv(a.village, 1000) * 1000
            LEFT JOIN divisions c ON c.code = idiv(a.village, 1000000) * 1000000
            WHERE a.adviser_id = $id AND a.village >= $low AND a.village < $high
            ORDER BY a.start_date DESC, a.village""", _params(scope, as_of, id=int(adviser_id)))
        df["village"] = df["village"].map(to_str)
        df["current"] = df["current"].astype(bool)
        df["real"] = df["real"].astype(bool)
        return _dates(df, "start_date", "end_date")

    def adviser_base(self, adviser_id: int) -> tuple[float, float] | None:
        """(lon, lat) of an adviser's base when the ledger or a later edit gave one, else None."""
        rows = self._q_rows("SELECT lon, lat FROM advisers WHERE adviser_id = $id AND lon IS NOT NULL "
                            "AND lat IS NOT NULL", {"id": int(adviser_id)})
        return (float(rows[0][0]), float(rows[0][1])) if rows else None


#: 9999-12-31 (the coverage rule's open end) in days since 1970-01-01
OPEN_DAYS = (dt.date(9999, 12, 31) - dt.date(1970, 1, 1)).days


def _as_dates(days: pd.Series) -> list:
    """Days since 1970-01-01 (float, NaN = none) as Python dates or None (open-ended counts as none)."""
    values = days.to_numpy(dtype="float64")
    keep = ~np.isnan(values) & (values < OPEN_DAYS)
    out = np.full(len(values), None, dtype=object)
    out[keep] = values[keep].astype("int64").astype("datetime64[D]").astype(object)
    return list(out)


def _per_adviser(people: pd.DataFrame, served: pd.DataFrame) -> pd.DataFrame:
    """`people` with their load from the pairs: villages, n_townships, next_end and last_end (dates or None)."""
    by = served.groupby("adviser_id", sort=True)
    agg = pd.DataFrame({"villages": by.size(),
                        "n_townships": (served["village"] // 1000).groupby(served["adviser_id"]).nunique(),
                        "next_end": by["first_end"].min(), "last_end": by["last_end"].max()})
    out = people.join(agg, on="adviser_id")
    out["villages"] = out["villages"].fillna(0).astype("int64")
    out["n_townships"] = out["n_townships"].fillna(0).astype("int64")
    out["next_end"] = _as_dates(out["next_end"])
    out["last_end"] = _as_dates(out["last_end"])
    return out
