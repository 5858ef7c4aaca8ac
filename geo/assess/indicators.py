"""The fixed vocabulary of a score sheet: each indicator a class that says which keys a rule file may give it
(:attr:`Indicator.fields`), how it measures an adviser or a village (:meth:`Indicator.units`) and how the
measure becomes points (:meth:`Indicator.score`).  :data:`INDICATORS` is the one table of them; a rule file naming
anything else is refused.  The villagers' satisfaction and signboard currency will be two more classes here.

Every indicator measures in *units*: the months, quarters or years of the period the subject served, or the
period itself, each met or not, with the amount behind it (hours, records).  The value is the number of units
met, the target the number of units; the units are also what an adviser's detail lists, so every figure can be
traced to its months and records.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from geo.assess.facts import Facts
from geo.assess.period import month_label, quarter_of, year_of
from geo.core.categories import CLASSES, LECTURE, MEDIATION

UNIT_COLUMNS = ["subject", "unit", "amount", "met"]
#: how records are counted per unit: a month, a quarter, a year, or the whole period
PER_UNITS = ("month", "quarter", "year", "period")
#: the largest number a rule file may write anywhere (points, hours, counts, payments are all far below)
MAX_POINTS, MAX_HOURS, MAX_COUNT = 1000, 300, 1000
ALL_RECORDS = "all"


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


def _unit_of(per: str, months: pd.Series, period_code: str) -> pd.Series:
    """The unit (2026-04, 2026Q2, 2026 or the period's code) of each month yyyymm; looked up per distinct month."""
    if per == "period":
        return pd.Series(period_code, index=months.index, dtype=object)
    name = {"month": month_label, "quarter": quarter_of, "year": year_of}[per]
    return months.map({m: name(int(m)) for m in pd.unique(months)})


def _months(months: pd.Series) -> pd.Series:
    return _unit_of("month", months, "")


def _key(subject: pd.Series, month: pd.Series) -> np.ndarray:
    """(subject, month) as one int64 (a month of one period is told by its number in the year): a hash lookup on
    one column instead of a MultiIndex, which is slow at a million pairs."""
    return subject.to_numpy(np.int64) * 100 + month.to_numpy(np.int64) % 100


def _per_month(records: pd.DataFrame, column: str, served: pd.DataFrame) -> np.ndarray:
    """The sum of `column` over `records` for each (subject, month) of `served` (0 where none)."""
    sums = records[column].groupby(_key(records["subject"], records["month"])).sum()
    return sums.reindex(_key(served["subject"], served["month"])).fillna(0).to_numpy(float)


class Indicator(ABC):
    """One line of a score sheet.  Subclasses set :attr:`kind`, :attr:`fields` and :attr:`label_key`."""

    kind: ClassVar[str]
    fields: ClassVar[dict[str, Field]] = {}
    label_key: ClassVar[str]
    #: the catalogue sentence saying the rule, with the indicator's values as placeholders
    rule_key: ClassVar[str]
    #: whether meeting a unit is bad (a deduction: remote-only months), not good
    penalty: ClassVar[bool] = False

    def __init__(self, values: dict[str, Any]):
        self.values = values
        self.points = float(values["points"])
        self.label = values.get("label") or ""

    def get(self, key: str) -> Any:
        return self.values.get(key)

    @abstractmethod
    def units(self, facts: Facts) -> pd.DataFrame:
        """subject, unit, amount, met: each unit of the period a subject is measured in."""

    def measure(self, facts: Facts, units: pd.DataFrame | None = None) -> pd.DataFrame:
        """Indexed by subject (every subject of `facts`): value (units met), target (units), points; from
        `units` when :meth:`units` was called already."""
        units = self.units(facts) if units is None else units
        grouped = units.groupby("subject")
        out = pd.DataFrame({"value": grouped["met"].sum().astype(float), "target": grouped["met"].size().astype(float)})
        out = out.reindex(facts.subjects, fill_value=0.0)
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
        return pd.DataFrame({"subject": subjects.to_numpy(), "unit": facts.period.code,
                             "amount": whole.astype(float), "met": whole})


class OnsiteMonths(Indicator):
    """Months served with at least one on-site record."""

    kind = "onsite_months"
    fields = {"deduct": DEDUCT}
    label_key = "assess.ind.onsite_months"
    rule_key = "assess.rule.onsite_months"

    def units(self, facts: Facts) -> pd.DataFrame:
        served = facts.served
        amount = _per_month(facts.records[facts.records["mode"] == "onsite"], "records", served)
        return pd.DataFrame({"subject": served["subject"], "unit": _months(served["month"]),
                             "amount": amount, "met": amount > 0})


class OnsiteHours(Indicator):
    """Months served with on-site hours at or above a standard: the adviser's hours in the month, or (per
    village) the hours at each village held that month."""

    kind = "onsite_hours"
    fields = {"standard": Number(0, MAX_HOURS), "per": Choice(("adviser", "village"), "adviser"), "deduct": DEDUCT}
    label_key = "assess.ind.onsite_hours"
    rule_key = "assess.rule.onsite_hours"

    def units(self, facts: Facts) -> pd.DataFrame:
        standard = float(self.get("standard"))
        onsite = facts.records[facts.records["mode"] == "onsite"]
        if self.get("per") == "village":
            keys = ["subject", "village", "month"]
            hours = onsite.groupby(keys, as_index=False)["hours"].sum()
            each = facts.held[keys].merge(hours, on=keys, how="left").fillna({"hours": 0.0})
            each["ok"] = each["hours"] >= standard - 1e-9
            per_month = each.groupby(["subject", "month"], as_index=False).agg(amount=("hours", "sum"),
                                                                               met=("ok", "min"))
            return pd.DataFrame({"subject": per_month["subject"], "unit": _months(per_month["month"]),
                                 "amount": per_month["amount"], "met": per_month["met"].astype(bool)})
        served = facts.served
        amount = _per_month(onsite, "hours", served)
        return pd.DataFrame({"subject": served["subject"], "unit": _months(served["month"]),
                             "amount": amount, "met": amount >= standard - 1e-9})


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
        per, code = self.get("per"), facts.period.code
        records = facts.records if category == ALL_RECORDS else facts.records[facts.records["cls"] == category]
        counts = (records.assign(unit=_unit_of(per, records["month"], code))
                  .groupby(["subject", "unit"], as_index=False)["records"].sum())
        served = facts.served
        units = served.assign(unit=_unit_of(per, served["month"], code))[["subject", "unit"]].drop_duplicates()
        amount = (units.merge(counts, on=["subject", "unit"], how="left")["records"].fillna(0)
                  .to_numpy(float))
        return pd.DataFrame({"subject": units["subject"].to_numpy(), "unit": units["unit"].to_numpy(),
                             "amount": amount, "met": amount >= int(self.get("at_least"))})


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
        served, r = facts.served, facts.records
        remote = _per_month(r[r["mode"] == "remote"], "records", served)
        onsite = _per_month(r[r["mode"] == "onsite"], "records", served)
        return pd.DataFrame({"subject": served["subject"], "unit": _months(served["month"]),
                             "amount": remote.astype(float), "met": (remote > 0) & (onsite == 0)})

    def score(self, value: pd.Series, target: pd.Series) -> pd.Series:
        points = self.points - float(self.get("deduct")) * value
        return pd.Series(np.round(np.clip(points, 0, self.points), 2), index=value.index)


#: the vocabulary: kind -> class (the one table a rule file's indicators are looked up in)
INDICATORS: dict[str, type[Indicator]] = {cls.kind: cls for cls in (
    ContractWholePeriod, OnsiteMonths, OnsiteHours, Lectures, RecordsPerUnit, Mediations, RemoteOnlyMonths)}
