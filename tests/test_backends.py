"""Both store backends: the same figures, spans kept current per county, writers side by side, the schema's
version, passwords never shown, the PostGIS view, and DuckDB's file shared with the CLI while the app runs."""
from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from backends import admin_url, create_database, database_url, drop_database, require
from fixtures_ledger import write_messy_xlsx
from fixtures_writes import SHAANXI, assert_service_tables_current, frames_equal, ledger_for, service_rows
from geo import imports
from geo.core.codes import Scope
from geo.demo import ANCHOR
from geo.store import StoreError, open_store
from geo.store.maintenance import SCHEMA_META, SCHEMA_VERSION
from geo.store.schema import POSTGRES_STATISTICS

ROOT = Path(__file__).resolve().parent.parent
# ------------------------------------------------------------------------------------------ the same figures

@pytest.mark.parametrize("read", [
    lambda s: s.summary(Scope(""), ANCHOR, by="province"),
    lambda s: s.summary(Scope.parse("61"), ANCHOR, by="county"),
    lambda s: s.summary(Scope.parse("610124"), ANCHOR - dt.timedelta(days=400), by="township"),
    lambda s: s.village_statuses(Scope.parse("610124"), ANCHOR),
    lambda s: s.village_statuses(Scope.parse("6101"), ANCHOR, statuses=["lapsed", "never"]),
    lambda s: s.trend(Scope.parse("6109"), ANCHOR),
    lambda s: s.children(Scope.parse("61")),
    lambda s: s.shapes_under(Scope.parse("610124"), "township"),
    lambda s: s.orphan_assignments(),
    lambda s: pd.DataFrame([s.totals(Scope.parse("6107"), ANCHOR).__dict__]),
    lambda s: pd.DataFrame([s.adviser_stats(Scope.parse("61"), ANCHOR)]),
    lambda s: s.batches()[["batch_id", "kind", "rows_read", "rows_accepted", "status"]],
], ids=["national", "province", "county-a-year-back", "village-list", "gap-list", "trend", "children", "shapes",
        "orphans", "totals", "adviser-stats", "batches"])
def test_every_read_gives_the_same_answer_on_both_backends(any_demo_store, demo_store, read):
    frames_equal(read(any_demo_store), read(demo_store))


# ------------------------------------------------------------------------------ spans refreshed per county

def spans(store) -> pd.DataFrame:
    df = store.query("SELECT village, CAST(span_from AS VARCHAR) AS span_from, CAST(span_until AS VARCHAR) AS "
                     "span_until, CAST(cur_end AS VARCHAR) AS cur_end FROM coverage_spans")
    return df.sort_values(["village", "span_from"]).reset_index(drop=True)


def county_counts(store) -> pd.DataFrame:
    spans_ = store.query("SELECT county, CAST(span_from AS VARCHAR) AS span_from, CAST(span_until AS VARCHAR) AS "
                         "span_until, covered, lapsed FROM county_spans")
    villages = store.query("SELECT county, villages FROM county_villages")
    people = store.query("SELECT adviser_id, CAST(span_from AS VARCHAR) AS span_from, CAST(span_until AS VARCHAR) "
                         "AS span_until, villages, n_townships, CAST(next_end AS VARCHAR) AS next_end, "
                         "CAST(last_end AS VARCHAR) AS last_end FROM adviser_spans")
    return pd.concat([spans_.sort_values(["county", "span_from"]), villages.sort_values("county"),
                      people.sort_values(["adviser_id", "span_from"])])


def assert_spans_current(store) -> None:
    """The spans and county counts the writes left equal the whole country's rebuilt from nothing."""
    kept, counts = spans(store), county_counts(store)
    with store.transaction() as cur:
        store.refresh_coverage_spans(cur)
    frames_equal(kept, spans(store))
    frames_equal(counts, county_counts(store))
    assert len(counts) > 0


def test_spans_are_refreshed_for_the_counties_a_write_touches(new_store, tmp_path):
    store = new_store("spans")
    store.load_registry(SHAANXI)
    first = imports.import_assignments(store, ledger_for(tmp_path, "610124", 30, "a.csv"))
    imports.import_assignments(store, ledger_for(tmp_path, "610581", 20, "b.csv", start="2025.6.1"))
    assert_spans_current(store)
    assert store.totals(Scope.parse("610124"), ANCHOR).covered == 30
    imports.rollback(store, first.batch_id)
    assert_spans_current(store)
    assert store.totals(Scope.parse("610124"), ANCHOR).covered == 0
    assert store.totals(Scope.parse("610581"), ANCHOR).covered == 20


def drop_spans(store, cur, county: int) -> None:
    """Remove a county's coverage spans and its county-level counts behind the store's back."""
    store.execute(cur, f"DELETE FROM coverage_spans WHERE village >= {county}000000 AND village < {county + 1}000000")
    store.execute(cur, f"DELETE FROM county_spans WHERE county = {county}")


def test_a_write_says_which_counties_it_touched(new_store, tmp_path):
    """Only the counties of the ledger are rebuilt: a stale span elsewhere stays stale (then a full rebuild
    mends it), so the incremental path is really taken."""
    store = new_store("touched")
    store.load_registry(SHAANXI)
    imports.import_assignments(store, ledger_for(tmp_path, "610581", 5, "b.csv"))
    with store.transaction() as cur:   # a raw change the spans do not know of, in another county
        drop_spans(store, cur, 610581)
        store.execute(cur, "INSERT INTO coverage_spans VALUES (610581001001, DATE '2000-01-01', DATE '2001-01-01', "
                           "NULL)")
    # that raw transaction said nothing of what it changed: it rebuilt the whole country, mending it
    assert store.totals(Scope.parse("610581"), ANCHOR).covered == 5
    with store.transaction() as cur:
        drop_spans(store, cur, 610581)
        store.set_meta("note", "x", cur)
        store.new_batch(cur, "test")    # a named write that touches no county: nothing is rebuilt
    assert store.totals(Scope.parse("610581"), ANCHOR).covered == 0
    imports.import_assignments(store, ledger_for(tmp_path, "610124", 5, "a.csv"))
    assert store.totals(Scope.parse("610581"), ANCHOR).covered == 0        # not touched by that import
    assert store.totals(Scope.parse("610124"), ANCHOR).covered == 5


def refreshes(store, monkeypatch) -> list[tuple[str, object]]:
    """The derived-table refreshes each later commit of `store` asks for: (which, counties or None)."""
    calls: list[tuple[str, object]] = []
    for name in ("refresh_coverage_spans", "refresh_service_days"):
        real = getattr(type(store), name)

        def spy(cur, counties=None, real=real, name=name):
            calls.append((name, None if counties is None else sorted(counties)))
            return real(store, cur, counties)
        monkeypatch.setattr(store, name, spy)
    return calls


def test_service_records_refresh_only_the_service_tables_of_their_counties(new_store, tmp_path, monkeypatch):
    """Service records change no contract: a commit that must rebuild the service tables (a log older than what
    is stored) leaves the coverage spans alone and rebuilds the service tables of its counties only; a contract
    change rebuilds both for its county."""
    from geo.store.derived import MAX_COUNTIES_REFRESHED

    store = new_store("derived")
    store.load_registry(SHAANXI)
    villages = SHAANXI[(SHAANXI["level"] == 5) & ~SHAANXI["code"].str.endswith("000")]
    calls = refreshes(store, monkeypatch)
    first = villages[villages["code"].str.startswith("610124")]["code"].head(3).tolist()
    with store.transaction() as cur:
        store.add_services(cur, service_rows(first).assign(batch_id=store.new_batch(cur, "services")))
    assert calls == []      # records in date order: the tables are extended (see the next test)
    with store.transaction() as cur:
        store.add_services(cur, service_rows(first[:1]).assign(service_date="2026-01-05",
                                                               batch_id=store.new_batch(cur, "services")))
    assert calls == [("refresh_coverage_spans", []), ("refresh_service_days", [610124])]
    calls.clear()
    imports.import_assignments(store, ledger_for(tmp_path, "610581", 5, "b.csv"))
    assert calls == [("refresh_coverage_spans", [610581]), ("refresh_service_days", [610581])]
    calls.clear()
    one_each = villages.groupby(villages["code"].str[:6]).head(1)["code"].tolist()
    assert len(one_each) > MAX_COUNTIES_REFRESHED
    with store.transaction() as cur:     # a province's late records at once: its service tables are rebuilt whole
        store.add_services(cur, service_rows(one_each).assign(service_date="2026-01-01",
                                                              batch_id=store.new_batch(cur, "services")))
    assert calls == [("refresh_coverage_spans", []), ("refresh_service_days", None)]
    assert store.scalar("SELECT count(*) FROM service_days") == len(first) + 1 + len(set(one_each))


def test_appended_service_records_extend_the_service_tables_as_a_rebuild_would(new_store, tmp_path,
                                                                                monkeypatch):
    """Logs imported in date order extend service_days, served_spans and service_counties in place; after
    every batch they equal a rebuild: visits on the last stored day, within and beyond the 90-day window of the
    last one, in covered, lapsed and never-covered villages, remote ones, several counties.  A log older than
    what is stored, or a rollback, rebuilds instead."""
    import numpy as np

    store = new_store("append")
    store.load_registry(SHAANXI)
    # coverage with gaps: contracts that end, villages covered again later, villages never covered
    imports.import_assignments(store, ledger_for(tmp_path, "610124", 12, "a.csv", "2025.1.1", "2025.6.30"))
    imports.import_assignments(store, ledger_for(tmp_path, "610124", 6, "b.csv", "2025.9.1", "2026.12.31"))
    imports.import_assignments(store, ledger_for(tmp_path, "610581", 8, "c.csv", "2025.3.1", "2026.3.31"))
    real = SHAANXI[(SHAANXI["level"] == 5) & ~SHAANXI["code"].str.endswith("000")]
    villages = [*real[real["code"].str.startswith("610124")]["code"].head(16),
                *real[real["code"].str.startswith("610581")]["code"].head(10)]
    rng = np.random.default_rng(9)
    calls = refreshes(store, monkeypatch)
    day = pd.Timestamp("2025-01-10")
    batches = []
    for k in range(8):
        # each batch starts on the previous one's last day (a day already stored) and runs on
        days = [day + pd.Timedelta(days=int(d)) for d in np.sort(rng.integers(0, 120 if k % 3 else 20, size=25))]
        rows = service_rows(list(rng.choice(villages, size=25))).assign(
            service_date=days, mode=rng.choice(["onsite", "onsite", "remote"], size=25))
        calls.clear()
        with store.transaction() as cur:
            batch = store.new_batch(cur, "services")
            store.add_services(cur, rows.assign(batch_id=batch))
        batches.append(batch)
        assert calls == [], "records in date order extend the tables, without a refresh"
        assert_service_tables_current(store)
        day = max(days)
    assert store.scalar("SELECT count(*) FROM served_spans") > 0
    calls.clear()
    with store.transaction() as cur:    # a late log: older than what is stored for its village
        store.add_services(cur, service_rows([villages[0]]).assign(
            service_date="2025-02-01", batch_id=store.new_batch(cur, "services")))
    assert [c[0] for c in calls] == ["refresh_coverage_spans", "refresh_service_days"]
    assert_service_tables_current(store)
    calls.clear()
    imports.rollback(store, batches[3])
    assert [c[0] for c in calls] == ["refresh_coverage_spans", "refresh_service_days"]
    assert_service_tables_current(store)


# -------------------------------------------------------------------------------------- writers side by side

def test_imports_at_the_same_moment_all_land(new_store, backend, tmp_path):
    """Two counties at once, and the same county twice: every import lands, each once, spans current.  On
    PostgreSQL they run in parallel transactions (county locks serialise the same county)."""
    store = new_store("concurrent")
    store.load_registry(SHAANXI)
    files = [ledger_for(tmp_path, "610124", 40, "zz.csv"), ledger_for(tmp_path, "610581", 40, "hc.csv"),
             ledger_for(tmp_path, "610124", 20, "zz2.csv", start="2026.2.1")]
    errors, results = [], []

    def run(path):
        try:
            results.append(imports.import_assignments(store, path))
        except Exception as e:  # pragma: no cover - the assertion below shows it
            errors.append(repr(e))

    threads = [threading.Thread(target=run, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert sorted(r.details["assignments_new"] for r in results) == [20, 40, 40]
    assert int(store.scalar("SELECT count(*) FROM assignments")) == 100
    ids = store.query("SELECT adviser_id FROM advisers")["adviser_id"]
    assert ids.is_unique
    assert_spans_current(store)
    assert store.totals(Scope.parse("610124"), ANCHOR).covered == 40


# ------------------------------------------------------------------------------------------ schema versions

def test_an_older_schema_is_migrated_forward(new_store, tmp_path):
    store = new_store("old")
    store.load_registry(SHAANXI)
    imports.import_assignments(store, write_messy_xlsx(tmp_path / "台账.xlsx"))
    target = store.target if store.backend == "duckdb" else None
    with store.transaction() as cur:    # as a version before schema versions left it
        store.execute(cur, f"DELETE FROM meta WHERE key = '{SCHEMA_META}'")
    if target is None:
        target = database_url(new_store.databases[-1])
    store.close()
    again = open_store(target)
    try:
        assert again.get_meta(SCHEMA_META) == str(SCHEMA_VERSION)
        with again.transaction() as cur:    # ids handed out after the migration are new
            fresh = again.new_adviser_ids(cur, 3)
        assert min(fresh) > int(again.scalar("SELECT max(adviser_id) FROM advisers"))
    finally:
        again.close()


def test_a_newer_schema_is_refused_with_a_clear_message(new_store):
    store = new_store("newer")
    with store.transaction() as cur:
        store.set_meta(SCHEMA_META, str(SCHEMA_VERSION + 1), cur)
    target = store.target if store.backend == "duckdb" else database_url(new_store.databases[-1])
    store.close()
    with pytest.raises(StoreError, match="newer version"):
        open_store(target)


# ------------------------------------------------------------------------------------------ PostgreSQL only

@pytest.fixture
def password_url():
    """A role with a password on a database of its own, reached over TCP: (url, password)."""
    import psycopg

    require("postgresql")
    role, password = f"cov_{secrets.token_hex(4)}", f"Pw{secrets.token_urlsafe(12)}"
    name = create_database()
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        conn.execute(f'ALTER DATABASE "{name}" OWNER TO {role}')
    with psycopg.connect(database_url(name), autocommit=True) as conn:
        conn.execute(f"GRANT ALL ON SCHEMA public TO {role}")
    port = os.environ.get("PGPORT", "5432")
    yield f"postgresql://{role}:{password}@127.0.0.1:{port}/{name}", password
    drop_database(name)
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {role}")


def test_a_password_never_appears(password_url, caplog, tmp_path):
    url, password = password_url
    with caplog.at_level("DEBUG"):
        with open_store(url) as store:
            store.load_registry(SHAANXI)
            assert password not in store.target and "***" in store.target
        wrong = url.replace(password, password[::-1])
        with pytest.raises(StoreError) as refused:
            open_store(wrong)
    assert password not in str(refused.value) and password[::-1] not in str(refused.value)
    assert password not in caplog.text and password[::-1] not in caplog.text
    for args in (["summary", "--scope", "61"], ["export", "--scope", "610124", "-o", str(tmp_path / "x.csv")],
                 ["summary", "--scope", "99"]):
        for db in (url, wrong):
            run = subprocess.run([sys.executable, "-m", "geo", *args, "--db", db], cwd=ROOT, capture_output=True,
                                 text=True, timeout=300)
            assert password not in run.stdout + run.stderr and password[::-1] not in run.stdout + run.stderr
    assert "Traceback" not in run.stderr


def test_gis_staff_get_a_boundary_layer_where_postgis_is_installed(any_demo_store):
    if any_demo_store.backend != "postgresql":
        pytest.skip("a PostgreSQL view")
    if not any_demo_store.postgis:
        pytest.skip("PostGIS is not installed on this server")
    layer = any_demo_store.query("SELECT code, name, ST_SRID(geom) AS srid, ST_IsValid(geom) AS valid, "
                                 "ST_Area(geom) AS area FROM village_boundaries")
    geoms = any_demo_store.query("SELECT count(*) AS n FROM village_geoms")
    assert len(layer) == geoms["n"].iloc[0] > 0
    assert set(layer["srid"]) == {4326} and layer["valid"].all() and (layer["area"] > 0).all()
    assert layer["code"].str.len().eq(12).all() and layer["name"].notna().all()


def test_server_sessions_are_set_for_the_store_s_queries(new_store, backend):
    """JIT off (it spent over a second compiling the national summary), work_mem raised, on read and write
    connections; the indexes a ledger's rollback needs on the national data are there."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL session settings and indexes")
    store = new_store()
    assert (store.scalar("SHOW jit"), store.scalar("SHOW work_mem")) == ("off", "64MB")
    with store.transaction() as cur:
        store._changed(cur, ())
        assert store._rows(cur, "SHOW jit") == [("off",)]
    indexes = set(store.query("SELECT indexname FROM pg_indexes WHERE tablename IN ('assignments', 'advisers')")
                  ["indexname"])
    assert {"assignments_adviser", "advisers_batch"} <= indexes
    # the code columns scopes filter by range carry finer statistics (a county's range is not one row to the planner)
    targets = store.query("SELECT c.relname AS tbl, a.attname AS col, a.attstattarget AS target FROM pg_attribute a "
                          "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname IN ('divisions', 'coverage_spans') "
                          "AND c.relkind = 'r' AND a.attname IN ('code', 'village')")
    assert {(r.tbl, r.col): int(r.target) for r in targets.itertuples()} == POSTGRES_STATISTICS


def test_a_thread_s_server_connection_is_closed_after_the_thread_ends(new_store, backend):
    """Streamlit runs each page run in a new thread: each read in one opens a connection, which must not outlive
    it (kept until the store closed, a hundred clicks filled the server's max_connections and every page failed)."""
    if backend != "postgresql":
        pytest.skip("server connections")
    store = new_store()
    database = store.scalar("SELECT current_database()")
    mine = f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()"

    def read() -> None:
        assert store.scalar("SELECT 1") == 1

    def in_threads(target, rounds: int) -> None:
        """`target` in three threads at once, `rounds` times over, each round's threads ended before the next."""
        for _ in range(rounds):
            runs = [threading.Thread(target=target) for _ in range(3)]
            for run in runs:
                run.start()
            for run in runs:
                run.join()

    in_threads(read, 30)
    assert store.scalar(mine) <= 3          # at most the last threads' connections, not 90
    # and the next threads read on those: no new connection per thread (the public page server answers each
    # request in a thread of its own)
    pids: set[int] = set()

    def which() -> None:
        pids.add(int(store.scalar("SELECT pg_backend_pid()")))

    in_threads(which, 10)
    assert 1 <= len(pids) <= 3, pids
    done = threading.Event()
    stay = threading.Thread(target=lambda: (read(), done.wait(30)))
    stay.start()
    try:
        for _ in range(5):
            worker = threading.Thread(target=read)
            worker.start()
            worker.join()
        # a thread still running keeps its connection: closing it would break its next read
        assert store.scalar(mine) >= 1
        assert len([t for t, _ in store._all if t is stay]) == 1
    finally:
        done.set()
        stay.join()


# -------------------------------------------------------------------------- DuckDB: the file shared with the CLI

def cli(*args, db) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args, "--db", str(db)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_cli_reads_while_the_app_holds_the_file(tmp_path):
    db = tmp_path / "shared.duckdb"
    with open_store(db) as store:
        store.load_registry(SHAANXI)
    app = open_store(db, shared=True)           # what the app opens
    try:
        before = cli("summary", "--scope", "610124", "--as-of", ANCHOR.isoformat(), db=db)
        assert before.returncode == 0, before.stderr
        refused = cli("import", "assignments", str(ledger_for(tmp_path, "610124", 3, "a.csv")), db=db)
        assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
        assert "Traceback" not in refused.stderr
        imports.import_assignments(app, ledger_for(tmp_path, "610124", 4, "b.csv"))   # the app's own write
        after = cli("summary", "--scope", "610124", "--as-of", ANCHOR.isoformat(), "--by", "county", db=db)
        assert after.returncode == 0, after.stderr
        assert '"covered": 4' in after.stdout
        assert app.totals(Scope.parse("610124"), ANCHOR).covered == 4
    finally:
        app.close()


# -------------------------------------------------------------------------- a frame written as a table, read back

#: every kind of value a write sends: text that COPY's text format must escape, nulls of every dtype, the words
#: that mean null or a separator elsewhere, bytes, dates, categories
HOSTILE_TEXTS = ["", "\\N", "\\", "a\tb", "line\nnext", "cr\rlf", "back\\slash\\n", "\\.", "NULL", "'; DROP TABLE x;--",
                 "=1+1", "赵\u3000钱", "\U0001f600", ",\"quoted\"", None]


def hostile_frame() -> pd.DataFrame:
    """A column of each kind a store writes, with :data:`HOSTILE_TEXTS`, nulls and extreme values."""
    n = len(HOSTILE_TEXTS)
    return pd.DataFrame({
        "text": HOSTILE_TEXTS,
        "label": pd.Categorical(HOSTILE_TEXTS),
        "count": pd.array([None, *range(-3, n - 4)], dtype="Int64"),
        "big": pd.array([2**62 - k for k in range(n)], dtype="int64"),
        "ratio": [float("nan"), 0.1, -2.5e-12, 1e300, *[k / 7 for k in range(n - 4)]],
        "day": pd.to_datetime([None, *[f"2026-{1 + k % 12:02d}-{1 + k:02d}" for k in range(n - 1)]]).astype(
            "datetime64[us]"),
        "flag": pd.array([None, *[k % 2 == 0 for k in range(n - 1)]], dtype="boolean"),
        "blob": [None, b"", b"\x00\\\t\n\xff", *[bytes([k]) * k for k in range(n - 3)]],
    })


def test_a_frame_written_as_a_table_reads_back_exactly(new_store):
    store = new_store()
    frame = hostile_frame()
    with store.transaction() as cur, store._table(cur, "roundtrip", frame):
        back = store._frame(cur, "SELECT * FROM roundtrip")
    for column in ("text", "label", "count", "big", "ratio", "flag"):
        assert plain(back[column]) == plain(frame[column]), column
    assert plain(pd.to_datetime(back["day"])) == plain(frame["day"])
    assert [None if v is None else bytes(v) for v in plain(back["blob"])] == frame["blob"].tolist()


def test_a_text_frame_reads_back_every_text_and_number_exactly(new_store):
    """_text_frame (the national register's people: another way of reading on a server) gives what _frame gives,
    the texts that mean null or a separator in a copy's format included."""
    store = new_store()
    frame = hostile_frame()
    sql = "SELECT text, count, big, ratio, day, flag FROM roundtrip"
    with store.transaction() as cur, store._table(cur, "roundtrip", frame):
        back = store._text_frame(cur, f"{sql} ORDER BY big DESC")
        none = store._text_frame(cur, f"{sql} WHERE big < 0")
    for column in ("text", "count", "big", "ratio", "flag"):
        assert plain(back[column]) == plain(frame[column]), column
    assert plain(pd.to_datetime(back["day"])) == plain(frame["day"])
    assert list(none.columns) == list(back.columns) and none.empty


def plain(values: pd.Series) -> list:
    """Values as Python objects, every kind of null as None (the backends return nulls as NaN, NA or None)."""
    return [None if not isinstance(v, (bytes, bytearray, memoryview)) and pd.isna(v) else
            (v.item() if hasattr(v, "item") else v) for v in values.astype(object)]
