"""The store's side of accounts, logins and the audit trail: every statement on ``accounts``, ``sessions`` and
``audit``, and what a rollback needs to know about a batch's reach.

The rules (who may do what, lockout, hashing) live in :mod:`geo.auth.accounts` and :mod:`geo.auth.audit`; this mixin
only
reads and writes rows.  The audit trail is append-only: there is a method to add a row and methods to read
them, and none to change or remove one (``erase()``, which rebuilds the demo, keeps them too).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from contextlib import contextmanager
from typing import Any, Iterator

import pandas as pd

from geo.core.codes import Scope
from geo.privacy.idcards import scrub_id_numbers

ACCOUNT_COLUMNS = ("username", "display_name", "role", "scope", "enabled", "password_hash", "failed_logins",
                   "locked_until", "created_at", "updated_at")
#: what an account listing shows: never the hash
LISTED_COLUMNS = ("username", "display_name", "role", "scope", "enabled", "locked_until", "created_at",
                  "updated_at")
#: the columns an account update may set
_UPDATABLE = frozenset({"display_name", "role", "scope", "enabled", "password_hash", "failed_logins",
                        "locked_until", "updated_at"})
#: what, when it changes, ends the account's sessions: a stolen cookie must not outlive a password reset
_ENDS_SESSIONS = frozenset({"password_hash", "role", "scope"})
#: meta key of the key that signs login cookies (geo.auth.accounts.cookie_secret)
COOKIE_SECRET_META = "auth_cookie_secret"
#: meta key of the audit chain's head: "<id of the last row> <its hash>" (a removed last row shows against it)
AUDIT_HEAD_META = "audit_head"
#: what a row's hash covers, in this order
AUDIT_CHAINED = ("id", "time", "username", "action", "scope", "detail")
SESSION_COLUMNS = ("username", "created_at", "last_seen", "expires_at", "ended_at")
#: the tables a batch writes village rows into, with the column holding the village (or division) code
_BATCH_CODES = (("assignments", "village"), ("geom_history", "code"), ("division_history", "code"),
                ("services", "village"))


def _prefix_param(scope: Scope) -> str:
    return scope.digits + "%"


def chain_hash(previous: str, row_id: int, time: dt.datetime, username: str, action: str, scope: str,
               detail: str) -> str:
    """SHA-256 (hex) of an audit row's content and the hash of the row before it ("" for the first row)."""
    stamp = pd.Timestamp(time).strftime("%Y-%m-%d %H:%M:%S.%f")
    content = json.dumps([int(row_id), stamp, username, action, scope, detail], ensure_ascii=False)
    return hashlib.sha256(f"{previous}\n{content}".encode()).hexdigest()


def head_text(row_id: int, row_hash: str) -> str:
    return f"{int(row_id)} {row_hash}"


class AccountQueries:
    """Accounts, sessions and audit rows (a mixin of :class:`geo.store.Store`)."""

    @contextmanager
    def quiet_transaction(self) -> Iterator[Any]:
        """A write transaction that touches no contract or village: nothing to refresh at its commit."""
        with self.transaction() as cur:
            self._changed(cur, (), derived=None)
            yield cur

    # -- accounts ---------------------------------------------------------------------------------------
    def account_count(self, cur=None) -> int:
        return int(self._one("SELECT count(*) FROM accounts", cur=cur))

    def enabled_admin_count(self, cur=None) -> int:
        """Accounts that can still manage accounts: enabled administrators."""
        return int(self._one("SELECT count(*) FROM accounts WHERE role = 'admin' AND enabled", cur=cur))

    def account_row(self, username: str, cur=None) -> dict | None:
        rows = self._q_rows(f"SELECT {', '.join(ACCOUNT_COLUMNS)} FROM accounts WHERE username = $name",
                            {"name": username}, cur)
        return dict(zip(ACCOUNT_COLUMNS, rows[0])) if rows else None

    def accounts_in(self, scope: Scope) -> pd.DataFrame:
        """Accounts whose jurisdiction lies inside `scope`, by user name (no password hash)."""
        return self._q_frame(f"SELECT {', '.join(LISTED_COLUMNS)} FROM accounts WHERE scope LIKE $prefix "
                             "ORDER BY username", {"prefix": _prefix_param(scope)})

    def insert_account(self, cur, row: dict) -> None:
        values = {**row, "display_name": scrub_id_numbers(row["display_name"])}
        self._run(cur, f"INSERT INTO accounts ({', '.join(ACCOUNT_COLUMNS)}) "
                       f"VALUES ({', '.join('$' + c for c in ACCOUNT_COLUMNS)})",
                  {c: values.get(c) for c in ACCOUNT_COLUMNS})

    def update_account(self, cur, username: str, *, keep_sessions: bool = False, **fields: Any) -> None:
        """Set `fields` of one account.  A new password, role or jurisdiction, or disabling, ends every session
        of the account (here, so that no caller can forget it); `keep_sessions`: a rehash of the same password
        at a login, which changes nothing about who may do what."""
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"not an updatable account column: {sorted(unknown)}")
        sets = ", ".join(f"{c} = ${c}" for c in fields)
        self._run(cur, f"UPDATE accounts SET {sets} WHERE username = $username", {**fields, "username": username})
        if not keep_sessions and (_ENDS_SESSIONS & set(fields) or fields.get("enabled") is False):
            self.end_sessions_of(cur, username, fields.get("updated_at") or dt.datetime.now(dt.timezone.utc)
                                 .replace(tzinfo=None))

    def count_login_attempt(self, cur, username: str, now: dt.datetime) -> int | None:
        """Count one more login attempt against an enabled account that is not locked, and return the count, in
        one statement: of parallel attempts each gets its own number (a row lock on PostgreSQL, one writer at a
        time on DuckDB).  None: no such account, or disabled, or locked."""
        rows = self._rows(cur, "UPDATE accounts SET failed_logins = failed_logins + 1 WHERE username = $name "
                               "AND enabled AND (locked_until IS NULL OR locked_until <= $now) "
                               "RETURNING failed_logins", {"name": username, "now": now})
        return int(rows[0][0]) if rows else None

    # -- sessions ---------------------------------------------------------------------------------------
    def insert_session(self, cur, token_hash: str, username: str, created: dt.datetime,
                       expires: dt.datetime) -> None:
        self._run(cur, "INSERT INTO sessions (token_hash, username, created_at, last_seen, expires_at) "
                       "VALUES ($hash, $name, $created, $created, $expires)",
                  {"hash": token_hash, "name": username, "created": created, "expires": expires})

    def session_row(self, token_hash: str, cur=None) -> dict | None:
        rows = self._q_rows(f"SELECT {', '.join(SESSION_COLUMNS)} FROM sessions WHERE token_hash = $hash",
                            {"hash": token_hash}, cur)
        return dict(zip(SESSION_COLUMNS, rows[0])) if rows else None

    def touch_session(self, cur, token_hash: str, now: dt.datetime) -> None:
        self._run(cur, "UPDATE sessions SET last_seen = $now WHERE token_hash = $hash",
                  {"now": now, "hash": token_hash})

    def end_session_row(self, cur, token_hash: str, now: dt.datetime) -> None:
        self._run(cur, "UPDATE sessions SET ended_at = $now WHERE token_hash = $hash AND ended_at IS NULL",
                  {"now": now, "hash": token_hash})

    def end_sessions_of(self, cur, username: str, now: dt.datetime) -> None:
        self._run(cur, "UPDATE sessions SET ended_at = $now WHERE username = $name AND ended_at IS NULL",
                  {"now": now, "name": username})

    # -- meta kept once -----------------------------------------------------------------------------------
    def meta_setdefault(self, key: str, value: str) -> str:
        """The stored value of `key`; `value` is stored first when there is none (two processes asking at
        once both get the one that was stored first)."""
        stored = self.get_meta(key)
        if stored is not None:
            return stored
        with self.quiet_transaction() as cur:
            self._run(cur, "INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO NOTHING",
                      {"key": key, "value": value})
            return self.get_meta(key, cur)

    # -- audit ----------------------------------------------------------------------------------------------
    def add_audit(self, cur, time: dt.datetime, username: str, action: str, scope: Scope, detail: str) -> None:
        """Append one row to the audit trail (the detail is JSON text; ID-card numbers are removed from it),
        chained to the row before it.  Inside :meth:`transaction` the row is written just before the commit
        (:meth:`_append_audit`): an import holds the chain for its commit only, not for its whole length."""
        row = {"time": time, "username": scrub_id_numbers(username), "action": action, "scope": scope.digits,
               "detail": scrub_id_numbers(detail)}
        local = self._tx_local()
        if getattr(local, "cur", None) is cur and getattr(local, "audit", None) is not None:
            local.audit.append(row)
        else:
            self._append_audit(cur, [row])

    def _append_audit(self, cur, rows: list[dict]) -> None:
        """Write `rows` (without id) to the trail, each chained to the one before.  Appends take turns
        (:meth:`_lock_audit`) until the transaction ends, and ids are handed out in that turn, so the chain's
        order is the ids' order and two servers never chain two rows to the same predecessor."""
        if not rows:
            return
        self._lock_audit(cur)
        head = self.get_meta(AUDIT_HEAD_META, cur)
        previous = head.split(" ", 1)[1] if head else ""
        for values in rows:
            row = {"id": int(self._one("SELECT nextval('audit_seq')", cur=cur)), **values}
            previous = chain_hash(previous, *(row[c] for c in AUDIT_CHAINED))
            self._run(cur, "INSERT INTO audit (id, time, username, action, scope, detail, hash) "
                           "VALUES ($id, $time, $username, $action, $scope, $detail, $hash)",
                      {**row, "hash": previous})
        self.set_meta(AUDIT_HEAD_META, head_text(row["id"], previous), cur)

    def _lock_audit(self, cur) -> None:  # noqa: B027 - optional hook
        """Make other appenders to the audit trail wait until this transaction ends (a backend with one writer
        at a time needs nothing)."""

    def audit_chain(self, cur=None) -> pd.DataFrame:
        """Every audit row with its hash, in id order: what ``python -m geo audit --verify`` checks."""
        return self._q_frame(f"SELECT {', '.join(AUDIT_CHAINED)}, hash FROM audit ORDER BY id", cur=cur)

    def chain_audit(self, cur) -> int:
        """Hash every audit row in id order from the first, in a store written before the chain (the one update
        of audit rows there is).  Returns how many rows were chained: none once any row has a hash, so that
        running the migration again (a schema version removed by hand) cannot re-chain a changed trail."""
        if self._one("SELECT count(*) FROM audit WHERE hash IS NOT NULL", cur=cur):
            return 0
        rows = self.audit_chain(cur)
        hashes, previous = [], ""
        for values in zip(*(rows[c] for c in AUDIT_CHAINED)):
            previous = chain_hash(previous, *values)
            hashes.append(previous)
        if hashes:
            frame = pd.DataFrame({"id": rows["id"].astype("int64"), "hash": pd.Series(hashes, dtype=object)})
            with self._table(cur, "audit_hashes", frame):
                self._run(cur, "UPDATE audit SET hash = h.hash FROM audit_hashes h WHERE audit.id = h.id")
            self.set_meta(AUDIT_HEAD_META, head_text(int(rows["id"].iloc[-1]), hashes[-1]), cur)
        return len(hashes)

    def audit_rows(self, scope: Scope, since: dt.datetime | None = None, username: str | None = None,
                   action: str | None = None) -> pd.DataFrame:
        """Audit rows about `scope` or a place inside it, oldest first: id, time, username, action, scope,
        detail; narrowed to rows at or after `since`, of one user, of one action."""
        where, params = ["scope LIKE $prefix"], {"prefix": _prefix_param(scope)}
        for column, name, value in (("time", "since", since), ("username", "name", username),
                                    ("action", "action", action)):
            if value is not None:
                where.append(f"{column} {'>=' if name == 'since' else '='} ${name}")
                params[name] = value
        return self._q_frame(f"SELECT id, time, username, action, scope, detail FROM audit "
                             f"WHERE {' AND '.join(where)} ORDER BY id", params)

    # -- what a batch reaches -------------------------------------------------------------------------------
    def batch_code_range(self, batch_id: int, cur=None) -> tuple[int, int] | None:
        """The lowest and highest village or division code batch `batch_id` wrote or replaced (None: none)."""
        parts = " UNION ALL ".join(f"SELECT min({col}) AS lo, max({col}) AS hi FROM {table} WHERE batch_id = $batch"
                                   for table, col in _BATCH_CODES)
        lo, hi = self._q_rows(f"SELECT min(lo), max(hi) FROM ({parts}) r", {"batch": int(batch_id)}, cur)[0]
        return None if lo is None else (int(lo), int(hi))

    def batch_reaches_outside(self, batch_id: int, scope: Scope, cur=None) -> bool:
        """Whether batch `batch_id` wrote or replaced a row of a village or division outside `scope`, or
        brought the national outlines (a store started from its division list)."""
        if not scope.digits:
            return False
        if self.get_meta("outlines_batch", cur) == str(batch_id):
            return True
        low, high = scope.int_range
        parts = " UNION ALL ".join(f"SELECT count(*) AS n FROM {table} WHERE batch_id = $batch "
                                   f"AND ({col} < $low OR {col} >= $high)" for table, col in _BATCH_CODES)
        n = self._q_rows(f"SELECT sum(n) FROM ({parts}) r", {"batch": int(batch_id), "low": low, "high": high},
                         cur)[0][0]
        return bool(n)
