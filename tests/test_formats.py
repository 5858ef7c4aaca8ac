"""One formatter per fact: counts, rates, dates, contract periods, lists of names, the figures line."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geo.core.coverage import Counts
from geo.text.catalogue import t
from geo.text.formats import aside, contract_end, count, day, figures_values, name_list, pct, period_text


@pytest.mark.parametrize("n, text", [(0, "0"), (7, "7"), (1234, "1,234"), (620572, "620,572"),
                                     (np.int64(20356), "20,356")])
def test_count(n, text):
    assert count(n) == text


@pytest.mark.parametrize("rate, text", [(0.0, "0.0%"), (1.0, "100.0%"), (0.9876, "98.8%"), (0.031, "3.1%"),
                                        (2 / 3, "66.7%"), (0.99949, "99.9%")])
def test_pct(rate, text):
    assert pct(rate) == text


@pytest.mark.parametrize("value", [dt.date(2026, 9, 1), dt.datetime(2026, 9, 1, 13, 5),
                                   pd.Timestamp("2026-09-01"), "2026-09-01", np.datetime64("2026-09-01")])
def test_day_in_any_form(value):
    assert day(value) == "2026-09-01"


OPEN = {"zh": "长期", "en": "open-ended"}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("start, end, expected", [
    (dt.date(2026, 9, 1), dt.date(2028, 8, 31), "2026-09-01 ~ 2028-08-31"),
    (pd.Timestamp("2026-09-01"), pd.NaT, "2026-09-01 ~ {open}"),
    ("2026-09-01", None, "2026-09-01 ~ {open}"),
    (pd.Timestamp("2026-09-01"), float("nan"), "2026-09-01 ~ {open}"),
    (None, None, ""), (pd.NaT, pd.Timestamp("2028-08-31"), ""),            # no contract: no period
])
def test_period_text(start, end, expected, lang):
    assert t("open_ended", lang) == OPEN[lang]
    assert period_text(start, end, lang) == expected.format(open=OPEN[lang])


@pytest.mark.parametrize("end, expected", [(pd.NaT, "长期"), (None, "长期"), (dt.date(2027, 12, 31), "2027-12-31")])
def test_contract_end(end, expected):
    assert contract_end(end, "zh") == expected


@pytest.mark.parametrize("names, lang, expected", [
    (["甲村", "乙村"], "zh", "甲村、乙村"), (["A", "B", "C"], "en", "A, B, C"), ([], "zh", ""),
    ([f"村{i}" for i in range(12)], "zh", "、".join(f"村{i}" for i in range(12))),
    ([f"村{i}" for i in range(13)], "zh", "、".join(f"村{i}" for i in range(12)) + "…"),
])
def test_name_list_shows_twelve_names_then_an_ellipsis(names, lang, expected):
    assert name_list(names, lang) == expected


@pytest.mark.parametrize("parts, lang, expected", [
    (["已覆盖 3", "从未配备 2"], "zh", "（已覆盖 3，从未配备 2）"),
    (["covered 3", "never 2"], "en", " (covered 3, never 2)")])
def test_aside(parts, lang, expected):
    assert aside(parts, lang) == expected


def test_figures_values_fill_the_figures_line():
    values = figures_values(Counts(villages=20356, covered=18001, expiring=120, lapsed=1500))
    assert values == {"villages": "20,356", "covered": "18,001", "rate": "88.4%", "expiring": "120",
                      "lapsed": "1,500", "never": "855"}
    assert t("figures", "en", name="陕西省", **values) == \
        "陕西省: 20,356 villages, 18,001 covered (88.4%); 120 expiring, 1,500 lapsed, 855 never covered."
