"""The gap list's rules: the statuses offered and shown by default, the tally above the list, its pages and its
count by unit."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.auth.access import OPEN, Principal, Role
from geo.core.codes import Scope
from geo.views.gap_list import (
    DEFAULT_STATUSES,
    PAGE_ROWS,
    STATUSES,
    VILLAGE_COLUMNS,
    by_unit,
    by_unit_of_counts,
    export_record,
    listed,
    listed_status,
    listed_statuses,
    page_count,
    page_rows,
    status_tally,
    tally_of_counts,
)


def test_statuses_offered_and_shown_by_default():
    assert STATUSES == ("covered", "expiring", "lapsed", "never", "nominal")
    assert DEFAULT_STATUSES == ("lapsed", "expiring", "never")     # every village that needs action


@pytest.mark.parametrize("statuses, tally", [
    (["never", "lapsed", "never", "expiring"], [("expiring", 1), ("lapsed", 1), ("never", 2)]),
    (pd.Series(["lapsed"] * 3 + ["covered"]), [("covered", 1), ("lapsed", 3)]),
    ([], []),
])
def test_status_tally_in_list_order(statuses, tally):
    assert status_tally(statuses) == tally


@pytest.mark.parametrize("status, service_status, selected, listed", [
    ("covered", "nominal", ["nominal"], "nominal"),
    ("expiring", "nominal", ["expiring", "nominal"], "nominal"),
    ("expiring", "nominal", ["expiring"], "expiring"),
    ("covered", "served", ["covered", "nominal"], "covered"),
    ("lapsed", "lapsed", ["lapsed", "nominal"], "lapsed"),
])
def test_a_nominal_village_is_tallied_as_nominal_when_asked_for(status, service_status, selected, listed):
    assert listed_status(status, service_status, selected) == listed


def test_status_tally_of_the_demo_county(demo_store):
    from geo.core.codes import Scope
    from geo.demo import ANCHOR

    villages = demo_store.village_statuses(Scope.parse("610124"), ANCHOR, statuses=list(DEFAULT_STATUSES))
    tally = status_tally(villages["status"])
    assert dict(tally) == villages["status"].value_counts().to_dict()
    assert [s for s, _ in tally] == [s for s in STATUSES if s in set(villages["status"])]


@pytest.mark.parametrize("rows, size, pages", [(0, 100, 1), (1, 100, 1), (100, 100, 1), (101, 100, 2),
                                               (602_283, 100, 6023)])
def test_page_count(rows, size, pages):
    assert page_count(rows, size) == pages


def test_pages_cover_every_row_once_and_clamp():
    rows = 2 * PAGE_ROWS + 7
    seen = [i for p in range(1, page_count(rows) + 1) for i in range(rows)[page_rows(rows, p)]]
    assert seen == list(range(rows))
    assert page_rows(rows, 0) == page_rows(rows, 1) == slice(0, PAGE_ROWS)
    assert page_rows(rows, 99) == slice(2 * PAGE_ROWS, rows)
    assert page_rows(0, 1) == slice(0, 0)


@pytest.fixture(scope="module")
def province_list(demo_db):
    from geo.core.codes import Scope
    from geo.demo import ANCHOR
    from geo.store import open_store

    with open_store(demo_db, read_only=True) as store:
        return store.village_statuses(Scope.parse("61"), ANCHOR, statuses=[*DEFAULT_STATUSES, "nominal"])


@pytest.mark.parametrize("selected", [list(DEFAULT_STATUSES), [*DEFAULT_STATUSES, "nominal"], ["nominal"]])
def test_listed_statuses_are_listed_status_of_every_row(province_list, selected):
    one_by_one = [listed_status(s, v, selected) for s, v in zip(province_list["status"],
                                                                province_list["service_status"])]
    assert listed_statuses(province_list, selected).tolist() == one_by_one


@pytest.mark.parametrize("level, digits", [(2, 4), (3, 6)])
def test_by_unit_counts_each_village_once_under_its_unit(province_list, level, digits):
    selected = [*DEFAULT_STATUSES, "nominal"]
    units = by_unit(province_list, level, selected)
    assert units["villages"].sum() == len(province_list)
    assert units["villages"].is_monotonic_decreasing
    listed = listed_statuses(province_list, selected)
    for row in units.head(3).itertuples(index=False):
        mine = listed[province_list["code"].str[:digits] == row.code[:digits]]
        assert row.code.endswith("0" * (12 - digits)) and row.villages == len(mine)
        assert {s: getattr(row, s) for s in units.columns[2:]} == {s: int((mine == s).sum()) for s in units.columns[2:]}


def test_one_list_and_one_audit_row_for_the_cli_and_the_page():
    """The rows a user may have (their jurisdiction, phones only for who may see them) and the audit detail of
    their download are built in one place, whoever asks (geo.cli's export, pages/gaps.py)."""
    rows = pd.DataFrame([["610124100201", "东村", "哑柏镇", "never", None, None, "13900000001", None, "none", None]],
                        columns=VILLAGE_COLUMNS)
    nobody = Principal(None, "", Role.VIEWER, Scope("610124"))          # logged in as nobody: no phones
    gap = listed(nobody, Scope("61"), "2026-06-01", ["never"], None, rows)
    assert gap.scope == Scope("610124") and gap.narrowed and "phones" not in gap.villages.columns
    assert export_record(gap, "gap_list", "csv") == {
        "what": "gap_list", "format": "csv", "as_of": dt.date(2026, 6, 1), "statuses": ["never"], "township": None,
        "rows": 1, "contacts": False}
    assert "phones" in listed(OPEN, Scope("61"), "2026-06-01", ["never"], None, rows).villages.columns


GAP_ASKS = [(list(DEFAULT_STATUSES), None), ([*DEFAULT_STATUSES, "nominal"], None), (["nominal"], None),
            (["covered"], None), (list(DEFAULT_STATUSES), "610124100000")]


@pytest.mark.parametrize("statuses, township", GAP_ASKS)
@pytest.mark.parametrize("digits, by", [("", 1), ("61", 2), ("6101", 3), ("610124", None)])
def test_counted_list_is_the_list_counted(any_demo_store, digits, by, statuses, township):
    """The page counts the list in the store (Store.village_status_counts) and reads one page of rows
    (village_statuses' `rows`): the same figures as the whole list read and counted with pandas."""
    from geo.core.codes import LEVEL_ENDS, Scope
    from geo.demo import ANCHOR

    scope = Scope(digits)
    if township and not township.startswith(digits):
        return
    by = None if township else by
    every = any_demo_store.village_statuses(scope, ANCHOR, statuses=statuses, township=township)
    counts = any_demo_store.village_status_counts(scope, ANCHOR, statuses=statuses, township=township, by=by)
    assert int(counts["villages"].sum()) == len(every)
    assert tally_of_counts(counts, statuses) == status_tally(listed_statuses(every, statuses))
    expected = (every.assign(code=every["code"].str[:LEVEL_ENDS[by - 1]].str.ljust(12, "0")) if by
                else every.assign(code=scope.code))
    grouped = (expected.groupby(["code", "status", "service_status"]).size().rename("villages").reset_index()
               if len(every) else counts.iloc[0:0])
    pd.testing.assert_frame_equal(counts.reset_index(drop=True), grouped.astype({"villages": "int64"}),
                                  check_dtype=False)
    if by and len(every):
        pd.testing.assert_frame_equal(by_unit_of_counts(counts, statuses), by_unit(every, by, statuses),
                                      check_names=False)
    for first, stop in ((0, 100), (100, 200), (max(0, len(every) - 3), len(every) + 50)):
        page = any_demo_store.village_statuses(scope, ANCHOR, statuses=statuses, township=township,
                                               rows=slice(first, stop))
        if first >= len(every):
            assert page.empty
        else:
            pd.testing.assert_frame_equal(page, every.iloc[first:stop].reset_index(drop=True))
