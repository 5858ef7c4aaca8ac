"""The one home of distances and centres on the Earth, and of where an adviser is.

Kilometres between points given as longitude and latitude (WGS-84) are great-circle distances on a sphere of the
mean Earth radius; at county and province scale this differs from the ellipsoid by well under 0.5 %, far less
than what a village's representative point stands for.  Points are also turned into 3-D unit vectors: a centre
is the direction of their sum (right at any scale, unlike a mean of degrees), and a KD-tree can find the nearest
advisers by the straight-line (chord) distance between unit vectors, which grows with the great-circle distance.

Where an adviser is (:func:`locate_advisers`) is decided here once, for the gap plan (geo.planning) and the
adviser page (geo.views.advisers) alike; each location says what it stands for (``location_kind``), first that
applies:

* ``base``          - the base the ledger or a later edit gave (advisers.lon / lat);
* ``villages``      - the centre of the villages they serve on the day (as placed by the caller);
* ``last_villages`` - for one who serves none on the day: the centre of the villages of their last contract;
* ``none``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: mean Earth radius (IUGG), km
EARTH_RADIUS_KM = 6371.0088

ADVISER_KINDS = ("base", "villages", "last_villages", "none")


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


def centres(keys: pd.Series, lon: pd.Series, lat: pd.Series) -> pd.DataFrame:
    """lon, lat of the spherical centre of the points of each key (index: the keys)."""
    vec = pd.DataFrame(unit_vectors(lon, lat), columns=["x", "y", "z"], index=keys.index)
    summed = vec.groupby(keys.to_numpy()).sum()
    c_lon, c_lat = lonlat_of(summed.to_numpy())
    return pd.DataFrame({"lon": c_lon, "lat": c_lat}, index=summed.index)


def located(index: pd.Index, lon, lat, kind: str) -> pd.DataFrame:
    """A frame of located points: lon, lat and their location_kind (index: what they locate)."""
    return pd.DataFrame({"lon": np.asarray(lon, dtype="float64"), "lat": np.asarray(lat, dtype="float64"),
                         "location_kind": kind}, index=index)


def fill(out: pd.DataFrame, keys: pd.Series, found: pd.DataFrame, kind: str) -> None:
    """Place the rows of `out` not placed yet (kind ``none``) at the point of their key, where `found` has one."""
    todo = (out["location_kind"] == "none") & keys.isin(found.index)
    hit = keys[todo]
    out.loc[hit.index, "lon"] = found.loc[hit.to_numpy(), "lon"].to_numpy()
    out.loc[hit.index, "lat"] = found.loc[hit.to_numpy(), "lat"].to_numpy()
    out.loc[hit.index, "location_kind"] = kind


def locate_advisers(advisers: pd.DataFrame, served: pd.DataFrame, village_points: pd.DataFrame) -> pd.DataFrame:
    """One row per adviser (index: adviser_id): lon, lat, location_kind (:data:`ADVISER_KINDS`).

    `advisers` has adviser_id, lon, lat (NaN: no base); `served` adviser_id, village, current (the villages
    served on the day, or for one who serves none, those of their last contract); `village_points` lon, lat,
    location_kind of the villages (index: code; kind ``none``: not placed).
    """
    ids = pd.Index(advisers["adviser_id"].to_numpy())
    based = advisers["lon"].notna().to_numpy() & advisers["lat"].notna().to_numpy()
    out = located(ids, advisers["lon"].where(based), advisers["lat"].where(based), "none")
    out.loc[based, "location_kind"] = "base"
    known = served[served["village"].isin(village_points.index[village_points["location_kind"] != "none"])]
    for current, kind in ((True, "villages"), (False, "last_villages")):
        rows = known[known["current"] == current]
        pts = village_points.loc[rows["village"].to_numpy()]
        keys = pd.Series(rows["adviser_id"].to_numpy(), index=pts.index)
        found = centres(keys, pts["lon"], pts["lat"]) if len(rows) else pd.DataFrame({"lon": [], "lat": []})
        fill(out, pd.Series(ids, index=ids), found, kind)
    return out
