"""Hostile workbooks that are small on disk and huge once read: each is refused at once, naming its limit.

Written by hand as XML (what an attacker writes, not what a spreadsheet program would): one value in the
last column (XFD) of every row, merged ranges of whole sheets, a dimension that lies in either direction, hundreds
of sheets, a shared-strings bomb.  The .xls and CSV readers share the budget.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from fixtures_xlsx import MAIN, xlsx_package
from geo import imports
from geo.core import limits
from geo.privacy.safezip import RATIO_FLOOR_BYTES
from geo.sources.ledger import LedgerError, read_ledger
from test_imports import snapshot, store  # noqa: F401 - the fixture

#: a refusal takes well under a second; before the bounds these took minutes and gigabytes
BOUND_SECONDS = 10.0
_MAIN = MAIN


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def ledger_rows(rows: int, *, far_column: str | None = None) -> str:
    """A header and `rows` data rows of a plain ledger; with `far_column`, one more value far to the right."""
    out = [f'<row r="1">{_cell("A1", "村（社区）名称")}{_cell("B1", "法律顾问姓名")}</row>']
    for r in range(2, rows + 2):
        far = _cell(f"{far_column}{r}", "x") if far_column else ""
        out.append(f'<row r="{r}">{_cell(f"A{r}", "东村村")}{_cell(f"B{r}", f"顾问{r}")}{far}</row>')
    return "".join(out)


def workbook(path: Path, sheets: list[str], *, dimension: str | None = None, merges: list[str] = (),
             extra: dict[str, bytes] | None = None) -> Path:
    """An .xlsx of the given sheets' <sheetData> contents; every sheet gets `dimension` and `merges`."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    merged = (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
              + "</mergeCells>") if merges else ""
    return xlsx_package(path, [f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
                               f'{dim}<sheetData>{data}</sheetData>{merged}</worksheet>' for data in sheets],
                        extra=extra)


HOSTILE = {
    # the probe's 144 KB ledger: 20,000 rows, each with one value in the last column
    "xfd_cells": (lambda p: workbook(p, [ledger_rows(20_000, far_column="XFD")]), "limit.columns"),
    # the probe's 7 KB ledger: 200 ranges merging whole sheets into column XFD
    "xfd_merges": (lambda p: workbook(p, [ledger_rows(10)], merges=["A1:XFD1000"] * 200), "limit.columns"),
    # merges inside the columns allowed, but each filling a million cells of a sheet that has the rows
    "area_merges": (lambda p: workbook(p, [ledger_rows(1_000)], merges=["A1:ALL1000"] * 3), "limit.merged_cells"),
    "many_merges": (lambda p: workbook(p, [ledger_rows(10)], merges=["A2:B2"] * (limits.MAX_MERGED_RANGES + 1)),
                    "limit.merged_ranges"),
    # a dimension declaring the whole grid: refused by what it declares, before a row is read
    "huge_dimension": (lambda p: workbook(p, [ledger_rows(10)], dimension="A1:XFD1048576"), "limit.rows"),
    "wide_dimension": (lambda p: workbook(p, [ledger_rows(10)], dimension="A1:XFD12"), "limit.columns"),
    # a dimension that understates: the real cells still count
    "lying_dimension": (lambda p: workbook(p, [ledger_rows(2_000, far_column="ZZZ")], dimension="A1:B3"),
                        "limit.columns"),
    "many_sheets": (lambda p: workbook(p, [ledger_rows(1)] * (limits.MAX_SHEETS + 1)), "limit.sheets"),
    # one shared string, expanded far past anything a ledger holds
    "shared_strings": (lambda p: workbook(p, [ledger_rows(3)], extra={
        "xl/sharedStrings.xml": f'<sst xmlns="{_MAIN}"><si><t>{"村" * (RATIO_FLOOR_BYTES // 2)}</t></si></sst>'
        .encode()}), "zip.ratio"),
}


def _message(key: str) -> str:
    """The part of the limit's Chinese sentence before its first value: enough to tell which limit spoke."""
    from geo.text.catalogue import TEXT

    zh = TEXT[key][0]
    return zh.split("}")[-1][:6] if zh.startswith("“{name}”") else zh[:6]


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_workbook_is_refused_at_once_naming_its_limit(tmp_path, case):
    make, key = HOSTILE[case]
    path = make(tmp_path / "台账.xlsx")
    assert path.stat().st_size < 2_000_000
    start = time.perf_counter()
    with pytest.raises(LedgerError) as refused:
        read_ledger(path)
    assert time.perf_counter() - start < BOUND_SECONDS
    assert "台账.xlsx" in str(refused.value) and _message(key) in str(refused.value)


def test_a_far_column_without_a_value_costs_nothing(tmp_path):
    """A formatted but empty cell in column XFD (some writers leave them) is not a value: the file is read."""
    rows = "".join(f'{row}<c r="XFD{r}"/></row>' for r, row in enumerate(ledger_rows(50).split("</row>")[:-1], 1))
    table = read_ledger(workbook(tmp_path / "台账.xlsx", [rows]))
    assert len(table.rows) == 50


def test_csv_rows_are_bounded_by_columns_and_cells(tmp_path, monkeypatch):
    wide = tmp_path / "宽.csv"
    wide.write_text("村（社区）名称,法律顾问姓名\n东村村,张三" + ",x" * limits.MAX_COLUMNS + "\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="宽.csv") as refused:
        read_ledger(wide)
    assert _message("limit.columns") in str(refused.value)
    trailing = tmp_path / "尾.csv"   # trailing empty fields are not content
    trailing.write_text("村（社区）名称,法律顾问姓名\n东村村,张三" + "," * limits.MAX_COLUMNS * 2 + "\n",
                        encoding="utf-8")
    assert len(read_ledger(trailing).rows) == 1
    monkeypatch.setattr("geo.sources.tabular.read.MAX_CELLS", 100)
    many = tmp_path / "多.csv"
    many.write_text("村（社区）名称,法律顾问姓名\n" + "东村村,张三\n" * 60, encoding="utf-8")
    with pytest.raises(LedgerError, match="多.csv") as refused:
        read_ledger(many)
    assert _message("limit.cells") in str(refused.value) and "100" in str(refused.value)


@pytest.mark.parametrize("case, kinds", [("xfd_cells", ("assignments", "registry", "services")),
                                         ("many_sheets", ("assignments", "registry")),
                                         ("xfd_merges", ("assignments", "services"))])  # a division list ignores merges
def test_hostile_imports_change_nothing(store, tmp_path, case, kinds):  # noqa: F811
    make, key = HOSTILE[case]
    before = snapshot(store)
    for kind in kinds:
        path = make(tmp_path / f"{kind}.xlsx")
        with pytest.raises(imports.ImportRefused, match=f"{kind}.xlsx") as refused:
            imports.run_import(store, kind, path, {})
        assert _message(key) in str(refused.value)
    assert snapshot(store) == before
