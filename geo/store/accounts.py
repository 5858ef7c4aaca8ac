"""Accounts, sessions and the audit trail in the store (the SQL behind geo.accounts and geo.audit).

Stand-in written beside the app (issue 10, app half) so that the app can run; the library half replaces it.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..codes import Scope

ACCOUNT_COLUMNS = "username, display_name, role, scope, enabled"


class AccountQueries:
    """Mixed into :class:`~geo.store.base.Store`: accounts, sessions, audit rows."""

    # -- accounts -----------------------------------------------------------------------------------------
    def account_count(self) -> int:
        return int(self._one("SELECT count(*) FROM accounts"))

    def account_rows(self, scope: Scope) -> list[tuple]:
        """(username, display_name, role, scope, enabled) of every account whose jurisdiction lies in `scope`."""
        return self._q_rows(f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE scope LIKE $prefix ORDER BY username",
                            {"prefix": f"{scope.digits}%"})

    def account_row(self, username: str, cur=None) -> tuple | None:
        """(username, display_name, role, scope, enabled, password_hash, failed_logins, locked_until)."""
        rows = self._q_rows(f"SELECT {ACCOUNT_COLUMNS}, password_hash, failed_logins, locked_until FROM accounts "
                            "WHERE username = $u", {"u": username}, cur)
        return rows[0] if rows else None

    def insert_account(self, cur, username: str, display_name: str, role: str, scope: Scope,
                       password_hash: str) -> None:
        self._changed(cur)
        self._run(cur, "INSERT INTO accounts (username, display_name, role, scope, enabled, password_hash) "
                       "VALUES ($u, $d, $r, $s, true, $h)",
                  {"u": username, "d": display_name, "r": role, "s": scope.digits, "h": password_hash})

    def update_account(self, cur, username: str, **values) -> None:
        """Set columns of one account (password_hash, enabled, failed_logins, locked_until)."""
        self._changed(cur)
        sets = ", ".join(f"{name} = ${name}" for name in values)
        self._run(cur, f"UPDATE accounts SET {sets} WHERE username = $username", {**values, "username": username})

    # -- sessions -----------------------------------------------------------------------------------------
    def insert_session(self, cur, token_sha256: str, username: str, now: dt.datetime, expires: dt.datetime) -> None:
        self._changed(cur)
        self._run(cur, "INSERT INTO sessions (token_sha256, username, started_at, expires_at, last_seen) "
                       "VALUES ($t, $u, $now, $exp, $now)",
                  {"t": token_sha256, "u": username, "now": now, "exp": expires})

    def session_row(self, token_sha256: str) -> tuple | None:
        """(username, expires_at, last_seen, ended_at) of a session."""
        rows = self._q_rows("SELECT username, expires_at, last_seen, ended_at FROM sessions WHERE token_sha256 = $t",
                            {"t": token_sha256})
        return rows[0] if rows else None

    def touch_session(self, cur, token_sha256: str, now: dt.datetime) -> None:
        self._changed(cur)
        self._run(cur, "UPDATE sessions SET last_seen = $now WHERE token_sha256 = $t", {"t": token_sha256, "now": now})

    def close_session(self, cur, token_sha256: str, now: dt.datetime) -> None:
        self._changed(cur)
        self._run(cur, "UPDATE sessions SET ended_at = $now WHERE token_sha256 = $t AND ended_at IS NULL",
                  {"t": token_sha256, "now": now})

    def close_sessions_of(self, cur, username: str, now: dt.datetime) -> None:
        self._changed(cur)
        self._run(cur, "UPDATE sessions SET ended_at = $now WHERE username = $u AND ended_at IS NULL",
                  {"u": username, "now": now})

    # -- audit --------------------------------------------------------------------------------------------
    def append_audit(self, cur, time: dt.datetime, username: str, action: str, scope: Scope, detail: str) -> None:
        self._changed(cur)
        self._run(cur, "INSERT INTO audit_log (time, username, action, scope, detail) "
                       "VALUES ($time, $u, $a, $s, $d)",
                  {"time": time, "u": username, "a": action, "s": scope.digits, "d": detail})

    def audit_frame(self, scope: Scope, since: dt.datetime | None, user: str | None,
                    action: str | None) -> pd.DataFrame:
        """Audit rows inside `scope` (by the scope they were recorded for), newest first, filtered."""
        where, params = ["scope LIKE $prefix"], {"prefix": f"{scope.digits}%"}
        for column, value, test in (("time", since, ">="), ("username", user, "="), ("action", action, "=")):
            if value is not None:
                where.append(f"{column} {test} ${column}")
                params[column] = value
        return self._q_frame("SELECT time, username AS user, action, scope, detail FROM audit_log "
                             f"WHERE {' AND '.join(where)} ORDER BY time DESC", params)
