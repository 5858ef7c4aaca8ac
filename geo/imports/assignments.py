"""Adviser ledgers (台账): one adviser per person across rows, one assignment per village and period."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from geo.auth.access import OPEN, Principal
from geo.core.codes import Scope
from geo.imports.kind import (
    COUNTY,
    SHOWN,
    Column,
    Confirmation,
    Headers,
    ImportKind,
    Listing,
    Option,
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
from geo.imports.snapshot import (
    SNAPSHOT_CONFIRM_SHARE,
    EndsNotConfirmed,
    SnapshotPlan,
    snapshot_day,
    snapshot_plan,
)
from geo.records.changes import masked
from geo.records.checks import SNAPSHOT_REASON, refuse
from geo.sources import ledger
from geo.sources.errors import SourceError
from geo.sources.ledger.fields import LedgerTable
from geo.sources.ledger.match import LedgerMatch
from geo.sources.ledger.people import TAKEN, Identity, People
from geo.sources.matching import outside_jurisdiction
from geo.sources.tabular import TABULAR_SUFFIXES
from geo.store import Store
from geo.text.catalogue import Localizable, Msg
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


SNAPSHOT = Option("snapshot", "check", "imp.s.snapshot",
                  "assignments: the file is the county's whole ledger as of --as-of; the contracts in force it no "
                  "longer lists end that day, changed advisers are updated")
AS_OF = Option("as_of", "date", "imp.s.as_of",
               "assignments --snapshot: the day the ledger is as of, YYYY-MM-DD (default today)", when="snapshot")
ALLOW_END = Option("allow_end", "confirm", "imp.s.allow",
                   "assignments --snapshot: go ahead although more than a small share of the contracts in force end")


@dataclass
class SnapshotPreview:
    """A ledger read as a snapshot as of `as_of` by someone of `jurisdiction`: the file and its matching; what it
    would change in the store is worked out when first asked (:meth:`plan_in`: the page shows it, an import
    works it out again inside its transaction)."""

    table: LedgerTable
    match: LedgerMatch
    as_of: dt.date
    jurisdiction: Scope
    _plan: SnapshotPlan | None = field(default=None, repr=False, compare=False)

    def plan_in(self, store: Store) -> SnapshotPlan:
        """The difference with `store` as it is now (kept: the page asks again on every rerun)."""
        if self._plan is None:
            people = self.match.advisers()
            with store.reading() as cur:
                by_key, _, _ = _stored_people(store, cur, self.match, people)
                self._plan = snapshot_plan(store, cur, self.table.mapped, self.match, people, by_key, self.as_of,
                                           self.jurisdiction)
        return self._plan


@dataclass(frozen=True)
class SnapshotDone(AssignmentsDone):
    """What a snapshot changed besides the contracts it added."""

    as_of: str
    new_contracts: int
    renewed: int
    advisers_changed: int
    ended: int

    @property
    def changes(self) -> Msg:
        return Msg("imp.s.changes", {"day": self.as_of, "new": self.new_contracts,
                                     "renewed": self.renewed, "advisers": self.advisers_changed,
                                     "ended": self.ended})

    def lines(self) -> tuple[Msg, ...]:
        return (*super().lines(), Msg("imp.s.done", {"day": self.as_of, "renewed": self.renewed,
                                                    "advisers": self.advisers_changed, "ended": self.ended}))


def _parts(preview: Any) -> tuple[LedgerTable, LedgerMatch]:
    return (preview.table, preview.match) if isinstance(preview, SnapshotPreview) else preview


class Assignments(ImportKind):
    """Adviser ledgers: who is the legal adviser of which village, for which period; added to the record, or read
    as the county's whole ledger as of a day (a snapshot: :mod:`geo.imports.snapshot`)."""

    key = "assignments"
    file_types = TABULAR_SUFFIXES
    options = (COUNTY, SNAPSHOT, AS_OF, ALLOW_END)

    def reading(self, store: Store, path: Path, options: dict[str, Any]) -> Reading:
        return ledger.read_ledger, (path,), {}

    def preview(self, store: Store, path: str | Path, options: dict[str, Any], read: Any = None):
        table, match = preview_assignments(store, path, county=options.get("county"), read=read)
        if not options.get("snapshot"):
            return table, match
        return SnapshotPreview(table, match, snapshot_day(options), OPEN.jurisdiction)

    def limit(self, store: Store, preview: Any, principal: Principal) -> Any:
        """A ledger's (table, match) with the villages outside the jurisdiction moved to the rejects; a
        snapshot's difference made again for the villages inside it."""
        table, match = _parts(preview)
        outside = [a for a in match.assignments if not principal.covers(a.village_code)]
        if outside:
            raw = {r.row_number: r.raw for r in table.rows}
            rejects = [outside_jurisdiction(a.row_number, a.village_code, raw.get(a.row_number),
                                            village=a.ledger_village) for a in outside]
            kept = [a for a in match.assignments if principal.covers(a.village_code)]
            match = replace(match, assignments=kept, rejects=[*match.rejects, *rejects])
        if isinstance(preview, SnapshotPreview):
            return SnapshotPreview(table, match, preview.as_of, principal.jurisdiction)
        return (table, match) if outside else preview

    def write(self, store: Store, path: str | Path, *, county: str | None = None, file_name: str | None = None,
              progress: Progress | None = None, preview: Any = None, principal: Principal = OPEN,
              **options: Any) -> ImportResult:
        """One adviser per person across rows (matched with the stored ones), one assignment per village and
        period.  ``preview`` is :func:`preview_assignments`' result for this file and county when the caller
        has it (the import page): the file is then not read a second time.

        With ``snapshot`` the file is the county's ledger as of ``as_of``: only the difference is written
        (:mod:`geo.imports.snapshot`, made again inside the transaction), and ending more than a small share of
        the contracts in force needs ``allow_end`` (else :class:`EndsNotConfirmed`, nothing written)."""
        snapshot = bool(options.get("snapshot"))
        path, name, sha, done = already_imported(store, self.key, path, file_name, principal)
        if done and not snapshot:       # a snapshot is compared again: the store may have changed since
            return done
        progress and progress(0.1, "reading")
        table, match = _parts(preview) if preview is not None else preview_assignments(store, path, county=county)
        if not match.rows_read:
            raise refused("imp.e.no_rows", file=name, row=table.header_row)
        if snapshot and not match.accepted:     # would end every contract: a file nothing of which was read
            raise refused("imp.s.e.nothing", file=name)
        day = preview.as_of if isinstance(preview, SnapshotPreview) else snapshot_day(options)
        progress and progress(0.6, "writing")
        people = match.advisers()
        rows = {"read": match.rows_read, "accepted": match.accepted, "rejected": match.rejected}
        with store.transaction() as cur:
            by_key, stored, likenesses = _stored_people(store, cur, match, people)
            plan = snapshot_plan(store, cur, table.mapped, match, people, by_key, day,
                                 principal.jurisdiction) if snapshot else None
            if plan is not None and plan.needs_confirmation and not options.get("allow_end"):
                raise EndsNotConfirmed(name, plan)
            batch = store.new_batch(cur, self.key, name, sha, rows_read=match.rows_read,
                                    rows_accepted=match.accepted, rows_rejected=match.rejected,
                                    note=f"{match.county_name} {match.county_code}")
            newcomers = [(key, p) for key, p in people.items() if key not in by_key]
            new_people = []
            for (key, p), adviser_id in zip(newcomers, store.new_adviser_ids(cur, len(newcomers))):
                by_key[key] = adviser_id
                new_people.append({"adviser_id": adviser_id, "name": p.name, "kind": p.kind, "org": p.org,
                                   "licence_no": p.licence_no, "phone": p.phone, "batch_id": batch})
            store.add_advisers(cur, pd.DataFrame(new_people))
            written = match.assignments if plan is None else [*plan.new, *plan.renewed]
            n_new = store.add_assignments(cur, pd.DataFrame({
                "adviser_id": [by_key[a.adviser_key] for a in written],
                "village": [int(a.village_code) for a in written],
                "start_date": [a.start for a in written],
                "end_date": pd.Series([a.end for a in written], dtype=object),
                "batch_id": batch}))
            if plan is not None:
                _write_difference(store, cur, batch, plan)
            self.audit(store, principal, cur, file_name=name, sha256=sha, batch=batch, rows=rows,
                       codes=[a.village_code for a in match.assignments] or [match.county_code],
                       extra=None if plan is None else {"snapshot": {"as_of": day.isoformat(), **plan.counts()}})
        progress and progress(1.0, "done")
        raw = {r.row_number: r.raw for r in table.rows}
        doubts = doubtful_notes(((a.row_number, a.warnings) for a in match.assignments), raw)
        county_label = AssignmentsDone.county_label(match.county_name, match.county_code)
        common = (county_label, match.county_source, table.header_row, table.mapped, len(new_people), n_new,
                  match.duplicates_dropped)
        details = AssignmentsDone(*common) if plan is None else SnapshotDone(
            *common, day.isoformat(), len(plan.new), len(plan.renewed), len(plan.advisers), len(plan.ended))
        return ImportResult(self.key, name, "imported", batch, match.rows_read, match.accepted,
                            match.rejected, tuple(reject_note(r) for r in match.rejects),
                            doubts + _likeness_notes(table, likenesses, people, stored), details)

    def undo(self, store: Store, cur: Any, batch_id: int) -> None:
        """The batch's contracts and the people it brought out; what a snapshot changed (contracts it ended,
        advisers it updated) put back as it was, once the later changes to the same villages are undone."""
        later = store.later_touching(cur, batch_id)
        if later:
            raise refuse("rec.e.later", batch=batch_id, later=", ".join(map(str, later)))
        store.rollback_assignments(cur, batch_id)
        store.restore_batch(cur, batch_id)

    def view(self, store: Store, preview: Any) -> PreviewView:
        """County, header row, column mapping, matched and rejected rows; a snapshot's difference instead of the
        matched rows, with the contracts it would end and the confirmation when they are many."""
        table, match = _parts(preview)
        mapped = [(f, table.mapped[f]) for f in FIELDS if f in table.mapped]
        mapped += [(f, h) for f, h in table.mapped.items() if f not in FIELDS]
        headers = Headers(table.header_row, table.data_start_row, tuple(mapped), "imp.field", "imp.id_note",
                          table.sheet)
        warnings = tuple(remark(w) for w in table.warnings + match.warnings)
        rejects = tuple(reject_note(r) for r in match.rejects)
        if isinstance(preview, SnapshotPreview):
            return _snapshot_view(preview.match, preview.plan_in(store), headers, warnings, rejects)
        shown = match.assignments[:SHOWN]
        return PreviewView(
            ready=match.accepted > 0,
            county=county_told(match),
            metrics=(metric("imp.m.rows", match.rows_read), metric("imp.m.accepted", match.accepted),
                     metric("imp.m.rejected", match.rejected), metric("imp.m.dupes", match.duplicates_dropped)),
            headers=headers,
            listing=Listing(match.accepted, (
                Column("imp.col.row", tuple(a.row_number for a in shown)),
                Column("imp.col.ledger_village", tuple(a.ledger_village for a in shown)),
                Column("imp.col.reg_village", tuple(a.village_name for a in shown)),
                Column("col.code", tuple(a.village_code for a in shown)),
                Column("imp.col.adviser", tuple(a.adviser_name for a in shown)),
                Column("imp.col.period", tuple(Period(a.start, a.end) for a in shown)),
                Column("imp.col.note", tuple(joined_remarks(a.warnings) for a in shown)))),
            warnings=warnings,
            rejects=rejects)


def _write_difference(store: Store, cur: Any, batch: int, plan: SnapshotPlan) -> None:
    """A snapshot's changes besides the contracts it adds: advisers updated, contracts ended as of its day, and
    what it touched recorded for the undo order."""
    if plan.advisers:
        rows = [{"adviser_id": c.adviser_id, **c.after} for c in plan.advisers]
        current = store.adviser_rows([c.adviser_id for c in plan.advisers], cur).set_index("adviser_id")
        fields = sorted({f for c in plan.advisers for f in c.after})
        frame = pd.DataFrame([{f: (r[f] if f in r else current.at[r["adviser_id"], f]) for f in fields}
                              | {"adviser_id": r["adviser_id"]} for r in rows])
        store.update_advisers(cur, batch, frame)
    ended = pd.DataFrame({"adviser_id": [e.adviser_id for e in plan.ended], "village": [e.village for e in plan.ended],
                          "start_date": [e.start for e in plan.ended]})
    store.end_contracts(cur, batch, ended, plan.last_day, SNAPSHOT_REASON)
    villages = {e.village for e in plan.ended} | {a.village_code for a in (*plan.new, *plan.renewed)}
    store.touch(cur, batch, sorted(villages), [c.adviser_id for c in plan.advisers])


#: each part of a difference as the preview names it
PART_LABELS = {"new": "imp.s.part.new", "renewed": "imp.s.part.renewed", "adviser": "imp.s.part.adviser",
               "ended": "imp.s.part.ended"}
#: the adviser fields a snapshot updates, by the ledger field's label
FIELD_LABELS = {"phone": "imp.field.phone", "org": "imp.field.org", "licence_no": "imp.field.licence",
                "kind": "imp.field.kind"}


@dataclass(frozen=True)
class FieldChanges:
    """An adviser's changed fields as one cell: 联系电话 139****78 → 138****01；执业机构 甲 → 乙 (phones masked)."""

    before: tuple[tuple[str, object], ...]
    after: tuple[tuple[str, object], ...]

    def text(self, lang: str) -> str:
        said = dict(self.before)
        parts = []
        for name, value in self.after:
            old = said.get(name)
            old, value = (masked(old), masked(value)) if name == "phone" else (old, value)
            parts.append(f"{Msg(FIELD_LABELS[name]).text(lang)} {old or '—'} → {value}")
        return ("；" if lang == "zh" else "; ").join(parts)


def _difference_rows(plan: SnapshotPlan) -> list[tuple[str, int | None, str, str, str, Any, Localizable | str]]:
    """(part, row, village, code, adviser, period, detail) of each line of the difference, part by part."""
    out: list = []
    out += [("new", a.row_number, a.village_name, a.village_code, a.adviser_name, Period(a.start, a.end), "")
            for a in plan.new]
    out += [("renewed", a.row_number, a.village_name, a.village_code, a.adviser_name, Period(a.start, a.end), "")
            for a in plan.renewed]
    out += [("adviser", c.row, "", "", c.name, "", FieldChanges(tuple(c.before.items()), tuple(c.after.items())))
            for c in plan.advisers]
    out += [("ended", None, e.village_name, e.village, e.name, Period(e.start, e.end),
             Msg("imp.s.last_day", {"day": plan.last_day.isoformat()})) for e in plan.ended]
    return out


def _ended_by_township(plan: SnapshotPlan) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for e in plan.ended:
        counts[e.township] = counts.get(e.township, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _endings(plan: SnapshotPlan) -> Confirmation | None:
    """The contracts the snapshot would end, per township and one by one; the confirmation when they are more
    than a small share of those in force."""
    if not plan.ended:
        return None
    towns = _ended_by_township(plan)
    return Confirmation(
        alarm=Msg("imp.s.will_end", {"n": f"{len(plan.ended):,}", "total": f"{plan.in_force:,}",
                                     "share": f"{plan.share:.1%}", "day": plan.as_of.isoformat(),
                                     "last": plan.last_day.isoformat()}),
        severe=plan.needs_confirmation,
        table=(Column("col.township", tuple(t for t, _ in towns)),
               Column("imp.s.col.ending", tuple(n for _, n in towns))),
        every=Msg("imp.s.all_ended", {"n": f"{len(plan.ended):,}"}),
        rows=(Column("col.code", tuple(e.village for e in plan.ended)),
              Column("col.village", tuple(e.village_name for e in plan.ended)),
              Column("imp.col.adviser", tuple(e.name for e in plan.ended)),
              Column("imp.col.period", tuple(Period(e.start, e.end) for e in plan.ended))),
        ask=Msg("imp.s.needs_confirm", {"limit": f"{SNAPSHOT_CONFIRM_SHARE:.0%}"}) if plan.needs_confirmation
        else None,
        option=ALLOW_END)


def _names(names: list[str] | tuple[str, ...], n: int = 5) -> str:
    return "、".join(names[:n]) + ("…" if len(names) > n else "")


def _snapshot_view(match: LedgerMatch, plan: SnapshotPlan, headers: Headers, warnings: tuple, rejects: tuple
                   ) -> PreviewView:
    """The four parts of the difference (counts, then line by line), the endings and what to look at."""
    lines = _difference_rows(plan)
    shown = lines[:SHOWN]
    said: list[Localizable] = []
    if plan.scope == "-":
        said.append(Msg("imp.s.outside"))
    if plan.relisted:
        said.append(Msg("imp.s.relisted", {"n": len(plan.relisted),
                                           "names": _names([a.adviser_name for a in plan.relisted])}))
    if plan.shared:
        said.append(Msg("imp.s.shared", {"n": len(plan.shared), "names": _names(plan.shared)}))
    if plan.held:
        said.append(Msg("imp.s.held", {"n": len(plan.held),
                                       "names": _names([f"{e.village_name}（{e.name}）" for e in plan.held])}))
    return PreviewView(
        ready=match.accepted > 0,
        county=county_told(match),
        read=Msg("imp.s.read", {"day": plan.as_of.isoformat(), "rows": f"{match.rows_read:,}",
                                "accepted": f"{match.accepted:,}", "rejected": f"{match.rejected:,}",
                                "in_force": f"{plan.in_force:,}"}),
        metrics=(metric("imp.s.m.new", len(plan.new)), metric("imp.s.m.renewed", len(plan.renewed)),
                 metric("imp.s.m.advisers", len(plan.advisers)), metric("imp.s.m.ended", len(plan.ended)),
                 metric("imp.s.m.unchanged", plan.unchanged)),
        headers=headers,
        listing=Listing(len(lines), (
            Column("imp.s.col.part", tuple(Msg(PART_LABELS[p]) for p, *_ in shown)),
            Column("imp.col.row", tuple(r for _, r, *_ in shown)),
            Column("col.village", tuple(x[2] for x in shown)),
            Column("col.code", tuple(x[3] for x in shown)),
            Column("imp.col.adviser", tuple(x[4] for x in shown)),
            Column("imp.col.period", tuple(x[5] for x in shown)),
            Column("imp.s.col.detail", tuple(x[6] for x in shown))),
            caption="imp.s.caption", heading="imp.s.diff"),
        warnings=warnings + tuple(said),
        confirmation=_endings(plan),
        rejects=rejects)


ASSIGNMENTS = Assignments()


def import_assignments(store: Store, path: str | Path, *, county: str | None = None,
                       file_name: str | None = None, progress: Progress | None = None,
                       preview: tuple | None = None, principal: Principal = OPEN, **options: Any) -> ImportResult:
    """A ledger (台账) as one batch: :meth:`Assignments.write` (``snapshot=True, as_of=D``: as a snapshot)."""
    return ASSIGNMENTS.write(store, path, county=county, file_name=file_name, progress=progress, preview=preview,
                             principal=principal, **options)
