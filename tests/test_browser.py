"""The real thing: the app served by Streamlit, opened in headless Chromium, at every map level.

Asserts that polygons are drawn, the legend shows, and that no request leaves the machine.  Drawing times are
recorded (printed), not asserted.  Needs Debian's chromium (.ci/run installs it); skipped elsewhere unless CI.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from geo.demo import ANCHOR

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("chromium is missing: .ci/run must install Debian's chromium")
    pytest.skip("no chromium on this machine", allow_module_level=True)

playwright = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(demo_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("browser") / "app.duckdb"
    shutil.copy(demo_db, db)
    port = free_port()
    env = {**os.environ, "VILLAGE_COVERAGE_DB": str(db)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not start:\n" + proc.stdout.read().decode(errors="replace")[-3000:])
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def leaflet_frame(page, timeout_s: float = 60):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for frame in page.frames:
            try:
                if frame.locator("path.leaflet-interactive").count() > 0:
                    return frame
            except Exception:
                pass
        time.sleep(0.2)
    raise AssertionError("no map polygons were drawn")


VIEWS = [
    ("0", "national"),         # provinces (0 = the whole country)
    ("61", "province"),        # cities of 陕西
    ("610124", "county"),      # townships of 周至县 (derived from village cells)
    ("610124101", "township"), # villages of 哑柏镇, coloured by status
]


@pytest.mark.parametrize("scope, level", VIEWS)
def test_map_draws_offline(app_url, browser, scope, level):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    t0 = time.perf_counter()
    page.goto(f"{app_url}/?scope={scope}&date={ANCHOR.isoformat()}&lang=zh", wait_until="domcontentloaded")
    frame = leaflet_frame(page)
    drawn_s = time.perf_counter() - t0
    n = frame.locator("path.leaflet-interactive").count()
    legend = frame.locator(".cov-legend").inner_text()
    print(f"\n[browser] {level}: {n} shapes drawn in {drawn_s:.2f} s")
    if level == "township":
        assert "已覆盖" in legend and "示意边界" in legend
    else:
        assert "覆盖率" in legend and "无数据" in legend
    assert n >= {"national": 31, "province": 10, "county": 20, "township": 10}[level]
    page.wait_for_timeout(1500)   # let late requests (fonts, tiles, telemetry) show themselves
    outside = [u for u in requests if urlsplit(u).scheme not in ("data", "blob", "about")
               and urlsplit(u).hostname not in LOCAL_HOSTS]
    assert outside == [], outside
    page.close()
