"""The audit trail: who did what, where, when.  One append-only table; nothing updates or deletes its rows.

Stand-in written beside the app (issue 10, app half): just what the app calls; the library half replaces it.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from .access import Principal
from .codes import Scope
from .idcards import scrub_id_numbers

#: detail keys that never go into the trail, whoever passes them
SECRET_KEYS = frozenset({"password", "password_hash", "token", "id_number"})


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def record(store, actor: Principal | str, action: str, scope: Scope, detail: dict | None = None, cur=None,
           *, now: dt.datetime | None = None) -> None:
    """Append one row: `actor` (a principal or a user name) did `action` on `scope`; `detail` as JSON."""
    user = actor.actor if isinstance(actor, Principal) else str(actor)
    clean = {k: v for k, v in (detail or {}).items() if k not in SECRET_KEYS}
    text = scrub_id_numbers(json.dumps(clean, ensure_ascii=False, default=str, sort_keys=True))
    if cur is not None:
        store.append_audit(cur, now or utc_now(), user, action, scope, text)
        return
    with store.transaction() as tx:
        store.append_audit(tx, now or utc_now(), user, action, scope, text)


def entries(store, actor: Principal, *, since: dt.date | dt.datetime | None = None, user: str | None = None,
            action: str | None = None) -> pd.DataFrame:
    """The trail inside `actor`'s jurisdiction (admins only): time, user, action, scope, detail; newest first."""
    actor.require("read_audit")
    if isinstance(since, dt.date) and not isinstance(since, dt.datetime):
        since = dt.datetime.combine(since, dt.time())
    return store.audit_frame(actor.jurisdiction, since, user or None, action or None)
