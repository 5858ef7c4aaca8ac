"""What an import says: its result, the notes on the rows it rejected or doubted, and its refusals.

Every text here is a catalogue key with values (:class:`geo.text.catalogue.Msg`) or another :class:`Localizable`, so the
page, the downloaded report and the CLI each render it in one language; ``str()`` / ``bilingual()`` keep the
two-language form for log lines.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal

import pandas as pd

from geo.auth.access import OPEN, Principal
from geo.core.errors import UserError
from geo.privacy.idcards import scrub_file_name
from geo.sources.matching import Reject
from geo.store import Store
from geo.text.catalogue import TEXT, Localizable, Msg, localized

Progress = Callable[[float, str], None]
Status = Literal["imported", "unchanged", "refused"]


class ImportRefused(UserError, ValueError):
    """A file that cannot be imported at all, or a batch that cannot be rolled back; names the file or batch."""

    def result(self) -> "ImportResult | None":
        """The refusal as a result with a report, when it has rows worth listing (see AbolishNotConfirmed)."""
        return None


def refused(key: str, **params: object) -> ImportRefused:
    return ImportRefused(key=key, params=params)


class UnreadableFile(ImportRefused):
    """A file its reader refused (geo.sources.errors, a hostile zip ...): the page says it in both languages, as the
    reader words it, since such a message is often passed on to whoever made the file; a report still says it in
    the report's language (its catalogue message)."""

    def text(self, lang: str) -> str:
        return str(self)


def refused_by(error: UserError) -> ImportRefused:
    """A reader's error (geo.sources.errors) as the import's refusal, with its catalogue message when it has one."""
    return UnreadableFile(key=error.key, params=error.params) if error.key else UnreadableFile(str(error))


# ---------------------------------------------------------------------------------------------------- notes

@dataclass(frozen=True)
class Verbatim:
    """A reader's remark that is no catalogue message: said as it was written, in whichever language."""

    message: str

    def text(self, lang: str) -> str:
        return self.message


def remark(note: object) -> Localizable:
    """A reader's remark (geo.sources.matching.Note on a row, Remark on a file: the bilingual line with its
    catalogue message) as a message of one language."""
    if isinstance(msg := getattr(note, "msg", None), Msg):
        return msg
    key = getattr(note, "key", None)
    return Msg(key, getattr(note, "params", {})) if key else Verbatim(str(note))


@dataclass(frozen=True)
class Joined:
    """Several notes on one row read as one."""

    parts: tuple[Localizable, ...]
    once: bool = True               # a remark made twice on the row said once

    def text(self, lang: str) -> str:
        texts = [str(localized(p, lang)) for p in self.parts]
        return ("；" if lang == "zh" else "; ").join(dict.fromkeys(texts) if self.once else texts)


def joined_remarks(remarks) -> Joined:
    """A row's remarks, each as it was made (the preview's note column)."""
    return Joined(tuple(remark(r) for r in remarks), once=False)


@dataclass(frozen=True)
class Note:
    """One line of an import report: a row rejected or worth a look, why (a reason code), and its own cells."""

    row: int | None                 # the row (or feature) of the file; None for what the file lacks
    reason: str                     # labelled by imp.reason.<reason>
    message: Localizable
    cells: Mapping[str, str] = field(default_factory=dict)

    def reason_text(self, lang: str) -> str:
        key = f"imp.reason.{self.reason}"
        return Msg(key).text(lang) if key in TEXT else self.reason

    def record(self) -> dict[str, Any]:
        """The note as a row of :attr:`ImportResult.rejects` (message in both languages)."""
        zh, en = localized(self.message, "zh"), localized(self.message, "en")
        return {"row": self.row, "reason": self.reason, "message": zh if zh == en else f"{zh} / {en}",
                **self.cells}


def reject_note(reject: Reject) -> Note:
    """A reader's reject as a report note, whichever reader made it (ledger and log rows, boundary features):
    the reject says itself in one language, without its row (the report has a row column)."""
    return Note(reject.row, reject.reason, reject, {k: "" if v is None else str(v) for k, v in reject.raw.items()})


def doubtful_notes(remarks: Iterable[tuple[int, Iterable[object]]], cells: Mapping[int, Mapping[str, str]]
                   ) -> tuple[Note, ...]:
    """Accepted rows the reader had doubts about (a village matched by name over a stale code, a mode kept as
    'other' ...): one note per row, its remarks once each, with the row's cells.  `remarks`: (row, remarks)."""
    by_row: dict[int, list] = {}
    for row, notes in remarks:
        for note in notes:
            if note not in by_row.setdefault(row, []):
                by_row[row].append(note)
    return tuple(Note(row, "doubtful", Joined(tuple(remark(n) for n in notes)), dict(cells.get(row, {})))
                 for row, notes in sorted(by_row.items()) if notes)


def id_removed_notes(rows: Iterable[tuple[int, Mapping[str, object]]]) -> tuple[Note, ...]:
    """Rows (or features) used as they are but for an ID-card number removed from them, with what was kept."""
    return tuple(Note(row, "doubtful", Msg("imp.n.id_removed"),
                      {k: "" if v is None else str(v) for k, v in cells.items()}) for row, cells in rows)


def frame(notes: tuple[Note, ...]) -> pd.DataFrame:
    return pd.DataFrame([n.record() for n in notes])


#: how many reasons the result line names; the report lists every row
MAIN_REASONS = 3


@dataclass(frozen=True)
class MainReasons:
    """The commonest reasons among rejected rows with their counts, the rest summed: "不在管辖范围内（12）、…".

    The result line says why nothing (or little) was imported, so that the reason is not left to the table."""

    notes: tuple[Note, ...]

    def text(self, lang: str) -> str:
        labels = {n.reason: n.reason_text(lang) for n in self.notes}
        ranked = Counter(n.reason for n in self.notes).most_common()
        parts = [Msg("msg.imp.reason_n", {"reason": labels[r], "n": f"{n:,}"}).text(lang)
                 for r, n in ranked[:MAIN_REASONS]]
        if rest := sum(n for _, n in ranked[MAIN_REASONS:]):
            parts.append(Msg("msg.imp.reason_other", {"n": f"{rest:,}"}).text(lang))
        return ("、" if lang == "zh" else ", ").join(parts)


# ---------------------------------------------------------------------------------------------------- result

@dataclass(frozen=True)
class Details:
    """What one kind's import did beyond the row counts; each kind has its own fields (geo.imports.<kind>)."""

    def __getitem__(self, name: str) -> Any:
        """A field by its name, as ``result.details["county"]`` has always read it."""
        return getattr(self, name)

    def summary(self) -> tuple[tuple[str, object], ...]:
        """(name, value) pairs the result line ends with (a county, a coordinate system)."""
        return ()

    @property
    def changes(self) -> Localizable | str:
        """What the import changed, said at the end of the result line."""
        return ""

    def lines(self) -> tuple[Msg, ...]:
        """What the page says under the result line."""
        return ()

    def warnings(self) -> tuple[Msg, ...]:
        """What the page warns about under it."""
        return ()



@dataclass(frozen=True)
class CountyFileDone(Details):
    """What an import of one county's table (a ledger, a service log) did: the county and how it was told, and
    where the header was found; each kind adds its counts."""

    county: str                     # "周至县（610124）"
    county_source: str              # how the county was told (imp.how.<source>)
    header_row: int
    columns: dict

    @staticmethod
    def county_label(name: str, code: str) -> str:
        return f"{name}（{code[:6]}）"

    def summary(self) -> tuple[tuple[str, object], ...]:
        return (("county", self.county),)

@dataclass(frozen=True)
class ImportResult:
    """What one import did.  ``ok`` is false when it wrote a batch that accepted nothing (every row rejected,
    no village matched) or was refused; the CLI's exit status follows it."""

    kind: str
    file_name: str
    status: Status
    batch_id: int | None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rejected: tuple[Note, ...] = ()
    doubted: tuple[Note, ...] = ()          # accepted, but worth a look
    details: Details = field(default_factory=Details)

    @property
    def ok(self) -> bool:
        return self.status == "unchanged" or (self.status == "imported" and self.rows_accepted > 0)

    @property
    def rejects(self) -> pd.DataFrame:
        """row, reason, message (both languages), the row's cells."""
        return frame(self.rejected)

    @property
    def doubtful(self) -> pd.DataFrame:
        return frame(self.doubted)

    def text(self, lang: str) -> str:
        """The one line an import ends with."""
        if self.status == "unchanged":
            return Msg("imp.sum.unchanged", {"file": self.file_name, "batch": self.batch_id}).text(lang)
        extra = "".join(Msg("imp.sum.extra", {"name": k, "value": v}).text(lang)
                        for k, v in self.details.summary() if v is not None)
        line = Msg("imp.sum.done", {"file": self.file_name, "batch": self.batch_id, "read": self.rows_read,
                                    "accepted": self.rows_accepted, "rejected": self.rows_rejected,
                                    "extra": extra, "changes": self.details.changes}).text(lang)
        if self.main_reasons is None:
            return line
        return line + Msg("msg.imp.reasons_clause", {"reasons": self.main_reasons}).text(lang)

    @property
    def main_reasons(self) -> MainReasons | None:
        """Why rows were rejected, the commonest reasons first (None when none was)."""
        return MainReasons(self.rejected) if self.rejected else None

    def summary_line(self) -> str:
        return f"{self.text('zh')} / {self.text('en')}"


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def already_imported(store: Store, kind: str, path: str | Path, file_name: str | None, principal: Principal = OPEN
                     ) -> tuple[Path, str, str, ImportResult | None]:
    """(path, name shown, content hash, the 'unchanged' result when this content was imported before inside
    `principal`'s jurisdiction; the same file imported by another jurisdiction is read again, its rows there
    rejected as outside, and that jurisdiction's batch never named)."""
    path = Path(path)
    name = scrub_file_name(file_name or path.name)
    sha = file_sha256(path)
    prior = store.find_batch(kind, sha, principal.jurisdiction)
    return path, name, sha, (ImportResult(kind, name, "unchanged", prior) if prior is not None else None)
