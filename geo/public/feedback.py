"""The public page's feedback form: what a villager sends, read strictly, scrubbed, bounded, then stored.

What is read: a satisfaction from 1 to 5, "I could reach the adviser" yes or no, "our village has never seen the
adviser", and a short comment (at most :data:`~geo.public.page.COMMENT_MAX` characters, control characters
removed, ID-card, phone and any other long numbers scrubbed: :func:`geo.privacy.phones.scrub_villager_text`).
Anything else in the body is ignored; a body with a field twice, or that is not UTF-8 form data, is not an answer.

What bounds it (:class:`Limits`): per client and per village, at most so many answers in a sliding window (kept in
this process's memory, as the login's failure limit is: each public server counts its own); a cap per village
per day (counted in the store, so it holds across servers); and an answer from a client that already answered
for the village that day is stored but flagged as a duplicate.  A client is known only by a keyed hash of its
address and the day (:class:`ClientKeys`): the store never holds an address, and the same client cannot be
followed from one day to the next.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
import threading
import time
import unicodedata
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import parse_qs

import pandas as pd

from geo.privacy.phones import scrub_villager_text
from geo.public.page import COMMENT_MAX
from geo.store import Store

#: the environment variable holding the client-key secret of a public server that cannot read the store's meta
SECRET_ENV = "VILLAGE_COVERAGE_PUBLIC_SECRET"
CLIENT_SECRET_META = "public_client_secret"
#: the day an answer counts for: China's
CHINA = dt.timedelta(hours=8)


@dataclass(frozen=True)
class Answer:
    satisfaction: int | None
    reached: bool | None
    never_seen: bool
    comment: str | None


@dataclass(frozen=True)
class Limits:
    client_answers: int = 5            # answers per client ...
    client_window_s: float = 600.0     # ... in any 10 minutes
    village_answers: int = 30          # answers per village ...
    village_window_s: float = 3600.0   # ... in any hour
    daily_cap: int = 100               # answers stored per village per day
    client_pages: int = 120            # page views per client ...
    page_window_s: float = 60.0        # ... in any minute
    body_bytes: int = 4096             # the largest form body read


class Outcome(str, Enum):
    SAVED = "saved"
    DUPLICATE = "duplicate"            # stored, flagged: this client answered for this village today
    EMPTY = "empty"                    # nothing chosen, nothing written
    CLIENT_LIMIT = "client_limit"
    VILLAGE_LIMIT = "village_limit"
    DAILY_CAP = "daily_cap"

    @property
    def stored(self) -> bool:
        return self in (Outcome.SAVED, Outcome.DUPLICATE)

    @property
    def notice_key(self) -> str:
        """What the page says after it: a duplicate is thanked like any answer."""
        return NOTICE_KEYS[self]


NOTICE_KEYS = {Outcome.SAVED: "pub.notice.saved", Outcome.DUPLICATE: "pub.notice.saved",
               Outcome.EMPTY: "pub.notice.empty", Outcome.CLIENT_LIMIT: "pub.notice.client_limit",
               Outcome.VILLAGE_LIMIT: "pub.notice.village_limit", Outcome.DAILY_CAP: "pub.notice.daily_cap"}


@dataclass
class Window:
    """At most `limit` events per key in any `window_s` seconds, in this process's memory; at most `max_keys`
    keys remembered (the least recently seen forgotten first), so the table cannot be made to grow without end."""

    limit: int
    window_s: float
    max_keys: int = 20_000
    clock: Callable[[], float] = time.monotonic
    _events: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, key: str) -> bool:
        """Count one event of `key` when it is within the limit; whether it was."""
        with self._lock:
            now = self.clock()
            times = self._events.get(key)
            if times is None:
                times = self._events[key] = deque(maxlen=self.limit)
            while times and times[0] <= now - self.window_s:
                times.popleft()
            self._events.move_to_end(key)
            while len(self._events) > self.max_keys:
                self._events.popitem(last=False)
            if len(times) >= self.limit:
                return False
            times.append(now)
            return True


@dataclass
class Gate:
    """The in-memory limits of one public server."""

    limits: Limits = field(default_factory=Limits)
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        lim = self.limits
        self.clients = Window(lim.client_answers, lim.client_window_s, clock=self.clock)
        self.villages = Window(lim.village_answers, lim.village_window_s, clock=self.clock)
        self.pages = Window(lim.client_pages, lim.page_window_s, clock=self.clock)


class ClientKeys:
    """A client's keyed hash for a day: HMAC-SHA256 of the day and the address under a secret: the environment's
    :data:`SECRET_ENV`, else the store's (meta), else (a server that may not read it) one of this process's own."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret
        self._lock = threading.Lock()

    def _key(self, store: Store | None) -> bytes:
        with self._lock:
            if self._secret is None:
                env = os.environ.get(SECRET_ENV)
                if env:
                    self._secret = env.encode()
                elif store is not None:
                    try:
                        self._secret = store.meta_setdefault(CLIENT_SECRET_META, secrets.token_urlsafe(32)).encode()
                    except Exception:  # noqa: BLE001 - a role that may not read meta: a secret of its own
                        self._secret = secrets.token_urlsafe(32).encode()
                else:
                    self._secret = secrets.token_urlsafe(32).encode()
            return self._secret

    def of(self, client: str, day: dt.date, store: Store | None = None) -> str:
        return hmac.new(self._key(store), f"{day.isoformat()}|{client}".encode(), hashlib.sha256).hexdigest()[:32]


def china_day(now_utc: dt.datetime) -> dt.date:
    return (now_utc + CHINA).date()


def clean_comment(raw: str) -> str | None:
    """A comment as stored: control and format characters gone, spaces collapsed, cut to the limit, ID-card and
    phone numbers removed; None when nothing is left."""
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in raw)
    text = " ".join(text.split())[:COMMENT_MAX]
    text = scrub_villager_text(text).strip()
    return text or None


def parse_answer(body: bytes) -> Answer | None:
    """The answer in a form body (application/x-www-form-urlencoded, UTF-8), or None when it holds none."""
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=8, strict_parsing=False, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None
    if any(len(v) != 1 for v in fields.values()):
        return None
    one = {k: v[0] for k, v in fields.items()}
    satisfaction = int(one["satisfaction"]) if one.get("satisfaction") in {"1", "2", "3", "4", "5"} else None
    reached = {"yes": True, "no": False}.get(one.get("reached", ""))
    never_seen = one.get("never_seen") == "1"
    comment = clean_comment(one.get("comment", ""))
    if satisfaction is None and reached is None and not never_seen and comment is None:
        return None
    return Answer(satisfaction, reached, never_seen, comment)


def submit(store: Store, village: str, answer: Answer | None, client: str, gate: Gate, keys: ClientKeys, *,
           now: dt.datetime | None = None) -> Outcome:
    """Store `answer` for `village` from `client` (its address) unless a limit says no; what happened."""
    if answer is None:
        return Outcome.EMPTY
    if not gate.clients.take(client):
        return Outcome.CLIENT_LIMIT
    if not gate.villages.take(village):
        return Outcome.VILLAGE_LIMIT
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    day = china_day(now)
    if store.feedback_count(village, day) >= gate.limits.daily_cap:
        return Outcome.DAILY_CAP
    key = keys.of(client, day, store)
    duplicate = store.feedback_count(village, day, client_key=key) > 0
    row = pd.DataFrame([{"village": village, "received_at": now, "source": "web",
                         "satisfaction": answer.satisfaction, "reached": answer.reached,
                         "never_seen": answer.never_seen, "comment": answer.comment, "client_key": key,
                         "duplicate": duplicate, "batch_id": None}])
    with store.transaction() as cur:
        store.add_feedback(cur, row)
    return Outcome.DUPLICATE if duplicate else Outcome.SAVED
