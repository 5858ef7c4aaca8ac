"""The public village page alone, as its own process: ``uvicorn ui.public_server:app --port 8502``.

It serves the routes of :mod:`ui.public_routes` and nothing else (every other path is 404), on the store of
``$VILLAGE_COVERAGE_DB``.  Meant for a PostgreSQL store reached through a role limited to what the page reads
and writes (:func:`geo.store.public.public_role_sql`; ``python -m geo public-role``): the store is opened
without creating or upgrading tables, which that role may not do.  A DuckDB file is opened shared, as the app
opens it.  See the README's deployment section.
"""
from __future__ import annotations

import threading

from starlette.applications import Starlette

from geo.store import Store, default_target, open_store
from geo.store.backends.postgres import is_postgres_url
from ui import public_routes

_lock = threading.Lock()
_opened: list[Store] = []


def public_store() -> Store:
    """The process's one store, opened at the first request."""
    with _lock:
        if not _opened:
            target = default_target()
            _opened.append(open_store(target, read_only=True) if is_postgres_url(target)
                           else open_store(target, shared=True))
        return _opened[0]


app = Starlette(routes=public_routes.routes(public_store))
