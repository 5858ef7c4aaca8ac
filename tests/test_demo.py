"""The demo dataset: every level adds up to the registry, and the store's figures match an independent count."""
import datetime as dt

import pandas as pd

from geo.codes import Scope
from geo.coverage import Period, village_status
from geo.demo import ANCHOR, SCHEMATIC_COUNTIES
from geo.registry import national_registry, villages

SHAANXI = Scope.parse("61")


def test_every_level_adds_up_to_the_registry(demo_store):
    reg_villages = villages(national_registry(), "61")
    assert demo_store.totals(SHAANXI, ANCHOR).villages == len(reg_villages) == 20356
    for level, digits in (("city", 4), ("county", 6), ("township", 9)):
        s = demo_store.summary(SHAANXI, ANCHOR, by=level)
        expected = reg_villages["code"].str[:digits].str.ljust(12, "0").value_counts().sort_index()
        assert s.set_index("code")["villages"].sort_index().to_dict() == expected.to_dict(), level
        parts = s[["covered", "lapsed", "never"]].sum(axis=1)
        assert (parts == s["villages"]).all() and (s["expiring"] <= s["covered"]).all()
        total = demo_store.totals(SHAANXI, ANCHOR)
        assert (s["covered"].sum(), s["expiring"].sum(), s["lapsed"].sum()) == (total.covered, total.expiring,
                                                                               total.lapsed)


def test_store_figures_match_an_independent_count(demo_store):
    """Statuses recomputed in plain Python from the raw assignment rows, for two counties and two dates."""
    raw = demo_store.query("SELECT village, start_date, end_date FROM assignments")
    periods: dict[str, list[Period]] = {}
    for v, s, e in raw.itertuples(index=False):
        periods.setdefault(f"{v:012d}", []).append(
            Period(pd.Timestamp(s).date(), None if pd.isna(e) else pd.Timestamp(e).date()))
    for county in ("610124", "610923"):
        codes = villages(national_registry(), county)["code"]
        for day in (ANCHOR, dt.date(2025, 3, 31)):
            want = pd.Series([village_status(periods.get(c, []), day).value for c in codes]).value_counts()
            got = demo_store.village_statuses(Scope.parse(county), day)["status"].value_counts()
            assert got.sort_index().to_dict() == want.sort_index().to_dict(), (county, day)


def test_demo_has_every_kind_of_gap_and_a_plausible_shape(demo_store):
    t = demo_store.totals(SHAANXI, ANCHOR)
    assert 0.85 < t.coverage_rate < 0.97
    assert t.expiring > 0 and t.lapsed > 0 and t.never > 0
    # gaps cluster: some townships are far below the province
    towns = demo_store.summary(SHAANXI, ANCHOR, by="township")
    assert (towns["coverage_rate"] < 0.5).sum() >= 20
    # advisers serve one to eight villages, a few more
    per = demo_store.query("SELECT adviser_id, count(DISTINCT village) n FROM assignments GROUP BY 1")["n"]
    assert per.min() == 1 and per.quantile(0.9) <= 8 and per.max() > 8
    kinds = set(demo_store.query("SELECT DISTINCT kind FROM advisers")["kind"])
    assert kinds == {"律师", "基层法律服务工作者"}


def test_schematic_counties_have_cells_and_are_flagged(demo_store):
    for county in SCHEMATIC_COUNTIES:
        n_villages = len(villages(national_registry(), county))
        low = int(county) * 10**6
        n_cells, n_schematic = demo_store.cursor().execute(
            "SELECT count(*), count(*) FILTER (WHERE schematic) FROM shapes WHERE tier = 'township' "
            "AND code >= ? AND code < ?", [low, low + 10**6]).fetchall()[0]
        assert n_cells == n_schematic == n_villages
