"""A snapshot ledger on the national store: the largest county's current ledger, built from the store, changed a
few percent as a month's ledger changes, imported as a snapshot (issue 22) and rolled back, once per run.

The ledger lists every contract in force on the day (township, village, code, adviser, kind, firm, licence,
phone, start, end); then one contract in :data:`DROP_EVERY` is left out (it ends), one in :data:`RENEW_EVERY` is
listed with its next period instead (renewed), one adviser in :data:`PHONE_EVERY` has a new phone (changed) and
:data:`NEW_VILLAGES` villages without a contract get a new adviser (new).  The same changes make the page test's
ledger (tests/test_snapshot_page.py).
"""
from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from geo.core.codes import Scope, real_villages
from geo.imports import rollback, run_import
from geo.store import Store

from .figures import Figure, Targets, judge
from .write_path import largest_county, write_ledger

TARGETS: Targets = {
    "snapshot_county_s": ("s", "<=", 5, "the largest county's current ledger, a few percent changed, imported as a "
                                        "snapshot through geo.imports.run_import (the difference, ends, updates)"),
}

HEADER = ("序号", "镇（街道）", "村（社区）名称", "统计用区划代码", "法律顾问", "人员类别", "执业机构", "执业证号",
          "联系电话", "聘任起始日期", "聘任终止日期")
DROP_EVERY, RENEW_EVERY, PHONE_EVERY, NEW_VILLAGES = 40, 30, 50, 5


@dataclass(frozen=True)
class ChangedLedger:
    """A county's ledger as of a day, and what it changes against the store (village codes, adviser ids)."""

    rows: pd.DataFrame
    dropped: list[tuple[int, str]]          # (adviser_id, village) no longer listed
    renewed: list[tuple[int, str]]
    phones: dict[int, str]                  # adviser_id -> the new phone
    new: list[str]                          # villages given a new adviser


def current_ledger(store: Store, county: str, day: dt.date) -> pd.DataFrame:
    """The contracts in force on `day` in `county` with their advisers, one row each, in village order:
    adviser_id, village, start_date, end_date, name, kind, org, licence_no, phone, township, village_name."""
    contracts = store.scope_contracts(Scope(county))
    now = contracts[(contracts["start_date"] <= day) & contracts["end_date"].map(lambda e: e is None or e >= day)]
    people = store.adviser_rows(now["adviser_id"].tolist()).drop(columns=["name"])
    return now.merge(people, on="adviser_id", how="left").reset_index(drop=True)


def changed_ledger(store: Store, county: str, day: dt.date) -> ChangedLedger:
    """The county's ledger as of `day`, changed as the module says."""
    now = current_ledger(store, county, day)
    keep = [i % DROP_EVERY != DROP_EVERY - 1 for i in range(len(now))]
    dropped = [(int(a), v) for a, v, k in zip(now["adviser_id"], now["village"], keep) if not k]
    rows = now[keep].reset_index(drop=True).copy()
    renew = [i % RENEW_EVERY == 0 and e is not None for i, e in enumerate(rows["end_date"])]
    renewed = [(int(a), v) for a, v, r in zip(rows["adviser_id"], rows["village"], renew) if r]
    rows["start_date"] = [e + dt.timedelta(days=1) if r else s
                          for s, e, r in zip(rows["start_date"], rows["end_date"], renew)]
    rows["end_date"] = [e.replace(year=e.year + 2) if r and not (e.month == 2 and e.day == 29) else e
                        for e, r in zip(rows["end_date"], renew)]
    people = sorted(set(rows["adviser_id"]))
    phones = {int(a): f"137{n:08d}" for n, a in enumerate(people) if n % PHONE_EVERY == 0}
    rows["phone"] = [phones.get(int(a), p) for a, p in zip(rows["adviser_id"], rows["phone"])]
    reg = store.registry_frame()
    villages = reg[reg["code"].str.startswith(county) & real_villages(reg)]
    open_villages = sorted(set(villages["code"]) - set(now["village"]))[:NEW_VILLAGES]
    names = dict(zip(reg["code"], reg["name"]))
    added = pd.DataFrame({
        "village": open_villages, "village_name": [names[v] for v in open_villages],
        "township": [names.get(v[:9] + "000", "") for v in open_villages],
        "name": [f"新任顾问{chr(0x7532 + i)}" for i in range(len(open_villages))], "kind": "律师",
        "org": "新设律师事务所", "licence_no": [f"1610120266{i:07d}" for i in range(len(open_villages))],
        "phone": [f"1360000{i:04d}" for i in range(len(open_villages))],
        "start_date": day, "end_date": day.replace(year=day.year + 2)})
    rows = pd.concat([rows, added], ignore_index=True)
    table = pd.DataFrame({
        "序号": range(1, len(rows) + 1), "镇（街道）": rows["township"], "村（社区）名称": rows["village_name"],
        "统计用区划代码": rows["village"], "法律顾问": rows["name"], "人员类别": rows["kind"], "执业机构": rows["org"],
        "执业证号": rows["licence_no"], "联系电话": rows["phone"],
        "聘任起始日期": [s.isoformat() for s in rows["start_date"]],
        "聘任终止日期": [e.isoformat() if e is not None else "长期" for e in rows["end_date"]]}, columns=list(HEADER))
    return ChangedLedger(table, dropped, renewed, phones, open_villages)


def _snapshot_and_undo(store: Store, path: Path, county: str, day: dt.date) -> tuple[float, dict]:
    """Seconds one snapshot import took and what it changed; the batch is rolled back afterwards (not timed)."""
    t0 = time.perf_counter()
    result = run_import(store, "assignments", path, {"county": county, "snapshot": True, "as_of": day})
    seconds = time.perf_counter() - t0
    if result.status != "imported":
        raise RuntimeError(f"the benchmark snapshot did not import: {result.status}")
    d = result.details
    counts = {"new": d.new_contracts, "renewed": d.renewed, "advisers": d.advisers_changed, "ended": d.ended}
    rollback(store, result.batch_id)
    return seconds, counts


def measure(store: Store, as_of: dt.date, runs: int, backend_targets: dict[str, float] | None = None,
            info: dict | None = None, log: Callable[[str], None] | None = None) -> dict[str, Figure]:
    """``snapshot_county_s`` on the national `store` (left as it was: every snapshot is rolled back)."""
    log = log or (lambda msg: None)
    county = largest_county(store)
    ledger = changed_ledger(store, county, as_of)
    times = []
    with tempfile.TemporaryDirectory(prefix="geo-bench-snapshot-") as tmp:
        path = write_ledger(ledger.rows, Path(tmp) / f"{county}_法律顾问台账_快照.xlsx",
                            f"{county} 村（居）法律顾问聘任台账（截至 {as_of.isoformat()}）")
        first, counts = _snapshot_and_undo(store, path, county, as_of)     # the reader's worker warmed once
        for _ in range(max(1, runs)):
            seconds, counts = _snapshot_and_undo(store, path, county, as_of)
            times.append(seconds)
    if info is not None:
        info.update(snapshot_county=county, snapshot_rows=len(ledger.rows), snapshot_changes=counts,
                    snapshot_first_s=round(first, 2))
    log(f"snapshot {county} ({len(ledger.rows)} rows, {counts}): {statistics.median(times):.2f} s")
    return {"snapshot_county_s": judge(TARGETS, "snapshot_county_s", statistics.median(times), times,
                                       backend_targets)}
