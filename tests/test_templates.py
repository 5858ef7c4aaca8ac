"""The blank templates (geo.imports.templates): the readers' own headers, dropdowns, a skipped example row, an
instructions sheet in both languages; a filled template imports exactly, every field of every row read back from
the store, on both stores; an untouched one imports nothing; ``python -m geo template``."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geo import imports
from geo.cli import main
from geo.imports.templates import EXAMPLE_MARK, LEDGER, SERVICES, template_xlsx
from geo.sources.ledger.fields import LEDGER_COLUMNS
from geo.sources.servicelog import LOG_COLUMNS, MODE_CHOICES, SERVICE_CATEGORIES, service_mode
from geo.text.catalogue import t

#: what a clerk fills into the ledger template: (乡镇, 村, 代码, 姓名, 类别, 机构, 证号, 电话, 起, 止, 备注)
LEDGER_ROWS = [
    ("二曲街道", "镇东村委会", "610124001200", "陈明", "律师", "陕西秦岭律师事务所", "16101202010000001",
     "13911112222", dt.date(2026, 1, 1), dt.date(2027, 12, 31), None),
    ("二曲街道", "八一村委会", "610124001202", "陈明", "律师", "陕西秦岭律师事务所", "16101202010000001",
     "13911112222", dt.date(2026, 1, 1), dt.date(2027, 12, 31), "续聘"),
    ("哑柏镇", "仰天村委会", None, "刘芳", "基层法律服务工作者", "哑柏法律服务所", "36101201500000002",
     "029-87650000", dt.date(2025, 7, 1), "长期", None),
    ("哑柏镇", "昌东村委会", "610124101202", "王强", "律师", "陕西终南律师事务所", "16101201910000003",
     "13600001111", dt.date(2026, 3, 1), dt.date(2028, 2, 29), None),
]
#: the village codes of the rows given by name only
BY_NAME = {"仰天村委会": "610124101201"}

#: what a clerk fills into the service log: (日期, 乡镇, 村, 代码, 顾问, 证号, 方式, 类别, 时长, 人次, 内容, 备注)
LOG_ROWS = [
    (dt.date(2026, 10, 8), "二曲街道", "镇东村委会", "610124001200", "陈明", "16101202010000001", "到村服务",
     "法律咨询", 2, 5, "坐班解答土地承包咨询", None),
    (dt.date(2026, 10, 9), "二曲街道", "八一村委会", None, "陈明", None, "远程服务", "合同审查", 0.5, 1,
     "微信审查流转合同", "村委会委托"),
    (dt.date(2026, 10, 12), "哑柏镇", "仰天村委会", None, "刘芳", None, "到村服务", "矛盾纠纷调解", 3.5, 6,
     "调解宅基地纠纷", None),
    (dt.date(2026, 10, 20), "哑柏镇", "昌东村委会", "610124101202", "王强", "16101201910000003", "其他",
     "乡村振兴法律服务", 1, None, "参加村两委会议", None),
]


def filled(key: str, rows: list[tuple], path: Path) -> Path:
    """The template `key` with `rows` typed from row 3 on under the example, as a clerk fills it."""
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx(key)))
    ws = wb.worksheets[0]
    for r, values in enumerate(rows, start=3):
        ws.cell(r, 1, r - 2)
        for c, value in enumerate(values, start=2):
            ws.cell(r, c, value)
    wb.save(path)
    return path


def test_headers_are_the_readers_own_and_the_sheet_is_ready_to_fill():
    for tpl, vocabulary in ((LEDGER, LEDGER_COLUMNS), (SERVICES, LOG_COLUMNS)):
        wb = openpyxl.load_workbook(io.BytesIO(template_xlsx(tpl.key)))
        ws, notes = wb.worksheets
        assert [c.value for c in ws[1]] == [col.header for col in tpl.columns]
        assert [vocabulary.match(col.header)[0] for col in tpl.columns] == [col.field for col in tpl.columns]
        assert ws.freeze_panes == "A2" and ws.cell(2, 1).value == EXAMPLE_MARK and ws.max_row == 2
        lists = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv.formula1.strip('"').split(",")
                 for dv in ws.data_validations.dataValidation}
        letters = {col.field: openpyxl.utils.get_column_letter(i) for i, col in enumerate(tpl.columns, start=1)}
        widths = [ws.column_dimensions[letters[col.field]].width for col in tpl.columns]
        assert widths == [col.width for col in tpl.columns]
        for field in ("code", "licence", "phone"):
            if field in letters:
                assert ws.column_dimensions[letters[field]].number_format == "@"
        text = "\n".join(str(c.value) for c in notes["A"] if c.value)
        assert t("tpl.n.example", "zh") in text and t("tpl.n.example", "en") in text
        if tpl is SERVICES:
            assert lists[letters["mode"]] == list(MODE_CHOICES.values())
            assert lists[letters["category"]] == list(SERVICE_CATEGORIES)
        else:
            assert lists[letters["kind"]] == ["律师", "基层法律服务工作者"]
    # each mode the dropdown offers is read back as that mode
    assert {mode: service_mode(word)[0] for mode, word in MODE_CHOICES.items()} == {m: m for m in MODE_CHOICES}


def test_an_untouched_template_imports_nothing(store, tmp_path):
    for kind, key in (("assignments", "ledger"), ("services", "services")):
        path = tmp_path / f"{key}.xlsx"
        path.write_bytes(template_xlsx(key))
        with pytest.raises(imports.ImportRefused):
            imports.run_import(store, kind, path, {"county": "610124"})
    assert store.scalar("SELECT count(*) FROM assignments") == 0
    assert store.scalar("SELECT count(*) FROM services") == 0


def test_a_filled_template_imports_exactly(store, tmp_path):
    ledger = imports.run_import(store, "assignments", filled("ledger", LEDGER_ROWS, tmp_path / "台账.xlsx"), {})
    assert (ledger.rows_read, ledger.rows_accepted, ledger.rows_rejected) == (4, 4, 0)
    stored = store.query("""SELECT a.village, ad.name, ad.kind, ad.org, ad.licence_no, ad.phone, a.start_date,
                                   a.end_date FROM assignments a JOIN advisers ad ON ad.adviser_id = a.adviser_id""")
    got = sorted((f"{v:012d}", n, k, o, lic, ph, pd.Timestamp(s).date(), None if pd.isna(e) else pd.Timestamp(e).date())
                 for v, n, k, o, lic, ph, s, e in stored.itertuples(index=False))
    want = sorted((code or BY_NAME[village], name, kind, org, lic, phone, start, None if end == "长期" else end)
                  for _, village, code, name, kind, org, lic, phone, start, end, _ in LEDGER_ROWS)
    assert got == want
    assert store.scalar("SELECT count(*) FROM advisers") == 3          # 陈明's two rows are one person

    log = imports.run_import(store, "services", filled("services", LOG_ROWS, tmp_path / "服务.xlsx"), {})
    assert (log.rows_read, log.rows_accepted, log.rows_rejected) == (4, 4, 0)
    stored = store.query("""SELECT s.village, ad.name, s.service_date, s.mode, s.category, s.hours, s.people,
                                   s.content FROM services s JOIN advisers ad ON ad.adviser_id = s.adviser_id""")
    got = sorted((f"{v:012d}", n, pd.Timestamp(d).date(), m, c, float(h), None if pd.isna(p) else int(p), x)
                 for v, n, d, m, c, h, p, x in stored.itertuples(index=False))
    modes = {word: mode for mode, word in MODE_CHOICES.items()}
    codes = {village: code for _, village, code, *_ in LEDGER_ROWS if code} | BY_NAME
    want = sorted((code or codes[village], adviser, day, modes[mode], category, float(hours), people,
                   "；".join(x for x in (content, remark) if x))
                  for day, _, village, code, adviser, _, mode, category, hours, people, content, remark in LOG_ROWS)
    assert got == want


def test_cli_writes_a_template(tmp_path, capsys):
    path = tmp_path / "服务台账模板.xlsx"
    assert main(["template", "services", "-o", str(path), "--lang", "en"]) == 0
    assert capsys.readouterr().out.strip() == f"{t('tpl.title.services', 'en')} written: {path}"
    assert path.read_bytes()[:2] == b"PK"
    assert [c.value for c in openpyxl.load_workbook(path).worksheets[0][1]] == [c.header for c in SERVICES.columns]
    assert main(["template", "ledger", "-o", str(tmp_path / "x.csv")]) == 2
    assert main(["template", "ledger", "-o", str(tmp_path / "missing" / "x.xlsx")]) == 2
