"""The summary's ranking: units with no contract on record are listed apart, never ranked or marked worst, and the
headline rate is taken over the units with data.  Checked on hand-made tables and, on the demo, against a plain
per-village recount that does not use Store.summary."""
from __future__ import annotations

import pandas as pd
import pytest

from geo.core.codes import LEVEL_ENDS, Scope
from geo.core.coverage import Counts
from geo.core.ranking import rank_units, trend_over_units_with_data
from geo.demo import ANCHOR


def units(*rows: tuple[str, int, int, int]) -> pd.DataFrame:
    """(name, villages, covered, lapsed) -> rows of counties shaped like Store.summary (has_data by the coverage
    rule: a county without a covered or lapsed village has no data and is itself left out)."""
    df = pd.DataFrame(rows, columns=["name", "villages", "covered", "lapsed"])
    df.insert(0, "code", [f"61012410{i:01d}000" for i in range(len(df))])
    df["expiring"] = 0
    df["never"] = df["villages"] - df["covered"] - df["lapsed"]
    df["coverage_rate"] = df["covered"] / df["villages"]
    df["has_data"] = df["covered"] + df["lapsed"] > 0
    df["no_data_counties"] = (~df["has_data"]).astype("int64")
    df["no_data_villages"] = df["villages"].where(~df["has_data"], 0)
    return df


CASES = [
    # (units, ranked names best first, worst names worst first, no-data names)
    (units(("甲", 10, 9, 1), ("乙", 10, 5, 0), ("丙", 30, 0, 0), ("丁", 10, 0, 4), ("戊", 8, 8, 0)),
     ["戊", "甲", "乙", "丁"], ["丁", "乙", "甲"], ["丙"]),
    (units(("甲", 10, 10, 0), ("乙", 20, 20, 0), ("丙", 5, 5, 0)), ["乙", "甲", "丙"], [], []),      # all full
    (units(("甲", 10, 5, 1)), ["甲"], [], []),                                                       # one unit
    (units(("甲", 10, 0, 0), ("乙", 20, 0, 0)), [], [], ["乙", "甲"]),                                # no data
    (units(("甲", 10, 0, 0), ("乙", 20, 0, 3), ("丙", 4, 4, 0)), ["丙", "乙"], ["乙"], ["甲"]),       # 0 % != none
    (units(*[(f"镇{i:02d}", 10, 10 - i % 7, 0) for i in range(25)]),                                 # many
     None, ["镇20", "镇13", "镇06"], []),
]


@pytest.mark.parametrize("summary, ranked, worst, no_data", CASES)
def test_rank_units(summary, ranked, worst, no_data):
    r = rank_units(summary)
    if ranked is not None:
        assert r.ranked["name"].tolist() == ranked
    assert r.worst["name"].tolist() == worst
    assert r.no_data["name"].tolist() == no_data
    assert not set(r.worst["code"]) & set(r.no_data["code"])
    with_data = summary[summary["covered"] + summary["lapsed"] > 0]
    assert r.counts.villages == with_data["villages"].sum() and r.counts.covered == with_data["covered"].sum()
    assert r.no_data_villages == summary["villages"].sum() - with_data["villages"].sum()


@pytest.mark.parametrize("summary, headline", [
    (units(("甲", 10, 9, 1), ("乙", 30, 0, 0), ("丙", 10, 5, 0)), Counts(20, 14, 0, 1, 1, 30)),   # 乙 has no data
    (units(("甲", 10, 0, 0), ("乙", 20, 0, 0)), Counts(30, 0, 0, 0)),                      # none has: the totals
])
def test_headline_counts_the_units_with_data(summary, headline):
    totals = Counts(*(int(summary[c].sum()) for c in ("villages", "covered", "expiring", "lapsed")))
    assert rank_units(summary).headline(totals) == headline


def test_ties_share_the_better_rank():
    r = rank_units(units(("甲", 10, 5, 0), ("乙", 10, 10, 0), ("丙", 20, 10, 0), ("丁", 10, 2, 0)))
    assert dict(zip(r.ranked["name"], r.ranked["rank"])) == {"乙": 1, "丙": 2, "甲": 2, "丁": 4}


def recount(store, scope: Scope, child_level: int) -> pd.DataFrame:
    """Per unit from the village list (Store.village_statuses), in plain pandas: villages, covered, lapsed."""
    villages = store.village_statuses(scope, ANCHOR)
    unit = villages["code"].str[:LEVEL_ENDS[child_level - 1]]
    covered = villages["status"].isin(["covered", "expiring"])
    lapsed = villages["status"] == "lapsed"
    return pd.DataFrame({"villages": unit.value_counts(), "covered": covered.groupby(unit).sum(),
                         "lapsed": lapsed.groupby(unit).sum()}).fillna(0).astype(int)


# 秦都区: one township without any contract beside two at a real 0 %; 榆阳区: 31 townships; 略阳县: 17
@pytest.mark.parametrize("code", ["610402", "610802", "610727", "61"])
def test_ranking_of_the_demo_agrees_with_a_recount(demo_store, code):
    scope = Scope.parse(code)
    level = demo_store.child_level(scope)
    r = rank_units(demo_store.summary(scope, ANCHOR, by=level))
    counted = recount(demo_store, scope, level)
    with_data = counted[counted["covered"] + counted["lapsed"] > 0]
    rate = with_data["covered"] / with_data["villages"]
    prefix = LEVEL_ENDS[level - 1]
    assert sorted(r.ranked["code"].str[:prefix]) == sorted(with_data.index)
    assert sorted(r.no_data["code"].str[:prefix]) == sorted(set(counted.index) - set(with_data.index))
    assert r.ranked["coverage_rate"].round(9).tolist() == sorted(rate.round(9), reverse=True)
    lowest = rate[rate < rate.max()].sort_values(kind="stable").head(3)
    assert sorted(r.worst["coverage_rate"].round(9)) == sorted(lowest.round(9))
    assert r.counts.villages == with_data["villages"].sum() and r.counts.covered == with_data["covered"].sum()


def test_national_headline_and_trend_count_units_with_data_only(demo_store):
    everything = Scope("")
    r = rank_units(demo_store.summary(everything, ANCHOR, by=1))
    shaanxi = demo_store.totals(Scope.parse("61"), ANCHOR)
    assert r.ranked["name"].tolist() == ["陕西省"] and len(r.no_data) == 30 and r.worst.empty
    coverage = ("villages", "covered", "expiring", "lapsed")
    # the demo's only province with contracts; the counties of the others are left out, as the totals say
    assert [getattr(r.counts, f) for f in coverage] == [getattr(shaanxi, f) for f in coverage]
    national = demo_store.totals(everything, ANCHOR)
    assert r.counts == Counts(*(getattr(national, f) for f in (*coverage, "no_data_counties", "no_data_villages")))
    assert r.no_data_villages == r.no_data["villages"].sum() > 0
    trend = trend_over_units_with_data(demo_store.trend(everything, ANCHOR), r)
    alone = demo_store.trend(Scope.parse("61"), ANCHOR)
    assert trend["coverage_rate"].round(9).tolist() == alone["coverage_rate"].round(9).tolist()
