"""One run of the app's script (app.py): page set-up, who is asking, the navigation, the view state, the sidebar,
then the page.

The pages in ``pages/`` import what they share from :mod:`ui`, never from app.py.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo.core.memory import return_large_blocks
from geo.outputs.assets import ensure_static
from geo.store import StoreError
from geo.text.catalogue import t
from geo.views import viewstate
from ui import login, navigation, state, widgets
from ui.streamlit_words import streamlit_words

APP_DIR = Path(__file__).resolve().parent.parent


def main() -> None:
    return_large_blocks()          # the server process's, once
    # no icons (page_icon, st.Page icon): an emoji or :material: favicon is fetched from a public server
    st.set_page_config(page_title=t("app_title", "zh"), layout="wide")
    ensure_static(APP_DIR / "static")
    link, last = state.link_params(), state.last_view()
    lang = viewstate.resolve_lang(viewstate.asked(link, last)["lang"])
    streamlit_words(lang)
    try:
        store = state.app_store()
    except StoreError as e:   # the file is held by another process: say so, no traceback
        st.navigation(navigation.app_pages(None, lang), position="hidden")
        widgets.show_user_error(e, lang)
        st.stop()
    principal = login.signed_in(store)       # an empty store (first start) has no accounts: open mode
    # the navigation before anything slow: until st.navigation runs, Streamlit lists the raw files of pages/
    nav = st.navigation(navigation.app_pages(principal, lang), position="sidebar" if principal else "hidden")
    state.ensure_demo(store, state.store_target())
    if principal is None:
        login.gate(lang)
    if "login_ticket" in st.session_state:
        login.cookie_handover(lang)

    ctx, notices = state.open_view(store, principal, link, last)
    widgets.sidebar(ctx)
    if principal.open_mode:
        st.info(ctx.t("acc.open_banner"))
    for notice in notices:
        st.warning(notice.text(ctx.lang))
    st.session_state["page_path"] = nav.url_path       # pages/denied.py says which page it stands for
    nav.run()
