"""Paper questionnaire summaries in the shapes counties keep them, written into a test's tmp_path.

The villages are real ones of 周至县 (610124).  The respondents' names, ID-card and phone numbers are made up;
tests assert they never leave the reader.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from fixtures_ledger import ID_IN_COLUMN, ID_IN_REMARK

RESPONDENT = "王秀英"
PHONE_IN_COLUMN = "13712345678"
PHONE_IN_COMMENT = "139 1234 5678"
ID_SPACED = f"{ID_IN_REMARK[:6]} {ID_IN_REMARK[6:14]} {ID_IN_REMARK[14:]}"
PRIVATE = (RESPONDENT, PHONE_IN_COLUMN, PHONE_IN_COMMENT, PHONE_IN_COMMENT.replace(" ", ""), ID_IN_COLUMN,
           ID_IN_REMARK, ID_IN_REMARK[6:14])

HEADER = ["序号", "问卷编号", "乡镇（街道）", "村（社区）", "调查日期", "受访人姓名", "联系电话", "身份证号",
          "满意度（1-5分）", "能否联系上法律顾问", "我村没见过法律顾问", "意见建议"]
D = dt.datetime

# (序号, 编号, 乡镇, 村, 日期, 受访人, 电话, 身份证, 满意度, 联系上, 没见过, 意见); row numbers are sheet rows
ROWS: list[tuple[int, tuple]] = [
    (4, (1, "Q001", "二曲街道", "镇东村委会", D(2026, 11, 3), RESPONDENT, PHONE_IN_COLUMN, ID_IN_COLUMN, 5, "是",
         None, f"顾问很负责，电话{PHONE_IN_COMMENT}")),
    (5, (2, "Q002", None, "镇东村", "2026.11.3", "李四", None, None, "非常满意", "能", None, None)),
    (6, (3, "Q003", None, "八一村民委员会", D(2026, 11, 4), None, None, None, "★★★", "否", "√",
         f"身份证{ID_SPACED}，一年没见过人")),
    (8, (4, "Q004", "哑柏镇", "仰天村", "2026年11月5日", None, None, None, 4, "×", "没见过", None)),
    (9, (5, "Q004", "哑柏镇", "仰天村", "2026-11-05", None, None, None, 4, "×", "没见过", None)),
    (10, (6, "Q006", "哑柏镇", "五联村", "2026-11-06", None, None, None, "2分", "不能", "√", "=1+1")),
    (11, (7, "Q007", "哑柏镇", "五联村", "2026-11-06", None, None, None, "2分", "不能", "√", "=1+1")),
    (12, (8, "Q008", "终南镇", "不存在村", "2026-11-06", None, None, None, 3, None, None, None)),
    (13, (9, "Q009", "终南镇", "终南社区", "2026-13-45", None, None, None, 3, None, None, None)),
    (14, (10, "Q010", "终南镇", "终南社区", "2099-01-01", None, None, None, 3, None, None, None)),
    (15, (11, "Q011", "终南镇", "终南社区", "2026-11-07", None, None, None, "满意吧", None, None, None)),
    (16, (12, "Q012", "终南镇", "终南社区", "2026-11-07", None, None, None, 7, None, None, None)),
    (17, (13, "Q013", "终南镇", "终南社区", "2026-11-07", None, None, None, None, None, None, None)),
    (18, (14, "Q014", "终南镇", "终南社区", "2026-11-07", None, None, None, 4, "也许", None, None)),
    (19, (15, "Q015", "二曲街道", "镇东村、八一村", "2026-11-07", None, None, None, 4, None, None, None)),
    (20, (16, None, "终南镇", "终南社区", None, None, None, None, "基本满意", "是", None,
          "<script>alert(1)</script> **粗体** [链接](http://x)")),
]

#: row -> (village code, day, satisfaction, reached, never seen, duplicate of)
ACCEPTED = {
    4: ("610124001200", dt.date(2026, 11, 3), 5, True, False, None),
    5: ("610124001200", dt.date(2026, 11, 3), 5, True, False, None),
    6: ("610124001202", dt.date(2026, 11, 4), 3, False, True, None),
    8: ("610124101201", dt.date(2026, 11, 5), 4, False, True, None),
    9: ("610124101201", dt.date(2026, 11, 5), 4, False, True, 8),
    10: ("610124101212", dt.date(2026, 11, 6), 2, False, True, None),
    11: ("610124101212", dt.date(2026, 11, 6), 2, False, True, None),
    20: ("610124102001", dt.date(2026, 11, 20), 3, True, False, None),    # the day given as the import's option
}
SURVEY_DATE = dt.date(2026, 11, 20)
REJECTED = {12: "unknown_village", 13: "bad_survey_date", 14: "future_survey_date", 15: "bad_satisfaction",
            16: "bad_satisfaction", 17: "no_answer", 18: "bad_answer", 19: "several_villages"}
SKIPPED = {7: "blank", 21: "total", 22: "header", 23: "note"}


TITLE = "周至县村（居）法律顾问工作村民满意度调查问卷汇总表（2026年第四季度）"


def write_messy_questionnaires(path: Path, *, title: str = TITLE) -> Path:
    """A merged title row and a 填报单位 row, merged township cells, a blank row, a 合计 row, the header again,
    a note below; respondent, ID-card and phone columns, and numbers pasted into the comments."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "问卷汇总"
    ws.cell(1, 1, title)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.cell(2, 1, "填报单位：周至县司法局")
    for c, h in enumerate(HEADER, 1):
        ws.cell(3, c, h)
        ws.cell(22, c, h)
    for row, values in ROWS:
        for c, v in enumerate(values, 1):
            if v is not None:
                ws.cell(row, c, v)
    ws.merge_cells("C4:C6")
    ws.cell(21, 1, "合计")
    ws.cell(21, 9, "16份")
    ws.cell(23, 1, "注：满意度按1-5分填写，5分为非常满意。")
    ws.merge_cells(start_row=23, start_column=1, end_row=23, end_column=len(HEADER))
    wb.save(path)
    return path


def write_questionnaire_csv(path: Path, encoding: str = "gbk") -> Path:
    """A plain CSV the way a clerk saves one from Excel, with the questions worded otherwise."""
    path.write_text("村居,调查日期,满意度,是否见过法律顾问,意见\n"
                    "镇东村,2026-10-08,满意,见过,\n"
                    "仰天村委会,2026-10-09,1,否,从来没人来过\n", encoding=encoding)
    return path
