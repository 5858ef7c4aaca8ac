"""Reading a table file into grids of cells: .xlsx (streamed, merged cells filled), .xls, .csv / .txt (UTF-8,
UTF-8 with BOM or GBK; the delimiter sniffed), each refused with the reader's own error (:class:`TableFile`)
when it is not what it claims, too large, or empty.

The first phase of every table reader (ledger, service log, division list); the header is found by
:mod:`geo.sources.tabular.headers`.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator

from geo.core.limits import MAX_CELLS, MAX_COLUMNS, MAX_MERGED_CELLS, MAX_MERGED_RANGES, MAX_SHEETS
from geo.privacy.idcards import scrub_id_numbers
from geo.privacy.safezip import UnsafeZipError, check_archive
from geo.sources.errors import SourceError

#: the file types every table reader takes (the import page's uploader and the CLI check the same tuple)
TABULAR_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt")
_TEXT_SUFFIXES = (".csv", ".txt")
# uncompressed parts of one .xlsx: a ledger of 200,000 rows (its limit) is about 100 MB of sheet XML
MAX_XLSX_BYTES = 512 * 1024**2


@dataclass(frozen=True)
class TableFile:
    """How one kind of table file is read: the error its refusals are, the message for a file type it does not
    take (a catalogue key given ``name`` and ``types``, plus ``wrong_type_params``), and its bounds."""

    error: type[SourceError]
    wrong_type: str
    max_rows: int
    max_cells: int | None = None     # None: MAX_CELLS
    all_sheets: bool = True          # else the first sheet only
    merged: bool = True              # merged ranges filled with their top-left value
    wrong_type_params: Mapping[str, object] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------- cells
def _float_text(value: float) -> str:
    if value.is_integer():
        return str(int(Decimal(repr(value))))
    return repr(value)


def cell_text(value: Any) -> str:
    """A cell as the user typed it: ints without ".0", dates as YYYY-MM-DD, text stripped, IDs removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, float):
        text = "" if value != value else _float_text(value)
    elif isinstance(value, int):
        text = str(value)
    else:
        text = str(value).replace("\u3000", " ").replace("\xa0", " ").strip()
        if text.endswith(".0") and re.fullmatch(r"\d+\.0", text):
            text = text[:-2]
    return scrub_id_numbers(text)



# ---------------------------------------------------------------------------------------------- workbooks
@dataclass
class Sheet:
    name: str | None
    grid: list[list[Any]]  # merged ranges already filled with their top-left value


def _fill_merged(grid: list[list[Any]], ranges: list[tuple[int, int, int, int]], budget: "RowBudget") -> None:
    """Copy each merged range's top-left value into all its cells (0-based inclusive bounds), after checking
    what the ranges would cost against the budget: they are filled one cell at a time."""
    budget.merged(grid, ranges)
    for r1, c1, r2, c2 in ranges:
        if r1 >= len(grid):
            continue
        top = grid[r1][c1] if c1 < len(grid[r1]) else None
        for r in range(r1, min(r2, len(grid) - 1) + 1):
            row = grid[r]
            if len(row) <= c2:
                row.extend([None] * (c2 + 1 - len(row)))
            for c in range(c1, c2 + 1):
                row[c] = top


#: what a workbook really is, told by its first bytes: an .xlsx renamed .xls (or the reverse) is common
_WORKBOOK_MAGIC = ((b"PK\x03\x04", "xlsx"), (b"\xd0\xcf\x11\xe0", "xls"))


def workbook_kind(head: bytes) -> str | None:
    """'xlsx' (a zip: Office Open XML), 'xls' (OLE2: Excel 97-2003) or None, from a file's first bytes."""
    return next((kind for magic, kind in _WORKBOOK_MAGIC if head.startswith(magic)), None)


class RowBudget:
    """Counts the rows a reader takes from one file and stops it, with a clear refusal, past ``limit``; and the
    sheets, columns, cells and merged ranges (:mod:`geo.core.limits`) that it reads."""

    def __init__(self, file_name: str, limit: int, cells_limit: int | None = None,
                 error: type[SourceError] = SourceError) -> None:
        self.file_name = file_name
        self.error = error
        self.limit = limit
        self.cells_limit = MAX_CELLS if cells_limit is None else cells_limit
        self.used = 0
        self.cells_used = 0
        self.merged_ranges = 0
        self.merged_cells = 0

    def refuse(self) -> SourceError:
        return self._over("limit.rows", self.limit)

    def _over(self, key: str, limit: int) -> SourceError:
        return self.error(key=key, params={"name": self.file_name, "limit": f"{limit:,}"})

    def sheets(self, count: int) -> None:
        if count > MAX_SHEETS:
            raise self._over("limit.sheets", MAX_SHEETS)

    def columns(self, last_column: int | None) -> None:
        """Refuse a sheet that declares, or has a value in, a column past MAX_COLUMNS (1-based)."""
        if last_column and last_column > MAX_COLUMNS:
            raise self._over("limit.columns", MAX_COLUMNS)

    def cells(self, row: list[Any]) -> list[Any]:
        """`row`, counted against MAX_CELLS and MAX_COLUMNS (trailing blanks of a text row do not count)."""
        if len(row) > MAX_COLUMNS:
            while row and row[-1] in ("", None):
                row.pop()
            self.columns(len(row))
        self.cells_used += len(row)
        if self.cells_used > self.cells_limit:
            raise self._over("limit.cells", self.cells_limit)
        return row

    def merged(self, grid: list[list[Any]], ranges: list[tuple[int, int, int, int]]) -> None:
        """Refuse merged ranges too many, too wide, or filling too many cells (clipped to the rows read)."""
        self.merged_ranges += len(ranges)
        if self.merged_ranges > MAX_MERGED_RANGES:
            raise self._over("limit.merged_ranges", MAX_MERGED_RANGES)
        for r1, c1, r2, c2 in ranges:
            self.columns(c2 + 1)
            rows = max(0, min(r2, len(grid) - 1) - r1 + 1)
            self.merged_cells += rows * (c2 - c1 + 1)
            if self.merged_cells > MAX_MERGED_CELLS:
                raise self._over("limit.merged_cells", MAX_MERGED_CELLS)

    def expect(self, declared_rows: int | None) -> None:
        """Refuse at once when a sheet declares more rows than are left (a declaration is never trusted for less)."""
        if declared_rows and self.used + declared_rows > self.limit:
            raise self.refuse()

    def rows(self, source: Iterable[Any]) -> Iterable[Any]:
        for row in source:
            self.used += 1
            if self.used > self.limit:
                raise self.refuse()
            yield row


def check_xlsx_size(path: Path, error: type[SourceError] = SourceError) -> None:
    """An .xlsx is a zip: refuse a bomb (huge or implausibly compressed parts) before a reader opens it."""
    try:
        check_archive(path, max_total_bytes=MAX_XLSX_BYTES)
    except UnsafeZipError as e:
        raise error(key=e.key, params=e.params) from None


def _merged_ranges(archive: Any, sheet_path: str) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges (0-based inclusive), parsed from its XML: read-only openpyxl does not give them.

    Stops one past MAX_MERGED_RANGES: the budget refuses that many, so more are not worth parsing."""
    from defusedxml.ElementTree import iterparse  # imported here: start-up time
    from openpyxl.utils.cell import range_boundaries  # imported here: start-up time

    ranges: list[tuple[int, int, int, int]] = []
    with archive.open(sheet_path) as source:
        for _event, element in iterparse(source):
            tag = element.tag.rpartition("}")[2]
            if tag == "mergeCell" and element.get("ref"):
                c1, r1, c2, r2 = range_boundaries(element.get("ref"))
                ranges.append((r1 - 1, c1 - 1, r2 - 1, c2 - 1))
                if len(ranges) > MAX_MERGED_RANGES:
                    break
            elif tag in ("row", "mergeCell"):
                element.clear()  # keep memory flat over a long sheet
    return ranges


def _sheet_rows(ws: Any, budget: RowBudget) -> Iterator[list[Any]]:
    """The values of a read-only sheet, row by row, each only as wide as its last value.

    openpyxl pads every row to its last cell, even an empty one, so one cell in column XFD per row made a small
    file take gigabytes; here a row costs what it holds, and a value past MAX_COLUMNS refuses the file.
    Missing rows come as empty rows, as openpyxl gives them.
    """
    from openpyxl.worksheet._reader import WorkSheetParser  # imported here: start-up time

    book = ws.parent
    with ws._get_source() as source:
        parser = WorkSheetParser(source, ws._shared_strings, data_only=book.data_only, epoch=book.epoch,
                                 date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        expected = 1
        for index, cells in parser.parse():
            if index < expected:  # a row out of order: openpyxl skips it too
                continue
            for _ in range(expected, index):
                yield []
            expected = index + 1
            values = {cell["column"]: cell["value"] for cell in cells if cell["value"] is not None}
            last = max(values, default=0)
            budget.columns(last)
            row: list[Any] = [None] * last
            for column, value in values.items():
                row[column - 1] = value
            yield budget.cells(row)


_ROW_TAG = re.compile(rb"<row[\s>/]")
_SCAN_CHUNK = 1 << 20


def _row_tags(archive: Any, sheet_path: str, stop_after: int) -> int:
    """Rows in the sheet's XML by a byte scan for row tags (text cannot hold a literal "<"), stopping early.

    Cheap next to parsing, so a sheet whose stated size lies is refused in seconds; a writer that prefixes
    its tags is not counted here, and the budget still counts what the parser yields.
    """
    found, tail = 0, b""
    with archive.open(sheet_path) as source:
        while found <= stop_after and (chunk := source.read(_SCAN_CHUNK)):
            data = tail + chunk
            found += len(_ROW_TAG.findall(data))
            tail = data[-4:]  # a tag cut by the chunk boundary; too short to hold a whole one
    return found


def _load_xlsx(path: Path, budget: RowBudget, *, first_only: bool = False, merge: bool = True) -> list[Sheet]:
    import openpyxl  # imported here: start-up time

    check_xlsx_size(path, budget.error)
    # a file object, not the path: openpyxl refuses a path whose extension is not .xlsx even when it is one
    with open(path, "rb") as handle:
        wb = openpyxl.load_workbook(handle, read_only=True, data_only=True)  # streamed, row by row
        sheets = []
        try:
            budget.sheets(len(wb.sheetnames))
            for ws in wb.worksheets[:1] if first_only else wb.worksheets:
                budget.expect(ws.max_row)   # the sheet's stated size, read without reading the rows
                budget.columns(ws.max_column)
                budget.expect(_row_tags(wb._archive, ws._worksheet_path, budget.limit - budget.used))
                # the stated size is not trusted further: rows are as long as their values, however many
                grid = list(budget.rows(_sheet_rows(ws, budget)))
                if merge:
                    _fill_merged(grid, _merged_ranges(wb._archive, ws._worksheet_path), budget)
                sheets.append(Sheet(ws.title, grid))
        finally:
            wb.close()
    return sheets


def _load_xls(path: Path, budget: RowBudget, *, first_only: bool = False, merge: bool = True) -> list[Sheet]:
    import xlrd  # imported here: start-up time

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except NotImplementedError:  # some writers' files lack the formatting records
        book = xlrd.open_workbook(str(path), on_demand=True)
    sheets = []
    try:
        budget.sheets(book.nsheets)
        for index in range(1 if first_only else book.nsheets):
            sh = book.sheet_by_index(index)   # one sheet in memory at a time; .xls holds 65,536 rows at most
            budget.expect(sh.nrows)
            budget.columns(sh.ncols)
            sheets.append(Sheet(sh.name, _xls_grid(book, sh, budget, merge)))
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return sheets


def _xls_grid(book: Any, sh: Any, budget: RowBudget, merge: bool = True) -> list[list[Any]]:
    import xlrd  # imported here: start-up time

    grid: list[list[Any]] = []
    for r in budget.rows(range(sh.nrows)):
        row: list[Any] = []
        for c in range(sh.ncols):
            cell = sh.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                try:
                    row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                except Exception:  # noqa: BLE001 - keep the raw serial
                    row.append(cell.value)
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                row.append(None)
            elif cell.ctype == xlrd.XL_CELL_ERROR:
                row.append(None)
            else:
                row.append(cell.value)
        grid.append(budget.cells(row))
    if merge:
            _fill_merged(grid, [(r1, c1, r2 - 1, c2 - 1) for r1, r2, c1, c2 in getattr(sh, "merged_cells", [])],
                     budget)
    return grid


def text_encoding(path: Path) -> str:
    """The encoding of a text file: its BOM, else UTF-8 when all of it decodes, else GB18030 (GBK)."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _dialect(sample: str) -> type[csv.Dialect]:
    """Excel's CSV dialect with the sample's delimiter: sniffed among comma, tab and semicolon, else the most
    frequent of them.  Only the delimiter is sniffed: the Sniffer's guess at quoting misreads a cell holding
    doubled quotes (""), which Excel writes for every quote in a cell."""
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:       # the most frequent of the three; a comma when none is more frequent
        delimiter = max(",\t;", key=sample.count)
    return type("SniffedExcel", (csv.excel,), {"delimiter": delimiter})


def _load_csv(path: Path, budget: RowBudget) -> list[Sheet]:
    with open(path, encoding=text_encoding(path), newline="") as f:
        dialect = _dialect(f.read(8192))
        f.seek(0)
        # rows as long as they are: title rows above the header have fewer cells
        grid = [budget.cells(list(r)) for r in budget.rows(csv.reader(f, dialect))]
    return [Sheet(None, grid)]


def read_sheets(path: Path, how: TableFile) -> list[Sheet]:
    """Every sheet of a table file (the first only unless ``how.all_sheets``) as a grid of cells, read by what
    the file is rather than by its extension; ``how.error`` when the file is not a readable one."""
    name = path.name
    if not path.exists():
        raise how.error(key="src.e.not_found", params={"name": name})
    suffix = path.suffix.lower()
    if suffix not in TABULAR_SUFFIXES:
        raise how.error(key=how.wrong_type, params={"name": name, "file": name, "types": " ".join(TABULAR_SUFFIXES),
                                                    **how.wrong_type_params})
    with open(path, "rb") as f:
        head = f.read(8)
    if not head:
        raise how.error(key="src.e.empty_file", params={"name": name})
    budget = RowBudget(name, how.max_rows, how.max_cells, how.error)
    kind = workbook_kind(head)
    first_only, merge = not how.all_sheets, how.merged
    try:
        if kind == "xlsx":
            sheets = _load_xlsx(path, budget, first_only=first_only, merge=merge)
        elif kind == "xls":
            sheets = _load_xls(path, budget, first_only=first_only, merge=merge)
        elif suffix in _TEXT_SUFFIXES:
            sheets = _load_csv(path, budget)
        elif head.lstrip().startswith(b"<"):
            raise how.error(key="src.e.html", params={"name": name})
        else:
            raise how.error(key="src.e.not_excel", params={"name": name})
    except SourceError:
        raise
    except UnicodeDecodeError:
        raise how.error(key="src.e.encoding", params={"name": name}) from None
    except Exception as exc:  # noqa: BLE001 - any parser failure means the file is unreadable
        raise how.error(key="src.e.unreadable", params={"name": name, "err": type(exc).__name__}) from None
    if not any(any(cell_text(v) for v in row) for s in sheets for row in s.grid):
        raise how.error(key="src.e.no_data", params={"name": name})
    return sheets
