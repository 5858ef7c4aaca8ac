"""Reading a service log (服务台账 / 工作日志) into rows: the ledger's phases and machinery with the log's columns.

The file is read by :func:`geo.sources.tabular.read_sheets` (streamed .xlsx with merged cells filled, .xls, .csv in
UTF-8 or GBK, the row budget); the header is found under any title rows by :mod:`geo.sources.tabular.headers` with
:data:`LOG_COLUMNS`; township cells are filled down, blank / 合计 / note / repeated-header rows skipped and
identical rows dropped.  ID-card and phone columns are never read; ID-card and phone numbers written into the
free text are removed.  Every sheet with a header is read (logs are often kept one sheet per month).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.core.codes import CodeError, normalize_code
from geo.privacy.phones import scrub_personal_numbers
from geo.sources.errors import ServiceLogError
from geo.sources.ledger.read import MAX_LEDGER_ROWS
from geo.sources.matching import Note
from geo.sources.names import split_village_names
from geo.sources.servicelog.values import OTHER, Problem, people_served, service_date, service_hours, service_mode
from geo.sources.tabular import (
    HEADER_SCAN_ROWS,
    Sheet,
    Table,
    TableFile,
    Vocabulary,
    cell_text,
    locate_table,
    read_sheets,
    skip_kind,
)

# exact synonyms, compared after geo.sources.tabular.headers.header_forms (NFKC, no whitespace, lower case, brackets
# removed)
_EXACT: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "序", "no", "no.", "#"),
    "date": ("服务日期", "日期", "时间", "服务时间", "工作日期", "走访日期", "活动日期", "date", "servicedate"),
    "township": ("乡镇", "乡镇街道", "街道", "镇", "乡", "镇街", "所属乡镇", "所属乡镇街道", "乡镇名称", "乡镇苏木",
                 "township", "town"),
    "village": ("服务村社区", "村社区", "服务村", "服务村居", "村居", "村", "社区", "村名", "村社区名称", "村名称",
                "村居名称", "村委会", "行政村", "服务地点", "village", "community"),
    "code": ("区划代码", "统计用区划代码", "村代码", "村社区代码", "代码", "code", "villagecode"),
    "adviser": ("法律顾问", "顾问姓名", "服务人员", "法律顾问姓名", "律师姓名", "姓名", "律师", "服务律师",
                "村居法律顾问", "adviser", "advisor", "lawyer", "name"),
    "licence": ("执业证号", "执业证号码", "执业证书号", "执业证书编号", "执业证编号", "证号", "licence", "license",
                "licenceno", "licenseno"),
    "mode": ("服务方式", "形式", "服务形式", "方式", "mode", "channel"),
    "category": ("服务类别", "服务类型", "事项", "服务事项", "类别", "类型", "服务项目", "category", "type"),
    "hours": ("服务时长", "时长", "用时", "服务用时", "时长小时", "小时数", "hours", "duration"),
    "people": ("服务人次", "人数", "人次", "服务人数", "受益人数", "参加人数", "people", "attendance"),
    "content": ("内容", "服务内容", "摘要", "服务摘要", "工作内容", "主要内容", "content", "summary"),
    "remark": ("备注", "说明", "remark", "remarks", "note", "notes"),
    "phone": ("联系电话", "电话", "手机", "手机号码", "联系方式", "电话号码", "phone", "tel", "mobile"),
    "id_card": ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码", "idcard", "idno"),
}
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("身份证", "id_card"), ("证件号", "id_card"), ("执业证", "licence"), ("证号", "licence"),
    ("电话", "phone"), ("手机", "phone"), ("联系方式", "phone"),
    ("时长", "hours"), ("用时", "hours"), ("小时", "hours"), ("日期", "date"), ("时间", "date"),
    ("方式", "mode"), ("形式", "mode"), ("类别", "category"), ("类型", "category"), ("事项", "category"),
    ("人次", "people"), ("人数", "people"), ("内容", "content"), ("摘要", "content"), ("备注", "remark"),
    ("顾问", "adviser"), ("律师", "adviser"), ("服务人员", "adviser"), ("姓名", "adviser"),
    ("代码", "code"), ("乡镇", "township"), ("街道", "township"),
    ("村社区", "village"), ("村居", "village"), ("服务村", "village"), ("村名", "village"), ("社区", "village"),
)
_ORDER = ("id_card", "licence", "phone", "hours", "date", "mode", "category", "people", "content", "remark",
          "adviser", "code", "township", "village", "seq")
LOG_COLUMNS = Vocabulary(_EXACT, _KEYWORDS, _ORDER)
#: how a service log is read: bounded as a ledger is
LOG_FILE = TableFile(ServiceLogError, "src.e.not_service_log", MAX_LEDGER_ROWS)
#: columns whose text is never read (nor shown in a report)
_NEVER_READ = ("id_card", "phone")
#: free text: ID-card and phone numbers in it are removed before anything else sees it
_FREE_TEXT = ("content", "remark", "category")


def _is_header(mapping: dict[str, Any]) -> bool:
    return "date" in mapping and ("village" in mapping or "code" in mapping)


# ---------------------------------------------------------------------------------------------- results
@dataclass
class ServiceRow:
    row_number: int                # 1-based, as the user sees it in Excel (of its sheet)
    township: str | None
    village_names: list[str]
    village_code: str | None       # 12 digits when the row gave a valid village code
    adviser_name: str | None
    licence_no: str | None
    date: dt.date | Problem
    hours: float | None | Problem
    mode: str                      # onsite / remote / other
    mode_text: str                 # as the log wrote it ("" when blank)
    category: str | None
    people: int | None
    content: str | None            # 内容 and 备注 together, ID-card and phone numbers removed
    raw: dict[str, str]            # header -> cell text, ID/phone columns left out, numbers removed
    warnings: list[str] = field(default_factory=list)


@dataclass
class ServiceTable:
    path: str
    sheets: list[str | None]       # the sheets read (None for CSV)
    header_row: int                # 1-based, of the first sheet read
    mapped: dict[str, str]         # field -> header text, of the first sheet read
    title: str                     # text above the headers and the sheet names (county detection)
    rows: list[ServiceRow]
    duplicate_rows: list[tuple[int, int]] = field(default_factory=list)   # (dropped row, same as row)
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)     # (row, blank/total/note/header/...)


@dataclass(frozen=True)
class _Layout:
    table: Table
    never: set[int]                # ID-card and phone columns

    @property
    def sheet(self) -> Sheet:
        return self.table.sheet


# ---------------------------------------------------------------------------------------------- reading
def read_service_log(path: str | Path, *, today: dt.date | None = None) -> ServiceTable:
    """Read a service log; ServiceLogError when it is not a readable one at all.  Row problems (unreadable date or
    hours, no adviser ...) stay on the rows for :func:`geo.sources.servicelog.match_service_log` to reject."""
    path = Path(path)
    layouts = _layouts(path, read_sheets(path, LOG_FILE))
    first = layouts[0]
    several = len(layouts) > 1
    table = ServiceTable(str(path), [lay.sheet.name for lay in layouts], first.table.header_row,
                         {f: first.table.headers[c] for f, c in first.table.columns.items() if f not in _NEVER_READ},
                         " ".join(x for x in [*(lay.table.title for lay in layouts),
                                              *(lay.sheet.name or "" for lay in layouts)] if x), [])
    for lay in layouts:
        _read_rows(table, lay, today or dt.date.today(), lay.sheet.name if several else None)
    return table


def _layouts(path: Path, sheets: list[Sheet]) -> list[_Layout]:
    found = []
    for s in sheets:
        table = locate_table(s, LOG_COLUMNS, _is_header)
        if table:
            top = [cell_text(v) for v in s.grid[table.header_index]]
            never = {c for c, text in enumerate(top) if (m := LOG_COLUMNS.match(text)) and m[0] in _NEVER_READ}
            found.append(_Layout(table, never))
    if not found:
        n = min(HEADER_SCAN_ROWS, max(len(s.grid) for s in sheets))
        raise ServiceLogError(key="src.e.log_no_header", params={"name": path.name, "n": n})
    return found


def _read_rows(table: ServiceTable, lay: _Layout, today: dt.date, sheet_name: str | None) -> None:
    cols, headers = lay.table.columns, lay.table.headers
    needed = [cols[f] for f in ("village", "code", "adviser", "date") if f in cols]
    free = {cols[f] for f in _FREE_TEXT if f in cols}
    seen: dict[tuple[str, ...], int] = {}
    township = None
    for row_number, values in lay.table.body():
        texts = [cell_text(v) for v in values]
        kind = skip_kind(LOG_COLUMNS, _is_header, texts, needed, lay.never)
        if kind:
            table.skipped_rows.append((row_number, kind))
            continue
        texts = [scrub_personal_numbers(t) if c in free else t for c, t in enumerate(texts)]
        if "township" in cols:
            township = texts[cols["township"]] or township
            texts[cols["township"]] = township or ""
        key = (sheet_name or "", *(t for c, t in enumerate(texts) if c not in lay.never and c != cols.get("seq")))
        if key in seen:
            table.duplicate_rows.append((row_number, seen[key]))
            continue
        seen[key] = row_number
        raw = {headers[c]: t for c, t in enumerate(texts) if c not in lay.never}
        if sheet_name is not None:
            raw = {"工作表": sheet_name, **raw}
        table.rows.append(_make_row(row_number, values, texts, cols, raw, today))


def _make_row(row_number: int, values: list[Any], texts: list[str], cols: dict[str, int], raw: dict[str, str],
              today: dt.date) -> ServiceRow:
    def text(f: str) -> str | None:
        return (texts[cols[f]] or None) if f in cols else None

    def value(f: str) -> Any:
        if f not in cols:
            return None
        v = values[cols[f]]
        return texts[cols[f]] if isinstance(v, str) else v

    mode_text = text("mode") or ""
    mode, clear = service_mode(mode_text)
    warnings = [] if clear else [_mode_note(row_number, mode_text)]
    content = "；".join(t for t in (text("content"), text("remark")) if t) or None
    return ServiceRow(row_number=row_number, township=text("township"),
                      village_names=split_village_names(text("village")), village_code=_village_code(text("code")),
                      adviser_name=_person_name(text("adviser")), licence_no=_licence(text("licence")),
                      date=service_date(value("date"), today), hours=service_hours(value("hours")), mode=mode,
                      mode_text=mode_text, category=text("category"), people=people_served(value("people")),
                      content=content, raw=raw, warnings=warnings)


def _mode_note(row: int, written: str) -> Note:
    return Note(row, "imp.note.mode_unknown" if written else "imp.note.mode_blank", mode=written)


def _village_code(text: str | None) -> str | None:
    if not text:
        return None
    try:
        code = normalize_code(re.sub(r"\s+", "", text))
    except CodeError:
        return None
    return code if code[9:] != "000" else None


def _person_name(text: str | None) -> str | None:
    """"张 三" -> "张三", but "Sun  Qi" -> "Sun Qi" (as the ledger reads names)."""
    if not text:
        return None
    name = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    return re.sub(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])", "", name) or None


def _licence(text: str | None) -> str | None:
    return (re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)) or None) if text else None


__all__ = ["LOG_COLUMNS", "OTHER", "ServiceRow", "ServiceTable", "read_service_log"]
