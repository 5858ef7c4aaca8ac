"""村居法律顾问覆盖图 - the Streamlit app: thin views over the geo library.

Run with ``streamlit run app.py``.  This script holds what every page shares: the store (one per process), who
is asking (open mode, or the account of the login cookie: :mod:`geo.auth.web_login`), the view state (scope, date,
language, basemap - kept in the URL query parameters ``scope``, ``date``, ``lang``, ``basemap`` so a link
reproduces the view, inside the user's jurisdiction; :mod:`geo.views.viewstate` checks them), the sidebar controls, the
breadcrumb and the cached queries.  The pages in ``pages/`` import this module (``import app``); the
navigation itself runs only when this file is the main script.  ``server`` at the bottom is the ``st.App`` that
``streamlit run app.py`` finds and serves: Streamlit plus the login cookie's two routes (app_routes.py).
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

import app_routes
from geo.auth import accounts, audit, web_login
from geo.auth.access import OPEN, AccessDenied, Principal
from geo.core.codes import Scope
from geo.core.coverage import Counts
from geo.core.errors import UserError
from geo.core.service_rule import DEFAULT_SERVICE, MODES, ServiceSettings
from geo.demo import build_demo
from geo.outputs import basemaps, downloads
from geo.outputs.assets import ensure_static
from geo.outputs.folium_map import Basemap
from geo.planning import GapPlan, plan_gaps
from geo.store import DB_ENV, Store, StoreError, default_target, open_store
from geo.text.catalogue import LANGS, Markdown, escape_markdown, level_label, md, t
from geo.text.formats import figures_values, period_text  # noqa: F401  (pages/imports.py calls app.period_text)
from geo.views import advisers, viewstate
from geo.views import map_view as map_data
from geo.views.gap_list import page_count, page_rows

APP_DIR = Path(__file__).resolve().parent


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


@st.cache_resource(show_spinner=f"{t('building_demo', 'zh')} / {t('building_demo', 'en')}")
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


# ------------------------------------------------------------------------------------------------ cached queries
# `_store` is not hashed; the version string, the scope digits, the date, the language and the effective-service
# settings (a frozen dataclass, hashed by value) are the key.

@st.cache_data(show_spinner=False, max_entries=256)
def q_totals(_store: Store, version: str, digits: str, as_of: str,
             service: ServiceSettings = DEFAULT_SERVICE) -> Counts:
    return _store.totals(Scope(digits), as_of, service=service)


@st.cache_data(show_spinner=False, max_entries=256)
def q_adviser_stats(_store: Store, version: str, digits: str, as_of: str) -> tuple[int, float]:
    return _store.adviser_stats(Scope(digits), as_of)


@st.cache_data(show_spinner=False, max_entries=256)
def q_child_level(_store: Store, version: str, digits: str) -> int | None:
    return _store.child_level(Scope(digits))


@st.cache_data(show_spinner=False, max_entries=256)
def q_children(_store: Store, version: str, digits: str) -> pd.DataFrame:
    return _store.children(Scope(digits), q_child_level(_store, version, digits))


@st.cache_data(show_spinner=False, max_entries=256)
def q_summary(_store: Store, version: str, digits: str, as_of: str, level: int,
              service: ServiceSettings = DEFAULT_SERVICE) -> pd.DataFrame:
    return _store.summary(Scope(digits), as_of, by=level, service=service)


# a national list is 600,000 rows, 100 MB: kept as it is (no pickled copy per run, as cache_data makes), a few at a
# time; the pages only read it
@st.cache_resource(show_spinner=False, max_entries=8, ttl=dt.timedelta(minutes=30))
def q_village_statuses(_store: Store, version: str, digits: str, as_of: str, statuses: tuple[str, ...],
               township: str | None, service: ServiceSettings = DEFAULT_SERVICE) -> pd.DataFrame:
    return _store.village_statuses(Scope(digits), as_of, statuses=list(statuses), township=township,
                                   service=service)


@st.cache_data(show_spinner=False, max_entries=64)
def q_no_data_counties(_store: Store, version: str, digits: str, as_of: str) -> pd.DataFrame:
    return _store.no_data_counties(Scope(digits), as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def q_gap_plan(_store: Store, version: str, digits: str, as_of: str, cap: int, max_km: float | None) -> GapPlan:
    return plan_gaps(_store, Scope(digits), as_of, cap=cap, max_km=max_km)


@st.cache_data(show_spinner=False, max_entries=128)
def q_trend(_store: Store, version: str, digits: str, as_of: str,
            service: ServiceSettings = DEFAULT_SERVICE) -> pd.DataFrame:
    return _store.trend(Scope(digits), as_of, months=24, service=service)


@st.cache_data(show_spinner=False, max_entries=64)
def q_map_view(_store: Store, version: str, digits: str, as_of: str, lang: str,
               service: ServiceSettings = DEFAULT_SERVICE, layer: str = "coverage") -> map_data.MapView:
    return map_data.map_view(_store, Scope(digits), dt.date.fromisoformat(as_of), lang=lang, service=service,
                             layer=layer)


# a national register is 200,000 people and 576,000 villages served: kept as it is, not pickled and unpickled on
# every run of the page (cache_data: 1.3 s of a national page's 2.5 s); the pages only read it
@st.cache_resource(show_spinner=False, max_entries=6, ttl=dt.timedelta(minutes=30))
def q_register(_store: Store, version: str, digits: str, as_of: str, cap: int,
               service: ServiceSettings = DEFAULT_SERVICE) -> advisers.Register:
    return advisers.register(_store, Scope(digits), dt.date.fromisoformat(as_of), cap=cap, service=service)


@st.cache_data(show_spinner=False, max_entries=128)
def q_loads(_store: Store, version: str, digits: str, as_of: str, cap: int) -> advisers.Loads:
    """The summary's loads chart: counted by the store, without building the register."""
    return advisers.loads(_store, Scope(digits), dt.date.fromisoformat(as_of), cap=cap)


@st.cache_data(show_spinner=False, max_entries=64)
def q_renewals(_store: Store, version: str, digits: str, as_of: str, days: int) -> advisers.Renewals:
    return advisers.renewals(_store, Scope(digits), dt.date.fromisoformat(as_of), days=days)


@st.cache_data(show_spinner=False, max_entries=16)
def q_report(_store: Store, version: str, digits: str, as_of: str, lang: str, fmt: str, issuer: str,
             cap: int = advisers.DEFAULT_CAP) -> bytes:
    """The leaders' briefing as file bytes, built when its download is clicked (and kept per data version)."""
    from geo.briefing import build_report

    return build_report(_store, Scope(digits), dt.date.fromisoformat(as_of), fmt, lang=lang, issuer=issuer or None,
                        cap=cap)


@st.cache_data(show_spinner=False, max_entries=256)
def q_first_service_day(_store: Store, version: str, digits: str) -> dt.date | None:
    return _store.first_service_day(Scope(digits))


@st.cache_data(show_spinner=False, max_entries=256)
def q_ancestors(_store: Store, version: str, digits: str) -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in _store.ancestors(Scope(digits))]


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


def _link() -> dict[str, str | None]:
    return {name: st.query_params.get(name) for name in viewstate.PARAMS}


def _last_view() -> dict[str, str | None]:
    return {name: st.session_state.get(f"state_{name}") for name in viewstate.PARAMS}


def basemap_settings() -> dict[str, str]:
    """Basemap settings from Streamlit secrets ([basemap] table) and the environment."""
    try:
        secrets = dict(st.secrets.get("basemap", {}))
    except Exception:  # no secrets.toml: only the environment counts
        secrets = {}
    return basemaps.settings_from(secrets)


def _on_basemap() -> None:
    set_state(basemap=st.session_state["w_basemap"])


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


def current() -> Ctx:
    """The context the main script prepared for this run (pages call this first)."""
    from streamlit.runtime.pages_manager import PagesManager

    # Streamlit decides per process, before the first run, to treat a folder named pages/ as its old file-based
    # navigation; only a call of st.navigation switches that off.  Until then a page URL runs the page script
    # alone, without this script (first request of a fresh server; every AppTest run).  Switch it off and run
    # again, this time through st.navigation.
    if PagesManager.uses_pages_directory or "ctx" not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state["ctx"]


# ------------------------------------------------------------------------------------------------ shared widgets

def _on_lang() -> None:
    set_state(lang=st.session_state["w_lang"])


#: what the date box accepts from the keyboard: wider than the dates offered, so that a date typed outside them
#: reaches the app and is refused with a word (the browser's picker would drop it without one)
PICKER_BOUNDS = (dt.date(1900, 1, 1), dt.date(2099, 12, 31))


def _on_date() -> None:
    value = st.session_state["w_date"]
    if not value:
        return
    low, high = viewstate.date_range(dt.date.today())
    if low <= value <= high:
        set_state(as_of=value)
    else:
        st.session_state["date_refused"] = value.isoformat()


def _on_pick(key: str, parent: str) -> None:
    choice = st.session_state[key]
    set_state(scope=Scope(choice if choice else parent))


def scope_chain(ctx: Ctx) -> list[str]:
    """Digits of the user's jurisdiction (the country in open mode), each unit below it down to the scope: the
    selectboxes' selected values and the breadcrumb's parts."""
    chain = [""]
    for code, _ in q_ancestors(ctx.store, ctx.version, ctx.scope.digits):
        digits = Scope.parse(code).digits
        if digits != chain[-1]:
            chain.append(digits)
    return [d for d in chain if d.startswith(ctx.principal.jurisdiction.digits)]


def scope_picker(ctx: Ctx) -> None:
    """One selectbox per level below the country, down to townships (东莞 has no county box)."""
    st.markdown(f"**{ctx.t('scope')}**")
    chain = scope_chain(ctx)
    for i, parent in enumerate(chain):
        level = q_child_level(ctx.store, ctx.version, parent)
        if level is None or level >= 5:
            break
        kids = q_children(ctx.store, ctx.version, parent)
        options = [""] + [Scope.parse(c).digits for c in kids["code"]]
        names = dict(zip(options[1:], kids["name"]))
        selected = chain[i + 1] if i + 1 < len(chain) else ""
        key = f"w_pick_{i}"
        st.session_state[key] = selected if selected in names else ""
        st.selectbox(cap(level_label(level, ctx.lang)), options, key=key,
                     format_func=lambda d, names=names: names.get(d, t("scope.all", ctx.lang)),
                     on_change=_on_pick, args=(key, parent))


def service_settings() -> ServiceSettings:
    """The effective-service rule's settings chosen in the sidebar (the rule's defaults until changed)."""
    window = st.session_state.get("w_window_days", DEFAULT_SERVICE.window_days)
    modes = tuple(m for m in MODES if m in st.session_state.get("w_counting_modes", DEFAULT_SERVICE.counting_modes))
    return ServiceSettings(window_days=int(window), counting_modes=modes or DEFAULT_SERVICE.counting_modes)


def service_settings_box(ctx: Ctx) -> None:
    with st.expander(ctx.t("svc.settings")):
        st.number_input(ctx.t("svc.window_days"), min_value=1, max_value=730, step=1, key="w_window_days",
                        value=DEFAULT_SERVICE.window_days, help=ctx.t("svc.window_help"))
        st.multiselect(ctx.t("svc.counting_modes"), MODES, key="w_counting_modes",
                       default=list(DEFAULT_SERVICE.counting_modes), select_all=False,
                       placeholder=ctx.text("select.placeholder"),
                       format_func=lambda m: ctx.text(f"svc.mode.{m}"))


def sidebar(ctx: Ctx) -> None:
    with st.sidebar:
        st.session_state["w_lang"] = ctx.lang
        st.radio(t("language", ctx.lang), LANGS, key="w_lang", horizontal=True,
                 format_func=lambda code: t(f"lang.{code}", code), on_change=_on_lang)
        st.session_state["w_date"] = ctx.as_of
        low, high = viewstate.date_range(dt.date.today())
        span = {"low": low.isoformat(), "high": high.isoformat()}
        st.date_input(ctx.t("date"), key="w_date", min_value=PICKER_BOUNDS[0], max_value=PICKER_BOUNDS[1],
                      help=f"{ctx.t('date.help')} {ctx.t('msg.date.range', **span)}", format="YYYY-MM-DD",
                      on_change=_on_date)
        if refused := st.session_state.pop("date_refused", None):
            st.warning(ctx.t("msg.date.refused", raw=refused, used=ctx.date, **span))
        scope_picker(ctx)
        st.number_input(ctx.t("adv.cap"), min_value=1, max_value=advisers.MAX_CAP, step=1, key="adviser_cap",
                        help=ctx.t("adv.cap.help"))
        offered = basemaps.available(basemap_settings())
        if len(offered) > 1:   # only a deployment that configured a basemap sees the choice
            st.session_state["w_basemap"] = ctx.basemap.kind
            st.selectbox(ctx.t("basemap"), list(offered), key="w_basemap", on_change=_on_basemap,
                         format_func=lambda k: ctx.t(f"basemap.{k}"))
        service_settings_box(ctx)
        if ctx.store.get_meta("dataset") == "demo":
            st.caption(ctx.t("demo_note"))
        if ctx.principal.logged_in:
            user_box(ctx)


def user_box(ctx: Ctx) -> None:
    """Who is logged in (name, role, jurisdiction) and the logout button."""
    st.divider()
    p = ctx.principal
    st.markdown(ctx.t("login.who", name=p.display_name, user=p.username))
    st.caption(ctx.t("login.role_scope", role=ctx.text(p.role.label_key), scope=scope_name(ctx, p.jurisdiction)))
    st.button(ctx.t("login.logout"), key="logout", on_click=_on_logout)


def record_download(ctx: Ctx, what: str, fmt: str, detail: dict | None = None) -> None:
    """A download goes into the audit trail: what, where, as of when, and the rest of `detail`."""
    audit.record(ctx.store, ctx.principal, "export", ctx.scope,
                 {"what": what, "format": fmt, "as_of": ctx.date, **(detail or {})})


def download_button(ctx: Ctx, label: str, build: Callable[[], bytes], *, what: str, fmt: str, file_name: str,
                    mime: str, key: str, detail: dict | None = None, primary: bool = False,
                    disabled: bool = False, help: str | None = None) -> None:
    """Every download button of the app.  Nothing is built while the page runs: Streamlit calls the builder
    when the button is clicked (in a thread of its own, with no page run), and the export goes into the audit
    trail as it is built.  The built file is then announced for one fetch by this browser's login cookie
    (geo.outputs.downloads; app_routes.MediaGuard refuses every other fetch of it)."""
    owner = downloads.owner_of(st.context.cookies.get(web_login.COOKIE_NAME))

    def built() -> bytes:
        data = build()
        record_download(ctx, what, fmt, detail)
        downloads.PENDING.add(data, owner)
        return data

    st.download_button(label, built, file_name=file_name, mime=mime, on_click="ignore", key=key,
                       type="primary" if primary else "secondary", disabled=disabled, help=help)


def paged(ctx: Ctx, rows: int, key: str) -> slice:
    """The rows of a long list to draw on this run (geo.views.gap_list.PAGE_ROWS a page): with more than one page, a
    page number input keyed `key` first.  The download has every row; the browser gets one page."""
    pages = page_count(rows)
    page = 1
    if pages > 1:
        page = int(st.number_input(ctx.t("gaps.page"), min_value=1, max_value=pages, value=1, step=1, key=key,
                                   width=160))
    return page_rows(rows, page)


def page_caption(ctx: Ctx, part: slice, rows: int, caption_key: str = "list.page_rows") -> None:
    """Under a paged table: which rows of how many it shows (nothing when it shows them all)."""
    if part.stop - part.start < rows:
        st.caption(ctx.t(caption_key, first=f"{part.start + 1:,}", last=f"{part.stop:,}", n=f"{rows:,}"))


def adviser_cap() -> int:
    """Villages per adviser allowed: the sidebar's setting, the guides' 5 until it is changed."""
    return int(st.session_state.get("adviser_cap") or advisers.DEFAULT_CAP)


def breadcrumb(ctx: Ctx) -> None:
    """全国 › 陕西省 › 西安市 › 周至县: every part but the last goes back up to it."""
    chain = scope_chain(ctx)
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        for i, digits in enumerate(chain):
            label = scope_name(ctx, Scope(digits))
            if i + 1 < len(chain):
                st.button(escape_markdown(label), key=f"crumb_{i}", type="tertiary", on_click=set_state,
                          kwargs={"scope": Scope(digits)})
                st.markdown("›", width="content")
            else:
                st.markdown(bold(label), width="content")


def page_counts(ctx: Ctx, title_key: str) -> Counts:
    """Title, breadcrumb and the scope's village counts; a scope without villages ends the page with a note."""
    st.title(ctx.t(title_key))
    breadcrumb(ctx)
    counts = q_totals(ctx.store, ctx.version, ctx.scope.digits, ctx.date, ctx.service)
    if not counts.villages:
        st.info(ctx.t("no_villages", name=ctx.name))
        st.stop()
    return counts


def show_user_error(error: UserError, lang: str) -> None:
    """The one way the app shows an error the user can act on: in the page's language when it came from the
    catalogue (in both otherwise), escaped for Markdown (it names files and values from outside)."""
    st.error(escape_markdown(error.text(lang)))


@contextmanager
def user_errors(lang: str) -> Iterator[None]:
    """Where a page does something the user's input can refuse: a :class:`UserError` raised in the block is
    shown (:func:`show_user_error`) and the page goes on; anything else is a bug and keeps its traceback."""
    try:
        yield
    except UserError as e:
        show_user_error(e, lang)


def allowed(ctx: Ctx, action: str) -> bool:
    """Whether the user may `action` (a page of theirs: imports, accounts, the audit trail); a refusal (a typed
    address past the navigation) is recorded in the audit trail, once a session."""
    try:
        ctx.principal.require(action)
        return True
    except AccessDenied as e:
        if not st.session_state.get(f"refused_{action}"):
            st.session_state[f"refused_{action}"] = True
            audit.record_refusal(ctx.store, ctx.principal, action, e)
        return False


# ------------------------------------------------------------------------------ Streamlit's own words, in ours
# Streamlit 1.67 writes a few words of its widgets itself, in English only, with no parameter for them: the file
# uploader's button and limits, and "Press Enter to apply / submit form" under a typed input.  Its DOM names
# them by data-testid; the English is hidden (display: none, so it is not on the page's text) and ours is shown
# in its place as generated content.  Our own catalogue text only, written as CSS string literals.
_UPLOAD_BUTTON = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]'
_UPLOAD_HINT = '[data-testid="stFileUploaderDropzoneInstructions"]'
_UPLOAD_DRAG = '[data-testid="stFileUploaderDropzone"] > div:not([data-testid])'    # shown while a file is dragged


def css_string(text: str) -> str:
    """`text` as a CSS string literal (quotes, backslashes and line breaks escaped)."""
    return '"' + "".join(f"\\{ord(c):x} " if c in '"\\\n\r<>' else c for c in text) + '"'


def uploader_css(button: str, hint: str, drop: str) -> str:
    """The file uploader's button, the line beside it and what it says while a file is dragged over it, in our
    words."""
    return (f"{_UPLOAD_BUTTON} p, {_UPLOAD_HINT} span, {_UPLOAD_DRAG} > span {{ display: none; }}\n"
            f"{_UPLOAD_BUTTON}::after {{ content: {css_string(button)}; }}\n"
            f"{_UPLOAD_HINT} > div::after {{ content: {css_string(hint)}; font-size: 0.875rem; }}\n"
            f"{_UPLOAD_DRAG}::after {{ content: {css_string(drop)}; }}")


_SKIP_LINK = '[data-testid="stSkipToContent"]'
# a picker's list with nothing matching what was typed: Streamlit's "No results" is the one option's text
_NO_OPTIONS = ('[data-testid="stMultiSelectDropdown"] [role="listbox"][data-empty="true"]',
               '[data-testid="stSelectboxVirtualDropdown"] [role="listbox"][data-empty="true"]')


def streamlit_words(lang: str) -> None:
    """Every page: in Chinese, no English "Press Enter to apply" under a typed input (an input is applied when
    it loses focus too, so the hint is not needed), and the keyboard's "Skip to main content" link and a
    picker's "No results" in ours."""
    if lang != "zh":
        return
    skip, none = css_string(t("msg.skip_to_content", lang)), css_string(t("msg.no_options", lang))
    st.html("<style>"
            '[data-testid="InputInstructions"] { display: none; }\n'
            f"{_SKIP_LINK} {{ font-size: 0 !important; }}\n"
            f"{_SKIP_LINK}::after {{ content: {skip}; font-size: 0.875rem; }}\n"
            f"{', '.join(f'{e} [role=option] span' for e in _NO_OPTIONS)} {{ display: none; }}\n"
            f"{', '.join(f'{e}::after' for e in _NO_OPTIONS)} {{ content: {none}; display: block; "
            "text-align: center; padding: 1rem; font-size: 0.875rem; opacity: 0.6; }"
            "</style>")


def kv(ctx: Ctx, key: str, value: object) -> Markdown:
    """"状态：已覆盖" / "Status: covered", the value escaped unless it is Markdown already."""
    label, value = ctx.t(key), escape_markdown(value)
    return Markdown(f"{label}：{value}" if ctx.lang == "zh" else f"{cap(label)}: {value}")


def bold(value: object) -> Markdown:
    return Markdown(f"**{escape_markdown(value)}**")


def cap(text: str) -> str:
    """"province" -> "Province" for a label standing alone (Chinese is unchanged)."""
    return text[:1].upper() + text[1:]


def figures_line(ctx: Ctx, counts: Counts) -> Markdown:
    return ctx.t("figures", name=ctx.name, **figures_values(counts))


# --------------------------------------------------------------------------------------------------------- login

def _auth_table() -> dict:
    """``[login]`` of Streamlit's secrets: session_hours, idle_minutes, secure_cookie (not ``[auth]``, which
    Streamlit's own OIDC login reads)."""
    try:
        return dict(st.secrets.get("login", {}))
    except Exception:  # no secrets.toml: the defaults
        return {}


def auth_settings() -> accounts.AuthSettings:
    return accounts.AuthSettings.from_mapping(_auth_table())


def cookie_policy() -> web_login.CookiePolicy:
    return web_login.CookiePolicy.from_mapping(_auth_table(), auth_settings().session_hours)


def signed_in(store: Store) -> Principal | None:
    """Who is asking: everyone in open mode (no accounts); else the account of a live session - this browser
    session's own login, or the login cookie's - or None (the login form)."""
    if not accounts.has_accounts(store):
        return OPEN
    idle = auth_settings().idle_minutes
    from_cookie = web_login.verify(accounts.cookie_secret(store), st.context.cookies.get(web_login.COOKIE_NAME))
    for token in (st.session_state.get("login_token"), from_cookie):
        if token and (principal := accounts.session_principal(store, token, idle_minutes=idle)) is not None:
            st.session_state["login_token"] = token
            return principal
    st.session_state.pop("login_token", None)
    return None


def _on_login() -> None:
    """The form's button: check the password (the same answer for any failure), start a session and a ticket
    for the cookie route.  The password leaves the session state here."""
    store = get_store(store_target())
    account = accounts.authenticate(store, st.session_state.get("login_user", ""),
                                    st.session_state.get("login_password", ""))
    st.session_state["login_password"] = ""
    if account is None:
        st.session_state["login_failed"] = True
        return
    token = accounts.start_session(store, account, hours=auth_settings().session_hours)
    st.session_state.update(login_token=token, login_failed=False)
    # the cookie's ticket is bound to this browser's nonce; a browser that keeps no cookie stays logged in in
    # this tab only (the session state), as far as a reload
    if browser := st.context.cookies.get(web_login.NONCE_COOKIE):
        st.session_state["login_ticket"] = web_login.issue_ticket(store, token, browser)


def _on_logout() -> None:
    """End the session in the store at once (every tab of this browser finds it ended at its next run), then
    send the browser to the route that clears the cookie."""
    token = st.session_state.pop("login_token", None)
    if token:
        accounts.end_session(get_store(store_target()), token)
    st.session_state["logged_out"] = True


def go_to(path: str, *, with_page: bool) -> None:
    """Send the browser to `path` on this site (a login route); `with_page`: with the page it is on as ``next``,
    so that it comes back to the same link."""
    target = f"{path}&next=' + encodeURIComponent(location.pathname + location.search) + '" if with_page else path
    st.html(f"<script>window.location.replace('{target}');</script>", unsafe_allow_javascript=True)


def post_to(path: str) -> None:
    """Send the browser to `path` on this site by a POST (the logout: a request only this site's page makes)."""
    st.html(f"<script>const f = document.createElement('form'); f.method = 'POST'; f.action = '{path}'; "
            "document.body.appendChild(f); f.submit();</script>", unsafe_allow_javascript=True)


def fetch_nonce() -> None:
    """Before the login form: a browser without its nonce cookie fetches one and comes back (once per tab, so
    that a browser refusing cookies is not sent round for ever: it logs in for this tab only)."""
    if st.context.cookies.get(web_login.NONCE_COOKIE):
        return
    target = f"{web_login.PREPARE_PATH}?next=' + encodeURIComponent(location.pathname + location.search)"
    st.html("<script>if (!sessionStorage.getItem('village_coverage_nonce')) {"
            "sessionStorage.setItem('village_coverage_nonce', '1'); "
            f"window.location.replace('{target});}}</script>", unsafe_allow_javascript=True)


def login_form(lang: str) -> None:
    """The only thing shown before a login: no figure, name or map."""
    st.title(t("app_title", lang))
    st.subheader(t("login.title", lang))
    st.caption(md("login.intro", lang))
    with st.form("login", width=420):
        st.text_input(t("login.username", lang), key="login_user", autocomplete="username")
        st.text_input(t("login.password", lang), key="login_password", type="password",
                      autocomplete="current-password")
        st.form_submit_button(t("login.submit", lang), type="primary", on_click=_on_login)
    if st.session_state.get("login_failed"):
        st.error(md("login.failed", lang))


def cookie_handover(lang: str) -> None:
    """Right after a login: the browser fetches the cookie with the one-time ticket and comes back here."""
    ticket = st.session_state.pop("login_ticket")
    st.info(md("login.entering", lang))
    go_to(f"{web_login.START_PATH}?ticket={ticket}", with_page=True)
    st.stop()


# ---------------------------------------------------------------------------------------------------------- main

#: the pages a role may not reach: url path -> title key
GUARDED_PAGES = {"imports": "page.imports", "users": "page.users", "audit": "page.audit"}


def refused_pages(lang: str, shown: list) -> list:
    """The guarded pages missing from `shown`, as hidden pages under their own links: a link to one says why it
    is not there (pages/denied.py) instead of landing on the map without a word."""
    listed = {page.url_path for page in shown}
    return [st.Page(APP_DIR / "pages" / "denied.py", title=t(key, lang), url_path=path, visibility="hidden")
            for path, key in GUARDED_PAGES.items() if path not in listed]


def app_pages(principal: Principal | None, lang: str) -> list | dict:
    """The navigation: maps, gap list and summary for everyone; imports for editors and administrators (and
    in open mode); the account and audit pages for administrators who logged in.  Any other guarded page is
    there, hidden, only to say that the role does not allow it."""
    pages = [st.Page(APP_DIR / "pages" / "map.py", title=t("page.map", lang), url_path="map", default=True),
             st.Page(APP_DIR / "pages" / "gaps.py", title=t("page.gaps", lang), url_path="gaps"),
             st.Page(APP_DIR / "pages" / "summary.py", title=t("page.summary", lang), url_path="summary"),
             st.Page(APP_DIR / "pages" / "advisers.py", title=t("page.advisers", lang), url_path="advisers")]
    if principal is None or principal.may("import"):
        pages.append(st.Page(APP_DIR / "pages" / "imports.py", title=t("page.imports", lang), url_path="imports"))
    if principal is None:
        return pages
    if not principal.logged_in or not principal.may("manage_accounts"):
        return pages + refused_pages(lang, pages)
    admin = [st.Page(APP_DIR / "pages" / "users.py", title=t("page.users", lang), url_path="users"),
             st.Page(APP_DIR / "pages" / "audit.py", title=t("page.audit", lang), url_path="audit")]
    return {"": pages, t("nav.admin", lang): admin}


def main() -> None:
    # no icons (page_icon, st.Page icon): an emoji or :material: favicon is fetched from a public server
    st.set_page_config(page_title=t("app_title", "zh"), layout="wide")
    ensure_static(APP_DIR / "static")
    link, last = _link(), _last_view()
    lang = viewstate.resolve_lang(viewstate.asked(link, last)["lang"])
    streamlit_words(lang)
    try:
        store = get_store(store_target())
    except StoreError as e:   # the file is held by another process: say so, no traceback
        st.navigation(app_pages(None, lang), position="hidden")
        show_user_error(e, lang)
        st.stop()
    principal = signed_in(store)       # an empty store (first start) has no accounts: open mode
    # the navigation before anything slow: until st.navigation runs, Streamlit lists the raw files of pages/
    nav = st.navigation(app_pages(principal, lang), position="sidebar" if principal else "hidden")
    ensure_demo(store, store_target())
    if principal is None:
        st.session_state.pop("ctx", None)          # no page may run on a context left from before
        if st.session_state.pop("logged_out", False):
            post_to(f"{web_login.END_PATH}?next=/")
        else:
            fetch_nonce()
        login_form(lang)
        st.stop()
    if "login_ticket" in st.session_state:
        cookie_handover(lang)

    offered = basemaps.available(basemap_settings())
    state = viewstate.resolve_view(link, last, viewstate.facts_from_store(store, dt.date.today(), offered), principal)
    # a chosen basemap stays in the link across pages; none needs no parameter
    set_state(scope=state.scope, as_of=state.as_of, lang=state.lang,
              basemap=state.basemap if state.basemap != viewstate.NO_BASEMAP else None)
    ctx = Ctx(store, store.data_version(), state.scope, state.as_of, state.lang, offered[state.basemap], principal,
              service_settings())
    st.session_state["ctx"] = ctx

    st.session_state.setdefault("adviser_cap", advisers.DEFAULT_CAP)
    sidebar(ctx)
    if principal.open_mode:
        st.info(ctx.t("acc.open_banner"))
    for notice in state.notices:
        st.warning(notice.text(state.lang))
    st.session_state["page_path"] = nav.url_path       # pages/denied.py says which page it stands for
    nav.run()


#: what ``streamlit run app.py`` serves: the app, plus the login cookie's routes on the same port
server = st.App(__file__, routes=app_routes.routes(lambda: get_store(store_target()), cookie_policy),
                middleware=app_routes.middleware())


if __name__ == "__main__":
    import app as _app  # the pages import this module: run its copy so that all share one set of caches

    _app.main()
