"""The cells of a paper questionnaire read into answers: satisfaction 1-5, yes / no, "never seen", the survey day.

Each vocabulary is a table.  A cell that cannot be read gives a :class:`~geo.sources.servicelog.values.Problem`
(a reason and its parameters, worded by ``imp.why.<why>``), which rejects the row with its number.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from geo.core.feedback import SATISFACTION_RANGE
from geo.core.limits import MAX_VALUE_CHARS
from geo.sources.servicelog.values import Problem, service_date, too_long

#: satisfaction written as words (the usual five-point scale of the questionnaires), most specific first
SATISFACTION_WORDS: tuple[tuple[str, int], ...] = (
    ("非常不满意", 1), ("很不满意", 1), ("极不满意", 1), ("不太满意", 2), ("不满意", 2), ("较不满意", 2),
    ("非常满意", 5), ("很满意", 5), ("十分满意", 5), ("比较满意", 4), ("较满意", 4), ("满意", 4),
    ("基本满意", 3), ("一般", 3), ("还行", 3), ("说不清", 3),
    ("very satisfied", 5), ("satisfied", 4), ("neutral", 3), ("dissatisfied", 2), ("very dissatisfied", 1))
_SATISFACTION_EXACT = dict(SATISFACTION_WORDS)
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_STARS = re.compile(r"^[★☆]+$")
_SCORE = re.compile(r"^([1-5一二两三四五])(?:分|星|颗星|\.0+)?$")

#: yes / no answers, in the cells' own words (a tick is yes, a cross no)
YES_WORDS = ("是", "能", "有", "可以", "对", "联系得上", "联系上了", "能联系上", "找得到", "√", "✓", "✔", "☑", "yes",
             "y", "true", "1")
NO_WORDS = ("否", "不能", "没有", "无", "不可以", "联系不上", "没联系上", "找不到", "不是", "×", "✗", "✘", "☒", "x",
            "no", "n", "false", "0")
_YES, _NO = frozenset(YES_WORDS), frozenset(NO_WORDS)
#: a cell that says itself whether the adviser was seen, whatever the column asks
NEVER_SEEN_WORDS = ("没见过", "没有见过", "未见过", "从未见过", "从没见过", "不认识", "不知道", "没见到", "未见到")
SEEN_WORDS = ("见过", "见到过", "认识", "知道")


def _compact(value: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).lower()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or (isinstance(value, str)
                                                                               and not value.strip())


def satisfaction(value: Any) -> int | None | Problem:
    """5, "5", "5分", "五分", "★★★★", 非常满意 (5) .. 非常不满意 (1) -> 1-5; None when blank; a Problem
    otherwise (0, 6, 4.5, 满意吧)."""
    if _blank(value):
        return None
    shown = str(value).strip()
    if too_long(value):
        return Problem("too_long", "too_long", {"start": shown[:20], "chars": f"{len(shown):,}",
                                                "limit": MAX_VALUE_CHARS})
    low, high = SATISFACTION_RANGE
    if isinstance(value, bool):
        return Problem("bad_satisfaction", "bad_satisfaction", {"value": shown})
    if isinstance(value, (int, float)):
        if float(value).is_integer() and low <= value <= high:
            return int(value)
        return Problem("bad_satisfaction", "bad_satisfaction", {"value": shown})
    text = _compact(value).rstrip("。.")
    if text in _SATISFACTION_EXACT:
        return _SATISFACTION_EXACT[text]
    if _STARS.match(text) and low <= text.count("★") <= high:
        return text.count("★")
    if m := _SCORE.match(text):
        return int(m[1]) if m[1].isdigit() else _CN_DIGITS[m[1]]
    return Problem("bad_satisfaction", "bad_satisfaction", {"value": shown})


def yes_no(value: Any) -> bool | None | Problem:
    """是 / 能 / √ -> True, 否 / 不能 / × -> False; None when blank; a Problem for anything else."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = _compact(value).rstrip("。.")
    if text in _YES:
        return True
    if text in _NO:
        return False
    return Problem("bad_answer", "bad_answer", {"value": str(value).strip()[:40]})


def never_seen(value: Any, *, asks_seen: bool) -> bool | None | Problem:
    """Whether the villager reports never seeing the adviser, from a cell of a column that asks "never seen?"
    (我村没见过法律顾问: √ = never seen) or, `asks_seen`, "seen?" (是否见过法律顾问: 是 = seen).  A cell that
    says it in words (没见过, 见过) is read as it says, whichever the column."""
    if _blank(value):
        return None
    text = _compact(value)
    if any(w in text for w in NEVER_SEEN_WORDS):
        return True
    if any(w in text for w in SEEN_WORDS):
        return False
    answer = yes_no(value)
    if isinstance(answer, bool) and asks_seen:
        return not answer
    return answer


#: how a survey day's problems are said (the service log's date reader, worded for a questionnaire)
_DATE_WHY = {"no_date": "q_no_date", "bad_date": "q_bad_date", "future_date": "q_future_date"}


def survey_day(value: Any, today: dt.date, default: dt.date | None = None) -> dt.date | Problem:
    """The day a questionnaire was filled in: the cell (a date, text, a serial number), else `default` (the
    import's survey day); a Problem when neither, or unreadable, or after `today`."""
    if _blank(value):
        if default is not None:
            return default
        return Problem("bad_survey_date", "q_no_date")
    day = service_date(value, today)
    if isinstance(day, Problem):
        reason = "future_survey_date" if day.reason == "future_date" else (
            "too_long" if day.reason == "too_long" else "bad_survey_date")
        return Problem(reason, _DATE_WHY.get(day.why, day.why), day.params)
    return day
