"""The rule of effective service: the one place that says what "served" means, beside the coverage rule.

For an as-of date D, with a window of W days (default 90) and the modes that count (default on site):

* ``served``  (有效服务) - covered on D (:mod:`geo.core.coverage`) and at least one service record of a counting mode
  dated D-(W-1) .. D, both days inclusive (D-89 .. D by default);
* ``nominal`` (挂名)     - covered on D, not served, in a county that has service records on file;
* ``lapsed`` / ``never`` - not covered, as the coverage rule says;
* ``no_data`` (无服务记录) - covered, but its county has no service record dated on or before D at all: its logs
  have not been imported, which says nothing about the adviser (the same no-data rule as the coverage map).

Remote services (phone, WeChat, video) count in activity figures (records in the window) but do not make a
village served.  served_rate = served / villages; a unit without any service record on file has no service data
and no rate.  An adviser's on-site hours for a month are the sum of their on-site records dated in that calendar
month; they meet the hours standard when the sum is at least ``hours_standard`` (default 4).

As with the coverage rule, the Python form here is the readable reference the tests compare with; the SQL form
is in :mod:`geo.store.sql.rules` (per village on a day, read from the derived ``service_days``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Iterable

from geo.core.coverage import Counts, Status
from geo.core.errors import UserError

#: every mode a service record can have (geo.store.schema: services.mode)
MODES = ("onsite", "remote", "other")
DEFAULT_WINDOW_DAYS = 90
DEFAULT_HOURS_STANDARD = 4.0


class ServiceSettingsError(UserError, ValueError):
    """A window or mode no rule can use."""


@dataclass(frozen=True)
class ServiceSettings:
    window_days: int = DEFAULT_WINDOW_DAYS
    counting_modes: tuple[str, ...] = ("onsite",)
    hours_standard: float = DEFAULT_HOURS_STANDARD

    def __post_init__(self) -> None:
        if not isinstance(self.window_days, int) or self.window_days < 1:
            raise ServiceSettingsError(key="svc.e.window", params={"value": self.window_days})
        if not self.counting_modes or any(m not in MODES for m in self.counting_modes):
            raise ServiceSettingsError(key="svc.e.modes", params={"value": ",".join(map(str, self.counting_modes)),
                                                                "known": ",".join(MODES)})

    def window(self, as_of: dt.date) -> tuple[dt.date, dt.date]:
        """The first and last day (both inclusive) whose records can make a village served on `as_of`."""
        return as_of - dt.timedelta(days=int(self.window_days) - 1), as_of


DEFAULT_SERVICE = ServiceSettings()


class ServiceStatus(str, Enum):
    SERVED = "served"
    NOMINAL = "nominal"
    LAPSED = "lapsed"
    NEVER = "never"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Record:
    """One service record as the rule sees it."""

    day: dt.date
    mode: str
    hours: float | None = None


def last_counting_day(records: Iterable[Record], as_of: dt.date,
                      settings: ServiceSettings = DEFAULT_SERVICE) -> dt.date | None:
    """The latest day on or before `as_of` of a record in a counting mode (the map's "last on-site date")."""
    days = [r.day for r in records if r.mode in settings.counting_modes and r.day <= as_of]
    return max(days) if days else None


def is_served(status: Status, records: Iterable[Record], as_of: dt.date,
              settings: ServiceSettings = DEFAULT_SERVICE) -> bool:
    last = last_counting_day(records, as_of, settings)
    return status.is_covered and last is not None and last >= settings.window(as_of)[0]


def village_service_status(status: Status, records: Iterable[Record], as_of: dt.date,
                           settings: ServiceSettings = DEFAULT_SERVICE, *,
                           county_has_records: bool = True) -> ServiceStatus:
    """The effective status of one village, given its coverage status on `as_of` and its service records;
    `county_has_records`: its county has any service record dated on or before `as_of`."""
    if not status.is_covered:
        return ServiceStatus(status.value)
    if is_served(status, records, as_of, settings):
        return ServiceStatus.SERVED
    return ServiceStatus.NOMINAL if county_has_records else ServiceStatus.NO_DATA


def month_of(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of `as_of`'s calendar month."""
    first = as_of.replace(day=1)
    following = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def onsite_hours_in_month(records: Iterable[Record], as_of: dt.date) -> float:
    """An adviser's on-site hours in `as_of`'s calendar month, up to `as_of` (records without hours add
    nothing; a record after the date is not known on it)."""
    first = month_of(as_of)[0]
    return float(sum(r.hours or 0.0 for r in records if r.mode == "onsite" and first <= r.day <= as_of))


def meets_hours_standard(hours: float, settings: ServiceSettings = DEFAULT_SERVICE) -> bool:
    return hours >= settings.hours_standard


def has_service_data(villages_in_recorded_counties) -> bool:
    """A unit has service data when any of its villages with a contract lies in a county with a service record
    (any mode) on or before D: the logs are kept and imported per county.  One without shows 无服务记录, never
    0 % served, and is left out of headline rates and rankings.  Works on ints and pandas Series."""
    return villages_in_recorded_counties > 0


@dataclass(frozen=True)
class ServedCounts(Counts):
    """:class:`Counts` with the effective figures: ``served`` and ``nominal`` are subsets of ``covered``;
    ``in_recorded_counties`` = villages with a contract started by D in counties with a service record on or
    before D (0: no service data)."""

    served: int = 0
    nominal: int = 0
    in_recorded_counties: int = 0

    @property
    def served_rate(self) -> float:
        return self.served / self.villages if self.villages else 0.0

    @property
    def has_service_data(self) -> bool:
        return bool(has_service_data(self.in_recorded_counties))

    @property
    def rate_gap(self) -> float:
        """Coverage on paper minus effective coverage: the share of villages with a contract and no visit."""
        return self.coverage_rate - self.served_rate
