"""People and their contracts: who a ledger's rows may be, adding advisers and assignments, rolling them back."""
from __future__ import annotations

from typing import Any

import pandas as pd

from geo.store.base import Cursor, StoreBase, counties_of, scrubbed
from geo.store.schema import USER_TEXT_COLUMNS


class ContractQueries(StoreBase):
    """The ``advisers`` and ``assignments`` tables, written by the ledger import."""

    def adviser_candidates(self, cur: Cursor, names: list[str], licences: list[str]) -> list[tuple[Any, ...]]:
        """(adviser_id, name, licence_no, phone, org) of the stored advisers named one of `names` or holding one
        of `licences`, in id order: whom a ledger's people may be (geo.sources.ledger.people decides)."""
        wanted = pd.DataFrame({"v": pd.Series([*names, *licences], dtype=object)}).drop_duplicates()
        if wanted.empty:
            return []
        with self._table(cur, "wanted_people", wanted):
            rows = self._rows(cur, "SELECT adviser_id, name, licence_no, phone, org FROM advisers "
                                   "WHERE name IN (SELECT v FROM wanted_people) "
                                   "OR licence_no IN (SELECT v FROM wanted_people) ORDER BY adviser_id")
        return [(int(a), *rest) for a, *rest in rows]

    def new_adviser_ids(self, cur: Cursor, n: int) -> list[int]:
        """`n` adviser ids no other writer will hand out."""
        return self._new_ids(cur, n) if n else []

    def add_advisers(self, cur: Cursor, advisers: pd.DataFrame) -> int:
        """Insert people: columns adviser_id, name, and any of kind, org, licence_no, phone, base_code, lon, lat,
        batch_id (missing ones are NULL)."""
        if advisers.empty:
            return 0
        cols = ["adviser_id", "name", "kind", "org", "licence_no", "phone", "base_code", "lon", "lat", "batch_id"]
        frame = pd.DataFrame({c: (advisers[c] if c in advisers.columns else None) for c in cols})
        frame = frame.astype({"adviser_id": "int64", "base_code": "Int64", "lon": "float64", "lat": "float64",
                              "batch_id": "Int64"})
        frame = scrubbed(frame, USER_TEXT_COLUMNS["advisers"])
        self._changed(cur)
        with self._table(cur, "incoming_advisers", frame):
            self._run(cur, f"INSERT INTO advisers ({', '.join(cols)}) SELECT {', '.join(cols)} "
                           f"FROM incoming_advisers")
        self._ids_used(cur, int(frame["adviser_id"].max()))
        return len(frame)

    def add_assignments(self, cur: Cursor, assignments: pd.DataFrame, *, skip_known: bool = True) -> int:
        """Insert contracts: columns adviser_id, village (12-digit str or int), start_date, end_date (None =
        open-ended), batch_id.  With `skip_known`, a contract already stored (same person, village and period)
        is not stored twice.  Returns the number inserted."""
        if assignments.empty:
            return 0
        frame = pd.DataFrame({   # dates stay datetime64 (NaT = open-ended): no Python object per contract
            "adviser_id": assignments["adviser_id"].astype("int64"),
            "village": assignments["village"].astype("int64"),
            "start_date": pd.to_datetime(assignments["start_date"]).astype("datetime64[us]"),
            "end_date": pd.to_datetime(assignments["end_date"]).astype("datetime64[us]"),
            "batch_id": assignments["batch_id"].astype("Int64")})
        known = """AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.adviser_id = i.adviser_id
                       AND a.village = i.village AND a.start_date = CAST(i.start_date AS DATE)
                       AND a.end_date IS NOT DISTINCT FROM CAST(i.end_date AS DATE))""" if skip_known else ""
        self._changed(cur, counties_of(frame["village"]))
        new_rows = f"""
            SELECT DISTINCT i.adviser_id, i.village, CAST(i.start_date AS DATE) AS start_date,
                   CAST(i.end_date AS DATE) AS end_date, i.batch_id
            FROM incoming_assignments i WHERE true {known}"""
        with self._table(cur, "incoming_assignments", frame):
            # counted before the insert: the counties' locks (above) keep other writers off these villages
            inserted = int(self._one(f"SELECT count(*) FROM ({new_rows}) n", cur=cur))
            self._run(cur, f"INSERT INTO assignments (adviser_id, village, start_date, end_date, batch_id) {new_rows}")
        return inserted

    def set_adviser_locations_by_county(self, cur: Cursor, points: pd.DataFrame) -> None:
        """Place advisers at a point of their base's county: `points` has code (county, int), lon, lat."""
        frame = pd.DataFrame({"code": points["code"].astype("int64"), "lon": points["lon"].astype(float),
                              "lat": points["lat"].astype(float)})
        self._changed(cur)
        with self._table(cur, "county_points", frame):
            self._run(cur, """UPDATE advisers SET lon = p.lon, lat = p.lat FROM county_points p
                              WHERE p.code = idiv(advisers.base_code, 1000000) * 1000000""")

    def rollback_assignments(self, cur: Cursor, batch_id: int) -> None:
        """Remove the contracts of batch `batch_id`, and the people it brought who hold no other contract."""
        p = {"batch": batch_id}
        self._changed(cur, counties_of(v for (v,) in self._rows(
            cur, "SELECT DISTINCT village FROM assignments WHERE batch_id = $batch", p)))
        self._run(cur, "DELETE FROM assignments WHERE batch_id = $batch", p)
        self._run(cur, """DELETE FROM advisers WHERE batch_id = $batch
                          AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.adviser_id = advisers.adviser_id)""", p)

