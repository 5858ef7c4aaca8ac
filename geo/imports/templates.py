"""Blank templates to fill and import: a ledger (聘任台账) and a service log (服务台账), as .xlsx workbooks.

The headers are the Chinese ones bureaus write and the readers recognise (each is checked against the reader's
vocabulary by the tests), whatever the language of the page that offers them.  Under the header, one example row
opens with 示例 in its first cell: the readers skip such a row (geo.sources.tabular.headers.NOTE_ROW), so an
untouched template imports nothing and a clerk may leave the example where it is.  Dropdowns (data validation)
offer the kinds of adviser, the modes and the categories; codes, licence and phone numbers are text cells (a
number cell would lose a licence number's digits); dates are date cells.  A second sheet says how to fill it, in
Chinese and English, one line a row (a sheet of one column is never taken for a table by a reader).
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from geo.sources.ledger.fields import KIND_LAWYER, KIND_WORKER
from geo.sources.servicelog import MODE_CHOICES, ONSITE, SERVICE_CATEGORIES
from geo.text.catalogue import t

#: the mark that opens an example row (the readers skip a row whose first text starts so)
EXAMPLE_MARK = "示例"
#: rows below the header that carry the dropdowns and the cell formats
FILLED_ROWS = 2000
TEXT, DATE, NUMBER = "@", "yyyy-mm-dd", "General"


@dataclass(frozen=True)
class TemplateColumn:
    header: str                  # as bureaus write it; the reader maps it to `field`
    field: str                   # the reader's field (geo.sources.ledger.fields / geo.sources.servicelog.fields)
    width: int
    number_format: str = NUMBER
    choices: tuple[str, ...] = ()
    strict: bool = True          # only the choices (else: a warning, and any other value kept)
    example: object = None


@dataclass(frozen=True)
class Template:
    """One template: its file and sheet names, its columns, and the catalogue keys of its instructions."""

    key: str                     # ledger / services: the CLI's word
    title_key: str
    labels: str                  # the catalogue prefix of the reader's fields (the import page's column labels)
    file_stem: str
    sheet: str
    columns: tuple[TemplateColumn, ...]
    notes: tuple[str, ...]

    @property
    def file_name(self) -> str:
        return f"{self.file_stem}.xlsx"


LEDGER = Template("ledger", "tpl.title.ledger", "imp.field", "村（社区）法律顾问聘任台账模板", "聘任台账", (
    TemplateColumn("序号", "seq", 8, example=EXAMPLE_MARK),
    TemplateColumn("乡镇（街道）", "township", 14, example="某某镇"),
    TemplateColumn("村（社区）名称", "village", 18, example="某某村"),
    TemplateColumn("区划代码", "code", 16, TEXT, example="610124100201"),
    TemplateColumn("法律顾问姓名", "name", 12, example="张三"),
    TemplateColumn("类别", "kind", 20, choices=(KIND_LAWYER, KIND_WORKER), example=KIND_LAWYER),
    TemplateColumn("执业机构", "org", 26, example="陕西某某律师事务所"),
    TemplateColumn("执业证号", "licence", 22, TEXT, example="16101201810000000"),
    TemplateColumn("联系电话", "phone", 15, TEXT, example="13800000000"),
    TemplateColumn("聘任起始日期", "start", 14, DATE, example=dt.date(2026, 1, 1)),
    TemplateColumn("聘任终止日期", "end", 14, DATE, example=dt.date(2027, 12, 31)),
    TemplateColumn("备注", "remark", 20),
), ("tpl.n.example", "tpl.n.one_row", "tpl.n.code", "tpl.n.ledger_kind", "tpl.n.ledger_dates",
    "tpl.n.ledger_people", "tpl.n.numbers", "tpl.n.no_id", "tpl.n.import"))

SERVICES = Template("services", "tpl.title.services", "imp.sf", "村（社区）法律顾问服务台账模板", "服务台账", (
    TemplateColumn("序号", "seq", 8, example=EXAMPLE_MARK),
    TemplateColumn("服务日期", "date", 13, DATE, example=dt.date(2026, 3, 15)),
    TemplateColumn("乡镇（街道）", "township", 14, example="某某镇"),
    TemplateColumn("服务村（社区）", "village", 18, example="某某村"),
    TemplateColumn("区划代码", "code", 16, TEXT, example="610124100201"),
    TemplateColumn("法律顾问", "adviser", 12, example="张三"),
    TemplateColumn("执业证号", "licence", 22, TEXT, example="16101201810000000"),
    TemplateColumn("服务方式", "mode", 12, choices=tuple(MODE_CHOICES.values()), example=MODE_CHOICES[ONSITE]),
    TemplateColumn("服务类别", "category", 14, choices=SERVICE_CATEGORIES, strict=False,
                   example=SERVICE_CATEGORIES[0]),
    TemplateColumn("服务时长（小时）", "hours", 12, example=2),
    TemplateColumn("服务人次", "people", 10, example=3),
    TemplateColumn("服务内容", "content", 36, example="到村坐班，解答土地承包咨询"),
    TemplateColumn("备注", "remark", 20),
), ("tpl.n.example", "tpl.n.one_row", "tpl.n.code", "tpl.n.log_adviser", "tpl.n.log_mode", "tpl.n.log_hours",
    "tpl.n.numbers", "tpl.n.no_id", "tpl.n.import"))

TEMPLATES = {tpl.key: tpl for tpl in (LEDGER, SERVICES)}

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FILL = PatternFill("solid", fgColor="F2F2F2")
_EXAMPLE_FONT = Font(italic=True, color="808080")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _data_sheet(ws: Worksheet, tpl: Template) -> None:
    ws.title = tpl.sheet
    last = 2 + FILLED_ROWS
    for i, col in enumerate(tpl.columns, start=1):
        letter = get_column_letter(i)
        head = ws.cell(1, i, col.header)
        head.font, head.fill = Font(bold=True), _HEADER_FILL
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[letter].width = col.width
        example = ws.cell(2, i, col.example)
        example.font, example.fill, example.number_format = _EXAMPLE_FONT, _EXAMPLE_FILL, col.number_format
        # the column's own format (no cells made below the example: a reader sees the rows a clerk filled)
        ws.column_dimensions[letter].number_format = col.number_format
        if col.choices:
            rule = DataValidation(type="list", formula1='"' + ",".join(col.choices) + '"', allow_blank=True,
                                  showErrorMessage=True, errorStyle="stop" if col.strict else "warning",
                                  errorTitle=col.header, error=t("tpl.dv.error", "zh", choices="、".join(col.choices)),
                                  showInputMessage=True, promptTitle=col.header,
                                  prompt=t("tpl.dv.prompt", "zh"))
            rule.add(f"{letter}3:{letter}{last}")
            ws.add_data_validation(rule)
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"


def _notes_sheet(ws: Worksheet, tpl: Template) -> None:
    ws.title = "填写说明"
    ws.column_dimensions["A"].width = 120
    ws.cell(1, 1, f"{t(tpl.title_key, 'zh')} · {t(tpl.title_key, 'en')}").font = Font(bold=True, size=13)
    row = 3
    for n, key in enumerate(tpl.notes, start=1):
        ws.cell(row, 1, f"{n}. {t(key, 'zh')}").alignment = Alignment(wrap_text=True)
        english = ws.cell(row + 1, 1, f"{n}. {t(key, 'en')}")
        english.alignment, english.font = Alignment(wrap_text=True), Font(color="595959")
        row += 3
    ws.cell(row, 1, f"{t('tpl.columns', 'zh')} · {t('tpl.columns', 'en')}").font = Font(bold=True)
    for col in tpl.columns:
        row += 1
        label = "imp.field.seq" if col.field == "seq" else f"{tpl.labels}.{col.field}"
        said = f"{col.header} · {t(label, 'en')}"
        if col.choices:
            said += " · " + t("tpl.choices", "zh", choices="、".join(col.choices))
        ws.cell(row, 1, said)


def template_xlsx(key: str) -> bytes:
    """The template `key` (ledger / services) as .xlsx bytes."""
    tpl = TEMPLATES[key]
    wb = Workbook()
    _data_sheet(wb.active, tpl)
    _notes_sheet(wb.create_sheet(), tpl)
    wb.active = 0
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
