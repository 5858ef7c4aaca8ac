"""The write path on the national store: one county's ledger imported as a user imports it, and what the
coverage-span refresh costs it.

A ledger file (xlsx, the layout bureaus send: township, village, code, adviser, kind, firm, phone, start and end
columns) is written for the county with the most villages and imported through
:func:`geo.imports.run_import`, then rolled back, once per run.  The same import is then timed with the
whole-country span rebuild that every write did before the incremental refresh (issue 9), and the refresh alone
for that county and for the whole country (timed inside a transaction that is rolled back).
"""
from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from geo.core.codes import real_villages
from geo.imports import rollback, run_import
from geo.store import Store

from .figures import Figure, Targets, judge

TARGETS: Targets = {
    "ledger_import_county_s": ("s", "<=", 3, "one county's ledger through geo.imports.run_import, national data "
                                             "loaded (spans refreshed for that county)"),
    "ledger_import_whole_refresh_s": ("s", "", 0, "the same import with the whole-country span rebuild "
                                                  "every write did before the incremental refresh"),
    "spans_refresh_county_ms": ("ms", "", 0, "refresh_coverage_spans of that one county"),
    "spans_refresh_whole_ms": ("ms", "", 0, "refresh_coverage_spans of the whole country"),
}

HEADER = ("序号", "镇（街道）", "村（社区）名称", "统计用区划代码", "法律顾问", "人员类别", "执业机构", "联系电话",
          "聘任起始日期", "聘任终止日期")
VILLAGES_PER_ADVISER = 3
TERM_YEARS = 2
SURNAMES, GIVEN = "赵钱孙李周吴郑王冯陈", "建国海燕志强秀英明华"


class _Undo(Exception):
    """Raised to roll a timing transaction back."""


def largest_county(store: Store) -> str:
    """The 6-digit county with the most real villages in the store."""
    reg = store.registry_frame()
    codes = reg.loc[real_villages(reg), "code"]
    return str(codes.str[:6].value_counts().sort_index().idxmax())


def _adviser_name(n: int) -> str:
    return f"{SURNAMES[n % 10]}{GIVEN[n // 10 % 10]}{GIVEN[n // 100 % 10]}"


def ledger_rows(store: Store, county: str, start: dt.date) -> pd.DataFrame:
    """One row per real village of `county`: a new two-year contract from `start`, an adviser for every few
    neighbouring villages of a township (names, firm and phones made up)."""
    reg = store.registry_frame()
    names = dict(zip(reg["code"], reg["name"]))
    villages = reg[reg["code"].str.startswith(county) & real_villages(reg)]
    villages = villages.sort_values("code").reset_index(drop=True)
    township = villages["code"].str[:9]
    # an adviser for every few neighbouring villages of a township
    adviser_no, _ = pd.factorize(township + "/" + (villages.groupby(township).cumcount()
                                                   // VILLAGES_PER_ADVISER).astype(str))
    end = (pd.Timestamp(start) + pd.DateOffset(years=TERM_YEARS) - pd.Timedelta(days=1)).date()
    county_name = names.get(county.ljust(12, "0"), county)
    return pd.DataFrame({
        "序号": range(1, len(villages) + 1),
        "镇（街道）": [names.get(t.ljust(12, "0"), "") for t in township],
        "村（社区）名称": villages["name"],
        "统计用区划代码": villages["code"],
        "法律顾问": [_adviser_name(n) for n in adviser_no],
        "人员类别": "律师",
        "执业机构": f"{county_name}第{county[-2:]}律师事务所",
        "联系电话": [f"139{n:08d}" for n in adviser_no],
        "聘任起始日期": start.isoformat(),
        "聘任终止日期": end.isoformat(),
    }, columns=list(HEADER))


def write_ledger(rows: pd.DataFrame, path: Path, title: str) -> Path:
    """`rows` as a bureau's xlsx: a title line above the header."""
    import openpyxl  # imported here: start-up time (only the ledger file is written with it)

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append([title])
    ws.append(list(rows.columns))
    for row in rows.itertuples(index=False, name=None):
        ws.append(list(row))
    wb.save(path)
    return path


def _import_and_undo(store: Store, path: Path, county: str) -> float:
    """Seconds one import of the ledger took; the batch is rolled back afterwards (not timed)."""
    t0 = time.perf_counter()
    result = run_import(store, "assignments", path, {"county": county})
    seconds = time.perf_counter() - t0
    if result.status != "imported" or not result.rows_accepted:
        raise RuntimeError(f"the benchmark ledger did not import: {result.status}, {result.rows_rejected} rejected")
    rollback(store, result.batch_id)
    return seconds


@contextmanager
def _whole_country_refresh(store: Store) -> Iterator[None]:
    """Within the block every write transaction of `store` rebuilds the spans of the whole country, as before
    the incremental refresh."""
    whole = type(store).refresh_coverage_spans
    store.refresh_coverage_spans = lambda cur, counties=None: whole(store, cur, None)
    try:
        yield
    finally:
        del store.refresh_coverage_spans


def _refresh_seconds(store: Store, counties: list[int] | None) -> float:
    """The span refresh alone, inside a transaction that is then rolled back."""
    seconds = 0.0
    try:
        with store.transaction() as cur:
            t0 = time.perf_counter()
            store.refresh_coverage_spans(cur, counties)
            seconds = time.perf_counter() - t0
            raise _Undo
    except _Undo:
        pass
    return seconds


def _runs(fn: Callable[[], float], runs: int) -> list[float]:
    return [fn() for _ in range(max(1, runs))]


def measure(store: Store, as_of: dt.date, runs: int, backend_targets: dict[str, float] | None = None,
            info: dict | None = None, log: Callable[[str], None] | None = None) -> dict[str, Figure]:
    """The write-path figures on the national `store` (left as it was: every import is rolled back)."""
    log = log or (lambda msg: None)
    county = largest_county(store)
    rows = ledger_rows(store, county, as_of + dt.timedelta(days=1))
    with tempfile.TemporaryDirectory(prefix="geo-bench-ledger-") as tmp:
        path = write_ledger(rows, Path(tmp) / f"{county}_法律顾问台账.xlsx", f"{county} 村（居）法律顾问聘任台账")
        first = _import_and_undo(store, path, county)     # builds the registry's matching index once
        after = _runs(lambda: _import_and_undo(store, path, county), runs)
        with _whole_country_refresh(store):
            before = _runs(lambda: _import_and_undo(store, path, county), runs)
    one = _runs(lambda: _refresh_seconds(store, [int(county)]), runs)
    whole = _runs(lambda: _refresh_seconds(store, None), runs)
    if info is not None:
        info.update(ledger_county=county, ledger_rows=len(rows), ledger_first_import_s=round(first, 2))
    log(f"ledger {county} ({len(rows)} rows): {statistics.median(after):.2f} s, whole-country refresh "
        f"{statistics.median(before):.2f} s")
    ms = [x * 1000 for x in one], [x * 1000 for x in whole]
    return {f.name: f for f in (
        judge(TARGETS, "ledger_import_county_s", statistics.median(after), after, backend_targets),
        judge(TARGETS, "ledger_import_whole_refresh_s", statistics.median(before), before, backend_targets),
        judge(TARGETS, "spans_refresh_county_ms", statistics.median(ms[0]), ms[0], backend_targets),
        judge(TARGETS, "spans_refresh_whole_ms", statistics.median(ms[1]), ms[1], backend_targets))}
