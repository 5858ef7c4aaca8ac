"""Making changes to the record: jurisdiction, version check, one batch, one transaction, one audit row; and undo.

:func:`perform` takes one change (a form's) or several (a batch action: renew the selected contracts, apply the
plan's proposals) and makes them all or none.  Every village they touch must lie in the principal's jurisdiction,
and so must every contract of an adviser whose record they change (a record shared with another jurisdiction is
that level's to change).  A change made from a form carries the version of what the form showed
(:func:`village_version`, :func:`adviser_version`); when the record has changed since, :class:`RecordConflict` says
so with the current values and nothing is written.

:func:`undo` removes a batch's changes exactly (geo.store.records), after the later changes to the same villages
and people have been undone.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Sequence

import pandas as pd
import shapely

from geo.auth import audit
from geo.auth.access import OPEN, AccessDenied, Principal
from geo.core.codes import LEVEL_NAMES, Scope, common_scope
from geo.outputs.outlines import TIERS
from geo.records.changes import Change, EditAdviser, contract_shown
from geo.records.checks import Point, RecordRefused, refuse
from geo.store import Store
from geo.store.base import Cursor
from geo.text.catalogue import Msg

#: batches.kind of a change made in the app
KIND = "record"
#: what a batch of changes is audited as: one change's action, or a batch action's
ACTIONS = ("appoint", "renew", "end", "replace", "edit", "merge", "renew_many", "apply_plan")


class RecordConflict(RecordRefused):
    """Someone changed the record after the form read it: the message shows what it holds now."""

    def __init__(self, *, key: str, params: dict[str, object], current: list[dict[str, Any]]):
        super().__init__(key=key, params=params)
        self.current = current


@dataclass(frozen=True)
class RecordResult:
    """What one :func:`perform` did: its batch (to undo it), the changes and their audit items."""

    batch: int
    action: str
    items: tuple[dict[str, Any], ...]

    @property
    def message(self) -> Msg:
        return Msg("rec.done", {"action": Msg(f"rec.action.{self.action}"), "n": len(self.items),
                                "batch": self.batch})


def _digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _village_state(store: Store, village: str, cur: Cursor | None) -> list[dict[str, Any]]:
    return [contract_shown(r) for _, r in store.village_contract_rows(village, cur).iterrows()]


def _adviser_state(store: Store, adviser_id: int, cur: Cursor | None) -> list[dict[str, Any]]:
    row = store.adviser_row(adviser_id, cur)
    return [row] if row else []


def village_version(store: Store, village: str, cur: Cursor | None = None) -> str:
    """A token that changes whenever a contract of `village` (or its adviser's name) changes."""
    return _digest(_village_state(store, village, cur))


def adviser_version(store: Store, adviser_id: int, cur: Cursor | None = None) -> str:
    """A token that changes whenever the adviser's record changes."""
    return _digest(_adviser_state(store, adviser_id, cur))


def _current_version(store: Store, cur: Cursor, change: Change) -> tuple[str, list[dict[str, Any]]]:
    """The version of what `change` was read from (its village, else its adviser) and that state, as the form saw it."""
    state = (_village_state(store, change.villages()[0], cur) if change.villages()
             else _adviser_state(store, change.advisers()[0], cur))
    return _digest(state), state


def _conflict_text(current: list[dict[str, Any]]) -> str:
    parts = []
    for row in current:
        if "start" in row:
            end = row["end"].isoformat() if row["end"] else "…"
            parts.append(f"{row['name']} {row['start'].isoformat()}–{end}")
        else:
            parts.append(" ".join(str(row[k]) for k in ("name", "org", "licence_no") if row.get(k)))
    return "; ".join(parts) or "-"


def _check_version(store: Store, cur: Cursor, change: Change) -> None:
    if change.seen is None:
        return
    version, current = _current_version(store, cur, change)
    if version != change.seen:
        what = change.villages()[0] if change.villages() else str(change.advisers()[0])
        raise RecordConflict(key="rec.e.conflict", params={"what": what, "now": _conflict_text(current)},
                             current=current)


def _reach(changes: Sequence[Change]) -> tuple[list[str], list[int]]:
    """The villages whose contracts the changes change, and the stored people whose record they change."""
    villages = {v for c in changes for v in c.villages()}
    people = {a for c in changes for a in c.advisers()}
    return sorted(villages), sorted(people)


def _check_jurisdiction(store: Store, cur: Cursor, principal: Principal, villages: list[str],
                        people: list[int]) -> None:
    for village in villages:
        if not principal.covers(village):
            raise AccessDenied(key="rec.e.outside", params={"code": village})
    for person in people:
        theirs = store.adviser_villages(person, cur)
        outside = [v for v in theirs if not principal.covers(v)]
        row = store.adviser_row(person, cur)
        based_outside = not theirs and row is not None and not principal.covers(row.get("base_code") or "")
        if outside or (based_outside and principal.jurisdiction.digits):
            raise AccessDenied(key="rec.e.adviser_outside", params={"adviser": person,
                                                                   "code": (outside or ["-"])[0]})


def outline_tier(scope: Scope) -> str | None:
    """The map tier whose shapes include the outline of `scope`'s unit (None: the country, no outline)."""
    if not scope.digits:
        return None
    shown = LEVEL_NAMES[scope.level - 1]
    return next(t.name for t in TIERS.values() if t.shows == shown)


def check_base(store: Store, principal: Principal, values: dict[str, object]) -> None:
    """A base given as coordinates lies in China and inside the principal's jurisdiction's outline (give or take
    a kilometre for the simplified display shapes), when the store has that outline."""
    lon, lat = values.get("lon"), values.get("lat")
    if lon is None and lat is None:
        return
    if lon is None or lat is None:
        raise refuse("rec.e.point", value=f"{lon},{lat}")
    point = Point(float(lon), float(lat))
    scope = principal.jurisdiction
    outside = refuse("rec.e.point_outside", lon=point.lon, lat=point.lat,
                     scope=store.scope_name(scope) if scope.digits else "-")
    if not point.in_china():
        raise outside
    tier = outline_tier(scope)
    if tier is None:
        return
    shapes = store.shapes([scope.code], tier)
    if shapes.empty:
        return
    outline = shapely.geometry.shape(json.loads(shapes["geojson"].iloc[0]))
    if not outline.buffer(0.01).contains(shapely.Point(point.lon, point.lat)):
        raise outside


def _real_villages(store: Store, villages: list[str]) -> None:
    real = store.real_villages_among(villages)
    for village in villages:
        if village not in real:
            raise refuse("rec.e.unknown_village", code=village)


@audit.refusals("record")
def perform(store: Store, changes: Change | Sequence[Change], *, principal: Principal = OPEN,
            action: str | None = None) -> RecordResult:
    """Make `changes` as one batch (all or none), audited as `action` (default: the one change's)."""
    changes = [changes] if isinstance(changes, Change) else list(changes)
    if not changes:
        raise refuse("rec.e.nothing")
    action = action or changes[0].action
    principal.require("record")
    villages, people = _reach(changes)
    _real_villages(store, villages)
    with store.transaction() as cur:
        store.hold_villages(cur, villages)
        _check_jurisdiction(store, cur, principal, villages, people)
        moved = sorted({v for p in people for v in store.adviser_villages(p, cur)})
        batch = store.new_batch(cur, KIND, note=action)
        items = []
        for change in changes:
            if isinstance(change, EditAdviser):
                check_base(store, principal, change.values)
            _check_version(store, cur, change)
            change.check(store, cur)
            items.append(change.apply(store, cur, batch))
        store.touch(cur, batch, sorted(set(villages) | set(moved)), people)
        where = common_scope(sorted(set(villages) | set(moved))) if (villages or moved) else principal.jurisdiction
        store.set_batch_scope(cur, batch, where)
        store.set_batch_rows(cur, batch, len(items), len(items))
        audit.record(store, principal, "record", where, {"change": action, "batch": batch, "items": items}, cur)
    return RecordResult(batch, action, tuple(items))


def undo_batch(store: Store, cur: Cursor, batch: int) -> None:
    """Undo one batch of changes made in the app, inside the caller's transaction (the rollback of
    geo.imports.kinds checks the principal, marks the batch and audits)."""
    later = store.later_touching(cur, batch)
    if later:
        raise refuse("rec.e.later", batch=batch, later=", ".join(map(str, later)))
    retired = store.kept_from_retired_batches(cur, batch)
    if retired:
        raise refuse("rec.e.retired", batch=batch, retired=", ".join(map(str, retired)))
    store.remove_added(cur, batch)
    store.restore_batch(cur, batch)


class RecordUndo:
    """What rollback (geo.imports.kinds) needs of a batch of changes made in the app."""

    key = KIND
    action = "record"
    stacks = False

    def undo(self, store: Store, cur: Cursor, batch_id: int) -> None:
        undo_batch(store, cur, batch_id)


RECORDS = RecordUndo()


def contracts_frame(store: Store, village: str, as_of: dt.date) -> pd.DataFrame:
    """The village's contracts as a form lists them, with whether each is in force on `as_of`."""
    rows = store.village_contract_rows(village)
    rows["current"] = [(s <= as_of) and (e is None or e >= as_of) for s, e in zip(rows["start_date"],
                                                                                    rows["end_date"])]
    return rows
