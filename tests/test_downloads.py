"""Files built for a download: announced for one fetch by the session that asked (geo.outputs.downloads), and the guard
in front of Streamlit's /media route that serves them (ui.routes.MediaGuard)."""
from __future__ import annotations

import asyncio
from http.cookies import SimpleCookie

import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
from streamlit.runtime.media_file_storage import MediaFileKind
from streamlit.runtime.memory_media_file_storage import MemoryFile

from geo.auth import web_login
from geo.outputs.downloads import Pending, owner_of
from ui.routes import MediaGuard

ALICE, BOB = owner_of("alice-cookie"), owner_of("bob-cookie")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_file_is_claimed_once_by_its_owner_only():
    pending = Pending()
    pending.add(b"names and phones", ALICE)
    assert not pending.claim(b"names and phones", BOB)          # another login
    assert not pending.claim(b"names and phones", owner_of(None))   # no login
    assert not pending.claim(b"other bytes", ALICE)              # not a file that was built
    assert pending.claim(b"names and phones", ALICE)
    assert not pending.claim(b"names and phones", ALICE)         # the second fetch
    assert len(pending) == 0


def test_an_unclaimed_file_is_forgotten_after_its_time():
    clock = Clock()
    pending = Pending(ttl=60, clock=clock)
    pending.add(b"x", ALICE)
    clock.now = 61
    assert not pending.claim(b"x", ALICE)
    assert len(pending) == 0


def test_the_owner_is_a_digest_of_the_cookie_never_the_cookie():
    assert owner_of("alice-cookie") != "alice-cookie" and len(owner_of("alice-cookie")) == 64
    assert owner_of(None) == owner_of("") == ""


# ------------------------------------------------------------------------------------------------ the guard
SECRET = b"names and phones of advisers"
FILES = {"abc.xlsx": MemoryFile(SECRET, "application/octet-stream", MediaFileKind.DOWNLOADABLE, "gaps.xlsx"),
         "img.png": MemoryFile(b"png", "image/png", MediaFileKind.MEDIA, None)}


@pytest.fixture
def served():
    """A stand-in for Streamlit's /media route behind the guard, and the guard's registry."""
    pending = Pending()

    async def media(request):
        return Response(FILES[request.path_params["name"]].content)

    app = Starlette(routes=[Route("/media/{name}", media), Route("/static/media/{name}", media)])
    return MediaGuard(app, files=FILES.get, pending=pending), pending


def get(app, path, cookie=None, mode="navigate"):
    """The (status, body) of a GET of `path` through the ASGI app, with the login cookie and Sec-Fetch-Mode."""
    headers = [(b"host", b"testserver")]
    if cookie:
        jar = SimpleCookie()
        jar[web_login.COOKIE_NAME] = cookie
        headers.append((b"cookie", jar.output(header="", attrs=[]).strip().encode()))
    if mode:
        headers.append((b"sec-fetch-mode", mode.encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"", "headers": headers,
             "client": ("127.0.0.1", 1), "server": ("testserver", 80)}
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_a_download_is_served_once_to_the_session_that_built_it(served):
    app, pending = served
    assert get(app, "/media/abc.xlsx", "alice-cookie")[0] == 404     # before the click: nothing
    pending.add(SECRET, ALICE)                                      # the click built it
    assert get(app, "/media/abc.xlsx")[0] == 404                    # no login cookie
    assert get(app, "/media/abc.xlsx", "bob-cookie")[0] == 404      # another session's cookie
    # Streamlit's status check before the download: an empty answer that does not use up the one fetch
    assert get(app, "/media/abc.xlsx", "alice-cookie", mode="cors") == (204, b"")
    assert get(app, "/media/abc.xlsx", "alice-cookie") == (200, SECRET)
    assert get(app, "/media/abc.xlsx", "alice-cookie")[0] == 404    # the address is used up


def test_without_fetch_metadata_a_request_counts_as_the_download(served):
    app, pending = served
    pending.add(SECRET, ALICE)
    assert get(app, "/media/abc.xlsx", "alice-cookie", mode=None) == (200, SECRET)
    assert get(app, "/media/abc.xlsx", "alice-cookie", mode=None)[0] == 404


def test_other_media_and_the_apps_static_files_pass(served):
    app, _ = served
    assert get(app, "/media/img.png") == (200, b"png")
    assert get(app, "/static/media/abc.xlsx") == (200, SECRET)    # not the media route: not guarded here
