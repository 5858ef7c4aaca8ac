"""The public-facing process's PostgreSQL role (geo.store.public.public_role_sql): the page and its form work
through it, and it reads nothing else: no other column of the advisers, no contract's period beyond what the page
needs, no audit, no account, no villager's comment, no secret of the meta table."""
from __future__ import annotations

import secrets
import uuid
from urllib.parse import urlencode

import psycopg
import pytest

from backends import admin_url, create_database, database_url, drop_database, require
from fixtures_county import county_store
from fixtures_public import EAST, add_people, request, serving, stored
from geo.public import tokens
from geo.public.board import PAGE_PREFIX
from geo.store import open_store
from geo.store.public import public_role_sql

FORBIDDEN = ("SELECT licence_no FROM advisers", "SELECT * FROM advisers", "SELECT * FROM audit",
             "SELECT * FROM accounts", "SELECT * FROM sessions", "SELECT comment FROM feedback",
             "SELECT nonce FROM village_tokens", "SELECT * FROM signboards", "SELECT * FROM batches",
             "SELECT content FROM services", "DELETE FROM feedback", "UPDATE village_tokens SET token_sha256 = 'x'",
             "INSERT INTO village_tokens VALUES (1, 'n', 'h', now(), 'x')")


@pytest.fixture
def limited():
    """(the store as its owner, the store through the public role, the role's URL) on a database of its own."""
    require("postgresql")
    name = create_database()
    owner_url = database_url(name)
    role, password = f"pub_{uuid.uuid4().hex[:10]}", secrets.token_urlsafe(16)
    owner = county_store(lambda _: open_store(owner_url), "x")
    add_people(owner)
    tokens.ensure_tokens(owner, [EAST], "test")
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
        conn.execute(public_role_sql(role))
    role_url = f"postgresql://{role}:{password}@127.0.0.1/{name}"
    public = open_store(role_url, read_only=True)
    try:
        yield owner, public, role_url
    finally:
        public.close()
        owner.close()
        drop_database(name)
        with psycopg.connect(admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_the_page_and_its_form_work_through_the_public_role_and_nothing_else_does(limited):
    owner, public, role_url = limited
    token = tokens.tokens_of(owner, [EAST])[EAST]
    with serving(public) as (*addr, _):
        status, _, text = request(addr, "GET", f"{PAGE_PREFIX}/{token}")
        assert status == 200 and "东村村委会" in text and "顾问甲" in text
        status, headers, _ = request(addr, "POST", f"{PAGE_PREFIX}/{token}",
                                     urlencode({"satisfaction": "4"}).encode(),
                                     {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 303
        status, _, text = request(addr, "GET", f"{PAGE_PREFIX}/{headers['location']}")
        assert status == 200 and "已收到" in text
    assert len(stored(owner)) == 1
    owner.meta_setdefault("public_client_secret", "s")
    with psycopg.connect(role_url, autocommit=True) as conn:
        for statement in FORBIDDEN:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        keys = [k for (k,) in conn.execute("SELECT key FROM meta").fetchall()]
        assert keys and not any("secret" in k for k in keys)
        assert conn.execute("SELECT count(*) FROM village_tokens").fetchone()[0] == 1    # its hash, no nonce
    # the owner still sees every row of meta (the policy is the public role's alone)
    assert owner.get_meta("public_token_secret") is not None
