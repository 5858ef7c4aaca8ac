"""Shared fixtures: a small hand-built store, the demo store (built once per test session) and headless Chromium
for the tests marked ``browser`` (skipped where it is missing, except in CI); the plugins below add the app's and
the import tests' own."""
from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.browser import CHROMIUM, launch_chromium
from geo.store import Store, open_store

# backends: the backend / new_store / any_demo_store fixtures (store tests run on both); fixtures_app: the app's
# (app_db, accounts_db, app_url); fixtures_stores: a store with 陕西省's registry (store)
pytest_plugins = ["backends", "fixtures_app", "fixtures_stores"]

# three villages in two townships of 周至县 plus their parents, as a registry would list them
SMALL_REGISTRY = pd.DataFrame(
    [("610000000000", "陕西省", 1), ("610100000000", "西安市", 2), ("610124000000", "周至县", 3),
     ("610124100000", "哑柏镇", 4), ("610124100201", "东村村委会", 5), ("610124100202", "西村村委会", 5),
     ("610124101000", "终南镇", 4), ("610124101001", "终南社区居委会", 5)],
    columns=["code", "name", "level"])


@pytest.fixture
def small_store(new_store) -> Store:
    """Three villages, on each backend."""
    store = new_store("small")
    with store.transaction() as cur:
        store.load_registry(SMALL_REGISTRY, cur)
    return store


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """Path of a demo database built once for the whole session (closed; open it read-only)."""
    from geo.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with open_store(path) as store:
        build_demo(store)
    return path


@pytest.fixture(scope="session")
def demo_store(demo_db) -> Store:
    store = open_store(demo_db, read_only=True)
    yield store
    store.close()


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium for one test module (tests using it are marked ``browser``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no chromium at {CHROMIUM}"
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed"
    return None


def pytest_runtest_setup(item):
    """A ``browser`` test is skipped where the browser is missing; in CI (.ci/run installs it) it fails."""
    if item.get_closest_marker("browser") and (missing := _browser_missing()):
        if os.environ.get("CI"):
            pytest.fail(f"{missing}: .ci/run must install Debian's chromium and requirements-dev.txt")
        pytest.skip(missing)


@pytest.fixture
def downloads(monkeypatch) -> "Downloads":
    """Every Streamlit download button created while the fixture is active, by file name (see Downloads)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    seen = Downloads()
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def add_static(self, path_or_data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if file_name and is_for_static_download:
            seen.static[file_name] = path_or_data
        return add(self, path_or_data, mimetype, coordinates, file_name, is_for_static_download)

    def add_later(self, data_callable, mimetype, coordinates, file_name=None, *, element_id=""):
        if file_name:
            seen.builders[file_name] = data_callable
        return add_deferred(self, data_callable, mimetype, coordinates, file_name, element_id=element_id)

    monkeypatch.setattr(MediaFileManager, "add", add_static)
    monkeypatch.setattr(MediaFileManager, "add_deferred", add_later)
    return seen


class Downloads(Mapping):
    """File name -> the file, built when asked for as a click builds it (the builder the page registered runs:
    the file is made and the export audited then).  ``static`` holds files a page built while it ran (none
    should be: every download is built when clicked)."""

    def __init__(self) -> None:
        self.builders: dict[str, Callable[[], bytes]] = {}
        self.static: dict[str, bytes] = {}

    def __getitem__(self, name: str) -> bytes:
        return self.builders[name]()

    def __iter__(self) -> Iterator[str]:
        return iter(self.builders)

    def __len__(self) -> int:
        return len(self.builders)


def pytest_configure(config):
    os.environ.setdefault("PYTHONHASHSEED", "0")
