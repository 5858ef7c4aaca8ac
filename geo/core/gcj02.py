"""GCJ-02 (火星坐标, used by Gaode/AMap and Tencent maps) <-> WGS-84, vectorised with numpy.

GCJ-02 is WGS-84 plus a deliberate, position-dependent offset of a few hundred metres inside mainland China.
The forward formula is the widely published one (Krasovsky ellipsoid constants); there is no closed-form
inverse, so :func:`gcj02_to_wgs84` iterates the forward formula until the round trip is below ``tol`` degrees.
Points outside the usual China bounding box are returned unchanged, as every implementation does.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import shapely

_A = 6378245.0                     # Krasovsky 1940 semi-major axis, as the formula expects
_EE = 0.00669342162296594323       # its first eccentricity squared


def _as_arrays(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def out_of_china(lon, lat) -> np.ndarray:
    """True where the point is outside the box in which the offset is applied."""
    lon, lat = _as_arrays(lon, lat)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 offset (dlon, dlat) in degrees at a WGS-84 position."""
    x = lon - 105.0
    y = lat - 35.0
    pi = np.pi
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * pi)
    outside = out_of_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Shift WGS-84 lon/lat (scalars or arrays) to GCJ-02, e.g. to draw layers on a Gaode basemap."""
    lon, lat = _as_arrays(lon, lat)
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon, lat, *, tol: float = 1e-9, max_iter: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Invert :func:`wgs84_to_gcj02` by fixed-point iteration (converges to ``tol`` degrees in a few steps)."""
    glon, glat = _as_arrays(lon, lat)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon, wlat = wlon - elon, wlat - elat
        if np.size(elon) == 0 or max(np.max(np.abs(elon)), np.max(np.abs(elat))) < tol:
            break
    return wlon, wlat


def _transform_geometry(geom, func: Callable) -> object:
    def coords(xy: np.ndarray) -> np.ndarray:
        x, y = func(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, coords)


def geometry_gcj02_to_wgs84(geom):
    """A shapely geometry (or array of them) in GCJ-02 lon/lat moved to WGS-84."""
    return _transform_geometry(geom, gcj02_to_wgs84)


def geometry_wgs84_to_gcj02(geom):
    """A shapely geometry (or array of them) in WGS-84 lon/lat moved to GCJ-02."""
    return _transform_geometry(geom, wgs84_to_gcj02)
