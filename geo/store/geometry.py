"""Village boundaries kept as WKB in WGS-84, one per village, and the display shapes drawn from them.

The store keeps what it is given: boundaries as WKB, display shapes as GeoJSON text per map tier.  Drawing the
display shapes (simplifying, unions) happens above it, in :func:`geo.outputs.outlines.village_display`, which
:meth:`GeometryQueries.refresh_village_display` is handed.
"""
from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import Callable, Iterable, Mapping, Sequence

import pandas as pd

from geo.core.codes import Scope, to_str
from geo.store.base import Cursor, StoreBase, counties_of

#: draws the display shapes of one county from its boundaries (code, geom, schematic): rows (code, geojson,
#: schematic) per tier
DrawDisplay = Callable[[pd.DataFrame], Mapping[str, pd.DataFrame]]


class GeometryQueries(StoreBase):
    """The ``village_geoms``, ``geom_history`` and ``shapes`` tables."""

    def _wanted(self, cur: Cursor, codes: Sequence[str]) -> AbstractContextManager[None]:
        return self._table(cur, "wanted_codes", pd.DataFrame({"code": [int(c) for c in codes]}, dtype="int64"))

    def shapes(self, codes: Sequence[str], tier: str) -> pd.DataFrame:
        """Display geometries (GeoJSON text) of `codes` at `tier`: columns code, geojson, schematic."""
        if not len(codes):
            return pd.DataFrame(columns=["code", "geojson", "schematic"])
        with self.reading() as cur, self._wanted(cur, codes):
            return self._codes_frame("""SELECT s.code, s.geojson, s.schematic FROM shapes s
                                        JOIN wanted_codes w ON w.code = s.code WHERE s.tier = $tier""",
                                     {"tier": tier}, cur)

    def shapes_under(self, scope: Scope, tier: str) -> pd.DataFrame:
        """Every display geometry of `tier` inside `scope`: columns code, geojson, schematic."""
        low, high = scope.int_range
        return self._codes_frame("SELECT code, geojson, schematic FROM shapes WHERE tier = $tier AND code >= $low "
                                 "AND code < $high ORDER BY code", {"tier": tier, "low": low, "high": high})

    def has_shapes(self, tier: str, cur: Cursor | None = None) -> bool:
        return bool(self._one("SELECT count(*) FROM shapes WHERE tier = $tier", {"tier": tier}, cur))

    def replace_shapes(self, cur: Cursor, rows: pd.DataFrame, tier: str) -> None:
        """Store display geometries: `rows` has code (12-digit str), geojson, schematic."""
        if rows.empty:
            return
        frame = pd.DataFrame({"code": rows["code"].astype("int64"), "tier": tier,
                              "geojson": rows["geojson"].astype(object), "schematic": rows["schematic"].astype(bool)})
        self._changed(cur, counties_of(frame["code"]) if tier in ("county", "township") else (), derived=None)
        with self._table(cur, "incoming_shapes", frame):
            self._run(cur, "DELETE FROM shapes WHERE tier = $tier AND code IN (SELECT code FROM incoming_shapes)",
                      {"tier": tier})
            self._run(cur, "INSERT INTO shapes (code, tier, geojson, schematic) "
                           "SELECT code, tier, geojson, schematic FROM incoming_shapes")

    def clear_village_display(self, cur: Cursor, county: str) -> None:
        """Remove the county and township display shapes drawn from one county's village boundaries."""
        low = int(county[:6]) * 10**6
        self._run(cur, "DELETE FROM shapes WHERE tier IN ('county', 'township') AND code >= $low AND code < $high",
                  {"low": low, "high": low + 10**6})

    def village_geoms_in(self, county: str, cur: Cursor | None = None) -> pd.DataFrame:
        """Boundaries of one county's villages: code (12-digit str), geom (WKB bytes), schematic."""
        low = int(county[:6]) * 10**6
        df = self._codes_frame("SELECT code, geom, schematic FROM village_geoms WHERE code >= $low AND code < $high",
                               {"low": low, "high": low + 10**6}, cur)
        df["geom"] = df["geom"].map(bytes)
        return df

    def village_geoms(self, codes: Sequence[str]) -> pd.DataFrame:
        """Full-detail boundaries of the villages in `codes` that have one: code (12-digit str), geom (WKB)."""
        if not len(codes):
            return pd.DataFrame(columns=["code", "geom"])
        with self.reading() as cur, self._wanted(cur, codes):
            df = self._codes_frame("SELECT g.code, g.geom FROM village_geoms g JOIN wanted_codes w ON w.code = g.code",
                                   cur=cur)
        df["geom"] = df["geom"].map(bytes)
        return df

    def replace_village_geoms(self, cur: Cursor, frame: pd.DataFrame, batch_id: int | None, *, schematic: bool = False,
                              keep_history: bool = False) -> int:
        """Insert or replace boundaries: `frame` has code (12-digit str) and geom (WKB bytes, WGS-84).

        With `keep_history` the boundaries replaced (and the codes that had none) are kept in ``geom_history``
        under `batch_id`, for :meth:`rollback_village_geoms`.
        """
        if frame.empty:
            return 0
        rows = pd.DataFrame({"code": frame["code"].astype("int64"), "geom": frame["geom"].astype(object),
                             "schematic": bool(schematic), "batch_id": batch_id})
        self._changed(cur, counties_of(rows["code"]), derived=None)
        rows["batch_id"] = rows["batch_id"].astype("Int64")
        with self._table(cur, "incoming_geoms", rows):
            if keep_history:
                p = {"batch": batch_id}
                self._run(cur, """
                    INSERT INTO geom_history (batch_id, code, geom, schematic, prior_batch, existed)
                    SELECT $batch, g.code, g.geom, g.schematic, g.batch_id, true
                    FROM village_geoms g WHERE g.code IN (SELECT code FROM incoming_geoms)""", p)
                self._run(cur, """
                    INSERT INTO geom_history (batch_id, code, geom, schematic, prior_batch, existed)
                    SELECT $batch, code, NULL, NULL, NULL, false FROM incoming_geoms
                    WHERE NOT EXISTS (SELECT 1 FROM village_geoms g WHERE g.code = incoming_geoms.code)""", p)
            self._run(cur, "DELETE FROM village_geoms WHERE code IN (SELECT code FROM incoming_geoms)")
            self._run(cur, "INSERT INTO village_geoms (code, geom, schematic, batch_id) "
                           "SELECT code, geom, schematic, batch_id FROM incoming_geoms")
        return len(rows)

    def rollback_village_geoms(self, cur: Cursor, batch_id: int) -> list[str]:
        """Put back the boundaries batch `batch_id` replaced; returns the 6-digit counties it touched."""
        p = {"batch": batch_id}
        counties = sorted({to_str(c)[:6] for (c,) in self._rows(
            cur, "SELECT code FROM geom_history WHERE batch_id = $batch", p)})
        self._run(cur, "DELETE FROM village_geoms WHERE code IN "
                       "(SELECT code FROM geom_history WHERE batch_id = $batch)", p)
        self._run(cur, """INSERT INTO village_geoms (code, geom, schematic, batch_id)
                          SELECT code, geom, schematic, prior_batch FROM geom_history
                          WHERE batch_id = $batch AND existed""", p)
        return counties

    def refresh_village_display(self, cur: Cursor, county: str, draw: DrawDisplay) -> int:
        """Rebuild the display shapes of one county from its village boundaries, inside the caller's transaction:
        `draw` makes them per tier from the boundaries (:func:`geo.outputs.outlines.village_display`).  Returns the
        number of villages drawn."""
        df = self.village_geoms_in(county, cur)
        self.clear_village_display(cur, county)
        if df.empty:
            return 0
        for tier, rows in draw(df).items():
            self.replace_shapes(cur, rows, tier)
        return len(df)


def village_geojson(store: GeometryQueries, codes: Iterable[str]) -> dict[str, dict]:
    """Full-detail GeoJSON geometry (dict) of each village in `codes` that has a boundary."""
    import shapely  # imported here: start-up time

    df = store.village_geoms(list(codes))
    geoms = shapely.from_wkb(df["geom"].to_numpy()) if len(df) else []
    return {c: json.loads(shapely.to_geojson(g)) for c, g in zip(df["code"], geoms)}


def replace_village_geoms(store: GeometryQueries, cur: Cursor, frame: pd.DataFrame, batch_id: int | None, *,
                          schematic: bool = False, keep_history: bool = False) -> int:
    """Insert or replace boundaries: `frame` has code (12-digit str) and geometry (shapely, WGS-84)."""
    import shapely  # imported here: start-up time

    if frame.empty:
        return 0
    rows = pd.DataFrame({"code": frame["code"].to_numpy(), "geom": list(shapely.to_wkb(frame["geometry"].to_numpy()))})
    return store.replace_village_geoms(cur, rows, batch_id, schematic=schematic, keep_history=keep_history)
