"""The one matching core (geo.sources.matching): the real-village rule against its SQL form, the name tiers, the reject
type, and the done-when test of issue 8 - a ledger, a boundary file (GeoJSON and a zipped GBK shapefile) and a
division list that write the same villages in every committee form all match the same villages.
"""
from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely

from geo import imports
from geo.core.codes import is_real_village, real_villages
from geo.sources.boundaries import county_outline, read_boundaries
from geo.sources.ledger import match_ledger, read_ledger
from geo.sources.matching import (
    CountyError,
    Note,
    Reject,
    Wanted,
    match_villages,
    registry_index,
    resolve_county,
)
from geo.sources.names import committee_form
from geo.sources.national import national_registry
from geo.store import open_store, rules


# ------------------------------------------------------------------------------------- the real-village rule
@pytest.mark.parametrize("code, level, abolished, real", [
    ("610124100201", 5, False, True),
    ("610124100201", 5, True, False),     # abolished by a newer list
    ("350527000000", 5, False, False),    # 金门县's placeholder, listed at levels 3-5
    ("610124100000", 4, False, False),
    ("610124000000", 3, False, False),
    (610124100201, 5, False, True),       # BIGINT from the store
])
def test_is_real_village(code, level, abolished, real):
    assert is_real_village(code, level, abolished) is real
    frame = pd.DataFrame({"code": [code], "level": [level], "abolished": [abolished]})
    assert real_villages(frame).tolist() == [real]


def test_python_rule_agrees_with_the_sql_rule_on_the_shipped_registry(tmp_path):
    registry = national_registry()
    gone = registry[real_villages(registry) & registry["code"].str.startswith("110101")]["code"].head(3).tolist()
    listed = registry[registry["code"].str.startswith("110101") & ~registry["code"].isin(gone)]
    division_list = tmp_path / "区划.csv"
    listed[["code", "name"]].rename(columns={"code": "区划代码", "name": "名称"}).to_csv(division_list, index=False)
    with open_store(tmp_path / "all.duckdb") as store:
        with store.transaction() as cur:
            store.load_registry(registry, cur)
        imports.import_registry(store, division_list, allow_abolish=True)   # three villages abolished
        rows = store.query("SELECT code, level, abolished FROM divisions")
        by_sql = set(store.query(f"SELECT code FROM divisions WHERE {rules.real_village()}")["code"])
    assert len(rows) == len(registry.drop_duplicates("code")) and int(rows["abolished"].sum()) == 3
    assert 350527000000 in set(rows["code"]) and 350527000000 not in by_sql
    assert set(rows.loc[real_villages(rows), "code"]) == by_sql
    assert len(by_sql) == int(real_villages(registry).sum()) - 3


# ------------------------------------------------------------------------------------------------ name tiers
FORMS = {   # one committee, every way a bureau writes it
    "village": ("村民委员会", "村委会", "村"),
    "pastoral": ("牧民委员会", "牧委会"),
    "gacha": ("嘎查村民委员会", "嘎查"),
    "community": ("社区居民委员会", "社区居委会", "社区"),
}


@pytest.mark.parametrize("group", FORMS)
def test_every_form_of_a_committee_has_one_committee_form(group):
    assert len({committee_form("巴音" + suffix) for suffix in FORMS[group]}) == 1


def test_forms_of_different_kinds_stay_apart():
    assert len({committee_form("巴音" + FORMS[group][0]) for group in FORMS}) == len(FORMS)


# ----------------------------------------------------------------------------------------- rejects and notes
def test_a_reject_says_its_reason_in_either_language_and_keeps_the_bilingual_message():
    r = Reject(12, "unknown_village", {"name": "王家村", "where": "周至县"}, {"村名": "王家村"},
               why="village_unknown")
    assert r.text("zh") == "在周至县找不到村（社区）“王家村”"
    assert r.text("en") == "village '王家村' not found in 周至县"
    assert r.message == "第12行：在周至县找不到村（社区）“王家村” / row 12: village '王家村' not found in 周至县"
    assert (r.row_number, r.raw) == (12, {"村名": "王家村"})
    feature = Reject(3, "no_geometry", {}, {}, why="no_geometry_unnamed", unit="feature")
    assert feature.line("en") == "feature 3: has no geometry" and feature.line("zh") == "第 3 个要素：没有图形"


def test_a_note_is_its_bilingual_line_and_knows_its_key():
    note = Note(4, "imp.note.code_unknown", code="610124100299")
    assert note == "第4行：区划库中没有代码610124100299，已按名称匹配 / row 4: code 610124100299 is not in the " \
                   "registry; matched by name"
    assert note.key == "imp.note.code_unknown" and note.text("en").startswith("code 610124100299")


@pytest.mark.parametrize("raw, key", [("619999", "match.county.unknown_code"), ("1234567", "match.county.bad_code"),
                                      ("鼓楼区", "match.county.not_unique"), ("无此县", "match.county.unknown_name")])
def test_a_county_the_registry_cannot_resolve_says_why(raw, key):
    with pytest.raises(CountyError) as e:
        resolve_county(registry_index(national_registry()), raw)
    assert e.value.key == key


@pytest.mark.parametrize("raw", ["610124", "610124000000", "610124100", "周至县"])
def test_a_county_is_given_by_code_or_name(raw):
    assert resolve_county(registry_index(national_registry()), raw) == "610124"


def test_a_new_reader_matches_rows_of_township_village_code():
    rows = [Wanted(1, "哑柏社区居民委员会", "哑柏镇"), Wanted(2, None, None, "610124101002"), Wanted(3, "不存在村")]
    found = match_villages(national_registry(), None, rows, text="周至县某某台账")
    assert (found.county.code, found.county.source) == ("610124000000", "title")
    assert [(f.row, f.code, f.name) for f in found.found] == [(1, "610124101001", "哑柏社区居委会"),
                                                              (2, "610124101002", "阳化社区")]
    assert [(r.row, r.reason) for r in found.rejects] == [(3, "unknown_village")]


# ------------------------------------------------------------------------- every form matches the same village
# 祁连县 (Qinghai): 村民委员会, 牧民委员会 and 社区居民委员会; 苏尼特左旗 (Inner Mongolia): 嘎查 and 社区居委会
COUNTIES = {"632222": "祁连县", "152523": "苏尼特左旗"}


def _group_of(name: str) -> tuple[str, str] | None:
    """(base, group) of a registry name: "巴音嘎查" -> ("巴音", "gacha")."""
    for group, suffixes in FORMS.items():
        for suffix in sorted(suffixes, key=len, reverse=True):
            if name.endswith(suffix) and len(name) > len(suffix):
                return name[: -len(suffix)], group
    return None


def _county_rows(c6: str) -> pd.DataFrame:
    registry = national_registry()
    return registry[registry["code"].str.startswith(c6)].drop_duplicates("code").reset_index(drop=True)


def _written(c6: str) -> pd.DataFrame:
    """One row per village and per form of its committee: code, township name, the name as written."""
    rows = _county_rows(c6)
    towns = dict(zip(rows.loc[rows["level"] == 4, "code"].str[:9], rows.loc[rows["level"] == 4, "name"]))
    out = []
    for code, name in zip(rows.loc[real_villages(rows), "code"], rows.loc[real_villages(rows), "name"]):
        if (split := _group_of(name)) is not None:
            base, group = split
            out += [(code, towns[code[:9]], base + suffix) for suffix in FORMS[group]]
    return pd.DataFrame(out, columns=["code", "township", "written"])


def _division_list(path: Path, c6: str, form: int) -> Path:
    """The county's division list with every village written in the form-th form of its committee."""
    rows = _county_rows(c6)
    names = []
    for name in rows["name"]:
        split = _group_of(name)
        names.append(split[0] + FORMS[split[1]][min(form, len(FORMS[split[1]]) - 1)] if split else name)
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["统计用区划代码", "名称"])
        writer.writerows(zip(rows["code"], names))
    return path


def _ledger(path: Path, county: str, written: pd.DataFrame) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([f"{county}村（社区）法律顾问工作台账"])
    ws.append(["序号", "乡镇（街道）", "村（社区）名称", "法律顾问姓名", "聘任期限"])
    for i, (town, name) in enumerate(zip(written["township"], written["written"]), start=1):
        ws.append([i, town, name, f"顾问{i}", "2026.1.1-2027.12.31"])
    wb.save(path)
    return path


def _features(c6: str, written: pd.DataFrame) -> gpd.GeoDataFrame:
    """A small square per written name, in a grid inside the county."""
    origin = county_outline(c6).representative_point()
    boxes = [shapely.box(origin.x + (i % 20) * 0.002, origin.y + (i // 20) * 0.002,
                         origin.x + (i % 20) * 0.002 + 0.001, origin.y + (i // 20) * 0.002 + 0.001)
             for i in range(len(written))]
    return gpd.GeoDataFrame({"XZMC": written["township"].tolist(), "ZLDWMC": written["written"].tolist()},
                            geometry=boxes, crs="EPSG:4326")


def _gbk_shapefile_zip(tmp_path: Path, features: gpd.GeoDataFrame) -> Path:
    folder = tmp_path / "shp"
    folder.mkdir()
    features.to_file(folder / "村级调查区.shp", driver="ESRI Shapefile", encoding="GBK")
    (folder / "村级调查区.cpg").unlink(missing_ok=True)   # GBK without a .cpg: the common case
    zipped = tmp_path / "村界.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, f"村界/{part.name}")
    return zipped


@pytest.fixture(scope="module", params=sorted(COUNTIES))
def county(request) -> str:
    return request.param


@pytest.mark.parametrize("registry_form", [None, 0, 1, 2], ids=["shipped", "list-form0", "list-form1", "list-form2"])
def test_every_form_of_a_village_matches_it_in_every_reader(tmp_path, county, registry_form):
    written = _written(county)
    assert set(written["written"].map(lambda n: _group_of(n)[1])) >= (
        {"village", "pastoral", "community"} if county == "632222" else {"gacha", "community"})
    if registry_form is None:
        registry = national_registry()
    else:   # the registry as a division list in one of the forms left it
        incoming, rejects = imports.read_registry_file(_division_list(tmp_path / "区划.csv", county, registry_form))
        assert rejects.empty
        plan = imports.plan_registry(incoming, _county_rows(county).assign(abolished=False))
        assert (plan.added, plan.abolitions) == (0, ())   # the same villages, by code
        registry = incoming[["code", "name", "level"]]
    expected = dict(zip(written["written"] + "@" + written["township"], written["code"]))

    table = read_ledger(_ledger(tmp_path / "台账.xlsx", COUNTIES[county], written))
    match = match_ledger(table, registry)
    assert (match.county_code[:6], match.rejects) == (county, [])
    by_ledger = {f"{a.ledger_village}@{row.township}": a.village_code
                 for a in match.assignments for row in table.rows if row.row_number == a.row_number}
    assert by_ledger == expected

    features = _features(county, written)
    features.to_file(tmp_path / "村界.geojson", driver="GeoJSON")
    for path in (tmp_path / "村界.geojson", _gbk_shapefile_zip(tmp_path, features)):
        read = read_boundaries(path, registry)
        assert [r.message for r in read.rejects] == [] and read.county[0][:6] == county
        by_feature = {i: code for code, members in zip(read.matched["code"], read.matched["feature_indices"])
                      for i in members}
        assert {f"{written['written'][i - 1]}@{written['township'][i - 1]}": code
                for i, code in by_feature.items()} == expected
