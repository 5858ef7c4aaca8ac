"""用户管理: the accounts inside the administrator's jurisdiction - list, add, disable / enable, reset a password.

Every change goes through geo.auth.accounts, which checks the role and the jurisdiction again and records it in the
audit trail; this page only draws the forms.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.auth import accounts
from geo.auth.access import Role
from geo.core.codes import CodeError, Scope
from geo.core.errors import UserError
from ui import state, widgets

ctx = state.current()
me = ctx.principal
st.title(ctx.t("page.users"))
if not widgets.allowed(ctx, "manage_accounts"):
    st.warning(ctx.t("acc.admin_only"))
    st.stop()
st.caption(ctx.t("users.intro", name=state.scope_name(ctx, me.jurisdiction)))


def unit(scope: Scope) -> str:
    return state.scope_name(ctx, scope)


def clear(*keys: str) -> None:
    for key in keys:
        st.session_state[key] = ""


def _on_add() -> None:
    s = st.session_state
    try:
        if s["u_pw"] != s["u_pw2"]:
            raise UserError(key="acc.e.mismatch")
        scope = Scope.parse(s["u_scope"] or me.jurisdiction.digits)
        accounts.add_account(ctx.store, me, s["u_name"], Role(s["u_role"]), scope, s["u_pw"],
                             display_name=s["u_display"])
        s["users_done"] = ctx.t("users.created", user=s["u_name"].strip())
        clear("u_name", "u_display", "u_scope")
    except (UserError, CodeError) as e:
        s["users_error"] = e
    clear("u_pw", "u_pw2")


def _on_change(action: str) -> None:
    s = st.session_state
    user = s.get("u_pick")
    try:
        if action == "reset":
            accounts.set_password(ctx.store, me, user, s["u_new_pw"])
        else:
            accounts.set_enabled(ctx.store, me, user, action == "enable")
        s["users_done"] = ctx.t(f"users.done_{action}", user=user)
    except UserError as e:
        s["users_error"] = e
    clear("u_new_pw")


if (done := st.session_state.pop("users_done", None)) is not None:
    st.success(done)
if (error := st.session_state.pop("users_error", None)) is not None:
    widgets.show_user_error(error, ctx.lang)

listed = accounts.list_accounts(ctx.store, me)
st.dataframe(pd.DataFrame({
    ctx.t("users.col.user"): [a.username for a in listed],
    ctx.t("users.col.name"): [a.display_name for a in listed],
    ctx.t("users.col.role"): [ctx.text(a.role.label_key) for a in listed],
    ctx.t("users.col.scope"): [unit(a.scope) for a in listed],
    ctx.t("users.col.code"): [a.scope.digits or "0" for a in listed],
    ctx.t("users.col.enabled"): [ctx.text("users.enabled" if a.enabled else "users.disabled") for a in listed]}),
    hide_index=True, width="stretch")

left, right = st.columns(2, gap="large")
with left, st.form("users_add", enter_to_submit=False):
    st.markdown(f"**{ctx.t('users.add')}**")
    st.text_input(ctx.t("login.username"), key="u_name", max_chars=64)
    st.text_input(ctx.t("users.display_name"), key="u_display", max_chars=64)
    st.selectbox(ctx.t("users.role"), [r.value for r in Role], key="u_role",
                 format_func=lambda r: ctx.text(Role(r).label_key))
    st.text_input(ctx.t("users.scope"), key="u_scope", max_chars=12, placeholder=me.jurisdiction.digits or "0")
    st.text_input(ctx.t("login.password"), key="u_pw", type="password", autocomplete="new-password")
    st.text_input(ctx.t("users.password2"), key="u_pw2", type="password", autocomplete="new-password")
    st.form_submit_button(ctx.t("users.create"), type="primary", on_click=_on_add)

with right:
    st.markdown(f"**{ctx.t('users.manage')}**")
    others = {a.username: a for a in listed}
    pick = st.selectbox(ctx.t("users.pick"), list(others), key="u_pick", index=None,
                        placeholder=ctx.text("users.pick_placeholder"),
                        format_func=lambda u: f"{others[u].display_name}（{u}）")
    if pick is not None:
        with st.container(horizontal=True):
            if others[pick].enabled:
                st.button(ctx.t("users.disable"), key="u_disable", on_click=_on_change, args=("disable",),
                          disabled=pick == me.username)
            else:
                st.button(ctx.t("users.enable"), key="u_enable", on_click=_on_change, args=("enable",))
        with st.form("users_reset", enter_to_submit=False):
            st.text_input(ctx.t("users.new_password"), key="u_new_pw", type="password", autocomplete="new-password")
            st.form_submit_button(ctx.t("users.reset"), on_click=_on_change, args=("reset",))
