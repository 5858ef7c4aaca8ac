"""The store's side of accounts and logins: every statement on ``accounts`` and ``sessions``.

The rules (who may do what, lockout, hashing) live in :mod:`geo.auth.accounts`; this module only reads and writes
rows.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from geo.core.codes import Scope
from geo.privacy.idcards import scrub_id_numbers
from geo.store.base import Cursor, StoreBase

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
SESSION_COLUMNS = ("username", "created_at", "last_seen", "expires_at", "ended_at")


def _prefix_param(scope: Scope) -> str:
    return scope.digits + "%"


class AccountQueries(StoreBase):
    """Accounts and sessions."""

    # -- accounts ---------------------------------------------------------------------------------------
    def account_count(self, cur: Cursor | None = None) -> int:
        return int(self._one("SELECT count(*) FROM accounts", cur=cur))

    def enabled_admin_count(self, cur: Cursor | None = None) -> int:
        """Accounts that can still manage accounts: enabled administrators."""
        return int(self._one("SELECT count(*) FROM accounts WHERE role = 'admin' AND enabled", cur=cur))

    def account_row(self, username: str, cur: Cursor | None = None) -> dict[str, Any] | None:
        rows = self._q_rows(f"SELECT {', '.join(ACCOUNT_COLUMNS)} FROM accounts WHERE username = $name",
                            {"name": username}, cur)
        return dict(zip(ACCOUNT_COLUMNS, rows[0])) if rows else None

    def accounts_in(self, scope: Scope) -> pd.DataFrame:
        """Accounts whose jurisdiction lies inside `scope`, by user name (no password hash)."""
        return self._q_frame(f"SELECT {', '.join(LISTED_COLUMNS)} FROM accounts WHERE scope LIKE $prefix "
                             "ORDER BY username", {"prefix": _prefix_param(scope)})

    def insert_account(self, cur: Cursor, row: dict[str, Any]) -> None:
        values = {**row, "display_name": scrub_id_numbers(row["display_name"])}
        self._run(cur, f"INSERT INTO accounts ({', '.join(ACCOUNT_COLUMNS)}) "
                       f"VALUES ({', '.join('$' + c for c in ACCOUNT_COLUMNS)})",
                  {c: values.get(c) for c in ACCOUNT_COLUMNS})

    def update_account(self, cur: Cursor, username: str, *, keep_sessions: bool = False, **fields: Any) -> None:
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

    def count_login_attempt(self, cur: Cursor, username: str, now: dt.datetime) -> int | None:
        """Count one more login attempt against an enabled account that is not locked, and return the count, in
        one statement: of parallel attempts each gets its own number (a row lock on PostgreSQL, one writer at a
        time on DuckDB).  None: no such account, or disabled, or locked."""
        rows = self._rows(cur, "UPDATE accounts SET failed_logins = failed_logins + 1 WHERE username = $name "
                               "AND enabled AND (locked_until IS NULL OR locked_until <= $now) "
                               "RETURNING failed_logins", {"name": username, "now": now})
        return int(rows[0][0]) if rows else None

    # -- sessions ---------------------------------------------------------------------------------------
    def insert_session(self, cur: Cursor, token_hash: str, username: str, created: dt.datetime,
                       expires: dt.datetime) -> None:
        self._run(cur, "INSERT INTO sessions (token_hash, username, created_at, last_seen, expires_at) "
                       "VALUES ($hash, $name, $created, $created, $expires)",
                  {"hash": token_hash, "name": username, "created": created, "expires": expires})

    def session_row(self, token_hash: str, cur: Cursor | None = None) -> dict[str, Any] | None:
        rows = self._q_rows(f"SELECT {', '.join(SESSION_COLUMNS)} FROM sessions WHERE token_hash = $hash",
                            {"hash": token_hash}, cur)
        return dict(zip(SESSION_COLUMNS, rows[0])) if rows else None

    def touch_session(self, cur: Cursor, token_hash: str, now: dt.datetime) -> None:
        self._run(cur, "UPDATE sessions SET last_seen = $now WHERE token_hash = $hash",
                  {"now": now, "hash": token_hash})

    def end_session_row(self, cur: Cursor, token_hash: str, now: dt.datetime) -> None:
        self._run(cur, "UPDATE sessions SET ended_at = $now WHERE token_hash = $hash AND ended_at IS NULL",
                  {"now": now, "hash": token_hash})

    def end_sessions_of(self, cur: Cursor, username: str, now: dt.datetime) -> None:
        self._run(cur, "UPDATE sessions SET ended_at = $now WHERE username = $name AND ended_at IS NULL",
                  {"now": now, "name": username})

