"""How a browser holds a login: a signed, HttpOnly session cookie, set by the app's own HTTP route.

A Streamlit script can read cookies (``st.context.cookies``) but cannot set one, let alone an HttpOnly one.  So
the login goes in two steps:

1. the script checks the password (:func:`geo.accounts.authenticate`), starts a session and gets its token;
   :func:`issue_ticket` keeps the token in the store under a random one-time ticket valid for a minute, and
   the script sends the browser to ``/session/start?ticket=...&next=<the page it was on>``;
2. that route (app_routes.py) redeems the ticket (:func:`redeem_ticket`: once, within the minute, on any app
   server, since the ticket is in the store) and answers with ``Set-Cookie`` (:func:`cookie_header`) and a
   redirect back.  From then on every page run reads the cookie, checks its signature (:func:`verify`) and the
   session behind it.

``/session/end`` ends the session and clears the cookie: every tab of that browser is logged out at its next
run.  Only the ticket, never the token, appears in a URL; the cookie's signature (keyed by the secret shared
through the store) keeps a forged or altered cookie from even reaching a session lookup.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Mapping

COOKIE_NAME = "village_coverage_session"
START_PATH = "/session/start"
END_PATH = "/session/end"
TICKET_SECONDS = 60
#: ``[login] secure_cookie`` -> whether the cookie carries ``Secure``; "auto": when the request came over https
#: (as the proxy says in X-Forwarded-Proto)
SECURE_CHOICES = {"auto": None, "true": True, "false": False}


def _mac(secret: bytes, token: str) -> str:
    digest = hmac.new(secret, token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(secret: bytes, token: str) -> str:
    """The cookie value for a session token: the token and its HMAC-SHA256."""
    return f"{token}.{_mac(secret, token)}"


def verify(secret: bytes, value: str | None) -> str | None:
    """The token inside a cookie value when its signature is right, else None."""
    if not isinstance(value, str):
        return None
    token, dot, mac = value.rpartition(".")
    if not dot or not token or not hmac.compare_digest(mac, _mac(secret, token)):
        return None
    return token


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def issue_ticket(store, token: str, *, now: dt.datetime | None = None) -> str:
    """A one-time ticket for `token`, kept in the store (hashed) for :data:`TICKET_SECONDS`."""
    now = now or utc_now()
    ticket = secrets.token_urlsafe(32)
    store.add_login_ticket(_sha(ticket), token, now + dt.timedelta(seconds=TICKET_SECONDS), now)
    return ticket


def redeem_ticket(store, ticket: str | None, *, now: dt.datetime | None = None) -> str | None:
    """The token of a ticket that is known and not expired; the ticket is gone afterwards either way."""
    if not ticket:
        return None
    return store.take_login_ticket(_sha(ticket), now or utc_now())


def safe_next(raw: str | None) -> str:
    """Where to send the browser after a login or logout: a path on this site, never another site."""
    raw = raw or ""
    if not raw.startswith("/") or raw.startswith("//") or "\\" in raw or any(ord(c) < 32 for c in raw):
        return "/"
    return raw


@dataclass(frozen=True)
class CookiePolicy:
    """The session cookie's attributes."""

    max_age_s: int                  # the session's length: the browser forgets the cookie with it
    secure: bool | None = None      # None: Secure when the request came over https

    @classmethod
    def from_mapping(cls, m: Mapping, session_hours: float) -> "CookiePolicy":
        raw = str(m.get("secure_cookie", "auto")).strip().lower()
        if raw not in SECURE_CHOICES:
            raise ValueError(f"[login] secure_cookie must be one of {', '.join(SECURE_CHOICES)}, not {raw!r}")
        return cls(max_age_s=int(session_hours * 3600), secure=SECURE_CHOICES[raw])

    def is_secure(self, scheme: str) -> bool:
        return scheme == "https" if self.secure is None else self.secure


def cookie_header(value: str, policy: CookiePolicy, scheme: str) -> str:
    """``Set-Cookie`` for the session: HttpOnly (no script reads it), SameSite=Strict (no other site sends it),
    for the whole site, for the session's length."""
    parts = [f"{COOKIE_NAME}={value}", "HttpOnly", "SameSite=Strict", "Path=/", f"Max-Age={policy.max_age_s}"]
    if policy.is_secure(scheme):
        parts.append("Secure")
    return "; ".join(parts)


def clear_cookie_header(policy: CookiePolicy, scheme: str) -> str:
    """``Set-Cookie`` that makes the browser drop the session cookie."""
    parts = [f"{COOKIE_NAME}=", "HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=0"]
    if policy.is_secure(scheme):
        parts.append("Secure")
    return "; ".join(parts)
