"""How the main figures grow with the data: ``python -m benchmarks.scaling [--db postgresql://...] [--runs N]``.

Stores of 1, 2 and 4 provinces of about 18,000 villages each (安徽, then 贵州, 甘肃 and 福建: the steps double
the villages, advisers and contracts), each given three years of service records one after the other, as a
deployment accumulates them.  After each year is written, the figures of the national benchmark are measured on
what the store then holds: the summary of everything by province, the gap list of the largest province, the
adviser register of everything, the year's write (``services_import_s``) and the briefing of the largest
province.  Year k ends on the anchor less 3 - k years and is read on its last day, so the third year is the
benchmark's own (ending 2026-11-27) with two earlier years stored before it.

With ``--db`` the same runs on that PostgreSQL server too (scratch databases the script creates and drops), and
the sizes of its tables (``pg_total_relation_size``, indexes included) are given per village, per contract and
per service record, with the DuckDB file's size beside them: what the README's "Scaling" section extrapolates to
a ministry's five years of national records from.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from geo.briefing import build_report
from geo.core.codes import Scope, real_villages
from geo.core.coverage import GAP_STATUSES
from geo.demo import ANCHOR, SEED, SERVICES_SEED, generate_people_and_contracts
from geo.demo.services import service_months
from geo.sources.national import national_registry
from geo.store import Store, open_store
from geo.views import advisers

from .figures import current_rss_mb
from .scratch import ScratchStores, scratch_stores, server_url
from .services import write_services

#: four provinces of nearly the same size (安徽 18,334 villages, 贵州 17,964, 甘肃 17,718, 福建 17,497): the first
#: 1, 2 and 4 of them make the steps
PROVINCES = ("34", "52", "62", "35")
STEPS = (1, 2, 4)
YEARS = 3
#: figure -> what it measures (the names of the national benchmark's figures)
FIGURES = {
    "services_import_s": "the year's service records written, a month per batch",
    "summary_national_ms": "summary of everything stored, by province, warm",
    "gaps_province_ms": "gap list of the largest province",
    "advisers_national_s": "adviser register of everything stored, warm",
    "report_province_s": "briefing PDF of the largest province",
}
#: tables whose size is reported, grouped by what their rows grow with
SIZE_GROUPS = {
    "villages": ("divisions", "village_geoms", "coverage_spans", "county_spans", "county_villages", "shapes"),
    "contracts": ("assignments", "advisers"),
    "service records": ("services", "service_days", "served_spans", "service_counties"),
}


@dataclass
class Point:
    backend: str
    provinces: int
    years: int
    villages: int
    advisers: int
    contracts: int
    records: int
    as_of: dt.date
    figures: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)


def registry_of(provinces: tuple[str, ...]) -> pd.DataFrame:
    """The shipped registry cut to `provinces` (2-digit codes)."""
    reg = national_registry()
    return reg[reg["code"].str[:2].isin(provinces)].reset_index(drop=True)


def year_end(k: int) -> dt.date:
    """The last day of year `k` (1 .. YEARS): the anchor less YEARS - k years."""
    return ANCHOR.replace(year=ANCHOR.year - (YEARS - k))


def _timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median seconds on the clock, median seconds of this process's CPU) of `runs` calls after a warm one."""
    fn()
    clock, cpu = [], []
    for _ in range(max(1, runs)):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        clock.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(clock), statistics.median(cpu)


def _cpu_counted(months: Iterator[pd.DataFrame], spent: list[float]) -> Iterator[pd.DataFrame]:
    """`months` as they come, the CPU time of making each added to spent[0] (the write's CPU is the rest)."""
    while True:
        c0 = time.process_time()
        month = next(months, None)
        spent[0] += time.process_time() - c0
        if month is None:
            return
        yield month


def build(target: str, registry: pd.DataFrame) -> tuple[Store, pd.DataFrame, int]:
    """A store of `registry` with the benchmark's generated advisers and contracts: (store, contracts, advisers)."""
    people, contracts = generate_people_and_contracts(registry, "", seed=SEED, anchor=ANCHOR)
    store = open_store(target)
    with store.transaction() as cur:
        store.load_registry(registry, cur)
        batch = store.new_batch(cur, "assignments", file_name="scaling", rows_read=len(contracts),
                                rows_accepted=len(contracts))
        store.add_advisers(cur, people.assign(batch_id=batch))
        store.add_assignments(cur, contracts.assign(batch_id=batch), skip_known=False)
    return store, contracts, len(people)


def measure(store: Store, province: Scope, as_of: dt.date, runs: int) -> tuple[dict[str, float], dict[str, float]]:
    """The read figures on `store` on `as_of` (values in their units, and the CPU time of this process)."""
    gaps = [s.value for s in GAP_STATUSES]
    calls = {
        "summary_national_ms": (1000, lambda: store.summary(Scope(""), as_of, by="province")),
        "gaps_province_ms": (1000, lambda: store.village_statuses(province, as_of, statuses=gaps)),
        "advisers_national_s": (1, lambda: advisers.register(store, Scope(""), as_of)),
        "report_province_s": (1, lambda: build_report(store, province, as_of, "pdf")),
    }
    values, cpu = {}, {}
    for name, (scale, fn) in calls.items():
        clock, used = _timed(fn, runs if scale == 1000 else max(1, min(runs, 2)))
        values[name], cpu[name] = clock * scale, used * scale
    return values, cpu


def run_backend(scratch: ScratchStores, provinces: tuple[str, ...], runs: int, log: Callable[[str], None]
                ) -> tuple[list[Point], dict]:
    """Every step on one backend; the sizes of the largest store (4 provinces, 3 years)."""
    points: list[Point] = []
    sizes: dict = {}
    for k, n in enumerate(STEPS):
        registry = registry_of(provinces[:n])
        villages = int(real_villages(registry).sum())
        t0 = time.perf_counter()
        target = scratch.target(k)
        store, contracts, people = build(target, registry)
        log(f"{scratch.backend}: {n} province(s), {villages:,} villages built in {time.perf_counter() - t0:.0f} s")
        province = Scope(provinces[0])
        county = str(contracts["village"].floordiv(1_000_000).value_counts().idxmax())
        records = 0
        try:
            for year in range(1, YEARS + 1):
                as_of = year_end(year)
                generating = [0.0]
                c0 = time.process_time()
                months = _cpu_counted(service_months(contracts, as_of, SERVICES_SEED + year), generating)
                written = write_services(store, months, county)
                records += written.rows
                point = Point(scratch.backend, n, year, villages, people, len(contracts), records, as_of)
                point.figures["services_import_s"] = written.write_s
                point.cpu["services_import_s"] = time.process_time() - c0 - generating[0]
                store.checkpoint()
                values, cpu = measure(store, province, as_of, runs)
                point.figures.update(values)
                point.cpu.update(cpu)
                points.append(point)
                log(f"  year {year} ({written.rows:,} records, {records:,} stored): "
                    + ", ".join(f"{k} {v:.1f}" for k, v in point.figures.items())
                    + f"; load {os.getloadavg()[0]:.1f}, rss {current_rss_mb():.0f} MB")
            if n == STEPS[-1]:
                sizes = table_sizes(store, target, villages, len(contracts), records)
        finally:
            store.close()
            scratch.discard(k)
    return points, sizes


def table_sizes(store: Store, target: str, villages: int, contracts: int, records: int) -> dict:
    """Bytes of the store's tables per what they grow with (PostgreSQL: pg_total_relation_size, indexes
    included; DuckDB: the file, all tables together)."""
    per = {"villages": villages, "contracts": contracts, "service records": records}
    if store.backend == "duckdb":
        store.checkpoint()
        return {"file_bytes": Path(target).stat().st_size, "rows": per}
    out: dict = {"rows": per, "groups": {}}
    for group, tables in SIZE_GROUPS.items():
        sizes = {t: int(store.scalar(f"SELECT pg_total_relation_size('{t}')") or 0) for t in tables}
        out["groups"][group] = {"bytes": sum(sizes.values()), "tables": sizes,
                                "per_row": sum(sizes.values()) / max(1, per[group])}
    out["database_bytes"] = int(store.scalar("SELECT pg_database_size(current_database())") or 0)
    return out


def format_report(points: list[Point], sizes: dict[str, dict], started: str, loads: list[float]) -> str:
    """One table per backend: a row per step (provinces x years), a column per figure, CPU beside the clock."""
    lines = [f"scaling run started {started} UTC; load average {min(loads):.1f}-{max(loads):.1f} during the run; "
             f"{os.cpu_count()} cores",
             "each cell: clock (this process's CPU); ms for *_ms, s for *_s; the server's own CPU is not in the "
             "brackets on PostgreSQL"]
    names = list(FIGURES)
    for backend in dict.fromkeys(p.backend for p in points):
        lines += ["", f"{backend}:",
                  f"{'prov':>4} {'years':>5} {'villages':>9} {'advisers':>9} {'contracts':>9} {'records':>10}  "
                  + "  ".join(f"{n:>22}" for n in names)]
        for p in (p for p in points if p.backend == backend):
            cells = "  ".join(f"{_cell(p.figures[n], p.cpu[n], n):>22}" for n in names)
            lines.append(f"{p.provinces:>4} {p.years:>5} {p.villages:>9,} {p.advisers:>9,} {p.contracts:>9,} "
                         f"{p.records:>10,}  {cells}")
        size = sizes.get(backend) or {}
        if "file_bytes" in size:
            rows = size["rows"]
            lines.append(f"  DuckDB file {size['file_bytes'] / 2**20:,.0f} MiB for {rows['villages']:,} villages, "
                         f"{rows['contracts']:,} contracts, {rows['service records']:,} service records")
        for group, g in size.get("groups", {}).items():
            lines.append(f"  {group}: {g['bytes'] / 2**20:,.1f} MiB, {g['per_row']:,.0f} bytes per row of "
                         f"{size['rows'][group]:,} (" + ", ".join(f"{t} {b / 2**20:,.1f}" for t, b in
                                                                g["tables"].items()) + " MiB)")
        if "database_bytes" in size:
            lines.append(f"  database {size['database_bytes'] / 2**20:,.0f} MiB in all")
    return "\n".join(lines)


def _proc_usage(pid: int) -> tuple[float, float]:
    """(resident MB, CPU seconds user + system) of process `pid` (Linux /proc)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        rss = next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return rss, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def app_sessions(sessions: int, as_of: dt.date = ANCHOR, log: Callable[[str], None] | None = None) -> dict:
    """The app's memory and CPU per browser session: the demo served by Streamlit, `sessions` headless browser
    sessions opened one after the other and left open (as concurrent users), each opening the map, summary, gap
    list and adviser pages of a city of its own at a date of its own (so the app's caches do not serve one
    session from another's views).  Returns the app process's resident MB and CPU seconds after each session."""
    from playwright.sync_api import sync_playwright  # imported here: an optional dependency of the benchmarks

    from geo.demo import DEMO_PROVINCE, build_demo

    from .app_pages import NATIONAL_PAGES
    from .browser import ACTION_TIMEOUT_S, VIEWPORT, launch_chromium, served_app, wait_ready

    say = log or (lambda msg: None)
    with tempfile.TemporaryDirectory(prefix="scaling_app_") as tmp:
        db = Path(tmp) / "demo.duckdb"
        with open_store(db) as store:
            build_demo(store)
            cities = [Scope.parse(c).digits for c in store.children(Scope(DEMO_PROVINCE), 2)["code"]]
        with served_app(db, Path(tmp) / "streamlit.log") as app, sync_playwright() as pw:
            browser = launch_chromium(pw)
            steps = [_proc_usage(app.pid)]
            contexts = []
            for k in range(sessions):
                ctx = browser.new_context(viewport=VIEWPORT)
                contexts.append(ctx)
                page = ctx.new_page()
                page.set_default_timeout(ACTION_TIMEOUT_S * 1000)
                scope, day = cities[k % len(cities)], (as_of - dt.timedelta(days=7 * (k + 1))).isoformat()
                for _key, path, is_map, selectors in NATIONAL_PAGES[:4]:
                    page.goto(f"{app.url}/{path}?scope={scope}&date={day}", wait_until="commit")
                    wait_ready(page, params={"scope": scope, "date": day}, path=f"/{path}" if path else None,
                               selectors=selectors, map=is_map)
                steps.append(_proc_usage(app.pid))
                say(f"app: {k + 1} session(s), {steps[-1][0]:.0f} MB, {steps[-1][1]:.1f} s CPU")
            for ctx in contexts:
                ctx.close()
            browser.close()
    return {"rss_mb": [round(r) for r, _ in steps], "cpu_s": [round(c, 2) for _, c in steps],
            "pages_per_session": 4}


def format_sessions(app: dict) -> str:
    """The app's memory and CPU per session, as the README's sizing uses them."""
    rss, cpu, n = app["rss_mb"], app["cpu_s"], len(app["rss_mb"]) - 1
    per_mb = (rss[-1] - rss[1]) / max(1, n - 1)
    per_cpu = (cpu[-1] - cpu[1]) / max(1, n - 1) / app["pages_per_session"]
    return (f"app (demo, {n} browser sessions of {app['pages_per_session']} pages each, kept open): resident MB "
            f"{' -> '.join(str(r) for r in rss)}; CPU s {' -> '.join(str(c) for c in cpu)}; after the first "
            f"session {per_mb:.0f} MB and {per_cpu:.2f} s of CPU per page per further session")


def _cell(value: float, cpu: float, name: str) -> str:
    return f"{value:,.1f} ({cpu:,.1f})" if name.endswith("_ms") else f"{value:,.2f} ({cpu:,.2f})"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.scaling", description=__doc__.split("\n\n")[0])
    p.add_argument("--db", help="a PostgreSQL server: measure there too (scratch databases)")
    p.add_argument("--runs", type=int, default=3, help="runs per read figure (the briefing and register: at most 2)")
    p.add_argument("--provinces", default=",".join(PROVINCES),
                   help="four 2-digit province codes, the largest first (default: %(default)s)")
    p.add_argument("--server-only", action="store_true", help="with --db: measure on the server only")
    p.add_argument("--app-sessions", type=int, default=0,
                   help="also measure the app's memory and CPU over this many browser sessions (the demo; chromium)")
    p.add_argument("--app-only", action="store_true", help="only the app's sessions (with --app-sessions)")
    args = p.parse_args(argv)
    provinces = tuple(c.strip() for c in args.provinces.split(","))
    started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    loads = [os.getloadavg()[0]]

    def log(msg: str) -> None:
        loads.append(os.getloadavg()[0])
        print(f"… {msg}", file=sys.stderr, flush=True)

    points: list[Point] = []
    sizes: dict[str, dict] = {}
    server = server_url(args.db)
    app = app_sessions(args.app_sessions, log=log) if args.app_sessions else None
    if app and args.app_only:
        print(format_sessions(app))
        return 0
    for url in ((server,) if args.server_only else (None, server)) if server else (None,):
        scratch = scratch_stores(url, tempfile.gettempdir())
        try:
            got, size = run_backend(scratch, provinces, args.runs, log)
        finally:
            scratch.cleanup()
        points += got
        sizes[scratch.backend] = size
    loads.append(os.getloadavg()[0])
    print(format_report(points, sizes, started, loads))
    if app:
        print(format_sessions(app))
    return 0


if __name__ == "__main__":
    sys.exit(main())
