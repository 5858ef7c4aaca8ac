"""The gap plan's figures in the national benchmark: the plan of the largest province and of the largest county.

Called from :func:`benchmarks.national.run_bench` on its national store; each figure is the median of `runs`
plans after a warm-up, the whole :func:`geo.planning.plan_gaps` (store read, locations, candidates, solver).
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

from geo.core.codes import Scope
from geo.planning import plan_gaps
from geo.store import Store

from .figures import Figure, Targets, judge, timed

#: name -> (unit, comparison, target, what it measures), as benchmarks.national.TARGETS
TARGETS: Targets = {
    "plan_province_s": ("s", "<=", 20, "gap plan of the largest province (cap 5, no distance limit)"),
    "plan_county_s": ("s", "<=", 1, "gap plan of the largest county (cap 5, no distance limit)"),
}


def _largest(store: Store, as_of: dt.date, by: str) -> str:
    """The unit at level `by` with the most villages in the country."""
    units = store.summary(Scope(""), as_of, by=by)
    return str(units.sort_values(["villages", "code"], ascending=[False, True])["code"].iloc[0])


def figures(store: Store, as_of: dt.date, runs: int, log: Callable[[str], None],
            backend_targets: dict[str, float] | None = None) -> tuple[dict[str, Figure], dict]:
    """(figures by name, info) of the gap plans on the national `store`."""
    figs, info = {}, {}
    for name, by in (("plan_province_s", "province"), ("plan_county_s", "county")):
        code = _largest(store, as_of, by)
        med, times, plan = timed(lambda code=code: plan_gaps(store, Scope.parse(code), as_of), runs)
        figs[name] = judge(TARGETS, name, med, times, backend_targets)
        info[name.removesuffix("_s")] = {"scope": code, "uncovered": plan.summary.uncovered,
                                         "assigned": plan.summary.assigned}
        log(f"{name} {med:.2f} ({code}: {plan.summary.uncovered} uncovered, {plan.summary.assigned} placed)")
    return figs, info
