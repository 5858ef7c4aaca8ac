"""Geometries as a boundary file holds them, made usable: 2-D, valid, polygonal; or the reason a feature has none."""
from __future__ import annotations

import numpy as np
import shapely

# -------------------------------------------------------------------------------------------------- geometry


def polygonal(geom):
    """Polygonal part of a geometry (Polygon or MultiPolygon), None if it has none."""
    if geom is None or geom.is_empty:
        return None
    kind = geom.geom_type
    if kind in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon") and not g.is_empty]
    if not polys:
        for g in shapely.get_parts(geom):
            if g.geom_type == "GeometryCollection":
                p = polygonal(g)
                if p is not None:
                    polys.append(p)
    if not polys:
        return None
    parts = [p for g in polys for p in shapely.get_parts(g)]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _repair(geoms: np.ndarray) -> tuple[np.ndarray, list[str | None]]:
    """Valid 2-D polygonal geometries and, per feature, None or a reason ('no_geometry'/'invalid_geometry')."""
    geoms = geoms.copy()
    problem: list[str | None] = [None] * len(geoms)
    missing = shapely.is_missing(geoms)
    present = ~missing
    geoms[present] = shapely.force_2d(geoms[present])
    empty = present & shapely.is_empty(np.where(present, geoms, shapely.Point()))
    for i in np.flatnonzero(missing | empty):
        problem[i] = "no_geometry"
        geoms[i] = None
    ok = ~(missing | empty)
    bad = ok & ~shapely.is_valid(np.where(ok, geoms, shapely.Point()))
    if bad.any():
        geoms[bad] = shapely.make_valid(geoms[bad])
    types = shapely.get_type_id(np.where(ok, geoms, shapely.Point()))
    for i in np.flatnonzero(ok & ~np.isin(types, (3, 6))):
        g = polygonal(geoms[i])
        if g is None:
            problem[i] = "invalid_geometry"
        geoms[i] = g
    return geoms, problem
