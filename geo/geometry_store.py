"""Village boundaries in the store: WKB in WGS-84, one row per village."""
from __future__ import annotations

import json
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


def refresh_village_display(store, cur, county: str) -> int:
    """Rebuild the display shapes of one county from its village boundaries, inside the caller's transaction.

    Villages are simplified together as one coverage for the township view ('township' tier); townships are the
    union of their villages for the county view ('county' tier).  Returns the number of villages drawn.
    """
    import geopandas as gpd

    from .outlines import TIERS, simplify_for_display, to_geojson_text, union_by_prefix

    low = int(county[:6]) * 10**6
    df = cur.execute("SELECT code, geom, schematic FROM village_geoms WHERE code >= ? AND code < ?",
                     [low, low + 10**6]).df()
    cur.execute("DELETE FROM shapes WHERE tier IN ('county', 'township') AND code >= ? AND code < ?",
                [low, low + 10**6])
    if df.empty:
        return 0
    gdf = gpd.GeoDataFrame({"code": df["code"].map(to_str).to_numpy(dtype=object),
                            "schematic": df["schematic"].to_numpy()},
                           geometry=shapely.from_wkb(df["geom"].map(bytes).to_numpy()), crs="EPSG:4326")
    for tier, frame in (("township", gdf), ("county", union_by_prefix(gdf, 4))):
        if tier == "county":
            frame["schematic"] = frame["code"].map(
                gdf.groupby(gdf["code"].str[:9].str.ljust(12, "0"))["schematic"].any())
        simple = simplify_for_display(frame, tier)
        decimals = TIERS[tier].decimals
        rows = pd.DataFrame({"code": simple["code"],
                             "geojson": [to_geojson_text(g, decimals) for g in simple.geometry],
                             "schematic": simple["schematic"].astype(bool)})
        store.replace_shapes(cur, rows, tier)
    return len(gdf)
