"""The page 考核 through AppTest on the demo: its figures are the library's for the same scope, period and rules,
a bad rule file is refused on the page with its line, and every download is built when clicked and audited."""
from __future__ import annotations

import io
import json

import openpyxl

from fixtures_app import DATE, app_store, open_page
from geo.assess.period import Period
from geo.assess.rules import load_rules
from geo.assess.sheet import assess
from geo.assess.stats import upward_stats
from geo.core.codes import Scope
from geo.text.catalogue import t

COUNTY = Scope.parse("610124")
QUARTER = Period.parse("2026Q3")        # the last quarter over by the demo's date: the page's first choice


def test_the_page_shows_the_library_s_assessment_and_audits_its_downloads(app_db, demo_store, downloads):
    at = open_page("pages/assess.py", scope=COUNTY.digits, date=DATE)
    expected = assess(demo_store, COUNTY, QUARTER, load_rules("anhui"))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("assess.page.advisers")] == f"{len(expected.advisers):,}"
    assert metrics[t("assess.page.mean")] == f"{expected.advisers['score'].mean():.1f}"
    assert metrics[t("assess.page.warning")] == f"{len(expected.warning):,}"
    table = at.dataframe[0].value
    assert sorted(table[t("assess.col.score")]) == sorted(expected.advisers["score"])
    stem = f"考核_周至县_{QUARTER.code}"
    book = openpyxl.load_workbook(io.BytesIO(downloads[f"{stem}.xlsx"]))
    assert book.sheetnames[0] == "顾问考核"
    data = json.loads(downloads[f"{stem}.json"])
    assert len(data["advisers"]) == len(expected.advisers)
    assert downloads[f"{stem}.pdf"][:5] == b"%PDF-"
    trail = app_store(app_db).query("SELECT action, scope, detail FROM audit WHERE action = 'export'")
    details = [json.loads(d) for d in trail["detail"]]
    assert {(d["what"], d["format"]) for d in details} >= {("assessment", "xlsx"), ("assessment", "json"),
                                                          ("assessment", "pdf")}
    assert all(d.get("period") == QUARTER.code for d in details if d["what"] == "assessment")


def test_a_bad_rule_file_is_refused_on_the_page_with_its_line(app_db):
    at = open_page("pages/assess.py", scope=COUNTY.digits, date=DATE)
    at.selectbox(key="assess_rules").set_value("own").run()
    assert not at.exception
    assert any(t("assess.page.upload_first") in i.value for i in at.info)


def test_a_province_s_assessment_is_computed_when_asked_for(app_db, demo_store):
    province = Scope.parse("61")
    at = open_page("pages/assess.py", scope=province.digits, date=DATE)
    assert not at.metric, "a province's assessment is computed before anyone asked for it"
    assert any(t("assess.page.compute") == b.label for b in at.button)
    at.button(key="assess_compute").click().run()
    assert not at.exception
    expected = assess(demo_store, province, QUARTER, load_rules("anhui"))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("assess.page.advisers")] == f"{len(expected.advisers):,}"
    assert metrics[t("assess.page.villages")] == f"{len(expected.villages):,}"
    at.selectbox(key="assess_rules").set_value("shandong").run()      # another rule set: asked for again
    assert not at.metric
    at.button(key="assess_compute").click().run()
    other = assess(demo_store, province, QUARTER, load_rules("shandong"))
    assert {m.label: m.value for m in at.metric}[t("assess.page.mean")] == f"{other.advisers['score'].mean():.1f}"


def test_only_the_open_tab_is_drawn_and_the_statistics_tab_shows_the_library_s(app_db, demo_store):
    at = open_page("pages/assess.py", scope=COUNTY.digits, date=DATE)
    assert [tab.label for tab in at.tabs][-1] == t("assess.page.tab.stats")
    assert not [b for b in at.get("download_button") if "stats" in (b.proto.id or "")]
    at.session_state["assess_tabs"] = t("assess.page.tab.stats")
    at.run()
    assert not at.exception
    stats = upward_stats(demo_store, COUNTY, QUARTER)
    shown = at.dataframe[0].value
    assert list(shown[t("assess.stat.code")]) == list(stats.table["code"])
