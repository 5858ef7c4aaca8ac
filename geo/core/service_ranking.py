"""The views of effective service: the headline gap between contract coverage and effective service, the ranking
of a scope's units by that gap, and the trend of both lines.

As with coverage (:mod:`geo.core.ranking`), a unit without data is listed apart, never ranked and left out of the
headline: here that is a unit without service records (无服务记录), whose served rate is not a figure.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import pandas as pd

from geo.core.service_rule import DEFAULT_SERVICE, ServedCounts, ServiceSettings
from geo.text.catalogue import Markdown, md, t
from geo.text.formats import count, pct

#: the columns of Store.summary that add up to a ServedCounts, in its field order
COUNT_COLUMNS = ("villages", "covered", "expiring", "lapsed", "served", "nominal", "in_recorded_counties")


@dataclass(frozen=True)
class GapRanking:
    ranked: pd.DataFrame    # units with contracts and service records, largest gap first; "rank", "rate_gap"
    no_data: pd.DataFrame   # units with contracts but no service records, most villages first; unranked
    counts: ServedCounts    # over the ranked units: the headline figures

    @property
    def no_data_villages(self) -> int:
        return int(self.no_data["villages"].sum())


def _sum_counts(units: pd.DataFrame) -> ServedCounts:
    return ServedCounts(**{c: int(units[c].sum()) for c in COUNT_COLUMNS})


def rank_by_gap(summary: pd.DataFrame) -> GapRanking:
    """Rank the rows of :meth:`geo.store.Store.summary` by coverage rate minus served rate (largest first, more
    villages first on a tie); units with no contract on record are left out altogether (no figure at all)."""
    with_contracts = summary[summary["has_data"].astype(bool)]
    with_logs = with_contracts["has_service_data"].astype(bool)
    ranked = with_contracts[with_logs].assign(
        rate_gap=lambda d: d["coverage_rate"] - d["served_rate"])
    ranked = ranked.sort_values(["rate_gap", "villages"], ascending=[False, False]).reset_index(drop=True)
    ranked.insert(0, "rank", ranked["rate_gap"].round(9).rank(method="min", ascending=False).astype("int64"))
    no_data = (with_contracts[~with_logs].sort_values(["villages", "code"], ascending=[False, True])
               .reset_index(drop=True))
    return GapRanking(ranked, no_data, _sum_counts(ranked))


def trend_over_units_with_logs(trend: pd.DataFrame, ranking: GapRanking) -> pd.DataFrame:
    """:meth:`geo.store.Store.trend` of the same scope with its served rate over the ranked units only, and none
    (NaN) in the months before any service record.

    A unit without service records on the ranking's date had none earlier either, so it served nobody in any
    month shown: only its villages leave the denominator.  (The coverage line is the coverage ranking's business,
    :func:`geo.core.ranking.trend_over_units_with_data`.)
    """
    villages = ranking.counts.villages
    rate = trend["served"] / villages if villages else pd.Series(float("nan"), index=trend.index)
    return trend.assign(served_rate=rate.where(trend["has_service_data"]))


def records_begin(trend: pd.DataFrame, lang: str) -> str | None:
    """What a served-rate trend says of its start: the month its service records begin, when that is after the
    trend's first month (the line starts there, not at the chart's left edge); None otherwise."""
    months = trend.loc[trend["has_service_data"].astype(bool), "month"]
    if months.empty or months.iloc[0] == trend["month"].iloc[0]:
        return None
    first = dt.date.fromisoformat(f"{months.iloc[0]}-01")
    return t("svc.trend_begins", lang, year=first.year, month=first.month, month_name=calendar.month_name[first.month])


def headline(counts: ServedCounts, lang: str, *, name: str,
             settings: ServiceSettings = DEFAULT_SERVICE, records_begin: dt.date | None = None,
             as_of: dt.date | None = None) -> Markdown:
    """The effective-service headline: the two rates and the distance between them, or that there are no
    service records to judge by: none imported, or (`records_begin` after `as_of`) none yet on the day."""
    if not counts.has_service_data:
        if records_begin is not None and as_of is not None and records_begin > as_of:
            return md("msg.svc.begins_later", lang, name=name, day=records_begin.isoformat(), date=as_of.isoformat())
        return md("svc.no_data", lang, name=name)
    return md("svc.headline", lang, coverage=pct(counts.coverage_rate), served=pct(counts.served_rate),
              nominal=count(counts.nominal), days=settings.window_days, gap=f"{counts.rate_gap * 100:.1f}")


def map_counts(table: pd.DataFrame, totals: ServedCounts, mode: str) -> ServedCounts:
    """The counts a map's headline gives: over the units with service records on a rate map, the scope's own
    totals on a map of villages (whose county decides whether they have records)."""
    if mode == "rate" and len(table):
        ranked = rank_by_gap(table)
        if len(ranked.ranked):
            return ranked.counts
    return totals


def served_figures(table: pd.DataFrame, totals: ServedCounts, mode: str, settings: ServiceSettings, lang: str,
                   *, name: str, records_begin: dt.date | None = None, as_of: dt.date | None = None) -> Markdown:
    """The map page's effective-service line for a view whose figures are `table` (`records_begin`, `as_of`: as
    for :func:`headline`, so that a day before the records begin says so)."""
    return headline(map_counts(table, totals, mode), lang, name=name, settings=settings,
                    records_begin=records_begin, as_of=as_of)
