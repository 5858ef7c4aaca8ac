"""The demo dataset: every level adds up to the registry, and the store's figures match an independent count."""
import datetime as dt

import pandas as pd

from geo.core.codes import Scope
from geo.core.coverage import Period, village_status
from geo.demo import ANCHOR, SCHEMATIC_COUNTIES
from geo.sources.national import national_registry, villages
from geo.testing import pandas_summary, summaries_equal

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


def test_demo_summary_equals_the_pandas_reference(demo_store):
    """geo.testing's plain-pandas summary of the demo's raw rows, county by county and at two dates."""
    registry = national_registry()
    registry = registry[registry["code"].str.startswith("61")]
    raw = demo_store.query("SELECT village, start_date, end_date FROM assignments")
    raw["village"] = raw["village"].map("{:012d}".format)
    for day in (ANCHOR, dt.date(2022, 6, 30)):
        ours = demo_store.summary(SHAANXI, day, by="county")
        assert summaries_equal(ours, pandas_summary(registry, raw, day, 3)), day


# ------------------------------------------------------------------------------------------------ service records
def _raw_services(demo_store) -> tuple[pd.DataFrame, pd.DataFrame]:
    services = demo_store.query("SELECT village, adviser_id, service_date, mode, hours FROM services")
    services["service_date"] = pd.to_datetime(services["service_date"])
    contracts = demo_store.query("SELECT adviser_id, village, start_date, end_date FROM assignments")
    for col in ("start_date", "end_date"):
        contracts[col] = pd.to_datetime(contracts[col])
    return services, contracts


def _covered_on(contracts: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    return contracts[(contracts["start_date"] <= day) & (contracts["end_date"].isna() | (contracts["end_date"] >= day))]


def test_demo_services_look_like_real_gaps(demo_store):
    """Most covered villages seen on site in the last 90 days and nearly every month; some on paper only (phone
    only, or nothing, in the last quarter); a few advisers far below 4 hours a month.  Counted in pandas."""
    services, contracts = _raw_services(demo_store)
    anchor = pd.Timestamp(ANCHOR)
    covered = set(_covered_on(contracts, anchor)["village"])
    window = services[(services["service_date"] > anchor - pd.Timedelta(days=90))
                      & (services["service_date"] <= anchor)]
    onsite = set(window.loc[window["mode"] == "onsite", "village"])
    remote_only = set(window.loc[window["mode"] == "remote", "village"]) - onsite
    silent = covered - set(window["village"])
    share = len(covered & onsite) / len(covered)
    assert 0.80 <= share <= 0.92, share
    assert 0.04 <= len(covered & remote_only) / len(covered) <= 0.14
    assert 0.03 <= len(silent) / len(covered) <= 0.10

    # visited monthly: villages covered all year, seen on site in at least 10 of the 11 full months before
    year = _covered_on(contracts, anchor - pd.Timedelta(days=365))
    all_year = covered & set(year["village"])
    months = services[(services["mode"] == "onsite") & services["village"].isin(all_year)
                      & (services["service_date"] < anchor.replace(day=1))]
    per_village = months.groupby("village")["service_date"].apply(lambda d: d.dt.to_period("M").nunique())
    assert (per_village >= 10).sum() / len(all_year) >= 0.6

    # hours standard: in October the typical adviser in force spends well over 4 h on site, a few far less
    october = services[(services["mode"] == "onsite") & (services["service_date"].dt.to_period("M") == "2026-10")]
    in_force = _covered_on(contracts, pd.Timestamp("2026-10-31"))["adviser_id"].drop_duplicates()
    hours = in_force.map(october.groupby("adviser_id")["hours"].sum()).fillna(0)
    assert hours.median() >= 8
    assert 0.03 <= (hours < 2).mean() <= 0.15


def test_demo_services_stay_inside_their_contracts_and_the_past(demo_store):
    services, contracts = _raw_services(demo_store)
    assert services["service_date"].max() <= pd.Timestamp(ANCHOR)
    assert set(services["mode"]) == {"onsite", "remote"}
    assert services["hours"].between(0, 24, inclusive="right").all()
    joined = services.merge(contracts, on=["adviser_id", "village"])
    inside = (joined["start_date"] <= joined["service_date"]) & (joined["end_date"].isna()
                                                                 | (joined["service_date"] <= joined["end_date"]))
    assert inside.groupby([joined["village"], joined["adviser_id"], joined["service_date"]]).any().all()
    assert len(services.drop_duplicates(["village", "adviser_id", "service_date", "mode"])) >= 0.99 * len(services)


def test_demo_services_are_deterministic():
    from geo.demo import SERVICES_SEED, generate_people_and_contracts
    from geo.demo.services import generate_services

    _, contracts = generate_people_and_contracts(national_registry(), "610124")
    first = generate_services(contracts, ANCHOR, SERVICES_SEED)
    assert first.equals(generate_services(contracts, ANCHOR, SERVICES_SEED)) and len(first) > 1000
