"""The embedded demo: the real registry and outlines, generated advisers and contracts for 陕西省.

One generator for the demo province and, under another prefix, the whole country (the national benchmark's
620,572 villages, about 200,000 advisers and 700,000 assignments in a few seconds: vectorised with numpy).
Deterministic (fixed seed and anchor date) so screenshots, tests and the README agree.  Gaps are made the way
real ones look: whole townships whose programme never started, townships whose contracts ran out together and
were not renewed, batches of contracts about to expire, plus scattered single villages.  Advisers are lawyers
in county-seat firms or workers of township legal service offices, serving one to eight neighbouring villages
of one township, a few overloaded.  Each group of villages is covered from the programme's rollout in its
township (2018 to mid-2024) in one to three listed contracts; some earlier contracts were renewed late, so past
dates show lapsed villages too.
"""
from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.demo.services import generate_services
from geo.sources.national import national_registry, villages
from geo.store import Store
from geo.text.catalogue import bilingual, t

DEMO_PROVINCE = "61"
#: the day the demo's story is told from; contracts are dated around it
ANCHOR = dt.date(2026, 11, 27)
SEED = 20261127
#: the service records' own random stream (the people and contracts keep theirs)
SERVICES_SEED = SEED + 12
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
    services: int
    schematic_villages: int
    seconds: float


#: township stories: normal, never started, lapsed together, expiring together
STORY_P = (0.90, 0.025, 0.035, 0.04)
#: adviser group sizes (villages per adviser) and their probabilities
GROUP_SIZES = np.array([1, 2, 3, 4, 5, 6, 7, 8])
GROUP_P = np.array([.14, .24, .22, .16, .10, .07, .04, .03])
#: contracts listed per adviser group (current + earlier ones)
CONTRACTS_P = (0.82, 0.15, 0.03)
TERM_YEARS_P = (0.3, 0.5, 0.2)  # 1, 2, 3 years

_PROVINCE_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$")


def _short_province(name: str) -> str:
    return _PROVINCE_SUFFIX.sub("", name)


def _digits(rng: np.random.Generator, n: int, width: int) -> pd.Series:
    return pd.Series(rng.integers(0, 10 ** width, size=n)).astype(str).str.zfill(width)


def _groups(township: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Group id per village: runs of 1-8 consecutive villages (2 % of runs 12-20) that never cross a township."""
    n = len(township)
    sizes = rng.choice(GROUP_SIZES, size=n, p=GROUP_P)
    big = rng.random(n) < 0.02
    sizes[big] = rng.integers(12, 21, size=int(big.sum()))
    cuts = np.cumsum(sizes)
    cuts = cuts[cuts < n]
    starts = np.zeros(n, dtype=bool)
    starts[0] = True
    starts[cuts] = True
    starts[1:] |= township[1:] != township[:-1]
    return np.cumsum(starts) - 1


@dataclass(frozen=True)
class _Villages:
    """The villages under a prefix in code order, with the arrays every step indexes."""
    codes: np.ndarray      # 12-digit strings (object)
    icodes: np.ndarray     # the same as int64
    town_idx: np.ndarray   # township number of each village (0 .. towns - 1)

    @property
    def towns(self) -> int:
        return int(self.town_idx.max()) + 1 if len(self.codes) else 0


@dataclass(frozen=True)
class _Groups:
    """Adviser groups: runs of consecutive villages of one township served by one adviser."""
    group: np.ndarray      # group id of each village
    first: np.ndarray      # index of each group's first village
    story: np.ndarray      # 0 normal, 1 never started, 2 lapsed together, 3 expiring together

    @property
    def n(self) -> int:
        return len(self.first)


@dataclass(frozen=True)
class _Contracts:
    """Listed contracts: group, start, end (datetime64[D]) and whether it is open-ended."""
    group: np.ndarray
    start: np.ndarray
    end: np.ndarray
    open_ended: np.ndarray


def generate_people_and_contracts(registry: pd.DataFrame, prefix: str = DEMO_PROVINCE, *, seed: int = SEED,
                                  anchor: dt.date = ANCHOR) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(advisers, assignments) for every village under `prefix`: the demo province by default, "" = the whole
    country (the national benchmark).

    Columns as the store's tables: advisers (adviser_id, name, kind, org, licence_no, phone, base_code, lon,
    lat, batch_id) and assignments (adviser_id, village BIGINT, start_date, end_date NaT = open-ended,
    batch_id).  Dates are told from `anchor`.  The steps draw from one random stream in a fixed order.
    """
    rng = np.random.default_rng(seed)
    vil = _villages(registry, prefix)
    groups = _adviser_groups(vil, rng)
    advisers = _advisers(registry, vil, groups, rng)
    contracts = _contracts(vil, groups, anchor, rng)
    return advisers, _assignments(vil, groups, contracts)


def _villages(registry: pd.DataFrame, prefix: str) -> _Villages:
    vil = villages(registry, prefix).sort_values("code")
    icodes = vil["code"].astype("int64").to_numpy()
    _, town_idx = np.unique(icodes // 1000, return_inverse=True)
    return _Villages(vil["code"].to_numpy(dtype=object), icodes, town_idx)


def _adviser_groups(vil: _Villages, rng: np.random.Generator) -> _Groups:
    """Township stories, then groups; scattered single gaps outside the gap townships, and a few advisers in
    "never" townships who did sign."""
    story = rng.choice(4, size=vil.towns, p=STORY_P)[vil.town_idx]
    group = _groups(vil.icodes // 1000, rng)
    n_adv = int(group.max()) + 1 if len(group) else 0
    first = np.searchsorted(group, np.arange(n_adv))
    g_story = story[first]
    lone = rng.random(n_adv)
    g_story = np.where((g_story == 0) & (lone < 0.008), 1, g_story)
    g_story = np.where((g_story == 0) & (lone > 0.99), 2, g_story)
    g_story = np.where((g_story == 1) & (lone > 0.75), 0, g_story)
    return _Groups(group, first, g_story)


def _advisers(registry: pd.DataFrame, vil: _Villages, groups: _Groups, rng: np.random.Generator) -> pd.DataFrame:
    """One adviser per group: a lawyer of a county-seat firm (68 %) or a worker of the township's office."""
    n_adv, first = groups.n, groups.first
    names = registry.drop_duplicates("code").set_index("code")["name"]
    first_code = pd.Series(vil.codes[first])
    county_name = (first_code.str[:6] + "000000").map(names).fillna("")
    town_name = (first_code.str[:9] + "000").map(names).fillna("").str.replace("街道办事处", "街道", regex=False)
    prov_short = (first_code.str[:2] + "0" * 10).map(names).fillna("").map(_short_province)
    is_lawyer = rng.random(n_adv) < 0.68
    firm = pd.Series(np.array(FIRM_WORDS, dtype=object)[first_code.str[4:6].astype(int) % len(FIRM_WORDS)])
    lawyer_org = prov_short + firm + "（" + county_name.str.rstrip("县区市") + "）律师事务所"
    worker_org = county_name + town_name + "法律服务所"
    surname = pd.Series(np.array(SURNAMES, dtype=object)[rng.integers(0, len(SURNAMES), n_adv)])
    given = np.array(GIVEN, dtype=object)
    g1 = given[rng.integers(0, len(given), n_adv)]
    g2 = np.where(rng.random(n_adv) < 0.5, given[rng.integers(0, len(given), n_adv)], "")
    adv_name = surname + g1 + g2
    phone = "1" + pd.Series(rng.choice([3, 5, 7, 8, 9], n_adv)).astype(str) + _digits(rng, n_adv, 9)
    licence = ("1" + first_code.str[:2] + pd.Series(rng.integers(2005, 2024, n_adv)).astype(str)
               + np.where(is_lawyer, "1", "2") + _digits(rng, n_adv, 8))
    base = np.where(is_lawyer, vil.icodes[first] // 10**6 * 10**6, vil.icodes[first] // 1000 * 1000)
    return pd.DataFrame({
        "adviser_id": np.arange(1, n_adv + 1, dtype=np.int32),
        "name": adv_name.to_numpy(dtype=object),
        "kind": np.where(is_lawyer, "律师", "基层法律服务工作者").astype(object),
        "org": np.where(is_lawyer, lawyer_org, worker_org).astype(object),
        "licence_no": licence.to_numpy(dtype=object), "phone": phone.to_numpy(dtype=object),
        "base_code": base.astype("int64"), "lon": np.nan, "lat": np.nan, "batch_id": pd.NA})


def _contracts(vil: _Villages, groups: _Groups, anchor: dt.date, rng: np.random.Generator) -> _Contracts:
    """The programme reached each township between 2018 and mid-2024 (the first of a month); a group's villages
    are covered from then on, in one to three listed contracts.  The last one ends after the warning window
    (normal, 6 % open-ended), within it (expiring) or 2 weeks to 8 months ago (lapsed)."""
    n_adv, g_story = groups.n, groups.story
    a_day = np.datetime64(anchor, "D")
    a_month = np.datetime64(anchor, "M")
    rollout_town = np.datetime64("2018-01", "M") + rng.integers(0, 78, vil.towns)
    rollout = (rollout_town[vil.town_idx[groups.first]] + rng.integers(0, 7, n_adv)).astype("datetime64[D]")
    term = rng.choice([1, 2, 3], size=n_adv, p=TERM_YEARS_P)
    back = (rng.random(n_adv) * (12 * term - 3)).astype(int)
    cur_start = (a_month - back).astype("datetime64[D]")
    normal_end = (a_month - back + 12 * term).astype("datetime64[D]") - 1
    lapsed_end = a_day - rng.integers(14, 240, n_adv)
    expiring_end = a_day + rng.integers(0, 60, n_adv)
    last_end = np.where(g_story == 2, lapsed_end, np.where(g_story == 3, expiring_end, normal_end))
    cur_start = np.where(g_story >= 2, last_end - (365 * term).astype("timedelta64[D]") + 1, cur_start)
    open_ended = (g_story == 0) & (rng.random(n_adv) < 0.06)

    n_con = rng.choice([1, 2, 3], size=n_adv, p=CONTRACTS_P)
    n_con[g_story == 1] = 0
    # a single listed contract runs from the rollout; otherwise the earlier ones share rollout .. last start
    cur_start = np.where(n_con == 1, np.minimum(rollout, cur_start), cur_start)
    rollout = np.minimum(rollout, cur_start - (200 * np.maximum(n_con - 1, 0)).astype("timedelta64[D]"))
    piece = (cur_start - rollout).astype(np.int64) // np.maximum(n_con - 1, 1)

    # contract c of group g: c = 0 is the last one, c = 1 the one before ...
    g_of = np.repeat(np.arange(n_adv), n_con)
    c_of = np.arange(len(g_of)) - np.repeat(np.cumsum(n_con) - n_con, n_con)
    c_start = cur_start[g_of] - (c_of * piece[g_of]).astype("timedelta64[D]")
    # one earlier contract in eight was renewed late: it ended up to three months before the next one started
    late = np.where(rng.random(len(g_of)) < 0.125, rng.integers(1, 92, len(g_of)), 0)
    next_start = cur_start[g_of] - ((c_of - 1) * piece[g_of]).astype("timedelta64[D]")
    c_end = np.where(c_of == 0, last_end[g_of], next_start - (1 + late).astype("timedelta64[D]"))
    return _Contracts(g_of, c_start, c_end.astype("datetime64[D]"), (c_of == 0) & open_ended[g_of])


def _assignments(vil: _Villages, groups: _Groups, contracts: _Contracts) -> pd.DataFrame:
    """One assignment row per village of the group and contract."""
    g_of = contracts.group
    size = np.diff(np.append(groups.first, len(vil.codes)))
    rows = np.repeat(np.arange(len(g_of)), size[g_of])
    within = np.arange(len(rows)) - np.repeat(np.cumsum(size[g_of]) - size[g_of], size[g_of])
    village = vil.icodes[groups.first[g_of[rows]] + within]
    end_col = pd.Series(contracts.end[rows]).astype("datetime64[s]")
    end_col[contracts.open_ended[rows]] = pd.NaT
    return pd.DataFrame({
        "adviser_id": (g_of[rows] + 1).astype(np.int32), "village": village.astype("int64"),
        "start_date": pd.Series(contracts.start[rows]).astype("datetime64[s]"), "end_date": end_col,
        "batch_id": pd.NA})


def build_demo(store: Store, *, with_geometry: bool = True) -> DemoReport:
    """Fill an empty store with the demo (raises if it already holds data)."""
    t0 = time.perf_counter()
    if not store.is_empty():
        raise RuntimeError(bilingual("demo.e.not_empty"))
    registry = national_registry()
    advisers, assignments = generate_people_and_contracts(registry)
    services = generate_services(assignments, ANCHOR, SERVICES_SEED)
    schematic = 0
    with store.transaction() as cur:
        batch = store.new_batch(cur, "demo", note=t("demo.note", seed=SEED, anchor=ANCHOR),
                                rows_read=len(assignments), rows_accepted=len(assignments))
        store.load_registry(registry, cur, batch_id=batch)
        advisers["batch_id"] = batch
        assignments["batch_id"] = batch
        store.add_advisers(cur, advisers)
        store.add_assignments(cur, assignments, skip_known=False)
        store.add_services(cur, services.assign(batch_id=batch))
        if with_geometry:
            from geo.demo import geometry as demo_geometry  # imported here: start-up time (geopandas)
            schematic = demo_geometry.build(store, cur, registry, SCHEMATIC_COUNTIES, seed=SEED,
                                            batch_id=batch)
        store.set_meta("dataset", "demo", cur)
        store.set_meta("default_scope", DEMO_PROVINCE, cur)
        store.set_meta("demo_anchor", ANCHOR.isoformat(), cur)
    # settled as after any bulk load (PostgreSQL: statistics; without them a national worklist read of the
    # fresh demo took 30 s, planned for empty tables)
    store.checkpoint()
    return DemoReport(villages=len(villages(registry, DEMO_PROVINCE)), advisers=len(advisers),
                      assignments=len(assignments), services=len(services), schematic_villages=schematic,
                      seconds=time.perf_counter() - t0)

