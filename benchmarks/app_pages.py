"""The app's speed as a user feels it: ``python -m geo bench --app [--json] [--runs N]``.

Builds the demo into a temporary database (timed: ``demo_build_s``), serves ``app.py`` on it with Streamlit in a
subprocess, drives headless Chromium through Playwright and times, from the action to "ready", what a user does:
open the map, change the scope (sidebar selectbox, breadcrumb, a click on the map), change the date, and open the
gap list and summary at a new scope.  The product's targets: the demo builds in under 60 s, and after a change of
scope or date any page is ready in under 3 s with the map drawn.

"Ready" (:func:`benchmarks.browser.wait_ready`) means: the script run is over (``stApp`` reports ``notRunning``,
the status widget is gone), the URL carries the new scope or date (Streamlit writes the query parameters during the
run, so a URL that still shows the old view means the run has not started yet), no element of the previous run is
left (``data-stale``), and the page's content is there - on the map page Leaflet polygons that were not on the page
before the action (every polygon is marked just before it), on the gap list its table, on the summary its table
and chart.

Scope changes and date changes each go to a view not seen before (another city, another date) so the app's
query caches do not help; going back up by the breadcrumb returns to a view already seen, as a user does.
The figures are medians of several runs and are printed with their targets; missing a target does not fail
the command (it is a report).  Needs Debian's chromium; Playwright's own browser download is never used.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable

from geo.core.codes import Scope
from geo.demo import ANCHOR, DEMO_PROVINCE, build_demo
from geo.store import open_store

from .browser import (
    ACTION_TIMEOUT_S,
    CHART,
    CHROMIUM,
    TABLE,
    VIEWPORT,
    AppNotReady,
    launch_chromium,
    mark_old_polygons,
    served_app,
    wait_ready,
)
from .national import build_store

#: name -> (target in seconds, what it measures); every figure is "<= target"
TARGETS: dict[str, tuple[float, str]] = {
    "demo_build_s": (60.0, "build the demo database (registry, advisers, contracts, schematic cells)"),
    "map_first_load_s": (3.0, "open /?scope=61&date=...: a new browser session, map drawn"),
    "map_scope_select_s": (3.0, "sidebar selectbox 市 -> another city, new map drawn"),
    "map_scope_breadcrumb_s": (3.0, "breadcrumb back up to the province, map drawn"),
    "map_drill_click_s": (3.0, "click on a city polygon, the city's map drawn"),
    "map_date_change_s": (3.0, "sidebar date input -> another date, map redrawn"),
    "gaps_scope_select_s": (3.0, "gap list page, selectbox -> another city, table shown"),
    "summary_scope_select_s": (3.0, "summary page, selectbox -> another city, table and chart shown"),
}
#: every page at the national scope (issue 19: a national gap list took 169 s): figure, page path, map drawn,
#: what must be on the page
NATIONAL_PAGES = (("map", "", True, ()), ("summary", "summary", False, (TABLE, CHART)),
                  ("gaps", "gaps", False, (TABLE,)), ("advisers", "advisers", False, (TABLE,)),
                  ("imports", "imports", False, ('[data-testid="stFileUploader"]',)))
for _key, _path, _map, _ in NATIONAL_PAGES:
    TARGETS[f"national_{_key}_s"] = (5.0, f"open /{_path}?scope=0 (the whole country) at a date not seen yet in "
                                          "a new session, page ready" + (" with the map drawn" if _map else ""))

#: a broken app, not a slow one (the report's and the tests' name for it)
AppBenchError = AppNotReady


@dataclass
class AppFigure:
    name: str
    runs: list[float]
    target: float
    what: str

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def ok(self) -> bool:
        return self.median <= self.target

    def to_json(self) -> dict:
        return {"median": round(self.median, 3), "min": round(min(self.runs), 3), "max": round(max(self.runs), 3),
                "n": len(self.runs), "unit": "s", "target": self.target, "op": "<=", "pass": self.ok,
                "what": self.what, "runs": [round(r, 3) for r in self.runs]}


@dataclass
class AppBenchResult:
    figures: dict[str, AppFigure]
    info: dict = field(default_factory=dict)

    @property
    def missed(self) -> list[str]:
        return [f.name for f in self.figures.values() if not f.ok]

    def to_json(self) -> dict:
        return {"figures": {k: f.to_json() for k, f in self.figures.items()}, "missed": self.missed,
                "info": self.info}



def timed_action(page, action: Callable[[], None], ready: Callable[[], None], *, map: bool) -> float:
    """Seconds from the start of `action` to the end of `ready`; on a map page the old polygons are marked."""
    if map:
        mark_old_polygons(page)
    t0 = time.perf_counter()
    action()
    ready()
    return time.perf_counter() - t0


def _pick(page, key: str, name: str) -> Callable[[], None]:
    """Open the selectbox with widget key `key` (not timed); the returned action clicks the option `name`."""
    page.locator(f".st-key-{key} [role='combobox']").click()
    option = page.get_by_role("option", name=name, exact=True)
    option.wait_for(state="visible", timeout=10_000)
    return option.click


def _set_date(page, day: dt.date) -> Callable[[], None]:
    """Type `day` into the sidebar date input (not timed); the returned action applies it.

    The input is a row of year/month/day fields that sends its value when the focus leaves the whole row (not
    on Enter, not while its calendar is open).  So: focus the year (a click would open the calendar), type the
    digits (each field moves on to the next when full), Tab to the calendar button; the action is the Tab that
    leaves the row.
    """
    page.locator(".st-key-w_date [role='spinbutton'][data-type='year']").focus()
    page.keyboard.type(day.strftime("%Y%m%d"))
    page.keyboard.press("Tab")
    return lambda: page.keyboard.press("Tab")


def _click_centre_target(page) -> Callable[[], None]:
    """The action: a mouse click at the centre of a map polygon (not timed: finding it).

    Only a polygon whose bounding-box centre lies on the polygon itself will do (a concave outline's centre may
    be on its neighbour).  Successive calls on one page start the search one polygon further, so each click
    opens another unit.
    """
    for frame in page.frames:
        paths = frame.locator("path.leaflet-interactive")
        n = paths.count()
        if not n:
            continue
        # the map may start below the fold (controls above it): a click outside the viewport reaches nothing
        frame.frame_element().evaluate("e => e.scrollIntoView({block: 'center'})")
        box = frame.frame_element().bounding_box()
        height = page.viewport_size["height"]
        start = int(page.evaluate("() => window.__benchNext || 0"))
        for k in range(n):
            i = (start + k) % n
            hit = paths.nth(i).evaluate("""(p) => { const r = p.getBoundingClientRect();
                const x = r.left + r.width / 2, y = r.top + r.height / 2;
                return p.ownerDocument.elementFromPoint(x, y) === p ? [x, y] : null; }""")
            if hit and 0 <= box["y"] + hit[1] < height:
                page.evaluate(f"() => {{ window.__benchNext = {i + 1}; }}")
                x, y = box["x"] + hit[0], box["y"] + hit[1]
                return lambda: page.mouse.click(x, y)
    raise AppBenchError("no polygon on the map to click / 地图上没有可点击的多边形")


# -- the measurements ---------------------------------------------------------------------------------------
def measure(url: str, cities: list[tuple[str, str]], runs: int, as_of: dt.date, browser,
            log: Callable[[str], None] | None = None) -> dict[str, list[float]]:
    """Seconds per run of every page action (keys: the names in TARGETS but demo_build_s).

    `cities`: (scope digits, name) of the province's cities, the selectbox targets, used in turn.
    """
    say = log or (lambda msg: None)
    province = DEMO_PROVINCE
    out: dict[str, list[float]] = {k: [] for k in TARGETS if k != "demo_build_s"}
    base = f"scope={province}&date={as_of.isoformat()}"
    city_turn = iter(range(10**6))

    def next_city() -> tuple[str, str]:
        return cities[next(city_turn) % len(cities)]

    # first load: a new browser context each time (new session, nothing of the previous one in the page)
    for _ in range(runs):
        ctx = browser.new_context(viewport=VIEWPORT)
        page = ctx.new_page()
        out["map_first_load_s"].append(timed_action(
            page, lambda page=page: page.goto(f"{url}/?{base}", wait_until="commit"),
            lambda page=page: wait_ready(page, params={"scope": province}, map=True), map=False))
        ctx.close()
    say(f"map_first_load_s {out['map_first_load_s']}")

    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_S * 1000)
    page.goto(f"{url}/?{base}", wait_until="commit")
    wait_ready(page, params={"scope": province}, map=True)

    for _ in range(runs):
        digits, name = next_city()
        act = _pick(page, "w_pick_1", name)
        out["map_scope_select_s"].append(timed_action(
            page, act, lambda digits=digits: wait_ready(page, params={"scope": digits}, map=True), map=True))
        crumb = page.locator(".st-key-crumb_1 button")
        out["map_scope_breadcrumb_s"].append(timed_action(
            page, crumb.click, lambda: wait_ready(page, params={"scope": province}, map=True), map=True))
    say(f"map_scope_select_s {out['map_scope_select_s']}")
    say(f"map_scope_breadcrumb_s {out['map_scope_breadcrumb_s']}")

    for _ in range(runs):
        act = _click_centre_target(page)
        out["map_drill_click_s"].append(timed_action(
            page, act, lambda: wait_ready(page, not_params={"scope": province}, selectors=(".st-key-crumb_1",),
                                          map=True), map=True))
        page.locator(".st-key-crumb_1 button").click()   # back up, not timed
        wait_ready(page, params={"scope": province}, map=True)
    say(f"map_drill_click_s {out['map_drill_click_s']}")

    for k in range(runs):
        day = as_of - dt.timedelta(days=37 * (k + 1))
        act = _set_date(page, day)
        out["map_date_change_s"].append(timed_action(
            page, act, lambda day=day: wait_ready(page, params={"date": day.isoformat()}, map=True), map=True))
    say(f"map_date_change_s {out['map_date_change_s']}")

    for page_name, figure, selectors in (("gaps", "gaps_scope_select_s", (TABLE,)),
                                         ("summary", "summary_scope_select_s", (TABLE, CHART))):
        page.goto(f"{url}/{page_name}?{base}", wait_until="commit")
        wait_ready(page, params={"scope": province}, path=f"/{page_name}", selectors=selectors)
        for _ in range(runs):
            digits, name = next_city()
            act = _pick(page, "w_pick_1", name)
            out[figure].append(timed_action(
                page, act, lambda digits=digits, page_name=page_name, selectors=selectors: wait_ready(
                    page, params={"scope": digits}, path=f"/{page_name}", selectors=selectors), map=False))
            page.locator(".st-key-crumb_1 button").click()   # back to the province, not timed
            wait_ready(page, params={"scope": province}, path=f"/{page_name}", selectors=selectors)
        say(f"{figure} {out[figure]}")
    ctx.close()
    out.update(measure_national(url, runs, as_of, browser, log=say))
    return out


def measure_national(url: str, runs: int, as_of: dt.date, browser,
                     log: Callable[[str], None] | None = None) -> dict[str, list[float]]:
    """Seconds to open each page at the national scope in a new session, each run at a date not seen before
    (the app's query caches do not help; the pages of one run share the date, as a user going from page to
    page does)."""
    say = log or (lambda msg: None)
    out: dict[str, list[float]] = {f"national_{key}_s": [] for key, *_ in NATIONAL_PAGES}
    for k in range(runs):
        day = (as_of - dt.timedelta(days=11 * (k + 1))).isoformat()
        for key, path, is_map, selectors in NATIONAL_PAGES:
            ctx = browser.new_context(viewport=VIEWPORT)
            page = ctx.new_page()
            page.set_default_timeout(ACTION_TIMEOUT_S * 1000)
            ready = partial(wait_ready, page, params={"scope": "0", "date": day},
                            path=f"/{path}" if path else None, selectors=selectors, map=is_map)
            out[f"national_{key}_s"].append(timed_action(
                page, partial(page.goto, f"{url}/{path}?scope=0&date={day}", wait_until="commit"), ready, map=False))
            ctx.close()
    for name, values in out.items():
        say(f"{name} {values}")
    return out


def machine_info(browser_version: str | None = None) -> dict:
    mem = None
    try:
        mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    except (ValueError, OSError, AttributeError):
        pass
    versions = {}
    for pkg in ("streamlit", "streamlit-folium", "playwright", "duckdb"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    try:
        load = round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):
        load = None
    return {"cores": os.cpu_count(), "memory_gb": mem, "python": platform.python_version(),
            "chromium": browser_version, "platform": platform.platform(), "load_average": load, **versions}


def run_app_bench(runs: int = 3, *, chromium: str = CHROMIUM, as_of: dt.date = ANCHOR,
                  log: Callable[[str], None] | None = None, national: bool = False) -> AppBenchResult:
    """Build the demo, serve the app, time every action `runs` times; the server is stopped on every path.

    `national`: serve the national benchmark's store instead (benchmarks.national.build_store: contracts in
    every county, 200,000 advisers), built first; its build time is in the info, not a figure."""
    try:
        from playwright.sync_api import sync_playwright  # imported here: an optional dependency, checked
    except ImportError as e:
        raise AppBenchError(f"需要 playwright（pip install playwright） / playwright is not installed: {e}") from e
    if not Path(chromium).exists():
        raise AppBenchError(f"找不到浏览器 {chromium} / chromium not found at {chromium}")
    say = log or (lambda msg: None)
    runs = max(1, int(runs))
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_app_") as tmp:
        db = Path(tmp) / "demo.duckdb"
        t0 = time.perf_counter()
        built: dict = {}
        if national:
            built = build_store(db, as_of=as_of)
        with open_store(db) as store:
            if not national:
                build_demo(store)
            kids = store.children(Scope(DEMO_PROVINCE), 2)
            villages = int(store.totals(Scope(""), as_of).villages)
        demo_s = time.perf_counter() - t0
        say(f"{'store' if national else 'demo'}_build_s {demo_s:.2f} ({villages:,} villages)")
        cities = [(Scope.parse(c).digits, n) for c, n in zip(kids["code"], kids["name"])]

        log_path = Path(tmp) / "streamlit.log"
        info: dict = {"runs": runs, "as_of": as_of.isoformat(), "villages": villages,
                      "store": "national benchmark store" if national else "demo",
                      "date_change_by": "the sidebar date input (digits typed, applied by Tab out of it)", **built}
        if national:
            info["store_build_s"] = round(demo_s, 1)
        try:
            with served_app(db, log_path) as app, sync_playwright() as p:
                info.update(server_pid=app.pid, server_start_s=round(app.start_s, 2))
                say(f"server up in {info['server_start_s']} s (pid {app.pid})")
                browser = launch_chromium(p, chromium)
                try:
                    browser_version = browser.version
                    times = measure(app.url, cities, runs, as_of, browser, log=say)
                finally:
                    browser.close()
        except AppBenchError:
            raise
        except Exception as e:
            tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
            raise AppBenchError(f"{type(e).__name__}: {e}\n--- streamlit output ---\n{tail}") from e
    figures = {} if national else {"demo_build_s": AppFigure("demo_build_s", [demo_s], *TARGETS["demo_build_s"])}
    for name, values in times.items():
        figures[name] = AppFigure(name, values, *TARGETS[name])
    info.update(machine_info(browser_version))
    info["total_s"] = round(time.perf_counter() - t_all, 1)
    return AppBenchResult(figures, info)


# -- the report ---------------------------------------------------------------------------------------------
def format_table(result: AppBenchResult) -> str:
    """One line per figure: median, min, max, n, target and PASS / MISS, under the machine facts."""
    i = result.info
    lines = [f"村居法律顾问覆盖图 app benchmark · {i.get('store', 'demo')} ({i.get('villages', 0):,} villages), "
             f"as of {i.get('as_of')}",
             f"machine: {i.get('cores')} cores, {i.get('memory_gb')} GB, Python {i.get('python')}, "
             f"Chromium {i.get('chromium')}, streamlit {i.get('streamlit')}, streamlit-folium "
             f"{i.get('streamlit-folium')}; load average {i.get('load_average')}", ""]
    w = max(len(k) for k in result.figures)
    lines.append(f"{'figure':<{w}}  {'median':>8}  {'min':>8}  {'max':>8}  {'n':>3}  {'target':>8}  result")
    for f in result.figures.values():
        verdict = "PASS" if f.ok else "MISS  <--"
        lines.append(f"{f.name:<{w}}  {f.median:>7.2f}s  {min(f.runs):>7.2f}s  {max(f.runs):>7.2f}s  "
                     f"{len(f.runs):>3}  {'<= ' + format(f.target, 'g') + ' s':>8}  {verdict}")
    built = f"store built in {i['store_build_s']} s; " if "store_build_s" in i else ""
    lines += ["", f"  {built}server start {i.get('server_start_s')} s; date changed by {i.get('date_change_by')}; "
                  f"whole run {i.get('total_s')} s", ""]
    missed = result.missed
    lines.append("all targets met / 全部达标" if not missed else f"targets missed / 未达标: {', '.join(missed)}")
    return "\n".join(lines)


def main(args) -> int:
    """CLI entry (``python -m geo bench --app``): prints the report, JSON with --json.  Always 0."""
    as_json = bool(getattr(args, "json", False))
    runs = int(getattr(args, "runs", 5) or 5)
    log = None if as_json else (lambda msg: print(f"… {msg}", file=sys.stderr, flush=True))
    try:
        national = {"national": True} if getattr(args, "national", False) else {}
        result = run_app_bench(runs=runs, log=log, **national)
    except AppBenchError as e:   # still a report: say what went wrong, exit 0
        if as_json:
            print(json.dumps({"error": str(e), "figures": {}, "info": machine_info()}, ensure_ascii=False,
                             indent=1))
        else:
            print(f"app benchmark failed / 应用测速失败: {e}")
        return 0
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    else:
        print(format_table(result))
    return 0
