"""The coordinate reference system of a boundary file (from the .prj, or given), named the way users know it
(EPSG:4545), and the geometries brought to WGS-84 (GCJ-02 undone when asked), with a hint at the right CRS when
the coordinates land outside China.
"""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from geo.core.gcj02 import geometry_gcj02_to_wgs84
from geo.sources.boundaries.errors import _err
from geo.sources.boundaries.geometry import _repair, polygonal
from geo.text.catalogue import Msg

# ---------------------------------------------------------------------------------------------------- CRS


def _parse_crs(raw: object, label: str) -> CRS:
    try:
        if isinstance(raw, CRS):
            return raw
        if isinstance(raw, int) or (isinstance(raw, str) and raw.strip().isdigit()):
            return CRS.from_epsg(int(raw))
        return CRS.from_user_input(raw)
    except Exception as e:
        raise _err(label, "bnd.e.bad_crs", raw=raw, err=str(e)) from e


def crs_label(crs: CRS) -> str:
    """'EPSG:4545' when the CRS is (equivalent to) an EPSG one, checked by transforming a point; else its name."""
    epsg = crs.to_epsg(min_confidence=25)
    if epsg:
        try:
            ref = CRS.from_epsg(epsg)
            if ref == crs:
                return f"EPSG:{epsg}"
            geo = crs.geodetic_crs or CRS.from_epsg(4326)
            a = Transformer.from_crs(geo, crs, always_xy=True).transform(108.5, 34.0)
            b = Transformer.from_crs(geo, ref, always_xy=True).transform(108.5, 34.0)
            if all(math.isfinite(v) for v in a + b) and math.dist(a, b) < 0.01:
                return f"EPSG:{epsg}"
        except Exception:
            pass
    return crs.name or crs.to_wkt()


def _crs_hint(bounds: tuple[float, float, float, float]) -> Msg | None:
    """A guess at the CRS from coordinate ranges, for the error message only."""
    x0, y0, x1, y1 = bounds
    if 70 <= x0 <= x1 <= 140 and 0 <= y0 <= y1 <= 56:
        return Msg("bnd.hint.degrees")
    zone = int(x0 // 1_000_000)
    if 1e6 <= y0 <= 6.5e6 and zone == int(x1 // 1_000_000):
        if 25 <= zone <= 45:
            return Msg("bnd.hint.zone", {"width": 3, "zone": zone, "epsg": 4513 + zone - 25})
        if 13 <= zone <= 23:
            return Msg("bnd.hint.zone", {"width": 6, "zone": zone, "epsg": 4491 + zone - 13})
        if zone == 0:
            return Msg("bnd.hint.no_zone")
    return None


def _in_china(bounds) -> bool:
    x0, y0, x1, y1 = bounds
    return all(math.isfinite(v) for v in bounds) and 73 <= x0 <= x1 <= 136 and 3 <= y0 <= y1 <= 54


def to_wgs84(df: gpd.GeoDataFrame, crs: CRS, label: str, label_crs: str, gcj02: bool
              ) -> tuple[np.ndarray, list[str | None], np.ndarray]:
    """Geometries repaired in the source CRS, then in WGS-84 (GCJ-02 undone if asked): (geometries, per-feature
    problem or None, mask of usable geometries).  Raises when most features land outside China."""
    n = len(df)
    geoms, problems = _repair(np.asarray(df.geometry.values, dtype=object))
    gs = gpd.GeoSeries(geoms, crs=crs)
    if not crs.equals(CRS.from_epsg(4326)):
        try:
            gs = gs.to_crs(4326)
        except Exception as e:
            raise _err(label, "bnd.e.reproject", crs=label_crs, err=str(e)) from e
    wgs = np.asarray(gs.values, dtype=object)
    if gcj02:
        present = ~shapely.is_missing(wgs)
        wgs[present] = geometry_gcj02_to_wgs84(wgs[present])
    present = ~shapely.is_missing(wgs)
    if present.any():
        bad = present.copy()
        bad[present] = ~shapely.is_valid(wgs[present])
        for i in np.flatnonzero(bad):
            wgs[i] = polygonal(shapely.make_valid(wgs[i]))
            if wgs[i] is None:
                problems[i] = "invalid_geometry"
        present = ~shapely.is_missing(wgs)
        outside = np.zeros(n, dtype=bool)
        outside[present] = [not _in_china(b) for b in shapely.bounds(wgs[present])]
        # a stray feature is rejected on its own; most features outside China means the CRS is wrong
        for i in np.flatnonzero(outside):
            problems[i] = "outside_china"
        if outside.sum() * 2 > present.sum():
            hint = _crs_hint(tuple(df.total_bounds)) or Msg("bnd.hint.check_prj")
            raise _err(label, "bnd.e.outside_china", crs=label_crs, hint=hint)
    return wgs, problems, ~shapely.is_missing(wgs)


def source_crs_of(df: gpd.GeoDataFrame, source_crs: object, gcj02: bool, label: str
                  ) -> tuple[gpd.GeoDataFrame, CRS]:
    """The frame with its CRS: the one given, else the file's (GCJ-02 lon/lat when so told); refused when none."""
    if source_crs is not None:
        crs = _parse_crs(source_crs, label)
        df = df.set_crs(crs, allow_override=True)
    elif df.crs is None:
        if gcj02:
            df = df.set_crs("EPSG:4326")
        else:
            hint = _crs_hint(tuple(df.total_bounds))
            raise _err(label, "bnd.e.no_crs_hint", hint=hint) if hint else _err(label, "bnd.e.no_crs")
    return df, CRS.from_user_input(df.crs)
