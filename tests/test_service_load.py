"""Service records written in bulk (issue 25): what a batch stores is exactly what it was given, and the service
tables a sequence of monthly batches leaves - duplicates across months, a late log, a month rolled back in the
middle - equal both a rebuild and the days worked out in pandas from the stored records."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fixtures_writes import SHAANXI, assert_service_tables_current, ledger_for, service_rows
from geo import imports


def stored_services(store) -> pd.DataFrame:
    return store.query("""SELECT village, adviser_id, CAST(service_date AS VARCHAR) AS service_date, mode, category,
                                 hours, people, content FROM services ORDER BY hours""")


def test_a_batch_is_stored_exactly_as_given(new_store):
    """Text with the characters a bulk copy must escape, missing values and dates arrive unchanged."""
    store = new_store("svc_exact")
    store.load_registry(SHAANXI)
    village = SHAANXI[(SHAANXI["level"] == 5) & ~SHAANXI["code"].str.endswith("000")]["code"].iloc[0]
    given = pd.DataFrame({
        "village": [village] * 5,
        "adviser_id": pd.array([7, None, 9, None, 11], dtype="Int64"),
        "service_date": pd.to_datetime(["2026-01-31", "2026-02-01", "2024-02-29", "2026-12-31", "2026-06-15"]),
        "mode": ["onsite", "remote", "other", "onsite", "remote"],
        "category": ["法律咨询", None, "纠纷\t调解", "讲座", "a\\b"],
        "hours": [0.25, 1.0, 4.5, 8.0, 12.75],
        "people": pd.array([3, None, 0, 120, 1], dtype="Int64"),
        "content": ["到村坐班，解答\n村民咨询", "电话 \"回访\"", None, "\\N 不是空值", "行\r末"]})
    with store.transaction() as cur:
        assert store.add_services(cur, given.assign(batch_id=store.new_batch(cur, "services"))) == 5
    got = stored_services(store)
    expected = given.assign(village=given["village"].astype("int64"),
                            service_date=given["service_date"].dt.strftime("%Y-%m-%d"))
    assert got["village"].tolist() == expected["village"].tolist()
    assert got["service_date"].tolist() == expected["service_date"].tolist()
    assert got["hours"].tolist() == expected["hours"].tolist()
    for col in ("adviser_id", "people", "category", "content", "mode"):
        assert [None if pd.isna(v) else v for v in got[col]] == \
            [None if pd.isna(v) else v for v in expected[col]], col


def pandas_service_days(records: pd.DataFrame, real: set[int]) -> pd.DataFrame:
    """service_days worked out from the records: per real village and mode, each day and the next (or infinity)."""
    d = records[records["village"].isin(real)][["village", "mode", "service_date"]].drop_duplicates()
    d = d.sort_values(["village", "mode", "service_date"]).rename(columns={"service_date": "day"})
    d["next_day"] = d.groupby(["village", "mode"])["day"].shift(-1).fillna("infinity")
    return d.reset_index(drop=True)


def assert_days_match_pandas(store, real: set[int]) -> None:
    records = store.query("SELECT village, mode, CAST(service_date AS VARCHAR) AS service_date FROM services")
    got = store.query("""SELECT village, mode, CAST(day AS VARCHAR) AS day, CAST(next_day AS VARCHAR) AS next_day
                         FROM service_days ORDER BY village, mode, day""")
    pd.testing.assert_frame_equal(got.reset_index(drop=True), pandas_service_days(records, real),
                                  check_dtype=False)


def test_months_with_duplicates_a_late_log_and_a_rollback_in_the_middle(new_store, tmp_path):
    """Months written in order, each repeating some records of the month before (the same village, mode and
    day, sent twice), then a month rolled back from the middle and a log older than what is stored: after each
    write the service tables equal a rebuild and the days equal the pandas reckoning."""
    store = new_store("svc_months")
    store.load_registry(SHAANXI)
    imports.import_assignments(store, ledger_for(tmp_path, "610124", 10, "a.csv", "2025.1.1", "2025.8.31"))
    imports.import_assignments(store, ledger_for(tmp_path, "610581", 6, "b.csv", "2025.4.1", "2026.12.31"))
    real_rows = SHAANXI[(SHAANXI["level"] == 5) & ~SHAANXI["code"].str.endswith("000")]
    villages = [*real_rows[real_rows["code"].str.startswith("610124")]["code"].head(12),
                *real_rows[real_rows["code"].str.startswith("610581")]["code"].head(8)]
    real = {int(c) for c in real_rows["code"]}
    rng = np.random.default_rng(25)
    batches, previous = [], None
    for month in range(1, 7):
        first = pd.Timestamp(f"2025-{month:02d}-01")
        days = [first + pd.Timedelta(days=int(d)) for d in rng.integers(0, 28, size=30)]
        rows = service_rows(list(rng.choice(villages, size=30))).assign(
            service_date=days, mode=rng.choice(["onsite", "onsite", "remote"], size=30),
            adviser_id=pd.array(rng.choice([7, 8, 9, -1], size=30), dtype="Int64").map(lambda a: None if a < 0 else a),
            hours=rng.choice([0.5, 2.0, 4.0], size=30))
        if previous is not None:      # the last days of the month before, sent again
            rows = pd.concat([previous.sort_values("service_date").tail(5), rows], ignore_index=True)
        with store.transaction() as cur:
            batch = store.new_batch(cur, "services")
            store.add_services(cur, rows.assign(batch_id=batch))
        batches.append(batch)
        previous = rows
        assert_service_tables_current(store)
        assert_days_match_pandas(store, real)
    imports.rollback(store, batches[2])
    assert_service_tables_current(store)
    assert_days_match_pandas(store, real)
    with store.transaction() as cur:     # a log older than what is stored
        store.add_services(cur, service_rows(villages[:3]).assign(service_date="2025-03-15",
                                                                  batch_id=store.new_batch(cur, "services")))
    assert_service_tables_current(store)
    assert_days_match_pandas(store, real)
    with store.transaction() as cur:     # and one in order again after it
        store.add_services(cur, service_rows(villages[3:6]).assign(service_date="2025-07-02",
                                                                   batch_id=store.new_batch(cur, "services")))
    assert_service_tables_current(store)
    assert_days_match_pandas(store, real)
    assert store.scalar("SELECT count(*) FROM served_spans") > 0
    assert store.scalar("SELECT count(DISTINCT adviser_id) FROM adviser_months") == 3


def test_a_national_batch_takes_one_lock_not_one_per_county(new_store, backend):
    """On PostgreSQL each county a write touches is an advisory lock, a slot of the server's shared lock table;
    a write of more counties than MAX_COUNTY_LOCKS takes the whole-country lock instead (two national months at
    once had filled the table: "out of shared memory").  A write of a few counties still locks just those."""
    from geo.store.backends.postgres import MAX_COUNTY_LOCKS

    if backend != "postgresql":
        pytest.skip("PostgreSQL's advisory locks")
    store = new_store("svc_locks")
    store.load_registry(SHAANXI)
    real = SHAANXI[(SHAANXI["level"] == 5) & ~SHAANXI["code"].str.endswith("000")]
    one_each = real.groupby(real["code"].str[:6]).head(1)["code"].tolist()
    assert len(one_each) > MAX_COUNTY_LOCKS
    held = "SELECT mode, count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() GROUP BY 1"
    for codes, expected in ((one_each, {"ExclusiveLock": 1}), (one_each[:3], {"ShareLock": 1, "ExclusiveLock": 3})):
        with store.transaction() as cur:
            store.add_services(cur, service_rows(codes).assign(batch_id=store.new_batch(cur, "services")))
            assert dict(store._rows(cur, held)) == expected


def test_store_sessions_keep_a_month_s_temporary_tables_in_memory(new_store, backend):
    """A national month's service append works through three temporary tables of 25 MB each: the store's
    sessions give them 128 MB of cache (PostgreSQL's default of 8 MB read them back from the OS at every step)."""
    if backend != "postgresql":
        pytest.skip("a PostgreSQL session setting")
    store = new_store("svc_temp")
    assert store.scalar("SHOW temp_buffers") == "128MB"
    with store.transaction() as cur:
        store._changed(cur, ())
        assert store._rows(cur, "SHOW temp_buffers") == [("128MB",)]
