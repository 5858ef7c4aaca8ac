"""The one table of import kinds: file types agreed by the page, the CLI and the reader; one loop that imports
and rolls back every kind; reports in one language; user errors said in one language; honest exit statuses."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from fixtures_ledger import with_check_character, write_messy_xlsx
from geo import imports
from geo.cli import main
from geo.core.errors import UserError
from geo.sources.national import national_registry
from geo.store import open_store
from geo.text.catalogue import t

ZHOUZHI = "610124"
SHAANXI = national_registry()[national_registry()["code"].str.startswith("61")]
EVERY_TYPE = sorted({ext for kind in imports.KINDS for ext in kind.file_types} | {".pdf", ".docx", ".kml", ".dbf"})
# how each reader itself refuses a file type it does not read (its own check, without the table's in front)
READER_REFUSES_TYPE = {"assignments": "不是台账文件", "boundaries": "文件类型不支持", "registry": "不能用这种文件",
                       "services": "不是服务台账文件", "feedback": "不是问卷汇总表文件"}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("kinds") / "kinds.duckdb"
    with open_store(path) as store, store.transaction() as cur:
        store.load_registry(SHAANXI, cur)
    return path


@pytest.fixture
def db_copy(db, tmp_path) -> Path:
    """A copy for one test; the CLI opens it itself, so a test holds no store on it while the CLI runs."""
    copy = tmp_path / "store.duckdb"
    copy.write_bytes(db.read_bytes())
    return copy


@pytest.fixture
def store(db_copy):
    with open_store(db_copy) as s:
        yield s


def snapshot(store) -> dict[str, str]:
    return {name: store.query(f"SELECT * FROM {name} ORDER BY ALL").to_csv()
            for name in ("divisions", "advisers", "assignments", "village_geoms", "shapes", "services", "feedback")}


def zhouzhi_villages(n: int):
    v = SHAANXI[SHAANXI["code"].str.startswith(ZHOUZHI + "101") & (SHAANXI["level"] == 5)]
    return v.head(n)


def ledger_file(folder: Path) -> Path:
    v = zhouzhi_villages(2)
    path = folder / "周至县台账.csv"
    path.write_text("区划代码,村（社区）名称,法律顾问姓名,聘任期限\n"
                    + "".join(f"{c},{n},顾问{i},2026.1-2027.12\n"
                              for i, (c, n) in enumerate(zip(v["code"], v["name"]))),
                    encoding="utf-8")
    return path


def boundary_file(folder: Path) -> Path:
    v = zhouzhi_villages(2)
    path = folder / "村界.geojson"
    gpd.GeoDataFrame({"ZLDWDM": v["code"].tolist(), "ZLDWMC": v["name"].tolist()},
                     geometry=[shapely.box(108.2 + i * 0.01, 34.1, 108.21 + i * 0.01, 34.11) for i in range(2)],
                     crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return path


def registry_file(folder: Path) -> Path:
    path = folder / "区划.csv"
    path.write_text(f"统计用区划代码,名称\n{ZHOUZHI}101299,新设村村委会\n", encoding="utf-8")
    return path


def service_log_file(folder: Path) -> Path:
    """A log of the advisers ledger_file brings: one visit each."""
    v = zhouzhi_villages(2)
    path = folder / "周至县服务台账.csv"
    path.write_text("服务日期,区划代码,服务村（社区）,法律顾问,服务方式,服务时长\n"
                    + "".join(f"2026-10-0{i + 1},{c},{n},顾问{i},到村,2小时\n"
                              for i, (c, n) in enumerate(zip(v["code"], v["name"]))),
                    encoding="utf-8")
    return path


def questionnaire_file(folder: Path) -> Path:
    """Two villagers' answers, one saying their village has never seen the adviser."""
    v = zhouzhi_villages(2)
    path = folder / "周至县问卷.csv"
    path.write_text("调查日期,区划代码,村（社区）,满意度,我村没见过法律顾问\n"
                    + "".join(f"2026-10-0{i + 1},{c},{n},{4 - i},{'是' if i else '否'}\n"
                              for i, (c, n) in enumerate(zip(v["code"], v["name"]))),
                    encoding="utf-8")
    return path


GOOD_FILE = {"assignments": ledger_file, "boundaries": boundary_file, "registry": registry_file,
             "services": service_log_file, "feedback": questionnaire_file}
#: a kind whose good file names what another kind brings first (a service log names a ledger's advisers)
NEEDS = {"services": "assignments"}


def test_every_kind_is_in_the_table_once_with_its_page_and_cli_parts():
    assert len(imports.KINDS) == len(imports.BY_KEY) and set(GOOD_FILE) == set(imports.BY_KEY)
    for kind in imports.KINDS:
        for key in (kind.label_key, kind.expect_key, kind.undo_key, kind.row_key,
                    *(o.label_key for o in kind.options)):
            assert t(key, "zh") and t(key, "en"), key
    from geo.cli import build_parser

    imp = next(a for a in build_parser()._subparsers._group_actions[0].choices["import"]._actions
               if a.dest == "kind")
    assert list(imp.choices) == [k.key for k in imports.KINDS]


@pytest.mark.parametrize("kind", [k.key for k in imports.KINDS])
@pytest.mark.parametrize("ext", EVERY_TYPE)
def test_file_types_are_one_tuple_for_page_cli_and_reader(db_copy, tmp_path, capsys, kind, ext):
    spec = imports.BY_KEY[kind]
    path = tmp_path / f"文件{ext}"
    path.write_bytes(b"x")
    accepted = ext in spec.file_types
    assert spec.accepts(path.name) == accepted == (ext.lstrip(".") in spec.upload_types)      # the page
    code = main(["import", kind, str(path), "--db", str(db_copy)])                             # the CLI
    err = capsys.readouterr().err
    type_refusal = t("imp.e.file_type", "zh", file=path, kind=t(spec.label_key), types=" ".join(spec.file_types))
    assert code == 2 and (type_refusal in err) != accepted, err
    with open_store(db_copy) as store, pytest.raises(UserError) as refused:                   # the reader
        spec.preview(store, path, {})
    assert (READER_REFUSES_TYPE[kind] in str(refused.value)) != accepted, str(refused.value)


@pytest.mark.parametrize("kind", [k.key for k in imports.KINDS])
def test_every_kind_imports_and_rolls_back_through_the_same_loop(store, tmp_path, kind):
    needed = [NEEDS[kind]] if kind in NEEDS else []
    for other in needed:
        imports.run_import(store, other, GOOD_FILE[other](tmp_path), {"county": ZHOUZHI})
    before = snapshot(store)
    path = GOOD_FILE[kind](tmp_path)
    preview = imports.preview(store, kind, path, {"county": ZHOUZHI})
    result = imports.run_import(store, kind, path, {"county": ZHOUZHI}, preview=preview)
    assert result.ok and result.status == "imported" and result.rows_accepted > 0
    assert sorted(store.batches()["kind"].tolist()) == sorted([*needed, kind]) and snapshot(store) != before
    again = imports.run_import(store, kind, path, {"county": ZHOUZHI})
    assert again.ok and again.status == "unchanged"
    assert imports.rollback(store, result.batch_id).text("en") == f"batch {result.batch_id} rolled back"
    assert snapshot(store) == before
    with pytest.raises(imports.ImportRefused) as twice:
        imports.rollback(store, result.batch_id)
    assert twice.value.text("en") == f"batch {result.batch_id} was already rolled back"


@pytest.mark.parametrize("kind", [k.key for k in imports.KINDS if k.stacks])
def test_a_stacking_kind_is_undone_newest_first(store, tmp_path, kind):
    first = imports.run_import(store, kind, GOOD_FILE[kind](tmp_path), {"county": ZHOUZHI})
    newer = tmp_path / "newer"
    newer.mkdir()
    path = GOOD_FILE[kind](newer)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))          # other content, same meaning
    second = imports.run_import(store, kind, path, {"county": ZHOUZHI})
    with pytest.raises(imports.ImportRefused) as refused:
        imports.rollback(store, first.batch_id)
    assert refused.value.key == "imp.e.later"
    imports.rollback(store, second.batch_id)
    imports.rollback(store, first.batch_id)


# ------------------------------------------------------------------------------------------------ one language

CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z]{2,}")
QUOTED = re.compile(r"“[^”]*”|'[^']*'|‘[^’]*’")


def without_data(text: str, data: list[str]) -> str:
    """`text` less what came from the file or the registry: quoted values, cells, division names, codes."""
    text = QUOTED.sub("", text)
    for value in sorted(data, key=len, reverse=True):
        if value:
            text = text.replace(value, "")
    return re.sub(r"\(?\d{6,12}\)?", "", text)


def reports(store, tmp_path) -> list[imports.ImportResult]:
    """A ledger with every kind of reject and doubt; a division list with a bad code, an ID-card number and a
    village abolished; a boundary file with a feature that matches nothing."""
    ledger = imports.import_assignments(store, write_messy_xlsx(tmp_path / "台账.xlsx"))
    county = SHAANXI[SHAANXI["code"].str.startswith(ZHOUZHI) & (SHAANXI["level"] == 5)]
    path = tmp_path / "周至县区划.csv"
    with_id = f"{ZHOUZHI}101299,新设村 {with_check_character('11010119900307451')}"
    rows = [f"{ZHOUZHI}000000,周至县", "12ab,坏行", with_id]
    rows += [f"{c},{n}" for c, n in zip(county["code"].iloc[1:], county["name"].iloc[1:])]
    path.write_text("统计用区划代码,名称\n" + "\n".join(rows) + "\n", encoding="utf-8")
    registry = imports.import_registry(store, path)
    v = zhouzhi_villages(2)
    layer = tmp_path / "村界.geojson"
    gpd.GeoDataFrame({"ZLDWDM": [v["code"].iloc[0], None], "ZLDWMC": [v["name"].iloc[0], "不存在村"],
                      "BZ": [f"sfz{with_check_character('11010119900307452')}", None]},
                     geometry=[shapely.box(108.2, 34.1, 108.21, 34.11), shapely.box(108.3, 34.1, 108.31, 34.11)],
                     crs="EPSG:4326").to_file(layer, driver="GeoJSON")
    boundaries = imports.import_boundaries(store, layer, county=ZHOUZHI)
    return [ledger, registry, boundaries]


def test_reports_are_in_one_language(store, tmp_path):
    names = SHAANXI["name"].tolist()
    for result in reports(store, tmp_path):
        assert result.rejected and result.doubted, result.kind
        zh, en = imports.report_table(result, "zh"), imports.report_table(result, "en")
        assert zh.shape == en.shape and list(zh.columns[3:]) == list(en.columns[3:])       # the file's cells
        cells = [str(v) for v in zh.iloc[:, 3:].to_numpy().ravel()] + list(zh.columns[3:]) + names
        for text in [*en.columns[:3], *en.iloc[:, 1], *en.iloc[:, 2]]:
            assert not CJK.search(without_data(text, cells)), (result.kind, text)
        for text in [*zh.columns[:3], *zh.iloc[:, 1], *zh.iloc[:, 2]]:
            assert not WORD.search(without_data(text, cells)), (result.kind, text)
        assert not any(" / " in m for m in [*zh.iloc[:, 2], *en.iloc[:, 2]])
        for lang, report in (("zh", zh), ("en", en)):
            written = imports.write_report(result, tmp_path / f"{result.kind}_{lang}.csv", lang)
            assert list(csv.reader(io.StringIO(written.read_text(encoding="utf-8-sig"))))[0] == list(report.columns)


def test_user_errors_say_themselves_in_one_language_and_log_in_both():
    error = imports.ImportRefused(key="imp.e.no_batch", params={"batch": 7})
    assert (error.text("zh"), error.text("en")) == ("没有第 7 批", "there is no batch 7")
    assert str(error) == "没有第 7 批 / there is no batch 7"
    plain = UserError("旧消息 / old message")
    assert plain.text("en") == str(plain) and plain.key is None


def test_cli_says_errors_in_the_language_asked(db_copy, tmp_path, capsys):
    missing = str(tmp_path / "没有.csv")
    assert main(["import", "registry", missing, "--db", str(db_copy), "--lang", "en"]) == 2
    assert capsys.readouterr().err.strip() == f"error: {missing}: file not found"
    assert main(["import", "registry", missing, "--db", str(db_copy)]) == 2
    assert capsys.readouterr().err.strip() == f"错误 / error: {missing}：文件不存在 / {missing}: file not found"


# ------------------------------------------------------------------------------------------------ exit status

def test_an_all_rejected_ledger_is_not_ok_and_the_cli_exits_1(db_copy, tmp_path, capsys):
    path = tmp_path / "周至县台账.csv"
    path.write_text("村（社区）名称,法律顾问姓名,聘任期限\n不存在一村,张三,2026.1-2027.12\n不存在二村,李四,2026.1-2027.12\n",
                    encoding="utf-8")
    report = tmp_path / "报告.csv"
    code = main(["import", "assignments", str(path), "--county", ZHOUZHI, "--report", str(report), "--lang", "en",
                 "--db", str(db_copy)])
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 1 and len(out) == 1 and "0 accepted, 2 rejected" in out[0]
    rows = list(csv.DictReader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    assert [r["Reason"] for r in rows] == [t("imp.reason.unknown_village", "en")] * 2
    with open_store(db_copy) as store:
        result = imports.run_import(store, "assignments", path, {"county": ZHOUZHI})
    assert result.status == "unchanged" and result.ok          # the same file again: nothing to do, not a failure


@pytest.mark.parametrize("status, accepted, ok", [("imported", 3, True), ("imported", 0, False),
                                                  ("unchanged", 0, True), ("refused", 0, False)])
def test_ok_means_something_was_accepted_or_already_there(status, accepted, ok):
    assert imports.ImportResult("assignments", "f.csv", status, 1, rows_accepted=accepted).ok is ok
