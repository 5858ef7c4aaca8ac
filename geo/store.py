"""The DuckDB store: one file, all SQL of the product lives here.

Every read takes a :class:`~geo.codes.Scope` (a division-code prefix) and an as-of date, so jurisdiction limits
and history come for free.  Codes are BIGINT in the tables (fast joins and prefix arithmetic: the county of a
village is ``village // 10^6 * 10^6``) and 12-character strings in everything returned.

Concurrency: a Streamlit server is one process with many threads.  The store keeps one DuckDB connection and
hands each thread its own cursor (``con.cursor()``), which DuckDB documents as the thread-safe way to share a
database; writes run inside explicit transactions so a failed import leaves nothing behind.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import duckdb
import pandas as pd

from . import coverage
from .codes import LEVEL_ENDS, LEVEL_OF_NAME, Scope, to_str
from .coverage import DEFAULT_EXPIRING_DAYS, Counts
from .errors import UserError
from .idcards import SHORTEST, scrub_id_numbers

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_DB = DATA_DIR / "coverage.duckdb"
DB_ENV = "VILLAGE_COVERAGE_DB"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE SEQUENCE IF NOT EXISTS batch_seq START 1;
CREATE TABLE IF NOT EXISTS batches (
    batch_id INTEGER PRIMARY KEY, kind VARCHAR NOT NULL, file_name VARCHAR, sha256 VARCHAR,
    created_at TIMESTAMP DEFAULT current_timestamp, rows_read INTEGER, rows_accepted INTEGER,
    rows_rejected INTEGER, status VARCHAR DEFAULT 'active', note VARCHAR);
CREATE TABLE IF NOT EXISTS divisions (
    code BIGINT NOT NULL, name VARCHAR NOT NULL, level TINYINT NOT NULL, parent BIGINT,
    urban_rural VARCHAR, abolished BOOLEAN DEFAULT false, batch_id INTEGER);
CREATE TABLE IF NOT EXISTS advisers (
    adviser_id INTEGER NOT NULL, name VARCHAR NOT NULL, kind VARCHAR, org VARCHAR, licence_no VARCHAR,
    phone VARCHAR, base_code BIGINT, lon DOUBLE, lat DOUBLE, batch_id INTEGER);
CREATE TABLE IF NOT EXISTS assignments (
    adviser_id INTEGER NOT NULL, village BIGINT NOT NULL, start_date DATE NOT NULL, end_date DATE,
    batch_id INTEGER);
CREATE TABLE IF NOT EXISTS village_geoms (
    code BIGINT NOT NULL, geom BLOB NOT NULL, schematic BOOLEAN DEFAULT false, batch_id INTEGER);
-- what an import replaced, so its batch can be rolled back (existed = false: the row was new)
CREATE TABLE IF NOT EXISTS division_history (
    batch_id INTEGER NOT NULL, code BIGINT NOT NULL, name VARCHAR, level TINYINT, urban_rural VARCHAR,
    abolished BOOLEAN, existed BOOLEAN NOT NULL);
CREATE TABLE IF NOT EXISTS geom_history (
    batch_id INTEGER NOT NULL, code BIGINT NOT NULL, geom BLOB, schematic BOOLEAN, prior_batch INTEGER,
    existed BOOLEAN NOT NULL);
-- derived (refresh_coverage_spans): for each active village, the spans [span_from, span_until) in which its set
-- of current contracts does not change; cur_end = latest end among them (9999-12-31 open-ended), NULL = lapsed.
-- Before its first span a village is 'never'.  One row per village and span answers "status on day D" with a
-- range filter, without grouping 700,000 assignments per query.
CREATE TABLE IF NOT EXISTS coverage_spans (
    village BIGINT NOT NULL, span_from DATE NOT NULL, span_until DATE NOT NULL, cur_end DATE);
CREATE TABLE IF NOT EXISTS shapes (
    code BIGINT NOT NULL, tier VARCHAR NOT NULL, geojson VARCHAR NOT NULL, schematic BOOLEAN DEFAULT false);
"""

#: a village is a level-5 row whose village digits are not 000 (金门县 350527000000 is listed at levels 3-5
#: as a placeholder with no real children) and that has not been abolished by a newer registry
def active_village(alias: str = "") -> str:
    a = f"{alias}." if alias else ""
    return f"({a}level = 5 AND {a}code % 1000 <> 0 AND NOT {a}abolished)"


ACTIVE_VILLAGE = active_village()


#: meta key and value saying coverage_spans is built and kept current by every write transaction
SPANS_META, SPANS_VERSION = "coverage_spans", "1"

SPANS_SQL = coverage.spans_sql(active_village("d"))

#: meta key and value saying every stored text has been scrubbed of ID-card numbers by the current rules
#: (a database written before them is scrubbed once when opened for writing)
ID_SCRUB_META, ID_SCRUB_VERSION = "id_scrub", "1"

#: text columns only the app itself fills (kinds, hashes, GeoJSON coordinates): not searched for ID numbers
APP_TEXT_COLUMNS = frozenset({("meta", "key"), ("meta", "value"), ("batches", "kind"), ("batches", "sha256"),
                              ("batches", "status"), ("shapes", "tier"), ("shapes", "geojson")})


class StoreError(UserError, RuntimeError):
    """A problem the user can act on (missing database, unknown scope ...)."""


def _not_a_database(path: Path) -> StoreError:
    return StoreError(f"{path} 不是本软件的数据库文件（DuckDB） / {path} is not a database file of this tool (DuckDB)")


def default_db_path() -> Path:
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


def _width(level: int) -> int:
    """10^(12 - digits of `level`): divide a BIGINT code by this to cut it to that level."""
    return 10 ** (12 - LEVEL_ENDS[level - 1])


def _date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise StoreError(f"日期“{value}”无法识别，应为 YYYY-MM-DD / date '{value}' is not YYYY-MM-DD") from None


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: int


class Store:
    """A DuckDB database file holding the registry, advisers, assignments and geometries."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False, create: bool = True):
        self.path = Path(path) if path else default_db_path()
        if not create and not self.path.exists():
            raise StoreError(f"数据库不存在：{self.path}（先运行 python -m geo demo） / "
                             f"database not found: {self.path} (run `python -m geo demo` first)")
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
            self._con.execute(SCHEMA)
            if (self.get_meta(SPANS_META) != SPANS_VERSION        # a database written before the spans existed
                    or self.get_meta(ID_SCRUB_META) != ID_SCRUB_VERSION):
                with self.transaction():
                    pass
        self._spans = self.get_meta(SPANS_META) == SPANS_VERSION

    # -- connections -------------------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's own cursor on the shared connection."""
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cur = cur
        return cur

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing: anything raised inside rolls every change back.

        Before committing, every text a file can fill is scrubbed of ID-card numbers (:meth:`scrub_id_numbers`)
        and the derived coverage spans are rebuilt from assignments and divisions (about 0.5 s for the whole
        country), so no writer can store an ID number or leave the spans stale.
        """
        cur = self._con.cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            yield cur
            self.scrub_id_numbers(cur)
            self.refresh_coverage_spans(cur)
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        else:
            cur.execute("COMMIT")
            self._spans = True
        finally:
            cur.close()

    def scrub_id_numbers(self, cur) -> int:
        """Remove ID-card numbers from every stored text column but the app's own (inside the caller's
        transaction); returns how many distinct values changed.  The readers remove them first, to report
        the rows: this is the guard that no write path can miss."""
        columns = cur.execute("""
            SELECT c.table_name, c.column_name FROM information_schema.columns c
            JOIN information_schema.tables t USING (table_catalog, table_schema, table_name)
            WHERE t.table_type = 'BASE TABLE' AND c.table_schema = current_schema() AND c.data_type = 'VARCHAR'
            ORDER BY ALL""").fetchall()
        changed = 0
        for table, column in columns:
            if (table, column) in APP_TEXT_COLUMNS:
                continue
            # the length filter keeps the scan cheap (~50 ms over the national registry)
            values = cur.execute(f'SELECT DISTINCT "{column}" FROM "{table}" WHERE length("{column}") >= ?',
                                 [SHORTEST]).fetchall()
            updates = [(new, old) for (old,) in values if (new := scrub_id_numbers(old)) != old]
            if updates:
                cur.executemany(f'UPDATE "{table}" SET "{column}" = ? WHERE "{column}" = ?', updates)
                changed += len(updates)
        self.set_meta(ID_SCRUB_META, ID_SCRUB_VERSION, cur)
        return changed

    def refresh_coverage_spans(self, cur) -> None:
        """Rebuild coverage_spans from assignments and active villages (inside the caller's transaction)."""
        cur.execute("DELETE FROM coverage_spans")
        cur.execute(SPANS_SQL)
        self.set_meta(SPANS_META, SPANS_VERSION, cur)

    def query(self, sql: str, params: dict | Sequence | None = None) -> pd.DataFrame:
        return self.cursor().execute(sql, params or {}).df()

    def scalar(self, sql: str, params: dict | Sequence | None = None):
        rows = self.cursor().execute(sql, params or {}).fetchall()
        return rows[0][0] if rows else None

    # -- meta --------------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", [key])

    def set_meta(self, key: str, value: str, cur: duckdb.DuckDBPyConnection | None = None) -> None:
        (cur or self.cursor()).execute(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def is_empty(self) -> bool:
        return not self.scalar("SELECT count(*) FROM divisions")

    # -- batches -----------------------------------------------------------------------------------------
    def new_batch(self, cur, kind: str, file_name: str | None = None, sha256: str | None = None,
                  rows_read: int = 0, rows_accepted: int = 0, rows_rejected: int = 0,
                  note: str | None = None) -> int:
        batch_id = cur.execute("SELECT nextval('batch_seq')").fetchall()[0][0]
        cur.execute("INSERT INTO batches (batch_id, kind, file_name, sha256, rows_read, rows_accepted, "
                    "rows_rejected, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [batch_id, kind, file_name, sha256, rows_read, rows_accepted, rows_rejected, note])
        return int(batch_id)

    def batches(self) -> pd.DataFrame:
        return self.query("SELECT * FROM batches ORDER BY batch_id DESC")

    def find_batch(self, kind: str, sha256: str) -> int | None:
        return self.scalar("SELECT batch_id FROM batches WHERE kind = ? AND sha256 = ? AND status = 'active'",
                           [kind, sha256])

    # -- registry ----------------------------------------------------------------------------------------
    def load_registry(self, registry: pd.DataFrame, cur=None, batch_id: int | None = None) -> int:
        """Replace the division table with `registry` (columns code 12-digit str, name, level).

        A code listed at several levels (东莞市 as city and county) is kept once, at its highest level, so
        names resolve uniquely; aggregation works on code prefixes and does not need the duplicate.
        """
        if cur is None:
            with self.transaction() as cur:
                return self.load_registry(registry, cur, batch_id)
        cur.register("incoming_registry", registry)
        cur.execute("DELETE FROM divisions")
        cur.execute(f"""
            INSERT INTO divisions (code, name, level, parent, urban_rural, abolished, batch_id)
            SELECT CAST(code AS BIGINT), arg_min(name, level), min(level), NULL,
                   {'arg_min(urban_rural, level)' if 'urban_rural' in registry.columns else 'NULL'},
                   false, ?
            FROM incoming_registry GROUP BY code""", [batch_id])
        cur.unregister("incoming_registry")
        self._set_parents(cur)
        return int(cur.execute("SELECT count(*) FROM divisions").fetchall()[0][0])

    @staticmethod
    def _set_parents(cur) -> None:
        # the parent is the nearest shorter prefix that exists: a township of 东莞 hangs on 441900000000
        cur.execute("""
            UPDATE divisions SET parent = up.parent FROM (
                WITH cand AS (
                    SELECT code, level, code // 1000 * 1000 AS p FROM divisions
                    UNION ALL SELECT code, level, code // 1000000 * 1000000 FROM divisions
                    UNION ALL SELECT code, level, code // 100000000 * 100000000 FROM divisions
                    UNION ALL SELECT code, level, code // 10000000000 * 10000000000 FROM divisions)
                SELECT c.code, max(p.code) AS parent
                FROM cand c JOIN divisions p ON p.code = c.p AND p.code <> c.code AND p.level < c.level
                GROUP BY c.code) up
            WHERE divisions.code = up.code""")

    def registry_comparison(self, codes: Sequence[str], counties: Sequence[str], cur=None) -> pd.DataFrame:
        """What a division list is compared with: the stored rows of `codes` and every level-5 row of
        `counties` (6-digit prefixes).  Columns code (12-digit str), name, level, abolished."""
        cur = cur or self.cursor()
        cur.register("cmp_codes", pd.DataFrame({"code": pd.array([int(c) for c in codes], dtype="int64")}))
        cur.register("cmp_counties", pd.DataFrame({"county": pd.array([int(c) for c in counties], dtype="int64")}))
        try:
            df = cur.execute("""
                SELECT code, name, level, abolished FROM divisions
                WHERE code IN (SELECT code FROM cmp_codes)
                   OR (level = 5 AND code // 1000000 IN (SELECT county FROM cmp_counties))""").df()
        finally:
            cur.unregister("cmp_codes")
            cur.unregister("cmp_counties")
        df["code"] = df["code"].map(to_str).astype(object)
        df["name"] = df["name"].astype(object)
        return df

    @staticmethod
    def abolish_divisions(cur, codes: Sequence[str]) -> None:
        """Mark `codes` abolished (kept, so assignments pointing at them stay visible)."""
        cur.register("abolish_codes", pd.DataFrame({"code": pd.array([int(c) for c in codes], dtype="int64")}))
        cur.execute("UPDATE divisions SET abolished = true WHERE code IN (SELECT code FROM abolish_codes)")
        cur.unregister("abolish_codes")

    def division(self, code: str) -> Division | None:
        rows = self.cursor().execute("SELECT code, name, level FROM divisions WHERE code = ?",
                                     [int(code)]).fetchall()
        return Division(to_str(rows[0][0]), rows[0][1], int(rows[0][2])) if rows else None

    def check_scope(self, scope: Scope) -> Scope:
        """`scope` itself when the registry knows it, else a StoreError naming it."""
        if scope.digits and self.division(scope.code) is None:
            raise StoreError(f"区划代码 {scope.code} 不存在 / unknown division code {scope.code}")
        return scope

    def scope_name(self, scope: Scope) -> str:
        if not scope.digits:
            return "全国"
        d = self.division(scope.code)
        return d.name if d else scope.code

    def ancestors(self, scope: Scope) -> list[Division]:
        """The divisions above and including `scope`, country first (for breadcrumbs)."""
        out = []
        for end in LEVEL_ENDS:
            if end > len(scope.digits):
                break
            d = self.division(scope.digits[:end].ljust(12, "0"))
            if d and (not out or out[-1].code != d.code):
                out.append(d)
        return out

    def child_level(self, scope: Scope) -> int | None:
        """The level drilled into from `scope`: the next level whose units differ from the scope itself.

        东莞市 (4419) has no county level: its only county-level prefix is 441900, the city itself, so its
        children are townships.
        """
        low, high = scope.int_range
        for level in range(scope.level + 1, 6):
            w = _width(level)
            n = self.scalar(f"""SELECT count(DISTINCT code // {w}) FROM divisions
                               WHERE {ACTIVE_VILLAGE} AND code >= ? AND code < ?""", [low, high])
            if not n:
                return None
            if n > 1 or level == 5:
                return level
            only = self.scalar(f"""SELECT min(code // {w} * {w}) FROM divisions
                                  WHERE {ACTIVE_VILLAGE} AND code >= ? AND code < ?""", [low, high])
            if to_str(only) != scope.code and self.division(to_str(only)) is not None:
                return level
        return None

    def children(self, scope: Scope, level: int | None = None) -> pd.DataFrame:
        """Child units of `scope` at `level` (default: :meth:`child_level`) that contain villages."""
        level = level or self.child_level(scope)
        if level is None:
            return pd.DataFrame(columns=["code", "name", "level"])
        low, high = scope.int_range
        w = _width(level)
        df = self.query(f"""
            WITH u AS (SELECT DISTINCT code // {w} * {w} AS code FROM divisions
                       WHERE {ACTIVE_VILLAGE} AND code >= $low AND code < $high)
            SELECT u.code, coalesce(d.name, CAST(u.code AS VARCHAR)) AS name, {level} AS level
            FROM u LEFT JOIN divisions d ON d.code = u.code ORDER BY u.code""", {"low": low, "high": high})
        df["code"] = df["code"].map(to_str)
        return df

    # -- coverage ----------------------------------------------------------------------------------------
    def _per_village_sql(self) -> str:
        """One row per village in [$low, $high) with a contract started by $as_of: village, cur_end, expiring, seen
        (the columns of coverage.per_village_sql, which stays the reference for stores without spans)."""
        if self._spans:
            return """
                SELECT village, cur_end, coalesce(cur_end <= $as_of + CAST($days AS INTEGER), false) AS expiring,
                       true AS seen
                FROM coverage_spans
                WHERE span_from <= $as_of AND span_until > $as_of AND village >= $low AND village < $high"""
        return coverage.per_village_sql(
            "$as_of", "$days", table="(SELECT * FROM assignments WHERE village >= $low AND village < $high)")

    def _village_status_cte(self) -> str:
        return f"""
            pv AS ({self._per_village_sql()}),
            v AS (SELECT code FROM divisions WHERE {ACTIVE_VILLAGE} AND code >= $low AND code < $high)"""

    def summary(self, scope: Scope, as_of: dt.date | str, by: str | int = "county",
                expiring_days: int = DEFAULT_EXPIRING_DAYS) -> pd.DataFrame:
        """Coverage per unit at level `by` inside `scope`, one row per unit that has villages.

        Columns: code, name, villages, covered, expiring, lapsed, never, coverage_rate, has_data
        (:func:`geo.coverage.has_data`: False for a unit with no contract on record, whose rate is no figure).
        """
        level = LEVEL_OF_NAME[by] if isinstance(by, str) else int(by)
        low, high = scope.int_range
        w = _width(level)
        params = {"as_of": _date(as_of), "days": int(expiring_days), "low": low, "high": high}
        # villages per unit and statuses per unit are counted apart and joined per unit (a few hundred rows),
        # not per village (620,000): pv holds active villages only (spans) or is cut to them by the semi join
        df = self.query(f"""
            WITH {self._village_status_cte()},
            n AS (SELECT code // {w} * {w} AS unit, count(*) AS villages FROM v GROUP BY unit),
            agg AS (
                SELECT pv.village // {w} * {w} AS unit, count(pv.cur_end) AS covered,
                       count(*) FILTER (WHERE pv.expiring) AS expiring,
                       count(*) FILTER (WHERE pv.cur_end IS NULL) AS lapsed
                FROM pv {'' if self._spans else 'SEMI JOIN v ON pv.village = v.code'}
                GROUP BY unit),
            u AS (SELECT n.unit, villages, coalesce(covered, 0) AS covered, coalesce(expiring, 0) AS expiring,
                         coalesce(lapsed, 0) AS lapsed
                  FROM n LEFT JOIN agg ON agg.unit = n.unit)
            SELECT u.unit AS code, coalesce(d.name, CAST(u.unit AS VARCHAR)) AS name,
                   villages, covered, expiring, lapsed, villages - covered - lapsed AS never,
                   covered / villages AS coverage_rate
            FROM u LEFT JOIN divisions d ON d.code = u.unit
            ORDER BY u.unit""", params)
        df["code"] = df["code"].map(to_str)
        for col in ("villages", "covered", "expiring", "lapsed", "never"):
            df[col] = df[col].astype("int64")
        df["has_data"] = coverage.has_data(df["covered"], df["lapsed"])
        return df

    def totals(self, scope: Scope, as_of: dt.date | str,
               expiring_days: int = DEFAULT_EXPIRING_DAYS) -> Counts:
        low, high = scope.int_range
        params = {"as_of": _date(as_of), "days": int(expiring_days), "low": low, "high": high}
        row = self.cursor().execute(f"""
            WITH {self._village_status_cte()}
            SELECT count(*), count(pv.cur_end), count(*) FILTER (WHERE pv.expiring),
                   count(*) FILTER (WHERE pv.seen AND pv.cur_end IS NULL)
            FROM v LEFT JOIN pv ON pv.village = v.code""", params).fetchall()[0]
        return Counts(*(int(x) for x in row))

    def villages(self, scope: Scope, as_of: dt.date | str, statuses: Sequence[str] | None = None,
                 township: str | None = None, expiring_days: int = DEFAULT_EXPIRING_DAYS) -> pd.DataFrame:
        """One row per village in scope with its status and current (or, if lapsed, last) advisers.

        Columns: code, name, township_code, township, county, status, advisers, orgs, phones,
        contract_start, contract_end (NaT = open-ended or none).  Filter by `statuses` and a township code.
        """
        low, high = scope.int_range
        if township:
            low, high = Scope.parse(township).int_range
            slow, shigh = scope.int_range
            low, high = max(low, slow), min(high, shigh)
        params = {"as_of": _date(as_of), "days": int(expiring_days), "low": low, "high": high}
        where = ""
        if statuses:
            allowed = [s for s in statuses if s in {x.value for x in coverage.Status}]
            where = "WHERE status IN (" + ", ".join(f"'{s}'" for s in allowed) + ")"
        # the status filter applies before the advisers are looked up: a gap list of a province needs the
        # names of a few thousand villages' advisers, not of all 60,000
        df = self.query(f"""
            WITH {self._village_status_cte()},
            sv AS (SELECT * FROM (SELECT v.code, {coverage.status_sql('pv')} AS status
                                  FROM v LEFT JOIN pv ON pv.village = v.code) {where}),
            -- advisers shown: the current ones; for a lapsed village those of its last contract
            cand AS (
                SELECT a.village, a.adviser_id, a.start_date, a.end_date,
                       (a.end_date IS NULL OR a.end_date >= $as_of) AS is_cur
                FROM assignments a JOIN sv ON sv.code = a.village
                WHERE a.start_date <= $as_of AND a.village >= $low AND a.village < $high),
            ranked AS (
                SELECT *, bool_or(is_cur) OVER w AS any_cur, max(end_date) OVER w AS last_end
                FROM cand WINDOW w AS (PARTITION BY village)),
            shown AS (
                SELECT * FROM ranked
                WHERE (any_cur AND is_cur) OR (NOT any_cur AND end_date = last_end)),
            people AS (
                SELECT s.village,
                       string_agg(DISTINCT ad.name, '、' ORDER BY ad.name) AS advisers,
                       string_agg(DISTINCT ad.org, '、' ORDER BY ad.org) AS orgs,
                       string_agg(DISTINCT ad.phone, '、' ORDER BY ad.phone) AS phones,
                       min(s.start_date) AS contract_start,
                       CASE WHEN bool_or(s.end_date IS NULL) THEN NULL ELSE max(s.end_date) END AS contract_end
                FROM shown s JOIN advisers ad ON ad.adviser_id = s.adviser_id
                GROUP BY s.village),
            rows AS (
                SELECT sv.code, d.name, sv.code // 1000 * 1000 AS township_code, t.name AS township,
                       c.name AS county, sv.status,
                       p.advisers, p.orgs, p.phones, p.contract_start, p.contract_end
                FROM sv JOIN divisions d ON d.code = sv.code
                LEFT JOIN divisions t ON t.code = sv.code // 1000 * 1000
                LEFT JOIN divisions c ON c.code = sv.code // 1000000 * 1000000
                LEFT JOIN people p ON p.village = sv.code)
            SELECT * FROM rows ORDER BY code""", params)
        df["code"] = df["code"].map(to_str)
        df["township_code"] = df["township_code"].map(to_str)
        return df

    def trend(self, scope: Scope, last_month: dt.date | str, months: int = 24) -> pd.DataFrame:
        """Coverage on the last day of each of the `months` months ending with `last_month`'s month.

        Columns: month (YYYY-MM), as_of, villages, covered, coverage_rate.
        """
        end = _date(last_month)
        days = []
        y, m = end.year, end.month
        for _ in range(months):
            nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
            days.append(min(nxt - dt.timedelta(days=1), end) if (y, m) == (end.year, end.month)
                        else nxt - dt.timedelta(days=1))
            y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        days.reverse()
        low, high = scope.int_range
        cur = self.cursor()
        cur.register("trend_days", pd.DataFrame({"as_of": pd.to_datetime(days).date}))
        df = cur.execute(f"""
            WITH v AS (SELECT code FROM divisions WHERE {ACTIVE_VILLAGE} AND code >= $low AND code < $high),
            a AS (SELECT a.village, a.start_date, coalesce(a.end_date, DATE '9999-12-31') AS end_date
                  FROM assignments a JOIN v ON v.code = a.village),
            c AS (SELECT t.as_of, count(DISTINCT a.village) AS covered
                  FROM trend_days t JOIN a ON a.start_date <= t.as_of AND a.end_date >= t.as_of
                  GROUP BY t.as_of)
            SELECT strftime(t.as_of, '%Y-%m') AS month, t.as_of, (SELECT count(*) FROM v) AS villages,
                   coalesce(c.covered, 0) AS covered
            FROM trend_days t LEFT JOIN c ON c.as_of = t.as_of ORDER BY t.as_of""",
                          {"low": low, "high": high}).df()
        cur.unregister("trend_days")
        df["coverage_rate"] = df["covered"] / df["villages"].where(df["villages"] > 0)
        df["coverage_rate"] = df["coverage_rate"].fillna(0.0)
        return df

    def adviser_stats(self, scope: Scope, as_of: dt.date | str) -> tuple[int, float]:
        """(advisers serving villages in scope on `as_of`, covered villages per such adviser)."""
        low, high = scope.int_range
        row = self.cursor().execute(f"""
            SELECT count(DISTINCT a.adviser_id), count(DISTINCT a.village)
            FROM assignments a JOIN divisions d ON d.code = a.village AND {active_village('d')}
            WHERE a.village >= $low AND a.village < $high AND a.start_date <= $as_of
              AND (a.end_date IS NULL OR a.end_date >= $as_of)""",
                                    {"low": low, "high": high, "as_of": _date(as_of)}).fetchall()[0]
        n_adv, n_vil = int(row[0]), int(row[1])
        return n_adv, (n_vil / n_adv if n_adv else 0.0)

    def orphan_assignments(self, scope: Scope = Scope("")) -> pd.DataFrame:
        """Assignments whose village is unknown or abolished: a data problem, shown, never dropped."""
        low, high = scope.int_range
        df = self.query(f"""
            SELECT a.village AS code, d.name, d.abolished, ad.name AS adviser, a.start_date, a.end_date,
                   a.batch_id
            FROM assignments a JOIN advisers ad ON ad.adviser_id = a.adviser_id
            LEFT JOIN divisions d ON d.code = a.village
            WHERE a.village >= $low AND a.village < $high
              AND (d.code IS NULL OR NOT {active_village('d')})
            ORDER BY a.village""", {"low": low, "high": high})
        df["code"] = df["code"].map(to_str)
        return df

    # -- geometry ----------------------------------------------------------------------------------------
    def shapes(self, codes: Sequence[str], tier: str) -> pd.DataFrame:
        """Display geometries (GeoJSON text) of `codes` at `tier`: columns code, geojson, schematic."""
        if not len(codes):
            return pd.DataFrame(columns=["code", "geojson", "schematic"])
        cur = self.cursor()
        cur.register("wanted_codes", pd.DataFrame({"code": [int(c) for c in codes]}))
        df = cur.execute("""SELECT s.code, s.geojson, s.schematic FROM shapes s
                            JOIN wanted_codes w ON w.code = s.code WHERE s.tier = ?""", [tier]).df()
        cur.unregister("wanted_codes")
        df["code"] = df["code"].map(to_str)
        return df

    def shapes_under(self, scope: Scope, tier: str) -> pd.DataFrame:
        """Every display geometry of `tier` inside `scope`: columns code, geojson, schematic."""
        low, high = scope.int_range
        df = self.query("SELECT code, geojson, schematic FROM shapes WHERE tier = $tier AND code >= $low "
                        "AND code < $high ORDER BY code", {"tier": tier, "low": low, "high": high})
        df["code"] = df["code"].map(to_str)
        return df

    def replace_shapes(self, cur, rows: pd.DataFrame, tier: str) -> None:
        """Store display geometries: `rows` has code (12-digit str), geojson, schematic."""
        if rows.empty:
            return
        frame = pd.DataFrame({"code": rows["code"].astype("int64"), "tier": tier,
                              "geojson": rows["geojson"], "schematic": rows["schematic"].astype(bool)})
        cur.register("incoming_shapes", frame)
        cur.execute("DELETE FROM shapes WHERE tier = ? AND code IN (SELECT code FROM incoming_shapes)", [tier])
        cur.execute("INSERT INTO shapes SELECT code, tier, geojson, schematic FROM incoming_shapes")
        cur.unregister("incoming_shapes")
