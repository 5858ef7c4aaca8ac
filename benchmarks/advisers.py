"""Adviser figures of the national benchmark (issue 11): the register of the whole country, warm.

``python -m geo bench`` calls :func:`figures` with the national store that :func:`benchmarks.national.run_bench`
built (about 200,000 advisers and 730,000 contracts); the register is the library's call the page and the CLI
make, flags and all.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

from geo.core.codes import Scope
from geo.store import Store
from geo.views import advisers

#: name -> (unit, comparison, target, what it measures), as benchmarks.national.TARGETS
TARGETS: dict[str, tuple[str, str, float, str]] = {
    "advisers_national_s": ("s", "<=", 2, "national adviser register (loads, villages, townships, flags), warm"),
}


def _judged(name: str, value: float, runs: list[float]):
    from benchmarks.national import Figure

    unit, op, target, what = TARGETS[name]
    ok = value <= target if op == "<=" else value >= target if op == ">=" else None
    return Figure(name, float(value), unit, target if op else None, op, ok, what, list(runs))


def figures(store: Store, as_of: dt.date, runs: int, log: Callable[[str], None] | None = None) -> dict:
    """The adviser figures measured on `store` on `as_of`: name -> benchmarks.national.Figure."""
    from benchmarks.national import timed

    med, times, reg = timed(lambda: advisers.register(store, Scope(""), as_of), runs)
    if log:
        log(f"advisers_national_s {med:.2f} ({len(reg.frame)} advisers, {reg.counts['over_cap']} over the cap)")
    return {"advisers_national_s": _judged("advisers_national_s", med, times)}
