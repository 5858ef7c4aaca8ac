"""The app's shared widgets: the sidebar (language, date, scope pickers, cap, basemap, service rule, who is
logged in), the title and breadcrumb over every page, download buttons that audit what they hand out, paged
tables, the way an error the user can act on is shown, and the small formatters of page text."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from geo.auth import audit, web_login
from geo.auth.access import AccessDenied
from geo.core.codes import Scope
from geo.core.coverage import Counts
from geo.core.errors import UserError
from geo.core.service_rule import DEFAULT_SERVICE, MODES
from geo.outputs import basemaps, downloads
from geo.text.catalogue import LANGS, Markdown, escape_markdown, level_label, t
from geo.text.formats import figures_values
from geo.views import advisers, viewstate
from geo.views.gap_list import page_count, page_rows
from ui.login import on_logout
from ui.queries import q_child_level, q_children, q_totals
from ui.state import Ctx, basemap_settings, scope_chain, scope_name, set_state


def _on_basemap() -> None:
    set_state(basemap=st.session_state["w_basemap"])


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
    st.button(ctx.t("login.logout"), key="logout", on_click=on_logout)


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
    (geo.outputs.downloads; ui.routes.MediaGuard refuses every other fetch of it)."""
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


def page_part(rows: int, key: str) -> slice:
    """The rows :func:`paged` with the same `key` returns on this run, known before its input is drawn: a page
    that reads only those rows reads them first."""
    return page_rows(rows, int(st.session_state.get(key) or 1))


def page_caption(ctx: Ctx, part: slice, rows: int, caption_key: str = "list.page_rows") -> None:
    """Under a paged table: which rows of how many it shows (nothing when it shows them all)."""
    if part.stop - part.start < rows:
        st.caption(ctx.t(caption_key, first=f"{part.start + 1:,}", last=f"{part.stop:,}", n=f"{rows:,}"))


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
