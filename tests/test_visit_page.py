"""The import page's visit form and template downloads on a copy of the demo (AppTest), in both languages: a
nominal village entered as visited on site becomes served; the templates download (audited) and read back."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from fixtures_app import app_store, assert_ok, open_page
from geo.auth import audit
from geo.auth.access import OPEN
from geo.core.codes import Scope
from geo.demo import ANCHOR
from geo.imports.templates import LEDGER, SERVICES
from geo.text.catalogue import Msg, md, t

PAGE = "pages/imports.py"
COUNTY = Scope("610124")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_visit_entered_on_the_page_makes_a_nominal_village_served(app_db, lang):
    store = app_store(app_db)
    statuses = store.village_statuses(COUNTY, ANCHOR)
    nominal = statuses[statuses["service_status"] == "nominal"].iloc[0]
    code, name = nominal["code"], nominal["name"]
    at = open_page(PAGE, scope=COUNTY.digits, date=ANCHOR.isoformat(), lang=lang)
    assert md("visit.title", lang) in [h.value for h in at.subheader]
    at.text_input(key="visit_search").input(name).run()
    at.selectbox(key="visit_village").set_value(code).run()
    at.date_input(key="visit_date").set_value(ANCHOR - dt.timedelta(days=1)).run()
    assert_ok(at)
    adviser = at.selectbox(key="visit_adviser")
    current = store.village_advisers_on(code, ANCHOR - dt.timedelta(days=1))
    assert adviser.value in set(current["adviser_id"])          # the village's own adviser of the day first
    at.text_area(key="visit_content").input("到村坐班，解答咨询").run()
    at.button(key="visit_save").click().run()
    assert_ok(at)
    assert not at.error, [e.value for e in at.error]
    batch = int(store.scalar("SELECT max(batch_id) FROM batches WHERE kind = 'visit'"))
    who = store.scalar("SELECT name FROM advisers WHERE adviser_id = $a", {"a": adviser.value})
    said = Msg("visit.done", {"batch": batch, "village": f"{nominal['township']}{name}",
                              "date": (ANCHOR - dt.timedelta(days=1)).isoformat(), "adviser": who,
                              "mode": Msg("imp.mode.onsite"), "hours": "2"})
    assert [s.value for s in at.success] == [said.md(lang)]
    after = store.village_statuses(COUNTY, ANCHOR)
    assert after.loc[after["code"] == code, "service_status"].item() == "served"
    stored = store.query("SELECT s.mode, s.hours, s.content, b.kind FROM services s JOIN batches b "
                         "ON b.batch_id = s.batch_id WHERE b.kind = 'visit'")
    assert stored.values.tolist() == [["onsite", 2.0, "到村坐班，解答咨询", "visit"]]


def test_the_templates_download_audited_and_in_chinese_whatever_the_language(app_db, downloads):
    at = open_page(PAGE, scope=COUNTY.digits, date=ANCHOR.isoformat(), lang="en")
    labels = [b.proto.label for b in at.get("download_button")]
    assert t("tpl.download.ledger", "en") in labels and t("tpl.download.services", "en") in labels
    for tpl in (LEDGER, SERVICES):
        wb = openpyxl.load_workbook(io.BytesIO(downloads[tpl.file_name]))
        assert [c.value for c in wb.worksheets[0][1]] == [c.header for c in tpl.columns]
    trail = audit.entries(app_store(app_db), OPEN, action="export")
    assert [d["what"] for d in trail["detail"]][-2:] == ["template", "template"]
