"""The rule of effective service (geo.core.service_rule) and its SQL form in the store, on both backends: hand-built
villages around the window's edges, remote-only and lapsed villages, an adviser on several villages, units
without service records, and a generated county log against the pandas oracle."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geo.core.codes import Scope
from geo.core.coverage import Status
from geo.core.service_rule import (
    DEFAULT_SERVICE,
    Record,
    ServiceSettings,
    ServiceSettingsError,
    ServiceStatus,
    is_served,
    last_counting_day,
    meets_hours_standard,
    onsite_hours_in_month,
    village_service_status,
)
from geo.sources.national import national_registry
from geo.testing import SERVED_COLUMNS, pandas_served_summary

D = dt.date(2026, 11, 27)
FIRST = D - dt.timedelta(days=89)      # 2026-08-30, the window's first day
BEFORE = D - dt.timedelta(days=90)     # 2026-08-29, just outside


def days(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


# ------------------------------------------------------------------------------------------ the Python rule

@pytest.mark.parametrize("status, records, expected", [
    (Status.COVERED, [Record(FIRST, "onsite")], ServiceStatus.SERVED),
    (Status.COVERED, [Record(D, "onsite")], ServiceStatus.SERVED),
    (Status.EXPIRING, [Record(D, "onsite")], ServiceStatus.SERVED),
    (Status.COVERED, [Record(BEFORE, "onsite")], ServiceStatus.NOMINAL),
    (Status.COVERED, [Record(D, "remote"), Record(FIRST, "other")], ServiceStatus.NOMINAL),
    (Status.COVERED, [Record(days(1), "onsite")], ServiceStatus.NOMINAL),        # not known on D
    (Status.COVERED, [], ServiceStatus.NOMINAL),
    (Status.LAPSED, [Record(D, "onsite")], ServiceStatus.LAPSED),
    (Status.NEVER, [Record(D, "onsite")], ServiceStatus.NEVER),
], ids=["first-day", "last-day", "expiring", "day-before-window", "remote-only", "after-the-date", "no-record",
        "lapsed-with-visits", "never-with-visits"])
def test_village_service_status(status, records, expected):
    assert village_service_status(status, records, D) is expected


def test_a_county_without_records_has_no_data_not_nominal():
    assert village_service_status(Status.COVERED, [], D, county_has_records=False) is ServiceStatus.NO_DATA
    assert village_service_status(Status.LAPSED, [], D, county_has_records=False) is ServiceStatus.LAPSED


@pytest.mark.parametrize("settings, records, served", [
    (ServiceSettings(window_days=91), [Record(BEFORE, "onsite")], True),
    (ServiceSettings(window_days=1), [Record(D, "onsite")], True),
    (ServiceSettings(window_days=1), [Record(days(-1), "onsite")], False),
    (ServiceSettings(counting_modes=("onsite", "remote")), [Record(D, "remote")], True),
    (ServiceSettings(counting_modes=("remote",)), [Record(D, "onsite")], False),
])
def test_the_window_and_the_modes_are_settings(settings, records, served):
    assert is_served(Status.COVERED, records, D, settings) is served


@pytest.mark.parametrize("kwargs", [{"window_days": 0}, {"counting_modes": ()}, {"counting_modes": ("visit",)}])
def test_settings_refuse_what_no_rule_can_use(kwargs):
    with pytest.raises(ServiceSettingsError):
        ServiceSettings(**kwargs)


@pytest.mark.parametrize("records, hours, meets", [
    ([Record(dt.date(2026, 11, 1), "onsite", 2.0), Record(dt.date(2026, 11, 27), "onsite", 2.0)], 4.0, True),
    ([Record(dt.date(2026, 11, 1), "onsite", 3.5), Record(dt.date(2026, 10, 31), "onsite", 8.0)], 3.5, False),
    ([Record(dt.date(2026, 11, 2), "remote", 6.0), Record(dt.date(2026, 11, 3), "onsite", None)], 0.0, False),
    ([Record(dt.date(2026, 11, 28), "onsite", 8.0)], 0.0, False),                 # after the date
], ids=["two-visits-reach-4", "last-month-not-counted", "remote-and-no-hours", "after-the-date"])
def test_onsite_hours_of_the_month(records, hours, meets):
    assert onsite_hours_in_month(records, D) == hours
    assert meets_hours_standard(hours) is meets


def test_last_counting_day_ignores_remote_and_later_records():
    records = [Record(days(-5), "onsite"), Record(days(-1), "remote"), Record(days(2), "onsite")]
    assert last_counting_day(records, D) == days(-5)
    assert last_counting_day([Record(D, "remote")], D) is None


# ------------------------------------------------------------------------------------- the store, hand-built

REGISTRY = pd.DataFrame(
    [("610000000000", "陕西省", 1), ("610100000000", "西安市", 2), ("610124000000", "周至县", 3),
     ("610124100000", "哑柏镇", 4), ("610124100201", "东村", 5), ("610124100202", "西村", 5),
     ("610124100203", "南村", 5),
     ("610124101000", "终南镇", 4), ("610124101001", "终南社区", 5), ("610124101002", "北村", 5),
     ("610124102000", "楼观镇", 4), ("610124102001", "楼观村", 5),
     ("610125000000", "鄠邑区", 3), ("610125001000", "甘亭街道", 4), ("610125001001", "甘亭村", 5)],
    columns=["code", "name", "level"])
OPEN = None
CONTRACTS = [  # adviser, village, start, end
    (1, "610124100201", dt.date(2025, 1, 1), OPEN),          # 东村: on site on the window's first day
    (1, "610124101001", dt.date(2025, 1, 1), OPEN),          # 终南社区: on site on D (the same adviser)
    (2, "610124100202", dt.date(2025, 1, 1), OPEN),          # 西村: on site the day before, then by phone
    (3, "610124100203", dt.date(2024, 1, 1), dt.date(2026, 6, 30)),   # 南村: lapsed, still visited
    (4, "610124102001", dt.date(2025, 1, 1), OPEN),          # 楼观村: never visited, county has records
    (5, "610125001001", dt.date(2025, 1, 1), OPEN),          # 甘亭村: a county without any record
]
RECORDS = [  # adviser, village, day, mode, hours
    (1, "610124100201", FIRST, "onsite", 2.0),
    (1, "610124101001", dt.date(2026, 11, 2), "onsite", 1.5),
    (1, "610124101001", D, "onsite", 3.0),
    (2, "610124100202", BEFORE, "onsite", 4.0),
    (2, "610124100202", D, "remote", 1.0),
    (2, "610124100202", days(1), "onsite", 8.0),              # after the date: not known on D
    (3, "610124100203", days(-10), "onsite", 2.0),
]
EXPECTED_STATUS = {"610124100201": "served", "610124100202": "nominal", "610124100203": "lapsed",
                   "610124101001": "served", "610124101002": "never", "610124102001": "nominal",
                   "610125001001": "no_data"}


def services_frame(rows, batch_id=None) -> pd.DataFrame:
    return pd.DataFrame({"adviser_id": [r[0] for r in rows], "village": [r[1] for r in rows],
                         "service_date": [r[2] for r in rows], "mode": [r[3] for r in rows],
                         "category": "法律咨询", "hours": [r[4] for r in rows], "people": 1,
                         "content": "到村服务", "batch_id": batch_id})


@pytest.fixture
def county_store(new_store):
    store = new_store("services")
    with store.transaction() as cur:
        store.load_registry(REGISTRY, cur)
        store.add_advisers(cur, pd.DataFrame({"adviser_id": [1, 2, 3, 4, 5],
                                              "name": ["甲", "乙", "丙", "丁", "戊"]}))
        store.add_assignments(cur, pd.DataFrame({
            "adviser_id": [c[0] for c in CONTRACTS], "village": [c[1] for c in CONTRACTS],
            "start_date": [c[2] for c in CONTRACTS], "end_date": [c[3] for c in CONTRACTS], "batch_id": None}))
        batch = store.new_batch(cur, "services", "台账.xlsx")
        store.add_services(cur, services_frame(RECORDS, batch))
    store.services_batch = batch
    return store


def test_village_statuses_say_served_nominal_lapsed_never_and_no_data(county_store):
    df = county_store.village_statuses(Scope.parse("6101"), D).set_index("code")
    assert df["service_status"].to_dict() == {k: v for k, v in EXPECTED_STATUS.items() if v}
    assert df.at["610124100201", "last_onsite"] == pd.Timestamp(FIRST)
    assert df.at["610124100202", "last_onsite"] == pd.Timestamp(BEFORE)     # the phone call is not on site
    assert pd.isna(df.at["610124102001", "last_onsite"])


def test_the_store_agrees_with_the_python_rule(county_store):
    contracts = pd.DataFrame(CONTRACTS, columns=["adviser", "village", "start", "end"])
    df = county_store.village_statuses(Scope.parse("6101"), D).set_index("code")
    for code, row in df.iterrows():
        status = Status(row["status"])
        records = [Record(day, mode) for _, village, day, mode, _ in RECORDS if village == code]
        county_has = any(v[:6] == code[:6] and day <= D for _, v, day, _, _ in RECORDS)
        assert row["service_status"] == village_service_status(status, records, D,
                                                               county_has_records=county_has).value, code
    assert set(contracts["village"]) <= set(df.index)


def test_a_township_without_records_in_a_county_with_records_is_nominal(county_store):
    df = county_store.village_statuses(Scope.parse("610124102"), D)
    assert df["service_status"].tolist() == ["nominal"]
    same = county_store.village_statuses(Scope.parse("610124"), D, township="610124102000")
    assert same["service_status"].tolist() == ["nominal"]
    assert county_store.totals(Scope.parse("610124102"), D).nominal == 1


def test_summary_counts_served_nominal_and_marks_units_without_records(county_store):
    by_county = county_store.summary(Scope.parse("6101"), D, by="county").set_index("code")
    zhouzhi, huyi = by_county.loc["610124000000"], by_county.loc["610125000000"]
    assert (zhouzhi["villages"], zhouzhi["covered"], zhouzhi["served"], zhouzhi["nominal"]) == (6, 4, 2, 2)
    assert zhouzhi["served_rate"] == pytest.approx(2 / 6)
    assert zhouzhi["in_recorded_counties"] == 5 and zhouzhi["has_service_data"]
    assert (huyi["covered"], huyi["served"], huyi["nominal"], huyi["has_service_data"]) == (1, 0, 0, False)
    towns = county_store.summary(Scope.parse("610124"), D, by="township").set_index("code")
    assert towns[["served", "nominal", "has_service_data"]].to_dict("index") == {
        "610124100000": {"served": 1, "nominal": 1, "has_service_data": True},
        "610124101000": {"served": 1, "nominal": 0, "has_service_data": True},
        # no record of its own, but its county keeps logs: its village is nominal, the township has data
        "610124102000": {"served": 0, "nominal": 1, "has_service_data": True}}


def test_a_county_s_served_figures_are_the_same_read_from_its_city_and_its_province(county_store):
    # a city's counties are counted per unit (PostgreSQL reads each county's range of served spans from its index),
    # a province's by one grouping of all its spans (more units than a probe each is worth): the figures agree
    cols = ["villages", "covered", "served", "nominal", "in_recorded_counties"]
    from_city = county_store.summary(Scope.parse("6101"), D, by="county").set_index("code")[cols]
    from_province = county_store.summary(Scope.parse("61"), D, by="county").set_index("code")[cols]
    assert from_city.loc["610124000000", "served"] == 2
    pd.testing.assert_frame_equal(from_province.loc[from_city.index], from_city)
    by_city = county_store.summary(Scope.parse("61"), D, by="city").set_index("code")
    assert by_city.loc["610100000000", "served"] == from_city["served"].sum()


def test_totals_carry_the_effective_figures(county_store):
    totals = county_store.totals(Scope.parse("6101"), D)
    assert (totals.villages, totals.covered, totals.served, totals.nominal) == (7, 5, 2, 2)
    assert totals.in_recorded_counties == 5                  # 周至县's villages with a contract, 南村 included
    assert totals.served_rate == pytest.approx(2 / 7)
    assert totals.rate_gap == pytest.approx(5 / 7 - 2 / 7)
    assert not county_store.totals(Scope.parse("610125"), D).has_service_data


@pytest.mark.parametrize("settings, served", [
    (ServiceSettings(window_days=91), {"610124100201", "610124101001", "610124100202"}),
    (ServiceSettings(window_days=1), {"610124101001"}),
    (ServiceSettings(counting_modes=("onsite", "remote")), {"610124100201", "610124101001", "610124100202"}),
    (ServiceSettings(counting_modes=("remote",)), {"610124100202"}),
])
def test_window_and_modes_reach_the_store(county_store, settings, served):
    df = county_store.village_statuses(Scope.parse("6101"), D, service=settings)
    assert set(df.loc[df["service_status"] == "served", "code"]) == served
    assert county_store.totals(Scope.parse("6101"), D, service=settings).served == len(served)


def test_nominal_is_a_status_a_list_can_ask_for(county_store):
    df = county_store.village_statuses(Scope.parse("6101"), D, statuses=["nominal"])
    assert df["code"].tolist() == ["610124100202", "610124102001"]
    assert df["advisers"].tolist() == ["乙", "丁"]
    both = county_store.village_statuses(Scope.parse("6101"), D, statuses=["nominal", "never"])
    assert both["code"].tolist() == ["610124100202", "610124101002", "610124102001"]


def test_trend_has_the_served_line(county_store):
    df = county_store.trend(Scope.parse("610124"), D, months=6)
    # June, July: nothing yet; August to October: 西村 (08-29) and 东村 (08-30); November 27: 东村 and 终南社区
    assert df["served"].tolist() == [0, 0, 2, 2, 2, 2]
    assert df["served_rate"].iloc[-1] == pytest.approx(2 / 6)
    assert df["has_service_data"].tolist() == [False, False, True, True, True, True]
    assert df["covered"].tolist() == [5, 4, 4, 4, 4, 4]          # 南村's contract ended on June 30
    early = county_store.trend(Scope.parse("610124"), dt.date(2026, 7, 31), months=2)
    assert early["has_service_data"].tolist() == [False, False] and early["served"].tolist() == [0, 0]


def test_adviser_service_stats(county_store):
    df = county_store.adviser_service_stats(Scope.parse("6101"), D).set_index("adviser_id")
    assert df.index.tolist() == [1, 2, 3, 4, 5]
    assert df.loc[1, "onsite_hours_month"] == 4.5 and df.loc[1, "meets_hours_standard"]     # two villages
    assert df.loc[1, "last_onsite"] == pd.Timestamp(D)
    assert df.loc[2, "onsite_hours_month"] == 0 and not df.loc[2, "meets_hours_standard"]
    assert (df.loc[2, "records_window"], df.loc[2, "onsite_records_window"]) == (1, 0)      # the phone call
    assert df.loc[2, "last_onsite"] == pd.Timestamp(BEFORE)
    assert df.loc[3, "records_window"] == 1                  # lapsed contract, still active on the ground
    assert df.loc[4, "records_window"] == 0 and pd.isna(df.loc[4, "last_onsite"])
    strict = county_store.adviser_service_stats(Scope.parse("6101"), D, ServiceSettings(hours_standard=5))
    assert not strict.set_index("adviser_id").loc[1, "meets_hours_standard"]
    only_huyi = county_store.adviser_service_stats(Scope.parse("610125"), D)
    assert only_huyi["adviser_id"].tolist() == [5]


def test_service_days_follow_every_write(county_store):
    scope = Scope.parse("6101")
    with county_store.transaction() as cur:
        county_store.add_services(cur, services_frame([(4, "610124102001", days(-3), "onsite", 2.0)]))
    assert county_store.totals(scope, D).served == 3
    with county_store.transaction() as cur:
        county_store.rollback_services(cur, county_store.services_batch)
    after = county_store.totals(scope, D)
    assert (after.served, after.nominal) == (1, 3)           # only the record added above is left
    assert county_store.village_statuses(scope, D).set_index("code").at["610124100201", "service_status"] \
        == "nominal"


def test_the_derived_days_and_the_records_give_the_same_answers(county_store):
    reads = [lambda s: s.summary(Scope.parse("6101"), D, by="township"),
             lambda s: s.village_statuses(Scope.parse("610124101"), D),
             lambda s: s.trend(Scope.parse("6101"), D, months=5)]
    derived = [read(county_store) for read in reads]
    county_store._service_days = False          # a read-only store written before service_days
    for read, expected in zip(reads, derived):
        pd.testing.assert_frame_equal(read(county_store), expected)


# -------------------------------------------------------------------------------- a generated county log

COUNTY = "610124"


def generated_log(seed: int = 7):
    """Every village of 周至县 with random contracts and a random year of records of every mode."""
    rng = np.random.default_rng(seed)
    reg = national_registry()
    reg = reg[reg["code"].str.startswith(COUNTY[:4])].reset_index(drop=True)
    villages = reg.loc[(reg["level"] == 5) & reg["code"].str.startswith(COUNTY), "code"].to_numpy()
    n = len(villages)
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    end = start + pd.to_timedelta(rng.integers(100, 900, n), unit="D")
    contracts = pd.DataFrame({"adviser_id": np.arange(n) % 40 + 1, "village": villages, "start_date": start,
                              "end_date": end.where(rng.random(n) < 0.7)})
    contracts = contracts[rng.random(n) < 0.9]
    k = n * 6
    services = pd.DataFrame({
        "adviser_id": rng.integers(1, 41, k), "village": rng.choice(villages[: int(n * 0.8)], k),
        "service_date": pd.Timestamp("2025-12-01") + pd.to_timedelta(rng.integers(0, 362, k), unit="D"),
        "mode": rng.choice(["onsite", "onsite", "remote", "other"], k), "category": None,
        "hours": rng.choice([0.5, 1.0, 2.0, 4.0], k), "people": 1, "content": None, "batch_id": None})
    return reg, contracts, services


@pytest.mark.parametrize("as_of, window, modes", [
    (D, 90, ("onsite",)), (dt.date(2026, 3, 15), 30, ("onsite",)), (D, 60, ("onsite", "remote"))])
def test_generated_county_log_matches_the_pandas_oracle(new_store, as_of, window, modes):
    reg, contracts, services = generated_log()
    store = new_store("log")
    with store.transaction() as cur:
        store.load_registry(reg, cur)
        store.add_advisers(cur, pd.DataFrame({"adviser_id": range(1, 41), "name": [f"顾问{i}" for i in range(40)]}))
        store.add_assignments(cur, contracts.assign(batch_id=None))
        store.add_services(cur, services)
    settings = ServiceSettings(window_days=window, counting_modes=modes)
    got = store.summary(Scope.parse(COUNTY), as_of, by="township", service=settings)
    expected = pandas_served_summary(reg, contracts, services, as_of, level=4, window_days=window,
                                     counting_modes=modes)
    expected = expected[expected["code"].str.startswith(COUNTY)].reset_index(drop=True)
    pd.testing.assert_frame_equal(got[SERVED_COLUMNS].reset_index(drop=True), expected, check_dtype=False)
    assert got["served"].sum() > 0 and got["nominal"].sum() > 0
    totals = store.totals(Scope.parse(COUNTY), as_of, service=settings)
    assert (totals.served, totals.nominal) == (expected["served"].sum(), expected["nominal"].sum())


def test_default_settings_are_the_issues():
    assert (DEFAULT_SERVICE.window_days, DEFAULT_SERVICE.counting_modes, DEFAULT_SERVICE.hours_standard) == \
        (90, ("onsite",), 4.0)
    assert DEFAULT_SERVICE.window(D) == (FIRST, D)


# ------------------------------------------------------------------------------------------------------ CLI

def test_cli_summary_and_nominal_export(county_store, backend, tmp_path, capsys):
    import csv
    import json

    from geo.cli import main

    if backend != "duckdb":
        pytest.skip("the command line reads the same store either way; one backend is enough")
    target = county_store.target
    county_store.close()
    assert main(["summary", "--db", target, "--scope", "6101", "--as-of", D.isoformat(), "--by", "county"]) == 0
    rows = {r["code"]: r for r in json.loads(capsys.readouterr().out)}
    assert {k: rows["610124000000"][k] for k in ("served", "nominal", "served_rate", "has_service_data")} == {
        "served": 2, "nominal": 2, "served_rate": round(2 / 6, 6), "has_service_data": True}
    assert rows["610125000000"]["has_service_data"] is False
    assert main(["summary", "--db", target, "--scope", "6101", "--as-of", D.isoformat(), "--by", "county",
                 "--window-days", "91"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["served"] == 3            # 西村's visit on D-90 now counts
    out = tmp_path / "挂名.csv"
    assert main(["export", "--db", target, "--scope", "6101", "--as-of", D.isoformat(), "--status", "nominal",
                 "-o", str(out)]) == 0
    table = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["区划代码"], r["法律顾问"], r["最近到村服务"]) for r in table] == [
        ("610124100202", "乙", BEFORE.isoformat()), ("610124102001", "丁", "")]
    assert main(["summary", "--db", target, "--window-days", "0"]) == 2
