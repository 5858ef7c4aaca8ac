"""Which basemaps a deployment offers, from its configuration.

Default is none: outlines on a plain background, nothing fetched.  Others appear only when configured, from
environment variables or a settings mapping (the app passes ``st.secrets["basemap"]``):

=====================  ============================  ==================================================
setting                environment variable          meaning
=====================  ============================  ==================================================
``tianditu_key``       ``COVERAGE_TIANDITU_KEY``     天地图 key (tk): offers Tianditu vector and imagery
``osm``                ``COVERAGE_OSM``              "true" offers OpenStreetMap (needs internet access)
``xyz_url``            ``COVERAGE_XYZ_URL``          an intranet tile server, ``https://host/{z}/{x}/{y}.png``
``xyz_name``           ``COVERAGE_XYZ_NAME``         its name in the picker
``xyz_gcj02``          ``COVERAGE_XYZ_GCJ02``        "true" when its tiles are GCJ-02 (Gaode and similar)
=====================  ============================  ==================================================

Keys are never hard-coded, and a key only reaches the page of a user who picks that basemap.
"""
from __future__ import annotations

import os
from typing import Mapping

from geo.outputs.folium_map import Basemap

KINDS = ("none", "tianditu_vec", "tianditu_img", "osm", "xyz")
ENV = {"tianditu_key": "COVERAGE_TIANDITU_KEY", "osm": "COVERAGE_OSM", "xyz_url": "COVERAGE_XYZ_URL",
       "xyz_name": "COVERAGE_XYZ_NAME", "xyz_gcj02": "COVERAGE_XYZ_GCJ02"}


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def settings_from(secrets: Mapping | None = None, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Settings from `secrets` (wins) and the environment."""
    environ = os.environ if environ is None else environ
    out = {name: environ[var] for name, var in ENV.items() if environ.get(var)}
    for name in ENV:
        if secrets and secrets.get(name) not in (None, ""):
            out[name] = str(secrets.get(name))
    return out


def available(settings: Mapping[str, str]) -> dict[str, Basemap]:
    """The basemaps this deployment offers, in picker order; always starts with 'none'."""
    out = {"none": Basemap()}
    key = settings.get("tianditu_key")
    if key:
        out["tianditu_vec"] = Basemap("tianditu_vec", key=key)
        out["tianditu_img"] = Basemap("tianditu_img", key=key)
    if _truthy(settings.get("osm", "")):
        out["osm"] = Basemap("osm")
    url = settings.get("xyz_url")
    if url:
        out["xyz"] = Basemap("xyz", url=url, gcj02=_truthy(settings.get("xyz_gcj02", "")),
                             attribution=settings.get("xyz_name") or None)
    return out


def choose(kind: str | None, settings: Mapping[str, str]) -> Basemap:
    """The basemap named in a link (`kind`), or none when that kind is not configured here."""
    return available(settings).get(kind or "none", Basemap())
