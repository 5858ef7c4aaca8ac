"""The login of the app: who is asking (open mode while the store has no accounts, else the account of a live
session), the form shown before anything else, and the browser's trips to the login cookie's routes
(:mod:`ui.routes`, :mod:`geo.auth.web_login`)."""
from __future__ import annotations

import streamlit as st

from geo.auth import accounts, web_login
from geo.auth.access import OPEN, Principal
from geo.store import Store
from geo.text.catalogue import md, t
from ui.state import app_store


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


def on_login() -> None:
    """The form's button: check the password (the same answer for any failure), start a session and a ticket
    for the cookie route.  The password leaves the session state here."""
    store = app_store()
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


def on_logout() -> None:
    """End the session in the store at once (every tab of this browser finds it ended at its next run), then
    send the browser to the route that clears the cookie."""
    token = st.session_state.pop("login_token", None)
    if token:
        accounts.end_session(app_store(), token)
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
        st.form_submit_button(t("login.submit", lang), type="primary", on_click=on_login)
    if st.session_state.get("login_failed"):
        st.error(md("login.failed", lang))


def cookie_handover(lang: str) -> None:
    """Right after a login: the browser fetches the cookie with the one-time ticket and comes back here."""
    ticket = st.session_state.pop("login_ticket")
    st.info(md("login.entering", lang))
    go_to(f"{web_login.START_PATH}?ticket={ticket}", with_page=True)
    st.stop()



def gate(lang: str) -> None:
    """Nobody is logged in: the login form and nothing else (after a logout, the cookie is cleared first)."""
    st.session_state.pop("ctx", None)          # no page may run on a context left from before
    if st.session_state.pop("logged_out", False):
        post_to(f"{web_login.END_PATH}?next=/")
    else:
        fetch_nonce()
    login_form(lang)
    st.stop()
