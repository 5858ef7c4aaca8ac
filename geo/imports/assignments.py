"""Adviser ledgers (台账): one adviser per person across rows, one assignment per village and period."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.auth.access import OPEN, Principal
from geo.imports.jurisdiction import record_import
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
from geo.sources.ledger.people import TAKEN, Identity, People
from geo.store import Store
from geo.text.catalogue import Msg


def _doubtful_notes(table, match) -> tuple[Note, ...]:
    """Accepted rows the reader had doubts about (matched by name over a stale code, township ignored ...)."""
    raw = {r.row_number: r.raw for r in table.rows}
    notes: dict[int, list] = {}
    for a in match.assignments:
        for w in a.warnings:
            if w not in notes.setdefault(a.row_number, []):
                notes[a.row_number].append(w)
    return tuple(Note(n, "doubtful", Joined(tuple(w.msg if hasattr(w, "msg") else ReaderText(w) for w in ws)),
                      dict(raw.get(n, {})))
                 for n, ws in sorted(notes.items()))


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

    ``read`` is the file's :func:`geo.sources.ledger.read_ledger` when it was read already (in a worker,
    geo.imports.kinds)."""
    from geo.sources import ledger

    try:
        table = read if read is not None else ledger.read_ledger(path)
        return table, ledger.match_ledger(table, store.registry_frame(), county=county)
    except ledger.LedgerError as e:
        raise refused_by(e) from None


def import_assignments(store: Store, path: str | Path, *, county: str | None = None,
                       file_name: str | None = None, progress: Progress | None = None,
                       preview: tuple | None = None, principal: Principal = OPEN) -> ImportResult:
    """A ledger (台账): one adviser per person across rows, one assignment per village and period.

    ``preview`` is :func:`preview_assignments`' result for this file and county when the caller has it
    (the import page): the file is then not read a second time.
    """
    path, name, sha, done = already_imported(store, "assignments", path, file_name, principal)
    if done:
        return done
    progress and progress(0.1, "reading")
    table, match = preview or preview_assignments(store, path, county=county)
    if not match.rows_read:
        raise refused("imp.e.no_rows", file=name, row=table.header_row)
    progress and progress(0.6, "writing")
    people = match.advisers()
    with store.transaction() as cur:
        batch = store.new_batch(cur, "assignments", name, sha, rows_read=match.rows_read,
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
        record_import(store, principal, cur, kind="assignments", file_name=name, sha256=sha, batch=batch,
                      rows={"read": match.rows_read, "accepted": match.accepted, "rejected": match.rejected},
                      codes=[a.village_code for a in match.assignments] or [match.county_code])
    progress and progress(1.0, "done")
    return ImportResult("assignments", name, "imported", batch, match.rows_read, match.accepted,
                        match.rejected, tuple(reject_note(r) for r in match.rejects),
                        _doubtful_notes(table, match) + _likeness_notes(table, likenesses, people, stored),
                        details={"county": f"{match.county_name}（{match.county_code[:6]}）",
                                 "county_source": match.county_source, "header_row": table.header_row,
                                 "columns": table.mapped, "advisers_new": len(new_people), "assignments_new": n_new,
                                 "duplicates_dropped": match.duplicates_dropped})
