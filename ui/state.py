"""What every page of the app shares: the store (one per process) and the view state of this run.

The view state - scope, date, language, basemap - is kept in the URL query parameters ``scope``, ``date``,
``lang``, ``basemap`` so that a link reproduces the view, inside the user's jurisdiction
(:mod:`geo.views.viewstate` checks them).  The entry point (app.py) resolves it once a run into a :class:`Ctx`;
a page reads it with :func:`current`.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from geo.auth.access import OPEN, Principal
from geo.core.codes import Scope
from geo.core.service_rule import DEFAULT_SERVICE, MODES, ServiceSettings
from geo.demo import build_demo
from geo.outputs import basemaps
from geo.outputs.folium_map import Basemap
from geo.store import DB_ENV, Store, default_target, open_store
from geo.text.catalogue import Markdown, bilingual, md, t
from geo.views import advisers, viewstate
from ui.queries import q_ancestors

# --------------------------------------------------------------------------------------------------------- store


@st.cache_resource(show_spinner=False)
def get_store(target: str) -> Store:
    """The process's one store.

    A DuckDB file is opened shared: held read-only between writes, so the CLI's read commands work beside the
    app; the import page's writes take it read-write for their length.  Each thread reads through its own
    cursor; imports and rollbacks write in ``store.transaction()``.  An embedded database that is missing or
    empty is then filled with the demo by :func:`ensure_demo`, once the navigation is registered (it takes a
    while, and an empty store has no accounts: open mode).
    """
    return open_store(target, shared=True)


@st.cache_resource(show_spinner=bilingual("building_demo"))
def ensure_demo(_store: Store, target: str) -> bool:
    """Fill an empty embedded database with the demo, once per process.  A PostgreSQL store is never filled
    automatically (several app servers share it: ``python -m geo init`` or ``demo`` does it once)."""
    if _store.backend == "duckdb" and _store.is_empty():
        build_demo(_store)
    return True


def store_target() -> str:
    """$VILLAGE_COVERAGE_DB, else ``[store] url`` of Streamlit's secrets, else data/coverage.duckdb."""
    try:
        configured = dict(st.secrets.get("store", {})).get("url")
    except Exception:  # no secrets.toml
        configured = None
    return os.environ.get(DB_ENV) or configured or default_target()


def app_store() -> Store:
    """The store this deployment is configured for."""
    return get_store(store_target())


# ---------------------------------------------------------------------------------------------------- view state

@dataclass(frozen=True)
class Ctx:
    """What a page renders: the store and the view state of this run."""

    store: Store
    version: str
    scope: Scope
    as_of: dt.date
    lang: str
    basemap: Basemap
    principal: Principal = OPEN     # who is asking: open mode, or the logged-in account
    service: ServiceSettings = DEFAULT_SERVICE

    @property
    def date(self) -> str:
        return self.as_of.isoformat()

    @property
    def name(self) -> str:
        return scope_name(self, self.scope)

    def t(self, key: str, **values) -> Markdown:
        """The catalogue's text with every value escaped: what st.markdown, st.warning, a label... may show."""
        return md(key, self.lang, **values)

    def text(self, key: str, **values) -> str:
        """The catalogue's text with the values as they are: only for plain-text places (a selectbox option,
        a file name, a table cell), never for anything Streamlit reads as Markdown."""
        return t(key, self.lang, **values)


def scope_name(ctx: Ctx, scope: Scope) -> str:
    if not scope.digits:
        return t("level.0", ctx.lang)
    chain = q_ancestors(ctx.store, ctx.version, scope.digits)
    return chain[-1][1] if chain else scope.code


def scope_chain(ctx: Ctx) -> list[str]:
    """Digits of the user's jurisdiction (the country in open mode), each unit below it down to the scope: the
    selectboxes' selected values and the breadcrumb's parts."""
    chain = [""]
    for code, _ in q_ancestors(ctx.store, ctx.version, ctx.scope.digits):
        digits = Scope.parse(code).digits
        if digits != chain[-1]:
            chain.append(digits)
    return [d for d in chain if d.startswith(ctx.principal.jurisdiction.digits)]


def link_params() -> dict[str, str | None]:
    """The view state the URL asks for."""
    return {name: st.query_params.get(name) for name in viewstate.PARAMS}


def last_view() -> dict[str, str | None]:
    """The view state of this session's last run."""
    return {name: st.session_state.get(f"state_{name}") for name in viewstate.PARAMS}


def basemap_settings() -> dict[str, str]:
    """Basemap settings from Streamlit secrets ([basemap] table) and the environment."""
    try:
        secrets = dict(st.secrets.get("basemap", {}))
    except Exception:  # no secrets.toml: only the environment counts
        secrets = {}
    return basemaps.settings_from(secrets)


def set_state(*, scope: Scope | None = None, as_of: dt.date | None = None, lang: str | None = None,
              basemap: str | None = None) -> None:
    """Write view state to the URL and the session (callbacks and click handlers call this)."""
    if scope is not None:
        if scope.digits != st.session_state.get("state_scope"):
            # a new map widget after every change of scope: the old one still holds its last click
            st.session_state["map_nonce"] = st.session_state.get("map_nonce", 0) + 1
        st.session_state["state_scope"] = scope.digits
        st.query_params["scope"] = scope.digits or viewstate.COUNTRY
    if as_of is not None:
        st.session_state["state_date"] = as_of.isoformat()
        st.query_params["date"] = as_of.isoformat()
    if lang is not None:
        st.session_state["state_lang"] = lang
        st.query_params["lang"] = lang
    if basemap is not None:
        st.session_state["state_basemap"] = basemap
        st.query_params["basemap"] = basemap


def service_settings() -> ServiceSettings:
    """The effective-service rule's settings chosen in the sidebar (the rule's defaults until changed)."""
    window = st.session_state.get("w_window_days", DEFAULT_SERVICE.window_days)
    modes = tuple(m for m in MODES if m in st.session_state.get("w_counting_modes", DEFAULT_SERVICE.counting_modes))
    return ServiceSettings(window_days=int(window), counting_modes=modes or DEFAULT_SERVICE.counting_modes)


def adviser_cap() -> int:
    """Villages per adviser allowed: the sidebar's setting, the guides' 5 until it is changed."""
    return int(st.session_state.get("adviser_cap") or advisers.DEFAULT_CAP)


def open_view(store: Store, principal: Principal, link: dict[str, str | None],
              last: dict[str, str | None]) -> tuple[Ctx, tuple[viewstate.Notice, ...]]:
    """This run's view: the state the link and the last run ask for, checked against the store and the user's
    jurisdiction, written back to the URL and the session; with the notices of what was not allowed."""
    offered = basemaps.available(basemap_settings())
    state = viewstate.resolve_view(link, last, viewstate.facts_from_store(store, dt.date.today(), offered), principal)
    # a chosen basemap stays in the link across pages; none needs no parameter
    set_state(scope=state.scope, as_of=state.as_of, lang=state.lang,
              basemap=state.basemap if state.basemap != viewstate.NO_BASEMAP else None)
    ctx = Ctx(store, store.data_version(), state.scope, state.as_of, state.lang, offered[state.basemap], principal,
              service_settings())
    st.session_state["ctx"] = ctx
    st.session_state.setdefault("adviser_cap", advisers.DEFAULT_CAP)
    return ctx, state.notices


def current() -> Ctx:
    """The context the entry point prepared for this run (pages call this first)."""
    # Streamlit decides per process, before the first run, to treat a folder named pages/ as its old file-based
    # navigation; only a call of st.navigation switches that off.  Until then a page URL runs the page script
    # alone, without the entry point (first request of a fresh server; every AppTest run).  Switch it off and run
    # again, this time through st.navigation.
    if PagesManager.uses_pages_directory or "ctx" not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state["ctx"]
