"""The record forms of the pages (ui/records.py over geo.records), driven with AppTest on a copy of the demo: each
contract action from the map's village panel, the gap list and the adviser page, an adviser's edit and merge,
batch renewal and the plan's appointments, in both languages; the figures on the page against what the contracts
say by the coverage rule worked out here; the undo; two clerks on one village; and a viewer, who sees no form."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from benchmarks.browser import served_app, wait_ready
from fixtures_app import PASSWORD, app_store, log_in, open_page, texts
from fixtures_county import county_store, who
from geo.auth import accounts
from geo.auth.access import OPEN, Role
from geo.core.codes import Scope
from geo.core.coverage import Period, village_status
from geo.demo import ANCHOR
from geo.planning import DEFAULT_CAP, plan_gaps
from geo.records.changes import Appoint, NewAdviser
from geo.records.checks import Point
from geo.records.run import contracts_frame, perform
from geo.store import open_store
from geo.text.catalogue import Msg, escape_markdown, md, status_label, t
from geo.text.formats import contract_end, count, day
from geo.views.gap_list import DEFAULT_STATUSES, PAGE_ROWS
from ui import queries
from ui.records import contract_line, years_after

DATE = ANCHOR.isoformat()
COUNTY = Scope("610124")
ONE_DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def fresh_caches() -> None:
    """The app's caches are keyed by the data version ("batch-count"), which each test's own copy of the demo
    repeats: a list cached in an earlier test would be another copy's (one process serves one store)."""
    st.cache_data.clear()
    for cached in (queries.q_village_statuses, queries.q_register):
        cached.clear()


def widget(at: AppTest, kind: str, prefix: str, suffix: str = ""):
    """The one widget of `kind` whose key starts with `prefix` and ends with `suffix` (keys carry the version)."""
    found = [w for w in getattr(at, kind) if w.key and w.key.startswith(prefix) and w.key.endswith(suffix)]
    assert len(found) == 1, (kind, prefix, suffix, [w.key for w in getattr(at, kind)])
    return found[0]


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def record_batches(store) -> list[int]:
    return [int(b) for b in store.query("SELECT batch_id FROM batches WHERE kind = 'record' AND status = 'active' "
                                        "ORDER BY batch_id")["batch_id"]]


def done(at: AppTest, store, action: str, n: int, lang: str) -> int:
    """The page says the library's message for the newest batch of changes; returns that batch."""
    batch = record_batches(store)[-1]
    assert [s.value for s in at.success] == [Msg("rec.done", {"action": Msg(f"rec.action.{action}"), "n": n,
                                                              "batch": batch}).md(lang)]
    return batch


def one_current_contract(store, township: str = "610124001") -> tuple[str, dict]:
    """A village of the township with exactly one contract, in force on the day and ending after it."""
    for code in store.village_statuses(Scope(township), DATE)["code"]:
        rows = contracts_frame(store, code, ANCHOR)
        if len(rows) == 1 and rows["current"].iloc[0] and rows["end_date"].iloc[0] > ANCHOR:
            return code, rows.iloc[0].to_dict()
    raise AssertionError("no village with one contract in force")


def on_page(at: AppTest, text: str) -> bool:
    return any(text in m for m in texts(at))


def status_shown(at: AppTest, status: str, lang: str) -> bool:
    return any(f"**{escape_markdown(status_label(status, lang))}**" in m for m in texts(at))


# ------------------------------------------------------------------------------------------- the village panel

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ending_a_contract_from_the_map_panel_then_undoing_it(app_db, demo_store, lang):
    village, contract = one_current_contract(demo_store)
    at = open_page(scope=village, date=DATE, lang=lang)
    assert on_page(at, escape_markdown("● " + contract_line(contract, lang)))
    assert status_shown(at, "covered", lang)
    ok(widget(at, "segmented_control", f"rec_map_{village}_", "_action").set_value("end").run())
    widget(at, "selectbox", f"rec_map_{village}_", "_reason").set_value("transfer")
    ok(widget(at, "button", f"rec_map_{village}_", "_go").click().run())

    store = app_store(app_db)
    done(at, store, "end", 1, lang)
    row = contracts_frame(store, village, ANCHOR).iloc[0]
    assert (row["end_date"], row["printed_end"], row["end_reason"]) == (ANCHOR - ONE_DAY, contract["end_date"],
                                                                        "transfer")
    # the panel: the status by the coverage rule on the shortened period, and the printed end with the reason
    expected = village_status([Period(contract["start_date"], ANCHOR - ONE_DAY)], ANCHOR).value
    assert expected == "lapsed" and status_shown(at, expected, lang)
    early = t("rec.ui.ended_early", lang, printed=day(contract["end_date"]), reason=t("rec.reason.transfer", lang))
    assert any(escape_markdown(early) in m for m in texts(at))

    ok(widget(at, "button", "rec_undo_map_").click().run())
    assert [s.value for s in at.success] == [md("imp.rb.done", lang, batch=_last_rolled_back(store))]
    row = contracts_frame(store, village, ANCHOR).iloc[0]
    assert (row["end_date"], row["printed_end"], row["end_reason"]) == (contract["end_date"], None, None)
    assert status_shown(at, "covered", lang)


def _last_rolled_back(store) -> int:
    return int(store.scalar("SELECT max(batch_id) FROM batches WHERE status <> 'active' AND kind = 'record'"))



def test_renewing_one_contract_from_the_map_panel(app_db, demo_store):
    village, contract = one_current_contract(demo_store)
    at = open_page(scope=village, date=DATE, lang="en")
    ok(widget(at, "segmented_control", f"rec_map_{village}_", "_action").set_value("renew").run())
    start, until = contract["end_date"] + ONE_DAY, years_after(contract["end_date"], 1)
    assert md("rec.ui.renew_from", "en", start=day(start)) in texts(at)
    assert widget(at, "date_input", f"rec_map_{village}_", "_until").value == until
    ok(widget(at, "button", f"rec_map_{village}_", "_go").click().run())
    store = app_store(app_db)
    done(at, store, "renew", 1, "en")
    rows = contracts_frame(store, village, ANCHOR)
    assert rows[["adviser_id", "start_date", "end_date"]].values.tolist() == [
        [contract["adviser_id"], contract["start_date"], contract["end_date"]], [contract["adviser_id"], start, until]]
    assert on_page(at, escape_markdown("○ " + contract_line(rows.iloc[1], "en")))

# ------------------------------------------------------------------------------------------------ the gap list

def gap_count_line(n: int, lang: str) -> str:
    return f"**{md('gaps.count', lang, n=count(n))}**"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_appointing_a_new_adviser_from_the_gap_list(app_db, demo_store, lang):
    gaps = demo_store.village_statuses(COUNTY, DATE, statuses=list(DEFAULT_STATUSES))
    village = gaps.loc[gaps["status"] == "never", "code"].iloc[0]
    at = open_page("gaps", scope=COUNTY.digits, date=DATE, lang=lang)
    assert any(m.startswith(gap_count_line(len(gaps), lang)) for m in texts(at))
    ok(widget(at, "selectbox", "gaps_rec_").set_value(village).run())
    assert md("rec.ui.no_contracts", lang) in texts(at)
    prefix = f"rec_gaps_{village}_"
    assert widget(at, "segmented_control", prefix, "_action").value == "appoint"
    ok(widget(at, "radio", prefix, "_ap_who").set_value("new").run())
    widget(at, "text_input", prefix, "_ap_name").input("新顾问")
    widget(at, "text_input", prefix, "_ap_phone").input("13912345678")
    widget(at, "text_input", prefix, "_ap_org").input("周至县某律师事务所")
    ok(widget(at, "button", prefix, "_go").click().run())

    store = app_store(app_db)
    done(at, store, "appoint", 1, lang)
    rows = contracts_frame(store, village, ANCHOR)
    assert rows[["name", "phone", "org", "start_date", "end_date"]].values.tolist() == [
        ["新顾问", "13912345678", "周至县某律师事务所", ANCHOR, years_after(ANCHOR, 1) - ONE_DAY]]
    # covered for a year from the day: one gap fewer on the list
    assert village_status([Period(ANCHOR, years_after(ANCHOR, 1) - ONE_DAY)], ANCHOR).value == "covered"
    assert any(m.startswith(gap_count_line(len(gaps) - 1, lang)) for m in texts(at))


def test_a_refused_field_is_said_with_the_forms_label(app_db, demo_store):
    gaps = demo_store.village_statuses(COUNTY, DATE, statuses=["never"])
    village = gaps["code"].iloc[0]
    at = open_page("gaps", scope=COUNTY.digits, date=DATE, lang="en")
    ok(widget(at, "selectbox", "gaps_rec_").set_value(village).run())
    prefix = f"rec_gaps_{village}_"
    ok(widget(at, "radio", prefix, "_ap_who").set_value("new").run())
    widget(at, "text_input", prefix, "_ap_name").input("某人 61012419900101123X")
    ok(widget(at, "button", prefix, "_go").click().run())
    assert [e.value for e in at.error] == [escape_markdown(t("rec.e.id_number", "en", field=t("rec.f.name", "en")))]
    assert contracts_frame(app_store(app_db), village, ANCHOR).empty


# ------------------------------------------------------------------------------------------------ the plan

def test_applying_the_plan_lists_each_village_and_adviser_first(app_db, demo_store):
    gaps = demo_store.village_statuses(COUNTY, DATE, statuses=list(DEFAULT_STATUSES))
    plan = plan_gaps(demo_store, COUNTY, DATE, cap=DEFAULT_CAP, max_km=None).villages
    proposed = plan[plan["adviser_id"].notna()].head(2)
    labels = [f"{v}（{tw}）→ {a}" for v, tw, a in zip(proposed["name"], proposed["township"], proposed["adviser_name"])]
    at = open_page("gaps", scope=COUNTY.digits, date=DATE)
    ok(at.button(key="plan_run").click().run())
    picker = widget(at, "multiselect", "rec_plan_picked_")
    assert picker.options[:2] == labels
    ok(picker.set_value(proposed["code"].tolist()).run())
    ok(at.button(key="rec_plan_check").click().run())
    assert md("rec.ui.plan_confirm", n="2", start=DATE, end=day(years_after(ANCHOR, 1) - ONE_DAY)) in texts(at)
    # the confirmation's list: the last table with advisers (the signboards' reprint list is drawn below it)
    listing = next(d.value for d in reversed(at.dataframe) if t("col.advisers") in d.value.columns)
    assert listing[t("col.code")].tolist() == proposed["code"].tolist()
    assert listing[t("col.advisers")].tolist() == proposed["adviser_name"].tolist()
    assert not record_batches(app_store(app_db))          # nothing written before the confirmation
    ok(at.button(key="rec_plan_go").click().run())

    store = app_store(app_db)
    batch = done(at, store, "apply_plan", 2, "zh")
    added = store.query(f"SELECT village, adviser_id, start_date FROM assignments WHERE batch_id = {batch}")
    assert sorted(zip((f"{v:012d}" for v in added["village"]), added["adviser_id"].astype(int))) == sorted(
        zip(proposed["code"], proposed["adviser_id"].astype(int)))
    assert {day(d) for d in added["start_date"]} == {DATE}
    lines = [m for m in texts(at) if m.startswith("**")]
    assert any(m.startswith(gap_count_line(len(gaps) - 2, "zh")) for m in lines), lines
    audit = json.loads(store.query("SELECT detail FROM audit WHERE action = 'record' ORDER BY id DESC LIMIT 1")
                       ["detail"].iloc[0])
    assert audit["change"] == "apply_plan" and len(audit["items"]) == 2


# ------------------------------------------------------------------------------------------------ the adviser page

def test_the_renewal_picker_offers_the_lines_of_the_page_shown(app_db, demo_store):
    # a province's worklist runs to pages: the picker lists the page on screen, and picks there renew those lines
    province = Scope("61")
    worklist = demo_store.renewals(province, DATE)
    assert len(worklist) > PAGE_ROWS
    at = open_page("advisers", scope=province.digits, date=DATE)
    picker = widget(at, "multiselect", "rec_ren_picked_")
    assert picker.options == [t("rec.ui.renew_item", village=r.village_name, adviser=r.adviser,
                                 end=contract_end(r.end_date, "zh")) for r in worklist.iloc[:PAGE_ROWS].itertuples()]
    ok(widget(at, "number_input", "ren_page_").set_value(2).run())
    picker = widget(at, "multiselect", "rec_ren_picked_")
    second = worklist.iloc[PAGE_ROWS:2 * PAGE_ROWS]
    assert len(picker.options) == len(second)
    ok(picker.set_value([PAGE_ROWS + 1]).run())
    ok(at.button(key="rec_ren_go").click().run())
    store = app_store(app_db)
    batch = done(at, store, "renew_many", 1, "zh")
    added = store.query(f"SELECT village, adviser_id FROM assignments WHERE batch_id = {batch}")
    line = second.iloc[1]
    assert [(int(v), int(a)) for v, a in added.itertuples(index=False)] == [(int(line.village), int(line.adviser_id))]


def test_renewing_the_selected_worklist_lines_is_one_batch_undone_as_one(app_db, demo_store):
    worklist = demo_store.renewals(COUNTY, DATE)
    at = open_page("advisers", scope=COUNTY.digits, date=DATE)
    count_line = lambda n: f"**{md('adv.renewals.count', n=count(n))}**"      # noqa: E731
    assert any(m.startswith(count_line(len(worklist))) for m in texts(at))
    chosen = worklist.iloc[:3]
    assert chosen["village"].is_unique
    ok(widget(at, "multiselect", "rec_ren_picked_").set_value([0, 1, 2]).run())
    ok(at.button(key="rec_ren_go").click().run())

    store = app_store(app_db)
    batch = done(at, store, "renew_many", 3, "zh")
    added = store.query(f"SELECT village, adviser_id, start_date, end_date FROM assignments WHERE batch_id = {batch} "
                        "ORDER BY village")
    # each from the day after its end, for a year after that end (or after the day, for one already lapsed)
    want = sorted((int(r.village), int(r.adviser_id), r.end_date + ONE_DAY, years_after(max(r.end_date, ANCHOR), 1))
                  for r in chosen.itertuples())
    got = [(int(v), int(a), s.date(), e.date()) for v, a, s, e in added.itertuples(index=False)]
    assert got == want
    assert any(m.startswith(count_line(len(worklist) - 3)) for m in texts(at))
    ok(widget(at, "button", "rec_undo_ren_").click().run())
    assert len(store.renewals(COUNTY, DATE)) == len(worklist)
    assert any(m.startswith(count_line(len(worklist))) for m in texts(at))


def _chosen_adviser(at: AppTest, lang: str) -> int:
    [picker] = [s for s in at.selectbox if s.label == md("adv.pick", lang)]
    return int(picker.value)


def test_editing_an_advisers_record_and_merging_a_second_record_into_it(app_db, demo_store):
    at = open_page("advisers", scope=COUNTY.digits, date=DATE, lang="en")
    keep = _chosen_adviser(at, "en")
    prefix = f"rec_adv_{keep}_"
    widget(at, "text_input", prefix, "_phone").input("12345")
    ok(widget(at, "button", prefix, "_go").click().run())
    assert [e.value for e in at.error] == [escape_markdown(t("rec.e.phone", "en", value="12345"))]
    widget(at, "text_input", prefix, "_phone").input("029-87654321")
    widget(at, "text_input", prefix, "_base").input("108.2, 34.1")
    ok(widget(at, "button", prefix, "_go").click().run())
    store = app_store(app_db)
    done(at, store, "edit", 1, "en")
    row = store.adviser_row(keep)
    assert (row["phone"], row["lon"], row["lat"]) == ("029-87654321", 108.2, 34.1)
    # the form shows what was saved (read again)
    assert widget(at, "text_input", prefix, "_phone").value == "029-87654321"

    # merge: another adviser of the county, found by name
    others = demo_store.adviser_loads(COUNTY, DATE)
    other = int(others.loc[others["adviser_id"] != keep, "adviser_id"].iloc[0])
    other_row = demo_store.adviser_row(other)
    moving = int(demo_store.scalar(f"SELECT count(*) FROM assignments WHERE adviser_id = {other}"))
    kept = int(demo_store.scalar(f"SELECT count(*) FROM assignments WHERE adviser_id = {keep}"))
    ok(widget(at, "text_input", prefix, "_mg_q").input(other_row["name"]).run())
    ok(widget(at, "selectbox", prefix, f"_mg_id_{other_row['name']}").set_value(other).run())
    assert any(f"{count(moving)} contracts" in m for m in texts(at))
    go = widget(at, "button", prefix, "_mg_go")
    assert go.disabled                                       # not before the clerk confirms it is one person
    ok(widget(at, "checkbox", prefix, "_mg_sure").check().run())
    ok(widget(at, "button", prefix, "_mg_go").click().run())
    done(at, store, "merge", 1, "en")
    assert store.adviser_row(other) is None
    assert int(store.scalar(f"SELECT count(*) FROM assignments WHERE adviser_id = {keep}")) == kept + moving



def test_replacing_an_adviser_from_the_adviser_page_with_one_found_by_name(app_db, demo_store):
    at = open_page("advisers", scope=COUNTY.digits, date=DATE)
    adviser = _chosen_adviser(at, "zh")
    villages = demo_store.adviser_contracts(COUNTY, DATE, adviser)["village"].unique()
    village, contract = next((v, rows.iloc[-1]) for v in villages
                             if len(rows := contracts_frame(demo_store, v, ANCHOR)[lambda r: r["current"]]) == 1
                             and rows.iloc[-1]["start_date"] < ANCHOR and rows.iloc[-1]["end_date"] > ANCHOR)
    ok(at.selectbox(key=f"adv_rec_village_{adviser}").set_value(village).run())
    prefix = f"rec_advd_{village}_"
    ok(widget(at, "segmented_control", prefix, "_action").set_value("replace").run())
    loads = demo_store.adviser_loads(COUNTY, DATE)
    successor = int(loads.loc[loads["adviser_id"] != adviser, "adviser_id"].iloc[0])
    name = demo_store.adviser_row(successor)["name"]
    ok(widget(at, "text_input", prefix, "_rp_q").input(name).run())
    ok(widget(at, "selectbox", prefix, f"_rp_id_{name}").set_value(successor).run())
    ok(widget(at, "button", prefix, "_go").click().run())
    store = app_store(app_db)
    done(at, store, "replace", 1, "zh")
    rows = contracts_frame(store, village, ANCHOR)
    rows = rows.astype(object).where(rows.notna(), None)
    assert rows[["adviser_id", "start_date", "end_date", "printed_end", "end_reason"]].values.tolist()[-2:] == [
        [adviser, contract["start_date"], ANCHOR - ONE_DAY, contract["end_date"], "replaced"],
        [successor, ANCHOR, contract["end_date"], None, None]]
    # on the day the village is covered by the successor alone, as the rule says of the two periods
    periods = [Period(contract["start_date"], ANCHOR - ONE_DAY), Period(ANCHOR, contract["end_date"])]
    assert village_status(periods, ANCHOR).value == "covered"
    assert store.village_statuses(COUNTY, DATE).set_index("code").at[village, "status"] == "covered"

# ------------------------------------------------------------------------------------------------ two clerks

def test_two_clerks_one_village_the_second_is_told_and_sees_the_current_values(app_db, demo_store):
    village, contract = one_current_contract(demo_store)
    a = open_page(scope=village, date=DATE)
    b = open_page(scope=village, date=DATE)
    for at in (a, b):
        ok(widget(at, "segmented_control", f"rec_map_{village}_", "_action").set_value("end").run())
    ok(widget(a, "button", f"rec_map_{village}_", "_go").click().run())
    store = app_store(app_db)
    done(a, store, "end", 1, "zh")
    after_a = contracts_frame(store, village, ANCHOR)

    # B read the record before A's change: nothing is written, B is told what the record holds now
    widget(b, "selectbox", f"rec_map_{village}_", "_reason").set_value("resigned")
    old_key = widget(b, "button", f"rec_map_{village}_", "_go").key
    ok(widget(b, "button", f"rec_map_{village}_", "_go").click().run())
    assert contracts_frame(store, village, ANCHOR).equals(after_a)
    now = f"{contract['name']} {day(contract['start_date'])}–{day(ANCHOR - ONE_DAY)}"
    assert escape_markdown(t("rec.e.conflict", "zh", what=village, now=now)) in [w.value for w in b.warning]
    assert on_page(b, escape_markdown("○ " + contract_line(after_a.iloc[0], "zh")))
    # the form was read again: a new version, and from it B's change goes through (here: a new adviser)
    assert not [w for w in b.button if w.key == old_key]
    ok(widget(b, "segmented_control", f"rec_map_{village}_", "_action").set_value("appoint").run())
    ok(widget(b, "radio", f"rec_map_{village}_", "_ap_who").set_value("new").run())
    widget(b, "text_input", f"rec_map_{village}_", "_ap_name").input("接任顾问")
    ok(widget(b, "button", f"rec_map_{village}_", "_go").click().run())
    done(b, store, "appoint", 1, "zh")
    assert contracts_frame(store, village, ANCHOR)["name"].tolist() == [contract["name"], "接任顾问"]



def test_a_plan_confirmed_after_another_clerk_appointed_one_of_its_villages_is_refused(app_db, demo_store):
    plan = plan_gaps(demo_store, COUNTY, DATE, cap=DEFAULT_CAP, max_km=None).villages
    proposed = plan[plan["adviser_id"].notna()].head(2)
    a = open_page("gaps", scope=COUNTY.digits, date=DATE)
    ok(a.button(key="plan_run").click().run())
    ok(widget(a, "multiselect", "rec_plan_picked_").set_value(proposed["code"].tolist()).run())
    ok(a.button(key="rec_plan_check").click().run())

    village = proposed["code"].iloc[0]
    b = open_page("gaps", scope=COUNTY.digits, date=DATE)
    ok(widget(b, "selectbox", "gaps_rec_").set_value(village).run())
    prefix = f"rec_gaps_{village}_"
    ok(widget(b, "segmented_control", prefix, "_action").set_value("appoint").run())
    ok(widget(b, "radio", prefix, "_ap_who").set_value("new").run())
    widget(b, "text_input", prefix, "_ap_name").input("乙先聘的顾问")
    ok(widget(b, "button", prefix, "_go").click().run())
    store = app_store(app_db)
    by_b = done(b, store, "appoint", 1, "zh")

    ok(a.button(key="rec_plan_go").click().run())
    assert record_batches(store) == [by_b]                       # nothing of A's batch was written
    [warning] = [w.value for w in a.warning if w.value.startswith(escape_markdown(village))]
    assert "乙先聘的顾问" in warning

# ------------------------------------------------------------------------------------------------ who may

def _logged_in(user: str, page: str | None, **params: str) -> AppTest:
    at = log_in(open_page(page, **params), user)
    at.run()
    if page:
        at.switch_page(f"pages/{page}.py")
        at.run()
    return ok(at)


def test_a_viewer_sees_the_contracts_but_no_form_and_an_editor_sees_them(accounts_db, demo_store):
    with open_store(accounts_db) as store:
        accounts.add_account(store, OPEN, "zzview", Role.VIEWER, Scope("610124"), PASSWORD, display_name="查看员")
    village, contract = one_current_contract(demo_store)
    viewer = _logged_in("zzview", None, scope=village, date=DATE)
    assert on_page(viewer, escape_markdown("● " + contract_line(contract, "zh")))
    assert not [w for kind in ("button", "segmented_control", "selectbox", "multiselect", "text_input")
                for w in getattr(viewer, kind) if w.key and w.key.startswith("rec_")]
    assert md("rec.ui.act") not in [e.label for e in viewer.expander]
    for page in ("gaps", "advisers"):
        at = _logged_in("zzview", page, scope=COUNTY.digits, date=DATE)
        keys = [w.key for kind in ("button", "segmented_control", "selectbox", "multiselect", "text_input")
                for w in getattr(at, kind) if w.key]
        assert not [k for k in keys if k.startswith(("rec_", "gaps_rec_", "adv_rec_"))], page
    editor = _logged_in("zzedit", None, scope=village, date=DATE)
    assert widget(editor, "segmented_control", f"rec_map_{village}_", "_action")


# ------------------------------------------------------------------------------------------------ the library's part

def test_what_a_merge_would_move_is_counted_on_both_stores(new_store):
    store = county_store(new_store, "merge_counts")
    clerk = who("editor", "610124")
    for village in ("610124100201", "610124100202"):
        perform(store, Appoint(village, NewAdviser("重复顾问", "13800000009"), dt.date(2026, 1, 1), None),
                principal=clerk)
    first, second = (int(a) for a in store.query("SELECT adviser_id FROM advisers ORDER BY adviser_id")["adviser_id"])
    perform(store, Appoint("610124101001", second, dt.date(2026, 1, 1), None), principal=clerk)
    with store.transaction() as cur:
        store.add_services(cur, pd.DataFrame({
            "village": [610124100202] * 3, "adviser_id": [second] * 3,
            "service_date": [dt.date(2026, 5, d) for d in (1, 2, 3)], "mode": ["onsite"] * 3,
            "category": ["法律咨询"] * 3, "hours": [2.0] * 3, "people": [3] * 3, "content": ["a"] * 3,
            "batch_id": [None] * 3}))
    assert store.adviser_record_counts(first) == (1, 0)
    assert store.adviser_record_counts(second) == (2, 3)


# ------------------------------------------------------------------------------------------------ in a browser

@pytest.mark.browser
def test_in_a_browser_a_clerk_ends_a_contract_and_clicks_an_advisers_base(app_db, demo_store, browser, tmp_path):
    village, contract = one_current_contract(demo_store)
    with served_app(app_db, tmp_path / "streamlit.log") as app:
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(f"{app.url}/map?scope={village}&date={DATE}", wait_until="commit")
        wait_ready(page, params={"scope": village}, map=True)
        page.get_by_text(t("rec.ui.act"), exact=True).click()
        page.get_by_text(t("rec.action.end"), exact=True).click()
        wait_ready(page)
        page.get_by_role("button", name=t("rec.ui.do.end")).click()
        page.get_by_text(t("rec.ui.undo")).wait_for(timeout=60_000)
        wait_ready(page)
        panel = page.locator('[data-testid="stColumn"]').nth(1)
        panel.screenshot(path=tmp_path / "ended.png")
        early = t("rec.ui.ended_early", printed=day(contract["end_date"]), reason=t("rec.reason.transfer"))
        assert early in panel.inner_text().replace("\n", "")
        with open_store(app_db, read_only=True) as store:        # the server holds it only while it writes
            assert contracts_frame(store, village, ANCHOR)["end_date"].tolist() == [ANCHOR - ONE_DAY]

        # the adviser's base: a click on the small map fills the field, and the dot follows it
        page.goto(f"{app.url}/advisers?scope={COUNTY.digits}&date={DATE}", wait_until="commit")
        wait_ready(page, params={"scope": COUNTY.digits}, path="/advisers", map=True)
        page.get_by_text(t("rec.ui.edit"), exact=True).click()
        small = page.locator('iframe[title="streamlit_folium.st_folium"]').nth(1)
        small.wait_for()
        page.wait_for_function("f => f.getBoundingClientRect().height > 100", arg=small.element_handle())
        small.scroll_into_view_if_needed()
        field = page.get_by_label(t("rec.f.base")).last
        before = field.input_value()
        box = small.bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
        page.wait_for_function("([el, v]) => el.value !== v", arg=[field.element_handle(), before])
        clicked = Point.parse(field.input_value())
        assert clicked.in_china() and field.input_value() != before
        page.locator('[data-testid="stExpander"]').filter(has_text=t("rec.ui.edit")).screenshot(
            path=tmp_path / "base.png")
        page.close()
