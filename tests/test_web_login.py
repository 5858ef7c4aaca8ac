"""The login cookie's parts, without a browser: its signature, its header, where a login may send the browser
back to, and the one-time tickets in the store (both backends)."""
from __future__ import annotations

import datetime as dt

import pytest
from starlette.requests import Request

from geo.auth import accounts, web_login
from geo.auth.access import OPEN, Role
from geo.auth.web_login import CookiePolicy, clear_cookie_header, cookie_header, safe_next, sign, verify
from geo.core.codes import Scope
from ui import routes as app_routes

SECRET = b"k" * 32
NOW = dt.datetime(2026, 12, 1, 9, 0, 0)


@pytest.mark.parametrize("value, expected", [
    (sign(SECRET, "abc_DEF-123"), "abc_DEF-123"),
    (sign(SECRET, "a.b.c"), "a.b.c"),                           # a dot in the token: the last one splits
    (sign(b"another secret", "abc_DEF-123"), None),             # signed with another deployment's secret
    (sign(SECRET, "abc_DEF-123")[:-1] + "A", None),              # signature altered
    ("abc_DEF-124." + sign(SECRET, "abc_DEF-123").split(".")[1], None),   # token altered, old signature
    ("abc_DEF-123", None),                                       # no signature at all
    ("." + sign(SECRET, "x").split(".")[1], None),               # no token
    ("", None), (None, None), (b"x.y", None),
])
def test_a_cookie_is_trusted_only_with_its_own_signature(value, expected):
    assert verify(SECRET, value) == expected


@pytest.mark.parametrize("raw, expected", [
    ("/", "/"),
    ("/gaps?scope=610124&date=2026-11-27", "/gaps?scope=610124&date=2026-11-27"),
    ("//evil.example/x", "/"),              # protocol-relative: another site
    ("/\\evil.example", "/"),               # browsers read a backslash as a slash
    ("https://evil.example/", "/"),
    ("javascript:alert(1)", "/"),
    ("gaps", "/"),                          # relative: could resolve anywhere
    ("/a\r\nSet-Cookie: x=1", "/"),         # header splitting
    ("", "/"), (None, "/"),
])
def test_a_login_only_sends_the_browser_back_to_this_site(raw, expected):
    assert safe_next(raw) == expected


@pytest.mark.parametrize("setting, scheme, secure", [
    ("auto", "http", False), ("auto", "https", True),           # behind a proxy that terminates https
    ("true", "http", True), ("false", "https", False), ("TRUE", "http", True),
])
def test_the_cookie_is_httponly_strict_site_wide_and_secure_as_configured(setting, scheme, secure):
    policy = CookiePolicy.from_mapping({"secure_cookie": setting}, session_hours=8)
    parts = cookie_header("tok.sig", policy, scheme).split("; ")
    assert parts[0] == f"{web_login.COOKIE_NAME}=tok.sig"
    assert {"HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"} <= set(parts)
    assert ("Secure" in parts) is secure
    cleared = clear_cookie_header(policy, scheme).split("; ")
    assert cleared[0] == f"{web_login.COOKIE_NAME}=" and "Max-Age=0" in cleared and "Path=/" in cleared


def test_an_unknown_secure_cookie_setting_is_refused():
    with pytest.raises(ValueError, match="secure_cookie"):
        CookiePolicy.from_mapping({"secure_cookie": "yes please"}, session_hours=8)


BROWSER = "nonce-of-the-browser-that-logged-in"


def test_a_ticket_works_once_and_for_a_minute_only(new_store):
    store = new_store("tickets")
    ticket = web_login.issue_ticket(store, "token-1", BROWSER, now=NOW)
    late = web_login.issue_ticket(store, "token-2", BROWSER, now=NOW)
    assert web_login.redeem_ticket(store, "not a ticket", BROWSER, now=NOW) is None
    assert web_login.redeem_ticket(store, ticket, BROWSER, now=NOW + dt.timedelta(seconds=59)) == "token-1"
    assert web_login.redeem_ticket(store, ticket, BROWSER, now=NOW + dt.timedelta(seconds=59)) is None   # used
    assert web_login.redeem_ticket(store, late, BROWSER, now=NOW + dt.timedelta(seconds=61)) is None    # expired
    web_login.issue_ticket(store, "token-4", BROWSER, now=NOW + dt.timedelta(seconds=120))
    assert store.scalar("SELECT count(*) FROM login_tickets") == 1      # expired ones go with the next issue
    # the store keeps a hash of the ticket, never the ticket itself
    kept = web_login.issue_ticket(store, "token-3", BROWSER, now=NOW)
    assert kept not in store.query("SELECT ticket_sha256 FROM login_tickets")["ticket_sha256"].tolist()


@pytest.mark.parametrize("other", ["another-browsers-nonce", "", None, BROWSER + "x", BROWSER[:-1]])
def test_a_ticket_works_only_in_the_browser_that_logged_in(new_store, other):
    """Login CSRF: the attacker's own ticket, brought by the victim's browser (another nonce, or none)."""
    store = new_store("bound")
    ticket = web_login.issue_ticket(store, "attackers-token", BROWSER, now=NOW)
    assert web_login.redeem_ticket(store, ticket, other, now=NOW) is None
    assert web_login.redeem_ticket(store, ticket, BROWSER, now=NOW) == "attackers-token"   # still whole


def test_a_ticket_needs_a_browser_nonce(new_store):
    with pytest.raises(ValueError):
        web_login.issue_ticket(new_store("none"), "token", "", now=NOW)


@pytest.mark.parametrize("ticket", ["made-up", "x" * 43, "", None, "a" * 10_000, "'; DROP TABLE accounts; --"])
def test_an_unknown_ticket_is_refused_without_a_write(new_store, monkeypatch, ticket):
    """A made-up ticket must not open a write transaction: on DuckDB that reopens the file and stops every
    reader.  Counted at the store's one door to writing (_begin)."""
    store = new_store("unknown")
    web_login.issue_ticket(store, "token-1", BROWSER, now=NOW)
    expired = web_login.issue_ticket(store, "token-2", BROWSER, now=NOW - dt.timedelta(minutes=5))
    before = store.query("SELECT * FROM login_tickets ORDER BY ticket_sha256")
    writes = []
    begin = store._begin

    def counted():
        writes.append(1)
        return begin()

    monkeypatch.setattr(store, "_begin", counted)
    for candidate in (ticket, expired):
        assert web_login.redeem_ticket(store, candidate, BROWSER, now=NOW) is None
    assert writes == []
    assert store.query("SELECT * FROM login_tickets ORDER BY ticket_sha256").equals(before)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_failed_redemptions_are_limited_per_client_within_a_window():
    clock = Clock()
    limit = web_login.FailureLimit(limit=3, window_s=60, clock=clock)
    for _ in range(3):
        assert not limit.blocked("10.0.0.1")
        limit.failed("10.0.0.1")
    assert limit.blocked("10.0.0.1") and not limit.blocked("10.0.0.2")    # the next client is not held
    clock.now += 59
    assert limit.blocked("10.0.0.1")
    clock.now += 1                                                        # a minute after the failures
    assert not limit.blocked("10.0.0.1")


def test_the_failure_table_forgets_the_oldest_clients_beyond_its_size():
    limit = web_login.FailureLimit(limit=1, max_clients=100, clock=Clock())
    for i in range(1000):
        limit.failed(f"client-{i}")
    assert len(limit._failures) == 100
    assert limit.blocked("client-999") and not limit.blocked("client-0")


@pytest.mark.parametrize("headers, navigation, ok", [
    ({"sec-fetch-site": "same-origin"}, True, True),
    ({"sec-fetch-site": "same-origin", "origin": "http://app.local:8501"}, False, True),
    ({"sec-fetch-site": "none"}, True, True),                  # the address typed, a bookmark
    ({"sec-fetch-site": "none"}, False, False),
    ({"sec-fetch-site": "cross-site"}, True, False),           # a link or a form on another site
    ({"sec-fetch-site": "same-site"}, True, False),            # a sibling host (another service of the bureau)
    ({"sec-fetch-site": "cross-site", "origin": "http://app.local:8501"}, False, False),
    ({"origin": "http://app.local:8501"}, False, True),        # an older browser: Origin only
    ({"origin": "http://evil.example"}, False, False),
    ({"origin": "http://app.local:8502"}, False, False),       # another port is another site
    ({"origin": "null"}, False, False),                        # a sandboxed frame, a data: page
    ({}, False, False),                                        # a POST that says nothing
    ({}, True, True),                                          # an old browser's navigation: the nonce decides
])
def test_a_request_from_another_site_is_recognised(headers, navigation, ok):
    assert web_login.fetched_by_this_site(headers, "app.local:8501", navigation=navigation) is ok


def test_the_nonce_cookie_is_httponly_strict_and_site_wide():
    parts = web_login.nonce_cookie_header("n0nce", CookiePolicy(max_age_s=60), "https").split("; ")
    assert parts[0] == f"{web_login.NONCE_COOKIE}=n0nce"
    assert {"HttpOnly", "SameSite=Strict", "Path=/", "Secure"} <= set(parts)
    assert not any(p.startswith(("Max-Age", "Expires")) for p in parts)     # gone when the browser closes


# ------------------------------------------------------------------------------------------------ the routes
def _request(method: str, path: str, query: str = "", cookies: dict | None = None, client: str = "10.0.0.9",
             **headers: str) -> Request:
    raw = [(b"host", b"app.local:8501")] + [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    if cookies:
        raw.append((b"cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()).encode()))
    return Request({"type": "http", "method": method, "path": path, "query_string": query.encode(),
                    "headers": raw, "client": (client, 40000), "scheme": "http", "server": ("app.local", 8501)})


@pytest.fixture
def served_routes(new_store):
    store = new_store("routes")
    limit = web_login.FailureLimit(limit=5)
    endpoints = {r.path: r.endpoint for r in app_routes.routes(lambda: store, lambda: CookiePolicy(3600), limit)}
    return store, endpoints


def _set_cookies(response) -> list[str]:
    return [v.decode() for k, v in response.raw_headers if k == b"set-cookie"]


def test_prepare_gives_the_browser_a_nonce_once(served_routes):
    _, route = served_routes
    response = route[web_login.PREPARE_PATH](_request("GET", web_login.PREPARE_PATH, "next=/gaps?scope=610124"))
    assert response.status_code == 303 and response.headers["location"] == "/gaps?scope=610124"
    [cookie] = _set_cookies(response)
    assert cookie.startswith(web_login.NONCE_COOKIE + "=") and "HttpOnly" in cookie
    again = route[web_login.PREPARE_PATH](_request("GET", web_login.PREPARE_PATH, "next=//evil.example",
                                                   cookies={web_login.NONCE_COOKIE: "kept"}))
    assert _set_cookies(again) == [] and again.headers["location"] == "/"    # another tab's nonce is kept


def test_start_sets_the_cookie_only_for_the_browser_that_logged_in(served_routes):
    store, route = served_routes
    start = route[web_login.START_PATH]
    ticket = web_login.issue_ticket(store, "the-token", BROWSER)
    query = f"ticket={ticket}&next=/map"
    # another site's page sends the victim to the attacker's ticket: refused whatever the cookies
    refused = start(_request("GET", "/session/start", query, cookies={web_login.NONCE_COOKIE: BROWSER},
                             sec_fetch_site="cross-site"))
    assert refused.status_code == 403 and _set_cookies(refused) == []
    # the victim's own nonce: no session cookie
    other = start(_request("GET", "/session/start", query, cookies={web_login.NONCE_COOKIE: "victims-nonce"},
                           sec_fetch_site="same-origin"))
    assert other.status_code == 303 and _set_cookies(other) == []
    ok = start(_request("GET", "/session/start", query, cookies={web_login.NONCE_COOKIE: BROWSER},
                        sec_fetch_site="same-origin"))
    [cookie] = _set_cookies(ok)
    assert cookie.startswith(f"{web_login.COOKIE_NAME}=the-token.") and ok.headers["location"] == "/map"


def test_failed_redemptions_from_one_client_are_answered_429(served_routes, monkeypatch):
    store, route = served_routes
    start = route[web_login.START_PATH]
    writes, begin = [], store._begin
    monkeypatch.setattr(store, "_begin", lambda: writes.append(1) or begin())
    for i in range(5):
        response = start(_request("GET", "/session/start", f"ticket=made-up-{i}",
                                  cookies={web_login.NONCE_COOKIE: "n"}))
        assert response.status_code == 303 and _set_cookies(response) == []
    assert writes == []                                   # made-up tickets: not one write transaction
    monkeypatch.undo()
    looked = []
    monkeypatch.setattr(store, "take_login_ticket", lambda *a: looked.append(a))
    real = web_login.issue_ticket(store, "token", "n")
    blocked = start(_request("GET", "/session/start", f"ticket={real}", cookies={web_login.NONCE_COOKIE: "n"}))
    assert blocked.status_code == 429 and blocked.headers["retry-after"] == "60" and looked == []
    # another machine is not held back by the first one's failures
    monkeypatch.undo()
    fine = start(_request("GET", "/session/start", f"ticket={real}", cookies={web_login.NONCE_COOKIE: "n"},
                          client="10.0.0.10"))
    assert fine.status_code == 303 and len(_set_cookies(fine)) == 1


@pytest.mark.parametrize("headers, status", [
    ({"sec_fetch_site": "same-origin", "origin": "http://app.local:8501"}, 303),
    ({"origin": "http://app.local:8501"}, 303),
    ({"sec_fetch_site": "cross-site", "origin": "http://evil.example"}, 403),
    ({"origin": "http://evil.example"}, 403),
    ({}, 403),
])
def test_logout_is_a_post_from_this_site_only(served_routes, headers, status):
    store, route = served_routes
    account = accounts.add_account(store, OPEN, "zhang", Role.ADMIN, Scope(""), "Zhouzhi-2026!")
    token = accounts.start_session(store, account)
    cookie = web_login.sign(accounts.cookie_secret(store), token)
    response = route[web_login.END_PATH](_request("POST", "/session/end", "next=/",
                                                  cookies={web_login.COOKIE_NAME: cookie}, **headers))
    assert response.status_code == status
    assert (accounts.session_principal(store, token) is None) is (status == 303)
    assert bool(_set_cookies(response)) is (status == 303)         # a refused logout clears no cookie either
    methods = {r.path: r.methods for r in app_routes.routes(lambda: store, lambda: CookiePolicy(3600))}
    assert "GET" not in methods[web_login.END_PATH]
