"""The briefing's figures on the national benchmark store: the PDF of the largest province and of the largest
county (python -m geo bench; called from benchmarks.national.run_bench)."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from geo.briefing import build_report
from geo.core.codes import Scope
from geo.store import Store

from .figures import Figure, Targets, judge, timed

#: name -> (unit, comparison, target, what it measures)
TARGETS: Targets = {
    "report_province_s": ("s", "<=", 5, "the briefing PDF of the province with the most villages"),
    "report_county_s": ("s", "<=", 5, "the briefing PDF of the county with the most villages"),
}


def _largest(store: Store, scope: Scope, as_of: dt.date, level: str) -> Scope:
    """The unit at `level` with the most villages; only a unit the registry names (a run on a city's prefix
    holds its villages without the province's own row)."""
    units = store.summary(scope, as_of, by=level)
    units = units[[store.division(code) is not None for code in units["code"]]]
    if units.empty:          # a run on a city's prefix has no province row: the report of everything there is
        return scope
    return Scope.parse(units.sort_values(["villages", "code"], ascending=[False, True])["code"].iloc[0])


def briefing_figures(store: Store, as_of: dt.date, runs: int, log: Callable[[str], None] = print,
                     backend_targets: dict[str, float] | None = None) -> dict[str, Figure]:
    """report_province_s and report_county_s as Figures (median of up to 3 warm runs)."""
    province = _largest(store, Scope(""), as_of, "province")
    county = _largest(store, province, as_of, "county")
    figures = {}
    for name, scope in (("report_province_s", province), ("report_county_s", county)):
        med, times, data = timed(lambda scope=scope: build_report(store, scope, as_of, "pdf"), max(1, min(runs, 3)))
        figures[name] = judge(TARGETS, name, med, times, backend_targets, on=scope.code)
        log(f"{name} {med:.2f} ({scope.code}, {len(data) / 1e6:.1f} MB)")
    return figures
