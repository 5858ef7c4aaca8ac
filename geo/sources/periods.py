"""Contract periods (聘任期限) as bureaus write them.

One cell ("2026.01.01-2027.12.31", "2026年1月至2027年12月", "2026-01-01至今") or two cells (start, end) that
may hold text, real Excel dates, Excel serial numbers or 8-digit numbers (20260101).  Month precision runs
from the first day of the first month to the last day of the last month; year precision covers whole years.
"至今" / "长期" / "无固定期限" mean an open-ended contract (``end=None``).

:func:`parse_period` returns a :class:`~geo.core.coverage.Period` or a :class:`PeriodError` - a bilingual reason
string that also carries a machine code (``bad_period`` or ``end_before_start``).  :func:`doubtful_period`
names what makes a readable period implausible (2026.1-2126.12, 1900.1-1901.1, 9999.1.1-9999.12.31): such a
period is imported, with a warning to check it.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

from geo.core.coverage import Period
from geo.core.limits import MAX_VALUE_CHARS
from geo.text.catalogue import Msg

#: words meaning "no end date"
OPEN_END_WORDS = ("至今", "长期", "无固定期限", "不定期", "今", "现在", "目前", "无", "open", "present", "now")

# a readable period is still doubtful when it runs longer, starts earlier or starts later than these
MAX_PLAUSIBLE_YEARS = 10
EARLIEST_PLAUSIBLE_START = dt.date(2010, 1, 1)   # before the 一村一法律顾问 rollout
MAX_YEARS_AHEAD = 2                              # a contract signed in advance starts within this

# 1900 date system; serial 60 is Excel's fictitious 1900-02-29, irrelevant for contract dates
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 29221, 73051  # 1980-01-01 .. 2099-12-31

# range separators other than "-" (which also appears inside dates)
_SEPARATORS = re.compile(r"\s*(?:至|到|~|～|〜|—+|–+|－+|-{2,}|―+|→|—|起至)\s*")
_DATE = r"(?:\d{8}|\d{6}|(?:\d{4}|\d{2})(?:[./\-]\d{1,2}(?:[./\-]\d{1,2})?)?)"
_HYPHEN_RANGE = re.compile(rf"^({_DATE})\s*-\s*({_DATE}|{'|'.join(OPEN_END_WORDS[:4])})$")
# at most 3 characters of years: "(.+?)" tries every split, and an unbounded count after it scanned to the end each time
_DURATION = re.compile(r"^(.+?)起?(?:聘期|为期|期限)?([一二两三四五六七八九十\d]{1,3})年$")
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


class PeriodError(str):
    """Why a period could not be read: the bilingual line (it *is* the string), its catalogue message (key and
    values, to be said in one language) and a machine ``code``."""

    code: str
    msg: Msg

    def __new__(cls, key: str, code: str = "bad_period", **params: object) -> "PeriodError":
        msg = Msg(key, params)
        obj = super().__new__(cls, msg.bilingual())
        obj.code, obj.msg = code, msg
        return obj

    def text(self, lang: str = "zh") -> str:
        return self.msg.text(lang)

    def __reduce__(self):  # a reader's result comes back pickled from its worker
        return _period_error, (self.msg.key, self.code, dict(self.msg.params))


def _period_error(key: str, code: str, params: dict[str, object]) -> PeriodError:
    return PeriodError(key, code, **params)


def parse_period(value: object, end_value: object = None) -> Period | PeriodError:
    """Read a contract period.

    ``value`` is one cell holding the whole period, or a ``(start, end)`` pair of cells; alternatively pass
    the start cell and the end cell as two arguments.  Returns a Period or a PeriodError (never raises).
    """
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            return PeriodError("period.e.pair")
        value, end_value = value
    if end_value is not None and not _blank(end_value):
        return _two_cells(value, end_value)
    if _blank(value):
        return PeriodError("period.e.empty")
    if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
        # a lone date cell in a single "period" column, or an empty end column
        return PeriodError("period.e.start_only", value=_show(value))
    text = str(value)
    if len(text) > MAX_VALUE_CHARS:
        return PeriodError("limit.cell", start=text.strip()[:20], chars=f"{len(text):,}", limit=MAX_VALUE_CHARS)
    return _one_text(text)


def add_years(day: dt.date, years: int) -> dt.date | None:
    """The same day ``years`` later (29 February becomes 28 February); None past the calendar's year 9999."""
    if day.year + years > dt.MAXYEAR:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def doubtful_period(period: Period, today: dt.date) -> tuple[str, ...]:
    """Why a readable period is implausible: ``too_early``, ``too_far_ahead``, ``too_long``; empty when fine.

    Exactly MAX_PLAUSIBLE_YEARS (2026-01-01 - 2035-12-31), a start on EARLIEST_PLAUSIBLE_START and a start
    exactly MAX_YEARS_AHEAD after ``today`` (the day of the import) are all still plausible.
    """
    reasons = []
    if period.start < EARLIEST_PLAUSIBLE_START:
        reasons.append("too_early")
    latest_start = add_years(today, MAX_YEARS_AHEAD)
    if latest_start is not None and period.start > latest_start:
        reasons.append("too_far_ahead")
    too_long_from = add_years(period.start, MAX_PLAUSIBLE_YEARS)
    if period.end is not None and too_long_from is not None and period.end >= too_long_from:
        reasons.append("too_long")
    return tuple(reasons)


def parse_date(value: object, *, is_end: bool = False) -> dt.date | None:
    """One date cell -> date; for an end date, month/year precision rounds up to the last day.

    Returns None for an open end ("至今", "长期") when ``is_end``; raises ValueError when unreadable.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError(str(value))
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return _from_number(int(value), is_end)
        if _SERIAL_MIN <= value <= _SERIAL_MAX:  # a date-time serial such as 46023.5
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(str(value))
    if len(str(value)) > MAX_VALUE_CHARS:
        raise ValueError("too long")
    text = _clean(str(value))
    if is_end and text.lower() in OPEN_END_WORDS:
        return None
    if re.fullmatch(r"\d+(?:\.0+)?", text):
        return _from_number(int(float(text)), is_end)
    text = re.sub(r"[年月]", ".", text)
    text = re.sub(r"[日号]$", "", text).rstrip(".")
    m = re.fullmatch(r"(\d{4}|\d{2})(?:[./\-](\d{1,2})(?:[./\-](\d{1,2}))?)?", text)
    if not m:
        raise ValueError(str(value))
    year = int(m.group(1))
    if year < 100:
        year += 2000
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    if month is None:
        return dt.date(year, 12, 31) if is_end else dt.date(year, 1, 1)
    if not 1 <= month <= 12:
        raise ValueError(str(value))
    if day is None:
        return dt.date(year, month, calendar.monthrange(year, month)[1]) if is_end else dt.date(year, month, 1)
    return dt.date(year, month, day)  # ValueError for 2026-02-30


def _from_number(n: int, is_end: bool) -> dt.date:
    if 19000101 <= n <= 21001231:  # 20260101
        return dt.date(n // 10000, n // 100 % 100, n % 100)
    if 190001 <= n <= 210012:  # 202601
        return parse_date(f"{n // 100}.{n % 100}", is_end=is_end)  # type: ignore[return-value]
    if 1900 <= n <= 2100:
        return dt.date(n, 12, 31) if is_end else dt.date(n, 1, 1)
    if _SERIAL_MIN <= n <= _SERIAL_MAX:
        return _EXCEL_EPOCH + dt.timedelta(days=n)
    raise ValueError(str(n))


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def _show(v: object) -> str:
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    # a note in brackets: "2026.1.1-2027.12.31(两年)" drops it; "两年(2026.1.1-2027.12.31)" keeps what is inside
    inside = re.findall(r"\(([^()]*)\)", text)
    outside = re.sub(r"\([^()]*\)", "", text)
    if len(re.findall(r"\d", outside)) < 4 and any(len(re.findall(r"\d", i)) >= 4 for i in inside):
        text = max(inside, key=lambda i: len(re.findall(r"\d", i)))
    else:
        text = outside
    # after 年/月/日 a plain hyphen can only be the range separator: "2026年1月1日-2027年12月31日"
    text = re.sub(r"(?<=[年月日])-(?=\d)", "至", text)
    text = re.sub(r"^(?:聘期|期限|聘任期限|服务期限|合同期限)?[:：]?", "", text)
    text = re.sub(r"^(?:自|从)", "", text)
    return re.sub(r"(?:止|为止|结束)$", "", text).rstrip("。.,，;；")


def _two_cells(start_value: object, end_value: object) -> Period | PeriodError:
    for value in (start_value, end_value):
        if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
            return PeriodError("limit.cell", start=value.strip()[:20], chars=f"{len(value):,}",
                               limit=MAX_VALUE_CHARS)
    if _blank(start_value):
        return PeriodError("period.e.no_start_given_end", end=_show(end_value))
    return _build(start_value, end_value)


def _one_text(raw: str) -> Period | PeriodError:
    text = _clean(raw)
    if text.lower() in OPEN_END_WORDS:
        return PeriodError("period.e.no_start", raw=raw.strip())
    m = _DURATION.match(text)
    if m and not _SEPARATORS.search(m.group(1)):
        years = _cn_number(m.group(2))
        try:
            start = parse_date(re.sub(r"起$", "", m.group(1)))
        except ValueError:
            start = None
        if start is not None and years:
            try:
                end = start.replace(year=start.year + years) - dt.timedelta(days=1)
            except ValueError:  # 29 February
                end = dt.date(start.year + years, 2, 28)
            return Period(start, end)
    parts = _SEPARATORS.split(text.replace("起至", "至"), maxsplit=1)
    if len(parts) == 1:
        m = _HYPHEN_RANGE.match(text)
        if not m:
            try:
                parse_date(text)
            except ValueError:
                return PeriodError("period.e.unreadable", raw=raw.strip())
            return PeriodError("period.e.one_date", raw=raw.strip())
        parts = [m.group(1), m.group(2)]
    start_text, end_text = (re.sub(r"起$", "", p.strip("-")) for p in parts)
    if not start_text:
        return PeriodError("period.e.no_start", raw=raw.strip())
    if not end_text:
        return PeriodError("period.e.no_end", raw=raw.strip())
    return _build(start_text, end_text, raw)


def _build(start_value: object, end_value: object, raw: str | None = None) -> Period | PeriodError:
    try:
        start = parse_date(start_value)
    except (ValueError, OverflowError):
        return PeriodError("period.e.bad_start", value=_show(start_value))
    if start is None:  # pragma: no cover - parse_date only returns None for ends
        return PeriodError("period.e.start_missing")
    try:
        end = parse_date(end_value, is_end=True)
    except (ValueError, OverflowError):
        return PeriodError("period.e.bad_end", value=_show(end_value))
    if end is not None and end < start:
        shown = raw.strip() if raw else f"{_show(start_value)} – {_show(end_value)}"
        return PeriodError("period.e.end_before_start", "end_before_start", shown=shown)
    return Period(start, end)


def _cn_number(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_NUM.get(s[1:], 0)
    if len(s) == 2 and s[1] == "十":
        return _CN_NUM.get(s[0], 0) * 10
    return _CN_NUM.get(s, 0)
