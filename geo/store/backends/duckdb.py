"""The embedded backend: one DuckDB file, the default for a county bureau and the demo.

A Streamlit server is one process with many threads.  The store keeps one DuckDB connection and hands each
thread its own cursor (``con.cursor()``), which DuckDB documents as the thread-safe way to share a database;
each write transaction runs on a fresh cursor.  DuckDB lets several processes read a file, or one process
write it: the app therefore holds the file read-only and takes it read-write only while it writes, so the CLI's
read commands work beside it; a process that cannot get the file gets a clear :class:`StoreError`.
"""
from __future__ import annotations

import threading
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from geo.store.base import Cursor, Params, StoreError
from geo.store.derived import SPANS_META, SPANS_VERSION
from geo.store.schema import DUCKDB_TYPES, tables_sql
from geo.store.store import Store

#: integer division under the name the shared SQL uses (PostgreSQL's `/` on integers)
_MACROS = "CREATE OR REPLACE TEMP MACRO idiv(a, b) AS a // b"


class NotADatabase(StoreError):
    """The file is there but is not a DuckDB database (another file, or a damaged one)."""


def _not_a_database(path: Path) -> StoreError:
    return NotADatabase(key="store.e.not_a_database", params={"db": path})


class _Gate:
    """Many readers or one writer; a thread that already reads may read again while a writer waits."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._mine = threading.local()

    @contextmanager
    def shared(self) -> Iterator[None]:
        depth = getattr(self._mine, "depth", 0)
        if not depth:
            with self._cond:
                self._cond.wait_for(lambda: not self._writing)
                self._readers += 1
        self._mine.depth = depth + 1
        try:
            yield
        finally:
            self._mine.depth = depth
            if not depth:
                with self._cond:
                    self._readers -= 1
                    self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writing)
            self._writing = True
            self._cond.wait_for(lambda: self._readers == 0)
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class DuckDBStore(Store):
    """A DuckDB file.  With `shared` (what the app uses) the file is held read-only between writes, so the CLI's
    read commands can open it while the app runs; otherwise it is held read-write (or read-only) throughout."""

    backend = "duckdb"

    def __init__(self, path: str | Path, *, read_only: bool = False, create: bool = True, shared: bool = False
                 ) -> None:
        self.path = Path(path)
        self.target = str(self.path)
        if not create and not self.path.exists():
            raise StoreError(key="store.e.not_found", params={"db": self.path})
        if self.path.is_dir():
            raise StoreError(key="store.e.folder", params={"db": self.path})
        self.read_only = read_only
        self.shared = False             # until the schema is made and upgraded, on the one connection
        self._local = threading.local()
        self._gate = _Gate()
        self._writer = threading.Lock()
        self._generation = 0
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = self._connect(read_only=False)
            self._con.execute(tables_sql(DUCKDB_TYPES))
            self._upgrade()
            if shared:
                self._con.close()
                self._reopen_reader()
                self.shared = True
        else:
            self._con = self._connect(read_only=True)
        self._spans = self.get_meta(SPANS_META) == SPANS_VERSION

    def _connect(self, *, read_only: bool) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as e:
            if "lock" not in str(e).lower():
                raise _not_a_database(self.path) from None
            raise StoreError(key="store.e.in_use", params={"db": self.path}) from None
        except duckdb.Error as e:
            if "different configuration" in str(e):    # this process holds it already, in the other mode
                raise StoreError(key="store.e.other_mode", params={"db": self.path}) from None
            raise _not_a_database(self.path) from None

    def _new_cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self._con.cursor()
        cur.execute(_MACROS)
        return cur

    def _read_cursor(self) -> duckdb.DuckDBPyConnection:
        held = getattr(self._local, "cur", None)
        if held is None or held[0] != self._generation:
            held = (self._generation, self._new_cursor())
            self._local.cur = held
        return held[1]

    def close(self) -> None:
        self._con.close()

    @contextmanager
    def _begin(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if not self.shared:
            # one writer at a time within the process as well: two DuckDB transactions would otherwise both
            # read the same highest adviser id, or abort each other on a write conflict
            with self._writer, self._transaction_on(self._con) as cur:
                yield cur
            return
        # the file is held read-only so that other processes can read it; it is taken read-write (which no
        # other process may then open) for the length of the write only, once no read of this process is open
        with self._gate.exclusive():
            self._con.close()
            try:
                writer = self._connect(read_only=False)
            except BaseException:
                self._reopen_reader()
                raise
            try:
                with self._transaction_on(writer) as cur:
                    yield cur
            finally:
                writer.close()
                self._reopen_reader()

    @contextmanager
    def _transaction_on(self, con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = con.cursor()
        cur.execute(_MACROS)
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

    def _reopen_reader(self) -> None:
        self._con = self._connect(read_only=True)
        self._generation += 1

    def _read_gate(self) -> AbstractContextManager[Any]:
        return self._gate.shared() if self.shared else super()._read_gate()

    def checkpoint(self) -> None:
        self.cursor().execute("CHECKPOINT")

    def _run(self, cur: Cursor, sql: str, params: Params = None) -> None:
        cur.execute(sql, params or {}).fetchall()

    def _rows(self, cur: Cursor, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        return cur.execute(sql, params or {}).fetchall()

    def _frame(self, cur: Cursor, sql: str, params: Params = None) -> pd.DataFrame:
        return cur.execute(sql, params or {}).df()

    def _text_frame(self, cur: Cursor, sql: str, params: Params = None) -> pd.DataFrame:
        # through Arrow: .df() makes a Python string of every text value and pandas then copies them into Arrow
        # again (the national register's people: 0.7 s, through Arrow 0.35 s)
        return cur.sql(sql, params=params or {}).to_arrow_table().to_pandas()

    def _new_ids(self, cur: Cursor, n: int) -> list[int]:
        first = int(self._rows(cur, "SELECT coalesce(max(adviser_id), 0) + 1 FROM advisers")[0][0])
        return list(range(first, first + n))     # writers take turns (_begin): nobody else takes these

    @contextmanager
    def _table(self, cur: Cursor, name: str, frame: pd.DataFrame) -> Iterator[None]:
        cur.register(name, frame)
        try:
            yield
        finally:
            cur.unregister(name)
