import csv
import datetime as dt
import time
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fixtures_ledger import (
    ALL_IDS,
    LICENCE_SUN,
    LICENCE_ZHANG,
    MESSY_ACCEPTED,
    MESSY_REJECTED,
    write_csv,
    write_messy_xlsx,
    write_two_row_header_xlsx,
    write_xls,
)
from geo.sources.ledger import LedgerError, RegistryIndex, match_ledger, read_ledger, registry_index

REGISTRY = Path(__file__).resolve().parent.parent / "data" / "registry_national.parquet"


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    return pd.read_parquet(REGISTRY)


@pytest.fixture(scope="module")
def index(registry) -> RegistryIndex:
    return registry_index(registry)


@pytest.fixture()
def messy(tmp_path):
    return read_ledger(write_messy_xlsx(tmp_path / "周至县台账.xlsx"))


def _by_row(match):
    out: dict[int, list] = {}
    for a in match.assignments:
        out.setdefault(a.row_number, []).append((a.village_code, a.adviser_name, a.start, a.end))
    return out


def _assert_no_ids(*objects):
    text = "".join(repr(o) for o in objects)
    for number in ALL_IDS:
        assert number not in text


# ------------------------------------------------------------------------------------------ reading
def test_messy_workbook_header_found_under_title_rows(messy):
    assert messy.header_row == 3
    assert messy.data_start_row == 4
    assert messy.mapped == {
        "seq": "序号", "township": "乡镇（街道）", "village": "村（社区）\n名称", "name": "法律顾问\n姓名",
        "kind": "类别", "org": "执业机构", "licence": "执业证号", "phone": "联系电话", "period": "聘任期限",
        "remark": "备注"}
    assert "西安市周至县" in messy.title and "填报单位" in messy.title


def test_messy_workbook_skips_and_drops_the_right_rows(messy):
    assert [r.row_number for r in messy.rows] == [4, 5, 6, 8, 9, 12, 13, 14, 15, 16, 17, 18, 19, 21]
    skipped = dict(messy.skipped_rows)
    assert skipped[7] == "blank" and skipped[10] == "total" and skipped[11] == "header"
    assert skipped[23] == "note" and skipped[24] == "note"
    assert messy.duplicate_rows == [(20, 18)]


def test_merged_and_blank_township_cells_are_filled_down(messy):
    town = {r.row_number: r.township for r in messy.rows}
    assert town[4] == town[5] == town[6] == "二曲街道"  # merged B4:B6
    assert town[8] == town[9] == "哑柏镇"  # plain blank under a filled cell
    assert messy.rows[1].raw["乡镇（街道）"] == "二曲街道"


def test_numbers_come_back_as_the_text_that_was_typed(messy):
    rows = {r.row_number: r for r in messy.rows}
    assert rows[4].phone == "13912345678"  # int cell
    assert rows[8].phone == "13800000000"  # float cell 13800000000.0
    assert rows[6].phone == "029-87654321"
    assert rows[4].licence_no == LICENCE_ZHANG
    assert rows[15].licence_no == LICENCE_SUN
    assert rows[4].raw["联系电话"] == "13912345678"


def test_kinds_are_normalised(messy):
    kinds = {r.row_number: r.kind for r in messy.rows}
    assert kinds[4] == "律师"  # 执业律师
    assert kinds[8] == "律师"  # 公职律师
    assert kinds[6] == "基层法律服务工作者"
    assert kinds[12] == "基层法律服务工作者"  # 法律服务工作者
    assert kinds[14] == "其他"  # blank, no organisation


def test_several_villages_in_one_cell(messy):
    row12 = next(r for r in messy.rows if r.row_number == 12)
    assert row12.village_names == ["终南社区", "毓兴村"]


def test_id_numbers_never_leave_the_reader(messy):
    for row in messy.rows:
        assert not any("身份证号" == k for k in row.raw)
    remark = next(r for r in messy.rows if r.row_number == 6).raw["备注"]
    assert remark == "身份证已核"
    old = next(r for r in messy.rows if r.row_number == 8).raw["备注"]
    assert old == "旧证"
    _assert_no_ids(messy)


# ------------------------------------------------------------------------------------------ matching
def test_messy_workbook_matches_exactly(messy, registry):
    m = match_ledger(messy, registry)
    assert (m.county_code, m.county_name, m.county_source) == ("610124000000", "周至县", "title")
    assert _by_row(m) == MESSY_ACCEPTED
    assert {r.row_number: r.reason for r in m.rejects} == MESSY_REJECTED
    assert (m.rows_read, m.accepted, m.rejected, m.duplicates_dropped) == (15, 9, 6, 1)
    names = {a.village_code: a.village_name for a in m.assignments}
    assert names["610124102001"] == "终南社区居委会" and names["610124102201"] == "毓兴村委会"
    _assert_no_ids(m, [r.message for r in m.rejects], [a.warnings for a in m.assignments])


def test_reject_messages_are_bilingual_and_name_row_and_village(messy, registry):
    m = match_ledger(messy, registry, county="610124")
    msgs = {r.row_number: r.message for r in m.rejects}
    assert msgs[13].startswith("第13行：") and "不存在村" in msgs[13] and "row 13:" in msgs[13]
    assert "610124001202" in msgs[17] and "610124105222" in msgs[17] and "610124108207" in msgs[17]
    assert "富仁镇" in msgs[17]
    assert "明年再签" in msgs[16]
    rejected_row = next(r for r in m.rejects if r.row_number == 13)
    assert rejected_row.village == "不存在村" and rejected_row.raw["村（社区）\n名称"] == "不存在村"


def test_advisers_are_grouped_by_licence_else_name_and_phone(messy, registry):
    advisers = match_ledger(messy, registry).advisers()
    zhang = advisers[f"licence:{LICENCE_ZHANG}"]
    assert zhang.name == "张三" and zhang.rows == [4, 5]
    assert sorted(zhang.villages) == ["610124001200", "610124001202"]
    wang = advisers["name:王五|phone:13800000000"]
    assert wang.rows == [8, 9] and wang.kind == "律师"
    sun = advisers[f"licence:{LICENCE_SUN}"]
    assert sun.villages == ["610124105222", "610124108207"]
    assert len(advisers) == 5  # 张三 李四 王五 赵六 孙七


def test_same_assignment_written_twice_counts_once(tmp_path, registry):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["周至县法律顾问台账"])
    ws.append(["序号", "乡镇", "村名", "姓名", "联系电话", "聘期"])
    ws.append([1, "二曲街道", "镇东村", "张三", "13912345678", "2026.1.1-2027.12.31"])
    ws.append([2, "二曲街道", "镇东村委会", "张三", "13912345678", "2026年1月1日至2027年12月31日"])
    ws.append([3, "二曲街道", "镇东村", "张三", "13912345678", "2026.1.1-2027.12.31"])
    wb.save(tmp_path / "dup.xlsx")
    table = read_ledger(tmp_path / "dup.xlsx")
    assert table.duplicate_rows == [(5, 3)]
    m = match_ledger(table, registry)
    assert [(a.row_number, a.village_code) for a in m.assignments] == [(3, "610124001200")]
    assert (m.duplicate_rows, m.duplicate_assignments, m.duplicates_dropped, m.rows_read) == (1, 1, 2, 3)


def test_two_row_header_dates_serials_and_codes(tmp_path, registry):
    table = read_ledger(write_two_row_header_xlsx(tmp_path / "ledger.xlsx"))
    assert table.sheet == "明细"  # the cover sheet has no header
    assert (table.header_row, table.data_start_row) == (2, 4)
    assert table.mapped["start"] == "聘任期限-起始日期" and table.mapped["end"] == "聘任期限-终止日期"
    assert "period" not in table.mapped and "id_card" not in table.mapped
    rows = {r.row_number: r for r in table.rows}
    assert rows[4].licence_no is None and "15" in rows[4].warnings[0]  # float licence: digits lost
    assert rows[4].phone == "13911110000"
    assert rows[8].period_error is not None
    m = match_ledger(table, registry)
    assert m.county_code == "610124000000"
    assert _by_row(m) == {
        4: [("610124103200", "钱一", dt.date(2026, 1, 1), dt.date(2027, 12, 31))],
        5: [("610124103201", "钱一", dt.date(2026, 1, 1), dt.date(2027, 12, 31))],
        6: [("610124103204", "孙二", dt.date(2026, 3, 1), dt.date(2028, 2, 28))],
        7: [("610124103206", "孙二", dt.date(2026, 3, 1), None)],
    }
    assert [(r.row_number, r.reason) for r in m.rejects] == [(8, "bad_period")]
    assert {a.kind for a in m.assignments if a.adviser_name == "孙二"} == {"基层法律服务工作者", "其他"}
    _assert_no_ids(table, m)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_every_encoding(tmp_path, registry, encoding):
    table = read_ledger(write_csv(tmp_path / "ledger.csv", encoding))
    assert table.header_row == 2 and table.title.startswith("周至县")
    assert [r.row_number for r in table.rows] == [3, 4, 5]
    assert dict(table.skipped_rows) == {6: "blank", 7: "total"}
    rows = {r.row_number: r for r in table.rows}
    assert rows[3].phone == "13912345678"
    assert rows[3].licence_no is None and rows[3].warnings  # "1.61012E+16": truncated by Excel
    m = match_ledger(table, registry)
    assert _by_row(m) == {
        3: [("610124001200", "张三", dt.date(2026, 1, 1), dt.date(2027, 12, 31))],
        5: [("610124001003", "李四", dt.date(2026, 1, 1), dt.date(2027, 12, 31))],
    }
    assert [(r.row_number, r.reason) for r in m.rejects] == [(4, "ambiguous_village")]  # no township column
    _assert_no_ids(table, m)


def test_xls(tmp_path, registry):
    pytest.importorskip("xlwt", reason="writing a test .xls needs xlwt")
    table = read_ledger(write_xls(tmp_path / "ledger.xls"))
    assert table.header_row == 2 and "id_card" not in table.mapped
    assert [r.township for r in table.rows] == ["楼观镇"] * 3  # merged cell
    assert [r.phone for r in table.rows] == ["13600000002", "13600000002", "13500000003"]
    assert table.rows[0].licence_no == LICENCE_SUN
    m = match_ledger(table, registry)
    assert _by_row(m) == {
        3: [("610124105201", "孙七", dt.date(2026, 1, 1), dt.date(2027, 12, 31))],
        4: [("610124105214", "孙七", dt.date(2026, 1, 1), dt.date(2027, 12, 31))],
        5: [("610124105001", "周八", dt.date(2026, 7, 1), None)],
    }
    _assert_no_ids(table, m)


def _simple_xlsx(path: Path, title: str | None, villages: list[str], code: list[str] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(["序号", "村（社区）名称", "区划代码", "法律顾问姓名", "聘任期限"])
    for i, v in enumerate(villages):
        ws.append([i + 1, v, code[i] if code else None, f"顾问{i}", "2026.01.01-2027.12.31"])
    wb.save(path)
    return path


def test_county_name_repeated_in_china_is_told_apart_by_its_villages(tmp_path, registry):
    villages = ["观风亭社区", "树兜社区", "梦山社区", "庆城社区"]
    m = match_ledger(read_ledger(_simple_xlsx(tmp_path / "a.xlsx", "鼓楼区法律顾问台账", villages)), registry)
    assert (m.county_code, m.county_source, m.accepted) == ("350102000000", "title", 4)


def test_city_word_in_the_title_picks_the_county(tmp_path, registry):
    m = match_ledger(read_ledger(_simple_xlsx(tmp_path / "a.xlsx", "徐州市鼓楼区法律顾问台账", ["万通社区"])),
                     registry)
    assert (m.county_code, m.county_name) == ("320302000000", "鼓楼区")


def test_county_from_villages_alone(tmp_path, registry):
    villages = ["镇东村", "渭旗村", "哑兴村", "仰天村", "毓兴村", "马蓬村"]
    m = match_ledger(read_ledger(_simple_xlsx(tmp_path / "台账.xlsx", "法律顾问台账", villages)), registry)
    assert (m.county_code, m.county_source, m.accepted) == ("610124000000", "villages", 6)


def test_county_cannot_be_told(tmp_path, registry):
    table = read_ledger(_simple_xlsx(tmp_path / "台账.xlsx", None, ["不存在的村甲", "不存在的村乙"]))
    with pytest.raises(LedgerError, match="请选择县") as e:
        match_ledger(table, registry)
    assert e.value.text("en") == ("'台账.xlsx': cannot tell which county this ledger belongs to; "
                                 "please choose the county")
    for county in ("610124", "610124000000"):
        assert match_ledger(table, registry, county=county).county_name == "周至县"
    with pytest.raises(LedgerError):
        match_ledger(table, registry, county="619999")


def test_village_codes(tmp_path, registry):
    path = _simple_xlsx(tmp_path / "a.xlsx", "周至县台账", ["八一村", "随便写的名字", "镇东村", ""],
                        code=["610124105222", "610124108207", "610124001999", "610125100200"])
    m = match_ledger(read_ledger(path), registry)
    assert [(a.row_number, a.village_code) for a in m.assignments] == [
        (3, "610124105222"), (4, "610124108207"), (5, "610124001200")]
    assert "610124001999" in m.assignments[2].warnings[0]  # unknown code, matched by name instead
    assert [(r.row_number, r.reason) for r in m.rejects] == [(6, "unknown_village")]  # another county


# ------------------------------------------------------------------------------------------ errors
def test_wrong_file_type(tmp_path):
    p = tmp_path / "台账.docx"
    p.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(LedgerError, match="台账.docx") as e:
        read_ledger(p)
    assert " / " in str(e.value)


def test_empty_files(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"")
    with pytest.raises(LedgerError, match="空文件"):
        read_ledger(tmp_path / "a.csv")
    (tmp_path / "b.csv").write_text("\n ,, \n", encoding="utf-8")
    with pytest.raises(LedgerError, match="没有任何内容"):
        read_ledger(tmp_path / "b.csv")


def test_no_header(tmp_path):
    wb = openpyxl.Workbook()
    for i in range(40):
        wb.active.append([f"随便{i}", i, "其他内容"])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(LedgerError, match="第30行之前没有找到表头") as e:
        read_ledger(tmp_path / "x.xlsx")
    assert "x.xlsx" in str(e.value) and "no header row" in str(e.value)


def test_corrupt_and_missing_files(tmp_path):
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(LedgerError, match="bad.xlsx"):
        read_ledger(tmp_path / "bad.xlsx")
    (tmp_path / "page.xls").write_text("<html><table></table></html>", encoding="utf-8")
    with pytest.raises(LedgerError, match="HTML"):
        read_ledger(tmp_path / "page.xls")
    with pytest.raises(LedgerError, match="找不到文件"):
        read_ledger(tmp_path / "nothere.xlsx")


def test_named_sheet(tmp_path):
    path = write_two_row_header_xlsx(tmp_path / "ledger.xlsx")
    assert read_ledger(path, sheet="明细").sheet == "明细"
    with pytest.raises(LedgerError, match="没有找到表头"):
        read_ledger(path, sheet="说明")
    with pytest.raises(LedgerError, match="没有名为"):
        read_ledger(path, sheet="不存在")


# ------------------------------------------------------------------------------------------ speed
def test_twenty_thousand_rows_match_fast(tmp_path, registry, index):
    villages = [n for c, n, lv in zip(index.codes, index.names, index.levels) if lv == 5 and c.startswith("610124")]
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["周至县法律顾问台账"])
        w.writerow(["序号", "村（社区）名称", "法律顾问姓名", "联系电话", "聘任期限"])
        for i in range(20000):
            year = 2000 + i // len(villages)  # each row a different contract, so none is a duplicate
            w.writerow([i + 1, villages[i % len(villages)], f"顾问{i % 500}", f"139{i % 500:08d}",
                        f"{year}.01.01-{year}.12.31"])
    t0 = time.perf_counter()
    table = read_ledger(path)
    t1 = time.perf_counter()
    m = match_ledger(table, index)
    t2 = time.perf_counter()
    assert len(table.rows) == 20000
    assert m.accepted + m.rejected == 20000
    same_name = Counter(villages)  # e.g. three 八一村委会 in three townships, and no township column here
    assert m.rejected == sum(1 for i in range(20000) if same_name[villages[i % len(villages)]] > 1)
    assert {r.reason for r in m.rejects} == {"ambiguous_village"}
    assert t1 - t0 < 20 and t2 - t1 < 10, (t1 - t0, t2 - t1)


def test_adviser_header_merged_over_sub_columns_and_township_in_the_name(tmp_path, registry):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["周至县司法局"])
    ws.append(["序号", "服务村（社区）", "法律顾问", None, None, "合同期限"])
    ws.append([None, None, "姓名", "类别", "联系电话", None])
    for col in (1, 2, 6):
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    ws.merge_cells("C2:E2")
    ws.append([1, "楼观镇八一村", "孙七", "律师", 13600000002, "2026.1-2027.12"])
    ws.append([2, "二曲街道八一村委会", "孙七", "律师", 13600000002, "2026.1-2027.12"])
    wb.save(tmp_path / "a.xlsx")
    table = read_ledger(tmp_path / "a.xlsx")
    assert table.header_row == 2 and table.data_start_row == 4
    assert table.mapped["name"] == "法律顾问-姓名" and table.mapped["phone"] == "法律顾问-联系电话"
    assert table.mapped["kind"] == "法律顾问-类别" and table.mapped["period"] == "合同期限"
    m = match_ledger(table, registry)
    assert [(a.row_number, a.village_code) for a in m.assignments] == [(4, "610124105222"), (5, "610124001202")]
    assert m.advisers()["name:孙七|phone:13600000002"].rows == [4, 5]


def test_short_county_name_in_the_title_needs_its_villages(tmp_path, registry):
    m = match_ledger(read_ledger(_simple_xlsx(tmp_path / "a.xlsx", "周至司法局台账", ["镇东村", "马蓬村"])),
                     registry)
    assert (m.county_code, m.county_source) == ("610124000000", "title")
    # "城关" is also the short form of 城关区 (Lhasa, Lanzhou): no village of theirs here, so it is not taken
    table = read_ledger(_simple_xlsx(tmp_path / "b.xlsx", "城关镇法律顾问台账", ["不存在的村甲"]))
    with pytest.raises(LedgerError):
        match_ledger(table, registry)


def test_english_headers_and_separate_date_columns(tmp_path, registry):
    path = tmp_path / "ledger.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["No.", "Township", "Village Name", "Adviser Name", "Category", "Law Firm", "Licence No.",
                    "Phone", "Start Date", "End Date", "ID Card"])
        w.writerow(["1", "楼观镇", "八一村", "Sun Qi", "Lawyer", "Louguan Law Firm", LICENCE_SUN, "13600000002",
                    "2026-01-01", "2027-12-31", "610124199001011234"])
    table = read_ledger(path)
    assert set(table.mapped) == {"seq", "township", "village", "name", "kind", "org", "licence", "phone",
                                 "start", "end"}
    m = match_ledger(table, registry, county="610124")
    assert _by_row(m) == {2: [("610124105222", "Sun Qi", dt.date(2026, 1, 1), dt.date(2027, 12, 31))]}
    assert m.assignments[0].kind == "律师"
    _assert_no_ids(table, m)


def test_only_the_first_sheet_with_a_header_is_read_and_the_others_are_named(tmp_path):
    wb = openpyxl.Workbook()
    for title, village in (("二曲街道", "镇东村"), ("哑柏镇", "仰天村")):
        ws = wb.create_sheet(title)
        ws.append(["村名", "姓名", "聘期"])
        ws.append([village, "张三", "2026.1-2026.12"])
    del wb["Sheet"]
    wb.save(tmp_path / "a.xlsx")
    table = read_ledger(tmp_path / "a.xlsx")
    assert table.sheet == "二曲街道" and [r.village_names for r in table.rows] == [["镇东村"]]
    assert len(table.warnings) == 1 and "哑柏镇" in table.warnings[0]
    assert read_ledger(tmp_path / "a.xlsx", sheet="哑柏镇").rows[0].village_names == ["仰天村"]


def test_registry_with_bigint_codes_from_the_store(tmp_path, registry):
    shaanxi = registry[registry["code"].str.startswith("61")].copy()
    shaanxi["code"] = shaanxi["code"].astype("int64")
    table = read_ledger(write_csv(tmp_path / "a.csv", "utf-8"))
    m = match_ledger(table, shaanxi)
    assert m.county_code == "610124000000"
    assert [a.village_code for a in m.assignments] == ["610124001200", "610124001003"]



@pytest.mark.parametrize("header, field", [
    ("服务起止时间", "period"), ("合同起止日期", "period"), ("聘用时间", "period"), ("签约时间", "start"),
    ("签订日期", "start"), ("到期时间", "end"), ("签约律师", "name"), ("律师事务所", "org"), ("联系方式", "phone"),
])
def test_more_header_wordings(header, field):
    from geo.sources.ledger.fields import _match_header

    assert _match_header(header)[0] == field
