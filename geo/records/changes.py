"""The changes a clerk makes to the record, one class each: appoint, renew, end and replace a contract; edit and
merge advisers.

A change knows which villages and people it touches (for the jurisdiction and the undo order), checks itself
against the store inside the transaction, and applies itself to one batch, returning what it was and what it
became for the audit trail.  :mod:`geo.records.run` does the rest once for all of them: the jurisdiction, the
version check, the batch, the audit row.  End dates are the last day in force (the coverage rule's, inclusive): a
contract ended *on* D is no longer in force from D, so its last day is D - 1, and a replacement starting on D
follows it without a gap or an overlap.
"""
from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

from geo.core.codes import normalize_code
from geo.records import checks
from geo.records.checks import refuse
from geo.store import Store
from geo.store.base import Cursor

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class NewAdviser:
    """A person not on record yet, entered with the contract that brings them."""

    name: str
    phone: str | None = None
    org: str | None = None
    kind: str | None = None
    licence_no: str | None = None

    def checked(self) -> NewAdviser:
        return NewAdviser(name=checks.plain_text("name", self.name, required=True),
                          phone=checks.phone(self.phone), org=checks.plain_text("org", self.org),
                          kind=checks.kind(self.kind), licence_no=checks.licence_no(self.licence_no))

    def shown(self) -> dict[str, Any]:
        return {"name": self.name, "org": self.org, "licence_no": self.licence_no, "new": True}


def masked(phone: object) -> str | None:
    """A phone as the audit trail keeps it: enough to tell a change, not the number."""
    if not phone:
        return None
    digits = "".join(c for c in str(phone) if c.isdigit())
    return f"{digits[:3]}****{digits[-2:]}" if len(digits) >= 7 else "****"


def contract_shown(row: pd.Series | dict) -> dict[str, Any]:
    """One contract as the audit trail and a conflict message say it."""
    return {"adviser_id": int(row["adviser_id"]), "name": row.get("name"), "start": row["start_date"],
            "end": row["end_date"], "printed_end": row.get("printed_end"), "reason": row.get("end_reason")}


def village_code(raw: object) -> str:
    code = normalize_code(raw)
    if int(code[9:]) == 0:
        raise refuse("rec.e.not_village", code=code)
    return code


class Change(ABC):
    """One change to the record."""

    action: ClassVar[str]
    #: what the form read before the change (geo.records.versions), checked when saving; None: not checked
    seen: str | None

    @abstractmethod
    def villages(self) -> tuple[str, ...]:
        """The villages whose contracts it changes."""

    def advisers(self) -> tuple[int, ...]:
        """The stored people whose record it changes (not those it only appoints)."""
        return ()

    def check(self, store: Store, cur: Cursor) -> None:  # noqa: B027 - a change may need no store check
        """Refuse what the store's state does not allow (raises RecordRefused)."""

    @abstractmethod
    def apply(self, store: Store, cur: Cursor, batch: int) -> dict[str, Any]:
        """Make the change in `batch`; returns the audit item (before, after and what it is about)."""


# ------------------------------------------------------------------------------------------------ contracts

def _in_force(rows: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    return rows[(rows["start_date"] <= day) & rows["end_date"].map(lambda e: e is None or e >= day)]


def the_contract(store: Store, cur: Cursor, village: str, adviser_id: int | None, day: dt.date) -> pd.Series:
    """The contract meant on `village` on `day`: the given adviser's in force then (else their latest), or the
    only one in force when no adviser is given.  Refuses naming the candidates when it is not one."""
    rows = store.village_contract_rows(village, cur)
    if adviser_id is not None:
        rows = rows[rows["adviser_id"] == int(adviser_id)]
        if rows.empty:
            raise refuse("rec.e.no_contract_of", village=village, adviser=adviser_id)
        current = _in_force(rows, day)
        return (current if not current.empty else rows).iloc[-1]
    current = _in_force(rows, day)
    if len(current) == 1:
        return current.iloc[0]
    if current.empty:
        raise refuse("rec.e.none_in_force", village=village, day=day.isoformat())
    raise AmbiguousContract(key="rec.e.several", params={
        "village": village, "day": day.isoformat(),
        "who": "; ".join(f"{r['name']} ({r['licence_no'] or r['adviser_id']})" for _, r in current.iterrows())})


class AmbiguousContract(checks.RecordRefused):
    """Several contracts in force and none named: the message names them."""


@dataclass(frozen=True)
class Appoint(Change):
    """新聘: an adviser on record (by id) or a new one, from `start` to `end` (None: open-ended)."""

    action: ClassVar[str] = "appoint"
    village: str
    adviser: int | NewAdviser
    start: dt.date
    end: dt.date | None
    seen: str | None = None
    note: dict[str, Any] = field(default_factory=dict, compare=False)

    def villages(self) -> tuple[str, ...]:
        return (self.village,)

    def check(self, store: Store, cur: Cursor) -> None:
        checks.period(self.start, self.end)
        if isinstance(self.adviser, int):
            if store.adviser_row(self.adviser, cur) is None:
                raise refuse("rec.e.no_adviser", adviser=self.adviser)
            rows = store.village_contract_rows(self.village, cur)
            mine = rows[rows["adviser_id"] == self.adviser]
            far = dt.date.max
            overlap = mine[(mine["start_date"] <= (self.end or far))
                           & mine["end_date"].map(lambda e: e is None or e >= self.start)]
            if not overlap.empty:
                r = overlap.iloc[0]
                raise refuse("rec.e.overlap", village=self.village, start=r["start_date"].isoformat(),
                             end=r["end_date"].isoformat() if r["end_date"] else "-")

    def apply(self, store: Store, cur: Cursor, batch: int) -> dict[str, Any]:
        adviser = self.adviser
        if isinstance(adviser, NewAdviser):
            person = adviser.checked()
            adviser_id = store.new_adviser_ids(cur, 1)[0]
            store.add_advisers(cur, pd.DataFrame([{"adviser_id": adviser_id, "name": person.name,
                                                   "kind": person.kind, "org": person.org,
                                                   "licence_no": person.licence_no, "phone": person.phone,
                                                   "base_code": int(self.village), "batch_id": batch}]))
            who = {**person.shown(), "phone": masked(person.phone), "adviser_id": adviser_id}
        else:
            adviser_id = adviser
            row = store.adviser_row(adviser_id, cur) or {}
            who = {"adviser_id": adviser_id, "name": row.get("name"), "licence_no": row.get("licence_no")}
        store.insert_contract(cur, batch, adviser_id, self.village, self.start, self.end)
        return {"village": self.village, "before": None,
                "after": {**who, "start": self.start, "end": self.end}}


@dataclass(frozen=True)
class Renew(Change):
    """续聘: a new period after the adviser's contract on the village, to `until`: from the day after it ends, or from
    `today` when it has lapsed already (a renewal made late does not cover the gap after the fact)."""

    action: ClassVar[str] = "renew"
    village: str
    adviser_id: int | None
    until: dt.date | None
    today: dt.date
    seen: str | None = None

    def villages(self) -> tuple[str, ...]:
        return (self.village,)

    def apply(self, store: Store, cur: Cursor, batch: int) -> dict[str, Any]:
        current = the_contract(store, cur, self.village, self.adviser_id, self.today)
        rows = store.village_contract_rows(self.village, cur)
        latest = rows[rows["adviser_id"] == current["adviser_id"]].iloc[-1]
        if latest["end_date"] is None:
            raise refuse("rec.e.open_ended", village=self.village, name=latest["name"])
        start = max(latest["end_date"] + ONE_DAY, self.today)
        if self.until is not None and self.until < start:
            raise refuse("rec.e.renew_until", village=self.village, name=latest["name"],
                         end=latest["end_date"].isoformat(), until=self.until.isoformat())
        store.insert_contract(cur, batch, int(latest["adviser_id"]), self.village, start, self.until)
        return {"village": self.village, "before": contract_shown(latest),
                "after": {"adviser_id": int(latest["adviser_id"]), "name": latest["name"], "start": start,
                          "end": self.until}}


@dataclass(frozen=True)
class End(Change):
    """解聘 / 终止: the contract in force on `on` ends before it (its last day is `on` - 1), for a reason."""

    action: ClassVar[str] = "end"
    village: str
    adviser_id: int | None
    on: dt.date
    reason: str                       # checks.reason's form
    seen: str | None = None

    def villages(self) -> tuple[str, ...]:
        return (self.village,)

    def ended(self, store: Store, cur: Cursor, batch: int) -> tuple[pd.Series, dict[str, Any]]:
        contract = the_contract(store, cur, self.village, self.adviser_id, self.on)
        if self.on <= contract["start_date"]:
            raise refuse("rec.e.end_before_start", village=self.village, name=contract["name"],
                         start=contract["start_date"].isoformat(), on=self.on.isoformat())
        if contract["end_date"] is not None and self.on > contract["end_date"]:
            raise refuse("rec.e.already_ended", village=self.village, name=contract["name"],
                         end=contract["end_date"].isoformat(), on=self.on.isoformat())
        last = self.on - ONE_DAY
        store.end_contract(cur, batch, int(contract["adviser_id"]), self.village, contract["start_date"], last,
                           self.reason)
        return contract, {"village": self.village, "before": contract_shown(contract),
                          "after": {**contract_shown(contract), "end": last, "reason": self.reason,
                                    "printed_end": contract["printed_end"] or contract["end_date"]}}

    def apply(self, store: Store, cur: Cursor, batch: int) -> dict[str, Any]:
        return self.ended(store, cur, batch)[1]


@dataclass(frozen=True)
class Replace(Change):
    """更换: the contract in force on `on` ends before it and `adviser`'s starts on `on`, to `until` (default: the
    ended contract's end)."""

    action: ClassVar[str] = "replace"
    village: str
    old_adviser_id: int | None
    adviser: int | NewAdviser
    on: dt.date
    until: dt.date | None = None
    reason: str = "replaced"
    seen: str | None = None

    def villages(self) -> tuple[str, ...]:
        return (self.village,)

    def apply(self, store: Store, cur: Cursor, batch: int) -> dict[str, Any]:
        old, ended = End(self.village, self.old_adviser_id, self.on, self.reason).ended(store, cur, batch)
        if isinstance(self.adviser, int) and self.adviser == int(old["adviser_id"]):
            raise refuse("rec.e.same_adviser", village=self.village, name=old["name"])
        until = self.until if self.until is not None else old["end_date"]
        appoint = Appoint(self.village, self.adviser, self.on, until)
        appoint.check(store, cur)
        appointed = appoint.apply(store, cur, batch)
        return {"village": self.village, "before": ended["before"],
                "after": {"ended": ended["after"], "appointed": appointed["after"]}}


# ------------------------------------------------------------------------------------------------ advisers

@dataclass(frozen=True)
class EditAdviser(Change):
    """Edit one adviser's record: only the fields given change (None in `values` clears a field)."""

    action: ClassVar[str] = "edit"
    adviser_id: int
    values: dict[str, Any]
    seen: str | None = None

    def villages(self) -> tuple[str, ...]:
        return ()

    def advisers(self) -> tuple[int, ...]:
        return (self.adviser_id,)

    def checked_values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in self.values.items():
            if name == "name":
                out[name] = checks.plain_text("name", value, required=True)
            elif name == "org":
                out[name] = checks.plain_text("org", value)
            elif name == "kind":
                out[name] = checks.kind(value)
            elif name == "licence_no":
                out[name] = checks.licence_no(value)
            elif name == "phone":
                out[name] = checks.phone(value)
            elif name in ("lon", "lat", "base_code"):
                out[name] = value
            else:
                raise refuse("rec.e.field", field=name)
        return out

    def apply(self, store: Store, cur: Cursor, batch: int) -> dict[str, Any]:
        before = store.adviser_row(self.adviser_id, cur)
        if before is None:
            raise refuse("rec.e.no_adviser", adviser=self.adviser_id)
        values = self.checked_values()
        changed = {k: v for k, v in values.items() if before.get(k) != v}
        store.update_adviser(cur, batch, self.adviser_id, changed)
        return {"adviser_id": self.adviser_id, "name": before["name"],
                "before": _shown_person({k: before.get(k) for k in changed}),
                "after": _shown_person(changed)}


def _shown_person(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (masked(v) if k == "phone" else v) for k, v in values.items()}


@dataclass(frozen=True)
class Merge(Change):
    """Two records of one person: `other`'s contracts and service records move to `keep`, `other` goes."""

    action: ClassVar[str] = "merge"
    keep: int
    other: int
    seen: str | None = None

    def villages(self) -> tuple[str, ...]:
        return ()

    def advisers(self) -> tuple[int, ...]:
        return (self.keep, self.other)

    def check(self, store: Store, cur: Cursor) -> None:
        if self.keep == self.other:
            raise refuse("rec.e.merge_self", adviser=self.keep)
        for adviser in (self.keep, self.other):
            if store.adviser_row(adviser, cur) is None:
                raise refuse("rec.e.no_adviser", adviser=adviser)

    def apply(self, store: Store, cur: Cursor, batch: int) -> dict[str, Any]:
        keep, other = store.adviser_row(self.keep, cur), store.adviser_row(self.other, cur)
        contracts, records = store.merge_advisers(cur, batch, self.keep, self.other)
        return {"adviser_id": self.keep, "name": keep["name"],
                "before": {"kept": _shown_person(keep), "merged": _shown_person(other)},
                "after": {"contracts_moved": contracts, "records_moved": records}}
