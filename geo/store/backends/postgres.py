"""The server backend: PostgreSQL (and PostgreSQL-compatible databases) through the standard driver, psycopg.

Several app processes and the CLI share one database.  Each thread reads through its own autocommit
connection (every statement sees the latest committed data); each write transaction gets a connection of its
own.  Only plain PostgreSQL SQL is used, so KingbaseES, openGauss or PolarDB can serve it too.

The password in a URL never leaves this module: :attr:`target` and every error message show it as ``***``.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import threading
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator, Sequence
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import csv as pa_csv

from geo.store.base import Cursor, Params, StoreError
from geo.store.derived import SPANS_META, SPANS_VERSION
from geo.store.schema import POSTGRES_INDEXES, POSTGRES_STATISTICS, POSTGRES_TYPES, tables_sql
from geo.store.sql import rules
from geo.store.store import Store

#: read connections of ended threads kept for the next threads (the rest are closed)
IDLE_READERS = 8

_FUNCTIONS = """
CREATE OR REPLACE FUNCTION idiv(a bigint, b bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT a / b';
CREATE SEQUENCE IF NOT EXISTS adviser_seq;
"""
_BOUNDARY_VIEW = """
CREATE OR REPLACE VIEW village_boundaries AS
SELECT CAST(g.code AS VARCHAR(12)) AS code, d.name, t.name AS township, c.name AS county, g.schematic,
       ST_SetSRID(ST_GeomFromWKB(g.geom), 4326)::geometry(Geometry, 4326) AS geom
FROM village_geoms g
LEFT JOIN divisions d ON d.code = g.code
LEFT JOIN divisions t ON t.code = idiv(g.code, 1000) * 1000
LEFT JOIN divisions c ON c.code = idiv(g.code, 1000000) * 1000000
"""
WORK_MEM = "64MB"
#: a session's cache of its temporary tables (taken as used, up to this).  The default 8 MB held none of a national
#: month's service append (three tables of 500,000 rows, 25 MB each): every step read them back from the OS
TEMP_BUFFERS = "128MB"
#: every session's settings.  The server's default work_mem (4 MB) turns joins over a county's or a province's
#: rows into spills and nested loops.  JIT compilation is off: the planner cannot estimate how many units a
#: grouping by code prefix (idiv) yields, takes the national summary for a query of a billion rows and spends
#: about a second compiling it (measured: 0.85-1.4 s of a 2.1 s summary), far more than it saves
SESSION_SETTINGS = (f"SET work_mem = '{WORK_MEM}'", "SET jit = off", f"SET temp_buffers = '{TEMP_BUFFERS}'")
#: a write of more counties than this takes the whole-country lock instead of one per county: each lock held is a
#: slot of the server's shared lock table (max_locks_per_transaction x max_connections: 6,400 by default), which a
#: national month of service records (2,900 counties) half filled, so that two at once failed "out of shared memory"
MAX_COUNTY_LOCKS = 100
#: advisory lock keys: schema changes (app processes starting together), whole-country writes, and one per county
_SCHEMA_LOCK = 4_200_617
_WHOLE_COUNTRY_LOCK = 4_200_618
_COUNTY_LOCK_BASE = 4_300_000_000
#: appends to the audit trail take turns: each chains to the row before it
_AUDIT_LOCK = 4_200_619


def is_postgres_url(target: object) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


def redact(url: str) -> str:
    """The URL with its password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def _scrub(message: str, url: str) -> str:
    password = urlsplit(url).password
    return message.replace(password, "***") if password else message


#: PostgreSQL's type oid of DATE
_DATE_OID = 1082
#: PostgreSQL type oids -> the Arrow types :meth:`PostgresStore._text_frame` reads them as (any other: text)
_ARROW_TYPES = {16: pa.bool_(), 20: pa.int64(), 21: pa.int64(), 23: pa.int64(), 700: pa.float64(), 701: pa.float64(),
                1700: pa.float64(), _DATE_OID: pa.date32()}


def _dates_as_datetimes(df: pd.DataFrame, description: Sequence[Any]) -> pd.DataFrame:
    """`df` with its DATE columns (by the statement's `description`) as datetime64, as DuckDB returns them."""
    for d in description:
        if d.type_code == _DATE_OID:
            df[d.name] = pd.to_datetime(df[d.name]).astype("datetime64[us]")
    return df


@lru_cache(maxsize=1024)
def _pg_sql(sql: str) -> str:
    """The shared SQL's parameters ($name, ?) in psycopg's style; literal % doubled."""
    out = sql.replace("%", "%%")
    out = re.sub(r"\$([A-Za-z_]\w*)", r"%(\1)s", out)
    return out.replace("?", "%s")


def _pg_params(params: Params) -> dict[str, Any] | list[Any]:
    if params is None:
        return {}   # not None: psycopg then reads the query's %% as the literal % it stands for
    if isinstance(params, dict):
        return {k: _plain(v) for k, v in params.items()}
    return [_plain(v) for v in params]


def _plain(value: Any) -> Any:
    """numpy scalars as the Python values psycopg knows."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _column_type(series: pd.Series) -> str:
    kind = series.dtype.kind
    if kind == "b" or str(series.dtype) == "boolean":
        return "BOOLEAN"
    if kind in "iu" or str(series.dtype) in ("Int64", "Int32", "Int16"):
        return "BIGINT"
    if kind == "f":
        return "DOUBLE PRECISION"
    if kind == "M":
        return "DATE"
    sample = next((v for v in series if v is not None and not (isinstance(v, float) and np.isnan(v))), None)
    if isinstance(sample, (bytes, bytearray, memoryview)):
        return "BYTEA"
    if isinstance(sample, dt.date):
        return "DATE"
    if isinstance(sample, bool):
        return "BOOLEAN"
    if isinstance(sample, int):
        return "BIGINT"
    return "TEXT"


def _cell(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return _plain(value)


#: COPY's text format: a null, and the characters a text value must escape (backslash first)
_NULL = "\\N"
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
#: rows per COPY message: big enough that the per-call overhead vanishes, small enough to bound memory
COPY_CHUNK_ROWS = 200_000


def _escaped(text: str) -> str:
    for raw, escaped in _ESCAPES:
        if raw in text:
            text = text.replace(raw, escaped)
    return text


def _text_value(value: Any) -> str:
    """One value of an object column in COPY's text format."""
    value = _cell(value)
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, float):
        return repr(value)
    return _escaped(str(value))


def _text_column(series: pd.Series) -> list[str]:
    """A column in COPY's text format, a whole column at a time where its dtype allows (a national load writes
    millions of rows: a Python call per value was most of its time)."""
    dtype = series.dtype
    null = series.isna().to_numpy()
    if dtype.kind == "b" or str(dtype) == "boolean":
        out = np.where(series.fillna(False).to_numpy(dtype=bool), "t", "f").astype(object)
    elif dtype.kind in "iu":
        out = series.fillna(0).to_numpy(dtype="int64").astype(str).astype(object)
    elif dtype.kind == "f":
        out = np.array([repr(v) for v in series.fillna(0).to_numpy(dtype="float64").tolist()], dtype=object)
    elif dtype.kind == "M" and isinstance(dtype, np.dtype):
        out = series.to_numpy().astype("datetime64[D]").astype(str).astype(object)
    else:
        return _text_by_value(series)
    out[null] = _NULL
    return out.tolist()


def _text_by_value(series: pd.Series) -> list[str]:
    """Text, categories, dates or bytes: each distinct value converted once (a log repeats its modes and
    categories)."""
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:           # values that cannot be hashed (a memoryview)
        return [_text_value(v) for v in series.tolist()]
    words = np.array([*(_text_value(v) for v in uniques), _NULL], dtype=object)
    return words[codes].tolist()      # the sentinel -1 picks the null at the end


def copy_text(frame: pd.DataFrame, chunk_rows: int = COPY_CHUNK_ROWS) -> Iterator[bytes]:
    """`frame` as the data of ``COPY ... FROM STDIN`` (text format), in chunks of `chunk_rows` rows."""
    for start in range(0, len(frame), chunk_rows):
        part = frame.iloc[start:start + chunk_rows]
        columns = [_text_column(part[c]) for c in part.columns]
        yield ("\n".join(map("\t".join, zip(*columns))) + "\n").encode()


class PostgresStore(Store):
    backend = "postgresql"

    def __init__(self, url: str, *, read_only: bool = False, create: bool = True) -> None:
        import psycopg  # imported here: start-up time

        self._psycopg = psycopg
        self._url = url
        self.target = redact(url)
        self._local = threading.local()
        self._all: list[tuple[threading.Thread, Cursor]] = []     # each thread's read connection
        self._idle: list[Cursor] = []                                # those of ended threads, for the next ones
        self._lock = threading.Lock()
        self.read_only = read_only
        conn = self.cursor()      # a server that cannot be reached is a StoreError here (see _connect)
        self.postgis = False
        if not read_only:
            self._create_schema()
        elif not conn.execute("SELECT to_regclass('meta') IS NOT NULL").fetchall()[0][0]:
            raise StoreError(key="store.e.no_tables", params={"db": self.target})
        self._spans = self.get_meta(SPANS_META) == SPANS_VERSION

    def _connect(self, autocommit: bool) -> Cursor:
        try:
            conn = self._psycopg.connect(self._url, autocommit=autocommit)
        except self._psycopg.Error as e:
            raise StoreError(key="store.e.connect",
                             params={"db": self.target, "err": _scrub(str(e).strip(), self._url)}) from None
        for setting in SESSION_SETTINGS:
            try:
                conn.execute(setting)
            except self._psycopg.Error:     # a compatible server without the setting: its default stays
                if not autocommit:
                    conn.rollback()
        if not autocommit:
            conn.commit()
        return conn

    def _create_schema(self) -> None:
        with self._begin() as conn:
            conn.execute(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")
            conn.execute(_FUNCTIONS)
            conn.execute(tables_sql(POSTGRES_TYPES))
            conn.execute(POSTGRES_INDEXES)
            self._statistics_targets(conn)
            self.postgis = self._boundary_view(conn)
        self._upgrade()

    def _statistics_targets(self, conn: Cursor) -> None:
        """The columns of :data:`POSTGRES_STATISTICS` given their targets (read by the next ANALYZE; autovacuum's
        after a load), each only when it has another: the catalogue is not written on every start."""
        for (table, column), target in POSTGRES_STATISTICS.items():
            rows = conn.execute("SELECT attstattarget FROM pg_attribute WHERE attrelid = to_regclass(%s) "
                                "AND attname = %s", [table, column]).fetchall()
            if rows and rows[0][0] != target:
                try:
                    with conn.transaction():    # a savepoint: a compatible server without the setting keeps its own
                        conn.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {int(target)}")
                except self._psycopg.Error:
                    pass

    def _boundary_view(self, conn: Cursor) -> bool:
        """Where PostGIS is installed, a view of the village boundaries with a real geometry column (SRID 4326),
        for GIS staff to open in QGIS.  Without PostGIS (or the right to enable it) nothing else changes."""
        available = conn.execute("SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'").fetchall()
        if not available[0][0]:
            return False
        try:
            with conn.transaction():        # a savepoint: a refusal leaves the rest of the set-up standing
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                conn.execute(_BOUNDARY_VIEW)
        except self._psycopg.Error:
            return False
        return True

    def _read_cursor(self) -> Cursor:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            with self._lock:
                self._reclaim_ended()
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                conn = self._connect(autocommit=True)
            self._local.conn = conn
            with self._lock:
                self._all.append((threading.current_thread(), conn))
        return conn

    def _reclaim_ended(self) -> None:
        """Take back the read connections of threads that have ended: up to :data:`IDLE_READERS` wait for the next
        threads, the rest are closed.  Streamlit runs each page run, and the public page server each request, in a
        thread of its own: kept until the store closed, their connections reached the server's max_connections
        (100) after about a hundred clicks; closed each time, every public page opened one (its p95 under 50
        requests at once 47 -> 290 ms)."""
        alive = []
        for thread, conn in self._all:
            if thread.is_alive():
                alive.append((thread, conn))
            elif (len(self._idle) < IDLE_READERS and not conn.closed
                  and conn.info.transaction_status == self._psycopg.pq.TransactionStatus.IDLE):
                self._idle.append(conn)
            else:
                conn.close()
        self._all = alive

    def close(self) -> None:
        with self._lock:
            for conn in [c for _, c in self._all] + self._idle:
                conn.close()
            self._all.clear()
            self._idle.clear()

    @contextmanager
    def _begin(self) -> Iterator[Cursor]:
        conn = self._connect(autocommit=False)
        try:
            with conn.transaction():
                yield conn
        finally:
            conn.close()

    def _served_per_unit_sql(self, width: int, low: int, high: int) -> str:
        # a range read per unit from the covering index; a national grouping of 486,000 spans by an expression
        # cost a seq scan and a hash aggregate (PostgreSQL's own parallel plan did not help on two cores)
        if (high - low) // width <= rules.MAX_PROBED_UNITS:
            return rules.served_per_unit_probed_sql(width)
        return super()._served_per_unit_sql(width, low, high)

    def _ordered_groups_frame(self, sql: str, params: Params = None) -> pd.DataFrame:
        # the planner prices its hash aggregate below a grouped read of an index in order, which it is not: the
        # register's 2 million adviser-months took 1.2 s hashed and 0.5 s read in order (the whole statement
        # 2.0 -> 1.1 s); the setting is the statement's alone (SET LOCAL, put back before a write goes on)
        with self.reading() as conn, conn.transaction():
            was = conn.execute("SELECT current_setting('enable_hashagg')").fetchone()[0]
            conn.execute("SET LOCAL enable_hashagg = off")
            df = self._frame(conn, sql, params)
            conn.execute("SELECT set_config('enable_hashagg', %s, true)", [was])
        return df

    def checkpoint(self) -> None:
        """Settle after a bulk load as autovacuum would a little later: the dead rows of the rewritten derived
        tables cleared (index-only reads then skip the table) and fresh planner statistics (the server manages
        its own checkpoints)."""
        self._read_cursor().execute("VACUUM ANALYZE")

    def _execute(self, conn: Cursor, sql: str, params: Params) -> Any:
        try:
            return conn.execute(_pg_sql(sql), _pg_params(params))
        except self._psycopg.Error as e:
            raise RuntimeError(_scrub(str(e), self._url)) from None

    def _run(self, cur: Cursor, sql: str, params: Params = None) -> None:
        self._execute(cur, sql, params)

    def _rows(self, cur: Cursor, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        result = self._execute(cur, sql, params)
        return result.fetchall() if result.description else []

    def _frame(self, cur: Cursor, sql: str, params: Params = None) -> pd.DataFrame:
        result = self._execute(cur, sql, params)
        columns = [d.name for d in result.description]
        return _dates_as_datetimes(pd.DataFrame(result.fetchall(), columns=columns), result.description)

    def _text_frame(self, cur: Cursor, sql: str, params: Params = None) -> pd.DataFrame:
        # COPY's CSV read by Arrow's parser, as DuckDB's backend reads its result: through fetchall, the national
        # register's 200,000 people were two million Python objects made and copied into the frame (0.75 s, of
        # which 0.3 s the server's).  The columns' types come from the statement's description (a plan, no rows);
        # every value is quoted, so an empty text stays empty and only an unquoted empty field is NULL
        columns = self._execute(cur, f"SELECT * FROM ({sql}) described LIMIT 0", params).description
        buffer = self._copied(cur, f"COPY ({_pg_sql(sql)}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)", params)
        types = {d.name: _ARROW_TYPES.get(d.type_code, pa.string()) for d in columns}
        if buffer.getbuffer().nbytes:
            table = pa_csv.read_csv(buffer, read_options=pa_csv.ReadOptions(column_names=list(types)),
                                    convert_options=pa_csv.ConvertOptions(
                                        column_types=types, null_values=[""], strings_can_be_null=True,
                                        quoted_strings_can_be_null=False, true_values=["t"], false_values=["f"]))
        else:                                   # Arrow refuses an empty file
            table = pa.table({n: pa.array([], kind) for n, kind in types.items()})
        return _dates_as_datetimes(table.to_pandas(), columns)

    def _copied(self, cur: Cursor, copy_sql: str, params: Params) -> io.BytesIO:
        """The output of a ``COPY ... TO STDOUT`` statement, rewound."""
        buffer = io.BytesIO()
        try:
            with cur.cursor().copy(copy_sql, _pg_params(params)) as copy:
                for block in copy:
                    buffer.write(block)
        except self._psycopg.Error as e:
            raise RuntimeError(_scrub(str(e), self._url)) from None
        buffer.seek(0)
        return buffer

    def _numbers_frame(self, cur: Cursor, sql: str, params: Params, dtypes: dict[str, str]) -> pd.DataFrame:
        # COPY's text read by pandas' C parser: through fetchall, a national quarter's million groups of service
        # records were eight million Python objects (about 1 GB and most of the assessment's CPU)
        buffer = self._copied(cur, f"COPY ({_pg_sql(sql)}) TO STDOUT", params)
        if not buffer.getbuffer().nbytes:
            return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})
        # the server writes each double as its shortest exact text, which pandas' parser reads back exactly
        return pd.read_csv(buffer, sep="\t", header=None, names=list(dtypes), dtype=dtypes, na_values=["\\N"],
                           keep_default_na=False)

    def _new_ids(self, cur: Cursor, n: int) -> list[int]:
        return [int(r[0]) for r in cur.execute("SELECT nextval('adviser_seq') FROM generate_series(1, %s)",
                                               [n]).fetchall()]

    def _ids_used(self, cur: Cursor, highest: int) -> None:
        # setval is not transactional and takes no lock: concurrent importers never wait on it
        cur.execute("SELECT setval('adviser_seq', greatest(%s, (SELECT last_value FROM adviser_seq)))", [highest])

    def _lock_counties(self, cur: Cursor, counties: Sequence[int] | None) -> None:
        """Writers of the same counties take turns (the locks end with the transaction); writers of different
        counties never wait for each other; a whole-country write waits for all and is waited for by all, and so
        does a write of more than :data:`MAX_COUNTY_LOCKS` counties."""
        if counties is None or len(counties) > MAX_COUNTY_LOCKS:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_WHOLE_COUNTRY_LOCK])
            return
        cur.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_WHOLE_COUNTRY_LOCK])
        for county in counties:     # sorted by the caller: two writers never wait on each other in a circle
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_COUNTY_LOCK_BASE + int(county)])

    def _analyze(self, cur: Cursor, table: str) -> None:
        cur.execute(f"ANALYZE {table}")     # autovacuum never analyzes a temporary table

    def _lock_audit(self, cur: Cursor) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK])

    def _insert_rows(self, cur: Cursor, table: str, frame: pd.DataFrame) -> None:
        # COPY into the table itself: a staging table cost a second write of every row and a scan to insert it
        with cur.cursor().copy(f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN") as copy:
            for chunk in copy_text(frame):
                copy.write(chunk)

    @contextmanager
    def _table(self, cur: Cursor, name: str, frame: pd.DataFrame) -> Iterator[None]:
        columns = ", ".join(f"{c} {_column_type(frame[c])}" for c in frame.columns)
        cur.execute(f"CREATE TEMP TABLE {name} ({columns})")
        try:
            with cur.cursor().copy(f"COPY {name} FROM STDIN") as copy:
                for chunk in copy_text(frame):
                    copy.write(chunk)
            cur.execute(f"ANALYZE {name}")
            yield
        finally:
            if not cur.closed and not cur.broken:
                try:
                    cur.execute(f"DROP TABLE IF EXISTS {name}")
                except self._psycopg.Error:
                    pass   # the transaction failed: its temp table goes with it


# -- scratch databases (the benchmark's): created and dropped on a server, never an existing one ----------
_SCRATCH_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


def database_url(server_url: str, name: str) -> str:
    """`server_url` (any database on the server) pointing at database `name` instead, query kept."""
    parts = urlsplit(server_url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme}://{parts.netloc}/{name}{query}"     # urlunsplit drops the // of a socket URL


def _admin(server_url: str, statement: str) -> None:
    import psycopg  # imported here: start-up time (psycopg loads only when a server is used)

    try:
        with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(statement)
    except psycopg.Error as e:
        raise StoreError(key="store.e.refused",
                         params={"server": redact(server_url), "err": _scrub(str(e).strip(), server_url)}) from None


def create_scratch_database(server_url: str, name: str) -> str:
    """Create the new, empty database `name` on the server of `server_url`; returns its URL.  Fails (a
    :class:`StoreError`) when a database of that name exists: nothing existing is ever written."""
    if not _SCRATCH_NAME.fullmatch(name):
        raise ValueError(f"not a plain database name: {name!r}")
    _admin(server_url, f'CREATE DATABASE "{name}"')
    return database_url(server_url, name)


#: what a deployment sets for the store's database (README, "A provincial or national deployment"): the same
#: work_mem as the store's own sessions for every other client of the database (psql, a GIS tool), and room for
#: the VACUUM that settles a bulk load and for index builds (the server's default of 64 MB makes VACUUM of the
#: service tables pass over their indexes several times).  shared_buffers and max_wal_size are the server's own
#: (postgresql.conf, a restart): see the README.
DATABASE_SETTINGS = {"work_mem": WORK_MEM, "maintenance_work_mem": "512MB"}


def configure_database(server_url: str, name: str) -> None:
    """Give database `name` on the server of `server_url` the :data:`DATABASE_SETTINGS` (ALTER DATABASE ... SET:
    each new session of the database starts with them)."""
    if not _SCRATCH_NAME.fullmatch(name):
        raise ValueError(f"not a plain database name: {name!r}")
    for key, value in DATABASE_SETTINGS.items():
        _admin(server_url, f"ALTER DATABASE \"{name}\" SET {key} = '{value}'")


def drop_scratch_database(server_url: str, name: str) -> None:
    """Drop database `name` (made by :func:`create_scratch_database`), its sessions closed first."""
    if not _SCRATCH_NAME.fullmatch(name):
        raise ValueError(f"not a plain database name: {name!r}")
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
