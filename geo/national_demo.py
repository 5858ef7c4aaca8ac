"""A synthetic national dataset for the benchmark: advisers and contracts for every village of the country.

The same story as :mod:`geo.demo` (whole townships that never started, townships whose contracts lapsed or are
about to expire together, scattered single gaps, advisers serving one to eight neighbouring villages, a few
overloaded), but vectorised with numpy so the whole country (620,572 villages, about 200,000 advisers and
700,000 assignments) is generated in a few seconds.  Deterministic for a given seed.

Each group of villages is covered from the programme's rollout in its township (2018 to mid-2024) in one to
three listed contracts; some earlier contracts were renewed late, so past dates show lapsed villages too.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from .demo import ANCHOR, FIRM_WORDS, GIVEN, SEED, SURNAMES
from .registry import villages

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


def generate_national(registry: pd.DataFrame, prefix: str = "", *, seed: int = SEED,
                      anchor: dt.date = ANCHOR) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(advisers, assignments) for every village under `prefix` ("" = whole country).

    Columns as the store's tables: advisers (adviser_id, name, kind, org, licence_no, phone, base_code, lon,
    lat, batch_id) and assignments (adviser_id, village BIGINT, start_date, end_date NaT = open-ended,
    batch_id).  Dates are told from `anchor`.
    """
    rng = np.random.default_rng(seed)
    vil = villages(registry, prefix).sort_values("code")
    codes = vil["code"].to_numpy(dtype=object)
    icodes = vil["code"].astype("int64").to_numpy()
    n_vil = len(codes)
    township = icodes // 1000
    _, town_idx = np.unique(township, return_inverse=True)
    story = rng.choice(4, size=int(town_idx.max()) + 1 if n_vil else 0, p=STORY_P)[town_idx]

    group = _groups(township, rng)
    n_adv = int(group.max()) + 1 if n_vil else 0
    first = np.searchsorted(group, np.arange(n_adv))       # first village of each group
    g_story = story[first]
    lone = rng.random(n_adv)
    g_story = np.where((g_story == 0) & (lone < 0.008), 1, g_story)
    g_story = np.where((g_story == 0) & (lone > 0.99), 2, g_story)
    g_story = np.where((g_story == 1) & (lone > 0.75), 0, g_story)

    # -- advisers -----------------------------------------------------------------------------------------
    names = registry.drop_duplicates("code").set_index("code")["name"]
    first_code = pd.Series(codes[first])
    county = first_code.str[:6] + "000000"
    town = first_code.str[:9] + "000"
    county_name = county.map(names).fillna("")
    town_name = town.map(names).fillna("").str.replace("街道办事处", "街道", regex=False)
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
    base = np.where(is_lawyer, icodes[first] // 10**6 * 10**6, icodes[first] // 1000 * 1000)
    advisers = pd.DataFrame({
        "adviser_id": np.arange(1, n_adv + 1, dtype=np.int32),
        "name": adv_name.to_numpy(dtype=object),
        "kind": np.where(is_lawyer, "律师", "基层法律服务工作者").astype(object),
        "org": np.where(is_lawyer, lawyer_org, worker_org).astype(object),
        "licence_no": licence.to_numpy(dtype=object), "phone": phone.to_numpy(dtype=object),
        "base_code": base.astype("int64"), "lon": np.nan, "lat": np.nan, "batch_id": pd.NA})

    # -- contracts per group -----------------------------------------------------------------------------
    # The programme reached each township between 2018 and mid-2024 (the first of a month); a group's villages
    # are covered from then on, in one to three listed contracts.  The last one ends after the warning window
    # (normal, 6 % open-ended), within it (expiring) or 2 weeks to 8 months ago (lapsed).
    a_day = np.datetime64(anchor, "D")
    a_month = np.datetime64(anchor, "M")
    rollout_town = np.datetime64("2018-01", "M") + rng.integers(0, 78, int(town_idx.max()) + 1 if n_vil else 0)
    rollout = (rollout_town[town_idx[first]] + rng.integers(0, 7, n_adv)).astype("datetime64[D]")
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
    c_end = c_end.astype("datetime64[D]")
    c_end_open = (c_of == 0) & open_ended[g_of]

    # -- one assignment row per village of the group and contract ------------------------------------------
    size = np.diff(np.append(first, n_vil))
    rows = np.repeat(np.arange(len(g_of)), size[g_of])
    within = np.arange(len(rows)) - np.repeat(np.cumsum(size[g_of]) - size[g_of], size[g_of])
    village = icodes[first[g_of[rows]] + within]
    end_col = pd.Series(c_end[rows]).astype("datetime64[s]")
    end_col[c_end_open[rows]] = pd.NaT
    assignments = pd.DataFrame({
        "adviser_id": (g_of[rows] + 1).astype(np.int32), "village": village.astype("int64"),
        "start_date": pd.Series(c_start[rows]).astype("datetime64[s]"), "end_date": end_col,
        "batch_id": pd.NA})
    return advisers, assignments
