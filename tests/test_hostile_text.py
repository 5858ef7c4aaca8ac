"""Every free-text parser runs in linear time: long adversarial cells are read (or refused) at once.

The classes of input are generated: a unit that a pattern repeats (separators, digits, brackets, time and date
pieces, township and committee words) repeated to a length, followed by an ending that makes the pattern fail
at the last moment (what makes a backtracking pattern try every split).  Each parser gets every class at
100,000 characters and, for the value parsers that refuse a longer cell, at the longest cell they still read.
"""
from __future__ import annotations

import csv
import datetime as dt
import time
from typing import Any, Callable

import pytest

from geo.core.limits import MAX_VALUE_CHARS
from geo.privacy import idcards, phones
from geo.sources import names, periods
from geo.sources.errors import SourceError
from geo.sources.periods import PeriodError
from geo.sources.servicelog import values
from geo.sources.servicelog.values import Problem
from geo.sources.tabular import headers
from geo.sources.tabular.read import TableFile, read_sheets

TODAY = dt.date(2026, 6, 1)
#: far above what a linear parser needs for 100,000 characters, far below what a quadratic one takes
BOUND_SECONDS = 2.0

UNITS = ("1", "0", "9 ", "12:", "1:1", "上午1:", " 1点", "12:12", "-", "—", "--", "至", "~", ".", "1.", "1-", "1-1",
         "2026年", "2026.1.1-", "年", "(", "（", "[", "【", "(1", "()", ")", "回族", "苗族", "村", "村委会", "社区",
         "镇", "1小时", "1h", " ", "、", "138", "(029)", "0086", "x")
ENDINGS = ("", "x", "1", ")", "年")

VALUE_PARSERS: dict[str, Callable[[str], Any]] = {
    "service_date": lambda s: values.service_date(s, TODAY),
    "service_hours": values.service_hours,
    "service_mode": values.service_mode,
    "people_served": values.people_served,
    "parse_period": periods.parse_period,
    "parse_period_two_cells": lambda s: periods.parse_period("2026.1.1", s),
}
TEXT_PARSERS: dict[str, Callable[[str], Any]] = {
    "clean_name": names.clean_name,
    "village_name_keys": names.village_name_keys,
    "normalize_township_name": names.normalize_township_name,
    "split_village_names": names.split_village_names,
    "committee_form": names.committee_form,
    "scrub_phone_numbers": phones.scrub_phone_numbers,
    "scrub_id_numbers": idcards.scrub_id_numbers,
    "header_forms": headers.header_forms,
}


def adversarial(length: int) -> list[str]:
    return [(unit * (length // len(unit) + 1))[:length - len(end)] + end for unit in UNITS for end in ENDINGS]


def slowest(parse: Callable[[str], Any], texts: list[str]) -> tuple[float, str]:
    worst = (0.0, "")
    for text in texts:
        start = time.process_time()
        parse(text)
        worst = max(worst, (time.process_time() - start, text[:12] + "…" + text[-4:]))
    return worst


@pytest.mark.parametrize("name", sorted(TEXT_PARSERS))
def test_text_parsers_read_100000_characters_at_once(name):
    seconds, shown = slowest(TEXT_PARSERS[name], adversarial(100_000))
    assert seconds < BOUND_SECONDS, f"{name} took {seconds:.2f} s on {shown!r}"


@pytest.mark.parametrize("name", sorted(VALUE_PARSERS))
@pytest.mark.parametrize("length", [MAX_VALUE_CHARS, 100_000])
def test_value_parsers_read_or_refuse_long_cells_at_once(name, length):
    seconds, shown = slowest(VALUE_PARSERS[name], adversarial(length))
    assert seconds < BOUND_SECONDS, f"{name} took {seconds:.2f} s on {shown!r}"


def test_the_date_with_nested_times_of_day_is_read_at_once():
    """The probe's date cell: times of day glued together, failing at the end (exponential before)."""
    cell = "2026-03-15 " + "12:" * 60 + "x"
    start = time.process_time()
    assert isinstance(values.service_date(cell, TODAY), Problem)
    assert time.process_time() - start < BOUND_SECONDS
    assert values.service_date("2026-03-15 上午9:30 下午3点", TODAY) == dt.date(2026, 3, 15)


def test_an_over_long_cell_is_refused_with_its_own_reason():
    long_date = "2026-03-15" + " " * MAX_VALUE_CHARS + "x"
    problem = values.service_date(long_date, TODAY)
    assert isinstance(problem, Problem) and problem.why == "too_long"
    assert problem.params["limit"] == MAX_VALUE_CHARS and problem.params["chars"] == f"{len(long_date):,}"
    assert values.service_hours("2" + " " * MAX_VALUE_CHARS).why == "too_long"
    period = periods.parse_period("2026.1.1-2027.12.31" + "（两年）" * 100)
    assert isinstance(period, PeriodError) and f"{MAX_VALUE_CHARS}" in period and "2026.1.1" in period
    assert len(period) < 400   # the cell is named by its start, not repeated whole
    assert isinstance(periods.parse_period("2026.1.1", "2027.12.31" + "x" * MAX_VALUE_CHARS), PeriodError)
    # at the limit the cell is still read
    assert periods.parse_period(("2026.1.1-2027.12.31" + " " * MAX_VALUE_CHARS)[:MAX_VALUE_CHARS]) == \
        periods.parse_period("2026.1.1-2027.12.31")


def test_linear_rewrites_keep_their_answers():
    assert names.normalize_township_name("城关回族镇") == "城关"
    assert names.normalize_township_name("某某土家族苗族乡") == "某某"
    assert names.normalize_township_name("回族乡") == "回族"  # as before: only the suffix goes
    assert names.clean_name("王家村（原李家村）") == "王家村"
    assert names.clean_name("王家村（原李家村") == "王家村(原李家村"
    assert names.clean_name("(甲)王家村(乙") == "王家村(乙"
    assert names.village_name_keys("新村村委会") == ["新村村委会", "新村村", "新村", "新"]
    assert headers.header_forms("村名（社区）(必填") == ("村名社区必填", "村名(必填")
    assert periods.parse_period("2026年1月1日起聘期三年") == periods.parse_period("2026.1.1-2028.12.31")


def test_a_service_log_row_with_an_over_long_date_is_rejected_with_a_worded_reason(tmp_path):
    from geo.sources.servicelog import REJECT_REASONS, read_service_log
    from geo.text.catalogue import t

    path = tmp_path / "服务台账.csv"
    path.write_text("服务日期,服务村（社区）,法律顾问,服务时长\n"
                    f"2026-03-15 {'12:' * 300}x,东村村,张三,2\n2026-03-16,东村村,张三,2\n", encoding="utf-8")
    start = time.process_time()
    first, second = read_service_log(path, today=TODAY).rows
    assert time.process_time() - start < BOUND_SECONDS
    assert isinstance(first.date, Problem) and first.date.reason in REJECT_REASONS
    assert second.date == dt.date(2026, 3, 16)
    for lang in ("zh", "en"):
        worded = t(f"imp.why.{first.date.why}", lang, **first.date.params)
        assert f"{MAX_VALUE_CHARS}" in worded and "2026-03-15" in worded and "912" in worded
        assert t(f"imp.reason.{first.date.reason}", lang)


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
@pytest.mark.parametrize("cell", ['"双引号" \'单引号\' & </script>', 'a,b;c\td', '""', '他说："好"', "line\nbreak"])
def test_a_csv_cell_with_quotes_or_delimiters_is_read_as_excel_wrote_it(tmp_path, delimiter, cell):
    """Excel writes a quote inside a cell as two and wraps such a cell in quotes: every table reader reads the
    cell back exactly, whichever delimiter the file uses."""
    path = tmp_path / "表.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerows([["区划代码", "名称"], ["610124001001", cell], ["610124001002", "普通"]])
    [sheet] = read_sheets(path, TableFile(error=SourceError, wrong_type="imp.bad_type", max_rows=10))
    assert [row[:2] for row in sheet.grid] == [["区划代码", "名称"], ["610124001001", cell], ["610124001002", "普通"]]
