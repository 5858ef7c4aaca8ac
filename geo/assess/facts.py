"""What an assessment is computed from, per adviser or per village: the months each held its villages, whether a
contract was in force for the whole period, and the service records grouped by month, mode and class.

A contract's ``end_date`` is its last day in force (inclusive); an adviser who left mid-period (an early end)
holds a village in a month when a contract was in force on at least half of its days (:data:`HALF_MONTH`), so
the monthly expectations are pro rata to the months served.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from geo.assess.period import Period, month_bounds
from geo.core.categories import CLASSES, OTHER, category_class
from geo.core.codes import Scope
from geo.store import Store
from geo.store.assess import MODE_CODES

ADVISER, VILLAGE = "adviser", "village"
#: a month counts as served when a contract was in force on at least this share of its days
HALF_MONTH = 0.5
_FAR = pd.Timestamp("2262-01-01")


@dataclass(frozen=True)
class Facts:
    """The facts of one kind of subject (advisers or villages) over one period."""

    subject: str                    # ADVISER or VILLAGE
    period: Period
    held: pd.DataFrame              # subject, village, month: the subject held the village in the month
    whole: pd.Series                # subject -> a contract in force on every day of the period
    records: pd.DataFrame           # subject, village, month, mode, cls, records, hours, people
    #: what only some indicators read (the villagers' answers, the signboards), by the name they are asked under
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def subjects(self) -> pd.Index:
        return pd.Index(self.codes.subjects, dtype="int64", name="subject")

    @cached_property
    def served(self) -> pd.DataFrame:
        """subject, month: the months each subject served, by subject and month."""
        c = self.codes
        return pd.DataFrame({"subject": c.subjects[c.served_pos], "month": c.months[c.served_month]})

    @cached_property
    def codes(self) -> Codes:
        return Codes.of(self)

    def without_codes(self) -> Facts:
        """The same facts without the codes and sums worked out from them (a result kept for its trace reads
        only the frames; a national quarter's codes are 130 MB)."""
        return replace(self)


@dataclass
class Codes:
    """The facts as integer codes, worked out once and shared by every indicator and figure: each subject's
    position among the sorted subjects, each month's position in the period, and the (subject, month) cells of a
    dense table that :func:`numpy.bincount` fills in one pass (a groupby per indicator would find its groups
    again each time)."""

    subjects: np.ndarray            # the subjects, sorted
    months: np.ndarray              # the period's months (yyyymm)
    held_pos: np.ndarray            # per row of Facts.held: the subject's position
    held_month: np.ndarray          # ... and the month's
    held_village: np.ndarray        # ... and the village's position in `villages`
    villages: np.ndarray            # the villages held, sorted
    served_pos: np.ndarray          # the months served, by subject and month: the subject's position
    served_month: np.ndarray        # ... and the month's
    record_pos: np.ndarray          # per row of Facts.records: the subject's position (-1: not assessed)
    record_month: np.ndarray        # ... the month's
    mode: np.ndarray                # ... the mode's code (geo.store.assess.MODE_CODES)
    cls: np.ndarray                 # ... the class's code (geo.core.categories.CLASSES)
    _sums: dict[tuple, np.ndarray] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, facts: Facts) -> Codes:
        held, records = facts.held, facts.records
        subjects = distinct(held["subject"].to_numpy(np.int64))
        months = np.asarray(facts.period.months, dtype=np.int64)
        held_pos = np.searchsorted(subjects, held["subject"].to_numpy(np.int64))
        held_month = _month_pos(held["month"].to_numpy(np.int64), months)
        village = held["village"].to_numpy(np.int64)
        villages = distinct(village)
        held_village = np.searchsorted(villages, village)
        cells = distinct(held_pos * len(months) + held_month)
        record_subject = records["subject"].to_numpy(np.int64)
        record_pos = np.searchsorted(subjects, record_subject)
        found = record_pos < len(subjects)
        found[found] = subjects[record_pos[found]] == record_subject[found]
        return cls(subjects, months, held_pos, held_month, held_village, villages, cells // len(months),
                   (cells % len(months)).astype(np.int8),
                   np.where(found, record_pos, -1), _month_pos(records["month"].to_numpy(np.int64), months),
                   _codes(records["mode"]), _codes(records["cls"]))

    @property
    def n(self) -> int:
        return len(self.subjects)

    @property
    def served_cell(self) -> np.ndarray:
        return self.served_pos * len(self.months) + self.served_month

    def where(self, mode: str | None = None, cls: str | None = None) -> np.ndarray:
        """The records of the assessed subjects (of one mode, one class of service, when given)."""
        keep = self.record_pos >= 0
        if mode is not None:
            keep &= self.mode == MODE_CODES.index(mode)
        if cls is not None:
            keep &= self.cls == CLASSES.index(cls)
        return keep

    def per_month(self, facts: Facts, column: str, mode: str | None = None, cls: str | None = None) -> np.ndarray:
        """The sum of `column` over the records (of `mode`, `cls`) in each (subject, month) cell: an array of
        n × months, computed once per question."""
        key = ("month", column, mode, cls)
        if key not in self._sums:
            keep = self.where(mode, cls)
            cells = self.record_pos[keep] * len(self.months) + self.record_month[keep]
            self._sums[key] = np.bincount(cells, weights=facts.records[column].to_numpy(np.float64)[keep],
                                          minlength=self.n * len(self.months))
        return self._sums[key]

    def forget_sums(self) -> None:
        """Let go of the sums per month kept so far (they are worked out again when asked for)."""
        self._sums.clear()

    def per_subject(self, facts: Facts, column: str, mode: str | None = None, cls: str | None = None) -> np.ndarray:
        """The sum of `column` over each subject's records (of `mode`, `cls`): from the sums per month when asked
        for already, else summed per subject and not kept (nationally, a table per month that nothing else reads
        is 14 MB per question)."""
        key = ("month", column, mode, cls)
        if key in self._sums:
            return self._sums[key].reshape(self.n, len(self.months)).sum(axis=1)
        keep = self.where(mode, cls)
        return np.bincount(self.record_pos[keep], weights=facts.records[column].to_numpy(np.float64)[keep],
                           minlength=self.n)

    def held_pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The distinct (subject, village) pairs held, by subject then village: the subject's position, the
        village's, and in how many months of the period."""
        width = max(len(self.villages), 1)
        keys = np.sort(self.held_pos * width + self.held_village)
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) else keys
        counts = np.diff(np.append(starts, len(keys)))
        return keys[starts] // width, keys[starts] % width, counts

    def count_per_subject(self, pos: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(pos, weights=weights, minlength=self.n)


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: by a sort, which at a million integers is some fifty times faster than
    numpy 2's hash-based :func:`numpy.unique`."""
    ordered = np.sort(values, kind="stable")
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _month_pos(months: np.ndarray, period_months: np.ndarray) -> np.ndarray:
    """Each yyyymm's position among the period's months (a period lies within one year, its months in a row),
    as a byte: with a subject's position (int64) it makes an int64 cell, and a national year's 1.8 million
    contract months and 6 million records take an eighth of the memory."""
    return (months - period_months[0]).astype(np.int8)


def _codes(values: pd.Series) -> np.ndarray:
    """A mode's or a class's code (a handful of them), as a byte."""
    return values.cat.codes.to_numpy(np.int8) if isinstance(values.dtype, pd.CategoricalDtype) \
        else values.to_numpy(np.int8)


def contract_months(contracts: pd.DataFrame, period: Period) -> pd.DataFrame:
    """adviser_id, village, month, days: the days of each month of `period` a contract was in force (the
    longest when several), for the months where it reached :data:`HALF_MONTH` of them."""
    adviser = contracts["adviser_id"].to_numpy(np.int64)
    village = contracts["village"].to_numpy(np.int64)
    villages = distinct(village)
    pair = adviser * max(len(villages), 1) + np.searchsorted(villages, village)     # by adviser, then village
    start = contracts["start_date"].to_numpy("datetime64[D]")
    end = contracts["end_date"].fillna(_FAR).to_numpy("datetime64[D]")
    pairs, months, lengths = [], [], []
    for number, key in enumerate(period.months):
        first, last = (np.datetime64(d, "D") for d in month_bounds(key))
        days = (np.minimum(end, last) - np.maximum(start, first)).astype("int64") + 1
        length = int((last - first).astype("int64")) + 1
        keep = days >= length * HALF_MONTH
        pairs.append(pair[keep])
        months.append(np.full(int(keep.sum()), number, dtype=np.int64))
        lengths.append(days[keep])
    n_months = len(period.months)
    cell = np.concatenate(pairs) * n_months + np.concatenate(months) if pairs else np.zeros(0, np.int64)
    days = np.concatenate(lengths) if lengths else np.zeros(0, np.int64)
    # the longest contract of each (adviser, village, month): the last of its cell once sorted by cell and days
    order = np.lexsort((days, cell))
    cell, days = cell[order], days[order]
    last = np.concatenate((cell[1:] != cell[:-1], [True])) if len(cell) else np.zeros(0, bool)
    cell, days = cell[last], days[last]
    pair_of = cell // n_months
    return pd.DataFrame({"adviser_id": pair_of // max(len(villages), 1),
                         "village": villages[pair_of % max(len(villages), 1)] if len(villages) else pair_of,
                         "month": np.asarray(period.months, dtype=np.int64)[cell % n_months], "days": days})


def whole_period(contracts: pd.DataFrame, key: str, start: dt.date, end: dt.date) -> pd.Series:
    """key -> whether the union of its contracts covers every day of [start, end]."""
    if contracts.empty:
        return pd.Series(dtype=bool)
    s = contracts["start_date"].clip(lower=pd.Timestamp(start))
    e = contracts["end_date"].fillna(_FAR).clip(upper=pd.Timestamp(end))
    f = pd.DataFrame({"key": contracts[key].to_numpy(), "s": s.to_numpy(), "e": e.to_numpy()})
    f = f[f["s"] <= f["e"]].sort_values(["key", "s"], kind="stable")
    reach = f.groupby("key")["e"].cummax()
    before = reach.groupby(f["key"]).shift()
    gap = (f["s"] > before + pd.Timedelta(days=1)).groupby(f["key"]).any()
    first = f.groupby("key")["s"].min()
    last = f.groupby("key")["e"].max()
    whole = (~gap) & (first <= pd.Timestamp(start)) & (last >= pd.Timestamp(end))
    return whole.rename_axis("subject").astype(bool)


def service_records(store: Store, scope: Scope, period: Period) -> pd.DataFrame:
    """The records of `scope` in `period`, grouped (:meth:`geo.store.Store.assess_services`), with mode and class
    as categories (onsite / remote / other; consultation, lecture ...): each distinct category text is read into
    its class once (:func:`geo.core.categories.category_class`)."""
    texts = store.assess_categories(scope, period.start, period.end)
    codes = pd.DataFrame({"category": pd.Series(texts, dtype=object),
                          "code": pd.Series([CLASSES.index(category_class(x)) for x in texts], dtype="int64")})
    records = store.assess_services(scope, period.start, period.end, codes)
    cls = records["cls"].to_numpy().copy()
    cls[cls < 0] = CLASSES.index(OTHER)
    return records.assign(mode=pd.Categorical.from_codes(records["mode"].to_numpy(), MODE_CODES),
                          cls=pd.Categorical.from_codes(cls, CLASSES))


def facts_of(subject: str, contracts: pd.DataFrame, services: pd.DataFrame, period: Period,
             months: pd.DataFrame | None = None, extra: dict[str, Any] | None = None) -> Facts:
    """The facts of the advisers (`subject` ADVISER) or the villages (VILLAGE) from a scope's contracts
    (:meth:`geo.store.Store.assess_contracts`) and records (:func:`service_records`); `months`: their
    :func:`contract_months` when computed already; `extra`: what some indicators read beside them."""
    months = contract_months(contracts, period) if months is None else months
    column = "adviser_id" if subject == ADVISER else "village"
    held = pd.DataFrame({"subject": months[column].to_numpy(), "village": months["village"].to_numpy(),
                         "month": months["month"].to_numpy()})
    if subject == VILLAGE:          # a village held by several advisers in a month: once
        village = held["village"].to_numpy(np.int64)
        cells = distinct(village * 100 + held["month"].to_numpy(np.int64) % 100)
        held = pd.DataFrame({"subject": cells // 100, "village": cells // 100,
                             "month": period.months[0] // 100 * 100 + cells % 100})
    keep = ["village", "month", "mode", "cls", "records", "hours", "people"]
    if subject == ADVISER:          # grouped per adviser, village, month, mode and class by the store already
        named = services["adviser_id"].notna().to_numpy()
        source = services if named.all() else services[named]
        subjects = source["adviser_id"].to_numpy(np.int64)
    else:                           # the same groups, each summed into its village's cells by Codes
        source = services
        subjects = services["village"].to_numpy(np.int64)
    # the columns' arrays shared with `services` and between the two kinds, not copied (a national quarter's
    # groups are 80 MB a copy)
    records = pd.DataFrame({"subject": subjects, **{c: source[c].array for c in keep}}, copy=False)
    whole = whole_period(contracts, column, period.start, period.end)
    return Facts(subject, period, held, whole.reindex(held["subject"].unique(), fill_value=False), records,
                 dict(extra or {}))
