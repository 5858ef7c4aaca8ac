"""National-scale benchmark: ``python -m geo bench [--json] [--runs N]``.

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
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from benchmarks import briefing
from geo.codes import Scope
from geo.coverage import GAP_STATUSES
from geo.demo import ANCHOR, SEED, generate_people_and_contracts
from geo.store import Store, open_store
from geo.testing import pandas_summary, summaries_equal

#: name -> (unit, comparison, target, what it measures)
TARGETS: dict[str, tuple[str, str, float, str]] = {
    "registry_import_s": ("s", "<=", 15, "read the registry file, write divisions and parents"),
    "assignments_import_s": ("s", "", 0, "insert advisers and assignments"),
    "summary_national_ms": ("ms", "<=", 100, "national summary by province, warm"),
    "summary_county_ms": ("ms", "", 0, "largest county by township, warm"),
    "gaps_province_ms": ("ms", "<=", 1000, "gap list (lapsed/expiring/never) of the largest province"),
    "map_html_bytes_max": ("bytes", "<=", 2_000_000, "largest map HTML of national/province/county/township"),
    "map_build_ms_max": ("ms", "", 0, "slowest map: view + folium + HTML"),
    "rss_mb": ("MB", "<=", 1500, "peak resident memory of the process"),
    "pandas_ratio": ("x", ">=", 10, "plain pandas national summary time / store time"),
}

#: schematic counties in the national run (the country has 2,977 counties with villages)
DEFAULT_GEOMETRY_COUNTIES = 30


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


@dataclass
class BenchResult:
    figures: dict[str, Figure]
    info: dict
    #: with ``run_bench(keep=True)``: the open store, its temporary directory and the frames behind the figures
    kept: dict = field(default_factory=dict)

    @property
    def missed(self) -> list[str]:
        return [f.name for f in self.figures.values() if f.ok is False]

    def to_json(self) -> dict:
        return {"figures": {k: {"value": f.value, "unit": f.unit, "target": f.target, "op": f.op or None,
                                "pass": f.ok, "what": f.what, "runs": f.runs}
                            for k, f in self.figures.items()},
                "missed": self.missed, "info": self.info}


def _figure(name: str, value: float, runs: list[float] | None = None) -> Figure:
    unit, op, target, what = TARGETS[name]
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


# -- building the dataset ----------------------------------------------------------------------------------
def read_registry(prefix: str = "") -> pd.DataFrame:
    """The shipped registry read from its file (not the cached copy), cut to `prefix`."""
    from geo.registry import national_registry

    reg = national_registry.__wrapped__()
    if prefix:
        reg = reg[reg["code"].str.startswith(prefix)].reset_index(drop=True)
    return reg


def import_registry(path: Path, prefix: str = "") -> tuple[Store, pd.DataFrame]:
    """A new store at `path` holding the registry: the step timed as registry_import_s."""
    reg = read_registry(prefix)
    store = open_store(path)
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
    from geo.outlines import county_outlines
    from geo.registry import villages

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
    from geo.demo_geometry import schematic_cells, store_outline_tiers
    from geo.geometry_store import refresh_village_display, replace_village_geoms
    from geo.outlines import county_outlines
    from geo.registry import villages

    outlines = county_outlines().set_index("code")
    written = 0
    with store.transaction() as cur:
        store_outline_tiers(store, cur)
        for i, county in enumerate(counties):
            vil = villages(registry, county)["code"].tolist()
            cells = schematic_cells(outlines.loc[county.ljust(12, "0"), "geometry"], vil, seed + 1000 * i)
            cells = cells[~cells["geometry"].map(lambda g: g.is_empty)]
            written += replace_village_geoms(store, cur, cells, None, schematic=True)
            refresh_village_display(store, cur, county)
    return written


def _largest(codes: pd.Series, digits: int, within: str = "") -> str:
    sel = codes[codes.str.startswith(within)] if within else codes
    return str(sel.str[:digits].value_counts().sort_index().idxmax())


def map_once(store: Store, scope: Scope, as_of: dt.date) -> int:
    """Bytes of the map HTML of `scope` as the app builds it (Leaflet served, not inlined)."""
    from geo.folium_map import map_html
    from geo.map_data import build_folium_map, map_view

    view = map_view(store, scope, as_of)
    return len(map_html(build_folium_map(store, view, inline=False)).encode())


# -- the benchmark -----------------------------------------------------------------------------------------
def run_bench(prefix: str = "", runs: int = 5, geometry_counties: int = DEFAULT_GEOMETRY_COUNTIES,
              as_of: dt.date = ANCHOR, workdir: str | Path | None = None,
              log: Callable[[str], None] | None = None, keep: bool = False) -> BenchResult:
    """Build the dataset under `prefix` ("" = the whole country) in a temporary store and measure.

    `keep`: leave the store open in ``result.kept`` (tests use it); otherwise the files are removed.
    """
    from geo.registry import villages

    log = log or (lambda msg: None)
    tmp = tempfile.TemporaryDirectory(prefix="geo-bench-", dir=workdir)
    root = Path(tmp.name)
    figs: dict[str, Figure] = {}
    info: dict = {"prefix": prefix or "全国", "as_of": as_of.isoformat(), "runs": runs,
                  "load_before": _load()}
    t_all = time.perf_counter()

    # registry import, each run into a new file; the last store is kept for the rest
    times, store, registry = [], None, None
    for k in range(max(1, runs)):
        if store is not None:
            store.close()
        t0 = time.perf_counter()
        store, registry = import_registry(root / f"bench{k}.duckdb", prefix)
        times.append(time.perf_counter() - t0)
    figs["registry_import_s"] = _figure("registry_import_s", statistics.median(times), times)
    log(f"registry_import_s {statistics.median(times):.2f}")

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
        target = store if last else open_store(root / f"bench{k}.duckdb")
        t0 = time.perf_counter()
        import_people(target, advisers, assignments)
        times.append(time.perf_counter() - t0)
        if not last:
            target.close()
            for suffix in ("", ".wal"):
                Path(root / f"bench{k}.duckdb{suffix}").unlink(missing_ok=True)
    figs["assignments_import_s"] = _figure("assignments_import_s", statistics.median(times), times)
    log(f"assignments_import_s {statistics.median(times):.2f}")

    t0 = time.perf_counter()
    counties = pick_geometry_counties(registry, geometry_counties)
    cells = add_geometry(store, registry, counties)
    info.update(geometry_counties=len(counties), schematic_villages=cells,
                geometry_s=round(time.perf_counter() - t0, 2))
    log(f"geometry: {len(counties)} counties, {cells} cells in {info['geometry_s']} s")
    store.checkpoint()

    # queries, warm
    national = Scope("")
    med, ts, summary = timed(lambda: store.summary(national, as_of, by="province"), runs)
    figs["summary_national_ms"] = _figure("summary_national_ms", med * 1000, [t * 1000 for t in ts])
    log(f"summary_national_ms {med * 1000:.1f}")

    # the same summary in plain pandas, on object-dtype code strings as a typical script holds them
    asg_str = assignments[["village", "start_date", "end_date"]].assign(
        village=assignments["village"].astype(str).astype(object))
    pmed, pts, reference = timed(lambda: pandas_summary(registry, asg_str, as_of, 1), runs, warm=False)
    figs["pandas_ratio"] = _figure("pandas_ratio", pmed / med, [])
    info["pandas_summary_ms"] = round(pmed * 1000, 1)
    info["pandas_equal"] = summaries_equal(summary, reference)
    log(f"pandas {pmed * 1000:.0f} ms, equal={info['pandas_equal']}")

    county = _largest(vil_codes, 6)
    med, ts, _ = timed(lambda: store.summary(Scope(county), as_of, by="township"), runs)
    figs["summary_county_ms"] = _figure("summary_county_ms", med * 1000, [t * 1000 for t in ts])
    info["summary_county"] = county

    province = _largest(vil_codes, 2)
    gaps = [s.value for s in GAP_STATUSES]
    med, ts, gap_rows = timed(lambda: store.village_statuses(Scope(province), as_of, statuses=gaps), runs)
    figs["gaps_province_ms"] = _figure("gaps_province_ms", med * 1000, [t * 1000 for t in ts])
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
    figs["map_html_bytes_max"] = _figure("map_html_bytes_max", max(v["bytes"] for v in maps.values()))
    figs["map_build_ms_max"] = _figure("map_build_ms_max", max(v["ms"] for v in maps.values()))
    log(f"maps {maps}")

    figs.update(briefing.briefing_figures(store, as_of, runs, log))
    figs["rss_mb"] = _figure("rss_mb", peak_rss_mb())
    info["load_after"] = _load()
    info["total_s"] = round(time.perf_counter() - t_all, 1)
    info.update(machine_info())
    order = list(TARGETS)
    result = BenchResult({k: figs[k] for k in order + [k for k in figs if k not in TARGETS] if k in figs}, info)
    if keep:
        result.kept = {"store": store, "tmp": tmp, "registry": registry, "assignments": asg_str,
                       "summary": summary, "reference": reference}
    else:
        store.close()
        tmp.cleanup()
    return result


def _load() -> float | None:
    """1-minute load average: other work on the machine slows every figure down."""
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):
        return None


def machine_info() -> dict:
    import duckdb

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
    lines.append("")
    missed = result.missed
    lines.append("all targets met / 全部达标" if not missed else
                 f"targets missed / 未达标: {', '.join(missed)}")
    return "\n".join(lines)


def main(args) -> int:
    """CLI entry: prints the report (JSON with --json).  Always 0: the report is the result."""
    as_json = bool(getattr(args, "json", False))
    runs = int(getattr(args, "runs", 5) or 5)
    prefix = getattr(args, "scope", None) or ""
    log = None if as_json else (lambda msg: print(f"… {msg}", file=sys.stderr, flush=True))
    result = run_bench(prefix=prefix, runs=runs, log=log)
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    else:
        print(format_table(result))
    return 0
