"""The assessment's figure on the national benchmark store (python -m geo bench; called from
benchmarks.national.run_bench once the year of service records is in): the 考核 of the whole country for the
last full quarter before the anchor, under the Anhui preset, from contracts and records to every adviser's and
village's row."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

from geo.assess.period import Period
from geo.assess.rules import load_rules
from geo.assess.sheet import assess
from geo.core.codes import Scope
from geo.demo import ANCHOR
from geo.store import Store, open_store

from .figures import Figure, Targets, current_rss_mb, judge, timed

#: name -> (unit, comparison, target, what it measures)
TARGETS: Targets = {
    "assess_national_quarter_s": ("s", "<=", 10, "考核 of the whole country for a quarter (anhui preset), warm"),
}
#: a server answers over a socket, from another process (the issue's target)
SERVER_TARGETS = {"assess_national_quarter_s": 20}


def last_full_quarter(as_of: dt.date) -> Period:
    """The last quarter that ended on or before `as_of`."""
    q = (as_of.month - 1) // 3 + 1
    end_of_q = Period("quarter", as_of.year, q).end
    if end_of_q <= as_of:
        return Period("quarter", as_of.year, q)
    return Period("quarter", as_of.year - (q == 1), 4 if q == 1 else q - 1)


@contextmanager
def rss_peak(every_s: float = 0.005) -> Iterator[list[float]]:
    """[MB before, MB at the highest] of this process's resident memory while the block runs, sampled by a
    thread (the run's own peak, ru_maxrss, cannot be reset and may come from an earlier step)."""
    seen = [current_rss_mb()] * 2
    done = threading.Event()

    def sample() -> None:
        while not done.wait(every_s):
            seen[1] = max(seen[1], current_rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield seen
    finally:
        done.set()
        sampler.join()
        seen[1] = max(seen[1], current_rss_mb())


def assess_figures(store: Store, as_of: dt.date, runs: int, log: Callable[[str], None] = print,
                   backend_targets: dict[str, float] | None = None) -> dict[str, Figure]:
    period, rules = last_full_quarter(as_of), load_rules("anhui")
    if store.backend == "postgresql":
        backend_targets = {**(backend_targets or {}), **SERVER_TARGETS}
    cpu: list[float] = []

    def once() -> tuple[int, int]:
        c0 = time.process_time()
        out = assess(store, Scope(""), period, rules)
        cpu.append(time.process_time() - c0)
        # the counts only: the timing loop holds what a run returns while the next one runs, and two national
        # assessments at once are not what the app or the CLI ever holds
        return len(out.advisers), len(out.villages)

    with rss_peak() as memory:
        med, times, (advisers, villages) = timed(once, max(1, min(runs, 3)))
    log(f"assess_national_quarter_s {med:.2f} ({period.code}: {advisers:,} advisers, {villages:,} villages; "
        f"CPU of this process {statistics.median(cpu[1:]):.2f} s; memory of this process {memory[0]:,.0f} MB "
        f"before, {memory[1]:,.0f} MB at the highest ({memory[1] - memory[0]:+,.0f}); "
        f"load average {os.getloadavg()[0]:.1f})")
    return {"assess_national_quarter_s": judge(TARGETS, "assess_national_quarter_s", med, times, backend_targets,
                                               on=period.code)}


def main(argv: list[str] | None = None) -> int:
    """This figure alone on a national store built before (benchmarks.records' store: contracts and a year of
    service records), read only; ``python -m benchmarks.assess --store /tmp/national.duckdb`` or a PostgreSQL
    URL."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.assess", description=main.__doc__.split("\n\n")[0])
    p.add_argument("--store", required=True, help="a national DuckDB file or PostgreSQL URL")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args(argv)
    postgres = args.store.startswith("postgresql")
    store = open_store(args.store) if postgres else open_store(args.store, read_only=True)
    figs = assess_figures(store, ANCHOR, args.runs, log=lambda msg: print(f"… {msg}", file=sys.stderr))
    store.close()
    for f in figs.values():
        verdict = "PASS" if f.ok else "MISS"
        print(f"{f.name} {f.value:.2f} {f.unit} (target {f.op} {f.target:g}) {verdict}; runs "
              f"{', '.join(f'{x:.2f}' for x in f.runs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
