"""The store: the only part of the product that speaks SQL.

:func:`open_store` opens a deployment's store from a target: a file path (DuckDB, embedded, the default)
or, for a server, a ``postgresql://`` URL.  Everything else talks to the :class:`Store` interface.
"""
from __future__ import annotations

import os
from pathlib import Path

from geo.core.dates import as_date, month_ends
from geo.store.backends.postgres import PostgresStore, is_postgres_url
from geo.store.base import StoreError
from geo.store.batches import BatchInfo
from geo.store.registry import Division, RegistryChange
from geo.store.store import Store

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"
DEFAULT_DB = DATA_DIR / "coverage.duckdb"
DB_ENV = "VILLAGE_COVERAGE_DB"

__all__ = ["BatchInfo", "DB_ENV", "DEFAULT_DB", "Division", "RegistryChange", "Store", "StoreError", "as_date",
           "default_target", "month_ends", "open_store"]


def default_target() -> str:
    """$VILLAGE_COVERAGE_DB, else data/coverage.duckdb."""
    return os.environ.get(DB_ENV) or str(DEFAULT_DB)


def open_store(target: str | Path | None = None, *, read_only: bool = False, create: bool = True,
               shared: bool = False) -> Store:
    """The store at `target` (default :func:`default_target`): a ``postgresql://`` URL or a DuckDB file path.

    `shared` (the app): a DuckDB file is held read-only between writes, so other processes can read it.
    """
    from geo.store.backends.duckdb import DuckDBStore  # imported here: start-up time (duckdb)

    target = target or default_target()
    if is_postgres_url(target):
        return PostgresStore(str(target), read_only=read_only, create=create)

    return DuckDBStore(Path(target), read_only=read_only, create=create, shared=shared)
