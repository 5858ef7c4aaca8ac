"""What every query module of the store stands on: the connection, transactions, reading, and the meta table.

Every read takes a :class:`~geo.core.codes.Scope` (a division-code prefix) and an as-of date, so jurisdiction limits
and history come for free.  Codes are BIGINT in the tables (fast joins and prefix arithmetic: the county of a
village is ``idiv(village, 10^6) * 10^6``) and 12-character strings in everything returned.

A backend (:mod:`geo.store.backends.duckdb`, :mod:`geo.store.backends.postgres`) implements only the primitives at
the bottom of :class:`StoreBase`: a cursor per thread, a transaction, running a statement, reading a frame, and
offering a DataFrame to the statements of a block as a table.  The SQL is shared: ``idiv(a, b)`` is integer
division, parameters are ``$name`` (or ``?`` in order), and nothing engine-specific is used.

Writes run inside :meth:`StoreBase.transaction`: anything raised rolls every change back, and the derived tables
are rebuilt before the commit (:meth:`StoreBase._refresh_derived`), so no writer can leave them stale.

The topic modules (registry, contracts, coverage ...) each hold a class of named methods deriving from
:class:`StoreBase`; :class:`geo.store.store.Store` is their composition.
"""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

import pandas as pd

from geo.core.codes import LEVEL_ENDS, to_str
from geo.core.errors import UserError
from geo.privacy.idcards import scrub_id_numbers
from geo.text.formats import mapped_per_text

#: a statement's parameters: by name ($name) or in order (?)
Params = Mapping[str, Any] | Sequence[Any] | None
#: a backend's handle to run statements on (a DuckDB cursor, a psycopg connection)
Cursor = Any


class StoreError(UserError):
    """A problem with the store the user can act on (missing database, unknown scope, file in use ...)."""


@dataclass
class Changes:
    """What a write transaction changed that the derived tables depend on.

    Every named write method says which counties it touched (possibly none) and what it touched: contracts and
    villages (the coverage spans, and the served spans built on them) or only service records (the service
    tables).  A transaction in which no named write did (raw SQL in a test, a bulk load) rebuilds everything for
    the whole country, to be safe.
    """

    known: bool = False
    counties: set[int] = field(default_factory=set)             # 6-digit county numbers: coverage changed
    service_counties: set[int] = field(default_factory=set)     # service records changed
    everything: bool = False
    appended_batches: set[int] = field(default_factory=set)     # service records added by these batches
    services_removed: bool = False                               # service records deleted
    contract_villages: set[int] = field(default_factory=set)    # 12-digit villages whose contracts alone changed

    @property
    def only_appended_services(self) -> bool:
        """Nothing changed but service records added: the service tables can be extended, not rebuilt."""
        return (self.known and not self.everything and not self.counties and not self.services_removed
                and bool(self.appended_batches))

    def add(self, counties: Iterable[int] | None, derived: str | None = "coverage",
            appended: Iterable[int] | None = None, villages: Iterable[int | str] = ()) -> None:
        """`appended`: for service records, the batches that only added them (anything else, a removal).
        `villages`: with derived "contracts", the villages whose contracts (and nothing else) changed."""
        self.known = True
        if counties is None:
            if derived is not None:
                self.everything = True
        elif derived == "contracts":
            self.contract_villages.update(int(v) for v in villages)
        elif derived == "coverage":
            self.counties.update(int(c) for c in counties)
        elif derived == "services":
            self.service_counties.update(int(c) for c in counties)
        if derived == "services":
            if appended is None:
                self.services_removed = True
            else:
                self.appended_batches.update(int(b) for b in appended)

    @property
    def whole_country(self) -> bool:
        return self.everything or not self.known


# -- helpers the topic modules share ------------------------------------------------------------------------
def scrubbed(frame: pd.DataFrame, columns: Sequence[str],
             scrub: Callable[[str], str] = scrub_id_numbers) -> pd.DataFrame:
    """`frame` with ID-card numbers (or what `scrub` removes) taken out of its text `columns` (those it has);
    each distinct text is looked at once (a national load repeats organisations and kinds thousands of times)."""
    out = frame.copy()
    for col in columns:
        if col not in out.columns:
            continue
        out[col] = out[col].astype(object)
        scrubbed_column = mapped_per_text(out[col], scrub)
        if scrubbed_column is not None:
            out[col] = scrubbed_column
    return out


def counties_of(codes: Iterable[Any]) -> set[int]:
    """The 6-digit county numbers of 12-digit codes (str or int)."""
    if isinstance(codes, pd.Series) and pd.api.types.is_integer_dtype(codes):
        return set((codes // 10**6).unique().tolist())
    return {int(c) // 10**6 for c in codes}


def level_width(level: int) -> int:
    """10^(12 - digits of `level`): integer-divide a BIGINT code by this to cut it to that level."""
    return 10 ** (12 - LEVEL_ENDS[level - 1])


class StoreBase(ABC):
    """Transactions, reads and the meta table of one deployment's store; the backend primitives it needs."""

    read_only: bool = False
    #: "duckdb" or "postgresql"
    backend: str = ""
    #: where the store lives, fit to show (a file path, or a URL without its password)
    target: str = ""
    #: whether reads may use coverage_spans (False for a read-only store written before the spans existed)
    _spans: bool = True
    #: whether reads may use service_days (None: not looked up yet; see ``_service_days_ready``)
    _service_days: bool | None = None

    # -- life cycle ---------------------------------------------------------------------------------------
    def __enter__(self) -> StoreBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """All-or-nothing: anything raised inside rolls every change back.

        Before the commit the coverage spans are refreshed for the counties the transaction touched (the whole
        country only when it is not known what changed), so no writer leaves them stale and two imports for
        different counties do not redo each other's work.
        """
        local = self._tx_local()
        local.changes = Changes()
        local.audit = []
        try:
            with self._begin() as cur:
                local.cur = cur
                yield cur
                self._refresh_derived(cur, local.changes)
                # last, so that other writers wait for the chain's turn only while this one commits
                self._append_audit(cur, local.audit)
        finally:
            local.changes = local.cur = local.audit = None
        self._spans = self._service_days = True

    @contextmanager
    def quiet_transaction(self) -> Iterator[Cursor]:
        """A write transaction that touches no contract or village: nothing to refresh at its commit."""
        with self.transaction() as cur:
            self._changed(cur, (), derived=None)
            yield cur

    def _tx_local(self) -> threading.local:
        local = self.__dict__.get("_tx_state")
        if local is None:
            local = self.__dict__.setdefault("_tx_state", threading.local())
        return local

    def _changed(self, cur: Cursor, counties: Iterable[int] | None = (), *, derived: str | None = "coverage",
                 appended: Iterable[int] | None = None, villages: Iterable[int | str] = ()) -> None:
        """Record that the current transaction changed `counties` (6-digit numbers; None = anywhere) and hold
        them against other writers until it ends.  `derived`: what the commit refreshes for them: "coverage"
        (contracts or villages changed: the coverage spans and what is built on them), "services" (only service
        records changed: the service tables; `appended` names the batches when records were only added, which
        lets the commit extend the tables instead of rebuilding them), "contracts" (only the contracts of
        `villages` changed: their coverage and served spans and their counties' counts are refreshed, not the
        whole counties' nor the service days), or None (nothing derived depends on it)."""
        wanted = None if counties is None else sorted(set(counties))
        changes = getattr(self._tx_local(), "changes", None)
        if changes is not None:
            changes.add(wanted, derived, appended, villages)
        if wanted is None or wanted:
            self._lock_counties(cur, wanted)

    if TYPE_CHECKING:   # defined by the topics (one definition of each name: tests/test_store.py)
        def _refresh_derived(self, cur: Cursor, changes: Changes) -> None:
            """Bring the derived tables up to date with `changes` before the commit (geo.store.derived)."""

        def _append_audit(self, cur: Cursor, rows: list[dict[str, Any]]) -> None:
            """Write the audit rows gathered during the transaction (geo.store.audit)."""

    # -- reading ------------------------------------------------------------------------------------------
    def cursor(self) -> Cursor:
        """The handle this thread reads with: its open transaction's, else its own read cursor."""
        tx = getattr(self._tx_local(), "cur", None)
        return tx if tx is not None else self._read_cursor()

    @contextmanager
    def reading(self, cur: Cursor | None = None) -> Iterator[Cursor]:
        """A handle to read with for the block: `cur` when given (inside a transaction), else :meth:`cursor`,
        held against a change of connection (the DuckDB file shared with other processes) until the block ends."""
        if cur is not None or getattr(self._tx_local(), "cur", None) is not None:
            yield cur if cur is not None else self._tx_local().cur
            return
        with self._read_gate():
            yield self._read_cursor()

    def _read_gate(self) -> AbstractContextManager[Any]:
        return nullcontext()

    def _q_rows(self, sql: str, params: Params = None, cur: Cursor | None = None) -> list[tuple[Any, ...]]:
        with self.reading(cur) as c:
            return self._rows(c, sql, params)

    def _q_frame(self, sql: str, params: Params = None, cur: Cursor | None = None) -> pd.DataFrame:
        with self.reading(cur) as c:
            return self._frame(c, sql, params)

    def _ordered_groups_frame(self, sql: str, params: Params = None) -> pd.DataFrame:
        """:meth:`_q_frame` of a statement grouping many rows that arrive, or can be read, in group order (the
        server's backend groups them as they come; DuckDB's hash is fast enough)."""
        return self._q_frame(sql, params)

    def query(self, sql: str, params: Params = None) -> pd.DataFrame:
        """Raw SQL for tests and benchmarks that look inside the store; the product calls named methods."""
        return self._q_frame(sql, params)

    def scalar(self, sql: str, params: Params = None) -> Any:
        """Raw SQL, first column of the first row (tests and benchmarks only)."""
        rows = self._q_rows(sql, params)
        return rows[0][0] if rows else None

    def execute(self, cur: Cursor, sql: str, params: Params = None) -> None:
        """A raw statement inside a transaction, in the shared SQL (``$name`` / ``?`` parameters): for tests that
        build odd states; the product writes through named methods only."""
        self._run(cur, sql, params)

    def _one(self, sql: str, params: Params = None, cur: Cursor | None = None) -> Any:
        rows = self._q_rows(sql, params, cur)
        return rows[0][0] if rows else None

    def _codes_frame(self, sql: str, params: Params = None, cur: Cursor | None = None,
                     columns: Sequence[str] = ("code",)) -> pd.DataFrame:
        """A frame whose BIGINT code columns are turned into 12-digit strings."""
        df = self._q_frame(sql, params, cur)
        for col in columns:
            df[col] = df[col].map(to_str)
        return df

    # -- meta ---------------------------------------------------------------------------------------------
    def get_meta(self, key: str, cur: Cursor | None = None) -> str | None:
        return self._one("SELECT value FROM meta WHERE key = $key", {"key": key}, cur)

    def set_meta(self, key: str, value: str, cur: Cursor) -> None:
        self._run(cur, "INSERT INTO meta (key, value) VALUES ($key, $value) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", {"key": key, "value": value})

    def delete_meta(self, key: str, cur: Cursor) -> None:
        self._run(cur, "DELETE FROM meta WHERE key = $key", {"key": key})

    def meta_setdefault(self, key: str, value: str) -> str:
        """The stored value of `key`; `value` is stored first when there is none (two processes asking at
        once both get the one that was stored first)."""
        stored = self.get_meta(key)
        if stored is not None:
            return stored
        with self.quiet_transaction() as cur:
            self._run(cur, "INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO NOTHING",
                      {"key": key, "value": value})
            return str(self.get_meta(key, cur))

    # -- backend primitives -------------------------------------------------------------------------------
    @abstractmethod
    def _read_cursor(self) -> Cursor:
        """This thread's own read handle."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _begin(self) -> AbstractContextManager[Cursor]:
        """A write handle inside a transaction: committed when the block ends, rolled back if it raises."""

    @abstractmethod
    def _run(self, cur: Cursor, sql: str, params: Params = None) -> None: ...

    @abstractmethod
    def _rows(self, cur: Cursor, sql: str, params: Params = None) -> list[tuple[Any, ...]]: ...

    @abstractmethod
    def _frame(self, cur: Cursor, sql: str, params: Params = None) -> pd.DataFrame: ...

    def _text_frame(self, cur: Cursor, sql: str, params: Params = None) -> pd.DataFrame:
        """A result of many rows with text columns (the national register's 200,000 people): text as the ``str``
        dtype; a column of whole numbers with a NULL may come as floats.  A backend that would otherwise make a
        Python object of every value reads it another way."""
        return self._frame(cur, sql, params)

    def _numbers_frame(self, cur: Cursor, sql: str, params: Params, dtypes: dict[str, str]) -> pd.DataFrame:
        """A result of numbers only, its columns those of `dtypes` in order (integers, NULL only where the dtype
        is a nullable one such as ``Int64``; floats), as a frame of those dtypes without a second copy of it.  A
        backend that would otherwise make a Python object of every value reads it another way."""
        df = self._frame(cur, sql, params)
        return pd.DataFrame({c: df[c].astype(t) for c, t in dtypes.items()}, copy=False)

    @abstractmethod
    def _new_ids(self, cur: Cursor, n: int) -> list[int]:
        """`n` fresh adviser ids."""

    def _ids_used(self, cur: Cursor, highest: int) -> None:  # noqa: B027 - optional hook
        """Ids up to `highest` were given by the caller (a bulk load): :meth:`_new_ids` must not give them."""

    def _lock_counties(self, cur: Cursor, counties: Sequence[int] | None) -> None:  # noqa: B027 - optional hook
        """Make other writers of the same counties wait until this transaction ends (a backend with one writer
        at a time needs nothing)."""

    def _analyze(self, cur: Cursor, table: str) -> None:  # noqa: B027 - optional hook
        """Gather the planner's statistics of `table`, just filled inside the transaction (a backend that plans
        without them needs nothing)."""

    def _lock_audit(self, cur: Cursor) -> None:  # noqa: B027 - optional hook
        """Make other appenders to the audit trail wait until this transaction ends (a backend with one writer
        at a time needs nothing)."""

    @abstractmethod
    def _table(self, cur: Cursor, name: str, frame: pd.DataFrame) -> AbstractContextManager[None]:
        """`frame` readable as table `name` by the statements run on `cur` inside the block."""

    def _insert_rows(self, cur: Cursor, table: str, frame: pd.DataFrame) -> None:
        """Append the rows of `frame` to `table` (columns by name, values cast to the table's types).  A server
        backend copies them straight into the table, without a staging table to insert from."""
        columns = ", ".join(frame.columns)
        with self._table(cur, f"incoming_{table}", frame):
            self._run(cur, f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming_{table}")
