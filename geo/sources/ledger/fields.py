"""Finding the fields of a ledger: the header row under any title rows (scored against column synonyms), the
columns mapped to canonical fields, and each data row parsed (township filled down, blank / 合计 / note /
repeated-header rows skipped, identical rows dropped, periods read, ID-card numbers removed).

:func:`read_ledger` is the reading half of the ledger: file (:mod:`geo.sources.ledger.read`) -> :class:`LedgerTable`.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.core.codes import CodeError, normalize_code
from geo.core.coverage import Period
from geo.privacy.idcards import scrub_id_numbers
from geo.sources.errors import LedgerError
from geo.sources.ledger.read import load_sheets
from geo.sources.matching import Note, Remark
from geo.sources.names import clean_name, split_village_names
from geo.sources.periods import (
    EARLIEST_PLAUSIBLE_START,
    MAX_PLAUSIBLE_YEARS,
    MAX_YEARS_AHEAD,
    PeriodError,
    doubtful_period,
    parse_period,
)
from geo.sources.tabular import (
    HEADER_SCAN_ROWS,
    Sheet,
    Vocabulary,
    cell_text,
    find_header,
    skip_kind,
    title_text,
    unique_headers,
)

KIND_LAWYER = "律师"
KIND_WORKER = "基层法律服务工作者"
KIND_OTHER = "其他"

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
_SUB_ONLY = {"起", "止", "至", "自", "起始", "开始", "终止", "结束", "from", "to", "until", "start", "end"}
_FIELD_ORDER = ("id_card", "licence", "phone", "start", "end", "period", "name", "kind", "org", "code",
                "township", "village", "seq", "remark")




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
    period_error: PeriodError | None  # when the period is unreadable
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


# ---------------------------------------------------------------------------------------------- cells
def _number_text(value: Any, what: str, row: int, warnings: list[str]) -> str | None:
    """Phone / licence cell (`what`: "phone", "licence") -> exact text; warns when Excel stored it as a float that
    lost digits."""
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
        warnings.append(Note(row, f"src.n.lossy_{what}", text=text))
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
def _period_side(kept: str, best: tuple[str, int]) -> tuple[str, int]:
    """"聘任期限（起）" / "聘任期限(止)": a period header that names one end of it."""
    if best[0] == "period":
        if re.search(r"(?:起|起始|开始|自)$", kept):
            return "start", best[1]
        if re.search(r"(?:止|终止|结束|至)$", kept):
            return "end", best[1]
    return best


LEDGER_COLUMNS = Vocabulary(_EXACT, _KEYWORDS, _FIELD_ORDER, frozenset(_SUB_ONLY), _period_side)


def _match_header(text: str, *, sub: bool = False) -> tuple[str, int] | None:
    """(field, score) for one header cell; score 100 for an exact synonym, else keyword length."""
    return LEDGER_COLUMNS.match(text, sub=sub)


def _map_header(texts: list[str], *, sub: bool = False) -> dict[str, tuple[int, int]]:
    return LEDGER_COLUMNS.map_header(texts, sub=sub)


def _is_header(mapping: dict[str, Any]) -> bool:
    return "name" in mapping and ("village" in mapping or "code" in mapping)



# ---------------------------------------------------------------------------------------------- reading
def _find_header(texts: list[list[str]]) -> tuple[int, dict[str, tuple[int, int]]] | None:
    return find_header(LEDGER_COLUMNS, texts, _is_header)


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


def read_ledger(path: str | Path, *, sheet: str | None = None, today: dt.date | None = None) -> LedgerTable:
    """Read a ledger file; raise LedgerError when it is not a readable ledger at all.

    Row-level problems (unreadable period, missing name...) do not raise: they stay on the rows for
    :func:`geo.sources.ledger.match_ledger` to reject with the row number.  An implausible period (see
    :func:`geo.sources.periods.doubtful_period`, judged against ``today``, the day of the import) is kept with a
    warning.
    """
    path = Path(path)
    sheets = _chosen_sheets(path, load_sheets(path), sheet)
    found = _sheets_with_header(path, sheets)
    layout = _layout(*found[0])
    table = LedgerTable(path=str(path), sheet=layout.sheet.name, header_row=layout.header_row,
                        data_start_row=layout.data_start + 1, mapped=layout.mapped, title=layout.title, rows=[],
                        warnings=[_not_read_warning(other.name) for other, *_ in found[1:]])
    _read_rows(table, layout, today or dt.date.today())
    return table


def _chosen_sheets(path: Path, sheets: list[Sheet], wanted: str | None) -> list[Sheet]:
    if wanted is None:
        return sheets
    chosen = [s for s in sheets if s.name == wanted]
    if not chosen:
        raise LedgerError(key="src.e.no_sheet", params={"name": path.name, "sheet": wanted})
    return chosen


_Found = tuple[Sheet, list[list[str]], int, dict[str, tuple[int, int]]]


def _sheets_with_header(path: Path, sheets: list[Sheet]) -> list[_Found]:
    """(sheet, texts of its first rows, header row index, header mapping) of every sheet that has a header."""
    found: list[_Found] = []
    for s in sheets:
        texts = [[cell_text(v) for v in row] for row in s.grid[:HEADER_SCAN_ROWS + 1]]
        hit = _find_header(texts)
        if hit:
            found.append((s, texts, hit[0], hit[1]))
    if not found:
        n = min(HEADER_SCAN_ROWS, max(len(s.grid) for s in sheets))
        raise LedgerError(key="src.e.ledger_no_header", params={"name": path.name, "n": n})
    return found


def _not_read_warning(sheet: str | None) -> Remark:
    return Remark("src.n.sheet_not_read", sheet=sheet)


@dataclass
class _Layout:
    """Where the fields of one sheet are: header rows, columns, the first data row (0-based indexes)."""

    sheet: Sheet
    header_row: int        # 1-based; the first row of the header when it spans two rows
    data_start: int
    cols: dict[str, int]   # canonical field -> column
    headers: list[str]     # unique header text per column
    id_cols: set[int]      # ID-card columns: never read
    width: int
    title: str             # text of the rows above the header

    @property
    def mapped(self) -> dict[str, str]:
        return {f: self.headers[c] for f, c in self.cols.items() if f != "id_card"}


def _layout(s: Sheet, texts: list[list[str]], h: int, mapping: dict[str, tuple[int, int]]) -> _Layout:
    # a header over two rows whose merged cells made the second row the better match: report the first
    h_top = h - 1 if h > 0 and _is_header(_map_header(texts[h - 1])) else h
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
    sub_texts = [cell_text(v) for v in s.grid[sub_idx]] + [""] * width if sub_idx is not None else None
    return _Layout(s, h_top + 1, data_start, cols, unique_headers(top, sub_texts),
                   _id_columns(top, sub_texts, cols, width), width, title_text(texts, h_top))


def _id_columns(top: list[str], sub: list[str] | None, cols: dict[str, int], width: int) -> set[int]:
    id_cols = {c for c in range(width) if (m := _match_header(top[c])) and m[0] == "id_card"}
    if sub:
        id_cols |= {c for c in range(width) if (m := _match_header(sub[c], sub=True)) and m[0] == "id_card"}
    if "id_card" in cols:
        id_cols.add(cols["id_card"])
    return id_cols


def _read_rows(table: LedgerTable, layout: _Layout, today: dt.date) -> None:
    """The data rows below the header: skipped ones noted, the township filled down, duplicates dropped."""
    s, cols, headers, id_cols, width = layout.sheet, layout.cols, layout.headers, layout.id_cols, layout.width
    seen: dict[tuple[str, ...], int] = {}
    township = None
    for i in range(layout.data_start, len(s.grid)):
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


def _plain_text(value: Any) -> str:
    """cell_text without the ID scrub, only to notice that something was removed (never stored)."""
    if isinstance(value, str):
        text = value.replace("\u3000", " ").replace("\xa0", " ").strip()
        return text[:-2] if re.fullmatch(r"\d+\.0", text) else text
    return cell_text(value)


def _skip_kind(texts: list[str], cols: dict[str, int], id_cols: set[int]) -> str | None:
    needed = [cols[f] for f in ("village", "code", "name") if f in cols]
    return skip_kind(LEDGER_COLUMNS, _is_header, texts, needed, id_cols)


def _make_row(row_number: int, values: list[Any], texts: list[str], cols: dict[str, int], raw: dict[str, str],
              township: str | None, scrubbed: bool, today: dt.date) -> LedgerRow:
    warnings: list[str] = []
    if scrubbed:
        warnings.append(Note(row_number, "imp.n.id_removed"))

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
            warnings.append(Note(row_number, "src.n.not_village_code", code=code_text))
    licence = _number_text(values[cols["licence"]], "licence", row_number, warnings) if "licence" in cols else None
    if licence:
        licence = scrub_id_numbers(re.sub(r"\s+", "", licence)) or None
    phone = _number_text(values[cols["phone"]], "phone", row_number, warnings) if "phone" in cols else None
    if phone:
        phone = scrub_id_numbers(phone) or None
    org = text("org")
    if "start" in cols or "end" in cols:
        start = _period_cell(values, texts, cols.get("start"))
        end = _period_cell(values, texts, cols.get("end"))
        result = parse_period(start, end) if (start not in (None, "") or end not in (None, "")) \
            else PeriodError("period.e.empty")
    elif "period" in cols:
        result = parse_period(_period_cell(values, texts, cols["period"]))
    else:
        result = PeriodError("period.e.no_column")
    if isinstance(result, PeriodError) and result.code == "bad_period" and "start" in cols and "end" in cols:
        if not texts[cols["start"]] and not texts[cols["end"]]:
            result = PeriodError("period.e.empty")
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
    return [Note(row_number, f"period.{reason}", period=shown, today=today.isoformat(), **_DOUBT_LIMITS[reason])
            for reason in doubtful_period(period, today)]


def _period_cell(values: list[Any], texts: list[str], col: int | None) -> Any:
    if col is None:
        return None
    v = values[col]
    if isinstance(v, str):
        return texts[col]  # ID-scrubbed text
    return v
