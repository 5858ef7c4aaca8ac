"""The cells of a service log read into values: the service date, the hours, the mode, the people served.

Each vocabulary is a table.  A cell that cannot be read gives a :class:`Problem` (a reason code and its
parameters, worded by ``imp.why.<why>``), which rejects the row: the report says which row and why.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from geo.core.limits import MAX_VALUE_CHARS
from geo.sources.periods import parse_date

ONSITE, REMOTE, OTHER = "onsite", "remote", "other"

#: how a log writes the mode, by what it counts as: presence in the village, or contact from afar
MODE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (ONSITE, ("到村", "到村服务", "现场", "驻村", "值班", "上门", "讲座", "坐班", "入村", "进村", "下村", "实地",
              "面谈", "现场咨询", "法治讲座", "onsite", "on-site", "on site", "visit", "in person")),
    (REMOTE, ("电话", "微信", "视频", "线上", "网络", "远程", "短信", "qq", "钉钉", "网上", "热线", "phone",
              "wechat", "video", "online", "remote")),
)
#: a mode naming both ("线上讲座", "视频讲座") was not held in the village: remote words are looked for first
_MODE_SEARCH = sorted(((word, mode) for mode, words in MODE_WORDS for word in words),
                      key=lambda wm: (wm[1] != REMOTE, -len(wm[0])))
_MODE_EXACT = {word: mode for mode, words in MODE_WORDS for word in words}
#: how the templates' dropdown and the visit form write each mode (each is read back as that mode; "其他" with
#: the import report's note that it does not count as a visit)
MODE_CHOICES: dict[str, str] = {ONSITE: "到村服务", REMOTE: "远程服务", OTHER: "其他"}
#: the service categories the templates and the visit form offer (a log may write any other: kept as written)
SERVICE_CATEGORIES = ("法律咨询", "矛盾纠纷调解", "法治讲座", "合同审查", "村规民约审查", "法律援助", "其他")

#: hours written as words
HOUR_WORDS: dict[str, float] = {"半天": 4, "半日": 4, "一天": 8, "一日": 8, "全天": 8, "全日": 8, "整天": 8,
                                "一整天": 8, "半小时": 0.5, "半个小时": 0.5, "一小时": 1, "一个小时": 1,
                                "两小时": 2, "两个小时": 2, "half day": 4, "full day": 8, "whole day": 8}
#: unit -> hours per unit
HOUR_UNITS: dict[str, float] = {"": 1, "小时": 1, "个小时": 1, "时": 1, "h": 1, "hr": 1, "hrs": 1, "hour": 1,
                                "hours": 1, "分钟": 1 / 60, "分": 1 / 60, "min": 1 / 60, "mins": 1 / 60,
                                "minutes": 1 / 60, "天": 8, "日": 8, "d": 8, "day": 8, "days": 8}
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z\u4e00-\u9fff]*)")
#: one service longer than a day is a typing error (a month's total, minutes in the hours column)
MAX_HOURS = 24.0

# each time is atomic: with a free choice of where "12:1212:12" splits into times, the repeat backtracked
# exponentially; a cell longer than MAX_VALUE_CHARS never gets here (the search from every position is quadratic)
_TIME_OF_DAY = re.compile(r"(?:(?>\s*(?:上午|下午|晚上|早上|中午)?\s*\d{1,2}[:：点]\d{0,2}(?:[:：]\d{2})?分?))++$|"
                          r"\s*(?:上午|下午|晚上|全天)$")


@dataclass(frozen=True)
class Problem:
    """Why a cell rejects its row: ``reason`` for the report's column, ``why`` (and params) for the sentence."""

    reason: str
    why: str
    params: dict[str, Any] = field(default_factory=dict)


def too_long(value: Any) -> bool:
    """A text cell longer than any value a parser reads: refused unread (see geo.core.limits)."""
    return isinstance(value, str) and len(value) > MAX_VALUE_CHARS


def _too_long(shown: str) -> Problem:
    return Problem("too_long", "too_long", {"start": shown[:20], "chars": f"{len(shown):,}",
                                            "limit": MAX_VALUE_CHARS})


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


# ------------------------------------------------------------------------------------------------ dates
def service_date(value: Any, today: dt.date) -> dt.date | Problem:
    """An Excel date cell, a serial number or text (2026.3.15, 2026年3月15日, 2026/03/15, 2026-03-15, with a
    time of day after it or not) -> the day; a Problem when blank, unreadable, not a real day, not a whole day
    (2026年3月) or after `today`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Problem("bad_date", "no_date")
    shown = value.date().isoformat() if isinstance(value, dt.datetime) else str(value).strip()
    if too_long(value):
        return _too_long(shown)
    if isinstance(value, str):
        value = _TIME_OF_DAY.sub("", unicodedata.normalize("NFKC", value).strip())
    try:
        day = parse_date(value)
        whole_day = parse_date(value, is_end=True) == day   # "2026.3" is a month, not the day of a visit
    except (ValueError, OverflowError):
        return Problem("bad_date", "bad_date", {"value": shown})
    if day is None or not whole_day:
        return Problem("bad_date", "bad_date", {"value": shown})
    if day > today:
        return Problem("future_date", "future_date", {"value": day.isoformat(), "today": today.isoformat()})
    return day


# ------------------------------------------------------------------------------------------------ hours
def service_hours(value: Any) -> float | None | Problem:
    """A number, 2小时, 1.5h, 30分钟, 1小时30分, 半天 (4 h), 一天 / 全天 (8 h) -> hours; None when blank; a
    Problem when unreadable, not positive or longer than a day."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    shown = str(value).strip()
    if too_long(value):
        return _too_long(shown)
    if isinstance(value, bool):
        return Problem("bad_hours", "bad_hours", {"value": shown})
    hours = float(value) if isinstance(value, (int, float)) else _hours_text(_compact(str(value)))
    if hours is None or hours != hours:
        return Problem("bad_hours", "bad_hours", {"value": shown})
    if not 0 < hours <= MAX_HOURS:
        return Problem("bad_hours", "hours_range", {"value": shown, "max": int(MAX_HOURS)})
    return round(hours, 4)


def _hours_text(text: str) -> float | None:
    text = text.rstrip("。.")
    if text in HOUR_WORDS:
        return float(HOUR_WORDS[text])
    total, pos = 0.0, 0
    for m in _AMOUNT.finditer(text):
        unit = m.group(2)
        if m.start() != pos or unit not in HOUR_UNITS:
            return None
        total += float(m.group(1)) * HOUR_UNITS[unit]
        pos = m.end()
    return total if pos == len(text) and pos else None


# ------------------------------------------------------------------------------------------------ modes
def service_mode(text: str | None) -> tuple[str, bool]:
    """(onsite / remote / other, whether the log said so clearly); an unknown or blank mode is 'other'."""
    t = _compact(text or "") if not too_long(text) else ""
    if not t:
        return OTHER, False
    if t in _MODE_EXACT:
        return _MODE_EXACT[t], True
    for word, mode in _MODE_SEARCH:
        if word.replace(" ", "") in t:
            return mode, True
    return OTHER, False


# ------------------------------------------------------------------------------------------------ people
def people_served(value: Any) -> int | None:
    """服务人次: 12, "12", "12人", "约30人次" -> the number; None when blank or not a count."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value) if value == value and value >= 0 and float(value).is_integer() else None
    if too_long(value):
        return None
    m = re.fullmatch(r"(?:约|共|计)?(\d+)(?:人次|人|次|名|户)?", _compact(value))
    return int(m.group(1)) if m else None
