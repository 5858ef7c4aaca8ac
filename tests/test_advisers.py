"""The adviser register, renewals and load figures: hand-built ledgers of 周至县 imported through the real import,
on both backends; the flag rules, exports read back, the CLI's JSON, the detail's distances."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import openpyxl
import pandas as pd
import pytest

from geo import imports
from geo.cli import main
from geo.core.codes import Scope
from geo.core.sphere import haversine_km as great_circle_km
from geo.sources.national import national_registry
from geo.text.catalogue import t
from geo.text.formats import contract_end
from geo.views import advisers
from geo.views.advisers import DEFAULT_CAP

ZHOUZHI = Scope.parse("610124")
PARENTS = ("610000000000", "610100000000")
DAY = dt.date(2026, 6, 1)          # 60 days later: 2026-07-31

HEADER = ["乡镇（街道）", "村（社区）名称", "法律顾问姓名", "类别", "执业机构", "执业证号", "联系电话", "聘任期限"]
LAW_A, LAW_B = "陕西甲律师事务所", "陕西乙律师事务所"
SERVICE = "二曲法律服务所"
L_ZHANG, L_WANG, L_ZHAO, L_QIAN = "16101201810000001", "16101201810000002", "16101201810000003", "16101201810000004"

# (township, village, name, kind, org, licence, phone, period)
FIRST = [
    # 张律师: six villages in two townships (over the cap of 5)
    ("二曲街道", "淳风苑社区", "张律师", "律师", LAW_A, L_ZHANG, "13900000001", "2026.01.01-2027.12.31"),
    ("二曲街道", "凤泉社区", "张律师", "律师", LAW_A, L_ZHANG, "13900000001", "2026.01.01-2027.12.31"),
    ("二曲街道", "城东社区", "张律师", "律师", LAW_A, L_ZHANG, "13900000001", "2026.01.01-2027.12.31"),
    ("二曲街道", "云塔社区", "张律师", "律师", LAW_A, L_ZHANG, "13900000001", "2026.01.01-2027.12.31"),
    ("哑柏镇", "哑柏社区", "张律师", "律师", LAW_A, L_ZHANG, "13900000001", "2026.01.01-2027.12.31"),
    ("哑柏镇", "阳化社区", "张律师", "律师", LAW_A, L_ZHANG, "13900000001", "2026.01.01-2027.12.31"),
    # 李工作者 (no licence): both contracts end in the window, one exactly on its last day, one on the day itself
    ("哑柏镇", "景联社区", "李工作者", "基层法律服务工作者", SERVICE, None, "029-87000001", "2025.08.01-2026.07.31"),
    ("哑柏镇", "新区社区", "李工作者", "基层法律服务工作者", SERVICE, None, "029-87000001", "2025.06.02-2026.06.01"),
    # 王律师: ended last year, serves nothing now (终南社区 lapsed, its adviser gone)
    ("终南镇", "终南社区", "王律师", "律师", LAW_B, L_WANG, "13900000002", "2024.01.01-2025.12.31"),
    # 赵律师: 终南村 lapsed while he still serves 毓兴村 (open-ended) and, ending soon, the shared 东关村
    ("终南镇", "终南村", "赵律师", "律师", LAW_B, L_ZHAO, "13900000003", "2024.01.01-2025.12.31"),
    ("终南镇", "毓兴村", "赵律师", "律师", LAW_B, L_ZHAO, "13900000003", "2026.01.01至今"),
    ("终南镇", "东关村", "赵律师", "律师", LAW_B, L_ZHAO, "13900000003", "2026.01.01-2026.06.30"),
    # 钱律师 shares 东关村 and stays on it: 赵律师's contract there needs no renewal
    ("终南镇", "东关村", "钱律师", "律师", LAW_A, L_QIAN, "13900000004", "2026.03.01-2028.02.29"),
]
SECOND = [
    # the same 张律师 by licence, with a new phone: a seventh village, a third township
    ("马召镇", "马召社区", "张律师", "律师", LAW_A, L_ZHANG, "13900000009", "2026.01.01-2027.12.31"),
    # the same 李工作者 by name and phone: 新区社区 renewed from the day after its end (not current yet on DAY)
    ("哑柏镇", "新区社区", "李工作者", "基层法律服务工作者", SERVICE, None, "029 8700 0001", "2026.06.02-2027.06.01"),
    # another 李工作者 (another phone): another person
    ("马召镇", "安富园社区", "李工作者", "基层法律服务工作者", SERVICE, None, "13700000007", "2026.01.01-2026.12.31"),
]


def write_ledger(path, rows) -> str:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["周至县村（居）法律顾问台账"])
        w.writerow(HEADER)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])
    return str(path)


@pytest.fixture
def ledgers(new_store, tmp_path):
    """周至县's registry and the two ledgers above, imported as a user would."""
    store = new_store("adv")
    with store.transaction() as cur:
        codes = national_registry()["code"]
        store.load_registry(national_registry()[codes.str.startswith("610124") | codes.isin(PARENTS)], cur)
    for name, rows in (("台账一.csv", FIRST), ("台账二.csv", SECOND)):
        res = imports.import_assignments(store, write_ledger(tmp_path / name, rows), county="610124")
        assert res.rows_rejected == 0, res.rejects
    return store


def by_name(reg: advisers.Register) -> dict[tuple[str, str | None], advisers.AdviserRow]:
    return {(r.name, r.phone): r for r in reg.rows()}


def code_of(store, village: str) -> str:
    return store.query(f"SELECT code FROM divisions WHERE name LIKE '{village}%' AND code >= 610124000000 "
                       f"AND code < 610125000000")["code"].map(lambda c: f"{c:012d}").iloc[0]


# ------------------------------------------------------------------------------------------------ register

def test_loads_and_flags_from_two_ledgers(ledgers):
    reg = advisers.register(ledgers, ZHOUZHI, DAY)
    rows = by_name(reg)
    assert len(reg.frame) == 6      # 张 (two files, one person), 李 twice (two phones), 王, 赵, 钱
    zhang = rows[("张律师", "13900000001")]
    assert (zhang.villages, len(zhang.village_codes), len(zhang.townships)) == (7, 7, 3)
    assert set(zhang.townships) == {"二曲街道", "哑柏镇", "马召镇"}
    assert code_of(ledgers, "马召社区") in zhang.village_codes
    assert all(len(c) == 12 and c.isdigit() for c in zhang.village_codes)
    assert zhang.next_end == dt.date(2027, 12, 31)
    assert (zhang.over_cap, zhang.expiring, zhang.idle) == (True, False, False)
    li = rows[("李工作者", "029-87000001")]
    assert li.villages == 2 and li.next_end == DAY
    assert (li.over_cap, li.expiring, li.idle) == (False, True, False)
    other_li = rows[("李工作者", "13700000007")]
    assert other_li.villages == 1 and not other_li.expiring        # ends 2026-12-31, beyond the window
    wang = rows[("王律师", "13900000002")]
    assert (wang.villages, wang.village_codes, wang.next_end) == (0, (), None)
    assert (wang.over_cap, wang.expiring, wang.idle) == (False, False, True)
    zhao = rows[("赵律师", "13900000003")]
    # 毓兴村 is open-ended: not expiring though 东关村 ends within the window, which is his next end
    assert (zhao.villages, zhao.next_end, zhao.expiring) == (2, dt.date(2026, 6, 30), False)
    qian = rows[("钱律师", "13900000004")]
    assert qian.villages == 1 and set(qian.village_codes) == {code_of(ledgers, "东关村")}
    # no service log in these ledgers: nobody is below the hours standard (no data is not a shortfall)
    assert reg.counts == {"advisers": 6, "over_cap": 1, "expiring": 1, "idle": 1, "below_standard": 0}


def test_the_expiring_window_ends_on_its_last_day(ledgers):
    """李工作者's latest end is 2026-07-31: 60 days after 2026-06-01 (expiring), 61 after 2026-05-31 (not)."""
    def li(day):
        return by_name(advisers.register(ledgers, ZHOUZHI, day))[("李工作者", "029-87000001")]
    assert li(DAY).expiring
    assert not li(DAY - dt.timedelta(days=1)).expiring
    day_before = DAY - dt.timedelta(days=1)
    assert advisers.register(ledgers, ZHOUZHI, day_before, expiring_days=61).counts["expiring"] == 1
    # the day after 新区社区's old contract ended, the renewal signed in the second file is in force
    after = li(DAY + dt.timedelta(days=1))
    assert after.villages == 2 and not after.expiring and after.next_end == dt.date(2026, 7, 31)


def test_the_cap_is_a_setting(ledgers):
    assert advisers.register(ledgers, ZHOUZHI, DAY, cap=7).counts["over_cap"] == 0
    assert advisers.register(ledgers, ZHOUZHI, DAY, cap=1).counts["over_cap"] == 3      # 张 7, 赵 2, 李 2
    with pytest.raises(advisers.AdviserError):
        advisers.register(ledgers, ZHOUZHI, DAY, cap=0)


def test_scope_picks_people_and_loads_count_every_village(ledgers):
    """马召镇's register lists 张律师 with all seven villages (the cap is per person) and the second 李工作者."""
    reg = advisers.register(ledgers, Scope.parse("610124103"), DAY)
    assert sorted((r.name, r.villages) for r in reg.rows()) == [("张律师", 7), ("李工作者", 1)]
    # before anyone's first contract started nobody is on the register
    assert advisers.register(ledgers, ZHOUZHI, dt.date(2023, 12, 31)).frame.empty


def test_loads_for_the_plan_match_the_register(ledgers):
    loads = ledgers.adviser_loads(ZHOUZHI, DAY)
    reg = advisers.register(ledgers, ZHOUZHI, DAY).frame
    assert dict(zip(loads["adviser_id"], loads["villages"])) == dict(zip(reg["adviser_id"], reg["villages"]))
    assert sorted(loads["villages"]) == [0, 1, 1, 2, 2, 7]


@pytest.mark.parametrize("villages, last_end, cap, expected", [
    # (load, latest current end, cap) -> (over_cap, expiring, idle) on DAY with a 60-day window
    (5, dt.date(2027, 1, 1), 5, (False, False, False)),
    (6, dt.date(2027, 1, 1), 5, (True, False, False)),
    (2, dt.date(2026, 7, 31), 5, (False, True, False)),
    (2, dt.date(2026, 8, 1), 5, (False, False, False)),
    (2, None, 5, (False, False, False)),                 # open-ended: never expiring
    (0, None, 5, (False, False, True)),
    (1, DAY, 0, (True, True, False)),
])
def test_flag_rules(villages, last_end, cap, expected):
    frame = pd.DataFrame({"villages": [villages], "last_end": [last_end]})
    out = advisers.with_flags(frame, as_of=DAY, cap=cap, expiring_days=60)
    assert tuple(bool(out[f.key].iloc[0]) for f in advisers.FLAGS) == expected


def test_load_distribution(ledgers):
    dist = advisers.load_distribution(advisers.register(ledgers, ZHOUZHI, DAY))
    assert dist["villages"].tolist() == list(range(1, 8))
    assert dist["advisers"].tolist() == [2, 2, 0, 0, 0, 0, 1]
    assert dist["over_cap"].tolist() == [False] * 5 + [True, True]



@pytest.mark.parametrize("cap", [1, 2, 5])
def test_loads_counted_by_the_store_are_the_registers(ledgers, cap):
    """The summary's chart and its count over the cap, counted in SQL, are those of the register built whole,
    for the county, its province and the country, before and after contracts start or end."""
    for scope in (ZHOUZHI, Scope.parse("61"), Scope("")):
        for day in (dt.date(2025, 6, 1), DAY, dt.date(2026, 7, 1), dt.date(2028, 1, 1)):
            reg = advisers.register(ledgers, scope, day, cap=cap)
            loads = advisers.loads(ledgers, scope, day, cap=cap)
            assert loads.over_cap == reg.counts["over_cap"]
            pd.testing.assert_frame_equal(loads.distribution(), advisers.load_distribution(reg))
            assert int(loads.per_load["advisers"].sum()) == reg.counts["advisers"]


# ------------------------------------------------------------------------------------------------ renewals

def test_renewals_put_one_call_lapses_first(ledgers):
    ren = advisers.renewals(ledgers, ZHOUZHI, DAY)
    items = [(i.kind, i.org, i.adviser, i.village_name, i.end_date) for i in ren.items()]
    assert items == [
        ("lapsed", LAW_B, "赵律师", "终南村委会", dt.date(2025, 12, 31)),
        # 新区社区 was renewed in the second file, 东关村 stays with 钱律师, 终南社区's adviser serves nothing
        ("ending", SERVICE, "李工作者", "景联社区", dt.date(2026, 7, 31)),
    ]
    assert ren.items()[0].current_villages == 2
    assert advisers.renewals(ledgers, ZHOUZHI, DAY, days=0).counts == {"lapsed": 1, "ending": 0, "advisers": 1}


def test_renewals_group_by_organisation_then_adviser(ledgers):
    """A year's horizon: everything ending by 2027-06-01, grouped by organisation, then adviser, then end."""
    ren = advisers.renewals(ledgers, ZHOUZHI, DAY, days=365)
    ending = ren.frame[ren.frame["kind"] == "ending"]
    keys = list(zip(ending["org"], ending["adviser"], ending["end_date"]))
    assert keys == sorted(keys)
    assert set(ending["adviser"]) == {"李工作者"} and len(ending) == 2      # 景联 and the other 李's 安富园
    assert ren.frame["kind"].iloc[0] == "lapsed"


def test_renewal_files_read_back(ledgers, tmp_path):
    ren = advisers.renewals(ledgers, ZHOUZHI, DAY)
    xlsx = advisers.write_renewals(tmp_path / "续聘.xlsx", ren)
    sheet = openpyxl.load_workbook(xlsx).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == (t("adv.col.renew_kind"), t("col.orgs"), t("col.advisers"))
    assert [r[6] for r in rows[1:]] == ["终南村委会", "景联社区"]
    assert rows[1][5] == code_of(ledgers, "终南村")           # the code is text, 12 digits
    data = advisers.write_renewals(tmp_path / "续聘.csv", ren).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
    assert back[t("col.contract_end")].tolist() == ["2025-12-31", "2026-07-31"]
    js = json.loads(advisers.write_renewals(tmp_path / "续聘.json", ren).read_text(encoding="utf-8"))
    assert [j["kind"] for j in js] == ["lapsed", "ending"]


# ------------------------------------------------------------------------------------------------ exports

def test_register_files_read_back_and_defuse_formulas(ledgers, tmp_path):
    with ledgers.transaction() as cur:       # an organisation that looks like a formula, straight from a file
        ledgers.execute(cur, "UPDATE advisers SET org = '=HYPERLINK(\"x\")' WHERE name = '王律师'")
    reg = advisers.register(ledgers, ZHOUZHI, DAY)
    table = advisers.register_table(reg)
    sheet = openpyxl.load_workbook(io.BytesIO(advisers.table_bytes(table, ".xlsx", "名册"))).active
    rows = list(sheet.iter_rows(values_only=True))
    head = rows[0]
    assert head[:3] == (t("adv.col.name"), t("adv.col.kind"), t("col.orgs"))
    assert head[head.index(t("adv.flag.over_cap", cap=DEFAULT_CAP))]
    zhang = next(r for r in rows if r[0] == "张律师")
    assert zhang[head.index(t("adv.col.villages"))] == 7
    assert zhang[head.index(t("adv.col.licence_no"))] == L_ZHANG       # text, not 1.6E+16
    assert zhang[head.index(t("adv.flag.over_cap", cap=DEFAULT_CAP))] == "是"
    wang = next(r for r in rows if r[0] == "王律师")
    assert wang[2] == '=HYPERLINK("x")'                                  # a text cell, never a formula
    assert sheet.cell(row=rows.index(wang) + 1, column=3).data_type == "s"
    back = pd.read_csv(io.BytesIO(advisers.table_bytes(table, ".csv", "名册")), encoding="utf-8-sig", dtype=str)
    assert len(back) == len(reg.frame)
    assert "'=HYPERLINK(\"x\")" in set(back[t("col.orgs")])
    assert set(back[t("adv.flag.idle")]) == {"是", "否"}


# ------------------------------------------------------------------------------------------------ detail

def test_great_circle_km():
    assert great_circle_km(116.4, 39.9, 116.4, 39.9) == pytest.approx(0.0)
    # one degree of latitude is 111.2 km on the mean sphere; Beijing - Xi'an about 910 km
    assert great_circle_km(108.0, 34.0, 108.0, 35.0) == pytest.approx(111.19, abs=0.01)
    assert great_circle_km(116.40, 39.90, 108.94, 34.34) == pytest.approx(910, abs=10)


def test_detail_history_and_distances(ledgers):
    import shapely

    codes = {n: code_of(ledgers, n) for n in ("终南村", "毓兴村", "东关村")}
    cells = {codes["终南村"]: shapely.box(108.00, 34.00, 108.01, 34.01),
             codes["毓兴村"]: shapely.box(108.10, 34.00, 108.11, 34.01)}
    with ledgers.transaction() as cur:
        ledgers.replace_village_geoms(cur, pd.DataFrame({"code": list(cells),
                                                         "geom": [shapely.to_wkb(g) for g in cells.values()]}), None)
    reg = advisers.register(ledgers, ZHOUZHI, DAY)
    zhao = next(r for r in reg.rows() if r.name == "赵律师")
    d = advisers.detail(ledgers, reg, zhao.adviser_id)
    assert list(d.contracts["village"]) == [codes["毓兴村"], codes["东关村"], codes["终南村"]]    # newest first
    states = dict(zip(d.contracts["village"], d.contracts["state"]))
    assert states == {codes["终南村"]: "ended", codes["毓兴村"]: "current", codes["东关村"]: "expiring"}
    # no base in the ledger: the centre of the villages served now that have a boundary (毓兴村 only)
    assert d.base.kind == "villages" and d.base.lon == pytest.approx(108.105)
    km = dict(zip(d.contracts["village"], d.contracts["distance_km"]))
    assert km[codes["毓兴村"]] == 0.0
    assert km[codes["终南村"]] == pytest.approx(float(great_circle_km(108.105, 34.005, 108.005, 34.005)), abs=0.1)
    assert pd.isna(km[codes["东关村"]])                                 # no boundary, no distance
    shown = advisers.history_table(d, "en")
    shown_km = dict(zip(shown[t("col.code", "en")], shown[t("adv.col.distance_km", "en")]))
    assert shown_km[codes["东关村"]] == advisers.NO_DISTANCE          # a dash, never Streamlit's "None"
    assert float(shown_km[codes["终南村"]]) == pytest.approx(km[codes["终南村"]])
    with ledgers.transaction() as cur:
        ledgers.execute(cur, f"UPDATE advisers SET lon = 108.0, lat = 34.0 WHERE adviser_id = {zhao.adviser_id}")
    d = advisers.detail(ledgers, reg, zhao.adviser_id)
    assert d.base == advisers.Place(108.0, 34.0, "base")
    feats = advisers.detail_features(d)["features"]
    assert {f["properties"]["code"]: f["properties"]["status"] for f in feats} == \
        {codes["终南村"]: "lapsed", codes["毓兴村"]: "covered"}
    assert advisers.detail(ledgers, reg, 10**8) is None


def test_the_adviser_page_and_the_gap_plan_place_an_adviser_at_the_same_point(ledgers):
    """One rule says where an adviser is (geo.core.sphere.locate_advisers): the page's detail and the plan agree,
    for one placed at the centre of the villages served now (far apart, where a flat mean of degrees would not
    be the spherical centre) and for one placed at the villages of their last contract."""
    import shapely

    from geo.core.sphere import locate_advisers
    from geo.planning.locate import locate_villages

    names = ("毓兴村", "东关村", "终南社区")
    cells = {code_of(ledgers, n): shapely.box(lon, 34.0, lon + 0.01, 34.01)
             for n, lon in zip(names, (108.0, 109.5, 107.5))}
    with ledgers.transaction() as cur:
        ledgers.replace_village_geoms(cur, pd.DataFrame({"code": list(cells),
                                                         "geom": [shapely.to_wkb(g) for g in cells.values()]}), None)
    inputs = ledgers.plan_inputs(ZHOUZHI, DAY)
    planned = locate_advisers(inputs.advisers, inputs.served,
                              locate_villages(inputs.villages, inputs.geoms, inputs.county_outlines))
    reg = advisers.register(ledgers, ZHOUZHI, DAY)
    for name, kind in (("赵律师", "villages"), ("王律师", "last_villages")):
        adviser_id = next(r.adviser_id for r in reg.rows() if r.name == name)
        place = advisers.detail(ledgers, reg, adviser_id).base
        assert place.kind == kind == planned.at[adviser_id, "location_kind"]
        assert (place.lon, place.lat) == pytest.approx(tuple(planned.loc[adviser_id, ["lon", "lat"]]), abs=1e-9)


def test_an_adviser_whose_every_contract_is_open_ended_has_a_detail(ledgers, tmp_path):
    """An all-open-ended history once came back as NaT instead of None, and the detail failed on it."""
    row = ("马召镇", "马召社区", "孙律师", "律师", LAW_A, "16101201810000005", "13900000005", "2026.01.01至今")
    imports.import_assignments(ledgers, write_ledger(tmp_path / "台账三.csv", [row]), county="610124")
    reg = advisers.register(ledgers, ZHOUZHI, DAY)
    sun = next(r for r in reg.rows() if r.name == "孙律师")
    d = advisers.detail(ledgers, reg, sun.adviser_id)
    assert d.contracts["end_date"].tolist() == [None] and d.contracts["state"].tolist() == ["current"]
    assert advisers.history_table(d, "zh")[t("col.contract_end")].tolist() == [contract_end(None, "zh")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_kind_column_speaks_the_pages_language(ledgers, lang):
    table = advisers.register_table(advisers.register(ledgers, ZHOUZHI, DAY), lang)
    kinds = dict(zip(table[t("adv.col.name", lang)], table[t("adv.col.kind", lang)]))
    assert kinds["张律师"] == t("adv.kind.lawyer", lang) and kinds["李工作者"] == t("adv.kind.worker", lang)
    if lang == "en":
        assert not any(re.search(r"[\u4e00-\u9fff]", k) for k in table[t("adv.col.kind", lang)])


def test_a_kind_the_catalogue_does_not_know_is_shown_as_stored():
    assert advisers.kind_label("公证员", "en") == "公证员" and advisers.kind_label(None, "en") == ""


# ------------------------------------------------------------------------------------------------ CLI

def cli_store(ledgers, tmp_path) -> str:
    """The CLI opens the database itself (a DuckDB file is closed here first: one writer per file)."""
    if ledgers.backend == "duckdb":
        ledgers.close()
    return ledgers.target


def test_cli_advisers_json_shape(ledgers, tmp_path, capsys):
    db = cli_store(ledgers, tmp_path)
    out = tmp_path / "名册.json"
    assert main(["advisers", "--db", db, "--scope", "610124", "--as-of", DAY.isoformat(), "--format", "json",
                 "-o", str(out)]) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert len(rows) == 6
    keys = ["licence_no", "name", "kind", "org", "phone", "villages", "villages_elsewhere", "village_codes",
            "townships", "next_end",
            "over_cap", "expiring", "onsite_hours_month", "records_window", "meets_hours_standard", "last_onsite"]
    assert all(list(r) == keys for r in rows)
    zhang = next(r for r in rows if r["licence_no"] == L_ZHANG)
    assert zhang["villages"] == 7 and zhang["over_cap"] is True and zhang["next_end"] == "2027-12-31"
    assert all(isinstance(c, str) and len(c) == 12 for c in zhang["village_codes"])
    wang = next(r for r in rows if r["licence_no"] == L_WANG)
    assert (wang["villages"], wang["village_codes"], wang["next_end"]) == (0, [], None)
    assert main(["advisers", "--db", db, "--scope", "610124", "--as-of", DAY.isoformat(), "--flag", "idle",
                 "--format", "json"]) == 0
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == ["王律师"]
    assert main(["advisers", "--db", db, "--scope", "610124", "--as-of", DAY.isoformat(), "--cap", "7",
                 "--flag", "over_cap", "--format", "csv"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 1      # the header only


def test_cli_renewals_files(ledgers, tmp_path):
    db = cli_store(ledgers, tmp_path)
    for ext in ("xlsx", "csv", "json"):
        out = tmp_path / f"续聘.{ext}"
        assert main(["renewals", "--db", db, "--scope", "610124", "--as-of", DAY.isoformat(), "--days", "60",
                     "-o", str(out)]) == 0
        assert out.stat().st_size > 0
    assert [r["village_name"] for r in json.loads((tmp_path / "续聘.json").read_text("utf-8"))] == \
        ["终南村委会", "景联社区"]
    assert main(["renewals", "--db", db, "--scope", "610124", "-o", str(tmp_path / "x.txt")]) == 2
    assert not (tmp_path / "x.txt").exists()


def service_figures_from_the_records(records: pd.DataFrame, scope: Scope, day: dt.date) -> pd.DataFrame:
    """Per adviser with a record at a village of `scope` by `day`, worked out here from the records themselves:
    on-site hours in the day's month, records in the 90 days up to the day, the last on-site day."""
    low, high = scope.int_range
    mine = records[(records["village"] >= low) & (records["village"] < high) & (records["service_date"] <= day)]
    onsite = mine[mine["mode"] == "onsite"]
    by = mine.groupby("adviser_id")
    return pd.DataFrame({
        "onsite_hours_month": onsite[onsite["service_date"] >= day.replace(day=1)].groupby("adviser_id")["hours"]
        .sum().reindex(by.size().index, fill_value=0.0),
        "records_window": mine[mine["service_date"] >= day - dt.timedelta(days=89)].groupby("adviser_id").size()
        .reindex(by.size().index, fill_value=0),
        "last_onsite": onsite.groupby("adviser_id")["service_date"].max().reindex(by.size().index)})


@pytest.mark.parametrize("scope", ["", "61", "610124", "610116001"])
def test_the_service_figures_are_those_worked_out_from_the_records(any_demo_store, scope):
    """The register's service figures, added up from whole months and the records of the day's month and the
    window's first one (whole counties) or counted from the records (a township), are those of the records
    themselves: on days inside a month, on a month's first and last day, and before any record."""
    records = any_demo_store.query("SELECT adviser_id, village, service_date, mode, hours FROM services "
                                   "WHERE adviser_id IS NOT NULL")
    records["service_date"] = pd.to_datetime(records["service_date"]).dt.date
    where = Scope.parse(scope) if scope else Scope("")
    for day in (dt.date(2026, 11, 27), dt.date(2026, 10, 15), dt.date(2026, 9, 1), dt.date(2026, 6, 30),
                dt.date(2026, 1, 10), dt.date(2025, 11, 30)):
        got = any_demo_store.adviser_service_stats(where, day, current=False).set_index("adviser_id")
        want = service_figures_from_the_records(records, where, day)
        assert got.index.tolist() == want.index.tolist(), day
        assert got["onsite_hours_month"].to_numpy() == pytest.approx(want["onsite_hours_month"].to_numpy()), day
        assert got["records_window"].tolist() == want["records_window"].tolist(), day
        assert [None if pd.isna(d) else d.date() for d in got["last_onsite"]] == \
            [None if pd.isna(d) else d for d in want["last_onsite"]], day


def test_the_register_carries_each_advisers_service_against_the_hours_standard(demo_store):
    """On the demo (which keeps service logs): the register's figures per adviser are the store's (checked against
    the records above); below the standard = a current adviser under 4 hours this month."""
    county, day = Scope.parse("610124"), dt.date(2026, 11, 27)
    low, high = county.int_range
    records = demo_store.query(f"SELECT adviser_id, village, service_date, mode, hours FROM services "
                               f"WHERE village >= {low} AND village < {high} AND adviser_id IS NOT NULL")
    records["service_date"] = pd.to_datetime(records["service_date"]).dt.date
    want = service_figures_from_the_records(records, county, day)
    month, window, last = want["onsite_hours_month"], want["records_window"], want["last_onsite"]

    reg = advisers.register(demo_store, county, day)
    rows = {r.adviser_id: r for r in reg.rows()}
    assert rows and month.sum() > 0
    for a, r in rows.items():
        assert r.onsite_hours_month == pytest.approx(float(month.get(a, 0.0)))
        assert r.records_window == int(window.get(a, 0))
        assert r.last_onsite == (None if pd.isna(last.get(a)) else last.get(a))
        assert r.meets_hours_standard == (r.onsite_hours_month >= 4)
        assert r.below_standard == (r.villages > 0 and r.onsite_hours_month < 4)
    assert any(r.below_standard for r in rows.values()) and any(r.meets_hours_standard for r in rows.values())
    assert reg.counts["below_standard"] == sum(r.below_standard for r in rows.values())
    first = reg.to_json()[0]
    assert {"onsite_hours_month", "meets_hours_standard", "last_onsite"} <= set(first)


def test_a_county_sees_only_its_own_villages_of_an_adviser_who_also_serves_elsewhere(new_store, tmp_path):
    """The cap is per person, so the load counts the villages in the next county too; their names, codes,
    townships and contracts are that county's business: the register and the detail name only the scope's."""
    reg_all = national_registry()
    codes = reg_all["code"]
    store = new_store("two_counties")
    with store.transaction() as cur:
        store.load_registry(reg_all[codes.str.startswith(("610124", "610118")) | codes.isin(PARENTS)], cur)
    names = dict(zip(reg_all["code"], reg_all["name"]))
    huyi = reg_all[codes.str.startswith("610118") & (reg_all["level"] == 5) & ~codes.str.endswith("000")].iloc[0]
    elsewhere = ((names[huyi["code"][:9] + "000"], huyi["name"], "张律师", "律师", LAW_A, L_ZHANG, "13900000001",
                  "2026.01.01-2027.12.31"),)
    for name, rows, county in (("周至.csv", FIRST[:2], "610124"), ("鄠邑.csv", elsewhere, "610118")):
        res = imports.import_assignments(store, write_ledger(tmp_path / name, rows), county=county)
        assert res.rows_rejected == 0 and res.rows_accepted == len(rows), res.rejects

    county = advisers.register(store, ZHOUZHI, DAY)
    zhang = next(r for r in county.rows() if r.licence_no == L_ZHANG)
    assert (zhang.villages, zhang.villages_elsewhere, len(zhang.village_codes)) == (3, 1, 2)
    assert all(c.startswith("610124") for c in zhang.village_codes)
    assert huyi["name"] not in zhang.village_names and zhang.townships == ("二曲街道",)
    as_json = next(r for r in county.to_json() if r["licence_no"] == L_ZHANG)
    assert (as_json["villages"], as_json["villages_elsewhere"], len(as_json["village_codes"])) == (3, 1, 2)
    table = advisers.register_table(county)
    row = table[table[t("adv.col.licence_no")] == L_ZHANG].iloc[0]
    assert (row[t("adv.col.villages")], row[t("adv.col.villages_elsewhere")]) == (3, 1)
    assert huyi["name"] not in " ".join(str(v) for v in row.to_numpy())
    detail = advisers.detail(store, county, zhang.adviser_id)
    assert set(detail.contracts["village"]) == set(zhang.village_codes)

    everywhere = next(r for r in advisers.register(store, Scope(""), DAY).rows() if r.licence_no == L_ZHANG)
    assert (everywhere.villages, everywhere.villages_elsewhere) == (3, 0)
    assert huyi["code"] in everywhere.village_codes


def loads_from_the_contracts(contracts: pd.DataFrame, real: set[int], scope: Scope, day: dt.date) -> pd.DataFrame:
    """Each person's load on `day` counted here from the contracts (adviser_id, village, start_date, end_date as
    Timestamps, NaT open-ended) and the real villages: the people are those with a contract on a village of
    `scope` started by the day; a load is every real village under a contract in force (start <= day <= end),
    anywhere."""
    low, high = scope.int_range
    started = contracts[contracts["start_date"] <= pd.Timestamp(day)]
    people = pd.Index(sorted(set(started.loc[(started["village"] >= low) & (started["village"] < high),
                                             "adviser_id"])), name="adviser_id")
    current = started[(started["end_date"].isna() | (started["end_date"] >= pd.Timestamp(day)))
                      & started["village"].isin(real)]
    by = current.groupby("adviser_id")
    out = pd.DataFrame({"villages": by["village"].nunique(),
                        "n_townships": (current["village"] // 1000).groupby(current["adviser_id"]).nunique(),
                        "next_end": by["end_date"].min(),
                        "last_end": by["end_date"].max().where(~by["end_date"].apply(lambda e: e.isna().any()))})
    out = out.reindex(people)
    out[["villages", "n_townships"]] = out[["villages", "n_townships"]].fillna(0).astype("int64")
    for col in ("next_end", "last_end"):
        out[col] = [None if pd.isna(e) else e.date() for e in out[col]]
    return out.reset_index()


@pytest.mark.parametrize("scope", ["", "61", "610124"])
def test_the_registers_loads_are_those_counted_from_the_contracts(any_demo_store, scope):
    """The loads the register reads from the people's precomputed spans, nationally, for a province and for a
    county, on days before, inside and after the demo's contracts (a day a contract ends, the day after it)."""
    contracts = any_demo_store.query("SELECT adviser_id, village, start_date, end_date FROM assignments")
    for col in ("start_date", "end_date"):
        contracts[col] = pd.to_datetime(contracts[col])
    real = set(any_demo_store.query("SELECT code FROM divisions WHERE level = 5 AND code % 1000 <> 0 "
                                    "AND NOT abolished")["code"].astype("int64"))
    edge = contracts["end_date"].dropna().sort_values().iloc[len(contracts) // 3].date()
    where = Scope.parse(scope) if scope else Scope("")
    for day in (dt.date(2019, 1, 1), dt.date(2024, 3, 1), edge, edge + dt.timedelta(days=1), dt.date(2026, 11, 27),
                dt.date(2031, 1, 1)):
        got = any_demo_store.adviser_register_people(where, day)
        want = loads_from_the_contracts(contracts, real, where, day)
        assert got["adviser_id"].tolist() == want["adviser_id"].tolist(), day
        for col in ("villages", "n_townships", "next_end", "last_end"):
            assert got[col].tolist() == want[col].tolist(), (day, col)


def test_the_national_adviser_count_and_ratio_are_those_of_the_contracts(any_demo_store):
    """The summary's advisers serving and villages per adviser, nationally read from the people's and the counties'
    spans, are those counted here from the contracts in force; a province's are counted from its contracts."""
    contracts = any_demo_store.query("SELECT adviser_id, village, start_date, end_date FROM assignments")
    for col in ("start_date", "end_date"):
        contracts[col] = pd.to_datetime(contracts[col])
    real = set(any_demo_store.query("SELECT code FROM divisions WHERE level = 5 AND code % 1000 <> 0 "
                                    "AND NOT abolished")["code"].astype("int64"))
    seen = 0
    for day in (dt.date(2024, 3, 1), dt.date(2026, 11, 27), dt.date(2031, 1, 1)):
        at = pd.Timestamp(day)
        current = contracts[(contracts["start_date"] <= at) & (contracts["end_date"].isna()
                                                             | (contracts["end_date"] >= at))
                            & contracts["village"].isin(real)]
        for scope in (Scope(""), Scope.parse("61")):
            low, high = scope.int_range
            mine = current[(current["village"] >= low) & (current["village"] < high)]
            n_adv, per = any_demo_store.adviser_stats(scope, day)
            assert n_adv == mine["adviser_id"].nunique(), (day, scope)
            assert per == pytest.approx(mine["village"].nunique() / n_adv if n_adv else 0.0), (day, scope)
            seen += n_adv
    assert seen > 0


def assert_spans_worklist_is_the_contracts(store, monkeypatch, where: Scope, days_and_horizons) -> set[str]:
    """The renewal worklists read from the spans equal those the contracts give (every contract probed for a
    successor, every village's contracts grouped); returns the kinds of rows seen."""
    spans = {(day, days): store.renewals(where, day, days) for day, days in days_and_horizons}
    with monkeypatch.context() as m:
        m.setattr(store, "_spans", False)
        for (day, days), got in spans.items():
            pd.testing.assert_frame_equal(got, store.renewals(where, day, days), obj=f"{day} {days}")
    return {k for got in spans.values() for k in got["kind"]}


@pytest.mark.parametrize("scope", ["", "61", "610124"])
def test_the_renewal_worklist_from_the_spans_is_the_one_from_the_contracts(any_demo_store, monkeypatch, scope):
    """On the demo: contracts ending in the horizon, on days across its years and horizons of a month to a year."""
    where = Scope.parse(scope) if scope else Scope("")
    kinds = assert_spans_worklist_is_the_contracts(any_demo_store, monkeypatch, where, [
        (DAY, 60), (dt.date(2026, 11, 27), 30), (dt.date(2026, 11, 27), 365), (dt.date(2025, 3, 1), 90)])
    assert kinds == {"ending"}        # the demo's lapsed villages have no adviser serving elsewhere


def test_lapsed_villages_from_the_spans_are_those_from_the_contracts(ledgers, monkeypatch):
    """On 周至县's ledgers: lapsed villages whose last adviser serves others, ended and open-ended contracts,
    a renewal starting the day after an end, on days before, at and after those ends."""
    days = [(dt.date(2025, 12, 31), 60), (dt.date(2026, 1, 1), 60), (DAY, 60), (DAY, 0), (DAY, 365),
            (dt.date(2026, 7, 1), 60), (dt.date(2027, 12, 31), 30), (dt.date(2028, 1, 1), 30)]
    for where in (ZHOUZHI, Scope.parse("610124103"), Scope("")):
        kinds = assert_spans_worklist_is_the_contracts(ledgers, monkeypatch, where, days)
        assert kinds == {"lapsed", "ending"} or where.digits == "610124103", (where, kinds)
