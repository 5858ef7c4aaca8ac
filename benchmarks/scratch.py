"""Where a benchmark builds its stores: new DuckDB files in a temporary folder, or new databases on a
PostgreSQL server that the bench creates and drops.  Nothing that existed before is opened, and a server's
password is never shown (:attr:`ScratchStores.where` is the URL without it).
"""
from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Protocol

from geo.core.errors import UserError
from geo.store.backends.postgres import (
    configure_database,
    create_scratch_database,
    drop_scratch_database,
    is_postgres_url,
    redact,
)


class ScratchStores(Protocol):
    backend: str
    where: str

    def target(self, k: int) -> str:
        """The target of a new, empty store number `k`."""

    def discard(self, k: int) -> None:
        """Remove store `k` (closed by the caller)."""

    def cleanup(self) -> None:
        """Remove every store made."""


class DuckDBScratch:
    backend = "duckdb"

    def __init__(self, workdir: str | Path | None = None):
        self._tmp = tempfile.TemporaryDirectory(prefix="geo-bench-", dir=workdir)
        self.root = Path(self._tmp.name)
        self.where = str(self.root)

    def target(self, k: int) -> str:
        return str(self.root / f"bench{k}.duckdb")

    def discard(self, k: int) -> None:
        for suffix in ("", ".wal"):
            Path(f"{self.target(k)}{suffix}").unlink(missing_ok=True)

    def cleanup(self) -> None:
        self._tmp.cleanup()


class PostgresScratch:
    """Databases ``coverage_bench_<random>_<k>`` on the server of `server_url` (which needs the right to
    create databases), each with the settings a deployment gives its database
    (:data:`geo.store.backends.postgres.DATABASE_SETTINGS`); all of them are dropped by :meth:`cleanup`."""

    backend = "postgresql"

    def __init__(self, server_url: str, workdir: str | Path | None = None):
        self.server = server_url
        self.prefix = f"coverage_bench_{uuid.uuid4().hex[:10]}"
        self.where = f"{redact(server_url)} (scratch databases {self.prefix}_*)"
        self.made: list[str] = []

    def _name(self, k: int) -> str:
        return f"{self.prefix}_{k}"

    def target(self, k: int) -> str:
        url = create_scratch_database(self.server, self._name(k))
        self.made.append(self._name(k))
        configure_database(self.server, self._name(k))     # as a deployment configures its database
        return url

    def discard(self, k: int) -> None:
        if self._name(k) in self.made:
            drop_scratch_database(self.server, self._name(k))
            self.made.remove(self._name(k))

    def cleanup(self) -> None:
        for name in list(self.made):
            drop_scratch_database(self.server, name)
            self.made.remove(name)


class NotAServer(UserError):
    """`bench --db` names something other than a PostgreSQL server."""


def server_url(raw: str | None) -> str | None:
    """The PostgreSQL URL `bench --db` was given (None: DuckDB only); a file path is refused: the bench builds
    its own stores and never opens a deployment's."""
    if raw is None:
        return None
    raw = raw.strip()
    if not is_postgres_url(raw):
        raise NotAServer(f"--db 需要 PostgreSQL 服务器地址（postgresql://...），测速会在其上新建并删除临时数据库 / "
                         f"--db takes a PostgreSQL server URL (postgresql://...), on which the benchmark creates and "
                         f"drops scratch databases; it never opens a file: '{redact(raw)}'")
    return raw


def scratch_stores(server: str | None, workdir: str | Path | None = None) -> ScratchStores:
    """DuckDB files without `server`, else databases on it."""
    return PostgresScratch(server, workdir) if server else DuckDBScratch(workdir)
