"""Great-circle distances, vectorised: kilometres between points given as longitude and latitude (WGS-84).

The sphere has the mean Earth radius; at county and province scale this differs from the ellipsoid by well
under 0.5 %, far less than what a village's representative point stands for.  Points are also turned into 3-D
unit vectors, so that a KD-tree can find the nearest advisers: the straight-line (chord) distance between unit
vectors grows with the great-circle distance, so the nearest by chord are the nearest on the sphere.
"""
from __future__ import annotations

import numpy as np

#: mean Earth radius (IUGG), km
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in km between (lon1, lat1) and (lon2, lat2), element-wise (degrees)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(x, dtype="float64")) for x in (lon1, lat1, lon2, lat2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def unit_vectors(lon, lat) -> np.ndarray:
    """(n, 3) unit vectors of points on the sphere."""
    lon, lat = np.radians(np.asarray(lon, dtype="float64")), np.radians(np.asarray(lat, dtype="float64"))
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def lonlat_of(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (degrees) of (n, 3) vectors, which need not be of unit length."""
    x, y, z = vectors[:, 0], vectors[:, 1], vectors[:, 2]
    return np.degrees(np.arctan2(y, x)), np.degrees(np.arctan2(z, np.hypot(x, y)))


def chord_of_km(km: float) -> float:
    """The unit-vector chord length of a great-circle distance of `km`."""
    return 2 * np.sin(min(km / EARTH_RADIUS_KM, np.pi) / 2)
