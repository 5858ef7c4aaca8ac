"""The village-facing side's figures on the benchmark store (python -m geo bench; called from
benchmarks.national.run_bench): the signboards of the county with the most villages, and the public page under 50
concurrent requests on loopback.  :func:`flood` is also what tests/test_public_flood.py floods the app with."""
from __future__ import annotations

import datetime as dt
import http.client
import multiprocessing
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Iterator

import uvicorn
from starlette.applications import Starlette

from geo.auth.accounts import operator
from geo.core.codes import Scope
from geo.public import boards, feedback, tokens
from geo.public.board import PAGE_PREFIX
from geo.store import Store
from ui import public_routes

from .browser import free_port
from .figures import Figure, Targets, judge, timed
from .write_path import largest_county

#: name -> (unit, comparison, target, what it measures)
TARGETS: Targets = {
    "signboards_county_s": ("s", "<=", 30, "the signboards PDF of the county with the most villages"),
    "public_page_ms": ("ms", "<=", 200, "a public village page, 95th percentile of 50 concurrent requests on "
                                        "loopback from another process (uvicorn, the app's own routes)"),
}
CONCURRENCY = 50
REQUESTS = 500


@contextmanager
def served_routes(store: Store, limits: feedback.Limits | None = None, *, gate: feedback.Gate | None = None,
                  keys: feedback.ClientKeys | None = None,
                  today: Callable[[], dt.date] | None = None) -> Iterator[tuple[str, int]]:
    """The public routes on `store` served by uvicorn on a free loopback port, in a thread: (host, port).  `gate`,
    `keys` and `today` as :func:`ui.public_routes.routes` takes them (a test fixes the day and the client key)."""
    gate = gate or feedback.Gate(limits or feedback.Limits())
    app = Starlette(routes=public_routes.routes(lambda: store, gate, keys, today))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(10)


def one(host: str, port: int, method: str, path: str, body: bytes | None = None,
        headers: dict | None = None) -> tuple[int, float]:
    """(status, milliseconds) of one request on a connection of its own; status 0 when it failed."""
    t0 = time.perf_counter()
    try:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        conn.request(method, path, body=body, headers=headers or {})
        status = conn.getresponse()
        status.read()
        code = status.status
        conn.close()
    except OSError:
        code = 0
    return code, (time.perf_counter() - t0) * 1000


def flood(host: str, port: int, requests: Sequence[tuple[str, str, bytes | None, dict | None]],
          concurrency: int = CONCURRENCY) -> list[tuple[int, float]]:
    """Each of `requests` (method, path, body, headers), `concurrency` at a time: (status, ms) each."""
    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(lambda r: one(host, port, *r), requests))


def warm_then_flood(host: str, port: int, warm: list[str], paths: list[str],
                    concurrency: int = CONCURRENCY) -> list[tuple[int, float]]:
    """GET each of `warm` (not measured), then each of `paths`, `concurrency` at a time, from a fresh process of
    its own: (status, ms) of each of `paths`.  The villagers' phones are not threads of the server's process: 50
    client threads there would contend with the server for the interpreter's lock, and the figure would measure
    them as well as the page."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_warm_then_flood, host, port, warm, paths, concurrency).result()


def _warm_then_flood(host: str, port: int, warm: list[str], paths: list[str],
                     concurrency: int) -> list[tuple[int, float]]:
    flood(host, port, [("GET", p, None, None) for p in warm], concurrency)
    return flood(host, port, [("GET", p, None, None) for p in paths], concurrency)


def p95(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def public_figures(store: Store, as_of: dt.date, runs: int, log: Callable[[str], None] = print,
                   backend_targets: dict[str, float] | None = None) -> dict[str, Figure]:
    county = Scope(largest_county(store))
    med, times, printed = timed(lambda: boards.print_boards(store, operator(), county, as_of, "https://bench.invalid"),
                                max(1, min(runs, 2)), warm=False)
    figures = {"signboards_county_s": judge(TARGETS, "signboards_county_s", med, times, backend_targets,
                                            on=county.code)}
    log(f"signboards_county_s {med:.2f} ({county.code}, {printed.villages} boards, {len(printed.pdf) / 1e6:.1f} MB)")

    villages = list(store.board_villages(county)["code"])
    addresses = [f"{PAGE_PREFIX}/{tok}" for tok in tokens.tokens_of(store, villages).values()]
    unlimited = feedback.Limits(client_pages=10**9)
    with served_routes(store, unlimited) as (host, port):
        answers = warm_then_flood(host, port, addresses[:CONCURRENCY],
                                  [addresses[i % len(addresses)] for i in range(REQUESTS)])
    assert all(code == 200 for code, _ in answers), {code for code, _ in answers}
    latencies = [ms for _, ms in answers]
    figures["public_page_ms"] = judge(TARGETS, "public_page_ms", p95(latencies), latencies[:50], backend_targets,
                                      on=county.code)
    log(f"public_page_ms p95 {p95(latencies):.0f} median {statistics.median(latencies):.0f} ({REQUESTS} requests, "
        f"{CONCURRENCY} at a time)")
    return figures
