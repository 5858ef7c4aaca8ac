"""The audit trail: who did what, where and when; one append-only table (``audit``) in the store.

:func:`record` appends a row (inside the caller's transaction when it passes one, so an import and its audit
row commit together); :func:`entries` reads them back for an administrator, limited to their jurisdiction.
A detail never carries a password, a hash, a token or an ID-card number: keys naming such secrets are dropped
and every text is scrubbed of ID numbers like every stored text.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .access import Principal
from .codes import Scope
from .errors import UserError
from .idcards import scrub_id_numbers

ACTIONS = ("login", "login_failed", "logout", "import", "rollback", "export", "account_add", "account_passwd",
           "account_enable", "account_disable")
#: a detail key matching this is a secret and never written, whatever its value
_SECRET_KEY = re.compile(r"pass|hash|token|secret|id_?card|身份证|密码", re.I)
COLUMNS = ("time", "user", "action", "scope", "detail")


def utcnow() -> dt.datetime:
    """Now in UTC, without a zone (how the store keeps every time)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _clean(value: Any) -> Any:
    """`value` fit for the trail: secrets' keys dropped, texts scrubbed of ID numbers, everything JSON."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items() if not _SECRET_KEY.search(str(k))}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_clean(v) for v in value]
    if isinstance(value, Scope):
        return value.digits
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if hasattr(value, "item"):              # numpy scalars
        return _clean(value.item())
    return scrub_id_numbers(str(value))


def detail_json(detail: Mapping[str, Any]) -> str:
    return json.dumps(_clean(detail), ensure_ascii=False, sort_keys=True)


def record(store, actor: Principal, action: str, scope: Scope, detail: Mapping[str, Any], cur=None, *,
           user: str | None = None, now: dt.datetime | None = None) -> None:
    """Append one row: `actor` (or `user`, for a login attempt made before anyone is known) did `action` on
    `scope`.  Inside `cur`'s transaction when given, else in one of its own."""
    if action not in ACTIONS:
        raise UserError(key="acc.e.action", params={"action": action})
    args = (now or utcnow(), user or actor.actor, action, scope, detail_json(detail))
    if cur is not None:
        store.add_audit(cur, *args)
        return
    with store.quiet_transaction() as cur:
        store.add_audit(cur, *args)


def _since(value: dt.date | dt.datetime | str | None) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    from .store import as_date
    return dt.datetime.combine(as_date(value), dt.time())


def entries(store, actor: Principal, *, since: dt.date | dt.datetime | str | None = None, user: str | None = None,
            action: str | None = None) -> pd.DataFrame:
    """The trail inside `actor`'s jurisdiction (administrators only), oldest first: time, user, action, scope
    (digits; "" the whole country), detail (a dict)."""
    actor.require("read_audit")
    if action is not None and action not in ACTIONS:
        raise UserError(key="acc.e.action", params={"action": action})
    rows = store.audit_rows(actor.jurisdiction, _since(since), user, action)
    return pd.DataFrame({"time": pd.to_datetime(rows["time"]), "user": rows["username"].astype(object),
                         "action": rows["action"].astype(object), "scope": rows["scope"].astype(object),
                         "detail": [json.loads(d) for d in rows["detail"]]}, columns=list(COLUMNS))


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """:func:`entries` as JSON-ready objects: time (ISO, UTC), user, action, scope, detail."""
    return [{"time": t.isoformat(), "user": u, "action": a, "scope": s, "detail": d}
            for t, u, a, s, d in zip(frame["time"], frame["user"], frame["action"], frame["scope"], frame["detail"])]


def table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`entries` as the page and the CSV show it: labelled columns, actions in words, detail as JSON."""
    from .i18n import t

    out = pd.DataFrame({
        "time": [x.strftime("%Y-%m-%d %H:%M:%S") for x in frame["time"]],
        "user": frame["user"], "action": [t(f"audit.action.{a}", lang) for a in frame["action"]],
        "scope": frame["scope"],
        "detail": [json.dumps(d, ensure_ascii=False, sort_keys=True) for d in frame["detail"]]})
    out.columns = [t(f"audit.col.{c}", lang) for c in COLUMNS]
    return out
