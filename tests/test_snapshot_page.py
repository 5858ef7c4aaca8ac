"""A snapshot ledger on the import page (AppTest, a copy of the demo): the county's current ledger built from the
store and changed a few percent (benchmarks.snapshot), uploaded as a snapshot; the preview shows the four parts of
the difference in either language, the contracts that would end, and the import writes them."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from benchmarks.snapshot import changed_ledger
from benchmarks.write_path import write_ledger
from fixtures_app import app_store, assert_ok, open_page
from geo.demo import ANCHOR
from geo.text.catalogue import md, t

PAGE = "pages/imports.py"
ZHOUZHI = "610124"


def _ledger(app_db: Path, tmp_path: Path):
    ledger = changed_ledger(app_store(app_db), ZHOUZHI, ANCHOR)
    path = write_ledger(ledger.rows, tmp_path / "周至县法律顾问台账（快照）.xlsx", "周至县村（居）法律顾问聘任台账")
    return ledger, path


def _as_snapshot(at: AppTest, path: Path) -> None:
    at.file_uploader[0].set_value((path.name, path.read_bytes(), "application/octet-stream")).run()
    assert_ok(at)
    assert not [d for d in at.date_input if d.key == "imp_a_as_of"]      # the day is asked for a snapshot only
    at.checkbox(key="imp_a_snapshot").check().run()
    at.date_input(key="imp_a_as_of").set_value(ANCHOR).run()
    assert_ok(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_preview_shows_the_four_parts_of_the_difference(app_db, tmp_path, lang):
    ledger, path = _ledger(app_db, tmp_path)
    at = open_page(PAGE, scope=ZHOUZHI, date=ANCHOR.isoformat(), lang=lang)
    _as_snapshot(at, path)

    metrics = {m.label: m.value for m in at.metric}
    assert {k: metrics[t(f"imp.s.m.{k}", lang)] for k in ("new", "renewed", "advisers", "ended")} == {
        "new": str(len(ledger.new)), "renewed": str(len(ledger.renewed)), "advisers": str(len(ledger.phones)),
        "ended": str(len(ledger.dropped))}
    [diff] = [d.value for d in at.dataframe if t("imp.s.col.part", lang) in d.value.columns]
    parts = {key: t(f"imp.s.part.{key}", lang) for key in ("new", "renewed", "adviser", "ended")}
    by_part = diff.groupby(t("imp.s.col.part", lang))[t("col.code", lang)].apply(list).to_dict()
    assert sorted(by_part[parts["new"]]) == sorted(ledger.new)
    assert sorted(by_part[parts["renewed"]]) == sorted(v for _, v in ledger.renewed)
    assert sorted(by_part[parts["ended"]]) == sorted(v for _, v in ledger.dropped)
    assert len(by_part[parts["adviser"]]) == len(ledger.phones)
    # a changed phone is shown masked, never in full
    shown = " ".join(map(str, diff[t("imp.s.col.detail", lang)]))
    assert not any(phone in shown for phone in ledger.phones.values())

    # the contracts that would end: a warning (not more than 5 %), every one listed; nothing written yet
    store = app_store(app_db)
    total = int(store.scalar(f"""SELECT count(*) FROM assignments WHERE village // 1000000 = {ZHOUZHI}
                                 AND start_date <= DATE '{ANCHOR}'
                                 AND (end_date IS NULL OR end_date >= DATE '{ANCHOR}')"""))
    share = len(ledger.dropped) / total
    assert share <= 0.05
    alarm = md("imp.s.will_end", lang, n=f"{len(ledger.dropped):,}", total=f"{total:,}", share=f"{share:.1%}",
               day=ANCHOR.isoformat(), last=(ANCHOR - dt.timedelta(days=1)).isoformat())
    assert alarm in [w.value for w in at.warning]
    assert not [e.value for e in at.error]
    assert "imp_a_allow_end" not in {c.key for c in at.checkbox}       # no confirmation asked
    assert not store.query("SELECT * FROM assignments WHERE end_reason = 'snapshot'").shape[0]


def test_import_as_snapshot_ends_the_contracts_no_longer_listed(app_db, tmp_path):
    ledger, path = _ledger(app_db, tmp_path)
    at = open_page(PAGE, scope=ZHOUZHI, date=ANCHOR.isoformat())
    _as_snapshot(at, path)
    at.button(key="imp_go").click().run()
    assert_ok(at)
    store = app_store(app_db)
    ended = store.query("SELECT adviser_id, village FROM assignments WHERE end_reason = 'snapshot'")
    assert sorted((int(a), f"{v:012d}") for a, v in ended.itertuples(index=False)) == sorted(ledger.dropped)
    batch = int(store.batches()["batch_id"].max())
    said = [m.value for m in at.markdown]
    assert md("imp.s.done", day=ANCHOR.isoformat(), renewed=len(ledger.renewed), advisers=len(ledger.phones),
              ended=len(ledger.dropped)) in said, said
    assert store.batch(batch).kind == "assignments"
