from geo.outputs import basemaps
from geo.outputs.folium_map import build_map, map_html

FEATURES = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"code": "610124000000", "name": "周至县", "rate": 0.9},
     "geometry": {"type": "Polygon", "coordinates": [[[108.0, 34.0], [108.1, 34.0], [108.1, 34.1], [108.0, 34.0]]]}}]}


def test_nothing_configured_offers_only_none():
    assert list(basemaps.available(basemaps.settings_from({}, {}))) == ["none"]
    assert basemaps.choose("tianditu_vec", {}).kind == "none"     # a link cannot conjure a key


def test_configured_basemaps_and_secrets_win_over_environment():
    env = {"COVERAGE_TIANDITU_KEY": "env-key", "COVERAGE_XYZ_URL": "https://tiles.intranet/{z}/{x}/{y}.png",
           "COVERAGE_XYZ_GCJ02": "true"}
    settings = basemaps.settings_from({"tianditu_key": "secret-key"}, env)
    av = basemaps.available(settings)
    assert list(av) == ["none", "tianditu_vec", "tianditu_img", "xyz"]
    assert av["tianditu_img"].key == "secret-key" and av["xyz"].gcj02
    html = map_html(build_map(FEATURES, mode="rate", basemap=av["tianditu_vec"]))
    assert "secret-key" in html and "tianditu.gov.cn" in html
    plain = map_html(build_map(FEATURES, mode="rate", basemap=basemaps.choose("none", settings)))
    assert "secret-key" not in plain and "tianditu" not in plain
