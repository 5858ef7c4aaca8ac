"""What a command line names, turned into what a change takes: a village by its code, an adviser by licence number
(or by the record's number, ``id:N``, when a licence is shared or missing), and an early end's reason as typed.

A licence names a record through the store.  For a change to a village's contract it is looked for among that
village's contracts; otherwise among the advisers of the principal's jurisdiction (a contract in it, or based in
it), as the app's adviser picker lists them.  A licence held by several records names none of them: the refusal
lists them with their ``id:N`` so that the command can be given again with one.  What is typed is checked as the
forms check it (an ID-card number anywhere is refused), and a village outside the jurisdiction is refused before
anything of it is read; both refusals of access are audited.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from geo.auth import audit
from geo.auth.access import AccessDenied, Principal
from geo.records import checks
from geo.records.changes import NewAdviser, village_code
from geo.records.checks import RecordRefused, refuse
from geo.store import Store

#: how a record is named by its number instead of a licence: id:12
ID_PREFIX = "id:"
_REASON_WITH_TEXT = re.compile(r"^([^:：]+?)\s*[:：]\s*(.*)$")


class AmbiguousAdviser(RecordRefused):
    """A licence number held by several records: the message lists them, each with its id:N."""


@dataclass(frozen=True)
class AdviserKey:
    """An adviser as typed: a licence number (its checked form) or a record's number."""

    typed: str
    licence: str | None = None
    adviser_id: int | None = None

    @classmethod
    def parse(cls, text: str) -> AdviserKey:
        raw = unicodedata.normalize("NFKC", str(text or "")).strip()
        checks.no_id_number("adviser", raw)
        if raw.lower().startswith(ID_PREFIX):
            number = raw[len(ID_PREFIX):].strip()
            if not number.isdigit() or len(number) > 12:
                raise refuse("rec.e.adviser_key", value=raw)
            return cls(raw, adviser_id=int(number))
        licence = checks.licence_no(raw)
        if licence is None:
            raise refuse("rec.e.adviser_key", value=raw)
        return cls(raw, licence=licence)

    def matches(self, rows: pd.DataFrame) -> pd.DataFrame:
        """The rows (with adviser_id and licence_no) of the record(s) it names."""
        if self.adviser_id is not None:
            return rows[rows["adviser_id"] == self.adviser_id]
        return rows[rows["licence_no"] == self.licence]


def _one(key: AdviserKey, rows: pd.DataFrame) -> int | None:
    """The one record of `rows` that `key` names; None when none; refused naming them when several."""
    found = key.matches(rows).drop_duplicates("adviser_id")
    if len(found) > 1:
        who = "; ".join(f"{r['name']} ({ID_PREFIX}{int(r['adviser_id'])}{', ' + r['org'] if r['org'] else ''})"
                        for _, r in found.iterrows())
        raise AmbiguousAdviser(key="rec.e.licence_several", params={"licence": key.licence, "who": who})
    return int(found["adviser_id"].iloc[0]) if len(found) else None


def checked_village(text: str, principal: Principal) -> str:
    """The 12-digit village `text` names, refused when it is no village code or lies outside the jurisdiction."""
    checks.no_id_number("village", str(text))
    code = village_code(text)
    if not principal.covers(code):
        raise AccessDenied(key="rec.e.outside", params={"code": code})
    return code


@audit.refusals("record")
def village_adviser(store: Store, village: str, adviser: str | None, *, principal: Principal) -> tuple[str, int | None]:
    """The village (checked) and the adviser a command names on it, among its contracts (None when not named: the
    change then takes the village's one contract in force)."""
    principal.require("record")
    code = checked_village(village, principal)
    if adviser is None:
        return code, None
    key = AdviserKey.parse(adviser)
    found = _one(key, store.village_contract_rows(code))
    if found is None:
        raise refuse("rec.e.no_contract_of", village=code, adviser=key.typed)
    return code, found


def _in_jurisdiction(store: Store, adviser_id: int, principal: Principal) -> bool:
    if not principal.jurisdiction.digits:
        return True
    if any(principal.covers(v) for v in store.adviser_villages(adviser_id)):
        return True
    row = store.adviser_row(adviser_id) or {}
    return bool(row.get("base_code")) and principal.covers(row["base_code"])


@audit.refusals("record")
def adviser_named(store: Store, adviser: str, *, principal: Principal) -> int:
    """The record a command names by licence number or id:N, among the advisers of the jurisdiction."""
    principal.require("record")
    key = AdviserKey.parse(adviser)
    if key.adviser_id is not None:
        ids = [key.adviser_id] if store.adviser_row(key.adviser_id) is not None else []
    else:
        ids = store.advisers_by_licence(key.licence)
    ids = [a for a in ids if _in_jurisdiction(store, a, principal)]
    rows = pd.DataFrame([store.adviser_row(a) for a in ids], columns=["adviser_id", "name", "org", "licence_no"])
    found = _one(key, rows)
    if found is None:
        if key.adviser_id is not None:
            raise refuse("rec.e.no_adviser", adviser=key.adviser_id)
        raise refuse("rec.e.no_licence", licence=key.licence)
    return found


def new_adviser(store: Store, name: str, phone: str | None, org: str | None = None, kind: str | None = None,
                licence: str | None = None) -> NewAdviser:
    """A person entered with their first contract, checked as the form checks them; a licence number already on
    record is refused (the record is named with --adviser instead of made twice)."""
    person = NewAdviser(name=name, phone=phone, org=org, kind=kind, licence_no=licence).checked()
    if person.licence_no and store.advisers_by_licence(person.licence_no):
        raise refuse("rec.e.licence_known", licence=person.licence_no)
    return person


def typed_reason(text: str) -> str:
    """An early end's reason as typed: a word of the short list (调离, 辞聘, 考核不合格, 其他) or its code, one of
    them with a text after a colon ("其他：调往县司法局"), or any other text, which is 其他 with that text."""
    value = unicodedata.normalize("NFKC", str(text or "")).strip()
    said = _REASON_WITH_TEXT.match(value)
    if said and (said[1] in checks.REASON_WORDS or said[1] in checks.END_REASONS):
        return checks.reason(said[1], said[2])
    if not value:
        raise refuse("rec.e.required", field="reason")
    return checks.reason(value)
