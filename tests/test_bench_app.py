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

    def fake(runs, log=None):
        seen["runs"] = runs
        return app_pages.AppBenchResult({"demo_build_s": app_pages.AppFigure("demo_build_s", [1.5], 60.0, "x")},
                                        {"cores": 2})

    monkeypatch.setattr(app_pages, "run_app_bench", fake)
    assert cli.main(["bench", "--app", "--json", "--runs", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert seen["runs"] == 2 and out["figures"]["demo_build_s"]["median"] == 1.5


def test_failure_is_reported_and_exit_0(monkeypatch, capsys):
    def broken(runs, log=None):
        raise app_pages.AppBenchError("streamlit did not start")

    monkeypatch.setattr(app_pages, "run_app_bench", broken)
    assert app_pages.main(type("A", (), {"json": False, "runs": 1})()) == 0
    assert "streamlit did not start" in capsys.readouterr().out


def test_national_flag_reaches_the_app_bench(monkeypatch, capsys):
    from geo import cli

    seen = {}

    def fake(runs, log=None, national=False):
        seen["national"] = national
        return app_pages.AppBenchResult(
            {"national_gaps_s": app_pages.AppFigure("national_gaps_s", [2.5], 5.0, "x")},
            {"cores": 2, "store": "national benchmark store"})

    monkeypatch.setattr(app_pages, "run_app_bench", fake)
    assert cli.main(["bench", "--app", "--national", "--runs", "1"]) == 0
    assert seen["national"] is True and "national benchmark store" in capsys.readouterr().out


def test_every_page_has_a_national_figure():
    pages = {path for _, path, *_ in app_pages.NATIONAL_PAGES}
    assert pages == {"", "summary", "gaps", "advisers", "imports"}
    assert all(f"national_{key}_s" in app_pages.TARGETS for key, *_ in app_pages.NATIONAL_PAGES)
