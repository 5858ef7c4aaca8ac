"""The store's one interface: every read and write of the product, each a named method, all SQL written once.

Every read takes a :class:`~geo.core.codes.Scope` (a division-code prefix) and an as-of date, so jurisdiction limits
and history come for free.  Codes are BIGINT in the tables (fast joins and prefix arithmetic: the county of a
village is ``idiv(village, 10^6) * 10^6``) and 12-character strings in everything returned.

A backend (:mod:`geo.store.duckdb_store`, later PostgreSQL) implements only the primitives at the bottom of this
class: a cursor per thread, a transaction, running a statement, reading a frame, and offering a DataFrame to the
statements of a block as a table.  The SQL is shared: ``idiv(a, b)`` is integer division, parameters are
``$name`` (or ``?`` in order), and nothing engine-specific is used.

Writes run inside :meth:`Store.transaction`: anything raised rolls every change back, and the derived coverage
spans are rebuilt before the commit, so no writer can leave them stale.
"""
from __future__ import annotations

import datetime as dt
import threading
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence

import pandas as pd

from geo.core.codes import LEVEL_ENDS, LEVEL_OF_NAME, Scope, to_str
from geo.core.coverage import DEFAULT_EXPIRING_DAYS, Status, counted_villages, has_data
from geo.core.errors import UserError
from geo.core.service_rule import DEFAULT_SERVICE, ServedCounts, ServiceSettings, ServiceStatus, has_service_data
from geo.privacy.idcards import scrub_id_numbers
from geo.privacy.phones import scrub_personal_numbers
from geo.store import rules
from geo.store.accounts import AUDIT_HEAD_META, COOKIE_SECRET_META, AccountQueries
from geo.store.advisers import AdviserQueries
from geo.store.briefing import BriefingQueries
from geo.store.login_tickets import LoginTicketQueries
from geo.store.planning import PlanningQueries
from geo.store.schema import KEPT_ON_ERASE, TABLES, USER_TEXT_COLUMNS
from geo.store.service_rule import ServiceRuleQueries
from geo.store.servicelog import ServiceLogQueries

Params = dict | Sequence | None

#: meta key and value saying coverage_spans is built and kept current by every write transaction
SPANS_META, SPANS_VERSION = "coverage_spans", "2"   # 2: with county_spans and county_villages
#: batches of these kinds hold the division list itself
REGISTRY_KINDS = ("registry", "demo", "init")
REAL_VILLAGE = rules.real_village()
#: meta key and value saying every stored text has been scrubbed of ID-card numbers by the current rules
#: (a database written before them is scrubbed once when opened for writing)
ID_SCRUB_META, ID_SCRUB_VERSION = "id_scrub", "1"
#: meta key of the schema version; a database without it was written before versions were kept (version 1)
SCHEMA_META = "schema_version"
SCHEMA_VERSION = 3
#: meta key and value saying service_days is built and kept current by every write transaction
SERVICE_DAYS_META, SERVICE_DAYS_VERSION = "service_days", "4"
#: a write touching more counties than this rebuilds the whole country's spans at once, which is cheaper then
MAX_COUNTIES_REFRESHED = 100


class StoreError(UserError):
    """A problem with the store the user can act on (missing database, unknown scope, file in use ...)."""


def as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise StoreError(f"日期“{value}”无法识别，应为 YYYY-MM-DD / date '{value}' is not YYYY-MM-DD") from None


def _county_ranges(counties: Iterable[int]) -> list[dict[str, int]]:
    """The BIGINT code ranges {low, high} of `counties` (6-digit numbers), in order: what a refresh reads."""
    return [{"low": int(c) * 10**6, "high": (int(c) + 1) * 10**6} for c in sorted(set(counties))]


#: SQL condition: a code column inside the range of a county's parameters $low, $high
_IN_RANGE = "{column} >= $low AND {column} < $high"


def _scrubbed(frame: pd.DataFrame, columns: Sequence[str],
              scrub: Callable[[str], str] = scrub_id_numbers) -> pd.DataFrame:
    """`frame` with ID-card numbers (or what `scrub` removes) taken out of its text `columns` (those it has);
    each distinct text is looked at once (a national load repeats organisations and kinds thousands of times)."""
    out = frame.copy()
    for col in columns:
        if col not in out.columns:
            continue
        texts = [v for v in pd.unique(out[col].dropna()) if isinstance(v, str)]
        changed = {v: clean for v in texts if (clean := scrub(v)) != v}
        out[col] = out[col].astype(object)
        if changed:
            out[col] = out[col].map(lambda v, changed=changed: changed.get(v, v) if isinstance(v, str) else v)
    return out


def _width(level: int) -> int:
    """10^(12 - digits of `level`): integer-divide a BIGINT code by this to cut it to that level."""
    return 10 ** (12 - LEVEL_ENDS[level - 1])


def month_ends(last_day: dt.date, months: int) -> list[dt.date]:
    """The last day of each of `months` months ending with `last_day`'s month (that month ends at `last_day`)."""
    days = []
    y, m = last_day.year, last_day.month
    for _ in range(months):
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        days.append(min(nxt - dt.timedelta(days=1), last_day))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return days[::-1]


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: int


@dataclass(frozen=True)
class BatchInfo:
    batch_id: int
    kind: str
    status: str


@dataclass
class _Changes:
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

    @property
    def only_appended_services(self) -> bool:
        """Nothing changed but service records added: the service tables can be extended, not rebuilt."""
        return (self.known and not self.everything and not self.counties and not self.services_removed
                and bool(self.appended_batches))

    def add(self, counties: Iterable[int] | None, derived: str | None = "coverage",
            appended: Iterable[int] | None = None) -> None:
        """`appended`: for service records, the batches that only added them (anything else, a removal)."""
        self.known = True
        if counties is None and derived is not None:
            self.everything = True
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


def _counties_of(codes: Iterable) -> set[int]:
    """The 6-digit county numbers of 12-digit codes (str or int)."""
    if isinstance(codes, pd.Series) and pd.api.types.is_integer_dtype(codes):
        return set((codes // 10**6).unique().tolist())
    return {int(c) // 10**6 for c in codes}


@dataclass(frozen=True)
class RegistryChange:
    """What applying a division list changed."""

    added: int
    renamed: int
    abolished: int
    assignments_on_abolished: int


def _parent_candidates(table: str) -> str:
    """Joins p1..p4 of each row `d` to the rows of `table` that could be its parent: the prefixes of its code at
    township, county, city and province length that exist at a higher level (东莞's townships hang on the city:
    its county-length prefix is the city itself).  The nearest one is :data:`_PARENT`."""
    return " ".join(
        f"LEFT JOIN (SELECT code, level FROM {table} WHERE code % {w} = 0) p{i} "
        f"ON p{i}.code = idiv(d.code, {w}) * {w} AND p{i}.code <> d.code AND p{i}.level < d.level"
        for i, w in enumerate((10**3, 10**6, 10**8, 10**10), start=1))


_PARENT = "coalesce(p1.code, p2.code, p3.code, p4.code)"


def _division_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Division rows as the tables hold them: BIGINT codes, names scrubbed of ID-card numbers."""
    frame = pd.DataFrame({"code": rows["code"].astype("int64"), "name": rows["name"].astype(object),
                          "level": rows["level"].astype("int16"),
                          "urban_rural": rows["urban_rural"].astype(object) if "urban_rural" in rows.columns
                          else None})
    return _scrubbed(frame, USER_TEXT_COLUMNS["divisions"])


class Store(AccountQueries, AdviserQueries, BriefingQueries, LoginTicketQueries, PlanningQueries, ServiceLogQueries,
            ServiceRuleQueries, ABC):
    """The registry, advisers, assignments and geometries of one deployment, behind named methods."""

    read_only: bool = False
    #: "duckdb" or "postgresql"
    backend: str = ""
    #: where the store lives, fit to show (a file path, or a URL without its password)
    target: str = ""
    #: whether reads may use coverage_spans (False for a read-only store written before the spans existed)
    _spans: bool = True
    #: whether reads may use service_days (None: not looked up yet; see :meth:`_service_days_ready`)
    _service_days: bool | None = None

    # -- life cycle ---------------------------------------------------------------------------------------
    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """All-or-nothing: anything raised inside rolls every change back.

        Before the commit the coverage spans are refreshed for the counties the transaction touched (the whole
        country only when it is not known what changed), so no writer leaves them stale and two imports for
        different counties do not redo each other's work.
        """
        local = self._tx_local()
        local.changes = _Changes()
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

    def _tx_local(self) -> threading.local:
        local = self.__dict__.get("_tx_state")
        if local is None:
            local = self.__dict__.setdefault("_tx_state", threading.local())
        return local

    def _refresh_derived(self, cur, changes: _Changes) -> None:
        """Before the commit: the coverage spans of the counties whose contracts or villages changed, then the
        service tables of those and of the counties whose service records changed (too many counties, or not
        known which: the whole country)."""
        if changes.only_appended_services and self._append_service_days(cur, changes.appended_batches):
            return
        coverage = None if changes.whole_country or len(changes.counties) > MAX_COUNTIES_REFRESHED \
            else changes.counties
        served = None if coverage is None else coverage | changes.service_counties
        self.refresh_coverage_spans(cur, coverage)
        self.refresh_service_days(cur, None if served is None or len(served) > MAX_COUNTIES_REFRESHED else served)

    def _append_service_days(self, cur, batch_ids: Iterable[int]) -> bool:
        """Extend the service tables by the records of `batch_ids` (:func:`rules.service_append_sql`); False, with
        nothing changed, when some record is older than its village's latest stored day (then they are rebuilt)."""
        if self.get_meta(SERVICE_DAYS_META, cur) != SERVICE_DAYS_VERSION:
            return False
        steps = rules.service_append_sql(sorted(batch_ids))
        try:
            for sql in steps.prepare:
                self._run(cur, sql)
            if int(self._rows(cur, steps.late)[0][0]):
                return False
            for sql in steps.apply:
                self._run(cur, sql)
            return True
        finally:
            for sql in steps.cleanup:
                self._run(cur, sql)

    def _changed(self, cur, counties: Iterable[int] | None = (), *, derived: str | None = "coverage",
                 appended: Iterable[int] | None = None) -> None:
        """Record that the current transaction changed `counties` (6-digit numbers; None = anywhere) and hold
        them against other writers until it ends.  `derived`: what the commit refreshes for them: "coverage"
        (contracts or villages changed: the coverage spans and what is built on them), "services" (only service
        records changed: the service tables; `appended` names the batches when records were only added, which
        lets the commit extend the tables instead of rebuilding them), or None (nothing derived depends on it)."""
        counties = None if counties is None else sorted(set(counties))
        changes = getattr(self._tx_local(), "changes", None)
        if changes is not None:
            changes.add(counties, derived, appended)
        if counties is None or counties:
            self._lock_counties(cur, counties)

    def _lock_counties(self, cur, counties: Sequence[int] | None) -> None:  # noqa: B027 - optional hook
        """Make other writers of the same counties wait until this transaction ends (a backend with one writer
        at a time needs nothing)."""

    def scrub_stored_text(self, cur) -> int:
        """Remove ID-card numbers from every stored text a file can fill (once, for a database written before
        the current rules; every write method scrubs what it stores).  Returns how many values changed."""
        changed = 0
        for table, columns in USER_TEXT_COLUMNS.items():
            for column in columns:
                values = self._rows(cur, f"SELECT DISTINCT {column} FROM {table} WHERE length({column}) >= 15")
                for (old,) in values:
                    if (new := scrub_id_numbers(old)) != old:
                        self._run(cur, f"UPDATE {table} SET {column} = $new WHERE {column} = $old",
                                  {"new": new, "old": old})
                        changed += 1
        self.set_meta(ID_SCRUB_META, ID_SCRUB_VERSION, cur)
        return changed

    def _upgrade(self) -> None:
        """Migrate a database written by an older version forward, one schema step at a time, in one
        transaction; refuse one written by a newer version."""
        version = int(self.get_meta(SCHEMA_META) or 1)
        if version > SCHEMA_VERSION:
            raise StoreError(f"数据库 {self.target} 由更新版本的软件写入（结构版本 {version}），请升级软件 / "
                             f"{self.target} was written by a newer version of this tool (schema {version}); "
                             f"upgrade the tool")
        if (version == SCHEMA_VERSION and self.get_meta(SPANS_META) == SPANS_VERSION
                and self.get_meta(SERVICE_DAYS_META) == SERVICE_DAYS_VERSION
                and self.get_meta(ID_SCRUB_META) == ID_SCRUB_VERSION):
            return
        with self.transaction() as cur:
            for step in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[step](self, cur)
            if self.get_meta(ID_SCRUB_META, cur) != ID_SCRUB_VERSION:
                self.scrub_stored_text(cur)
            self.set_meta(SCHEMA_META, str(SCHEMA_VERSION), cur)

    def refresh_coverage_spans(self, cur, counties: Iterable[int] | None = None) -> None:
        """Rebuild coverage_spans from assignments and real villages, for `counties` (6-digit numbers) or the
        whole country (inside the caller's transaction)."""
        if counties is None:
            for table in ("coverage_spans", "county_spans", "county_villages"):
                self._run(cur, f"DELETE FROM {table}")
            self._run(cur, rules.spans_sql())
            self._run(cur, rules.county_spans_sql())
            self._run(cur, rules.county_villages_sql())
            if self.get_meta(SPANS_META, cur) != SPANS_VERSION:
                self.set_meta(SPANS_META, SPANS_VERSION, cur)
            return
        # a statement per county with its bounds as parameters: each reads its county through the village
        # indexes (a join with a table of ranges made PostgreSQL scan the whole country for every county)
        for p in _county_ranges(counties):
            self._run(cur, f"DELETE FROM coverage_spans WHERE {_IN_RANGE.format(column='village')}", p)
            self._run(cur, rules.spans_sql(_IN_RANGE.format(column="a.village")), p)
            for table in ("county_spans", "county_villages"):
                self._run(cur, f"DELETE FROM {table} WHERE county >= idiv($low, 1000000) "
                               "AND county < idiv($high, 1000000)", p)
            self._run(cur, rules.county_spans_sql(_IN_RANGE.format(column="village")), p)
            self._run(cur, rules.county_villages_sql(_IN_RANGE.format(column="code")), p)

    def refresh_service_days(self, cur, counties: Iterable[int] | None = None) -> None:
        """Rebuild service_days from the service records of real villages, and served_spans from them and the
        coverage spans (refreshed first), for `counties` (6-digit numbers) or the whole country (inside the
        caller's transaction)."""
        if counties is None:
            self._run(cur, "DELETE FROM service_days")
            self._run(cur, rules.service_days_sql())
            self._run(cur, "DELETE FROM served_spans")
            self._run(cur, rules.served_spans_sql())
            self._run(cur, "DELETE FROM service_counties")
            self._run(cur, rules.service_counties_build_sql())
            if self.get_meta(SERVICE_DAYS_META, cur) != SERVICE_DAYS_VERSION:
                self.set_meta(SERVICE_DAYS_META, SERVICE_DAYS_VERSION, cur)
            return
        for p in _county_ranges(counties):
            in_range = _IN_RANGE.format(column="village")
            self._run(cur, f"DELETE FROM service_days WHERE {in_range}", p)
            self._run(cur, rules.service_days_sql(_IN_RANGE.format(column="s.village")), p)
            self._run(cur, f"DELETE FROM served_spans WHERE {in_range}", p)
            self._run(cur, rules.served_spans_sql(in_range), p)
            self._run(cur, "DELETE FROM service_counties WHERE county = idiv($low, 1000000)", {"low": p["low"]})
            self._run(cur, rules.service_counties_build_sql(in_range), p)

    def cursor(self):
        """The handle this thread reads with: its open transaction's, else its own read cursor."""
        tx = getattr(self._tx_local(), "cur", None)
        return tx if tx is not None else self._read_cursor()

    @contextmanager
    def reading(self, cur=None) -> Iterator[Any]:
        """A handle to read with for the block: `cur` when given (inside a transaction), else :meth:`cursor`,
        held against a change of connection (the DuckDB file shared with other processes) until the block ends."""
        if cur is not None or getattr(self._tx_local(), "cur", None) is not None:
            yield cur if cur is not None else self._tx_local().cur
            return
        with self._read_gate():
            yield self._read_cursor()

    def _read_gate(self) -> AbstractContextManager:
        return nullcontext()

    def _q_rows(self, sql: str, params: Params = None, cur=None) -> list[tuple]:
        with self.reading(cur) as c:
            return self._rows(c, sql, params)

    def _q_frame(self, sql: str, params: Params = None, cur=None) -> pd.DataFrame:
        with self.reading(cur) as c:
            return self._frame(c, sql, params)

    def query(self, sql: str, params: Params = None) -> pd.DataFrame:
        """Raw SQL for tests and benchmarks that look inside the store; the product calls named methods."""
        return self._q_frame(sql, params)

    def scalar(self, sql: str, params: Params = None):
        """Raw SQL, first column of the first row (tests and benchmarks only)."""
        rows = self._q_rows(sql, params)
        return rows[0][0] if rows else None

    def execute(self, cur, sql: str, params: Params = None) -> None:
        """A raw statement inside a transaction, in the shared SQL (``$name`` / ``?`` parameters): for tests that
        build odd states; the product writes through named methods only."""
        self._run(cur, sql, params)

    def _one(self, sql: str, params: Params = None, cur=None):
        rows = self._q_rows(sql, params, cur)
        return rows[0][0] if rows else None

    def _codes_frame(self, sql: str, params: Params = None, cur=None, columns: Sequence[str] = ("code",)
                     ) -> pd.DataFrame:
        """A frame whose BIGINT code columns are turned into 12-digit strings."""
        df = self._q_frame(sql, params, cur)
        for col in columns:
            df[col] = df[col].map(to_str)
        return df

    # -- meta ---------------------------------------------------------------------------------------------
    def get_meta(self, key: str, cur=None) -> str | None:
        return self._one("SELECT value FROM meta WHERE key = $key", {"key": key}, cur)

    def set_meta(self, key: str, value: str, cur) -> None:
        self._run(cur, "INSERT INTO meta (key, value) VALUES ($key, $value) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", {"key": key, "value": value})

    def delete_meta(self, key: str, cur) -> None:
        self._run(cur, "DELETE FROM meta WHERE key = $key", {"key": key})

    def erase(self, cur) -> None:
        """Remove every row of every data table (``python -m geo demo --force`` on a server); the accounts and
        the audit trail stay."""
        self._changed(cur, None)
        for table in TABLES:
            if table not in KEPT_ON_ERASE:
                self._run(cur, f"DELETE FROM {table}")
        # what the store says about its own form and its logins stays; what it said about its data goes
        kept = ", ".join(f"'{k}'" for k in (SCHEMA_META, SPANS_META, ID_SCRUB_META, COOKIE_SECRET_META,
                                            AUDIT_HEAD_META))
        self._run(cur, f"DELETE FROM meta WHERE key NOT IN ({kept})")

    def is_empty(self) -> bool:
        return not self._one("SELECT count(*) FROM divisions")

    # -- batches ------------------------------------------------------------------------------------------
    def new_batch(self, cur, kind: str, file_name: str | None = None, sha256: str | None = None,
                  rows_read: int = 0, rows_accepted: int = 0, rows_rejected: int = 0,
                  note: str | None = None) -> int:
        self._changed(cur)
        batch_id = int(self._one("SELECT nextval('batch_seq')", cur=cur))
        self._run(cur, "INSERT INTO batches (batch_id, kind, file_name, sha256, rows_read, rows_accepted, "
                       "rows_rejected, note) VALUES ($id, $kind, $file, $sha, $read, $acc, $rej, $note)",
                  {"id": batch_id, "kind": kind, "file": file_name and scrub_id_numbers(file_name), "sha": sha256,
                   "read": int(rows_read), "acc": int(rows_accepted), "rej": int(rows_rejected),
                   "note": note and scrub_id_numbers(note)})
        return batch_id

    def set_batch_rows(self, cur, batch_id: int, rows_read: int, rows_accepted: int) -> None:
        self._run(cur, "UPDATE batches SET rows_read = $read, rows_accepted = $acc WHERE batch_id = $id",
                  {"read": int(rows_read), "acc": int(rows_accepted), "id": batch_id})

    def batches(self, scope: Scope = Scope("")) -> pd.DataFrame:
        """The batches inside `scope`, newest first: those whose rows all lie inside it (their ``scope`` column;
        a batch without one, such as the demo's, belongs to the whole country)."""
        return self._q_frame("SELECT * FROM batches WHERE coalesce(scope, '') LIKE $prefix ORDER BY batch_id DESC",
                             {"prefix": scope.digits + "%"})

    def set_batch_scope(self, cur, batch_id: int, scope: Scope) -> None:
        """Say where batch `batch_id` lies (see :meth:`batches`); set by the import that made it."""
        self._run(cur, "UPDATE batches SET scope = $scope WHERE batch_id = $id",
                  {"scope": scope.digits, "id": int(batch_id)})

    def batch_scope(self, batch_id: int, cur=None) -> Scope:
        """Where batch `batch_id` lies: the whole country when the store does not say."""
        return Scope(self._one("SELECT coalesce(scope, '') FROM batches WHERE batch_id = $id",
                               {"id": int(batch_id)}, cur) or "")

    def batch(self, batch_id: int, cur=None) -> BatchInfo | None:
        rows = self._q_rows("SELECT batch_id, kind, status FROM batches WHERE batch_id = $id",
                            {"id": int(batch_id)}, cur)
        return BatchInfo(int(rows[0][0]), rows[0][1], rows[0][2]) if rows else None

    def find_batch(self, kind: str, sha256: str, scope: Scope = Scope("")) -> int | None:
        """The active batch of `kind` that imported this content, among the batches inside `scope` (another
        jurisdiction's batch is not named: its rows are that jurisdiction's)."""
        return self._one("SELECT batch_id FROM batches WHERE kind = $kind AND sha256 = $sha AND status = 'active' "
                         "AND coalesce(scope, '') LIKE $prefix ORDER BY batch_id DESC LIMIT 1",
                         {"kind": kind, "sha": sha256, "prefix": scope.digits + "%"})

    def later_active_batches(self, cur, kind: str, batch_id: int) -> int:
        """How many active batches of `kind` are newer than `batch_id`."""
        return int(self._one("SELECT count(*) FROM batches WHERE kind = $kind AND status = 'active' "
                             "AND batch_id > $id", {"kind": kind, "id": batch_id}, cur))

    def mark_rolled_back(self, cur, batch_id: int) -> None:
        self._changed(cur)
        self._run(cur, "UPDATE batches SET status = 'rolled_back' WHERE batch_id = $id", {"id": batch_id})

    def data_version(self) -> str:
        """Changes whenever an import adds or retires a batch: part of every cache key of the app."""
        return str(self._one("SELECT CAST(coalesce(max(batch_id), 0) AS VARCHAR) || '-' || "
                             "CAST(count(*) AS VARCHAR) FROM batches WHERE status = 'active'"))

    # -- registry -----------------------------------------------------------------------------------------
    def load_registry(self, registry: pd.DataFrame, cur=None, batch_id: int | None = None) -> int:
        """Replace the division table with `registry` (columns code 12-digit str, name, level[, urban_rural]).

        A code listed at several levels (东莞市 as city and county) is kept once, at its highest level, so
        names resolve uniquely; aggregation works on code prefixes and does not need the duplicate.
        """
        if cur is None:
            with self.transaction() as cur:
                return self.load_registry(registry, cur, batch_id)
        frame = _division_frame(registry)
        self._changed(cur, None)
        self._run(cur, "DELETE FROM divisions")
        with self._table(cur, "incoming_registry", frame):
            # written once with its parents: updating every row afterwards costs a server a rewrite of the table
            self._run(cur, f"""
                INSERT INTO divisions (code, name, level, parent, urban_rural, abolished, batch_id)
                WITH listed AS (SELECT DISTINCT ON (code) code, name, level, urban_rural
                                FROM incoming_registry ORDER BY code, level)
                SELECT d.code, d.name, d.level, {_PARENT}, d.urban_rural, false, $batch
                FROM listed d {_parent_candidates("listed")}""", {"batch": batch_id})
        return int(self._one("SELECT count(*) FROM divisions", cur=cur))

    def _set_parents(self, cur) -> None:
        """Re-derive every division's parent; only rows whose parent changes are written."""
        self._run(cur, f"""
            UPDATE divisions SET parent = up.parent FROM (
                SELECT d.code, {_PARENT} AS parent FROM divisions d {_parent_candidates("divisions")}) up
            WHERE divisions.code = up.code AND divisions.parent IS DISTINCT FROM up.parent""")

    def registry_version(self) -> str:
        """Changes whenever the division list changes (a registry batch lands or is rolled back)."""
        row = self._q_rows(f"""
            SELECT coalesce(sum(batch_id) FILTER (WHERE status = 'active'), 0), count(*),
                   (SELECT count(*) FROM divisions WHERE NOT abolished)
            FROM batches WHERE kind IN {REGISTRY_KINDS}""")[0]
        return "/".join(str(int(x)) for x in row)

    def registry_frame(self) -> pd.DataFrame:
        """The current division list (abolished ones left out): code (12-digit str, object), name, level.

        The same DataFrame object is returned until the registry changes, so the readers' indexes over it
        (cached per object, ~1 s to build nationally) are built once, not per import.
        """
        version = self.registry_version()
        cached = getattr(self, "_registry_cache", None)
        if cached and cached[0] == version:
            return cached[1]
        df = self.query("SELECT code, name, level FROM divisions WHERE NOT abolished")
        df["code"] = df["code"].map(to_str).astype(object)
        df["name"] = df["name"].astype(object)
        self._registry_cache = (version, df)
        return df

    def registry_comparison(self, codes: Sequence[str], counties: Sequence[str], cur=None) -> pd.DataFrame:
        """What a division list is compared with: the stored rows of `codes` and every level-5 row of
        `counties` (6-digit prefixes).  Columns code (12-digit str, object), name, level, abolished."""
        wanted = pd.DataFrame({"code": pd.array([int(c) for c in codes], dtype="int64")})
        within = pd.DataFrame({"county": pd.array([int(c) for c in counties], dtype="int64")})
        with self.reading(cur) as cur, self._table(cur, "cmp_codes", wanted), \
                self._table(cur, "cmp_counties", within):
            df = self._codes_frame("""
                SELECT d.code, d.name, d.level, d.abolished FROM divisions d JOIN cmp_codes c ON c.code = d.code
                UNION
                SELECT d.code, d.name, d.level, d.abolished FROM divisions d
                JOIN cmp_counties k ON k.county = idiv(d.code, 1000000) WHERE d.level = 5""", cur=cur)
        df["code"] = df["code"].astype(object)
        df["name"] = df["name"].astype(object)
        return df

    def apply_registry_version(self, cur, incoming: pd.DataFrame, batch_id: int, *,
                               abolish: Sequence[str] = ()) -> RegistryChange:
        """A newer division list: new codes added, renamed ones updated, the villages in `abolish` (12-digit
        codes; the import's plan says which) marked abolished, kept so assignments on them stay visible.

        The state before - every row listed and every village of the counties listed by their own row - is kept
        in ``division_history`` for :meth:`rollback_registry`.
        """
        frame = _division_frame(incoming)
        gone = pd.DataFrame({"code": pd.array([int(c) for c in abolish], dtype="int64")})
        self._changed(cur, _counties_of(frame.loc[frame["level"] >= 3, "code"]) | _counties_of(gone["code"]))
        p = {"batch": batch_id}
        with self._table(cur, "reg_in", frame):
            # only a county listed itself counts as listed in full: a fragment of new villages abolishes nothing
            counties = "(SELECT idiv(code, 1000000) FROM reg_in WHERE level = 3)"
            self._run(cur, f"""
                INSERT INTO division_history (batch_id, code, name, level, urban_rural, abolished, existed)
                SELECT $batch, d.code, d.name, d.level, d.urban_rural, d.abolished, true FROM divisions d
                WHERE EXISTS (SELECT 1 FROM reg_in r WHERE r.code = d.code)
                UNION
                SELECT $batch, d.code, d.name, d.level, d.urban_rural, d.abolished, true FROM divisions d
                WHERE d.level = 5 AND idiv(d.code, 1000000) IN {counties}""", p)
            self._run(cur, """
                INSERT INTO division_history (batch_id, code, name, level, urban_rural, abolished, existed)
                SELECT $batch, code, name, level, urban_rural, false, false FROM reg_in
                WHERE NOT EXISTS (SELECT 1 FROM divisions d WHERE d.code = reg_in.code)""", p)
            added, renamed = self._rows(cur, """
                SELECT count(*) FILTER (WHERE d.code IS NULL),
                       count(*) FILTER (WHERE d.code IS NOT NULL AND (d.name <> r.name OR d.abolished))
                FROM reg_in r LEFT JOIN divisions d ON d.code = r.code""")[0]
            self._run(cur, """UPDATE divisions SET name = r.name, abolished = false,
                              urban_rural = coalesce(r.urban_rural, divisions.urban_rural)
                              FROM reg_in r WHERE divisions.code = r.code""")
            self._run(cur, """
                INSERT INTO divisions (code, name, level, parent, urban_rural, abolished, batch_id)
                SELECT code, name, level, NULL, urban_rural, false, $batch FROM reg_in
                WHERE NOT EXISTS (SELECT 1 FROM divisions d WHERE d.code = reg_in.code)""", p)
        with self._table(cur, "abolish_codes", gone):
            abolished = self._rows(cur, """UPDATE divisions SET abolished = true
                                          WHERE code IN (SELECT code FROM abolish_codes) RETURNING code""")
        self._set_parents(cur)
        orphans = self._one("""SELECT count(*) FROM assignments a JOIN divisions d ON d.code = a.village
                               WHERE d.abolished""", cur=cur)
        return RegistryChange(int(added), int(renamed), len(abolished), int(orphans))

    def rollback_registry(self, cur, batch_id: int) -> None:
        """Put the division list back as it was before registry batch `batch_id` (its outlines too)."""
        p = {"batch": batch_id}
        self._changed(cur, _counties_of(c for (c,) in self._rows(
            cur, "SELECT code FROM division_history WHERE batch_id = $batch AND level >= 3", p)))
        self._run(cur, """DELETE FROM divisions WHERE code IN (
                              SELECT code FROM division_history WHERE batch_id = $batch AND NOT existed)""", p)
        self._run(cur, """UPDATE divisions SET name = h.name, level = h.level, urban_rural = h.urban_rural,
                                 abolished = h.abolished
                          FROM division_history h
                          WHERE h.batch_id = $batch AND h.existed AND divisions.code = h.code""", p)
        if self.get_meta("outlines_batch", cur) == str(batch_id):   # the outlines came with this batch
            self._run(cur, "DELETE FROM shapes WHERE tier IN ('national', 'province', 'city')")
            self.delete_meta("outlines_batch", cur)
        self._set_parents(cur)

    def division(self, code: str) -> Division | None:
        rows = self._q_rows("SELECT code, name, level FROM divisions WHERE code = $code",
                          {"code": int(code)})
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
        p = {"low": low, "high": high}
        for level in range(scope.level + 1, 6):
            w = _width(level)
            n = self._one(f"""SELECT count(DISTINCT idiv(code, {w})) FROM divisions
                              WHERE {REAL_VILLAGE} AND code >= $low AND code < $high""", p)
            if not n:
                return None
            if n > 1 or level == 5:
                return level
            only = self._one(f"""SELECT min(idiv(code, {w}) * {w}) FROM divisions
                                 WHERE {REAL_VILLAGE} AND code >= $low AND code < $high""", p)
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
        return self._codes_frame(f"""
            WITH u AS (SELECT DISTINCT idiv(code, {w}) * {w} AS code FROM divisions
                       WHERE {REAL_VILLAGE} AND code >= $low AND code < $high)
            SELECT u.code, coalesce(d.name, CAST(u.code AS VARCHAR)) AS name, {level} AS level
            FROM u LEFT JOIN divisions d ON d.code = u.code ORDER BY u.code""", {"low": low, "high": high})

    # -- people and contracts -----------------------------------------------------------------------------
    def adviser_candidates(self, cur, names: list[str], licences: list[str]) -> list[tuple]:
        """(adviser_id, name, licence_no, phone, org) of the stored advisers named one of `names` or holding one
        of `licences`, in id order: whom a ledger's people may be (geo.sources.ledger.people decides)."""
        wanted = pd.DataFrame({"v": pd.Series([*names, *licences], dtype=object)}).drop_duplicates()
        if wanted.empty:
            return []
        with self._table(cur, "wanted_people", wanted):
            rows = self._rows(cur, "SELECT adviser_id, name, licence_no, phone, org FROM advisers "
                                   "WHERE name IN (SELECT v FROM wanted_people) "
                                   "OR licence_no IN (SELECT v FROM wanted_people) ORDER BY adviser_id")
        return [(int(a), *rest) for a, *rest in rows]

    def new_adviser_ids(self, cur, n: int) -> list[int]:
        """`n` adviser ids no other writer will hand out."""
        return self._new_ids(cur, n) if n else []

    def add_advisers(self, cur, advisers: pd.DataFrame) -> int:
        """Insert people: columns adviser_id, name, and any of kind, org, licence_no, phone, base_code, lon, lat,
        batch_id (missing ones are NULL)."""
        if advisers.empty:
            return 0
        cols = ["adviser_id", "name", "kind", "org", "licence_no", "phone", "base_code", "lon", "lat", "batch_id"]
        frame = pd.DataFrame({c: (advisers[c] if c in advisers.columns else None) for c in cols})
        frame = frame.astype({"adviser_id": "int64", "base_code": "Int64", "lon": "float64", "lat": "float64",
                              "batch_id": "Int64"})
        frame = _scrubbed(frame, USER_TEXT_COLUMNS["advisers"])
        self._changed(cur)
        with self._table(cur, "incoming_advisers", frame):
            self._run(cur, f"INSERT INTO advisers ({', '.join(cols)}) SELECT {', '.join(cols)} "
                           f"FROM incoming_advisers")
        self._ids_used(cur, int(frame["adviser_id"].max()))
        return len(frame)

    def add_assignments(self, cur, assignments: pd.DataFrame, *, skip_known: bool = True) -> int:
        """Insert contracts: columns adviser_id, village (12-digit str or int), start_date, end_date (None =
        open-ended), batch_id.  With `skip_known`, a contract already stored (same person, village and period)
        is not stored twice.  Returns the number inserted."""
        if assignments.empty:
            return 0
        frame = pd.DataFrame({   # dates stay datetime64 (NaT = open-ended): no Python object per contract
            "adviser_id": assignments["adviser_id"].astype("int64"),
            "village": assignments["village"].astype("int64"),
            "start_date": pd.to_datetime(assignments["start_date"]).astype("datetime64[us]"),
            "end_date": pd.to_datetime(assignments["end_date"]).astype("datetime64[us]"),
            "batch_id": assignments["batch_id"].astype("Int64")})
        known = """AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.adviser_id = i.adviser_id
                       AND a.village = i.village AND a.start_date = CAST(i.start_date AS DATE)
                       AND a.end_date IS NOT DISTINCT FROM CAST(i.end_date AS DATE))""" if skip_known else ""
        self._changed(cur, _counties_of(frame["village"]))
        new_rows = f"""
            SELECT DISTINCT i.adviser_id, i.village, CAST(i.start_date AS DATE) AS start_date,
                   CAST(i.end_date AS DATE) AS end_date, i.batch_id
            FROM incoming_assignments i WHERE true {known}"""
        with self._table(cur, "incoming_assignments", frame):
            # counted before the insert: the counties' locks (above) keep other writers off these villages
            inserted = int(self._one(f"SELECT count(*) FROM ({new_rows}) n", cur=cur))
            self._run(cur, f"INSERT INTO assignments (adviser_id, village, start_date, end_date, batch_id) {new_rows}")
        return inserted

    def add_services(self, cur, services: pd.DataFrame) -> int:
        """Insert service records: columns village (12-digit str or int), adviser_id (or missing), service_date,
        mode ('onsite' / 'remote' / 'other'), category, hours, people, content, batch_id.  Free text is scrubbed
        of ID numbers like every stored text.  Returns the number inserted."""
        if services.empty:
            return 0
        frame = pd.DataFrame({
            "village": services["village"].astype("int64"),
            "adviser_id": services["adviser_id"].astype("Int64"),
            "service_date": pd.to_datetime(services["service_date"]).astype("datetime64[us]"),
            "mode": services["mode"].astype(str),
            "category": services["category"],
            "hours": pd.to_numeric(services["hours"]).astype(float),
            "people": pd.to_numeric(services["people"]).astype("Int64"),
            "content": services["content"],
            "batch_id": services["batch_id"].astype("Int64")})
        # a log's free text names the people served: their phone numbers go too, not only ID numbers
        frame = _scrubbed(frame, USER_TEXT_COLUMNS["services"], scrub_personal_numbers)
        batches = frame["batch_id"]
        # records without a batch cannot be told apart from the stored ones: the commit rebuilds instead
        self._changed(cur, _counties_of(frame["village"]), derived="services",
                      appended=None if batches.isna().any() else batches.unique().tolist())
        with self._table(cur, "incoming_services", frame):
            self._run(cur, """INSERT INTO services (village, adviser_id, service_date, mode, category, hours, people,
                                                    content, batch_id)
                              SELECT village, adviser_id, CAST(service_date AS DATE), mode, category, hours, people,
                                     content, batch_id FROM incoming_services""")
        return len(frame)

    def rollback_services(self, cur, batch_id: int) -> None:
        p = {"batch": batch_id}
        self._changed(cur, _counties_of(v for (v,) in self._rows(
            cur, "SELECT DISTINCT village FROM services WHERE batch_id = $batch", p)), derived="services")
        self._run(cur, "DELETE FROM services WHERE batch_id = $batch", p)

    def set_adviser_locations_by_county(self, cur, points: pd.DataFrame) -> None:
        """Place advisers at a point of their base's county: `points` has code (county, int), lon, lat."""
        frame = pd.DataFrame({"code": points["code"].astype("int64"), "lon": points["lon"].astype(float),
                              "lat": points["lat"].astype(float)})
        self._changed(cur)
        with self._table(cur, "county_points", frame):
            self._run(cur, """UPDATE advisers SET lon = p.lon, lat = p.lat FROM county_points p
                              WHERE p.code = idiv(advisers.base_code, 1000000) * 1000000""")

    def rollback_assignments(self, cur, batch_id: int) -> None:
        """Remove the contracts of batch `batch_id`, and the people it brought who hold no other contract."""
        p = {"batch": batch_id}
        self._changed(cur, _counties_of(v for (v,) in self._rows(
            cur, "SELECT DISTINCT village FROM assignments WHERE batch_id = $batch", p)))
        self._run(cur, "DELETE FROM assignments WHERE batch_id = $batch", p)
        self._run(cur, """DELETE FROM advisers WHERE batch_id = $batch
                          AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.adviser_id = advisers.adviser_id)""", p)

    # -- coverage -----------------------------------------------------------------------------------------
    def _per_village_sql(self) -> str:
        """One row per village in [$low, $high) with a contract started by $as_of: village, cur_end, expiring,
        seen (the precomputed spans; grouping assignments for a read-only store that predates them)."""
        if self._spans:
            return rules.spans_per_village_sql()
        return rules.per_village_sql(
            table="(SELECT * FROM assignments WHERE village >= $low AND village < $high) scoped")

    def _village_status_cte(self) -> str:
        """CTEs ``pv`` (:meth:`_per_village_sql`), ``v`` (the real villages in [$low, $high)) and ``cd`` (the
        counties of [$clow, $chigh) with data on the day: :func:`rules.data_counties_sql`)."""
        return f"""
            pv AS ({self._per_village_sql()}),
            v AS (SELECT code FROM divisions WHERE {REAL_VILLAGE} AND code >= $low AND code < $high),
            cd AS ({rules.data_counties_sql(self._spans)})"""

    @staticmethod
    def _status_params(scope: Scope, as_of, expiring_days: int) -> dict:
        """The parameters of :meth:`_village_status_cte`: the scope's range and that of its whole counties."""
        low, high = scope.int_range
        county = 10**6
        return {"as_of": as_date(as_of), "days": int(expiring_days), "low": low, "high": high,
                "clow": low // county * county, "chigh": -(-high // county) * county}

    # -- effective service (geo.core.service_rule) ----------------------------------------------------------------
    def _service_days_ready(self) -> bool:
        if self._service_days is None:
            self._service_days = self.get_meta(SERVICE_DAYS_META) == SERVICE_DAYS_VERSION
        return self._service_days

    def _served_spans_answer(self, settings: ServiceSettings) -> bool:
        """Whether served_spans holds the answer for `settings` (the rule's default window and modes)."""
        return (self._service_days_ready() and tuple(settings.counting_modes) == rules.SERVED_SPANS_MODES
                and settings.window_days == rules.SERVED_SPANS_WINDOW)

    def _service_cte(self, params: dict, settings: ServiceSettings) -> tuple[str, dict]:
        """CTEs ``ps`` (per village in [$low, $high) with a record of a counting mode by $as_of: last_counting)
        and ``sc`` (counties with any record by $as_of, looked at whole: a township without records in a county
        with records is nominal, not without data), and `params` (as_of, low, high) with what they read."""
        n = len(settings.counting_modes)
        county = 10**6
        params = {**params, "window_start": settings.window(params["as_of"])[0],
                  "clow": params["low"] // county * county, "chigh": -(-params["high"] // county) * county,
                  **{f"mode{i}": m for i, m in enumerate(settings.counting_modes)}}
        if self._service_days_ready():
            per_village, counties = rules.service_per_village_sql(n), rules.service_counties_sql()
        else:
            per_village, counties = rules.raw_service_per_village_sql(n), rules.raw_service_counties_sql()
        return f"ps AS ({per_village}), sc AS ({counties})", params

    def _unit_figures(self, scope: Scope, as_of, width: int, expiring_days: int,
                      service: ServiceSettings) -> pd.DataFrame:
        """Per unit of `width` in `scope`: unit, villages, covered, expiring, lapsed, served, nominal,
        in_recorded_counties (villages with a contract started by the date in a county with service records).

        Villages per unit and statuses per unit are counted apart and joined per unit (a few hundred rows), not
        per village (620,000): pv holds real villages only (spans) or is cut to them by the semi join.  Units of
        a county or wider in a scope of whole counties are summed from the per-county tables instead.  Served
        villages are counted from served_spans (the default counting mode, any window) with a range filter; the
        general form joins coverage and records village by village.
        """
        w = width
        only_real = "" if self._spans else "WHERE pv.village IN (SELECT code FROM v)"
        service_cte, params = self._service_cte(self._status_params(scope, as_of, expiring_days), service)
        if self._served_spans_answer(service):
            served = rules.served_per_unit_sql(w)
            params = {k: v for k, v in params.items() if not k.startswith("mode") and k != "window_start"}
            service_cte = service_cte[service_cte.index("sc AS"):]
        else:
            served = f"""SELECT idiv(pv.village, {w}) * {w} AS unit, count(*) AS served
                         FROM pv JOIN ps ON ps.village = pv.village WHERE {rules.served_sql()} GROUP BY 1"""
        low, high = params["low"], params["high"]
        if self._spans and w >= 10**6 and low % 10**6 == 0 and high % 10**6 == 0:
            counts = rules.county_figures_sql(w)
        else:
            counts = f"""
            n AS (SELECT idiv(v.code, {w}) * {w} AS unit, count(*) AS villages, count(cd.county) AS data_villages,
                         count(DISTINCT CASE WHEN cd.county IS NULL THEN idiv(v.code, 1000000) END) AS no_data_counties
                  FROM v LEFT JOIN cd ON cd.county = idiv(v.code, 1000000) GROUP BY 1),
            agg AS (
                SELECT idiv(pv.village, {w}) * {w} AS unit, count(pv.cur_end) AS covered,
                       count(*) FILTER (WHERE pv.expiring) AS expiring,
                       count(*) FILTER (WHERE pv.cur_end IS NULL) AS lapsed,
                       count(*) FILTER (WHERE pv.cur_end IS NOT NULL AND sc.county IS NOT NULL) AS covered_recorded,
                       count(sc.county) AS in_recorded_counties
                FROM pv LEFT JOIN sc ON sc.county = idiv(pv.village, 1000000) {only_real}
                GROUP BY 1)"""
        df = self.query(f"""
            WITH {self._village_status_cte()}, {service_cte}, {counts},
            srv AS ({served}),
            u AS (SELECT n.unit, villages, data_villages, no_data_counties,
                         coalesce(covered, 0) AS covered, coalesce(expiring, 0) AS expiring,
                         coalesce(lapsed, 0) AS lapsed, coalesce(served, 0) AS served,
                         coalesce(covered_recorded, 0) - coalesce(served, 0) AS nominal,
                         coalesce(in_recorded_counties, 0) AS in_recorded_counties
                  FROM n LEFT JOIN agg ON agg.unit = n.unit LEFT JOIN srv ON srv.unit = n.unit)
            -- each unit's name looked up by its code: PostgreSQL cannot estimate that u holds a few dozen units
            -- (a grouping by code prefix) and would join all of divisions to it
            SELECT u.unit,
                   coalesce((SELECT d.name FROM divisions d WHERE d.code = u.unit), CAST(u.unit AS VARCHAR)) AS name,
                   villages, data_villages, no_data_counties, covered, expiring, lapsed, served, nominal,
                   in_recorded_counties
            FROM u
            ORDER BY u.unit""", params)
        for col in ("villages", "data_villages", "no_data_counties", "covered", "expiring", "lapsed", "served",
                    "nominal", "in_recorded_counties"):
            df[col] = df[col].astype("int64")
        # the no-data rule (geo.core.coverage): only the villages of counties with data count
        counted = counted_villages(df["villages"], df["data_villages"])
        return df.assign(no_data_villages=df["villages"] - df["data_villages"], villages=counted)

    def summary(self, scope: Scope, as_of: dt.date | str, by: str | int = "county",
                expiring_days: int = DEFAULT_EXPIRING_DAYS, service: ServiceSettings = DEFAULT_SERVICE
                ) -> pd.DataFrame:
        """Coverage and effective service per unit at level `by` inside `scope`, one row per unit with villages.

        Columns: code, name, villages, covered, expiring, lapsed, never, coverage_rate, has_data, served,
        nominal, served_rate, in_recorded_counties (villages with a contract started by the date in a county
        with service records), has_service_data (there are such villages: else 无服务记录, not 0 % served),
        no_data_counties, no_data_villages.  The no-data rule is geo.core.coverage's: ``villages`` counts the
        villages of the unit's counties with data (all of them, and has_data false, when none has), and the
        counties without data and their villages are the last two columns.
        """
        level = LEVEL_OF_NAME[by] if isinstance(by, str) else int(by)
        df = self._unit_figures(scope, as_of, _width(level), expiring_days, service)
        out = pd.DataFrame({"code": df["unit"].map(to_str), "name": df["name"]})
        for col in ("villages", "covered", "expiring", "lapsed"):
            out[col] = df[col]
        out["never"] = df["villages"] - df["covered"] - df["lapsed"]
        out["coverage_rate"] = (df["covered"] / df["villages"]).astype("float64")
        out["has_data"] = has_data(out["covered"], out["lapsed"], out["villages"], df["no_data_villages"])
        out["served"], out["nominal"] = df["served"], df["nominal"]
        out["served_rate"] = (df["served"] / df["villages"]).astype("float64")
        out["in_recorded_counties"] = df["in_recorded_counties"]
        out["has_service_data"] = has_service_data(out["in_recorded_counties"])
        out["no_data_counties"], out["no_data_villages"] = df["no_data_counties"], df["no_data_villages"]
        return out

    def totals(self, scope: Scope, as_of: dt.date | str, expiring_days: int = DEFAULT_EXPIRING_DAYS,
               service: ServiceSettings = DEFAULT_SERVICE) -> ServedCounts:
        df = self._unit_figures(scope, as_of, 10**12, expiring_days, service)
        return ServedCounts(**{c: int(df[c].sum()) for c in (
            "villages", "covered", "expiring", "lapsed", "no_data_counties", "no_data_villages", "served", "nominal",
            "in_recorded_counties")})

    def no_data_counties(self, scope: Scope, as_of: dt.date | str) -> pd.DataFrame:
        """The counties of `scope` (or the county of a narrower one) without data on `as_of` (geo.core.coverage: no
        contract of theirs started by then, their ledger not imported yet), most villages first: code, name,
        city, province (names), villages.  东莞, 中山 and 儋州, cities without counties, are their own county
        (and city)."""
        params = self._status_params(scope, as_of, DEFAULT_EXPIRING_DAYS)
        params = {k: params[k] for k in ("as_of", "clow", "chigh")}
        villages = ("SELECT county, villages FROM county_villages" if self._spans else
                    f"SELECT idiv(code, 1000000) AS county, count(*) AS villages FROM divisions WHERE {REAL_VILLAGE} "
                    "GROUP BY 1")
        df = self._codes_frame(f"""
            WITH cd AS ({rules.data_counties_sql(self._spans)}),
            cv AS ({villages}),
            left_out AS (SELECT cv.county * 1000000 AS code, cv.villages FROM cv
                         WHERE cv.county >= idiv($clow, 1000000) AND cv.county < idiv($chigh, 1000000)
                           AND cv.county NOT IN (SELECT county FROM cd))
            SELECT l.code, coalesce(d.name, CAST(l.code AS VARCHAR)) AS name,
                   coalesce(c.name, '') AS city, coalesce(p.name, '') AS province, l.villages
            FROM left_out l LEFT JOIN divisions d ON d.code = l.code
            LEFT JOIN divisions c ON c.code = idiv(l.code, 100000000) * 100000000
            LEFT JOIN divisions p ON p.code = idiv(l.code, 10000000000) * 10000000000
            ORDER BY l.villages DESC, l.code""", params)
        df["villages"] = df["villages"].astype("int64")
        return df

    def village_statuses(self, scope: Scope, as_of: dt.date | str, statuses: Sequence[str] | None = None,
                 township: str | None = None, expiring_days: int = DEFAULT_EXPIRING_DAYS,
                 service: ServiceSettings = DEFAULT_SERVICE) -> pd.DataFrame:
        """One row per village in scope with its status and current (or, if lapsed, last) advisers.

        Columns: code, name, township_code, township, county, status, service_status (served / nominal / lapsed
        / never / no_data, geo.core.service_rule), last_onsite (the latest record of a counting mode on or before the
        date: on site by default; NaT = none), advisers, orgs, phones, contract_start, contract_end (NaT =
        open-ended or none).  Filter by `statuses` (coverage statuses, and effective ones such as 'nominal')
        and a township code.
        """
        params = self._status_params(scope, as_of, expiring_days)
        if township:
            low, high = Scope.parse(township).int_range
            params["low"], params["high"] = max(low, params["low"]), min(high, params["high"])
        service_cte, params = self._service_cte(params, service)
        where = ""
        if statuses:
            coverage = [s for s in statuses if s in {x.value for x in Status}] or ["-"]
            effective = [s for s in statuses if s in {x.value for x in ServiceStatus}] or ["-"]
            where = ("WHERE status IN (" + ", ".join(f"'{s}'" for s in coverage) + ") OR service_status IN ("
                     + ", ".join(f"'{s}'" for s in effective) + ")")
        # the status filter applies before the advisers are looked up: a gap list of a province needs the
        # names of a few thousand villages' advisers, not of all 60,000
        df = self.query(f"""
            WITH {self._village_status_cte()}, {service_cte},
            sv AS (SELECT * FROM (SELECT v.code, {rules.status_sql('pv')} AS status,
                                         {rules.service_status_sql()} AS service_status,
                                         ps.last_counting AS last_onsite
                                  FROM v LEFT JOIN pv ON pv.village = v.code LEFT JOIN ps ON ps.village = v.code
                                  LEFT JOIN sc ON sc.county = idiv(v.code, 1000000)
                                  LEFT JOIN cd ON cd.county = idiv(v.code, 1000000)) s {where}),
            -- advisers shown: the current ones; for a lapsed village those of its last contract
            cand AS (
                SELECT a.village, a.adviser_id, a.start_date, a.end_date,
                       (a.end_date IS NULL OR a.end_date >= $as_of) AS is_cur
                FROM assignments a JOIN sv ON sv.code = a.village
                WHERE a.start_date <= $as_of AND a.village >= $low AND a.village < $high),
            ranked AS (
                SELECT cand.*, bool_or(is_cur) OVER w AS any_cur, max(end_date) OVER w AS last_end
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
                SELECT sv.code, d.name, idiv(sv.code, 1000) * 1000 AS township_code, t.name AS township,
                       c.name AS county, sv.status, sv.service_status, sv.last_onsite,
                       p.advisers, p.orgs, p.phones, p.contract_start, p.contract_end
                FROM sv JOIN divisions d ON d.code = sv.code
                LEFT JOIN divisions t ON t.code = idiv(sv.code, 1000) * 1000
                LEFT JOIN divisions c ON c.code = idiv(sv.code, 1000000) * 1000000
                LEFT JOIN people p ON p.village = sv.code)
            SELECT * FROM rows ORDER BY code""", params)
        df["code"] = df["code"].map(to_str)
        df["township_code"] = df["township_code"].map(to_str)
        for col in ("contract_start", "contract_end", "last_onsite"):
            df[col] = pd.to_datetime(df[col])
        return df

    def trend(self, scope: Scope, last_month: dt.date | str, months: int = 24,
              service: ServiceSettings = DEFAULT_SERVICE) -> pd.DataFrame:
        """Coverage and effective service on the last day of each of the `months` months ending with
        `last_month`'s month.

        Columns: month (YYYY-MM), as_of, villages, covered, coverage_rate, served, served_rate, has_service_data
        (any service record in scope by that day: before it the served line is not a figure).
        """
        days = month_ends(as_date(last_month), months)
        low, high = scope.int_range
        frame = pd.DataFrame({"as_of": days, "window_start": [service.window(d)[0] for d in days]})
        modes = {f"mode{i}": m for i, m in enumerate(service.counting_modes)}
        records = ("(SELECT village, mode, day FROM service_days)" if self._service_days_ready()
                   else "(SELECT village, mode, service_date AS day FROM services)")
        if self._served_spans_answer(service):
            modes = {}
            served = """SELECT t.as_of, count(*) AS served FROM trend_days t
                        JOIN served_spans ss ON ss.span_from <= t.as_of AND ss.span_until > t.as_of
                        WHERE ss.village >= $low AND ss.village < $high GROUP BY t.as_of"""
        else:
            served = f"""
                WITH visited AS (SELECT DISTINCT t.as_of, r.village FROM trend_days t
                                 JOIN {records} r ON r.day <= t.as_of AND r.day >= t.window_start
                                 WHERE {rules.modes_in('r.mode', len(modes))}
                                   AND r.village >= $low AND r.village < $high)
                SELECT cv.as_of, count(*) AS served FROM cv
                JOIN visited ON visited.as_of = cv.as_of AND visited.village = cv.village GROUP BY cv.as_of"""
        with self.reading() as cur, self._table(cur, "trend_days", frame):
            df = self._frame(cur, f"""
                WITH v AS (SELECT code FROM divisions WHERE {REAL_VILLAGE} AND code >= $low AND code < $high),
                a AS (SELECT a.village, a.start_date, coalesce(a.end_date, DATE '9999-12-31') AS end_date
                      FROM assignments a JOIN v ON v.code = a.village),
                {self._covered_days_cte(len(days))},
                s AS ({served}),
                first_record AS (SELECT min(r.day) AS day FROM {records} r
                                 WHERE r.village >= $low AND r.village < $high
                                   AND r.village IN (SELECT code FROM v))
                SELECT t.as_of, (SELECT count(*) FROM v) AS villages, coalesce(c.covered, 0) AS covered,
                       coalesce(s.served, 0) AS served,
                       coalesce((SELECT day FROM first_record) <= t.as_of, false) AS has_service_data
                FROM trend_days t LEFT JOIN c ON c.as_of = t.as_of LEFT JOIN s ON s.as_of = t.as_of
                ORDER BY t.as_of""", {"low": low, "high": high, **modes})
        df.insert(0, "month", [f"{d.year:04d}-{d.month:02d}" for d in pd.to_datetime(df["as_of"])])
        for col in ("villages", "covered", "served"):
            df[col] = df[col].astype("int64")
        villages = df["villages"].where(df["villages"] > 0)
        df["coverage_rate"] = (df["covered"] / villages).fillna(0.0)
        df["served_rate"] = (df["served"] / villages).fillna(0.0)
        df["has_service_data"] = df["has_service_data"].astype(bool)
        return df[["month", "as_of", "villages", "covered", "coverage_rate", "served", "served_rate",
                   "has_service_data"]]

    @staticmethod
    def _covered_days_cte(days: int) -> str:
        """``cv``: (as_of, village) for each day of ``trend_days`` a village of ``a`` is under contract, and ``c``:
        the count of them per day (as_of, covered).

        A contract covers a run of the sorted days, [i0, i1) by index: one bit mask per contract period (the
        distinct (start, end) pairs, a few thousand for 730,000 contracts), OR-ed per village, then one row per set
        bit.  The plain join of days and contracts with DISTINCT is the same set, a dozen times slower on a
        national store (730,000 contracts: 13 s against 0.9 s); it stays for more days than a BIGINT has bits.
        The indices are counted by a grouped join, not a subquery per row: PostgreSQL inlines the CTE and ran the
        subqueries once per contract.  ``c`` counts villages per distinct mask first, not the 14 million rows of
        ``cv`` nationally (PostgreSQL sorted them on disk: 8 s in all)."""
        if days > 62:
            return """cv AS (SELECT DISTINCT t.as_of, a.village
                       FROM trend_days t JOIN a ON a.start_date <= t.as_of AND a.end_date >= t.as_of),
                c AS (SELECT as_of, count(*) AS covered FROM cv GROUP BY as_of)"""
        return """ti AS (SELECT as_of, CAST(row_number() OVER (ORDER BY as_of) - 1 AS INTEGER) AS i FROM trend_days),
                pi AS (SELECT p.start_date, p.end_date,
                              CAST(count(*) FILTER (WHERE ti.as_of < p.start_date) AS INTEGER) AS i0,
                              CAST(count(*) FILTER (WHERE ti.as_of <= p.end_date) AS INTEGER) AS i1
                       FROM (SELECT DISTINCT start_date, end_date FROM a) p CROSS JOIN ti
                       GROUP BY p.start_date, p.end_date),
                pm AS (SELECT start_date, end_date, (CAST(1 AS BIGINT) << i1) - (CAST(1 AS BIGINT) << i0) AS mask
                       FROM pi WHERE i1 > i0),
                cm AS (SELECT a.village, bit_or(pm.mask) AS mask
                       FROM a JOIN pm ON pm.start_date = a.start_date AND pm.end_date = a.end_date
                       GROUP BY a.village),
                cv AS (SELECT ti.as_of, cm.village FROM ti JOIN cm ON (cm.mask >> ti.i) & 1 = 1),
                mn AS (SELECT mask, count(*) AS n FROM cm GROUP BY mask),
                c AS (SELECT ti.as_of, sum(mn.n) AS covered FROM ti JOIN mn ON (mn.mask >> ti.i) & 1 = 1
                      GROUP BY ti.as_of)"""

    def adviser_stats(self, scope: Scope, as_of: dt.date | str) -> tuple[int, float]:
        """(advisers serving villages in scope on `as_of`, covered villages per such adviser)."""
        low, high = scope.int_range
        row = self._q_rows(f"""
            SELECT count(DISTINCT a.adviser_id), count(DISTINCT a.village)
            FROM assignments a JOIN divisions d ON d.code = a.village AND {rules.real_village('d')}
            WHERE a.village >= $low AND a.village < $high AND a.start_date <= $as_of
              AND (a.end_date IS NULL OR a.end_date >= $as_of)""",
                         {"low": low, "high": high, "as_of": as_date(as_of)})[0]
        n_adv, n_vil = int(row[0]), int(row[1])
        return n_adv, (n_vil / n_adv if n_adv else 0.0)

    def orphan_assignments(self, scope: Scope = Scope("")) -> pd.DataFrame:
        """Assignments whose village is unknown or abolished: a data problem, shown, never dropped."""
        low, high = scope.int_range
        return self._codes_frame(f"""
            SELECT a.village AS code, d.name, d.abolished, ad.name AS adviser, a.start_date, a.end_date,
                   a.batch_id
            FROM assignments a JOIN advisers ad ON ad.adviser_id = a.adviser_id
            LEFT JOIN divisions d ON d.code = a.village
            WHERE a.village >= $low AND a.village < $high
              AND (d.code IS NULL OR NOT {rules.real_village('d')})
            ORDER BY a.village""", {"low": low, "high": high})

    # -- geometry -----------------------------------------------------------------------------------------
    def _wanted(self, cur, codes: Sequence[str]) -> AbstractContextManager:
        return self._table(cur, "wanted_codes", pd.DataFrame({"code": [int(c) for c in codes]}, dtype="int64"))

    def shapes(self, codes: Sequence[str], tier: str) -> pd.DataFrame:
        """Display geometries (GeoJSON text) of `codes` at `tier`: columns code, geojson, schematic."""
        if not len(codes):
            return pd.DataFrame(columns=["code", "geojson", "schematic"])
        with self.reading() as cur, self._wanted(cur, codes):
            return self._codes_frame("""SELECT s.code, s.geojson, s.schematic FROM shapes s
                                        JOIN wanted_codes w ON w.code = s.code WHERE s.tier = $tier""",
                                     {"tier": tier}, cur)

    def shapes_under(self, scope: Scope, tier: str) -> pd.DataFrame:
        """Every display geometry of `tier` inside `scope`: columns code, geojson, schematic."""
        low, high = scope.int_range
        return self._codes_frame("SELECT code, geojson, schematic FROM shapes WHERE tier = $tier AND code >= $low "
                                 "AND code < $high ORDER BY code", {"tier": tier, "low": low, "high": high})

    def has_shapes(self, tier: str, cur=None) -> bool:
        return bool(self._one("SELECT count(*) FROM shapes WHERE tier = $tier", {"tier": tier}, cur))

    def replace_shapes(self, cur, rows: pd.DataFrame, tier: str) -> None:
        """Store display geometries: `rows` has code (12-digit str), geojson, schematic."""
        if rows.empty:
            return
        frame = pd.DataFrame({"code": rows["code"].astype("int64"), "tier": tier,
                              "geojson": rows["geojson"].astype(object), "schematic": rows["schematic"].astype(bool)})
        self._changed(cur, _counties_of(frame["code"]) if tier in ("county", "township") else (), derived=None)
        with self._table(cur, "incoming_shapes", frame):
            self._run(cur, "DELETE FROM shapes WHERE tier = $tier AND code IN (SELECT code FROM incoming_shapes)",
                      {"tier": tier})
            self._run(cur, "INSERT INTO shapes (code, tier, geojson, schematic) "
                           "SELECT code, tier, geojson, schematic FROM incoming_shapes")

    def clear_village_display(self, cur, county: str) -> None:
        """Remove the county and township display shapes drawn from one county's village boundaries."""
        low = int(county[:6]) * 10**6
        self._run(cur, "DELETE FROM shapes WHERE tier IN ('county', 'township') AND code >= $low AND code < $high",
                  {"low": low, "high": low + 10**6})

    def village_geoms_in(self, county: str, cur=None) -> pd.DataFrame:
        """Boundaries of one county's villages: code (12-digit str), geom (WKB bytes), schematic."""
        low = int(county[:6]) * 10**6
        df = self._codes_frame("SELECT code, geom, schematic FROM village_geoms WHERE code >= $low AND code < $high",
                               {"low": low, "high": low + 10**6}, cur)
        df["geom"] = df["geom"].map(bytes)
        return df

    def village_geoms(self, codes: Sequence[str]) -> pd.DataFrame:
        """Full-detail boundaries of the villages in `codes` that have one: code (12-digit str), geom (WKB)."""
        if not len(codes):
            return pd.DataFrame(columns=["code", "geom"])
        with self.reading() as cur, self._wanted(cur, codes):
            df = self._codes_frame("SELECT g.code, g.geom FROM village_geoms g JOIN wanted_codes w ON w.code = g.code",
                                   cur=cur)
        df["geom"] = df["geom"].map(bytes)
        return df

    def replace_village_geoms(self, cur, frame: pd.DataFrame, batch_id: int | None, *, schematic: bool = False,
                              keep_history: bool = False) -> int:
        """Insert or replace boundaries: `frame` has code (12-digit str) and geom (WKB bytes, WGS-84).

        With `keep_history` the boundaries replaced (and the codes that had none) are kept in ``geom_history``
        under `batch_id`, for :meth:`rollback_village_geoms`.
        """
        if frame.empty:
            return 0
        rows = pd.DataFrame({"code": frame["code"].astype("int64"), "geom": frame["geom"].astype(object),
                             "schematic": bool(schematic), "batch_id": batch_id})
        self._changed(cur, _counties_of(rows["code"]), derived=None)
        rows["batch_id"] = rows["batch_id"].astype("Int64")
        with self._table(cur, "incoming_geoms", rows):
            if keep_history:
                p = {"batch": batch_id}
                self._run(cur, """
                    INSERT INTO geom_history (batch_id, code, geom, schematic, prior_batch, existed)
                    SELECT $batch, g.code, g.geom, g.schematic, g.batch_id, true
                    FROM village_geoms g WHERE g.code IN (SELECT code FROM incoming_geoms)""", p)
                self._run(cur, """
                    INSERT INTO geom_history (batch_id, code, geom, schematic, prior_batch, existed)
                    SELECT $batch, code, NULL, NULL, NULL, false FROM incoming_geoms
                    WHERE NOT EXISTS (SELECT 1 FROM village_geoms g WHERE g.code = incoming_geoms.code)""", p)
            self._run(cur, "DELETE FROM village_geoms WHERE code IN (SELECT code FROM incoming_geoms)")
            self._run(cur, "INSERT INTO village_geoms (code, geom, schematic, batch_id) "
                           "SELECT code, geom, schematic, batch_id FROM incoming_geoms")
        return len(rows)

    def rollback_village_geoms(self, cur, batch_id: int) -> list[str]:
        """Put back the boundaries batch `batch_id` replaced; returns the 6-digit counties it touched."""
        p = {"batch": batch_id}
        counties = sorted({to_str(c)[:6] for (c,) in self._rows(
            cur, "SELECT code FROM geom_history WHERE batch_id = $batch", p)})
        self._run(cur, "DELETE FROM village_geoms WHERE code IN "
                       "(SELECT code FROM geom_history WHERE batch_id = $batch)", p)
        self._run(cur, """INSERT INTO village_geoms (code, geom, schematic, batch_id)
                          SELECT code, geom, schematic, prior_batch FROM geom_history
                          WHERE batch_id = $batch AND existed""", p)
        return counties

    # -- backend primitives -------------------------------------------------------------------------------
    @abstractmethod
    def _read_cursor(self):
        """This thread's own read handle."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _begin(self) -> AbstractContextManager:
        """A write handle inside a transaction: committed when the block ends, rolled back if it raises."""

    @abstractmethod
    def _run(self, cur, sql: str, params: Params = None) -> None: ...

    @abstractmethod
    def _rows(self, cur, sql: str, params: Params = None) -> list[tuple]: ...

    @abstractmethod
    def _frame(self, cur, sql: str, params: Params = None) -> pd.DataFrame: ...

    @abstractmethod
    def _new_ids(self, cur, n: int) -> list[int]:
        """`n` fresh adviser ids."""

    def _ids_used(self, cur, highest: int) -> None:  # noqa: B027 - optional hook
        """Ids up to `highest` were given by the caller (a bulk load): :meth:`_new_ids` must not give them."""

    @abstractmethod
    def _table(self, cur, name: str, frame: pd.DataFrame) -> AbstractContextManager:
        """`frame` readable as table `name` by the statements run on `cur` inside the block."""


def _adviser_ids_from_a_sequence(store: Store, cur) -> None:
    """2: adviser ids come from the backend (a sequence on a server), ahead of every id already stored."""
    highest = store._one("SELECT max(adviser_id) FROM advisers", cur=cur)
    if highest is not None:
        store._ids_used(cur, int(highest))


def _chained_audit_and_batch_scopes(store: Store, cur) -> None:
    """3: audit rows carry a hash chain (the existing rows are chained in id order) and batches say where they
    lie (the smallest division holding the rows each wrote; the whole country for one that wrote none)."""
    from geo.imports.jurisdiction import common_scope

    store._run(cur, "ALTER TABLE batches ADD COLUMN IF NOT EXISTS scope VARCHAR")
    store._run(cur, "ALTER TABLE audit ADD COLUMN IF NOT EXISTS hash VARCHAR")
    for (batch_id,) in store._rows(cur, "SELECT batch_id FROM batches WHERE scope IS NULL "
                                        "AND kind NOT IN ('demo', 'init')"):
        reach = store.batch_code_range(batch_id, cur)
        if reach is not None and str(batch_id) != store.get_meta("outlines_batch", cur):
            store.set_batch_scope(cur, batch_id, common_scope([f"{c:012d}" for c in reach]))
    store.chain_audit(cur)


#: schema version -> the step that brings a database of the version before up to it
MIGRATIONS = {2: _adviser_ids_from_a_sequence, 3: _chained_audit_and_batch_scopes}
