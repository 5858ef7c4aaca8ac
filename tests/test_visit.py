"""One service visit entered in a form (geo.imports.visit), on both stores: checked as the log reader checks a row,
stored as its own batch, audited with the values, refused outside the jurisdiction, undone by the import
history's rollback; the effective service it makes is compared with one computed here from the raw tables."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from fixtures_ledger import ID_IN_REMARK, LICENCE_ZHANG, write_messy_xlsx
from geo import imports
from geo.auth import audit
from geo.auth.access import OPEN, AccessDenied, Principal, Role
from geo.cli import main
from geo.core.codes import Scope
from geo.imports.visit import VisitForm, VisitRefused, check_visit, record_visit, visit_advisers
from geo.sources.national import national_registry
from geo.store import open_store

TODAY = dt.date(2026, 11, 27)
COUNTY = Scope("610124")
ZHENDONG, BAYI, CHENGDONG = "610124001200", "610124001202", "610124001003"   # 张三, 张三, 李四 (the messy ledger)
WINDOW = 90


def _load(store, folder: Path) -> None:
    registry = national_registry()
    with store.transaction() as cur:
        store.load_registry(registry[registry["code"].str.startswith("61")], cur)
    imports.import_assignments(store, write_messy_xlsx(folder / "台账.xlsx"))


@pytest.fixture
def store(new_store, tmp_path):
    """陕西省's registry and the messy ledger's contracts in 周至县, on each backend."""
    s = new_store("visit")
    _load(s, tmp_path)
    return s


def adviser_id(store, name: str) -> int:
    return int(store.query("SELECT adviser_id FROM advisers WHERE name = $n", {"n": name})["adviser_id"].iloc[0])


def visit(village=ZHENDONG, day="2026-11-20", adviser=LICENCE_ZHANG, mode="onsite", hours="2", **more) -> VisitForm:
    return VisitForm(village, day, adviser, mode, hours, **more)


def served_by_hand(store, day: dt.date) -> dict[str, str]:
    """Each covered village of the county with data: served (an on-site record in the 90 days to `day`) or
    nominal, from the raw tables with pandas."""
    contracts = store.query("SELECT village, start_date, end_date FROM assignments")
    start = pd.to_datetime(contracts["start_date"])
    end = pd.to_datetime(contracts["end_date"])
    in_force = contracts[(start <= pd.Timestamp(day)) & (end.isna() | (end >= pd.Timestamp(day)))]
    covered = {f"{v:012d}" for v in in_force["village"] if f"{v:012d}".startswith(COUNTY.digits)}
    real = set(store.query("SELECT code FROM divisions WHERE level = 5")["code"].map(lambda c: f"{c:012d}"))
    services = store.query("SELECT village, service_date, mode FROM services")
    dates = pd.to_datetime(services["service_date"])
    window = (dates >= pd.Timestamp(day - dt.timedelta(days=WINDOW - 1))) & (dates <= pd.Timestamp(day))
    onsite = {f"{v:012d}" for v in services["village"][window & (services["mode"] == "onsite")]}
    return {v: "served" if v in onsite else "nominal" for v in covered & real}


def served_in_store(store, day: dt.date) -> dict[str, str]:
    frame = store.village_statuses(COUNTY, day)
    return {c: s for c, s in zip(frame["code"], frame["service_status"]) if s in ("served", "nominal")}


def test_visits_change_effective_service_as_the_rule_says(store):
    day = TODAY
    # no record in the county yet: its covered villages have no service data, neither served nor nominal
    assert served_in_store(store, day) == {}
    remote = record_visit(store, visit(CHENGDONG, adviser="李四", mode="电话", hours="30分钟"), today=TODAY)
    assert remote.visit.mode == "remote" and remote.visit.hours == 0.5
    by_hand = served_by_hand(store, day)
    assert set(by_hand.values()) == {"nominal"} and CHENGDONG in by_hand
    assert served_in_store(store, day) == by_hand
    onsite = record_visit(store, visit(ZHENDONG), today=TODAY)
    by_hand = served_by_hand(store, day)
    assert by_hand[ZHENDONG] == "served" and by_hand[CHENGDONG] == "nominal"
    assert served_in_store(store, day) == by_hand
    totals = store.totals(COUNTY, day)
    assert (totals.served, totals.nominal) == (list(by_hand.values()).count("served"),
                                               list(by_hand.values()).count("nominal"))
    # the map's units (townships of the county): each one's served villages, as counted by hand
    units = store.summary(COUNTY, day, by="township")
    served_per_township = {c: n for c, n in zip(units["code"], units["served"]) if n}
    by_township = pd.Series([v[:9] + "000" for v, s in by_hand.items() if s == "served"]).value_counts()
    assert served_per_township == by_township.to_dict() == {ZHENDONG[:9] + "000": 1}
    # 90 days later the visit of 2026-11-20 has left the window (its last day is 2027-02-17)
    later = dt.date(2026, 11, 20) + dt.timedelta(days=WINDOW)
    assert served_in_store(store, later)[ZHENDONG] == "nominal" == served_by_hand(store, later)[ZHENDONG]
    assert served_in_store(store, later - dt.timedelta(days=1))[ZHENDONG] == "served"
    # undone from the import history, as any batch
    assert store.batch(onsite.batch_id).kind == "visit"
    imports.rollback(store, onsite.batch_id)
    assert served_in_store(store, day) == served_by_hand(store, day)
    assert served_in_store(store, day)[ZHENDONG] == "nominal"
    assert store.batch(onsite.batch_id).status == "rolled_back"


def test_a_visit_is_stored_whole_scrubbed_and_audited(store):
    zhang = adviser_id(store, "张三")
    content = f"解答土地纠纷，村民电话 139 1234 5678，身份证{ID_IN_REMARK}"
    done = record_visit(store, visit(BAYI, day="2026年11月3日", adviser=zhang, mode="到村", hours="半天",
                                     category="法律咨询", content=content, people="5人"), today=TODAY)
    rows = store.query("SELECT village, adviser_id, service_date, mode, category, hours, people, content, batch_id "
                       "FROM services")
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (f"{row['village']:012d}", int(row["adviser_id"]), pd.Timestamp(row["service_date"]).date(),
            row["mode"], row["category"], float(row["hours"]), int(row["people"]), int(row["batch_id"])) == \
        (BAYI, zhang, dt.date(2026, 11, 3), "onsite", "法律咨询", 4.0, 5, done.batch_id)
    assert row["content"] == "解答土地纠纷，村民电话 ，身份证"
    batches = store.batches(COUNTY)
    mine = batches[batches["batch_id"] == done.batch_id].iloc[0]
    assert (mine["kind"], mine["rows_read"], mine["rows_accepted"], mine["scope"]) == ("visit", 1, 1, BAYI)
    trail = audit.entries(store, OPEN, action="visit")
    assert len(trail) == 1
    entry = trail.iloc[0]
    assert entry["scope"] == BAYI and entry["user"] == OPEN.actor
    assert entry["detail"] == {"kind": "visit", "batch": done.batch_id, "village": BAYI, "village_name": "八一村委会",
                               "date": "2026-11-03", "adviser": zhang, "adviser_name": "张三", "mode": "onsite",
                               "hours": 4.0, "category": "法律咨询", "people": 5,
                               "content": "解答土地纠纷，村民电话 ，身份证"}
    said = audit.describe("visit", entry["detail"], "zh")
    assert said.startswith(f"录入服务记录（批次 {done.batch_id}）：八一村委会，2026-11-03，张三，到村，4.0 小时")
    assert "1391234" not in said and ID_IN_REMARK not in said


def test_a_visit_outside_the_jurisdiction_is_refused_and_the_refusal_recorded(store):
    elsewhere = Principal("huxian", "户县录入员", Role.EDITOR, Scope("610118"))
    with pytest.raises(AccessDenied) as refused:
        record_visit(store, visit(), elsewhere, today=TODAY)
    assert refused.value.key == "visit.e.outside"
    viewer = Principal("viewer", "查看员", Role.VIEWER, COUNTY)
    with pytest.raises(AccessDenied):
        record_visit(store, visit(), viewer, today=TODAY)
    assert store.scalar("SELECT count(*) FROM services") == 0
    assert (store.batches()["kind"] == "visit").sum() == 0
    trail = audit.entries(store, OPEN, action="refused")
    assert [d["attempt"] for d in trail["detail"]] == ["visit", "visit"]
    assert [u for u in trail["user"]] == ["huxian", "viewer"]
    # an editor of the county itself may
    county_clerk = Principal("zhouzhi", "周至录入员", Role.EDITOR, COUNTY)
    done = record_visit(store, visit(), county_clerk, today=TODAY)
    assert audit.entries(store, OPEN, action="visit")["user"].tolist() == ["zhouzhi"]
    # and rolls it back; the other county's clerk may not
    with pytest.raises(AccessDenied):
        imports.rollback(store, done.batch_id, elsewhere)
    imports.rollback(store, done.batch_id, county_clerk)
    assert store.scalar("SELECT count(*) FROM services") == 0


@pytest.mark.parametrize(("form", "key"), [
    (visit(village="610124"), "visit.e.village_code"),               # a county, not a village
    (visit(village="abc"), "visit.e.village_code"),
    (visit(village="610124001999"), "visit.e.no_village"),           # no such village
    (visit(day="2026-11-28"), "visit.e.future"),
    (visit(day="2026-02-30"), "visit.e.date"),
    (visit(day="2026年11月"), "visit.e.date"),                        # a month, not the day of a visit
    (visit(hours="0"), "visit.e.hours"),
    (visit(hours="30"), "visit.e.hours"),
    (visit(hours="很久"), "visit.e.hours"),
    (visit(hours=None), "visit.e.hours"),
    (visit(mode="座谈"), "visit.e.mode"),
    (visit(adviser="无名氏"), "imp.why.adviser_unknown"),
    (visit(adviser="16101209999999999"), "imp.why.adviser_unknown"),
    (visit(adviser=""), "visit.e.no_adviser"),
    (visit(adviser=999999), "visit.e.adviser_id"),
    (visit(people="许多"), "visit.e.people"),
    (visit(content="很" * 2001), "visit.e.too_long"),
])
def test_a_visit_is_checked_with_a_clear_message(store, form, key):
    with pytest.raises(VisitRefused) as refused:
        record_visit(store, form, today=TODAY)
    assert refused.value.key == key
    assert "{" not in refused.value.text("zh") and "{" not in refused.value.text("en")
    assert store.scalar("SELECT count(*) FROM services") == 0


def test_the_form_offers_the_villages_advisers_of_the_day_first(store):
    offered = visit_advisers(store, ZHENDONG, dt.date(2026, 11, 20), today=TODAY)
    known = store.known_advisers(COUNTY, TODAY)
    assert sorted(offered["adviser_id"]) == sorted(int(a) for a in known["adviser_id"])
    assert offered["in_force"].tolist() == [True] + [False] * (len(offered) - 1)
    assert offered["name"].iloc[0] == "张三"
    # before the contract began nobody is in force there: everyone is offered as another adviser of the county
    assert not visit_advisers(store, ZHENDONG, dt.date(2025, 12, 31), today=TODAY)["in_force"].any()
    # a name shared by nobody else names the adviser, as in a log
    assert check_visit(store, visit(adviser="李四", village=CHENGDONG), today=TODAY).adviser_name == "李四"


def test_cli_enters_a_visit_and_says_what_is_wrong(tmp_path, capsys):
    db = tmp_path / "visit.duckdb"
    with open_store(str(db)) as s:
        _load(s, tmp_path)
    day = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    rc = main(["visit", "--village", ZHENDONG, "--date", day, "--adviser", LICENCE_ZHANG, "--mode", "onsite",
               "--hours", "2", "--category", "法律咨询", "--content", "坐班", "--db", str(db), "--lang", "zh"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert out.out.strip() == f"已录入第 2 批：二曲街道镇东村委会（{ZHENDONG}），{day}，张三，到村，2 小时"
    rc = main(["visit", "--village", ZHENDONG, "--date", day, "--adviser", "无名氏", "--mode", "onsite",
               "--hours", "2", "--db", str(db), "--lang", "en"])
    out = capsys.readouterr()
    assert rc == 2 and out.err.count("\n") == 1 and "无名氏" in out.err
    with open_store(str(db), read_only=True) as s:
        assert s.scalar("SELECT count(*) FROM services") == 1
