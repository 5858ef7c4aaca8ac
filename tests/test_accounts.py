"""Accounts, logins and the audit trail in the library, on both store backends."""
import datetime as dt
import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from fixtures_county import PASSWORD, county_store
from geo.auth import accounts, audit
from geo.auth.access import OPEN, AccessDenied, Principal, Role
from geo.core.codes import Scope
from geo.core.errors import UserError

T0 = dt.datetime(2026, 12, 1, 9, 0)


@pytest.fixture
def store(new_store):
    return county_store(new_store, "acc")


def first_admin(store) -> None:
    """The store's first account, which must be an administrator: after it any role may be added."""
    accounts.add_account(store, OPEN, "root", "admin", "0", PASSWORD)


def county_admin(store, name="zz_admin"):
    accounts.add_account(store, OPEN, name, "admin", "610124", PASSWORD, "周至县司法局")
    return accounts.authenticate(store, name, PASSWORD, now=T0).principal()


def test_passwords_are_kept_only_as_argon2_hashes(store):
    first_admin(store)
    accounts.add_account(store, OPEN, "zhang", "editor", "610124", PASSWORD, "张三")
    stored = store.account_row("zhang")["password_hash"]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    everything = "".join(store.query(f"SELECT * FROM {t}").to_csv() for t in ("accounts", "sessions", "audit", "meta"))
    assert PASSWORD not in everything
    # salted: the same password twice gives two hashes
    accounts.add_account(store, OPEN, "li", "viewer", "610124", PASSWORD)
    assert store.account_row("li")["password_hash"] != stored
    assert accounts.authenticate(store, "zhang", PASSWORD, now=T0).display_name == "张三"


@pytest.mark.parametrize("password, ok", [("", False), ("1234567", False), ("12345678", True),
                                          ("密码密码密码密码", True)])
def test_a_password_has_at_least_eight_characters(password, ok):
    if ok:
        assert accounts.checked_password(password) == password
    else:
        with pytest.raises(UserError) as e:
            accounts.checked_password(password)
        assert e.value.key == "acc.e.short"


@pytest.mark.parametrize("name, ok", [("zhang", True), ("张三", True), ("wang.li@zz-1", True), ("", False),
                                      ("a b", False), ("cli:root", False), ("x" * 65, False), ("<b>", False)])
def test_user_names(name, ok):
    if ok:
        assert accounts.checked_username(name) == name
    else:
        with pytest.raises(UserError):
            accounts.checked_username(name)


def test_five_failures_lock_for_fifteen_minutes(store):
    first_admin(store)
    accounts.add_account(store, OPEN, "zhang", "editor", "610124", PASSWORD)
    for i in range(4):
        assert accounts.authenticate(store, "zhang", f"wrong{i}xxxx", now=T0) is None
    assert accounts.authenticate(store, "zhang", PASSWORD, now=T0) is not None      # 4 failures: still open
    for i in range(5):
        assert accounts.authenticate(store, "zhang", f"wrong{i}xxxx", now=T0 + dt.timedelta(seconds=i)) is None
    locked_at = T0 + dt.timedelta(seconds=4)
    assert store.account_row("zhang")["locked_until"] == locked_at + dt.timedelta(minutes=15)
    assert accounts.authenticate(store, "zhang", PASSWORD, now=locked_at + dt.timedelta(minutes=14)) is None
    assert accounts.authenticate(store, "zhang", PASSWORD, now=locked_at + dt.timedelta(minutes=15)) is not None
    reasons = [d.get("reason") for d in audit.entries(store, OPEN, action="login_failed")["detail"]]
    assert reasons == ["wrong_password"] * 9 + ["locked"]


def test_every_failed_login_gives_the_same_answer(store):
    first_admin(store)
    accounts.add_account(store, OPEN, "zhang", "editor", "610124", PASSWORD)
    accounts.add_account(store, OPEN, "off", "editor", "610124", PASSWORD)
    accounts.set_enabled(store, OPEN, "off", False)
    accounts.add_account(store, OPEN, "locked", "editor", "610124", PASSWORD)
    for i in range(5):
        accounts.authenticate(store, "locked", f"nope{i}nope", now=T0)
    answers = {"unknown": accounts.authenticate(store, "nobody", PASSWORD, now=T0),
               "wrong": accounts.authenticate(store, "zhang", "not-it-at-all", now=T0),
               "disabled": accounts.authenticate(store, "off", PASSWORD, now=T0),
               "locked": accounts.authenticate(store, "locked", PASSWORD, now=T0),
               "empty": accounts.authenticate(store, "", "", now=T0)}
    assert set(answers.values()) == {None}
    failed = audit.entries(store, OPEN, action="login_failed")
    # the name typed for an unknown account is not kept: it may be a password typed into the wrong field
    assert "nobody" not in failed.to_csv() and "(unknown)" in set(failed["user"])


def test_sessions_end_by_logout_expiry_idleness_and_a_disabled_account(store):
    first_admin(store)
    account = accounts.add_account(store, OPEN, "zhang", "viewer", "610124", PASSWORD)
    token = accounts.start_session(store, account, now=T0, hours=8)
    assert token not in store.query("SELECT * FROM sessions").to_csv()        # only its hash is kept
    who = accounts.session_principal(store, token, now=T0 + dt.timedelta(minutes=59), idle_minutes=60)
    assert who == Principal("zhang", "zhang", Role.VIEWER, Scope("610124"))
    # each page resets the idle clock; past 8 hours the session is over however busy
    for minutes in (118, 177, 236, 295, 354, 413, 472):
        assert accounts.session_principal(store, token, now=T0 + dt.timedelta(minutes=minutes)) is not None
    assert accounts.session_principal(store, token, now=T0 + dt.timedelta(hours=8)) is None

    idle = accounts.start_session(store, account, now=T0)
    assert accounts.session_principal(store, idle, now=T0 + dt.timedelta(minutes=61), idle_minutes=60) is None
    assert accounts.session_principal(store, idle, now=T0 + dt.timedelta(minutes=61), idle_minutes=90) is not None

    out = accounts.start_session(store, account, now=T0)
    accounts.end_session(store, out, now=T0 + dt.timedelta(minutes=5))
    assert accounts.session_principal(store, out, now=T0 + dt.timedelta(minutes=6)) is None
    assert accounts.session_principal(store, "made-up-token", now=T0) is None
    assert accounts.session_principal(store, None, now=T0) is None

    kept = accounts.start_session(store, account, now=T0)
    accounts.set_enabled(store, OPEN, "zhang", False)
    assert accounts.session_principal(store, kept, now=T0 + dt.timedelta(minutes=1)) is None
    assert list(audit.entries(store, OPEN, action="logout")["user"]) == ["zhang"]


def test_a_new_password_ends_every_session_of_the_account(store):
    admin = county_admin(store)
    account = accounts.add_account(store, admin, "zhang", "viewer", "610124", PASSWORD)
    tokens = [accounts.start_session(store, account, now=T0) for _ in range(2)]     # two browsers
    bystander = accounts.start_session(store, accounts.authenticate(store, "zz_admin", PASSWORD, now=T0), now=T0)
    accounts.set_password(store, admin, "zhang", "reset-by-admin")
    assert [accounts.session_principal(store, tok, now=T0) for tok in tokens] == [None, None]
    assert accounts.session_principal(store, bystander, now=T0) is not None       # another account's stays
    # one's own new password ends one's own sessions too: the point of changing it after a theft
    mine = accounts.start_session(store, account, now=T0)
    accounts.set_password(store, account.principal(), "zhang", "my-own-new-pw")
    assert accounts.session_principal(store, mine, now=T0) is None
    assert accounts.authenticate(store, "zhang", "my-own-new-pw", now=T0) is not None


@pytest.mark.parametrize("change", [{"role": "editor"}, {"scope": "610124100"}, {"enabled": False},
                                    {"role": "viewer", "scope": "610124"}])
def test_a_change_of_role_or_jurisdiction_ends_the_sessions(store, change):
    first_admin(store)
    account = accounts.add_account(store, OPEN, "zhang", "viewer", "610124", PASSWORD)
    token = accounts.start_session(store, account, now=T0)
    with store.quiet_transaction() as cur:
        store.update_account(cur, "zhang", **change, updated_at=T0)
    assert accounts.session_principal(store, token, now=T0) is None
    assert store.session_row(accounts._token_hash(token))["ended_at"] == T0


def test_a_login_and_its_lock_do_not_end_other_sessions(store):
    first_admin(store)
    account = accounts.add_account(store, OPEN, "zhang", "viewer", "610124", PASSWORD)
    token = accounts.start_session(store, account, now=T0)
    assert accounts.authenticate(store, "zhang", PASSWORD, now=T0) is not None
    for i in range(5):
        accounts.authenticate(store, "zhang", f"wrong{i}xxxx", now=T0)
    assert accounts.session_principal(store, token, now=T0) is not None


def test_parallel_wrong_passwords_are_checked_at_most_five_times(store, monkeypatch):
    """16 attempts at once (the probe's case): each is counted before its password is checked, so at most five
    reach the account's hash, and the account is locked against the right password afterwards."""
    first_admin(store)
    accounts.add_account(store, OPEN, "zhang", "editor", "610124", PASSWORD)
    real_hash = store.account_row("zhang")["password_hash"]
    checked, verify = [], accounts._verify

    def spy(password_hash, password):
        if password_hash == real_hash:
            checked.append(password)
        return verify(password_hash, password)

    monkeypatch.setattr(accounts, "_verify", spy)
    n = 16
    start = threading.Barrier(n)

    def attempt(i):
        start.wait()
        return accounts.authenticate(store, "zhang", f"wrong-{i}-password")

    with ThreadPoolExecutor(n) as pool:
        assert list(pool.map(attempt, range(n))) == [None] * n
    assert 1 <= len(checked) <= accounts.MAX_FAILURES
    assert store.account_row("zhang")["locked_until"] is not None
    checked.clear()
    assert accounts.authenticate(store, "zhang", PASSWORD) is None           # locked: not even checked
    assert checked == []
    failed = audit.entries(store, OPEN, action="login_failed")["detail"].tolist()
    numbers = [d["failures"] for d in failed if d["reason"] == "wrong_password"]
    assert len(failed) == n + 1 and sorted(numbers) == list(range(1, len(numbers) + 1))   # each its own count


def test_parallel_right_and_wrong_passwords_each_get_their_answer(store):
    first_admin(store)
    accounts.add_account(store, OPEN, "zhang", "editor", "610124", PASSWORD)
    start = threading.Barrier(4)

    def attempt(password):
        start.wait()
        return accounts.authenticate(store, "zhang", password)

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(attempt, [PASSWORD, "wrong-one-xx", PASSWORD, "wrong-two-xx"]))
    assert [a is not None for a in answers] == [True, False, True, False]
    assert store.account_row("zhang")["locked_until"] is None


# (actor's role, actor's jurisdiction, new role, new scope, allowed)
MANAGEMENT = [
    ("admin", "610124", "viewer", "610124", True),
    ("admin", "610124", "admin", "610124100", True),        # inside: a township admin
    ("admin", "610124", "editor", "61", False),              # a province user from a county admin
    ("admin", "610124", "admin", "6101", False),             # an admin above them
    ("admin", "610124", "viewer", "610118", False),          # the county next door
    ("admin", "610124", "viewer", "", False),                # the whole country
    ("admin", "61", "admin", "610118", True),
    ("editor", "610124", "viewer", "610124", False),         # only admins manage accounts
    ("viewer", "", "viewer", "610124", False),
]


@pytest.mark.parametrize("role, within, new_role, new_scope, allowed", MANAGEMENT)
def test_account_management_stays_inside_the_jurisdiction(store, role, within, new_role, new_scope, allowed):
    first_admin(store)
    actor = Principal("boss", "", Role(role), Scope.parse(within))
    if allowed:
        made = accounts.add_account(store, actor, "new", new_role, new_scope, PASSWORD)
        assert (made.role.value, made.scope) == (new_role, Scope.parse(new_scope))
    else:
        with pytest.raises(AccessDenied):
            accounts.add_account(store, actor, "new", new_role, new_scope, PASSWORD)
        assert store.account_row("new") is None


def test_an_admin_lists_and_changes_only_accounts_inside(store):
    admin = county_admin(store)
    accounts.add_account(store, OPEN, "province", "admin", "61", PASSWORD)
    accounts.add_account(store, OPEN, "huyi", "viewer", "610118", PASSWORD)
    accounts.add_account(store, admin, "yabai", "viewer", "610124100", PASSWORD)
    assert [a.username for a in accounts.list_accounts(store, admin)] == ["yabai", "zz_admin"]
    assert [a.username for a in accounts.list_accounts(store, OPEN)] == ["huyi", "province", "yabai", "zz_admin"]
    for name in ("province", "huyi", "nobody"):          # outside or missing: the same answer
        with pytest.raises(UserError) as e:
            accounts.set_enabled(store, admin, name, False)
        assert e.value.key == "acc.e.unknown"
        with pytest.raises(UserError):
            accounts.set_password(store, admin, name, "another-one")
    assert store.account_row("province")["enabled"] and store.account_row("huyi")["enabled"]
    accounts.set_password(store, admin, "yabai", "another-one")
    assert accounts.authenticate(store, "yabai", "another-one", now=T0) is not None
    with pytest.raises(UserError):
        accounts.set_enabled(store, admin, "zz_admin", False)     # not oneself
    viewer = accounts.authenticate(store, "yabai", "another-one", now=T0).principal()
    accounts.set_password(store, viewer, "yabai", "mine-own-pw")   # one's own password, whatever the role
    with pytest.raises(AccessDenied):
        accounts.list_accounts(store, viewer)


def test_account_changes_are_audited_without_passwords_or_hashes(store, caplog):
    caplog.set_level(logging.DEBUG)
    admin = county_admin(store)
    accounts.add_account(store, admin, "yabai", "editor", "610124100", PASSWORD, "哑柏镇 61012419900101123X")
    accounts.set_password(store, admin, "yabai", "second-pass")
    accounts.set_enabled(store, admin, "yabai", False)
    accounts.set_enabled(store, admin, "yabai", True)
    token = accounts.start_session(store, accounts.authenticate(store, "yabai", "second-pass", now=T0), now=T0)
    accounts.end_session(store, token, now=T0)
    trail = audit.entries(store, admin)
    assert list(trail["action"]) == ["account_add", "login", "account_add", "account_passwd", "account_disable",
                                     "account_enable", "login", "logout"]
    assert list(trail["user"]) == ["(open)"] + ["zz_admin"] * 5 + ["yabai"] * 2
    assert trail["detail"][2] == {"account": "yabai", "role": "editor", "display_name": "哑柏镇"}
    hashes = list(store.query("SELECT password_hash FROM accounts")["password_hash"])
    raw = store.query("SELECT * FROM audit").to_csv() + trail.to_csv() + caplog.text
    for secret in (PASSWORD, "second-pass", token, "61012419900101123X", *hashes):
        assert secret not in raw


def test_the_audit_trail_is_for_admins_inside_their_jurisdiction(store):
    admin = county_admin(store)
    audit.record(store, OPEN, "export", Scope("610118"), {"what": "gap_list", "rows": 1})
    audit.record(store, OPEN, "export", Scope("610124100"), {"what": "gap_list", "rows": 2})
    audit.record(store, OPEN, "export", Scope(""), {"what": "gap_list", "rows": 3})
    assert [d["rows"] for d in audit.entries(store, admin, action="export")["detail"]] == [2]
    assert [d["rows"] for d in audit.entries(store, OPEN, action="export")["detail"]] == [1, 2, 3]
    assert list(audit.entries(store, OPEN, user="zz_admin")["action"]) == ["login"]
    assert audit.entries(store, OPEN, since=dt.date.today() + dt.timedelta(days=1)).empty
    for role in ("viewer", "editor"):
        with pytest.raises(AccessDenied):
            audit.entries(store, Principal("x", "", Role(role), Scope("610124")))
    with pytest.raises(UserError):
        audit.record(store, OPEN, "delete_everything", Scope(""), {})


@pytest.mark.parametrize("detail, kept", [
    ({"file": "台账.xlsx", "password": "hunter22"}, {"file": "台账.xlsx"}),
    ({"new_password_hash": "$argon2id$x", "token": "abc", "secret": "s", "rows": 3}, {"rows": 3}),
    ({"file": "张三61012419900101123X.xlsx"}, {"file": "张三.xlsx"}),
    ({"nested": {"密码": "x", "n": [1, "a"]}}, {"nested": {"n": [1, "a"]}}),
    ({"scope": Scope("61"), "day": dt.date(2026, 1, 2)}, {"scope": "61", "day": "2026-01-02"}),
])
def test_audit_details_drop_secrets_and_id_numbers(detail, kept):
    assert json.loads(audit.detail_json(detail)) == kept


@pytest.mark.parametrize("mapping, hours, idle", [
    (None, 8, 60), ({}, 8, 60), ({"session_hours": 10, "idle_minutes": "30"}, 10, 30),
    ({"VILLAGE_COVERAGE_SESSION_HOURS": "4.5"}, 4.5, 60), ({"idle_minutes": ""}, 8, 60)])
def test_auth_settings_from_secrets_or_environment(mapping, hours, idle):
    assert accounts.AuthSettings.from_mapping(mapping) == accounts.AuthSettings(hours, idle)


@pytest.mark.parametrize("bad", [{"session_hours": "0"}, {"idle_minutes": "-5"}, {"session_hours": "eight"}])
def test_auth_settings_refuse_what_is_not_a_positive_number(bad):
    with pytest.raises(UserError):
        accounts.AuthSettings.from_mapping(bad)


def test_the_cookie_secret_is_made_once_and_shared_by_every_server(store, new_store):
    first = accounts.cookie_secret(store)
    assert len(first) == 32 and accounts.cookie_secret(store) == first
    other = new_store("other")
    assert accounts.cookie_secret(other) != first               # another deployment, another key


def test_open_mode_until_the_first_account(store):
    assert not accounts.has_accounts(store)
    accounts.add_account(store, OPEN, "first", "admin", "0", PASSWORD)
    assert accounts.has_accounts(store)


@pytest.mark.parametrize("role, scope, allowed", [
    ("viewer", "610124", False), ("editor", "610124", False), ("viewer", "0", False), ("editor", "61", False),
    ("admin", "0", True), ("admin", "610124", True),       # a county bureau's own deployment: its administrator
])
def test_the_first_account_must_be_an_administrator(store, role, scope, allowed):
    if not allowed:
        with pytest.raises(UserError) as refused:
            accounts.add_account(store, OPEN, "first", role, scope, PASSWORD)
        assert refused.value.key == "acc.e.first_admin" and not accounts.has_accounts(store)
        assert audit.entries(store, OPEN).empty
        return
    accounts.add_account(store, OPEN, "first", role, scope, PASSWORD)
    accounts.add_account(store, OPEN, "second", "viewer", scope, PASSWORD)      # after it, any role
    assert {a.username for a in accounts.list_accounts(store, OPEN)} == {"first", "second"}


def test_a_rebuilt_demo_keeps_the_accounts_the_trail_and_the_cookie_key(store):
    accounts.add_account(store, OPEN, "first", "admin", "0", PASSWORD)
    key = accounts.cookie_secret(store)
    with store.transaction() as cur:
        store.erase(cur)
    assert store.is_empty() and accounts.has_accounts(store) and accounts.cookie_secret(store) == key
    assert list(audit.entries(store, OPEN)["action"]) == ["account_add"]


def test_the_last_enabled_administrator_cannot_be_disabled(store):
    first_admin(store)                                             # root, the only administrator
    accounts.add_account(store, OPEN, "zhang", "viewer", "610124", PASSWORD)
    with pytest.raises(UserError) as e:
        accounts.set_enabled(store, OPEN, "root", False)
    assert e.value.key == "acc.e.last_admin" and "root" in e.value.text("zh")
    assert store.account_row("root")["enabled"]
    accounts.set_enabled(store, OPEN, "zhang", False)             # any other account still can be
    county_admin(store)
    accounts.set_enabled(store, OPEN, "root", False)               # another administrator is left
    assert not store.account_row("root")["enabled"]
    with pytest.raises(UserError):
        accounts.set_enabled(store, OPEN, "zz_admin", False)
