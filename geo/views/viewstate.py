"""The view a link asks for, checked: scope, date, language and basemap, with a notice for each value replaced.

The app keeps its view in the URL (``?scope=6101&date=2026-11-27&lang=zh&basemap=osm``) so that a link
reproduces it.  :func:`resolve_view` is the whole rule, pure: the link's parameters, this session's last view
(for a page link that dropped them) and what the store and the deployment know (:class:`ViewFacts`) go in, a
:class:`ViewState` comes out.  The app only reads the parameters and writes the result back.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Callable, Collection, Mapping

from geo.auth.access import OPEN, Principal
from geo.core.codes import CodeError, Scope
from geo.store import Store
from geo.text.catalogue import LANGS, Markdown, md, t

#: the parameters of a link, in the order the app writes them
PARAMS = ("scope", "date", "lang", "basemap")
DEFAULT_LANG = "zh"
NO_BASEMAP = "none"
#: the earliest date the picker offers and a link may ask for
MIN_DATE = dt.date(2000, 1, 1)
#: how far ahead of today the picker goes
FUTURE_DAYS = 5 * 366
#: the whole country in a link the app writes: an empty parameter would read as "not given"
COUNTRY = "0"

Params = Mapping[str, "str | None"]


@dataclass(frozen=True)
class Notice:
    """A value in the link that had to be replaced: a catalogue key and its values."""

    key: str
    params: tuple[tuple[str, str], ...] = ()

    def text(self, lang: str) -> Markdown:
        return md(self.key, lang, **dict(self.params))


@dataclass(frozen=True)
class ViewFacts:
    """What a link is checked against: the registry, the dataset's default view, today, the basemaps."""

    scope_exists: Callable[[Scope], bool]
    default_scope: Scope            # where a link without a (usable) scope opens
    default_scope_name: str         # its name in the registry ("" for the whole country)
    today: dt.date
    basemaps: Collection[str] = (NO_BASEMAP,)   # the kinds this deployment configured
    scope_name: Callable[[Scope], str] = lambda scope: scope.code   # a unit's name, for the notices


@dataclass(frozen=True)
class ViewState:
    scope: Scope
    as_of: dt.date
    lang: str
    basemap: str                    # a configured kind; "none" = outlines on a plain background
    notices: tuple[Notice, ...] = ()


def resolve_view(link: Params, last: Params, facts: ViewFacts, principal: Principal = OPEN) -> ViewState:
    """The view `link` asks for; a parameter it lacks (or leaves empty) comes from `last`, this session's
    last view; a value that cannot be shown is replaced by the default with a notice saying so.  The scope
    stays inside `principal`'s jurisdiction: a link beyond it shows the jurisdiction, with a notice."""
    asked_for = asked(link, last)
    lang = resolve_lang(asked_for["lang"])
    facts = within_jurisdiction(facts, principal, lang)
    scope, scope_notice = resolve_scope(asked_for["scope"], facts, lang)
    scope, clamp_notice = clamp_scope(scope, principal, facts, lang)
    as_of, date_notice = resolve_date(asked_for["date"], facts.today)
    notices = tuple(n for n in (scope_notice, clamp_notice, date_notice) if n is not None)
    return ViewState(scope, as_of, lang, resolve_basemap(asked_for["basemap"], facts.basemaps), notices)


def unit_name(scope: Scope, facts: ViewFacts, lang: str) -> str:
    return facts.scope_name(scope) if scope.digits else t("level.0", lang)


def within_jurisdiction(facts: ViewFacts, principal: Principal, lang: str) -> ViewFacts:
    """`facts` whose default view lies inside the jurisdiction: the dataset's default, else the jurisdiction."""
    if principal.within(facts.default_scope):
        return facts
    own = principal.jurisdiction
    return replace(facts, default_scope=own, default_scope_name=unit_name(own, facts, lang) if own.digits else "")


def clamp_scope(scope: Scope, principal: Principal, facts: ViewFacts, lang: str) -> tuple[Scope, Notice | None]:
    """`scope` when inside the jurisdiction, else the jurisdiction with a notice naming both."""
    clamped, narrowed = principal.clamp(scope)
    if not narrowed:
        return scope, None
    return clamped, Notice("acc.outside", (("asked", unit_name(scope, facts, lang)),
                                           ("name", unit_name(clamped, facts, lang))))


def asked(link: Params, last: Params) -> dict[str, str | None]:
    """Each parameter from the link, or from the session's last view where the link lacks it."""
    return {name: link.get(name) if link.get(name) not in (None, "") else last.get(name) for name in PARAMS}


def resolve_lang(raw: str | None) -> str:
    return raw if raw in LANGS else DEFAULT_LANG


def resolve_scope(raw: str | None, facts: ViewFacts, lang: str) -> tuple[Scope, Notice | None]:
    """The scope a link names (short forms and survey codes accepted), or the default when the registry does
    not know it."""
    if raw is None:
        return facts.default_scope, None
    try:
        scope = Scope.parse(raw)
    except CodeError:
        scope = None
    if scope is not None and facts.scope_exists(scope):
        return scope, None
    name = facts.default_scope_name if facts.default_scope.digits else t("level.0", lang)
    return facts.default_scope, Notice("bad_scope", (("raw", str(raw)), ("name", name)))


def date_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates the picker offers and a link may ask for."""
    return MIN_DATE, today + dt.timedelta(days=FUTURE_DAYS)


def resolve_date(raw: str | None, today: dt.date) -> tuple[dt.date, Notice | None]:
    """The date a link asks for, or today with a notice when it is not a date the picker offers."""
    if not raw:
        return today, None
    low, high = date_range(today)
    try:
        as_of = dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        as_of = None
    if as_of is None or not low <= as_of <= high:
        return today, Notice("bad_date", (("raw", str(raw)), ("low", low.isoformat()), ("high", high.isoformat())))
    return as_of, None


def resolve_basemap(raw: str | None, configured: Collection[str]) -> str:
    """The basemap a link names when this deployment configured it, else none (a key never comes from a link)."""
    return raw if raw in configured else NO_BASEMAP


def facts_from_store(store: Store, today: dt.date, basemaps: Collection[str] = (NO_BASEMAP,)) -> ViewFacts:
    """The facts of `store`: its registry, and the view a link without a scope opens on (the store's
    ``default_scope``: the demo writes its province there; a real deployment opens on the whole country)."""
    default = Scope(store.get_meta("default_scope") or "")
    return ViewFacts(scope_exists=lambda s: not s.digits or store.division(s.code) is not None,
                     default_scope=default, default_scope_name=store.scope_name(default) if default.digits else "",
                     today=today, basemaps=tuple(basemaps), scope_name=store.scope_name)
