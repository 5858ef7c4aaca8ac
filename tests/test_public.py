"""The village-facing side (geo.public), on both stores: page tokens (unguessable, rotatable, a rotated one opens
nothing), a board's content (the current advisers only, nothing else of the store), the reprint list, the county
settings, printing (each QR code, read back from the rendered page, opens that village's page) and the audit.

The page's routes and the feedback form are in tests/test_public_page.py."""
from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import zxingcpp
from PIL import Image

from fixtures_county import county_store, who
from fixtures_public import ADMIN, BASE, DAY, EAST, SOUTH, WEST, YABAI, ZHONGNAN, ZHOUZHI, add_people, expected_advisers
from geo.auth import audit
from geo.auth.access import AccessDenied
from geo.core.codes import Scope
from geo.core.errors import UserError
from geo.public import boards, settings, tokens
from geo.public.settings import CountySettings
from geo.store import Store


@pytest.fixture
def county(new_store) -> Store:
    store = county_store(new_store, "public")
    add_people(store)
    return store


# -- tokens ---------------------------------------------------------------------------------------------------
def test_tokens_are_unguessable_find_their_village_and_a_rotated_one_opens_nothing(county):
    villages = [EAST, WEST, ZHONGNAN]
    assert tokens.ensure_tokens(county, villages, "t") == 3
    assert tokens.ensure_tokens(county, villages, "t") == 0          # kept, not replaced
    first = tokens.tokens_of(county, villages)
    assert len(set(first.values())) == 3
    assert all(tokens.TOKEN_SHAPE.fullmatch(tok) for tok in first.values())
    for village, token in first.items():
        assert tokens.village_of(county, token) == village
    # the store keeps no token, only its hash and the nonce it is derived from
    stored = county.query("SELECT * FROM village_tokens")
    assert not any(tok in stored.to_csv() for tok in first.values())
    # made-up, cut or altered tokens open nothing
    east = first[EAST]
    for bad in ("", "x", east[:-1], east + "A", east[:-1] + ("A" if east[-1] != "A" else "B"), east.upper(),
                "../" + east[3:], None, "' OR 1=1 --" + "a" * 21):
        assert tokens.village_of(county, bad) is None
    assert tokens.rotate(county, ADMIN, [EAST]) == 1
    second = tokens.tokens_of(county, villages)
    assert tokens.village_of(county, east) is None
    assert tokens.village_of(county, second[EAST]) == EAST and second[EAST] != east
    assert second[WEST] == first[WEST]                                # the others keep theirs
    rotated = audit.entries(county, ADMIN, action="token_rotate")
    assert len(rotated) == 1 and rotated["detail"][0]["codes"] == [EAST]
    assert east not in county.query("SELECT detail FROM audit").to_csv()


def test_only_an_administrator_of_the_village_rotates_its_token(county):
    tokens.ensure_tokens(county, [EAST], "t")
    before = tokens.tokens_of(county, [EAST])
    for principal in (who("editor", ZHOUZHI), who("viewer", ZHOUZHI), who("admin", "610118")):
        with pytest.raises(AccessDenied):
            tokens.rotate(county, principal, [EAST])
    assert tokens.tokens_of(county, [EAST]) == before
    assert tokens.rotate(county, who("admin", YABAI), [EAST]) == 1


# -- a board's content ----------------------------------------------------------------------------------------
def test_a_board_shows_the_current_advisers_of_its_village_and_nothing_else(county):
    found = {b.village: b for b in boards.boards(county, Scope(ZHOUZHI), DAY)}
    assert set(found) == {EAST, WEST, ZHONGNAN}                       # the real villages of the county only
    for village, board in found.items():
        assert sorted((a.name, a.org, a.phone) for a in board.advisers) == expected_advisers(village, DAY)
    assert found[EAST].name == "东村村委会" and found[EAST].township == "哑柏镇" and found[EAST].county == "周至县"
    assert found[WEST].last_onsite is None                            # not shown unless the county says so
    # a day before 乙's contract: 甲 alone
    early = boards.boards(county, Scope(EAST), dt.date(2026, 3, 1))[0]
    assert [a.name for a in early.advisers] == [n for n, *_ in expected_advisers(EAST, dt.date(2026, 3, 1))]


def test_a_village_without_a_contract_gets_a_board_that_says_so(county):
    board = boards.boards(county, Scope(WEST), dt.date(2027, 6, 1))[0]
    assert board.advisers == ()


def test_the_page_shows_the_last_onsite_day_only_where_the_county_chooses(county):
    with county.transaction() as cur:
        county.add_services(cur, pd.DataFrame({
            "village": [EAST, EAST, EAST], "adviser_id": [1, 1, 1], "mode": ["onsite", "remote", "onsite"],
            "service_date": pd.to_datetime(["2026-10-02", "2026-11-20", "2026-12-30"]), "category": None,
            "hours": 1.0, "people": 1, "content": None, "batch_id": None}))
    assert boards.boards(county, Scope(EAST), DAY, for_page=True)[0].last_onsite is None
    settings.save(county, ADMIN, ZHOUZHI, CountySettings(show_last_onsite=True))
    board = boards.boards(county, Scope(EAST), DAY, for_page=True)[0]
    assert board.last_onsite == dt.date(2026, 10, 2)                  # on site, on or before the day
    assert boards.boards(county, Scope(EAST), DAY)[0].last_onsite is None   # never printed on a board


# -- settings ---------------------------------------------------------------------------------------------------
def test_county_settings_default_save_check_and_audit(county):
    assert settings.settings_of(county, EAST) == settings.DEFAULT
    saved = settings.save(county, who("admin", ZHOUZHI), ZHOUZHI, CountySettings(
        supervision_phone=" 029-8765 4321 ", hotline="", service_time="每周三上午", service_place="村委会二楼"))
    assert saved.supervision_phone == "029-8765 4321" and saved.hotline == "12348"
    assert settings.settings_of(county, EAST) == saved
    assert settings.settings_of(county, SOUTH) == settings.DEFAULT   # another county keeps the defaults
    for bad in (CountySettings(supervision_phone="javascript:alert(1)"), CountySettings(service_time="长" * 61)):
        with pytest.raises(UserError):
            settings.save(county, ADMIN, ZHOUZHI, bad)
    for principal in (who("editor", ZHOUZHI), who("admin", "610118")):
        with pytest.raises(AccessDenied):
            settings.save(county, principal, ZHOUZHI, CountySettings())
    assert len(audit.entries(county, ADMIN, action="public_settings")) == 1


# -- printing and the reprint list -----------------------------------------------------------------------------
def qr_texts(pdf: bytes, folder: Path) -> list[list[str]]:
    """The QR codes read from each page of `pdf`, rendered as a printer would (pdftoppm, 100 dpi)."""
    path = folder / "boards.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(path), str(folder / "page")], check=True)
    pages = sorted(folder.glob("page-*.png"))
    return [[r.text for r in zxingcpp.read_barcodes(Image.open(p))] for p in pages]


def pdf_text(pdf: bytes, folder: Path) -> list[str]:
    path = folder / "text.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True)
    return out.stdout.split("\f")


def test_each_qr_code_read_from_the_printed_page_opens_that_villages_page(county, tmp_path):
    printed = boards.print_boards(county, who("editor", ZHOUZHI), Scope(ZHOUZHI), DAY, BASE + "/")
    assert printed.villages == 3 and printed.new_tokens == 3
    texts = pdf_text(printed.pdf, tmp_path)
    codes = qr_texts(printed.pdf, tmp_path)
    assert len(codes) == 3
    for village, page_codes, text in zip(sorted([EAST, WEST, ZHONGNAN]), codes, texts):
        assert len(page_codes) == 1
        url = page_codes[0]
        assert url.startswith(BASE + boards.PAGE_PREFIX + "/")
        assert tokens.village_of(county, url.rsplit("/", 1)[1]) == village
        assert village in text                                        # the page it is printed on is that village's
        for name, _org, phone in expected_advisers(village, DAY):
            assert name in text and phone in text.replace(" ", "")
    # nothing of another village, no ended contract, no adviser of the other county
    assert "旧顾问丁" not in "".join(texts) and "邻县顾问戊" not in "".join(texts)
    rows = audit.entries(county, ADMIN, action="signboards")
    assert len(rows) == 1 and rows["detail"][0]["villages"] == 3 and rows["scope"][0] == ZHOUZHI


def test_an_a3_board_is_an_a3_page_whose_code_reads(county, tmp_path):
    printed = boards.print_boards(county, ADMIN, Scope(EAST), DAY, BASE, paper="A3")
    info = subprocess.run(["pdfinfo", "-"], input=printed.pdf, capture_output=True, check=True).stdout.decode()
    assert "841.89 x 1190.55 pts (A3)" in info
    (code,), = qr_texts(printed.pdf, tmp_path)
    assert tokens.village_of(county, code.rsplit("/", 1)[1]) == EAST


def test_printing_is_refused_beyond_a_county_beyond_the_jurisdiction_and_to_viewers(county):
    for principal, scope in ((ADMIN, Scope("6101")), (who("viewer", ZHOUZHI), Scope(ZHOUZHI)),
                             (who("editor", "610118"), Scope(ZHOUZHI))):
        with pytest.raises(UserError):
            boards.print_boards(county, principal, scope, DAY, BASE)
    for bad in ("ftp://x.cn", "sfj.example.gov.cn", "https://x.cn/?a=1", "javascript:alert(1)", "https://x y.cn"):
        with pytest.raises(UserError):
            boards.print_boards(county, ADMIN, Scope(ZHOUZHI), DAY, bad)
    assert county.query("SELECT count(*) AS n FROM signboards")["n"][0] == 0


def test_the_reprint_list_names_boards_never_printed_changed_or_with_a_rotated_code(county):
    def reasons(day=DAY) -> dict[str, str]:
        frame = boards.reprint_list(county, Scope(ZHOUZHI), day)
        return dict(zip(frame["code"], frame["reason"]))

    assert reasons() == {EAST: "never", WEST: "never", ZHONGNAN: "never"}
    boards.print_boards(county, ADMIN, Scope(YABAI), DAY, BASE)
    assert reasons() == {ZHONGNAN: "never"}
    # 丙's contract in 西村 ends on 2027-01-01: a board printed before it is out of date after it
    assert reasons(dt.date(2027, 1, 2)) == {WEST: "changed", ZHONGNAN: "never"}
    tokens.rotate(county, ADMIN, [EAST])
    assert reasons() == {EAST: "rotated", ZHONGNAN: "never"}
    # the county's phone changes: every printed board says something else now
    settings.save(county, ADMIN, ZHOUZHI, CountySettings(supervision_phone="029-87000000"))
    assert reasons() == {EAST: "changed", WEST: "changed", ZHONGNAN: "never"}
    again = boards.print_boards(county, ADMIN, Scope(ZHOUZHI), DAY, BASE, only_reprint=True)
    assert again.villages == 3 and reasons() == {}
    with pytest.raises(UserError):
        boards.print_boards(county, ADMIN, Scope(ZHOUZHI), DAY, BASE, only_reprint=True)   # nothing left to print
    latest = county.latest_signboards(Scope(ZHOUZHI))
    assert set(latest["village"]) == {EAST, WEST, ZHONGNAN}
    assert (latest["data_version"] == county.data_version()).all() and (latest["as_of"] == pd.Timestamp(DAY)).all()
