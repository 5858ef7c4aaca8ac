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
from typing import Callable, Iterator

from geo.core.codes import Scope
from geo.demo import ANCHOR, DEMO_PROVINCE, build_demo
from geo.store import open_store
from geo.store.backends.postgres import is_postgres_url, redact
from geo.views.viewstate import COUNTRY

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
    wait_settled,
)
from .national import DEFAULT_GEOMETRY_COUNTIES, build_store, pick_geometry_counties, read_registry
from .scratch import scratch_stores, server_url
from .soak import NAV_PATHS, RSS_TARGET_MB, SoakPlan, SoakResult, format_soak, run_soak, soak_scopes

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
#: every page of the app's navigation (ui/navigation.py, open mode) at the national scope: figure key, url path,
#: map drawn, what must be on the page (issue 19: a national gap list took 169 s)
NATIONAL_PAGES = (("map", "", True, ()), ("gaps", "gaps", False, (TABLE,)),
                  ("summary", "summary", False, (TABLE, CHART)), ("advisers", "advisers", False, (TABLE,)),
                  # a province's or the country's assessment is computed when asked for (pages/assess.py):
                  # the page at national scope is its periods, rules and the button that computes it
                  ("assess", "assess", False, (".st-key-assess_compute",)),
                  ("imports", "imports", False, ('[data-testid="stFileUploader"]',)))
#: issue 25: every page at national scope after a scope or date change, per backend
NATIONAL_TARGET_S = {"duckdb": 1.5, "postgresql": 2.0}
FIRST_LOAD_TARGET_S = 1.5
#: the national mode's limit for one action: a slower page is a MISS in the report, only beyond this a dead run
NATIONAL_TIMEOUT_S = 300.0
#: the first-load figures of the national mode: (target or None when reported only, what it measures)
FIRST_LOAD = {
    "first_load_new_tab_s": (FIRST_LOAD_TARGET_S, "a returning county official: a new tab of a browser that has "
                             "opened the app before (HTTP cache warm, a new Streamlit session), /?scope=<county>&"
                             "date=<not seen yet>, the county's map drawn; the target is judged on this one"),
    "first_load_new_context_s": (None, "a browser that never opened the app: a new browser context (cold HTTP "
                                 "cache, no cookies), same page; reported, not judged"),
}


def national_targets(backend: str) -> dict[str, tuple[float | None, str]]:
    """The national mode's figures with their targets on `backend`."""
    out = dict(FIRST_LOAD)
    for key, path, is_map, _ in NATIONAL_PAGES:
        drawn = ", map drawn" if is_map else ""
        out[f"national_{key}_scope_s"] = (
            NATIONAL_TARGET_S[backend], f"/{path} at a province, breadcrumb 全国 -> the whole country{drawn}")
        out[f"national_{key}_date_s"] = (
            NATIONAL_TARGET_S[backend], f"/{path} at the whole country, sidebar date -> a date not seen{drawn}")
    return out


#: a broken app, not a slow one (the report's and the tests' name for it)
AppBenchError = AppNotReady


@dataclass
class AppFigure:
    name: str
    runs: list[float]
    target: float | None     # None: reported, not judged
    what: str

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def ok(self) -> bool:
        return self.target is None or self.median <= self.target

    def to_json(self) -> dict:
        return {"median": round(self.median, 3), "min": round(min(self.runs), 3), "max": round(max(self.runs), 3),
                "n": len(self.runs), "unit": "s", "target": self.target, "op": "<=" if self.target else None,
                "pass": self.ok,
                "what": self.what, "runs": [round(r, 3) for r in self.runs]}


@dataclass
class AppBenchResult:
    figures: dict[str, AppFigure]
    info: dict = field(default_factory=dict)
    soak: SoakResult | None = None

    @property
    def missed(self) -> list[str]:
        missed = [f.name for f in self.figures.values() if not f.ok]
        if self.soak is not None and self.soak.peak_mb > RSS_TARGET_MB:
            missed.append("soak_rss_peak_mb")
        return missed

    @property
    def failures(self) -> list[str]:
        """What went wrong (not slow: broken): the soak's errors and stalls.  Non-empty: the command exits 1."""
        return self.soak.failures if self.soak is not None else []

    def to_json(self) -> dict:
        return {"figures": {k: f.to_json() for k, f in self.figures.items()}, "missed": self.missed,
                "failures": self.failures, "soak": self.soak.to_json() if self.soak else None, "info": self.info}



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
    return out


def _days(as_of: dt.date, step: int = 3) -> Iterator[str]:
    """Dates not seen before, going back from `as_of` (each figure at its own: the app's caches do not help)."""
    for k in range(1, 10**6):
        yield (as_of - dt.timedelta(days=step * k)).isoformat()


#: where a first load's time goes, read in the page after it is ready: the app's JavaScript and CSS loaded and run
#: (DOMContentLoaded of the page, after its module scripts ran) and the bytes fetched (0 for what the HTTP cache
#: served)
_FIRST_LOAD_PARTS_JS = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  const fetched = performance.getEntriesByType('resource').reduce((s, r) => s + (r.transferSize || 0), 0);
  return [n.domContentLoadedEventEnd / 1000, (n.transferSize + fetched) / 1024];
}"""


def measure_first_load(url: str, county: str, runs: int, as_of: dt.date, browser,
                       log: Callable[[str], None] | None = None,
                       parts: dict[str, dict[str, list[float]]] | None = None) -> dict[str, list[float]]:
    """First page load of a county official, `runs` times each way (see FIRST_LOAD): a new browser context, then
    a new tab of that same context (its HTTP cache filled by the first); each at a date not seen yet.  `parts`
    receives, per figure, the seconds until the app's scripts had run (``scripts_run_s``) and the kB fetched."""
    say = log or (lambda msg: None)
    out: dict[str, list[float]] = {name: [] for name in FIRST_LOAD}
    parts = parts if parts is not None else {}
    days = _days(as_of, step=5)
    for _ in range(runs):
        ctx = browser.new_context(viewport=VIEWPORT)
        try:
            for name in ("first_load_new_context_s", "first_load_new_tab_s"):
                page = ctx.new_page()
                page.set_default_timeout(ACTION_TIMEOUT_S * 1000)
                day = next(days)
                out[name].append(timed_action(
                    page, partial(page.goto, f"{url}/?scope={county}&date={day}", wait_until="commit"),
                    partial(wait_ready, page, params={"scope": county, "date": day}, map=True,
                            timeout_s=NATIONAL_TIMEOUT_S), map=False))
                scripts_s, kb = page.evaluate(_FIRST_LOAD_PARTS_JS)
                mine = parts.setdefault(name, {"scripts_run_s": [], "fetched_kb": []})
                mine["scripts_run_s"].append(round(scripts_s, 3))
                mine["fetched_kb"].append(round(kb))
                page.close()
        finally:
            ctx.close()
    for name, values in out.items():
        say(f"{name} {[round(v, 2) for v in values]} (scripts run after {parts[name]['scripts_run_s']} s, "
            f"{parts[name]['fetched_kb']} kB fetched)")
    return out


def measure_national(url: str, province: str, runs: int, as_of: dt.date, browser,
                     log: Callable[[str], None] | None = None) -> dict[str, list[float]]:
    """Every page at the national scope after a scope change (the breadcrumb from `province` up to 全国) and
    after a date change (the sidebar), `runs` times, each at a date not seen before (the app's query caches do
    not help).  Each page in a session of its own, opened (not timed) at the province."""
    say = log or (lambda msg: None)
    out: dict[str, list[float]] = {}
    days = _days(as_of)
    for _ in range(runs):
        for key, path, is_map, selectors in NATIONAL_PAGES:
            ctx = browser.new_context(viewport=VIEWPORT)
            try:
                page = ctx.new_page()
                page.set_default_timeout(ACTION_TIMEOUT_S * 1000)
                where = {"path": f"/{path}" if path else None, "selectors": selectors, "map": is_map,
                         "timeout_s": NATIONAL_TIMEOUT_S}
                day = next(days)
                page.goto(f"{url}/{path}?scope={province}&date={day}", wait_until="commit")
                wait_settled(page, params={"scope": province, "date": day}, **where)
                out.setdefault(f"national_{key}_scope_s", []).append(timed_action(
                    page, page.locator(".st-key-crumb_0 button").click,
                    partial(wait_ready, page, params={"scope": COUNTRY, "date": day}, **where), map=is_map))
                day = next(days)
                act = _set_date(page, dt.date.fromisoformat(day))
                out.setdefault(f"national_{key}_date_s", []).append(timed_action(
                    page, act, partial(wait_ready, page, params={"scope": COUNTRY, "date": day}, **where),
                    map=is_map))
            finally:
                ctx.close()
            say(f"national {key}: scope {out[f'national_{key}_scope_s'][-1]:.2f} s, "
                f"date {out[f'national_{key}_date_s'][-1]:.2f} s")
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


def _serve_and_measure(target: str | Path, info: dict, chromium: str, measure_pages: Callable,
                       soak: Callable | None, say: Callable[[str], None], tmp: Path,
                       script: str | Path = "app.py") -> tuple[dict[str, list[float]], SoakResult | None]:
    """Serve the app (or `script`) on `target`, run `measure_pages(url, browser)` and then `soak(app, log)`;
    AppBenchError on any failure, with the end of the server's output."""
    from playwright.sync_api import sync_playwright  # imported here: an optional dependency, checked

    log_path = tmp / "streamlit.log"
    try:
        with served_app(target, log_path, script) as app:
            info.update(server_pid=app.pid, server_start_s=round(app.start_s, 2))
            say(f"server up in {info['server_start_s']} s (pid {app.pid})")
            with sync_playwright() as p:
                browser = launch_chromium(p, chromium)
                try:
                    info["chromium"] = browser.version
                    times = measure_pages(app.url, browser)
                finally:
                    browser.close()
            if app.exit_code() is not None:
                raise AppBenchError(f"the app server exited (exit code {app.exit_code()})")
            soaked = soak(app, log_path) if soak else None
    except AppBenchError as e:
        raise AppBenchError(f"{e}{_server_tail(log_path)}") from e
    except Exception as e:   # Playwright (a detached frame, a closed page), the store, ...: the run died
        raise AppBenchError(f"{type(e).__name__}: {e}{_server_tail(log_path)}") from e
    return times, soaked


def _server_tail(log_path: Path) -> str:
    tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
    return f"\n--- streamlit output ---\n{tail}" if tail else ""


def geometry_counties() -> list[str]:
    """The counties the national store has village outlines for (as benchmarks.national.build_store picks
    them): six-digit county codes."""
    return [c[:6] for c in pick_geometry_counties(read_registry(), DEFAULT_GEOMETRY_COUNTIES)]


def run_app_bench(runs: int = 3, *, chromium: str = CHROMIUM, as_of: dt.date = ANCHOR,
                  log: Callable[[str], None] | None = None, national: bool = False, server: str | None = None,
                  store: str | None = None, soak_seconds: float = 0.0, sessions: int = 20) -> AppBenchResult:
    """Build the store, serve the app, time every action `runs` times, then (``soak_seconds`` > 0) the soak;
    the server is stopped and the scratch store removed on every path.

    `national`: serve the national benchmark's store (benchmarks.national.build_store: contracts in every
    county, 200,000 advisers), built first (its build time is in the info, not a figure), and time the national
    mode's figures (:func:`national_targets`).  `server`: a PostgreSQL server: the store is a scratch database
    there (benchmarks.scratch).  `store`: serve this store, built before by the same builder, instead of
    building one (a session that measures again and again)."""
    try:
        import playwright  # noqa: F401  # imported here: an optional dependency, checked
    except ImportError as e:
        raise AppBenchError(f"需要 playwright（pip install playwright） / playwright is not installed: {e}") from e
    if not Path(chromium).exists():
        raise AppBenchError(f"找不到浏览器 {chromium} / chromium not found at {chromium}")
    say = log or (lambda msg: None)
    runs = max(0, int(runs))      # 0: no page figures, the soak only
    backend = "postgresql" if (server or (store and is_postgres_url(store))) else "duckdb"
    t_all = time.perf_counter()
    info: dict = {"runs": runs, "as_of": as_of.isoformat(), "backend": backend,
                  "store": "national benchmark store" if national else "demo",
                  "date_change_by": "the sidebar date input (digits typed, applied by Tab out of it)",
                  "load_before": _load()}
    with tempfile.TemporaryDirectory(prefix="bench_app_") as tmp:
        scratch = None if store else scratch_stores(server, tmp)
        try:
            target = store or scratch.target(0)
            info["where"] = redact(str(target)) if store else scratch.where
            t0 = time.perf_counter()
            if not store:
                info.update(build_store(target, as_of=as_of) if national else {})
            with open_store(target) as opened:
                if not national and not store:
                    build_demo(opened)
                kids = opened.children(Scope(DEMO_PROVINCE), 2)
                villages = int(opened.totals(Scope(""), as_of).villages)
                counties = geometry_counties() if national else list(opened.children(Scope(DEMO_PROVINCE), 3)["code"])
                scopes = soak_scopes(opened, counties)
            built_s = time.perf_counter() - t0
            info["villages"] = villages
            if not store:
                info["store_build_s"] = round(built_s, 1)
            say(f"[{backend}] {'store' if national else 'demo'} {'reused' if store else 'built'} in "
                f"{built_s:.1f} s ({villages:,} villages)")
            cities = [(Scope.parse(c).digits, n) for c, n in zip(kids["code"], kids["name"])]
            county = scopes[3][0]
            if national:
                def measure_pages(url: str, browser) -> dict[str, list[float]]:
                    parts: dict = {}
                    first = measure_first_load(url, county, runs, as_of, browser, log=say, parts=parts)
                    info["first_load_parts"] = {name: {k: statistics.median(v) for k, v in p.items()}
                                                for name, p in parts.items()}
                    return {**first,
                            **measure_national(url, county[:2], runs, as_of, browser, log=say)}
            else:
                def measure_pages(url: str, browser) -> dict[str, list[float]]:
                    return measure(url, cities, runs, as_of, browser, log=say)

            def soak(app, log_path: Path) -> SoakResult:
                say(f"soak: {sessions} sessions for {soak_seconds:g} s")
                plan = SoakPlan(app.url, NAV_PATHS, scopes, as_of)
                return run_soak(plan, app, log_path, sessions=sessions, seconds=soak_seconds, chromium=chromium)

            if not runs:
                def measure_pages(url: str, browser) -> dict[str, list[float]]:
                    return {}
            times, soaked = _serve_and_measure(target, info, chromium, measure_pages,
                                               soak if soak_seconds > 0 else None, say, Path(tmp))
        finally:
            if scratch is not None:
                scratch.cleanup()
    targets = national_targets(backend) if national else TARGETS
    figures = {}
    if not national:
        figures["demo_build_s"] = AppFigure("demo_build_s", [built_s], *TARGETS["demo_build_s"])
    for name, values in times.items():
        figures[name] = AppFigure(name, values, *targets[name])
    info.update(machine_info(info.get("chromium")))
    info["total_s"] = round(time.perf_counter() - t_all, 1)
    return AppBenchResult(figures, info, soaked)


def _load() -> tuple[float, float, float] | None:
    try:
        return tuple(round(x, 2) for x in os.getloadavg())
    except (OSError, AttributeError):
        return None


# -- the report ---------------------------------------------------------------------------------------------
def _target_text(f: AppFigure) -> str:
    return "reported" if f.target is None else f"<= {f.target:g} s"


def _verdict(f: AppFigure) -> str:
    return "-" if f.target is None else ("PASS" if f.ok else "MISS  <--")


def _header(i: dict) -> list[str]:
    return [f"村居法律顾问覆盖图 app benchmark · {i.get('store', 'demo')} ({i.get('villages', 0):,} villages), "
            f"as of {i.get('as_of')}",
            f"machine: {i.get('cores')} cores, {i.get('memory_gb')} GB, Python {i.get('python')}, "
            f"Chromium {i.get('chromium')}, streamlit {i.get('streamlit')}, streamlit-folium "
            f"{i.get('streamlit-folium')}; load average {i.get('load_before')} before, {i.get('load_average')} after"]


def _notes(result: AppBenchResult) -> list[str]:
    i = result.info
    built = f"store built in {i['store_build_s']} s; " if "store_build_s" in i else ""
    lines = [f"  [{i.get('backend')}] {built}server start {i.get('server_start_s')} s; date changed by "
             f"{i.get('date_change_by')}; whole run {i.get('total_s')} s"]
    if any(name in result.figures for name in FIRST_LOAD):
        lines += [f"  {name}: {what}" for name, (_, what) in FIRST_LOAD.items()]
        for name, p in i.get("first_load_parts", {}).items():
            lines.append(f"  {name}: the app's scripts loaded and run after {p['scripts_run_s']:.2f} s (median), "
                         f"{p['fetched_kb']:,.0f} kB fetched; the rest is the page's first script run on the "
                         "server and drawing it")
    return lines


def format_table(result: AppBenchResult) -> str:
    """One line per figure: median, min, max, n, target and PASS / MISS, under the machine facts; the soak."""
    lines = [*_header(result.info), ""]
    w = max((len(k) for k in result.figures), default=6)
    lines.append(f"{'figure':<{w}}  {'median':>8}  {'min':>8}  {'max':>8}  {'n':>3}  {'target':>9}  result")
    for f in result.figures.values():
        lines.append(f"{f.name:<{w}}  {f.median:>7.2f}s  {min(f.runs):>7.2f}s  {max(f.runs):>7.2f}s  "
                     f"{len(f.runs):>3}  {_target_text(f):>9}  {_verdict(f)}")
    lines += ["", *_notes(result), ""]
    if result.soak is not None:
        lines += [format_soak(result.soak), ""]
    lines.append(_summary(result.missed, result.failures))
    return "\n".join(lines)


def _summary(missed: list[str], failures: list[str]) -> str:
    out = "all targets met / 全部达标" if not missed else f"targets missed / 未达标: {', '.join(missed)}"
    if failures:
        out += f"\nFAILED / 运行出错: {len(failures)} error(s) in the soak (listed above): exit 1"
    return out


def format_side_by_side(results: dict[str, AppBenchResult]) -> str:
    """Both stores from one run: each figure's median against its target on DuckDB and on PostgreSQL."""
    first = next(iter(results.values()))
    lines = [*_header(first.info), ""]
    names = list(dict.fromkeys(n for r in results.values() for n in r.figures))
    w = max((len(n) for n in names), default=6)
    lines.append(f"{'figure':<{w}}" + "".join(f"  {b:>10} {'target':>9} {'':<6}" for b in results))
    for name in names:
        row = f"{name:<{w}}"
        for r in results.values():
            f = r.figures.get(name)
            row += (f"  {f.median:>9.2f}s {_target_text(f):>9} {_verdict(f).split()[0]:<6}" if f
                    else f"  {'-':>10} {'':>9} {'':<6}")
        lines.append(row)
    lines.append("")
    for backend, r in results.items():
        lines += _notes(r) if backend == "postgresql" else _notes(r)[:1]
    for backend, r in results.items():
        if r.soak is not None:
            lines += ["", f"[{backend}] " + format_soak(r.soak)]
    lines.append("")
    for backend, r in results.items():
        lines.append(f"[{backend}] " + _summary(r.missed, r.failures))
    return "\n".join(lines)


def main(args) -> int:
    """CLI entry (``python -m geo bench --app``): prints the report, JSON with --json.

    Exits 0 when every run finished (missed targets are a report, not a failure), 1 when a run died (the app
    did not start or not get ready, a page raised, a frame detached, the server exited, ...) or the soak saw
    an error or a stall; the reason is printed."""
    as_json = bool(getattr(args, "json", False))
    runs = getattr(args, "runs", None)
    runs = 5 if runs is None else int(runs)      # --runs 0: the soak only
    national = bool(getattr(args, "national", False))
    log = None if as_json else (lambda msg: print(f"… {msg}", file=sys.stderr, flush=True))
    soak_seconds = getattr(args, "soak_seconds", None)
    options = {"national": national, "sessions": int(getattr(args, "sessions", None) or 20),
               "soak_seconds": float((300.0 if national else 0.0) if soak_seconds is None else soak_seconds)}
    server = server_url(getattr(args, "db", None))
    stores = {("postgresql" if is_postgres_url(s) else "duckdb"): s for s in (getattr(args, "app_store", None) or [])}
    # --db: both stores; else the stores --app-store names (DuckDB first), else a DuckDB one built here
    backends = (["duckdb", "postgresql"] if server
                else [b for b in ("duckdb", "postgresql") if b in stores] or ["duckdb"])
    results: dict[str, AppBenchResult] = {}
    died: dict[str, str] = {}
    for backend in backends:
        try:
            results[backend] = run_app_bench(runs=runs, log=log, store=stores.get(backend),
                                             server=server if backend == "postgresql" else None, **options)
        except Exception as e:   # a run died: report why, go on with the other store, exit 1
            died[backend] = str(e) if isinstance(e, AppBenchError) else f"{type(e).__name__}: {e}"
    if as_json:
        data = ({"backends": {b: r.to_json() for b, r in results.items()}} if len(backends) > 1
                else results[backends[0]].to_json() if results else {"figures": {}, "info": machine_info()})
        print(json.dumps({**data, "died": died}, ensure_ascii=False, indent=1))
    elif results:
        print(format_side_by_side(results) if len(backends) > 1 else format_table(next(iter(results.values()))))
    for backend, reason in died.items():
        print(f"app benchmark failed / 应用测速失败 [{backend}]: {reason}", file=sys.stderr if as_json else sys.stdout)
    return 1 if died or any(r.failures for r in results.values()) else 0
