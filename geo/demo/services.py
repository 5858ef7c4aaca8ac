"""Service records for the demo (and, under another prefix, the national benchmark): a year of visits, calls and
lectures, shaped the way real gaps look.

Every contract in force during the year gives its village a chance of an on-site visit each month while it runs.
Most villages (:data:`VILLAGE_P` "regular") are visited nearly every month; some are served **on paper only**:
in the last quarter (the 90 days up to the anchor) their adviser only phoned ("remote") or did nothing at all
("silent"), after a sparse year before.  A few advisers (:data:`WEAK_ADVISER_SHARE`) are far below the 4 hours a
month standard: rare, short visits.  Remote contacts (phone, WeChat) come on top.  Vectorised with numpy, one
month at a time, from its own seeded stream (the people and contracts of :mod:`geo.demo` do not change).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: the window the demo's records cover, ending on the anchor
MONTHS = 12
#: the days up to the anchor in which a "paper" village sees no visit (the served rule's default window)
LAST_QUARTER_DAYS = 90
#: village stories: regular, remote-only in the last quarter, nothing in the last quarter
VILLAGE_P = (0.86, 0.09, 0.05)
REGULAR, PHONE_ONLY, SILENT = 0, 1, 2
#: chance of an on-site visit in a month: a regular village, a paper village before its last quarter
VISIT_P = {REGULAR: 0.93, PHONE_ONLY: 0.3, SILENT: 0.3}
WEAK_ADVISER_SHARE = 0.05
WEAK_VISIT_P = 0.3
#: chance of a remote contact in a month (a phone-only village gets one every month of its last quarter)
REMOTE_P = 0.08

#: a visit is mostly a half day in the village (坐班), sometimes longer
ONSITE_HOURS = np.array([4.0, 4.0, 4.0, 4.5, 5.0, 6.0, 8.0])
LECTURE_HOURS = 4.0
WEAK_HOURS = np.array([0.5, 0.5, 1.0])
REMOTE_HOURS = np.array([0.25, 0.5, 0.5, 1.0])
#: (category, content, people low, people high, share) of on-site services, then of remote ones
ONSITE_KINDS = (("法律咨询", "到村坐班，解答村民法律咨询", 1, 6, 0.5),
                ("矛盾纠纷调解", "参与调解邻里、土地纠纷", 2, 5, 0.2),
                ("法治讲座", "开展法治宣传讲座", 20, 80, 0.15),
                ("合同审查", "审查村集体合同", 1, 2, 0.1),
                ("村规民约审查", "审查修订村规民约", 3, 10, 0.05))
REMOTE_KINDS = (("法律咨询", "电话、微信解答法律咨询", 1, 2, 0.8),
                ("合同审查", "线上审查合同文本", 1, 1, 0.2))


@dataclass(frozen=True)
class _Contracts:
    """The assignments that run during the window, as arrays (dates as day numbers)."""
    village: np.ndarray     # int64
    adviser: np.ndarray     # int32
    start: np.ndarray       # datetime64[D]
    end: np.ndarray         # datetime64[D], the anchor when later or open-ended


def generate_services(assignments: pd.DataFrame, anchor: dt.date, seed: int, months: int = MONTHS
                      ) -> pd.DataFrame:
    """Service records for `months` calendar months ending with the anchor's (no record after the anchor), in
    the columns of :meth:`geo.store.Store.add_services` without batch_id."""
    return pd.concat(list(service_months(assignments, anchor, seed, months)), ignore_index=True)


def service_months(assignments: pd.DataFrame, anchor: dt.date, seed: int, months: int = MONTHS
                   ) -> Iterator[pd.DataFrame]:
    """:func:`generate_services` one calendar month at a time, oldest first: a national year written month by
    month never holds the whole year in memory."""
    rng = np.random.default_rng(seed)
    a_day = np.datetime64(anchor, "D")
    contracts = _running(assignments, a_day, months)
    story = _village_stories(contracts.village, rng)
    weak = _weak_advisers(contracts.adviser, rng)
    first_month = np.datetime64(anchor, "M") - (months - 1)
    for m in range(months):
        yield _month(contracts, story, weak, first_month + m, a_day, rng)


def _running(assignments: pd.DataFrame, a_day: np.datetime64, months: int) -> _Contracts:
    first = (np.datetime64(a_day, "M") - (months - 1)).astype("datetime64[D]")
    start = assignments["start_date"].to_numpy().astype("datetime64[D]")
    end = assignments["end_date"].to_numpy().astype("datetime64[D]")
    end = np.where(np.isnat(end) | (end > a_day), a_day, end)
    keep = (start <= a_day) & (end >= first)
    return _Contracts(assignments["village"].to_numpy(np.int64)[keep],
                      assignments["adviser_id"].to_numpy(np.int32)[keep], start[keep], end[keep])


def _village_stories(village: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One story per village (the same for all its contracts), drawn over the distinct villages."""
    distinct, index = np.unique(village, return_inverse=True)
    return rng.choice(len(VILLAGE_P), size=len(distinct), p=VILLAGE_P)[index]


def _weak_advisers(adviser: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    distinct, index = np.unique(adviser, return_inverse=True)
    return (rng.random(len(distinct)) < WEAK_ADVISER_SHARE)[index]


def _month(c: _Contracts, story: np.ndarray, weak: np.ndarray, month: np.datetime64, a_day: np.datetime64,
           rng: np.random.Generator) -> pd.DataFrame:
    """The records of one calendar month: a visit and a remote contact drawn per running contract, each on a
    random day of the month that the contract covers, none after the anchor."""
    lo = np.maximum(c.start, month.astype("datetime64[D]"))
    hi = np.minimum(c.end, (month + 1).astype("datetime64[D]") - 1)
    n = len(c.village)
    span = np.maximum((hi - lo).astype(np.int64) + 1, 1)
    visit_day = lo + (rng.random(n) * span).astype("timedelta64[D]")
    call_day = lo + (rng.random(n) * span).astype("timedelta64[D]")
    running = hi >= lo
    quiet = np.datetime64(a_day) - (LAST_QUARTER_DAYS - 1)
    visit_p = np.select([weak, story == REGULAR], [WEAK_VISIT_P, VISIT_P[REGULAR]], VISIT_P[PHONE_ONLY])
    visits = running & (rng.random(n) < visit_p) & ((story == REGULAR) | (visit_day < quiet))
    call_p = np.where((story == PHONE_ONLY) & (hi >= quiet), 1.0, REMOTE_P)
    calls = running & (rng.random(n) < call_p) & ((story != SILENT) | (call_day < quiet))
    calls &= (story != PHONE_ONLY) | (call_day >= quiet) | (rng.random(n) < REMOTE_P)
    onsite_hours = np.where(weak, rng.choice(WEAK_HOURS, n), rng.choice(ONSITE_HOURS, n))
    return pd.concat([_records(c, visits, visit_day, "onsite", onsite_hours, ONSITE_KINDS, rng),
                      _records(c, calls, call_day, "remote", rng.choice(REMOTE_HOURS, n), REMOTE_KINDS, rng)],
                     ignore_index=True)


def _records(c: _Contracts, chosen: np.ndarray, day: np.ndarray, mode: str, hours: np.ndarray, kinds: tuple,
             rng: np.random.Generator) -> pd.DataFrame:
    n = int(chosen.sum())
    kind = rng.choice(len(kinds), size=n, p=[k[4] for k in kinds])
    low = np.array([k[2] for k in kinds])[kind]
    high = np.array([k[3] for k in kinds])[kind]
    lecture = np.array([k[0] == "法治讲座" for k in kinds])[kind]
    # the texts as categories: a national year is millions of rows drawn from a dozen texts
    return pd.DataFrame({
        "village": c.village[chosen], "adviser_id": c.adviser[chosen],
        "service_date": day[chosen].astype("datetime64[s]"),
        "mode": pd.Categorical.from_codes(np.full(n, MODES.index(mode), dtype=np.int8), MODES),
        "category": pd.Categorical.from_codes(_CATEGORIES.index_of(kinds, kind), _CATEGORIES.values),
        "hours": np.where(lecture, LECTURE_HOURS, hours[chosen]) if mode == "onsite" else hours[chosen],
        "people": (low + (rng.random(n) * (high - low + 1)).astype(np.int16)),
        "content": pd.Categorical.from_codes(_CONTENTS.index_of(kinds, kind), _CONTENTS.values)})


@dataclass(frozen=True)
class _Texts:
    """The distinct texts of one column of ONSITE_KINDS and REMOTE_KINDS, as the categories of that column."""
    field: int

    @property
    def values(self) -> list[str]:
        return list(dict.fromkeys(k[self.field] for k in (*ONSITE_KINDS, *REMOTE_KINDS)))

    def index_of(self, kinds: tuple, kind: np.ndarray) -> np.ndarray:
        return np.array([self.values.index(k[self.field]) for k in kinds], dtype=np.int8)[kind]


MODES = ["onsite", "remote"]
_CATEGORIES, _CONTENTS = _Texts(0), _Texts(1)
