"""Where villages and advisers are, and how each place was found (``location_kind``).

A distance is only as good as its two ends, so every location says what it stands for:

villages, first that applies:
* ``boundary``  - the representative point of the village's own boundary (always inside it);
* ``schematic`` - the same, of a schematic (示意) cell drawn for the demo: not a real place;
* ``township``  - the centre of the township's villages placed by a boundary;
* ``county``    - the representative point of the county's outline;
* ``none``      - nothing known: the village cannot be planned.

advisers, first that applies:
* ``base``          - the base the ledger or a later edit gave (advisers.lon / lat);
* ``villages``      - the centre of the villages they serve on the day (placed as above);
* ``last_villages`` - for one who serves none on the day: the centre of the villages of their last contract;
* ``none``.

Centres are taken on the sphere (mean of unit vectors), which is right at any scale.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geo.planning.distance import lonlat_of, unit_vectors

VILLAGE_KINDS = ("boundary", "schematic", "township", "county", "none")
ADVISER_KINDS = ("base", "villages", "last_villages", "none")
#: the location kinds that stand for a real place of the village itself
EXACT_VILLAGE_KINDS = ("boundary",)


def _points(index: pd.Index, lon, lat, kind: str) -> pd.DataFrame:
    return pd.DataFrame({"lon": np.asarray(lon, dtype="float64"), "lat": np.asarray(lat, dtype="float64"),
                         "location_kind": kind}, index=index)


def centres(keys: pd.Series, lon: pd.Series, lat: pd.Series) -> pd.DataFrame:
    """lon, lat of the spherical centre of the points of each key (index: the keys)."""
    vec = pd.DataFrame(unit_vectors(lon, lat), columns=["x", "y", "z"], index=keys.index)
    summed = vec.groupby(keys.to_numpy()).sum()
    c_lon, c_lat = lonlat_of(summed.to_numpy())
    return pd.DataFrame({"lon": c_lon, "lat": c_lat}, index=summed.index)


def _boundary_points(geoms: pd.DataFrame) -> pd.DataFrame:
    if geoms.empty:
        return _points(pd.Index([], dtype=object), [], [], "boundary")
    points = shapely.point_on_surface(shapely.from_wkb(geoms["geom"].to_numpy()))
    out = _points(pd.Index(geoms["code"].to_numpy(dtype=object)), shapely.get_x(points), shapely.get_y(points),
                  "boundary")
    out.loc[geoms["schematic"].to_numpy(dtype=bool), "location_kind"] = "schematic"
    return out


def _outline_points(outlines: pd.DataFrame) -> pd.DataFrame:
    if outlines.empty:
        return pd.DataFrame({"lon": [], "lat": []}, index=pd.Index([], dtype=object))
    points = shapely.point_on_surface(shapely.from_geojson(outlines["geojson"].to_numpy()))
    return pd.DataFrame({"lon": shapely.get_x(points), "lat": shapely.get_y(points)},
                        index=pd.Index(outlines["code"].to_numpy(dtype=object)))


def locate_villages(villages: pd.DataFrame, geoms: pd.DataFrame, county_outlines: pd.DataFrame) -> pd.DataFrame:
    """One row per village of `villages` (index: code): lon, lat, location_kind (:data:`VILLAGE_KINDS`).

    `villages` has code, township_code, county_code; `geoms` code, geom (WKB), schematic; `county_outlines`
    code, geojson.
    """
    codes = pd.Index(villages["code"].to_numpy(dtype=object))
    out = _points(codes, np.nan, np.nan, "none")
    own = _boundary_points(geoms[geoms["code"].isin(codes)])
    out.loc[own.index] = own
    placed = out["location_kind"] != "none"
    towns = pd.Series(villages["township_code"].to_numpy(dtype=object), index=codes)
    town_centres = centres(towns[placed], out.loc[placed, "lon"], out.loc[placed, "lat"])
    _fill(out, towns, town_centres, "township")
    counties = pd.Series(villages["county_code"].to_numpy(dtype=object), index=codes)
    _fill(out, counties, _outline_points(county_outlines), "county")
    return out


def _fill(out: pd.DataFrame, keys: pd.Series, points: pd.DataFrame, kind: str) -> None:
    """Place the rows of `out` not placed yet at the point of their key, where `points` has one."""
    todo = (out["location_kind"] == "none") & keys.isin(points.index)
    hit = keys[todo]
    out.loc[hit.index, "lon"] = points.loc[hit.to_numpy(), "lon"].to_numpy()
    out.loc[hit.index, "lat"] = points.loc[hit.to_numpy(), "lat"].to_numpy()
    out.loc[hit.index, "location_kind"] = kind


def locate_advisers(advisers: pd.DataFrame, served: pd.DataFrame, village_points: pd.DataFrame) -> pd.DataFrame:
    """One row per adviser (index: adviser_id): lon, lat, location_kind (:data:`ADVISER_KINDS`).

    `advisers` has adviser_id, lon, lat (NaN: no base); `served` adviser_id, village, current;
    `village_points` is :func:`locate_villages`' result.
    """
    ids = pd.Index(advisers["adviser_id"].to_numpy())
    based = advisers["lon"].notna().to_numpy() & advisers["lat"].notna().to_numpy()
    out = _points(ids, advisers["lon"].where(based), advisers["lat"].where(based), "none")
    out.loc[based, "location_kind"] = "base"
    known = served[served["village"].isin(village_points.index[village_points["location_kind"] != "none"])]
    for current, kind in ((True, "villages"), (False, "last_villages")):
        rows = known[known["current"] == current]
        pts = village_points.loc[rows["village"].to_numpy()]
        keys = pd.Series(rows["adviser_id"].to_numpy(), index=pts.index)
        found = centres(keys, pts["lon"], pts["lat"]) if len(rows) else pd.DataFrame({"lon": [], "lat": []})
        _fill(out, pd.Series(ids, index=ids), found, kind)
    return out
