"""The embedded backend: one DuckDB file, the default for a county bureau and the demo.

A Streamlit server is one process with many threads.  The store keeps one DuckDB connection and hands each
thread its own cursor (``con.cursor()``), which DuckDB documents as the thread-safe way to share a database;
each write transaction runs on a fresh cursor.  DuckDB allows one read-write process per file: another process
(the CLI beside the running app) gets a clear :class:`StoreError`.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

from .base import SPANS_META, SPANS_VERSION, Params, Store, StoreError
from .schema import DUCKDB_TYPES, tables_sql

#: integer division under the name the shared SQL uses (PostgreSQL's `/` on integers)
_MACROS = "CREATE OR REPLACE TEMP MACRO idiv(a, b) AS a // b"


def _not_a_database(path: Path) -> StoreError:
    return StoreError(f"{path} 不是本软件的数据库文件（DuckDB） / {path} is not a database file of this tool (DuckDB)")


class DuckDBStore(Store):
    backend = "duckdb"

    def __init__(self, path: str | Path, *, read_only: bool = False, create: bool = True):
        self.path = Path(path)
        self.target = str(self.path)
        if not create and not self.path.exists():
            raise StoreError(f"数据库不存在：{self.path}（先运行 python -m geo demo 或 init） / "
                             f"database not found: {self.path} (run `python -m geo demo` or `init` first)")
        if self.path.is_dir():
            raise StoreError(f"{self.path} 是文件夹，不是数据库文件 / {self.path} is a folder, not a database file")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as e:
            if "lock" not in str(e).lower():
                raise _not_a_database(self.path) from None
            raise StoreError(f"数据库 {self.path} 正被另一个程序（如正在运行的应用）占用，请先停止它或使用副本 / "
                             f"database {self.path} is in use by another process (e.g. the running app); stop it "
                             f"or work on a copy") from None
        except duckdb.Error:
            raise _not_a_database(self.path) from None
        self._local = threading.local()
        self.read_only = read_only
        if not read_only:
            self._con.execute(tables_sql(DUCKDB_TYPES))
            self._upgrade()
        self._spans = self.get_meta(SPANS_META) == SPANS_VERSION

    def _new_cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self._con.cursor()
        cur.execute(_MACROS)
        return cur

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._new_cursor()
            self._local.cur = cur
        return cur

    def close(self) -> None:
        self._con.close()

    @contextmanager
    def _begin(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self._new_cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        else:
            cur.execute("COMMIT")
        finally:
            cur.close()

    def checkpoint(self) -> None:
        self.cursor().execute("CHECKPOINT")

    def _run(self, cur, sql: str, params: Params = None) -> None:
        cur.execute(sql, params or {}).fetchall()

    def _rows(self, cur, sql: str, params: Params = None) -> list[tuple]:
        return cur.execute(sql, params or {}).fetchall()

    def _frame(self, cur, sql: str, params: Params = None) -> pd.DataFrame:
        return cur.execute(sql, params or {}).df()

    @contextmanager
    def _table(self, cur, name: str, frame: pd.DataFrame) -> Iterator[None]:
        cur.register(name, frame)
        try:
            yield
        finally:
            cur.unregister(name)
