"""Service logs in the shapes bureaus keep them, written into a test's tmp_path.

The advisers are the messy ledger's (tests/fixtures_ledger.py: import it first and they are known in 周至县);
the villages are real ones of 周至县 (610124).  The ID-card and phone numbers are made up; tests assert they
never leave the reader.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from fixtures_ledger import ID_IN_COLUMN, ID_IN_REMARK, LICENCE_SUN, LICENCE_ZHANG

PHONE_IN_CONTENT = "139 1234 5678"
LANDLINE_IN_CONTENT = "029-87654321"
PHONE_IN_COLUMN = "13712345678"
#: an ID number split by spaces the way clerks copy it from a card
ID_SPACED = f"{ID_IN_REMARK[:6]} {ID_IN_REMARK[6:14]} {ID_IN_REMARK[14:]}"
PRIVATE = (PHONE_IN_CONTENT, PHONE_IN_CONTENT.replace(" ", ""), LANDLINE_IN_CONTENT, "87654321", PHONE_IN_COLUMN,
           ID_IN_COLUMN, ID_IN_REMARK, ID_IN_REMARK[6:14])

HEADER = ["序号", "乡镇（街道）", "服务村（社区）", "法律顾问", "执业证号", "服务日期", "服务方式", "服务类别",
          "服务时长", "服务人次", "服务内容", "联系电话", "身份证号", "备注"]

# (序号, 乡镇, 村, 顾问, 证号, 日期, 方式, 类别, 时长, 人次, 内容, 电话, 身份证, 备注); row numbers are sheet rows
ROWS: list[tuple[int, tuple]] = [
    (4, (1, "二曲街道", "镇东村委会", "张三", LICENCE_ZHANG, dt.datetime(2026, 9, 3), "到村", "法律咨询", "2小时", 5,
         f"解答土地承包纠纷，村民电话{PHONE_IN_CONTENT}", PHONE_IN_COLUMN, ID_IN_COLUMN, None)),
    (5, (2, None, "八一村民委员会", "张 三", None, "2026.9.15", "讲座", "法治宣传", "半天", "30人",
         "民法典讲座", None, None, f"签到表附身份证{ID_SPACED}")),
    (6, (3, None, "城东社区居委会", "李四", None, "2026年9月20日", "电话", "法律咨询", "30分钟", 1,
         f"电话答复，回拨{LANDLINE_IN_CONTENT}", None, None, None)),
    (8, (4, "哑柏镇", "仰天村", "王五", None, "2026/09/21", "微信", "法律咨询", "1.5h", 2, "微信群答疑", None, None,
         None)),
    (11, (5, "哑柏镇", "五联村", "王五", None, "2026-09-22", "驻村", "矛盾调解", "一天", 6, "调解宅基地纠纷", None,
          None, None)),
    (12, (6, "终南镇", "终南社区", "赵六", None, "2026-02-30", "到村", "法律咨询", 2, None, None, None, None, None)),
    (13, (7, "终南镇", "毓兴村", "赵六", None, "2099-01-05", "到村", "法律咨询", 2, None, None, None, None, None)),
    (14, (8, "终南镇", "毓兴村", "赵六", None, "2026-10-08", "现场", "法律咨询", "很久", None, None, None, None,
          None)),
    (15, (9, "终南镇", "不存在村", "赵六", None, "2026-10-09", "现场", "法律咨询", 1, None, None, None, None, None)),
    (16, (10, "楼观镇", "八一村", "钱无名", None, "2026-10-09", "现场", "法律咨询", 1, None, None, None, None, None)),
    (17, (11, "厚畛子镇", "八一村委会", "孙七", LICENCE_SUN, "2026-10-10", "座谈", "普法", 2, 12, "座谈会", None,
          None, None)),
    (18, (12, "楼观镇", "八一村", None, LICENCE_SUN, "2026-10-12", "视频", "法律咨询", "1小时", None, None, None,
          None, None)),
    (19, (13, "厚畛子镇", None, "孙七", LICENCE_SUN, "2026-10-13", "到村", "法律咨询", 1, None, None, None, None,
          None)),
    (20, (14, "厚畛子镇", "八一村委会", "孙七", LICENCE_SUN, "2026-10-10", "座谈", "普法", 2, 12, "座谈会", None,
          None, None)),   # identical to row 17 but for 序号
]

#: row -> (village code, adviser as the ledger named them, date, mode, hours)
ACCEPTED = {
    4: ("610124001200", "张三", dt.date(2026, 9, 3), "onsite", 2.0),
    5: ("610124001202", "张三", dt.date(2026, 9, 15), "onsite", 4.0),
    6: ("610124001003", "李四", dt.date(2026, 9, 20), "remote", 0.5),
    8: ("610124101201", "王五", dt.date(2026, 9, 21), "remote", 1.5),
    11: ("610124101212", "王五", dt.date(2026, 9, 22), "onsite", 8.0),
    17: ("610124108207", "孙七", dt.date(2026, 10, 10), "other", 2.0),
    18: ("610124105222", "孙七", dt.date(2026, 10, 12), "remote", 1.0),
}
REJECTED = {12: "bad_date", 13: "future_date", 14: "bad_hours", 15: "unknown_village", 16: "unknown_adviser",
            19: "no_village"}
DOUBTFUL = {17}          # 座谈: kept as 'other'
SKIPPED = {7: "blank", 9: "total", 10: "header", 21: "note"}
DUPLICATES = [(20, 17)]


def write_messy_log(path: Path, *, title: str = "周至县村（社区）法律顾问服务台账（2026年第三、四季度）") -> Path:
    """A merged title row and a 填报单位 row, merged township cells, a blank row, a 合计 row, the header again,
    a note below; ID-card and phone columns, and numbers pasted into the content and the remark."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "服务台账"
    ws.cell(1, 1, title)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.cell(2, 1, "填报单位：周至县司法局")
    for c, h in enumerate(HEADER, 1):
        ws.cell(3, c, h)
        ws.cell(10, c, h)
    for row, values in ROWS:
        for c, v in enumerate(values, 1):
            if v is not None:
                ws.cell(row, c, v)
    ws.cell(4, 6).number_format = "yyyy-mm-dd"
    ws.merge_cells("B4:B6")
    ws.cell(9, 1, "小计")
    ws.cell(9, 9, "8.5")
    ws.cell(21, 1, "注：服务方式填“到村、电话、微信”等。")
    ws.merge_cells(start_row=21, start_column=1, end_row=21, end_column=len(HEADER))
    wb.save(path)
    return path
