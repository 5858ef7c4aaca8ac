"""The app under load: many browser sessions at once across every page at every level (``bench --app --soak-seconds``).

`sessions` browser contexts (one tab each, one Streamlit session each) of one headless Chromium act at once for
`seconds`, each as a user clicking around: another page of the navigation (the sidebar link), a level down (the
sidebar's selectbox), back up (the breadcrumb), another date (the sidebar date input), a click on a map polygon,
and now and then a link opened afresh at any level (country, province, city, county, township).  Each action
waits until the page is ready (:mod:`benchmarks.browser`).

Meanwhile the app server's memory (RSS of the streamlit process and its children, from /proc) is sampled every
few seconds.  Everything that goes wrong is collected: an exception shown on a page (Streamlit's exception
element), a JavaScript error, a crashed tab, a detached frame, a traceback in the server's output, a server that
exits, and an action that never got ready (a stall).  :attr:`SoakResult.failures` is what makes
``bench --app`` exit non-zero.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:      # the type only: this module's import stays light for the CLI
    from geo.store import Store

from .browser import CHROMIUM, CHROMIUM_FLAGS, EXCEPTION_TEXT_JS, READY_JS, VIEWPORT, ready_arg

#: the app server's memory target (issue 25): 20 sessions for 5 minutes
RSS_TARGET_MB = 1500.0
SAMPLE_EVERY_S = 3.0
#: the longest one action of the soak may take before it counts as a stall (20 sessions share the server)
SOAK_ACTION_TIMEOUT_S = 180.0
#: the sessions start spread over this long (at most a quarter of the soak)
RAMP_UP_S = 30.0
#: what a session does, with its weight
ACTIONS = (("page", 3), ("down", 3), ("up", 2), ("date", 2), ("map_click", 1), ("link", 1))


# -- the server's memory -------------------------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # the process name (field 2) may hold spaces and parentheses: the parent pid is the 2nd field after ')'
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            kids.append(int(entry.name))
    return kids


def rss_bytes(pid: int) -> int:
    """RSS of `pid` (VmRSS of /proc/<pid>/status), 0 when it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss_bytes(pid: int) -> int:
    """RSS of `pid` and of all its descendants."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += rss_bytes(p)
        todo.extend(_children(p))
    return total


class RssSampler(threading.Thread):
    """Samples the tree RSS of `pid` every `every_s` seconds until stopped: ``samples`` [(seconds, MB)]."""

    def __init__(self, pid: int, every_s: float = SAMPLE_EVERY_S):
        super().__init__(daemon=True)
        self.pid, self.every_s = pid, every_s
        self.samples: list[tuple[float, float]] = []
        self._stop_event = threading.Event()
        self._t0 = time.perf_counter()

    def run(self) -> None:
        while True:
            self.samples.append((round(time.perf_counter() - self._t0, 1), tree_rss_bytes(self.pid) / 2**20))
            if self._stop_event.wait(self.every_s):
                return

    def stop(self) -> list[tuple[float, float]]:
        self._stop_event.set()
        self.join()
        self.samples.append((round(time.perf_counter() - self._t0, 1), tree_rss_bytes(self.pid) / 2**20))
        return self.samples


def compact_series(samples: list[tuple[float, float]], points: int = 12) -> list[tuple[float, float]]:
    """At most `points` samples spread evenly over the run (first and last kept), for the report."""
    if len(samples) <= points:
        return list(samples)
    step = (len(samples) - 1) / (points - 1)
    return [samples[round(k * step)] for k in range(points)]


#: a traceback Streamlit logs and recovers from: a table it could not hand to Arrow as it was, shown after
#: converting its columns (slower, but shown)
ARROW_FIX = "Applying automatic fixes for column types"


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: what a traceback's frames start with: indentation, or the box of rich's tracebacks (logger.enableRich)
_FRAME_LINE = (" ", "\t", "│", "╭", "╰", "─")


def server_tracebacks(log_text: str) -> tuple[list[str], list[str]]:
    """The tracebacks in the server's output (plain or drawn by rich), each as its exception line: (errors,
    warnings), a warning being one Streamlit recovered from (:data:`ARROW_FIX`)."""
    errors, warnings = [], []
    lines = _ANSI.sub("", log_text).splitlines()
    for i, line in enumerate(lines):
        if "Traceback" in line and "(most recent call last)" in line:
            end = i + 1
            while end < len(lines) and (lines[end].startswith(_FRAME_LINE) or not lines[end].strip()):
                end += 1
            last = (lines[end] if end < len(lines) else lines[-1]).strip()[:400]
            (warnings if i and ARROW_FIX in lines[i - 1] else errors).append(last)
    return errors, warnings


# -- the result ----------------------------------------------------------------------------------------------
@dataclass
class SoakResult:
    sessions: int
    seconds: float
    samples: list[tuple[float, float]]               # (seconds since start, server RSS in MB)
    actions: dict[str, int] = field(default_factory=dict)       # done and ready, per kind
    action_s: list[float] = field(default_factory=list)         # seconds each ready action took
    errors: list[str] = field(default_factory=list)             # exceptions, crashes, tracebacks, a dead server
    stalls: list[str] = field(default_factory=list)             # actions not ready within the timeout
    warnings: list[str] = field(default_factory=list)           # server tracebacks Streamlit recovered from
    levels: dict[int, int] = field(default_factory=dict)         # scopes reached per level (0 country .. 5)
    load: tuple[float, float, float] | None = None

    @property
    def peak_mb(self) -> float:
        return max((mb for _, mb in self.samples), default=0.0)

    @property
    def failures(self) -> list[str]:
        """What makes the run a failure: every error, and every stall."""
        return self.errors + self.stalls

    def to_json(self) -> dict:
        times = sorted(self.action_s)
        return {"sessions": self.sessions, "seconds": self.seconds, "peak_rss_mb": round(self.peak_mb, 1),
                "rss_target_mb": RSS_TARGET_MB, "pass": self.peak_mb <= RSS_TARGET_MB and not self.failures,
                "rss_mb": [(s, round(mb, 1)) for s, mb in self.samples], "actions": self.actions,
                "action_median_s": round(times[len(times) // 2], 2) if times else None,
                "action_p90_s": round(times[int(len(times) * 0.9)], 2) if times else None,
                "levels": self.levels, "errors": self.errors, "stalls": self.stalls,
                "warnings": sorted(set(self.warnings)), "load_average": self.load}


def format_soak(r: SoakResult) -> str:
    j = r.to_json()
    series = ", ".join(f"{s:g}s {mb:,.0f}" for s, mb in compact_series(r.samples))
    verdict = "PASS" if r.peak_mb <= RSS_TARGET_MB else "MISS  <--"
    levels = ", ".join(f"L{k} {n}" for k, n in sorted(r.levels.items()))
    lines = [f"soak: {r.sessions} browser sessions at once for {r.seconds:g} s across every page and level; "
             f"load average {r.load}",
             f"  app server RSS (MB, streamlit and children): {series}",
             f"  soak_rss_peak_mb  {r.peak_mb:,.0f} MB  target <= {RSS_TARGET_MB:,.0f} MB  {verdict}",
             f"  actions ready: {sum(r.actions.values())} ({', '.join(f'{k} {n}' for k, n in r.actions.items())});"
             f" median {j['action_median_s']} s, p90 {j['action_p90_s']} s; scopes by level: {levels}"]
    lines.append(f"  errors: {len(r.errors)}" + "".join(f"\n    - {e}" for e in r.errors[:20]))
    warned = sorted(set(r.warnings))
    lines.append(f"  warnings (not failures): {len(r.warnings)}" + "".join(f"\n    - {w}" for w in warned[:10]))
    lines.append(f"  stalls (not ready within {SOAK_ACTION_TIMEOUT_S:g} s): {len(r.stalls)}"
                 + "".join(f"\n    - {e}" for e in r.stalls[:10]))
    return "\n".join(lines)


# -- one session ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SoakPlan:
    url: str
    paths: tuple[tuple[str, bool], ...]            # (url path without the slash, "" = the map; has a map)
    scopes: dict[int, list[str]]                   # level -> scope digits to open links at
    as_of: dt.date
    days_back: int = 720


_CLICK_POLYGON_JS = """
(k) => {
  const paths = [];
  const walk = (doc, dx, dy) => { for (const f of doc.querySelectorAll('iframe')) { try {
      const r = f.getBoundingClientRect(); const d = f.contentDocument; if (!d) continue;
      for (const p of d.querySelectorAll('path.leaflet-interactive')) paths.push([p, d, dx + r.left, dy + r.top]);
      walk(d, dx + r.left, dy + r.top); } catch (e) {} } };
  walk(document, 0, 0);
  if (!paths.length) return null;
  for (let i = 0; i < paths.length; i++) {
    const [p, d, ox, oy] = paths[(k + i) % paths.length];
    const r = p.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (d.elementFromPoint(x, y) === p && oy + y >= 0 && oy + y < window.innerHeight) return [ox + x, oy + y];
  }
  return null;
}
"""


class _Session:
    def __init__(self, n: int, browser, plan: SoakPlan, result: SoakResult, deadline: float, rng: random.Random):
        self.n, self.browser, self.plan, self.result, self.deadline, self.rng = n, browser, plan, result, deadline, rng
        self.path = ""

    def note_error(self, what: str) -> None:
        self.result.errors.append(f"session {self.n}: {what}"[:700])

    async def ready(self, page, what: str, **wanted) -> bool:
        """Wait until ready; False (noted) on a stall or an exception on the page."""
        # the map is not awaited: a unit without outlines has none, and the server's work is done by then
        wanted.setdefault("path", f"/{self.path}" if self.path else None)
        remaining = max(5.0, min(SOAK_ACTION_TIMEOUT_S, self.deadline + SOAK_ACTION_TIMEOUT_S - time.perf_counter()))
        t0 = time.perf_counter()
        try:
            handle = await page.wait_for_function(READY_JS, arg=ready_arg(**wanted), polling=250,
                                                  timeout=remaining * 1000)
            state = await handle.json_value()
        except Exception as e:   # a timeout, or the page/frame went away
            if type(e).__name__ == "TimeoutError":
                self.result.stalls.append(f"session {self.n}: {what} at {page.url} not ready after {remaining:.0f} s")
            else:
                self.note_error(f"{what} at {page.url}: {type(e).__name__}: {e}")
            return False
        if state == "exception":
            self.note_error(f"{what} at {page.url}: the page raised: {await page.evaluate(EXCEPTION_TEXT_JS)}")
            return False
        self.result.action_s.append(time.perf_counter() - t0)
        self.result.actions[what] = self.result.actions.get(what, 0) + 1
        scope = await page.evaluate("() => new URLSearchParams(location.search).get('scope') || ''")
        level = {0: 0, 2: 1, 4: 2, 6: 3, 9: 4}.get(len(scope), 5)
        self.result.levels[level] = self.result.levels.get(level, 0) + 1
        return True

    async def open_link(self, page) -> bool:
        level = self.rng.choice(sorted(self.plan.scopes))
        scope = self.rng.choice(self.plan.scopes[level])
        self.path = self.rng.choice(self.plan.paths)[0]
        day = self.plan.as_of - dt.timedelta(days=self.rng.randrange(self.plan.days_back))
        try:
            await page.goto(f"{self.plan.url}/{self.path}?scope={scope}&date={day.isoformat()}",
                            wait_until="commit", timeout=SOAK_ACTION_TIMEOUT_S * 1000)
        except Exception as e:
            if type(e).__name__ != "TimeoutError":
                raise
            self.result.stalls.append(f"session {self.n}: link {page.url} not answered after "
                                      f"{SOAK_ACTION_TIMEOUT_S:g} s")
            return False
        return await self.ready(page, "link", params={"scope": scope, "date": day.isoformat()})

    async def act(self, page, kind: str) -> bool:
        """One action of `kind`; False when it was not possible here (nothing to click) or did not get ready."""
        scope = await page.evaluate("() => new URLSearchParams(location.search).get('scope') || ''")
        if kind == "link":
            return await self.open_link(page)
        if kind == "page":
            others = [p for p, _ in self.plan.paths if p != self.path]
            target = self.rng.choice(others)
            link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{target or "map"}"]')
            if not await link.count():
                return False
            self.path = target
            await link.first.click()
            return await self.ready(page, "page")
        if kind == "up":
            crumbs = page.locator('[class*="st-key-crumb_"] button')
            n = await crumbs.count()
            if not n:
                return False
            await crumbs.nth(self.rng.randrange(n)).click()
            return await self.ready(page, "up", not_params={"scope": scope})
        if kind == "down":
            boxes = page.locator('[class*="st-key-w_pick_"] [role="combobox"]')
            n = await boxes.count()
            if not n:
                return False
            await boxes.nth(n - 1).click()
            options = page.get_by_role("option")
            await options.first.wait_for(state="visible", timeout=20_000)
            count = await options.count()
            if count < 2:
                await page.keyboard.press("Escape")
                return False
            await options.nth(self.rng.randrange(1, count)).click()     # option 0 is "all"
            return await self.ready(page, "down", not_params={"scope": scope})
        if kind == "date":
            day = self.plan.as_of - dt.timedelta(days=self.rng.randrange(self.plan.days_back))
            await page.locator(".st-key-w_date [role='spinbutton'][data-type='year']").focus()
            await page.keyboard.type(day.strftime("%Y%m%d"))
            await page.keyboard.press("Tab")
            await page.keyboard.press("Tab")
            return await self.ready(page, "date", params={"date": day.isoformat()})
        if kind == "map_click":
            if not dict(self.plan.paths).get(self.path):
                return False
            hit = await page.evaluate(_CLICK_POLYGON_JS, self.rng.randrange(1000))
            if not hit:
                return False
            await page.mouse.click(*hit)
            # a click on a unit opens it (the scope changes) or, on a village, selects it: wait for the run
            await asyncio.sleep(0.3)
            return await self.ready(page, "map_click", map=False)
        raise ValueError(kind)

    async def run(self, start_after_s: float = 0.0) -> None:
        await asyncio.sleep(start_after_s)
        ctx = await self.browser.new_context(viewport=VIEWPORT)
        page = await ctx.new_page()
        page.set_default_timeout(SOAK_ACTION_TIMEOUT_S * 1000)
        page.on("pageerror", lambda e: self.note_error(f"JavaScript error at {page.url}: {e}"))
        page.on("crash", lambda _: self.note_error(f"the tab crashed at {page.url}"))
        page.on("framedetached", lambda f: None)    # a rerun replaces the map's frame: normal, not an error
        kinds, weights = zip(*ACTIONS)
        try:
            ok = False
            while time.perf_counter() < self.deadline:
                # after an action that was not possible here or did not get ready: a fresh link
                kind = self.rng.choices(kinds, weights)[0] if ok else "link"
                try:
                    ok = await self.act(page, kind)
                except Exception as e:    # the page went away under a click, a frame detached, ...
                    self.note_error(f"{kind} at {page.url}: {type(e).__name__}: {str(e)[:400]}")
                    ok = False
        finally:
            await ctx.close()


async def _soak(plan: SoakPlan, sessions: int, seconds: float, chromium: str, result: SoakResult, seed: int,
                server) -> None:
    from playwright.async_api import async_playwright  # imported here: an optional dependency

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            deadline = time.perf_counter() + seconds
            # users arrive one after another, not all in the same millisecond (and 20 tabs starting at once on
            # two cores would time the browser, not the app)
            tasks = [asyncio.create_task(_Session(k, browser, plan, result, deadline, random.Random(seed + k)).run(
                min(RAMP_UP_S, seconds / 4) * k / max(1, sessions))) for k in range(sessions)]
            # a server that exits ends the soak at once (the sessions would only wait for it)
            while not all(t.done() for t in tasks):
                if server.exit_code() is not None:
                    for t in tasks:
                        t.cancel()
                    break
                await asyncio.wait(tasks, timeout=1.0)
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
            for k, outcome in enumerate(outcomes):
                if isinstance(outcome, BaseException) and not isinstance(outcome, asyncio.CancelledError):
                    result.errors.append(f"session {k} died: {type(outcome).__name__}: {str(outcome)[:400]}")
        finally:
            await browser.close()


def run_soak(plan: SoakPlan, server, log_path: Path, *, sessions: int = 20, seconds: float = 300.0,
             chromium: str = CHROMIUM, every_s: float = SAMPLE_EVERY_S, seed: int = 25) -> SoakResult:
    """`sessions` browser sessions on the served app (`server`: a :class:`benchmarks.browser.ServedApp`) for
    `seconds`, its memory sampled every `every_s` seconds; every error collected (see the module docstring)."""
    result = SoakResult(sessions, seconds, [])
    log_start = log_path.stat().st_size if log_path.exists() else 0
    sampler = RssSampler(server.pid, every_s)
    sampler.start()
    try:
        asyncio.run(_soak(plan, sessions, seconds, chromium, result, seed, server))
    finally:
        result.samples = sampler.stop()
        result.load = tuple(round(x, 2) for x in os.getloadavg())
    code = server.exit_code()
    if code is not None:
        result.errors.insert(0, f"the app server exited during the soak (exit code {code})")
    if log_path.exists():
        with open(log_path, "rb") as f:
            f.seek(log_start)
            errors, warnings = server_tracebacks(f.read().decode(errors="replace"))
        result.errors += [f"server traceback: {tb}" for tb in errors]
        result.warnings += [f"server traceback (Streamlit went on): {tb}" for tb in warnings]
    return result


# -- where the sessions go -----------------------------------------------------------------------------------
#: the pages of the app's navigation in open mode (ui/navigation.py; a test keeps the two in step): url path
#: ("" = the map, the default page) and whether it draws a map a session may click on
NAV_PATHS: tuple[tuple[str, bool], ...] = (("", True), ("gaps", False), ("summary", False), ("advisers", False),
                                           ("assess", False), ("imports", False))


def soak_scopes(store: Store, counties: list[str], per_level: int = 8, seed: int = 25) -> dict[int, list[str]]:
    """Scope digits to open links at, per level: the country, provinces, cities, and counties and townships
    among `counties` (division codes or digits of counties that have village outlines)."""
    from geo.core.codes import Scope  # imported here: keeps this module's import light for the CLI

    rng = random.Random(seed)
    county_digits = [str(c)[:6] for c in counties]

    def pick(xs: list[str]) -> list[str]:
        return rng.sample(xs, min(per_level, len(xs)))

    provinces = sorted({d[:2] for d in county_digits})
    cities = sorted({d[:4] for d in county_digits})
    towns: list[str] = []
    for d in pick(county_digits):
        kids = store.children(Scope(d))
        towns += [Scope.parse(c).digits for c in kids["code"]][:3]
    return {0: [""], 1: pick(provinces), 2: pick(cities), 3: pick(county_digits), 4: pick(towns)}
