"""Contract actions on the national store (issue 22): one end, one renewal and one appointment on a village of the
largest county, each through :func:`geo.records.run.perform` as the app's form and the CLI make it: one batch, the
jurisdiction and version checks, the audit row and the refresh of the derived tables before the commit (the
village's coverage and served spans and its county's counts: geo.store.derived.refresh_village_spans).  Each
action is rolled back after it is timed (not timed), so every run acts on the same store.

``contract_action_ms`` is the slowest of the three medians; each action's own median is reported beside it, and
the process's CPU time per action in the run's info (``contract_cpu_ms``).  ``python -m benchmarks.records
[--db postgresql://...]`` builds the national store alone (contracts and a year of service records, as the whole
benchmark does, but no geometry) and prints these figures only, much quicker.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from typing import Callable

from geo.auth.access import OPEN
from geo.core.codes import real_villages
from geo.demo import ANCHOR, SEED, SERVICES_SEED, generate_people_and_contracts
from geo.demo.services import service_months
from geo.imports import rollback
from geo.records.changes import Appoint, Change, End, NewAdviser, Renew
from geo.records.run import perform
from geo.sources.national import national_registry
from geo.store import Store, open_store

from .figures import Figure, Targets, judge
from .scratch import scratch_stores, server_url
from .services import write_services
from .write_path import largest_county

TARGETS: Targets = {
    "contract_action_ms": ("ms", "<=", 300, "slowest of one end, one renewal, one appointment on a village of the "
                                            "largest county (geo.records.perform, spans refreshed, audited)"),
    "contract_end_ms": ("ms", "", 0, "解聘: one contract ended early"),
    "contract_renew_ms": ("ms", "", 0, "续聘: one contract renewed for two years"),
    "contract_appoint_ms": ("ms", "", 0, "新聘: a new adviser appointed to one village"),
}
#: villages of the county looked at for one with a single contract in force (they are read one by one)
LOOK_AT = 200


def acted_village(store: Store, county: str, as_of: dt.date) -> tuple[str, dt.date]:
    """A real village of `county` with exactly one contract in force on `as_of` that has a printed end after it:
    the village and that end."""
    reg = store.registry_frame()
    codes = reg.loc[real_villages(reg) & reg["code"].str.startswith(county), "code"].sort_values()
    for code in codes.head(LOOK_AT):
        rows = store.village_contract_rows(code)
        current = rows[(rows["start_date"] <= as_of) & rows["end_date"].map(lambda e: e is not None and e > as_of)]
        if len(current) == 1 and len(rows[rows["end_date"].isna()]) == 0:
            return code, current["end_date"].iloc[0]
    raise RuntimeError(f"no village of {county} with one contract in force on {as_of}")


def _timed_and_undone(store: Store, change: Change) -> tuple[float, float]:
    """Milliseconds one perform() of `change` took, on the clock and in this process's CPU time (every thread's:
    on a machine shared with other work the clock says more about the others); its batch is rolled back
    afterwards (not timed)."""
    t0, c0 = time.perf_counter(), time.process_time()
    batch = perform(store, change, principal=OPEN).batch
    ms, cpu_ms = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
    rollback(store, batch)
    return ms, cpu_ms


def measure(store: Store, as_of: dt.date, runs: int, backend_targets: dict[str, float] | None = None,
            info: dict | None = None, log: Callable[[str], None] | None = None) -> dict[str, Figure]:
    """The contract-action figures on the national `store` (left as it was: every action is rolled back)."""
    log = log or (lambda msg: None)
    county = largest_county(store)
    village, end = acted_village(store, county, as_of)
    actions = {
        "contract_end_ms": lambda: End(village, None, as_of + dt.timedelta(days=1), "transfer"),
        "contract_renew_ms": lambda: Renew(village, None, end + dt.timedelta(days=730), today=as_of),
        "contract_appoint_ms": lambda: Appoint(village, NewAdviser("基准顾问", "13900000000", org="基准律师事务所"),
                                               end + dt.timedelta(days=1), None),
    }
    times: dict[str, list[float]] = {}
    cpu: dict[str, float] = {}
    for name, change in actions.items():
        _timed_and_undone(store, change())      # warm: the first write of a kind reads its tables cold
        both = [_timed_and_undone(store, change()) for _ in range(max(1, runs))]
        times[name] = [ms for ms, _ in both]
        cpu[name] = round(statistics.median(c for _, c in both), 1)
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    worst = max(medians, key=medians.get)
    if info is not None:
        info.update(contract_village=village, contract_worst=worst, contract_cpu_ms=cpu)
    log(f"contract actions on {village}: " + ", ".join(f"{k} {v:.0f}" for k, v in medians.items()))
    figs = {"contract_action_ms": judge(TARGETS, "contract_action_ms", medians[worst], times[worst],
                                        backend_targets, on=f"{worst}, {village}")}
    figs.update({name: judge(TARGETS, name, medians[name], times[name], backend_targets) for name in actions})
    return figs


def build(target: str, prefix: str = "") -> Store:
    """The national store as the whole benchmark builds it (the registry, generated advisers and contracts, a year
    of service records), without geometry: what these figures need."""
    registry = national_registry()
    if prefix:
        registry = registry[registry["code"].str.startswith(prefix)].reset_index(drop=True)
    store = open_store(target)
    advisers, assignments = generate_people_and_contracts(registry, prefix, seed=SEED, anchor=ANCHOR)
    with store.transaction() as cur:
        store.load_registry(registry, cur)
        batch = store.new_batch(cur, "assignments", file_name="national_demo", rows_read=len(assignments),
                                rows_accepted=len(assignments))
        store.add_advisers(cur, advisers.assign(batch_id=batch))
        store.add_assignments(cur, assignments.assign(batch_id=batch), skip_known=False)
    county = str(assignments["village"].floordiv(1_000_000).value_counts().idxmax())
    write_services(store, service_months(assignments, ANCHOR, SERVICES_SEED), county)
    store.checkpoint()
    return store


def main(argv: list[str] | None = None) -> int:
    """Build the national store (no geometry) and print these figures."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.records", description=__doc__.split("\n\n")[0])
    p.add_argument("--db", help="a PostgreSQL server: build and measure there (a scratch database) instead")
    p.add_argument("--scope", default="", help="division code prefix (default: the whole country)")
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args(argv)
    scratch = scratch_stores(server_url(args.db), tempfile.gettempdir())
    try:
        t0 = time.perf_counter()
        store = build(scratch.target(0), args.scope)
        print(f"{scratch.backend}: built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        info: dict = {"load_before": os.getloadavg()[0]}
        figs = measure(store, ANCHOR, args.runs, None, info, log=lambda msg: print(f"… {msg}", file=sys.stderr))
        store.close()
    finally:
        scratch.cleanup()
    for f in figs.values():
        target = f"{f.op} {f.target:g} {f.unit}" if f.op else "-"
        verdict = "PASS" if f.ok else ("MISS" if f.ok is False else "(report)")
        print(f"{f.name:<22} {f.value:>9.1f} {f.unit}  {target:>10}  {verdict}  runs "
              f"{', '.join(f'{x:.0f}' for x in f.runs)}; {f.what}")
    print(f"CPU time of this process (median ms): {info['contract_cpu_ms']}; load average {info['load_before']:.1f} "
          f"before, {os.getloadavg()[0]:.1f} after ({os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
