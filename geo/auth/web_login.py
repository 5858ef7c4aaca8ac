"""How a browser holds a login: a signed, HttpOnly session cookie, set by the app's own HTTP route.

A Streamlit script can read cookies (``st.context.cookies``) but cannot set one, let alone an HttpOnly one.  So
the login goes in steps, each through a route of the app's own (ui/routes.py):

0. before the login form, ``/session/prepare`` gives the browser a random *browser nonce* in an HttpOnly,
   SameSite=Strict cookie (:func:`nonce_cookie_header`) and sends it back to the form; the page sees the nonce
   in ``st.context.cookies`` from then on;
1. the script checks the password (:func:`geo.auth.accounts.authenticate`), starts a session and gets its token;
   :func:`issue_ticket` keeps the token in the store under a random one-time ticket valid for a minute, bound
   to that browser's nonce, and the script sends the browser to ``/session/start?ticket=...&next=<page>``;
2. that route redeems the ticket (:func:`redeem_ticket`: once, within the minute, on any app server, since the
   ticket is in the store, and only with the nonce cookie of the browser that logged in) and answers with
   ``Set-Cookie`` (:func:`cookie_header`) and a redirect back.  From then on every page run reads the cookie,
   checks its signature (:func:`verify`) and the session behind it.

The nonce is what stops *login CSRF*: a ticket the attacker got for their own account is worthless in the
victim's browser, which holds another nonce (and, SameSite=Strict, sends none on another site's request).  A
request another site started is refused as well where the browser says so (:func:`fetched_by_this_site`).

``/session/end`` (a POST from this site only) ends the session and clears the cookie: every tab of that browser
is logged out at its next run.  Only the ticket, never the token, appears in a URL; the cookie's signature
(keyed by the secret shared through the store) keeps a forged or altered cookie from even reaching a session
lookup.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import urlsplit

from geo.store import Store

COOKIE_NAME = "village_coverage_session"
#: the browser nonce a ticket is bound to (see the module's text)
NONCE_COOKIE = "village_coverage_browser"
PREPARE_PATH = "/session/prepare"
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


def _ticket_key(ticket: str, browser: str) -> str:
    """What the store keeps for a ticket: a hash of the ticket with the browser's nonce, so that the ticket is
    found only with the nonce cookie of the browser it was issued to."""
    return _sha(f"{browser}\n{ticket}")


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def issue_ticket(store: Store, token: str, browser: str, *, now: dt.datetime | None = None) -> str:
    """A one-time ticket for `token`, redeemable by the browser holding the nonce `browser` only, kept in the
    store (hashed) for :data:`TICKET_SECONDS`."""
    if not browser:
        raise ValueError("a ticket is bound to a browser nonce")
    now = now or utc_now()
    ticket = secrets.token_urlsafe(32)
    store.add_login_ticket(_ticket_key(ticket, browser), token, now + dt.timedelta(seconds=TICKET_SECONDS), now)
    return ticket


def redeem_ticket(store: Store, ticket: str | None, browser: str | None, *,
                  now: dt.datetime | None = None) -> str | None:
    """The token of a ticket that is known, not expired and issued to the browser with nonce `browser`; the
    ticket is gone afterwards.  An unknown one is answered without a write to the store."""
    if not ticket or not browser or len(ticket) > 200 or len(browser) > 200:
        return None
    return store.take_login_ticket(_ticket_key(ticket, browser), now or utc_now())


def fetched_by_this_site(headers: Mapping[str, str], host: str | None, *, navigation: bool) -> bool:
    """Whether a request came from a page of this site, as far as the browser says.

    ``Sec-Fetch-Site`` (every current browser sends it) must be ``same-origin``; for a `navigation` (a GET the
    page itself started, as the login's), ``none`` too: the address typed or a bookmark.  Without it, the
    ``Origin`` of a POST must name this host; a navigation without either is let through (an old browser; the
    ticket's nonce still binds it to the browser that logged in)."""
    site = (headers.get("sec-fetch-site") or "").strip().lower()
    if site:
        return site == "same-origin" or (navigation and site == "none")
    origin = (headers.get("origin") or "").strip()
    if not origin:
        return navigation
    try:
        netloc = urlsplit(origin).netloc
    except ValueError:
        return False
    return bool(host) and origin != "null" and netloc.lower() == host.strip().lower()


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


def nonce_cookie_header(nonce: str, policy: CookiePolicy, scheme: str) -> str:
    """``Set-Cookie`` for the browser nonce: HttpOnly, SameSite=Strict, for the whole site (the page's own
    connection must carry it), and for as long as the browser runs."""
    parts = [f"{NONCE_COOKIE}={nonce}", "HttpOnly", "SameSite=Strict", "Path=/"]
    if policy.is_secure(scheme):
        parts.append("Secure")
    return "; ".join(parts)


@dataclass
class FailureLimit:
    """At most `limit` failed ticket redemptions per client in any `window_s` seconds; past that the client is
    answered 429 without a look at the store.

    Kept in this process's memory: each app server counts its own, and a restart forgets.  That is enough to
    keep one machine from hammering the store with made-up tickets.  Behind the README's nginx on the same
    machine the client is the browser's address (uvicorn takes X-Forwarded-For from 127.0.0.1); behind a proxy
    elsewhere every client has the proxy's address and shares one count, which is why the limit is set well
    above what people do (a real login fails a redemption only when its ticket has expired).  At most
    `max_clients` addresses are remembered (the ones seen least recently are forgotten first), so the table
    itself cannot be made to grow without end."""

    limit: int = 20
    window_s: float = 60.0
    max_clients: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _failures: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _recent(self, client: str, now: float) -> deque | None:
        times = self._failures.get(client)
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def blocked(self, client: str) -> bool:
        """Whether `client` has used up its failures for now."""
        with self._lock:
            times = self._recent(client, self.clock())
            return times is not None and len(times) >= self.limit

    def failed(self, client: str) -> None:
        """Count one failed redemption by `client`."""
        with self._lock:
            now = self.clock()
            times = self._recent(client, now)
            if times is None:
                times = self._failures[client] = deque(maxlen=self.limit)
            times.append(now)
            self._failures.move_to_end(client)
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)
