"""The app under test: the one helper that opens it on a page (AppTest), its own store, what a page shows (texts,
the map's arguments, the figures line), ``app_db`` (the copy of the demo that the app opens), the accounts of
``accounts_db`` and their login; and ``app_url``, the app served for real on a copy of the demo, for browser
tests.

A plugin of conftest.py (its fixtures are everyone's, its asserts rewritten); test modules import its helpers."""
from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from benchmarks.browser import served_app
from geo.auth import accounts
from geo.auth.access import OPEN, Role
from geo.core.codes import Scope
from geo.demo import ANCHOR
from geo.store import DB_ENV, Store, open_store
from geo.text.catalogue import md, t
from ui.state import get_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
DATE = ANCHOR.isoformat()

#: the accounts of ``accounts_db``: user name -> (role, jurisdiction, display name), all with PASSWORD
USERS = {"zzadmin": (Role.ADMIN, "610124", "周至县管理员"), "zzedit": (Role.EDITOR, "610124", "周至县录入员"),
         "ytview": (Role.VIEWER, "6102", "铜川市查看员"), "root": (Role.ADMIN, "", "部管理员")}
PASSWORD = "Zhouzhi-2026!pw"


def app_copy(source: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the database `source` in `folder` that the app opens (``$VILLAGE_COVERAGE_DB``): the app opens its
    store read-write, and DuckDB refuses a read-write connection to a file this process (demo_store) or another
    one already has open."""
    path = folder / "app.duckdb"
    shutil.copyfile(source, path)
    monkeypatch.setenv(DB_ENV, str(path))
    return path


@pytest.fixture
def app_db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo database that the app opens."""
    return app_copy(demo_db, tmp_path, monkeypatch)


@pytest.fixture
def accounts_db(app_db: Path) -> Path:
    """The demo copy the app opens, with the accounts of USERS."""
    with open_store(app_db) as store:
        for name, (role, scope, display) in USERS.items():
            accounts.add_account(store, OPEN, name, role, Scope(scope), PASSWORD, display_name=display)
    return app_db


@pytest.fixture(scope="module")
def app_url(demo_db: Path, tmp_path_factory) -> Iterator[str]:
    """``streamlit run app.py`` on a copy of the demo, for one test module: its address."""
    folder = tmp_path_factory.mktemp("served")
    db = folder / "app.duckdb"
    shutil.copy(demo_db, db)
    with served_app(db, folder / "streamlit.log") as app:
        yield app.url


def page_file(page: str) -> str:
    """"gaps" or "pages/gaps.py": the page's script, as AppTest.switch_page takes it."""
    return page if page.endswith(".py") else f"pages/{page}.py"


def open_page(page: str | None = None, *, timeout: float = 120, **params: str) -> AppTest:
    """The app run with the query parameters `params` (the link's scope, date, lang...), then switched to `page`
    (the map when None) and run again; it must have raised nothing."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page_file(page))
        at.run()
    assert_ok(at)
    return at


def assert_ok(at: AppTest) -> None:
    """The run raised nothing, and drew no bare expression (Streamlit's magic shows one as a help box)."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.get("help"), "a bare expression drawn by Streamlit's magic"


def app_store(path: Path) -> Store:
    """The app's own store on the database at `path` (one read-write connection per file and process)."""
    return get_store(str(path))


def log_in(at: AppTest, user: str, password: str = PASSWORD) -> AppTest:
    """Fill in the login form and press its button."""
    at.text_input(key="login_user").input(user)
    at.text_input(key="login_password").input(password)
    [submit] = [b for b in at.button if b.label == t("login.submit")]
    submit.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> list[str]:
    return [e.value for kind in ("markdown", "caption", "info", "warning", "title", "subheader")
            for e in getattr(at, kind)]


def folium_args(at: AppTest) -> dict:
    """The arguments of the page's one map component."""
    [el] = [e for e in at.main if type(e).__name__ == "UnknownElement"
            and getattr(e.proto, "component_name", "").endswith("st_folium")]
    return json.loads(el.proto.json_args)


def figures(store: Store, scope: str, date: str, lang: str = "zh") -> str:
    """The figures line a page shows for `scope` on `date`, from the store's counts."""
    c = store.totals(Scope.parse(scope), date)
    name = store.scope_name(Scope.parse(scope))
    return md("figures", lang, name=name, villages=f"{c.villages:,}", covered=f"{c.covered:,}",
              rate=f"{c.coverage_rate * 100:.1f}%", expiring=f"{c.expiring:,}", lapsed=f"{c.lapsed:,}",
              never=f"{c.never:,}")


# ------------------------------------------------------------------------------------------------------- browser

#: where a page of the served app may send requests
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


def leaflet_frame(page, timeout_s: float = 60):
    """The frame of the page that drew the map's polygons (waited for)."""
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
