"""Adviser ledgers (台账): one adviser per person across rows, one assignment per village and period."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from geo.auth.access import OPEN, Principal
from geo.imports.kind import (
    COUNTY,
    SHOWN,
    Column,
    Headers,
    ImportKind,
    Listing,
    PreviewView,
    Reading,
    county_told,
    metric,
)
from geo.imports.results import (
    CountyFileDone,
    ImportResult,
    Note,
    Progress,
    already_imported,
    doubtful_notes,
    joined_remarks,
    refused,
    refused_by,
    reject_note,
    remark,
)
from geo.sources import ledger
from geo.sources.errors import SourceError
from geo.sources.ledger.people import TAKEN, Identity, People
from geo.sources.matching import outside_jurisdiction
from geo.sources.tabular import TABULAR_SUFFIXES
from geo.store import Store
from geo.text.catalogue import Msg
from geo.text.formats import period_text

#: the ledger's fields in the order the preview lists them (others after)
FIELDS = ("seq", "township", "village", "code", "name", "kind", "org", "licence", "phone", "period", "start",
          "end", "remark")


@dataclass(frozen=True)
class AssignmentsDone(CountyFileDone):
    """What a ledger import added."""

    advisers_new: int
    assignments_new: int
    duplicates_dropped: int

    def lines(self) -> tuple[Msg, ...]:
        return (Msg("imp.d.assignments", {"county": self.county, "advisers": self.advisers_new,
                                          "assignments": self.assignments_new, "dupes": self.duplicates_dropped}),)


@dataclass(frozen=True)
class Period:
    """An assignment's period as the page says it."""

    start: object
    end: object

    def text(self, lang: str) -> str:
        return period_text(self.start, self.end, lang)


def _stored_people(store: Store, cur, match, people: dict) -> tuple[dict[str, int], dict[int, tuple], list]:
    """Which of the file's people are stored already ({file key: adviser_id}) by the rule of
    :mod:`geo.sources.ledger.people`, the stored candidates by id, and every doubtful likeness (the file's own
    first)."""
    known = match.identities
    names = {n for key in people for n in (people[key].name, known[key].name)}
    licences = {x for key in people for x in (people[key].licence_no, known[key].licence) if x}
    rows = store.adviser_candidates(cur, sorted(names), sorted(licences))
    stored = People()
    for aid, nm, lic, ph, org in rows:
        stored.add(aid, Identity.of(nm, lic, ph, org))
    by_key: dict[str, int] = {}
    for key, person in people.items():
        aid, doubts = stored.find(known[key])
        if aid in by_key.values():      # the file kept two people apart: the store does not join them
            aid, doubts = None, [*doubts, (aid, TAKEN)]
        if aid is not None:
            by_key[key] = aid
        stored.note(person.rows[0], key, doubts)
    return by_key, {r[0]: r for r in rows}, [*match.likenesses, *stored.likenesses]


def _likeness_notes(table, likenesses: list, people: dict, stored: dict[int, tuple]) -> tuple[Note, ...]:
    """Each pair of people kept apart who look alike, at the row where the doubt arose: with whom (a row of the
    file, or the stored adviser by name and organisation; never a phone number) and why."""
    raw = {r.row_number: r.raw for r in table.rows}
    notes = []
    for like in sorted(likenesses, key=lambda x: x.row):
        if isinstance(like.other, str):
            whom = Msg("people.whom.row", {"row": people[like.other].rows[0]})
        else:
            _, name, _, _, org = stored[like.other]
            whom = Msg("people.whom.stored", {"name": name, "org": org or "—"})
        notes.append(Note(like.row, "possible_duplicate", Msg(f"people.doubt.{like.why}", {"whom": whom}),
                          dict(raw.get(like.row, {}))))
    return tuple(notes)


def preview_assignments(store: Store, path: str | Path, *, county: str | None = None, read=None):
    """(LedgerTable, LedgerMatch) without writing anything: what the import page shows before saving.

    ``read`` is the file's :func:`geo.sources.ledger.read_ledger` when it was read already (in a worker)."""
    try:
        table = read if read is not None else ledger.read_ledger(path)
        return table, ledger.match_ledger(table, store.registry_frame(), county=county)
    except SourceError as e:
        raise refused_by(e) from None


class Assignments(ImportKind):
    """Adviser ledgers: who is the legal adviser of which village, for which period."""

    key = "assignments"
    file_types = TABULAR_SUFFIXES
    options = (COUNTY,)

    def reading(self, store: Store, path: Path, options: dict[str, Any]) -> Reading:
        return ledger.read_ledger, (path,), {}

    def preview(self, store: Store, path: str | Path, options: dict[str, Any], read: Any = None):
        return preview_assignments(store, path, county=options.get("county"), read=read)

    def limit(self, store: Store, preview: tuple, principal: Principal) -> tuple:
        """A ledger's (table, match) with the villages outside the jurisdiction moved to the rejects."""
        table, match = preview
        outside = [a for a in match.assignments if not principal.covers(a.village_code)]
        if not outside:
            return preview
        raw = {r.row_number: r.raw for r in table.rows}
        rejects = [outside_jurisdiction(a.row_number, a.village_code, raw.get(a.row_number),
                                        village=a.ledger_village) for a in outside]
        kept = [a for a in match.assignments if principal.covers(a.village_code)]
        return table, replace(match, assignments=kept, rejects=[*match.rejects, *rejects])

    def write(self, store: Store, path: str | Path, *, county: str | None = None, file_name: str | None = None,
              progress: Progress | None = None, preview: tuple | None = None, principal: Principal = OPEN,
              **options: Any) -> ImportResult:
        """One adviser per person across rows (matched with the stored ones), one assignment per village and
        period.  ``preview`` is :func:`preview_assignments`' result for this file and county when the caller
        has it (the import page): the file is then not read a second time."""
        path, name, sha, done = already_imported(store, self.key, path, file_name, principal)
        if done:
            return done
        progress and progress(0.1, "reading")
        table, match = preview or preview_assignments(store, path, county=county)
        if not match.rows_read:
            raise refused("imp.e.no_rows", file=name, row=table.header_row)
        progress and progress(0.6, "writing")
        people = match.advisers()
        rows = {"read": match.rows_read, "accepted": match.accepted, "rejected": match.rejected}
        with store.transaction() as cur:
            batch = store.new_batch(cur, self.key, name, sha, rows_read=match.rows_read,
                                    rows_accepted=match.accepted, rows_rejected=match.rejected,
                                    note=f"{match.county_name} {match.county_code}")
            by_key, stored, likenesses = _stored_people(store, cur, match, people)
            newcomers = [(key, p) for key, p in people.items() if key not in by_key]
            new_people = []
            for (key, p), adviser_id in zip(newcomers, store.new_adviser_ids(cur, len(newcomers))):
                by_key[key] = adviser_id
                new_people.append({"adviser_id": adviser_id, "name": p.name, "kind": p.kind, "org": p.org,
                                   "licence_no": p.licence_no, "phone": p.phone, "batch_id": batch})
            store.add_advisers(cur, pd.DataFrame(new_people))
            n_new = store.add_assignments(cur, pd.DataFrame({
                "adviser_id": [by_key[a.adviser_key] for a in match.assignments],
                "village": [int(a.village_code) for a in match.assignments],
                "start_date": [a.start for a in match.assignments],
                "end_date": pd.Series([a.end for a in match.assignments], dtype=object),
                "batch_id": batch}))
            self.audit(store, principal, cur, file_name=name, sha256=sha, batch=batch, rows=rows,
                       codes=[a.village_code for a in match.assignments] or [match.county_code])
        progress and progress(1.0, "done")
        raw = {r.row_number: r.raw for r in table.rows}
        doubts = doubtful_notes(((a.row_number, a.warnings) for a in match.assignments), raw)
        return ImportResult(self.key, name, "imported", batch, match.rows_read, match.accepted,
                            match.rejected, tuple(reject_note(r) for r in match.rejects),
                            doubts + _likeness_notes(table, likenesses, people, stored),
                            AssignmentsDone(AssignmentsDone.county_label(match.county_name, match.county_code),
                                            match.county_source, table.header_row, table.mapped, len(new_people), n_new,
                                            match.duplicates_dropped))

    def undo(self, store: Store, cur: Any, batch_id: int) -> None:
        store.rollback_assignments(cur, batch_id)

    def view(self, store: Store, preview: tuple) -> PreviewView:
        """County, header row, column mapping, matched and rejected rows."""
        table, match = preview
        mapped = [(f, table.mapped[f]) for f in FIELDS if f in table.mapped]
        mapped += [(f, h) for f, h in table.mapped.items() if f not in FIELDS]
        shown = match.assignments[:SHOWN]
        return PreviewView(
            ready=match.accepted > 0,
            county=county_told(match),
            metrics=(metric("imp.m.rows", match.rows_read), metric("imp.m.accepted", match.accepted),
                     metric("imp.m.rejected", match.rejected), metric("imp.m.dupes", match.duplicates_dropped)),
            headers=Headers(table.header_row, table.data_start_row, tuple(mapped), "imp.field", "imp.id_note",
                            table.sheet),
            listing=Listing(match.accepted, (
                Column("imp.col.row", tuple(a.row_number for a in shown)),
                Column("imp.col.ledger_village", tuple(a.ledger_village for a in shown)),
                Column("imp.col.reg_village", tuple(a.village_name for a in shown)),
                Column("col.code", tuple(a.village_code for a in shown)),
                Column("imp.col.adviser", tuple(a.adviser_name for a in shown)),
                Column("imp.col.period", tuple(Period(a.start, a.end) for a in shown)),
                Column("imp.col.note", tuple(joined_remarks(a.warnings) for a in shown)))),
            warnings=tuple(remark(w) for w in table.warnings + match.warnings),
            rejects=tuple(reject_note(r) for r in match.rejects))


ASSIGNMENTS = Assignments()


def import_assignments(store: Store, path: str | Path, *, county: str | None = None,
                       file_name: str | None = None, progress: Progress | None = None,
                       preview: tuple | None = None, principal: Principal = OPEN) -> ImportResult:
    """A ledger (台账) as one batch: :meth:`Assignments.write`."""
    return ASSIGNMENTS.write(store, path, county=county, file_name=file_name, progress=progress, preview=preview,
                             principal=principal)
