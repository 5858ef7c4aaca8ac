"""The public village page over HTTP on loopback (ui.public_routes served by uvicorn, as the public process serves
them), on both stores: what it shows and to whom, what it never shows, its headers, the feedback form (stored,
scrubbed, escaped, bounded, duplicates flagged), and a fuzz of the routes that finds no other village, no other
adviser, no record and no server error."""
from __future__ import annotations

import datetime as dt
import http.client
import random
import string
from urllib.parse import unquote

import pytest

from fixtures_county import county_store, who
from fixtures_public import (
    EAST,
    PEOPLE,
    SOUTH,
    WEST,
    ZHONGNAN,
    add_people,
    expected_advisers,
    post,
    request,
    serving,
    stored,
)
from geo.public import feedback, tokens
from geo.public.board import PAGE_PREFIX
from geo.public.feedback import Answer, Limits, Outcome
from geo.store import Store

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def county(new_store) -> Store:
    store = county_store(new_store, "page")
    add_people(store)
    tokens.ensure_tokens(store, [EAST, WEST, ZHONGNAN, SOUTH], "test")
    return store


def other_villages_text(village: str) -> list[str]:
    """What must never appear on `village`'s page: the names and phones of every adviser not serving it on the
    day, and the names of the other villages (computed from the fixture's lists)."""
    mine = {p for p in expected_advisers(village, TODAY)}
    words = [w for i, (name, org, phone) in PEOPLE.items() if (name, org, phone) not in mine for w in (name, phone)]
    names = {EAST: "东村村委会", WEST: "西村村委会", ZHONGNAN: "终南社区居委会", SOUTH: "南村村委会"}
    return words + [n for v, n in names.items() if v != village]


# -- what the page shows ------------------------------------------------------------------------------------------
def test_the_page_shows_its_village_and_advisers_with_safe_headers_and_no_cookie(county):
    token = tokens.tokens_of(county, [EAST])[EAST]
    with serving(county) as (*addr, _):
        status, headers, text = request(addr, "GET", f"{PAGE_PREFIX}/{token}")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "东村村委会" in text and "哑柏镇" in text
    for name, org, phone in expected_advisers(EAST, TODAY):
        assert name in text and org in text and f'href="tel:{phone}"' in text
    for word in other_villages_text(EAST):
        assert word not in text                 # 甲's other village, the ended contract, the other county
    assert "set-cookie" not in {k.lower() for k in headers}
    assert "script-src" not in headers["content-security-policy"]      # default-src 'none': no script at all
    assert "<script" not in text.lower() and "http://" not in text and "https://" not in text
    assert headers["referrer-policy"] == "no-referrer" and headers["cache-control"] == "no-store"
    assert 'name="viewport"' in text and 'lang="zh-CN"' in text


def test_made_up_rotated_and_other_addresses_all_get_the_same_404(county):
    token = tokens.tokens_of(county, [EAST])[EAST]
    with serving(county) as (*addr, _):
        missing = request(addr, "GET", f"{PAGE_PREFIX}/{'A' * 32}")
        assert missing[0] == 404
        assert request(addr, "GET", f"{PAGE_PREFIX}/{token}")[0] == 200
        tokens.rotate(county, who("admin", ""), [EAST])
        rotated = request(addr, "GET", f"{PAGE_PREFIX}/{token}")
        for path in (PAGE_PREFIX, f"{PAGE_PREFIX}/", f"{PAGE_PREFIX}/{token}/x", f"{PAGE_PREFIX}/{token[:-1]}",
                     f"{PAGE_PREFIX}/{EAST}", f"{PAGE_PREFIX}/..%2f..%2fetc%2fpasswd"):
            assert request(addr, "GET", path)[0] == 404
        assert rotated[0] == 404 and rotated[2] == missing[2]          # rotated and made up look alike
        assert request(addr, "PUT", f"{PAGE_PREFIX}/{token}")[0] == 405
        assert request(addr, "GET", "/")[0] == 404                       # the public process serves nothing else


# -- the form -------------------------------------------------------------------------------------------------------
def test_an_answer_is_stored_scrubbed_and_escaped_and_a_second_one_of_the_day_flagged(county):
    token = tokens.tokens_of(county, [EAST])[EAST]
    comment = "<script>alert(1)</script> 顾问没来过，打 13912345678 没人接，身份证 11010519491231002X"
    with serving(county) as (*addr, _):
        status, headers, _ = post(addr, token, {"satisfaction": "2", "reached": "no", "never_seen": "1",
                                                "comment": comment})
        # Post/Redirect/Get: the thanks is a page of its own, and reloading it sends nothing again
        assert status == 303 and headers["location"] == f"{token}?sent=saved"
        for _ in range(2):
            status, _, text = request(addr, "GET", f"{PAGE_PREFIX}/{token}?sent=saved")
            assert status == 200 and "已收到您的评价" in text
            assert "<script>alert" not in text
        assert "已收到您的评价" not in request(addr, "GET", f"{PAGE_PREFIX}/{token}?sent=<b>x</b>")[2]
        assert post(addr, token, {"satisfaction": "5"})[0] == 303
    rows = stored(county)
    assert len(rows) == 2 and (rows["village"].astype(str) == EAST).all() and (rows["source"] == "web").all()
    first = rows.iloc[0]
    assert (first["satisfaction"], bool(first["reached"]), bool(first["never_seen"])) == (2, False, True)
    assert "13912345678" not in first["comment"] and "11010519491231002X" not in first["comment"]
    assert "顾问没来过" in first["comment"]
    assert [bool(d) for d in rows["duplicate"]] == [False, True]       # same client, same village, same day
    assert rows["client_key"].nunique() == 1 and "127.0.0.1" not in rows.to_csv()


def test_an_empty_or_malformed_answer_is_not_stored(county):
    token = tokens.tokens_of(county, [EAST])[EAST]
    with serving(county) as (*addr, _):
        for body in (b"", b"satisfaction=9&reached=maybe", b"satisfaction=1&satisfaction=5", b"\xff\xfe=1",
                     b"comment=%20%20%0A", b"&" * 50 + b"satisfaction=3"):
            status, _, text = request(addr, "POST", f"{PAGE_PREFIX}/{token}", body,
                                      {"Content-Type": "application/x-www-form-urlencoded"})
            assert status == 400, body
        assert request(addr, "POST", f"{PAGE_PREFIX}/{token}", b"comment=" + b"x" * 5000)[0] == 413
    assert stored(county).empty


def test_a_client_a_village_and_a_day_are_each_bounded(county):
    east, west = (tokens.tokens_of(county, [v])[v] for v in (EAST, WEST))
    limits = Limits(client_answers=3, village_answers=4, daily_cap=5)
    with serving(county, limits) as (*addr, gate):
        codes = [post(addr, east, {"satisfaction": "4"})[0] for _ in range(5)]
        assert codes == [303, 303, 303, 429, 429]                        # this client: 3 in the window
        # other clients (the gate counts by address: pretend by calling the library with other addresses)
        outcomes = [feedback.submit(county, EAST, Answer(3, None, False, None), f"10.0.0.{i}", gate,
                                    feedback.ClientKeys(b"k")) for i in range(3)]
        assert outcomes == [Outcome.SAVED, Outcome.VILLAGE_LIMIT, Outcome.VILLAGE_LIMIT]   # 4 an hour for 东村
        assert post(addr, west, {"satisfaction": "4"})[0] == 429          # this client is still over its limit
    fresh = feedback.Gate(Limits(daily_cap=5))
    outcomes = [feedback.submit(county, EAST, Answer(1, None, False, None), f"10.1.0.{i}", fresh,
                                feedback.ClientKeys(b"k")) for i in range(3)]
    assert outcomes == [Outcome.SAVED, Outcome.DAILY_CAP, Outcome.DAILY_CAP]   # 5 a day: 4 stored before
    assert len(stored(county)) == 5
    assert county.feedback_count(WEST, feedback.china_day(dt.datetime.utcnow())) == 0


def test_page_views_per_client_are_bounded_before_the_store_is_asked(county):
    token = tokens.tokens_of(county, [EAST])[EAST]
    with serving(county, Limits(client_pages=5)) as (*addr, _):
        codes = [request(addr, "GET", f"{PAGE_PREFIX}/{token}")[0] for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2


def test_a_comment_is_cleaned_as_the_rules_say():
    assert feedback.clean_comment("  a\x00b\u202ec\n\n d ") == "a b c d"
    assert feedback.clean_comment("x" * 500) == "x" * 200
    assert feedback.clean_comment("电话 139 1234 5678") == "电话"
    assert feedback.clean_comment("没见过人，身份证110101199003071234") == "没见过人，身份证"   # check digit wrong
    assert feedback.clean_comment(" \t ") is None
    assert feedback.parse_answer(b"reached=yes") == Answer(None, True, False, None)
    assert feedback.parse_answer(b"never_seen=1&junk=2") == Answer(None, None, True, None)


# -- fuzz -----------------------------------------------------------------------------------------------------------
def test_fuzzed_requests_find_nothing_beyond_a_board_and_never_an_error(county):
    """Random paths, tokens, methods, headers and bodies: each answer is one of the route's own (a page, the 404,
    a refusal), never a server error, and a page is only ever its token's village's."""
    rng = random.Random(24)
    good = tokens.tokens_of(county, [EAST, WEST])
    alphabet = string.ascii_letters + string.digits + "-_./%?&=#;'\"<>\\ "
    secrets_ = [w for v in (EAST, WEST) for w in other_villages_text(v)]
    opened = {f"{PAGE_PREFIX}/{tok}": village for village, tok in good.items()}
    with serving(county, Limits(client_pages=10_000, client_answers=10_000, village_answers=10_000,
                                daily_cap=10_000)) as (*addr, _):
        for _ in range(250):
            kind = rng.random()
            token = ("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 70))) if kind < 0.5
                     else rng.choice(list(good.values()))[: rng.randint(20, 32)] if kind < 0.7
                     else rng.choice(list(good.values())))
            path = rng.choice([f"{PAGE_PREFIX}/", f"{PAGE_PREFIX}/{token}/", f"{PAGE_PREFIX}//", "/v%2f"]) + token \
                if rng.random() < 0.3 else f"{PAGE_PREFIX}/{token}"
            path = "".join(c if 32 < ord(c) < 127 and c not in " #" else "%20" for c in path)
            method = rng.choice(["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"])
            body = bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 10, 300, 5000])))
            headers = {rng.choice(["X-Forwarded-For", "Host", "Cookie", "Content-Type", "Range", "Origin"]):
                       "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))}
            try:
                status, _, text = request(addr, method, path, body if method in ("POST", "PUT") else None, headers)
            except http.client.HTTPException:
                continue                          # a request line uvicorn itself refused
            assert status in (200, 400, 404, 405, 413, 429), (method, path, status)
            if status in (200, 400):             # a page: only ever the one of the token in the (decoded) path
                village = opened.get(unquote(path))
                assert village is not None, (method, path)
                assert all(w not in text for w in other_villages_text(village)), (method, path)
            else:
                assert not any(w in text for w in secrets_), (method, path)
    assert set(stored(county)["village"].astype(str)) <= {EAST, WEST}
    assert county.query("SELECT count(*) AS n FROM audit")["n"][0] == 0
