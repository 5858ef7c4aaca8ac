"""Files built for a download, handed out once to the browser session that asked for them.

Streamlit serves a download button's file at ``/media/<id>`` to anyone who has the address, as often as asked,
until its own clean-up drops it.  A file with names and phone numbers must not outlive its one download.  So
every file the app builds for a download is announced here (:meth:`Pending.add`) with its owner - the login
cookie of the session that clicked, or nobody in open mode - and the ``/media`` guard of ui/routes.py serves a
downloadable file only when :meth:`Pending.claim` finds it announced for that cookie, which forgets it: a second
fetch, another browser or a copied address gets nothing.  A file not claimed in :data:`TTL_SECONDS` is forgotten
too.  Files are known by the SHA-256 of their bytes (what Streamlit stores is exactly what the builder returned);
the owner is kept as a digest as well, so no cookie value stays in memory here.
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

#: how long a built file may wait for its one fetch (the browser fetches it at once after the click)
TTL_SECONDS = 120.0


def owner_of(cookie: object) -> str:
    """The owner key of a request or a session: the digest of its login cookie ("" without one)."""
    return hashlib.sha256(cookie.encode()).hexdigest() if isinstance(cookie, str) and cookie else ""


class Pending:
    """The files built and not yet fetched: digest of the bytes -> (owner, deadline).  Thread-safe: files are
    built in Streamlit's worker threads and claimed in the server's event loop."""

    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl, self._clock = ttl, clock
        self._files: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def add(self, data: bytes, owner: str) -> None:
        now = self._clock()
        with self._lock:
            self._expire(now)
            self._files[hashlib.sha256(data).hexdigest()] = (owner, now + self._ttl)

    def claim(self, data: bytes, owner: str) -> bool:
        """Whether `owner` may fetch `data` now; a yes is the only one (the file is forgotten)."""
        key = hashlib.sha256(data).hexdigest()
        now = self._clock()
        with self._lock:
            self._expire(now)
            held = self._files.get(key)
            if held is None or held[0] != owner:
                return False
            del self._files[key]
            return True

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._files)

    def _expire(self, now: float) -> None:
        for key in [k for k, (_, deadline) in self._files.items() if deadline < now]:
            del self._files[key]


#: the app's one registry (the pages add to it, the /media guard claims from it: one process)
PENDING = Pending()
