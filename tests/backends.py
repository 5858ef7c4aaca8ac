"""The store backends a store test runs on: DuckDB always; PostgreSQL where a server can be reached.

A test takes the ``backend`` fixture (or ``new_store``) and is run once per backend.  PostgreSQL tests use
``$VILLAGE_COVERAGE_TEST_PG`` (default ``postgresql:///postgres``, the local socket), a server on which the tests
may create and drop databases; each store gets a database of its own.  Without a server they are skipped
locally; in CI (``CI=true``) a missing server fails them, so a green CI always means both backends passed.
"""
from __future__ import annotations

import os
import uuid
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from geo.store import Store, open_store

PG_ENV = "VILLAGE_COVERAGE_TEST_PG"
BACKENDS = ("duckdb", "postgresql")


def admin_url() -> str:
    return os.environ.get(PG_ENV) or "postgresql:///postgres"


@lru_cache(maxsize=1)
def postgres_available() -> str | None:
    """None when the test server answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(admin_url(), autocommit=True, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except Exception as e:  # any failure means: no server for the tests
        return f"{type(e).__name__}: {e}".strip()
    return None


def require(backend: str) -> None:
    if backend == "postgresql" and (why := postgres_available()):
        message = f"no PostgreSQL server for the tests at {admin_url()} ({why})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def database_url(name: str) -> str:
    """The URL of database `name` on the test server."""
    parts = urlsplit(admin_url())
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme}://{parts.netloc}/{name}{query}"     # urlunsplit drops the // of a socket URL


def create_database() -> str:
    import psycopg

    name = f"coverage_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class StoreMaker:
    """Opens fresh stores of one backend; every one it made is closed (and its database dropped) at the end."""

    def __init__(self, backend: str, folder: Path):
        self.backend, self.folder = backend, folder
        self.stores: list[Store] = []
        self.databases: list[str] = []

    def target(self, name: str = "store") -> str:
        if self.backend == "duckdb":
            return str(self.folder / f"{name}.duckdb")
        self.databases.append(create_database())
        return database_url(self.databases[-1])

    def __call__(self, name: str = "store", **options) -> Store:
        store = open_store(self.target(name), **options)
        self.stores.append(store)
        return store

    def close(self) -> None:
        for store in self.stores:
            store.close()
        for name in self.databases:
            drop_database(name)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    require(request.param)
    return request.param


@pytest.fixture
def new_store(backend, tmp_path):
    maker = StoreMaker(backend, tmp_path)
    yield maker
    maker.close()


@pytest.fixture(scope="session", params=BACKENDS)
def any_demo_store(request, tmp_path_factory):
    """The demo, built once per backend for the whole session (read it, do not write)."""
    from geo.demo import build_demo

    require(request.param)
    maker = StoreMaker(request.param, tmp_path_factory.mktemp(f"demo_{request.param}"))
    store = maker("demo")
    build_demo(store)
    yield store
    maker.close()
