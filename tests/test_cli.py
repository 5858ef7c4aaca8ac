"""The command line: outputs equal the library's, errors are one clear line with a non-zero exit."""
import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from geo.core.codes import Scope
from geo.demo import ANCHOR
from geo.store import open_store

ROOT = Path(__file__).resolve().parent.parent


def run(*args, db=None):
    cmd = [sys.executable, "-m", "geo", *args] + (["--db", str(db)] if db else [])
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_summary_json_equals_the_library(demo_db, demo_store):
    p = run("summary", "--scope", "610124", "--as-of", ANCHOR.isoformat(), "--by", "township", db=demo_db)
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    lib = demo_store.summary(Scope.parse("610124"), ANCHOR, by="township")
    assert [r["code"] for r in rows] == lib["code"].tolist()
    assert all(len(r["code"]) == 12 for r in rows)
    assert list(rows[0]) == ["code", "name", "villages", "covered", "expiring", "lapsed", "never", "coverage_rate",
                             "has_data", "served", "nominal", "served_rate", "has_service_data", "no_data_counties",
                             "no_data_villages"]
    assert [r["covered"] for r in rows] == lib["covered"].tolist()
    assert sum(r["villages"] for r in rows) == demo_store.totals(Scope.parse("610124"), ANCHOR).villages


def test_summary_short_and_long_scope_agree_and_csv(demo_db):
    a = run("summary", "--scope", "6101", "--as-of", "2026-01-31", db=demo_db)
    b = run("summary", "--scope", "610100000000", "--as-of", "2026-01-31", db=demo_db)
    assert a.returncode == 0 and a.stdout == b.stdout
    assert {r["code"][:4] for r in json.loads(a.stdout)} == {"6101"}        # counties of 西安市
    c = run("summary", "--scope", "61", "--by", "city", "--format", "csv", "--as-of", "2026-01-31", db=demo_db)
    assert c.stdout.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(c.stdout.lstrip("\ufeff"))))
    assert len(table) == 1 + 10 and table[1][0] == "610100000000"


def test_summary_says_which_units_have_data(demo_db, demo_store):
    """has_data is False exactly for units without a single contract started by the date; the other fields are
    the store's figures unchanged (a unit without data keeps its coverage_rate 0)."""
    rows = json.loads(run("summary", "--as-of", ANCHOR.isoformat(), db=demo_db).stdout)
    for r in rows:
        c = demo_store.totals(Scope.parse(r["code"]), ANCHOR)
        assert r["has_data"] is (c.covered + c.lapsed > 0), r["name"]
        assert (r["villages"], r["covered"], r["lapsed"], r["coverage_rate"]) == (
            c.villages, c.covered, c.lapsed, round(c.coverage_rate, 6))
    assert [r["name"] for r in rows if r["has_data"]] == ["陕西省"]
    for raw, yes, no in ((False, "是", "否"), (True, "True", "False")):
        p = run("summary", "--as-of", ANCHOR.isoformat(), "--format", "csv", *(["--raw"] if raw else []), db=demo_db)
        table = list(csv.reader(io.StringIO(p.stdout.lstrip("\ufeff"))))
        column = table[0].index("has_data" if raw else "有数据")
        assert [row[column] for row in table[1:]] == [yes if r["has_data"] else no for r in rows]


def test_export_xlsx_csv_geojson(demo_db, demo_store, tmp_path):
    gaps = demo_store.village_statuses(Scope.parse("610124"), ANCHOR, statuses=["lapsed", "expiring", "never"])
    for ext in ("xlsx", "csv", "geojson"):
        out = tmp_path / f"gaps.{ext}"
        p = run("export", "--scope", "610124", "--as-of", ANCHOR.isoformat(), "-o", str(out), db=demo_db)
        assert p.returncode == 0, p.stderr
        if ext == "xlsx":
            ws = openpyxl.load_workbook(out).active
            codes = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
            assert ws.cell(1, 1).value == "区划代码"
        elif ext == "csv":
            text = out.read_bytes()
            assert text.startswith(b"\xef\xbb\xbf")
            codes = [r[0] for r in list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))[1:]]
        else:
            fc = json.loads(out.read_text(encoding="utf-8"))
            codes = [f["properties"]["code"] for f in fc["features"]]
            # 周至县 has schematic cells: every exported village carries its geometry
            assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in fc["features"])
        assert codes == gaps["code"].tolist(), ext
        assert all(isinstance(c, str) and len(c) == 12 for c in codes)


def test_export_status_filter(demo_db, demo_store, tmp_path):
    out = tmp_path / "never.csv"
    assert run("export", "--scope", "61", "--as-of", ANCHOR.isoformat(), "--status", "never", "-o", str(out),
               db=demo_db).returncode == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))[1:]
    assert len(rows) == demo_store.totals(Scope.parse("61"), ANCHOR).never
    assert {r[3] for r in rows} == {"从未配备"}


def test_export_of_the_national_gap_list_leaves_out_counties_without_a_ledger(demo_db, demo_store, tmp_path):
    """`export --scope 0` lists the gaps of the counties with data only and says how many it left out; `--status
    no_data` writes those counties (code as text, villages as a number), most villages first."""
    national = demo_store.totals(Scope(""), ANCHOR)
    out = tmp_path / "gaps.csv"
    p = run("export", "--scope", "0", "--as-of", ANCHOR.isoformat(), "-o", str(out), db=demo_db)
    assert p.returncode == 0, p.stderr
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))[1:]
    assert len(rows) == national.lapsed + national.never + national.expiring
    assert f"另有 {national.no_data_counties} 个县（区）共 {national.no_data_villages} 个村居" in p.stdout
    for ext in ("xlsx", "csv"):
        out = tmp_path / f"counties.{ext}"
        p = run("export", "--scope", "0", "--as-of", ANCHOR.isoformat(), "--status", "no_data", "-o", str(out),
                db=demo_db)
        assert p.returncode == 0, p.stderr
        if ext == "xlsx":
            table = [list(r) for r in openpyxl.load_workbook(out).active.iter_rows(values_only=True)]
        else:
            table = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
            table = [table[0]] + [[*r[:4], int(r[4])] for r in table[1:]]
        assert table[0] == ["县（区）代码", "县（区）", "市（州）", "省（区、市）", "村居数"]
        body = table[1:]
        assert len(body) == national.no_data_counties and sum(r[4] for r in body) == national.no_data_villages
        assert all(isinstance(r[0], str) and len(r[0]) == 12 and not r[0].startswith("61") for r in body)
        assert [r[4] for r in body] == sorted((r[4] for r in body), reverse=True)
    bad = run("export", "--scope", "0", "--status", "no_data", "-o", str(tmp_path / "x.geojson"), db=demo_db)
    assert bad.returncode != 0 and ".geojson" in bad.stderr


def test_map_html_is_self_contained(demo_db, tmp_path):
    out = tmp_path / "map.html"
    p = run("map", "--scope", "610124", "--as-of", ANCHOR.isoformat(), "-o", str(out), db=demo_db)
    assert p.returncode == 0, p.stderr
    html = out.read_text(encoding="utf-8")
    assert "L.geoJson" in html and "周至县" in html
    assert "<script src=" not in html and 'rel="stylesheet" href' not in html   # Leaflet is inlined


@pytest.mark.parametrize("args, words", [
    (("summary", "--scope", "99"), "99"),
    (("summary", "--scope", "61x"), "61x"),
    (("summary", "--as-of", "2026-02-30"), "2026-02-30"),
    (("export", "--scope", "61", "--status", "gone", "-o", "x.csv"), "gone"),
    (("export", "--scope", "61", "-o", "x.pdf"), ".pdf"),
])
def test_errors_are_one_clear_line(demo_db, args, words):
    p = run(*args, db=demo_db)
    assert p.returncode != 0
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in p.stderr


def test_missing_database(tmp_path):
    p = run("summary", "--scope", "61", db=tmp_path / "none.duckdb")
    assert p.returncode != 0 and "none.duckdb" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "none.duckdb").exists()


def test_import_cli_reports_and_fails_cleanly(tmp_path):
    db = tmp_path / "cli.duckdb"
    from fixtures_ledger import write_messy_xlsx
    assert run("demo", db=db).returncode == 0
    ledger = write_messy_xlsx(tmp_path / "台账.xlsx")
    report = tmp_path / "report.csv"
    p = run("import", "assignments", str(ledger), "--report", str(report), db=db)
    assert p.returncode == 0, p.stderr
    assert "拒绝" in p.stdout and report.read_bytes().startswith(b"\xef\xbb\xbf")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    p = run("import", "boundaries", str(bad), db=db)
    assert p.returncode != 0 and "bad.zip" in p.stderr and "Traceback" not in p.stderr


def test_init_gives_a_real_database_without_contracts(tmp_path):
    db = tmp_path / "real.duckdb"
    p = run("init", db=db)
    assert p.returncode == 0, p.stderr
    rows = json.loads(run("summary", "--as-of", "2026-11-27", db=db).stdout)
    assert len(rows) == 31 and sum(r["villages"] for r in rows) == 620572
    assert sum(r["covered"] + r["lapsed"] for r in rows) == 0
    html = tmp_path / "china.html"
    assert run("map", "--as-of", "2026-11-27", "-o", str(html), db=db).returncode == 0
    assert html.read_text(encoding="utf-8").count('"code":') >= 31      # province outlines are there
    assert run("init", db=db).returncode == 0                           # a second init changes nothing



def test_import_registry_that_abolishes_a_county_needs_allow_abolish(tmp_path):
    """The issue's file: 周至县's own row and no village.  Refused with one line, store unchanged; with
    --allow-abolish imported, and the output and the report say how many villages and where."""
    import duckdb

    from geo.sources.national import national_registry, villages

    db = tmp_path / "real.duckdb"
    assert run("init", db=db).returncode == 0
    zhouzhi = villages(national_registry(), "610124")
    assert len(zhouzhi) == 283
    path = tmp_path / "周至县区划.csv"
    path.write_text("统计用区划代码,名称\n610124000000,周至县\n", encoding="utf-8-sig")

    def state():
        with duckdb.connect(str(db), read_only=True) as con:
            return (con.execute("SELECT count(*) FROM divisions WHERE abolished").fetchall()[0][0],
                    con.execute("SELECT kind FROM batches ORDER BY batch_id").fetchall())

    def report_codes(report):
        rows = list(csv.DictReader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
        return sorted(r["code"] for r in rows if r["原因"] == "撤销")

    refused_report = tmp_path / "refused.csv"
    p = run("import", "registry", str(path), "--report", str(refused_report), db=db)
    assert p.returncode == 2 and not p.stdout and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    for words in ("周至县（610124）283/283 个", "--allow-abolish", "未导入", "nothing was imported"):
        assert words in p.stderr
    assert state() == (0, [("init",)])
    assert report_codes(refused_report) == sorted(zhouzhi["code"])      # the list to check before confirming

    report = tmp_path / "report.csv"
    p = run("import", "registry", str(path), "--allow-abolish", "--report", str(report), db=db)
    assert p.returncode == 0, p.stderr
    assert len(p.stdout.strip().splitlines()) == 1
    assert "撤销村（社区）283 个" in p.stdout and "周至县 (610124) 283 of 283" in p.stdout
    assert zhouzhi["name"].iloc[0] in p.stdout
    assert state() == (283, [("init",), ("registry",)])
    assert report_codes(report) == sorted(zhouzhi["code"])


def test_import_registry_below_the_share_proceeds_and_says_what_went(tmp_path):
    from geo.sources.national import national_registry, villages

    db = tmp_path / "real.duckdb"
    assert run("init", db=db).returncode == 0
    zhouzhi = villages(national_registry(), "610124")
    kept, gone = zhouzhi.iloc[:-2], zhouzhi.iloc[-2:]
    path = tmp_path / "周至县区划.csv"
    path.write_text("统计用区划代码,名称\n610124000000,周至县\n"
                    + "".join(f"{c},{n}\n" for c, n in zip(kept["code"], kept["name"])), encoding="utf-8-sig")
    p = run("import", "registry", str(path), db=db)
    assert p.returncode == 0, p.stderr
    assert "撤销村（社区）2 个：周至县（610124）2/283 个" in p.stdout
    assert all(name in p.stdout for name in gone["name"])


# ------------------------------------------------------------------------------------------- careless inputs

@pytest.fixture(scope="module")
def careless(demo_db, tmp_path_factory) -> Path:
    """A folder with a copy of the demo database and the kinds of wrong file a clerk hands over."""
    from fixtures_ledger import write_messy_xlsx

    root = tmp_path_factory.mktemp("careless")
    shutil.copyfile(demo_db, root / "db.duckdb")
    write_messy_xlsx(root / "台账.xlsx")
    (root / "folder").mkdir()
    (root / "empty.xlsx").write_bytes(b"")
    (root / "empty.csv").write_bytes(b"")
    (root / "empty.geojson").write_bytes(b"")
    (root / "text.xlsx").write_text("区划代码,名称\n610124100201,东村\n", encoding="utf-8")
    (root / "ledger.pdf").write_bytes(b"%PDF-1.4\n")
    (root / "a_file.txt").write_text("x", encoding="utf-8")
    (root / "not_a_db.duckdb").write_text("区划代码,名称\n", encoding="utf-8")
    return root


def batch_count(db: Path) -> int:
    with open_store(db, read_only=True) as store:
        return len(store.batches())


# {d} is the careless folder; every case must end in one line on stderr, status 2, and leave `absent` absent
CARELESS = [
    # (args, word the line must name, paths that must not exist afterwards)
    (("summary", "--scope", "99"), "99", ()),
    (("summary", "--as-of", "2026-13-01"), "2026-13-01", ()),
    (("summary", "--scope", "610124", "--by", "province"), "province", ()),
    (("summary", "-o", "{d}/no_folder/s.json"), "no_folder", ("{d}/no_folder",)),
    (("summary", "-o", "{d}/folder"), "folder", ()),
    (("summary", "--db", "{d}/none.duckdb"), "none.duckdb", ("{d}/none.duckdb",)),
    (("summary", "--db", "{d}/folder"), "folder", ()),
    (("summary", "--db", "{d}/not_a_db.duckdb"), "not_a_db.duckdb", ()),
    (("export", "-o", "{d}/no_folder/x.xlsx"), "no_folder", ("{d}/no_folder",)),
    (("export", "-o", "{d}/a_file.txt/x.csv"), "a_file.txt", ()),
    (("export", "-o", "{d}/folder"), "folder", ()),
    (("export", "-o", "{d}/x.pdf"), ".pdf", ("{d}/x.pdf",)),
    (("export", "--scope", "61x", "-o", "{d}/x.csv"), "61x", ("{d}/x.csv",)),
    (("export", "--as-of", "27.11.2026", "-o", "{d}/x.csv"), "27.11.2026", ("{d}/x.csv",)),
    (("export", "--status", "gone", "-o", "{d}/x.csv"), "gone", ("{d}/x.csv",)),
    (("map", "-o", "{d}/no_folder/m.html"), "no_folder", ("{d}/no_folder",)),
    (("map", "--scope", "99", "-o", "{d}/m.html"), "99", ("{d}/m.html",)),
    (("map", "--as-of", "2026-02-30", "-o", "{d}/m.html"), "2026-02-30", ("{d}/m.html",)),
    (("import", "assignments", "{d}/missing.xlsx"), "missing.xlsx", ()),
    (("import", "assignments", "{d}/folder"), "folder", ()),
    (("import", "assignments", "{d}/empty.xlsx"), "empty.xlsx", ()),
    (("import", "assignments", "{d}/text.xlsx"), "text.xlsx", ()),
    (("import", "assignments", "{d}/ledger.pdf"), "ledger.pdf", ()),
    (("import", "assignments", "{d}/台账.xlsx", "--county", "99"), "99", ()),
    (("import", "assignments", "{d}/台账.xlsx", "--report", "{d}/no_folder/r.csv"), "no_folder",
     ("{d}/no_folder",)),
    (("import", "assignments", "{d}/台账.xlsx", "--db", "{d}/none.duckdb"), "none.duckdb", ("{d}/none.duckdb",)),
    (("import", "registry", "{d}/missing.csv"), "missing.csv", ()),
    (("import", "registry", "{d}/empty.csv"), "empty.csv", ()),
    (("import", "registry", "{d}/text.xlsx"), "text.xlsx", ()),
    (("import", "registry", "{d}/folder"), "folder", ()),
    (("import", "registry", "{d}/ledger.pdf"), "ledger.pdf", ()),
    (("import", "registry", "{d}/台账.xlsx", "--db", "{d}/none.duckdb"), "none.duckdb", ("{d}/none.duckdb",)),
    (("import", "boundaries", "{d}/missing.zip"), "missing.zip", ()),
    (("import", "boundaries", "{d}/empty.geojson"), "empty.geojson", ()),
    (("import", "boundaries", "{d}/ledger.pdf"), "ledger.pdf", ()),
    (("import", "boundaries", "{d}/台账.xlsx", "--db", "{d}/none.duckdb"), "none.duckdb", ("{d}/none.duckdb",)),
]


@pytest.mark.parametrize("args, word, absent", CARELESS, ids=[" ".join(c[0]) for c in CARELESS])
def test_careless_input_gives_one_line_and_status_2(careless, capsys, args, word, absent):
    from geo.cli import main

    d = str(careless)
    argv = [a.replace("{d}", d) for a in args]
    if "--db" not in argv:
        argv += ["--db", f"{d}/db.duckdb"]
    before = batch_count(careless / "db.duckdb")
    code = main(argv)                       # an uncaught exception fails the test: that is the traceback
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2 and out == ""
    assert len(lines) == 1 and lines[0].startswith("错误 / error:") and word in lines[0], err
    for path in absent:
        assert not Path(path.replace("{d}", d)).exists(), path
    assert batch_count(careless / "db.duckdb") == before     # a refused import changed nothing


def test_careless_input_has_no_traceback_in_a_real_process(careless):
    p = run("import", "assignments", str(careless / "台账.xlsx"), db=careless / "none.duckdb")
    assert p.returncode == 2 and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert not (careless / "none.duckdb").exists()
    p = run("export", "-o", str(careless / "no_folder" / "x.xlsx"), db=careless / "db.duckdb")
    assert p.returncode == 2 and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("kind", ["assignments", "registry"])
def test_xlsx_named_xls_is_read_as_what_it_is(demo_db, tmp_path, kind):
    from fixtures_ledger import write_messy_xlsx

    db = tmp_path / "db.duckdb"
    shutil.copyfile(demo_db, db)
    if kind == "assignments":
        src = write_messy_xlsx(tmp_path / "台账.xlsx")
    else:
        src = tmp_path / "区划.xlsx"
        book = openpyxl.Workbook()
        book.active.append(["区划代码", "名称"])
        book.active.append(["610124100299", "新设村"])
        book.save(src)
    renamed = tmp_path / "renamed.xls"
    shutil.copyfile(src, renamed)
    p = run("import", kind, str(renamed), db=db)
    assert p.returncode == 0, p.stderr
    with open_store(db, read_only=True) as store:
        batches = store.batches()
        [accepted] = batches.loc[batches["file_name"] == "renamed.xls", "rows_accepted"]
        assert accepted > 0
        if kind == "registry":
            assert store.division("610124100299").name == "新设村"
