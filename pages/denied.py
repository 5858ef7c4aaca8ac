"""A page the user's role does not allow, reached by its link (navigation.GUARDED_PAGES): say so and why, instead of
showing the map without a word.  Nothing of the page itself runs here."""
from __future__ import annotations

import streamlit as st

from ui import navigation, state, widgets

#: what each guarded page asks of its user (the check the page makes first): a refusal here is recorded as that
PAGE_ACTIONS = {"imports": "import", "users": "manage_accounts", "audit": "read_audit"}

ctx = state.current()
path = st.session_state["page_path"]                             # set by app.main for the page it runs
title_key = navigation.GUARDED_PAGES[path]
st.title(ctx.t(title_key))
page = ctx.text(title_key)
if ctx.principal.open_mode:
    st.warning(ctx.t("msg.denied.open", page=page))
else:
    widgets.allowed(ctx, PAGE_ACTIONS[path])         # records the refusal (a typed address past the navigation), once
    st.warning(ctx.t("msg.denied.role", page=page, role=ctx.text(ctx.principal.role.label_key)))
st.page_link(navigation.PAGES / "map.py", label=ctx.t("msg.denied.back"))
