import datetime as dt

import pytest

from geo.core.coverage import Period
from geo.sources.periods import PeriodError, doubtful_period, parse_date, parse_period

D = dt.date


@pytest.mark.parametrize("text, start, end", [
    ("2026.01.01-2027.12.31", D(2026, 1, 1), D(2027, 12, 31)),
    ("2026.1-2027.12", D(2026, 1, 1), D(2027, 12, 31)),
    ("2026.2-2028.2", D(2026, 2, 1), D(2028, 2, 29)),  # month precision ends on the month's last day
    ("2026年1月1日至2027年12月31日", D(2026, 1, 1), D(2027, 12, 31)),
    ("2026年1月1日-2027年12月31日", D(2026, 1, 1), D(2027, 12, 31)),    # a plain hyphen after 日
    ("2026年3月-2027年2月", D(2026, 3, 1), D(2027, 2, 28)),
    ("2026年1月1日至2027年12月31日（两年）", D(2026, 1, 1), D(2027, 12, 31)),   # a note in brackets
    ("两年（2026.1.1-2027.12.31）", D(2026, 1, 1), D(2027, 12, 31)),           # the period in brackets
    ("2026年3月至2027年6月", D(2026, 3, 1), D(2027, 6, 30)),
    ("2026/01/01—2027/12/31", D(2026, 1, 1), D(2027, 12, 31)),
    ("2026/01/01–2027/12/31", D(2026, 1, 1), D(2027, 12, 31)),
    ("2026.01.01～2027.12.31", D(2026, 1, 1), D(2027, 12, 31)),
    ("2026.01.01~2027.12.31", D(2026, 1, 1), D(2027, 12, 31)),
    ("2026.01.01到2027.12.31", D(2026, 1, 1), D(2027, 12, 31)),
    ("2026-01-01-2027-12-31", D(2026, 1, 1), D(2027, 12, 31)),
    ("2026-01-01 - 2027-12-31", D(2026, 1, 1), D(2027, 12, 31)),
    ("２０２６．１．１－２０２７．１２．３１", D(2026, 1, 1), D(2027, 12, 31)),  # full-width
    ("20260101-20271231", D(2026, 1, 1), D(2027, 12, 31)),
    ("2026-2027", D(2026, 1, 1), D(2027, 12, 31)),
    ("自2026年1月1日起至2027年12月31日止", D(2026, 1, 1), D(2027, 12, 31)),
    ("2026年7月1日起三年", D(2026, 7, 1), D(2029, 6, 30)),
    ("2026-01-01至今", D(2026, 1, 1), None),
    ("2026.1.1-长期", D(2026, 1, 1), None),
    ("2026.01.01-至今", D(2026, 1, 1), None),
])
def test_one_cell_formats(text, start, end):
    assert parse_period(text) == Period(start, end)


@pytest.mark.parametrize("start_cell, end_cell, start, end", [
    (dt.datetime(2026, 1, 1), dt.datetime(2027, 12, 31), D(2026, 1, 1), D(2027, 12, 31)),
    (D(2026, 1, 1), "至今", D(2026, 1, 1), None),
    (46023, 46752.0, D(2026, 1, 1), D(2027, 12, 31)),  # Excel serial numbers
    (20260101, 20271231, D(2026, 1, 1), D(2027, 12, 31)),
    ("20260101", "2027.12", D(2026, 1, 1), D(2027, 12, 31)),
    ("2026", "2027", D(2026, 1, 1), D(2027, 12, 31)),
    ("2026年3月", "长期", D(2026, 3, 1), None),
])
def test_two_cells(start_cell, end_cell, start, end):
    assert parse_period((start_cell, end_cell)) == Period(start, end)
    assert parse_period(start_cell, end_cell) == Period(start, end)


@pytest.mark.parametrize("value, code", [
    ("2027.12.31-2026.01.01", "end_before_start"),
    ((dt.datetime(2027, 1, 1), dt.datetime(2026, 1, 1)), "end_before_start"),
    ("至今", "bad_period"),
    ("长期", "bad_period"),
    ("明年再签", "bad_period"),
    ("2026.01.01", "bad_period"),  # one date only
    ("2026.13-2027.01", "bad_period"),
    ("2026.02.30-2027.01.01", "bad_period"),
    ("", "bad_period"),
    (None, "bad_period"),
    ((None, "2027.12.31"), "bad_period"),
    (dt.datetime(2026, 1, 1), "bad_period"),  # a lone date in a one-cell period column
])
def test_errors_carry_a_code_and_a_bilingual_reason(value, code):
    result = parse_period(value)
    assert isinstance(result, PeriodError) and isinstance(result, str)
    assert result.code == code
    zh, sep, en = result.partition(" / ")
    assert sep, result  # "中文 / English"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
    assert any(ch.isascii() and ch.isalpha() for ch in en)


def test_the_unreadable_text_is_quoted_in_the_reason():
    result = parse_period("明年再签")
    assert "明年再签" in result and "cannot read" in result


def test_parse_date_rounds_ends_up():
    assert parse_date("2026.2") == D(2026, 2, 1)
    assert parse_date("2026.2", is_end=True) == D(2026, 2, 28)
    assert parse_date("2026", is_end=True) == D(2026, 12, 31)
    assert parse_date("至今", is_end=True) is None
    with pytest.raises(ValueError):
        parse_date("至今")
    with pytest.raises(ValueError):
        parse_date(12345678901)


TODAY = D(2026, 11, 27)


@pytest.mark.parametrize("text, reasons", [
    ("2026.1-2126.12", ("too_long",)),
    ("1900.1-1901.1", ("too_early",)),
    ("9999.1.1-9999.12.31", ("too_far_ahead",)),
    ("2026.01.01-2035.12.31", ()),                       # exactly 10 years
    ("2026.01.01-2036.01.01", ("too_long",)),            # 10 years and a day
    ("2024.02.29-2034.02.27", ()),                       # from 29 February: ten years less a day ...
    ("2024.02.29-2034.02.28", ("too_long",)),            # ... and ten years
    ("2010.01.01-2011.12.31", ()),                       # the earliest plausible start
    ("2009.12.31-2011.12.31", ("too_early",)),
    ("2028.11.27-2029.11.26", ()),                       # exactly 2 years after the import day
    ("2028.11.28-2029.11.27", ("too_far_ahead",)),
    ("2005.1.1至今", ("too_early",)),                    # open-ended: never too long
    ("2026.1.1至今", ()),
    ("2000.1-2030.12", ("too_early", "too_long")),
    ("2030.1-2050.12", ("too_far_ahead", "too_long")),
])
def test_doubtful_periods(text, reasons):
    period = parse_period(text)
    assert isinstance(period, Period)
    assert doubtful_period(period, TODAY) == reasons


def test_doubtful_periods_follow_the_import_day():
    period = parse_period("2028.12.01-2029.11.30")
    assert doubtful_period(period, TODAY) == ("too_far_ahead",)
    assert doubtful_period(period, D(2026, 12, 1)) == ()
