"""Phase 3 of the briefing: the map and the trend as PNG images, drawn with matplotlib (Agg, no screen, no
network, no tiles).

The map is the web map on paper: the same rate classes and status colours, the same outline, the same hatched
no-data fill and dashed schematic (示意) cells, all taken from :mod:`geo.outputs.folium_map`; its shapes are the stored
display shapes of :func:`geo.views.map_view.map_view`.  It adds what paper needs: a legend, a scale bar and a north
arrow.
"""
from __future__ import annotations

import io
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - after the backend is chosen
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.patches import Patch, PathPatch  # noqa: E402
from matplotlib.path import Path  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402
from shapely.geometry import shape  # noqa: E402
from shapely.geometry.polygon import orient  # noqa: E402

from geo.briefing.fonts import cjk_fonts  # noqa: E402
from geo.outputs import folium_map as web  # noqa: E402
from geo.text.catalogue import t  # noqa: E402
from geo.views.map_view import MapView, national_lines  # noqa: E402

DPI = 200
#: the web map's no-data pattern (a light fill with darker 45° stripes) and its outline, as matplotlib styles
NODATA_FILL, NODATA_STRIPES = "#eeeeee", "#a6a6a6"
OUTLINE = web._BASE_STYLE["color"]
OUTLINE_WIDTH = 0.5
#: "4 3" (SVG dash array) as a matplotlib dash pattern
SCHEMATIC_DASH = (0, tuple(float(x) for x in web._SCHEMATIC_DASH.split()))
NICE_STEPS = (1, 2, 5)
#: shapes are simplified to 1/SIMPLIFY_PARTS of the map's extent: finer than a printed line at 200 dpi
SIMPLIFY_PARTS = 2000


def _use_cjk_font() -> None:
    faces = cjk_fonts()
    for role in ("sans", "serif"):
        font_manager.fontManager.addfont(str(faces[role].path))
    plt.rcParams["font.family"] = [faces["sans"].family, faces["serif"].family]
    plt.rcParams["axes.unicode_minus"] = False


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return buf.getvalue()


def fill_of(props: dict, mode: str) -> str | None:
    """The web map's fill colour of a feature; None = no data (hatched)."""
    if mode == "rate":
        found = web.rate_class(props.get("rate"))
        return found.colour if found else None
    return web.STATUS_COLOURS.get(props.get("status") or "")


def outline_path(geometry: dict, tolerance: float) -> Path | None:
    """A GeoJSON (multi)polygon as one compound path (islands and holes included), simplified to what the print
    shows; one path per unit keeps a national map of a thousand islands quick to draw."""
    geom = shape(geometry).simplify(tolerance, preserve_topology=True)
    # matplotlib fills by the winding rule: a hole is a hole when it runs against its exterior
    polygons = [orient(part) for part in getattr(geom, "geoms", [geom])
                if part.geom_type == "Polygon" and not part.is_empty]
    rings = [ring for part in polygons for ring in (part.exterior, *part.interiors)]
    if not rings:
        return None
    vertices = np.concatenate([np.asarray(ring.coords) for ring in rings])
    codes = np.concatenate([[Path.MOVETO] + [Path.LINETO] * (len(ring.coords) - 2) + [Path.CLOSEPOLY]
                            for ring in rings])
    return Path(vertices, codes)


def _draw_feature(ax, feature: dict, mode: str, tolerance: float) -> None:
    props = feature.get("properties") or {}
    colour = fill_of(props, mode)
    style = {"edgecolor": OUTLINE, "linewidth": OUTLINE_WIDTH,
             "linestyle": SCHEMATIC_DASH if props.get("schematic") else "solid"}
    path = outline_path(feature["geometry"], tolerance)
    if path is None:
        return
    if colour is None:
        ax.add_patch(PathPatch(path, facecolor=NODATA_FILL, hatch="////", hatchcolor=NODATA_STRIPES, **style))
    else:
        ax.add_patch(PathPatch(path, facecolor=colour, **style))


def _legend_handles(mode: str, lang: str, schematic: bool) -> list[Patch]:
    words = web.text(lang)
    entries = ([(c.colour, words[c.key]) for c in reversed(web.RATE_CLASSES)] if mode == "rate"
               else [(colour, words[key]) for key, colour in web.STATUS_COLOURS.items()])
    handles = [Patch(facecolor=colour, edgecolor=OUTLINE, linewidth=OUTLINE_WIDTH, label=label)
               for colour, label in entries]
    handles.append(Patch(facecolor=NODATA_FILL, hatch="////", hatchcolor=NODATA_STRIPES, edgecolor=OUTLINE,
                         linewidth=OUTLINE_WIDTH, label=words["nodata"]))
    if schematic:
        handles.append(Patch(facecolor="white", edgecolor=OUTLINE, linewidth=1, linestyle=SCHEMATIC_DASH,
                             label=words["schematic"]))
    return handles


def nice_length(km: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above `km` (the scale bar's length)."""
    if km <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(km))
    return max(step * power for step in NICE_STEPS if step * power <= km)


def _scale_bar(ax, bounds: tuple[float, float, float, float], lang: str) -> None:
    """A bar of a round length under the map's lower left corner (x in degrees at the map's middle latitude,
    y below the drawing, where no shape can hide it)."""
    w, s, e, n = bounds
    km_per_degree = 111.32 * math.cos(math.radians((s + n) / 2))
    length_km = nice_length((e - w) * km_per_degree / 4)
    if not length_km:
        return
    x0, dx = w, length_km / km_per_degree
    below = ax.get_xaxis_transform()          # x in data, y in axes fractions
    ax.plot([x0, x0 + dx], [-0.03, -0.03], color="black", linewidth=2.5, solid_capstyle="butt", transform=below,
            clip_on=False)
    ax.plot([x0, x0 + dx / 2], [-0.03, -0.03], color="white", linewidth=1.2, solid_capstyle="butt",
            transform=below, clip_on=False)
    for x, label in ((x0, "0"), (x0 + dx, f"{length_km:g} {t('brief.map_km', lang)}")):
        ax.text(x, -0.045, label, ha="center", va="top", fontsize=7, transform=below, clip_on=False)


def _north_arrow(ax, lang: str) -> None:
    """An arrow pointing up (the map is drawn north up), beside the map under the legend."""
    ax.annotate(t("brief.map_north", lang), xy=(1.06, 0.22), xytext=(1.06, 0.06), xycoords="axes fraction",
                ha="center", va="top", fontsize=9, fontweight="bold", annotation_clip=False,
                arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.2})


def _draw_lines(ax, lines: dict) -> None:
    for feature in lines.get("features", []):
        geom = shape(feature["geometry"])
        for part in getattr(geom, "geoms", [geom]):
            if part.geom_type == "LineString":
                xs, ys = part.xy
                ax.plot(xs, ys, color="#6b6b6b", linewidth=0.5)


def map_png(view: MapView, lang: str) -> bytes | None:
    """The view's features as a static map; None when it has none to draw."""
    features = view.features
    bounds = web.features_bounds(features)
    if not features["features"] or bounds is None:
        return None
    _use_cjk_font()
    w, s, e, n = bounds
    tolerance = max(e - w, n - s) / SIMPLIFY_PARTS
    fig, ax = plt.subplots(figsize=(6.3, 5.2))
    for feature in features["features"]:
        _draw_feature(ax, feature, view.mode, tolerance)
    if not view.scope.digits:     # a map of the whole country carries its boundary lines (South China Sea)
        _draw_lines(ax, national_lines())
    pad_x, pad_y = (e - w) * 0.03, (n - s) * 0.03
    ax.set_xlim(w - pad_x, e + pad_x)
    ax.set_ylim(s - pad_y, n + pad_y)
    ax.set_aspect(1 / math.cos(math.radians((s + n) / 2)))
    ax.set_axis_off()
    _scale_bar(ax, (w - pad_x, s - pad_y, e + pad_x, n + pad_y), lang)
    _north_arrow(ax, lang)
    schematic = any((f.get("properties") or {}).get("schematic") for f in features["features"])
    ax.legend(handles=_legend_handles(view.mode, lang, schematic), title=web.text(lang)["legend_" + view.mode],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, title_fontsize=8, frameon=False)
    return _png(fig)


def trend_png(trend: pd.DataFrame, lang: str) -> bytes:
    """The coverage rate at each month end, as a line."""
    _use_cjk_font()
    fig, ax = plt.subplots(figsize=(6.3, 2.8))
    rate = trend["coverage_rate"] * 100
    ax.plot(range(len(trend)), rate, color=web.RATE_CLASSES[-1].colour, marker="o", markersize=2.5, linewidth=1.4)
    ax.set_xticks(range(len(trend)), trend["month"], rotation=60, fontsize=6.5)
    ax.set_ylim(max(0.0, float(rate.min()) - 5), 100)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if len(trend):
        ax.annotate(f"{rate.iloc[-1]:.1f}%", (len(trend) - 1, rate.iloc[-1]), textcoords="offset points",
                    xytext=(0, 6), ha="center", fontsize=7)
    return _png(fig)
