"""Geometry of the demo: real outlines for the whole country, schematic village cells (示意) for a few counties.

Schematic cells are Voronoi cells inside the real county outline: township regions first, then villages
inside their township, so township outlines derived from the cells are contiguous like real ones.
"""
from __future__ import annotations

import pandas as pd

from geo.imports.registry import store_outline_tiers
from geo.outputs.outlines import county_outlines, random_points_in, village_display, voronoi_cells
from geo.sources.national import villages
from geo.store import Store
from geo.store.base import Cursor
from geo.store.geometry import replace_village_geoms


def schematic_cells(county_outline, village_codes: list[str], seed: int) -> pd.DataFrame:
    """code + geometry of made-up village cells filling `county_outline`."""
    towns = sorted({c[:9] for c in village_codes})
    town_points = random_points_in(county_outline, len(towns), seed)
    town_regions = dict(zip(towns, voronoi_cells(county_outline, town_points, seed)))
    rows = []
    for k, town in enumerate(towns):
        members = [c for c in village_codes if c[:9] == town]
        region = town_regions[town]
        if region.is_empty:
            continue
        pts = random_points_in(region, len(members), seed + k + 1)
        rows.extend(zip(members, voronoi_cells(region, pts, seed + k + 1)))
    return pd.DataFrame(rows, columns=["code", "geometry"])


def build(store: Store, cur: Cursor, registry: pd.DataFrame, counties: tuple[str, ...], seed: int,
          batch_id: int) -> int:
    """Write outline tiers and schematic cells; also place advisers at their base.  Returns cells written."""
    store_outline_tiers(store, cur)
    outlines = county_outlines().set_index("code")
    written = 0
    for i, county in enumerate(counties):
        code12 = county.ljust(12, "0")
        vil = villages(registry, county)["code"].tolist()
        cells = schematic_cells(outlines.loc[code12, "geometry"], vil, seed + 1000 * i)
        cells = cells[~cells["geometry"].map(lambda g: g.is_empty)]
        written += replace_village_geoms(store, cur, cells, batch_id, schematic=True)
        store.refresh_village_display(cur, county, village_display)
    # advisers sit at the centre of their county seat or township office (county centroid as a fallback)
    cent = outlines.geometry.representative_point()
    store.set_adviser_locations_by_county(cur, pd.DataFrame({"code": outlines.index.astype("int64"),
                                                            "lon": cent.x.to_numpy(), "lat": cent.y.to_numpy()}))
    return written
