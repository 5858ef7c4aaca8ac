"""The assignment ledger (法律顾问工作台账) that county bureaus send: read it, then match it to the registry.

:func:`read_ledger` turns a messy .xlsx / .xls / .csv into a :class:`LedgerTable`: it finds the header row
under any title rows (by scoring rows against column synonyms), maps columns to canonical fields, fills down
merged cells and blank township cells, skips blank / 合计 / note / repeated-header rows, drops identical
duplicate rows and removes every ID-card number (身份证号 columns are never read; an ID pasted into any other
cell is blanked).  Only the first sheet with a recognisable header is read (or the one named by ``sheet``);
other sheets that also have one are named in ``LedgerTable.warnings``.

:func:`match_ledger` finds the county (chosen, else from the title words and the village names) and matches
each village to a 12-digit registry code: by code when the row gives one, else by normalised name within the
county, narrowed by the township.  Nothing here touches the store; the caller imports the result.
"""
from __future__ import annotations

import bisect
import codecs
import csv
import datetime as dt
import re
import unicodedata
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from geo.codes import CodeError, normalize_code
from geo.coverage import Period
from geo.i18n import bilingual
from geo.idcards import removed_note, scrub_id_numbers
from geo.errors import UserError
from geo.names import (clean_name, normalize_township_name, normalize_village_name, normalize_village_names,
                       split_village_names, village_name_keys)
from geo.periods import (EARLIEST_PLAUSIBLE_START, MAX_PLAUSIBLE_YEARS, MAX_YEARS_AHEAD, PeriodError,
                         doubtful_period, parse_period)
from geo.safezip import UnsafeZipError, check_archive

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt")
HEADER_SCAN_ROWS = 30
# rows of one file, all sheets together: the largest county has a few thousand villages, so a file this long
# is a mistake (or an attack) and is refused before it costs minutes and gigabytes
MAX_LEDGER_ROWS = 200_000
# uncompressed parts of one .xlsx: a MAX_LEDGER_ROWS ledger is about 100 MB of sheet XML
MAX_XLSX_BYTES = 512 * 1024**2

KIND_LAWYER = "律师"
KIND_WORKER = "基层法律服务工作者"
KIND_OTHER = "其他"

REJECT_REASONS = ("unknown_village", "ambiguous_village", "bad_period", "end_before_start", "no_adviser",
                  "no_village")

# ---------------------------------------------------------------------------------------------- columns
# exact synonyms, compared after _header_forms(): NFKC, no whitespace, lower case, brackets removed
_EXACT: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "序", "顺序号", "no", "no.", "#"),
    "township": ("乡镇", "乡镇街道", "街道", "镇", "乡", "镇街", "镇街道", "所属乡镇", "所属乡镇街道", "乡镇名称",
                 "乡镇街道名称", "镇街名称", "所在乡镇", "乡镇苏木", "苏木乡镇", "township", "town", "street"),
    "village": ("村社区名称", "村名称", "村居名称", "村居", "村社区", "服务村社区", "服务村居", "村名", "村",
                "社区", "村委会", "村居委会", "服务村", "服务村社区名称", "村居委会名称", "行政村", "行政村名称",
                "社区名称", "村社区居名称", "服务对象", "village", "villagename", "community", "village/community"),
    "code": ("区划代码", "统计用区划代码", "村代码", "行政区划代码", "村社区代码", "代码", "编码", "区划编码",
             "code", "divisioncode", "villagecode"),
    "name": ("法律顾问姓名", "法律顾问", "顾问姓名", "姓名", "顾问", "律师姓名", "村居法律顾问", "村社区法律顾问",
             "name", "adviser", "advisor", "advisername", "legaladviser", "lawyer"),
    "kind": ("类别", "身份", "人员类别", "人员类型", "类型", "顾问类别", "顾问类型", "职业", "身份类别",
             "kind", "type", "category"),
    "org": ("执业机构", "所在单位", "律师事务所", "工作单位", "执业单位", "执业机构名称", "所在律所", "单位",
            "所在机构", "服务机构", "organization", "organisation", "firm", "lawfirm", "org"),
    "licence": ("执业证号", "执业证号码", "证号", "执业证书号", "执业证书编号", "执业证编号", "licence", "license",
                "licenceno", "licenseno", "licenceno.", "licenseno."),
    "phone": ("联系电话", "电话", "手机", "手机号码", "手机号", "联系方式", "电话号码", "phone", "tel", "mobile",
              "telephone"),
    "period": ("聘任期限", "服务期限", "合同期限", "聘期", "聘任时间", "服务时间", "合同期", "聘用期限", "签约期限",
               "period", "term", "contractperiod"),
    "start": ("起始日期", "开始时间", "聘任起始", "开始日期", "起始时间", "聘任开始", "聘任起始日期", "聘任起始时间",
              "起", "起始", "开始", "自", "startdate", "start", "from"),
    "end": ("终止日期", "结束时间", "聘任终止", "结束日期", "终止时间", "到期时间", "到期日期", "聘任终止日期",
            "聘任终止时间", "聘任结束", "止", "至", "终止", "结束", "enddate", "end", "until", "to"),
    "id_card": ("身份证号", "身份证号码", "公民身份号码", "身份证", "身份证件号码", "证件号码", "idcard", "idno",
                "idnumber"),
    "remark": ("备注", "说明", "remark", "remarks", "note", "notes"),
}
# (keyword, field) pairs for headers that only contain a synonym; the longest keyword wins
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("身份证", "id_card"), ("公民身份", "id_card"), ("证件号", "id_card"), ("idcard", "id_card"),
    ("执业证", "licence"), ("证号", "licence"), ("资格证", "licence"), ("licen", "licence"),
    ("电话", "phone"), ("手机", "phone"), ("联系方式", "phone"), ("phone", "phone"), ("mobile", "phone"),
    ("起始", "start"), ("开始", "start"), ("聘任起", "start"), ("start", "start"),
    ("终止", "end"), ("结束", "end"), ("到期", "end"), ("截止", "end"), ("届满", "end"),
    ("期限", "period"), ("聘期", "period"), ("服务期", "period"), ("合同期", "period"), ("聘任时间", "period"),
    ("起止", "period"), ("起讫", "period"), ("聘用时间", "period"), ("服务时间", "period"), ("period", "period"),
    ("签约", "start"), ("签订", "start"), ("生效", "start"), ("聘任日期", "start"),
    ("签约律师", "name"), ("签约顾问", "name"), ("签约人员", "name"), ("律师", "name"),
    ("姓名", "name"), ("顾问", "name"), ("法律顾问", "name"), ("顾问姓名", "name"), ("律师姓名", "name"),
    ("adviser", "name"), ("advisor", "name"),
    ("类别", "kind"), ("身份", "kind"), ("类型", "kind"),
    ("执业机构", "org"), ("律师事务所", "org"), ("法律服务所", "org"), ("单位", "org"), ("律所", "org"),
    ("代码", "code"), ("编码", "code"),
    ("乡镇", "township"), ("镇街", "township"), ("街道", "township"), ("township", "township"),
    ("村社区", "village"), ("村居", "village"), ("村名", "village"), ("服务村", "village"), ("行政村", "village"),
    ("社区名称", "village"), ("村委会", "village"), ("居委会", "village"), ("village", "village"),
    ("community", "village"),
    ("备注", "remark"),
)
_EXACT_LOOKUP = {syn: f for f, syns in _EXACT.items() for syn in syns}
_SUB_ONLY = {"起", "止", "至", "自", "起始", "开始", "终止", "结束", "from", "to", "until", "start", "end"}
_FIELD_ORDER = ("id_card", "licence", "phone", "start", "end", "period", "name", "kind", "org", "code",
                "township", "village", "seq", "remark")

_TOTAL = re.compile(r"^(?:合计|小计|总计|共计|总数|累计|total|subtotal)", re.I)
_NOTE = re.compile(r"^(?:注[:：意]|注\d|备注[:：]|说明[:：]|填表说明|填报说明|填表人|填报人|审核人|制表人|制表|"
                   r"负责人|单位负责人|联系人[:：]|填报日期|填报时间|审核[:：]|签字|盖章)")


class LedgerError(UserError):
    """A ledger file that cannot be read at all; the message is bilingual and names the file."""


# ---------------------------------------------------------------------------------------------- results
@dataclass
class LedgerRow:
    row_number: int  # 1-based, as the user sees it in Excel
    township: str | None
    village_names: list[str]
    village_code: str | None  # 12 digits when the row gave a valid code
    adviser_name: str | None
    kind: str  # 律师 / 基层法律服务工作者 / 其他
    org: str | None
    licence_no: str | None
    phone: str | None
    period: Period | None
    period_error: str | None  # a PeriodError (str with .code) when the period is unreadable
    raw: dict[str, str]  # original header -> cell text, ID numbers removed
    warnings: list[str] = field(default_factory=list)


@dataclass
class LedgerTable:
    path: str
    sheet: str | None  # None for CSV
    header_row: int  # 1-based; first row of the header when it spans two rows
    data_start_row: int  # 1-based row number of the first data row
    mapped: dict[str, str]  # canonical field -> original header text
    title: str  # text of the rows above the header (county detection)
    rows: list[LedgerRow]
    duplicate_rows: list[tuple[int, int]] = field(default_factory=list)  # (dropped row, same as row)
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)  # (row, "blank"/"total"/"note"/"header")
    warnings: list[str] = field(default_factory=list)


@dataclass
class Assignment:
    row_number: int
    village_code: str  # 12 digits
    village_name: str  # registry name
    adviser_key: str  # same person across rows: "licence:<no>" or "name:<name>|phone:<digits>"
    adviser_name: str
    kind: str
    org: str | None
    licence_no: str | None
    phone: str | None
    start: dt.date
    end: dt.date | None  # None = open-ended
    ledger_village: str  # the name as written in the ledger ("" when matched by code only)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Reject:
    row_number: int
    reason: str  # one of REJECT_REASONS
    message: str  # bilingual, names the row and why
    raw: dict[str, str]
    village: str | None = None  # the village name the reject is about, when the row named several


@dataclass
class Adviser:
    key: str
    name: str
    kind: str
    org: str | None
    licence_no: str | None
    phone: str | None
    rows: list[int]
    villages: list[str]


@dataclass
class LedgerMatch:
    county_code: str  # 12 digits
    county_name: str
    county_source: str  # "given" / "title" / "villages" / "codes"
    assignments: list[Assignment]
    rejects: list[Reject]
    rows_read: int  # data rows in the file, duplicates included
    duplicate_rows: int  # identical rows dropped by read_ledger
    duplicate_assignments: int  # same village + adviser + period given again on another row
    warnings: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return len(self.assignments)

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    @property
    def duplicates_dropped(self) -> int:
        return self.duplicate_rows + self.duplicate_assignments

    def advisers(self) -> dict[str, Adviser]:
        """Accepted assignments grouped by person (``adviser_key``), first-seen details kept."""
        out: dict[str, Adviser] = {}
        for a in self.assignments:
            adv = out.get(a.adviser_key)
            if adv is None:
                adv = out[a.adviser_key] = Adviser(a.adviser_key, a.adviser_name, a.kind, a.org, a.licence_no,
                                                   a.phone, [], [])
            if a.row_number not in adv.rows:
                adv.rows.append(a.row_number)
            adv.villages.append(a.village_code)
            for attr in ("org", "phone", "licence_no"):
                if getattr(adv, attr) is None and getattr(a, attr):
                    setattr(adv, attr, getattr(a, attr))
        return out


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


def _number_text(value: Any, what: str, row: int, warnings: list[str]) -> str | None:
    """Phone / licence cell -> exact text; warns when Excel stored it as a float that lost digits."""
    if value is None:
        return None
    lossy = False
    if isinstance(value, float) and value == value:
        lossy = abs(value) >= 1e15
    elif isinstance(value, int) and not isinstance(value, bool):
        lossy = abs(value) >= 2 ** 53
    elif isinstance(value, str):
        s = unicodedata.normalize("NFKC", value).strip()
        if re.fullmatch(r"\d(?:\.\d+)?[eE]\+?\d+", s):  # "1.61012E+16" from a CSV export
            value = float(s)
            lossy = True
    text = cell_text(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", text).strip()
    if lossy and text:
        # a truncated licence number would merge different people into one adviser: drop it
        warnings.append(f"第{row}行：{what}“{text}”是以数字保存的，Excel 只保留15位有效数字，已不可靠，未导入；"
                        f"请把该列设为文本后重新填写 / row {row}: {what} '{text}' was stored as a number; Excel "
                        "keeps only 15 significant digits, so it was not imported - format the column as text "
                        "and fill it in again")
        return None
    return text or None


def normalize_kind(text: str | None, org: str | None = None) -> str:
    """律师 / 基层法律服务工作者 / 其他; a blank kind is guessed from the organisation's name."""
    t = clean_name(text or "")
    if t:
        if "法律服务工作者" in t or "基层法律服务" in t:
            return KIND_WORKER
        if "律师" in t and "事务所" not in t:
            return KIND_LAWYER
        if t.lower() in ("lawyer", "attorney"):
            return KIND_LAWYER
        return KIND_OTHER
    o = clean_name(org or "")
    if "律师事务所" in o or o.endswith("律所"):
        return KIND_LAWYER
    if "法律服务所" in o:
        return KIND_WORKER
    return KIND_OTHER


# ---------------------------------------------------------------------------------------------- header
def _header_forms(text: str) -> tuple[str, str]:
    """(brackets removed but content kept, bracket content removed), both compact and lower case."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = re.sub(r"[\s*:：_]+", "", t)
    without = re.sub(r"[(\[【〔][^)\]】〕]*[)\]】〕]", "", t)
    kept = re.sub(r"[()\[\]【】〔〕、,，/]", "", t)
    return kept, without


@lru_cache(maxsize=65536)
def _match_header(text: str, *, sub: bool = False) -> tuple[str, int] | None:
    """(field, score) for one header cell; score 100 for an exact synonym, else keyword length."""
    if not text or len(text) > 40:
        return None
    kept, without = _header_forms(text)
    for form in (kept, without):
        f = _EXACT_LOOKUP.get(form)
        if f and (sub or form not in _SUB_ONLY):
            return f, 100
    best: tuple[str, int] | None = None
    for kw, f in _KEYWORDS:
        if kw in kept and (best is None or len(kw) > best[1]
                           or (len(kw) == best[1] and _FIELD_ORDER.index(f) < _FIELD_ORDER.index(best[0]))):
            best = (f, len(kw))
    if best and best[0] == "period":  # "聘任期限（起）" / "聘任期限(止)"
        if re.search(r"(?:起|起始|开始|自)$", kept):
            best = ("start", best[1])
        elif re.search(r"(?:止|终止|结束|至)$", kept):
            best = ("end", best[1])
    return best


def _map_header(texts: list[str], *, sub: bool = False) -> dict[str, tuple[int, int]]:
    """field -> (column, score), each column used once, the best-scoring column per field (first on ties)."""
    out: dict[str, tuple[int, int]] = {}
    for col, text in enumerate(texts):
        m = _match_header(text, sub=sub)
        if not m:
            continue
        f, score = m
        if f not in out or score > out[f][1]:
            out[f] = (col, score)
    return out


def _is_header(mapping: dict[str, Any]) -> bool:
    return "name" in mapping and ("village" in mapping or "code" in mapping)


# ---------------------------------------------------------------------------------------------- loading
@dataclass
class _Sheet:
    name: str | None
    grid: list[list[Any]]  # merged ranges already filled with their top-left value


def _fill_merged(grid: list[list[Any]], ranges: Iterable[tuple[int, int, int, int]]) -> None:
    """Copy each merged range's top-left value into all its cells (0-based inclusive bounds)."""
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
    """Counts the rows a reader takes from one file and stops it, with a clear refusal, past ``limit``."""

    def __init__(self, file_name: str, limit: int = MAX_LEDGER_ROWS) -> None:
        self.file_name = file_name
        self.limit = limit
        self.used = 0

    def refuse(self) -> LedgerError:
        return LedgerError(bilingual("limit.rows", name=self.file_name, limit=f"{self.limit:,}"))

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


def check_xlsx_size(path: Path) -> None:
    """An .xlsx is a zip: refuse a bomb (huge or implausibly compressed parts) before a reader opens it."""
    try:
        check_archive(path, max_total_bytes=MAX_XLSX_BYTES)
    except UnsafeZipError as e:
        raise LedgerError(str(e)) from None


def _merged_ranges(archive: Any, sheet_path: str) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges (0-based inclusive), parsed from its XML: read-only openpyxl does not give them."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.cell import range_boundaries

    ranges: list[tuple[int, int, int, int]] = []
    with archive.open(sheet_path) as source:
        for _event, element in iterparse(source):
            tag = element.tag.rpartition("}")[2]
            if tag == "mergeCell" and element.get("ref"):
                c1, r1, c2, r2 = range_boundaries(element.get("ref"))
                ranges.append((r1 - 1, c1 - 1, r2 - 1, c2 - 1))
            elif tag == "row":
                element.clear()  # keep memory flat over a long sheet
    return ranges


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


def _load_xlsx(path: Path, budget: RowBudget) -> list[_Sheet]:
    import openpyxl

    check_xlsx_size(path)
    # a file object, not the path: openpyxl refuses a path whose extension is not .xlsx even when it is one
    with open(path, "rb") as handle:
        wb = openpyxl.load_workbook(handle, read_only=True, data_only=True)  # streamed, row by row
        sheets = []
        try:
            for ws in wb.worksheets:
                budget.expect(ws.max_row)   # the sheet's stated size, read without reading the rows
                budget.expect(_row_tags(wb._archive, ws._worksheet_path, budget.limit - budget.used))
                ws.reset_dimensions()        # a wrong stated size must not cut rows or columns off
                grid = [list(r) for r in budget.rows(ws.iter_rows(values_only=True))]
                _fill_merged(grid, _merged_ranges(wb._archive, ws._worksheet_path))
                sheets.append(_Sheet(ws.title, grid))
        finally:
            wb.close()
    return sheets


def _load_xls(path: Path, budget: RowBudget) -> list[_Sheet]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except NotImplementedError:  # some writers' files lack the formatting records
        book = xlrd.open_workbook(str(path), on_demand=True)
    sheets = []
    try:
        for index in range(book.nsheets):
            sh = book.sheet_by_index(index)   # one sheet in memory at a time; .xls holds 65,536 rows at most
            budget.expect(sh.nrows)
            sheets.append(_Sheet(sh.name, _xls_grid(book, sh, budget)))
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return sheets


def _xls_grid(book: Any, sh: Any, budget: RowBudget) -> list[list[Any]]:
    import xlrd

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
        grid.append(row)
    _fill_merged(grid, ((r1, c1, r2 - 1, c2 - 1) for r1, r2, c1, c2 in getattr(sh, "merged_cells", [])))
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


def _load_csv(path: Path, budget: RowBudget) -> list[_Sheet]:
    with open(path, encoding=text_encoding(path), newline="") as f:
        sample = f.read(8192)
        f.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        grid = [list(r) for r in budget.rows(csv.reader(f, dialect))]
    return [_Sheet(None, grid)]


def _load(path: Path, max_rows: int = MAX_LEDGER_ROWS) -> list[_Sheet]:
    name = path.name
    if not path.exists():
        raise LedgerError(f"找不到文件“{name}” / file '{name}' not found")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LedgerError(f"“{name}”不是台账文件：只支持 .xlsx、.xls、.csv / '{name}' is not a ledger file: "
                          "only .xlsx, .xls and .csv are supported")
    with open(path, "rb") as f:
        head = f.read(8)
    if not head:
        raise LedgerError(f"“{name}”是空文件 / '{name}' is an empty file")
    budget = RowBudget(name, max_rows)
    kind = workbook_kind(head)
    try:
        if kind == "xlsx":
            sheets = _load_xlsx(path, budget)
        elif kind == "xls":
            sheets = _load_xls(path, budget)
        elif suffix in (".csv", ".txt"):
            sheets = _load_csv(path, budget)
        elif head.lstrip().startswith(b"<"):
            raise LedgerError(f"“{name}”实际是网页（HTML）格式，请在 Excel 中“另存为”.xlsx 后再导入 / '{name}' "
                              "is really an HTML page; open it in Excel and save it as .xlsx")
        else:
            raise LedgerError(f"“{name}”已损坏或不是 Excel 文件 / '{name}' is corrupt or not an Excel file")
    except LedgerError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure means the file is unreadable
        raise LedgerError(f"“{name}”无法读取（文件可能已损坏或加密）：{type(exc).__name__} / '{name}' cannot be "
                          f"read (corrupt or encrypted file): {type(exc).__name__}") from None
    if not any(any(cell_text(v) for v in row) for s in sheets for row in s.grid):
        raise LedgerError(f"“{name}”里没有任何内容 / '{name}' contains no data")
    return sheets


# ---------------------------------------------------------------------------------------------- reading
def _find_header(texts: list[list[str]]) -> tuple[int, dict[str, tuple[int, int]]] | None:
    best: tuple[int, dict[str, tuple[int, int]]] | None = None
    for i, row in enumerate(texts[:HEADER_SCAN_ROWS]):
        mapping = _map_header(row)
        if not _is_header(mapping):
            continue
        if best is None or _header_score(mapping) > _header_score(best[1]):
            best = (i, mapping)
    return best


def _header_score(mapping: dict[str, tuple[int, int]]) -> tuple[int, int]:
    return len(mapping), sum(1 for _c, score in mapping.values() if score == 100)


def _sub_header(texts: list[list[str]], h: int) -> dict[str, tuple[int, int]] | None:
    """Fields named by a second header row (e.g. 起始/终止 under a merged 聘任期限), or None."""
    if h + 1 >= len(texts):
        return None
    sub, top = texts[h + 1], texts[h]
    found: dict[str, int] = {}
    for col, text in enumerate(sub):
        if not text or (col < len(top) and text == top[col]):
            continue  # blank, or a vertically merged header cell
        m = _match_header(text, sub=True)
        if m is None:
            return None  # a data value: this is not a header row
        found.setdefault(m[0], (col, m[1]))
    return found or None


def _unique_headers(top: list[str], sub: list[str] | None) -> list[str]:
    out: list[str] = []
    seen: Counter[str] = Counter()
    for col, text in enumerate(top):
        name = text
        if sub is not None and col < len(sub) and sub[col] and sub[col] != text:
            name = f"{text}-{sub[col]}" if text else sub[col]
        if not name:
            name = f"列{_col_letter(col)}"
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out


def _col_letter(col: int) -> str:
    s = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def _title_text(texts: list[list[str]], upto: int) -> str:
    parts: list[str] = []
    for row in texts[:upto]:
        for t in row:
            if t and t not in parts:
                parts.append(t)
    return " ".join(parts)


def read_ledger(path: str | Path, *, sheet: str | None = None, today: dt.date | None = None) -> LedgerTable:
    """Read a ledger file; raise LedgerError when it is not a readable ledger at all.

    Row-level problems (unreadable period, missing name...) do not raise: they stay on the rows for
    :func:`match_ledger` to reject with the row number.  An implausible period (see
    :func:`geo.periods.doubtful_period`, judged against ``today``, the day of the import) is kept with a warning.
    """
    path = Path(path)
    today = today or dt.date.today()
    sheets = _load(path)
    if sheet is not None:
        chosen = [s for s in sheets if s.name == sheet]
        if not chosen:
            raise LedgerError(f"“{path.name}”中没有名为“{sheet}”的工作表 / '{path.name}' has no sheet '{sheet}'")
        sheets = chosen
    found: list[tuple[_Sheet, list[list[str]], int, dict[str, tuple[int, int]]]] = []
    for s in sheets:
        texts = [[cell_text(v) for v in row] for row in s.grid[:HEADER_SCAN_ROWS + 1]]
        hit = _find_header(texts)
        if hit:
            found.append((s, texts, hit[0], hit[1]))
    if not found:
        n = min(HEADER_SCAN_ROWS, max(len(s.grid) for s in sheets))
        raise LedgerError(
            f"“{path.name}”：第{n}行之前没有找到表头（需要有“村（社区）名称”和“法律顾问姓名”等列） / "
            f"'{path.name}': no header row found in the first {n} rows (columns such as 村（社区）名称 and "
            "法律顾问姓名 are required)")
    s, texts, h, mapping = found[0]
    # a header over two rows whose merged cells made the second row the better match: report the first
    h_top = h - 1 if h > 0 and _is_header(_map_header(texts[h - 1])) else h
    table_warnings = [f"工作表“{o.name}”也有表头，但未读取；如需导入请指定该工作表 / sheet '{o.name}' also has a "
                      "header but was not read; choose it explicitly to import it" for o, *_ in found[1:]]
    cols = {f: c for f, (c, _score) in mapping.items()}
    sub = _sub_header(texts, h)
    data_start = h + 1
    if sub:
        # "法律顾问" merged over 姓名 / 类别 / 电话, "聘任期限" over 起始 / 终止: the lower row is more precise
        for f, (c, score) in sub.items():
            if f in ("start", "end") or f not in cols or score == 100:
                cols[f] = c
        data_start = h + 2
    if "start" in cols and "end" in cols:
        cols.pop("period", None)
    width = max(len(r) for r in s.grid)
    top_idx, sub_idx = (h_top, h) if h_top < h else (h, h + 1 if sub else None)
    top = [cell_text(v) for v in s.grid[top_idx]] + [""] * width
    sub_texts = None
    if sub_idx is not None:
        sub_texts = [cell_text(v) for v in s.grid[sub_idx]] + [""] * width
    headers = _unique_headers(top, sub_texts)
    mapped = {f: headers[c] for f, c in cols.items() if f != "id_card"}
    id_cols = {c for c in range(width) if (m := _match_header(top[c])) and m[0] == "id_card"}
    if sub_texts:
        id_cols |= {c for c in range(width) if (m := _match_header(sub_texts[c], sub=True)) and m[0] == "id_card"}
    if "id_card" in cols:
        id_cols.add(cols["id_card"])

    table = LedgerTable(path=str(path), sheet=s.name, header_row=h_top + 1, data_start_row=data_start + 1,
                        mapped=mapped, title=_title_text(texts, h_top), rows=[], warnings=table_warnings)
    seen: dict[tuple[str, ...], int] = {}
    township = None
    for i in range(data_start, len(s.grid)):
        row_number = i + 1
        values = list(s.grid[i]) + [None] * (width - len(s.grid[i]))
        texts_i = [cell_text(v) for v in values]
        kind = _skip_kind(texts_i, cols, id_cols)
        if kind:
            table.skipped_rows.append((row_number, kind))
            continue
        raw = {headers[c]: texts_i[c] for c in range(width) if c not in id_cols}
        scrubbed = any(cell_text(values[c]) != _plain_text(values[c]) for c in range(width) if c not in id_cols)
        if cols.get("township") is not None:
            t = texts_i[cols["township"]]
            if t:
                township = t
            else:
                raw[headers[cols["township"]]] = township or ""
        key = tuple(v for c, v in enumerate(texts_i) if c not in id_cols and c != cols.get("seq"))
        if cols.get("township") is not None:
            key = key + (township or "",)
        if key in seen:
            table.duplicate_rows.append((row_number, seen[key]))
            continue
        seen[key] = row_number
        table.rows.append(_make_row(row_number, values, texts_i, cols, raw, township, scrubbed, today))
    return table


def _plain_text(value: Any) -> str:
    """cell_text without the ID scrub, only to notice that something was removed (never stored)."""
    if isinstance(value, str):
        text = value.replace("\u3000", " ").replace("\xa0", " ").strip()
        return text[:-2] if re.fullmatch(r"\d+\.0", text) else text
    return cell_text(value)


def _skip_kind(texts: list[str], cols: dict[str, int], id_cols: set[int]) -> str | None:
    nonblank = [t for c, t in enumerate(texts) if t and c not in id_cols]
    if not nonblank:
        return "blank"
    compact = [re.sub(r"\s+", "", t) for t in nonblank]
    if any(_TOTAL.match(t) for t in compact[:4]):
        return "total"
    if _NOTE.match(compact[0]):
        return "note"
    if len(compact) >= 3 and len(set(compact)) == 1:
        return "note"  # one text merged across the whole row: a section title or remark
    exact = {m[0] for t in texts if t and (m := _match_header(t)) and m[1] == 100}
    if _is_header(exact):
        return "header"  # the header repeated further down (e.g. on every printed page)
    if len(compact) >= 3 and all(re.fullmatch(r"\d+", t) for t in compact):
        nums = [int(t) for t in compact]
        if nums == list(range(nums[0], nums[0] + len(nums))):
            return "numbering"  # the "1 2 3 4 ..." row under some headers
    interesting = [cols[f] for f in ("village", "code", "name") if f in cols]
    if not any(texts[c] for c in interesting):
        return "blank"  # only a 序号 or a stray remark: nothing to import
    return None


def _make_row(row_number: int, values: list[Any], texts: list[str], cols: dict[str, int], raw: dict[str, str],
              township: str | None, scrubbed: bool, today: dt.date) -> LedgerRow:
    warnings: list[str] = []
    if scrubbed:
        warnings.append(removed_note(f"第{row_number}行", f"row {row_number}"))

    def text(f: str) -> str | None:
        c = cols.get(f)
        return (texts[c] or None) if c is not None else None

    code = None
    code_text = text("code")
    if code_text:
        try:
            code = normalize_code(re.sub(r"\s+", "", code_text))
            if code[9:] == "000":
                raise CodeError("not a village")
        except CodeError:
            code = None
            warnings.append(f"第{row_number}行：区划代码“{code_text}”不是12位村级代码，改按名称匹配 / row "
                            f"{row_number}: '{code_text}' is not a 12-digit village code; matching by name")
    licence = _number_text(values[cols["licence"]], "执业证号", row_number, warnings) if "licence" in cols else None
    if licence:
        licence = scrub_id_numbers(re.sub(r"\s+", "", licence)) or None
    phone = _number_text(values[cols["phone"]], "电话", row_number, warnings) if "phone" in cols else None
    if phone:
        phone = scrub_id_numbers(phone) or None
    org = text("org")
    if "start" in cols or "end" in cols:
        start = _period_cell(values, texts, cols.get("start"))
        end = _period_cell(values, texts, cols.get("end"))
        result = parse_period(start, end) if (start not in (None, "") or end not in (None, "")) \
            else PeriodError("聘任期限为空 / the period is empty")
    elif "period" in cols:
        result = parse_period(_period_cell(values, texts, cols["period"]))
    else:
        result = PeriodError("台账中没有聘任期限列 / the ledger has no period column")
    if isinstance(result, PeriodError) and result.code == "bad_period" and "start" in cols and "end" in cols:
        if not texts[cols["start"]] and not texts[cols["end"]]:
            result = PeriodError("聘任期限为空 / the period is empty")
    if isinstance(result, Period):
        warnings.extend(_doubtful_period_warnings(row_number, result, today))
    name = text("name")
    if name:  # "张 三" -> "张三", but "Sun  Qi" -> "Sun Qi"
        name = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name)).strip()
        name = re.sub(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])", "", name)
    return LedgerRow(
        row_number=row_number,
        township=township,
        village_names=split_village_names(text("village")),
        village_code=code,
        adviser_name=name or None,
        kind=normalize_kind(text("kind"), org),
        org=org,
        licence_no=licence,
        phone=phone,
        period=result if isinstance(result, Period) else None,
        period_error=result if isinstance(result, PeriodError) else None,
        raw=raw,
        warnings=warnings,
    )


_DOUBT_LIMITS = {"too_long": {"years": MAX_PLAUSIBLE_YEARS}, "too_early": {"year": EARLIEST_PLAUSIBLE_START.year},
                 "too_far_ahead": {"years": MAX_YEARS_AHEAD}}


def _doubtful_period_warnings(row_number: int, period: Period, today: dt.date) -> list[str]:
    shown = f"{period.start.isoformat()} – {period.end.isoformat() if period.end else '…'}"
    return [bilingual(f"period.{reason}", row=row_number, period=shown, today=today.isoformat(),
                      **_DOUBT_LIMITS[reason]) for reason in doubtful_period(period, today)]


def _period_cell(values: list[Any], texts: list[str], col: int | None) -> Any:
    if col is None:
        return None
    v = values[col]
    if isinstance(v, str):
        return texts[col]  # ID-scrubbed text
    return v


# ---------------------------------------------------------------------------------------------- registry
class _CountyIndex:
    """Villages and townships of one county, keyed by normalised names."""

    def __init__(self, codes: list[str], names: list[str], levels: list[int]):
        self.base: dict[str, list[str]] = defaultdict(list)
        self.any: dict[str, list[str]] = defaultdict(list)
        self.names: dict[str, str] = {}
        self.townships: dict[str, set[str]] = defaultdict(set)
        for code, name, level in zip(codes, names, levels):
            if level == 5:
                if code in self.names or code.endswith("000"):  # 金门县 350527000000 is listed at levels 3-5
                    continue
                self.names[code] = name
                self.base[normalize_village_name(name)].append(code)
                for k in village_name_keys(name):
                    if code not in self.any[k]:
                        self.any[k].append(code)
            elif level == 4:
                self.townships[normalize_township_name(name)].add(code[:9])
                self.townships[clean_name(name)].add(code[:9])
        # longest first, for names written with their township in front ("二曲街道镇东村")
        self.township_words = sorted(((t, p) for t, ps in self.townships.items() if len(t) >= 2 for p in ps),
                                     key=lambda tp: -len(tp[0]))

    def lookup(self, name: str) -> list[str]:
        hit = self.base.get(normalize_village_name(name))
        if hit:
            return hit
        for k in village_name_keys(name):
            hit = self.any.get(k)
            if hit:
                return hit
        return []

    def split_township(self, name: str) -> tuple[str, set[str]] | None:
        """("镇东村", {"610124001"}) for "二曲街道镇东村"; None when no township name starts the name."""
        text = clean_name(name)
        for word, prefix9 in self.township_words:
            if text.startswith(word) and len(text) > len(word):
                return text[len(word):], {p for w, p in self.township_words if w == word}
        return None

    def township_prefixes(self, township: str) -> set[str] | None:
        return (self.townships.get(clean_name(township))
                or self.townships.get(normalize_township_name(township)))


class RegistryIndex:
    """The national registry sorted by code, with county / city / province names; county indexes on demand."""

    def __init__(self, registry: pd.DataFrame):
        df = registry[["code", "name", "level"]].copy()
        if pd.api.types.is_numeric_dtype(df["code"]):  # BIGINT codes straight from the store
            df["code"] = df["code"].map(lambda c: f"{int(c):012d}")
        df = df.sort_values("code", kind="stable")
        self.codes: list[str] = df["code"].astype(str).tolist()
        self.names: list[str] = df["name"].astype(str).tolist()
        self.levels: list[int] = [int(x) for x in df["level"].tolist()]
        self.counties: dict[str, str] = {}
        self.cities: dict[str, str] = {}
        self.provinces: dict[str, str] = {}
        for code, name, level in zip(self.codes, self.names, self.levels):
            if level == 3:
                self.counties.setdefault(code[:6], name)
            elif level == 2:
                self.cities.setdefault(code[:4], name)
            elif level == 1:
                self.provinces.setdefault(code[:2], name)
        self._county_cache: dict[str, _CountyIndex] = {}
        self._national: pd.DataFrame | None = None

    def county(self, county6: str) -> _CountyIndex:
        ci = self._county_cache.get(county6)
        if ci is None:
            lo = bisect.bisect_left(self.codes, county6)
            hi = bisect.bisect_left(self.codes, county6 + "z")
            ci = _CountyIndex(self.codes[lo:hi], self.names[lo:hi], self.levels[lo:hi])
            self._county_cache[county6] = ci
        return ci

    def county_votes(self, names: Iterable[str]) -> Counter[str]:
        """Per county (6 digits): how many of ``names`` it has a village of (by normalised name)."""
        if self._national is None:
            villages = pd.DataFrame({"code": self.codes, "name": self.names, "level": self.levels})
            villages = villages[villages["level"] == 5]
            self._national = pd.DataFrame({"key": normalize_village_names(villages["name"]).to_numpy(),
                                           "county": villages["code"].str[:6].to_numpy()})
        keys = {normalize_village_name(n) for n in names}
        hits = self._national[self._national["key"].isin(keys)].drop_duplicates()
        return Counter(hits["county"].value_counts().to_dict())

    def village_name(self, code: str) -> str | None:
        i = bisect.bisect_left(self.codes, code)
        while i < len(self.codes) and self.codes[i] == code:
            if self.levels[i] == 5:
                return self.names[i]
            i += 1
        return None


_INDEX_CACHE: dict[int, tuple[weakref.ref, RegistryIndex]] = {}


def registry_index(registry: pd.DataFrame | RegistryIndex) -> RegistryIndex:
    """Build (once per DataFrame object) the lookup structures for :func:`match_ledger`."""
    if isinstance(registry, RegistryIndex):
        return registry
    hit = _INDEX_CACHE.get(id(registry))
    if hit is not None and hit[0]() is registry:
        return hit[1]
    idx = RegistryIndex(registry)
    _INDEX_CACHE.clear()  # one registry at a time; it is large
    _INDEX_CACHE[id(registry)] = (weakref.ref(registry), idx)
    return idx


# ---------------------------------------------------------------------------------------------- county
_ADMIN_SUFFIX = re.compile(r"(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市|自治州|地区|盟)$")
_COUNTY_SUFFIX = re.compile(r"(?:自治县|自治旗|特区|林区|县|区|市|旗)$")


def _short(name: str, pattern: re.Pattern[str]) -> str:
    s = pattern.sub("", name)
    return s if len(s) >= 2 else name


def _title_candidates(idx: RegistryIndex, text: str) -> tuple[list[tuple[int, str]], bool]:
    """((score, county6) for counties named in the text, best first; whether only short forms matched)."""
    text = clean_name(text)
    if not text:
        return [], False
    hits: dict[str, list[tuple[int, int]]] = {}
    short_only = False
    for c6, name in idx.counties.items():
        if len(name) >= 2 and name in text:
            hits[c6] = [(m.start(), m.start() + len(name)) for m in re.finditer(re.escape(name), text)]
    if not hits:  # "周至司法局": the short form, only when no full name occurs
        short_only = True
        for c6, name in idx.counties.items():
            short = _short(name, _COUNTY_SUFFIX)
            if short != name and len(short) >= 2 and short in text:
                hits[c6] = [(m.start(), m.start() + len(short)) for m in re.finditer(re.escape(short), text)]
    spans = [(s, e, c6) for c6, occ in hits.items() for s, e in occ]
    scored: list[tuple[int, str]] = []
    for c6, occ in hits.items():
        # drop "宁县" when it only occurs inside "中宁县"
        if all(any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) for s2, e2, _ in spans) for s, e in occ):
            continue
        score = 1
        city = idx.cities.get(c6[:4])
        if city and (city in text or _short(city, _ADMIN_SUFFIX) in text):
            score += 2
        prov = idx.provinces.get(c6[:2])
        if prov and (prov in text or _short(prov, _ADMIN_SUFFIX) in text):
            score += 1
        scored.append((score, c6))
    scored.sort(key=lambda x: -x[0])
    return scored, short_only


def _mentioned_prefixes(idx: RegistryIndex, text: str) -> list[str]:
    text = clean_name(text)
    out = [c4 for c4, n in idx.cities.items() if n in text or (len(_short(n, _ADMIN_SUFFIX)) >= 2
                                                                 and _short(n, _ADMIN_SUFFIX) in text)]
    if not out:
        out = [c2 for c2, n in idx.provinces.items() if n in text or _short(n, _ADMIN_SUFFIX) in text]
    return out


def _village_votes(idx: RegistryIndex, table: LedgerTable, counties: Iterable[str] | None) -> Counter[str]:
    """Per county: how many distinct ledger village names match exactly one village there."""
    names = {n for r in table.rows for n in r.village_names}
    votes: Counter[str] = Counter()
    if counties is not None:
        for c6 in counties:
            ci = idx.county(c6)
            votes[c6] = sum(1 for n in names if len(ci.lookup(n)) == 1)
        return votes
    return idx.county_votes(names)


def detect_county(table: LedgerTable, registry: pd.DataFrame | RegistryIndex) -> tuple[str, str]:
    """(county6, source) from the title words, the village codes or the village names; LedgerError if none."""
    idx = registry_index(registry)
    text = " ".join(x for x in (table.title, Path(table.path).stem, table.sheet or "") if x)
    cands, short_only = _title_candidates(idx, text)
    if cands:
        top = [c for s, c in cands if s == cands[0][0]]
        if len(top) == 1 and not short_only:
            return top[0], "title"
        # several counties of that name (鼓楼区), or only a short form ("城关" may be 城关镇): ask the villages
        votes = _village_votes(idx, table, top)
        ranked = votes.most_common()
        if ranked and ranked[0][1] > 0 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            return ranked[0][0], "title"
    codes = Counter(r.village_code[:6] for r in table.rows if r.village_code and r.village_code[:6] in idx.counties)
    if codes:
        return codes.most_common(1)[0][0], "codes"
    prefixes = _mentioned_prefixes(idx, text)
    votes = _village_votes(idx, table, None)
    if prefixes:
        votes = Counter({c: v for c, v in votes.items() if any(c.startswith(p) for p in prefixes)})
    ranked = votes.most_common(2)
    names = {n for r in table.rows for n in r.village_names}
    if ranked and ranked[0][1] >= max(2, len(names) // 3) and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return ranked[0][0], "villages"
    raise LedgerError(f"“{Path(table.path).name}”：无法判断台账属于哪个县，请选择县 / '{Path(table.path).name}': "
                      "cannot tell which county this ledger belongs to; please choose the county")


# ---------------------------------------------------------------------------------------------- matching
def adviser_key(name: str, licence_no: str | None, phone: str | None) -> str:
    """One person across rows: the licence number when present, else name + phone digits."""
    if licence_no:
        return f"licence:{licence_no}"
    digits = re.sub(r"\D", "", phone or "")
    return f"name:{name}|phone:{digits}"


def match_ledger(table: LedgerTable, registry: pd.DataFrame | RegistryIndex,
                 county: str | None = None) -> LedgerMatch:
    """Match every row of ``table`` to registry villages of one county.

    ``county`` may be a 6- or 12-digit code; when omitted it is detected (see :func:`detect_county`).
    Each village named by a row becomes one accepted :class:`Assignment` or one :class:`Reject`; a row
    rejected as a whole (no adviser, bad period, no village) gives one Reject.
    """
    idx = registry_index(registry)
    if county is not None and str(county).strip():
        try:
            c6 = normalize_code(str(county).strip())[:6]
        except CodeError as exc:
            raise LedgerError(f"所选县代码无效：{exc} / invalid county code: {county}") from None
        if c6 not in idx.counties:
            raise LedgerError(f"区划库中没有县级代码“{county}” / county code '{county}' is not in the registry")
        source = "given"
    else:
        c6, source = detect_county(table, idx)
    county_name = idx.counties[c6]
    ci = idx.county(c6)
    result = LedgerMatch(county_code=c6.ljust(12, "0"), county_name=county_name, county_source=source,
                         assignments=[], rejects=[], rows_read=len(table.rows) + len(table.duplicate_rows),
                         duplicate_rows=len(table.duplicate_rows), duplicate_assignments=0)
    seen: set[tuple[str, str, dt.date, dt.date | None]] = set()
    for row in table.rows:
        _match_row(row, ci, c6, county_name, result, seen)
    return result


def _reject(result: LedgerMatch, row: LedgerRow, reason: str, zh: str, en: str, village: str | None = None) -> None:
    result.rejects.append(Reject(row.row_number, reason, f"第{row.row_number}行：{zh} / row {row.row_number}: {en}",
                                 dict(row.raw), village))


def _match_row(row: LedgerRow, ci: _CountyIndex, c6: str, county_name: str,
               result: LedgerMatch, seen: set) -> None:
    if not row.village_names and not row.village_code:
        _reject(result, row, "no_village", "没有填写村（社区）名称", "no village or community given")
        return
    if not row.adviser_name:
        _reject(result, row, "no_adviser", "没有填写法律顾问姓名", "no legal adviser name given")
        return
    if row.period is None:
        err = row.period_error or PeriodError("聘任期限为空 / the period is empty")
        code = getattr(err, "code", "bad_period")
        zh, _, en = str(err).partition(" / ")
        _reject(result, row, code if code in REJECT_REASONS else "bad_period", zh, en or zh)
        return
    targets: list[tuple[str | None, str | None]] = []  # (ledger name, code)
    if row.village_code and len(row.village_names) <= 1:
        targets.append((row.village_names[0] if row.village_names else None, row.village_code))
    else:
        targets.extend((n, None) for n in row.village_names)
    tprefixes = ci.township_prefixes(row.township) if row.township else None
    for name, code in targets:
        warnings = list(row.warnings)
        if code is not None:
            if code[:6] != c6:
                _reject(result, row, "unknown_village", f"区划代码{code}不属于{county_name}",
                        f"code {code} is not in {county_name}", name)
                continue
            if code in ci.names:
                _accept(result, row, code, ci.names[code], name or "", warnings, seen)
                continue
            if not name:
                _reject(result, row, "unknown_village", f"区划库中没有代码{code}", f"code {code} is not in the "
                        "registry", name)
                continue
            warnings.append(f"第{row.row_number}行：区划库中没有代码{code}，已按名称匹配 / row {row.row_number}: "
                            f"code {code} is not in the registry; matched by name")
        assert name is not None
        cands = ci.lookup(name)
        row_prefixes = tprefixes
        if not cands and (split := ci.split_township(name)):
            cands = ci.lookup(split[0])
            row_prefixes = split[1]
        where = f"{county_name}{row.township or ''}"
        if not cands:
            _reject(result, row, "unknown_village", f"在{where}找不到村（社区）“{name}”",
                    f"village '{name}' not found in {where}", name)
            continue
        chosen: str | None = None
        if row_prefixes:
            narrowed = [c for c in cands if c[:9] in row_prefixes]
            if len(narrowed) == 1:
                chosen = narrowed[0]
            elif not narrowed and len(cands) == 1:
                chosen = cands[0]
                warnings.append(f"第{row.row_number}行：“{name}”在区划库中属于其他乡镇，已按名称匹配 / row "
                                f"{row.row_number}: '{name}' belongs to another township in the registry; "
                                "matched by name")
            else:
                cands = narrowed or cands
        elif len(cands) == 1:
            chosen = cands[0]
            if row.township:
                warnings.append(f"第{row.row_number}行：区划库中没有乡镇“{row.township}” / row {row.row_number}: "
                                f"township '{row.township}' is not in the registry")
        if chosen is None and len(cands) > 1:
            # "终南社区" and "终南村" are different units sharing the key "终南"
            wanted = _name_kind(name)
            same_kind = [c for c in cands if wanted and _name_kind(ci.names[c]) == wanted]
            if len(same_kind) == 1:
                chosen = same_kind[0]
        if chosen is None:
            listed = "、".join(f"{ci.names[c]}({c})" for c in cands[:5])
            scope = where if row_prefixes and all(c[:9] in row_prefixes for c in cands) else county_name
            hint_zh = f"，乡镇“{row.township}”无法区分" if row.township else ""
            hint_en = f"; township '{row.township}' does not decide" if row.township else ""
            _reject(result, row, "ambiguous_village",
                    f"{scope}有{len(cands)}个“{name}”：{listed}{hint_zh}，请填写正确的乡镇或区划代码",
                    f"{len(cands)} villages named '{name}' in {scope}: {listed}{hint_en}; give the right "
                    "township or the code", name)
            continue
        _accept(result, row, chosen, ci.names[chosen], name, warnings, seen)


_COMMUNITY_END = re.compile(r"(?:社区|居委会|居民委员会|社区居委会|社区居民委员会)$")
_VILLAGE_END = re.compile(r"(?:村|村委会|村民委员会|嘎查|嘎查村民委员会|嘎查委员会)$")


def _name_kind(name: str) -> str | None:
    """'community' / 'village' from an explicit suffix, None when the name has none."""
    text = clean_name(name)
    if _COMMUNITY_END.search(text):
        return "community"
    if _VILLAGE_END.search(text):
        return "village"
    return None


def _accept(result: LedgerMatch, row: LedgerRow, code: str, reg_name: str, ledger_name: str,
            warnings: list[str], seen: set) -> None:
    assert row.period is not None and row.adviser_name
    key = adviser_key(row.adviser_name, row.licence_no, row.phone)
    dedupe = (code, key, row.period.start, row.period.end)
    if dedupe in seen:
        result.duplicate_assignments += 1
        return
    seen.add(dedupe)
    result.assignments.append(Assignment(
        row_number=row.row_number, village_code=code, village_name=reg_name, adviser_key=key,
        adviser_name=row.adviser_name, kind=row.kind, org=row.org, licence_no=row.licence_no, phone=row.phone,
        start=row.period.start, end=row.period.end, ledger_village=ledger_name, warnings=warnings))
