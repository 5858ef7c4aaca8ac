"""The HTTP routes served beside the Streamlit app: the login cookie's start and end (see geo.auth.web_login), and the
guard in front of Streamlit's ``/media`` files (:class:`MediaGuard`, see geo.outputs.downloads).

``streamlit run app.py`` finds the ``st.App`` in app.py and serves these with the app, on the same port.  They
are thin: the ticket, the signature, the checks of where a request came from and the session are the library's.
"""
from __future__ import annotations

from collections.abc import Callable

from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from streamlit.runtime import Runtime
from streamlit.runtime.media_file_storage import MediaFileKind

from geo.auth import accounts, web_login
from geo.outputs import downloads
from geo.store import Store, StoreError
from geo.text.catalogue import t

#: nothing about a login is cached, and the ticket in the address is sent on to no one
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def routes(store_of: Callable[[], Store], policy_of: Callable[[], web_login.CookiePolicy],
           limit: web_login.FailureLimit | None = None) -> list[Route]:
    """``/session/prepare``, ``/session/start`` and ``/session/end`` on the store `store_of` gives (the app's
    own); `limit`: failed ticket redemptions per client (this process's own count)."""
    limit = limit or web_login.FailureLimit()

    def prepare(request: Request):
        """Give the browser its nonce (kept when it has one: another tab may be logging in with it)."""
        response = RedirectResponse(web_login.safe_next(request.query_params.get("next")), status_code=303,
                                    headers=NO_STORE)
        if not request.cookies.get(web_login.NONCE_COOKIE):
            response.headers.append("set-cookie", web_login.nonce_cookie_header(
                web_login.new_nonce(), policy_of(), request.url.scheme))
        return response

    def start(request: Request):
        client = _client(request)
        if limit.blocked(client):
            return PlainTextResponse(_both("login.route.too_many"), status_code=429,
                                     headers={**NO_STORE, "Retry-After": str(int(limit.window_s))})
        if not web_login.fetched_by_this_site(request.headers, request.headers.get("host"), navigation=True):
            limit.failed(client)
            return PlainTextResponse(_both("login.route.foreign"), status_code=403, headers=NO_STORE)
        store = _store(store_of)
        if store is None:
            return PlainTextResponse("store unavailable", status_code=503, headers=NO_STORE)
        target = web_login.safe_next(request.query_params.get("next"))
        response = RedirectResponse(target, status_code=303, headers=NO_STORE)
        token = web_login.redeem_ticket(store, request.query_params.get("ticket"),
                                        request.cookies.get(web_login.NONCE_COOKIE))
        if token is None:
            limit.failed(client)
        else:
            value = web_login.sign(accounts.cookie_secret(store), token)
            response.headers.append("set-cookie", web_login.cookie_header(value, policy_of(), request.url.scheme))
        return response

    def end(request: Request):
        if not web_login.fetched_by_this_site(request.headers, request.headers.get("host"), navigation=False):
            return PlainTextResponse(_both("login.route.foreign"), status_code=403, headers=NO_STORE)
        store = _store(store_of)
        target = web_login.safe_next(request.query_params.get("next"))
        if store is not None:
            token = web_login.verify(accounts.cookie_secret(store), request.cookies.get(web_login.COOKIE_NAME))
            if token is not None:
                accounts.end_session(store, token)
        response = RedirectResponse(target, status_code=303, headers=NO_STORE)
        response.headers.append("set-cookie", web_login.clear_cookie_header(policy_of(), request.url.scheme))
        return response

    return [Route(web_login.PREPARE_PATH, prepare, methods=["GET"]),
            Route(web_login.START_PATH, start, methods=["GET"]),
            Route(web_login.END_PATH, end, methods=["POST"])]


def _both(key: str) -> str:
    """A route's answer is plain text with no page around it and no language chosen: both languages."""
    return f"{t(key, 'zh')}\n{t(key, 'en')}"


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def _store(store_of: Callable[[], Store]) -> Store | None:
    try:
        return store_of()
    except StoreError:
        return None


# ------------------------------------------------------------------------------------------------ the /media guard

def _streamlit_file(name: str):
    """The file Streamlit stores under `name` (``<id>.<ext>``), or None (none, or a storage that cannot say)."""
    if not Runtime.exists():
        return None
    manager = Runtime.instance().media_file_mgr
    return manager.read_file(name) if manager.can_read_files else None


class MediaGuard:
    """ASGI middleware in front of Streamlit's ``/media/<id>``: a downloadable file (a download button's) is
    served once, to the login cookie of the session whose click built it (:mod:`geo.outputs.downloads`); any other fetch
    of it gets 404, as an unknown file does.  Images and other media pass as before.

    Streamlit's button fetches the address twice after a click: a script ``fetch`` that only checks the status
    (Sec-Fetch-Mode ``cors``), then the download itself (a navigation).  The check gets an empty 204 and claims
    nothing, so the navigation is the one fetch that gets the file."""

    def __init__(self, app, files: Callable[[str], object | None] = _streamlit_file,
                 pending: downloads.Pending = downloads.PENDING) -> None:
        self.app, self.files, self.pending = app, files, pending

    async def __call__(self, scope, receive, send) -> None:
        name = _media_name(scope["path"]) if scope["type"] == "http" else None
        if name is not None:
            file = self.files(name)
            if file is not None and _is_download(file):
                request = Request(scope)
                if request.headers.get("sec-fetch-mode", "navigate") != "navigate":
                    await Response(status_code=204, headers=NO_STORE)(scope, receive, send)
                    return
                owner = downloads.owner_of(request.cookies.get(web_login.COOKIE_NAME))
                if not self.pending.claim(file.content, owner):
                    await PlainTextResponse("File not found", status_code=404, headers=NO_STORE)(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _media_name(path: str) -> str | None:
    """``<id>.<ext>`` of a path of Streamlit's media route (``[base]/media/<id>.<ext>``), else None (the app's
    own static files live under ``/static/media/``)."""
    head, sep, name = path.rpartition("/media/")
    return name if sep and name and "/" not in name and not head.endswith("/static") else None


def _is_download(file) -> bool:
    return file.kind == MediaFileKind.DOWNLOADABLE


class StaticGzip:
    """ASGI middleware: gzip for the static files (Streamlit's JavaScript and CSS, the map's assets under
    ``/app/static``) when the browser accepts it: 2.1 MB of JavaScript before a first page is drawn, 0.5 MB
    gzipped.  Everything else (the pages' data, media and downloads, the websocket) passes as before."""

    def __init__(self, app) -> None:
        self.app, self.gzip = app, GZipMiddleware(app, minimum_size=1024)

    async def __call__(self, scope, receive, send) -> None:
        static = scope["type"] == "http" and "/static/" in scope["path"]
        await (self.gzip if static else self.app)(scope, receive, send)


def middleware() -> list[Middleware]:
    return [Middleware(MediaGuard), Middleware(StaticGzip)]
