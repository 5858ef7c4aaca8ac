"""The store's queries about people: each adviser's load on a day, the register, renewals, one adviser's history.

A person is one ``advisers.adviser_id`` (the ledger import already decides who is the same person: by licence
number, else by name and phone within the county).  "Current" is the coverage rule's
(:func:`geo.store.rules.current_contract`), and a load counts real villages only, like coverage does.  A load is
the person's whole load, inside the scope or not: the cap is per person, and an adviser with five villages in the
next county has no room for one more here.  The scope picks the people: those with a contract on a village in it
that started on or before the day.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..codes import Scope, to_str
from ..coverage import DEFAULT_EXPIRING_DAYS
from . import rules

REAL = rules.real_village("d")
#: joins the names of a person's villages in one text (a control character: never part of a name)
SEP = "\x1f"

#: the people of a scope on a day: a contract on one of its villages started by then
_PEOPLE = """people AS (SELECT DISTINCT adviser_id FROM assignments
                        WHERE village >= $low AND village < $high AND start_date <= $as_of)"""

#: their contracts in force on the day, on real villages (one row per contract)
_CURRENT = f"""cur AS (SELECT a.adviser_id, a.village, a.end_date
                       FROM assignments a JOIN people p ON p.adviser_id = a.adviser_id
                       JOIN divisions d ON d.code = a.village AND {REAL}
                       WHERE {rules.current_contract('a')})"""

_LOAD = """load AS (SELECT adviser_id, count(DISTINCT village) AS villages,
                           count(DISTINCT idiv(village, 1000)) AS n_townships,
                           min(end_date) AS next_end,
                           max(coalesce(end_date, DATE '9999-12-31')) AS last_end
                    FROM cur GROUP BY adviser_id)"""


def _params(scope: Scope, as_of: dt.date | str, **more) -> dict:
    from .base import as_date

    low, high = scope.int_range
    return {"low": low, "high": high, "as_of": as_date(as_of), **more}


def _dates(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for col in columns:
        df[col] = pd.to_datetime(df[col]).dt.date.where(df[col].notna(), None)
    return df


class AdviserQueries:
    """Mixed into :class:`geo.store.base.Store`: reads about advisers, written once for both backends."""

    def adviser_loads(self, scope: Scope, as_of: dt.date | str) -> pd.DataFrame:
        """Current load per adviser of `scope` on `as_of`: adviser_id, villages (distinct real villages under a
        contract in force, anywhere), next_end (earliest end among them, None = open-ended or none).  Advisers
        with no current contract are listed with 0: they have the most room."""
        df = self._q_frame(f"""
            WITH {_PEOPLE}, {_CURRENT}, {_LOAD}
            SELECT p.adviser_id, coalesce(l.villages, 0) AS villages, l.next_end
            FROM people p LEFT JOIN load l ON l.adviser_id = p.adviser_id
            ORDER BY p.adviser_id""", _params(scope, as_of))
        df["adviser_id"] = df["adviser_id"].astype("int64")
        df["villages"] = df["villages"].astype("int64")
        return _dates(df, "next_end")

    def adviser_register(self, scope: Scope, as_of: dt.date | str, cap: int | None = None,
                         expiring_days: int = DEFAULT_EXPIRING_DAYS) -> pd.DataFrame:
        """One row per adviser of `scope` (see the module) with their load on `as_of` and the flags.

        Columns: adviser_id, name, kind, org, phone, licence_no, villages (int), village_codes (list of
        12-digit str), village_names (list), townships (list of names), n_townships, next_end (date or None:
        the earliest end among current contracts), last_end (the latest, None = open-ended or none), and the
        flags of :data:`geo.advisers.FLAGS` (over_cap, expiring, idle) for `cap` (default
        :data:`geo.advisers.DEFAULT_CAP`).
        """
        from ..advisers import DEFAULT_CAP, with_flags

        df = self._q_frame(f"""
            WITH {_PEOPLE}, {_CURRENT}, {_LOAD},
            served AS (SELECT DISTINCT adviser_id, village FROM cur),
            vlist AS (SELECT s.adviser_id,
                             string_agg(CAST(s.village AS VARCHAR), ',' ORDER BY s.village) AS village_codes,
                             string_agg(d.name, $sep ORDER BY s.village) AS village_names
                      FROM served s JOIN divisions d ON d.code = s.village GROUP BY s.adviser_id),
            towns AS (SELECT DISTINCT adviser_id, idiv(village, 1000) * 1000 AS town FROM cur),
            tlist AS (SELECT w.adviser_id,
                             string_agg(coalesce(t.name, CAST(w.town AS VARCHAR)), $sep ORDER BY w.town) AS townships
                      FROM towns w LEFT JOIN divisions t ON t.code = w.town GROUP BY w.adviser_id)
            SELECT ad.adviser_id, ad.name, ad.kind, ad.org, ad.phone, ad.licence_no,
                   coalesce(l.villages, 0) AS villages, v.village_codes, v.village_names, tl.townships,
                   coalesce(l.n_townships, 0) AS n_townships, l.next_end,
                   CASE WHEN l.last_end < DATE '9999-12-31' THEN l.last_end END AS last_end
            FROM people p JOIN advisers ad ON ad.adviser_id = p.adviser_id
            LEFT JOIN load l ON l.adviser_id = p.adviser_id
            LEFT JOIN vlist v ON v.adviser_id = p.adviser_id
            LEFT JOIN tlist tl ON tl.adviser_id = p.adviser_id
            ORDER BY ad.adviser_id""", _params(scope, as_of, sep=SEP))
        df = _register_frame(df)
        return with_flags(df, as_of=_params(scope, as_of)["as_of"], cap=DEFAULT_CAP if cap is None else cap,
                          expiring_days=expiring_days)

    def renewals(self, scope: Scope, as_of: dt.date | str, days: int = DEFAULT_EXPIRING_DAYS) -> pd.DataFrame:
        """The renewal worklist of `scope` on `as_of` for a horizon of `days`.

        Two kinds of rows (``kind``): 'lapsed' - a village of the scope lapsed on the day (no contract in force,
        none signed for later) whose last adviser still serves other villages, so renewing is one phone call;
        'ending' - a contract in force ending within `days` (inclusive) after which the village would have no
        contract on record.  Columns: kind, org, adviser_id, adviser, licence_no, phone, village (12-digit str),
        village_name, township, county, end_date, current_villages (the adviser's load on the day).  Ordered
        lapsed first, then by organisation, adviser, end date and village.
        """
        df = self._q_frame(f"""
            WITH scoped AS (
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
                GROUP BY a.adviser_id)
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
        """Every contract on record of one adviser of `scope` (empty when they have none there by `as_of`):
        village (12-digit str), village_name, township, county, start_date, end_date (None = open-ended), current
        (in force on `as_of`), real (the village is a current real village).  Newest first."""
        df = self._q_frame(f"""
            WITH {_PEOPLE}
            SELECT a.village, v.name AS village_name, t.name AS township, c.name AS county,
                   a.start_date, a.end_date, {rules.current_contract('a')} AS current,
                   coalesce({rules.real_village('v')}, false) AS real
            FROM assignments a JOIN people p ON p.adviser_id = a.adviser_id
            LEFT JOIN divisions v ON v.code = a.village
            LEFT JOIN divisions t ON t.code = idiv(a.village, 1000) * 1000
            LEFT JOIN divisions c ON c.code = idiv(a.village, 1000000) * 1000000
            WHERE a.adviser_id = $id
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


def _split(text: object) -> list[str]:
    return text.split(SEP) if isinstance(text, str) and text else []


def _register_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The register's SQL result with lists for the joined texts and plain Python dates."""
    df["adviser_id"] = df["adviser_id"].astype("int64")
    for col in ("villages", "n_townships"):
        df[col] = df[col].astype("int64")
    # codes are 12 digits (a province code is never below 11), so the BIGINT's text is the code
    df["village_codes"] = [c.split(",") if isinstance(c, str) and c else [] for c in df["village_codes"]]
    df["village_names"] = [_split(v) for v in df["village_names"]]
    df["townships"] = [_split(v) for v in df["townships"]]
    for col in ("name", "kind", "org", "phone", "licence_no"):
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    return _dates(df, "next_end", "last_end")
