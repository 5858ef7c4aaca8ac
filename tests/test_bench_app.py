"""benchmarks/app_pages.py (python -m geo bench --app) on the demo, once per action: every figure is measured.

Times are not asserted (they belong to the machine); what is checked is that each action reached "ready" and
was timed, and that the report and JSON carry every figure with its target.  The measuring tests are marked
``browser`` (Debian's chromium); the CLI wiring is checked without one.
"""
from __future__ import annotations

import json
import os

import pytest

from benchmarks import app_pages


@pytest.fixture(scope="module")
def result() -> app_pages.AppBenchResult:
    # A browser driving a live app on a busy 2-core machine can miss one UI transition (seen once in a CI
    # clone under load: a 90 s wait that never ended).  One more try tells a passing hiccup from a real break.
    try:
        return app_pages.run_app_bench(runs=1)
    except app_pages.AppBenchError as first:
        print(f"first attempt failed, trying once more: {first}")
        return app_pages.run_app_bench(runs=1)


@pytest.mark.browser
def test_every_figure_measured_once(result):
    assert list(result.figures) == list(app_pages.TARGETS)
    for name, fig in result.figures.items():
        assert len(fig.runs) == 1, name
        assert fig.runs[0] > 0, name
        assert fig.target == app_pages.TARGETS[name][0]


@pytest.mark.browser
def test_machine_facts(result):
    info = result.info
    assert info["cores"] >= 1 and info["memory_gb"] is not None
    assert info["python"].count(".") == 2
    assert info["chromium"] and info["chromium"][0].isdigit()
    assert info["villages"] > 10_000


@pytest.mark.browser
def test_server_is_stopped(result):
    # the server was killed by its PID at the end of the run
    with pytest.raises(ProcessLookupError):
        os.kill(result.info["server_pid"], 0)


@pytest.mark.browser
def test_report_and_json(result):
    text = app_pages.format_table(result)
    for name, fig in result.figures.items():
        line = next(row for row in text.splitlines() if row.startswith(name + " "))
        assert ("PASS" in line) == fig.ok and ("MISS" in line) == (not fig.ok)
    data = json.loads(json.dumps(result.to_json()))
    for fig in data["figures"].values():
        assert fig["n"] == 1 and fig["min"] == fig["median"] == fig["max"] > 0
        assert fig["pass"] == (fig["median"] <= fig["target"])
    assert data["missed"] == [k for k, f in data["figures"].items() if not f["pass"]]


def test_cli_flag_reaches_the_app_bench(monkeypatch, capsys):
    # the CLI wiring only; the measuring itself is covered above
    from geo import cli

    seen = {}

    def fake(runs, log=None, **options):
        seen["runs"] = runs
        return app_pages.AppBenchResult({"demo_build_s": app_pages.AppFigure("demo_build_s", [1.5], 60.0, "x")},
                                        {"cores": 2})

    monkeypatch.setattr(app_pages, "run_app_bench", fake)
    assert cli.main(["bench", "--app", "--json", "--runs", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert seen["runs"] == 2 and out["figures"]["demo_build_s"]["median"] == 1.5


def test_a_run_that_dies_exits_1_with_the_reason(monkeypatch, capsys):
    # once a run died with "Frame was detached" and the command still exited 0
    def broken(runs, log=None, **options):
        raise app_pages.AppBenchError("Error: Frame was detached")

    monkeypatch.setattr(app_pages, "run_app_bench", broken)
    assert app_pages.main(type("A", (), {"json": False, "runs": 1})()) == 1
    assert "Frame was detached" in capsys.readouterr().out


def test_an_unexpected_exception_exits_1_with_the_reason(monkeypatch, capsys):
    def broken(runs, log=None, **options):
        raise KeyError("scope")

    monkeypatch.setattr(app_pages, "run_app_bench", broken)
    assert app_pages.main(type("A", (), {"json": True, "runs": 1})()) == 1
    assert "KeyError" in capsys.readouterr().err


def test_soak_errors_exit_1_and_missed_targets_exit_0(monkeypatch, capsys):
    from benchmarks.soak import SoakResult

    def result_with(errors: list[str], peak_mb: float) -> app_pages.AppBenchResult:
        soak = SoakResult(2, 5.0, [(0.0, 100.0), (5.0, peak_mb)], errors=errors)
        return app_pages.AppBenchResult({"first_load_new_tab_s": app_pages.AppFigure(
            "first_load_new_tab_s", [9.0], 1.5, "x")}, {"cores": 2, "backend": "duckdb"}, soak)

    args = type("A", (), {"json": False, "runs": 1, "national": True, "soak_seconds": 5})()
    monkeypatch.setattr(app_pages, "run_app_bench", lambda runs, log=None, **o: result_with([], 2000.0))
    assert app_pages.main(args) == 0     # slow and big: a report, not a failure
    out = capsys.readouterr().out
    assert "soak_rss_peak_mb" in out and "MISS" in out and "first_load_new_tab_s" in out
    monkeypatch.setattr(app_pages, "run_app_bench",
                        lambda runs, log=None, **o: result_with(["session 1: the page raised: boom"], 200.0))
    assert app_pages.main(args) == 1
    out = capsys.readouterr().out
    assert "the page raised: boom" in out and "FAILED" in out


def test_national_flag_reaches_the_app_bench(monkeypatch, capsys):
    from geo import cli

    seen = {}

    def fake(runs, log=None, national=False, **options):
        seen.update(options, national=national, runs=runs)
        return app_pages.AppBenchResult(
            {"national_gaps_s": app_pages.AppFigure("national_gaps_s", [2.5], 5.0, "x")},
            {"cores": 2, "store": "national benchmark store"})

    monkeypatch.setattr(app_pages, "run_app_bench", fake)
    assert cli.main(["bench", "--app", "--national", "--runs", "1"]) == 0
    assert seen["national"] is True and "national benchmark store" in capsys.readouterr().out
    assert seen["soak_seconds"] == 300 and seen["sessions"] == 20 and seen["store"] is None
    assert cli.main(["bench", "--app", "--national", "--soak-seconds", "7", "--sessions", "3",
                     "--app-store", "/tmp/x.duckdb"]) == 0
    assert seen["soak_seconds"] == 7 and seen["sessions"] == 3 and seen["store"] == "/tmp/x.duckdb"
    assert cli.main(["bench", "--app", "--national", "--runs", "0"]) == 0 and seen["runs"] == 0   # the soak only


def test_db_runs_both_stores_side_by_side(monkeypatch, capsys):
    from geo import cli

    calls = []

    def fake(runs, log=None, server=None, store=None, **options):
        backend = "postgresql" if server or (store or "").startswith("postgresql:") else "duckdb"
        calls.append((backend, server, store))
        value = {"duckdb": 1.2, "postgresql": 2.4}[backend]
        return app_pages.AppBenchResult(
            {"national_gaps_scope_s": app_pages.AppFigure("national_gaps_scope_s", [value],
                                                          app_pages.NATIONAL_TARGET_S[backend], "x")},
            {"cores": 2, "backend": backend, "store": "national benchmark store"})

    monkeypatch.setattr(app_pages, "run_app_bench", fake)
    assert cli.main(["bench", "--app", "--national", "--db", "postgresql:///postgres"]) == 0
    assert calls == [("duckdb", None, None), ("postgresql", "postgresql:///postgres", None)]
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("national_gaps_scope_s"))
    assert row.split()[1:] == ["1.20s", "<=", "1.5", "s", "PASS", "2.40s", "<=", "2", "s", "MISS"]
    calls.clear()     # a store built before, on PostgreSQL only
    assert cli.main(["bench", "--app", "--national", "--app-store", "postgresql:///coverage_x"]) == 0
    assert calls == [("postgresql", None, "postgresql:///coverage_x")]


def test_every_page_of_the_navigation_is_timed_and_soaked(monkeypatch):
    # the pages a user of open mode (the benchmark's) sees in the navigation, from ui/navigation.py (st.Page
    # outside a running app keeps no url path: recorded instead)
    from types import SimpleNamespace

    from benchmarks.soak import NAV_PATHS
    from ui import navigation

    monkeypatch.setattr(navigation.st, "Page", lambda script, title, url_path, default=False, **kw:
                        SimpleNamespace(url_path="" if default else url_path))
    listed = {page.url_path for page in navigation.app_pages(None, "zh")}
    assert {path for _, path, *_ in app_pages.NATIONAL_PAGES} == listed
    assert {path for path, _ in NAV_PATHS} == listed
    for backend, target in app_pages.NATIONAL_TARGET_S.items():
        targets = app_pages.national_targets(backend)
        for key, *_ in app_pages.NATIONAL_PAGES:
            assert targets[f"national_{key}_scope_s"][0] == targets[f"national_{key}_date_s"][0] == target
        assert targets["first_load_new_tab_s"][0] == 1.5 and targets["first_load_new_context_s"][0] is None
