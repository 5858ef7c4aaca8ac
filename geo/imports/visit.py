"""One service visit entered in a form or on the command line: one more way into the ``services`` table beside the
service-log import, read by the log reader's own values (date, hours, mode) and scrubbed of phone and ID numbers
as a log's text is, written as a batch of its own (kind ``visit``) that the import history rolls back.

:func:`record_visit` checks the role, the jurisdiction (a village outside it is refused and the refusal audited),
the village (real, current), the day (a whole day, not after today), the hours (more than 0, at most a day), the
mode and the adviser (one the log import of the village's county could name: a contract in the county), then
writes the record, its batch and its audit row in one transaction; the served spans of the county are extended
at the commit (geo.store.base: ``_changed(derived="services", appended=...)``).  :func:`visit_advisers` lists
whom a form offers: the village's advisers in force on the day first, the county's others after them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.auth import audit
from geo.auth.access import OPEN, AccessDenied, Principal, scoped
from geo.core.codes import CodeError, Scope, normalize_code
from geo.core.errors import UserError
from geo.core.service_rule import MODES
from geo.imports.services import Services
from geo.privacy.phones import scrub_personal_numbers
from geo.sources.servicelog import AdviserBook, Problem, people_served, service_date, service_hours, service_mode
from geo.sources.servicelog.values import MAX_HOURS
from geo.store import Store
from geo.text.catalogue import Msg

#: characters of a visit's content (a log's cell is not bounded, a form's box is)
MAX_CONTENT_CHARS = 2000
#: characters of a category typed on the command line
MAX_CATEGORY_CHARS = 50


class VisitRefused(UserError):
    """A visit that cannot be recorded as given: the message says which value and why."""


@dataclass(frozen=True)
class VisitForm:
    """A visit as typed: each value as a form's widget or a command-line flag gives it."""

    village: str                        # a 12-digit village code (short forms are not a village)
    day: dt.date | str                  # a date, or text a log may write (2026-03-15, 2026年3月15日 ...)
    adviser: int | str                  # an adviser id, or a licence number or name as a log writes it
    mode: str                           # onsite / remote / other, or a log's word (到村, 电话 ...)
    hours: float | str | None           # 2, "2小时", "半天" ...
    category: str | None = None
    content: str | None = None
    people: int | str | None = None


@dataclass(frozen=True)
class Visit:
    """A visit checked: the ``services`` row it becomes, with the names it was checked against."""

    village: str
    village_name: str
    township: str
    county: str
    adviser_id: int
    adviser_name: str
    service_date: dt.date
    mode: str
    hours: float
    category: str | None
    people: int | None
    content: str | None

    def frame(self, batch: int) -> pd.DataFrame:
        """The record as :meth:`geo.store.Store.add_services` takes it."""
        return pd.DataFrame({"village": [int(self.village)], "adviser_id": pd.array([self.adviser_id], "Int64"),
                             "service_date": [pd.Timestamp(self.service_date)], "mode": [self.mode],
                             "category": [self.category], "hours": [float(self.hours)],
                             "people": pd.array([self.people], "Int64"), "content": [self.content],
                             "batch_id": [batch]})

    def detail(self, batch: int) -> dict[str, Any]:
        """The audit row's detail: the batch and every value recorded."""
        return {"kind": VISITS.key, "batch": batch, "village": self.village, "village_name": self.village_name,
                "date": self.service_date, "adviser": self.adviser_id, "adviser_name": self.adviser_name,
                "mode": self.mode, "hours": self.hours, "category": self.category, "people": self.people,
                "content": self.content}


@dataclass(frozen=True)
class VisitDone:
    """A visit recorded: its batch (rolled back from the import history like any batch) and what was stored."""

    batch_id: int
    visit: Visit

    @property
    def message(self) -> Msg:
        v = self.visit
        return Msg("visit.done", {"batch": self.batch_id, "village": f"{v.township}{v.village_name}",
                                  "date": v.service_date.isoformat(), "adviser": v.adviser_name,
                                  "mode": Msg(f"imp.mode.{v.mode}"), "hours": f"{v.hours:g}"})


class Visits(Services):
    """Batches of one visit each: written by :func:`record_visit`, never read from a file (so not among the
    import page's kinds), undone as a service log's batch is."""

    key = "visit"
    label_key = "imp.kind.visit"
    undo_key = "imp.rb.what.visit"


VISITS = Visits()


# ------------------------------------------------------------------------------------------------ checks

def _refused(key: str, **params: Any) -> VisitRefused:
    return VisitRefused(key=key, params=params)


def _village_code(text: str) -> str:
    try:
        code = normalize_code(str(text).strip())
    except CodeError:
        raise _refused("visit.e.village_code", code=text) from None
    if code[9:] == "000":              # a township or above, not a village
        raise _refused("visit.e.village_code", code=text)
    return code


def _day(value: dt.date | str, today: dt.date) -> dt.date:
    day = service_date(value, today)
    if isinstance(day, Problem):
        if day.why == "future_date":
            raise _refused("visit.e.future", day=day.params["value"], today=today.isoformat())
        raise _refused("visit.e.date", value=value)
    return day


def _hours(value: float | str | None) -> float:
    hours = service_hours(value)
    if hours is None or isinstance(hours, Problem):
        raise _refused("visit.e.hours", value="" if value is None else value, max=int(MAX_HOURS))
    return hours


def _mode(text: str) -> str:
    if text in MODES:
        return text
    mode, clear = service_mode(text)
    if not clear:
        raise _refused("visit.e.mode", value=text)
    return mode


def _free_text(text: str | None, limit: int, what_key: str) -> str | None:
    clean = scrub_personal_numbers(" ".join(str(text).split())) if text is not None else ""
    if len(clean) > limit:
        raise _refused("visit.e.too_long", what=Msg(what_key), chars=len(clean), limit=limit)
    return clean or None


def _people(value: int | str | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    people = people_served(value)
    if people is None:
        raise _refused("visit.e.people", value=value)
    return people


def visit_advisers(store: Store, village: str, day: dt.date, *, today: dt.date | None = None) -> pd.DataFrame:
    """Whom a visit to `village` on `day` may name, in the order a form offers them: adviser_id, name, licence_no,
    in_force (a contract for the village in force on the day).  The village's advisers of the day first, then
    every other adviser the county's service log could name (:meth:`geo.store.Store.known_advisers`)."""
    known = store.known_advisers(Scope(village[:6]), today or dt.date.today())
    current = set(store.village_advisers_on(village, day)["adviser_id"])
    frame = known.assign(adviser_id=known["adviser_id"].astype("int64"))
    frame["in_force"] = frame["adviser_id"].isin(current)
    return (frame.sort_values(["in_force", "name", "adviser_id"], ascending=[False, True, True], kind="stable")
            .reset_index(drop=True)[["adviser_id", "name", "licence_no", "in_force"]])


def _adviser(store: Store, village: str, county: str, given: int | str, today: dt.date) -> tuple[int, str]:
    known = store.known_advisers(Scope(village[:6]), today)
    names = {int(a): str(n) for a, n in zip(known["adviser_id"], known["name"])}
    if isinstance(given, int) and not isinstance(given, bool):
        if given not in names:
            raise _refused("visit.e.adviser_id", adviser=given, county=county)
        return given, names[given]
    text = " ".join(str(given).split())
    found = AdviserBook.of(known).find(text or None, text or None)
    if isinstance(found, Problem):
        if found.why == "no_adviser":
            raise _refused("visit.e.no_adviser")
        raise _refused(f"imp.why.{found.why}", **found.params)
    return found, names[found]


def check_visit(store: Store, form: VisitForm, principal: Principal = OPEN, *,
                today: dt.date | None = None) -> Visit:
    """`form` checked and read as the service log reader reads a row; :class:`VisitRefused` naming the first
    value at fault, :class:`AccessDenied` for a village outside the principal's jurisdiction."""
    today = today or dt.date.today()
    code = _village_code(form.village)
    if not principal.covers(code):
        raise AccessDenied(key="visit.e.outside", params={"village": code})
    place = store.visit_village(code)
    if place is None:
        raise _refused("visit.e.no_village", code=code)
    name, township, county = place
    day = _day(form.day, today)
    hours = _hours(form.hours)
    mode = _mode(form.mode)
    adviser_id, adviser_name = _adviser(store, code, county, form.adviser, today)
    return Visit(code, name, township, county, adviser_id, adviser_name, day, mode, hours,
                 _free_text(form.category, MAX_CATEGORY_CHARS, "visit.f.category"), _people(form.people),
                 _free_text(form.content, MAX_CONTENT_CHARS, "visit.f.content"))


@audit.refusals("visit")
def record_visit(store: Store, form: VisitForm, principal: Principal = OPEN, *,
                 today: dt.date | None = None) -> VisitDone:
    """Record one visit as its own batch, audited with the acting user and the values, in one transaction."""
    principal.require(VISITS.action)
    visit = check_visit(store, form, principal, today=today)
    where = scoped(principal, Scope(visit.village))
    with store.transaction() as cur:
        batch = store.new_batch(cur, VISITS.key, rows_read=1, rows_accepted=1,
                                note=f"{visit.township}{visit.village_name} {visit.service_date.isoformat()} "
                                     f"{visit.adviser_name}")
        store.add_services(cur, visit.frame(batch))
        store.set_batch_scope(cur, batch, where)
        audit.record(store, principal, "visit", where, visit.detail(batch), cur)
    return VisitDone(batch, visit)
