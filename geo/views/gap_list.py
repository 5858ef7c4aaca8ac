"""The gap list's rules: the statuses it offers and shows by default, how its rows are tallied, paged and
counted by unit."""
from __future__ import annotations

from collections import Counter
from typing import Iterable

import pandas as pd

from geo.core.codes import LEVEL_ENDS
from geo.core.coverage import GAP_STATUSES, Status
from geo.core.service_rule import ServiceStatus

#: every status, in the order the list offers and tallies them: the coverage statuses, then nominal (挂名: a
#: contract nobody visits, geo.core.service_rule), which a planner can ask for like any other
STATUSES = (*(s.value for s in Status), ServiceStatus.NOMINAL.value)
#: what the list shows until the user picks otherwise: every village that needs action
DEFAULT_STATUSES = tuple(s.value for s in GAP_STATUSES)


def listed_status(status: str, service_status: str, selected: Iterable[str]) -> str:
    """The status a listed village is tallied under: nominal when the list asks for nominal villages and it is
    one, else its coverage status."""
    nominal = ServiceStatus.NOMINAL.value
    return nominal if service_status == nominal and nominal in selected else status


def listed_statuses(villages: pd.DataFrame, selected: Iterable[str]) -> pd.Series:
    """:func:`listed_status` of every row of `villages` (status, service_status) at once: a national list has
    600,000 rows."""
    nominal = ServiceStatus.NOMINAL.value
    if nominal not in set(selected):
        return villages["status"].astype(str)
    return villages["status"].astype(str).where(villages["service_status"] != nominal, nominal)


def status_tally(statuses: Iterable[str]) -> list[tuple[str, int]]:
    """(status, villages) for each status present among `statuses` (one per listed village), in list order."""
    tally = Counter(statuses)
    return [(s, tally[s]) for s in STATUSES if tally[s]]


#: rows of the list drawn per page: a national list has hundreds of thousands (the download has them all)
PAGE_ROWS = 100
#: the most rows an .xlsx of the list is built with: beyond, building it takes minutes and gigabytes (600,000
#: rows: 47 s, 4 GB); the CSV has every row, or a smaller scope makes a smaller workbook
XLSX_MAX_ROWS = 100_000


def page_count(rows: int, size: int = PAGE_ROWS) -> int:
    """Pages of `size` rows that `rows` fill (at least one)."""
    return max(1, -(-rows // size))


def page_rows(rows: int, page: int, size: int = PAGE_ROWS) -> slice:
    """The rows of page `page` (1-based; clamped to the pages there are)."""
    page = min(max(1, page), page_count(rows, size))
    return slice((page - 1) * size, min(page * size, rows))


def by_unit(villages: pd.DataFrame, level: int, statuses: Iterable[str]) -> pd.DataFrame:
    """The listed villages counted per unit of `level` (the scope's child level): code (12 digits), villages, and
    one column per status of `statuses` present (tallied as :func:`listed_status`), most villages first."""
    end = LEVEL_ENDS[level - 1]
    frame = pd.DataFrame({"code": villages["code"].astype(str).str[:end].str.ljust(12, "0"),
                          "status": listed_statuses(villages, statuses).to_numpy()})
    table = pd.crosstab(frame["code"], frame["status"])
    table = table[[s for s in STATUSES if s in table.columns]]
    table.insert(0, "villages", table.sum(axis=1))
    return table.sort_values("villages", ascending=False, kind="stable").reset_index()
