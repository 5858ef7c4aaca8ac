"""What an import kind is: one class per kind of file (:mod:`.assignments`, :mod:`.boundaries`,
:mod:`.registry`, :mod:`.services`) owns everything about it, and the table of kinds (:mod:`.kinds`) lists one
object of each.

A kind says which file types it is read from, how a file is read (in a worker, :mod:`.worker`) and previewed,
how a preview is cut to the importing user's jurisdiction, how it is written as one batch (audited in the same
transaction), how that batch is undone, and what the import page shows of a preview (:class:`PreviewView`: plain
data the page draws, so the page holds no kind's logic).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ClassVar, Literal

from geo.auth import audit
from geo.auth.access import AccessDenied, Principal, scoped
from geo.core.codes import common_scope
from geo.imports.results import ImportResult, Note, Progress
from geo.store import Store
from geo.text.catalogue import TEXT, Localizable, Msg, t

Widget = Literal["county", "text", "check", "confirm", "date"]
#: a file's reading phase as (reader, args, kwargs): run in a worker process under the limits (see .worker)
Reading = tuple[Callable[..., Any], tuple, dict[str, Any]]


@dataclass(frozen=True)
class Option:
    """One option of a kind's reader, described once for the page's widget and the CLI's flag."""

    name: str                       # the reader's / writer's keyword, and the CLI flag --name-with-dashes
    widget: Widget                  # county picker; text box; checkbox; confirmation asked only when needed; day
    label_key: str                  # the page's label in the catalogue
    cli_help: str | None = None
    when: str | None = None         # the page asks it only when this (switch) option is set

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def is_switch(self) -> bool:
        return self.widget in ("check", "confirm")


COUNTY = Option("county", "county", "imp.county", "county code the file belongs to (detected when omitted)")


# ------------------------------------------------------------------------------------------------ the page's data

@dataclass(frozen=True)
class Label:
    """A code shown by its catalogue label (``<prefix>.<value>``), or as it is when the catalogue has none."""

    prefix: str
    value: object

    def text(self, lang: str) -> str:
        key = f"{self.prefix}.{self.value}"
        return t(key, lang) if key in TEXT else str(self.value)


@dataclass(frozen=True)
class Column:
    """One column of a table the page shows: its heading's catalogue key and its cells (values or messages)."""

    heading: str
    cells: tuple


@dataclass(frozen=True)
class Listing:
    """The rows a preview lists (the first `shown` of `total`), with what is said under them."""

    total: int
    columns: tuple[Column, ...]
    caption: str | None = None      # catalogue key
    heading: str | None = None      # catalogue key said above it ({n}, {shown}); default: the matched rows

    @property
    def shown(self) -> int:
        return len(self.columns[0].cells) if self.columns else 0


@dataclass(frozen=True)
class Headers:
    """The header row found and the fields understood, with the file's own header of each."""

    header_row: int
    start_row: int
    mapped: tuple[tuple[str, object], ...]      # (field, the file's header)
    prefix: str                                  # catalogue prefix of the fields' labels
    caption: str                                 # catalogue key said under them
    sheet: str | None = None


@dataclass(frozen=True)
class Confirmation:
    """What an import would take away, shown before it; past a share it needs the kind's confirming option."""

    alarm: Msg
    severe: bool                                # needs the confirmation: said as an error, not a warning
    table: tuple[Column, ...]
    every: Msg                                  # the heading of the list of every row concerned
    rows: tuple[Column, ...]
    ask: Msg | None                             # why the confirmation is asked (None: not needed)
    option: Option


@dataclass(frozen=True)
class PreviewView:
    """What the import page shows of a preview, top to bottom, every part optional."""

    ready: bool                                 # something can be imported
    county: Msg | None = None                   # the county told from the file, above the county picker
    read: Msg | None = None                     # how the file was read
    place: Msg | None = None                    # where the file lies
    metrics: tuple[tuple[Localizable, str], ...] = ()
    remarks: tuple[Msg, ...] = ()
    captions: tuple[Msg, ...] = ()
    headers: Headers | None = None
    listing: Listing | None = None
    warnings: tuple[Localizable, ...] = ()
    confirmation: Confirmation | None = None
    rejects: tuple[Note, ...] = ()


#: matched rows listed in a preview
SHOWN = 200


def metric(key: str, n: int) -> tuple[Msg, str]:
    return Msg(key), f"{n:,}"


def county_told(match: Any) -> Msg:
    """The county a ledger or log belongs to, and how it was told."""
    return Msg("imp.county_detected", {"name": match.county_name, "code": match.county_code[:6],
                                       "how": Label("imp.how", match.county_source)})


# ------------------------------------------------------------------------------------------------ the kind

class ImportKind(ABC):
    """One kind of file: its class attributes describe it, its methods do its work."""

    key: ClassVar[str]                              # batches.kind
    file_types: ClassVar[tuple[str, ...]]           # ".xlsx" ...: the page's uploader, the CLI, the reader
    stacks: ClassVar[bool] = False                  # later active batches of the kind must be undone first
    options: ClassVar[tuple[Option, ...]] = ()
    row_key: ClassVar[str] = "imp.col.row"          # what a report's row number counts
    action: ClassVar[str] = "import"                # what importing or undoing it needs (geo.auth.access)
    options_title: ClassVar[str | None] = None      # the options go in a fold of this title, under the preview
    options_hint: ClassVar[str | None] = None       # said at the top of that fold

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

    @abstractmethod
    def reading(self, store: Store, path: Path, options: dict[str, Any]) -> Reading:
        """What reads the file alone, without the store (it runs in a worker)."""

    @abstractmethod
    def preview(self, store: Store, path: str | Path, options: dict[str, Any], read: Any = None) -> Any:
        """The file read (``read``: the reading's answer when it ran already) and matched; nothing written."""

    def limit(self, store: Store, preview: Any, principal: Principal) -> Any:
        """`preview` cut to the principal's jurisdiction; a kind that cannot be cut is for whole-country
        accounts only."""
        raise AccessDenied(key="acc.e.kind_scope", params={"kind": Msg(self.label_key)})

    @abstractmethod
    def write(self, store: Store, path: str | Path, *, file_name: str | None = None,
              progress: Progress | None = None, preview: Any = None, principal: Principal,
              **options: Any) -> ImportResult:
        """The file as one batch, audited inside its transaction (see :meth:`audit`)."""

    @abstractmethod
    def undo(self, store: Store, cur: Any, batch_id: int) -> None:
        """Take the batch's rows out, inside rollback's transaction."""

    @abstractmethod
    def view(self, store: Store, preview: Any) -> PreviewView:
        """What the page shows of a preview."""

    def audit_detail(self, *, file_name: str, sha256: str, batch: int, rows: dict[str, int]) -> dict[str, Any]:
        """The import's detail in the audit trail."""
        return {"kind": self.key, "file": file_name, "sha256": sha256, "batch": batch, "rows": rows}

    def audit(self, store: Store, principal: Principal, cur: Any, *, file_name: str, sha256: str, batch: int,
              rows: dict[str, int], codes, extra: dict[str, Any] | None = None) -> None:
        """The import's row in the audit trail, inside the import's transaction; its scope is the smallest
        division holding what it wrote (`codes`), as far as the importer's jurisdiction reaches.  The batch is
        placed there too, which decides who sees it in a history (Store.batches)."""
        where = scoped(principal, common_scope(codes))
        store.set_batch_scope(cur, batch, where)
        audit.record(store, principal, "import", where,
                     {**self.audit_detail(file_name=file_name, sha256=sha256, batch=batch, rows=rows), **(extra or {})},
                     cur)
