"""Streamlit's own English in the Chinese UI (issue 19.6): the uploader's button and limits, "Press Enter to
apply / submit form", the multiselect's "Select all" and "Choose options"; and a wrong file type told in words.

The words Streamlit writes itself are only in the browser, so the untranslated-string check drives the real app
in chromium; the widget parameters and the wrong-type message are checked through AppTest too."""
from __future__ import annotations

import re

import pytest

from benchmarks.browser import VIEWPORT, wait_ready
from fixtures_app import open_page
from geo import imports
from geo.demo import ANCHOR
from geo.text.catalogue import escape_markdown, md, t

DATE = ANCHOR.isoformat()
#: what Streamlit 1.67 writes in its widgets by itself
STREAMLIT_ENGLISH = re.compile(r"\bUpload\b|Drag and drop|per file|Press Enter|Select all|Select \d+ matches|"
                               r"Choose an? option|Choose options|Browse files|No results|must be .* or smaller|"
                               r"files are not allowed")      # case kept: the uploader's icon is the word "upload"
PAGES = ("map", "gaps", "summary", "advisers", "imports")


def test_uploader_takes_any_file_and_names_a_wrong_type_in_words(app_db):
    at = open_page("imports", scope="610124", date=DATE)
    spec = imports.BY_KEY["assignments"]
    [uploader] = at.file_uploader
    assert list(uploader.proto.type) == []                  # any file: the page checks the type itself
    captions = [c for r in at.radio for c in r.proto.captions]
    for kind in imports.KINDS:                              # the captions list what the kinds table accepts
        assert any(escape_markdown(" ".join(kind.file_types)) in c for c in captions), kind.key
    uploader.set_value(("情况汇报.pdf", b"%PDF-1.4 not a ledger", "application/pdf")).run()
    assert not at.exception
    [error] = at.error
    assert error.value == md("imp.bad_type", "zh", name="情况汇报.pdf", kind=t(spec.label_key),
                             types=" ".join(spec.file_types))
    assert not STREAMLIT_ENGLISH.search(error.value)


def test_multiselects_have_no_select_all_and_forms_no_enter_hint(app_db):
    at = open_page("gaps", scope="610124", date=DATE)
    boxes = list(at.multiselect)
    assert boxes and all(m.proto.select_all == 0 for m in boxes)
    assert all(m.placeholder == t("select.placeholder") for m in boxes)


# ----------------------------------------------------------------------------------------------- the browser

def shown_text(page) -> str:
    """The text a person sees on the page (innerText leaves out what is hidden)."""
    return page.evaluate("() => document.body.innerText")


def type_into_inputs(page) -> None:
    """Make every typed input show its instructions (Streamlit shows them while a value is being edited)."""
    for field in page.locator('[data-testid="stMain"] input[type="text"], [data-testid="stMain"] input'
                              '[type="number"], [data-testid="stSidebar"] input[type="number"]').all()[:6]:
        if field.is_visible() and field.is_editable():
            field.click()
            field.press("End")
            field.type("1")


@pytest.mark.browser
def test_no_streamlit_english_on_any_chinese_page(app_url, browser, tmp_path):
    page = browser.new_page(viewport=VIEWPORT)
    seen: dict[str, list[str]] = {}
    try:
        for name in PAGES:
            path = "" if name == "map" else f"/{name}"      # the map is the default page, at /
            page.goto(f"{app_url}{path}?scope=610124&date={DATE}")
            wait_ready(page, path=path)
            type_into_inputs(page)
            if name == "gaps":                              # the status picker's list, open
                page.locator('[data-testid="stMain"] [data-testid="stMultiSelect"] input').first.click()
            page.wait_for_timeout(500)
            seen[name] = STREAMLIT_ENGLISH.findall(shown_text(page))
            if name == "gaps":                              # a filter typed that matches no option
                page.keyboard.type("zzqq")
                page.wait_for_timeout(500)
                seen["typed"] = STREAMLIT_ENGLISH.findall(shown_text(page))
                nothing = page.evaluate("""() => getComputedStyle(document.querySelector(
                    '[role="listbox"][data-empty="true"]'), '::after').content""")
            page.keyboard.press("Escape")
        # the uploader in our words, and a PDF told in words, not a red icon with an English tooltip
        pdf = tmp_path / "情况汇报.pdf"
        pdf.write_bytes(b"%PDF-1.4 not a ledger")
        page.goto(f"{app_url}/imports?scope=610124&date={DATE}")
        wait_ready(page, path="/imports", selectors=('[data-testid="stFileUploader"]',))
        button = page.evaluate("""() => getComputedStyle(document.querySelector(
            '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]'), '::after').content""")
        skip = page.evaluate("""() => { const a = document.querySelector('[data-testid="stSkipToContent"]');
            return [getComputedStyle(a, '::after').content, getComputedStyle(a).fontSize]; }""")
        dragged = page.evaluate_handle("() => { const d = new DataTransfer(); d.items.add(new File(['x'], 'a.xlsx'));"
                                       " return d; }")
        page.dispatch_event('[data-testid="stFileUploaderDropzone"]', "dragenter", {"dataTransfer": dragged})
        page.wait_for_timeout(300)
        seen["dragging"] = STREAMLIT_ENGLISH.findall(shown_text(page))
        page.dispatch_event('[data-testid="stFileUploaderDropzone"]', "dragleave", {"dataTransfer": dragged})
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(pdf))
        page.wait_for_selector('[data-testid="stAlertContentError"]', timeout=60_000)
        error = page.inner_text('[data-testid="stAlertContentError"]')
        seen["upload"] = STREAMLIT_ENGLISH.findall(shown_text(page))
    finally:
        page.close()
    assert seen == {k: [] for k in seen}
    assert button == f'"{t("imp.upload_button")}"'
    assert skip == [f'"{t("msg.skip_to_content")}"', "0px"]        # the keyboard's skip link, in our words
    assert nothing == f'"{t("msg.no_options")}"'
    assert "情况汇报.pdf" in error and t("imp.kind.assignments") in error and ".xlsx" in error
