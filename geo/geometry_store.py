"""Village boundaries in the store: WKB in WGS-84, one row per village."""
from __future__ import annotations

from typing import Iterable

import pandas as pd
import shapely

from .codes import to_str


def village_geojson(store, codes: Iterable[str]) -> dict[str, dict]:
    """Full-detail GeoJSON geometry (dict) of each village in `codes` that has a boundary."""
    codes = [int(c) for c in codes]
    if not codes:
        return {}
    cur = store.cursor()
    cur.register("wanted_geom_codes", pd.DataFrame({"code": codes}))
    df = cur.execute("SELECT g.code, g.geom FROM village_geoms g JOIN wanted_geom_codes w USING (code)").df()
    cur.unregister("wanted_geom_codes")
    geoms = shapely.from_wkb(df["geom"].map(bytes).to_numpy()) if len(df) else []
    import json
    return {to_str(c): json.loads(shapely.to_geojson(g)) for c, g in zip(df["code"], geoms)}


def replace_village_geoms(cur, frame: pd.DataFrame, batch_id: int | None, schematic: bool = False) -> int:
    """Insert or replace boundaries: `frame` has code (12-digit str) and geometry (shapely, WGS-84)."""
    if frame.empty:
        return 0
    rows = pd.DataFrame({"code": frame["code"].astype("int64"),
                         "geom": shapely.to_wkb(frame["geometry"].to_numpy()),
                         "schematic": schematic, "batch_id": batch_id})
    cur.register("incoming_geoms", rows)
    cur.execute("DELETE FROM village_geoms WHERE code IN (SELECT code FROM incoming_geoms)")
    cur.execute("INSERT INTO village_geoms SELECT code, geom, schematic, batch_id FROM incoming_geoms")
    cur.unregister("incoming_geoms")
    return len(rows)
