"""Statistical division codes (统计用区划代码).

A code has 12 digits: province 2 + city 2 + county 2 + township 3 + village 3, higher levels zero-padded.
Users type short forms ("61", "6101", "610124", "610124100") and survey files carry longer ones (a 19-digit
ZLDWDM is the 12-digit village code plus 7 more), so everything entering the system goes through
:func:`normalize_code`.  Inside the store codes are BIGINT; at the edges they are 12-character strings.

The real-village rule is here too (:func:`is_real_village`, vectorised :func:`real_villages`): which codes of a
division list are villages and communities at all.  Its SQL form is :func:`geo.store.rules.real_village`, and a
test holds the two together on the shipped registry.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from geo.core.errors import UserError

#: digits that end each level: province, city, county, township, village
LEVEL_ENDS = (2, 4, 6, 9, 12)
LEVEL_NAMES = ("province", "city", "county", "township", "village")
LEVEL_OF_NAME = {name: i + 1 for i, name in enumerate(LEVEL_NAMES)}

_DIGITS = re.compile(r"^\d+$")


class CodeError(UserError, ValueError):
    """A string that cannot be a division code."""


def normalize_code(raw: object) -> str:
    """Return the 12-digit form of a division code given in any usual length.

    Accepts 2/4/6/9/12 digits (zero-padded on the right) and 13-19 digits whose first 12 are the village code
    (land-survey ZLDWDM).  Numbers read from Excel as floats ("610124100200.0") are accepted too.
    """
    if raw is None:
        raise CodeError(key="code.e.empty")
    s = str(raw).strip()
    if s.endswith(".0"):
        s = s[:-2]
    if not _DIGITS.match(s):
        raise CodeError(key="code.e.not_digits", params={"raw": raw})
    if len(s) in (2, 4, 6, 9):
        return s.ljust(12, "0")
    if 12 <= len(s) <= 19:
        return s[:12]
    raise CodeError(key="code.e.length", params={"raw": raw, "n": len(s)})


def significant_length(code: str) -> int:
    """Digits that carry meaning in a 12-digit code: 2, 4, 6, 9 or 12 (0 for the whole country)."""
    for end in reversed(LEVEL_ENDS):
        start = 0 if end == 2 else LEVEL_ENDS[LEVEL_ENDS.index(end) - 1]
        if code[start:end].strip("0"):
            return end
    return 0


def level_of(code: str) -> int:
    """Level read off the trailing zeros: 1 province ... 5 village, 0 the whole country.

    Not always the registry's level (东莞市 441900 is a city acting as a county); use the store for that.
    """
    n = significant_length(code)
    return LEVEL_ENDS.index(n) + 1 if n else 0


def prefix(code: str, level: int) -> str:
    """The ancestor at `level` of a code, zero-padded to 12 digits (441900003001 at level 3 -> 441900000000)."""
    end = LEVEL_ENDS[level - 1]
    return code[:end].ljust(12, "0")


@dataclass(frozen=True)
class Scope:
    """A jurisdiction: every division whose code starts with ``digits`` ("" = the whole country)."""

    digits: str

    @classmethod
    def parse(cls, raw: object | None) -> "Scope":
        if raw is None or str(raw).strip() in ("", "0", "000000000000", "all", "全国"):
            return cls("")
        code = normalize_code(raw)
        return cls(code[: significant_length(code)])

    @property
    def code(self) -> str:
        return self.digits.ljust(12, "0")

    @property
    def level(self) -> int:
        return LEVEL_ENDS.index(len(self.digits)) + 1 if self.digits else 0

    @property
    def int_range(self) -> tuple[int, int]:
        """[low, high) of the BIGINT codes inside this scope."""
        if not self.digits:
            return 0, 10**12
        width = 10 ** (12 - len(self.digits))
        low = int(self.digits) * width
        return low, low + width

    def contains(self, code: str) -> bool:
        return code.startswith(self.digits)


def village_kind(code: str) -> str:
    """'community' (社区, 001-199), 'village' (村, 200-399) or 'other' (400-599) from the last three digits."""
    n = int(code[9:12])
    if 1 <= n <= 199:
        return "community"
    if 200 <= n <= 399:
        return "village"
    return "other"


def to_str(code: int) -> str:
    return f"{int(code):012d}"


# ------------------------------------------------------------------------------------------ the real village
def is_real_village(code: str | int, level: int, abolished: bool = False) -> bool:
    """Level 5, village digits not 000, not abolished by a newer registry.

    金门县 350527000000 is listed at levels 3-5 as a placeholder with no real children: it is no village.
    """
    return int(level) == 5 and int(code) % 1000 != 0 and not abolished


def real_villages(frame: pd.DataFrame) -> pd.Series:
    """:func:`is_real_village` over a registry frame (code as 12-digit text or integer, level, and an
    ``abolished`` column when the frame has one): a boolean mask aligned with ``frame``."""
    code = frame["code"]
    if pd.api.types.is_numeric_dtype(code):
        village_digits = code % 1000 != 0
    else:
        village_digits = ~code.astype(str).str.endswith("000")
    mask = frame["level"].eq(5) & village_digits
    if "abolished" in frame.columns:
        mask &= ~frame["abolished"].astype("boolean").fillna(False).astype(bool)
    return mask.astype(bool)
