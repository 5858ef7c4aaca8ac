"""Browser and server helpers shared by the app benchmark and every browser test.

Debian's chromium driven by Playwright (never Playwright's own browser download), the flags that keep it quiet
offline, a free port, ``streamlit run app.py`` on a database, and "ready" judged inside the page.

"Ready" means: the script run is over (``stApp`` reports ``notRunning``, the status widget is gone), the URL
carries the wanted parameters (Streamlit writes the query parameters during the run, so a URL that still shows
the old view means the run has not started yet), no element of the previous run is left (``data-stale``), the
wanted elements are there and, for a map, Leaflet polygons that were not on the page when
:func:`mark_old_polygons` last ran.

It lives here, not in tests/, because the benchmark is a command (``python -m geo bench --app``) that must run
without the test suite; the tests import it from here, and the library never does.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 900}
#: the longest any single action may take before the run is abandoned (a broken app, not a slow one)
ACTION_TIMEOUT_S = 90.0
SERVER_START_TIMEOUT_S = 90.0
TABLE = '[data-testid="stDataFrame"]'
#: what Streamlit draws for an exception the page raised (the full one, or the notice shown with
#: ``client.showErrorDetails = "none"``)
EXCEPTION = '[data-testid="stException"]'
CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'


class AppNotReady(RuntimeError):
    """The app could not be started or driven (not a slow app: a broken one)."""


def launch_chromium(playwright, chromium: str = CHROMIUM):
    """Headless Debian chromium through a started ``sync_playwright()``."""
    return playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)


# -- the server ---------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path | str, port: int, log_path: Path, script: str | Path = "app.py") -> subprocess.Popen:
    """``streamlit run <script>`` (the app by default) on `db` (a DuckDB file or a PostgreSQL URL), headless, bound
    to 127.0.0.1:`port`; output goes to `log_path`."""
    env = {**os.environ, "VILLAGE_COVERAGE_DB": str(db)}
    with open(log_path, "wb") as out:
        return subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
                                 "--server.port", str(port), "--server.address", "127.0.0.1"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_healthy(url: str, proc: subprocess.Popen, log_path: Path,
                 timeout_s: float = SERVER_START_TIMEOUT_S) -> float:
    """Seconds until ``/_stcore/health`` answers; AppNotReady with the server's output when it does not."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        if proc.poll() is not None:
            break
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return time.perf_counter() - t0
        except OSError:
            time.sleep(0.2)
    tail = log_path.read_text(errors="replace")[-3000:] if log_path.exists() else ""
    raise AppNotReady(f"streamlit did not start (exit code {proc.poll()}):\n{tail}")


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate the server by its PID, kill it when it does not stop within 15 s."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)



@dataclass(frozen=True)
class ServedApp:
    url: str
    pid: int
    start_s: float        # seconds until the server answered its health check
    proc: subprocess.Popen | None = None

    def exit_code(self) -> int | None:
        """None while the server runs, else its exit code (negative: the signal that ended it)."""
        return self.proc.poll() if self.proc is not None else None


@contextmanager
def served_app(db: Path | str, log_path: Path, script: str | Path = "app.py") -> Iterator[ServedApp]:
    """The app (or `script`) serving `db` on a free port of 127.0.0.1, healthy; stopped by its PID on every way
    out."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(db, port, log_path, script)
    try:
        yield ServedApp(url, proc.pid, wait_healthy(url, proc, log_path), proc)
    finally:
        stop_server(proc)


# -- readiness, judged inside the page  ----------------------------------------------------------------------
# Runs in the browser at every animation frame until it returns true.  Frames of the st_folium component are
# served from the app's own origin, so their documents are readable from the main page.
# A run that ended with an exception on the page is "ready" too (returns "exception"): the caller raises at once
# instead of waiting for content that will never come.
_READY_JS = """
(w) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector(EXCEPTION_SELECTOR)) return 'exception';
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(w.params)) { if (q.get(k) !== v) return false; }
  for (const [k, v] of Object.entries(w.not_params)) { if (q.get(k) === v) return false; }
  if (w.path !== null && location.pathname.replace(/\\/$/, '') !== w.path) return false;
  for (const sel of w.selectors) { if (!document.querySelector(sel)) return false; }
  if (w.map) {
    const docs = [];
    const walk = (doc) => { for (const f of doc.querySelectorAll('iframe')) {
      try { if (f.contentDocument) { docs.push(f.contentDocument); walk(f.contentDocument); } } catch (e) {} } };
    walk(document);
    if (!docs.some(d => d.querySelector('path.leaflet-interactive:not([data-bench-old])'))) return false;
  }
  return true;
}
"""

# Marks every polygon now on the page, so that "ready" can ask for polygons drawn after the action.
_MARK_OLD_JS = """
() => {
  const walk = (doc) => {
    for (const p of doc.querySelectorAll('path.leaflet-interactive')) p.setAttribute('data-bench-old', '1');
    for (const f of doc.querySelectorAll('iframe')) { try { if (f.contentDocument) walk(f.contentDocument); }
      catch (e) {} } };
  walk(document);
}
"""


def mark_old_polygons(page) -> None:
    """Mark every map polygon now on the page: a later :func:`wait_ready` with ``map=True`` wants new ones."""
    page.evaluate(_MARK_OLD_JS)


def ready_arg(params: dict[str, str] | None = None, not_params: dict[str, str] | None = None,
              path: str | None = None, selectors: tuple[str, ...] = (), map: bool = False) -> dict:
    """The argument of ``READY_JS``."""
    return {"params": params or {}, "not_params": not_params or {}, "path": path, "selectors": list(selectors),
            "map": map}


#: the text of every exception element on the page (empty: none)
EXCEPTION_TEXT_JS = ("() => Array.from(document.querySelectorAll('" + EXCEPTION.replace("'", "\\'") + "'))"
                     ".map(e => e.innerText.slice(0, 600)).join(' | ')")
READY_JS = _READY_JS.replace("EXCEPTION_SELECTOR", repr(EXCEPTION))


class PageRaised(AppNotReady):
    """The page showed an exception (Streamlit's exception element)."""


#: how long a ready page must stay ready before an untimed wait hands it to the next action
SETTLE_S = 0.5


def wait_settled(page, **where) -> None:
    """:func:`wait_ready`, then ready again after :data:`SETTLE_S`: the app's first run of a new session may be
    followed by a second (its view state's), and a click landing between the two is lost (the national run
    then waited 300 s for a scope change that never came, twice on PostgreSQL, whose runs are longer).  For the
    untimed waits before an action only: a timed wait ends at the first ready."""
    wait_ready(page, **where)
    page.wait_for_timeout(SETTLE_S * 1000)
    wait_ready(page, **where)


def wait_ready(page, *, params: dict[str, str] | None = None, not_params: dict[str, str] | None = None,
               path: str | None = None, selectors: tuple[str, ...] = (), map: bool = False,
               timeout_s: float = ACTION_TIMEOUT_S) -> None:
    """Block until the page is ready in the sense of the module docstring (see ``_READY_JS``); PageRaised when
    the run ended with an exception on the page, AppNotReady (with what was awaited) after `timeout_s`."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # imported here: an optional dependency

    arg = ready_arg(params, not_params, path, selectors, map)
    try:
        state = page.wait_for_function(READY_JS, arg=arg, polling="raf", timeout=timeout_s * 1000).json_value()
    except PlaywrightTimeout as e:
        raise AppNotReady(f"page not ready after {timeout_s:g} s at {page.url} (waited for {arg})") from e
    if state == "exception":
        raise PageRaised(f"the page raised an exception at {page.url}: {page.evaluate(EXCEPTION_TEXT_JS)}")

