"""Days as the product reads them: an ISO date from a user or a file, and the month ends a trend is drawn on."""
from __future__ import annotations

import datetime as dt

from geo.core.errors import UserError


class DateError(UserError):
    """A date that is not YYYY-MM-DD."""


def as_date(value: dt.date | str) -> dt.date:
    """`value` as a date: a date (a datetime's day) as it is, text as YYYY-MM-DD, else a :class:`DateError`."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DateError(key="date.e.not_iso", params={"value": value}) from None


def month_ends(last_day: dt.date, months: int) -> list[dt.date]:
    """The last day of each of `months` months ending with `last_day`'s month (that month ends at `last_day`)."""
    days = []
    y, m = last_day.year, last_day.month
    for _ in range(months):
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        days.append(min(nxt - dt.timedelta(days=1), last_day))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return days[::-1]
