"""Coverage maps: nothing leaves the machine, one style function, legend, basemaps and the GCJ-02 shift."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pytest

from geo.core.gcj02 import wgs84_to_gcj02
from geo.outputs.assets import inline_leaflet
from geo.outputs.folium_map import (
    RATE_CLASSES,
    STATUS_COLOURS,
    Basemap,
    FeatureLayer,
    Legend,
    build_map,
    map_html,
    rate_class,
    text,
)
from geo.text import catalogue as i18n

REPO = Path(__file__).resolve().parents[1]
URL = re.compile(r"(?:https?:)?//[A-Za-z0-9{][^\s\"'<>)\\]*")
RATES = [None, 0.0, 0.3, 0.5999, 0.6, 0.79, 0.8, 0.9, 0.949, 19 / 20, 0.999, 1.0]
STATUSES = ["covered", "expiring", "lapsed", "never", None]


def grid(n: int, *, mode: str = "rate", schematic: bool = False, x0: float = 108.0, y0: float = 34.0) -> dict:
    """n square cells in rows of 50 near 周至, with rates or statuses cycling through every class."""
    feats = []
    for i in range(n):
        x, y = x0 + (i % 50) * 0.01, y0 + (i // 50) * 0.01
        ring = [[round(x, 5), round(y, 5)], [round(x + 0.01, 5), round(y, 5)], [round(x + 0.01, 5), round(y + 0.01, 5)],
                [round(x, 5), round(y + 0.01, 5)], [round(x, 5), round(y, 5)]]
        props = {"code": f"610124{100 + i // 900:03d}{200 + i % 900:03d}", "name": f"第{i}村委会"}
        if mode == "rate":
            props.update(rate=RATES[i % len(RATES)], n_villages=20, n_covered=10)
        else:
            props.update(status=STATUSES[i % len(STATUSES)], adviser="李四", org="某某律师事务所",
                         phone="13800000000", period="2025-01-01—2026-12-31")
        if schematic:
            props["schematic"] = True
        feats.append({"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "features": feats}


def page_without_vendor(html: str) -> str:
    js, css = inline_leaflet()
    return html.replace(js, "").replace(css, "")


def urls_in(html: str) -> set[str]:
    """Every absolute or protocol-relative URL: in src/href attributes, CSS url(...), JS strings and text."""
    html = html.replace("\\u0026", "&")       # folium escapes & inside JS strings
    found = set(URL.findall(html))
    for attr in re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html):
        if attr.startswith(("http:", "https:", "//")):
            found.add(attr)
    for ref in re.findall(r"url\(\s*['\"]?([^'\")]*)", html):
        if not ref.startswith(("data:", "#")):
            found.add(ref)
    return found


@pytest.mark.parametrize("inline", [False, True])
@pytest.mark.parametrize("mode", ["rate", "status"])
def test_no_url_leaves_the_machine_without_a_basemap(inline, mode):
    html = map_html(build_map(grid(40, mode=mode, schematic=True), mode=mode, inline=inline, title="周至县"))
    own = page_without_vendor(html)
    assert urls_in(own) == set()
    links = re.findall(r"""<(?:script|link)[^>]*(?:src|href)=["']([^"']+)""", own)
    if inline:
        assert links == []
        js, css = inline_leaflet()
        assert js in html and css in html
    else:
        assert sorted(links) == ["/app/static/vendor/leaflet.css", "/app/static/vendor/leaflet.js"]
    for lib in ("jquery", "bootstrap", "awesome", "fontawesome", "d3js", "d3.min", "cdnjs", "jsdelivr"):
        assert lib not in own.lower(), lib


def test_inlined_leaflet_holds_no_fetch_url():
    js, css = inline_leaflet()
    # only the SVG namespace and the link in Leaflet's attribution prefix (which the map replaces)
    assert urls_in(js) <= {"http://www.w3.org/2000/svg", "https://leafletjs.com"}
    assert all(u.startswith("https://bugzilla.mozilla.org") for u in URL.findall(css))   # a comment
    assert all(ref.startswith(("data:", "#")) for ref in re.findall(r"url\(\s*['\"]?([^'\")]*)", css))


def test_asset_base_url_is_configurable():
    html = map_html(build_map(grid(3), mode="rate", asset_base_url="/vendor-x/"))
    assert '<script src="/vendor-x/leaflet.js"></script>' in html
    assert 'href="/vendor-x/leaflet.css"' in html


def test_maps_do_not_change_folium_defaults():
    import folium

    before = (list(folium.Map.default_js), list(folium.Map.default_css))
    build_map(grid(3), mode="rate")
    assert (folium.Map.default_js, folium.Map.default_css) == before
    plain = map_html(folium.Map(tiles=None))
    assert "cdn.jsdelivr.net" in plain       # other maps keep folium's own links


def test_st_folium_gets_only_local_links():
    from streamlit.testing.v1 import AppTest

    script = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
from streamlit_folium import st_folium
from geo.outputs.folium_map import build_map
from tests.test_folium_map import grid
st_folium(build_map(grid(30, mode="status", schematic=True), mode="status"),
          returned_objects=["last_active_drawing"], key="m")
"""
    at = AppTest.from_string(script, default_timeout=60).run()
    assert not at.exception

    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    comps = [n for n in walk(at._tree) if getattr(n, "type", None) == "component_instance"]
    assert len(comps) == 1
    args = json.loads(comps[0].proto.json_args)
    assert args["js_links"] == ["/app/static/vendor/leaflet.js"]
    assert args["css_links"] == ["/app/static/vendor/leaflet.css"]
    for part in ("script", "header", "html"):
        assert urls_in(args[part]) == set(), part
    assert "cov-legend" in args["script"] and "L.geoJson" in args["script"]


def test_legend_lists_every_class_in_both_languages():
    for lang in ("zh", "en"):
        t = text(lang)
        m = build_map(grid(12), mode="rate", lang=lang)
        page, legend = map_html(m), _legend(m)
        assert legend.legend_json in page
        for c in RATE_CLASSES:
            assert f'background:{c.colour}"></span>{html.escape(t[c.key])}<' in legend.legend_html, (lang, c.key)
        assert html.escape(t["nodata"]) in legend.legend_html and t["legend_rate"] in legend.legend_html
        m = build_map(grid(10, mode="status", schematic=True), mode="status", lang=lang)
        page, legend = map_html(m), _legend(m)
        assert legend.legend_json in page
        for key, colour in STATUS_COLOURS.items():
            assert f'background:{colour}"></span>{html.escape(t[key])}<' in legend.legend_html, (lang, key)
        assert f'cov-sw-schematic"></span>{html.escape(t["schematic"])}' in legend.legend_html
    assert text("zh")["schematic"] == "示意边界（非真实边界）"
    # the schematic entry only appears when some cell is schematic
    assert text("zh")["schematic"] not in _legend(build_map(grid(10), mode="rate")).legend_html
    assert text("zh")["schematic"] in _legend(build_map(grid(10, schematic=True), mode="rate")).legend_html


def _legend(m) -> Legend:
    return next(c for c in m._children.values() if isinstance(c, Legend))


def test_rate_classes():
    assert rate_class(None) is None and rate_class(float("nan")) is None
    expect = {0.0: "rate_lt60", 0.5999: "rate_lt60", 0.6: "rate_60_80", 0.79: "rate_60_80", 0.8: "rate_80_90",
              0.9: "rate_90_95", 0.949: "rate_90_95", 19 / 20: "rate_95_100", 0.999: "rate_95_100",
              1.0: "rate_100", 3 / 3: "rate_100"}
    for rate, key in expect.items():
        assert rate_class(rate).key == key, rate


def test_style_is_one_function_and_size_grows_with_data_only():
    def sizes(n):
        fc = grid(n)
        html = map_html(build_map(fc, mode="rate"))
        data = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
        return html, len(html.encode()) - len(data.encode())

    small, overhead_small = sizes(100)
    big, overhead_big = sizes(2000)
    # no folium style switch, no per-feature JS: what is not data stays the same size
    assert "switch(" not in big and "case " not in big
    assert abs(overhead_big - overhead_small) < 200
    assert big.count("function style(feature)") == 1
    assert len(big.encode()) < 2_000_000


def test_a_few_thousand_village_cells_stay_under_2_mb():
    from geo.outputs import outlines as ol

    outline = ol.county_outlines().set_index("code").geometry["610124000000"]
    pts = ol.random_points_in(outline, 3000, seed=11)
    import geopandas as gpd

    cells = gpd.GeoDataFrame({"code": [f"610124{100 + i // 300:03d}{200 + i % 300:03d}" for i in range(3000)]},
                             geometry=ol.voronoi_cells(outline, pts, seed=11), crs=ol.CRS)
    cells = ol.simplify_for_display(cells, "county")
    cells["name"] = [f"{i}村" for i in range(3000)]
    cells["status"] = [STATUSES[i % 5] for i in range(3000)]
    cells["schematic"] = True
    html = map_html(build_map(ol.to_feature_collection(cells), mode="status", inline=True))
    assert len(html.encode()) < 2_000_000


def _layer_coords(m) -> np.ndarray:
    layer = next(c for c in m._children.values() if isinstance(c, FeatureLayer))
    data = json.loads(layer.data_json)
    return np.array([xy for f in data["features"] for xy in f["geometry"]["coordinates"][0]])


def test_gcj02_shift_only_for_gcj02_basemaps():
    fc = grid(20)
    original = np.array([xy for f in fc["features"] for xy in f["geometry"]["coordinates"][0]])
    for basemap in (None, Basemap(), Basemap("osm"), Basemap("tianditu_vec", key="k"),
                    Basemap("xyz", url="https://tiles.example/{z}/{x}/{y}.png")):
        assert np.array_equal(_layer_coords(build_map(fc, mode="rate", basemap=basemap)), original)
    gaode = Basemap("xyz", url="https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}",
                    subdomains="1234", gcj02=True, attribution="© 高德")
    shifted = _layer_coords(build_map(fc, mode="rate", basemap=gaode))
    lon, lat = wgs84_to_gcj02(original[:, 0], original[:, 1])
    assert np.allclose(shifted, np.column_stack([lon, lat]), atol=1e-6)
    assert np.abs(shifted - original).max() > 1e-3       # a few hundred metres near 周至
    assert fc["features"][0]["geometry"]["coordinates"][0][0] == [108.0, 34.0]   # input untouched


def test_basemaps_add_only_their_own_urls():
    fc = grid(5)
    osm = page_without_vendor(map_html(build_map(fc, mode="rate", basemap=Basemap("osm"), inline=True)))
    assert urls_in(osm) == {"https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                            "https://www.openstreetmap.org/copyright"}
    tdt = map_html(build_map(fc, mode="rate", basemap=Basemap("tianditu_img", key="SECRET123")))
    found = urls_in(page_without_vendor(tdt))
    assert found and all(u.startswith("https://t{s}.tianditu.gov.cn/") for u in found)
    assert any("/img_w/" in u for u in found) and any("/cia_w/" in u for u in found)
    assert all("tk=SECRET123" in u for u in found) and '"01234567"' in tdt
    with pytest.raises(ValueError):
        Basemap("tianditu_vec")
    with pytest.raises(ValueError):
        Basemap("xyz", url="https://example.org/tile.png")


def test_bounds_fit_the_features_or_the_given_box():
    html = map_html(build_map(grid(100), mode="rate"))
    assert "fitBounds" in html and "[[34.0, 108.0], [34.02, 108.5]]" in html
    html = map_html(build_map(grid(5), mode="rate", bounds=(100.0, 30.0, 110.0, 40.0)))
    assert "[[30.0, 100.0], [40.0, 110.0]]" in html
    empty = map_html(build_map({"type": "FeatureCollection", "features": []}, mode="status"))
    assert "fitBounds" in empty


@pytest.mark.browser
def test_browser_draws_classes_offline(browser, tmp_path):
    fc = grid(len(RATES) * 2, schematic=False)
    fc["features"][0]["properties"]["schematic"] = True
    path = tmp_path / "map.html"
    path.write_text(map_html(build_map(fc, mode="rate", inline=True, title="测试")), encoding="utf-8")
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    try:
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        page.wait_for_selector("path.leaflet-interactive")
        drawn = page.evaluate("""() => {
            const name = Object.keys(window).find(k => k.startsWith('feature_layer_'));
            const out = [];
            window[name].eachLayer(l => out.push([l.feature.properties.code, l.options.fillColor,
                                                  l.options.dashArray, l._path.getAttribute('fill')]));
            return out;
        }""")
        legend = page.inner_text(".cov-legend")
        n_paths = page.locator("path.leaflet-interactive").count()
        scale = page.inner_text(".leaflet-control-scale")
        box = page.locator(".cov-legend").bounding_box()
        hidden = page.evaluate("""(b) => [...document.querySelectorAll('path.leaflet-interactive')].filter(p => {
            const r = p.getBoundingClientRect();
            return r.right > b.x && r.left < b.x + b.width && r.bottom > b.y && r.top < b.y + b.height; }).length""",
                               box)
        page.click(".cov-legend summary")                    # the legend folds away to its title
        folded = page.inner_text(".cov-legend")
    finally:
        page.close()
    assert scale.strip().endswith(("km", "m")) and not any(u in scale for u in ("mi", "ft")), scale
    assert hidden == 0                                      # the legend's strip is kept free of units
    assert folded.strip().lstrip("▶▼ ") == text("zh")["legend_rate"] and text("zh")["nodata"] not in folded
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    assert n_paths == len(fc["features"])
    by_code = {f["properties"]["code"]: f["properties"] for f in fc["features"]}
    for code, fill, dash, attr in drawn:
        props = by_code[code]
        cls = rate_class(props["rate"])
        if cls is None:
            assert fill.startswith("url(#cov-nodata)") and attr.startswith("url(#cov-nodata)")
        else:
            assert fill == cls.colour, (props["rate"], fill)
        assert (dash is not None) == bool(props.get("schematic"))
    for c in RATE_CLASSES:
        assert text("zh")[c.key] in legend
    assert text("zh")["schematic"] in legend


def test_boundary_lines_are_drawn_and_follow_the_gcj02_shift():
    from geo.outputs.folium_map import LineLayer

    lines = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "境界线"},
             "geometry": {"type": "MultiLineString", "coordinates": [[[110.0, 10.0], [112.0, 8.0]]]}}]}

    def drawn(m):
        layer = next(c for c in m._children.values() if isinstance(c, LineLayer))
        return json.loads(layer.data_json)["features"][0]["geometry"]["coordinates"][0]

    m = build_map(grid(4), mode="rate", lines=lines)
    assert drawn(m) == [[110.0, 10.0], [112.0, 8.0]] and "interactive: false" in map_html(m)
    assert not any(isinstance(c, LineLayer) for c in build_map(grid(4), mode="rate")._children.values())
    gaode = Basemap("xyz", url="https://gcj.example/{z}/{x}/{y}.png", gcj02=True)
    lon, lat = wgs84_to_gcj02(110.0, 10.0)
    assert drawn(build_map(grid(4), mode="rate", lines=lines, basemap=gaode))[0] == pytest.approx([lon, lat], abs=1e-6)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_legend_classes_read_as_plain_ranges(lang):
    """Each rate class reads "lower%–upper%"; the class below 100 % ends at 99.9 %, not "100%（不含）"."""
    t = text(lang)
    labels = [t[c.key] for c in RATE_CLASSES]
    assert t["rate_95_100"] == "95%–99.9%" and t["rate_100"] == "100%"
    assert not [x for x in labels if "不含" in x or "<" in x or "excl" in x]
    assert rate_class(0.999).key == "rate_95_100" and rate_class(1.0).key == "rate_100"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tooltip_names_a_village_field_as_the_side_panel_does(lang):
    """The tooltip's field names are the catalogue keys the side panel and the tables use (see test_browser)."""
    t = text(lang)
    shared = {"f_status": "col.status", "f_adviser": "col.advisers", "f_org": "col.orgs",
              "f_phone": "col.phones", "f_period": "col.contract_period"}
    for field, key in shared.items():
        assert t[field] == i18n.t(key, lang), field
