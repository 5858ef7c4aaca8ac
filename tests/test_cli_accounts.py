"""The command line's accounts and audit trail: python -m geo user ..., audit, init's first administrator."""
import csv
import io
import json
import sys

import pytest

from fixtures_county import REGISTRY
from geo import cli
from geo.store import open_store

PASSWORD = "Zhouzhi-2026!"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "acc.duckdb"
    with open_store(path) as store, store.transaction() as cur:
        store.load_registry(REGISTRY, cur)
    return path


def run(capsys, monkeypatch, *args, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main([*args])
    out = capsys.readouterr()
    return code, out.out, out.err


def user_add(capsys, monkeypatch, db, name, role="editor", scope="610124", password=PASSWORD, *extra):
    return run(capsys, monkeypatch, "user", "add", name, "--role", role, "--scope", scope, "--password-stdin",
               *extra, "--db", str(db), stdin=password + "\n")


def first_admin(capsys, monkeypatch, db) -> None:
    """The store's first account, which must be an administrator: after it any role may be added."""
    assert user_add(capsys, monkeypatch, db, "root", "admin", "0")[0] == 0


def test_user_add_list_passwd_disable_enable(db, capsys, monkeypatch):
    first_admin(capsys, monkeypatch, db)
    code, out, err = user_add(capsys, monkeypatch, db, "zhang", "editor", "610124", PASSWORD,
                              "--display-name", "张三")
    assert code == 0 and out.strip() == "已建立用户 zhang（editor，610124） / user zhang created (editor, 610124)"
    assert PASSWORD not in out + err
    code, out, _ = run(capsys, monkeypatch, "user", "list", "--format", "json", "--db", str(db))
    assert json.loads(out)[1:] == [{"username": "zhang", "display_name": "张三", "role": "editor", "scope": "610124",
                                "enabled": True}]
    assert run(capsys, monkeypatch, "user", "passwd", "zhang", "--password-stdin", "--db", str(db),
               stdin="another-pass\n")[0] == 0
    assert run(capsys, monkeypatch, "user", "disable", "zhang", "--lang", "en", "--db", str(db))[1] == \
        "user zhang disabled\n"
    code, out, _ = run(capsys, monkeypatch, "user", "list", "--db", str(db))
    assert out.splitlines()[1].split("\t")[:3] == ["zhang", "张三", "录入"] and "停用账号" in out
    assert run(capsys, monkeypatch, "user", "enable", "zhang", "--db", str(db))[0] == 0
    from geo.auth import accounts

    with open_store(db) as store:
        assert store.account_row("zhang")["password_hash"].startswith("$argon2id$")
        assert accounts.authenticate(store, "zhang", "another-pass") is not None
        assert accounts.authenticate(store, "zhang", PASSWORD) is None


def test_a_password_set_on_the_command_line_ends_the_accounts_sessions(db, capsys, monkeypatch):
    from geo.auth import accounts

    first_admin(capsys, monkeypatch, db)
    user_add(capsys, monkeypatch, db, "zhang")
    user_add(capsys, monkeypatch, db, "li")
    with open_store(db) as store:
        stolen = accounts.start_session(store, accounts.authenticate(store, "zhang", PASSWORD))
        other = accounts.start_session(store, accounts.authenticate(store, "li", PASSWORD))
    assert run(capsys, monkeypatch, "user", "passwd", "zhang", "--password-stdin", "--db", str(db),
               stdin="another-pass\n")[0] == 0
    with open_store(db) as store:
        assert accounts.session_principal(store, stolen) is None
        assert accounts.session_principal(store, other) is not None


@pytest.mark.parametrize("args, stdin, words", [
    (("user", "add", "li", "--role", "viewer", "--scope", "610124", "--password-stdin"), "short\n", "至少需要 8"),
    (("user", "add", "li", "--role", "viewer", "--scope", "999999", "--password-stdin"), PASSWORD + "\n",
     "999999000000"),
    (("user", "add", "a b", "--role", "viewer", "--scope", "610124", "--password-stdin"), PASSWORD + "\n",
     "不可用"),
    (("user", "disable", "nobody"), "", "没有用户“nobody”"),
    (("user", "passwd", "nobody", "--password-stdin"), PASSWORD + "\n", "没有用户"),
    (("audit", "--since", "yesterday"), "", "YYYY-MM-DD"),
])
def test_errors_are_one_line_with_status_2(db, capsys, monkeypatch, args, stdin, words):
    code, out, err = run(capsys, monkeypatch, *args, "--db", str(db), stdin=stdin)
    assert code == 2 and not out and len(err.strip().splitlines()) == 1 and words in err
    assert PASSWORD not in err


def test_a_password_is_asked_twice_when_not_on_stdin(db, capsys, monkeypatch):
    first_admin(capsys, monkeypatch, db)
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))
    code, _, err = run(capsys, monkeypatch, "user", "add", "li", "--role", "viewer", "--scope", "610124",
                       "--db", str(db))
    assert code == 2 and "两次输入的密码不一致" in err and PASSWORD not in err
    answers = iter([PASSWORD, PASSWORD])
    assert run(capsys, monkeypatch, "user", "add", "li", "--role", "viewer", "--scope", "610124",
               "--db", str(db))[0] == 0


def test_audit_prints_json_objects_and_csv(db, capsys, monkeypatch, tmp_path):
    first_admin(capsys, monkeypatch, db)
    user_add(capsys, monkeypatch, db, "zhang")
    run(capsys, monkeypatch, "user", "disable", "zhang", "--db", str(db))
    gaps = tmp_path / "缺口.csv"
    assert run(capsys, monkeypatch, "export", "--scope", "610124", "--as-of", "2026-06-01", "-o", str(gaps),
               "--db", str(db))[0] == 0
    code, out, _ = run(capsys, monkeypatch, "audit", "--db", str(db))
    entries = json.loads(out)[1:]                                          # after the first administrator's
    assert code == 0 and [e["action"] for e in entries] == ["account_add", "account_disable", "export"]
    assert all(set(e) == {"time", "user", "action", "scope", "detail"} for e in entries)
    assert all(e["user"].startswith("cli:") for e in entries)
    # no contract on record: the county is no data (geo.core.coverage), so none of its three villages is a gap
    assert entries[2]["scope"] == "610124" and entries[2]["detail"]["rows"] == 0
    assert entries[0]["detail"] == {"account": "zhang", "role": "editor", "display_name": "zhang"}
    _, out, _ = run(capsys, monkeypatch, "audit", "--action", "export", "--format", "csv", "--db", str(db))
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert [r["操作"] for r in rows] == ["下载导出"] and json.loads(rows[0]["详情"])["what"] == "gap_list"
    assert json.loads(run(capsys, monkeypatch, "audit", "--since", "2999-01-01", "--db", str(db))[1]) == []
    assert len(json.loads(run(capsys, monkeypatch, "audit", "--user", "nobody", "--db", str(db))[1])) == 0


def test_init_asks_for_the_first_administrator(tmp_path, capsys, monkeypatch):
    db = tmp_path / "real.duckdb"
    code, out, _ = run(capsys, monkeypatch, "init", "--db", str(db))      # no terminal, no --admin: a hint
    assert code == 0 and "python -m geo user add" in out
    code, out, _ = run(capsys, monkeypatch, "init", "--admin", "root_admin", "--password-stdin", "--db", str(db),
                       stdin=PASSWORD + "\n")
    assert code == 0 and "已建立用户 root_admin（admin，全国）" in out
    assert run(capsys, monkeypatch, "init", "--admin", "second", "--password-stdin", "--db", str(db),
               stdin=PASSWORD + "\n")[0] == 0                              # accounts exist: nobody added
    with open_store(db, read_only=True) as store:
        assert store.accounts_in(store.check_scope(cli.Scope(""))).username.tolist() == ["root_admin"]
    code, out, _ = run(capsys, monkeypatch, "init", "--no-admin", "--db", str(tmp_path / "other.duckdb"))
    assert code == 0 and "user add" not in out


@pytest.mark.parametrize("role, scope", [("viewer", "610124"), ("editor", "0")])
def test_the_first_account_is_refused_unless_an_administrator(db, capsys, monkeypatch, role, scope):
    code, out, err = user_add(capsys, monkeypatch, db, "first", role, scope)
    assert code == 2 and not out and len(err.strip().splitlines()) == 1 and "第一个账号必须是管理员" in err
    code, _, err = run(capsys, monkeypatch, "user", "add", "first", "--role", role, "--scope", scope,
                       "--password-stdin", "--lang", "en", "--db", str(db), stdin=PASSWORD + "\n")
    assert code == 2 and "the first account must be an administrator" in err
    with open_store(db, read_only=True) as store:
        assert store.account_count() == 0
    assert user_add(capsys, monkeypatch, db, "county_admin", "admin", "610124")[0] == 0
    assert user_add(capsys, monkeypatch, db, "first", role, scope if scope != "0" else "610124")[0] == 0


def test_init_may_start_with_a_county_administrator(tmp_path, capsys, monkeypatch):
    db = tmp_path / "county.duckdb"
    code, out, _ = run(capsys, monkeypatch, "init", "--no-admin", "--db", str(db))
    assert code == 0
    code, _, err = user_add(capsys, monkeypatch, db, "clerk", "viewer", "610124")
    assert code == 2 and "第一个账号必须是管理员" in err
    code, out, _ = run(capsys, monkeypatch, "init", "--admin", "zz_admin", "--admin-scope", "610124",
                       "--password-stdin", "--db", str(db), stdin=PASSWORD + "\n")
    assert code == 0 and "已建立用户 zz_admin（admin，610124）" in out

