"""Accounts and logins: who may sign in, with what role and jurisdiction, and how a login is kept.

Passwords are kept only as argon2id hashes (argon2-cffi), at least :data:`MIN_PASSWORD` characters.  After
:data:`MAX_FAILURES` wrong passwords in a row an account is locked for :data:`LOCK_MINUTES` minutes.
:func:`authenticate` answers ``None`` for every failure alike (unknown user, wrong password, locked, disabled)
and spends the same work on each, so a failed login tells nobody whether the name exists.

A login is a session: a random token handed to the browser (in a signed cookie, see :func:`cookie_secret`)
whose SHA-256 alone is stored.  It ends at :meth:`AuthSettings.session_hours`, after
:meth:`AuthSettings.idle_minutes` without a page, at logout, or when its account is disabled or its password,
role or jurisdiction changes.

Account management is limited to the actor's jurisdiction: an administrator creates, lists and changes only
accounts inside it, never one with a wider jurisdiction or a higher role.  Every change is audited.
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from geo.auth import audit
from geo.auth.access import AccessDenied, Principal, Role
from geo.core.codes import Scope
from geo.core.errors import UserError
from geo.store import Store
from geo.store.accounts import COOKIE_SECRET_META
from geo.text.catalogue import t

MIN_PASSWORD = 8
MAX_FAILURES = 5
LOCK_MINUTES = 15
MAX_USERNAME = 64
#: touching a session's last_seen more often than this would be a write per page run for nothing
TOUCH_SECONDS = 60
#: roles by rank: nobody grants a role above their own
ROLE_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}
#: letters (any script), digits and . _ @ -; no ":" (the command line's actor is "cli:<os user>")
_USERNAME = re.compile(r"^[\w.@-]+$")

_HASHER = PasswordHasher()
# verified against when the user is unknown, locked or disabled: every failure costs one argon2 verification
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: Role
    scope: Scope
    enabled: bool

    def principal(self) -> Principal:
        return Principal(self.username, self.display_name, self.role, self.scope)


@dataclass(frozen=True)
class AuthSettings:
    """How long a login lasts: a working day, and an hour without a page (env or Streamlit secrets [login])."""

    session_hours: float = 8
    idle_minutes: float = 60

    @classmethod
    def from_mapping(cls, m: Mapping[str, object] | None) -> "AuthSettings":
        """From ``{"session_hours": 8, "idle_minutes": 60}`` (secrets ``[login]``; ``[auth]`` is Streamlit's own
        login) or the environment's ``VILLAGE_COVERAGE_SESSION_HOURS`` / ``VILLAGE_COVERAGE_IDLE_MINUTES``;
        missing ones keep the default."""
        m = m or {}
        values = {}
        for name in ("session_hours", "idle_minutes"):
            raw = m.get(name, m.get(f"VILLAGE_COVERAGE_{name.upper()}"))
            if raw is None or str(raw).strip() == "":
                continue
            values[name] = _positive(name, raw)
        return cls(**values)


def _positive(name: str, raw: object) -> float:
    try:
        value = float(str(raw).strip())
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise UserError(key="acc.e.setting", params={"name": name, "value": raw})
    return value


def operator() -> Principal:
    """Whoever runs the server's command line: the whole country, recorded as ``cli:<OS user>``."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):       # no user name in a bare container
        who = str(os.getuid()) if hasattr(os, "getuid") else "?"
    return Principal(f"cli:{who}", t("acc.operator"), Role.ADMIN, Scope(""))


# ------------------------------------------------------------------------------------------------ pure rules
def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else audit.utcnow()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def checked_username(name: object) -> str:
    text = str(name or "").strip()
    if not text or len(text) > MAX_USERNAME or not _USERNAME.match(text):
        raise UserError(key="acc.e.username", params={"name": text, "n": MAX_USERNAME})
    return text


def checked_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise UserError(key="acc.e.short", params={"n": MIN_PASSWORD})
    return password


def role_of(raw: Role | str) -> Role:
    try:
        return Role(raw)
    except ValueError:
        raise UserError(key="acc.e.bad_role", params={"role": raw}) from None


def _may_manage(actor: Principal, scope: Scope, role: Role) -> None:
    """Raise unless `actor` may create or change an account of `role` for `scope`: inside their own
    jurisdiction, never a role above theirs."""
    actor.require("manage_accounts", scope)
    if ROLE_RANK[role] > ROLE_RANK[actor.role]:
        raise AccessDenied(key="acc.e.higher_role", params={"role": actor.role.value})


def _account(row: dict) -> Account:
    return Account(row["username"], row["display_name"], Role(row["role"]), Scope(row["scope"]),
                   bool(row["enabled"]))


# ------------------------------------------------------------------------------------------------ accounts
def has_accounts(store: Store) -> bool:
    """Whether logins are required: a store without accounts runs in open mode."""
    return store.account_count() > 0


def _target(store: Store, actor: Principal, username: str, cur=None) -> dict:
    """The account `username`, when `actor` may manage it; the same refusal when it does not exist or lies
    outside the actor's jurisdiction (nobody learns of accounts elsewhere)."""
    row = store.account_row(username, cur)
    if row is None or not actor.within(Scope(row["scope"])):
        actor.require("manage_accounts")
        raise AccessDenied(key="acc.e.unknown", params={"name": username})
    _may_manage(actor, Scope(row["scope"]), Role(row["role"]))
    return row


@audit.refusals("account_add")
def add_account(store: Store, actor: Principal, username: str, role: Role | str, scope: Scope | str, password: str,
                display_name: str | None = None) -> Account:
    """A new account inside `actor`'s jurisdiction (never wider, never a higher role); audited.  The first account
    of a store must be an administrator (of any jurisdiction)."""
    username, role = checked_username(username), role_of(role)
    scope = store.check_scope(scope if isinstance(scope, Scope) else Scope.parse(scope))
    _may_manage(actor, scope, role)
    checked_password(password)
    now = audit.utcnow()
    display = (display_name or "").strip() or username
    with store.quiet_transaction() as cur:
        if store.account_row(username, cur) is not None:
            raise UserError(key="acc.e.exists", params={"name": username})
        if role is not Role.ADMIN and store.account_count(cur) == 0:
            # the first account turns logins on: anything but an administrator would lock account management out
            raise UserError(key="acc.e.first_admin")
        store.insert_account(cur, {"username": username, "display_name": display, "role": role.value,
                                   "scope": scope.digits, "enabled": True, "password_hash": _HASHER.hash(password),
                                   "failed_logins": 0, "locked_until": None, "created_at": now, "updated_at": now})
        audit.record(store, actor, "account_add", scope,
                     {"account": username, "role": role.value, "display_name": display}, cur, now=now)
    return Account(username, display, role, scope, True)


@audit.refusals("account_passwd")
def set_password(store: Store, actor: Principal, username: str, password: str) -> None:
    """A new password for `username` (one's own, or an account the actor manages); the lock is lifted and every
    session of the account ends (a cookie stolen before the reset stops working).  Audited."""
    checked_password(password)
    now = audit.utcnow()
    with store.quiet_transaction() as cur:
        row = store.account_row(username, cur) if actor.username == username else _target(store, actor, username, cur)
        if row is None:
            raise UserError(key="acc.e.unknown", params={"name": username})
        store.update_account(cur, username, password_hash=_HASHER.hash(password), failed_logins=0,
                             locked_until=None, updated_at=now)
        audit.record(store, actor, "account_passwd", Scope(row["scope"]), {"account": username}, cur, now=now)


@audit.refusals("account_enabled")
def set_enabled(store: Store, actor: Principal, username: str, enabled: bool) -> None:
    """Enable or disable an account the actor manages; disabling ends its sessions.  Audited."""
    if not enabled and actor.username == username:
        raise UserError(key="acc.e.self_disable")
    now = audit.utcnow()
    with store.quiet_transaction() as cur:
        row = _target(store, actor, username, cur)
        if (not enabled and row["role"] == Role.ADMIN.value and row["enabled"]
                and store.enabled_admin_count(cur) == 1):
            # logins stay on with accounts: without an enabled administrator nobody could manage them any more
            raise UserError(key="acc.e.last_admin", params={"name": username})
        store.update_account(cur, username, enabled=bool(enabled), updated_at=now)     # disabling ends sessions
        audit.record(store, actor, "account_enable" if enabled else "account_disable", Scope(row["scope"]),
                     {"account": username}, cur, now=now)


@audit.refusals("account_list")
def list_accounts(store: Store, actor: Principal) -> list[Account]:
    """The accounts inside the actor's jurisdiction (administrators only), by user name."""
    actor.require("manage_accounts")
    frame = store.accounts_in(actor.jurisdiction)
    return [_account(row) for row in frame.to_dict("records")]


# ------------------------------------------------------------------------------------------------ logins
def authenticate(store: Store, username: str, password: str, *, now: dt.datetime | None = None) -> Account | None:
    """The account when `password` is right and the account enabled and not locked; None otherwise, the same
    for every failure.  The 5th wrong password in a row locks the account for 15 minutes.  Audited.

    The attempt is counted before the password is checked, in one statement (:meth:`count_login_attempt`),
    and only an attempt numbered within the limit is checked against the account's hash: however many arrive
    at once, at most :data:`MAX_FAILURES` passwords are tried before the lock.  The slow argon2 check runs
    outside any transaction, so it holds no lock on the store."""
    now = _now(now)
    name = str(username or "").strip()
    with store.quiet_transaction() as cur:
        attempt = store.count_login_attempt(cur, name, now) if name else None
        row = store.account_row(name, cur) if name else None
        if attempt is not None and attempt > MAX_FAILURES:     # attempts in parallel beyond the limit
            _lock(store, cur, name, now)
    usable = attempt is not None and attempt <= MAX_FAILURES
    right = _verify(row["password_hash"] if usable else _DUMMY_HASH, password or "") and usable
    with store.quiet_transaction() as cur:
        if right:
            return _logged_in(store, cur, row, password, now)
        _failed(store, cur, row, attempt, now)
    return None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _lock(store: Store, cur, username: str, now: dt.datetime) -> None:
    store.update_account(cur, username, failed_logins=0, locked_until=now + dt.timedelta(minutes=LOCK_MINUTES))


def _logged_in(store: Store, cur, row: dict, password: str, now: dt.datetime) -> Account:
    fields = {"failed_logins": 0, "locked_until": None}
    if _HASHER.check_needs_rehash(row["password_hash"]):
        fields["password_hash"] = _HASHER.hash(password)
    store.update_account(cur, row["username"], keep_sessions=True, **fields)
    account = _account(row)
    audit.record(store, account.principal(), "login", account.scope, {}, cur, now=now)
    return account


def _failed(store: Store, cur, row: dict | None, attempt: int | None, now: dt.datetime) -> None:
    """Lock the account at the limit of wrong passwords in a row (`attempt`, already counted); audit every
    failure.  The name typed for an unknown account is not recorded: it may be a password typed into the
    wrong field."""
    if row is None:
        audit.record(store, Principal(None, "", Role.VIEWER, Scope("")), "login_failed", Scope(""),
                     {"reason": "unknown_user"}, cur, user="(unknown)", now=now)
        return
    checked = attempt is not None and attempt <= MAX_FAILURES
    detail: dict[str, object] = {"reason": "wrong_password" if checked else
                                 ("disabled" if not row["enabled"] else "locked")}
    if checked:
        locked = attempt >= MAX_FAILURES
        if locked:
            _lock(store, cur, row["username"], now)
        detail.update(failures=attempt, locked=locked)
    audit.record(store, _account(row).principal(), "login_failed", Scope(row["scope"]), detail, cur, now=now)


def start_session(store: Store, account: Account, *, now: dt.datetime | None = None, hours: float = 8) -> str:
    """A new login for `account`: the random token to hand to the browser (only its hash is stored)."""
    now = _now(now)
    token = secrets.token_urlsafe(32)
    with store.quiet_transaction() as cur:
        store.insert_session(cur, _token_hash(token), account.username, now, now + dt.timedelta(hours=hours))
    return token


def session_principal(store: Store, token: str | None, *, now: dt.datetime | None = None,
                      idle_minutes: float = 60) -> Principal | None:
    """Who holds `token`: their account's principal (role and jurisdiction as stored now), or None when the
    session is unknown, ended, past its end, idle too long, or its account is disabled or gone."""
    if not token:
        return None
    now = _now(now)
    token_hash = _token_hash(token)
    session = store.session_row(token_hash)
    if session is None or session["ended_at"] is not None or now >= session["expires_at"]:
        return None
    if now - session["last_seen"] > dt.timedelta(minutes=idle_minutes):
        return None
    row = store.account_row(session["username"])
    if row is None or not row["enabled"]:
        return None
    if (now - session["last_seen"]).total_seconds() >= TOUCH_SECONDS:
        with store.quiet_transaction() as cur:
            store.touch_session(cur, token_hash, now)
    return _account(row).principal()


def end_session(store: Store, token: str | None, *, now: dt.datetime | None = None) -> None:
    """Log out: the session ends (every tab holding its cookie with it).  Audited."""
    if not token:
        return
    now = _now(now)
    token_hash = _token_hash(token)
    with store.quiet_transaction() as cur:
        session = store.session_row(token_hash, cur)
        if session is None or session["ended_at"] is not None:
            return
        store.end_session_row(cur, token_hash, now)
        row = store.account_row(session["username"], cur)
        scope = Scope(row["scope"]) if row else Scope("")
        who = _account(row).principal() if row else Principal(session["username"], "", Role.VIEWER, scope)
        audit.record(store, who, "logout", scope, {}, cur, now=now)


def cookie_secret(store: Store) -> bytes:
    """The key that signs login cookies: random, made once and kept in the store, so every app server on the
    same store accepts the others' cookies."""
    return bytes.fromhex(store.meta_setdefault(COOKIE_SECRET_META, secrets.token_hex(32)))
