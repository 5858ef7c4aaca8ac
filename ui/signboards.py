"""The gap list page's signboards section: print a county's or a township's boards (公示牌, geo.public.boards), the
list of boards to reprint, and for administrators the county's board settings and a village's new page address.

Thin: the library checks the role and the jurisdiction, records the print, the rotation and the settings in the
audit trail; this draws the widgets."""
from __future__ import annotations

import os
from urllib.parse import urlsplit

import streamlit as st

from geo.core.codes import Scope
from geo.core.errors import UserError
from geo.public import boards, settings, tokens
from geo.public.settings import CountySettings
from ui import widgets
from ui.state import Ctx

#: the public address the boards' QR codes point to, when the deployment sets one (else this page's own)
PUBLIC_URL_ENV = "VILLAGE_COVERAGE_PUBLIC_URL"
REASON_KEYS = {"never": "pub.reason.never", "changed": "pub.reason.changed", "rotated": "pub.reason.rotated"}


def _default_base() -> str:
    configured = os.environ.get(PUBLIC_URL_ENV)
    if configured:
        return configured
    try:
        parts = urlsplit(st.context.url or "")
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def section(ctx: Ctx) -> None:
    st.subheader(ctx.t("pub.ui.title"))
    st.caption(ctx.t("pub.ui.intro"))
    if ctx.scope.level < boards.WIDEST_LEVEL:
        st.info(ctx.t("pub.ui.pick_county"))
        return
    if not ctx.principal.may("signboards"):
        st.info(ctx.t("pub.ui.editors_only"))
        return
    reprint = boards.reprint_list(ctx.store, ctx.scope, ctx.as_of)
    left, mid, right = st.columns([3, 1, 1])
    base = left.text_input(ctx.t("pub.ui.base_url"), value=_default_base(), key="pub_base",
                           help=ctx.text("pub.ui.base_help"))
    paper = mid.selectbox(ctx.t("pub.ui.paper"), boards.PAPERS, key="pub_paper")
    only = right.checkbox(ctx.t("pub.ui.only_reprint"), key="pub_only", disabled=reprint.empty)
    if not base.strip():        # no address known yet (none configured, none from the browser): ask, do not scold
        st.caption(ctx.t("pub.ui.base_help"))
    else:
        _download(ctx, base, paper, only and not reprint.empty)
    _reprint_list(ctx, reprint)
    if ctx.principal.may("rotate_tokens"):
        _settings_form(ctx)
        _rotation(ctx)


def _download(ctx: Ctx, base: str, paper: str, only_reprint: bool) -> None:
    with widgets.user_errors(ctx.lang):
        checked = boards.checked_base_url(base)
        scope, as_of, principal, store = ctx.scope, ctx.as_of, ctx.principal, ctx.store
        widgets.download_button(
            ctx, ctx.t("pub.ui.download"),
            lambda: boards.print_boards(store, principal, scope, as_of, checked, paper=paper,
                                        only_reprint=only_reprint).pdf,
            what="signboards", fmt="pdf", file_name=f"{ctx.text('pub.ui.file')}_{ctx.name}_{ctx.date}.pdf",
            mime="application/pdf", key="dl_signboards", primary=True)


def _reprint_list(ctx: Ctx, frame) -> None:
    if frame.empty:
        st.success(ctx.t("pub.ui.reprint_none"))
        return
    counts = frame["reason"].value_counts()
    st.markdown(ctx.t("pub.ui.reprint_head", n=len(frame), never=int(counts.get("never", 0)),
                      changed=int(counts.get("changed", 0)), rotated=int(counts.get("rotated", 0))))
    table = frame.assign(reason=frame["reason"].map(lambda r: ctx.text(REASON_KEYS[r])),
                         printed_at=frame["printed_at"].dt.strftime("%Y-%m-%d"))
    table.columns = [ctx.text(k) for k in ("pub.col.code", "pub.col.name", "pub.col.township", "pub.col.reason",
                                           "pub.col.printed", "pub.col.board_as_of")]
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 320))


def _settings_form(ctx: Ctx) -> None:
    county = Scope(ctx.scope.digits[:6])
    current = settings.settings_of(ctx.store, county.code)
    with st.expander(ctx.t("pub.ui.settings", county=ctx.store.scope_name(county)),
                     expanded="pub_saved" in st.session_state):
        with st.form("pub_settings"):
            st.text_input(ctx.t("pub.ui.supervision"), value=current.supervision_phone or "", key="pub_s_phone")
            st.text_input(ctx.t("pub.ui.hotline"), value=current.hotline, key="pub_s_hotline")
            st.text_input(ctx.t("pub.ui.time"), value=current.service_time or "", key="pub_s_time",
                          placeholder=ctx.text("pub.default_time"))
            st.text_input(ctx.t("pub.ui.place"), value=current.service_place or "", key="pub_s_place",
                          placeholder=ctx.text("pub.default_place"))
            st.checkbox(ctx.t("pub.ui.show_last"), value=current.show_last_onsite, key="pub_s_show")
            st.form_submit_button(ctx.t("pub.ui.save"), on_click=_save_settings, args=(ctx, county.code))
        done = st.session_state.pop("pub_saved", None)
        if isinstance(done, UserError):
            widgets.show_user_error(done, ctx.lang)
        elif done:
            st.success(ctx.t("pub.ui.saved"))


def _save_settings(ctx: Ctx, county: str) -> None:
    """The form's callback: it runs once, at the click, before the page's run (which may be run again)."""
    state = st.session_state
    try:
        settings.save(ctx.store, ctx.principal, county, CountySettings(
            supervision_phone=state.get("pub_s_phone"), hotline=state.get("pub_s_hotline") or "",
            show_last_onsite=bool(state.get("pub_s_show")), service_time=state.get("pub_s_time"),
            service_place=state.get("pub_s_place")))
        state["pub_saved"] = True
    except UserError as e:
        state["pub_saved"] = e


def _rotation(ctx: Ctx) -> None:
    villages = ctx.store.board_villages(ctx.scope)
    names = dict(zip(villages["code"], villages["name"]))
    with st.expander(ctx.t("pub.ui.rotate"), expanded="pub_rotated" in st.session_state):
        st.caption(ctx.t("pub.ui.rotate_help"))
        chosen = st.selectbox(ctx.t("pub.ui.rotate_village"), list(names), format_func=lambda c: f"{names[c]} {c}",
                              key="pub_rotate_village")
        # a callback: it runs once, at the click, before the page's run (which may be run again)
        st.button(ctx.t("pub.ui.rotate_button"), key="pub_rotate", disabled=chosen is None, on_click=_rotate,
                  args=(ctx, chosen, names.get(chosen, "")))
        done = st.session_state.pop("pub_rotated", None)
        if isinstance(done, UserError):
            widgets.show_user_error(done, ctx.lang)
        elif done:
            st.success(ctx.t("pub.ui.rotated", name=done))


def _rotate(ctx: Ctx, village: str, name: str) -> None:
    try:
        tokens.rotate(ctx.store, ctx.principal, [village])
        st.session_state["pub_rotated"] = name
    except UserError as e:
        st.session_state["pub_rotated"] = e
