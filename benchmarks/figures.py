"""What every benchmark module measures with: a timed call, a figure judged against its target, peak memory.

The one home of :class:`Figure`, :func:`timed` and :func:`judge`: every topic module imports them from here
(never from :mod:`benchmarks.national`, which calls the topics).  A module keeps its own ``TARGETS`` (name ->
unit, comparison, target, what it measures) and turns a measured value into a :class:`Figure` with
:func:`judge`.  A backend may hold a figure to another target than the module's default (a PostgreSQL server
answers over a socket, from another process): ``backend_targets``, which :mod:`benchmarks.national` hands to
every topic.
"""
from __future__ import annotations

import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

#: name -> (unit, comparison "<=" / ">=" / "" for reported only, target, what it measures)
Targets = dict[str, tuple[str, str, float, str]]


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: float | None
    op: str
    ok: bool | None          # None: no target, reported only
    what: str
    runs: list[float] = field(default_factory=list)


def judge(targets: Targets, name: str, value: float, runs: list[float] | None = None,
          backend_targets: dict[str, float] | None = None, *, on: str | None = None) -> Figure:
    """`value` of figure `name` as a Figure, judged against its target (the backend's own where it has one) in
    the target's direction: "<=" at most, ">=" at least, "" reported only.  `on`: what it was measured on, added
    to the description (a scope's code)."""
    unit, op, target, what = targets[name]
    target = (backend_targets or {}).get(name, target)
    what = f"{what} ({on})" if on else what
    ok = None
    if op == "<=":
        ok = value <= target
    elif op == ">=":
        ok = value >= target
    return Figure(name, float(value), unit, target if op else None, op, ok, what, list(runs or []))


def timed(fn: Callable[[], object], runs: int, warm: bool = True) -> tuple[float, list[float], object]:
    """(median seconds, every run's seconds, last result) of `runs` calls of `fn`, after one warm-up call."""
    if warm:
        fn()
    times, out = [], None
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, out


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in kB, macOS in bytes)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def current_rss_mb() -> float:
    """Resident memory of this process now (Linux: /proc/self/status VmRSS); the peak where not available."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()
