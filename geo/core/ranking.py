"""The summary's ranking of a scope's units: who is ranked, who is marked worst, who has no data yet.

A unit without data (:func:`geo.core.coverage.has_data`: none of its counties has a contract on record) is listed
apart: it is not ranked, never marked worst and left out of the headline rate, which is the rate over the units
that have data.  A ranked unit's own figures already leave out its counties without data; the headline says how
many counties and villages were left out in all (:attr:`Ranking.counts`).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.core.coverage import Counts
from geo.text.catalogue import Markdown, md
from geo.text.formats import count

#: how many of the lowest-ranked units the summary marks for attention
WORST_N = 3


@dataclass(frozen=True)
class Ranking:
    ranked: pd.DataFrame    # units with data, best first; "rank" (tied units share the better rank)
    worst: pd.DataFrame     # the lowest ranked units, worst first (rows of `ranked`)
    no_data: pd.DataFrame   # units with no contract on record, most villages first; unranked
    counts: Counts          # villages and statuses over the ranked units only, and what was left out in all

    @property
    def no_data_villages(self) -> int:
        """The villages left out as no data: those of the unranked units and of ranked units' counties without
        data."""
        return self.counts.no_data_villages

    def headline(self, totals: Counts) -> Counts:
        """The counts a page heads with: over the ranked units, or the scope's `totals` while no unit has data."""
        return self.counts if len(self.ranked) else totals


def rank_units(summary: pd.DataFrame, worst_n: int = WORST_N) -> Ranking:
    """Rank the rows of :meth:`geo.store.Store.summary` by coverage rate (more villages first on a tie).

    The worst are the last `worst_n` ranked units, but never one whose rate equals the best rate: a single
    unit, or units all at 100 % (or all equal), mark nobody.
    """
    with_data = summary["has_data"].astype(bool)
    ranked = (summary[with_data].sort_values(["coverage_rate", "villages"], ascending=[False, False])
              .reset_index(drop=True))
    ranked.insert(0, "rank", ranked["coverage_rate"].rank(method="min", ascending=False).astype("int64"))
    no_data = (summary[~with_data].sort_values(["villages", "code"], ascending=[False, True])
               .reset_index(drop=True))
    best = ranked["coverage_rate"].max() if len(ranked) else None
    candidates = ranked[ranked["coverage_rate"] < best] if len(ranked) else ranked
    worst = candidates.tail(min(worst_n, len(candidates))).iloc[::-1].reset_index(drop=True)
    counts = Counts(*(int(ranked[c].sum()) for c in ("villages", "covered", "expiring", "lapsed")),
                    *(int(summary[c].sum()) for c in ("no_data_counties", "no_data_villages")))
    return Ranking(ranked, worst, no_data, counts)


def trend_over_units_with_data(trend: pd.DataFrame, ranking: Ranking) -> pd.DataFrame:
    """:meth:`geo.store.Store.trend` of the same scope, its rate taken over the ranked units only.

    A unit without data on the ranking's date had no contract started by then, so it covered nothing in any
    earlier month either: only its villages leave the denominator.
    """
    villages = trend["villages"] - ranking.no_data_villages
    rate = (trend["covered"] / villages.where(villages > 0)).fillna(0.0)
    return trend.assign(villages=villages, coverage_rate=rate)


def no_data_note(counts: Counts, lang: str, *, name: str) -> Markdown | None:
    """What a page says of no data beside a scope's figures `counts`: that the scope itself has not imported a
    ledger yet, or how many counties and villages its figures leave out as no data (None: nothing left out)."""
    if not counts.has_data:
        return md("nodata.scope", lang, name=name, villages=count(counts.villages))
    if counts.no_data_counties:
        return md("nodata.left_out", lang, counties=count(counts.no_data_counties),
                  villages=count(counts.no_data_villages))
    return None
