"""The village-facing side's shared test data and helpers: a county's advisers and contracts (with the advisers
each village has on a day, worked out in plain Python), and the public routes served on loopback."""
from __future__ import annotations

import datetime as dt
import http.client
from contextlib import contextmanager
from urllib.parse import urlencode

import pandas as pd

from benchmarks.public import served_routes
from fixtures_county import who
from geo.public import feedback
from geo.public.board import PAGE_PREFIX
from geo.public.feedback import Limits
from geo.store import Store

TODAY = dt.date(2026, 11, 27)
DAY = dt.date(2026, 11, 27)
BASE = "https://sfj.example.gov.cn/fa"
ZHOUZHI, YABAI = "610124", "610124100"
EAST, WEST, ZHONGNAN, SOUTH = "610124100201", "610124100202", "610124101001", "610118100201"
#: adviser id -> (name, org, phone); contracts below
PEOPLE = {1: ("顾问甲", "周至律师事务所", "13800000001"), 2: ("顾问乙", "哑柏法律服务所", "13800000002"),
          3: ("顾问丙", None, "029-87000003"), 4: ("旧顾问丁", "旧所", "13800000004"),
          5: ("邻县顾问戊", "鄠邑律所", "13800000005")}
CONTRACTS = [(1, EAST, "2026-01-01", "2027-12-31"), (1, ZHONGNAN, "2026-01-01", None),   # 甲 serves two villages
             (2, EAST, "2026-06-01", "2027-05-31"), (3, WEST, "2025-01-01", "2027-01-01"),
             (4, WEST, "2024-01-01", "2025-12-31"),                                      # ended: not shown
             (5, SOUTH, "2026-01-01", None)]
ADMIN = who("admin", "")


def add_people(store: Store, people=PEOPLE, contracts=CONTRACTS) -> None:
    with store.transaction() as cur:
        store.add_advisers(cur, pd.DataFrame([(i, *p) for i, p in people.items()],
                                             columns=["adviser_id", "name", "org", "phone"]))
        store.add_assignments(cur, pd.DataFrame(contracts, columns=["adviser_id", "village", "start_date",
                                                                    "end_date"]).assign(batch_id=None))



def expected_advisers(village: str, day: dt.date) -> list[tuple]:
    """The advisers in force on `day`, computed from the fixture's lists with plain Python."""
    ids = {a for a, v, start, end in CONTRACTS if v == village and dt.date.fromisoformat(start) <= day
           and (end is None or day <= dt.date.fromisoformat(end))}
    return sorted((PEOPLE[i][0], PEOPLE[i][1], PEOPLE[i][2]) for i in ids)


@contextmanager
def serving(store: Store, limits: Limits = Limits()):
    """The public routes on `store` served by uvicorn on a free loopback port, as (host, port, gate)."""
    gate = feedback.Gate(limits)
    with served_routes(store, gate=gate, keys=feedback.ClientKeys(b"k"), today=lambda: TODAY) as (host, port):
        yield host, port, gate


def request(addr, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """(status, headers, text) of one request on a connection of its own."""
    conn = http.client.HTTPConnection(addr[0], addr[1], timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def post(addr, token: str, fields: dict, headers: dict | None = None):
    return request(addr, "POST", f"{PAGE_PREFIX}/{token}", urlencode(fields).encode(),
                   {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})


def stored(store: Store) -> pd.DataFrame:
    return store.query("SELECT village, source, satisfaction, reached, never_seen, comment, client_key, duplicate "
                       "FROM feedback ORDER BY received_at")
