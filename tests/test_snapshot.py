"""Snapshot ledgers (issue 22, item 4): a county's whole ledger imported as its record as of a day, on both
stores.  The difference (new, renewed, changed advisers, ended) on a messy real-shaped workbook is worked out here
from the test's own rows by name; the store's contracts, coverage and loads after it against the coverage rule
on the test's own periods; the 5 % confirmation at its boundary; the jurisdiction; exact rollback; the CLI."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fixtures_county import who
from fixtures_ledger import ID_IN_COLUMN, LICENCE_SUN, LICENCE_ZHANG, MESSY_ACCEPTED, write_messy_xlsx
from fixtures_stores import snapshot
from geo import imports
from geo.core.codes import Scope, real_villages
from geo.core.coverage import Period, village_status
from geo.imports.snapshot import EndsNotConfirmed
from geo.sources.national import national_registry
from geo.store import Store, open_store

D = dt.date
DAY = D(2026, 11, 1)
ZHOUZHI = Scope("610124")
LICENCE_QIAN = "16101202010111222"
ROOT = Path(__file__).resolve().parent.parent

HEADER = ["序号", "乡镇（街道）", "村（社区）名称", "法律顾问姓名", "类别", "执业机构", "执业证号", "联系电话",
          "身份证号码", "聘任期限", "备注"]
# the ledger a month later: (乡镇, 村 as written, 姓名, 类别, 机构, 证号, 电话, 期限); None: a merged township cell
LATER = [
    ("二曲街道", "镇东村", "张三", "执业律师", "陕西周至律师事务所", LICENCE_ZHANG, 13912345678,
     "2026.01.01-2027.12.31"),
    (None, "八一村民委员会", "张三", "执业律师", "陕西周至律师事务所", LICENCE_ZHANG, 13912345678,
     "2028年1月至2029年12月"),                                                       # renewed: a new period
    (None, "城东社区居委会", "李四", "基层法律服务工作者", "二曲法律服务所", None, "029-87654321",
     "2026/01/01—2027/12/31"),
    ("哑柏镇", "五联村委会", "王五", "公职律师", "周至县法律援助中心", None, 13800000000.0, "2026.1-2027.6"),
    # 王五's 仰天村 is no longer listed: it ends
    ("终南镇", "终南社区", "赵六", "法律服务工作者", "终南法律服务所", None, "13700000001", "待定"),  # unread: kept
    (None, "毓兴村", "钱九", "律师", "陕西终南律师事务所", LICENCE_QIAN, 13500000009, "2026.11.01-2028.10.31"),
    # 赵六's 毓兴村 is no longer listed (钱九 took it over): it ends
    ("楼观镇", "八一村", "孙七", "律师", "陕西楼观律师事务所（二部）", LICENCE_SUN, 13600000009,
     "2026.01.01-2027.12.31"),                                                       # 孙七: new firm and phone
    ("厚畛子镇", "八一村委会", "孙七", "律师", "陕西楼观律师事务所（二部）", LICENCE_SUN, 13600000009,
     "2026.01.01-2027.12.31"),
]
#: what the reader makes of LATER's rows that it accepts: (village code, adviser, start, end)
LATER_READ = [
    ("610124001200", "张三", D(2026, 1, 1), D(2027, 12, 31)), ("610124001202", "张三", D(2028, 1, 1), D(2029, 12, 31)),
    ("610124001003", "李四", D(2026, 1, 1), D(2027, 12, 31)), ("610124101212", "王五", D(2026, 1, 1), D(2027, 6, 30)),
    ("610124102201", "钱九", D(2026, 11, 1), D(2028, 10, 31)), ("610124105222", "孙七", D(2026, 1, 1), D(2027, 12, 31)),
    ("610124108207", "孙七", D(2026, 1, 1), D(2027, 12, 31))]
UNREAD_VILLAGES = {"610124102001"}     # 终南社区: its row's period cannot be read


def write_later_xlsx(path: Path, rows=LATER) -> Path:
    """The county's ledger a month later, as bureaus send it: two title rows, merged township cells, an ID-card
    column, phones as numbers, name variants, free-text periods, a 合计 row and a note under the table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.cell(1, 1, "西安市周至县一村（居）一法律顾问工作台账（2026年11月）")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.cell(2, 1, "填报单位：周至县司法局（盖章）")
    for c, h in enumerate(HEADER, 1):
        ws.cell(3, c, h)
    town_start = None
    for i, (town, village, name, kind, org, licence, phone, period) in enumerate(rows):
        r = 4 + i
        values = [i + 1, town, village, name, kind, org, licence, phone, ID_IN_COLUMN if i == 0 else None, period,
                  None]
        for c, v in enumerate(values, 1):
            if v is not None:
                ws.cell(r, c, v)
        if town is not None:
            if town_start is not None and r - 1 > town_start:
                ws.merge_cells(start_row=town_start, start_column=2, end_row=r - 1, end_column=2)
            town_start = r
    last = 4 + len(rows)
    if town_start is not None and last - 1 > town_start:
        ws.merge_cells(start_row=town_start, start_column=2, end_row=last - 1, end_column=2)
    ws.cell(last, 1, "合计")
    ws.cell(last, 3, f"{len(rows)}个村（社区）")
    ws.cell(last + 2, 1, "注：身份证号仅供核对。")
    wb.save(path)
    return path


# ------------------------------------------------------------------------------------------------ the model

def _before() -> list[tuple[str, str, dt.date, dt.date | None]]:
    """The contracts the messy ledger gave: (village, adviser, start, end)."""
    return [row for rows in MESSY_ACCEPTED.values() for row in rows]


def _in_force(end: dt.date | None, start: dt.date, day: dt.date) -> bool:
    return start <= day and (end is None or end >= day)


def expected_difference(before, after, day, unread) -> dict[str, set]:
    """The four parts, by name, from the test's own rows."""
    pairs = {(v, a) for v, a, _, _ in before}
    periods = {(v, a, s, e) for v, a, s, e in before}
    listed = {(v, a) for v, a, _, _ in after}
    return {"new": {(v, a) for v, a, _, _ in after if (v, a) not in pairs},
            "renewed": {(v, a, s, e) for v, a, s, e in after if (v, a) in pairs and (v, a, s, e) not in periods},
            "ended": {(v, a) for v, a, s, e in before
                      if _in_force(e, s, day) and (v, a) not in listed and v not in unread}}


def _contracts(store: Store) -> set[tuple]:
    df = store.query("""SELECT a.village, p.name, a.start_date, a.end_date, a.printed_end, a.end_reason
                        FROM assignments a JOIN advisers p USING (adviser_id)""")
    def day(x):
        return None if pd.isna(x) else pd.Timestamp(x).date()

    return {(f"{int(v):012d}", n, day(s), day(e), day(p), None if pd.isna(r) else r)
            for v, n, s, e, p, r in df.itertuples(index=False)}


def _messy_then_later(store: Store, tmp_path: Path) -> Path:
    imports.import_assignments(store, write_messy_xlsx(tmp_path / "台账.xlsx"))
    return write_later_xlsx(tmp_path / "周至县台账（2026年11月）.xlsx")


# ------------------------------------------------------------------------------------------------ the tests

def test_messy_ledger_difference_and_the_record_after_it(store, tmp_path):
    later = _messy_then_later(store, tmp_path)
    want = expected_difference(_before(), LATER_READ, DAY, UNREAD_VILLAGES)
    assert want == {"new": {("610124102201", "钱九")},
                    "renewed": {("610124001202", "张三", D(2028, 1, 1), D(2029, 12, 31))},
                    "ended": {("610124101201", "王五"), ("610124102201", "赵六")}}    # the test's own reading

    plan = imports.preview(store, "assignments", later, {"snapshot": True, "as_of": DAY.isoformat()}).plan_in(store)
    assert {(a.village_code, a.adviser_name) for a in plan.new} == want["new"]
    assert {(a.village_code, a.adviser_name, a.start, a.end) for a in plan.renewed} == want["renewed"]
    assert {(e.village, e.name) for e in plan.ended} == want["ended"]
    assert [(e.village, e.name) for e in plan.held] == [("610124102001", "赵六")]
    [sun] = plan.advisers
    assert (sun.name, dict(sun.after)) == ("孙七", {"phone": "13600000009", "org": "陕西楼观律师事务所（二部）"})
    assert plan.in_force == 9 and plan.needs_confirmation        # 2 of 9 would end: more than 5 %

    before = _contracts(store)
    result = imports.import_assignments(store, later, snapshot=True, as_of=DAY, allow_end=True)
    # the record after it: the ended contracts end the day before, their printed end kept; new ones added
    last = DAY - dt.timedelta(days=1)
    ended = {(v, a) for v, a in want["ended"]}
    expected = {(v, n, s, last if (v, n) in ended else e, e if (v, n) in ended else None,
                 "snapshot" if (v, n) in ended else None) for v, n, s, e, _, _ in before}
    expected |= {(v, a, s, e, None, None) for v, a, s, e in LATER_READ
                 if (v, a) in want["new"] or (v, a, s, e) in want["renewed"]}
    assert _contracts(store) == expected
    sun_row = store.query(f"SELECT phone, org FROM advisers WHERE licence_no = '{LICENCE_SUN}'").iloc[0]
    assert (sun_row["phone"], sun_row["org"]) == ("13600000009", "陕西楼观律师事务所（二部）")
    assert result.details.ended == 2 and result.details.renewed == 1 and result.details.advisers_changed == 1

    # coverage per village and loads on several days: the coverage rule on the test's own periods
    periods: dict[str, list[Period]] = {}
    for v, _, s, e, _, _ in expected:
        periods.setdefault(v, []).append(Period(s, e))
    for day in (D(2026, 10, 31), DAY, D(2027, 7, 1), D(2028, 6, 1)):
        got = store.village_statuses(ZHOUZHI, day).set_index("code")["status"]
        assert {v: got[v] for v in periods} == {v: village_status(p, day).value for v, p in periods.items()}, day
        loads = store.adviser_loads(ZHOUZHI, day)
        names = dict(store.query("SELECT adviser_id, name FROM advisers").itertuples(index=False))
        counted = {names[a]: int(n) for a, n in zip(loads["adviser_id"], loads["villages"]) if n}
        model: dict[str, set] = {}
        for v, n, s, e, _, _ in expected:
            if _in_force(e, s, day):
                model.setdefault(n, set()).add(v)
        assert counted == {n: len(vs) for n, vs in model.items()}, day

    # audited like the import, with the counts of each part
    detail = json.loads(store.query("SELECT detail FROM audit WHERE action = 'import' ORDER BY id")["detail"].iloc[-1])
    assert detail["snapshot"] == {"as_of": DAY.isoformat(), "new": 1, "renewed": 1, "advisers": 1, "ended": 2,
                                  "unchanged": 5}
    assert "13600000009" not in json.dumps(detail)


def test_rollback_gives_back_exactly_the_store_before(store, tmp_path):
    later = _messy_then_later(store, tmp_path)
    before = snapshot(store)
    result = imports.import_assignments(store, later, snapshot=True, as_of=DAY, allow_end=True)
    assert snapshot(store) != before
    imports.rollback(store, result.batch_id)
    assert snapshot(store) == before
    # the same snapshot again after the rollback gives the same record as the first time
    again = imports.import_assignments(store, later, snapshot=True, as_of=DAY, allow_end=True)
    assert again.status == "imported" and again.details.ended == 2


def test_a_second_snapshot_of_the_same_ledger_changes_nothing(store, tmp_path):
    later = _messy_then_later(store, tmp_path)
    imports.import_assignments(store, later, snapshot=True, as_of=DAY, allow_end=True)
    after = _contracts(store)
    again = imports.import_assignments(store, later, snapshot=True, as_of=DAY)
    assert (again.details.new_contracts, again.details.renewed, again.details.advisers_changed,
            again.details.ended) == (0, 0, 0, 0)
    assert _contracts(store) == after


def _villages(n: int) -> list[tuple[str, str]]:
    reg = national_registry()
    villages = reg[reg["code"].str.startswith("610124") & real_villages(reg)].sort_values("code")
    return list(zip(villages["code"], villages["name"]))[:n]


def _plain_ledger(path: Path, villages) -> Path:
    path.write_text("区划代码,村（社区）名称,法律顾问姓名,联系电话,聘任期限\n" + "".join(
        f"{c},{n},顾问{c[-6:]},139{c[-8:]},2026.1-2027.12\n" for c, n in villages), encoding="utf-8")
    return path


@pytest.mark.parametrize(("dropped", "confirm"), [(2, False), (3, True)])
def test_ending_more_than_five_percent_needs_the_confirmation(store, tmp_path, dropped, confirm):
    villages = _villages(40)
    imports.import_assignments(store, _plain_ledger(tmp_path / "周至县台账.csv", villages))
    later = _plain_ledger(tmp_path / "周至县台账（快照）.csv", villages[dropped:])
    before = snapshot(store)
    if confirm:            # 3 of 40 = 7.5 %: refused without the confirmation, nothing written
        with pytest.raises(EndsNotConfirmed):
            imports.import_assignments(store, later, snapshot=True, as_of=DAY)
        assert snapshot(store) == before
    result = imports.import_assignments(store, later, snapshot=True, as_of=DAY, allow_end=confirm)
    assert result.details.ended == dropped         # 2 of 40 = 5 %: not more than 5 %, no confirmation needed
    ended = store.query("SELECT village FROM assignments WHERE end_reason = 'snapshot'")["village"]
    assert sorted(f"{v:012d}" for v in ended) == [c for c, _ in villages[:dropped]]


def test_the_difference_stays_inside_the_importers_jurisdiction(store, tmp_path):
    later = _messy_then_later(store, tmp_path)
    township = who("editor", "610124102")         # 终南镇 only
    before = _contracts(store)
    result = imports.run_import(store, "assignments", later, {"snapshot": True, "as_of": DAY, "allow_end": True},
                                principal=township)
    assert result.details.ended == 1 and result.details.advisers_changed == 0      # 赵六's 毓兴村 only
    changed = _contracts(store) - before
    assert {(v, n) for v, n, *_ in changed} == {("610124102201", "赵六"), ("610124102201", "钱九")}
    # a county outside the jurisdiction: every row rejected, so nothing can be a snapshot
    with pytest.raises(imports.ImportRefused):
        imports.run_import(store, "assignments", later, {"snapshot": True, "as_of": DAY, "allow_end": True},
                           principal=who("editor", "610118"))


def test_a_contract_ended_in_the_app_is_not_brought_back_by_a_stale_ledger(store, tmp_path):
    from geo.records.changes import End
    from geo.records.run import perform

    later = _messy_then_later(store, tmp_path)
    perform(store, End("610124001003", None, D(2026, 10, 1), "resigned"))      # 李四 left in October
    plan = imports.preview(store, "assignments", later, {"snapshot": True, "as_of": DAY}).plan_in(store)
    assert [(a.village_code, a.adviser_name) for a in plan.relisted] == [("610124001003", "李四")]
    assert ("610124001003", "李四") not in {(a.village_code, a.adviser_name) for a in plan.renewed + plan.new}


def test_cli_snapshot_asks_for_allow_end(tmp_path):
    db = tmp_path / "s.duckdb"
    with open_store(db) as s, s.transaction() as cur:
        s.load_registry(national_registry()[national_registry()["code"].str.startswith("61")], cur)
    with open_store(db) as s:
        _messy_then_later(s, tmp_path)
    later = tmp_path / "周至县台账（2026年11月）.xlsx"

    def run(*extra):
        return subprocess.run([sys.executable, "-m", "geo", "import", "assignments", str(later), "--snapshot",
                               "--as-of", DAY.isoformat(), "--db", str(db), "--lang", "en", *extra],
                              capture_output=True, text=True, cwd=ROOT, timeout=300)

    refused = run()
    assert refused.returncode == 2 and "--allow-end" in refused.stderr and len(refused.stderr.splitlines()) == 1
    done = run("--allow-end")
    assert done.returncode == 0, done.stderr
    assert "snapshot as of 2026-11-01: 1 new, 1 renewed, 1 advisers changed, 2 ended" in done.stdout
