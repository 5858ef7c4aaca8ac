"""What a map view holds: the figures behind the map and the shapes to draw."""
from dataclasses import replace

import pytest

from geo.core.codes import Scope
from geo.core.coverage import Counts
from geo.demo import ANCHOR
from geo.views.map_view import (
    Headline,
    build_folium_map,
    drill_target,
    geometry_notice,
    headline,
    map_view,
    outline_view,
)


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
    statuses = demo_store.village_statuses(Scope.parse("610124101"), ANCHOR).set_index("code")["status"]
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


def test_drill_target_only_for_child_units(demo_store):
    rate = map_view(demo_store, Scope.parse("61"), ANCHOR)
    status = map_view(demo_store, Scope.parse("610124101"), ANCHOR)
    assert drill_target(rate, {"properties": {"code": "610100000000"}}) == Scope("6101")
    assert drill_target(rate, {"properties": {"code": "110000000000"}}) is None   # not on this map
    assert drill_target(rate, {"properties": {}}) is None
    assert drill_target(rate, None) is None
    assert drill_target(status, {"properties": {"code": status.table["code"].iloc[0]}}) is None


EMPTY = {"type": "FeatureCollection", "features": []}


@pytest.mark.parametrize("scope, without_shapes, has_map, key", [
    ("6101", False, True, None),                        # 西安市's counties are drawn
    ("610124101", False, True, None),                   # 哑柏镇's schematic village cells
    ("610122", False, True, "map.no_geoms_county"),     # 蓝田县: no township shapes, its own outline drawn
    ("610122001", False, False, "map.no_geoms_town"),   # one of its townships: nothing at all to draw
    ("610124101", True, True, "map.no_geoms_town"),     # a township drawn as its outline only
    ("61", True, True, None),                           # cities without shapes, the province outline drawn
    ("61", True, False, "map.no_geoms_town"),           # and without that outline: no map, the same notice
])
def test_geometry_notice(demo_store, scope, without_shapes, has_map, key):
    view = map_view(demo_store, Scope.parse(scope), ANCHOR)
    if without_shapes:
        view = replace(view, features=EMPTY)
    assert geometry_notice(view, has_map) == key


def test_headline_of_the_map_page(demo_store):
    """The figures line counts units with data only; a village's link names the village instead."""
    national = map_view(demo_store, Scope.parse("0"), ANCHOR)
    shaanxi = demo_store.totals(Scope.parse("61"), ANCHOR)       # the demo's contracts are all in 陕西省
    country = demo_store.totals(Scope.parse("0"), ANCHOR)
    # the ranking counts contracts only (Counts), and the counties it leaves out; totals carry the effective
    # figures too (ServedCounts)
    shaanxi = Counts(shaanxi.villages, shaanxi.covered, shaanxi.expiring, shaanxi.lapsed, country.no_data_counties,
                     country.no_data_villages)
    assert headline(national, country, has_map=True) == Headline(shaanxi, 30, False)
    town = map_view(demo_store, Scope.parse("610124001"), ANCHOR)
    totals = demo_store.totals(Scope.parse("610124001"), ANCHOR)
    assert headline(town, totals, has_map=True) == Headline(totals, 0, False)
    village = map_view(demo_store, Scope.parse("610124001001"), ANCHOR)
    one = demo_store.totals(Scope.parse("610124001001"), ANCHOR)
    assert headline(village, one, has_map=True) == Headline(one, 0, True)
    assert headline(village, one, has_map=False) == Headline(one, 0, False)   # no map: the village's figures


@pytest.mark.parametrize("digits, layer", [("", "coverage"), ("61", "served"), ("610124", "feedback"),
                                           ("610124100", "coverage")])
def test_a_view_from_the_summary_kept_is_the_view_read(any_demo_store, digits, layer):
    # the app hands map_view the summary page's table of the same units (ui.queries.q_map_view)
    import pandas as pd

    scope = Scope(digits)
    level = any_demo_store.child_level(scope)
    units = any_demo_store.summary(scope, ANCHOR, by=level) if level is not None and level < 5 else None
    kept = map_view(any_demo_store, scope, ANCHOR, layer=layer, units=units)
    read = map_view(any_demo_store, scope, ANCHOR, layer=layer)
    pd.testing.assert_frame_equal(kept.table, read.table)
    assert kept.features == read.features and kept.missing == read.missing
