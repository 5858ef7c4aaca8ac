"""Phone numbers (and ID-card numbers) in free text: every spelling a clerk uses is removed, other numbers stay."""
from __future__ import annotations

import unicodedata

import pytest

from fixtures_ledger import ID_IN_COLUMN, ID_IN_REMARK, ID_OLD_15
from geo.privacy.phones import scrub_personal_numbers, scrub_phone_numbers, scrub_villager_text


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


MOBILES = ["13912345678", "139 1234 5678", "139-1234-5678", "139-1234 5678",
           "1391234 5678", "+86 13912345678", "+8613912345678", "86-139-1234-5678", "0086 13912345678",
           full_width("13912345678"), full_width("139-1234-5678"), "１３９ １２３４ ５６７８", "15012345678",
           "19912345678", "139.1234.5678"]
LANDLINES = ["029-87654321", "02987654321", "029 8765 4321", "(029)87654321", "(029) 8765-4321", "0917-3216549",
             "09173216549", "010-62345678", full_width("029-87654321"), "０２９－８７６５４３２１", "（029）87654321"]


@pytest.mark.parametrize("number", MOBILES + LANDLINES)
@pytest.mark.parametrize("frame", ["{}", "电话{}", "联系电话：{}。", "当事人（{}）已回访", "tel {} ok"])
def test_phone_numbers_are_removed_in_any_spelling(number, frame):
    text = frame.format(number)
    assert scrub_phone_numbers(text) == frame.format("").strip()


@pytest.mark.parametrize("text", [
    "执业证号16101201810123456",          # 17 digits: a licence number
    "610124100001",                        # a division code
    "6101241000011234567",                 # a survey code
    "2026-03-15", "2026.03.15 服务 2 小时", "20260315", "1.5h", "服务30人次，用时120分钟",
    "139123456789",                        # 12 digits: not a mobile number
    "1391234567",                          # 10 digits
    "12345678901",                         # 12x is no mobile prefix
    "工号 87654321",                        # a local number without its area code
    "6222021234567890123",                 # a bank card
    "第0291组", "编号029-876",
])
def test_other_numbers_are_kept(text):
    assert scrub_phone_numbers(text) == text


def spaced(number: str, sep: str) -> str:
    return sep.join((number[:6], number[6:14], number[14:]))


@pytest.mark.parametrize("number", [
    ID_IN_COLUMN, ID_IN_REMARK, ID_IN_REMARK.lower(), spaced(ID_IN_COLUMN, " "), spaced(ID_IN_REMARK, "-"),
    full_width(ID_IN_COLUMN), full_width(ID_IN_REMARK.replace("X", "x")), full_width(spaced(ID_IN_COLUMN, " ")),
    ID_OLD_15,
])
def test_id_numbers_and_phones_leave_free_text_together(number):
    text = f"调解纠纷，当事人身份证{number}，电话139 1234 5678，备案"
    assert scrub_personal_numbers(text) == "调解纠纷，当事人身份证，电话，备案"


# A villager's comment: every long number goes, valid or not (a mistyped ID or phone still names a person).
VILLAGER_NUMBERS = [
    "110101199003071234",          # an ID number with a wrong check digit
    "11010119900307123X",          # the same, ending in X
    "110101 19900307 1234",        # in groups
    "１１０１０１１９９００３０７１２３４",   # full-width digits
    "110101900307123",             # a 15-digit one with no valid area
    "1380013800",                  # a mobile number with a digit missing is not 11 digits: kept (below)
    "138001380001",                # a mobile number with a digit too many
    "6222 0202 0000 1234 567",     # a bank card
    "139-1234-5678",
]


@pytest.mark.parametrize("number", [n for n in VILLAGER_NUMBERS if sum(c.isdigit() for c in
                                                                      unicodedata.normalize("NFKC", n)) >= 11])
@pytest.mark.parametrize("around", [("身份证", "，一年没见过顾问"), ("", ""), ("电话：", "")])
def test_villager_text_loses_every_long_number(number, around):
    before, after = around
    cleaned = scrub_villager_text(f"{before}{number}{after}")
    assert cleaned == f"{before}{after}".strip()
    assert sum(c.isdigit() for c in unicodedata.normalize("NFKC", cleaned)) == 0


@pytest.mark.parametrize("text", ["2026年12月7日来过一次", "补助3000元没发", "第3次反映，共15户", "10户人家2026.12.07",
                                  "电话1380013800打不通"])
def test_villager_text_keeps_short_numbers(text):
    assert scrub_villager_text(text) == text
