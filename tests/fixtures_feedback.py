"""A county's villages with contracts, service records and a few hundred villagers' responses around a period,
on each backend: what the feedback tests count again by hand."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from conftest import SMALL_REGISTRY
from geo.core.feedback import parse_period

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


def fed_store(new_store):
    """(a store of REGISTRY with two advisers' contracts, SERVICES and feedback_rows(), those rows)."""
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
