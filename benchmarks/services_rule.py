"""Benchmark figures of the effective-service rule (issue 12): the national summary with served / nominal.

Called by :func:`benchmarks.national.run_bench` on its national store.  Where the store holds no service records
yet (another benchmark may have imported a year of them), a simple year is generated here, vectorised: every
contract current on the date gets a Poisson number of records over the year before it, most on site, a fifth of
the villages served on paper only (by phone, or not in the last quarter).
"""
from __future__ import annotations

import datetime as dt
import time
from typing import Callable

import numpy as np
import pandas as pd

from geo.core.codes import Scope
from geo.store import Store

from .figures import Figure, Targets, judge, timed

#: name -> (unit, comparison, target, what it measures), as benchmarks.national.TARGETS
TARGETS: Targets = {
    "summary_served_national_ms": ("ms", "<=", 75, "national summary by province with served / nominal, warm"),
}

#: records per current contract and year (about 5 million nationally)
RECORDS_PER_CONTRACT = 8
#: rows per add_services call: the frames of one call stay small beside the national store
CHUNK = 1_000_000


def year_of_records(current: pd.DataFrame, as_of: dt.date, rng: np.random.Generator) -> pd.DataFrame:
    """A year of service records up to `as_of` for the `current` contracts (adviser_id, village), vectorised."""
    n = rng.poisson(RECORDS_PER_CONTRACT, len(current))
    rows = current.loc[current.index.repeat(n)].reset_index(drop=True)
    k = len(rows)
    age = rng.integers(0, 365, k)
    paper = rows["village"].to_numpy() % 5 == 0                            # the same villages every run
    onsite = rng.random(k) < 0.8
    # paper villages: by phone in the last quarter, on site only before it
    mode = np.where(onsite & ~(paper & (age < 90)), "onsite", "remote")
    return pd.DataFrame({
        "village": rows["village"].to_numpy(), "adviser_id": rows["adviser_id"].to_numpy(),
        "service_date": pd.Timestamp(as_of) - pd.to_timedelta(age, unit="D"),
        "mode": pd.Categorical(mode), "category": None,
        "hours": rng.choice(np.array([1.0, 2.0, 3.0, 4.0]), k), "people": 1, "content": None, "batch_id": None})


def write_records(store: Store, as_of: dt.date, seed: int = 12) -> int:
    """Generate and write a year of records for the contracts current on `as_of`, a slice of contracts at a
    time (the frames of one slice stay small beside the national store); returns how many."""
    rng = np.random.default_rng(seed)
    current = store.query("""SELECT adviser_id, village FROM assignments
                             WHERE start_date <= $d AND (end_date IS NULL OR end_date >= $d)""", {"d": as_of})
    step = CHUNK // RECORDS_PER_CONTRACT
    written = 0
    with store.transaction() as cur:
        batch = store.new_batch(cur, "services", "bench_services")
        for start in range(0, len(current), step):
            records = year_of_records(current.iloc[start:start + step].reset_index(drop=True), as_of, rng)
            written += store.add_services(cur, records.assign(batch_id=batch))
        store.set_batch_rows(cur, batch, written, written)
    return written


def served_figures(store: Store, as_of: dt.date, runs: int, log: Callable[[str], None] | None = None,
                   backend_targets: dict[str, float] | None = None) -> dict[str, Figure]:
    """The figures of :data:`TARGETS` on the national store (Figures, by name) and what they were measured on."""
    log = log or (lambda msg: None)
    figs: dict[str, Figure] = {}
    have = int(store.scalar("SELECT count(*) FROM services") or 0)
    if not have:        # the national run's services topic writes a year first (services_import_s); alone, write one
        t0 = time.perf_counter()
        have = write_records(store, as_of)
        log(f"{have:,} service records generated and written in {time.perf_counter() - t0:.1f} s")
    med, ts, summary = timed(lambda: store.summary(Scope(""), as_of, by="province"), runs)
    figs["summary_served_national_ms"] = judge(TARGETS, "summary_served_national_ms", med * 1000,
                                               [t * 1000 for t in ts], backend_targets)
    log(f"summary_served_national_ms {med * 1000:.1f} (served {int(summary['served'].sum()):,}, "
        f"nominal {int(summary['nominal'].sum()):,}, {have:,} records)")
    return {k: figs[k] for k in TARGETS if k in figs}
