"""Village boundaries kept as WKB in WGS-84, one per village, and the display shapes drawn from them."""
from __future__ import annotations

import json
from typing import Iterable

import pandas as pd
import shapely


def village_geojson(store, codes: Iterable[str]) -> dict[str, dict]:
    """Full-detail GeoJSON geometry (dict) of each village in `codes` that has a boundary."""
    df = store.village_geoms(list(codes))
    geoms = shapely.from_wkb(df["geom"].to_numpy()) if len(df) else []
    return {c: json.loads(shapely.to_geojson(g)) for c, g in zip(df["code"], geoms)}


def replace_village_geoms(store, cur, frame: pd.DataFrame, batch_id: int | None, *, schematic: bool = False,
                          keep_history: bool = False) -> int:
    """Insert or replace boundaries: `frame` has code (12-digit str) and geometry (shapely, WGS-84)."""
    if frame.empty:
        return 0
    rows = pd.DataFrame({"code": frame["code"].to_numpy(), "geom": list(shapely.to_wkb(frame["geometry"].to_numpy()))})
    return store.replace_village_geoms(cur, rows, batch_id, schematic=schematic, keep_history=keep_history)


def refresh_village_display(store, cur, county: str) -> int:
    """Rebuild the display shapes of one county from its village boundaries, inside the caller's transaction.

    Villages are simplified together as one coverage for the township view ('township' tier); townships are the
    union of their villages for the county view ('county' tier).  Returns the number of villages drawn.
    """
    import geopandas as gpd

    from geo.outputs.outlines import TIERS, simplify_for_display, to_geojson_text, union_by_prefix

    df = store.village_geoms_in(county, cur)
    store.clear_village_display(cur, county)
    if df.empty:
        return 0
    gdf = gpd.GeoDataFrame({"code": df["code"].to_numpy(dtype=object), "schematic": df["schematic"].to_numpy()},
                           geometry=shapely.from_wkb(df["geom"].to_numpy()), crs="EPSG:4326")
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
