"""How each fact is written out: one formatter per fact, used by the pages, the maps and the exports.

Plain text, not Markdown: a caller that hands the result to Streamlit's Markdown passes it through
:func:`geo.text.catalogue.md` or :func:`geo.text.catalogue.escape_markdown` as it does with any other value.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable, Protocol, Sequence

import pandas as pd

from geo.text.catalogue import t

#: how many names a list of names in a sentence shows before "…"
NAMES_SHOWN = 12
_NAME_SEPARATOR = {"zh": "、", "en": ", "}
#: opening, separator and closing of a remark in brackets after a figure
_ASIDE = {"zh": ("（", "，", "）"), "en": (" (", ", ", ")")}


def count(n: int) -> str:
    """12,345: a number of villages, advisers, rows."""
    return f"{int(n):,}"


def pct(rate: float) -> str:
    """0.9876 -> "98.8%": a coverage rate."""
    return f"{rate * 100:.1f}%"


def day(value) -> str:
    """A date as 2026-11-27, whatever form it comes in (date, datetime, Timestamp, ISO text)."""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def date_cell(value) -> dt.date | str:
    """A date as the date itself ("" when there is none): what a table keeps so that a spreadsheet gets a date
    cell (:func:`geo.outputs.export.cell_kind`) and a page or a CSV shows 2026-11-27."""
    return "" if _missing(value) else pd.Timestamp(value).date()


def dates_as_text(table: pd.DataFrame) -> pd.DataFrame:
    """`table` with each column that holds dates among its words (a contract's end: a date, "长期" or "")
    written as text, 2026-11-27: what a page shows.  The table itself keeps dates for a spreadsheet's date
    cells; a page's table goes through Arrow, which wants one type per column and re-types a mixed one after an
    error, serialising the table twice."""
    out = table.copy(deep=False)
    for column in out.columns:
        values = out[column]
        if values.dtype != "object":
            continue
        is_date = values.map(lambda v: isinstance(v, dt.date))
        if is_date.any() and not is_date.all():
            out[column] = [day(v) if d else v for v, d in zip(values, is_date)]
    return out


def _missing(value) -> bool:
    return value is None or bool(pd.isna(value))


def contract_end(end, lang: str) -> str:
    """A contract's last day, or "长期" / "open-ended" for a contract without one."""
    return t("open_ended", lang) if _missing(end) else day(end)


def period_text(start, end, lang: str) -> str:
    """"2026-09-01 ~ 2028-08-31", "2026-09-01 ~ 长期" when open-ended; "" without a contract (no start)."""
    if _missing(start):
        return ""
    return f"{day(start)} ~ {contract_end(end, lang)}"


#: screen pixels of one character in a table (a Chinese character at the table's type size; Latin is narrower)
_CHAR_PX = 14
_CELL_PADDING_PX = 28


def text_width_px(values: Sequence[object], header: str = "") -> int:
    """The width a table column needs to show its longest text (and its header) in full, in pixels: a table
    that sizes columns itself measures before the Chinese font is in and cuts names short (南院门街…)."""
    longest = max([len(str(header)), *(len(str(v)) for v in values)], default=0)
    return longest * _CHAR_PX + _CELL_PADDING_PX


def name_list(names: Sequence[str], lang: str, shown: int = NAMES_SHOWN) -> str:
    """"甲村、乙村、丙村" / "A, B, C": the first `shown` names, "…" when there are more."""
    joined = _NAME_SEPARATOR[lang].join(names[:shown])
    return joined + ("…" if len(names) > shown else "")


def aside(parts: Sequence[str], lang: str) -> str:
    """"（已覆盖 3，从未配备 2）" / " (covered 3, never 2)": remarks in brackets after a figure."""
    opening, separator, closing = _ASIDE[lang]
    return f"{opening}{separator.join(parts)}{closing}"


class Figures(Protocol):
    """The counts a "figures" line says (a :class:`geo.core.coverage.Counts`): named here, not imported, as the
    text layer stands below the core."""

    villages: int
    covered: int
    expiring: int
    lapsed: int
    never: int

    @property
    def coverage_rate(self) -> float: ...


def figures_values(counts: Figures) -> dict[str, str]:
    """The numbers of the catalogue's "figures" line (everything but the unit's name), written out."""
    return {"villages": count(counts.villages), "covered": count(counts.covered),
            "rate": pct(counts.coverage_rate), "expiring": count(counts.expiring),
            "lapsed": count(counts.lapsed), "never": count(counts.never)}


def mapped_per_text(column: pd.Series, fn: Callable[[str], str]) -> pd.Series | None:
    """`column` with `fn` applied to its text values, each distinct text once (a national column repeats a few
    thousand names hundreds of thousands of times); other values as they are.  None when `fn` changes no text."""
    changed = {v: c for v in pd.unique(column) if isinstance(v, str) and (c := fn(v)) != v}
    if not changed:
        return None
    return column.mask(column.isin(list(changed)), column.map(changed))
