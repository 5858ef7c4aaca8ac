"""A village's board: what its signboard prints and its public page shows, printing a county's or a township's
boards, and the list of boards gone out of date.

A board says: the village, its current advisers (name, organisation, phone), the five kinds of service, the
service time and place, the county's 监督电话 and the 12348 hotline, and a QR code of the page's address; the page
may add the last on-site day (:mod:`geo.public.settings`).  Nothing else of the store reaches a board: not an
adviser's other villages, not a contract, not a record.

Each printed board is recorded with the day and data version it was made from and a fingerprint of what it says
and of its token: :func:`reprint_list` names the villages whose board no longer matches (the advisers or the
settings changed, the token was rotated) or that never had one.  That list is the assessment's "outdated board"
indicator.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import pandas as pd

from geo.auth import audit
from geo.auth.access import Principal
from geo.core.codes import Scope
from geo.core.errors import UserError
from geo.public import tokens
from geo.public.board import PAGE_PREFIX, Adviser, Board
from geo.public.settings import settings_of
from geo.store import Store

#: the smallest unit a print may cover at once: a county (level 3); a city's boards are printed county by county
WIDEST_LEVEL = 3
#: why a village is on the reprint list
REPRINT_REASONS = ("never", "changed", "rotated")
PAPERS = ("A4", "A3")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def boards(store: Store, scope: Scope, as_of: dt.date, *, for_page: bool = False) -> list[Board]:
    """The boards of the real villages of `scope` on `as_of`; `for_page`: with the last on-site day where the
    county shows it."""
    villages = store.board_villages(scope)
    if villages.empty:
        return []
    people = store.board_advisers(scope, as_of)
    by_village = {v: tuple(Adviser(str(r.name), _text(r.org), _text(r.phone)) for r in rows.itertuples())
                  for v, rows in people.groupby("village", sort=False)}
    settings = {c: settings_of(store, c) for c in {v[:6] for v in villages["code"]}}
    shown = any(s.show_last_onsite for s in settings.values()) and for_page
    last = store.last_onsite_days(scope, as_of) if shown else {}
    return [Board(village=r.code, name=str(r.name), township=_text(r.township), county=_text(r.county),
                  advisers=by_village.get(r.code, ()), settings=settings[r.code[:6]],
                  last_onsite=last.get(r.code) if settings[r.code[:6]].show_last_onsite else None, as_of=as_of)
            for r in villages.itertuples()]


class BoardCache:
    """The boards of the counties whose pages were asked for lately, kept `ttl_s` seconds: one read of a county
    serves every page of it until then (a page is read by many villagers, and a deployment serves few counties).

    Only content is kept: a token is looked up in the store on every request (:func:`page_board`), so a rotated
    one stops working at once; a change of advisers or settings shows within `ttl_s`.  At most `max_counties`
    are kept, the least recently used dropped first; one thread reads a county while the others wait for it."""

    def __init__(self, ttl_s: float = 60.0, max_counties: int = 32, clock=time.monotonic) -> None:
        self.ttl_s, self.max_counties, self.clock = ttl_s, max_counties, clock
        self._counties: OrderedDict[tuple[str, dt.date], tuple[float, dict[str, Board]]] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[tuple[str, dt.date], threading.Lock] = {}

    def board(self, store: Store, village: str, today: dt.date) -> Board | None:
        key = (village[:6], today)
        with self._lock:
            found = self._fresh(key)
            loading = None if found is not None else self._loading.setdefault(key, threading.Lock())
        if found is None:
            with loading:
                with self._lock:
                    found = self._fresh(key)
                if found is None:
                    found = {b.village: b for b in boards(store, Scope(village[:6]), today, for_page=True)}
                    with self._lock:
                        self._counties[key] = (self.clock(), found)
                        while len(self._counties) > self.max_counties:
                            self._counties.popitem(last=False)
                        self._loading.pop(key, None)
        return found.get(village)

    def _fresh(self, key: tuple[str, dt.date]) -> dict[str, Board] | None:
        entry = self._counties.get(key)
        if entry is None or self.clock() - entry[0] > self.ttl_s:
            return None
        self._counties.move_to_end(key)
        return entry[1]


def page_board(store: Store, token: str | None, today: dt.date, cache: BoardCache | None = None) -> Board | None:
    """The board a page token opens on `today`, or None for a token that opens nothing.  The token is looked up
    in the store every time, so a rotated one stops working at once; the content may come from `cache`."""
    village = tokens.village_of(store, token)
    if village is None:
        return None
    if cache is not None:
        return cache.board(store, village, today)
    found = boards(store, Scope(village), today, for_page=True)
    return found[0] if found else None


def reprint_list(store: Store, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """The villages of `scope` whose board should be (re)printed on `as_of`: code, name, township, reason
    (never: no board printed; changed: the advisers or the county's settings differ from the last board's;
    rotated: the page token changed since), printed_at, board_as_of (NaT when never printed)."""
    current = boards(store, scope, as_of)
    printed = store.latest_signboards(scope).set_index("village")
    known = store.village_tokens([b.village for b in current])
    hashes = dict(zip(known["village"], known["token_sha256"]))
    rows = []
    for board in current:
        if board.village not in printed.index:
            reason, last = "never", None
        else:
            last = printed.loc[board.village]
            reason = ("changed" if last["content_sha256"] != board.content_sha256 else
                      "rotated" if last["token_sha256"] != hashes.get(board.village) else None)
        if reason:
            rows.append({"code": board.village, "name": board.name, "township": board.township, "reason": reason,
                         "printed_at": None if last is None else last["printed_at"],
                         "board_as_of": None if last is None else last["as_of"]})
    frame = pd.DataFrame(rows, columns=["code", "name", "township", "reason", "printed_at", "board_as_of"])
    for col in ("printed_at", "board_as_of"):
        frame[col] = pd.to_datetime(frame[col])
    return frame


def page_url(base_url: str, token: str) -> str:
    """The address a board's QR code holds: BASE/v/<token>."""
    return f"{base_url.rstrip('/')}{PAGE_PREFIX}/{token}"


def checked_base_url(raw: str) -> str:
    """The public address boards point to: http(s)://host[:port][/path], nothing after it."""
    from urllib.parse import urlsplit  # imported here: only a print needs it

    text = (raw or "").strip().rstrip("/")
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.netloc or parts.query
            or parts.fragment or any(c.isspace() for c in text)):
        raise UserError(key="pub.e.base_url", params={"url": text[:80]})
    return text


@dataclass(frozen=True)
class Printed:
    pdf: bytes
    villages: int
    new_tokens: int


def print_boards(store: Store, principal: Principal, scope: Scope, as_of: dt.date, base_url: str, *,
                 paper: str = "A4", only_reprint: bool = False, now: dt.datetime | None = None) -> Printed:
    """The signboards of `scope` (a county or smaller, inside `principal`'s jurisdiction) as one PDF, a page per
    village.  Villages without a page token get one first; the boards are then recorded (day, data version,
    fingerprints) with an audit row, in one transaction.  `only_reprint`: only the villages of
    :func:`reprint_list`."""
    from geo.public.signboard_pdf import signboards_pdf  # imported here: fpdf2 and the fonts, for a print only

    principal.require("signboards", scope)
    if scope.level < WIDEST_LEVEL:
        raise UserError(key="pub.e.too_wide", params={"scope": scope.code})
    if paper not in PAPERS:
        raise UserError(key="pub.e.paper", params={"paper": paper})
    base_url = checked_base_url(base_url)
    now = now or audit.utcnow()
    chosen = boards(store, scope, as_of)
    if only_reprint:
        wanted = set(reprint_list(store, scope, as_of)["code"])
        chosen = [b for b in chosen if b.village in wanted]
    if not chosen:
        raise UserError(key="pub.e.no_villages", params={"scope": scope.code})
    codes = [b.village for b in chosen]
    new = tokens.ensure_tokens(store, codes, principal.actor, now)
    current = tokens.tokens_of(store, codes)
    version = store.data_version()
    pdf = signboards_pdf([(b, page_url(base_url, current[b.village])) for b in chosen], paper=paper,
                         made_on=now.date(), data_version=version)
    rows = pd.DataFrame({"village": codes, "printed_at": now, "as_of": as_of, "data_version": version,
                         "content_sha256": [b.content_sha256 for b in chosen],
                         "token_sha256": [tokens.token_sha256(current[v]) for v in codes],
                         "printed_by": principal.actor})
    with store.transaction() as cur:
        store.add_signboards(cur, rows)
        audit.record(store, principal, "signboards", scope,
                     {"villages": len(codes), "as_of": as_of, "paper": paper, "new_addresses": new,
                      "only_reprint": only_reprint, "data_version": version}, cur, now=now)
    return Printed(pdf, len(codes), new)
