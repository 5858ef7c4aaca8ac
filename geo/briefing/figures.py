"""Phase 1 of the briefing: every figure it states, read from the store for one scope and one date.

The headline counts are those of the summary page: over the units with data (:mod:`geo.core.ranking`), so a unit
whose ledgers are not imported yet lowers no rate.  The optional parts are None where the store cannot give
them (no service log imported: no served rate), and the text and tables then leave them out.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from geo.auth.access import OPEN
from geo.core.caps import DEFAULT_CAP
from geo.core.codes import Scope
from geo.core.coverage import DEFAULT_EXPIRING_DAYS, Counts, Status
from geo.core.ranking import Ranking, rank_units, trend_over_units_with_data
from geo.core.service_rule import DEFAULT_SERVICE
from geo.store import Store
from geo.views.feedback import FeedbackReport, feedback_report
from geo.views.map_view import MapView, map_view

#: the service window the briefing's note names (the rule's own default, geo.core.service_rule)
SERVICE_WINDOW_DAYS = DEFAULT_SERVICE.window_days
#: appendix rows shown at most; the full list is the gap list's export
APPENDIX_ROWS = 300
#: how many units the headline names as holding the most gaps
GAP_UNITS_NAMED = 2
TREND_MONTHS = 24
GAP_STATUSES = (Status.LAPSED.value, Status.NEVER.value)


@dataclass(frozen=True)
class RateThen:
    """The coverage rate on an earlier day, over the same villages as the headline."""

    day: dt.date
    rate: float


@dataclass(frozen=True, eq=False)
class BriefingFigures:
    scope: Scope
    name: str
    level: int                      # of the scope (0 the country)
    as_of: dt.date
    counts: Counts                  # the headline: over the units with data
    advisers: int
    per_adviser: float
    child_level: int | None
    ranking: Ranking | None         # None where the children are villages
    gap_units: tuple[str, ...]      # names of the units with the most lapsed + never villages
    previous_month: RateThen | None
    year_ago: RateThen | None
    trend: pd.DataFrame             # month, as_of, villages, covered, coverage_rate
    map: MapView
    appendix: pd.DataFrame          # lapsed and never villages (rows of Store.village_statuses), cut
    appendix_total: int
    batches: pd.DataFrame           # Store.batches_behind
    cap: int = DEFAULT_CAP
    expiring_days: int = DEFAULT_EXPIRING_DAYS
    service_window: int = SERVICE_WINDOW_DAYS
    advisers_over_cap: int | None = None
    served: int | None = None
    nominal: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    villagers: FeedbackReport | None = None     # villagers' feedback of the service window (None: no response)

    @property
    def served_rate(self) -> float | None:
        return None if self.served is None or not self.counts.villages else self.served / self.counts.villages

    @property
    def appendix_cut(self) -> bool:
        return len(self.appendix) < self.appendix_total


def gather(store: Store, scope: Scope, as_of: dt.date, *, lang: str = "zh", cap: int = DEFAULT_CAP,
           appendix_rows: int = APPENDIX_ROWS, expiring_days: int = DEFAULT_EXPIRING_DAYS) -> BriefingFigures:
    """Everything the briefing of `scope` on `as_of` states (the scope already checked and clamped)."""
    child_level = store.child_level(scope)
    ranking = _ranking(store, scope, as_of, child_level, expiring_days)
    totals = store.totals(scope, as_of, expiring_days)
    counts = ranking.headline(totals) if ranking else totals
    logged = totals.has_service_data          # no service log imported: no served figures (无服务记录), not 0
    advisers, per_adviser = store.adviser_stats(scope, as_of)
    appendix, total = _appendix(store, scope, as_of, ranking, counts, appendix_rows, expiring_days)
    return BriefingFigures(
        scope=scope, name=store.scope_name(scope), level=scope.level, as_of=as_of, counts=counts,
        advisers=advisers, per_adviser=per_adviser, child_level=child_level, ranking=ranking,
        gap_units=_gap_units(ranking), previous_month=_rate_then(store, scope, _previous_month_end(as_of), counts),
        year_ago=_rate_then(store, scope, _year_before(as_of), counts),
        trend=_trend(store, scope, as_of, ranking), map=map_view(store, scope, as_of, lang=lang,
                                                                   expiring_days=expiring_days),
        appendix=appendix, appendix_total=total, batches=store.batches_behind(scope), cap=cap,
        expiring_days=expiring_days, advisers_over_cap=store.advisers_over_cap(scope, as_of, cap),
        served=totals.served if logged else None, nominal=totals.nominal if logged else None,
        villagers=_villagers(store, scope, as_of))


def _villagers(store: Store, scope: Scope, as_of: dt.date) -> FeedbackReport | None:
    """The feedback of the service window ending on `as_of` (the scope is the briefing's, already checked)."""
    if not store.has_feedback_table():         # a database from before feedback, opened read-only
        return None
    report = feedback_report(store, OPEN, scope, as_of, by=None)
    return report if int(report.totals["responses"]) else None


def _ranking(store: Store, scope: Scope, as_of: dt.date, child_level: int | None,
             expiring_days: int) -> Ranking | None:
    if child_level is None or child_level >= 5:
        return None
    return rank_units(store.summary(scope, as_of, by=child_level, expiring_days=expiring_days))


def _gap_units(ranking: Ranking | None) -> tuple[str, ...]:
    """The ranked units with the most lapsed + never villages (none when no unit has a gap)."""
    if ranking is None or not len(ranking.ranked):
        return ()
    gaps = ranking.ranked.assign(gaps=ranking.ranked["lapsed"] + ranking.ranked["never"])
    gaps = gaps[gaps["gaps"] > 0].sort_values(["gaps", "code"], ascending=[False, True])
    return tuple(gaps["name"].head(GAP_UNITS_NAMED))


def _previous_month_end(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:          # 29 February
        return day.replace(year=day.year - 1, day=28)


def _rate_then(store: Store, scope: Scope, day: dt.date, now: Counts) -> RateThen | None:
    """The rate on `day` over the headline's villages (a unit without data now had none then either); None
    when nothing had been contracted by then: no comparison to make."""
    then = store.totals(scope, day)
    if not then.has_data or not now.villages:
        return None
    return RateThen(day, then.covered / now.villages)


def _trend(store: Store, scope: Scope, as_of: dt.date, ranking: Ranking | None) -> pd.DataFrame:
    trend = store.trend(scope, as_of, TREND_MONTHS)
    return trend_over_units_with_data(trend, ranking) if ranking is not None and len(ranking.ranked) else trend


def _appendix(store: Store, scope: Scope, as_of: dt.date, ranking: Ranking | None, counts: Counts, limit: int,
              expiring_days: int) -> tuple[pd.DataFrame, int]:
    """The lapsed and never villages of the units with data, in code order (so by township), at most `limit`;
    and how many there are in all."""
    total = counts.lapsed + counts.never if counts.has_data else 0     # nothing imported: no gaps to list yet
    if ranking is None or not len(ranking.no_data):
        units = [scope]
    else:                       # a unit without data is not imported yet: its villages are not gaps to list
        units = [Scope.parse(code) for code in sorted(ranking.ranked["code"])]
    parts, shown = [], 0
    for unit in units:
        if shown >= limit:
            break
        part = store.village_statuses(unit, as_of, statuses=list(GAP_STATUSES), expiring_days=expiring_days)
        parts.append(part.head(limit - shown))
        shown += len(parts[-1])
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return rows, total
