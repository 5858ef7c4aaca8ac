"""The command line's contract and adviser commands (issue 22 item 8) and ``rollback``, through geo.cli.main on
both stores: each subcommand's line and what it stored, against the coverage rule on the test's own periods; an
ambiguous village or licence; a user of another county; bad dates, a bad phone, an ID-card number typed."""
from __future__ import annotations

import datetime as dt
import io
import json
import sys
from contextlib import contextmanager

import pandas as pd
import pytest

from fixtures_county import PASSWORD, county_store
from geo import cli
from geo.auth import accounts
from geo.core.codes import Scope
from geo.core.coverage import Period, village_status
from geo.store import open_store

D = dt.date
EAST, WEST, SOUTH, OTHER_COUNTY = "610124100201", "610124100202", "610124101001", "610118100201"
COUNTY = Scope("610124")
LIC_A, LIC_B, LIC_C = "16101201810123456", "16101201810123457", "16101201810123458"
ID_NUMBER = "61012419900101123X"


@pytest.fixture
def db(new_store) -> str:
    """A store of two counties with no contracts yet, closed: the commands open it themselves."""
    store = county_store(new_store, "cli_records")
    target = store.target
    store.close()
    return target


@contextmanager
def opened(target: str):
    store = open_store(target)
    try:
        yield store
    finally:
        store.close()


def run(capsys, monkeypatch, db: str, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main([*args, "--db", db])
    out = capsys.readouterr()
    return code, out.out, out.err


def appoint(capsys, monkeypatch, db, village, name, phone, licence, *extra):
    return run(capsys, monkeypatch, db, "contract", "appoint", "--village", village, "--name", name, "--phone", phone,
               "--org", "某律师事务所", "--licence", licence, "--start", "2026-01-01", "--end", "2026-12-31", *extra)


def three(capsys, monkeypatch, db) -> dict[str, list[Period]]:
    """顾问甲, 乙, 丙 on the three villages of 周至县 for 2026, appointed by the command."""
    for village, name, phone, licence in ((EAST, "顾问甲", "13800000001", LIC_A),
                                          (WEST, "顾问乙", "13800000002", LIC_B),
                                          (SOUTH, "顾问丙", "13800000003", LIC_C)):
        code, out, err = appoint(capsys, monkeypatch, db, village, name, phone, licence)
        assert code == 0, err
    return {v: [Period(D(2026, 1, 1), D(2026, 12, 31))] for v in (EAST, WEST, SOUTH)}


def statuses_hold(db: str, model: dict[str, list[Period]]) -> None:
    """Each village's status in the store, on each day, is the coverage rule's on the test's own periods."""
    with opened(db) as store:
        for day in (D(2026, 1, 1), D(2026, 3, 14), D(2026, 3, 15), D(2026, 6, 30), D(2026, 12, 31), D(2027, 6, 1)):
            got = store.village_statuses(COUNTY, day).set_index("code")["status"].to_dict()
            want = {v: village_status(model.get(v, []), day).value for v in (EAST, WEST, SOUTH)}
            assert {v: got[v] for v in want} == want, day


def contracts(db: str, village: str) -> list[tuple]:
    with opened(db) as store:
        rows = store.village_contract_rows(village)
    return [(r["name"], r["start_date"], r["end_date"], r["printed_end"], r["end_reason"]) for _, r in rows.iterrows()]


def batch_of(out: str) -> int:
    return int(out.split("python -m geo rollback ")[1].split(")")[0].split("）")[0])


def snapshot(db: str) -> str:
    with opened(db) as store:
        return "\n".join(store.query(f"SELECT * FROM {t} ORDER BY 1, 2").to_csv(index=False)
                         for t in ("assignments", "advisers"))


def test_each_contract_command_changes_coverage_as_the_rule_says(db, capsys, monkeypatch):
    code, out, err = appoint(capsys, monkeypatch, db, EAST, "顾问甲", "13800000001", LIC_A)
    assert code == 0 and err == ""
    batch = batch_of(out)
    assert out.strip() == (f"新聘：顾问甲 任 东村村委会 ({EAST}) 法律顾问，2026-01-01 至 2026-12-31"
                           f"（批次 {batch}；撤销：python -m geo rollback {batch}） / appointed: 顾问甲 as adviser of "
                           f"东村村委会 ({EAST}), 2026-01-01 to 2026-12-31 (batch {batch}; undo: python -m geo "
                           f"rollback {batch})")
    for village, name, phone, licence in ((WEST, "顾问乙", "13800000002", LIC_B),
                                          (SOUTH, "顾问丙", "13800000003", LIC_C)):
        assert appoint(capsys, monkeypatch, db, village, name, phone, licence)[0] == 0
    model = {v: [Period(D(2026, 1, 1), D(2026, 12, 31))] for v in (EAST, WEST, SOUTH)}
    statuses_hold(db, model)

    # 解聘: 顾问甲 leaves on 2026-03-15 (调离); the printed end stays in the history
    code, out, _ = run(capsys, monkeypatch, db, "contract", "end", "--village", EAST, "--on", "2026-03-15",
                       "--reason", "调离", "--lang", "zh")
    assert code == 0 and out.startswith("解聘：顾问甲 在 东村村委会")
    assert "最后在任日 2026-03-14（原定至 2026-12-31），原因：调离" in out
    model[EAST] = [Period(D(2026, 1, 1), D(2026, 3, 14))]
    statuses_hold(db, model)
    assert contracts(db, EAST) == [("顾问甲", D(2026, 1, 1), D(2026, 3, 14), D(2026, 12, 31), "transfer")]

    # 续聘: 顾问乙 (named by licence, spaces and all) to the end of 2027, from the day after the printed end
    code, out, _ = run(capsys, monkeypatch, db, "contract", "renew", "--village", WEST, "--adviser",
                       "1610 1201 8101 23457", "--until", "2027-12-31", "--as-of", "2026-11-01", "--lang", "en")
    assert code == 0
    assert out.startswith(f"renewed: 顾问乙 stays adviser of 西村村委会 ({WEST}), 2027-01-01 to 2027-12-31")
    model[WEST].append(Period(D(2027, 1, 1), D(2027, 12, 31)))
    statuses_hold(db, model)

    # 更换: 顾问甲 (on record, free since March) replaces 顾问丙 on 2026-06-30, to the old contract's end
    code, out, _ = run(capsys, monkeypatch, db, "contract", "replace", "--village", SOUTH, "--adviser", LIC_A,
                       "--on", "2026-06-30", "--lang", "zh")
    assert code == 0 and "自 2026-06-30 起由 顾问甲 接替 顾问丙，聘至 2026-12-31" in out
    model[SOUTH] = [Period(D(2026, 1, 1), D(2026, 6, 29)), Period(D(2026, 6, 30), D(2026, 12, 31))]
    statuses_hold(db, model)
    assert [c[:3] for c in contracts(db, SOUTH)] == [("顾问丙", D(2026, 1, 1), D(2026, 6, 29)),
                                                    ("顾问甲", D(2026, 6, 30), D(2026, 12, 31))]
    assert contracts(db, SOUTH)[0][4] == "replaced"

    # an existing adviser appointed by licence to a second village; the loads follow
    code, out, _ = run(capsys, monkeypatch, db, "contract", "appoint", "--village", EAST, "--adviser", LIC_B,
                       "--start", "2026-04-01")
    assert code == 0 and "长期" in out and "open-ended" in out
    model[EAST].append(Period(D(2026, 4, 1), None))
    statuses_hold(db, model)
    with opened(db) as store:
        loads = store.adviser_loads(COUNTY, D(2026, 7, 1)).set_index("adviser_id")["villages"]
        names = store.query("SELECT adviser_id, name FROM advisers").set_index("name")["adviser_id"]
        loads = {n: loads.get(int(names[n]), 0) for n in ("顾问甲", "顾问乙", "顾问丙")}
        audited = store.query("SELECT username, detail FROM audit WHERE action = 'record' ORDER BY id")
    assert {n: int(loads[n]) for n in ("顾问甲", "顾问乙", "顾问丙")} == {"顾问甲": 1, "顾问乙": 2, "顾问丙": 0}
    # every change one audited batch, made as the server's operator; no phone in the trail
    assert len(audited) == 7 and audited["username"].str.startswith("cli:").all()
    assert [json.loads(d)["change"] for d in audited["detail"]] == ["appoint"] * 3 + ["end", "renew", "replace",
                                                                                    "appoint"]
    assert "13800000001" not in "".join(audited["detail"])


def test_rollback_undoes_a_batch_exactly_and_is_audited(db, capsys, monkeypatch):
    three(capsys, monkeypatch, db)
    before = snapshot(db)
    code, out, _ = run(capsys, monkeypatch, db, "contract", "end", "--village", EAST, "--on", "2026-03-15",
                       "--reason", "其他：调往县司法局")
    assert code == 0 and "原因：调往县司法局" in out and "reason: 调往县司法局" in out
    assert contracts(db, EAST)[0][4] == "other:调往县司法局"
    assert snapshot(db) != before
    batch = batch_of(out)
    code, out, _ = run(capsys, monkeypatch, db, "rollback", str(batch))
    assert (code, out.strip()) == (0, f"第 {batch} 批已撤销 / batch {batch} rolled back")
    assert snapshot(db) == before
    code, _, err = run(capsys, monkeypatch, db, "rollback", str(batch), "--lang", "en")
    assert code == 2 and err.startswith("error:") and str(batch) in err      # once only
    with opened(db) as store:
        assert store.query("SELECT detail FROM audit WHERE action = 'rollback'")["detail"].map(
            lambda d: json.loads(d)["batch"]).tolist() == [batch]


def test_several_contracts_in_force_or_a_shared_licence_name_the_candidates_and_exit_2(db, capsys, monkeypatch):
    three(capsys, monkeypatch, db)
    assert run(capsys, monkeypatch, db, "contract", "appoint", "--village", EAST, "--adviser", LIC_B,
               "--start", "2026-01-01", "--end", "2026-12-31")[0] == 0
    before = snapshot(db)
    code, out, err = run(capsys, monkeypatch, db, "contract", "end", "--village", EAST, "--on", "2026-06-01",
                         "--reason", "辞聘")
    assert code == 2 and out == "" and "顾问甲" in err and "顾问乙" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, monkeypatch, db, "contract", "renew", "--village", EAST, "--until", "2027-12-31",
                       "--as-of", "2026-06-01", "--lang", "en")
    assert code == 2 and "several contracts in force" in err
    assert snapshot(db) == before
    # naming the adviser picks the contract
    code, out, _ = run(capsys, monkeypatch, db, "contract", "end", "--village", EAST, "--adviser", LIC_B,
                       "--on", "2026-06-01", "--reason", "resigned", "--lang", "en")
    assert code == 0 and "顾问乙" in out and "reason: resigned" in out
    assert [c[:3] for c in contracts(db, EAST)] == [("顾问甲", D(2026, 1, 1), D(2026, 12, 31)),
                                                   ("顾问乙", D(2026, 1, 1), D(2026, 5, 31))]

    # a second record with 顾问甲's licence: the licence names neither, the refusal lists both by id
    with opened(db) as store:
        with store.transaction() as cur:
            twin = store.new_adviser_ids(cur, 1)[0]
            store.add_advisers(cur, pd.DataFrame([{"adviser_id": twin, "name": "顾问甲", "kind": None, "org": "另一所",
                                                   "licence_no": LIC_A, "phone": None, "base_code": int(WEST),
                                                   "batch_id": None}]))
        first = store.advisers_by_licence(LIC_A)[0]
    code, _, err = run(capsys, monkeypatch, db, "adviser", "edit", LIC_A, "--org", "新律所", "--lang", "zh")
    assert code == 2 and f"id:{first}" in err and f"id:{twin}" in err and "多条顾问记录" in err
    # by id: merge the twin into the first record, then the licence names one
    code, out, _ = run(capsys, monkeypatch, db, "adviser", "merge", f"id:{first}", f"id:{twin}", "--lang", "zh")
    assert code == 0 and f"已合并：顾问记录 id:{twin} 并入 顾问甲（id:{first}）" in out
    code, out, _ = run(capsys, monkeypatch, db, "adviser", "edit", LIC_A, "--org", "新律所", "--phone",
                       "029-87654321", "--base", "108.22,34.16", "--lang", "en")
    assert code == 0 and out.startswith(f"adviser 顾问甲 (id:{first}) changed: ") and "org" in out
    with opened(db) as store:
        row = store.adviser_row(first)
        assert store.adviser_row(twin) is None
    assert (row["org"], row["phone"], row["lon"], row["lat"]) == ("新律所", "029-87654321", 108.22, 34.16)


@pytest.fixture
def with_accounts(db) -> str:
    with opened(db) as store:
        for name, role, scope in (("root", "admin", ""), ("zhouzhi", "editor", "610124"),
                                  ("huyi", "editor", "610118"), ("kan", "viewer", "610124")):
            accounts.add_account(store, accounts.operator(), name, role, Scope(scope), PASSWORD)
    return db


def test_a_user_of_another_county_is_refused_and_audited(with_accounts, capsys, monkeypatch):
    db = with_accounts
    me = ("--user", "zhouzhi", "--password-stdin")
    code, _, err = run(capsys, monkeypatch, db, "contract", "appoint", "--village", EAST, "--name", "顾问甲", "--phone",
                       "13800000001", "--licence", LIC_A, "--start", "2026-01-01", *me, stdin=PASSWORD + "\n")
    assert code == 0, err
    before = snapshot(db)
    them = ("--user", "huyi", "--password-stdin")
    attempts = [("contract", "end", "--village", EAST, "--on", "2026-03-15", "--reason", "调离"),
                ("contract", "renew", "--village", EAST, "--until", "2027-12-31"),
                ("contract", "appoint", "--village", EAST, "--name", "某人", "--phone", "13900000006",
                 "--start", "2026-01-01"),
                ("contract", "replace", "--village", EAST, "--adviser", LIC_A, "--on", "2026-06-01"),
                ("adviser", "edit", LIC_A, "--phone", "13900000007")]
    for args in attempts:
        code, out, err = run(capsys, monkeypatch, db, *args, *them, "--lang", "zh", stdin=PASSWORD + "\n")
        assert code == 2 and out == "" and ("管辖范围" in err or "执业证号" in err), args
    # a viewer of the county may not change the record at all; a wrong password logs nobody in
    code, _, err = run(capsys, monkeypatch, db, "contract", "end", "--village", EAST, "--on", "2026-03-15",
                       "--reason", "调离", "--user", "kan", "--password-stdin", "--lang", "en", stdin=PASSWORD + "\n")
    assert code == 2 and "error:" in err
    code, _, err = run(capsys, monkeypatch, db, "contract", "end", "--village", EAST, "--on", "2026-03-15",
                       "--reason", "调离", *me, "--lang", "en", stdin="wrong\n")
    assert code == 2 and err.strip() == "error: cannot log in as zhouzhi: wrong user name or password, or the " \
                                        "account is disabled or locked"
    assert snapshot(db) == before
    with opened(db) as store:
        refused = store.query("SELECT username, detail FROM audit WHERE action = 'refused' ORDER BY id")
        failed = store.query("SELECT count(*) AS n FROM audit WHERE action = 'login_failed'")["n"].iloc[0]
    assert set(refused["username"]) == {"huyi", "kan"} and len(refused) >= 4
    assert all(json.loads(d)["attempt"] == "record" for d in refused["detail"]) and failed == 1
    # the county's own editor may, and the trail names them
    code, out, _ = run(capsys, monkeypatch, db, "contract", "end", "--village", EAST, "--on", "2026-03-15",
                       "--reason", "考核不合格", *me, stdin=PASSWORD + "\n")
    assert code == 0 and "考核不合格" in out
    with opened(db) as store:
        last = store.query("SELECT username, detail FROM audit WHERE action = 'record' ORDER BY id DESC LIMIT 1")
    assert last["username"].iloc[0] == "zhouzhi" and json.loads(last["detail"].iloc[0])["change"] == "end"


def test_bad_dates_phones_and_periods_are_one_line_errors(db, capsys, monkeypatch):
    three(capsys, monkeypatch, db)
    before = snapshot(db)
    cases = [(("contract", "end", "--village", EAST, "--on", "2026-02-30", "--reason", "调离"), "2026-02-30"),
             (("contract", "appoint", "--village", WEST, "--name", "某人", "--phone", "13900000001",
               "--start", "2026-06-01", "--end", "2026-05-01"), "2026-05-01"),
             (("contract", "end", "--village", EAST, "--on", "2026-01-01", "--reason", "调离"), "2026-01-01"),
             (("contract", "renew", "--village", EAST, "--until", "2026-06-01", "--as-of", "2026-03-01"),
              "2026-06-01"),
             (("contract", "appoint", "--village", WEST, "--name", "某人", "--phone", "12345",
               "--start", "2026-06-01"), "12345"),
             (("adviser", "edit", LIC_A, "--phone", "1380000"), "1380000"),
             (("adviser", "edit", LIC_A, "--base", "东经108"), "东经108"),
             (("adviser", "edit", LIC_A), "--phone"),
             (("contract", "appoint", "--village", WEST, "--start", "2026-06-01"), "--adviser"),
             (("contract", "appoint", "--village", WEST, "--name", "某人", "--start", "2026-06-01"), "--phone"),
             (("contract", "appoint", "--village", "610124100000", "--adviser", LIC_A, "--start", "2026-06-01"),
              "610124100000"),
             (("contract", "end", "--village", EAST, "--adviser", "16101201810199999", "--on", "2026-06-01",
               "--reason", "调离"), "16101201810199999"),
             (("adviser", "edit", "16101201810199999", "--org", "x"), "16101201810199999"),
             (("contract", "appoint", "--village", WEST, "--name", "顾问丁", "--phone", "13900000004",
               "--licence", LIC_A, "--start", "2027-01-01"), LIC_A)]
    for args, said in cases:
        for lang in ("zh", "en"):
            code, out, err = run(capsys, monkeypatch, db, *args, "--lang", lang)
            assert code == 2 and out == "" and said in err and len(err.strip().splitlines()) == 1, (args, err)
            assert err.startswith("错误：" if lang == "zh" else "error:") or err.startswith(("错误:", "错误")), err
    assert snapshot(db) == before


def test_an_id_number_typed_anywhere_is_refused_and_never_stored(db, capsys, monkeypatch):
    three(capsys, monkeypatch, db)
    before = snapshot(db)
    typed = [("contract", "end", "--village", EAST, "--adviser", ID_NUMBER, "--on", "2026-06-01", "--reason", "调离"),
             ("contract", "end", "--village", EAST, "--on", "2026-06-01", "--reason", f"其他：身份证 {ID_NUMBER}"),
             ("contract", "end", "--village", ID_NUMBER, "--on", "2026-06-01", "--reason", "调离"),
             ("contract", "appoint", "--village", WEST, "--name", f"某人{ID_NUMBER}", "--phone", "13900000001",
              "--start", "2027-01-01"),
             ("contract", "appoint", "--village", WEST, "--name", "某人", "--phone", ID_NUMBER,
              "--start", "2027-01-01"),
             ("contract", "appoint", "--village", WEST, "--adviser", f"id:{ID_NUMBER}", "--start", "2027-01-01"),
             ("adviser", "edit", LIC_A, "--org", f"律所 {ID_NUMBER}"),
             ("adviser", "edit", LIC_A, "--licence", ID_NUMBER),
             ("adviser", "merge", LIC_A, ID_NUMBER)]
    for args in typed:
        code, out, err = run(capsys, monkeypatch, db, *args)
        assert code == 2 and out == "" and "身份证" in err and "ID-card" in err, (args, err)
        assert ID_NUMBER not in err, args
    assert snapshot(db) == before
    with opened(db) as store:
        assert ID_NUMBER not in store.query("SELECT detail FROM audit").to_csv()
