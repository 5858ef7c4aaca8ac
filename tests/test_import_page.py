"""The import page (数据导入) on a copy of the demo database: upload, preview before anything is written,
import with a report, the same file again, rollback from the history, orphan assignments after a registry
import, boundaries, and cached figures refreshed after each change (AppTest; uploads via file_uploader)."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import shapely
from streamlit.testing.v1 import AppTest

from fixtures_app import app_store, assert_ok, open_page
from fixtures_ledger import MESSY_ACCEPTED, MESSY_REJECTED, write_messy_xlsx
from geo import imports
from geo.core.codes import Scope
from geo.store import Store
from geo.text.catalogue import escape_markdown, md, t

PAGE = "pages/imports.py"
DATE = "2026-06-01"
ZHOUZHI = "610124"


def upload(at: AppTest, path: Path) -> None:
    at.file_uploader[0].set_value((path.name, path.read_bytes(), "application/octet-stream")).run()
    assert_ok(at)


def table(at: AppTest, *columns: str) -> pd.DataFrame:
    """The one table shown with these columns."""
    [df] = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    return df


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def snapshot(store: Store) -> dict[str, str]:
    return {name: store.query(f"SELECT * FROM {name} ORDER BY ALL").to_csv()
            for name in ("divisions", "advisers", "assignments", "village_geoms", "batches")}


def keys(at: AppTest) -> set[str]:
    """Keys of the checkboxes shown."""
    return {w.key for w in at.checkbox}


def abolition_table(at: AppTest) -> list[list]:
    """The preview's rows of counties that lose villages."""
    return table(at, t("col.county"), t("imp.r.col.share")).values.tolist()


# ------------------------------------------------------------------------------------------------- ledgers

def test_ledger_preview_writes_nothing_then_import_reports_and_refreshes(app_db, tmp_path, downloads):
    path = write_messy_xlsx(tmp_path / "周至县台账.xlsx")
    at = open_page(PAGE, scope=ZHOUZHI, date=DATE)
    store = app_store(app_db)
    before = snapshot(store)
    covered_before = store.totals(Scope.parse(ZHOUZHI), DATE).covered
    upload(at, path)

    # the preview: county, header row, column mapping, matched rows, rejects with row numbers - nothing written
    assert md("imp.county_detected", name="周至县", code=ZHOUZHI, how=t("imp.how.title")) in [i.value for i in at.info]
    assert md("imp.header_row", sheet=md("imp.sheet", sheet="台账"), row=3, start=4) in [c.value for c in at.caption]
    mapping = table(at, t("imp.col.field"))
    assert mapping[t("imp.field.village")].tolist() == ["村（社区） 名称"]
    assert mapping[t("imp.field.name")].tolist() == ["法律顾问 姓名"]
    assert mapping[t("imp.field.period")].tolist() == ["聘任期限"]
    matched = table(at, t("imp.col.row"), t("imp.col.ledger_village"))
    want = [(row, code) for row, rows in MESSY_ACCEPTED.items() for code, *_ in rows]
    assert list(zip(matched[t("imp.col.row")], matched[t("col.code")])) == want
    rejected = table(at, t("imp.col.row"), t("imp.col.reason"))
    assert rejected[t("imp.col.row")].tolist() == sorted(MESSY_REJECTED)
    assert set(rejected[t("imp.col.reason")]) == {t(f"imp.reason.{r}") for r in MESSY_REJECTED.values()}
    m = metrics(at)
    assert (m[t("imp.m.accepted")], m[t("imp.m.rejected")]) == (str(len(want)), str(len(MESSY_REJECTED)))
    assert snapshot(store) == before

    # the figures of the overview before the import (cached under the current data version)
    at.switch_page("pages/summary.py").run()
    assert metrics(at)[t("metric.covered")] == f"{covered_before:,}"
    at.switch_page(PAGE).run()
    upload(at, path)
    at.button(key="imp_go").click().run()
    assert_ok(at)
    batch = int(store.batches()["batch_id"].max())
    # the line names the commonest reasons (here one row each: the first three, then the rest summed)
    first = [md("msg.imp.reason_n", reason=t(f"imp.reason.{r}"), n=1) for r in list(MESSY_REJECTED.values())[:3]]
    others = md("msg.imp.reason_other", n=len(MESSY_REJECTED) - 3)
    assert [s.value for s in at.success][0] == md("imp.done", file=path.name, batch=batch, read=15,
                                                    accepted=len(want), rejected=len(MESSY_REJECTED)) \
        + md("msg.imp.reasons", reasons="、".join([*first, others]))
    assert not at.file_uploader[0].value                   # a fresh uploader, the preview is gone
    stem = f"导入报告_周至县台账_{batch}"
    sheet = openpyxl.load_workbook(io.BytesIO(downloads[f"{stem}.xlsx"])).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:3] == [t("imp.col.row"), t("imp.col.reason"), t("imp.col.message")]   # the page's language
    rejected_rows = [int(r[0]) for r in rows[1:] if r[1] != t("imp.reason.doubtful")]
    assert sorted(rejected_rows) == sorted(MESSY_REJECTED)
    # rows accepted with a doubt (an ID number removed from the row) are listed for checking too
    assert {int(r[0]) for r in rows[1:] if r[1] == t("imp.reason.doubtful")} == {6, 8}
    assert downloads[f"{stem}.csv"].startswith(b"\xef\xbb\xbf")
    shown = table(at, t("imp.col.row"), t("imp.col.reason"), "村（社区） 名称")    # on screen: in words
    assert dict(zip(shown[t("imp.col.row")], shown[t("imp.col.reason")])) == {
        **{row: t(f"imp.reason.{reason}") for row, reason in MESSY_REJECTED.items()},
        6: t("imp.reason.doubtful"), 8: t("imp.reason.doubtful")}
    assert not any(m.startswith("第") for m in shown[t("imp.col.message")])   # the row is its own column
    history = table(at, t("imp.h.batch"))
    assert history[t("imp.h.batch")].iloc[0] == batch and history[t("imp.h.file")].iloc[0] == path.name

    # every cached figure follows the new data
    covered_after = store.totals(Scope.parse(ZHOUZHI), DATE).covered
    assert covered_after != covered_before
    at.switch_page("pages/summary.py").run()
    assert metrics(at)[t("metric.covered")] == f"{covered_after:,}"

    # the same file again: said plainly, nothing changes
    at.switch_page(PAGE).run()
    after = snapshot(store)
    upload(at, path)
    assert md("imp.already", batch=batch) in [i.value for i in at.info]
    at.button(key="imp_go").click().run()
    assert_ok(at)
    assert md("imp.unchanged", file=path.name, batch=batch) in [i.value for i in at.info]
    assert snapshot(store) == after


def test_county_can_be_chosen_or_typed(app_db, tmp_path):
    path = write_messy_xlsx(tmp_path / "台账.xlsx")
    at = open_page(PAGE, scope="6101", date=DATE)
    upload(at, path)
    at.selectbox(key="imp_county").set_value("610118").run()       # 鄠邑区: none of these villages is there
    assert_ok(at)
    assert md("imp.county_detected", name="鄠邑区", code="610118", how=t("imp.how.given")) in [i.value for i in at.info]
    assert metrics(at)[t("imp.m.accepted")] == "0"
    assert [b for b in at.button if b.key == "imp_go"] == []        # nothing to import, no button
    at.text_input(key="imp_county_code").set_value(ZHOUZHI).run()    # the typed code wins
    assert md("imp.county_detected", name="周至县", code=ZHOUZHI, how=t("imp.how.given")) in [i.value for i in at.info]
    at.text_input(key="imp_county_code").set_value("999999").run()
    assert_ok(at)
    assert any("999999" in e.value and " / " in e.value for e in at.error)


def test_unreadable_file_is_one_bilingual_error(app_db):
    at = open_page(PAGE)
    at.file_uploader[0].set_value(("坏.xlsx", b"PK\x03\x04 not a workbook", "application/octet-stream")).run()
    assert_ok(at)
    [error] = at.error
    assert escape_markdown("坏.xlsx") in error.value and " / " in error.value
    assert [b for b in at.button if b.key == "imp_go"] == []


# ------------------------------------------------------------------------------------------------- history

def test_history_lists_batches_and_rollback_restores(app_db, tmp_path):
    at = open_page(PAGE, scope=ZHOUZHI, date=DATE)
    store = app_store(app_db)
    before = snapshot(store)
    totals_before = store.totals(Scope.parse(ZHOUZHI), DATE)
    res = imports.import_assignments(store, write_messy_xlsx(tmp_path / "周至县台账.xlsx"))
    assert store.totals(Scope.parse(ZHOUZHI), DATE) != totals_before

    at.run()
    history = table(at, t("imp.h.batch"))
    batches = store.batches()
    assert history[t("imp.h.batch")].tolist() == batches["batch_id"].tolist()
    assert history[t("imp.h.kind")].tolist() == [t(f"imp.kind.{k}") for k in batches["kind"]]
    assert history[t("imp.h.read")].tolist() == batches["rows_read"].tolist()
    assert history[t("imp.h.accepted")].tolist() == batches["rows_accepted"].tolist()
    assert history[t("imp.h.rejected")].tolist() == batches["rows_rejected"].tolist()

    # the demo cannot be rolled back: the library's reason is shown
    pick = at.selectbox(key="imp_rb_pick")
    # a batch without a file name (the demo's) is listed without one, never as "nan"
    assert pick.options == [t("imp.rb.option" if isinstance(f, str) else "msg.rb.option_nofile", batch=b,
                              kind=t(f"imp.kind.{k}"), file=f, time=pd.Timestamp(c).strftime("%Y-%m-%d %H:%M"))
                            for b, k, f, c in batches[["batch_id", "kind", "file_name", "created_at"]]
                            .itertuples(index=False)]
    assert not isinstance(batches.loc[batches["kind"] == "demo", "file_name"].iloc[0], str)
    assert not any("nan" in o for o in pick.options)
    demo = int(batches.loc[batches["kind"] == "demo", "batch_id"].iloc[0])
    pick.set_value(demo).run()
    at.button(key="imp_rb_do").click().run()
    assert_ok(at)
    assert any("演示数据或随软件提供的区划）不能撤销" in e.value for e in at.error)

    at.selectbox(key="imp_rb_pick").set_value(res.batch_id).run()
    assert t("imp.rb.what.assignments") in [c.value for c in at.caption]
    at.button(key="imp_rb_do").click().run()
    assert_ok(at)
    assert f"第 {res.batch_id} 批已撤销" in [s.value for s in at.success]
    history = table(at, t("imp.h.batch"))
    status = dict(zip(history[t("imp.h.batch")], history[t("imp.h.status")]))
    assert status[res.batch_id] == t("imp.h.rolled_back")
    assert res.batch_id not in at.selectbox(key="imp_rb_pick").options
    assert snapshot(store)["assignments"] == before["assignments"]
    assert store.totals(Scope.parse(ZHOUZHI), DATE) == totals_before
    at.switch_page("pages/summary.py").run()
    assert metrics(at)[t("metric.covered")] == f"{totals_before.covered:,}"


# ------------------------------------------------------------------------------------------------- registry

def test_registry_import_abolishing_a_village_shows_its_assignments(app_db, tmp_path):
    at = open_page(PAGE)
    store = app_store(app_db)
    assert not at.warning                                          # no data problem in the demo
    villages = store.query(f"""SELECT d.code, d.name FROM divisions d WHERE d.level = 5
                               AND d.code // 1000000 = {ZHOUZHI} ORDER BY d.code""")
    gone = int(store.scalar(f"""SELECT min(village) FROM assignments
                                WHERE village // 1000000 = {ZHOUZHI}"""))
    path = tmp_path / "周至县区划代码.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["统计用区划代码", "名称"])
        w.writerow([ZHOUZHI + "000000", "周至县"])
        w.writerows([f"{c:012d}", n] for c, n in villages.itertuples(index=False) if c != gone)
        w.writerow(["12345", "坏代码"])
    at.radio(key="imp_kind").set_value("registry").run()
    upload(at, path)
    rows = len(villages) + 1          # the county, the villages but one, the bad code
    assert md("imp.r.read", rows=f"{rows:,}", ok=f"{rows - 1:,}", bad="1") in [i.value for i in at.info]
    assert md("imp.r.counties", n="1", names="周至县") in [m.value for m in at.markdown]
    # under the header row
    assert table(at, t("imp.col.row"), t("imp.col.reason"))[t("imp.col.row")].tolist() == [rows + 1]
    # 1 of 283 villages: said where, and no confirmation needed
    assert t("imp.r.will_abolish", n="1", counties=1) in [w.value for w in at.warning]
    assert abolition_table(at) == [["周至县", ZHOUZHI, 1, len(villages), "0.4%", "",
                                    dict(villages.itertuples(index=False))[gone]]]
    assert "imp_r_allow" not in keys(at)

    at.button(key="imp_go").click().run()
    assert_ok(at)
    n = int(store.scalar("SELECT count(*) FROM assignments WHERE village = ?", [gone]))
    assert md("imp.d.registry", added=0, renamed=0, abolished=1) in [m.value for m in at.markdown]
    report = table(at, t("imp.col.reason"), "code")
    assert report[report[t("imp.col.reason")] == t("imp.reason.abolished")]["code"].tolist() == [f"{gone:012d}"]
    warnings = [w.value for w in at.warning]
    assert md("imp.d.orphans", n=n) in warnings
    assert md("imp.orphans", name="陕西省", n=str(n)) in warnings
    assert md("imp.orphans_top", name="陕西省", n=str(n)) in warnings
    orphans = table(at, t("col.code"), t("imp.o.state"))
    assert orphans[t("col.code")].tolist() == store.orphan_assignments(Scope.parse("61"))["code"].tolist()
    assert set(orphans[t("col.code")]) == {f"{gone:012d}"}
    assert set(orphans[t("imp.o.state")]) == {t("imp.o.abolished")}


def test_county_only_list_needs_the_checkbox_then_abolishes_the_county(app_db, tmp_path, downloads):
    """The issue's file: 周至县's own row and no village would abolish all 283 villages of the county."""
    at = open_page(PAGE)
    store = app_store(app_db)
    zhouzhi = store.query(f"""SELECT code, name FROM divisions WHERE level = 5 AND code % 1000 <> 0
                              AND code // 1000000 = {ZHOUZHI} ORDER BY code""")
    assert len(zhouzhi) == 283
    path = tmp_path / "周至县.csv"
    path.write_text("统计用区划代码,名称\n610124000000,周至县\n", encoding="utf-8-sig")
    at.radio(key="imp_kind").set_value("registry").run()
    upload(at, path)
    assert t("imp.r.will_abolish", n="283", counties=1) in [e.value for e in at.error]
    first = "、".join(zhouzhi["name"].head(imports.ABOLISH_NAMES_SHOWN)) + t("imp.r.more_names")
    assert abolition_table(at) == [["周至县", ZHOUZHI, 283, 283, "100.0%", t("imp.r.yes"), first]]
    every = table(at, t("col.code"), t("col.village"), t("imp.col.message"))
    assert every[t("col.code")].tolist() == [f"{c:012d}" for c in zhouzhi["code"]]
    assert "imp_r_allow" in keys(at) and not at.checkbox(key="imp_r_allow").value

    before = snapshot(store)
    at.button(key="imp_go").click().run()
    assert_ok(at)
    refused = t("imp.r.refused_page", n="283", share="5%", box=t("imp.r.allow"))    # in the page's language
    assert escape_markdown(refused) in [e.value for e in at.error]
    assert snapshot(store) == before                                 # nothing written, no batch recorded

    at.checkbox(key="imp_r_allow").check().run()
    at.button(key="imp_go").click().run()
    assert_ok(at)
    assert t("imp.d.registry", added=0, renamed=0, abolished=283) in [m.value for m in at.markdown]
    assert store.scalar(f"SELECT count(*) FROM divisions WHERE abolished AND code // 1000000 = {ZHOUZHI}") == 283
    assert store.batches()["kind"].iloc[0] == "registry"
    report = table(at, t("imp.col.reason"), "code")
    assert sorted(report["code"]) == [f"{c:012d}" for c in zhouzhi["code"]]
    assert set(report[t("imp.col.row")]) == {""}                    # not rows of the file: blank, not "None"
    [csv_bytes] = [v for k, v in downloads.items() if k.endswith(".csv")]
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    assert sorted(r["code"] for r in rows if r[t("imp.col.reason")] == t("imp.reason.abolished")) == \
        [f"{c:012d}" for c in zhouzhi["code"]]


# ------------------------------------------------------------------------------------------------- boundaries

def test_boundaries_preview_override_and_import(app_db, tmp_path):
    at = open_page(PAGE, scope=ZHOUZHI)
    store = app_store(app_db)
    towns = store.query(f"""SELECT code, name FROM divisions WHERE level = 5 AND code // 1000 = {ZHOUZHI}001
                            ORDER BY code LIMIT 3""")
    cells = [shapely.box(108.2 + i * 0.01, 34.1, 108.21 + i * 0.01, 34.11) for i in range(len(towns))]
    gdf = gpd.GeoDataFrame({"DM": [f"{c:012d}" for c in towns["code"]], "MC": towns["name"].tolist()},
                           geometry=cells, crs="EPSG:4326").to_crs("EPSG:4545")
    path = tmp_path / "二曲街道村界.geojson"
    gdf.to_file(path, driver="GeoJSON")
    at.radio(key="imp_kind").set_value("boundaries").run()
    upload(at, path)
    assert metrics(at)[t("imp.m.villages")] == str(len(towns))
    assert md("imp.b.read", crs="EPSG:4545", encoding="utf-8", code="DM", name="MC", town=t("imp.b.none")) in [
        i.value for i in at.info]
    matched = table(at, t("col.code"), t("imp.col.method"))
    assert matched[t("col.code")].tolist() == [f"{c:012d}" for c in towns["code"]]
    assert set(matched[t("imp.col.method")]) == {t("imp.method.code")}
    # a wrong code field given by hand: the reader's error (naming the file's fields) in both languages
    at.text_input(key="imp_b_code").set_value("NOPE").run()
    assert_ok(at)
    assert any("NOPE" in e.value and " / " in e.value for e in at.error)
    assert [b for b in at.button if b.key == "imp_go"] == []
    at.text_input(key="imp_b_code").set_value("DM").run()
    at.button(key="imp_go").click().run()
    assert_ok(at)
    assert md("imp.d.boundaries", villages=len(towns), crs="EPSG:4545", encoding="utf-8") in [
        m.value for m in at.markdown]
    batch = int(store.batches()["batch_id"].iloc[0])
    stored = store.query(f"""SELECT code, schematic, batch_id FROM village_geoms
                             WHERE code IN ({",".join(str(c) for c in towns["code"])}) ORDER BY code""")
    assert stored["code"].tolist() == towns["code"].tolist()
    assert not stored["schematic"].any() and set(stored["batch_id"]) == {batch}


def test_hostile_or_shapeless_boundary_files_get_the_readers_message(app_db, tmp_path):
    """A VRT named .geojson that would read a CSV on the server, the same inside a zip, a GeoJSON whose
    features have no shapes: the reader's refusal, no traceback, no import button, nothing written."""
    secret = tmp_path / "secret.csv"
    secret.write_text('ZLDWDM,WKT\n610124001001,"POLYGON((108.2 34.1,108.21 34.1,108.21 34.11,108.2 34.1))"\n')
    vrt = (f'<OGRVRTDataSource><OGRVRTLayer name="secret"><SrcDataSource>{secret}</SrcDataSource>'
           '<GeometryField encoding="WKT" field="WKT"/></OGRVRTLayer></OGRVRTDataSource>')
    (tmp_path / "村界.geojson").write_text(vrt)
    with zipfile.ZipFile(tmp_path / "村界.zip", "w") as zf:
        zf.writestr("村/村界.geojson", vrt)
    (tmp_path / "无图形.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"DM": "610124001001"}, "geometry": None}]}))
    cases = (("村界.geojson", "bnd.refused"), ("村界.zip", "bnd.refused"), ("无图形.geojson", "bnd.no_geometry"))
    at = open_page(PAGE, scope=ZHOUZHI)
    store = app_store(app_db)
    before = snapshot(store)
    at.radio(key="imp_kind").set_value("boundaries").run()
    for name, key in cases:
        upload(at, tmp_path / name)
        [error] = at.error
        head_zh, head_en = t(key, "zh").split("{")[0], t(key, "en").split("{")[0]
        assert all(escape_markdown(words) in error.value for words in (name, head_zh, head_en)), error.value
        assert [b for b in at.button if b.key == "imp_go"] == []
    assert snapshot(store) == before


# ------------------------------------------------------------------------------------------------- hostile text

# Markdown that would fetch, link, run or format, as it can stand in a file name (no "/")
HOSTILE = ["![x](t.png)", "[点此](evil.example)", "<img src=x onerror=alert(1)>", "www.evil.example",
           "clerk@evil.example", "**bold**", ":red[x]", "$x$", "`code`"]
HOSTILE_TEXT = " ".join(HOSTILE)


def markdown_texts(at: AppTest) -> list[str]:
    return [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "subheader")
            for e in getattr(at, kind)]


def assert_literal(shown: list[str], value: str) -> None:
    """`value` is in one of the Markdown sources `shown`, escaped, and no payload is in any of them live."""
    assert any(escape_markdown(value) in s for s in shown), value
    for payload in HOSTILE:
        assert not any(payload in s for s in shown), payload


def test_file_names_and_file_text_show_literally(app_db, tmp_path):
    at = open_page(PAGE, scope=ZHOUZHI, date=DATE)
    store = app_store(app_db)
    # a file that cannot be read: the error names it
    at.file_uploader[0].set_value((f"{HOSTILE_TEXT}.xlsx", b"PK\x03\x04 not a workbook", "application/x")).run()
    assert_ok(at)
    assert_literal([e.value for e in at.error], f"{HOSTILE_TEXT}.xlsx")

    # a ledger: the success notice names it; the history table and the rollback choice show it as typed
    ledger = tmp_path / f"{HOSTILE_TEXT}.csv"
    with open(ledger, "w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f).writerows([["村（社区）名称", "法律顾问姓名", "聘任期限"],
                                 ["淳风苑社区", "张三", "2026.01.01-2027.12.31"]])
    upload(at, ledger)
    at.text_input(key="imp_county_code").set_value(ZHOUZHI).run()
    at.button(key="imp_go").click().run()
    assert_ok(at)
    assert_literal([s.value for s in at.success], ledger.name)
    assert ledger.name in table(at, t("imp.h.batch"), t("imp.h.file"))[t("imp.h.file")].tolist()
    assert any(ledger.name in o for o in at.selectbox(key="imp_rb_pick").options)

    # boundaries whose file names a village otherwise: the warning quotes the file's text
    village = store.query(f"SELECT code FROM divisions WHERE level = 5 AND code // 1000000 = {ZHOUZHI} "
                          "ORDER BY code LIMIT 1")["code"].iloc[0]
    gdf = gpd.GeoDataFrame({"DM": [f"{village:012d}"], "MC": [f"村{HOSTILE_TEXT}"]},
                           geometry=[shapely.box(108.2, 34.1, 108.21, 34.11)], crs="EPSG:4326")
    path = tmp_path / "村界.geojson"
    gdf.to_file(path, driver="GeoJSON")
    at.radio(key="imp_kind").set_value("boundaries").run()
    upload(at, path)
    assert_literal([w.value for w in at.warning], f"村{HOSTILE_TEXT}")
    assert_literal(markdown_texts(at), f"村{HOSTILE_TEXT}")


# ------------------------------------------------------------------------------------------------- language

def test_page_in_english(app_db):
    at = open_page(PAGE, lang="en")
    assert at.title[0].value == "Data import"
    assert at.radio(key="imp_kind").options == ["Adviser ledger", "Village boundaries", "Division codes", "Service log",
                                                   "Villagers' questionnaires"]
    assert t("imp.h.batch", "en") in table(at, t("imp.h.batch", "en")).columns


def test_an_upload_is_read_and_extracted_once_for_preview_and_import(app_db, tmp_path, monkeypatch):
    from geo.imports import worker
    from geo.sources import ledger
    from geo.sources.boundaries import files as boundary_files

    monkeypatch.setattr(worker, "IN_PROCESS", True)  # the readers counted here, not in a worker process
    calls: list[str] = []
    for module, name in ((boundary_files, "safe_extract"), (ledger, "read_ledger")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _f=original, _n=name, **k: calls.append(_n) or _f(*a, **k))
    at = open_page(PAGE, scope=ZHOUZHI)
    store = app_store(app_db)
    towns = store.query(f"""SELECT code, name FROM divisions WHERE level = 5 AND code // 1000 = {ZHOUZHI}001
                            ORDER BY code LIMIT 2""")
    gdf = gpd.GeoDataFrame({"DM": [f"{c:012d}" for c in towns["code"]]}, crs="EPSG:4326",
                           geometry=[shapely.box(108.2 + i * 0.01, 34.1, 108.21 + i * 0.01, 34.11) for i in (0, 1)])
    gdf.to_file(tmp_path / "村界.geojson", driver="GeoJSON")
    zipped = tmp_path / "村界.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(tmp_path / "村界.geojson", "村界/村界.geojson")
    at.radio(key="imp_kind").set_value("boundaries").run()
    upload(at, zipped)
    at.button(key="imp_go").click().run()
    assert_ok(at)
    assert md("imp.d.boundaries", villages=2, crs="EPSG:4326", encoding="utf-8") in [m.value for m in at.markdown]
    at.radio(key="imp_kind").set_value("assignments").run()
    upload(at, write_messy_xlsx(tmp_path / "台账.xlsx"))
    at.button(key="imp_go").click().run()
    assert_ok(at)
    assert at.session_state["imp_result"].kind == "assignments"
    assert calls == ["safe_extract", "read_ledger"]
