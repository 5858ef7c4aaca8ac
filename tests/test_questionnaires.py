"""Paper questionnaires: read from messy files, matched, imported as one batch (both backends), limited to the
importer's jurisdiction, audited, rolled back; hostile files refused at once; private numbers never kept."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from fixtures_questionnaires import (
    ACCEPTED,
    PRIVATE,
    REJECTED,
    SKIPPED,
    SURVEY_DATE,
    write_messy_questionnaires,
    write_questionnaire_csv,
)
from fixtures_xlsx import MAIN, xlsx_package
from geo import imports
from geo.auth.access import AccessDenied, Principal, Role
from geo.core import limits
from geo.core.codes import Scope
from geo.core.feedback import paper_time
from geo.core.limits import MAX_VALUE_CHARS
from geo.privacy.safezip import RATIO_FLOOR_BYTES
from geo.sources import questionnaire
from geo.sources.errors import QuestionnaireError
from geo.sources.national import national_registry as _registry
from geo.sources.servicelog.values import Problem
from geo.store import open_store
from geo.text.catalogue import t

OPTIONS = {"survey_date": SURVEY_DATE.isoformat()}


def stored(store) -> pd.DataFrame:
    df = store.query("SELECT * FROM feedback ORDER BY village, received_at, satisfaction")
    df["village"] = df["village"].map(lambda v: f"{int(v):012d}")
    return df


# ------------------------------------------------------------------------------------------------ reading

def test_the_reader_takes_the_rows_it_should_and_says_why_of_the_rest(tmp_path):
    table = questionnaire.read_questionnaires(write_messy_questionnaires(tmp_path / "问卷.xlsx"),
                                              survey_date=SURVEY_DATE)
    assert table.header_row == 3 and dict(table.skipped_rows) == SKIPPED
    assert {"respondent", "phone", "id_card"}.isdisjoint(table.mapped) and table.ignored_columns == 3
    county = questionnaire.questionnaire_county(table, _registry())
    assert (county.code6, county.source) == ("610124", "title")
    match = questionnaire.match_questionnaires(table, county)
    got = {r.row_number: (r.village_code, r.day, r.satisfaction, r.reached, r.never_seen, r.duplicate_of)
           for r in match.responses}
    assert got == ACCEPTED
    assert {r.row: r.reason for r in match.rejects} == REJECTED
    assert match.duplicates == 1 and match.never_seen == sum(v[4] and v[5] is None for v in ACCEPTED.values())
    for reject in match.rejects:                        # every reason worded in both languages
        for lang in ("zh", "en"):
            assert t(f"imp.reason.{reject.reason}", lang) and reject.text(lang)


def test_without_a_survey_date_a_row_without_one_is_rejected(tmp_path):
    table = questionnaire.read_questionnaires(write_messy_questionnaires(tmp_path / "问卷.xlsx"))
    match = questionnaire.match_questionnaires(table, questionnaire.questionnaire_county(table, _registry()))
    assert {r.row: r.why for r in match.rejects}[20] == "q_no_date"


def test_a_csv_in_gbk_with_the_seen_question_asked_the_other_way(tmp_path):
    table = questionnaire.read_questionnaires(write_questionnaire_csv(tmp_path / "问卷.csv"))
    county = questionnaire.questionnaire_county(table, _registry())
    match = questionnaire.match_questionnaires(table, county)
    assert [(r.village_code, r.satisfaction, r.never_seen) for r in match.responses] == [
        ("610124001200", 4, False), ("610124101201", 1, True)]


@pytest.mark.parametrize("cell, want", [
    (5, 5), ("5", 5), ("５分", 5), ("五分", 5), ("★★", 2), ("非常满意", 5), ("满意", 4), ("基本满意", 3),
    ("不满意", 2), ("非常不满意", 1), (None, None), ("", None), (0, "bad_satisfaction"), (6, "bad_satisfaction"),
    (4.5, "bad_satisfaction"), ("满意吧", "bad_satisfaction"), (True, "bad_satisfaction"),
    ("★" * 6, "bad_satisfaction")])
def test_satisfaction_cells(cell, want):
    got = questionnaire.satisfaction(cell)
    assert (got.reason if isinstance(got, Problem) else got) == want


@pytest.mark.parametrize("cell, asks_seen, want", [
    ("√", False, True), ("是", False, True), ("否", False, False), ("", False, None), ("是", True, False),
    ("否", True, True), ("没见过", True, True), ("没见过", False, True), ("见过", False, False),
    ("从未见过法律顾问", True, True), ("也许", False, "bad_answer")])
def test_never_seen_cells_read_the_question_as_the_column_asks_it(cell, asks_seen, want):
    got = questionnaire.never_seen(cell, asks_seen=asks_seen)
    assert (got.reason if isinstance(got, Problem) else got) == want


# ------------------------------------------------------------------------------------------------ importing

def test_import_stores_the_accepted_rows_once_and_rolls_back(store, tmp_path):
    path = write_messy_questionnaires(tmp_path / "问卷.xlsx")
    result = imports.run_import(store, "feedback", path, OPTIONS)
    assert result.ok and (result.rows_accepted, result.rows_rejected) == (len(ACCEPTED), len(REJECTED))
    df = stored(store)
    want = pd.DataFrame([{"village": v, "received_at": pd.Timestamp(paper_time(d)), "satisfaction": s,
                          "reached": r, "never_seen": n, "duplicate": dup is not None}
                         for v, d, s, r, n, dup in ACCEPTED.values()])
    cols = list(want.columns)
    key = ["village", "received_at", "satisfaction", "reached", "never_seen", "duplicate"]
    assert (df[cols].astype(str).sort_values(key).reset_index(drop=True)
            .equals(want.astype(str).sort_values(key).reset_index(drop=True)))
    assert set(df["source"]) == {"paper"} and set(df["batch_id"]) == {result.batch_id}
    assert df["client_key"].isna().all()
    again = imports.run_import(store, "feedback", path, OPTIONS)
    assert again.status == "unchanged" and len(stored(store)) == len(ACCEPTED)
    audit = store.audit_rows(Scope(""))
    assert (audit["action"] == "import").sum() == 1 and '"kind": "feedback"' in audit["detail"].iloc[-1]
    imports.rollback(store, result.batch_id)
    assert stored(store).empty


def test_nothing_private_is_kept_or_shown(store, tmp_path):
    path = write_messy_questionnaires(tmp_path / "问卷.xlsx")
    preview = imports.preview(store, "feedback", path, OPTIONS)
    shown = repr(preview) + repr(imports.BY_KEY["feedback"].view(store, preview))
    result = imports.run_import(store, "feedback", path, OPTIONS, preview=preview)
    report = imports.report_table(result, "zh").to_csv() + imports.report_table(result, "en").to_csv()
    everything = shown + report + stored(store).to_csv() + store.audit_rows(Scope("")).to_csv()
    for secret in PRIVATE:
        assert secret not in everything, secret
    comments = set(stored(store)["comment"].dropna())
    assert "顾问很负责，电话" in comments and "<script>alert(1)</script> **粗体** [链接](http://x)" in comments


def test_a_township_editor_imports_only_their_villages_and_another_countys_editor_nothing(store, tmp_path):
    path = write_messy_questionnaires(tmp_path / "问卷.xlsx")
    yabai = Principal("yabai", "哑柏镇", Role.EDITOR, Scope("610124101"))
    result = imports.run_import(store, "feedback", path, OPTIONS, principal=yabai)
    inside = {r for r, v in ACCEPTED.items() if v[0].startswith("610124101")}
    assert result.rows_accepted == len(inside)
    assert set(stored(store)["village"]) == {ACCEPTED[r][0] for r in inside}
    outside = imports.report_table(result, "en")
    assert (outside.iloc[:, 1] == "outside your jurisdiction").sum() == len(ACCEPTED) - len(inside)
    assert store.batches(Scope("610124101"))["batch_id"].tolist() == [result.batch_id]
    other = Principal("huyi", "鄠邑区", Role.EDITOR, Scope("610125"))
    with pytest.raises(AccessDenied):
        imports.run_import(store, "feedback", write_messy_questionnaires(tmp_path / "另一份.xlsx", title="周至县问卷"),
                           OPTIONS, principal=other)
    viewer = Principal("v", "看", Role.VIEWER, Scope("610124"))
    with pytest.raises(AccessDenied):
        imports.run_import(store, "feedback", path, OPTIONS, principal=viewer)
    with pytest.raises(AccessDenied):
        imports.rollback(store, result.batch_id, principal=other)


def test_a_bad_survey_date_option_is_refused_before_anything_is_read(store, tmp_path):
    with pytest.raises(imports.ImportRefused) as refused:
        imports.run_import(store, "feedback", write_messy_questionnaires(tmp_path / "问卷.xlsx"),
                           {"survey_date": "下周"})
    assert refused.value.key == "imp.e.survey_date" and stored(store).empty


def test_cli_imports_with_the_survey_date_flag(tmp_path):
    db = tmp_path / "store.duckdb"
    with open_store(db) as s, s.transaction() as cur:
        s.load_registry(_registry()[_registry()["code"].str.startswith("61")], cur)
    path = write_messy_questionnaires(tmp_path / "问卷.xlsx")
    run = [sys.executable, "-m", "geo", "import", "feedback", str(path), "--db", str(db), "--lang", "en"]
    first = subprocess.run([*run, "--survey-date", SURVEY_DATE.isoformat(), "--report", str(tmp_path / "r.csv")],
                           capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert f"{len(ACCEPTED)} accepted, {len(REJECTED)} rejected" in first.stdout
    assert (tmp_path / "r.csv").exists()
    nothing = tmp_path / "空.csv"
    nothing.write_text("村（社区）,满意度\n不存在村,5\n", encoding="utf-8")
    assert subprocess.run([*run[:5], str(nothing), "--county", "610124", "--db", str(db)],
                          capture_output=True, timeout=300).returncode == 1


# ------------------------------------------------------------------------------------------------ hostile files

def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _rows(n: int, far: str | None = None) -> str:
    out = [f'<row r="1">{_cell("A1", "村（社区）")}{_cell("B1", "满意度")}</row>']
    for r in range(2, n + 2):
        extra = _cell(f"{far}{r}", "x") if far else ""
        out.append(f'<row r="{r}">{_cell(f"A{r}", "镇东村")}{_cell(f"B{r}", "5")}{extra}</row>')
    return "".join(out)


def _book(path: Path, sheets: list[str], merges: list[str] = (), extra: dict[str, bytes] | None = None) -> Path:
    merged = (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
              + "</mergeCells>") if merges else ""
    return xlsx_package(path, [f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>{s}'
                               f'</sheetData>{merged}</worksheet>' for s in sheets], extra=extra)


HOSTILE = {
    "xfd_cells": (lambda p: _book(p, [_rows(20_000, far="XFD")]), QuestionnaireError),
    "xfd_merges": (lambda p: _book(p, [_rows(10)], merges=["A1:XFD1000"] * 200), QuestionnaireError),
    "many_sheets": (lambda p: _book(p, [_rows(1)] * (limits.MAX_SHEETS + 1)), QuestionnaireError),
    "shared_strings": (lambda p: _book(p, [_rows(3)], extra={
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}"><si><t>{"村" * (RATIO_FLOOR_BYTES // 2)}</t></si></sst>'
        .encode()}), Exception),
    "not_a_zip": (lambda p: (p.write_bytes(b"PK\x03\x04" + b"\0" * 100), p)[1], QuestionnaireError),
    "no_header": (lambda p: _book(p, ["".join(f'<row r="{r}">{_cell(f"A{r}", "随便")}</row>' for r in range(1, 50))]),
                  QuestionnaireError),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_file_is_refused_at_once_and_changes_nothing(store, tmp_path, case):
    make, error = HOSTILE[case]
    path = make(tmp_path / "问卷.xlsx")
    start = time.process_time()     # CPU, not the clock: a loaded machine stretches the clock, not the work
    with pytest.raises(error):
        questionnaire.read_questionnaires(path)
    assert time.process_time() - start < 10
    with pytest.raises(imports.ImportRefused, match="问卷.xlsx"):
        imports.run_import(store, "feedback", path, {"county": "610124"})
    assert stored(store).empty and store.batches().empty


def test_csv_rows_are_bounded(store, tmp_path, monkeypatch):
    monkeypatch.setattr("geo.sources.tabular.read.MAX_CELLS", 100)
    many = tmp_path / "多.csv"
    many.write_text("村（社区）,满意度\n" + "镇东村,5\n" * 60, encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="多.csv"):
        questionnaire.read_questionnaires(many)


@pytest.mark.parametrize("parse", [questionnaire.satisfaction, questionnaire.yes_no,
                                   lambda s: questionnaire.never_seen(s, asks_seen=True),
                                   lambda s: questionnaire.survey_day(s, dt.date(2026, 12, 1))])
@pytest.mark.parametrize("unit", ["★", "5", "满意", "没见", "√", "12:", "2026年", " ", "(", "分"])
def test_every_cell_parser_is_quick_on_long_adversarial_text(parse, unit):
    for length in (MAX_VALUE_CHARS, 100_000):
        text = (unit * (length // len(unit) + 1))[:length - 1] + "x"
        start = time.process_time()
        got = parse(text)
        assert time.process_time() - start < 2.0
        assert got is None or isinstance(got, (Problem, bool))


def test_a_row_with_an_over_long_cell_is_rejected_with_its_number(tmp_path):
    path = tmp_path / "问卷.csv"
    path.write_text(f"村（社区）,满意度,我村没见过法律顾问\n镇东村,{'5' * (MAX_VALUE_CHARS + 5)},是\n镇东村,5,否\n",
                    encoding="utf-8")
    table = questionnaire.read_questionnaires(path, survey_date=SURVEY_DATE)
    match = questionnaire.match_questionnaires(table, questionnaire.questionnaire_county(table, _registry(),
                                                                                          "610124"))
    assert [r.row for r in match.rejects] == [2] and [r.row_number for r in match.responses] == [3]


def test_the_blank_template_reads_back_once_filled_in(tmp_path, capsys):
    from geo.cli import main

    path = tmp_path / "模板.xlsx"
    assert main(["template", "feedback", "-o", str(path)]) == 0 and path.exists()
    assert main(["template", "feedback", "-o", str(tmp_path / "模板.csv")]) == 2
    table = questionnaire.read_questionnaires(path)
    assert set(table.mapped) == {"seq", "qid", "township", "village", "date", "satisfaction", "reached",
                                 "never_seen", "comment"}
    assert [(r.village_names, r.satisfaction, r.reached, r.never_seen) for r in table.rows] == [
        (["某某村"], 5, True, False)]
