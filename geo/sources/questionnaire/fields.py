"""Reading a paper questionnaire summary (村民满意度调查问卷 录入表) into rows: one row per villager's answers.

The file is read by :func:`geo.sources.tabular.read_sheets` (streamed .xlsx with merged cells filled, .xls, .csv in
UTF-8 or GBK, the row budget); the header is found under any title rows with :data:`QUESTIONNAIRE_COLUMNS`;
township cells are filled down; blank / 合计 / note / repeated-header rows are skipped.  Identical rows are kept:
two villagers may well give the same answers.  The respondent's name, phone and ID-card columns are never read;
ID-card and phone numbers written into a comment are removed.  Every sheet with a header is read (one sheet per
township is common).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.core.codes import CodeError, normalize_code
from geo.privacy.phones import scrub_villager_text
from geo.sources.errors import QuestionnaireError
from geo.sources.ledger.read import MAX_LEDGER_ROWS
from geo.sources.names import split_village_names
from geo.sources.questionnaire.values import never_seen, satisfaction, survey_day, yes_no
from geo.sources.servicelog.values import Problem
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

# exact synonyms, compared after geo.sources.tabular.headers.header_forms (NFKC, no whitespace, lower case)
_EXACT: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "序", "no", "no.", "#"),
    "qid": ("问卷编号", "问卷号", "编号", "问卷序号", "questionnaireno", "formno"),
    "date": ("调查日期", "填表日期", "日期", "时间", "调查时间", "填写日期", "走访日期", "date", "surveydate"),
    "township": ("乡镇", "乡镇街道", "街道", "镇", "乡", "镇街", "所属乡镇", "所属乡镇街道", "乡镇名称",
                 "township", "town"),
    "village": ("村社区", "村居", "村", "社区", "村名", "村社区名称", "村名称", "所在村", "所在村社区",
                "调查村", "调查村社区", "行政村", "村委会", "受访村", "village", "community"),
    "code": ("区划代码", "统计用区划代码", "村代码", "村社区代码", "代码", "code", "villagecode"),
    "satisfaction": ("满意度", "满意程度", "总体满意度", "对法律顾问的满意度", "评价", "满意度评价", "评分",
                     "打分", "satisfaction", "score"),
    "reached": ("能否联系上法律顾问", "能联系上法律顾问", "能否联系到法律顾问", "是否能联系上法律顾问",
                "联系得上法律顾问", "能否联系上", "能否找到法律顾问", "reached", "couldreach"),
    "never_seen": ("我村没见过法律顾问", "没见过法律顾问", "本村没见过法律顾问", "从未见过法律顾问",
                   "neverseen", "neverseenadviser"),
    "seen": ("是否见过法律顾问", "见过法律顾问", "见过法律顾问吗", "是否见过", "seen", "seenadviser"),
    "comment": ("意见建议", "意见和建议", "其他意见", "建议", "意见", "留言", "其他", "备注", "comment",
                "comments", "remark", "remarks"),
    "respondent": ("姓名", "受访人", "受访人姓名", "村民姓名", "被调查人", "被调查人姓名", "调查对象",
                   "name", "respondent"),
    "phone": ("联系电话", "电话", "手机", "手机号码", "联系方式", "电话号码", "phone", "tel", "mobile"),
    "id_card": ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码", "idcard", "idno"),
}
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("身份证", "id_card"), ("证件号", "id_card"), ("电话", "phone"), ("手机", "phone"), ("联系方式", "phone"),
    ("没见过", "never_seen"), ("未见过", "never_seen"), ("见过", "seen"),
    ("联系上", "reached"), ("联系到", "reached"), ("联系得上", "reached"), ("找到", "reached"),
    ("满意", "satisfaction"), ("评分", "satisfaction"), ("问卷编号", "qid"), ("日期", "date"), ("时间", "date"),
    ("意见", "comment"), ("建议", "comment"), ("留言", "comment"), ("备注", "comment"),
    ("受访", "respondent"), ("被调查", "respondent"), ("姓名", "respondent"),
    ("代码", "code"), ("乡镇", "township"), ("街道", "township"),
    ("村社区", "village"), ("村居", "village"), ("村名", "village"), ("社区", "village"),
)
_ORDER = ("id_card", "phone", "respondent", "never_seen", "seen", "reached", "satisfaction", "qid", "date",
          "comment", "code", "township", "village", "seq")
QUESTIONNAIRE_COLUMNS = Vocabulary(_EXACT, _KEYWORDS, _ORDER)
#: how a questionnaire summary is read: bounded as a ledger is
QUESTIONNAIRE_FILE = TableFile(QuestionnaireError, "src.e.not_questionnaire", MAX_LEDGER_ROWS)
#: columns whose text is never read (nor shown in a report): who answered is nobody's business here
_NEVER_READ = ("id_card", "phone", "respondent")
_ANSWERS = ("satisfaction", "reached", "never_seen", "seen", "comment")


def _is_header(mapping: dict[str, Any]) -> bool:
    return ("village" in mapping or "code" in mapping) and any(f in mapping for f in _ANSWERS[:4])


# ---------------------------------------------------------------------------------------------- results
@dataclass
class QuestionnaireRow:
    row_number: int                # 1-based, as the user sees it in Excel (of its sheet)
    sheet: str | None
    township: str | None
    village_names: list[str]
    village_code: str | None       # 12 digits when the row gave a valid village code
    day: dt.date | Problem
    satisfaction: int | None | Problem
    reached: bool | None | Problem
    never_seen: bool | None | Problem
    comment: str | None            # ID-card and phone numbers removed
    qid: str | None                # the questionnaire's own number, when the file has one
    raw: dict[str, str]            # header -> cell text, the never-read columns left out, numbers removed


@dataclass
class QuestionnaireTable:
    path: str
    sheets: list[str | None]
    header_row: int                # 1-based, of the first sheet read
    mapped: dict[str, str]         # field -> header text, of the first sheet read (never-read columns left out)
    title: str                     # text above the headers and the sheet names (county detection)
    rows: list[QuestionnaireRow]
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)     # (row, blank/total/note/header/...)
    ignored_columns: int = 0       # respondent, phone and ID-card columns left unread


@dataclass(frozen=True)
class _Layout:
    table: Table
    never: set[int]

    @property
    def sheet(self) -> Sheet:
        return self.table.sheet


# ---------------------------------------------------------------------------------------------- reading
def read_questionnaires(path: str | Path, *, today: dt.date | None = None,
                        survey_date: dt.date | None = None) -> QuestionnaireTable:
    """Read a questionnaire summary; QuestionnaireError when it is not a readable one at all.  Cell problems
    (an unreadable satisfaction or day) stay on the rows for the matcher to reject.  `survey_date` is the day of
    the rows whose day is blank."""
    path = Path(path)
    layouts = _layouts(path, read_sheets(path, QUESTIONNAIRE_FILE))
    first = layouts[0]
    several = len(layouts) > 1
    table = QuestionnaireTable(
        str(path), [lay.sheet.name for lay in layouts], first.table.header_row,
        {f: first.table.headers[c] for f, c in first.table.columns.items() if f not in _NEVER_READ},
        " ".join(x for x in [*(lay.table.title for lay in layouts), *(lay.sheet.name or "" for lay in layouts)]
                 if x), [], ignored_columns=len(first.never))
    for lay in layouts:
        _read_rows(table, lay, today or dt.date.today(), survey_date, lay.sheet.name if several else None)
    return table


def _layouts(path: Path, sheets: list[Sheet]) -> list[_Layout]:
    found = []
    for s in sheets:
        table = locate_table(s, QUESTIONNAIRE_COLUMNS, _is_header)
        if table:
            top = [cell_text(v) for v in s.grid[table.header_index]]
            never = {c for c, text in enumerate(top)
                     if (m := QUESTIONNAIRE_COLUMNS.match(text)) and m[0] in _NEVER_READ}
            found.append(_Layout(table, never))
    if not found:
        n = min(HEADER_SCAN_ROWS, max((len(s.grid) for s in sheets), default=0))
        raise QuestionnaireError(key="src.e.questionnaire_no_header", params={"name": path.name, "n": n})
    return found


def _read_rows(table: QuestionnaireTable, lay: _Layout, today: dt.date, survey_date: dt.date | None,
               sheet_name: str | None) -> None:
    cols, headers = lay.table.columns, lay.table.headers
    needed = [cols[f] for f in ("village", "code", *_ANSWERS) if f in cols]
    free = {cols["comment"]} if "comment" in cols else set()
    township = None
    for row_number, values in lay.table.body():
        texts = [cell_text(v) for v in values]
        kind = skip_kind(QUESTIONNAIRE_COLUMNS, _is_header, texts, needed, lay.never)
        if kind:
            table.skipped_rows.append((row_number, kind))
            continue
        texts = [scrub_villager_text(t) if c in free else t for c, t in enumerate(texts)]
        if "township" in cols:
            township = texts[cols["township"]] or township
            texts[cols["township"]] = township or ""
        raw = {headers[c]: t for c, t in enumerate(texts) if c not in lay.never}
        if sheet_name is not None:
            raw = {"工作表": sheet_name, **raw}
        table.rows.append(_make_row(row_number, sheet_name, values, texts, cols, raw, today, survey_date))


def _make_row(row_number: int, sheet: str | None, values: list[Any], texts: list[str], cols: dict[str, int],
              raw: dict[str, str], today: dt.date, survey_date: dt.date | None) -> QuestionnaireRow:
    def text(f: str) -> str | None:
        return (texts[cols[f]] or None) if f in cols else None

    def value(f: str) -> Any:
        if f not in cols:
            return None
        v = values[cols[f]]
        return texts[cols[f]] if isinstance(v, str) else v

    said_never = never_seen(value("never_seen"), asks_seen=False) if "never_seen" in cols else None
    if said_never is None and "seen" in cols:
        said_never = never_seen(value("seen"), asks_seen=True)
    return QuestionnaireRow(
        row_number=row_number, sheet=sheet, township=text("township"),
        village_names=split_village_names(text("village")), village_code=_village_code(text("code")),
        day=survey_day(value("date"), today, survey_date), satisfaction=satisfaction(value("satisfaction")),
        reached=yes_no(value("reached")), never_seen=said_never, comment=text("comment"),
        qid=re.sub(r"\s+", "", text("qid") or "") or None, raw=raw)


def _village_code(text: str | None) -> str | None:
    if not text:
        return None
    try:
        code = normalize_code(re.sub(r"\s+", "", text))
    except CodeError:
        return None
    return code if code[9:] != "000" else None


#: the columns of the blank summary sheet (geo.imports.feedback.template_bytes): the names this reader knows first
TEMPLATE_HEADER = ("序号", "问卷编号", "乡镇（街道）", "村（社区）", "调查日期", "满意度（1-5分）",
                   "能否联系上法律顾问", "我村没见过法律顾问", "意见建议")


__all__ = ["TEMPLATE_HEADER", "QUESTIONNAIRE_COLUMNS", "QuestionnaireRow", "QuestionnaireTable", "read_questionnaires"]
