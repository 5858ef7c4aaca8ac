"""Accounts, passwords and login sessions, kept in the store.

Stand-in written beside the app (issue 10, app half) with the API the library half provides, so that the app
can run and be tested; the library half replaces this module.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from . import audit
from .access import AccessDenied, Principal, Role
from .codes import Scope
from .errors import UserError

MIN_PASSWORD = 8
MAX_FAILURES = 5
LOCK_MINUTES = 15
#: meta key of the secret that signs the session cookie, shared by every app server through the store
COOKIE_SECRET_META = "cookie_secret"
_HASHER = PasswordHasher()
#: verified against when the user does not exist, so that both failures take the same time
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: Role
    scope: Scope
    enabled: bool = True

    def principal(self) -> Principal:
        return Principal(username=self.username, display_name=self.display_name, role=self.role,
                         jurisdiction=self.scope)


@dataclass(frozen=True)
class AuthSettings:
    session_hours: float = 8
    idle_minutes: float = 60

    @classmethod
    def from_mapping(cls, m: Mapping) -> "AuthSettings":
        """From a ``[login]`` table of settings (``session_hours``, ``idle_minutes``); missing keys keep defaults."""
        values = {k: float(m[k]) for k in ("session_hours", "idle_minutes") if m.get(k) not in (None, "")}
        return cls(**values)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or audit.utc_now()


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _account(row: tuple) -> Account:
    return Account(row[0], row[1], Role(row[2]), Scope(row[3]), bool(row[4]))


def has_accounts(store) -> bool:
    return store.account_count() > 0


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise UserError(key="acc.e.short_password", params={"n": MIN_PASSWORD})


def _managed(store, actor: Principal, username: str) -> Account:
    actor.require("manage_accounts")
    row = store.account_row(username)
    if row is None:
        raise UserError(key="acc.e.no_user", params={"user": username})
    account = _account(row)
    actor.require("manage_accounts", account.scope)
    return account


def add_account(store, actor: Principal, username: str, role: Role | str, scope: Scope, password: str,
                display_name: str | None = None) -> Account:
    actor.require("manage_accounts", scope)
    username = (username or "").strip()
    if not username:
        raise UserError(key="acc.e.no_name")
    _check_password(password)
    if store.account_row(username) is not None:
        raise UserError(key="acc.e.exists", params={"user": username})
    account = Account(username, (display_name or "").strip() or username, Role(role), scope)
    with store.transaction() as cur:
        store.insert_account(cur, username, account.display_name, account.role.value, scope, _HASHER.hash(password))
        audit.record(store, actor, "account_add", scope, {"user": username, "role": account.role.value}, cur)
    return account


def set_password(store, actor: Principal, username: str, password: str) -> None:
    account = _managed(store, actor, username)
    _check_password(password)
    with store.transaction() as cur:
        store.update_account(cur, username, password_hash=_HASHER.hash(password), failed_logins=0, locked_until=None)
        audit.record(store, actor, "account_password", account.scope, {"user": username}, cur)


def set_enabled(store, actor: Principal, username: str, enabled: bool) -> None:
    account = _managed(store, actor, username)
    if actor.username == username and not enabled:
        raise AccessDenied(key="acc.e.self")
    with store.transaction() as cur:
        store.update_account(cur, username, enabled=bool(enabled))
        if not enabled:
            store.close_sessions_of(cur, username, audit.utc_now())
        audit.record(store, actor, "account_enable" if enabled else "account_disable", account.scope,
                     {"user": username}, cur)


def list_accounts(store, actor: Principal) -> list[Account]:
    actor.require("manage_accounts")
    return [_account(r) for r in store.account_rows(actor.jurisdiction)]


def authenticate(store, username: str, password: str, *, now: dt.datetime | None = None) -> Account | None:
    """The account when the password is right and the account enabled and not locked; None otherwise, the
    same None whatever the reason.  Five failures lock an account for 15 minutes."""
    now = _now(now)
    row = store.account_row((username or "").strip())
    if row is None:
        _verify(_DUMMY_HASH, password)
        audit.record(store, "(unknown)", "login_failed", Scope(""), {}, now=now)
        return None
    account, stored, failures, locked_until = _account(row), row[5], int(row[6] or 0), row[7]
    ok = _verify(stored, password) and account.enabled and not (locked_until and locked_until > now)
    with store.transaction() as cur:
        if ok:
            store.update_account(cur, account.username, failed_logins=0, locked_until=None)
            audit.record(store, account.username, "login", account.scope, {}, cur, now=now)
        else:
            failures += 1
            lock = now + dt.timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else locked_until
            store.update_account(cur, account.username, failed_logins=failures, locked_until=lock)
            audit.record(store, account.username, "login_failed", account.scope, {}, cur, now=now)
    return account if ok else None


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return False


def start_session(store, account: Account, *, now: dt.datetime | None = None, hours: float = 8) -> str:
    now = _now(now)
    token = secrets.token_urlsafe(32)
    with store.transaction() as cur:
        store.insert_session(cur, _sha(token), account.username, now, now + dt.timedelta(hours=hours))
    return token


#: a session's last-seen time is written at most this often (every page run would be a write otherwise)
TOUCH_EVERY = dt.timedelta(minutes=1)


def session_principal(store, token: str, *, now: dt.datetime | None = None,
                      idle_minutes: float = 60) -> Principal | None:
    """The principal of a live session: not ended, not past its end, not idle too long, account enabled."""
    if not token:
        return None
    now = _now(now)
    row = store.session_row(_sha(token))
    if row is None:
        return None
    username, expires, last_seen, ended = row
    if ended is not None or expires < now or last_seen + dt.timedelta(minutes=idle_minutes) < now:
        return None
    account_row = store.account_row(username)
    if account_row is None or not account_row[4]:
        return None
    if now - last_seen >= TOUCH_EVERY:
        with store.transaction() as cur:
            store.touch_session(cur, _sha(token), now)
    return _account(account_row).principal()


def end_session(store, token: str, *, now: dt.datetime | None = None) -> None:
    now = _now(now)
    row = store.session_row(_sha(token)) if token else None
    if row is None or row[3] is not None:
        return
    account_row = store.account_row(row[0])
    with store.transaction() as cur:
        store.close_session(cur, _sha(token), now)
        audit.record(store, row[0], "logout", Scope(account_row[3] if account_row else ""), {}, cur, now=now)


def cookie_secret(store) -> bytes:
    """The secret that signs session cookies: made once, kept in the store so that every app server shares it."""
    value = store.get_meta(COOKIE_SECRET_META)
    if value is None:
        with store.transaction() as cur:
            value = store.get_meta(COOKIE_SECRET_META, cur)
            if value is None:
                value = secrets.token_hex(32)
                store.set_meta(COOKIE_SECRET_META, value, cur)
    return bytes.fromhex(value)
