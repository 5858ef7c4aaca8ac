"""The soak and the failure paths of ``bench --app`` (benchmarks/soak.py, benchmarks/browser.py), without a national
build: a tiny Streamlit script stands in for the app where what is tested is how a failure is caught (a page that
raises, a server that dies, a frame that detaches under the driver).  The browser tests are marked ``browser``.
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from benchmarks import app_pages, soak
from benchmarks.browser import PageRaised, launch_chromium, served_app, wait_ready


# -- memory, tracebacks, series (no browser) -----------------------------------------------------------------
def _ps_rss_mb(pids: list[int]) -> float:
    out = subprocess.run(["ps", "-o", "rss=", "-p", ",".join(map(str, pids))], capture_output=True, text=True)
    return sum(int(x) for x in out.stdout.split()) / 1024


def test_tree_rss_counts_the_children():
    # a shell whose child holds 200 MB: the tree's RSS has it, the shell's own does not; ps agrees
    hold = "b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096]); import time; time.sleep(60)"
    shell = subprocess.Popen(["sh", "-c", f'{sys.executable} -c "{hold}" & wait'])
    try:
        child = None
        for _ in range(200):
            kids = soak._children(shell.pid)
            if kids and soak.rss_bytes(kids[0]) > 200 * 2**20:
                child = kids[0]
                break
            time.sleep(0.1)
        assert child is not None
        tree_mb = soak.tree_rss_bytes(shell.pid) / 2**20
        assert soak.rss_bytes(shell.pid) / 2**20 < 50 < 200 < tree_mb
        assert abs(tree_mb - _ps_rss_mb([shell.pid, child])) < 5
    finally:
        for pid in soak._children(shell.pid):
            os.kill(pid, signal.SIGKILL)
        shell.kill()
        shell.wait()
    assert soak.rss_bytes(shell.pid) == 0


def test_server_tracebacks_tell_errors_from_what_streamlit_recovered_from():
    log = "\n".join([
        "2026-12-07 06:03:21.966 Serialization of dataframe to Arrow table was unsuccessful. "
        "Applying automatic fixes for column types to make the dataframe Arrow-compatible.",
        "Traceback (most recent call last):", '  File "x.py", line 1, in f', "    g()",
        "pyarrow.lib.ArrowTypeError: column 合同到期",
        "2026-12-07 06:04:00.000 Uncaught app exception",
        "Traceback (most recent call last):", '  File "pages/gaps.py", line 9, in <module>', "",
        "KeyError: 'scope'", "a later line"])
    rich = ("\x1b[31m──\x1b[0m \x1b[1;31mTraceback \x1b[0m\x1b[1;2;31m(most recent call last)\x1b[0m ──\n"
            "\x1b[31m \x1b[0m \x1b[2m/tmp/\x1b[0m\x1b[1mraise_app.py\x1b[0m:3 in <module>\n"
            "\x1b[31m────────\x1b[0m\n\x1b[1;91mRuntimeError: \x1b[0mbench test\n  Stopping...")
    errors, warnings = soak.server_tracebacks(log + "\n" + rich)
    assert errors == ["KeyError: 'scope'", "RuntimeError: bench test"]
    assert warnings == ["pyarrow.lib.ArrowTypeError: column 合同到期"]


def test_compact_series_keeps_first_last_and_spreads():
    samples = [(float(k), float(k * 10)) for k in range(101)]
    series = soak.compact_series(samples, points=11)
    assert series == [(float(k), float(k * 10)) for k in range(0, 101, 10)]
    assert soak.compact_series(samples[:5], points=11) == samples[:5]


def test_peak_and_failures():
    r = soak.SoakResult(3, 10.0, [(0.0, 200.0), (3.0, 1700.0), (6.0, 900.0)], stalls=["session 2: stall"],
                        errors=["session 1: the page raised: x"], warnings=["w", "w"])
    assert r.peak_mb == 1700.0 and r.failures == ["session 1: the page raised: x", "session 2: stall"]
    data = r.to_json()
    assert data["pass"] is False and data["peak_rss_mb"] == 1700.0 and data["warnings"] == ["w"]
    text = soak.format_soak(r)
    assert "1,700 MB" in text and "MISS" in text and "the page raised: x" in text


# -- failures caught in a browser ----------------------------------------------------------------------------
RAISES = "import streamlit as st\nst.write('before')\nraise RuntimeError('bench test: a page that raises')\n"
CALM = "import streamlit as st\nst.write('calm')\n"


def _script(tmp_path, text: str):
    path = tmp_path / "tiny_app.py"
    path.write_text(text)
    return path


def _plan(url: str) -> soak.SoakPlan:
    return soak.SoakPlan(url, (("", False),), {0: [""]}, dt.date(2026, 6, 30))


@pytest.mark.browser
def test_a_page_that_raises_is_caught_at_once(tmp_path):
    from playwright.sync_api import sync_playwright

    log = tmp_path / "streamlit.log"
    with served_app(tmp_path / "unused.duckdb", log, script=_script(tmp_path, RAISES)) as app:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                page = browser.new_page()
                page.goto(app.url, wait_until="commit")
                t0 = time.perf_counter()
                # the app shows no details (client.showErrorDetails = "none"): the server's output has them
                with pytest.raises(PageRaised, match="the page raised an exception .*encountered an error"):
                    wait_ready(page, params={"scope": "61"}, timeout_s=150)   # the URL never gets there
                assert time.perf_counter() - t0 < 140     # not a timeout: the exception ended the wait
            finally:
                browser.close()
        result = soak.run_soak(_plan(app.url), app, log, sessions=2, seconds=4, every_s=1)
    assert any(e.startswith("session ") and "the page raised" in e for e in result.errors), result.errors
    assert any("RuntimeError: bench test" in e for e in result.errors if e.startswith("server traceback"))
    assert result.failures and result.samples and result.peak_mb > 20


@pytest.mark.browser
def test_a_server_that_dies_ends_the_soak_as_a_failure(tmp_path):
    log = tmp_path / "streamlit.log"
    with served_app(tmp_path / "unused.duckdb", log, script=_script(tmp_path, CALM)) as app:
        threading.Timer(4.0, app.proc.kill).start()
        t0 = time.perf_counter()
        result = soak.run_soak(_plan(app.url), app, log, sessions=2, seconds=120, every_s=1)
        took = time.perf_counter() - t0
    assert took < 60                               # ended by the server's death, not by the clock
    assert result.errors[0] == "the app server exited during the soak (exit code -9)"
    assert result.failures
    # and the command says so and exits 1
    bench = app_pages.AppBenchResult({}, {"backend": "duckdb"}, result)
    assert bench.failures and "FAILED" in app_pages._summary(bench.missed, bench.failures)


@pytest.mark.browser
def test_a_detached_frame_under_the_driver_is_a_failure_with_the_reason(tmp_path):
    from playwright.sync_api import Error as PlaywrightError

    seen = {}

    def measure_pages(url, browser):
        seen["url"] = url
        raise PlaywrightError("Frame was detached")

    with pytest.raises(app_pages.AppBenchError, match="Error: Frame was detached") as caught:
        app_pages._serve_and_measure(tmp_path / "unused.duckdb", {}, app_pages.CHROMIUM, measure_pages, None,
                                     lambda msg: None, tmp_path, script=_script(tmp_path, CALM))
    assert seen["url"].startswith("http://127.0.0.1:")
    assert "streamlit output" in str(caught.value)
