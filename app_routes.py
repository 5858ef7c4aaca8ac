"""The HTTP routes served beside the Streamlit app: the login cookie's start and end (see geo.web_login).

``streamlit run app.py`` finds the ``st.App`` in app.py and serves these with the app, on the same port.  They
are thin: the ticket, the signature and the session are the library's.
"""
from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Route

from geo import accounts, web_login
from geo.store import Store, StoreError

#: nothing about a login is cached, and the ticket in the address is sent on to no one
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def routes(store_of: Callable[[], Store], policy_of: Callable[[], web_login.CookiePolicy]) -> list[Route]:
    """``/session/start`` and ``/session/end`` on the store `store_of` gives (the app's own)."""

    def start(request: Request):
        store = _store(store_of)
        if store is None:
            return PlainTextResponse("store unavailable", status_code=503, headers=NO_STORE)
        target = web_login.safe_next(request.query_params.get("next"))
        response = RedirectResponse(target, status_code=303, headers=NO_STORE)
        token = web_login.redeem_ticket(store, request.query_params.get("ticket"))
        if token is not None:
            value = web_login.sign(accounts.cookie_secret(store), token)
            response.headers.append("set-cookie", web_login.cookie_header(value, policy_of(), request.url.scheme))
        return response

    def end(request: Request):
        store = _store(store_of)
        target = web_login.safe_next(request.query_params.get("next"))
        if store is not None:
            token = web_login.verify(accounts.cookie_secret(store), request.cookies.get(web_login.COOKIE_NAME))
            if token is not None:
                accounts.end_session(store, token)
        response = RedirectResponse(target, status_code=303, headers=NO_STORE)
        response.headers.append("set-cookie", web_login.clear_cookie_header(policy_of(), request.url.scheme))
        return response

    return [Route(web_login.START_PATH, start, methods=["GET"]), Route(web_login.END_PATH, end, methods=["GET"])]


def _store(store_of: Callable[[], Store]) -> Store | None:
    try:
        return store_of()
    except StoreError:
        return None
