"""The score sheet's rule files (geo.assess.rules): the presets and the template read, and every kind of hostile or
mistaken file refused with the line that is wrong: unknown keys and indicators, formulas, huge numbers, missing
fields, points that do not add up, grades out of order, oversized and deeply nested files.  Also the periods."""
from __future__ import annotations

import datetime as dt
import time

import pytest

from geo.assess.period import Period, PeriodError
from geo.assess.rules import MAX_RULE_BYTES, PRESETS, TEMPLATE, RuleError, load_rules, parse_rules, preset_text

GOOD = """\
[sheet]
name = "某县考核"
total = 100

[[indicator]]
kind = "contract_whole_period"
points = 20

[[indicator]]
kind = "onsite_hours"
standard = 4
per = "village"
points = 50

[[indicator]]
kind = "lectures"
at_least = 1
points = 30

[[grade]]
name = "优秀"
min = 90
payment_per_village = 3500

[[grade]]
name = "一般"
min = 0
payment_per_village = 2000
"""


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The line number of the nth line containing `needle` (counted by hand, not by the parser)."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[nth - 1]


def assert_refused_at_its_line(base: str, old: str, new: str, key: str, needle) -> None:
    """`base` with `old` made `new` is refused with `key`, naming the line of `needle` (or of its nth
    occurrence, given as (needle, n)) in both languages."""
    assert old in base
    text = base.replace(old, new, 1)
    error = refused(text)
    assert error.key == key
    needle, nth = needle if isinstance(needle, tuple) else (needle, 1)
    assert error.line == line_of(text, needle, nth), (error.line, str(error))
    assert f"第 {error.line} 行" in error.text("zh") and f"line {error.line}" in error.text("en")


def refused(text: str | bytes) -> RuleError:
    with pytest.raises(RuleError) as caught:
        parse_rules(text)
    return caught.value


@pytest.mark.parametrize("name", [*PRESETS, TEMPLATE])
def test_presets_and_template_read(name):
    rules = load_rules(name)
    assert sum(ind.points for ind in rules.indicators) == rules.total == 100
    assert rules.grades[-1].min == 0
    assert [g.min for g in rules.grades] == sorted((g.min for g in rules.grades), reverse=True)


def test_the_template_is_commented_and_names_every_indicator():
    text = preset_text(TEMPLATE)
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 20
    from geo.assess.indicators import INDICATORS
    assert {ind.kind for ind in load_rules(TEMPLATE).indicators} == set(INDICATORS)


def test_a_good_file():
    rules = parse_rules(GOOD)
    assert rules.name == "某县考核"
    assert [i.kind for i in rules.indicators] == ["contract_whole_period", "onsite_hours", "lectures"]
    assert rules.indicators[1].get("per") == "village" and rules.indicators[2].get("per") == "quarter"
    assert rules.grade_of(95).name == "优秀" and rules.grade_of(89.99).name == "一般"
    assert rules.grades[0].payment_per_village == 3500 and rules.pays


@pytest.mark.parametrize("old, new, key, needle", [
    # an unknown key in an indicator, in the sheet, at the top
    ('standard = 4\n', 'standard = 4\nweight = 2\n', "assess.e.unknown_key", "weight ="),
    ('total = 100\n', 'total = 100\nformula = "a+b"\n', "assess.e.unknown_key", "formula ="),
    ('[sheet]\n', 'python = "os.system(1)"\n[sheet]\n', "assess.e.unknown_key", "python ="),
    # an unknown indicator
    ('kind = "lectures"', 'kind = "login_minutes"', "assess.e.unknown_indicator", 'kind = "login_minutes"'),
    # a formula where a number belongs, and a number written as text
    ('standard = 4\n', 'standard = "4 * 2"\n', "assess.e.not_number", "standard ="),
    ('points = 30\n', 'points = "__import__(\'os\')"\n', "assess.e.not_number", "points = \"__import"),
    ('min = 90\n', 'min = "90"\n', "assess.e.not_number", 'min = "90"'),
    # huge, infinite, negative or not-a-number values
    ('standard = 4\n', 'standard = 1e308\n', "assess.e.range", "standard ="),
    ('standard = 4\n', 'standard = inf\n', "assess.e.range", "standard ="),
    ('standard = 4\n', 'standard = nan\n', "assess.e.range", "standard ="),
    ('at_least = 1\n', 'at_least = 99999999999999999999\n', "assess.e.range", "at_least ="),
    ('payment_per_village = 3500\n', 'payment_per_village = -1\n', "assess.e.range", "payment_per_village = -1"),
    ('at_least = 1\n', 'at_least = 1.5\n', "assess.e.integer", "at_least ="),
    ('at_least = 1\n', 'at_least = true\n', "assess.e.not_number", "at_least ="),
    # choices
    ('per = "village"', 'per = "everyone"', "assess.e.choice", 'per = "everyone"'),
    # missing fields
    ('standard = 4\n', '', "assess.e.missing", ("[[indicator]]", 2)),
    ('name = "某县考核"\n', '', "assess.e.missing", "[sheet]"),
    # points that do not add up
    ('points = 30\n', 'points = 25\n', "assess.e.sum", "total = 100"),
    # grades out of order, above the total, or without a floor
    ('min = 0\n', 'min = 95\n', "assess.e.grades", "min = 95"),
    ('min = 90\n', 'min = 120\n', "assess.e.grades", "min = 120"),
    ('min = 90\n', 'min = 1e9\n', "assess.e.range", "min = 1e9"),
    ('min = 0\n', 'min = 10\n', "assess.e.grade_floor", "min = 10"),
    # a name that is a control character or far too long
    ('name = "优秀"', 'name = "优\\u0000秀"', "assess.e.text", 'name = "优\\u0000'),
    ('name = "某县考核"', f'name = "{"长" * 200}"', "assess.e.text", 'name = "长'),
    # TOML that does not parse
    ('standard = 4\n', 'standard = = 4\n', "assess.e.syntax", "standard = = 4"),
])
def test_a_wrong_file_is_refused_with_its_line(old, new, key, needle):
    assert_refused_at_its_line(GOOD, old, new, key, needle)


def test_the_second_indicator_s_error_names_its_own_line():
    text = GOOD + '\n[[indicator]]\nkind = "onsite_months"\ndeduct = "2+2"\npoints = 0\n'
    error = refused(text)
    assert error.key == "assess.e.not_number" and error.line == line_of(text, 'deduct = "2+2"')


def test_an_oversized_file_is_refused_unread():
    text = GOOD + "#" * MAX_RULE_BYTES
    error = refused(text)
    assert error.key == "assess.e.too_big"


def test_deep_nesting_and_long_arrays_are_refused_in_bounded_time():
    deep = GOOD.replace("total = 100\n", "total = 100\nx = " + "[" * 20_000 + "]" * 20_000 + "\n")
    wide = GOOD + "\n" + "\n".join('[[indicator]]\nkind = "onsite_months"\npoints = 0' for _ in range(40))
    for text in (deep, wide):
        t0 = time.process_time()
        error = refused(text[:MAX_RULE_BYTES])
        assert time.process_time() - t0 < 5
        assert error.key in ("assess.e.syntax", "assess.e.unknown_key", "assess.e.too_many")
    assert refused(wide).key == "assess.e.too_many"


def test_bytes_that_are_not_utf8_are_refused():
    assert refused(GOOD.encode("gbk")).key == "assess.e.encoding"


def test_nothing_in_a_file_is_ever_evaluated(tmp_path):
    marker = tmp_path / "ran"
    text = GOOD.replace('standard = 4\n', f'standard = "__import__(\'pathlib\').Path(r\'{marker}\').touch() or 4"\n')
    refused(text)
    assert not marker.exists()


def test_a_rule_file_by_path_and_a_missing_one(tmp_path):
    path = tmp_path / "本县.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_rules(str(path)).source == "本县.toml"
    with pytest.raises(RuleError) as caught:
        load_rules(str(tmp_path / "none.toml"))
    assert caught.value.key == "assess.e.no_file"


def test_periods():
    june = Period.parse("2026-06")
    assert (june.start, june.end, june.months) == (dt.date(2026, 6, 1), dt.date(2026, 6, 30), (202606,))
    q2 = Period.parse("2026Q2")
    assert (q2.start, q2.end, q2.months) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30), (202604, 202605, 202606))
    year = Period.parse("2026")
    assert (year.start, year.end, len(year.months)) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31), 12)
    assert Period.parse("2024-02").end == dt.date(2024, 2, 29)
    from geo.assess.period import recent_periods
    assert [p.code for p in recent_periods("quarter", dt.date(2026, 11, 27), 3)] == ["2026Q3", "2026Q2", "2026Q1"]
    assert [p.code for p in recent_periods("month", dt.date(2026, 6, 30), 2)] == ["2026-06", "2026-05"]
    assert [p.code for p in recent_periods("year", dt.date(2026, 11, 27), 2)] == ["2025", "2024"]
    for bad in ("2026Q5", "2026-13", "26", "2026-06-01", "", "99999", "2026 Q2; rm -rf"):
        with pytest.raises(PeriodError):
            Period.parse(bad)


VILLAGERS = """\
[sheet]
name = "某县考核（含群众评价和公示牌）"
total = 100

[[indicator]]
kind = "onsite_months"
points = 80

[[indicator]]
kind = "satisfaction"
share = 80
satisfied_from = 4
min_answers = 5
no_data = "zero"
points = 15

[[indicator]]
kind = "signboard"
none = 5
outdated = 3
points = 5

[[grade]]
name = "合格"
min = 0
"""


def test_the_villagers_indicators_read_with_their_defaults():
    rules = parse_rules(VILLAGERS)
    satisfaction, board = rules.indicators[1], rules.indicators[2]
    assert (satisfaction.get("share"), satisfaction.get("satisfied_from"), satisfaction.get("min_answers"),
            satisfaction.get("no_data")) == (80.0, 4, 5, "zero")
    assert (board.get("none"), board.get("outdated"), board.points) == (5.0, 3.0, 5.0)
    bare = parse_rules(VILLAGERS.replace("satisfied_from = 4\nmin_answers = 5\nno_data = \"zero\"\n", ""))
    assert (bare.indicators[1].get("satisfied_from"), bare.indicators[1].get("min_answers"),
            bare.indicators[1].get("no_data")) == (4, 5, "full")


@pytest.mark.parametrize("old, new, key, needle", [
    ('share = 80\n', 'share = 150\n', "assess.e.range", "share = 150"),
    ('share = 80\n', 'share = "80%"\n', "assess.e.not_number", "share ="),
    ('share = 80\n', 'share = "count(*) > 3"\n', "assess.e.not_number", "share ="),
    ('share = 80\n', '', "assess.e.missing", ("[[indicator]]", 2)),
    ('satisfied_from = 4\n', 'satisfied_from = 6\n', "assess.e.range", "satisfied_from = 6"),
    ('satisfied_from = 4\n', 'satisfied_from = 3.5\n', "assess.e.integer", "satisfied_from = 3.5"),
    ('min_answers = 5\n', 'min_answers = 0\n', "assess.e.range", "min_answers = 0"),
    ('min_answers = 5\n', 'min_answers = 1e12\n', "assess.e.range", "min_answers = 1e12"),
    ('no_data = "zero"', 'no_data = "ask the mayor"', "assess.e.choice", "no_data ="),
    ('none = 5\n', 'none = 8\n', "assess.e.deduct_over", "none = 8"),
    ('outdated = 3\n', 'outdated = 5.5\n', "assess.e.deduct_over", "outdated = 5.5"),
    ('outdated = 3\n', 'outdated = -3\n', "assess.e.range", "outdated = -3"),
    ('outdated = 3\n', 'outdated = inf\n', "assess.e.range", "outdated = inf"),
    ('none = 5\n', '', "assess.e.missing", ("[[indicator]]", 3)),
    ('none = 5\n', 'none = 5\nmissing = 2\n', "assess.e.unknown_key", "missing = 2"),
])
def test_a_wrong_villagers_indicator_is_refused_with_its_line(old, new, key, needle):
    assert_refused_at_its_line(VILLAGERS, old, new, key, needle)
