"""Service records (服务台账): one row per visit, call or lecture, at villages of one county."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.auth.access import OPEN, Principal
from geo.core.codes import Scope
from geo.imports.results import (
    ImportResult,
    Joined,
    Note,
    Progress,
    ReaderText,
    already_imported,
    refused,
    refused_by,
    reject_note,
)
from geo.store import Store
from geo.text.catalogue import Msg


@dataclass(frozen=True)
class ServicePreview:
    """What the import page shows before saving: the table as read and its matches."""

    table: object       # geo.sources.servicelog.ServiceTable
    match: object       # geo.sources.servicelog.ServiceMatch


def preview_services(store: Store, path: str | Path, *, county: str | None = None,
                     today: dt.date | None = None, read=None) -> ServicePreview:
    """The log read and matched (county, villages, advisers known to the store) without writing anything.

    ``read`` is the file's :func:`geo.sources.servicelog.read_service_log` when it was read already
    (geo.imports.kinds)."""
    from geo.sources import servicelog
    from geo.sources.errors import ServiceLogError

    today = today or dt.date.today()
    try:
        table = read if read is not None else servicelog.read_service_log(path, today=today)
        chosen = servicelog.service_county(table, store.registry_frame(), county)
    except ServiceLogError as e:
        raise refused_by(e) from None
    advisers = store.known_advisers(Scope(chosen.code6), today)
    return ServicePreview(table, servicelog.match_service_log(table, chosen, advisers))


def _doubtful_notes(preview: ServicePreview) -> tuple[Note, ...]:
    """Accepted rows worth a look (an unknown mode kept as 'other', a village matched by name over its code)."""
    raw = {r.row_number: r.raw for r in preview.table.rows}
    notes: dict[int, list] = {}
    for record in preview.match.records:
        for n in record.notes:
            if n not in notes.setdefault(record.row_number, []):
                notes[record.row_number].append(n)
    return tuple(Note(row, "doubtful", Joined(tuple(_one_language(n) for n in ns)), dict(raw.get(row, {})))
                 for row, ns in sorted(notes.items()) if ns)


def _one_language(note) -> Msg | ReaderText:
    """A reader's note (geo.sources.matching.Note: the bilingual line, with its key) as text of one language."""
    return Msg(note.key, note.params) if hasattr(note, "key") else ReaderText(str(note))


def _frame(records: list, batch: int) -> pd.DataFrame:
    return pd.DataFrame({
        "village": pd.Series([int(r.village_code) for r in records], dtype="int64"),
        "adviser_id": pd.Series([r.adviser_id for r in records], dtype="Int64"),
        "service_date": pd.to_datetime(pd.Series([r.service_date for r in records], dtype=object)),
        "mode": pd.Series([r.mode for r in records], dtype=object),
        "category": pd.Series([r.category for r in records], dtype=object),
        "hours": pd.Series([r.hours for r in records], dtype="float64"),
        "people": pd.Series([r.people for r in records], dtype="Int64"),
        "content": pd.Series([r.content for r in records], dtype=object),
        "batch_id": batch})


def import_services(store: Store, path: str | Path, *, county: str | None = None, file_name: str | None = None,
                    progress: Progress | None = None, preview: ServicePreview | None = None,
                    principal: Principal = OPEN) -> ImportResult:
    """A service log: every accepted row stored as service records of one batch, in one transaction (the
    caller, geo.imports.kinds, audits it; `principal` decides only which earlier import of the file counts)."""
    path, name, sha, done = already_imported(store, "services", path, file_name, principal)
    if done:
        return done
    progress and progress(0.1, "reading")
    preview = preview or preview_services(store, path, county=county)
    table, match = preview.table, preview.match
    if not match.rows_read:
        raise refused("imp.e.no_rows", file=name, row=table.header_row)
    progress and progress(0.6, "writing")
    with store.transaction() as cur:
        batch = store.new_batch(cur, "services", name, sha, rows_read=match.rows_read,
                                rows_accepted=match.accepted, rows_rejected=match.rejected,
                                note=f"{match.county_name} {match.county_code}")
        stored = store.add_services(cur, _frame(match.records, batch))
    progress and progress(1.0, "done")
    return ImportResult("services", name, "imported", batch, match.rows_read, match.accepted, match.rejected,
                        tuple(reject_note(r) for r in match.rejects), _doubtful_notes(preview),
                        details={"county": f"{match.county_name}（{match.county_code[:6]}）",
                                 "county_source": match.county_source, "header_row": table.header_row,
                                 "columns": table.mapped, "services_new": stored,
                                 "duplicates_dropped": match.duplicate_rows})
