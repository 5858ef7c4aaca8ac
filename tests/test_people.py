"""One person once: who is who among advisers, across the rows of one ledger and against the people stored.

The rule table (geo.sources.ledger.people.compare) is written out below for every combination of licence number, name,
phone and organisation, and each combination is tried three ways: the rule itself (both ways round), two rows of
one ledger imported together, and a row imported after a stored person, on both store backends.
"""
import itertools
import logging

import openpyxl
import pytest

from backends import BACKENDS, StoreMaker, require
from fixtures_county import county_store
from geo import imports
from geo.privacy.phones import phone_numbers
from geo.sources.ledger.people import Identity, compare, normal_name
from geo.text.catalogue import t

VILLAGE = "610124100201"
LICENCE, OTHER_LICENCE = "16101201910012345", "16101201910054321"
PHONE, PHONE_AGAIN, OTHER_PHONE = "13912345678", "+86 139-1234-5678", "13812345678"
ORG, ORG_AGAIN, OTHER_ORG = "周至县秦岭律师事务所(二所)", "周至县秦岭律师事务所（二所）", "周至县司法所"

# licence / phone / organisation: the same (spelled another way where it can be), another, on one side only, on neither
SIDES = {
    "licence": {"same": (LICENCE, LICENCE), "other": (LICENCE, OTHER_LICENCE), "one": (LICENCE, None),
                "none": (None, None)},
    "phone": {"same": (PHONE, PHONE_AGAIN), "other": (PHONE, OTHER_PHONE), "one": (PHONE, None),
              "none": (None, None)},
    "org": {"same": (ORG, ORG_AGAIN), "other": (ORG, OTHER_ORG), "one": (ORG, None), "none": (None, None)},
}
PHONES = ORGS = ("same", "other", "one", "none")

# (licence, name) -> one letter per (phone, org), rows by phone and columns by org in the order of PHONES / ORGS:
# S the same person, A two people, D two people noted as possibly one
RULES = {
    ("same", "same"): "SSSS SSSS SSSS SSSS",        # one licence, one name: one person, whatever phone or firm
    ("same", "other"): "DDDD DDDD DDDD DDDD",       # one licence under two names: a typo or a copied cell
    ("other", "same"): "DDDD AAAA AAAA AAAA",       # two licences: two people, doubtful only with one phone
    ("other", "other"): "AAAA AAAA AAAA AAAA",
    ("one", "same"): "SSSS DDDD SDDD SDDD",         # no licence to compare: the phone decides, else the firm
    ("one", "other"): "AAAA AAAA AAAA AAAA",
    ("none", "same"): "SSSS DDDD SDDD SDSS",        # only names (and firms): one person unless a firm differs
    ("none", "other"): "AAAA AAAA AAAA AAAA",
}
CASES = [(lic, name, phone, org, RULES[lic, name].split()[PHONES.index(phone)][ORGS.index(org)])
         for lic, name in RULES for phone, org in itertools.product(PHONES, ORGS)]
VERDICT = {"S": "same", "A": "apart", "D": "doubt"}


def records(i: int, lic: str, name: str, phone: str, org: str, tag: str) -> list[dict]:
    """The two records of case `i`: the second spells the same name another way (a space, full-width digits)."""
    first = f"顾问{i}{tag}"
    wide = str(i).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    second = f"顾 问{wide}{tag}" if name == "same" else f"另一人{i}{tag}"
    out = []
    for side, who in enumerate((first, second)):
        out.append({"name": who, "licence": _tagged(SIDES["licence"][lic][side], i, tag),
                    "phone": SIDES["phone"][phone][side], "org": SIDES["org"][org][side]})
    return out


def _tagged(licence: str | None, i: int, tag: str) -> str | None:
    """A licence number of this case only, so that cases sharing a store do not meet."""
    if licence is None:
        return None
    return licence[:-5] + f"{i:03d}{'12'[tag == '乙']}" + licence[-1]


@pytest.mark.parametrize("lic, name, phone, org, expected", CASES)
def test_the_rule_table(lic, name, phone, org, expected):
    a, b = (Identity.of(r["name"], r["licence"], r["phone"], r["org"]) for r in records(0, lic, name, phone, org, ""))
    assert compare(a, b)[0] == VERDICT[expected]
    assert compare(b, a)[0] == VERDICT[expected]           # the rule does not depend on which came first


# ---------------------------------------------------------------------------------------------- in the store
@pytest.fixture(scope="module", params=BACKENDS)
def shared(request, tmp_path_factory):
    """One small store per backend for every case (each case's names and licence numbers are its own)."""
    require(request.param)
    maker = StoreMaker(request.param, tmp_path_factory.mktemp(f"people_{request.param}"))
    yield county_store(maker, "people")
    maker.close()


def ledger_csv(path, rows: list[dict], year: int):
    """A ledger of `rows`, one contract each on VILLAGE, each for its own year from `year` on."""
    lines = ["区划代码,村（社区）名称,法律顾问姓名,执业证号,联系电话,所在单位,聘任期限"]
    for k, r in enumerate(rows):
        cells = [VILLAGE, "东村村委会", r["name"], r["licence"] or "", r["phone"] or "", r["org"] or "",
                 f"{year + k}.1.1-{year + k}.12.31"]
        lines.append(",".join(f'"{c}"' for c in cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def duplicates(result) -> list:
    return [n for n in result.doubted if n.reason == "possible_duplicate"]


@pytest.mark.parametrize("lic, name, phone, org, expected", CASES)
def test_two_rows_of_one_ledger(shared, tmp_path, lic, name, phone, org, expected):
    i = CASES.index((lic, name, phone, org, expected))
    rows = records(i, lic, name, phone, org, "甲")
    res = imports.import_assignments(shared, ledger_csv(tmp_path / f"周至县台账{i}甲.csv", rows, 2020),
                                     county="610124")
    assert res.rows_accepted == 2
    assert res.details["advisers_new"] == (1 if expected == "S" else 2)
    noted = duplicates(res)
    assert [n.row for n in noted] == ([3] if expected == "D" else [])
    if noted:
        assert "第 2 行" in noted[0].message.text("zh") and "row 2" in noted[0].message.text("en")


@pytest.mark.parametrize("lic, name, phone, org, expected", CASES)
def test_a_row_against_a_stored_person(shared, tmp_path, lic, name, phone, org, expected):
    i = CASES.index((lic, name, phone, org, expected))
    first, second = records(i, lic, name, phone, org, "乙")
    imports.import_assignments(shared, ledger_csv(tmp_path / f"周至县台账{i}乙1.csv", [first], 2020),
                               county="610124")
    res = imports.import_assignments(shared, ledger_csv(tmp_path / f"周至县台账{i}乙2.csv", [second], 2021),
                                     county="610124")
    assert res.rows_accepted == 1
    assert res.details["advisers_new"] == (0 if expected == "S" else 1)
    noted = duplicates(res)
    assert [n.row for n in noted] == ([2] if expected == "D" else [])
    if noted:
        zh, en = noted[0].message.text("zh"), noted[0].message.text("en")
        assert f"已登记的顾问“{normal_name(first['name'])}”" in zh and "the stored adviser" in en
        assert PHONE not in zh + en


# ---------------------------------------------------------------------------------------------- spellings
@pytest.mark.parametrize("a, b, same", [
    ("139 1234 5678", "13912345678", True), ("+86 13912345678", "0086-139-1234-5678", True),
    ("１３９１２３４５６７８", "13912345678", True), ("029-87654321", "(029)8765 4321", True),
    ("2987654321", "029-87654321", True),                  # a landline Excel kept as a number lost its 0
    ("13912345678 / 029-87654321", "029 8765 4321", True),  # two numbers in a cell: either one
    ("13912345678", "13912345679", False), ("029-87654321", "0917-87654321", False),
])
def test_phone_numbers_compare_as_numbers(a, b, same):
    assert bool(phone_numbers(a) & phone_numbers(b)) is same


@pytest.mark.parametrize("a, b, same", [("张三", "张 三", True), ("张三", "张　三", True), ("李四", "李 四 ", True),
                                        ("买买提·艾力", "买买提・艾力", True), ("Sun Qi", "sun  qi", True),
                                        ("张三", "张叁", False)])
def test_names_compare_normalised(a, b, same):
    assert (normal_name(a) == normal_name(b)) is same


def test_a_phone_stored_as_an_excel_number_finds_the_stored_person(shared, tmp_path, caplog):
    first = {"name": "数字电话", "licence": None, "phone": "139 0000 1111", "org": ORG}
    imports.import_assignments(shared, ledger_csv(tmp_path / "周至县台账数字1.csv", [first], 2020),
                               county="610124")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["区划代码", "村（社区）名称", "法律顾问姓名", "联系电话", "所在单位", "聘任期限"])
    ws.append([VILLAGE, "东村村委会", "数字 电话", 13900001111, ORG, "2021.1.1-2021.12.31"])
    wb.save(tmp_path / "周至县台账数字2.xlsx")
    with caplog.at_level(logging.DEBUG):
        res = imports.import_assignments(shared, tmp_path / "周至县台账数字2.xlsx", county="610124")
    assert res.details["advisers_new"] == 0 and not duplicates(res)
    assert "13900001111" not in caplog.text


def test_a_possible_duplicate_reads_in_the_report_in_both_languages(shared, tmp_path):
    rows = [{"name": "王五", "licence": None, "phone": "13700000001", "org": ORG},
            {"name": "王五", "licence": None, "phone": "13700000002", "org": ORG}]
    res = imports.import_assignments(shared, ledger_csv(tmp_path / "周至县台账王五.csv", rows, 2020), county="610124")
    for lang, reason, words in (("zh", "可能是同一人", "与第 2 行的顾问同名，但电话不同"),
                                ("en", "possibly the same person",
                                 "same name as the adviser on row 2 but another phone")):
        report = imports.report_table(res, lang)
        line = report[report[t("imp.col.reason", lang)] == reason]
        assert line[t("imp.col.row", lang)].tolist() == [3]
        assert words in line[t("imp.col.message", lang)].iloc[0]


def test_two_people_the_file_keeps_apart_are_not_joined_through_a_stored_one(shared, tmp_path):
    stored = {"name": "赵六", "licence": "16101201910099991", "phone": "13600000001", "org": ORG}
    imports.import_assignments(shared, ledger_csv(tmp_path / "周至县台账赵六1.csv", [stored], 2020), county="610124")
    rows = [{**stored, "licence": None},                               # the stored one by phone
            {**stored, "phone": "13600000002"}]                         # the stored one by licence, another phone
    res = imports.import_assignments(shared, ledger_csv(tmp_path / "周至县台账赵六2.csv", rows, 2021), county="610124")
    assert res.details["advisers_new"] == 1
    noted = {n.message.key.rsplit(".", 1)[1]: n.row for n in duplicates(res)}
    assert noted == {"other_phone": 3, "taken": 3}
