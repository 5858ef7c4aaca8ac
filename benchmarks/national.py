"""National-scale benchmark: ``python -m geo bench [--json] [--runs N] [--scope PREFIX] [--db postgresql://...]``.

With ``--db`` the same benchmark runs on DuckDB and then on that PostgreSQL server, each in a process of its
own and in scratch stores (:mod:`benchmarks.scratch`), and each figure is printed with both values side by side.

Builds a synthetic national dataset in a temporary store (the real registry, generated advisers and contracts
from :mod:`geo.demo`, schematic village cells for a few dozen counties) and times what a user waits
for: imports, the national and county summaries, a province's gap list and the largest map.  Every figure is
the median of several runs and is printed with its target; missing a target does not fail the command (it is
a report).

``pandas_ratio`` compares the store's national summary with the same figures computed the way a plain pandas
script would (merge and groupby on code strings): :func:`geo.testing.pandas_summary`, also the independent check
that the store counts right (tests/test_bench.py compares the two exactly).
"""
from __future__ import annotations

import datetime as dt
import gc
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

import duckdb
import numpy as np
import pandas as pd

from geo.core.codes import Scope
from geo.core.coverage import GAP_STATUSES
from geo.demo import ANCHOR, SEED, generate_people_and_contracts
from geo.demo.geometry import schematic_cells
from geo.imports.registry import store_outline_tiers
from geo.outputs.folium_map import map_html
from geo.outputs.outlines import county_outlines, village_display
from geo.sources.national import national_registry, villages
from geo.store import Store, open_store
from geo.store.geometry import replace_village_geoms
from geo.testing import pandas_summary, summaries_equal
from geo.views.map_view import build_folium_map, map_view

from . import advisers as adviser_bench
from . import assess as assess_bench
from . import briefing, planning, services, services_rule, write_path
from . import public as public_bench
from . import records as record_bench
from . import snapshot as snapshot_bench
from .figures import Figure, Targets, current_rss_mb, judge, peak_rss_mb, timed
from .scratch import ScratchStores, scratch_stores, server_url

#: the benchmark modules of single topics whose figures a national run adds, in the order they are printed
TOPICS = (adviser_bench, planning, services, services_rule, briefing, write_path, record_bench, snapshot_bench,
          assess_bench,
          public_bench)

#: name -> (unit, comparison, target, what it measures); the targets of the embedded store (DuckDB)
TARGETS: Targets = {
    "registry_import_s": ("s", "<=", 15, "read the registry file, write divisions and parents"),
    "assignments_import_s": ("s", "", 0, "insert advisers and assignments"),
    "summary_national_ms": ("ms", "<=", 50, "national summary by province, warm, before any service record"),
    "summary_county_ms": ("ms", "", 0, "largest county by township, warm"),
    "gaps_province_ms": ("ms", "<=", 200, "gap list (lapsed/expiring/never) of the largest province"),
    "map_html_bytes_max": ("bytes", "<=", 2_000_000, "largest map HTML of national/province/county/township"),
    "map_build_ms_max": ("ms", "", 0, "slowest map: view + folium + HTML"),
    "rss_mb": ("MB", "<=", 1500, "peak resident memory of the process"),
    "pandas_ratio": ("x", ">=", 20, "plain pandas national summary time / store time"),
}
#: issue 25's table: figure -> (DuckDB target, PostgreSQL target), whichever module measures the figure.  These
#: figures head the report, in this order, each judged against its store's target
ISSUE_TARGETS: dict[str, tuple[float, float]] = {
    "summary_national_ms": (50, 150),
    "summary_served_national_ms": (75, 150),
    "pandas_ratio": (20, 10),
    "gaps_province_ms": (200, 500),
    "advisers_national_s": (1, 2),
    "services_import_s": (30, 60),
    "report_province_s": (5, 15),
    "rss_mb": (1500, 1500),
}
#: a backend's own targets where they differ from a module's (a server answers over a socket, from another
#: process): issue 25's per-store targets, and the registry import's on the server
BACKEND_TARGETS: dict[str, dict[str, float]] = {
    "duckdb": {name: duck for name, (duck, _) in ISSUE_TARGETS.items()},
    "postgresql": {"registry_import_s": 60, **{name: pg for name, (_, pg) in ISSUE_TARGETS.items()}},
}
#: the order of the side-by-side report: the server first, the embedded store from the same run beside it
SIDE_BY_SIDE = ("postgresql", "duckdb")
BACKEND_LABELS = {"postgresql": "PostgreSQL", "duckdb": "DuckDB"}

#: schematic counties in the national run (the country has 2,977 counties with villages)
DEFAULT_GEOMETRY_COUNTIES = 30


@dataclass
class BenchResult:
    figures: dict[str, Figure]
    info: dict
    #: with ``run_bench(keep=True)``: the open store, its scratch stores and the frames behind the figures
    kept: dict = field(default_factory=dict)

    @property
    def missed(self) -> list[str]:
        return [f.name for f in self.figures.values() if f.ok is False]

    def to_json(self) -> dict:
        return {"figures": {k: {"value": f.value, "unit": f.unit, "target": f.target, "op": f.op or None,
                                "pass": f.ok, "what": f.what, "runs": f.runs}
                            for k, f in self.figures.items()},
                "missed": self.missed, "info": self.info}


def _figure(name: str, value: float, runs: list[float] | None = None, backend: str = "duckdb") -> Figure:
    return judge(TARGETS, name, value, runs, BACKEND_TARGETS[backend])


# -- building the dataset ----------------------------------------------------------------------------------
def read_registry(prefix: str = "") -> pd.DataFrame:
    """The shipped registry read from its file (not the cached copy), cut to `prefix`."""
    reg = national_registry.__wrapped__()
    if prefix:
        reg = reg[reg["code"].str.startswith(prefix)].reset_index(drop=True)
    return reg


def import_registry(target: str | Path, prefix: str = "") -> tuple[Store, pd.DataFrame]:
    """A new store at `target` holding the registry: the step timed as registry_import_s."""
    reg = read_registry(prefix)
    store = open_store(target)
    with store.transaction() as cur:
        batch = store.new_batch(cur, "registry", file_name="registry_national.parquet", rows_read=len(reg))
        store.load_registry(reg, cur, batch_id=batch)
    return store, reg


def import_people(store: Store, advisers: pd.DataFrame, assignments: pd.DataFrame) -> None:
    """Insert advisers and assignments in one transaction (what an import commits): assignments_import_s."""
    with store.transaction() as cur:
        batch = store.new_batch(cur, "assignments", file_name="national_demo", rows_read=len(assignments),
                                rows_accepted=len(assignments))
        store.add_advisers(cur, advisers.assign(batch_id=batch))
        store.add_assignments(cur, assignments.assign(batch_id=batch), skip_known=False)


def pick_geometry_counties(registry: pd.DataFrame, n: int) -> list[str]:
    """`n` counties with an outline and villages, spread over the provinces (round robin, in code order)."""
    have = set(county_outlines()["code"].str[:6])
    vil = villages(registry)
    counts = vil.groupby(vil["code"].str[:6]).size()
    counties = sorted(c for c in counts.index if c in have)
    by_prov: dict[str, list[str]] = {}
    for c in counties:
        by_prov.setdefault(c[:2], []).append(c)
    picked: list[str] = []
    k = 0
    while len(picked) < n and any(k < len(v) for v in by_prov.values()):
        for prov in sorted(by_prov):
            # take counties from the middle of each province's list first: fewer city districts
            lst = by_prov[prov]
            if k < len(lst) and len(picked) < n:
                picked.append(lst[(len(lst) // 2 + k) % len(lst)])
        k += 1
    return picked


def add_geometry(store: Store, registry: pd.DataFrame, counties: list[str], seed: int = SEED) -> int:
    """Outline tiers for the whole country and schematic village cells for `counties`; cells written."""
    outlines = county_outlines().set_index("code")
    written = 0
    with store.transaction() as cur:
        store_outline_tiers(store, cur)
        for i, county in enumerate(counties):
            vil = villages(registry, county)["code"].tolist()
            cells = schematic_cells(outlines.loc[county.ljust(12, "0"), "geometry"], vil, seed + 1000 * i)
            cells = cells[~cells["geometry"].map(lambda g: g.is_empty)]
            written += replace_village_geoms(store, cur, cells, None, schematic=True)
            store.refresh_village_display(cur, county, village_display)
    return written


def _largest(codes: pd.Series, digits: int, within: str = "") -> str:
    sel = codes[codes.str.startswith(within)] if within else codes
    return str(sel.str[:digits].value_counts().sort_index().idxmax())


def map_once(store: Store, scope: Scope, as_of: dt.date) -> int:
    """Bytes of the map HTML of `scope` as the app builds it (Leaflet served, not inlined)."""
    view = map_view(store, scope, as_of)
    return len(map_html(build_folium_map(store, view, inline=False)).encode())


def build_store(target: str | Path, geometry_counties: int = DEFAULT_GEOMETRY_COUNTIES,
                as_of: dt.date = ANCHOR) -> dict:
    """The benchmark's national store at `target`, as :func:`run_bench` builds it (the registry, generated
    advisers and contracts, outlines and schematic cells for `geometry_counties` counties), for ``python -m geo
    bench --app --national`` to serve; returns its counts."""
    store, registry = import_registry(target, "")
    try:
        advisers, assignments = generate_people_and_contracts(registry, "", seed=SEED, anchor=as_of)
        import_people(store, advisers, assignments)
        if geometry_counties:
            add_geometry(store, registry, pick_geometry_counties(registry, geometry_counties))
    finally:
        store.close()
    return {"advisers": int(len(advisers)), "assignments": int(len(assignments))}


# -- the benchmark -----------------------------------------------------------------------------------------
def run_bench(prefix: str = "", runs: int = 5, geometry_counties: int = DEFAULT_GEOMETRY_COUNTIES,
              as_of: dt.date = ANCHOR, workdir: str | Path | None = None,
              log: Callable[[str], None] | None = None, keep: bool = False,
              server: str | None = None) -> BenchResult:
    """Build the dataset under `prefix` ("" = the whole country) in a temporary store and measure.

    `server`: a PostgreSQL URL; the stores are then scratch databases the bench creates there and drops (else
    DuckDB files in a temporary folder).  `keep`: leave the store open in ``result.kept`` (tests use it);
    otherwise the scratch stores are removed.
    """
    log = log or (lambda msg: None)
    scratch = scratch_stores(server, workdir)
    figs: dict[str, Figure] = {}
    info: dict = {"prefix": prefix or "全国", "as_of": as_of.isoformat(), "runs": runs, "backend": scratch.backend,
                  "where": scratch.where, "load_before": _load()}
    t_all = time.perf_counter()
    try:
        result = _measure(scratch, figs, info, prefix, runs, geometry_counties, as_of, log, keep)
    except BaseException:
        scratch.cleanup()
        raise
    info["total_s"] = round(time.perf_counter() - t_all, 1)
    if keep:
        result.kept["scratch"] = scratch
    else:
        result.kept["store"].close()
        result.kept.clear()
        scratch.cleanup()
    return result


def _measure(scratch: ScratchStores, figs: dict[str, Figure], info: dict, prefix: str, runs: int,
             geometry_counties: int, as_of: dt.date, log: Callable[[str], None], keep: bool = False) -> BenchResult:

    figure = partial(_figure, backend=scratch.backend)
    targets: list[str] = []
    # the process's memory after each step (now, peak so far): where rss_mb's peak is reached
    info["rss_steps"] = rss_steps = {}

    def mark(step: str) -> None:
        rss_steps[step] = (round(current_rss_mb()), round(peak_rss_mb()))

    # registry import, each run into a new file; the last store is kept for the rest
    times, store, registry = [], None, None
    for k in range(max(1, runs)):
        if store is not None:
            store.close()
        targets.append(scratch.target(k))
        t0 = time.perf_counter()
        store, registry = import_registry(targets[k], prefix)
        times.append(time.perf_counter() - t0)
    figs["registry_import_s"] = figure("registry_import_s", statistics.median(times), times)
    log(f"registry_import_s {statistics.median(times):.2f}")
    mark("registry")

    t0 = time.perf_counter()
    advisers, assignments = generate_people_and_contracts(registry, prefix, seed=SEED, anchor=as_of)
    info["generate_s"] = round(time.perf_counter() - t0, 2)
    vil_codes = villages(registry)["code"]
    info.update(villages=int(len(vil_codes)), advisers=int(len(advisers)), assignments=int(len(assignments)))
    log(f"generated {len(advisers)} advisers, {len(assignments)} assignments in {info['generate_s']} s")

    # earlier runs into the stores the earlier registry runs left (same registry, no people yet), the last into
    # the bench store: deleting and re-inserting would leave deleted rows behind that every later query scans
    times = []
    for k in range(max(1, runs)):
        last = k == max(1, runs) - 1
        target = store if last else open_store(targets[k])
        t0 = time.perf_counter()
        import_people(target, advisers, assignments)
        times.append(time.perf_counter() - t0)
        if not last:
            target.close()
            scratch.discard(k)
    figs["assignments_import_s"] = figure("assignments_import_s", statistics.median(times), times)
    log(f"assignments_import_s {statistics.median(times):.2f}")
    del advisers           # stored: the frames a step no longer needs are let go (rss_mb is the run's peak)
    mark("people")

    t0 = time.perf_counter()
    # geometry_counties=0: no geometry at all, not even the outlines (a quick run; the maps are then empty)
    counties = pick_geometry_counties(registry, geometry_counties) if geometry_counties else []
    cells = add_geometry(store, registry, counties) if geometry_counties else 0
    info.update(geometry_counties=len(counties), schematic_villages=cells,
                geometry_s=round(time.perf_counter() - t0, 2))
    log(f"geometry: {len(counties)} counties, {cells} cells in {info['geometry_s']} s")
    store.checkpoint()
    mark("geometry")

    # the national summary, warm, before any service record: the coverage figures alone (issue 25's
    # summary_national_ms; the summary once a year of records exists is summary_served_national_ms, below)
    national = Scope("")
    med, ts, summary = timed(lambda: store.summary(national, as_of, by="province"), runs)
    figs["summary_national_ms"] = figure("summary_national_ms", med * 1000, [t * 1000 for t in ts])
    log(f"summary_national_ms {med * 1000:.1f}")

    # the same summary in plain pandas, on object-dtype code strings as a typical script holds them
    asg_str = assignments[["village", "start_date", "end_date"]].assign(
        village=assignments["village"].astype(str).astype(object))
    pmed, pts, reference = timed(partial(pandas_summary, registry, asg_str, as_of, 1), runs, warm=False)
    figs["pandas_ratio"] = figure("pandas_ratio", pmed / med, [])
    info["pandas_summary_ms"] = round(pmed * 1000, 1)
    info["pandas_equal"] = summaries_equal(summary, reference)
    log(f"pandas {pmed * 1000:.0f} ms, equal={info['pandas_equal']}")
    # the tests look at these frames (keep); otherwise the rest of the run needs none of them
    kept = {"registry": registry, "assignments": asg_str, "summary": summary, "reference": reference} if keep else {}
    del registry, asg_str, reference
    gc.collect()
    mark("summary and pandas")

    with tempfile.TemporaryDirectory(prefix="geo-bench-services-") as folder:
        figs.update(services.bench(store, assignments, as_of, Path(folder), runs=runs, log=log, info=info,
                                   backend_targets=BACKEND_TARGETS[scratch.backend]))
    store.checkpoint()
    del assignments
    gc.collect()
    mark("services")

    county = _largest(vil_codes, 6)
    med, ts, _ = timed(lambda: store.summary(Scope(county), as_of, by="township"), runs)
    figs["summary_county_ms"] = figure("summary_county_ms", med * 1000, [t * 1000 for t in ts])
    info["summary_county"] = county

    province = _largest(vil_codes, 2)
    gaps = [s.value for s in GAP_STATUSES]
    med, ts, gap_rows = timed(lambda: store.village_statuses(Scope(province), as_of, statuses=gaps), runs)
    figs["gaps_province_ms"] = figure("gaps_province_ms", med * 1000, [t * 1000 for t in ts])
    info.update(gaps_province=province, gaps_rows=int(len(gap_rows)))
    log(f"gaps_province_ms {med * 1000:.0f} ({len(gap_rows)} rows)")

    # maps: the country, the largest province, the county with the most drawn villages and its largest township
    geo_codes = vil_codes[vil_codes.str[:6].isin(counties)]
    map_county = _largest(geo_codes, 6) if len(geo_codes) else county
    scopes = {"national": national, "province": Scope(province), "county": Scope(map_county),
              "township": Scope(_largest(vil_codes, 9, map_county))}
    maps = {}
    for label, scope in scopes.items():
        m, ts, size = timed(lambda scope=scope: map_once(store, scope, as_of), max(1, min(runs, 3)))
        maps[label] = {"scope": scope.code, "bytes": int(size), "ms": round(m * 1000, 1)}
    info["maps"] = maps
    figs["map_html_bytes_max"] = figure("map_html_bytes_max", max(v["bytes"] for v in maps.values()))
    figs["map_build_ms_max"] = figure("map_build_ms_max", max(v["ms"] for v in maps.values()))
    log(f"maps {maps}")
    del vil_codes, geo_codes, gap_rows        # 620,000 code strings and a province's gap list: not needed after
    gc.collect()

    backend_targets = BACKEND_TARGETS[scratch.backend]
    mark("queries and maps")
    topics = (("planning", lambda: _with_info(info, planning.figures(store, as_of, runs, log, backend_targets))),
              ("advisers", lambda: adviser_bench.figures(store, as_of, runs, log, backend_targets)),
              ("services_rule", lambda: services_rule.served_figures(store, as_of, runs, log, backend_targets)),
              ("assess", lambda: assess_bench.assess_figures(store, as_of, runs, log, backend_targets)),
              ("briefing", lambda: briefing.briefing_figures(store, as_of, runs, log, backend_targets)),
              ("write_path", lambda: write_path.measure(store, as_of, runs, backend_targets, info, log)),
              ("records", lambda: record_bench.measure(store, as_of, runs, backend_targets, info, log)),
              ("snapshot", lambda: snapshot_bench.measure(store, as_of, runs, backend_targets, info, log)),
              ("public", lambda: public_bench.public_figures(store, as_of, runs, log, backend_targets)))
    for step, measure in topics:
        figs.update(measure())
        mark(step)
    log(f"memory after each step (now, peak) MB: {rss_steps}")

    figs["rss_mb"] = figure("rss_mb", peak_rss_mb())
    info["load_after"] = _load()
    info.update(machine_info())
    return BenchResult({k: figs[k] for k in figure_names() if k in figs}, info,
                       kept={"store": store, **kept})


def figure_names() -> list[str]:
    """Every figure of a run in the order printed: issue 25's table first, then this module's others, then each
    topic module's (TOPICS)."""
    return list(dict.fromkeys([*ISSUE_TARGETS, *TARGETS, *(name for topic in TOPICS for name in topic.TARGETS)]))


def _with_info(info: dict, figures_and_info: tuple[dict, dict]) -> dict:
    """The figures of a topic's benchmark module, its info merged into the run's."""
    figs, extra = figures_and_info
    info.update(extra)
    return figs


def _load() -> float | None:
    """1-minute load average: other work on the machine slows every figure down."""
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):
        return None


def machine_info() -> dict:

    mem = None
    try:
        mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    except (ValueError, OSError, AttributeError):
        pass
    return {"cores": os.cpu_count(), "memory_gb": mem, "python": platform.python_version(),
            "duckdb": duckdb.__version__, "pandas": pd.__version__, "numpy": np.__version__,
            "platform": platform.platform()}


def _fmt(value: float, unit: str) -> str:
    if unit == "bytes":
        return f"{value:,.0f}"
    if unit == "x":
        return f"{value:.1f}x"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:,.1f} {unit}"


def format_table(result: BenchResult) -> str:
    """The human-readable report: one line per figure with its target and PASS / MISS."""
    i = result.info
    lines = [f"村居法律顾问覆盖图 benchmark · {i['prefix']} · {i.get('villages', 0):,} villages, "
             f"{i.get('advisers', 0):,} advisers, {i.get('assignments', 0):,} assignments, "
             f"{i.get('geometry_counties', 0)} counties with {i.get('schematic_villages', 0):,} schematic cells",
             f"machine: {i['cores']} cores, {i['memory_gb']} GB, Python {i['python']}, duckdb {i['duckdb']}, "
             f"pandas {i['pandas']}; median of {i['runs']} runs, as of {i['as_of']}; "
             f"load average {i.get('load_before')} before, {i.get('load_after')} after", ""]
    w = max(len(k) for k in result.figures)
    lines.append(f"{'figure':<{w}}  {'value':>14}  {'target':>14}  result")
    for f in result.figures.values():
        target = f"{f.op} {_fmt(f.target, f.unit)}" if f.op else "-"
        verdict = "PASS" if f.ok else ("MISS  <--" if f.ok is False else "(report)")
        lines.append(f"{f.name:<{w}}  {_fmt(f.value, f.unit):>14}  {target:>14}  {verdict}")
    lines.append("")
    for label, m in i.get("maps", {}).items():
        lines.append(f"  map {label:<9} {m['scope']}  {m['bytes']:>10,} bytes  {m['ms']:>8.1f} ms")
    lines.append(f"  pandas national summary {i.get('pandas_summary_ms')} ms; identical to the store's: "
                 f"{i.get('pandas_equal')}")
    lines.append(f"  setup: generate {i.get('generate_s')} s, geometry {i.get('geometry_s')} s, "
                 f"whole run {i.get('total_s')} s")
    lines.append(f"  {_memory_steps(i)}")
    lines.append("")
    missed = result.missed
    lines.append("all targets met / 全部达标" if not missed else
                 f"targets missed / 未达标: {', '.join(missed)}")
    return "\n".join(lines)


def _memory_steps(info: dict) -> str:
    """Where the process's memory went: MB now / peak so far after each step of the run."""
    steps = info.get("rss_steps") or {}
    return "memory after each step, MB now/peak: " + ", ".join(f"{k} {now:,}/{peak:,}"
                                                                 for k, (now, peak) in steps.items())


def _verdict(f: Figure) -> str:
    return "PASS" if f.ok else ("MISS  <--" if f.ok is False else "(report)")


def _target(f: Figure) -> str:
    return f"{f.op} {_fmt(f.target, f.unit)}" if f.op else "-"


def format_side_by_side(results: dict[str, BenchResult]) -> str:
    """The report of one run on several backends: each figure on one line, the server's value first and the
    embedded store's from the same run beside it, each with its own target."""
    order = [b for b in SIDE_BY_SIDE if b in results]
    first = results[order[0]].info
    known = {name: k for k, name in enumerate(figure_names())}
    names = sorted(dict.fromkeys(name for b in order for name in results[b].figures),
                   key=lambda name: known.get(name, len(known)))
    w = max(len(n) for n in names)
    lines = [f"村居法律顾问覆盖图 benchmark · {first['prefix']} · {first.get('villages', 0):,} villages, "
             f"{first.get('advisers', 0):,} advisers, {first.get('assignments', 0):,} assignments; "
             f"median of {first['runs']} runs, as of {first['as_of']}",
             f"machine: {first['cores']} cores, {first['memory_gb']} GB, Python {first['python']}, "
             f"duckdb {first['duckdb']}, pandas {first['pandas']}"]
    lines += [f"{BACKEND_LABELS[b]}: {results[b].info['where']}; load average {results[b].info.get('load_before')}"
              f" before, {results[b].info.get('load_after')} after, whole run {results[b].info.get('total_s')} s"
              for b in order]
    head = "  ".join(f"{BACKEND_LABELS[b]:>14}  {'target':>13}  {'result':<9}" for b in order)
    lines += ["", f"{'figure':<{w}}  {head}"]
    for name in names:
        if name not in ISSUE_TARGETS and names.index(name) and names[names.index(name) - 1] in ISSUE_TARGETS:
            lines.append(f"{'(issue 25 above; the other topics below)':<{w}}")
        cells = []
        for b in order:
            f = results[b].figures.get(name)
            cells.append(f"{_fmt(f.value, f.unit):>14}  {_target(f):>13}  {_verdict(f):<9}" if f else
                         f"{'-':>14}  {'':>13}  {'':<9}")
        lines.append(f"{name:<{w}}  {'  '.join(cells)}".rstrip())
    lines.append("")
    for b in order:
        i = results[b].info
        lines.append(f"  {BACKEND_LABELS[b]}: ledger of county {i.get('ledger_county')} ({i.get('ledger_rows')} "
                     f"rows), first import {i.get('ledger_first_import_s')} s; pandas summary identical: "
                     f"{i.get('pandas_equal')}; maps " + ", ".join(f"{k} {m['ms']:.0f} ms"
                                                                 for k, m in i.get("maps", {}).items()))
        lines.append(f"  {BACKEND_LABELS[b]}: {_memory_steps(i)}")
    lines.append("")
    for b in order:
        missed = results[b].missed
        lines.append(f"{BACKEND_LABELS[b]}: " + ("all targets met / 全部达标" if not missed else
                                                 f"targets missed / 未达标: {', '.join(missed)}"))
    return "\n".join(lines)


def _child_run(options: dict) -> BenchResult:
    """run_bench in a process of its own (peak memory and caches per backend); `verbose` logs to stderr."""
    verbose = options.pop("verbose")
    return run_bench(log=_stderr_log if verbose else None, **options)


def _stderr_log(msg: str) -> None:
    print(f"… {msg}", file=sys.stderr, flush=True)


def run_backends(server: str, **options) -> dict[str, BenchResult]:
    """The benchmark on DuckDB, then on the PostgreSQL `server`, each in a fresh process of its own."""
    return {backend: in_own_process(_child_run, {**options, "server": url})
            for backend, url in (("duckdb", None), ("postgresql", server))}


def in_own_process(fn: Callable, *args):
    """fn(*args) in a fresh process, its result returned.  Not a multiprocessing.Pool: a pool's workers are
    daemonic and may not start processes, and an import reads its file in a worker process of its own
    (geo.imports.worker), so the write-path figures died inside a pool."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def main(args) -> int:
    """CLI entry: prints the report (JSON with --json).  Always 0: the report is the result.

    With ``--db postgresql://...`` the benchmark runs on DuckDB and on that server (in scratch databases it
    creates and drops) and prints both side by side."""
    as_json = bool(getattr(args, "json", False))
    server = server_url(getattr(args, "db", None))
    options = {"prefix": getattr(args, "scope", None) or "", "runs": int(getattr(args, "runs", 5) or 5)}
    if server:
        results = run_backends(server, verbose=not as_json, **options)
        print(json.dumps({"backends": {b: r.to_json() for b, r in results.items()}}, ensure_ascii=False, indent=1)
              if as_json else format_side_by_side(results))
        return 0
    result = run_bench(log=None if as_json else _stderr_log, **options)
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=1) if as_json else format_table(result))
    return 0
