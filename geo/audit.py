"""The audit trail: who did what, where and when; one append-only table (``audit``) in the store.

:func:`record` appends a row (inside the caller's transaction when it passes one, so an import and its audit
row commit together); :func:`entries` reads them back for an administrator, limited to their jurisdiction.
A detail never carries a password, a hash, a token or an ID-card number: keys naming such secrets are dropped
and every text is scrubbed of ID numbers like every stored text.
"""
from __future__ import annotations

import datetime as dt
import functools
import inspect
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

from .access import AccessDenied, Principal
from .codes import Scope
from .errors import UserError
from .idcards import scrub_id_numbers

ACTIONS = ("login", "login_failed", "logout", "import", "rollback", "export", "account_add", "account_passwd",
           "account_enable", "account_disable", "refused", "demo_rebuild")
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


log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
#: the arguments of a refused call that say what was tried (as the detail's keys); secrets never among them
_TRIED = {"key": "kind", "batch_id": "batch", "username": "account", "role": "role", "scope": "scope",
          "enabled": "enabled", "file_name": "file"}


def record_refusal(store, actor: Principal, attempt: str, error: AccessDenied, tried: Mapping[str, Any] = ()) -> None:
    """Append a 'refused' row: `actor` tried `attempt` and `error` says why (its catalogue key, values and
    message).  In the actor's jurisdiction, so the administrators above them see it.  Nothing is recorded on
    a store opened read-only (the refusal itself stands)."""
    if getattr(store, "read_only", False):
        log.warning("refusal of %s to %s not recorded: the store is read-only", attempt, actor.actor)
        return
    values = {k: getattr(v, "key", v) for k, v in error.params.items()}      # a Msg value: its key
    detail = {"attempt": attempt, "reason": error.key, **values, **dict(tried), "message": str(error)}
    record(store, actor, "refused", actor.jurisdiction, detail)


def refusals(attempt: str) -> Callable[[F], F]:
    """Decorate a library entry point taking ``store`` and ``principal`` (or ``actor``): an
    :class:`~geo.access.AccessDenied` it raises is recorded (:func:`record_refusal`) and raised on.  The one
    place refusals reach the trail: every check (role, jurisdiction, rank) raises AccessDenied."""
    def wrap(fn: F) -> F:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def guarded(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except AccessDenied as e:
                if not getattr(e, "recorded", False):
                    bound = signature.bind(*args, **kwargs)
                    bound.apply_defaults()
                    given = bound.arguments
                    tried = {name: getattr(given[arg], "value", given[arg]) for arg, name in _TRIED.items()
                             if given.get(arg) is not None}
                    record_refusal(given["store"], given.get("principal") or given["actor"], attempt, e, tried)
                    e.recorded = True
                raise
        return guarded  # type: ignore[return-value]
    return wrap


def _since(value: dt.date | dt.datetime | str | None) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    from .store import as_date
    return dt.datetime.combine(as_date(value), dt.time())


@refusals("read_audit")
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


@dataclass(frozen=True)
class ChainCheck:
    """What :func:`verify_chain` found: the rows checked, and the first broken link (None: the chain is whole)."""

    rows: int
    head: str                                  # the last row's hash ("" for an empty trail)
    broken_id: int | None = None               # the first row that does not follow from the one before it
    broken_time: dt.datetime | None = None
    reason: str | None = None                  # "changed", "unhashed" or "cut" (rows after the last removed)
    expected_end: int | None = None            # for "cut": the id the chain's head names

    @property
    def whole(self) -> bool:
        return self.reason is None

    def text(self, lang: str) -> str:
        from .i18n import t

        if self.whole:
            return t("audit.chain.whole", lang, n=self.rows, head=self.head or "-")
        if self.reason == "cut":
            why = t("audit.chain.cut", lang, id=self.expected_end)
        else:
            why = t(f"audit.chain.{self.reason}", lang)
        stamp = self.broken_time.strftime("%Y-%m-%d %H:%M:%S") if self.broken_time is not None else "-"
        return t("audit.chain.broken", lang, id=self.broken_id or 0, time=stamp, why=why)


def verify_chain(store) -> ChainCheck:
    """Recompute the audit trail's hash chain (the operator's check, whole country): the first row whose hash
    does not follow from its content and the row before it, or a removed tail (against the chain's head)."""
    from .store.accounts import AUDIT_CHAINED, AUDIT_HEAD_META, chain_hash

    rows = store.audit_chain()
    previous, last_id = "", None
    for values, stored in zip(zip(*(rows[c] for c in AUDIT_CHAINED)), rows["hash"]):
        row_id, time = int(values[0]), pd.Timestamp(values[1]).to_pydatetime()
        if not isinstance(stored, str) or not stored:
            return ChainCheck(len(rows), previous, row_id, time, "unhashed")
        if chain_hash(previous, *values) != stored:
            return ChainCheck(len(rows), previous, row_id, time, "changed")
        previous, last_id = stored, row_id
    head = store.get_meta(AUDIT_HEAD_META)
    last_time = pd.Timestamp(rows["time"].iloc[-1]).to_pydatetime() if len(rows) else None
    if head is None and len(rows):
        return ChainCheck(len(rows), previous, last_id, last_time, "nohead")
    if head is not None and head != f"{last_id} {previous}":
        return ChainCheck(len(rows), previous, last_id, last_time, "cut", int(head.split(" ", 1)[0]))
    return ChainCheck(len(rows), previous)
