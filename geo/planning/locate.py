"""Where villages are, and how each place was found (``location_kind``); where advisers are is
:func:`geo.core.sphere.locate_advisers`, from the village points found here.

A distance is only as good as its two ends, so every location says what it stands for; villages, first that
applies:

* ``boundary``  - the representative point of the village's own boundary (always inside it);
* ``schematic`` - the same, of a schematic (示意) cell drawn for the demo: not a real place;
* ``township``  - the centre of the township's villages placed by a boundary;
* ``county``    - the representative point of the county's outline;
* ``none``      - nothing known: the village cannot be planned.

Centres are taken on the sphere (:func:`geo.core.sphere.centres`), which is right at any scale.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geo.core.sphere import centres, fill, located

VILLAGE_KINDS = ("boundary", "schematic", "township", "county", "none")
#: the location kinds that stand for a real place of the village itself
EXACT_VILLAGE_KINDS = ("boundary",)


def _boundary_points(geoms: pd.DataFrame) -> pd.DataFrame:
    if geoms.empty:
        return located(pd.Index([], dtype=object), [], [], "boundary")
    points = shapely.point_on_surface(shapely.from_wkb(geoms["geom"].to_numpy()))
    out = located(pd.Index(geoms["code"].to_numpy(dtype=object)), shapely.get_x(points), shapely.get_y(points),
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
    out = located(codes, np.nan, np.nan, "none")
    own = _boundary_points(geoms[geoms["code"].isin(codes)])
    out.loc[own.index] = own
    placed = out["location_kind"] != "none"
    towns = pd.Series(villages["township_code"].to_numpy(dtype=object), index=codes)
    town_centres = centres(towns[placed], out.loc[placed, "lon"], out.loc[placed, "lat"])
    fill(out, towns, town_centres, "township")
    counties = pd.Series(villages["county_code"].to_numpy(dtype=object), index=codes)
    fill(out, counties, _outline_points(county_outlines), "county")
    return out
