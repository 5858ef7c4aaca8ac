"""adviser_service_days (geo.store.sql.adviser_days): after every kind of write that changes service records (logs
appended in order, a late log, a log read from a file, a visit, a merge of two advisers, each undone) it equals a
rebuild from the records, on both stores; the register's service figures read from it equal those grouped from
the records for every day and scope; a store written before the table gets it when opened."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from backends import database_url
from fixtures_county import county_store, ledger, service_log, who
from geo import imports
from geo.core.codes import Scope
from geo.core.service_rule import ServiceSettings
from geo.imports.visit import VisitForm, record_visit
from geo.records.changes import Merge
from geo.records.run import perform
from geo.store import Store, open_store
from geo.store.derived import ADVISER_DAYS_META

D = dt.date
EAST, WEST, SOUTH, HUYI = "610124100201", "610124100202", "610124101001", "610118100201"
CLERK = who("editor", "6101")
COLUMNS = ("adviser_id", "county", "day", "next_day", "records", "onsite_records", "month_onsite_hours",
           "last_onsite")
#: scopes of the country, a city, each county (the table's), a township (the records'), with the rule's window
#: and a short one
SCOPES = (("", ServiceSettings()), ("", ServiceSettings(window_days=7)), ("6101", ServiceSettings(window_days=7)),
          ("610124", ServiceSettings()), ("610118", ServiceSettings()))


def table(store: Store) -> str:
    """The table as text in a fixed order (dates as text: infinity compares on both stores)."""
    said = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in COLUMNS if c != "month_onsite_hours")
    frame = store.query(f"SELECT {said}, round(month_onsite_hours * 1000) AS hours_x1000 FROM adviser_service_days")
    frame["hours_x1000"] = frame["hours_x1000"].astype(float)
    return frame.sort_values(["adviser_id", "county", "day"]).to_csv(index=False)


def rebuilt(store: Store) -> str:
    with store.transaction() as cur:
        store.refresh_adviser_days(cur)
    return table(store)


def assert_current(store: Store, days: list[dt.date]) -> None:
    """The table equals a rebuild, and the figures read from it equal those grouped from the records."""
    kept = table(store)
    assert kept == rebuilt(store)
    for day in days:
        for scope, settings in SCOPES:
            fast = store.adviser_service_stats(Scope(scope), day, settings)
            slow = store.adviser_service_stats(Scope(scope), day, settings, derived=False)
            pd.testing.assert_frame_equal(fast, slow, check_exact=False, rtol=1e-9, obj=f"{scope} {day}")


def records(rows: list[tuple[str, int, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame({"village": [r[0] for r in rows], "adviser_id": [r[1] for r in rows],
                         "service_date": [r[2] for r in rows], "mode": [r[3] for r in rows],
                         "category": "法律咨询", "hours": [r[4] for r in rows], "people": 2, "content": "x"})


def add(store: Store, rows) -> int:
    with store.transaction() as cur:
        batch = store.new_batch(cur, "services")
        store.add_services(cur, records(rows).assign(batch_id=batch))
    return batch


@pytest.fixture
def people_store(new_store, tmp_path):
    store = county_store(new_store, "asd")
    imports.import_assignments(store, ledger(tmp_path))
    imports.import_assignments(store, ledger(tmp_path, [(HUYI, "南村村委会", "顾问甲", "13800000001")], "鄠邑区.csv"))
    return store


def test_every_write_keeps_the_table_as_a_rebuild_would(people_store, tmp_path, monkeypatch):
    store = people_store
    ids = store.query("SELECT adviser_id, name FROM advisers").groupby("name")["adviser_id"].min()
    a, b, c = (int(ids[n]) for n in ("顾问甲", "顾问乙", "顾问丙"))
    days = [D(2026, 1, 31), D(2026, 2, 1), D(2026, 2, 14), D(2026, 3, 1), D(2026, 3, 31), D(2026, 4, 2),
            D(2026, 6, 30)]
    undo = []
    # in date order, across month ends, two villages of one adviser on one day, another county, no hours
    undo.append(add(store, [(EAST, a, "2026-01-30", "onsite", 2.0), (WEST, a, "2026-01-30", "onsite", 1.5),
                            (EAST, a, "2026-01-31", "remote", 1.0), (HUYI, a, "2026-02-01", "onsite", 3.0),
                            (WEST, b, "2026-02-01", "remote", 0.5)]))
    assert_current(store, days)
    appended = []
    monkeypatch.setattr(type(store), "refresh_adviser_days", lambda self, cur, counties=None: appended.append(
        counties) or Store.refresh_adviser_days(self, cur, counties))
    undo.append(add(store, [(EAST, a, "2026-02-03", "onsite", 2.5), (WEST, a, "2026-02-03", "onsite", None),
                            (SOUTH, c, "2026-02-10", "onsite", 4.0), (EAST, b, "2026-03-01", "onsite", 1.0),
                            (HUYI, a, "2026-03-31", "onsite", 2.0)]))
    assert appended == [], "logs in date order extend the table without a rebuild"
    monkeypatch.undo()
    assert_current(store, days)
    # the same day again, and a day before the latest stored: rebuilt for the counties
    undo.append(add(store, [(EAST, a, "2026-02-03", "remote", 1.0)]))
    assert_current(store, days)
    undo.append(add(store, [(SOUTH, c, "2026-01-02", "onsite", 2.0), (WEST, b, "2026-04-01", "onsite", 2.0)]))
    assert_current(store, days)
    # a log read from a file, a visit entered in the form, a merge of two people
    undo.append(imports.import_services(store, service_log(tmp_path), county="610124").batch_id)
    assert_current(store, [*days, D(2026, 5, 7), D(2026, 5, 31)])
    undo.append(record_visit(store, VisitForm(WEST, "2026-05-20", b, "onsite", 3), CLERK,
                             today=D(2026, 6, 1)).batch_id)
    assert_current(store, [D(2026, 5, 20), D(2026, 5, 31)])
    undo.append(perform(store, Merge(a, b), principal=CLERK).batch)
    assert store.scalar(f"SELECT count(*) FROM adviser_service_days WHERE adviser_id = {b}") == 0
    assert_current(store, days)
    for batch in reversed(undo):
        imports.rollback(store, batch)
        assert_current(store, days)
    assert store.scalar("SELECT count(*) FROM adviser_service_days") == 0


def test_the_figures_from_the_table_are_the_records_figures(people_store):
    """By hand: 顾问甲's figures in 周至县 and in the whole country on two days."""
    store = people_store
    a = int(store.query("SELECT min(adviser_id) AS a FROM advisers WHERE name = '顾问甲'")["a"][0])
    add(store, [(EAST, a, "2026-01-10", "onsite", 2.0), (EAST, a, "2026-02-02", "remote", 1.0),
                (WEST, a, "2026-02-05", "onsite", 1.5), (HUYI, a, "2026-02-06", "onsite", 4.0)])
    settings = ServiceSettings(window_days=30)
    county = store.adviser_service_stats(Scope("610124"), D(2026, 2, 10), settings).set_index("adviser_id")
    assert county.loc[a, "onsite_hours_month"] == 1.5                # 02-05 only: 01-10 is last month
    assert county.loc[a, "records_window"] == 2                      # 01-12 .. 02-10: 02-02 and 02-05
    assert county.loc[a, "last_onsite"] == pd.Timestamp("2026-02-05")
    national = store.adviser_service_stats(Scope(""), D(2026, 2, 10), settings).set_index("adviser_id")
    assert (national.loc[a, "onsite_hours_month"], national.loc[a, "records_window"]) == (5.5, 3)
    before = store.adviser_service_stats(Scope(""), D(2026, 2, 3), settings).set_index("adviser_id")
    assert (before.loc[a, "onsite_hours_month"], before.loc[a, "records_window"]) == (0.0, 2)
    assert before.loc[a, "last_onsite"] == pd.Timestamp("2026-01-10")


def test_a_store_written_before_the_table_gets_it_when_opened(people_store, new_store):
    store = people_store
    a = int(store.query("SELECT min(adviser_id) AS a FROM advisers")["a"][0])
    add(store, [(EAST, a, "2026-01-10", "onsite", 2.0), (HUYI, a, "2026-02-06", "onsite", 4.0)])
    expected = table(store)
    with store.transaction() as cur:    # as a version before the table left it
        store.execute(cur, "DELETE FROM adviser_service_days")
        store.execute(cur, f"DELETE FROM meta WHERE key = '{ADVISER_DAYS_META}'")
    target = store.target if store.backend == "duckdb" else database_url(new_store.databases[-1])
    store.close()
    again = open_store(target)
    try:
        assert again.get_meta(ADVISER_DAYS_META) is not None
        assert table(again) == expected
    finally:
        again.close()
