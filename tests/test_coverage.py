"""Coverage rules: the Python reference on hand-built cases, and the store's SQL agreeing with it."""
import datetime as dt
import random

import pandas as pd
import pytest

from geo.core.codes import Scope
from geo.core.coverage import NO_DATA, Period, Status, county_statuses, village_status

D = dt.date(2026, 6, 15)


def P(start, end=None):
    return Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end) if end else None)


@pytest.mark.parametrize("periods, expected", [
    ([], Status.NEVER),
    ([P("2026-06-16", "2027-06-15")], Status.NEVER),              # starts tomorrow: not yet
    ([P("2026-06-15", "2027-06-14")], Status.COVERED),            # start day is inclusive
    ([P("2025-06-15", "2026-06-15")], Status.EXPIRING),           # end day is inclusive, ends today
    ([P("2025-06-15", "2026-06-14")], Status.LAPSED),             # ended yesterday
    ([P("2020-01-01")], Status.COVERED),                          # open-ended never expires
    ([P("2025-01-01", "2026-08-14")], Status.EXPIRING),           # D + 60 days
    ([P("2025-01-01", "2026-08-15")], Status.COVERED),            # D + 61 days
    ([P("2025-01-01", "2026-07-01"), P("2026-01-01", "2027-12-31")], Status.COVERED),  # overlap: one lasts
    ([P("2025-01-01", "2026-07-01"), P("2026-01-01", "2026-07-31")], Status.EXPIRING),  # both end soon
    ([P("2025-01-01", "2026-07-01"), P("2026-07-02", "2028-07-01")], Status.EXPIRING),  # renewal not begun
    ([P("2024-01-01", "2025-01-01"), P("2027-01-01", "2028-01-01")], Status.LAPSED),    # gap now
])
def test_status_rule(periods, expected):
    assert village_status(periods, D) == expected


def test_expiring_window_is_configurable():
    assert village_status([P("2025-01-01", "2026-07-15")], D, expiring_days=30) == Status.EXPIRING
    assert village_status([P("2025-01-01", "2026-07-15")], D, expiring_days=29) == Status.COVERED


def _insert(store, rows):
    """rows: (adviser_id, village code str, start, end|None)"""
    with store.transaction() as cur:
        ids = sorted({r[0] for r in rows})
        store.add_advisers(cur, pd.DataFrame({"adviser_id": ids, "name": [f"顾问{i}" for i in ids],
                                              "org": [f"律所{i}" for i in ids],
                                              "phone": [f"1390000000{i}" for i in ids]}))
        store.add_assignments(cur, pd.DataFrame(rows, columns=["adviser_id", "village", "start_date", "end_date"])
                              .assign(batch_id=None), skip_known=False)


def test_one_adviser_on_many_villages_and_partition(small_store):
    _insert(small_store, [
        (1, "610124100201", "2025-01-01", "2026-12-31"),
        (1, "610124100202", "2025-01-01", "2026-06-30"),   # expiring on D
        (2, "610124101001", "2024-01-01", "2025-12-31"),   # lapsed
    ])
    s = small_store.summary(Scope.parse("610124"), D, by="township").set_index("code")
    assert s.loc["610124100000", ["villages", "covered", "expiring", "lapsed", "never"]].tolist() == [2, 2, 1, 0, 0]
    assert s.loc["610124101000", ["villages", "covered", "expiring", "lapsed", "never"]].tolist() == [1, 0, 0, 1, 0]
    v = small_store.village_statuses(Scope.parse("610124"), D).set_index("code")
    assert v["status"].to_dict() == {"610124100201": "covered", "610124100202": "expiring",
                                     "610124101001": "lapsed"}
    assert v.loc["610124101001", "advisers"] == "顾问2"          # a lapsed village shows its last adviser
    assert small_store.adviser_stats(Scope.parse("61"), D) == (1, 2.0)
    assert small_store.summary(Scope.parse("61"), "2023-01-01", by="province")["never"].tolist() == [3]


@pytest.mark.parametrize("spans", [True, False], ids=["precomputed-spans", "grouped-assignments"])
@pytest.mark.parametrize("seed", [7, 8, 9])
def test_sql_agrees_with_python_rule_on_random_histories(small_store, spans, seed):
    """Both store paths: the precomputed spans, and grouping assignments (a database opened read-only that
    predates the spans)."""
    rng = random.Random(seed)
    villages = ["610124100201", "610124100202", "610124101001"]
    rows, periods = [], {v: [] for v in villages}
    for v in villages:
        for _ in range(rng.randint(0, 4)):
            start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 900))
            end = None if rng.random() < 0.15 else start + dt.timedelta(days=rng.randint(0, 500))
            rows.append((rng.randint(1, 3), v, start, end))
            periods[v].append(Period(start, end))
    _insert(small_store, rows)
    small_store._spans = spans
    for k in range(60):
        day = dt.date(2023, 12, 1) + dt.timedelta(days=k * 17)
        got = small_store.village_statuses(Scope.parse("61"), day).set_index("code")["status"].to_dict()
        want = county_statuses(periods, day)         # the three villages are one county's
        assert got == want, day
        totals = small_store.totals(Scope.parse("61"), day)
        assert totals.covered == sum(w in ("covered", "expiring") for w in want.values())
        assert totals.expiring == sum(w == "expiring" for w in want.values())
        # a county without data counts all its villages as never, and has no data
        assert totals.never == sum(w in ("never", NO_DATA) for w in want.values())
        assert totals.has_data == (NO_DATA not in want.values())


def test_orphan_assignments_stay_visible(small_store):
    _insert(small_store, [(1, "610124100299", "2025-01-01", None)])   # not in the registry
    orphans = small_store.orphan_assignments()
    assert orphans["code"].tolist() == ["610124100299"]
    assert small_store.totals(Scope.parse("61"), D).covered == 0
