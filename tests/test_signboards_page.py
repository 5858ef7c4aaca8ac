"""The gap list page's signboards section, as a county clerk uses it (the app in open mode on the demo): the boards
of a township downloaded as a PDF whose pages are its villages, the reprint list before and after, the county's
settings saved, and a village's page address rotated by its button, each in the audit trail."""
from __future__ import annotations

import subprocess

from fixtures_app import app_store, open_page, texts
from geo.auth import audit
from geo.auth.access import OPEN
from geo.core.codes import Scope
from geo.demo import ANCHOR
from geo.public import boards, settings, tokens
from geo.text.catalogue import t

TOWNSHIP = "610124001"     # 周至县二曲街道


def test_a_clerk_prints_a_townships_boards_and_rotates_a_villages_address(app_db, downloads, monkeypatch):
    monkeypatch.setenv("VILLAGE_COVERAGE_PUBLIC_URL", "https://sfj.example.gov.cn")
    at = open_page("gaps", scope=TOWNSHIP, date=ANCHOR.isoformat())
    store = app_store(app_db)
    villages = store.board_villages(Scope(TOWNSHIP))
    shown = " ".join(texts(at))
    assert f"{len(villages)} 个" in shown                            # every village: never printed yet
    [name] = [n for n in downloads if n.endswith(".pdf")]
    pdf = downloads[name]
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert f"Pages:           {len(villages)}" in info
    assert boards.reprint_list(store, Scope(TOWNSHIP), ANCHOR).empty
    assert len(audit.entries(store, OPEN, action="signboards")) == 1

    at.run()
    assert [e.value for e in at.success] == [t("pub.ui.reprint_none")]
    first = villages["code"].iloc[0]
    before = tokens.tokens_of(store, [first])[first]
    at.selectbox(key="pub_rotate_village").set_value(first)
    at.button(key="pub_rotate").click().run()
    assert not at.error, [e.value for e in at.error]
    assert [e.value for e in at.success][-1].startswith(villages["name"].iloc[0]), [e.value for e in at.success]
    assert tokens.village_of(store, before) is None
    assert tokens.village_of(store, tokens.tokens_of(store, [first])[first]) == first
    assert any("1 个" in s for s in texts(at))                       # its board is to be reprinted now
    assert t("pub.reason.rotated") in at.dataframe[-1].value.to_csv()
    assert audit.entries(store, OPEN, action="token_rotate")["detail"].iloc[0]["codes"] == [first]

    at.text_input(key="pub_s_phone").input("029-8765 4321")
    at.checkbox(key="pub_s_show").check()
    at.button(key="FormSubmitter:pub_settings-保存设置").click().run()
    assert [e.value for e in at.success][-1] == t("pub.ui.saved")
    saved = settings.settings_of(store, TOWNSHIP)
    assert saved.supervision_phone == "029-8765 4321" and saved.show_last_onsite
    assert len(boards.reprint_list(store, Scope(TOWNSHIP), ANCHOR)) == len(villages)   # the phone is printed
    at.text_input(key="pub_s_phone").input("<b>x</b>")
    at.button(key="FormSubmitter:pub_settings-保存设置").click().run()
    assert at.error and settings.settings_of(store, TOWNSHIP) == saved
