"""Each village's page token: the unguessable part of its public page's address, rotatable by an administrator.

A token is derived, not stored: HMAC-SHA256 of the village and a random per-village nonce under a secret kept in
the store's meta table, cut to 32 URL-safe characters (192 bits).  The store keeps the nonce, to print the same
token again, and the token's SHA-256, by which a request finds its village; the public page's database role sees
only the hash, so neither a copy of what it can read nor its logs give a working address.  Rotating gives the
village a new nonce: the old address finds nothing from then on.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence

import pandas as pd

from geo.auth import audit
from geo.auth.access import Principal
from geo.core.codes import Scope
from geo.store import Store

SECRET_META = "public_token_secret"
TOKEN_LENGTH = 32
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{%d}" % TOKEN_LENGTH)


def _secret(store: Store) -> bytes:
    return store.meta_setdefault(SECRET_META, secrets.token_urlsafe(32)).encode()


def derive(secret: bytes, village: str, nonce: str) -> str:
    """The token of `village` under `nonce`."""
    digest = hmac.new(secret, f"{village}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:TOKEN_LENGTH]


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def village_of(store: Store, token: str | None) -> str | None:
    """The village whose page `token` opens, or None (malformed, unknown or rotated away: all alike)."""
    if not isinstance(token, str) or not TOKEN_SHAPE.fullmatch(token):
        return None
    return store.village_of_token(token_sha256(token))


def _new_rows(secret: bytes, villages: Sequence[str], who: str, now: dt.datetime) -> pd.DataFrame:
    nonces = [secrets.token_urlsafe(16) for _ in villages]
    return pd.DataFrame({"village": list(villages), "nonce": nonces,
                         "token_sha256": [token_sha256(derive(secret, v, n)) for v, n in zip(villages, nonces)],
                         "created_at": now, "created_by": who})


def ensure_tokens(store: Store, villages: Sequence[str], who: str, now: dt.datetime | None = None) -> int:
    """Give each of `villages` without a token one, in a transaction of its own; how many were new (a village
    that got one meanwhile from another print keeps that one)."""
    secret = _secret(store)          # before the transaction: it may store the secret in one of its own
    known = set(store.village_tokens(villages)["village"])
    missing = [v for v in villages if v not in known]
    if not missing:
        return 0
    with store.transaction() as cur:
        store.add_missing_village_tokens(cur, _new_rows(secret, missing, who, now or audit.utcnow()))
    return len(missing)


def tokens_of(store: Store, villages: Sequence[str]) -> dict[str, str]:
    """village -> its current token, for those of `villages` that have one."""
    secret = _secret(store)
    rows = store.village_tokens(villages)
    return {v: derive(secret, v, n) for v, n in zip(rows["village"], rows["nonce"])}


def rotate(store: Store, principal: Principal, villages: Sequence[str], now: dt.datetime | None = None) -> int:
    """New tokens for `villages` (each inside `principal`'s jurisdiction, administrators only): their old
    addresses, and the QR codes of boards printed with them, stop working.  One transaction, audited."""
    villages = sorted(set(villages))
    for village in villages:
        principal.require("rotate_tokens", Scope(village))
    if not villages:
        return 0
    now = now or audit.utcnow()
    secret = _secret(store)
    with store.transaction() as cur:
        store.set_village_tokens(cur, _new_rows(secret, villages, principal.actor, now))
        audit.record(store, principal, "token_rotate", common_scope(villages),
                     {"villages": len(villages), "codes": villages[:50]}, cur, now=now)
    return len(villages)


def common_scope(codes: Sequence[str]) -> Scope:
    """The smallest division holding every one of `codes` (12 digits each)."""
    first, last = min(codes), max(codes)
    n = 0
    while n < len(first) and first[n] == last[n]:
        n += 1
    for cut in (12, 9, 6, 4, 2, 0):
        if cut <= n:
            return Scope(first[:cut])
    return Scope("")
