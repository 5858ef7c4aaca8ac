"""Villagers' feedback as the dashboard shows it (both backends): the map's third layer, the contradiction list's
files (formula-guarded, audited, limited to the jurisdiction), the CLI, the briefing's paragraph; the figures
counted again in plain pandas."""
from __future__ import annotations

import csv
import io
import json

import openpyxl
import pandas as pd
import pytest

from fixtures_feedback import AS_OF, EAST, ELSEWHERE, PERIOD, VILLAGES, WEST, ZHONGNAN, fed_store
from geo.auth.access import Principal, Role
from geo.briefing.document import villagers_paragraph
from geo.briefing.figures import gather
from geo.cli import main
from geo.core.codes import Scope
from geo.outputs.folium_map import map_html
from geo.views import feedback
from geo.views.map_view import build_folium_map, map_view

COUNTY = Principal("zz", "周至县", Role.EDITOR, Scope("610124"))
VIEWER = Principal("v", "周至县", Role.VIEWER, Scope("610124"))
HOSTILE = '=HYPERLINK("http://x","点我")'


@pytest.fixture
def fed(new_store):
    store, rows = fed_store(new_store)
    with store.transaction() as cur:          # a never-seen report whose comment is a formula and markup
        store.add_feedback(cur, pd.DataFrame([{
            "village": EAST, "received_at": pd.Timestamp("2026-11-20 02:00"), "source": "web", "satisfaction": 1,
            "reached": False, "never_seen": True, "comment": f"{HOSTILE}<b>x</b>", "client_key": "h",
            "duplicate": False, "batch_id": None}]))
    return store, store.feedback_responses(Scope(""), PERIOD)


def counted(rows: pd.DataFrame, prefix: str) -> pd.DataFrame:
    return rows[rows["code"].str.startswith(prefix)]


def test_the_report_is_limited_to_the_jurisdiction_and_counts_as_pandas_does(fed):
    store, rows = fed
    rep = feedback.feedback_report(store, COUNTY, Scope("61"), AS_OF)
    assert rep.scope == Scope("610124") and rep.narrowed and rep.period == PERIOD
    mine = counted(rows, "610124")
    assert int(rep.totals["responses"]) == len(mine)
    assert rep.totals["satisfaction_mean"] == pytest.approx(mine["satisfaction"].dropna().astype(float).mean())
    assert ELSEWHERE not in set(rep.contradictions["code"])
    by_township = mine.groupby(mine["code"].str[:9].str.ljust(12, "0")).size()
    got = rep.units.set_index("code")["responses"]
    assert got[got > 0].to_dict() == by_township.to_dict()


def test_the_map_has_a_feedback_layer_of_units_and_villages(fed):
    store, rows = fed
    units = map_view(store, Scope("610124"), AS_OF, layer="feedback")
    assert units.mode == "rate"
    props = {f["properties"]["code"]: f["properties"] for f in units.features["features"]}
    mine = counted(rows, "610124")
    for code, group in mine.groupby(mine["code"].str[:9].str.ljust(12, "0")):
        if code in props:
            assert props[code]["n_responses"] == len(group)
            assert props[code]["rate"] == pytest.approx(group["satisfaction"].dropna().astype(float).mean(), abs=0.01)
    villages = map_view(store, Scope("610124100"), AS_OF, layer="feedback").table.set_index("code")
    contradicted = set(store.contradictions(Scope("610124100"), PERIOD)["code"])
    assert {c for c, s in villages["feedback_status"].items() if s == "contradicted"} == contradicted
    assert EAST in contradicted and villages.loc[WEST, "feedback_status"] in ("never_seen", "dissatisfied",
                                                                               "satisfied")
    html = map_html(build_folium_map(store, map_view(store, Scope("610124100"), AS_OF, layer="feedback"),
                                     inline=True))
    assert "有记录无感知" in html and "<b>x</b>" not in html and "HYPERLINK" not in html


def test_contradiction_files_are_guarded_against_formulas_and_markup(fed, tmp_path):
    store, _ = fed
    rep = feedback.feedback_report(store, COUNTY, Scope("610124"), AS_OF)
    sneaky = rep.contradictions.assign(advisers=HOSTILE, township="<script>x</script>")
    book = openpyxl.load_workbook(io.BytesIO(feedback.contradiction_bytes(sneaky, "xlsx")))
    cells = [c for row in book.active.iter_rows() for c in row]
    assert any(c.value == HOSTILE and c.data_type == "s" for c in cells)
    text = feedback.contradiction_bytes(sneaky, "csv").decode("utf-8-sig")
    assert "'" + HOSTILE.replace('"', '""') in text
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows[1:]] == list(rep.contradictions["code"])


def test_an_export_of_the_list_is_audited_on_the_scope_it_was_limited_to(fed):
    store, _ = fed
    rep = feedback.feedback_report(store, VIEWER, Scope(""), AS_OF)
    assert len(rep.contradictions) and rep.scope == Scope("610124")
    feedback.record_contradictions(store, VIEWER, rep, "xlsx")
    audit = store.audit_rows(Scope("610124"))
    row = audit.iloc[-1]
    detail = json.loads(row["detail"])
    assert (row["username"], row["action"], row["scope"]) == ("v", "export", "610124")
    assert detail["what"] == "contradictions" and detail["rows"] == len(rep.contradictions)
    assert detail["period"] == str(PERIOD)


def test_cli_writes_the_list_and_prints_json(fed, tmp_path, capsys, backend):
    store, _ = fed
    if backend != "duckdb":
        pytest.skip("the CLI's file store")
    target = store.target
    store.close()
    out = tmp_path / "有记录无感知.xlsx"
    assert main(["contradictions", "--db", target, "--scope", "610124", "--as-of", AS_OF.isoformat(),
                 "-o", str(out)]) == 0
    assert out.exists() and "有记录无感知" in capsys.readouterr().out
    assert main(["contradictions", "--db", target, "--scope", "6101", "--as-of", AS_OF.isoformat(),
                 "--period", "2026Q4", "--min-reports", "2"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {r["code"] for r in listed} <= set(VILLAGES) and all(r["never_seen"] >= 2 for r in listed)
    assert main(["contradictions", "--db", target, "--as-of", AS_OF.isoformat(), "--period", "2027Q1"]) == 2
    page = tmp_path / "反馈地图.html"
    assert main(["map", "--db", target, "--scope", "610124", "--as-of", AS_OF.isoformat(), "--layer", "feedback",
                 "-o", str(page)]) == 0
    assert "村民满意度（均分）" in page.read_text(encoding="utf-8")


def test_the_briefing_says_what_the_villagers_said(fed):
    store, _ = fed
    figures = gather(store, Scope("610124"), AS_OF)
    rep = figures.villagers
    assert rep is not None and len(rep.contradictions) >= 1
    zh = villagers_paragraph(figures, "zh")
    assert f"{int(rep.totals['responses'])} 份" in zh and f"其中 {len(rep.contradictions)} 个" in zh
    assert "2026年8月30日" in zh
    en = villagers_paragraph(figures, "en")
    assert "never seen" in en and str(int(rep.totals["never_seen"])) in en
    assert ZHONGNAN in set(rep.contradictions["code"]) or EAST in set(rep.contradictions["code"])
