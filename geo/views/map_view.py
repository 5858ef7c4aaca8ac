"""What a map view shows for a scope and a date: the glue between the store, the coverage rules and the map.

Both the app and ``python -m geo map`` call :func:`map_view`, so the page and the shared HTML file agree.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from functools import lru_cache

import pandas as pd

from geo.auth.access import OPEN, Principal, scoped
from geo.core.codes import Scope
from geo.core.coverage import DEFAULT_EXPIRING_DAYS, NO_DATA, Counts
from geo.core.dates import as_date
from geo.core.feedback import village_status, window_period
from geo.core.ranking import rank_units
from geo.core.service_rule import DEFAULT_SERVICE, ServiceSettings
from geo.store import Store
from geo.text.catalogue import level_label, t
from geo.text.formats import day, period_text

#: the display tier holding the shapes of each child level (see geo.outputs.outlines.TIERS)
TIER_OF_CHILD_LEVEL = {1: "national", 2: "province", 3: "city", 4: "county", 5: "township"}
#: provinces with outlines but no statistical codes in the registry
EXTRA_NAMES = {"710000000000": "台湾省", "810000000000": "香港特别行政区", "820000000000": "澳门特别行政区"}


@dataclass
class MapView:
    scope: Scope
    as_of: dt.date
    child_level: int | None
    mode: str                       # 'rate' (units coloured by coverage) or 'status' (villages by status)
    features: dict                  # GeoJSON FeatureCollection
    table: pd.DataFrame             # the figures behind the map, one row per child unit or village
    missing: list[str] = field(default_factory=list)   # names of units with no boundary to draw
    schematic: bool = False
    focus: str | None = None        # the village a village-level scope asked for, shown on its township's map
    # 'coverage' (contracts) or 'served' (effective service): geo.outputs.folium_map.LAYERS
    layer: str = "coverage"

    @property
    def drawn(self) -> int:
        return len(self.features["features"])


def _clean(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value


def _village_props(row, lang: str) -> dict:
    # a principal who may not see phones gets a table whose phones are blank (map_view)
    return {"code": row.code, "name": row.name, "status": row.status, "adviser": _clean(row.advisers),
            "org": _clean(row.orgs), "phone": _clean(row.phones),
            "period": period_text(row.contract_start, row.contract_end, lang) or None}


def _served_village_props(row, lang: str) -> dict:
    return {**_village_props(row, lang), "status": row.service_status,
            "last_onsite": None if pd.isna(row.last_onsite) else day(row.last_onsite)}


def _unit_props(row) -> dict:
    # a unit without a single contract on record has no data yet (not imported), not 0 %
    return {"code": row.code, "name": row.name,
            "rate": round(float(row.coverage_rate), 4) if row.has_data else None,
            "n_villages": int(row.villages), "n_covered": int(row.covered), "n_expiring": int(row.expiring),
            "n_lapsed": int(row.lapsed), "n_never": int(row.never)}


def _served_unit_props(row) -> dict:
    # no contract or no service log on record: no served rate (无服务记录), not 0 %
    return {"code": row.code, "name": row.name,
            "rate": round(float(row.served_rate), 4) if row.has_data and row.has_service_data else None,
            "n_villages": int(row.villages), "n_covered": int(row.covered), "n_served": int(row.served),
            "n_nominal": int(row.nominal)}


def _share(value) -> str | None:
    return None if value is None or pd.isna(value) else f"{float(value) * 100:.0f}%"


def _feedback_unit_props(row) -> dict:
    # no response in the period: no satisfaction (无村民反馈), never 0
    return {"code": row.code, "name": row.name,
            "rate": None if pd.isna(row.satisfaction_mean) else round(float(row.satisfaction_mean), 2),
            "n_villages": int(row.villages), "n_responses": int(row.responses), "reached": _share(row.reached_share),
            "n_never_seen": int(row.never_seen), "n_never_seen_villages": int(row.never_seen_villages)}


def _feedback_village_props(row, lang: str) -> dict:
    return {"code": row.code, "name": row.name, "status": _clean(row.feedback_status),
            "satisfaction": None if pd.isna(row.satisfaction_mean) else f"{float(row.satisfaction_mean):.1f}",
            "n_responses": int(row.responses), "reached": _share(row.reached_share),
            "n_never_seen": int(row.never_seen), "adviser": _clean(row.advisers),
            "last_onsite": None if pd.isna(row.last_onsite) else day(row.last_onsite)}


#: the feature properties of each layer: (units, villages)
_PROPS = {"coverage": (lambda row, lang: _unit_props(row), _village_props),
          "served": (lambda row, lang: _served_unit_props(row), _served_village_props),
          "feedback": (lambda row, lang: _feedback_unit_props(row), _feedback_village_props)}


def _with_feedback(store: Store, table: pd.DataFrame, scope: Scope, as_of: dt.date, level: int,
                   service: ServiceSettings) -> pd.DataFrame:
    """`table` (the coverage summary of units, or the villages' statuses) with the feedback figures of the
    period ending on `as_of` (geo.core.feedback) beside it; villages also get their feedback status."""
    period = window_period(as_of, service)
    if level < 5:
        units = store.feedback_summary(scope, period, by=level).drop(columns=["name", "villages"])
        return table.merge(units, on="code", how="left")
    villages = store.village_feedback(scope, period).drop(columns=["name", "township"])
    out = table.merge(villages, on="code", how="left")
    for col in ("responses", "never_seen", "duplicates", "satisfaction_answers", "reached", "reached_answers"):
        out[col] = out[col].fillna(0).astype("int64")
    out["feedback_status"] = [village_status(n, mean, never, served == "served")
                              for n, mean, never, served in zip(out["responses"], out["satisfaction_mean"],
                                                                out["never_seen"], out["service_status"])]
    return out


def map_view(store: Store, scope: Scope, as_of: dt.date, *, lang: str = "zh",
             expiring_days: int = DEFAULT_EXPIRING_DAYS, service: ServiceSettings = DEFAULT_SERVICE,
             layer: str = "coverage", principal: Principal = OPEN, units: pd.DataFrame | None = None) -> MapView:
    """Child units of `scope` coloured by coverage rate (or served rate on the ``served`` layer), or its villages
    coloured by status (or service status); a village is shown on its township's map, as
    :attr:`MapView.focus`.  `scope` is limited to the principal's jurisdiction, and phone numbers are left out
    for a principal who may not see them.  `units`: the store's summary of the child units for these arguments,
    when the caller has it already (the app keeps it for the summary page); read otherwise."""
    scope = scoped(principal, scope)
    if scope.level == 5:
        township = map_view(store, Scope(scope.digits[:9]), as_of, lang=lang, expiring_days=expiring_days,
                            service=service, layer=layer, principal=principal)
        return replace(township, focus=scope.code)
    level = store.child_level(scope)
    if level is None:
        return MapView(scope, as_of, None, "rate", {"type": "FeatureCollection", "features": []},
                       pd.DataFrame(), layer=layer)
    tier = TIER_OF_CHILD_LEVEL[level]
    shapes = store.shapes_under(scope, tier).set_index("code")
    unit_props, village_props = _PROPS[layer]
    if level == 5:
        mode, table = "status", store.village_statuses(scope, as_of, expiring_days=expiring_days, service=service)
        if layer == "feedback":
            table = _with_feedback(store, table, scope, as_date(as_of), level, service)
        if not principal.sees_contacts:
            table = table.assign(phones=None)
        props = [village_props(row, lang) for row in table.itertuples(index=False)]
    else:
        mode, table = "rate", (units if units is not None and scope.level < 5 else
                               store.summary(scope, as_of, by=level, expiring_days=expiring_days, service=service))
        if layer == "feedback":
            table = _with_feedback(store, table, scope, as_date(as_of), level, service)
        props = [unit_props(row, lang) for row in table.itertuples(index=False)]
        # outlines with no registry villages (台湾, 香港, 澳门 on a national map) are drawn as no data
        props += [{"code": code, "name": EXTRA_NAMES.get(code) or store.scope_name(Scope.parse(code)),
                   "rate": None} for code in shapes.index.difference(pd.Index(table["code"]))]
    features = [{"type": "Feature", "properties": {**p, "schematic": bool(shapes.at[p["code"], "schematic"])},
                 "geometry": json.loads(shapes.at[p["code"], "geojson"])}
                for p in props if p["code"] in shapes.index]
    drawn = {f["properties"]["code"] for f in features}
    missing = [n for c, n in zip(table["code"], table["name"]) if c not in drawn]
    return MapView(scope, as_of, level, mode, {"type": "FeatureCollection", "features": features}, table,
                   missing, any(f["properties"]["schematic"] for f in features), layer=layer)


def map_title(store: Store, view: MapView, lang: str = "zh") -> str:
    name = store.scope_name(view.scope) if view.scope.digits else t("level.0", lang)
    unit = level_label(view.child_level, lang) if view.child_level else ""
    return f"{name} · {unit} · {view.as_of.isoformat()}"


def drill_target(view: MapView, clicked: dict | None) -> Scope | None:
    """The scope to open after a click on the map: a child unit of a coverage-rate map (None: stay)."""
    if not clicked or view.mode != "rate":
        return None
    code = ((clicked.get("properties") or {}).get("code")) or ""
    if code not in set(view.table.get("code", [])):
        return None
    return Scope.parse(code)


@dataclass(frozen=True)
class Headline:
    """What the map page's first line says."""

    counts: Counts              # the figures line: over the units with data on a coverage-rate map
    no_data_units: int          # child units without a contract on record, left out of `counts`
    village_focus: bool         # a village's link: the line names the village and its township instead


def headline(view: MapView, totals: Counts, has_map: bool) -> Headline:
    """The map page's first line for `view`, whose scope has the village counts `totals`."""
    if view.mode == "rate" and len(view.table):     # as on the summary: units without data are not counted
        ranking = rank_units(view.table)
        return Headline(ranking.headline(totals), len(ranking.no_data), False)
    return Headline(totals, 0, bool(view.focus and has_map))


#: what a view without shapes of its child units says, by child level (a county shows its own outline)
_NO_GEOMETRY_NOTICE = {4: "map.no_geoms_county", 5: "map.no_geoms_town"}


def geometry_notice(view: MapView, has_map: bool) -> str | None:
    """The catalogue key of what the map page says when the view's units cannot be drawn, or None.

    Its values are the scope's name (``name``) and the child level's label (``unit``).  `has_map` is false
    when not even the scope's own outline can be drawn: the page then shows this notice instead of a map.
    """
    if view.drawn:
        return None
    return _NO_GEOMETRY_NOTICE.get(view.child_level) or (None if has_map else "map.no_geoms_town")


def outline_view(store: Store, view: MapView) -> dict:
    """The scope's own outline, coloured by its own coverage, for a unit whose parts have no boundaries yet."""
    scope = view.scope
    tier = TIER_OF_CHILD_LEVEL.get(scope.level, "city")
    shapes = store.shapes([scope.code], tier)
    rate, table = None, view.table
    if len(table) and "status" in table:        # a township's villages
        covered, villages = int(table["status"].isin(["covered", "expiring"]).sum()), len(table)
        data = bool((table["status"] != NO_DATA).any())       # its county decides (geo.core.coverage)
        served = int((table["service_status"] == "served").sum())
        service_data = bool((table["service_status"] != "no_data").any() and covered)
    elif len(table):                            # units of a county or above
        with_data = table[table["has_data"].astype(bool)]     # the units' figures count these only
        covered, villages, served = (int(with_data[c].sum()) for c in ("covered", "villages", "served"))
        data = bool(len(with_data))
        service_data = bool(table["has_service_data"].any())
    else:
        covered = villages = served = 0
        data = service_data = False
    shown = {"coverage": (covered, True), "served": (served, service_data)}.get(view.layer, (0, False))
    if view.layer == "feedback":
        rate = _mean_satisfaction(table)
    elif data and villages and shown[1]:
        rate = round(shown[0] / villages, 4)
    feats = [{"type": "Feature", "properties": {"code": r.code, "name": store.scope_name(scope), "rate": rate},
              "geometry": json.loads(r.geojson)} for r in shapes.itertuples(index=False)]
    return {"type": "FeatureCollection", "features": feats}


def _mean_satisfaction(table: pd.DataFrame) -> float | None:
    """The scope's mean satisfaction from its parts' means and answers (None: no answer)."""
    if not len(table) or "satisfaction_answers" not in table:
        return None
    answers = table["satisfaction_answers"].fillna(0)
    total = (table["satisfaction_mean"].fillna(0) * answers).sum()
    return round(float(total / answers.sum()), 2) if answers.sum() else None


def build_folium_map(store: Store, view: MapView, *, lang: str = "zh", inline: bool = False,
                     basemap=None, height: str | int = "100%"):
    from geo.outputs.folium_map import build_map  # imported here: start-up time (folium)

    features = view.features
    mode = view.mode
    if not features["features"]:
        features, mode = outline_view(store, view), "rate"
    # a map of the whole country must carry the national boundary lines (incl. the South China Sea line)
    lines = national_lines() if not view.scope.digits else None
    return build_map(features, mode=mode, lang=lang, inline=inline, basemap=basemap,
                     title=map_title(store, view, lang), height=height, lines=lines, layer=view.layer)


@lru_cache(maxsize=1)
def national_lines() -> dict:
    from geo.outputs.outlines import boundary_lines, to_feature_collection  # imported here: start-up time (geopandas)

    return to_feature_collection(boundary_lines(), decimals=2)


def standalone_map_html(store: Store, scope: Scope, as_of: dt.date, *, lang: str = "zh",
                        expiring_days: int = DEFAULT_EXPIRING_DAYS, basemap=None,
                        service: ServiceSettings = DEFAULT_SERVICE, layer: str = "coverage",
                        principal: Principal = OPEN) -> str:
    """The map as one HTML document with Leaflet inlined: opens offline, shareable by e-mail or USB stick.
    Limited to the principal's jurisdiction like every map."""
    from geo.outputs.folium_map import map_html  # imported here: start-up time (folium)

    view = map_view(store, scope, as_of, lang=lang, expiring_days=expiring_days, service=service, layer=layer,
                    principal=principal)
    return map_html(build_folium_map(store, view, lang=lang, inline=True, basemap=basemap))
