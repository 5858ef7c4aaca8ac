"""No data is decided once, per county (geo.core.coverage): a county's figures are the same whichever level they are
read from, on both backends and by an independent pandas oracle; a county without data is no data at every
level and leaves the national gap list, which says how many counties and villages it left out."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.auth.access import OPEN
from geo.core.codes import Scope
from geo.core.coverage import NO_DATA, counted_villages
from geo.demo import ANCHOR
from geo.planning import plan_gaps
from geo.sources.national import national_registry
from geo.testing import pandas_summary
from geo.views.gap_list import DEFAULT_STATUSES, gap_list, no_data_counties

SHAANXI = Scope.parse("61")
#: the demo's anchor, when every county of 陕西 has contracts, and a day when only some had started
DAYS = (ANCHOR, dt.date(2018, 6, 15))
FIGURES = ["villages", "covered", "expiring", "lapsed", "never", "coverage_rate", "has_data"]


def figures(row) -> tuple:
    return (int(row["villages"]), int(row["covered"]), int(row["expiring"]), int(row["lapsed"]),
            int(row["never"]), round(float(row["coverage_rate"]), 12), bool(row["has_data"]))


def total(table: pd.DataFrame) -> tuple:
    """One county's figures as the total of its township (or village) rows."""
    v, c, e, lapsed = (int(table[k].sum()) for k in ("villages", "covered", "expiring", "lapsed"))
    return (v, c, e, lapsed, v - c - lapsed, round(c / v, 12) if v else 0.0, bool(table["has_data"].any()))


def by_county(table: pd.DataFrame) -> dict[str, tuple]:
    return {code[:6]: figures(row) for code, (_, row) in zip(table["code"], table.iterrows())
            if code.startswith("61")}


def from_villages(villages: pd.DataFrame) -> dict[str, tuple]:
    """Each county's figures from its villages' statuses (Store.village_statuses)."""
    out = {}
    for county, part in villages.groupby(villages["code"].str[:6]):
        s = part["status"]
        n, c, lapsed = len(part), int(s.isin(["covered", "expiring"]).sum()), int((s == "lapsed").sum())
        data = bool((s != NO_DATA).any())
        out[county] = (n, c, int((s == "expiring").sum()), lapsed, n - c - lapsed, round(c / n, 12), data)
    return out


@pytest.mark.parametrize("day", DAYS, ids=["anchor", "2018"])
def test_a_county_reads_the_same_at_every_level(any_demo_store, day):
    store = any_demo_store
    registry = national_registry()
    raw = store.query("SELECT village, start_date, end_date FROM assignments")
    raw["village"] = raw["village"].map("{:012d}".format)
    oracle = by_county(pandas_summary(registry[registry["code"].str.startswith("61")], raw, day, 3))
    readings = {
        "country": by_county(store.summary(Scope(""), day, by="county")),
        "province": by_county(store.summary(SHAANXI, day, by="county")),
        "city": {k: v for city in store.children(SHAANXI)["code"]
                 for k, v in by_county(store.summary(Scope.parse(city), day, by="county")).items()},
        "villages": from_villages(store.village_statuses(SHAANXI, day)),
        "oracle": oracle,
    }
    counties = sorted(oracle)
    assert len(counties) == 107
    for name, reading in readings.items():
        assert reading == oracle, name
    for county in counties:
        scope = Scope.parse(county)
        own = store.summary(scope, day, by="county")
        assert [figures(r) for _, r in own.iterrows()] == [oracle[county]], county
        assert total(store.summary(scope, day, by="township")) == oracle[county], county
        t = store.totals(scope, day)
        assert (t.villages, t.covered, t.expiring, t.lapsed, t.never, round(t.coverage_rate, 12),
                t.has_data) == oracle[county], county
    with_data = [c for c in counties if oracle[c][-1]]
    if day == ANCHOR:
        assert len(with_data) == len(counties)
    else:       # the day the test is for: some counties have data, some not
        assert 0 < len(with_data) < len(counties)


def test_碑林区_reads_the_same_from_西安市_and_opened(any_demo_store):
    """The case of the report: its township 东关南街街道 has no contract, which makes it a gap, not no data."""
    store = any_demo_store
    row = store.summary(Scope.parse("6101"), ANCHOR, by="county").set_index("code").loc["610103000000"]
    towns = store.summary(Scope.parse("610103"), ANCHOR, by="township").set_index("name")
    assert towns.loc["东关南街街道", "covered"] == 0 and towns.loc["东关南街街道", "has_data"]
    assert towns.loc["东关南街街道", "never"] == towns.loc["东关南街街道", "villages"] > 0
    assert total(towns) == figures(row) and row["never"] > 0
    assert store.totals(Scope.parse("610103004"), ANCHOR).has_data


@pytest.mark.parametrize("day", DAYS, ids=["anchor", "2018"])
def test_units_above_count_only_their_counties_with_data(any_demo_store, day):
    store = any_demo_store
    counties = store.summary(SHAANXI, day, by="county")
    cities = store.summary(SHAANXI, day, by="city").set_index("code")
    for city, part in counties.groupby(counties["code"].str[:4]):
        row = cities.loc[city.ljust(12, "0")]
        data = part[part["has_data"]]
        left = part[~part["has_data"]]
        assert row["has_data"] == bool(len(data))
        assert row["no_data_counties"] == len(left) and row["no_data_villages"] == left["villages"].sum()
        assert row["villages"] == counted_villages(part["villages"].sum(), data["villages"].sum())
        assert row["covered"] == data["covered"].sum() and row["never"] == (data["never"].sum() if len(data)
                                                                            else part["villages"].sum())
    totals = store.totals(SHAANXI, day)
    assert totals.no_data_counties == int((~counties["has_data"]).sum())
    assert totals.villages == counties.loc[counties["has_data"], "villages"].sum()


def test_the_national_gap_list_leaves_out_counties_without_data(any_demo_store):
    store = any_demo_store
    gap = gap_list(store, OPEN, Scope(""), ANCHOR, DEFAULT_STATUSES)
    national = store.totals(Scope(""), ANCHOR)
    assert set(gap.villages["code"].str[:2]) == {"61"}           # the demo's only province with contracts
    assert len(gap.villages) == national.lapsed + national.never + national.expiring
    assert national.never == store.totals(SHAANXI, ANCHOR).never
    missing = no_data_counties(store, OPEN, Scope(""), ANCHOR)
    assert len(missing.counties) == national.no_data_counties > 0
    assert missing.counties["villages"].sum() == national.no_data_villages
    assert not missing.counties["code"].str.startswith("61").any()
    assert {"code", "name", "city", "province", "villages"} <= set(missing.counties.columns)
    # 东莞 has no county level: the city is its own county
    dongguan = missing.counties.set_index("code").loc["441900000000"]
    assert dongguan["city"] == "东莞市" and dongguan["province"] == "广东省"
    early = no_data_counties(store, OPEN, SHAANXI, DAYS[1]).counties
    summary = store.summary(SHAANXI, DAYS[1], by="county")
    assert sorted(early["code"]) == sorted(summary.loc[~summary["has_data"], "code"])


def test_the_gap_plan_counts_the_counties_with_data_only(demo_store):
    """西安市 on a day when some of its counties had no contract yet: the plan's villages, gaps and rate are the
    totals' (the villages of counties with data), not those of the whole city."""
    plan = plan_gaps(demo_store, Scope.parse("6101"), DAYS[1]).summary
    totals = demo_store.totals(Scope.parse("6101"), DAYS[1])
    assert totals.no_data_counties > 0
    assert (plan.villages, plan.covered, plan.uncovered) == (totals.villages, totals.covered,
                                                             totals.lapsed + totals.never)
    assert plan.coverage_rate_now == pytest.approx(totals.coverage_rate)
