"""The derived tables after contract actions made in the app (geo.records): a change of one village's contracts
refreshes that village's coverage and served spans, its county's counts and its people's loads, not the whole county
nor the service days; what it leaves must equal the whole country rebuilt from nothing, on both stores."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from fixtures_county import county_store, who
from fixtures_writes import MONTH_SUMS
from geo import imports
from geo.records.changes import Appoint, End, NewAdviser, Renew, Replace
from geo.records.run import perform
from geo.store import Store

D = dt.date
EAST, WEST, SOUTH, OTHER = "610124100201", "610124100202", "610124101001", "610118100201"
CLERK = who("editor", "6101")
#: each derived table's columns, the key first (every column read as text: infinity is a date on both stores)
TABLES = {"coverage_spans": ("village", "span_from", "span_until", "cur_end"),
          "county_spans": ("county", "span_from", "span_until", "covered", "lapsed"),
          "county_villages": ("county", "villages"),
          "adviser_spans": ("adviser_id", "span_from", "span_until", "villages", "n_townships", "next_end", "last_end"),
          "adviser_counties": ("adviser_id", "county"),
          "service_days": ("village", "mode", "day", "next_day"),
          "served_spans": ("village", "span_from", "span_until"),
          "service_counties": ("county", "first_day"),
          "adviser_months": ("adviser_id", "county", "month", "records", "onsite_records", "onsite_hours",
                             "last_onsite")}
#: a table whose rows are parts to add up (fixtures_writes.MONTH_SUMS): compared by their sums
SUMMED = {"adviser_months": f"SELECT {MONTH_SUMS} FROM adviser_months GROUP BY adviser_id, county, month"}


def derived(store: Store) -> dict[str, str]:
    """Every derived table as text, in a fixed order (dates as text: infinity compares on both stores)."""
    out = {}
    for table, columns in TABLES.items():
        said = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in columns)
        frame = store.query(SUMMED.get(table, f"SELECT {said} FROM {table}"))
        out[table] = frame.sort_values(list(columns)).to_csv(index=False)
    return out


def rebuilt(store: Store) -> dict[str, str]:
    """The derived tables as a whole-country rebuild makes them (inside a transaction the caller's state stays)."""
    with store.transaction() as cur:
        store.refresh_coverage_spans(cur)
        store.refresh_service_days(cur)
    return derived(store)


def test_one_village_refreshed_equals_the_whole_rebuild(new_store):
    store = county_store(new_store, "refresh")
    for village, name in ((EAST, "顾问甲"), (WEST, "顾问乙"), (SOUTH, "顾问丙"), (OTHER, "顾问丁")):
        perform(store, Appoint(village, NewAdviser(name, "13800000001"), D(2026, 1, 1), D(2026, 12, 31)),
                principal=CLERK)
    ids = store.query("SELECT adviser_id, name FROM advisers").set_index("name")["adviser_id"]
    days = pd.date_range("2026-01-05", "2026-12-20", freq="17D")
    with store.transaction() as cur:
        store.add_services(cur, pd.DataFrame({
            "village": [int(v) for v in (EAST, WEST, SOUTH, OTHER) for _ in days],
            "adviser_id": [int(ids[n]) for n in ("顾问甲", "顾问乙", "顾问丙", "顾问丁") for _ in days],
            "service_date": [d.date() for _ in range(4) for d in days],
            "mode": ["onsite", "remote"] * (2 * len(days)), "category": "法律咨询", "hours": 2.0, "people": 3,
            "content": "x", "batch_id": None}))
    assert derived(store) == rebuilt(store)

    steps = [End(EAST, None, D(2026, 3, 15), "transfer"),
             Renew(WEST, None, D(2027, 12, 31), today=D(2026, 11, 1)),
             Replace(SOUTH, None, NewAdviser("顾问戊", "13800000005"), D(2026, 6, 30), D(2027, 6, 30)),
             Appoint(EAST, int(ids["顾问丁"]), D(2026, 5, 1), None),
             End(OTHER, None, D(2026, 2, 1), "resigned")]
    batches = []
    for step in steps:
        batches.append(perform(store, step, principal=CLERK).batch)
        assert derived(store) == rebuilt(store), step
    # served on 2026-04-01: 西村 (covered, on-site records every 34 days) is; 东村, without a contract from 03-15
    # to 05-01, is not, though its records go on
    on_day = store.query("SELECT village FROM served_spans WHERE span_from <= DATE '2026-04-01' "
                         "AND span_until > DATE '2026-04-01'")["village"].astype(str).tolist()
    assert WEST in on_day and EAST not in on_day
    on = store.village_statuses(who("viewer", "6101").jurisdiction, D(2026, 4, 1)).set_index("code")["status"]
    assert (on[EAST], on[OTHER]) == ("lapsed", "lapsed")
    for batch in reversed(batches):
        imports.rollback(store, batch, principal=CLERK)
        assert derived(store) == rebuilt(store), batch
