"""One upload cannot cost unbounded work: row limits for ledgers and division lists, zip and xlsx bombs.

Each refusal must come early (the reader stops at the limit instead of reading everything), name the file
and the limit, and leave the store as it was.
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fixtures_xlsx import xlsx_package
from geo import imports
from geo.privacy.safezip import MAX_RATIO, RATIO_FLOOR_BYTES, UnsafeZipError, check_archive, safe_extract
from geo.sources import ledger
from geo.sources.ledger import MAX_LEDGER_ROWS, LedgerError, read_ledger
from geo.sources.tabular import RowBudget
from geo.sources.tabular import read as tabular_read
from geo.store import open_store
from test_imports import snapshot, store  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------------------------------ inputs

def ledger_csv(path: Path, data_rows: int) -> Path:
    """A plain ledger: a header and ``data_rows`` rows naming real 周至县 villages."""
    lines = ["乡镇,村（社区）名称,法律顾问姓名,聘任期限"]
    lines += [f"哑柏镇,东村村,顾问{i},2026.1-2027.12" for i in range(data_rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def xlsx_by_hand(path: Path, rows: int, *, dimension_rows: int | None, extra: dict[str, bytes] | None = None,
                 prefix: str = "") -> Path:
    """A minimal valid .xlsx written as XML (fast for any row count); the dimension may tell the truth or not,
    and the sheet's tags may carry a namespace prefix (``x:``) as some writers do."""
    x = prefix
    header = (f'<{x}row r="1"><{x}c r="A1" t="inlineStr"><{x}is><{x}t>村（社区）名称</{x}t></{x}is></{x}c>'
              f'<{x}c r="B1" t="inlineStr"><{x}is><{x}t>法律顾问姓名</{x}t></{x}is></{x}c></{x}row>')
    body = "".join(f'<{x}row r="{r}"><{x}c r="A{r}" t="inlineStr"><{x}is><{x}t>村{r}</{x}t></{x}is></{x}c>'
                   f'<{x}c r="B{r}"><{x}v>{r * 7919 % 100003}</{x}v></{x}c></{x}row>' for r in range(2, rows + 1))
    dim = f'<{x}dimension ref="A1:B{dimension_rows}"/>' if dimension_rows else ""
    ns = f'xmlns{":" + x.rstrip(":") if x else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><{x}worksheet {ns}>{dim}<{x}sheetData>'
             f'{header}{body}</{x}sheetData></{x}worksheet>')
    return xlsx_package(path, [sheet], names=["台账"], extra=extra)


@pytest.fixture
def rows_pulled(monkeypatch) -> list[int]:
    """How many rows the readers pulled from their source (the spreadsheet or CSV parser), per file."""
    counts: list[int] = []
    original = RowBudget.rows

    def counting(self, source):
        counts.append(0)

        def pulled():
            for row in source:
                counts[-1] += 1
                yield row
        return original(self, pulled())

    monkeypatch.setattr(RowBudget, "rows", counting)
    return counts


# ------------------------------------------------------------------------------------------------ rows

def test_row_budget_edges():
    budget = RowBudget("x.csv", limit=3, error=LedgerError)
    assert list(budget.rows(range(3))) == [0, 1, 2]        # exactly the limit is fine
    with pytest.raises(LedgerError, match="3 rows"):
        list(budget.rows(range(1)))                          # the next row, from any sheet, is not
    budget = RowBudget("x.csv", limit=3, error=LedgerError)
    budget.expect(3)
    with pytest.raises(LedgerError, match="x.csv"):
        budget.expect(4)


def test_csv_ledger_over_the_limit_stops_at_the_limit(tmp_path, rows_pulled):
    path = ledger_csv(tmp_path / "台账.csv", MAX_LEDGER_ROWS)      # + header = limit + 1 rows
    with pytest.raises(LedgerError) as err:
        read_ledger(path)
    message = str(err.value)
    assert "台账.csv" in message and f"{MAX_LEDGER_ROWS:,}" in message and " / " in message
    assert rows_pulled == [MAX_LEDGER_ROWS + 1]
    # the page says it in its own language only (the CLI and the log keep both)
    assert err.value.key == "limit.rows" and " / " not in err.value.text("zh") and "台账.csv" in err.value.text("en")


def test_csv_far_over_the_limit_is_not_read_to_the_end(tmp_path, rows_pulled):
    path = ledger_csv(tmp_path / "大台账.csv", 3 * MAX_LEDGER_ROWS)
    with pytest.raises(LedgerError, match="大台账.csv"):
        read_ledger(path)
    assert rows_pulled == [MAX_LEDGER_ROWS + 1]


def test_xlsx_with_a_true_dimension_is_refused_before_any_row(tmp_path, rows_pulled):
    path = xlsx_by_hand(tmp_path / "台账.xlsx", MAX_LEDGER_ROWS + 1, dimension_rows=MAX_LEDGER_ROWS + 1)
    with pytest.raises(LedgerError, match=f"{MAX_LEDGER_ROWS:,}"):
        read_ledger(path)
    assert rows_pulled == []


def test_xlsx_whose_dimension_lies_is_refused_by_a_scan_of_its_rows(tmp_path, rows_pulled):
    for dimension in (2, None):
        path = xlsx_by_hand(tmp_path / "台账.xlsx", MAX_LEDGER_ROWS + 1, dimension_rows=dimension)
        with pytest.raises(LedgerError, match="台账.xlsx"):
            read_ledger(path)
    assert rows_pulled == []                                  # refused before the parser read a row


def test_rows_the_scan_cannot_see_are_counted_while_streaming(tmp_path, rows_pulled):
    path = xlsx_by_hand(tmp_path / "台账.xlsx", MAX_LEDGER_ROWS + 50, dimension_rows=2, prefix="x:")
    with pytest.raises(LedgerError, match="台账.xlsx"):
        read_ledger(path)
    assert rows_pulled == [MAX_LEDGER_ROWS + 1]


def test_xlsx_without_dimension_and_wider_than_stated_is_read_whole(tmp_path):
    """The streamed reader must not trust a short dimension to cut rows or columns off."""
    path = xlsx_by_hand(tmp_path / "台账.xlsx", 12, dimension_rows=None)
    grid = ledger.read.load_sheets(path)[0].grid
    assert len(grid) == 12 and grid[11] == ["村12", 12 * 7919 % 100003]
    path = xlsx_by_hand(tmp_path / "短.xlsx", 12, dimension_rows=2)
    assert ledger.read.load_sheets(path)[0].grid == grid
    path = xlsx_by_hand(tmp_path / "前缀.xlsx", 12, dimension_rows=12, prefix="x:")
    assert ledger.read.load_sheets(path)[0].grid == grid


@pytest.mark.parametrize("chunk", [3, 4, 5, 7, 64, 1 << 20])
def test_row_scan_counts_tags_cut_by_chunk_boundaries(tmp_path, monkeypatch, chunk):
    """Every row tag is counted once, wherever the reads cut the XML; the scan stops once past the limit."""
    monkeypatch.setattr(tabular_read, "_SCAN_CHUNK", chunk)
    path = xlsx_by_hand(tmp_path / "台账.xlsx", 300, dimension_rows=None)
    with zipfile.ZipFile(path) as zf:
        assert tabular_read._row_tags(zf, "xl/worksheets/sheet1.xml", 10**9) == 300
        assert tabular_read._row_tags(zf, "xl/worksheets/sheet1.xml", 10) < 300 or chunk == 1 << 20


def test_ledger_import_over_the_limit_changes_nothing(store, tmp_path):  # noqa: F811
    before = snapshot(store), store.batches().to_csv()
    with pytest.raises(imports.ImportRefused, match="台账.csv"):
        imports.import_assignments(store, ledger_csv(tmp_path / "台账.csv", MAX_LEDGER_ROWS))
    assert (snapshot(store), store.batches().to_csv()) == before


def test_registry_over_its_limit_stops_at_the_limit(store, tmp_path, rows_pulled):  # noqa: F811
    path = tmp_path / "区划.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("统计用区划代码,名称\n")
        f.writelines(f"61012410{i % 10000:04d},村{i}\n" for i in range(imports.MAX_REGISTRY_ROWS))
    before = snapshot(store), store.batches().to_csv()
    with pytest.raises(imports.ImportRefused, match=f"{imports.MAX_REGISTRY_ROWS:,}"):
        imports.import_registry(store, path)
    assert rows_pulled == [imports.MAX_REGISTRY_ROWS + 1]
    assert (snapshot(store), store.batches().to_csv()) == before


def test_cli_refusal_is_one_line_and_exit_2(tmp_path):
    db = tmp_path / "cli.duckdb"
    with open_store(db) as s, s.transaction() as cur:
        from conftest import SMALL_REGISTRY
        s.load_registry(SMALL_REGISTRY, cur)
    path = ledger_csv(tmp_path / "台账.csv", MAX_LEDGER_ROWS)
    p = subprocess.run([sys.executable, "-m", "geo", "import", "assignments", str(path), "--db", str(db)],
                       capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 2, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "台账.csv" in p.stderr and "Traceback" not in p.stderr


# ------------------------------------------------------------------------------------------------ archives

def test_one_highly_compressible_member_is_refused_before_extracting(tmp_path):
    bomb = tmp_path / "村界.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("村界/村.dbf", b" " * (RATIO_FLOOR_BYTES * 2))
        zf.writestr("村界/村.prj", b"GEOGCS")
    with pytest.raises(UnsafeZipError, match=f"{MAX_RATIO}") as err:
        safe_extract(bomb, tmp_path / "out")
    assert "村.dbf" in str(err.value) and "村界.zip" in str(err.value)
    assert not (tmp_path / "out").exists()


def test_many_small_members_are_refused_by_the_overall_ratio(tmp_path):
    bomb = tmp_path / "many.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(20):                                 # each under the floor, together over it
            zf.writestr(f"part{i}.dbf", b"\0" * (RATIO_FLOOR_BYTES // 10))
    with pytest.raises(UnsafeZipError, match="many.zip") as err:
        check_archive(bomb, max_total_bytes=1024**3)
    assert "part" not in str(err.value)                      # the archive as a whole, no one member
    with pytest.raises(UnsafeZipError):
        safe_extract(bomb, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_header_lying_about_sizes_stops_extraction(tmp_path):
    from test_safezip import _forge_sizes

    liar = tmp_path / "liar.zip"
    with zipfile.ZipFile(liar, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.dbf", b" " * (RATIO_FLOOR_BYTES * 2))
    _forge_sizes(liar, 4096)                                 # the directory now looks harmless
    check_archive(liar, max_total_bytes=1024**3)
    # zipfile never yields more than the declared size, so the lie ends in a refusal, not 32 MB on disk
    with pytest.raises(UnsafeZipError, match="liar.zip"):
        safe_extract(liar, tmp_path / "out")
    assert not any((tmp_path / "out").rglob("*.dbf"))


def test_real_incompressible_data_above_the_floor_is_accepted(tmp_path):
    z = tmp_path / "ok.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("村.shp", os.urandom(RATIO_FLOOR_BYTES + 1024))
    assert [p.name for p in safe_extract(z, tmp_path / "out")] == ["村.shp"]


def test_xlsx_bomb_is_refused_by_ledger_and_registry_readers(store, tmp_path, rows_pulled):  # noqa: F811
    bomb = xlsx_by_hand(tmp_path / "台账.xlsx", 3, dimension_rows=3,
                        extra={"xl/sharedStrings.xml": b" " * (RATIO_FLOOR_BYTES * 4)})
    with pytest.raises(LedgerError, match="sharedStrings"):
        read_ledger(bomb)
    registry_bomb = bomb.rename(tmp_path / "区划.xlsx")
    before = snapshot(store)
    with pytest.raises(imports.ImportRefused, match="区划.xlsx"):
        imports.import_registry(store, registry_bomb)
    assert rows_pulled == [] and snapshot(store) == before
