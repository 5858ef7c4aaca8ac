"""The fixed vocabulary of a score sheet: each indicator a class that says which keys a rule file may give it
(:attr:`Indicator.fields`), how it measures an adviser or a village (:meth:`Indicator.units`) and how the
measure becomes points (:meth:`Indicator.score`).  :data:`INDICATORS` is the one table of them; a rule file naming
anything else is refused.

Every indicator measures in *units*: the months, quarters or years of the period the subject served, or the
period itself, each met or not, with the amount behind it (hours, records).  The value is the number of units
met, the target the number of units; the units are also what an adviser's detail lists, so every figure can be
traced to its months and records.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Sequence

import numpy as np
import pandas as pd

from geo.assess.facts import Facts, distinct
from geo.assess.period import month_label, quarter_of, year_of
from geo.core.categories import CLASSES, LECTURE, MEDIATION
from geo.text.catalogue import t

UNIT_COLUMNS = ["subject", "unit", "amount", "met"]
#: how records are counted per unit: a month, a quarter, a year, or the whole period
PER_UNITS = ("month", "quarter", "year", "period")
#: the largest number a rule file may write anywhere (points, hours, counts, payments are all far below)
MAX_POINTS, MAX_HOURS, MAX_COUNT = 1000, 300, 1000
ALL_RECORDS = "all"
#: what some indicators read beside contracts and records (Facts.extra), and a village's signboard statuses
FEEDBACK, BOARDS = "feedback", "boards"
NONE, OUTDATED, CURRENT = "none", "outdated", "current"


# -- the keys a rule file may give, each with its type and range ---------------------------------------------
@dataclass(frozen=True)
class Number:
    low: float
    high: float
    integer: bool = False
    required: bool = True
    default: float | None = None


@dataclass(frozen=True)
class Choice:
    options: tuple[str, ...]
    default: str | None = None


@dataclass(frozen=True)
class Text:
    max_chars: int
    required: bool = False


Field = Number | Choice | Text
#: the keys every indicator has
COMMON_FIELDS: dict[str, Field] = {"kind": Text(40, required=True), "label": Text(40),
                                   "points": Number(0, MAX_POINTS)}
DEDUCT = Number(0, MAX_POINTS, required=False)


def _unit_index(per: str, months: np.ndarray, period_code: str) -> tuple[np.ndarray, np.ndarray]:
    """The unit of each of the period's months (its position in the labels) and the labels (2026-04, 2026Q2,
    2026 or the period's code)."""
    if per == "period":
        return np.zeros(len(months), dtype=np.int64), np.array([period_code], dtype=object)
    name = {"month": month_label, "quarter": quarter_of, "year": year_of}[per]
    labels = [name(int(m)) for m in months]
    uniques = list(dict.fromkeys(labels))
    return np.array([uniques.index(x) for x in labels], dtype=np.int64), np.array(uniques, dtype=object)


def _units_named(codes: np.ndarray, labels: Sequence[str]) -> pd.Categorical:
    """Units as a categorical: a million labels are a million small numbers and a few texts."""
    return pd.Categorical.from_codes(codes, categories=list(labels))


def _month_units(facts: Facts, amount: np.ndarray, met: np.ndarray) -> pd.DataFrame:
    """The units of an indicator counted per month served: one row per (subject, month served)."""
    c = facts.codes
    labels = [month_label(int(m)) for m in c.months]
    return pd.DataFrame({"subject": c.subjects[c.served_pos], "unit": _units_named(c.served_month, labels),
                         "amount": amount, "met": met, "pos": c.served_pos})


class Indicator(ABC):
    """One line of a score sheet.  Subclasses set :attr:`kind`, :attr:`fields` and :attr:`label_key`."""

    kind: ClassVar[str]
    fields: ClassVar[dict[str, Field]] = {}
    label_key: ClassVar[str]
    #: the catalogue sentence saying the rule, with the indicator's values as placeholders
    rule_key: ClassVar[str]
    #: whether meeting a unit is bad (a deduction: remote-only months), not good
    penalty: ClassVar[bool] = False
    #: what else the indicator reads beside contracts and records (Facts.extra: FEEDBACK, BOARDS)
    needs: ClassVar[tuple[str, ...]] = ()

    def __init__(self, values: dict[str, Any]):
        self.values = values
        self.points = float(values["points"])
        self.label = values.get("label") or ""

    def get(self, key: str) -> Any:
        return self.values.get(key)

    @abstractmethod
    def units(self, facts: Facts) -> pd.DataFrame:
        """subject, unit, amount, met: each unit of the period a subject is measured in (and, optionally, pos:
        the subject's position in ``facts.codes``, which saves looking it up again)."""

    def measure(self, facts: Facts, units: pd.DataFrame | None = None) -> pd.DataFrame:
        """Indexed by subject (every subject of `facts`): value (units met), target (units), points; from
        `units` when :meth:`units` was called already."""
        units = self.units(facts) if units is None else units
        c = facts.codes
        pos = (units["pos"].to_numpy(np.int64) if "pos" in units
               else np.searchsorted(c.subjects, units["subject"].to_numpy(np.int64)))
        out = pd.DataFrame({"value": c.count_per_subject(pos, units["met"].to_numpy(np.float64)),
                            "target": c.count_per_subject(pos).astype(np.float64)}, index=facts.subjects)
        out["points"] = self.score(out["value"], out["target"])
        return out

    def score(self, value: pd.Series, target: pd.Series) -> pd.Series:
        """Full points when every unit is met; with ``deduct``, that many points off per unit missed, else the
        points in proportion to the units met; never below zero."""
        missed = (target - value).clip(lower=0)
        deduct = self.get("deduct")
        if deduct is not None:
            points = self.points - float(deduct) * missed
        else:
            points = self.points * np.where(target > 0, value / target.where(target > 0, 1), 1.0)
        return pd.Series(np.round(np.clip(points, 0, self.points), 2), index=value.index)

    def check(self) -> tuple[str, str, dict[str, Any]] | None:
        """A rule that holds between the indicator's keys (each key's own range is checked already): None, or
        the key at fault, the catalogue key of the refusal and its values."""
        return None

    def unit_text(self, unit: str, lang: str = "zh") -> str:
        """A unit as the adviser's detail shows it."""
        return unit

    def rule_values(self) -> dict[str, Any]:
        """The values the rule sentence names."""
        return {k: v for k, v in self.values.items() if k not in ("kind", "label")}


class ContractWholePeriod(Indicator):
    """A contract in force on every day of the period (the subject's contracts in the scope, joined)."""

    kind = "contract_whole_period"
    label_key = "assess.ind.contract_whole_period"
    rule_key = "assess.rule.contract_whole_period"

    def units(self, facts: Facts) -> pd.DataFrame:
        subjects = facts.subjects
        whole = facts.whole.reindex(subjects, fill_value=False).to_numpy(bool)
        return pd.DataFrame({"subject": subjects.to_numpy(),
                             "unit": _units_named(np.zeros(len(subjects), dtype=np.int64), [facts.period.code]),
                             "amount": whole.astype(float), "met": whole, "pos": np.arange(len(subjects))})


class OnsiteMonths(Indicator):
    """Months served with at least one on-site record."""

    kind = "onsite_months"
    fields = {"deduct": DEDUCT}
    label_key = "assess.ind.onsite_months"
    rule_key = "assess.rule.onsite_months"

    def units(self, facts: Facts) -> pd.DataFrame:
        c = facts.codes
        amount = c.per_month(facts, "records", mode="onsite")[c.served_cell]
        return _month_units(facts, amount, amount > 0)


class OnsiteHours(Indicator):
    """Months served with on-site hours at or above a standard: the adviser's hours in the month, or (per
    village) the hours at each village held that month."""

    kind = "onsite_hours"
    fields = {"standard": Number(0, MAX_HOURS), "per": Choice(("adviser", "village"), "adviser"), "deduct": DEDUCT}
    label_key = "assess.ind.onsite_hours"
    rule_key = "assess.rule.onsite_hours"

    def units(self, facts: Facts) -> pd.DataFrame:
        standard = float(self.get("standard"))
        c = facts.codes
        if self.get("per") == "village":
            hours = _held_hours(facts)
            short = (hours < standard - 1e-9).astype(np.float64)
            cells = c.held_pos * len(c.months) + c.held_month
            size = c.n * len(c.months)
            amount = np.bincount(cells, weights=hours, minlength=size)[c.served_cell]
            met = np.bincount(cells, weights=short, minlength=size)[c.served_cell] == 0
            return _month_units(facts, amount, met)
        amount = c.per_month(facts, "hours", mode="onsite")[c.served_cell]
        return _month_units(facts, amount, amount >= standard - 1e-9)


def _held_hours(facts: Facts) -> np.ndarray:
    """Per row of ``facts.held`` (a subject holding a village in a month): the on-site hours there then."""
    c = facts.codes
    villages = distinct(facts.held["village"].to_numpy(np.int64))
    n_villages = len(villages)
    held_keys = (c.held_pos * len(c.months) + c.held_month) * n_villages + c.held_village
    order = np.argsort(held_keys, kind="stable")
    sorted_keys = held_keys[order]
    keep = c.where(mode="onsite")
    record_villages = facts.records["village"].to_numpy(np.int64)[keep]
    v = np.searchsorted(villages, record_villages)
    at_held = v < n_villages
    at_held[at_held] = villages[v[at_held]] == record_villages[at_held]
    keys = ((c.record_pos[keep] * len(c.months) + c.record_month[keep]) * n_villages + v)[at_held]
    where = np.searchsorted(sorted_keys, keys)
    hit = where < len(sorted_keys)
    hit[hit] = sorted_keys[where[hit]] == keys[hit]
    sums = np.bincount(where[hit], weights=facts.records["hours"].to_numpy(np.float64)[keep][at_held][hit],
                       minlength=len(sorted_keys))
    out = np.empty(len(held_keys), dtype=np.float64)
    out[order] = sums
    return out


class RecordsPerUnit(Indicator):
    """At least ``at_least`` records of a class (any mode) in each month / quarter / year served, or in the
    period.  A quarter or a year counts when the subject served at least one of its months."""

    kind = "records"
    fields = {"category": Choice((*CLASSES, ALL_RECORDS)), "at_least": Number(0, MAX_COUNT, integer=True),
              "per": Choice(PER_UNITS, "month"), "deduct": DEDUCT}
    label_key = "assess.ind.records"
    rule_key = "assess.rule.records"
    category: ClassVar[str | None] = None        # fixed by a subclass; else the rule file's

    def units(self, facts: Facts) -> pd.DataFrame:
        category = self.category or self.get("category")
        c = facts.codes
        unit_of_month, labels = _unit_index(self.get("per"), c.months, facts.period.code)
        counts = c.per_month(facts, "records", cls=None if category == ALL_RECORDS else category)
        n_units = len(labels)
        by_month = counts.reshape(c.n, len(c.months))
        per_unit = np.zeros((c.n, n_units))
        for month, unit in enumerate(unit_of_month):
            per_unit[:, unit] += by_month[:, month]
        cells = distinct(c.served_pos * n_units + unit_of_month[c.served_month])
        amount = per_unit.reshape(-1)[cells]
        pos = cells // n_units
        return pd.DataFrame({"subject": c.subjects[pos], "unit": _units_named(cells % n_units, labels),
                             "amount": amount,
                             "met": amount >= int(self.get("at_least")), "pos": pos})


class Lectures(RecordsPerUnit):
    """法治宣传 / 讲座: at least ``at_least`` a quarter (or another unit)."""

    kind = "lectures"
    fields = {"at_least": Number(0, MAX_COUNT, integer=True), "per": Choice(PER_UNITS, "quarter"), "deduct": DEDUCT}
    label_key = "assess.ind.lectures"
    rule_key = "assess.rule.lectures"
    category = LECTURE


class Mediations(RecordsPerUnit):
    """人民调解 cases: at least ``at_least`` in the period (or a unit)."""

    kind = "mediations"
    fields = {"at_least": Number(0, MAX_COUNT, integer=True), "per": Choice(PER_UNITS, "period"), "deduct": DEDUCT}
    label_key = "assess.ind.mediations"
    rule_key = "assess.rule.mediations"
    category = MEDIATION


class RemoteOnlyMonths(Indicator):
    """A deduction: months served with remote records and no on-site one (service by phone only)."""

    kind = "remote_only_months"
    fields = {"deduct": Number(0, MAX_POINTS)}
    label_key = "assess.ind.remote_only_months"
    rule_key = "assess.rule.remote_only_months"
    penalty = True

    def units(self, facts: Facts) -> pd.DataFrame:
        c = facts.codes
        remote = c.per_month(facts, "records", mode="remote")[c.served_cell]
        onsite = c.per_month(facts, "records", mode="onsite")[c.served_cell]
        return _month_units(facts, remote, (remote > 0) & (onsite == 0))

    def score(self, value: pd.Series, target: pd.Series) -> pd.Series:
        points = self.points - float(self.get("deduct")) * value
        return pd.Series(np.round(np.clip(points, 0, self.points), 2), index=value.index)


class Satisfaction(Indicator):
    """The villagers' satisfaction (their answers on the village page and the paper questionnaires,
    :mod:`geo.core.feedback`): the share of answers at or above ``satisfied_from`` among the answers given at
    the subject's villages in the months it held them.  One unit, the period: met when the share reaches
    ``share`` per cent; with fewer than ``min_answers`` answers there is no figure, and ``no_data`` says whether
    that earns the points (``full``) or not (``zero``)."""

    kind = "satisfaction"
    fields = {"share": Number(0, 100), "satisfied_from": Number(1, 5, integer=True, required=False, default=4),
              "min_answers": Number(1, MAX_COUNT, integer=True, required=False, default=5),
              "no_data": Choice(("full", "zero"), "full")}
    label_key = "assess.ind.satisfaction"
    rule_key = "assess.rule.satisfaction"
    needs = (FEEDBACK,)

    def units(self, facts: Facts) -> pd.DataFrame:
        answers, satisfied = satisfaction_counts(facts, int(self.get("satisfied_from")))
        enough = answers >= int(self.get("min_answers"))
        share = np.where(answers > 0, satisfied / np.maximum(answers, 1) * 100, 0.0)
        met = np.where(enough, share >= float(self.get("share")) - 1e-9, self.get("no_data") == "full")
        subjects = facts.subjects
        units = [f"{facts.period.code}:{s}/{a}" for s, a in zip(satisfied.tolist(), answers.tolist())]
        return pd.DataFrame({"subject": subjects.to_numpy(), "unit": units, "amount": np.round(share, 1),
                             "met": met.astype(bool), "pos": np.arange(len(subjects))})

    def unit_text(self, unit: str, lang: str = "zh") -> str:
        period, _, counts = unit.partition(":")
        satisfied, _, answers = counts.partition("/")
        key = "assess.unit.satisfaction" if int(answers or 0) >= int(self.get("min_answers")) \
            else "assess.unit.satisfaction_no_data"
        return t(key, lang, period=period, satisfied=satisfied, answers=answers)


def satisfaction_counts(facts: Facts, satisfied_from: int) -> tuple[np.ndarray, np.ndarray]:
    """Per subject (in ``facts.subjects`` order): the answers giving a satisfaction at its villages in the
    months it held them, and how many of them were at least `satisfied_from`."""
    feedback = facts.extra.get(FEEDBACK)
    n = len(facts.subjects)
    if feedback is None or feedback.empty:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    per_cell = (feedback.assign(satisfied=feedback["answers"].where(feedback["satisfaction"] >= satisfied_from, 0))
                .groupby(["village", "month"], as_index=False)[["answers", "satisfied"]].sum())
    held = facts.held[["subject", "village", "month"]].merge(per_cell, on=["village", "month"])
    sums = held.groupby("subject")[["answers", "satisfied"]].sum().reindex(facts.subjects, fill_value=0)
    return sums["answers"].to_numpy(np.int64), sums["satisfied"].to_numpy(np.int64)


class Signboard(Indicator):
    """Signboard currency (公示牌, :func:`geo.public.boards.reprint_list`): each village the subject held in
    the period is a unit, current when its last printed board still says what it would say on the period's last
    day, ``outdated`` when the advisers or the county's settings changed since or its QR code was reset, and
    ``none`` when no board was ever printed.  The points less the mean of the villages' deductions (a village:
    the deduction itself), never below zero."""

    kind = "signboard"
    fields = {"none": Number(0, MAX_POINTS), "outdated": Number(0, MAX_POINTS)}
    label_key = "assess.ind.signboard"
    rule_key = "assess.rule.signboard"
    needs = (BOARDS,)

    def check(self) -> tuple[str, str, dict[str, Any]] | None:
        for key in ("none", "outdated"):
            if float(self.get(key)) > self.points:
                return key, "assess.e.deduct_over", {"field": key, "value": f"{float(self.get(key)):g}",
                                                     "points": f"{self.points:g}"}
        return None

    def units(self, facts: Facts) -> pd.DataFrame:
        c = facts.codes
        pos, village, _ = c.held_pairs()
        codes = c.villages[village]
        statuses = facts.extra.get(BOARDS, pd.Series(dtype=object))
        status = statuses.reindex(codes).fillna(CURRENT).to_numpy(object)
        deduct = {NONE: float(self.get("none")), OUTDATED: float(self.get("outdated")), CURRENT: 0.0}
        return pd.DataFrame({"subject": c.subjects[pos], "unit": [f"{v:012d}:{s}" for v, s in zip(codes, status)],
                             "amount": [deduct[s] for s in status], "met": status == CURRENT, "pos": pos})

    def measure(self, facts: Facts, units: pd.DataFrame | None = None) -> pd.DataFrame:
        units = self.units(facts) if units is None else units
        out = super().measure(facts, units)
        lost = facts.codes.count_per_subject(units["pos"].to_numpy(np.int64), units["amount"].to_numpy(np.float64))
        mean_lost = np.where(out["target"] > 0, lost / out["target"].where(out["target"] > 0, 1), 0.0)
        out["points"] = np.round(np.clip(self.points - mean_lost, 0, self.points), 2)
        return out

    def unit_text(self, unit: str, lang: str = "zh") -> str:
        village, _, status = unit.partition(":")
        return t("assess.unit.signboard", lang, village=village, status=t(f"assess.board.{status}", lang))


#: the vocabulary: kind -> class (the one table a rule file's indicators are looked up in)
INDICATORS: dict[str, type[Indicator]] = {cls.kind: cls for cls in (
    ContractWholePeriod, OnsiteMonths, OnsiteHours, Lectures, RecordsPerUnit, Mediations, RemoteOnlyMonths,
    Satisfaction, Signboard)}
