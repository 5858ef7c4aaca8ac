"""The public village page's HTTP routes: ``GET /v/<token>`` (the page) and ``POST /v/<token>`` (its feedback
form), served by ``streamlit run app.py`` beside the login routes, or alone by the public server
(:mod:`ui.public_server`).  No login, no cookie, no script: the library builds the page (:mod:`geo.public`).

Every answer carries :data:`geo.public.page.HEADERS`.  An address that opens no village (a made-up, mistyped or
rotated token, any other path under ``/v``) gets the same 404 page; only GET, HEAD and POST are answered; a body
larger than the limit is refused before it is read whole; a client over its page or answer limits gets 429
without a look at the store.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from geo.public import feedback, page
from geo.public.board import PAGE_PREFIX
from geo.public.boards import BoardCache, page_board
from geo.store import Store, StoreError

METHODS = ["GET", "HEAD", "POST"]


class _TooLarge(Exception):
    pass


async def _body(request: Request, limit: int) -> bytes:
    """The request's body, refused (:class:`_TooLarge`) as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise _TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _html(text: str, status: int = 200) -> Response:
    return HTMLResponse(text, status_code=status, headers=page.HEADERS)


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def routes(store_of: Callable[[], Store], gate: feedback.Gate | None = None,
           keys: feedback.ClientKeys | None = None, today: Callable[[], dt.date] | None = None,
           cache: BoardCache | None = None) -> list[Route]:
    """The public routes on the store `store_of` gives; `gate`: this process's limits; `cache`: the boards
    kept for a minute (:class:`geo.public.boards.BoardCache`)."""
    gate = gate or feedback.Gate()
    cache = cache or BoardCache()
    keys = keys or feedback.ClientKeys()
    today = today or (lambda: feedback.china_day(dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)))

    async def village(request: Request) -> Response:
        client = _client(request)
        if request.method == "POST":
            try:
                body = await _body(request, gate.limits.body_bytes)
            except _TooLarge:
                return _html(page.refusal_page("pub.notice.too_large"), 413)
        elif not gate.pages.take(client):
            return _html(page.refusal_page("pub.notice.client_limit"), 429)
        token = request.path_params.get("token", "")
        sent = request.query_params.get("sent") if request.method != "POST" else None
        return await _run(lambda: _answer(request.method, token, body if request.method == "POST" else b"", client,
                                          sent))

    def _answer(method: str, token: str, body: bytes, client: str, sent: str | None = None) -> Response:
        try:
            store = store_of()
            board = page_board(store, token, today(), cache)
        except StoreError:
            return _html(page.refusal_page("pub.notice.unavailable"), 503)
        if board is None:
            return _html(page.missing_page(), 404)
        notice, status = _thanks(sent), 200
        if method == "POST":
            outcome = feedback.submit(store, board.village, feedback.parse_answer(body), client, gate, keys)
            if outcome.stored:      # Post/Redirect/Get: reloading the thanks does not offer to send the answer again
                return RedirectResponse(f"{token}?sent={outcome.value}", status_code=303, headers=page.HEADERS)
            notice = (outcome.notice_key, False)
            status = {feedback.Outcome.EMPTY: 400, feedback.Outcome.CLIENT_LIMIT: 429,
                      feedback.Outcome.VILLAGE_LIMIT: 429, feedback.Outcome.DAILY_CAP: 429}.get(outcome, 200)
        return _html(page.village_page(board, token, notice), status)

    async def elsewhere(request: Request) -> Response:
        return _html(page.missing_page(), 404)

    return [Route(PAGE_PREFIX + "/{token}", village, methods=METHODS),
            Route(PAGE_PREFIX + "/{rest:path}", elsewhere, methods=METHODS),
            Route(PAGE_PREFIX, elsewhere, methods=METHODS)]


def _thanks(sent: str | None) -> tuple[str, bool] | None:
    """The thanks a page shows after its form was stored (``?sent=saved``); any other value shows nothing."""
    stored = {o.value: o for o in feedback.Outcome if o.stored}
    return (stored[sent].notice_key, True) if sent in stored else None


async def _run(work: Callable[[], Response]) -> Response:
    """`work` (it reads the store) on a worker thread, so that the event loop keeps serving everyone else."""
    return await run_in_threadpool(work)
