"""Service records imported into the store (both backends), by the CLI and by the page: one batch, idempotent,
rolled back, nothing left by a failure, no ID or phone number stored."""
from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from fixtures_app import app_store, open_page
from fixtures_ledger import write_messy_xlsx
from fixtures_services import ACCEPTED, DOUBTFUL, PRIVATE, REJECTED, write_messy_log
from geo import imports
from geo.core.codes import Scope
from geo.sources.national import national_registry
from geo.text.catalogue import md, t

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(new_store, tmp_path):
    """陕西省's registry and the messy ledger's advisers of 周至县, on each backend."""
    s = new_store("svc")
    registry = national_registry()
    with s.transaction() as cur:
        s.load_registry(registry[registry["code"].str.startswith("61")], cur)
    imports.import_assignments(s, write_messy_xlsx(tmp_path / "台账.xlsx"))
    return s


def snapshot(store) -> dict[str, str]:
    out = {}
    for table in ("services", "advisers", "assignments", "batches"):
        df = store.query(f"SELECT * FROM {table}")
        df = df.drop(columns=[c for c in ("created_at",) if c in df.columns])
        out[table] = df.sort_values(list(df.columns)).reset_index(drop=True).to_csv() if len(df) else ""
    return out


def stored_services(store) -> dict[int, tuple]:
    """What the services table holds, keyed back to the log's rows by date (each accepted row has its own)."""
    df = store.query("""SELECT s.village, ad.name, s.service_date, s.mode, s.hours FROM services s
                        JOIN advisers ad ON ad.adviser_id = s.adviser_id""")
    by_date = {want[2]: row for row, want in ACCEPTED.items()}
    return {by_date[pd.Timestamp(d).date()]: (f"{v:012d}", n, pd.Timestamp(d).date(), m, h)
            for v, n, d, m, h in df.itertuples(index=False)}


def test_log_import_stores_the_accepted_rows(store, tmp_path):
    res = imports.run_import(store, "services", write_messy_log(tmp_path / "服务台账.xlsx"), {})
    assert res.status == "imported" and res.ok
    assert stored_services(store) == ACCEPTED
    assert (res.rows_read, res.rows_accepted, res.rows_rejected) == (14, len(ACCEPTED), len(REJECTED))
    assert {n.row: n.reason for n in res.rejected} == REJECTED
    assert {n.row for n in res.doubted} == DOUBTFUL
    assert res.details["county"] == "周至县（610124）" and res.details["services_new"] == len(ACCEPTED)
    batch = store.batch(res.batch_id)
    assert (batch.kind, batch.status) == ("services", "active")
    # (the advisers table keeps the ledger's contact phones: that is the adviser's, not a villager's)
    everything = snapshot(store)["services"] + imports.report_table(res).to_csv()
    for number in PRIVATE:
        assert number not in everything
    contents = set(store.query("SELECT content FROM services")["content"].dropna())
    assert "解答土地承包纠纷，村民电话" in contents and "电话答复，回拨" in contents


def test_same_log_twice_changes_nothing_and_rollback_restores(store, tmp_path):
    path = write_messy_log(tmp_path / "服务台账.xlsx")
    before = snapshot(store)
    first = imports.run_import(store, "services", path, {})
    after = snapshot(store)
    again = imports.run_import(store, "services", path, {})
    assert (again.status, again.batch_id) == ("unchanged", first.batch_id)
    assert snapshot(store) == after
    imports.rollback(store, first.batch_id)
    restored = snapshot(store)
    assert restored["services"] == before["services"] == ""
    assert store.batch(first.batch_id).status == "rolled_back"
    assert {k: v for k, v in restored.items() if k != "batches"} == {k: v for k, v in before.items()
                                                                      if k != "batches"}
    # the advisers' contracts are untouched by undoing their services
    assert store.totals(Scope.parse("610124"), dt.date(2026, 6, 1)).covered > 0


def test_a_failed_import_leaves_nothing(store, tmp_path, monkeypatch):
    before = snapshot(store)
    bad = tmp_path / "服务台账.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(imports.ImportRefused):
        imports.run_import(store, "services", bad, {})
    assert snapshot(store) == before

    def broken(cur, frame):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "add_services", broken)
    with pytest.raises(RuntimeError):
        imports.run_import(store, "services", write_messy_log(tmp_path / "log.xlsx"), {})
    assert snapshot(store) == before


def test_a_log_of_unknown_advisers_is_imported_as_nothing_accepted(store, tmp_path):
    path = tmp_path / "周至县服务台账.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["服务日期", "村（社区）", "法律顾问", "服务方式"],
                                 ["2026-10-01", "镇东村", "无名氏", "到村"]])
    res = imports.run_import(store, "services", path, {"county": "610124"})
    assert not res.ok and res.rows_accepted == 0 and [n.reason for n in res.rejected] == ["unknown_adviser"]
    assert store.query("SELECT count(*) AS n FROM services")["n"].iloc[0] == 0


# ------------------------------------------------------------------------------------------------ CLI

def run(*args, db):
    return subprocess.run([sys.executable, "-m", "geo", *args, "--db", str(db)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def test_cli_import_with_report(demo_db, tmp_path):
    db = tmp_path / "cli.duckdb"
    shutil.copyfile(demo_db, db)
    assert run("import", "assignments", str(write_messy_xlsx(tmp_path / "台账.xlsx")), db=db).returncode == 0
    log = write_messy_log(tmp_path / "服务台账.xlsx")
    report = tmp_path / "report.csv"
    p = run("import", "services", str(log), "--county", "610124", "--report", str(report), "--lang", "en", db=db)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().startswith(f"服务台账.xlsx: batch 3, 14 read, {len(ACCEPTED)} accepted, "
                                       f"{len(REJECTED)} rejected")
    with open(report, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    reasons = {int(r["Row"]): r["Reason"] for r in rows}
    assert reasons == {**{row: t(f"imp.reason.{why}", "en") for row, why in REJECTED.items()},
                       **{row: t("imp.reason.doubtful", "en") for row in DOUBTFUL}}
    text = report.read_text(encoding="utf-8-sig")
    assert "2026-02-30" in text and not any(number in text for number in PRIVATE)
    again = run("import", "services", str(log), db=db)
    assert again.returncode == 0 and "batch 3" in again.stdout
    nothing = tmp_path / "周至县空.csv"
    nothing.write_text("服务日期,村（社区）,法律顾问\n2026-10-01,镇东村,无名氏\n", encoding="utf-8")
    assert run("import", "services", str(nothing), db=db).returncode == 1          # nothing accepted
    assert run("import", "services", str(tmp_path / "none.xlsx"), db=db).returncode == 2


# ------------------------------------------------------------------------------------------------ the page

def test_import_page_previews_then_imports_a_log(app_db, tmp_path):
    store = app_store(app_db)
    people = store.query("""SELECT ad.name, min(a.village) AS village FROM advisers ad JOIN assignments a
                            USING (adviser_id) WHERE a.village BETWEEN 610124001000 AND 610124001999
                            GROUP BY ad.name HAVING count(DISTINCT ad.adviser_id) = 1 ORDER BY ad.name LIMIT 2""")
    names = dict(zip(store.registry_frame()["code"], store.registry_frame()["name"]))
    path = tmp_path / "周至县服务台账.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["服务日期", "乡镇（街道）", "服务村（社区）", "法律顾问", "服务方式", "服务时长", "服务内容"])
        for name, village in people.itertuples(index=False):
            w.writerow(["2026-11-02", "二曲街道", names[f"{village:012d}"], name, "到村", "2小时", "电话13912345678"])
        w.writerow(["2026-11-03", "二曲街道", names[f"{people['village'].iloc[0]:012d}"], "无名氏", "电话", "1", ""])
    before = store.query("SELECT count(*) AS n FROM services")["n"].iloc[0]

    at = open_page("pages/imports.py", scope="610124")
    at.radio(key="imp_kind").set_value("services").run()
    assert not at.exception, [e.value for e in at.exception]
    at.file_uploader[0].set_value((path.name, path.read_bytes(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics[t("imp.m.services")], metrics[t("imp.m.rejected")]) == ("2", "1")
    [rejected] = [d.value for d in at.dataframe if t("imp.col.reason") in d.value.columns]
    assert rejected[t("imp.col.row")].tolist() == [4]
    assert rejected[t("imp.col.reason")].tolist() == [t("imp.reason.unknown_adviser")]
    assert store.query("SELECT count(*) AS n FROM services")["n"].iloc[0] == before      # nothing written yet

    at.button(key="imp_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    batch = int(store.batches()["batch_id"].max())
    assert [s.value for s in at.success][0] == md("imp.done", file=path.name, batch=batch, read=3, accepted=2,
                                                    rejected=1) \
        + md("msg.imp.reasons", reasons=t("msg.imp.reason_n", reason=t("imp.reason.unknown_adviser"), n=1))
    added = store.query(f"SELECT * FROM services WHERE batch_id = {batch}")
    assert len(added) == 2 and set(added["mode"]) == {"onsite"} and set(added["content"]) == {"电话"}
