"""What an assessment is computed from, per adviser or per village: the months each held its villages, whether a
contract was in force for the whole period, and the service records grouped by month, mode and class.

A contract's ``end_date`` is its last day in force (inclusive); an adviser who left mid-period (an early end)
holds a village in a month when a contract was in force on at least half of its days (:data:`HALF_MONTH`), so
the monthly expectations are pro rata to the months served.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

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

    @cached_property
    def subjects(self) -> pd.Index:
        return pd.Index(np.sort(self.held["subject"].unique()), dtype="int64", name="subject")

    @cached_property
    def served(self) -> pd.DataFrame:
        """subject, month: the months each subject served."""
        return self.held[["subject", "month"]].drop_duplicates().reset_index(drop=True)


def contract_months(contracts: pd.DataFrame, period: Period) -> pd.DataFrame:
    """adviser_id, village, month, days: the days of each month of `period` a contract was in force (the
    longest when several), for the months where it reached :data:`HALF_MONTH` of them."""
    parts = []
    start = contracts["start_date"].to_numpy("datetime64[D]")
    end = contracts["end_date"].fillna(_FAR).to_numpy("datetime64[D]")
    for key in period.months:
        first, last = (np.datetime64(d, "D") for d in month_bounds(key))
        days = (np.minimum(end, last) - np.maximum(start, first)).astype("int64") + 1
        length = int((last - first).astype("int64")) + 1
        keep = days >= length * HALF_MONTH
        parts.append(pd.DataFrame({"adviser_id": contracts["adviser_id"].to_numpy()[keep],
                                   "village": contracts["village"].to_numpy()[keep], "month": key,
                                   "days": days[keep]}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["adviser_id", "village", "month"])
    return (out.groupby(["adviser_id", "village", "month"], as_index=False)["days"].max()
            .astype({"adviser_id": "int64", "village": "int64", "month": "int64", "days": "int64"}))


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
             months: pd.DataFrame | None = None) -> Facts:
    """The facts of the advisers (`subject` ADVISER) or the villages (VILLAGE) from a scope's contracts
    (:meth:`geo.store.Store.assess_contracts`) and records (:func:`service_records`); `months`: their
    :func:`contract_months` when computed already."""
    months = contract_months(contracts, period) if months is None else months
    column = "adviser_id" if subject == ADVISER else "village"
    held = pd.DataFrame({"subject": months[column].to_numpy(), "village": months["village"].to_numpy(),
                         "month": months["month"].to_numpy()})
    if subject == VILLAGE:
        held = held.drop_duplicates(ignore_index=True)
    keep = ["village", "month", "mode", "cls", "records", "hours", "people"]
    if subject == ADVISER:          # grouped per adviser, village, month, mode and class by the store already
        named = services[services["adviser_id"].notna()]
        records = named[keep].assign(subject=named["adviser_id"].astype("int64").to_numpy())
    else:
        records = (services.groupby(["village", "month", "mode", "cls"], as_index=False, observed=True)
                   [["records", "hours", "people"]].sum())
        records["subject"] = records["village"].to_numpy()
    records = records[["subject", *keep]].reset_index(drop=True)
    whole = whole_period(contracts, column, period.start, period.end)
    return Facts(subject, period, held, whole.reindex(held["subject"].unique(), fill_value=False), records)
