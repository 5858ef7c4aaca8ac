"""ID-card numbers in any spelling never reach the store, the exports or the reports; other numbers are kept.

Valid numbers are made here (area, a birth date, a sequence, the GB 11643 check character computed by the test),
and a finder of the test's own (every 18-digit window, separators ignored) looks for them afterwards.
"""
import csv
import datetime as dt
import random
import re
import unicodedata

import duckdb
import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely

from fixtures_ledger import LICENCE_SUN, LICENCE_ZHANG, with_check_character
from geo import imports
from geo.core.codes import Scope
from geo.privacy.idcards import scrub_file_name, scrub_id_numbers
from geo.sources.national import national_registry
from geo.store import Store, open_store
from geo.views import gap_list

ZHOUZHI = "610124"
AS_OF = dt.date(2026, 6, 1)


# ------------------------------------------------------------------------------------------ valid numbers
def new_id(rng: random.Random, *, ends_in_x: bool = False) -> str:
    area = rng.choice(["610124", "110105", "440305", "320102", "510107", "650102", "230103"])
    while True:
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))
        number = with_check_character(f"{area}{birth:%Y%m%d}{rng.randrange(1000):03d}")
        if number.endswith("X") == ends_in_x:
            return number


def old_id(rng: random.Random) -> str:
    birth = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(365 * 60))
    return f"610124{birth:%y%m%d}{rng.randrange(1000):03d}"


RNG = random.Random(14)
IDS = [new_id(RNG) for _ in range(40)]
IDS_X = [new_id(RNG, ends_in_x=True) for _ in range(6)]
OLD = [old_id(RNG) for _ in range(6)]


def grouped(number: str, sep: str, sizes=(6, 8, 4)) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(number[at:at + size])
        at += size
    return sep.join(parts)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" or c == "X" else c for c in text)


# --------------------------------------------------------------------------------- the test's own finder
_SEPARATORS = r"[\s\-_./\u2010-\u2015\u2212]"
_RUN = re.compile(rf"[0-9](?:{_SEPARATORS}{{0,3}}[0-9Xx])*")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _real_date(y: int, m: int, d: int) -> bool:
    try:
        return dt.date(1900, 1, 1) <= dt.date(y, m, d) <= dt.date.today()
    except ValueError:
        return False


def ids_in(text: str) -> list[str]:
    """Every valid 18-character number in any window of a digit run, and every 15-digit run that is an old one."""
    found = []
    for run in _RUN.findall(unicodedata.normalize("NFKC", text)):
        digits = re.sub(r"[^0-9Xx]", "", run).upper()
        for i in range(len(digits) - 17):
            w = digits[i:i + 18]
            if "X" in w[:17] or not _real_date(int(w[6:10]), int(w[10:12]), int(w[12:14])):
                continue
            if "10X98765432"[sum(int(a) * b for a, b in zip(w, _WEIGHTS)) % 11] == w[17]:
                found.append(w)
        if len(digits) == 15 and digits.isdigit() and _real_date(1900 + int(digits[6:8]), int(digits[8:10]),
                                                                 int(digits[10:12])):
            found.append(digits)
    return found


def test_the_finder_finds_what_the_tests_plant():
    assert ids_in(f"sfz{grouped(IDS[0], ' - ')}号") == [IDS[0]]
    assert ids_in(full_width(IDS_X[0]).replace("Ｘ", "ｘ")) == [IDS_X[0]]
    assert ids_in(f"旧证{OLD[0]}") == [OLD[0]]


# ------------------------------------------------------------------------------------------- spellings
SPELLINGS = [
    # (text with {id}, what must be left)
    ("{id}", ""),
    ("{id:6-8-4: }", ""),
    ("{id:6-8-4:-}", ""),
    ("{id:6-8-4:.}", ""),
    ("{id:6-8-4:/}", ""),
    ("{id:6-8-4:_}", ""),
    ("{id:6-8-4: - }", ""),
    ("{id:6-8-4:\u3000}", ""),         # full-width space
    ("{id:6-8-4:－}", ""),              # full-width hyphen
    ("{id:6-8-4:．}", ""),              # full-width full stop
    ("{id:6-8-4:—}", ""),               # em dash
    ("{id:6-8-4:\n}", ""),              # a line break inside the cell
    ("{id:3-3-4-4-4: }", ""),
    ("{id:4-4-4-4-2: }", ""),
    ("sfz{id}", "sfz"),
    ("SFZ:{id:6-8-4: }", "SFZ:"),
    ("No{id}号", "No号"),
    ("№{id}", "№"),
    ("身份证:{id}", "身份证:"),
    ("身份证号码：{id:6-8-4:-}（本人）", "身份证号码：（本人）"),
    ("张三{id}先生", "张三先生"),
    ("陕西周至律师事务所{id}", "陕西周至律师事务所"),
    ("13912345678 {id}", "13912345678"),
    ("13912345678,{id}", "13912345678,"),
    ("{id}, 13912345678", ", 13912345678"),
    ("{fw}", ""),                       # full-width digits
    ("李四（{fw}）", "李四（）"),
    ("{id} 和 {id2}", "和"),
    ("证号{licence}，身份证{id}", f"证号{LICENCE_ZHANG}，身份证"),
]


def spell(template: str, number: str, other: str) -> str:
    def grouped_field(m: re.Match) -> str:
        sizes = tuple(int(s) for s in m.group(1).split("-"))
        return grouped(number, m.group(2), sizes)
    text = re.sub(r"\{id:([\d-]+):(.*?)\}", grouped_field, template, flags=re.S)
    return (text.replace("{id2}", other).replace("{id}", number).replace("{fw}", full_width(number))
            .replace("{licence}", LICENCE_ZHANG))


@pytest.mark.parametrize("template, left", SPELLINGS)
@pytest.mark.parametrize("k", range(3))
def test_every_spelling_of_a_valid_number_is_removed_and_the_rest_kept(template, left, k):
    number, other = IDS[k], IDS[k + 10]
    text = spell(template, number, other)
    assert ids_in(text), text                                  # it really holds a valid number
    assert scrub_id_numbers(text) == left
    assert not ids_in(scrub_id_numbers(text))


@pytest.mark.parametrize("k", range(len(IDS_X)))
@pytest.mark.parametrize("form", ["upper", "lower", "full-width", "full-width lower", "grouped lower"])
def test_a_final_x_in_any_form(k, form):
    number = IDS_X[k]
    text = {"upper": number, "lower": number.lower(), "full-width": full_width(number),
            "full-width lower": full_width(number).replace("Ｘ", "ｘ"),
            "grouped lower": grouped(number.lower(), " ")}[form]
    assert scrub_id_numbers(f"备注{text}已核") == "备注已核"


@pytest.mark.parametrize("k", range(len(OLD)))
@pytest.mark.parametrize("template", ["{id}", "旧证{id}", "{id:6-6-3:-}", "{id:6-6-3: }", "老身份证：{fw}号"])
def test_old_fifteen_digit_numbers_with_a_real_birth_date_are_removed(k, template):
    text = re.sub(r"\{id:6-6-3:(.)\}", lambda m: grouped(OLD[k], m.group(1), (6, 6, 3)), template)
    text = text.replace("{id}", OLD[k]).replace("{fw}", full_width(OLD[k]))
    assert OLD[k] not in re.sub(r"\D", "", unicodedata.normalize("NFKC", scrub_id_numbers(text)))


# ------------------------------------------------------------------------------------------ near misses
def wrong_check(number: str) -> str:
    right = number[17]
    return number[:17] + next(c for c in "0123456789X" if c != right)


def impossible_date(first6: str, date8: str, seq: str = "123") -> str:
    return with_check_character(first6 + date8 + seq)   # the check character fits, the date does not exist


NEAR_MISSES = (
    [wrong_check(n) for n in IDS[:8]]
    + [grouped(wrong_check(n), " ") for n in IDS[8:12]]
    + [impossible_date("610124", d) for d in ("19880230", "19881301", "19880000", "18991231", "20990101",
                                               "19870229")]
    + [LICENCE_ZHANG, LICENCE_SUN, "16101201910123456", "31101201511234567", full_width("16101201910123456"),
       "13912345678", "139 1234 5678", "029-87654321", "+86 139-1234-5678",
       "610124001200", "610124101201", "6101241010012000000", "6101241022010000000", "610124102201 0000000",
       "6222 0212 3456 7890 123", "6222021234567890", "6217002430012345678",
       "2026.01.01-2027.12.31", "20260101-20271231",
       "916101247700123456",                 # unified social credit code style (no real birth date inside)
       "009124850202345", "610124851302345",  # 15 digits: no province, month 13
       "6101248502023451", "61012485020234",  # 16 and 14 digits
       ]
    + [IDS[0] + "7", "1" + IDS[1]]           # 19 digits
)


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_numbers_that_are_not_id_numbers_are_kept(text):
    assert scrub_id_numbers(text) is text
    assert scrub_id_numbers(f"备注：{text}。") == f"备注：{text}。"


def test_file_names_keep_their_extension():
    assert scrub_file_name(f"台账{IDS[0]}.xlsx") == "台账.xlsx"
    assert scrub_file_name(f"{grouped(IDS[1], '.')}.csv") == "upload.csv"
    assert scrub_file_name(f"sfz_{grouped(IDS[2], '_')}_台账.csv") == "sfz__台账.csv"
    assert scrub_file_name("周至县台账（2026）.xlsx") == "周至县台账（2026）.xlsx"


# ------------------------------------------------------------------------------------------ end to end
@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "ids.duckdb")
    with s.transaction() as cur:
        s.load_registry(national_registry()[national_registry()["code"].str.startswith("61")], cur)
    yield s
    s.close()


def ids_in_store(store: Store) -> list[tuple[str, str, str]]:
    """(table, column, number) for every valid number in any text column of any table."""
    columns = store.query("""SELECT table_name, column_name FROM information_schema.columns
                             WHERE data_type = 'VARCHAR' AND table_schema = current_schema()""")
    hits = []
    for table, column in columns.itertuples(index=False):
        for (value,) in store.cursor().execute(f'SELECT DISTINCT "{column}" FROM "{table}"').fetchall():
            hits += [(table, column, n) for n in ids_in(value or "")]
    return hits


LEDGER_HEADER = ["序号", "乡镇（街道）", "村（社区）名称", "法律顾问姓名", "类别", "执业机构", "执业证号", "联系电话",
                 "聘任期限", "备注"]


def ledger_rows() -> list[list]:
    """Villages of 周至县 whose adviser, organisation, licence, phone and remark cells carry ID numbers."""
    a, b, c, d, e, f = IDS[20:26]
    x = IDS_X[3]
    return [
        [1, "二曲街道", "镇东村", f"张三 {grouped(a, ' ')}", "律师", f"sfz{b}陕西周至律师事务所", LICENCE_ZHANG,
         f"13912345678/{grouped(c, '-')}", "2026.01.01-2027.12.31", f"No{d}号"],
        [2, "二曲街道", "八一村", f"李四（{full_width(e)}）", "律师", "二曲法律服务所",
         f"{LICENCE_SUN}/{grouped(f, '.')}", "029-87654321", "2026.01.01-2027.12.31", None],
        [3, "哑柏镇", "仰天村", "王五", "律师", f"周至县法律援助中心（身份证：{full_width(x).replace('Ｘ', 'ｘ')}）",
         None, f"13800000000 {x.lower()}", "2026-01-01至今", f"旧证{OLD[2]}"],
    ]


def write_ledger_xlsx(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["周至县法律顾问台账"])
    ws.append(LEDGER_HEADER)
    for row in ledger_rows():
        ws.append(row)
    wb.save(path)
    return path


def write_ledger_csv(path):
    with open(path, "w", encoding="gb18030", newline="") as f:
        w = csv.writer(f)
        w.writerow(["周至县法律顾问台账"] + [""] * (len(LEDGER_HEADER) - 1))
        w.writerow(LEDGER_HEADER)
        w.writerows([["" if v is None else v for v in row] for row in ledger_rows()])
    return path


def exported_text(store: Store, tmp_path) -> str:
    """What geo.outputs.export writes for the county, every cell of every format as text."""
    villages = store.village_statuses(Scope.parse(ZHOUZHI), AS_OF)
    assert villages["advisers"].notna().any()
    parts = []
    for ext in ("xlsx", "csv", "geojson"):
        path = gap_list.write(tmp_path / f"export.{ext}", villages, {})
        if ext == "xlsx":
            ws = openpyxl.load_workbook(path).active
            parts += [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
        else:
            parts.append(path.read_text(encoding="utf-8-sig"))
    return "\n".join(parts)


def report_text(result, tmp_path) -> str:
    parts = [imports.report_table(result).to_csv()]
    for ext in ("xlsx", "csv"):
        path = imports.write_report(result, tmp_path / f"report.{ext}")
        if ext == "xlsx":
            ws = openpyxl.load_workbook(path).active
            parts += [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
        else:
            parts.append(path.read_text(encoding="utf-8-sig"))
    return "\n".join(parts)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_ledger_with_ids_in_every_column_and_its_name(store, tmp_path, kind):
    name = f"台账_{grouped(IDS[30], ' ')}.{kind}" if kind == "xlsx" else f"sfz{IDS_X[4]}周至台账.{kind}"
    path = (write_ledger_xlsx if kind == "xlsx" else write_ledger_csv)(tmp_path / name)
    res = imports.import_assignments(store, path, county=ZHOUZHI)
    assert res.rows_accepted == 3 and res.rows_rejected == 0
    assert ids_in_store(store) == []
    assert not ids_in(res.file_name) and not ids_in(exported_text(store, tmp_path))
    assert not ids_in(report_text(res, tmp_path)) and OLD[2] not in report_text(res, tmp_path)
    # the rest of each cell is kept, and the report says which rows lost a number
    people = store.query("SELECT name, org, licence_no, phone FROM advisers ORDER BY name")
    assert set(people["name"]) == {"张三", "李四()", "王五"}     # names are NFKC-normalised by the reader
    assert {"sfz陕西周至律师事务所", "周至县法律援助中心（身份证：）"} <= set(people["org"])
    assert f"{LICENCE_SUN}/" in set(people["licence_no"])
    assert {"13912345678/", "13800000000"} <= set(people["phone"])
    doubtful = res.doubtful.set_index("row")["message"]
    assert all("身份证号码" in doubtful[r] for r in (3, 4, 5))
    assert store.batches()["file_name"].iloc[0] in (f"台账.{kind}", f"sfz周至台账.{kind}")


def test_division_list_with_an_id_in_a_name(store, tmp_path):
    rows = [(ZHOUZHI + "100299", "220", f"新一村{grouped(IDS[31], '-')}村委会"),
            (ZHOUZHI + "100298", "220", f"新二村村委会 sfz{full_width(IDS_X[5])}"),
            (IDS[32], "220", "坏行")]                         # an ID in the code column: rejected, not kept
    path = tmp_path / f"区划{IDS[33]}.csv"
    path.write_text("统计用区划代码,城乡分类代码,名称\n" + "\n".join(",".join(r) for r in rows) + "\n",
                    encoding="utf-8")
    res = imports.import_registry(store, path)
    assert store.division(ZHOUZHI + "100299").name == "新一村村委会"
    assert store.division(ZHOUZHI + "100298").name == "新二村村委会 sfz"
    assert ids_in_store(store) == [] and not ids_in(report_text(res, tmp_path))
    assert res.rows_rejected == 1 and sorted(res.doubtful["row"]) == [2, 3]
    assert all("身份证号码" in m for m in res.doubtful["message"])
    assert store.batches()["file_name"].iloc[0] == "区划.csv"


def test_boundary_file_with_ids_in_its_attributes(store, tmp_path):
    zz = national_registry()
    zz = zz[zz["code"].str.startswith(ZHOUZHI + "101") & (zz["level"] == 5)].head(3)
    names = [f"{zz['name'].iloc[0]}{IDS[34]}", zz["name"].iloc[1], f"不存在村 {grouped(IDS[35], ' ')}"]
    gdf = gpd.GeoDataFrame({"ZLDWDM": [zz["code"].iloc[0] + "0000000", None, None], "ZLDWMC": names,
                            "BZ": [None, f"sfz{IDS[36]}", None]},
                           geometry=[shapely.box(108.2 + i * 0.01, 34.1, 108.21 + i * 0.01, 34.11) for i in range(3)],
                           crs="EPSG:4326")
    path = tmp_path / f"村界{grouped(IDS[37], '.')}.geojson"
    gdf.to_file(path, driver="GeoJSON")
    read = imports.preview_boundaries(store, path, county=ZHOUZHI)
    assert not any(ids_in(str(v)) for v in read.matched["source_names"])
    assert any("身份证号码" in w for w in read.warnings)
    res = imports.import_boundaries(store, path, county=ZHOUZHI)
    assert res.rows_accepted == 2 and res.rows_rejected == 1
    assert ids_in_store(store) == [] and not ids_in(report_text(res, tmp_path))
    assert sorted(res.doubtful["row"]) == [1, 2, 3] and res.file_name == "村界.geojson"
    assert res.rejects["ZLDWMC"].tolist() == ["不存在村"]


def test_no_write_path_can_store_an_id(store):
    """The store's write methods, the only way the product writes, scrub what they store even when a caller
    forgot the readers."""
    with store.transaction() as cur:
        batch = store.new_batch(cur, "assignments", f"名单{IDS[38]}.xlsx", note=f"备注 {grouped(IDS[39], '-')}")
        store.add_advisers(cur, pd.DataFrame([{"adviser_id": 1, "name": f"赵六{IDS[0]}",
                                               "org": f"所{full_width(IDS[1])}", "licence_no": LICENCE_ZHANG,
                                               "phone": f"13700000001 {IDS[2]}", "batch_id": batch}]))
        town = store.division(ZHOUZHI + "101201")
        store.apply_registry_version(cur, pd.DataFrame([{"code": town.code, "name": f"{town.name}sfz{IDS[3]}",
                                                         "level": town.level}]), batch)
    assert ids_in_store(store) == []
    assert store.query("SELECT licence_no, phone FROM advisers").values.tolist() == [[LICENCE_ZHANG, "13700000001"]]
    assert store.division(ZHOUZHI + "101201").name.endswith("sfz")


@pytest.mark.parametrize("text", NEAR_MISSES[:4] + NEAR_MISSES[-12:])
def test_the_store_keeps_numbers_that_are_not_ids(store, text):
    with store.transaction() as cur:
        cur.execute("INSERT INTO advisers (adviser_id, name, org, phone) VALUES (1, '甲', ?, ?)",
                    [f"机构 {text}", text])
    assert store.query("SELECT org, phone FROM advisers").values.tolist() == [[f"机构 {text}", text]]


def test_a_database_written_before_the_scrubber_is_cleaned_when_opened(tmp_path):
    path = tmp_path / "old.duckdb"
    open_store(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO advisers (adviser_id, name, phone) VALUES (1, ?, ?)",
                [f"钱七 {grouped(IDS[5], ' ')}", f"身份证{IDS[6]}"])
    con.execute("DELETE FROM meta WHERE key = 'id_scrub'")
    con.close()
    with open_store(path) as store:
        assert ids_in_store(store) == []
        assert store.query("SELECT name FROM advisers")["name"].tolist() == ["钱七"]
