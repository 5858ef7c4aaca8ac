"""The period of an assessment: a month (2026-06), a quarter (2026Q2) or a year (2026), with its months."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from geo.core.errors import UserError

MONTH, QUARTER, YEAR = "month", "quarter", "year"
KINDS = (MONTH, QUARTER, YEAR)
_FORMS = ((MONTH, re.compile(r"^(\d{4})-(\d{1,2})$")), (QUARTER, re.compile(r"^(\d{4})[Qq]([1-4])$")),
          (YEAR, re.compile(r"^(\d{4})$")))
#: years an assessment may be made for (the programme began in 2014; a typo like 20226 is not a year)
FIRST_YEAR, LAST_YEAR = 2000, 2100


class PeriodError(UserError, ValueError):
    """A period that is not YYYY-MM, YYYYQn or YYYY."""


def month_key(day: dt.date) -> int:
    """A day's month as the number yyyymm."""
    return day.year * 100 + day.month


def month_bounds(key: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the month yyyymm."""
    y, m = divmod(key, 100)
    return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])


def quarter_of(key: int) -> str:
    """The quarter of the month yyyymm, as 2026Q2."""
    y, m = divmod(key, 100)
    return f"{y}Q{(m - 1) // 3 + 1}"


def year_of(key: int) -> str:
    return str(key // 100)


def month_label(key: int) -> str:
    y, m = divmod(key, 100)
    return f"{y}-{m:02d}"


@dataclass(frozen=True)
class Period:
    kind: str               # month / quarter / year
    year: int
    number: int             # the month (1-12), the quarter (1-4), or 0 for a year

    @classmethod
    def parse(cls, text: object) -> Period:
        raw = str(text or "").strip()
        for kind, form in _FORMS:
            m = form.match(raw)
            if not m:
                continue
            year, number = int(m.group(1)), int(m.group(2)) if kind != YEAR else 0
            if FIRST_YEAR <= year <= LAST_YEAR and (kind != MONTH or 1 <= number <= 12):
                return cls(kind, year, number)
        raise PeriodError(key="assess.e.period", params={"text": raw[:40]})

    @property
    def months(self) -> tuple[int, ...]:
        """The months of the period as yyyymm numbers, in order."""
        first, count = {MONTH: (self.number, 1), QUARTER: (3 * self.number - 2, 3), YEAR: (1, 12)}[self.kind]
        return tuple(self.year * 100 + m for m in range(first, first + count))

    @property
    def start(self) -> dt.date:
        return month_bounds(self.months[0])[0]

    @property
    def end(self) -> dt.date:
        return month_bounds(self.months[-1])[1]

    @property
    def code(self) -> str:
        """How it is written on the command line: 2026-06, 2026Q2, 2026."""
        return {MONTH: f"{self.year}-{self.number:02d}", QUARTER: f"{self.year}Q{self.number}",
                YEAR: str(self.year)}[self.kind]

    def __str__(self) -> str:
        return self.code


def recent_periods(kind: str, as_of: dt.date, count: int) -> list[Period]:
    """The `count` periods of `kind` that ended on or before `as_of`, newest first (the page's choices: a period
    not over yet would expect visits in months still to come)."""
    out: list[Period] = []
    if kind == MONTH:
        y, m = as_of.year, as_of.month
        for _ in range(count + 1):
            out.append(Period(MONTH, y, m))
            y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    elif kind == QUARTER:
        y, q = as_of.year, (as_of.month - 1) // 3 + 1
        for _ in range(count + 1):
            out.append(Period(QUARTER, y, q))
            y, q = (y - 1, 4) if q == 1 else (y, q - 1)
    else:
        out = [Period(YEAR, as_of.year - k, 0) for k in range(count + 1)]
    return [p for p in out if p.end <= as_of][:count]
