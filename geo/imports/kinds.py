"""The one table of import kinds, and the loops over it: preview, import and roll back any kind.

Each kind is an object of its own class (:mod:`.kind`): its file types, reading, preview, jurisdiction limit,
writer, undo, audit detail, typed result and what the page shows.  The page builds its radio, uploader, option
widgets and previews from this table, the CLI its ``import`` choices and flags, rollback its rule.  A new kind
is one more class and one more entry.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from geo.auth import audit
from geo.auth.access import OPEN, AccessDenied, Principal, scoped
from geo.core.codes import common_scope
from geo.imports.assignments import ASSIGNMENTS
from geo.imports.boundaries import BOUNDARIES
from geo.imports.feedback import FEEDBACK
from geo.imports.kind import ImportKind, Option
from geo.imports.registry import REGISTRY
from geo.imports.results import ImportResult, Progress, refused
from geo.imports.services import SERVICES
from geo.imports.visit import VISITS
from geo.imports.worker import read_limited
from geo.records.run import RECORDS
from geo.store import Store
from geo.text.catalogue import Msg

KINDS: tuple[ImportKind, ...] = (ASSIGNMENTS, BOUNDARIES, REGISTRY, SERVICES, FEEDBACK)
BY_KEY = {kind.key: kind for kind in KINDS}
#: every kind of batch that can be rolled back: the imports, and those written otherwise than from a file (one
#: visit entered in a form, a change made in the app: geo.records), each undone by its kind's rule
BATCH_KINDS = {kind.key: kind for kind in (*KINDS, VISITS, RECORDS)}


def all_options() -> tuple[Option, ...]:
    """Every kind's options once each, in table order: the CLI's flags."""
    return tuple({o.name: o for kind in KINDS for o in kind.options}.values())


# ------------------------------------------------------------------------------------------------ one loop

def checked_file(kind: ImportKind, path: str | Path, shown_name: str | None = None) -> Path:
    """`path` when it is a file of a type this kind is read from; :class:`ImportRefused` saying why not."""
    path = Path(path)
    name = shown_name or str(path)
    if not path.exists():
        raise refused("imp.e.not_found", file=name)
    if not path.is_file():
        raise refused("imp.e.folder", file=name)
    if not kind.accepts(path.name):
        raise refused("imp.e.file_type", file=name, kind=Msg(kind.label_key), types=" ".join(kind.file_types))
    return path


def _previewed(store: Store, kind: ImportKind, path: Path, options: dict[str, Any], file_name: str) -> Any:
    """The kind's preview of the file: read in a worker under the memory and time limits, then matched."""
    reader, args, kwargs = kind.reading(store, path, options)
    read = read_limited(reader, *args, file_name=file_name, **kwargs)
    return kind.preview(store, path, options, read)


def _limited(store: Store, kind: ImportKind, preview: Any, principal: Principal) -> Any:
    """`preview` cut to the principal's jurisdiction (as it is for the whole country)."""
    if not principal.jurisdiction.digits:
        return preview
    return kind.limit(store, preview, principal)


@audit.refusals("preview")
def preview(store: Store, key: str, path: str | Path, options: dict[str, Any], *,
            principal: Principal = OPEN):
    """What the kind's reader makes of the file, limited to the principal's jurisdiction; nothing written."""
    kind = BY_KEY[key]
    principal.require(kind.action)
    read = _previewed(store, kind, checked_file(kind, path, Path(path).name), kind.reader_options(options),
                      Path(path).name)
    return _limited(store, kind, read, principal)


@audit.refusals("import")
def run_import(store: Store, key: str, path: str | Path, options: dict[str, Any], *, file_name: str | None = None,
               progress: Progress | None = None, preview: Any = None, principal: Principal = OPEN) -> ImportResult:
    """Import one file as one batch of kind `key`, with its options (those it does not take are ignored).

    `principal` must be allowed to import the kind; rows outside their jurisdiction are rejected (see
    :mod:`.jurisdiction`).  The kind's writer records the batch in the audit trail, in its transaction.
    """
    kind = BY_KEY[key]
    principal.require(kind.action)
    path = checked_file(kind, path, file_name or str(path))
    options = kind.reader_options(options)
    if preview is None:  # read here, in a worker: the writer then never reads the file itself
        preview = _previewed(store, kind, path, options, Path(file_name or path).name)
    if principal.jurisdiction.digits:
        preview = _limited(store, kind, preview, principal)
    return kind.write(store, path, file_name=file_name, progress=progress, preview=preview, **options,
                      principal=principal)


@audit.refusals("rollback")
def rollback(store: Store, batch_id: int, principal: Principal = OPEN) -> Msg:
    """Undo one batch by its kind's rule.  Returns what was done; raises ImportRefused when it cannot be undone,
    AccessDenied when the principal may not (their role, or a batch reaching outside their jurisdiction).
    Audited."""
    principal.require("rollback")
    batch = store.batch(batch_id)
    if batch is None:
        raise refused("imp.e.no_batch", batch=batch_id)
    if batch.status != "active":
        raise refused("imp.e.rolled_back", batch=batch_id)
    kind = BATCH_KINDS.get(batch.kind)
    if kind is None:                # demo, init: the data a store starts from
        raise refused("imp.e.initial")
    principal.require(kind.action)
    with store.transaction() as cur:
        if (not principal.within(store.batch_scope(batch_id, cur))
                or store.batch_reaches_outside(batch_id, principal.jurisdiction, cur)):
            raise AccessDenied(key="acc.e.rollback_scope", params={"batch": batch_id})
        if kind.stacks and store.later_active_batches(cur, kind.key, batch_id):
            raise refused("imp.e.later", batch=batch_id, kind=kind.key)
        reach = store.batch_code_range(batch_id, cur)
        kind.undo(store, cur, batch_id)
        store.mark_rolled_back(cur, batch_id)
        where = common_scope([f"{c:012d}" for c in reach]) if reach else principal.jurisdiction
        audit.record(store, principal, "rollback", scoped(principal, where), {"kind": kind.key, "batch": batch_id},
                     cur)
    return Msg("imp.rb.done", {"batch": batch_id})
