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
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from geo.auth.access import AccessDenied, Principal
from geo.core.codes import Scope
from geo.core.dates import as_date
from geo.core.errors import UserError
from geo.privacy.idcards import scrub_id_numbers
from geo.store import Store
from geo.store.audit import AUDIT_CHAINED, AUDIT_HEAD_META, chain_hash
from geo.text.catalogue import has, placeholders, t, t_or

ACTIONS = ("login", "login_failed", "logout", "import", "rollback", "export", "account_add", "account_passwd",
           "account_enable", "account_disable", "refused", "demo_rebuild", "visit", "record")
#: the public village page's (geo.public): boards printed, page tokens rotated, a county's board settings changed
ACTIONS += ("signboards", "token_rotate", "public_settings")
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


def record(store: Store, actor: Principal, action: str, scope: Scope, detail: Mapping[str, Any], cur=None, *,
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


def record_refusal(store: Store, actor: Principal, attempt: str, error: AccessDenied,
                   tried: Mapping[str, Any] = ()) -> None:
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
    :class:`~geo.auth.access.AccessDenied` it raises is recorded (:func:`record_refusal`) and raised on.  The one
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
    return dt.datetime.combine(as_date(value), dt.time())


@refusals("read_audit")
def entries(store: Store, actor: Principal, *, since: dt.date | dt.datetime | str | None = None,
            user: str | None = None, action: str | None = None) -> pd.DataFrame:
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
    """:func:`entries` as the command line's CSV gives it: labelled columns, actions in words, times in UTC (the
    header says so), detail as JSON (:func:`page_table` is the page's)."""
    out = pd.DataFrame({
        "time": [x.strftime("%Y-%m-%d %H:%M:%S") for x in frame["time"]],
        "user": frame["user"], "action": [t(f"audit.action.{a}", lang) for a in frame["action"]],
        "scope": frame["scope"],
        "detail": [json.dumps(d, ensure_ascii=False, sort_keys=True) for d in frame["detail"]]})
    out.columns = [t(f"audit.col.{c}", lang) for c in COLUMNS]
    return out


# ------------------------------------------------------------------------------------------------ display
#: the zone the app shows times in unless ``[display] timezone`` of its secrets, or this variable, says otherwise
DEFAULT_ZONE = "Asia/Shanghai"
ZONE_ENV = "VILLAGE_COVERAGE_TIMEZONE"
#: zones a county official knows as 北京时间
_BEIJING = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin", "PRC"})
#: which details a sentence of its action says, in order: the rest are listed as key: value after it
_SAID = {"import": ("kind", "file", "batch", "rows"), "rollback": ("kind", "batch"),
         "export": ("what", "format", "as_of"), "account_add": ("account", "display_name", "role"),
         "account_passwd": ("account",), "account_enable": ("account",), "account_disable": ("account",),
         "login_failed": ("reason",), "refused": ("attempt", "reason", "message"), "demo_rebuild": ("store",),
         "visit": ("batch", "village_name", "date", "adviser_name", "mode", "hours"),
         "record": ("change", "batch")}
#: the values of a refusal's reason said in words (the role and action of "your role (editor) may not import")
_REASON_WORDS = {"action": "audit.attempt", "role": "role"}
#: values said in words, by their key: the catalogue prefix of their words
_WORDS = {"kind": "imp.kind", "what": "audit.what", "role": "role", "reason": "audit.reason", "statuses": "status",
          "action": "audit.action"}


def display_zone(name: object = None) -> ZoneInfo:
    """The zone times are shown in: `name` (an IANA name such as "Asia/Shanghai"), else :data:`DEFAULT_ZONE`;
    a name that is not a zone is refused, saying so."""
    text = str(name or "").strip() or DEFAULT_ZONE
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(key="audit.e.zone", params={"zone": text}) from None


def zone_label(zone: ZoneInfo, lang: str = "zh") -> str:
    """How a column header names `zone`: 北京时间 for China's zone, else its name; with today's UTC offset."""
    offset = dt.datetime.now(zone).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    hours = f"{abs(minutes) // 60}" + (f":{abs(minutes) % 60:02d}" if minutes % 60 else "")
    utc = "UTC" if not minutes else f"UTC{'+' if minutes > 0 else '-'}{hours}"
    if zone.key in _BEIJING:
        return t("audit.zone.beijing", lang, utc=utc)
    return utc if zone.key in ("UTC", "Etc/UTC") else f"{zone.key}, {utc}"


def local_times(times: pd.Series, zone: ZoneInfo) -> list[str]:
    """The trail's times (UTC, as stored) as `zone`'s wall clock, to the second."""
    stamps = pd.to_datetime(pd.Series(times, dtype="datetime64[ns]"))
    return list(stamps.dt.tz_localize("UTC").dt.tz_convert(zone).dt.strftime("%Y-%m-%d %H:%M:%S"))


def utc_start(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The UTC moment (without a zone, as stored) `day` begins in `zone`: where "since a day" starts."""
    return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.timezone.utc).replace(tzinfo=None)


def describe(action: str, detail: Mapping[str, Any] | None, lang: str = "zh") -> str:
    """A detail as the audit page says it: a short sentence for its action, then any other values as
    key: value; a detail of an action or shape not known here as key: value pairs only."""
    d = dict(detail or {})
    sentence = _sentence(action, d, lang)
    said = (*_SAID.get(action, ()), *(_why(d)[1] if action == "refused" else ())) if sentence else ()
    colon = "：" if lang == "zh" else ": "
    rest = [f"{_label('audit.key', k, lang)}{colon}{_value(v, lang, k)}"
            for k, v in sorted(d.items(), key=lambda kv: str(kv[0])) if k not in said and v not in (None, "", [], {})]
    return ("；" if lang == "zh" else "; ").join([*([sentence] if sentence else []), *rest])


def _sentence(action: str, d: dict[str, Any], lang: str) -> str | None:
    """The sentence of `action` from `d`, or None when `d` lacks what it says."""
    if any(k not in d for k in _SAID.get(action, ("?",))):
        return None
    if action == "import":
        rows = d["rows"] if isinstance(d["rows"], Mapping) else {}
        if not all(k in rows for k in ("read", "accepted", "rejected")):
            return None
        return t("audit.say.import", lang, kind=_label("imp.kind", d["kind"], lang), file=_value(d["file"], lang),
                 batch=_value(d["batch"], lang), **{k: _value(rows[k], lang) for k in ("read", "accepted", "rejected")})
    if action == "rollback":
        return t("audit.say.rollback", lang, kind=_label("imp.kind", d["kind"], lang), batch=_value(d["batch"], lang))
    if action == "export":
        return t("audit.say.export", lang, what=_label("audit.what", d["what"], lang),
                 format=str(d["format"]).upper(), as_of=_value(d["as_of"], lang))
    if action == "account_add":
        return t("audit.say.account_add", lang, account=_value(d["account"], lang),
                 name=_value(d["display_name"], lang), role=_label("role", d["role"], lang))
    if action == "login_failed":
        return _label("audit.reason", d["reason"], lang)
    if action == "refused":
        why = _why(d, lang)[0]
        if why is None:     # "中文 / English" as stored: its half in `lang` when it splits one way only
            halves = str(d["message"]).split(" / ")
            why = halves[lang == "en"] if len(halves) == 2 else str(d["message"])
        return t("audit.say.refused", lang, attempt=_label("audit.attempt", d["attempt"], lang), why=why)
    if action == "record":
        return t("audit.say.record", lang, change=_label("rec.action", d["change"], lang),
                 batch=_value(d["batch"], lang))
    if action == "demo_rebuild":
        return t("audit.say.demo_rebuild", lang, store=_value(d["store"], lang))
    if action == "visit":
        return t("audit.say.visit", lang, batch=_value(d["batch"], lang), village=_value(d["village_name"], lang),
                 date=_value(d["date"], lang), adviser=_value(d["adviser_name"], lang),
                 mode=_label("imp.mode", d["mode"], lang), hours=_value(d["hours"], lang))
    return t("audit.say.account", lang, account=_value(d["account"], lang))


def _why(d: Mapping[str, Any], lang: str = "zh") -> tuple[str | None, tuple[str, ...]]:
    """Why a refusal was refused, in `lang`, with its role and action in words, and the detail's keys it says;
    (None, ()) when the stored values no longer give the stored message (a value of what was tried took the
    name of one of the reason's own): the caller then shows the stored message."""
    reason = str(d.get("reason"))
    if not has(reason):
        return None, ()
    names = tuple(sorted(placeholders(reason)))
    if any(n not in d for n in names):
        return None, ()

    def said(language: str, words: Mapping[str, str]) -> str:
        return t(reason, language, **{n: _label(words[n], d[n], language) if n in words
                                      else t(d[n], language) if isinstance(d[n], str) and has(d[n]) else d[n]
                                      for n in names})
    try:
        if f"{said('zh', {})} / {said('en', {})}" != d.get("message"):
            return None, ()
    except (KeyError, IndexError, ValueError):
        return None, ()
    return said(lang, _REASON_WORDS), names


def _label(prefix: str, value: object, lang: str) -> str:
    """The catalogue's word for `value` under `prefix` (imp.kind.assignments ...), else the value itself."""
    return t_or(f"{prefix}.{value}", lang, str(value))


def _value(value: object, lang: str, key: object = None) -> str:
    words = _WORDS.get(str(key))
    if words and isinstance(value, (list, tuple)):
        value = [_label(words, v, lang) for v in value]
    elif words and isinstance(value, str):
        return _label(words, value, lang)
    if isinstance(value, bool):
        return _label("audit.bool", str(value).lower(), lang)
    if isinstance(value, Mapping):
        return ("，" if lang == "zh" else ", ").join(f"{_label('audit.key', k, lang)} {_value(v, lang)}"
                                                    for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ("、" if lang == "zh" else ", ").join(_value(v, lang) for v in value)
    if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value):
        return value[:12] + "…"                 # a file's SHA-256: its head tells files apart on a page
    return str(value)


def page_table(frame: pd.DataFrame, zone: ZoneInfo, lang: str = "zh", place=None) -> pd.DataFrame:
    """:func:`entries` as the audit page shows and downloads it: times on `zone`'s clock with the zone named in
    the header, actions in words, places by `place(scope digits)` (default: the digits), details as sentences."""
    columns = {
        t("audit.col.time_in", lang, zone=zone_label(zone, lang)): local_times(frame["time"], zone),
        t("audit.col.user", lang): list(frame["user"]),
        t("audit.col.action", lang): [_label("audit.action", a, lang) for a in frame["action"]],
        t("audit.col.scope", lang): [place(s) if place else s for s in frame["scope"]],
        t("audit.col.detail", lang): [describe(a, d, lang) for a, d in zip(frame["action"], frame["detail"])]}
    return pd.DataFrame(columns)


#: why a link of the chain is broken, in the catalogue's words ("cut" has its own sentence, naming the end)
CHAIN_BREAKS = {"changed": "audit.chain.changed", "unhashed": "audit.chain.unhashed", "nohead": "audit.chain.nohead"}


@dataclass(frozen=True)
class ChainCheck:
    """What :func:`verify_chain` found: the rows checked, and the first broken link (None: the chain is whole)."""

    rows: int
    head: str                                  # the last row's hash ("" for an empty trail)
    broken_id: int | None = None               # the first row that does not follow from the one before it
    broken_time: dt.datetime | None = None
    reason: str | None = None                  # a CHAIN_BREAKS key, or "cut" (rows after the last removed)
    expected_end: int | None = None            # for "cut": the id the chain's head names

    @property
    def whole(self) -> bool:
        return self.reason is None

    def text(self, lang: str) -> str:
        if self.whole:
            return t("audit.chain.whole", lang, n=self.rows, head=self.head or "-")
        if self.reason == "cut":
            why = t("audit.chain.cut", lang, id=self.expected_end)
        else:
            why = t(CHAIN_BREAKS[self.reason], lang)
        stamp = self.broken_time.strftime("%Y-%m-%d %H:%M:%S") if self.broken_time is not None else "-"
        return t("audit.chain.broken", lang, id=self.broken_id or 0, time=stamp, why=why)


def verify_chain(store: Store) -> ChainCheck:
    """Recompute the audit trail's hash chain (the operator's check, whole country): the first row whose hash
    does not follow from its content and the row before it, or a removed tail (against the chain's head)."""
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
