"""What a map view holds: the figures behind the map and the shapes to draw."""
from geo.codes import Scope
from geo.demo import ANCHOR
from geo.views import build_folium_map, map_view, outline_view


def test_county_without_boundaries_is_drawn_in_its_own_colour(demo_db, demo_store, tmp_path):
    """蓝田县 has no village cells in the demo: its outline carries the county's own rate, not 'no data'."""
    view = map_view(demo_store, Scope.parse("610122"), ANCHOR)
    assert view.features["features"] == [] and len(view.missing) == len(view.table)
    fc = outline_view(demo_store, view)
    totals = demo_store.totals(Scope.parse("610122"), ANCHOR)
    assert [f["properties"]["rate"] for f in fc["features"]] == [round(totals.coverage_rate, 4)]
    build_folium_map(demo_store, view)   # draws without error


def test_views_carry_the_store_figures(demo_store):
    view = map_view(demo_store, Scope.parse("61"), ANCHOR)
    assert view.mode == "rate" and view.child_level == 2
    by_code = {f["properties"]["code"]: f["properties"] for f in view.features["features"]}
    summary = demo_store.summary(Scope.parse("61"), ANCHOR, by="city")
    assert set(by_code) == set(summary["code"])
    for row in summary.itertuples():
        assert by_code[row.code]["n_covered"] == row.covered
        assert abs(by_code[row.code]["rate"] - row.coverage_rate) < 1e-4
    villages = map_view(demo_store, Scope.parse("610124101"), ANCHOR)
    assert villages.mode == "status" and villages.schematic
    statuses = demo_store.villages(Scope.parse("610124101"), ANCHOR).set_index("code")["status"]
    assert {f["properties"]["code"]: f["properties"]["status"] for f in villages.features["features"]} == \
        statuses.to_dict()


def test_national_view_shows_provinces_without_data_as_no_data(demo_store):
    view = map_view(demo_store, Scope.parse("0"), ANCHOR)
    rates = {f["properties"]["name"]: f["properties"]["rate"] for f in view.features["features"]}
    assert rates["陕西省"] is not None and rates["北京市"] is None and rates["台湾省"] is None


def test_a_village_is_shown_on_its_townships_map(demo_store):
    """A village has no units of its own to draw: the app and `geo map` show its township, the village marked."""
    village = map_view(demo_store, Scope.parse("610124001001"), ANCHOR)
    township = map_view(demo_store, Scope.parse("610124001"), ANCHOR)
    assert (village.focus, township.focus) == ("610124001001", None)
    assert (village.scope, village.mode, village.child_level) == (Scope.parse("610124001"), "status", 5)
    assert village.table["code"].tolist() == township.table["code"].tolist()
    assert "610124001001" in {f["properties"]["code"] for f in village.features["features"]}
    build_folium_map(demo_store, village)   # draws without error
