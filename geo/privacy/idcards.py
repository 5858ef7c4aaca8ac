"""Resident ID-card numbers (居民身份证号码, GB 11643-1999): found in any spelling and removed from text.

The 18-character number is 6 area digits, the birth date YYYYMMDD, 3 sequence digits and an ISO 7064 MOD 11-2
check character (0-9 or X).  The old 15-digit number (issued until 2004) is 6 area digits, YYMMDD of a 19YY
birth and 3 sequence digits, with no check digit.

Clerks write them in full-width digits, with a lower-case or full-width x, split into groups by spaces, dashes,
dots, slashes or underscores, and glued to words ("身份证:", "sfz", "No…号").  Text is NFKC-normalised for the
search only: everything around a number is returned exactly as it was written.

Only real numbers are removed, so licence numbers (17 digits), phones, division and survey codes (12 / 19
digits) and bank card numbers stay as they are: an 18-character candidate needs a birth date that is a real day
in the past and the right check character; a 15-digit one (no check digit to trust) needs a province as its area
and a real birth date, and is only taken unbroken or in its 6-6-3 groups.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

#: what may stand between two digits of one number, after NFKC (full-width space, －, ．, ／ become ASCII)
_SEP = r"[\s\-_./\u2010-\u2015\u2212]{0,3}"
#: every start of an 18-character candidate, overlapping ones included (a failed one must not hide the next)
_CANDIDATE18 = re.compile(rf"(?<![0-9])(?=([0-9](?:{_SEP}[0-9]){{16}}{_SEP}[0-9Xx])(?![0-9]))")
_CANDIDATE15 = re.compile(rf"(?<![0-9])(?=([0-9]{{6}}{_SEP}[0-9]{{6}}{_SEP}[0-9]{{3}})(?![0-9]))")
_NOT_ID_CHAR = re.compile(r"[^0-9Xx]")

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
#: province-level area prefixes of mainland resident numbers (the only ones the 15-digit form was issued with)
_PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                        50, 51, 52, 53, 54, 61, 62, 63, 64, 65})
#: no text shorter than this can hold an ID number (the old form has 15 digits)
SHORTEST = 15


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def _real_birth_date(year: int, month: int, day: int, today: dt.date) -> bool:
    try:
        return dt.date(year, month, day) <= today
    except ValueError:
        return False


def is_id18(number: str, today: dt.date | None = None) -> bool:
    """`number` (18 characters, digits and a final X in upper case) is a valid resident ID number."""
    today = today or dt.date.today()
    if len(number) != 18 or not number[:17].isdigit() or number[0] == "0":
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    return year >= 1900 and _real_birth_date(year, month, day, today) and check_character(number[:17]) == number[17]


def is_id15(number: str) -> bool:
    """`number` (15 digits) is a plausible old-form resident ID number: a province's area and a real 19YY date."""
    if len(number) != 15 or not number.isdigit() or int(number[:2]) not in _PROVINCES:
        return False
    return _real_birth_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]), dt.date.max)


def nfkc_with_origins(text: str) -> tuple[str, list[int]]:
    """NFKC of `text` character by character, and for each output character the index it came from."""
    parts: list[str] = []
    origins: list[int] = []
    for i, ch in enumerate(text):
        norm = ch if ch.isascii() else unicodedata.normalize("NFKC", ch)
        parts.append(norm)
        origins.extend([i] * len(norm))
    return "".join(parts), origins


def _id_spans(norm: str, today: dt.date) -> list[tuple[int, int]]:
    """(start, end) in `norm` of every ID number, not overlapping, leftmost first."""
    found: list[tuple[int, int]] = []
    for m in _CANDIDATE18.finditer(norm):
        if is_id18(_NOT_ID_CHAR.sub("", m.group(1)).upper(), today):
            found.append((m.start(1), m.end(1)))
    for m in _CANDIDATE15.finditer(norm):
        if is_id15(_NOT_ID_CHAR.sub("", m.group(1))):
            found.append((m.start(1), m.end(1)))
    spans: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if not spans or start >= spans[-1][1]:
            spans.append((start, end))
    return spans


def scrub_id_numbers(text: str, today: dt.date | None = None) -> str:
    """`text` without its ID-card numbers; everything else as written (ends stripped when something went)."""
    if len(text) < SHORTEST or sum(map(str.isdigit, text)) < SHORTEST:
        return text
    return remove_found(text, lambda norm: _id_spans(norm, today or dt.date.today()))


def remove_found(text: str, find_spans) -> str:
    """`text` without what `find_spans` finds in its NFKC form ((start, end) pairs, not overlapping, leftmost
    first); everything else exactly as written, ends stripped when something went.  Shared by the scrubbers
    of ID numbers and phone numbers (geo.privacy.phones)."""
    # ASCII text is its own NFKC form: no per-character pass (a national load has 200,000 licence numbers)
    norm, origins = (text, range(len(text))) if text.isascii() else nfkc_with_origins(text)
    spans = find_spans(norm)
    if not spans:
        return text
    kept, last = [], 0
    for start, end in spans:
        kept.append(text[last:origins[start]])
        last = origins[end - 1] + 1
    kept.append(text[last:])
    return "".join(kept).strip()


def removed_note(where_zh: str, where_en: str) -> str:
    """The report's bilingual note that an ID-card number was removed from a row or feature."""
    return f"{where_zh}：已删除一个身份证号码 / {where_en}: an ID-card number was removed"


def scrub_file_name(name: str, blank: str = "upload") -> str:
    """A file name without ID-card numbers; its extension kept, `blank` as the stem when nothing else is left."""
    dot = name.rfind(".")
    stem, suffix = (name[:dot], name[dot:]) if dot > 0 else (name, "")
    kept = scrub_id_numbers(stem)
    if kept == stem:
        return name
    return (kept.strip(" _-") or blank) + suffix
