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

from .figures import Figure, Targets, judge, timed

#: name -> (unit, comparison, target, what it measures), as benchmarks.national.TARGETS
TARGETS: Targets = {
    "advisers_national_s": ("s", "<=", 1, "national adviser register (loads, villages, townships, flags), warm"),
}


def figures(store: Store, as_of: dt.date, runs: int, log: Callable[[str], None] | None = None,
            backend_targets: dict[str, float] | None = None) -> dict[str, Figure]:
    """The adviser figures measured on `store` on `as_of`: name -> Figure."""
    med, times, reg = timed(lambda: advisers.register(store, Scope(""), as_of), runs)
    if log:
        log(f"advisers_national_s {med:.2f} ({len(reg.frame)} advisers, {reg.counts['over_cap']} over the cap)")
    return {"advisers_national_s": judge(TARGETS, "advisers_national_s", med, times, backend_targets)}
