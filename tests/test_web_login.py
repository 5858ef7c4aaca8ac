"""The login cookie's parts, without a browser: its signature, its header, where a login may send the browser
back to, and the one-time tickets in the store (both backends)."""
from __future__ import annotations

import datetime as dt

import pytest

from geo import web_login
from geo.web_login import CookiePolicy, clear_cookie_header, cookie_header, safe_next, sign, verify

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


def test_a_ticket_works_once_and_for_a_minute_only(new_store):
    store = new_store("tickets")
    ticket = web_login.issue_ticket(store, "token-1", now=NOW)
    late = web_login.issue_ticket(store, "token-2", now=NOW)
    assert web_login.redeem_ticket(store, "not a ticket", now=NOW) is None
    assert web_login.redeem_ticket(store, ticket, now=NOW + dt.timedelta(seconds=59)) == "token-1"
    assert web_login.redeem_ticket(store, ticket, now=NOW + dt.timedelta(seconds=59)) is None   # used
    assert web_login.redeem_ticket(store, late, now=NOW + dt.timedelta(seconds=61)) is None    # expired
    assert store.scalar("SELECT count(*) FROM login_tickets") == 0      # nothing is left lying about
    # the store keeps a hash of the ticket, never the ticket itself
    kept = web_login.issue_ticket(store, "token-3", now=NOW)
    assert kept not in store.query("SELECT ticket_sha256 FROM login_tickets")["ticket_sha256"].tolist()
