"""ui/routes.StaticGzip: the static files go gzipped to a browser that accepts it, nothing else is touched (the
ASGI app called directly: a request in, the messages sent out)."""
from __future__ import annotations

import asyncio
import gzip

from starlette.responses import Response

from ui.routes import StaticGzip

SCRIPT = ("function f(a, b) { return a + b; }\n" * 400).encode()


async def _script_app(scope, receive, send) -> None:
    await Response(SCRIPT, media_type="application/javascript")(scope, receive, send)


def _get(path: str, encoding: str) -> tuple[dict[str, str], bytes]:
    """Headers and body StaticGzip sends for a GET of `path` with Accept-Encoding `encoding`."""
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [(b"accept-encoding", encoding.encode())], "http_version": "1.1", "scheme": "http",
             "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "root_path": ""}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(StaticGzip(_script_app)(scope, receive, send))
    headers = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    return headers, b"".join(m.get("body", b"") for m in sent[1:])


def test_static_files_go_gzipped_when_accepted():
    for path in ("/static/js/index.js", "/app/static/leaflet.js"):
        headers, body = _get(path, "gzip, br")
        assert headers["content-encoding"] == "gzip"
        assert int(headers["content-length"]) == len(body) < len(SCRIPT) / 10
        assert gzip.decompress(body) == SCRIPT
        headers, body = _get(path, "identity")
        assert "content-encoding" not in headers and body == SCRIPT


def test_other_responses_are_not_touched():
    headers, body = _get("/media/abc.xlsx", "gzip")
    assert "content-encoding" not in headers and body == SCRIPT
