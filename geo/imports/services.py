"""Service records (服务台账): one row per visit, call or lecture, at villages of one county."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from geo.auth.access import OPEN, Principal, overlaps
from geo.core.codes import Scope
from geo.imports.jurisdiction import OutsideJurisdiction
from geo.imports.kind import (
    COUNTY,
    SHOWN,
    Column,
    Headers,
    ImportKind,
    Label,
    Listing,
    PreviewView,
    Reading,
    county_told,
    metric,
)
from geo.imports.results import (
    CountyFileDone,
    ImportResult,
    Progress,
    already_imported,
    doubtful_notes,
    joined_remarks,
    refused,
    refused_by,
    reject_note,
)
from geo.sources import servicelog
from geo.sources.errors import SourceError
from geo.sources.matching import outside_jurisdiction
from geo.sources.tabular import TABULAR_SUFFIXES
from geo.store import Store
from geo.text.catalogue import Msg


@dataclass(frozen=True)
class ServicePreview:
    """What the import page shows before saving: the table as read and its matches."""

    table: servicelog.ServiceTable
    match: servicelog.ServiceMatch


@dataclass(frozen=True)
class ServicesDone(CountyFileDone):
    """What a service log import added."""

    services_new: int
    duplicates_dropped: int

    def lines(self) -> tuple[Msg, ...]:
        return (Msg("imp.d.services", {"county": self.county, "services": self.services_new,
                                       "dupes": self.duplicates_dropped}),)


def preview_services(store: Store, path: str | Path, *, county: str | None = None,
                     today: dt.date | None = None, read=None) -> ServicePreview:
    """The log read and matched (county, villages, advisers known to the store) without writing anything.

    ``read`` is the file's :func:`geo.sources.servicelog.read_service_log` when it was read already (in a
    worker)."""
    today = today or dt.date.today()
    try:
        table = read if read is not None else servicelog.read_service_log(path, today=today)
        chosen = servicelog.service_county(table, store.registry_frame(), county)
    except SourceError as e:
        raise refused_by(e) from None
    advisers = store.known_advisers(Scope(chosen.code6), today)
    return ServicePreview(table, servicelog.match_service_log(table, chosen, advisers))


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


class Services(ImportKind):
    """Service logs: the visits, calls and lectures advisers gave at villages of one county."""

    key = "services"
    file_types = TABULAR_SUFFIXES
    options = (COUNTY,)

    def reading(self, store: Store, path: Path, options: dict[str, Any]) -> Reading:
        return servicelog.read_service_log, (path,), {}

    def preview(self, store: Store, path: str | Path, options: dict[str, Any], read: Any = None) -> ServicePreview:
        return preview_services(store, path, county=options.get("county"), read=read)

    def limit(self, store: Store, preview: ServicePreview, principal: Principal) -> ServicePreview:
        """Refused when the log's county lies outside the jurisdiction; otherwise the records of villages
        outside it are rejected row by row."""
        match = preview.match
        if match.county_code and not overlaps(principal, Scope.parse(match.county_code[:6])):
            raise OutsideJurisdiction(key="acc.e.services_county", params={"county": match.county_name,
                                                                           "code": match.county_code[:6]})
        outside = [r for r in match.records if not principal.covers(r.village_code)]
        if not outside:
            return preview
        raw = {r.row_number: r.raw for r in preview.table.rows}
        rejects = {r.row_number: outside_jurisdiction(r.row_number, r.village_code, raw.get(r.row_number),
                                                      village=r.written_village or r.village_name)
                   for r in outside}
        kept = [r for r in match.records if principal.covers(r.village_code)]
        return replace(preview, match=replace(match, records=kept, rejects=[*match.rejects, *rejects.values()]))

    def write(self, store: Store, path: str | Path, *, county: str | None = None, file_name: str | None = None,
              progress: Progress | None = None, preview: ServicePreview | None = None,
              principal: Principal = OPEN, **options: Any) -> ImportResult:
        """Every accepted row stored as a service record of one batch, audited in the same transaction."""
        path, name, sha, done = already_imported(store, self.key, path, file_name, principal)
        if done:
            return done
        progress and progress(0.1, "reading")
        preview = preview or preview_services(store, path, county=county)
        table, match = preview.table, preview.match
        if not match.rows_read:
            raise refused("imp.e.no_rows", file=name, row=table.header_row)
        progress and progress(0.6, "writing")
        with store.transaction() as cur:
            batch = store.new_batch(cur, self.key, name, sha, rows_read=match.rows_read,
                                    rows_accepted=match.accepted, rows_rejected=match.rejected,
                                    note=f"{match.county_name} {match.county_code}")
            stored = store.add_services(cur, _frame(match.records, batch))
            self.audit(store, principal, cur, file_name=name, sha256=sha, batch=batch,
                       rows={"read": match.rows_read, "accepted": match.accepted, "rejected": match.rejected},
                       codes=[r.village_code for r in match.records] or [match.county_code])
        progress and progress(1.0, "done")
        raw = {r.row_number: r.raw for r in table.rows}
        return ImportResult(self.key, name, "imported", batch, match.rows_read, match.accepted, match.rejected,
                            tuple(reject_note(r) for r in match.rejects),
                            doubtful_notes(((r.row_number, r.notes) for r in match.records), raw),
                            ServicesDone(ServicesDone.county_label(match.county_name, match.county_code),
                                         match.county_source,
                                         table.header_row, table.mapped, stored, match.duplicate_rows))

    def undo(self, store: Store, cur: Any, batch_id: int) -> None:
        store.rollback_services(cur, batch_id)

    def view(self, store: Store, preview: ServicePreview) -> PreviewView:
        """County, header row, columns understood, the records to import, rejected rows; as for a ledger."""
        table, match = preview.table, preview.match
        shown = match.records[:SHOWN]
        return PreviewView(
            ready=match.accepted > 0,
            county=county_told(match),
            metrics=(metric("imp.m.rows", match.rows_read), metric("imp.m.services", match.accepted),
                     metric("imp.m.rejected", match.rejected), metric("imp.m.dupes", match.duplicate_rows)),
            headers=Headers(table.header_row, table.header_row + 1,
                            tuple((f, h) for f, h in table.mapped.items() if f != "seq"), "imp.sf", "imp.s.privacy"),
            listing=Listing(len(match.records), (
                Column("imp.col.row", tuple(r.row_number for r in shown)),
                Column("imp.col.ledger_village", tuple(r.written_village for r in shown)),
                Column("imp.col.reg_village", tuple(r.village_name for r in shown)),
                Column("col.code", tuple(r.village_code for r in shown)),
                Column("imp.col.adviser", tuple(r.adviser_name or "" for r in shown)),
                Column("imp.sf.date", tuple(r.service_date.isoformat() for r in shown)),
                Column("imp.sf.mode", tuple(Label("imp.mode", r.mode) for r in shown)),
                Column("imp.sf.hours", tuple(r.hours for r in shown)),
                Column("imp.col.note", tuple(joined_remarks(r.notes) for r in shown)))),
            rejects=tuple(reject_note(r) for r in match.rejects))


SERVICES = Services()


def import_services(store: Store, path: str | Path, *, county: str | None = None, file_name: str | None = None,
                    progress: Progress | None = None, preview: ServicePreview | None = None,
                    principal: Principal = OPEN) -> ImportResult:
    """A service log as one batch: :meth:`Services.write`."""
    return SERVICES.write(store, path, county=county, file_name=file_name, progress=progress, preview=preview,
                          principal=principal)
