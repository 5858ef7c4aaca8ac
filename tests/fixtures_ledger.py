"""Ledger files in the shapes bureaus really send, written into a test's tmp_path.

Villages are real ones of 陕西省西安市周至县 (610124) from data/registry_national.parquet.  The ID-card
numbers below are made up (fictitious people, but valid: a real birth date and the right check character, so
only a scrubber that recognises real numbers removes them); tests assert they never leave the reader.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl


def with_check_character(first17: str) -> str:
    """The 18-character ID number: the 17 digits and their ISO 7064 MOD 11-2 check character (GB 11643)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


ID_IN_COLUMN = with_check_character("61012419900101123")
ID_IN_REMARK = with_check_character("61012419850202347")  # ends in X
ID_OLD_15 = "610124850202345"
ALL_IDS = (ID_IN_COLUMN, ID_IN_REMARK, ID_OLD_15, ID_IN_COLUMN[6:], ID_IN_REMARK[6:17])

LICENCE_ZHANG = "16101201810123456"  # 17 digits, stored as text
LICENCE_SUN = "16101201910654321"

HEADER = ["序号", "乡镇（街道）", "村（社区）\n名称", "法律顾问\n姓名", "类别", "执业机构", "执业证号", "联系电话",
          "身份证号", "聘任期限", "备注"]

# (序号, 乡镇, 村, 姓名, 类别, 机构, 证号, 电话, 身份证, 期限, 备注); row numbers are spreadsheet rows
MESSY_ROWS: list[tuple[int, tuple]] = [
    (4, (1, "二曲街道", "镇东村", "张三", "执业律师", "陕西周至律师事务所", LICENCE_ZHANG, 13912345678,
         ID_IN_COLUMN, "2026.01.01-2027.12.31", None)),
    (5, (2, None, "八一村委会", "张三", "执业律师", "陕西周至律师事务所", LICENCE_ZHANG, 13912345678,
         ID_IN_COLUMN, "2026年1月至2027年12月", None)),
    (6, (3, None, "城东社区居委会", "李四", "基层法律服务工作者", "二曲法律服务所", None, "029-87654321", None,
         "2026/01/01—2027/12/31", f"身份证{ID_IN_REMARK}已核")),
    (8, (4, "哑柏镇", "仰天村民委员会", "王五", "公职律师", "周至县法律援助中心", None, 13800000000.0, None,
         "2026-01-01至今", f"旧证{ID_OLD_15}")),
    (9, (5, None, "五联村", "王五", "公职律师", "周至县法律援助中心", None, 13800000000.0, None,
         "2026.1-2027.6", None)),
    (12, (6, "终南镇", "终南社区、毓兴村", "赵六", "法律服务工作者", "终南法律服务所", None, "13700000001", None,
          "20260101-20271231", None)),
    (13, (7, "终南镇", "不存在村", "赵六", "法律服务工作者", "终南法律服务所", None, "13700000001", None,
          "2026.01.01-2027.12.31", None)),
    (14, (8, "楼观镇", "八一村", None, None, None, None, None, None, "2026.01.01-2027.12.31", "待聘")),
    (15, (9, "楼观镇", "焦镇村", "孙七", "律师", "陕西楼观律师事务所", LICENCE_SUN, 13600000002, None,
          "2027.12.31-2026.01.01", None)),
    (16, (10, "楼观镇", "东楼村", "孙七", "律师", "陕西楼观律师事务所", LICENCE_SUN, 13600000002, None,
          "明年再签", None)),
    (17, (11, "富仁镇", "八一村", "孙七", "律师", "陕西楼观律师事务所", LICENCE_SUN, 13600000002, None,
          "2026.01.01-2027.12.31", None)),
    (18, (12, "楼观镇", "八一村", "孙七", "律师", "陕西楼观律师事务所", LICENCE_SUN, 13600000002, None,
          "2026.01.01-2027.12.31", None)),
    (19, (13, "厚畛子镇", "八一村委会", "孙七", "律师", "陕西楼观律师事务所", LICENCE_SUN, 13600000002, None,
          "2026.01.01-2027.12.31", None)),
    (20, (14, "楼观镇", "八一村", "孙七", "律师", "陕西楼观律师事务所", LICENCE_SUN, 13600000002, None,
          "2026.01.01-2027.12.31", None)),  # identical to row 18 but for 序号
    (21, (15, "厚畛子镇", None, "周八", "律师", "陕西楼观律师事务所", None, 13500000003, None,
          "2026.01.01-2027.12.31", None)),
]

#: what match_ledger must produce for the messy workbook: row -> [(village code, adviser, start, end)]
MESSY_ACCEPTED = {
    4: [("610124001200", "张三", dt.date(2026, 1, 1), dt.date(2027, 12, 31))],
    5: [("610124001202", "张三", dt.date(2026, 1, 1), dt.date(2027, 12, 31))],
    6: [("610124001003", "李四", dt.date(2026, 1, 1), dt.date(2027, 12, 31))],
    8: [("610124101201", "王五", dt.date(2026, 1, 1), None)],
    9: [("610124101212", "王五", dt.date(2026, 1, 1), dt.date(2027, 6, 30))],
    12: [("610124102001", "赵六", dt.date(2026, 1, 1), dt.date(2027, 12, 31)),
         ("610124102201", "赵六", dt.date(2026, 1, 1), dt.date(2027, 12, 31))],
    18: [("610124105222", "孙七", dt.date(2026, 1, 1), dt.date(2027, 12, 31))],
    19: [("610124108207", "孙七", dt.date(2026, 1, 1), dt.date(2027, 12, 31))],
}
MESSY_REJECTED = {
    13: "unknown_village",
    14: "no_adviser",
    15: "end_before_start",
    16: "bad_period",
    17: "ambiguous_village",
    21: "no_village",
}


def write_messy_xlsx(path: Path, *, title: str = "西安市周至县一村（居）一法律顾问工作台账") -> Path:
    """Two title rows, a header with line breaks, merged township cells, blank / 合计 / repeated-header /
    note rows, numbers where text belongs, an ID column and an ID pasted into a remark."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    width = len(HEADER)
    ws.cell(1, 1, title)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, "填报单位：周至县司法局（盖章）")
    ws.cell(2, 7, "填报时间：2026年3月1日")
    for c, h in enumerate(HEADER, 1):
        ws.cell(3, c, h)
    for row, values in MESSY_ROWS:
        for c, v in enumerate(values, 1):
            if v is not None:
                ws.cell(row, c, v)
    ws.merge_cells("B4:B6")  # 二曲街道 over three rows
    # row 7 blank; row 10 合计; row 11 the header again (a new printed page)
    ws.cell(10, 1, "合计")
    ws.cell(10, 3, "9个村（社区）")
    for c, h in enumerate(HEADER, 1):
        ws.cell(11, c, h)
    ws.cell(23, 1, "注：本表由各镇（街道）司法所填报，身份证号仅供核对。")
    ws.merge_cells(start_row=23, start_column=1, end_row=23, end_column=width)
    ws.cell(24, 1, "填表人：刘某")
    ws.cell(24, 6, "审核人：陈某")
    wb.save(path)
    return path


def write_two_row_header_xlsx(path: Path) -> Path:
    """A cover sheet without a header, then a sheet whose 聘任期限 spans two sub-columns (起始 / 终止)
    holding real dates, Excel serial numbers, 8-digit numbers and text; a 区划代码 column."""
    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "说明"
    cover["A1"] = "本工作簿为周至县法律顾问台账，请勿修改表头。"
    ws = wb.create_sheet("明细")
    ws["A1"] = "周至县村（社区）法律顾问聘任情况统计表"
    top = ["序号", "镇（街道）", "村居名称", "统计用区划代码", "顾问姓名", "身份", "所在单位", "证号", "手机号码",
           "聘任期限", None, "公民身份号码"]
    sub = [None, None, None, None, None, None, None, None, None, "起始日期", "终止日期", None]
    for c, v in enumerate(top, 1):
        ws.cell(2, c, v)
    for c, v in enumerate(sub, 1):
        if v:
            ws.cell(3, c, v)
    for c in (1, 2, 3, 4, 5, 6, 7, 8, 9, 12):
        ws.merge_cells(start_row=2, start_column=c, end_row=3, end_column=c)
    ws.merge_cells("J2:K2")
    rows = [
        (1, "马召镇", "东火村", "610124103200", "钱一", "律师", "陕西马召律师事务所", 1.6101201810123457e16,
         13911110000, dt.datetime(2026, 1, 1), dt.datetime(2027, 12, 31), ID_IN_COLUMN),
        (2, "马召镇", "崇耕村", None, "钱一", "律师", "陕西马召律师事务所", 1.6101201810123457e16,
         13911110000, 46023, 46752, None),
        (3, "马召镇", "金盆村", "610124103204", "孙二", "基层法律服务工作者", "马召法律服务所", None,
         "13911110001", 20260301, 20280228, None),
        (4, "马召镇", "涌泉村", None, "孙二", "其他人员", "马召法律服务所", None, "13911110001",
         "2026.3.1", "长期", None),
        (5, "马召镇", "红崖头村", None, "孙二", None, "马召法律服务所", None, "13911110001", None, None, None),
    ]
    for r, values in enumerate(rows, 4):
        for c, v in enumerate(values, 1):
            if v is not None:
                ws.cell(r, c, v)
    wb.save(path)
    return path


CSV_HEADER = ["序号", "村（居）", "法律顾问", "人员类别", "律师事务所", "执业证号码", "电话", "服务期限", "备注"]
CSV_ROWS = [
    ["1", "镇东村", "张三", "律师", "陕西周至律师事务所", "1.61012E+16", "13912345678.0", "2026.01.01-2027.12.31", ""],
    ["2", "八一村", "张三", "律师", "陕西周至律师事务所", "", "13912345678", "2026.01.01-2027.12.31", ""],
    ["3", "城东社区", "李四", "法律服务工作者", "二曲法律服务所", "", "029-87654321", "2026.01.01～2027.12.31",
     f"身份证：{ID_IN_REMARK}"],
    ["", "", "", "", "", "", "", "", ""],
    ["小计", "3", "", "", "", "", "", "", ""],
]


def write_csv(path: Path, encoding: str, *, title: str | None = "周至县法律顾问台账（二曲街道）") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        if title:
            w.writerow([title] + [""] * (len(CSV_HEADER) - 1))
        w.writerow(CSV_HEADER)
        w.writerows(CSV_ROWS)
    return path


def write_xls(path: Path) -> Path:
    """The messy layout in the old binary format (needs xlwt, a test-only dependency)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    ws.write_merge(0, 0, 0, 9, "周至县一村（居）一法律顾问工作台账")
    header = ["序号", "乡镇", "村名", "姓名", "类别", "执业机构", "执业证号", "联系电话", "聘任起始", "聘任终止",
              "身份证号码"]
    for c, h in enumerate(header):
        ws.write(1, c, h)
    rows = [
        (1, "楼观镇", "东楼村", "孙七", "律师", "陕西楼观律师事务所", LICENCE_SUN, 13600000002.0,
         dt.date(2026, 1, 1), dt.date(2027, 12, 31), ID_IN_COLUMN),
        (2, None, "西楼村委会", "孙七", "律师", "陕西楼观律师事务所", LICENCE_SUN, 13600000002.0,
         dt.date(2026, 1, 1), dt.date(2027, 12, 31), None),
        (3, None, "楼观社区", "周八", "律师", "陕西楼观律师事务所", None, 13500000003.0,
         dt.date(2026, 7, 1), "至今", None),
    ]
    for r, values in enumerate(rows, 2):
        for c, v in enumerate(values):
            if c == 1:  # written below as one merged cell
                continue
            if v is None:
                continue
            if isinstance(v, dt.date):
                ws.write(r, c, v, date_style)
            else:
                ws.write(r, c, v)
    ws.write_merge(2, 4, 1, 1, "楼观镇")
    wb.save(str(path))
    return path


def ledger_csv(path: Path, data_rows: int) -> Path:
    """A plain ledger: a header and ``data_rows`` rows naming real 周至县 villages."""
    lines = ["乡镇,村（社区）名称,法律顾问姓名,聘任期限"]
    lines += [f"哑柏镇,东村村,顾问{i},2026.1-2027.12" for i in range(data_rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
