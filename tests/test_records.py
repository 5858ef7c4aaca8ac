"""Records kept in the app (geo.records): each contract action and adviser change, on both stores, against figures
worked out here from the contracts the test itself made; jurisdiction, version conflicts between two sessions,
the audit row, and exact undo."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
import shapely

from fixtures_county import county_store, who
from fixtures_stores import snapshot
from geo import imports
from geo.auth.access import AccessDenied
from geo.core.codes import Scope
from geo.core.coverage import Period, village_status
from geo.records.changes import Appoint, EditAdviser, End, Merge, NewAdviser, Renew, Replace
from geo.records.checks import RecordRefused
from geo.records.run import RecordConflict, perform, village_version
from geo.store import Store

D = dt.date
EAST, WEST, SOUTH = "610124100201", "610124100202", "610124101001"
COUNTY = Scope("610124")
CLERK = who("editor", "610124")


@pytest.fixture
def store(new_store) -> Store:
    return county_store(new_store, "records")


def _model_status(model: dict[str, list[Period]], village: str, day: dt.date) -> str:
    return village_status(model.get(village, []), day).value


def _check(store: Store, model: dict[str, list[Period]], days=(D(2026, 1, 1), D(2026, 3, 14), D(2026, 3, 15),
                                                             D(2026, 6, 30), D(2026, 12, 31), D(2027, 1, 1),
                                                             D(2027, 6, 1))) -> None:
    """Each village's status in the store on each day is the coverage rule's on the test's own periods."""
    for day in days:
        got = store.village_statuses(COUNTY, day).set_index("code")["status"].to_dict()
        want = {v: _model_status(model, v, day) for v in (EAST, WEST, SOUTH)}
        assert {v: got[v] for v in want} == want, day


def _appoint_three(store: Store) -> dict[str, list[Period]]:
    for village, name, phone in ((EAST, "顾问甲", "13800000001"), (WEST, "顾问乙", "13800000002"),
                                 (SOUTH, "顾问丙", "13800000003")):
        perform(store, Appoint(village, NewAdviser(name, phone, org="某律所", kind="律师"), D(2026, 1, 1),
                               D(2026, 12, 31)), principal=CLERK)
    return {v: [Period(D(2026, 1, 1), D(2026, 12, 31))] for v in (EAST, WEST, SOUTH)}


def _adviser(store: Store, name: str) -> int:
    return int(store.scalar("SELECT adviser_id FROM advisers WHERE name = $n", {"n": name}))


def test_appoint_end_renew_replace_change_coverage_as_the_rule_says(store):
    model = _appoint_three(store)
    _check(store, model)

    # 解聘: 顾问甲 leaves; from 2026-03-15 东村 is no longer covered, and the printed end is kept
    perform(store, End(EAST, None, D(2026, 3, 15), "transfer"), principal=CLERK)
    model[EAST] = [Period(D(2026, 1, 1), D(2026, 3, 14))]
    _check(store, model)
    row = store.village_contract_rows(EAST).iloc[0]
    assert (row["end_date"], row["printed_end"], row["end_reason"]) == (D(2026, 3, 14), D(2026, 12, 31), "transfer")

    # 续聘: 顾问乙 from the day after the printed end to 2027-12-31
    perform(store, Renew(WEST, None, D(2027, 12, 31), today=D(2026, 11, 1)), principal=CLERK)
    model[WEST].append(Period(D(2027, 1, 1), D(2027, 12, 31)))
    _check(store, model)

    # 更换: 顾问丙 is replaced by a new person on 2026-06-30, who serves to the old contract's end
    perform(store, Replace(SOUTH, None, NewAdviser("顾问丁", "029-87654321"), D(2026, 6, 30)), principal=CLERK)
    model[SOUTH] = [Period(D(2026, 1, 1), D(2026, 6, 29)), Period(D(2026, 6, 30), D(2026, 12, 31))]
    _check(store, model)
    names = store.village_contract_rows(SOUTH)["name"].tolist()
    assert names == ["顾问丙", "顾问丁"]

    # the loads follow: on 2026-07-01 顾问甲 and 顾问丙 serve nothing, 顾问乙 and 顾问丁 one village each
    loads = store.adviser_loads(COUNTY, D(2026, 7, 1)).set_index("adviser_id")["villages"]
    assert {n: int(loads[_adviser(store, n)]) for n in ("顾问甲", "顾问乙", "顾问丙", "顾问丁")} == {
        "顾问甲": 0, "顾问乙": 1, "顾问丙": 0, "顾问丁": 1}


def test_every_change_is_audited_with_before_and_after(store):
    _appoint_three(store)
    perform(store, End(EAST, None, D(2026, 3, 15), "other:调往县城工作"), principal=CLERK)
    rows = store.query("SELECT username, action, scope, detail FROM audit WHERE action = 'record' ORDER BY id")
    assert len(rows) == 4 and set(rows["username"]) == {"u"}
    last = json.loads(rows["detail"].iloc[-1])
    item = last["items"][0]
    assert last["change"] == "end" and item["village"] == EAST
    assert item["before"]["end"] == "2026-12-31" and item["after"]["end"] == "2026-03-14"
    assert item["after"]["reason"] == "other:调往县城工作"
    # the phone of a new adviser is in the record, not in the trail
    assert "13800000001" not in " ".join(rows["detail"])


def test_undo_puts_back_exactly_what_was_there(store):
    _appoint_three(store)
    before = snapshot(store)
    steps = [End(EAST, None, D(2026, 3, 15), "resigned"),
             Replace(SOUTH, None, NewAdviser("顾问丁", "13900000004"), D(2026, 6, 30)),
             EditAdviser(_adviser(store, "顾问乙"), {"phone": "13900000009", "org": "另一律所"})]
    batches = [perform(store, step, principal=CLERK).batch for step in steps]
    assert snapshot(store) != before
    for batch in reversed(batches):
        imports.rollback(store, batch, principal=CLERK)
    assert snapshot(store) == before
    assert store.query("SELECT count(*) AS n FROM audit WHERE action = 'rollback'")["n"].iloc[0] == 3


def test_a_change_is_undone_only_after_the_later_ones_on_the_same_village(store):
    _appoint_three(store)
    first = perform(store, End(EAST, None, D(2026, 9, 1), "resigned"), principal=CLERK).batch
    second = perform(store, Appoint(EAST, NewAdviser("顾问戊", "13900000005"), D(2026, 9, 1), None),
                     principal=CLERK).batch
    with pytest.raises(RecordRefused) as refused:
        imports.rollback(store, first, principal=CLERK)
    assert str(second) in str(refused.value)
    imports.rollback(store, second, principal=CLERK)
    imports.rollback(store, first, principal=CLERK)
    assert store.village_contract_rows(EAST)["end_date"].tolist() == [D(2026, 12, 31)]


def test_changes_outside_the_jurisdiction_are_refused_and_write_nothing(store):
    _appoint_three(store)
    before = snapshot(store)
    other_county = who("editor", "610118")
    with pytest.raises(AccessDenied):
        perform(store, End(EAST, None, D(2026, 3, 15), "transfer"), principal=other_county)
    with pytest.raises(AccessDenied):
        perform(store, Appoint(EAST, NewAdviser("某人", "13900000006"), D(2026, 1, 1), None),
                principal=other_county)
    with pytest.raises(AccessDenied):
        perform(store, EditAdviser(_adviser(store, "顾问甲"), {"phone": "13900000007"}), principal=other_county)
    with pytest.raises(AccessDenied):       # a viewer may not change the record at all
        perform(store, End(EAST, None, D(2026, 3, 15), "transfer"), principal=who("viewer", "610124"))
    assert snapshot(store) == before
    refusals = store.query("SELECT detail FROM audit WHERE action = 'refused'")["detail"]
    assert len(refusals) == 4 and all('"attempt": "record"' in d for d in refusals)


def test_an_adviser_serving_two_counties_is_changed_only_from_above(store):
    perform(store, Appoint(EAST, NewAdviser("跨县顾问", "13900000008"), D(2026, 1, 1), None), principal=CLERK)
    adviser = _adviser(store, "跨县顾问")
    perform(store, Appoint("610118100201", adviser, D(2026, 1, 1), None), principal=who("editor", "6101"))
    with pytest.raises(AccessDenied):
        perform(store, EditAdviser(adviser, {"org": "新律所"}), principal=CLERK)
    perform(store, EditAdviser(adviser, {"org": "新律所"}), principal=who("editor", "6101"))
    assert store.adviser_row(adviser)["org"] == "新律所"


def test_two_clerks_on_one_village_the_second_gets_a_conflict_with_the_current_values(store):
    _appoint_three(store)
    seen_by_a = village_version(store, EAST)
    seen_by_b = village_version(store, EAST)
    perform(store, End(EAST, None, D(2026, 3, 15), "transfer", seen=seen_by_a), principal=CLERK)
    before = snapshot(store)
    with pytest.raises(RecordConflict) as conflict:
        perform(store, Renew(EAST, None, D(2027, 12, 31), today=D(2026, 3, 1), seen=seen_by_b), principal=CLERK)
    assert "2026-03-14" in conflict.value.text("zh") and "顾问甲" in conflict.value.text("zh")
    assert conflict.value.current[0]["end"] == D(2026, 3, 14)
    assert snapshot(store) == before
    # read again, the same change goes through
    perform(store, Renew(EAST, None, D(2027, 12, 31), today=D(2026, 3, 1), seen=village_version(store, EAST)),
            principal=CLERK)


def test_an_adviser_edit_checks_each_field(store):
    _appoint_three(store)
    adviser = _adviser(store, "顾问甲")
    for values, key in (({"phone": "1380000"}, "rec.e.phone"), ({"phone": "12345678901"}, "rec.e.phone"),
                        ({"licence_no": "执业证"}, "rec.e.licence"), ({"name": ""}, "rec.e.required"),
                        ({"org": "某律所 61012419900101123X"}, "rec.e.id_number"),
                        ({"licence_no": "61012419900101123X"}, "rec.e.id_number"),
                        ({"kind": "医生"}, "rec.e.kind"), ({"password": "x"}, "rec.e.field")):
        with pytest.raises(RecordRefused) as refused:
            perform(store, EditAdviser(adviser, values), principal=CLERK)
        assert refused.value.key == key, values
    perform(store, EditAdviser(adviser, {"phone": "(029) 8765 4321", "licence_no": "1610 1201 8101 23456",
                                         "kind": "律师"}), principal=CLERK)
    row = store.adviser_row(adviser)
    assert (row["phone"], row["licence_no"]) == ("(029) 8765 4321", "16101201810123456")


def test_merging_two_records_of_one_person_moves_contracts_and_records(store):
    _appoint_three(store)
    keep, other = _adviser(store, "顾问甲"), _adviser(store, "顾问乙")
    with store.transaction() as cur:
        store.add_services(cur, pd.DataFrame({
            "village": [int(WEST), int(EAST)], "adviser_id": [other, keep],
            "service_date": [D(2026, 5, 6), D(2026, 5, 7)], "mode": ["onsite", "onsite"],
            "category": ["法律咨询", "法律咨询"], "hours": [2.0, 3.0], "people": [3, 4], "content": ["a", "b"],
            "batch_id": [None, None]}))
    before = snapshot(store), store.query("SELECT * FROM services ORDER BY service_date").to_csv()
    batch = perform(store, Merge(keep, other), principal=CLERK).batch
    assert store.adviser_row(other) is None
    assert set(store.query("SELECT adviser_id FROM services")["adviser_id"]) == {keep}
    assert store.village_contract_rows(WEST)["adviser_id"].tolist() == [keep]
    loads = store.adviser_loads(COUNTY, D(2026, 6, 1)).set_index("adviser_id")["villages"]
    assert int(loads[keep]) == 2
    imports.rollback(store, batch, principal=CLERK)
    assert (snapshot(store), store.query("SELECT * FROM services ORDER BY service_date").to_csv()) == before


def test_impossible_contract_actions_say_why(store):
    _appoint_three(store)
    cases = [(End(EAST, None, D(2026, 1, 1), "transfer"), "rec.e.end_before_start"),
             (End(EAST, None, D(2027, 3, 1), "transfer"), "rec.e.none_in_force"),
             (Appoint(EAST, _adviser(store, "顾问甲"), D(2026, 6, 1), None), "rec.e.overlap"),
             (Appoint(EAST, NewAdviser("某人", "13900000010"), D(2026, 6, 1), D(2026, 5, 1)), "rec.e.period"),
             (Renew(EAST, None, D(2026, 6, 1), today=D(2026, 3, 1)), "rec.e.renew_until"),
             (Appoint("610124100000", NewAdviser("某人", "13900000010"), D(2026, 6, 1), None),
              "rec.e.unknown_village")]
    for change, key in cases:
        with pytest.raises(RecordRefused) as refused:
            perform(store, change, principal=CLERK)
        assert refused.value.key == key, change
    perform(store, Appoint(EAST, NewAdviser("顾问己", "13900000011"), D(2026, 1, 1), None), principal=CLERK)
    with pytest.raises(RecordRefused) as refused:       # two in force and none named
        perform(store, End(EAST, None, D(2026, 6, 1), "transfer"), principal=CLERK)
    assert refused.value.key == "rec.e.several" and "顾问甲" in str(refused.value) and "顾问己" in str(refused.value)


def test_many_changes_are_one_batch_all_or_nothing(store):
    _appoint_three(store)
    before = snapshot(store)
    with pytest.raises(RecordRefused):
        perform(store, [Renew(EAST, None, D(2027, 12, 31), today=D(2026, 11, 1)),
                        Renew(WEST, None, D(2026, 6, 1), today=D(2026, 11, 1))],
                principal=CLERK, action="renew_many")
    assert snapshot(store) == before
    result = perform(store, [Renew(v, None, D(2027, 12, 31), today=D(2026, 11, 1)) for v in (EAST, WEST, SOUTH)],
                     principal=CLERK, action="renew_many")
    assert len(result.items) == 3
    assert store.village_statuses(COUNTY, D(2027, 6, 1))["status"].eq("covered").sum() == 3
    imports.rollback(store, result.batch, principal=CLERK)
    assert snapshot(store) == before


def test_a_base_set_by_coordinates_must_lie_inside_the_jurisdiction(store):
    _appoint_three(store)
    adviser = _adviser(store, "顾问甲")
    outline = shapely.box(107.9, 33.7, 108.5, 34.3)         # 周至县, roughly, as the county map draws it
    with store.transaction() as cur:
        store.replace_shapes(cur, pd.DataFrame({"code": [int("610124000000")],
                                                "geojson": [json.dumps(shapely.geometry.mapping(outline))],
                                                "schematic": [False]}), "city")
    for lon, lat in ((34.1, 108.2), (116.4, 39.9), (200.0, 34.1)):      # swapped, Beijing, nowhere
        with pytest.raises(RecordRefused) as refused:
            perform(store, EditAdviser(adviser, {"lon": lon, "lat": lat}), principal=CLERK)
        assert refused.value.key == "rec.e.point_outside", (lon, lat)
    perform(store, EditAdviser(adviser, {"lon": 108.2, "lat": 34.1}), principal=CLERK)
    assert store.adviser_base(adviser) == (108.2, 34.1)
    # the level above has no outline of its own stored: China's frame is the check
    perform(store, EditAdviser(adviser, {"lon": 116.4, "lat": 39.9}), principal=who("editor", "61"))


def test_an_early_end_stops_effective_service_from_that_day(store):
    """Served = covered and an on-site record in the 90 days up to the day (geo.core.service_rule's default)."""
    _appoint_three(store)
    with store.transaction() as cur:
        store.add_services(cur, pd.DataFrame({
            "village": [int(EAST)], "adviser_id": [_adviser(store, "顾问甲")], "service_date": [D(2026, 5, 6)],
            "mode": ["onsite"], "category": ["法律咨询"], "hours": [2.0], "people": [3], "content": ["a"],
            "batch_id": [None]}))

    def served(day: dt.date) -> int:
        return store.totals(Scope(EAST), day).served

    assert (served(D(2026, 5, 31)), served(D(2026, 6, 1))) == (1, 1)
    batch = perform(store, End(EAST, None, D(2026, 6, 1), "resigned"), principal=CLERK).batch
    assert (served(D(2026, 5, 31)), served(D(2026, 6, 1))) == (1, 0)
    imports.rollback(store, batch, principal=CLERK)
    assert served(D(2026, 6, 1)) == 1


def test_a_late_renewal_starts_on_the_day_it_is_made_not_after_the_lapsed_end(store):
    _appoint_three(store)
    perform(store, Renew(EAST, _adviser(store, "顾问甲"), D(2027, 12, 31), today=D(2027, 3, 1)), principal=CLERK)
    model = {v: [Period(D(2026, 1, 1), D(2026, 12, 31))] for v in (EAST, WEST, SOUTH)}
    model[EAST].append(Period(D(2027, 3, 1), D(2027, 12, 31)))
    _check(store, model, days=(D(2027, 1, 15), D(2027, 2, 28), D(2027, 3, 1), D(2027, 6, 1)))
    assert store.totals(COUNTY, D(2027, 2, 1)).lapsed == 3
