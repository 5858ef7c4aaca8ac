"""What a county prints on its boards and shows on its villages' pages: one row per county in the store.

A county without a row of its own gets :data:`DEFAULT`: the 12348 hotline, no supervision phone (the board then
says to ask the county bureau), the catalogue's general service time and place, and no last on-site day on the
page.  An administrator of the county (or above) changes them with ``python -m geo signboard-settings`` or on the
gap list page; each change is audited.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from geo.auth import audit
from geo.auth.access import Principal
from geo.core.codes import Scope
from geo.core.errors import UserError
from geo.privacy.idcards import scrub_id_numbers
from geo.store import Store

HOTLINE = "12348"
#: a phone as people write one: digits, spaces, dashes, brackets, a leading +, an extension
PHONE_TEXT = re.compile(r"\+?[0-9()\-\s]{3,30}(?:(?:转|ext\.?)\s*[0-9]{1,6})?")
MAX_TEXT = 60


@dataclass(frozen=True)
class CountySettings:
    supervision_phone: str | None = None    # the county bureau's 监督电话
    hotline: str = HOTLINE                  # the public legal service hotline
    show_last_onsite: bool = False          # the page shows the adviser's last on-site day
    service_time: str | None = None         # None: the catalogue's general wording
    service_place: str | None = None


DEFAULT = CountySettings()


def county_of(code: str) -> Scope:
    """The county (6 digits) of a division code of county level or below."""
    if len(Scope.parse(code).digits) < 6:
        raise UserError(key="pub.e.county", params={"code": code})
    return Scope(Scope.parse(code).digits[:6])


def settings_of(store: Store, county: str) -> CountySettings:
    stored = store.public_settings(county_of(county).code)
    if stored is None:
        return DEFAULT
    return CountySettings(supervision_phone=stored["supervision_phone"] or None,
                          hotline=stored["hotline"] or HOTLINE, show_last_onsite=bool(stored["show_last_onsite"]),
                          service_time=stored["service_time"] or None, service_place=stored["service_place"] or None)


def checked(settings: CountySettings) -> CountySettings:
    """`settings` with its texts trimmed and scrubbed; a UserError for a phone that is not one or a text too long."""
    values = {}
    for name in ("supervision_phone", "hotline"):
        text = (getattr(settings, name) or "").strip()
        if text and not PHONE_TEXT.fullmatch(text):
            raise UserError(key="pub.e.phone", params={"text": text[:40]})
        values[name] = text or None
    for name in ("service_time", "service_place"):
        text = scrub_id_numbers((getattr(settings, name) or "").strip())
        if len(text) > MAX_TEXT:
            raise UserError(key="pub.e.long", params={"n": MAX_TEXT})
        values[name] = text or None
    values["hotline"] = values["hotline"] or HOTLINE
    return dataclasses.replace(settings, **values)


def save(store: Store, principal: Principal, county: str, settings: CountySettings) -> CountySettings:
    """Store `settings` for `county` (administrators of it or above); one transaction with its audit row."""
    scope = county_of(county)
    principal.require("public_settings", scope)
    clean = checked(settings)
    now = audit.utcnow()
    values = dataclasses.asdict(clean)
    with store.transaction() as cur:
        store.set_public_settings(cur, scope.code, values, now, principal.actor)
        audit.record(store, principal, "public_settings", scope, values, cur, now=now)
    return clean
