"""Imports into the store: one transaction and one batch each, idempotent, rollback, store unchanged on error."""
import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from fixtures_ledger import ALL_IDS, MESSY_ACCEPTED, MESSY_REJECTED, write_messy_xlsx
from fixtures_stores import snapshot
from geo import imports
from geo.core.codes import Scope
from geo.sources.national import national_registry
from geo.text.catalogue import t

ZHOUZHI = "610124"


def test_ledger_import_end_to_end(store, tmp_path):
    path = write_messy_xlsx(tmp_path / "台账.xlsx")
    res = imports.import_assignments(store, path)
    want = {(code, adviser, start, end) for rows in MESSY_ACCEPTED.values() for code, adviser, start, end in rows}
    got = store.query("""SELECT a.village, ad.name, a.start_date, a.end_date FROM assignments a
                         JOIN advisers ad USING (adviser_id)""")
    got = {(f"{v:012d}", n, s.date() if hasattr(s, "date") else s,
            None if pd.isna(e) else (e.date() if hasattr(e, "date") else e))
           for v, n, s, e in got.itertuples(index=False)}
    assert got == want
    assert sorted(set(res.rejects["row"])) == sorted(MESSY_REJECTED)
    assert res.details["county"].startswith("周至县")
    # one adviser per person across rows
    assert store.scalar("SELECT count(*) FROM advisers WHERE name = '张三'") == 1
    # phone numbers as text, no ".0"; no ID number anywhere in the store or the report
    phones = set(store.query("SELECT phone FROM advisers")["phone"])
    assert "13800000000" in phones and not any(p and p.endswith(".0") for p in phones)
    everything = "".join(snapshot(store).values()) + imports.report_table(res).to_csv()
    for ident in ALL_IDS:
        assert ident not in everything
    # coverage afterwards: exactly the accepted villages are covered on 2026-06-01
    covered = store.totals(Scope.parse(ZHOUZHI), dt.date(2026, 6, 1)).covered
    day = dt.date(2026, 6, 1)
    assert covered == len({c for c, _, s, e in want if s <= day and (e is None or e >= day)})
    batch = store.batches().iloc[0]
    assert (batch["kind"], batch["rows_accepted"], batch["rows_rejected"]) == ("assignments", res.rows_accepted,
                                                                              res.rows_rejected)


def test_same_file_twice_changes_nothing_and_rollback_restores(store, tmp_path):
    path = write_messy_xlsx(tmp_path / "台账.xlsx")
    before = snapshot(store)
    first = imports.import_assignments(store, path)
    after_first = snapshot(store)
    again = imports.import_assignments(store, path)
    assert again.status == "unchanged" and again.batch_id == first.batch_id
    assert snapshot(store) == after_first
    imports.rollback(store, first.batch_id)
    assert snapshot(store) == before
    with pytest.raises(imports.ImportRefused):
        imports.rollback(store, first.batch_id)


def test_bad_ledger_leaves_store_unchanged(store, tmp_path):
    before = snapshot(store)
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(imports.ImportRefused) as e:
        imports.import_assignments(store, bad)
    assert "坏.xlsx" in str(e.value)
    notes = tmp_path / "说明.csv"
    notes.write_text("这是一个说明文件\n没有表头\n", encoding="utf-8")
    with pytest.raises(imports.ImportRefused):
        imports.import_assignments(store, notes)
    assert snapshot(store) == before and store.batches().empty


def test_failure_inside_the_transaction_rolls_everything_back(store, tmp_path, monkeypatch):
    """The batch row and the new advisers are written before the assignments; a failure there undoes all."""
    from contextlib import contextmanager

    path = write_messy_xlsx(tmp_path / "台账.xlsx")
    before = snapshot(store)
    real = store.transaction
    seen = []

    class Failing:
        def __init__(self, cur):
            self.cur = cur

        def __getattr__(self, name):
            return getattr(self.cur, name)

        def execute(self, sql, *a):
            seen.append(sql.split()[0:3])
            if "INSERT INTO assignments" in sql:
                raise RuntimeError("disk full")
            return self.cur.execute(sql, *a)

    @contextmanager
    def failing_transaction():
        with real() as cur:
            yield Failing(cur)
    monkeypatch.setattr(store, "transaction", failing_transaction)
    with pytest.raises(RuntimeError):
        imports.import_assignments(store, path)
    assert ["INSERT", "INTO", "batches"] in seen       # something was written before the failure
    monkeypatch.undo()
    assert snapshot(store) == before and store.batches().empty


def registry_csv(tmp_path, rows, name="区划.csv", encoding="utf-8-sig"):
    path = tmp_path / name
    lines = ["2023年统计用区划代码", "统计用区划代码,城乡分类代码,名称"] + [f"{c},{u},{n}" for c, u, n in rows]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def test_newer_registry_adds_renames_abolishes_and_keeps_orphans(store, tmp_path):
    zz = national_registry()
    zz = zz[zz["code"].str.startswith(ZHOUZHI) & (zz["level"] == 5)]
    gone, renamed = zz["code"].iloc[0], zz["code"].iloc[1]
    with store.transaction() as cur:
        store.add_advisers(cur, pd.DataFrame([{"adviser_id": 1, "name": "甲"}]))
        store.add_assignments(cur, pd.DataFrame([{"adviser_id": 1, "village": gone, "start_date": "2026-01-01",
                                                  "end_date": None, "batch_id": None}]))
    before = snapshot(store)
    rows = [(ZHOUZHI, "", "周至县")] + [(c, "220", n) for c, n in zip(zz["code"], zz["name"]) if c != gone]
    rows = [(c, u, "新名字村委会" if c == renamed else n) for c, u, n in rows]
    rows.append((ZHOUZHI + "100299", "220", "合并新村村委会"))
    res = imports.import_registry(store, registry_csv(tmp_path, rows, encoding="gb18030"))
    assert res.details["added"] == 1 and res.details["renamed"] == 1 and res.details["abolished"] == 1
    assert store.division(renamed).name == "新名字村委会"
    assert store.scalar("SELECT abolished FROM divisions WHERE code = ?", [int(gone)]) is True
    assert store.orphan_assignments()["code"].tolist() == [gone]          # visible, not lost
    # other counties untouched by a one-county list
    assert store.scalar("SELECT count(*) FROM divisions WHERE abolished") == 1
    imports.rollback(store, res.batch_id)
    assert snapshot(store) == before


def test_registry_short_codes_and_national_list(store, tmp_path):
    reg = national_registry()
    path = tmp_path / "national.csv"
    pd.DataFrame({"code": reg["code"], "name": reg["name"]}).to_csv(path, index=False)
    res = imports.import_registry(store, path)
    assert res.rows_rejected == 0
    assert store.scalar("SELECT count(*) FROM divisions WHERE level = 5 AND code % 1000 <> 0") == 620572
    short = registry_csv(tmp_path, [("61", "", "陕西省"), ("6101", "", "西安市"), ("610124", "", "周至县"),
                                    ("610124100", "", "哑柏镇"), ("abc", "", "坏行")], name="short.csv")
    read, rejects = imports.read_registry_file(short)
    assert read["code"].tolist() == ["610000000000", "610100000000", "610124000000", "610124100000"]
    assert read["level"].tolist() == [1, 2, 3, 4]
    assert rejects["row"].tolist() == [7]


def test_boundaries_import_then_rollback(store, tmp_path):
    zz = national_registry()
    zz = zz[zz["code"].str.startswith(ZHOUZHI + "101") & (zz["level"] == 5)].head(4)
    cells = [shapely.box(108.2 + i * 0.01, 34.1, 108.21 + i * 0.01, 34.11) for i in range(len(zz))]
    gdf = gpd.GeoDataFrame({"ZLDWDM": [c + "0000000" for c in zz["code"]], "ZLDWMC": zz["name"].tolist()},
                           geometry=cells, crs="EPSG:4326").to_crs("EPSG:4545")
    path = tmp_path / "村界.geojson"
    gdf.to_file(path, driver="GeoJSON")
    before = snapshot(store)
    res = imports.import_boundaries(store, path)
    assert res.details["villages"] == len(zz) and res.rows_rejected == 0
    assert store.scalar("SELECT count(*) FROM shapes WHERE tier = 'township'") == len(zz)
    assert store.scalar("SELECT count(*) FROM shapes WHERE tier = 'county'") == 1   # the township's union
    assert imports.import_boundaries(store, path).status == "unchanged"
    imports.rollback(store, res.batch_id)
    assert snapshot(store) == before


@pytest.mark.parametrize("header", [["统计用区划代码", "城乡分类代码", "名称"], ["区划代码（12位）", "单位名称"],
                                    ["Code", "Name"], ["序号", "城乡分类代码", "代码", "名称"]])
def test_registry_header_variants(tmp_path, header):
    row = {"统计用区划代码": "610124100200", "区划代码（12位）": "610124100200", "Code": "610124100200",
           "代码": "610124100200", "城乡分类代码": "220", "序号": "1", "名称": "仰天村委会", "单位名称": "仰天村委会",
           "Name": "仰天村委会"}
    path = tmp_path / "reg.csv"
    path.write_text("区划代码表\n" + ",".join(header) + "\n" + ",".join(row[h] for h in header) + "\n",
                    encoding="utf-8")
    read, rejects = imports.read_registry_file(path)
    assert read[["code", "name", "level"]].values.tolist() == [["610124100200", "仰天村委会", 5]]
    assert rejects.empty


def test_registry_without_a_code_column_is_refused(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("城乡分类代码,名称\n220,仰天村委会\n", encoding="utf-8")
    with pytest.raises(imports.ImportRefused) as e:
        imports.read_registry_file(path)
    assert "reg.csv" in str(e.value)


def test_ledger_with_a_header_and_no_rows_is_refused(store, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["周至县法律顾问台账"])
    wb.active.append(["序号", "村（社区）", "法律顾问姓名", "聘任期限"])
    wb.active.append([None, "合计", None, None])
    path = tmp_path / "空台账.xlsx"
    wb.save(path)
    with pytest.raises(imports.ImportRefused) as e:
        imports.import_assignments(store, path, county="610124")
    assert "空台账.xlsx" in str(e.value) and "第 2 行" in str(e.value)
    assert store.batches().empty


def test_only_the_newest_registry_version_can_be_undone(store, tmp_path):
    first = imports.import_registry(store, registry_csv(tmp_path, [(ZHOUZHI + "100299", "220", "新一村村委会")],
                                                        name="v1.csv"))
    second = imports.import_registry(store, registry_csv(tmp_path, [(ZHOUZHI + "100298", "220", "新二村村委会")],
                                                         name="v2.csv"))
    with pytest.raises(imports.ImportRefused) as e:
        imports.rollback(store, first.batch_id)
    assert str(first.batch_id) in str(e.value)
    imports.rollback(store, second.batch_id)
    imports.rollback(store, first.batch_id)
    assert store.division(ZHOUZHI + "100299") is None and store.division(ZHOUZHI + "100298") is None



def test_a_fragment_without_its_county_row_abolishes_nothing(store, tmp_path):
    res = imports.import_registry(store, registry_csv(tmp_path, [(ZHOUZHI + "100299", "220", "新一村村委会")]))
    assert res.details["added"] == 1 and res.details["abolished"] == 0
    assert store.scalar("SELECT count(*) FROM divisions WHERE abolished") == 0


def test_implausible_periods_are_imported_and_reported_as_doubtful(store, tmp_path):
    villages = store.query(f"SELECT code, name FROM divisions WHERE level = 5 AND idiv(code, 1000000) = {ZHOUZHI} "
                           "ORDER BY code LIMIT 4")
    periods = ["2026.1-2027.12", "2026.1-2126.12", "1900.1-1901.1", "9999.1.1-9999.12.31"]
    lines = ["区划代码,村（社区）名称,法律顾问姓名,聘任期限"]
    lines += [f"{c},{n},顾问{i},{p}" for i, (c, n, p) in enumerate(zip(villages["code"], villages["name"], periods))]
    path = tmp_path / "周至县台账.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = imports.import_assignments(store, path)
    assert res.rows_accepted == 4 and res.rows_rejected == 0
    for lang, reason, words in (("zh", "已导入，请核对", ["超过 10 年", "2010 年以前", "2 年以后"]),
                                ("en", "imported; please check", ["longer than 10 years", "before 2010",
                                                                  "more than 2 years after"])):
        report = imports.report_table(res, lang)
        assert report[t("imp.col.row", lang)].tolist() == [3, 4, 5]   # the header is row 1, the plausible row 2
        assert set(report[t("imp.col.reason", lang)]) == {reason}
        for message, word in zip(report[t("imp.col.message", lang)], words):
            assert word in message


# ------------------------------------------------------------------------------------------------ abolitions

NINGSHAN, LUOCHUAN = "610923", "610629"


def county_list(county: str, *, villages: bool = True, drop: int = 0, rename: int = 0, add: int = 0
                ) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(rows of a division list for `county`, codes of the current villages it leaves out).

    Its own row; its real villages but the last `drop`; the first `rename` of them under new names; `add` new
    villages in a township the registry does not have.
    """
    from geo.sources.national import villages as registry_villages

    reg = national_registry()
    own = reg[(reg["code"] == county.ljust(12, "0")) & (reg["level"] == 3)]
    current = registry_villages(reg, county)
    kept = current.iloc[:len(current) - drop] if villages else current.iloc[:0]
    rows = [(county, "", own["name"].iloc[0])]
    rows += [(c, "220", f"新名{i}村委会" if i < rename else n)
             for i, (c, n) in enumerate(zip(kept["code"], kept["name"]))]
    rows += [(f"{county}999{i + 1:03d}", "220", f"新设{i + 1}村委会") for i in range(add)]
    return rows, sorted(set(current["code"]) - set(kept["code"]))


def village_count(county: str) -> int:
    from geo.sources.national import villages as registry_villages

    return len(registry_villages(national_registry(), county))


# name: (per county: county_list options), added, renamed, needs confirmation
ABOLITION_CASES = {
    "county row only": ({ZHOUZHI: dict(villages=False)}, 0, 0, True),
    "a few villages missing": ({ZHOUZHI: dict(drop=3)}, 0, 0, False),
    "just under the share": ({ZHOUZHI: dict(drop=14)}, 0, 0, False),       # 14 / 283 = 4.9 %
    "just over the share": ({ZHOUZHI: dict(drop=15)}, 0, 0, True),         # 15 / 283 = 5.3 %
    "a newer list renames and adds": ({ZHOUZHI: dict(rename=2, add=3)}, 3, 2, False),
    "several counties": ({ZHOUZHI: dict(drop=2), NINGSHAN: dict(villages=False), LUOCHUAN: dict(add=1)}, 1, 0,
                         True),
}


@pytest.mark.parametrize("case", ABOLITION_CASES, ids=list(ABOLITION_CASES))
def test_abolitions_are_planned_then_refused_or_imported_and_reported(store, tmp_path, case):
    spec, added, renamed, needs_confirmation = ABOLITION_CASES[case]
    rows, gone = [], {}
    for county, options in spec.items():
        county_rows, county_gone = county_list(county, **options)
        rows += county_rows
        if county_gone:
            gone[county] = county_gone
    path = registry_csv(tmp_path, rows)
    plan = imports.registry_plan(store, imports.read_registry_file(path)[0])
    assert {c.code[:6]: (sorted(code for code, _ in c.abolished), c.villages) for c in plan.abolitions} == \
        {county: (codes, village_count(county)) for county, codes in gone.items()}
    assert (plan.added, plan.renamed, plan.needs_confirmation) == (added, renamed, needs_confirmation)
    assert village_count(ZHOUZHI) == 283                        # the figure, from the shipped registry

    before = snapshot(store)
    if needs_confirmation:
        with pytest.raises(imports.AbolishNotConfirmed) as refused:
            imports.import_registry(store, path)
        message = str(refused.value)
        assert "\n" not in message and "--allow-abolish" in message and path.name in message
        for county, codes in gone.items():
            assert f"（{county}）{len(codes)}/{village_count(county)} 个" in message
            assert f"({county}) {len(codes)} of {village_count(county)}" in message
        assert snapshot(store) == before and store.batches().empty
    res = imports.import_registry(store, path, allow_abolish=needs_confirmation)
    every_gone = sorted(code for codes in gone.values() for code in codes)
    abolished = store.query("SELECT code FROM divisions WHERE abolished ORDER BY code")["code"]
    assert [f"{c:012d}" for c in abolished] == every_gone
    assert (res.details["added"], res.details["renamed"], res.details["abolished"]) == (added, renamed,
                                                                                        len(every_gone))
    report = imports.report_table(res)
    listed = report[report[t("imp.col.reason")] == "撤销"]
    assert sorted(listed.get("code", [])) == every_gone          # no code column when nothing is listed
    line = res.summary_line()
    assert "\n" not in line and f"撤销村（社区）{len(every_gone)} 个" in line
    for county, codes in gone.items():
        assert f"（{county}）{len(codes)}/{village_count(county)} 个" in line
    imports.rollback(store, res.batch_id)
    assert snapshot(store) == before


def test_plan_compares_only_counties_listed_and_only_current_villages():
    current = pd.DataFrame({"code": ["610124000000", "610124100201", "610124100202", "610124100203",
                                     "610125100201"],
                            "name": ["周至县", "东村", "西村", "旧村", "别县村"], "level": [3, 5, 5, 5, 5],
                            "abolished": [False, False, False, True, False]})
    incoming = pd.DataFrame({"code": ["610124000000", "610124100201", "610124100203", "610125100209"],
                             "name": ["周至县", "东村", "旧村", "新村"], "level": [3, 5, 5, 5]})
    plan = imports.plan_registry(incoming, current)
    # 西村 vanishes (1 of the 2 current villages: 旧村 was abolished already and comes back as a rename);
    # the other county is not listed itself, so its village stays and the new one is an addition
    assert [(c.code, c.villages, c.abolished) for c in plan.abolitions] == [
        ("610124000000", 2, (("610124100202", "西村"),))]
    assert (plan.added, plan.renamed, plan.needs_confirmation) == (1, 1, True)
