"""The store: scopes, the 东莞 quirk, concurrent sessions, read-only opening."""
import datetime as dt
import threading

import pandas as pd
import pytest

from geo.core.codes import Scope
from geo.demo import ANCHOR
from geo.sources.national import national_registry
from geo.store import StoreError, open_store
from geo.store.trend import KeptTrend


def test_scope_limits_every_query(any_demo_store):
    county = any_demo_store.village_statuses(Scope.parse("610124"), ANCHOR)
    assert county["code"].str.startswith("610124").all() and len(county) > 0
    assert any_demo_store.totals(Scope.parse("610124"), ANCHOR).villages == len(county)
    with pytest.raises(StoreError):
        any_demo_store.check_scope(Scope.parse("619999"))


def test_places_without_a_county_level(new_store):
    store = new_store("dg")
    reg = national_registry()
    with store.transaction() as cur:
        store.load_registry(reg[reg["code"].str.startswith("44")], cur)
    dongguan = Scope.parse("441900")
    assert store.division("441900000000").name == "东莞市"
    assert store.child_level(dongguan) == 4                   # its townships, not a county that is itself
    towns = store.children(dongguan)
    assert len(towns) > 20 and towns["code"].str.startswith("4419").all()
    by_county = store.summary(Scope.parse("44"), ANCHOR, by="county").set_index("code")
    assert by_county.loc["441900000000", "name"] == "东莞市"
    assert by_county["villages"].sum() == store.totals(Scope.parse("44"), ANCHOR).villages
    assert store.scalar("SELECT parent FROM divisions WHERE code = 441900003000") == 441900000000


def test_jinmen_placeholder_is_not_a_village(new_store):
    store = new_store("fj")
    reg = national_registry()
    with store.transaction() as cur:
        store.load_registry(reg[reg["code"].str.startswith("3505")], cur)
    assert store.summary(Scope.parse("3505"), ANCHOR, by="county").query("code == '350527000000'").empty


def test_concurrent_sessions_read_while_an_import_writes(demo_db, tmp_path):
    """Streamlit runs each session in its own thread against one Store: nothing blocks or corrupts."""
    import shutil

    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, path)
    store = open_store(path)
    expected = store.summary(Scope.parse("61"), ANCHOR, by="city")
    errors, results = [], []

    def reader(k):
        try:
            for _ in range(8):
                day = ANCHOR - dt.timedelta(days=30 * (k % 3))
                s = store.summary(Scope.parse("61"), day, by="city")
                store.village_statuses(Scope.parse("610124"), day, statuses=["never"])
                if day == ANCHOR:
                    results.append(s.equals(expected))
        except Exception as e:  # pragma: no cover - the assertion below shows it
            errors.append(repr(e))

    def writer():
        try:
            for i in range(5):
                with store.transaction() as cur:
                    store.execute(cur, "INSERT INTO advisers (adviser_id, name) VALUES (?, '并发')", [900000 + i])
                    store.execute(cur, "INSERT INTO assignments (adviser_id, village, start_date) "
                                       "VALUES (?, 610124100201, DATE '2030-01-01')", [900000 + i])
        except Exception as e:  # pragma: no cover
            errors.append(repr(e))

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(6)] + [threading.Thread(target=writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors and results and all(results)
    assert store.scalar("SELECT count(*) FROM advisers WHERE name = '并发'") == 5
    store.close()


def test_read_only_store_refuses_a_missing_file(tmp_path):
    with pytest.raises(StoreError) as e:
        open_store(tmp_path / "missing.duckdb", read_only=True, create=False)
    assert "missing.duckdb" in str(e.value)


def test_service_data_begins_on_the_first_service_day(any_demo_store):
    """The day the summary names when the records begin later than the chosen date: from it on, and not the day
    before, the scope has service data; a county without logs has no such day."""
    for scope in (Scope.parse("610124"), Scope.parse("61")):
        first = any_demo_store.first_service_day(scope)
        assert first is not None and first <= ANCHOR
        assert not any_demo_store.totals(scope, first - dt.timedelta(days=1)).has_service_data
        assert any_demo_store.totals(scope, first).has_service_data
    # inside a county the county's day: whether there is service data is decided per county
    assert any_demo_store.first_service_day(Scope.parse("610124100")) == \
        any_demo_store.first_service_day(Scope.parse("610124"))
    assert any_demo_store.first_service_day(Scope.parse("11")) is None            # 北京: no record at all


def test_trend_is_month_ends_and_matches_totals(any_demo_store):
    trend = any_demo_store.trend(Scope.parse("610124"), ANCHOR, months=24)
    assert len(trend) == 24 and trend["month"].iloc[-1] == "2026-11"
    for row in trend.iloc[[0, 11, 23]].itertuples():
        assert row.covered == any_demo_store.totals(Scope.parse("610124"), row.as_of).covered


@pytest.mark.parametrize("digits", ["", "61", "6101", "610124", "610124106"])
def test_trend_by_contract_masks_is_the_trend_by_joining_days_and_contracts(any_demo_store, monkeypatch, digits):
    # whole counties read their kept counts (county_spans); counted from the contracts instead, 24 months take the
    # bit masks of Store._covered_days_cte and 70 months the plain join: the same months agree, all three
    scope = Scope.parse(digits) if digits else Scope("")
    kept = any_demo_store.trend(scope, ANCHOR, months=24)
    monkeypatch.setattr(any_demo_store, "_spans", False)
    masks = any_demo_store.trend(scope, ANCHOR, months=24)
    joined = any_demo_store.trend(scope, ANCHOR, months=70).tail(24).reset_index(drop=True)
    assert masks["covered"].sum() > 0
    pd.testing.assert_frame_equal(masks, joined)
    pd.testing.assert_frame_equal(kept, masks)


@pytest.mark.parametrize("digits", ["", "61", "610124"])
def test_trend_from_kept_days_is_the_trend(any_demo_store, digits):
    # the app keeps the trend's rows per day (ui.queries.q_trend): a later date queries only the days not kept
    scope, kept = Scope(digits), KeptTrend()
    for day in (ANCHOR, ANCHOR - dt.timedelta(days=9), ANCHOR - dt.timedelta(days=40), dt.date(2025, 3, 31),
                dt.date(2024, 1, 15)):      # before the first service record
        before = set(kept.rows)
        got = any_demo_store.trend_kept(scope, day, kept, months=24)
        pd.testing.assert_frame_equal(got, any_demo_store.trend(scope, day, months=24))
        assert set(kept.rows) - before == {d for d in got["as_of"].dt.date} - before
    assert len(kept.rows) < 5 * 24      # the month ends the dates share were not asked for again
    long = any_demo_store.trend(scope, ANCHOR, months=60)
    assert kept.first_day is not None and long["has_service_data"].any() and not long["has_service_data"].all()
    assert long["has_service_data"].tolist() == [kept.first_day <= d for d in long["as_of"].dt.date]
    some = any_demo_store.trend_at(scope, [ANCHOR, dt.date(2026, 1, 31)])
    pd.testing.assert_frame_equal(some, any_demo_store.trend(scope, ANCHOR).iloc[[13, 23]].reset_index(drop=True))


def test_no_two_parts_of_the_store_define_the_same_name():
    """The store is one class made of topic mixins (geo/store/<topic>.py): a name defined twice would make one
    of them silently call the other's method."""
    from collections import Counter

    from geo.store import Store

    parts = [c for c in Store.__mro__ if c.__module__.startswith("geo.store")]
    names = Counter(k for c in parts for k in vars(c) if not k.startswith("__") and k != "_abc_impl")
    assert [k for k, n in names.items() if n > 1] == []
