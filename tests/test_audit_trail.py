"""The audit trail and jurisdiction (issue 20 items 8, 10-12): each county sees only its own import batches,
every refused privileged action is recorded with who and why, ``demo --force`` keeps accounts and the trail,
and the trail is a hash chain whose first broken link ``python -m geo audit --verify`` names.  Both stores."""
from __future__ import annotations

import threading

import pytest

from backends import database_url
from fixtures_app import log_in, open_page
from fixtures_county import LEDGER, PASSWORD, REGISTRY, boundaries, county_store, ledger, service_log, who
from geo import imports
from geo.auth import accounts, audit
from geo.auth.access import OPEN, AccessDenied
from geo.cli import main
from geo.core.codes import Scope
from geo.store import open_store
from geo.store.audit import AUDIT_HEAD_META
from geo.store.maintenance import SCHEMA_VERSION

HUYI = [("610118100201", "南村村委会", "顾问丁", "13800000004")]


@pytest.fixture
def store(new_store):
    return county_store(new_store, "trail")


def target_of(store, new_store) -> str:
    """Where to open `store` again (its shown target hides a server's password)."""
    return store.target if store.backend == "duckdb" else database_url(new_store.databases[-1])


def files(frame) -> list[str]:
    return sorted(frame["file_name"].tolist())


def refusals(store) -> list[dict]:
    return [dict(d, user=u) for u, d in zip(*(audit.entries(store, OPEN, action="refused")[c]
                                               for c in ("user", "detail")))]


# ------------------------------------------------------------------------------------------ 8: batches by county

def test_each_county_sees_only_the_batches_inside_it(store, tmp_path):
    imports.run_import(store, "assignments", ledger(tmp_path), {}, principal=who("editor", "610124", "zz"))
    imports.run_import(store, "assignments", ledger(tmp_path, HUYI, "鄠邑区台账.csv"), {},
                       principal=who("editor", "610118", "hy"))
    assert files(store.batches(Scope("610124"))) == ["周至县台账.csv"]
    assert files(store.batches(Scope("610118"))) == ["鄠邑区台账.csv"]
    assert files(store.batches(Scope("61"))) == files(store.batches()) == ["周至县台账.csv", "鄠邑区台账.csv"]
    # the 周至 ledger reaches two townships: a township sees neither batch
    assert store.batches(Scope("610124100")).empty


def test_a_national_import_for_one_county_is_that_countys(store, tmp_path):
    imports.run_import(store, "assignments", ledger(tmp_path, LEDGER[:2]), {})      # open mode, one township
    assert files(store.batches(Scope("610124100"))) == ["周至县台账.csv"]
    assert store.batches(Scope("610118")).empty


def test_a_batch_that_wrote_nothing_stays_with_its_importer(store, tmp_path):
    result = imports.run_import(store, "assignments", ledger(tmp_path, HUYI, "鄠邑区台账.csv"), {},
                                principal=who("editor", "610124", "zz"))
    assert result.rows_accepted == 0
    assert files(store.batches(Scope("610124"))) == ["鄠邑区台账.csv"]
    assert store.batches(Scope("610118")).empty
    with pytest.raises(AccessDenied):      # nor can 鄠邑 roll back 周至's (empty) batch
        imports.rollback(store, result.batch_id, who("editor", "610118"))


def test_the_cli_lists_the_batches_inside_a_scope(tmp_path, capsys):
    import json

    db = tmp_path / "cli.duckdb"
    with open_store(str(db)) as s:
        with s.transaction() as cur:
            s.load_registry(REGISTRY, cur)
        imports.run_import(s, "assignments", ledger(tmp_path), {}, principal=who("editor", "610124"))
        imports.run_import(s, "assignments", ledger(tmp_path, HUYI, "鄠邑区台账.csv"), {},
                           principal=who("editor", "610118"))
    assert main(["batches", "--db", str(db), "--scope", "610118"]) == 0
    (only,) = json.loads(capsys.readouterr().out)
    assert (only["file_name"], only["scope"], only["rows_accepted"]) == ("鄠邑区台账.csv", "610118100201", 1)
    assert main(["batches", "--db", str(db)]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_a_service_log_batch_lies_where_its_records_do(store, tmp_path):
    imports.run_import(store, "assignments", ledger(tmp_path), {})
    imports.run_import(store, "services", service_log(tmp_path), {}, principal=who("editor", "610124100", "yb"))
    township = store.batches(Scope("610124100"))
    assert township["kind"].tolist() == ["services"] and store.batches(Scope("610118")).empty


# ------------------------------------------------------------------------------------------ 10: refusals recorded

def test_rolling_back_another_countys_batch_is_refused_and_recorded(store, tmp_path):
    batch = imports.run_import(store, "assignments", ledger(tmp_path), {}, principal=who("editor", "610124")).batch_id
    with pytest.raises(AccessDenied):
        imports.rollback(store, batch, who("editor", "610118", "hy"))
    (row,) = refusals(store)
    assert row["user"] == "hy" and row["attempt"] == "rollback" and row["reason"] == "acc.e.rollback_scope"
    assert row["batch"] == batch and "不能撤销" in row["message"]
    assert audit.entries(store, OPEN, action="refused")["scope"].tolist() == ["610118"]


def test_a_county_admin_creating_a_provincial_admin_is_refused_and_recorded(store):
    county = who("admin", "610124", "zz_admin")
    with pytest.raises(AccessDenied):
        accounts.add_account(store, county, "sx_admin", "admin", "61", PASSWORD)
    (row,) = refusals(store)
    assert (row["user"], row["attempt"], row["reason"]) == ("zz_admin", "account_add", "acc.e.scope")
    assert (row["account"], row["role"], row["scope"]) == ("sx_admin", "admin", "61")
    assert store.account_row("sx_admin") is None


def test_resetting_the_national_admins_password_is_refused_and_recorded_without_the_password(store):
    accounts.add_account(store, OPEN, "root", "admin", "", PASSWORD)
    with pytest.raises(AccessDenied) as e:
        accounts.set_password(store, who("admin", "610124", "zz_admin"), "root", "Another-pass-1")
    assert e.value.key == "acc.e.unknown"            # the same answer as for a name that does not exist
    (row,) = refusals(store)
    assert (row["user"], row["attempt"], row["account"]) == ("zz_admin", "account_passwd", "root")
    assert "Another-pass-1" not in str(audit.entries(store, OPEN).to_dict())


@pytest.mark.parametrize("role, digits, call, attempt, reason", [
    ("viewer", "610124", lambda s, p, d: imports.run_import(s, "assignments", ledger(d), {}, principal=p),
     "import", "acc.e.role"),
    ("editor", "610124", lambda s, p, d: accounts.add_account(s, p, "x1", "viewer", "610124", PASSWORD),
     "account_add", "acc.e.role"),
    ("editor", "", lambda s, p, d: accounts.list_accounts(s, p), "account_list", "acc.e.role"),
    ("editor", "610124", lambda s, p, d: audit.entries(s, p), "read_audit", "acc.e.role"),
    ("editor", "610124", lambda s, p, d: imports.run_import(s, "registry", d / "x.csv", {}, principal=p),
     "import", "acc.e.role"),
    ("admin", "610124", lambda s, p, d: accounts.set_enabled(s, p, "nobody", False), "account_enabled",
     "acc.e.unknown"),
    ("editor", "610118", lambda s, p, d: imports.run_import(s, "boundaries", boundaries(d), {}, principal=p),
     "import", "acc.e.boundary_county"),
])
def test_every_refusal_is_recorded_with_who_what_and_why(store, tmp_path, role, digits, call, attempt, reason):
    (tmp_path / "x.csv").write_text("统计用区划代码,名称\n610124100203,新村村委会\n", encoding="utf-8")
    with pytest.raises(AccessDenied):
        call(store, who(role, digits, "tester"), tmp_path)
    (row,) = refusals(store)
    assert (row["user"], row["attempt"], row["reason"]) == ("tester", attempt, reason)
    assert store.batches().empty


def test_a_refusal_on_a_read_only_store_still_refuses(store, new_store):
    target = target_of(store, new_store)
    store.close()
    with open_store(target, read_only=True) as ro, pytest.raises(AccessDenied):
        audit.entries(ro, who("viewer", "610124", "v"))


# ------------------------------------------------------------------------------------------ 12: the hash chain

def some_rows(store, n: int = 5) -> None:
    for i in range(n):
        audit.record(store, who("editor", "610124", f"u{i}"), "export", Scope("610124"), {"rows": i})


def ids(store) -> list[int]:
    return store.query("SELECT id FROM audit ORDER BY id")["id"].tolist()


def test_an_untouched_trail_is_whole(store):
    some_rows(store)
    check = audit.verify_chain(store)
    assert check.whole and check.rows == 5 and len(check.head) == 64
    assert store.get_meta(AUDIT_HEAD_META) == f"{ids(store)[-1]} {check.head}"


def test_an_edited_row_is_the_first_broken_link(store):
    some_rows(store)
    third = ids(store)[2]
    with store.transaction() as cur:
        store.execute(cur, "UPDATE audit SET detail = '{\"rows\": 99}' WHERE id = $id", {"id": third})
    check = audit.verify_chain(store)
    assert (check.whole, check.broken_id, check.reason) == (False, third, "changed")
    assert f"第 {third} 条" in check.text("zh") and f"entry {third}" in check.text("en")


def test_a_deleted_row_breaks_the_link_of_the_row_after_it(store):
    some_rows(store)
    second, third = ids(store)[1:3]
    with store.transaction() as cur:
        store.execute(cur, "DELETE FROM audit WHERE id = $id", {"id": second})
    assert (audit.verify_chain(store).broken_id, audit.verify_chain(store).reason) == (third, "changed")


def test_reordered_rows_break_at_the_first_moved(store):
    some_rows(store)
    first, second = ids(store)[:2]
    with store.transaction() as cur:
        for old, new in ((first, -1), (second, first), (-1, second)):
            store.execute(cur, "UPDATE audit SET id = $new WHERE id = $old", {"new": new, "old": old})
    check = audit.verify_chain(store)
    assert (check.broken_id, check.reason) == (first, "changed")


def test_a_removed_last_row_shows_against_the_head(store):
    some_rows(store)
    *_, before_last, last = ids(store)
    with store.transaction() as cur:
        store.execute(cur, "DELETE FROM audit WHERE id = $id", {"id": last})
    check = audit.verify_chain(store)
    assert (check.broken_id, check.reason, check.expected_end) == (before_last, "cut", last)


def test_two_servers_appending_at_once_keep_one_chain(store, new_store):
    # a second app server on PostgreSQL; with DuckDB one process holds the file: its sessions' threads
    other = open_store(target_of(store, new_store)) if store.backend == "postgresql" else store
    try:
        def append(s, name):
            for i in range(15):
                audit.record(s, who("editor", "610124", name), "export", Scope("610124"), {"i": i})
        threads = [threading.Thread(target=append, args=(s, n)) for s, n in ((store, "a"), (other, "b"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        if other is not store:
            other.close()
    check = audit.verify_chain(store)
    assert check.whole and check.rows == 30


def test_an_older_store_is_migrated_its_rows_chained_and_its_batches_placed(store, new_store, tmp_path):
    imports.run_import(store, "assignments", ledger(tmp_path), {}, principal=who("editor", "610124"))
    some_rows(store, 3)
    n = len(ids(store))
    with store.transaction() as cur:            # the store as version 2 left it
        store.execute(cur, "ALTER TABLE audit DROP COLUMN hash")
        store.execute(cur, "ALTER TABLE batches DROP COLUMN scope")
        store.execute(cur, "UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        store.execute(cur, f"DELETE FROM meta WHERE key = '{AUDIT_HEAD_META}'")
    target = target_of(store, new_store)
    store.close()
    with open_store(target) as again:
        check = audit.verify_chain(again)
        assert check.whole and check.rows == n
        assert files(again.batches(Scope("610124"))) == ["周至县台账.csv"] and again.batches(Scope("610118")).empty
        assert again.get_meta("schema_version") == str(SCHEMA_VERSION)


def test_running_the_migration_again_does_not_rechain_a_changed_trail(store, new_store):
    some_rows(store)
    second = ids(store)[1]
    with store.transaction() as cur:
        store.execute(cur, "UPDATE audit SET action = 'login' WHERE id = $id", {"id": second})
        store.execute(cur, "DELETE FROM meta WHERE key = 'schema_version'")
    target = target_of(store, new_store)
    store.close()
    with open_store(target) as again:
        assert again.get_meta("schema_version") == str(SCHEMA_VERSION)
        assert audit.verify_chain(again).broken_id == second


def test_the_cli_verifies_the_chain(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    with open_store(str(db)) as s:
        with s.transaction() as cur:
            s.load_registry(REGISTRY, cur)
        some_rows(s)
        third = ids(s)[2]
    assert main(["audit", "--verify", "--db", str(db), "--lang", "en"]) == 0
    assert "whole: 5 entries" in capsys.readouterr().out
    with open_store(str(db)) as s, s.transaction() as cur:
        s.execute(cur, "UPDATE audit SET username = 'someone' WHERE id = $id", {"id": third})
    assert main(["audit", "--verify", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"第 {third} 条" in err and f"entry {third}" in err


# ------------------------------------------------------------------------------------------ 11: demo --force

def test_demo_force_keeps_accounts_and_the_trail_and_records_the_rebuild(new_store, tmp_path):
    s = county_store(new_store, "demo_force")
    accounts.add_account(s, OPEN, "root", "admin", "", PASSWORD)
    some_rows(s, 2)
    target = target_of(s, new_store)
    s.close()
    assert main(["demo", "--force", "--db", target]) == 0
    with open_store(target) as again:
        assert accounts.has_accounts(again) and again.account_row("root") is not None
        trail = audit.entries(again, OPEN)
        assert trail["action"].tolist() == ["account_add", "export", "export", "demo_rebuild"]
        assert audit.verify_chain(again).whole
        assert not again.is_empty() and again.scalar("SELECT count(*) FROM assignments") > 0


# ------------------------------------------------------------------------------------------ the import page

def test_the_import_page_shows_a_county_editor_only_their_countys_batches(accounts_db, tmp_path):
    with open_store(accounts_db) as s:
        ours = s.query("SELECT code, name FROM divisions WHERE level = 5 AND code >= 610124000000 "
                       "AND code < 610125000000 ORDER BY code LIMIT 1").iloc[0]
        theirs = s.query("SELECT code, name FROM divisions WHERE level = 5 AND (code < 610124000000 "
                         "OR code >= 610125000000) ORDER BY code LIMIT 1").iloc[0]
        other = str(theirs["code"])[:6]
        for row, name, digits in ((ours, "周至县台账.csv", "610124"), (theirs, "别县台账.csv", other)):
            rows = [(f"{int(row['code']):012d}", row["name"], "顾问甲", "13800000009")]
            imports.run_import(s, "assignments", ledger(tmp_path, rows, name), {}, principal=who("editor", digits))
    at = log_in(open_page(), "zzedit")
    at.run()
    at.switch_page("pages/imports.py").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(df.value.to_csv() for df in at.dataframe)
    assert "周至县台账.csv" in shown and "别县台账.csv" not in shown
    picker = at.selectbox(key="imp_rb_pick")
    assert len(picker.options) == 1 and "周至县台账.csv" in picker.options[0]
