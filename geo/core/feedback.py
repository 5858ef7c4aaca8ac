"""The rules of villagers' feedback: the period it is counted over, what a response says, and the contradiction.

A response (from the village's public page or a paper questionnaire) carries a satisfaction from 1 to 5 (or
none), whether the villager could reach the adviser (yes, no, or not said), and whether they report that their
village has never seen the adviser (我村没见过法律顾问).  Responses flagged as duplicates count nowhere.

* **Period.** Figures are counted over a period of days, both ends inclusive, ending at the as-of date.  By
  default it is the effective-service window ending there (D-89 .. D), so that "served on D" and "villagers said
  never seen" speak of the same days.  Days are China Standard Time days (UTC+8, the programme's one clock):
  feedback is stored with its UTC time and a response at 07:00 in Beijing on 1 October belongs to 1 October.
* **Per unit:** responses, mean satisfaction over the responses that give one, the share of "reached" among
  the responses that answer it, the number of never-seen reports and of villages with at least one.
* **Contradiction** (the paper-coverage detector): a village the records say is served on the period's last
  day (:mod:`geo.core.service_rule`) while at least ``min_reports`` responses of the period (default 1) say
  its villagers have never seen the adviser.  It is a list for the county to check, not a verdict.

The Python forms here are the reference the store's SQL is tested against.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable

from geo.core.dates import as_date
from geo.core.errors import UserError
from geo.core.service_rule import DEFAULT_SERVICE, ServiceSettings

#: where feedback comes from (geo.store.schema: feedback.source)
SOURCES = ("web", "paper")
SATISFACTION_RANGE = (1, 5)
#: the clock days are counted on: China Standard Time, which has no daylight saving
DAY_OFFSET = dt.timedelta(hours=8)
#: characters of a comment kept (the public form says so; a paper questionnaire's longer text is cut)
COMMENT_MAX = 300
#: never-seen reports that put a served village on the contradiction list
DEFAULT_MIN_REPORTS = 1


class PeriodError(UserError, ValueError):
    """A period that is not a quarter, a month or two dates."""


@dataclass(frozen=True)
class Period:
    """Days `start` .. `end`, both inclusive (China Standard Time days)."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise PeriodError(key="fb.e.period_order", params={"start": self.start, "end": self.end})

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[first instant, instant after the last) of the period in UTC, naive, as ``received_at`` is stored."""
        first = dt.datetime.combine(self.start, dt.time()) - DAY_OFFSET
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time()) - DAY_OFFSET
        return first, after

    def contains(self, received_at: dt.datetime) -> bool:
        """Whether a UTC time (naive or aware) falls on a day of the period."""
        return self.start <= local_day(received_at) <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def local_day(received_at: dt.datetime) -> dt.date:
    """The China Standard Time day of a UTC time (naive = UTC)."""
    if received_at.tzinfo is not None:
        received_at = received_at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return (received_at + DAY_OFFSET).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first instant, instant after) of one day in UTC, naive."""
    return Period(day, day).utc_bounds()


def window_period(as_of: dt.date | str, settings: ServiceSettings = DEFAULT_SERVICE) -> Period:
    """The default period: the effective-service window ending on `as_of` (D-89 .. D)."""
    start, end = settings.window(as_of_day := as_date(as_of))
    return Period(start, min(end, as_of_day))


def quarter_of(day: dt.date) -> Period:
    """The calendar quarter holding `day`, whole."""
    first_month = (day.month - 1) // 3 * 3 + 1
    return Period(dt.date(day.year, first_month, 1), _month_end(day.year, first_month + 2))


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)


_QUARTER = re.compile(r"^(\d{4})\s*[-_ ]?\s*[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_RANGE = re.compile(r"^(\S+?)\s*(?:\.\.|/|~|～|至)\s*(\S+)$")


def parse_period(raw: str | None, as_of: dt.date | str,
                 settings: ServiceSettings = DEFAULT_SERVICE) -> Period:
    """A period typed on the command line: ``2026Q4``, ``2026-11`` (a month), ``2026-10-01..2026-12-31``, or
    nothing (the service window ending on `as_of`).  A quarter or month that has not ended by `as_of` ends there:
    nothing after the as-of date is counted."""
    day = as_date(as_of)
    if raw is None or not str(raw).strip():
        return window_period(day, settings)
    text = str(raw).strip()
    if m := _QUARTER.match(text):
        whole = quarter_of(dt.date(int(m[1]), 3 * int(m[2]), 1))
    elif m := _MONTH.match(text):
        month = int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(key="fb.e.period", params={"value": text})
        whole = Period(dt.date(int(m[1]), month, 1), _month_end(int(m[1]), month))
    elif m := _RANGE.match(text):
        try:
            whole = Period(as_date(m[1]), as_date(m[2]))
        except UserError:
            raise PeriodError(key="fb.e.period", params={"value": text}) from None
    else:
        raise PeriodError(key="fb.e.period", params={"value": text})
    if whole.start > day:
        raise PeriodError(key="fb.e.period_after", params={"value": text, "as_of": day})
    return Period(whole.start, min(whole.end, day))


def valid_satisfaction(value: object) -> int | None:
    """`value` as a satisfaction 1-5, None when it is empty; :class:`ValueError` for anything else."""
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        return None
    number = float(str(value).strip())
    if number != int(number) or not SATISFACTION_RANGE[0] <= number <= SATISFACTION_RANGE[1]:
        raise ValueError(value)
    return int(number)


@dataclass(frozen=True)
class Response:
    """One response as the rules see it."""

    village: str
    received_at: dt.datetime
    satisfaction: int | None = None
    reached: bool | None = None
    never_seen: bool = False
    duplicate: bool = False


@dataclass(frozen=True)
class FeedbackFigures:
    responses: int
    satisfaction_mean: float | None     # None: no response gave one
    satisfaction_answers: int
    reached: int
    reached_answers: int
    never_seen: int
    never_seen_villages: int

    @property
    def reached_share(self) -> float | None:
        return self.reached / self.reached_answers if self.reached_answers else None


def figures(responses: Iterable[Response], period: Period) -> FeedbackFigures:
    """The figures of a unit from its responses (the reference of the store's per-unit read)."""
    counted = [r for r in responses if not r.duplicate and period.contains(r.received_at)]
    marks = [r.satisfaction for r in counted if r.satisfaction is not None]
    answers = [r.reached for r in counted if r.reached is not None]
    return FeedbackFigures(
        responses=len(counted), satisfaction_mean=sum(marks) / len(marks) if marks else None,
        satisfaction_answers=len(marks), reached=sum(answers), reached_answers=len(answers),
        never_seen=sum(r.never_seen for r in counted),
        never_seen_villages=len({r.village for r in counted if r.never_seen}))


def contradicted(served_on_last_day: bool, never_seen_reports: int,
                 min_reports: int = DEFAULT_MIN_REPORTS) -> bool:
    """Whether a village belongs on the contradiction list."""
    return served_on_last_day and never_seen_reports >= max(1, int(min_reports))
