"""Villagers' feedback in the store (both backends): written, bounded per day, read per unit, per village and as
the contradiction list; every figure computed again here in plain pandas from the same rows."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from conftest import SMALL_REGISTRY
from fixtures_ledger import ID_IN_REMARK
from geo.core.codes import Scope
from geo.core.feedback import Period, local_day, parse_period, quarter_of
from geo.core.service_rule import ServiceSettings

AS_OF = dt.date(2026, 11, 27)
PERIOD = parse_period(None, AS_OF)                  # 2026-08-30 .. 2026-11-27
EAST, WEST, ZHONGNAN = "610124100201", "610124100202", "610124101001"
ELSEWHERE = "610125001201"                          # a village of another county
TOWNSHIP = "610124100000"                           # not a village: feedback for it counts nowhere
VILLAGES = [EAST, WEST, ZHONGNAN, ELSEWHERE]
REGISTRY = pd.concat([SMALL_REGISTRY, pd.DataFrame(
    [("610125000000", "鄠邑区", 3), ("610125001000", "甘亭街道", 4), (ELSEWHERE, "东街村委会", 5)],
    columns=["code", "name", "level"])], ignore_index=True)
#: village -> (on-site, remote) service days: 东村 and 终南 served on AS_OF, 西村 only called (nominal)
SERVICES = {EAST: ([dt.date(2026, 11, 1)], []), WEST: ([dt.date(2026, 6, 1)], [dt.date(2026, 11, 2)]),
            ZHONGNAN: ([dt.date(2026, 9, 1)], []), ELSEWHERE: ([dt.date(2026, 11, 20)], [])}


def feedback_rows(seed: int = 7, n: int = 400) -> pd.DataFrame:
    """Random responses around the period, with its two edges (Beijing midnight) hit on purpose."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-08-01")
    times = start + pd.to_timedelta(rng.integers(0, 130 * 86400, n), unit="s")
    edges = [pd.Timestamp("2026-08-29 15:59:59"), pd.Timestamp("2026-08-29 16:00:00"),
             pd.Timestamp("2026-11-27 15:59:59"), pd.Timestamp("2026-11-27 16:00:00")]
    times = list(times[: n - 4]) + edges
    sat = rng.integers(1, 6, n).astype(object)
    sat[rng.random(n) < 0.2] = None
    reached = rng.choice(np.array([True, False, None], dtype=object), n)
    return pd.DataFrame({
        "village": rng.choice(VILLAGES + [TOWNSHIP], n, p=[0.3, 0.25, 0.25, 0.15, 0.05]),
        "received_at": times,
        "source": rng.choice(["web", "paper"], n),
        "satisfaction": sat, "reached": reached,
        "never_seen": rng.random(n) < 0.3,
        "comment": rng.choice(np.array([None, "很好", "没见过人"], dtype=object), n),
        "client_key": rng.choice(["a", "b", None], n),
        "duplicate": rng.random(n) < 0.1,
        "batch_id": None})


@pytest.fixture
def fed(new_store):
    store = new_store("feedback")
    rows = feedback_rows()
    with store.transaction() as cur:
        store.load_registry(REGISTRY, cur)
        store.add_advisers(cur, pd.DataFrame({"adviser_id": [1, 2], "name": ["张三", "李四"],
                                              "org": ["甲律所", "乙律所"]}))
        store.add_assignments(cur, pd.DataFrame({
            "adviser_id": [1, 1, 2, 2], "village": VILLAGES, "start_date": [dt.date(2026, 1, 1)] * 4,
            "end_date": [dt.date(2026, 12, 31)] * 4, "batch_id": 1}))
        records = [(v, day, mode) for v, (onsite, remote) in SERVICES.items()
                   for mode, days in (("onsite", onsite), ("remote", remote)) for day in days]
        store.add_services(cur, pd.DataFrame({
            "village": [r[0] for r in records], "adviser_id": 1, "service_date": [r[1] for r in records],
            "mode": [r[2] for r in records], "category": "法律咨询", "hours": 2.0, "people": 1, "content": None,
            "batch_id": 1}))
        assert store.add_feedback(cur, rows) == len(rows)
    return store, rows


def counted(rows: pd.DataFrame, period: Period, scope: str) -> pd.DataFrame:
    """The rows the figures count: inside the period's Beijing days, real villages of the scope, no duplicate."""
    day = (pd.to_datetime(rows["received_at"]) + pd.Timedelta(hours=8)).dt.date
    keep = ((day >= period.start) & (day <= period.end) & ~rows["duplicate"] & rows["village"].isin(VILLAGES)
            & rows["village"].str.startswith(scope))
    return rows[keep]


def expected_figures(rows: pd.DataFrame) -> dict[str, object]:
    sat = rows["satisfaction"].dropna().astype(int)
    reached = rows["reached"].dropna().astype(bool)
    return {"responses": len(rows), "satisfaction_answers": len(sat),
            "satisfaction_mean": sat.mean() if len(sat) else None, "reached": int(reached.sum()),
            "reached_answers": len(reached), "reached_share": reached.mean() if len(reached) else None,
            "never_seen": int(rows["never_seen"].sum()),
            "never_seen_villages": rows.loc[rows["never_seen"], "village"].nunique(),
            "villages_with_feedback": rows["village"].nunique()}


def assert_figures(got: pd.Series, want: dict[str, object]) -> None:
    for key, value in want.items():
        if value is None:
            assert pd.isna(got[key]), key
        else:
            assert got[key] == pytest.approx(value), key


@pytest.mark.parametrize("scope,by", [("610124", "township"), ("61", "county"), ("610124100", "village")])
def test_per_unit_figures_are_those_counted_by_hand(fed, scope, by):
    store, rows = fed
    got = store.feedback_summary(Scope(scope), PERIOD, by=by).set_index("code")
    rows = counted(rows, PERIOD, scope)
    width = {"township": 9, "county": 6, "village": 12}[by]
    real = REGISTRY[(REGISTRY["level"] == 5) & REGISTRY["code"].str.startswith(scope)]
    units = sorted({c[:width].ljust(12, "0") for c in real["code"]})
    assert list(got.index) == units
    for unit in units:
        mine = rows[rows["village"].str.startswith(unit[:width])]
        assert_figures(got.loc[unit], expected_figures(mine))
        assert got.loc[unit, "villages"] == real["code"].str.startswith(unit[:width]).sum()
    assert got["duplicates"].sum() > 0


def test_totals_and_the_period_edges_are_beijing_days(fed):
    store, rows = fed
    for period in (PERIOD, quarter_of(AS_OF), Period(dt.date(2026, 8, 30), dt.date(2026, 8, 30))):
        assert_figures(store.feedback_totals(Scope("610124"), period),
                       expected_figures(counted(rows, period, "610124")))
    edge = Period(dt.date(2026, 8, 30), dt.date(2026, 11, 27))
    inside = rows[rows["received_at"].isin([pd.Timestamp("2026-08-29 16:00:00"),
                                             pd.Timestamp("2026-11-27 15:59:59")])]
    assert all(edge.contains(t) for t in inside["received_at"])
    assert local_day(dt.datetime(2026, 8, 29, 15, 59, 59)) == dt.date(2026, 8, 29)


def test_per_village_rows(fed):
    store, rows = fed
    got = store.village_feedback(Scope("610124"), PERIOD).set_index("code")
    rows = counted(rows, PERIOD, "610124")
    assert sorted(got.index) == sorted(rows["village"].unique())
    for code, mine in rows.groupby("village"):
        assert_figures(got.loc[code], {k: v for k, v in expected_figures(mine).items()
                                       if k not in ("never_seen_villages", "villages_with_feedback")})
        assert got.loc[code, "last_received"] == mine["received_at"].max()


def served_on(village: str, day: dt.date, settings: ServiceSettings = ServiceSettings()) -> bool:
    onsite, remote = SERVICES[village]
    counting = onsite + (remote if "remote" in settings.counting_modes else [])
    first, last = settings.window(day)
    return any(first <= d <= last for d in counting)          # every village is covered all year


@pytest.mark.parametrize("min_reports", [1, 3, 40])
@pytest.mark.parametrize("settings", [ServiceSettings(), ServiceSettings(counting_modes=("onsite", "remote"))])
def test_the_contradiction_list_is_served_villages_with_never_seen_reports(fed, min_reports, settings):
    store, rows = fed
    got = store.contradictions(Scope("6101"), PERIOD, settings, min_reports=min_reports)
    mine = counted(rows, PERIOD, "6101")
    reports = mine[mine["never_seen"]].groupby("village").size()
    want = sorted(v for v in VILLAGES if served_on(v, PERIOD.end, settings) and reports.get(v, 0) >= min_reports)
    assert sorted(got["code"]) == want
    assert list(got["never_seen"]) == sorted(got["never_seen"], reverse=True)
    for _, row in got.iterrows():
        assert row["never_seen"] == reports[row["code"]]
        assert row["advisers"] in ("张三", "李四")
        seen = mine[(mine["village"] == row["code"]) & mine["never_seen"]]["received_at"]
        assert (row["first_report"], row["last_report"]) == (seen.min(), seen.max())
    if min_reports == 1:
        assert (WEST in want) == ("remote" in settings.counting_modes)
        assert ZHONGNAN in want and EAST in want


def test_the_contradiction_list_keeps_to_its_scope(fed):
    store, _ = fed
    assert set(store.contradictions(Scope("610124"), PERIOD)["code"]) <= {EAST, WEST, ZHONGNAN}
    assert set(store.contradictions(Scope("610125"), PERIOD)["code"]) == {ELSEWHERE}


def test_daily_counts_are_web_rows_of_a_beijing_day(fed):
    store, rows = fed
    day = (pd.to_datetime(rows["received_at"]) + pd.Timedelta(hours=8)).dt.date
    for (village, d), group in rows.groupby([rows["village"], day]):
        web = group[group["source"] == "web"]
        assert store.feedback_count(village, d) == len(web)
        assert store.feedback_count(village, d, client_key="a") == (web["client_key"] == "a").sum()


def test_comments_are_stored_without_id_and_phone_numbers_and_cut(fed):
    store, _ = fed
    before = store.feedback_version()
    text = f"顾问电话 139 1234 5678，我的身份证{ID_IN_REMARK}，座机(029)8765 4321。" + "长" * 500
    with store.transaction() as cur:
        store.add_feedback(cur, pd.DataFrame([{
            "village": EAST, "received_at": dt.datetime(2026, 11, 27, 1, tzinfo=dt.timezone.utc), "source": "web",
            "satisfaction": 5, "reached": None, "never_seen": False, "comment": text, "client_key": "z",
            "duplicate": False, "batch_id": None}]))
    assert store.feedback_version() != before
    stored = store.query("SELECT comment FROM feedback WHERE client_key = 'z'")["comment"].iloc[0]
    for secret in ("1391234", "139 1234", ID_IN_REMARK, "8765"):
        assert secret not in stored
    assert stored.startswith("顾问电话") and len(stored) == 300
    assert store.feedback_count(EAST, dt.date(2026, 11, 27), "z") == 1


@pytest.mark.parametrize("bad", [{"source": "email"}, {"satisfaction": 6}, {"satisfaction": 0},
                                 {"received_at": None}])
def test_values_no_response_can_have_are_refused_and_nothing_is_written(fed, bad):
    store, rows = fed
    row = {**rows.iloc[0].to_dict(), **bad}
    with pytest.raises(ValueError), store.transaction() as cur:
        store.add_feedback(cur, pd.DataFrame([row]))
    assert store.scalar("SELECT count(*) FROM feedback") == len(rows)


def test_a_paper_batch_rolls_back_alone(fed):
    store, rows = fed
    with store.transaction() as cur:
        batch = store.new_batch(cur, "feedback", "问卷.xlsx")
        paper = rows.head(5).assign(batch_id=batch, source="paper")
        store.add_feedback(cur, paper)
    assert store.batch_code_range(batch) == (int(min(paper["village"])), int(max(paper["village"])))
    with store.transaction() as cur:
        assert store.rollback_feedback(cur, batch) == 5
    assert store.scalar("SELECT count(*) FROM feedback") == len(rows)
