"""GCJ-02 <-> WGS-84, checked against fast_geocn's independent scalar implementation."""
from __future__ import annotations

import numpy as np
import shapely
from fast_geocn import coord as reference
from shapely.geometry import MultiPolygon, Polygon

from geo.core.gcj02 import (
    gcj02_to_wgs84,
    geometry_gcj02_to_wgs84,
    geometry_wgs84_to_gcj02,
    out_of_china,
    wgs84_to_gcj02,
)

RNG = np.random.default_rng(20261127)
LON = RNG.uniform(74, 134, 500)
LAT = RNG.uniform(18, 53, 500)


def test_forward_matches_reference_implementation():
    glon, glat = wgs84_to_gcj02(LON, LAT)
    ref = np.array([reference.wgs84_to_gcj02(float(x), float(y)) for x, y in zip(LON, LAT)])
    assert np.abs(glon - ref[:, 0]).max() < 1e-9 and np.abs(glat - ref[:, 1]).max() < 1e-9
    shift_m = np.hypot((glon - LON) * 111_320 * np.cos(np.radians(LAT)), (glat - LAT) * 110_574)
    assert 50 < np.median(shift_m) < 1000  # the familiar offset of some hundred metres


def test_inverse_round_trip_below_a_micro_degree():
    glon, glat = wgs84_to_gcj02(LON, LAT)
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert np.abs(wlon - LON).max() < 1e-6 and np.abs(wlat - LAT).max() < 1e-6
    ref = np.array([reference.gcj02_to_wgs84(float(x), float(y)) for x, y in zip(glon, glat)])
    assert np.abs(wlon - ref[:, 0]).max() < 1e-6 and np.abs(wlat - ref[:, 1]).max() < 1e-6


def test_scalars_and_outside_china():
    lon, lat = wgs84_to_gcj02(116.391, 39.907)
    assert np.ndim(lon) == 0 and abs(float(lon) - 116.391) > 1e-4
    assert out_of_china(2.35, 48.85) and not out_of_china(108.2, 34.1)
    x, y = wgs84_to_gcj02(np.array([2.35, -74.0]), np.array([48.85, 40.7]))
    assert np.array_equal(x, [2.35, -74.0]) and np.array_equal(y, [48.85, 40.7])
    x, y = gcj02_to_wgs84(np.array([2.35]), np.array([48.85]))
    assert x[0] == 2.35 and y[0] == 48.85
    assert gcj02_to_wgs84(np.array([]), np.array([]))[0].shape == (0,)


def test_geometries_keep_structure_and_round_trip():
    square = Polygon([(108.1, 34.0), (108.2, 34.0), (108.2, 34.1), (108.1, 34.1)],
                     holes=[[(108.12, 34.02), (108.14, 34.02), (108.14, 34.04)]])
    multi = MultiPolygon([square, Polygon([(108.3, 34.0), (108.4, 34.0), (108.4, 34.1)])])
    moved = geometry_wgs84_to_gcj02(multi)
    assert moved.geom_type == "MultiPolygon" and len(moved.geoms[0].interiors) == 1
    assert not moved.equals_exact(multi, 1e-4)
    back = geometry_gcj02_to_wgs84(moved)
    assert back.equals_exact(multi, 1e-6)
    arr = geometry_gcj02_to_wgs84(np.array([moved, moved.geoms[1]], dtype=object))
    assert shapely.equals_exact(arr[1], multi.geoms[1], 1e-6)
