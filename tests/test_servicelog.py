"""The service log reader and matcher (geo.sources.servicelog), on hand-built files and hand-written expectations: every
date, hours and mode format, each reject reason with its row, the messy shapes, the numbers that must go."""
from __future__ import annotations

import csv
import datetime as dt

import pandas as pd
import pytest

from fixtures_ledger import LICENCE_SUN, LICENCE_ZHANG
from fixtures_services import ACCEPTED, DOUBTFUL, DUPLICATES, PRIVATE, REJECTED, SKIPPED, write_messy_log
from geo.sources import servicelog
from geo.sources.matching import registry_index
from geo.sources.national import national_registry
from geo.sources.servicelog import Problem, service_date, service_hours, service_mode

TODAY = dt.date(2026, 11, 27)
ZHOUZHI = "610124"

# ------------------------------------------------------------------------------------------------ cells

@pytest.mark.parametrize(("cell", "day"), [
    (dt.datetime(2026, 3, 15), dt.date(2026, 3, 15)),          # an Excel date cell
    (dt.datetime(2026, 3, 15, 9, 30), dt.date(2026, 3, 15)),
    (dt.date(2026, 3, 15), dt.date(2026, 3, 15)),
    (46096, dt.date(2026, 3, 15)),                             # the serial number behind it
    ("46096", dt.date(2026, 3, 15)),
    ("2026.3.15", dt.date(2026, 3, 15)),
    ("2026.03.15", dt.date(2026, 3, 15)),
    ("2026年3月15日", dt.date(2026, 3, 15)),
    ("2026年03月15号", dt.date(2026, 3, 15)),
    ("2026/03/15", dt.date(2026, 3, 15)),
    ("2026/3/5", dt.date(2026, 3, 5)),
    ("2026-03-15", dt.date(2026, 3, 15)),
    ("２０２６－０３－１５", dt.date(2026, 3, 15)),                # full-width
    (" 2026-03-15 ", dt.date(2026, 3, 15)),
    ("2026-03-15 09:30", dt.date(2026, 3, 15)),
    ("2026年3月15日上午", dt.date(2026, 3, 15)),
    ("2026年3月15日 14:00", dt.date(2026, 3, 15)),
    ("20260315", dt.date(2026, 3, 15)),
    ("2026-11-27", TODAY),                                     # today is not the future
])
def test_service_dates(cell, day):
    assert service_date(cell, TODAY) == day


@pytest.mark.parametrize(("cell", "reason", "why"), [
    (None, "bad_date", "no_date"),
    ("", "bad_date", "no_date"),
    ("2026-02-30", "bad_date", "bad_date"),      # not a real day
    ("2026.13.01", "bad_date", "bad_date"),
    ("2026年3月", "bad_date", "bad_date"),        # a month is not the day of a visit
    ("2026", "bad_date", "bad_date"),
    ("三月中旬", "bad_date", "bad_date"),
    ("见附件", "bad_date", "bad_date"),
    ("2026-11-28", "future_date", "future_date"),
    (dt.datetime(2027, 1, 1), "future_date", "future_date"),
])
def test_bad_service_dates(cell, reason, why):
    problem = service_date(cell, TODAY)
    assert isinstance(problem, Problem) and (problem.reason, problem.why) == (reason, why)


@pytest.mark.parametrize(("cell", "hours"), [
    (2, 2.0), (1.5, 1.5), ("2", 2.0), ("1.5", 1.5),
    ("2小时", 2.0), ("2个小时", 2.0), ("2.5 小时", 2.5), ("1.5h", 1.5), ("1.5H", 1.5), ("2 h", 2.0), ("3hrs", 3.0),
    ("30分钟", 0.5), ("90分钟", 1.5), ("45min", 0.75), ("1小时30分钟", 1.5), ("1小时30分", 1.5),
    ("半小时", 0.5), ("半天", 4.0), ("一天", 8.0), ("全天", 8.0), ("半日", 4.0), ("１．５ｈ", 1.5),
    (None, None), ("", None), ("  ", None),
])
def test_service_hours(cell, hours):
    assert service_hours(cell) == hours


@pytest.mark.parametrize(("cell", "why"), [
    ("很久", "bad_hours"), ("2-3小时", "bad_hours"), ("约两三个小时", "bad_hours"), ("h", "bad_hours"),
    (0, "hours_range"), (-1, "hours_range"), ("30", "hours_range"), ("25小时", "hours_range"), (True, "bad_hours"),
])
def test_unreadable_hours(cell, why):
    problem = service_hours(cell)
    assert isinstance(problem, Problem) and (problem.reason, problem.why) == ("bad_hours", why)


@pytest.mark.parametrize(("cell", "mode", "clear"), [
    *[(w, "onsite", True) for w in ("到村", "到村服务", "现场", "驻村", "值班", "上门", "讲座")],
    *[(w, "remote", True) for w in ("电话", "微信", "视频", "线上", "网络")],
    ("现场咨询", "onsite", True), ("驻村值班", "onsite", True), ("上门走访", "onsite", True),
    ("电话咨询", "remote", True), ("微信群答疑", "remote", True), (" 视 频 ", "remote", True),
    ("线上讲座", "remote", True),            # a lecture held online was not held in the village
    ("座谈", "other", False), ("其他", "other", False), ("", "other", False), (None, "other", False),
])
def test_service_modes(cell, mode, clear):
    assert service_mode(cell) == (mode, clear)


@pytest.mark.parametrize(("cell", "people"), [
    (5, 5), (5.0, 5), ("5", 5), ("30人", 30), ("12人次", 12), ("约30人", 30), (None, None), ("若干", None),
    (2.5, None), (-3, None),
])
def test_people_served(cell, people):
    assert servicelog.people_served(cell) == people


# ------------------------------------------------------------------------------------------------ files

@pytest.fixture(scope="module")
def zhouzhi():
    return registry_index(national_registry()).county(ZHOUZHI), registry_index(national_registry())


def ledger_advisers() -> pd.DataFrame:
    """The messy ledger's people as the store would know them in 周至县 (two are called 王五 elsewhere only)."""
    return pd.DataFrame({"adviser_id": [1, 2, 3, 4, 5], "name": ["张三", "李四", "王五", "赵六", "孙七"],
                         "licence_no": [LICENCE_ZHANG, None, None, None, LICENCE_SUN]})


def matched(path, advisers=None, county=None):
    table = servicelog.read_service_log(path, today=TODAY)
    chosen = servicelog.service_county(table, national_registry(), county)
    return table, servicelog.match_service_log(table, chosen, ledger_advisers() if advisers is None else advisers)


def test_messy_log_accepted_rejected_skipped(tmp_path):
    table, match = matched(write_messy_log(tmp_path / "服务台账.xlsx"))
    assert (match.county_code[:6], match.county_source) == (ZHOUZHI, "title")
    assert table.header_row == 3
    assert dict(table.skipped_rows) == SKIPPED
    assert table.duplicate_rows == DUPLICATES
    names = dict(zip(ledger_advisers()["adviser_id"], ledger_advisers()["name"]))
    got = {r.row_number: (r.village_code, names[r.adviser_id], r.service_date, r.mode, r.hours)
           for r in match.records}
    assert got == ACCEPTED
    assert {r.row: r.reason for r in match.rejects} == REJECTED
    assert {r.row_number for r in match.records if r.notes} == DOUBTFUL
    assert (match.rows_read, match.accepted, match.rejected) == (14, len(ACCEPTED), len(REJECTED))


def test_messy_log_merged_township_and_people(tmp_path):
    table, match = matched(write_messy_log(tmp_path / "服务台账.xlsx"))
    rows = {r.row_number: r for r in table.rows}
    assert [rows[n].township for n in (4, 5, 6)] == ["二曲街道"] * 3       # the merged cell, filled down
    assert rows[5].adviser_name == "张三" and rows[5].people == 30
    assert rows[4].category == "法律咨询" and rows[4].people == 5


def test_no_id_or_phone_number_leaves_the_reader(tmp_path):
    table, match = matched(write_messy_log(tmp_path / "服务台账.xlsx"))
    seen = repr([r.raw for r in table.rows]) + repr(match.records) + repr([r.raw for r in match.rejects])
    seen += repr(table.mapped)
    for number in PRIVATE:
        assert number not in seen
    records = {r.row_number: r for r in match.records}
    assert records[4].content == "解答土地承包纠纷，村民电话"
    assert records[5].content == "民法典讲座；签到表附身份证"
    assert records[6].content == "电话答复，回拨"
    assert "联系电话" not in table.mapped and "身份证号" not in repr(table.rows[0].raw)


def test_reject_sentences_name_the_cell(tmp_path):
    _, match = matched(write_messy_log(tmp_path / "服务台账.xlsx"))
    lines = {r.row: r.line("zh") for r in match.rejects}
    assert lines[12] == "第12行：服务日期“2026-02-30”无法识别或不是真实的日期（应写到日，如 2026-03-15）"
    assert "2099-01-05" in lines[13] and "很久" in lines[14] and "不存在村" in lines[15] and "钱无名" in lines[16]
    assert lines[19].startswith("第19行：没有填写村（社区）名称")


def write_csv(path, rows, header=("服务日期", "乡镇", "村（社区）", "顾问姓名", "形式", "用时", "摘要"),
              encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.mark.parametrize(("written", "code"), [
    ("八一村", "610124001202"), ("八一村委会", "610124001202"), ("八一村民委员会", "610124001202"),
    ("城东社区", "610124001003"), ("城东社区居委会", "610124001003"), ("城东社区居民委员会", "610124001003"),
    ("城东", "610124001003"),
])
def test_village_name_variants(tmp_path, written, code):
    path = write_csv(tmp_path / "周至县服务台账.csv", [["2026-10-01", "二曲街道", written, "张三", "到村", "2", ""]])
    _, match = matched(path)
    assert [r.village_code for r in match.records] == [code]


def test_gacha_names_match_in_inner_mongolia(tmp_path):
    registry = national_registry()
    gacha = registry[(registry["level"] == 5) & registry["name"].str.endswith("嘎查村民委员会")].iloc[0]
    short = gacha["name"].removesuffix("村民委员会")
    county = gacha["code"][:6]
    advisers = pd.DataFrame({"adviser_id": [9], "name": ["巴特尔"], "licence_no": [None]})
    for written in (gacha["name"], short, short + "村委会"):
        path = write_csv(tmp_path / "log.csv", [["2026-10-01", "", written, "巴特尔", "到村", "2", ""]])
        _, match = matched(path, advisers, county)
        assert [r.village_code for r in match.records] == [gacha["code"]], written


def test_adviser_by_licence_else_by_name_within_the_county(tmp_path):
    advisers = pd.DataFrame({"adviser_id": [1, 2, 3], "name": ["张三", "张三", "李四"],
                             "licence_no": [LICENCE_ZHANG, None, None]})
    rows = [["2026-10-01", "二曲街道", "八一村", "张三", "到村", "2", ""],        # two 张三, no licence
            ["2026-10-02", "二曲街道", "八一村", "李四", "到村", "2", ""],
            ["2026-10-03", "二曲街道", "八一村", "", "到村", "2", ""]]
    path = write_csv(tmp_path / "周至县服务台账.csv", rows)
    _, match = matched(path, advisers)
    assert {r.row: r.reason for r in match.rejects} == {2: "ambiguous_adviser", 4: "no_adviser"}
    assert [(r.row_number, r.adviser_id) for r in match.records] == [(3, 3)]
    header = ("服务日期", "村（社区）", "服务人员", "执业证号", "服务方式", "服务时长")
    path = write_csv(tmp_path / "周至县服务台账2.csv", [["2026-10-01", "镇东村", "张三", LICENCE_ZHANG, "到村", 2],
                                                   ["2026-10-01", "镇东村", "", "1610000000000000", "到村", 2]],
                     header)
    _, match = matched(path, advisers)
    assert [(r.row_number, r.adviser_id) for r in match.records] == [(2, 1)]
    assert [(r.row, r.reason, r.why) for r in match.rejects] == [(3, "unknown_adviser", "licence_unknown")]


def test_gbk_csv_with_hours_in_words_and_a_repeated_header(tmp_path):
    rows = [["2026/10/01", "二曲街道", "镇东村", "张三", "电话", "半天", "咨询"],
            ["服务日期", "乡镇", "村（社区）", "顾问姓名", "形式", "用时", "摘要"],
            ["2026年10月2日", "", "八一村", "张三", "上门", "30分钟", "走访"],
            ["合计", "", "", "", "", "", ""]]
    path = write_csv(tmp_path / "周至县服务台账.csv", rows, encoding="gbk")
    table, match = matched(path)
    assert dict(table.skipped_rows) == {3: "header", 5: "total"}
    assert [(r.village_code, r.mode, r.hours) for r in match.records] == [
        ("610124001200", "remote", 4.0), ("610124001202", "onsite", 0.5)]


def test_one_row_naming_two_villages_shares_its_hours(tmp_path):
    path = write_csv(tmp_path / "周至县服务台账.csv",
                     [["2026-10-01", "二曲街道", "镇东村、八一村", "张三", "讲座", "4小时", ""]])
    _, match = matched(path)
    assert [(r.village_code, r.hours) for r in match.records] == [("610124001200", 2.0), ("610124001202", 2.0)]
    assert match.accepted == 1


def test_a_file_without_the_header_is_refused(tmp_path):
    path = write_csv(tmp_path / "x.csv", [["a", "b"]], header=("姓名", "电话"))
    with pytest.raises(servicelog.fields.ServiceLogError, match="服务日期"):
        servicelog.read_service_log(path, today=TODAY)
