"""The embedded demo: the real registry and outlines, generated advisers and contracts for 陕西省.

Deterministic (fixed seed and anchor date) so screenshots, tests and the README agree.  Gaps are made the way
real ones look: whole townships whose programme never started, townships whose contracts ran out together and
were not renewed, batches of contracts about to expire, plus scattered single villages.  Advisers are lawyers
in county-seat firms or workers of township legal service offices, serving one to eight villages, a few
overloaded.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .registry import national_registry, villages
from .store import Store

DEMO_PROVINCE = "61"
#: the day the demo's story is told from; contracts are dated around it
ANCHOR = dt.date(2026, 11, 27)
SEED = 20261127
#: counties that get schematic village cells (示意): 周至县, 宁陕县, 洛川县
SCHEMATIC_COUNTIES = ("610124", "610923", "610629")

SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志文斌玲红波辉鹏飞宁雪琳晨浩宇欣怡")
FIRM_WORDS = ["正和", "秦川", "三秦", "长安", "汉唐", "丰瑞", "明德", "恒信", "信达", "法正", "嘉诚", "德衡"]


@dataclass(frozen=True)
class DemoReport:
    villages: int
    advisers: int
    assignments: int
    schematic_villages: int
    seconds: float


def generate_people_and_contracts(registry: pd.DataFrame, province: str = DEMO_PROVINCE,
                                  seed: int = SEED, anchor: dt.date = ANCHOR
                                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(advisers, assignments) for every village of `province`; columns as the store's tables."""
    rng = np.random.default_rng(seed)
    vil = villages(registry, province).sort_values("code").reset_index(drop=True)
    names = registry.set_index("code")["name"]
    codes = vil["code"].to_numpy()
    township = np.array([c[:9] for c in codes])
    towns, town_idx = np.unique(township, return_inverse=True)

    # township story: 0 normal, 1 never started, 2 lapsed together, 3 expiring together
    story = rng.choice(4, size=len(towns), p=[0.90, 0.025, 0.035, 0.04])
    v_story = story[town_idx]

    # advisers: consecutive villages of one township share an adviser, groups of 1-8, a few overloaded
    group = np.empty(len(codes), dtype=np.int64)
    gid, i = 0, 0
    while i < len(codes):
        size = int(rng.choice([1, 2, 3, 4, 5, 6, 7, 8], p=[.10, .20, .22, .18, .12, .08, .06, .04]))
        if rng.random() < 0.02:
            size = int(rng.integers(12, 21))
        j = i
        while j < len(codes) and j - i < size and township[j] == township[i]:
            j += 1
        group[i:j] = gid
        gid, i = gid + 1, j
    n_adv = gid
    first_village = pd.Series(codes).groupby(group).first().to_numpy()
    is_lawyer = rng.random(n_adv) < 0.68
    adv_names = [rng.choice(SURNAMES) + "".join(rng.choice(GIVEN, size=int(rng.integers(1, 3))))
                 for _ in range(n_adv)]
    orgs = []
    for k in range(n_adv):
        county = names.get(first_village[k][:6] + "000000", "")
        town = names.get(first_village[k][:9] + "000", "")
        if is_lawyer[k]:
            orgs.append(f"陕西{FIRM_WORDS[int(first_village[k][4:6]) % len(FIRM_WORDS)]}"
                        f"（{county.rstrip('县区市')}）律师事务所")
        else:
            orgs.append(f"{county}{town.replace('街道办事处', '街道')}法律服务所")
    phones = [f"1{rng.choice([3, 5, 7, 8, 9])}{rng.integers(0, 10**9):09d}" for _ in range(n_adv)]
    licences = [f"1610{rng.integers(2005, 2024)}{'1' if law else '2'}{rng.integers(0, 10**8):08d}"
                for law in is_lawyer]
    advisers = pd.DataFrame({
        "adviser_id": np.arange(1, n_adv + 1, dtype=np.int32), "name": adv_names,
        "kind": np.where(is_lawyer, "律师", "基层法律服务工作者"), "org": orgs,
        "licence_no": licences, "phone": phones,
        "base_code": [int(c[:6] + "000000") if law else int(c[:9] + "000")
                      for c, law in zip(first_village, is_lawyer)],
        "lon": np.nan, "lat": np.nan, "batch_id": None})

    # contract history per adviser group: rollout start spread over 2018-2026, terms of 1-3 years
    rows = []
    g_start = rng.integers(0, (dt.date(2026, 6, 1) - dt.date(2018, 1, 1)).days, size=n_adv)
    g_story = pd.Series(v_story).groupby(group).first().to_numpy()
    # scattered single gaps outside the gap townships; a few advisers in "never" townships did sign
    lone = rng.random(n_adv)
    g_story = np.where((g_story == 0) & (lone < 0.008), 1, g_story)
    g_story = np.where((g_story == 0) & (lone > 0.99), 2, g_story)
    g_story = np.where((g_story == 1) & (lone > 0.75), 0, g_story)
    bounds = np.searchsorted(group, np.arange(n_adv + 1))  # groups are runs of consecutive villages
    for k in range(n_adv):
        st = g_story[k]
        if st == 1:
            continue
        start = (dt.date(2018, 1, 1) + dt.timedelta(days=int(g_start[k]))).replace(day=1)
        horizon = anchor + dt.timedelta(days=60)
        if st == 2:  # lapsed: the last contract ended between 8 months and 2 weeks ago
            last_end = anchor - dt.timedelta(days=int(rng.integers(14, 240)))
        elif st == 3:  # expiring: the last contract ends within the coming 60 days
            last_end = anchor + dt.timedelta(days=int(rng.integers(0, 60)))
        else:
            last_end = None
        if last_end is not None and start > last_end - dt.timedelta(days=180):
            start = (last_end - dt.timedelta(days=365)).replace(day=1)
        village_codes = [int(c) for c in codes[bounds[k]:bounds[k + 1]]]
        while True:
            years = int(rng.choice([1, 2, 3], p=[.3, .5, .2]))
            end = dt.date(start.year + years, start.month, 1) - dt.timedelta(days=1)
            done = False
            if last_end is not None and end >= last_end:
                end, done = last_end, True
            elif last_end is None and end > horizon:
                done = True
                if rng.random() < 0.06:
                    end = None  # an open-ended appointment
            rows.extend((k + 1, c, start, end) for c in village_codes)
            if done:
                break
            start = end + dt.timedelta(days=1)
    assignments = pd.DataFrame(rows, columns=["adviser_id", "village", "start_date", "end_date"])
    assignments["batch_id"] = None
    used = assignments["adviser_id"].unique()
    return advisers[advisers["adviser_id"].isin(used)].reset_index(drop=True), assignments


def build_demo(store: Store, *, with_geometry: bool = True) -> DemoReport:
    """Fill an empty store with the demo (raises if it already holds data)."""
    t0 = time.perf_counter()
    if not store.is_empty():
        raise RuntimeError("数据库已有数据，演示数据只写入空库 / the database is not empty; "
                           "the demo is only written to an empty one")
    registry = national_registry()
    advisers, assignments = generate_people_and_contracts(registry)
    schematic = 0
    with store.transaction() as cur:
        batch = store.new_batch(cur, "demo", note=f"演示数据 seed={SEED} anchor={ANCHOR}",
                                rows_read=len(assignments), rows_accepted=len(assignments))
        store.load_registry(registry, cur, batch_id=batch)
        advisers["batch_id"] = batch
        assignments["batch_id"] = batch
        store.add_advisers(cur, advisers)
        store.add_assignments(cur, assignments, skip_known=False)
        if with_geometry:
            from . import demo_geometry
            schematic = demo_geometry.build(store, cur, registry, SCHEMATIC_COUNTIES, seed=SEED,
                                            batch_id=batch)
        store.set_meta("dataset", "demo", cur)
        store.set_meta("demo_anchor", ANCHOR.isoformat(), cur)
    return DemoReport(villages=len(villages(registry, DEMO_PROVINCE)), advisers=len(advisers),
                      assignments=len(assignments), schematic_villages=schematic,
                      seconds=time.perf_counter() - t0)

