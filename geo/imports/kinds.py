"""The one table of import kinds.

Each entry says everything the page, the CLI and rollback need about one kind of file: its catalogue labels,
the file types it is read from, how it is previewed (read, nothing written) and written (one batch), how its
batch is undone and whether later batches of the kind block that, the options its reader takes, and how an
import of it is limited to the importing user's jurisdiction (:mod:`.jurisdiction`).  The page
builds its radio, uploader and option widgets from it, the CLI its ``import`` choices and flags, rollback its
rule.  A new kind (service records) is one more entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal

from geo.auth import audit
from geo.auth.access import OPEN, AccessDenied, Principal, scoped
from geo.core.codes import common_scope
from geo.imports import assignments, boundaries, registry, services
from geo.imports.jurisdiction import limit_assignments, limit_boundaries, limit_registry, limit_services
from geo.imports.results import ImportResult, Progress, refused
from geo.imports.worker import read_limited
from geo.sources import boundaries as boundary_reader
from geo.sources import ledger as ledger_reader
from geo.sources import servicelog as servicelog_reader
from geo.sources.tabular import TABULAR_SUFFIXES
from geo.store import Store
from geo.text.catalogue import Msg

Widget = Literal["county", "text", "check", "confirm"]
#: a file's reading phase as (reader, args, kwargs): run in a worker process under the limits (see .worker)
Reading = tuple[Callable[..., Any], tuple, dict[str, Any]]


@dataclass(frozen=True)
class Option:
    """One option of a kind's reader, described once for the page's widget and the CLI's flag."""

    name: str                       # the reader's / writer's keyword, and the CLI flag --name-with-dashes
    widget: Widget                  # county picker; text box; checkbox; confirmation asked only when needed
    label_key: str                  # the page's label in the catalogue
    cli_help: str | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def is_switch(self) -> bool:
        return self.widget in ("check", "confirm")


@dataclass(frozen=True)
class ImportKind:
    key: str                                        # batches.kind
    file_types: tuple[str, ...]                     # ".xlsx" ...: the page's uploader, the CLI, the reader
    read: Callable[[Store, Path, dict[str, Any]], Reading]   # what reads the file alone, without the store
    preview: Callable[..., Any]     # (store, path, options, what read gave: read by itself when not given)
    write: Callable[..., ImportResult]              # (store, path, *, file_name, progress, preview, **options)
    undo: Callable[[Store, Any, int], None]         # (store, cur, batch_id) inside rollback's transaction
    stacks: bool                                    # later active batches of the kind must be undone first
    options: tuple[Option, ...] = ()
    row_key: str = "imp.col.row"                    # what a report's row number counts
    action: str = "import"                          # what importing or undoing it needs (geo.auth.access)
    # (store, preview, principal) -> the preview cut to the jurisdiction; None: only whole-country accounts
    limit: Callable[[Store, Any, Principal], Any] | None = None
    audits: bool = False                            # the writer audits in its transaction (every writer takes
    #                                                 principal=: an earlier import of the file counts inside it)

    @property
    def label_key(self) -> str:
        return f"imp.kind.{self.key}"

    @property
    def expect_key(self) -> str:
        return f"imp.expect.{self.key}"

    @property
    def undo_key(self) -> str:
        return f"imp.rb.what.{self.key}"

    @property
    def upload_types(self) -> list[str]:
        return [t.lstrip(".") for t in self.file_types]

    def accepts(self, file_name: str) -> bool:
        return Path(file_name).suffix.lower() in self.file_types

    def reader_options(self, values: dict[str, Any]) -> dict[str, Any]:
        """The options this kind takes, from `values` (CLI arguments, page widgets); unset ones left out."""
        return {o.name: values[o.name] for o in self.options if values.get(o.name)}


# ------------------------------------------------------------------------------------------------ the rules

def _read_assignments(store: Store, path: Path, options: dict[str, Any]) -> Reading:
    return ledger_reader.read_ledger, (path,), {}


def _preview_assignments(store: Store, path: Path, options: dict[str, Any], read: Any = None):
    return assignments.preview_assignments(store, path, county=options.get("county"), read=read)


def _read_boundaries(store: Store, path: Path, options: dict[str, Any]) -> Reading:
    # the features are matched to the registry while reading: the registry travels to the worker
    return boundary_reader.read_boundaries, (path, store.registry_frame()), options


def _preview_boundaries(store: Store, path: Path, options: dict[str, Any], read: Any = None):
    return boundaries.preview_boundaries(store, path, read=read, **options)


def _read_registry(store: Store, path: Path, options: dict[str, Any]) -> Reading:
    return registry.read_registry_file, (path,), {}


def _preview_registry(store: Store, path: Path, options: dict[str, Any], read: Any = None):
    return registry.preview_registry(store, path, options, read=read)


def _undo_assignments(store: Store, cur, batch_id: int) -> None:
    store.rollback_assignments(cur, batch_id)


def _undo_boundaries(store: Store, cur, batch_id: int) -> None:
    from geo.outputs.outlines import village_display  # imported here: start-up time (geopandas)

    for county in store.rollback_village_geoms(cur, batch_id):
        store.refresh_village_display(cur, county, village_display)


def _undo_registry(store: Store, cur, batch_id: int) -> None:
    store.rollback_registry(cur, batch_id)


def _read_services(store: Store, path: Path, options: dict[str, Any]) -> Reading:
    return servicelog_reader.read_service_log, (path,), {}


def _preview_services(store: Store, path: Path, options: dict[str, Any], read: Any = None):
    return services.preview_services(store, path, county=options.get("county"), read=read)


def _undo_services(store: Store, cur, batch_id: int) -> None:
    store.rollback_services(cur, batch_id)


COUNTY = Option("county", "county", "imp.county", "county code the file belongs to (detected when omitted)")

KINDS: tuple[ImportKind, ...] = (
    ImportKind("assignments", TABULAR_SUFFIXES, _read_assignments, _preview_assignments,
               assignments.import_assignments, _undo_assignments, stacks=False, options=(COUNTY,),
               limit=limit_assignments, audits=True),
    ImportKind("boundaries", boundary_reader.BOUNDARY_SUFFIXES, _read_boundaries, _preview_boundaries,
               boundaries.import_boundaries,
               _undo_boundaries, stacks=True, row_key="imp.col.feature", options=(
                   Option("code_field", "text", "imp.b.code_field"),
                   Option("name_field", "text", "imp.b.name_field"),
                   Option("source_crs", "text", "imp.b.crs", "e.g. EPSG:4545 when the file has no .prj"),
                   Option("gcj02", "check", "imp.b.gcj02", "coordinates are GCJ-02 (Gaode/Tencent)"),
                   COUNTY), limit=limit_boundaries, audits=True),
    ImportKind("registry", TABULAR_SUFFIXES, _read_registry, _preview_registry, registry.import_registry,
               _undo_registry, stacks=True, options=(
                   Option("allow_abolish", "confirm", "imp.r.allow",
                          "registry: go ahead although the list abolishes more than a small share of a county's "
                          "villages"),), action="import_registry", limit=limit_registry, audits=True),
    ImportKind("services", TABULAR_SUFFIXES, _read_services, _preview_services, services.import_services,
               _undo_services,
               stacks=False, options=(COUNTY,), limit=limit_services),
)
BY_KEY = {kind.key: kind for kind in KINDS}


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
    reader, args, kwargs = kind.read(store, path, options)
    read = read_limited(reader, *args, file_name=file_name, **kwargs)
    return kind.preview(store, path, options, read)


def _limited(store: Store, kind: ImportKind, preview: Any, principal: Principal) -> Any:
    """`preview` cut to the principal's jurisdiction (as it is for the whole country)."""
    if not principal.jurisdiction.digits:
        return preview
    if kind.limit is None:
        raise AccessDenied(key="acc.e.kind_scope", params={"kind": Msg(kind.label_key)})
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
    :mod:`.jurisdiction`).  The batch is recorded in the audit trail.
    """
    kind = BY_KEY[key]
    principal.require(kind.action)
    path = checked_file(kind, path, file_name or str(path))
    options = kind.reader_options(options)
    if preview is None:  # read here, in a worker: the writer then never reads the file itself
        preview = _previewed(store, kind, path, options, Path(file_name or path).name)
    if principal.jurisdiction.digits:
        preview = _limited(store, kind, preview, principal)
    result = kind.write(store, path, file_name=file_name, progress=progress, preview=preview, **options,
                        principal=principal)
    if not kind.audits and result.status == "imported":
        reach = store.batch_code_range(result.batch_id)
        where = scoped(principal, common_scope([f"{c:012d}" for c in reach])) if reach else principal.jurisdiction
        with store.quiet_transaction() as cur:
            store.set_batch_scope(cur, result.batch_id, where)
            audit.record(store, principal, "import", where,
                         {"kind": kind.key, "file": result.file_name, "batch": result.batch_id,
                          "rows": {"read": result.rows_read, "accepted": result.rows_accepted,
                                   "rejected": result.rows_rejected}}, cur)
    return result


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
    kind = BY_KEY.get(batch.kind)
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
