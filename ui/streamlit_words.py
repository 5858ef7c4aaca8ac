"""Streamlit's own words, in ours.

Streamlit 1.67 writes a few words of its widgets itself, in English only, with no parameter for them: the file
uploader's button and limits, and "Press Enter to apply / submit form" under a typed input.  Its DOM names them by
data-testid; the English is hidden (display: none, so it is not on the page's text) and ours is shown in its place
as generated content.  Our own catalogue text only, written as CSS string literals.
"""
from __future__ import annotations

import streamlit as st

from geo.text.catalogue import t

_UPLOAD_BUTTON = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]'
_UPLOAD_HINT = '[data-testid="stFileUploaderDropzoneInstructions"]'
_UPLOAD_DRAG = '[data-testid="stFileUploaderDropzone"] > div:not([data-testid])'    # shown while a file is dragged


def css_string(text: str) -> str:
    """`text` as a CSS string literal (quotes, backslashes and line breaks escaped)."""
    return '"' + "".join(f"\\{ord(c):x} " if c in '"\\\n\r<>' else c for c in text) + '"'


def uploader_css(button: str, hint: str, drop: str) -> str:
    """The file uploader's button, the line beside it and what it says while a file is dragged over it, in our
    words."""
    return (f"{_UPLOAD_BUTTON} p, {_UPLOAD_HINT} span, {_UPLOAD_DRAG} > span {{ display: none; }}\n"
            f"{_UPLOAD_BUTTON}::after {{ content: {css_string(button)}; }}\n"
            f"{_UPLOAD_HINT} > div::after {{ content: {css_string(hint)}; font-size: 0.875rem; }}\n"
            f"{_UPLOAD_DRAG}::after {{ content: {css_string(drop)}; }}")


_SKIP_LINK = '[data-testid="stSkipToContent"]'
# a picker's list with nothing matching what was typed: Streamlit's "No results" is the one option's text
_NO_OPTIONS = ('[data-testid="stMultiSelectDropdown"] [role="listbox"][data-empty="true"]',
               '[data-testid="stSelectboxVirtualDropdown"] [role="listbox"][data-empty="true"]')


def streamlit_words(lang: str) -> None:
    """Every page: in Chinese, no English "Press Enter to apply" under a typed input (an input is applied when
    it loses focus too, so the hint is not needed), and the keyboard's "Skip to main content" link and a
    picker's "No results" in ours."""
    if lang != "zh":
        return
    skip, none = css_string(t("msg.skip_to_content", lang)), css_string(t("msg.no_options", lang))
    st.html("<style>"
            '[data-testid="InputInstructions"] { display: none; }\n'
            f"{_SKIP_LINK} {{ font-size: 0 !important; }}\n"
            f"{_SKIP_LINK}::after {{ content: {skip}; font-size: 0.875rem; }}\n"
            f"{', '.join(f'{e} [role=option] span' for e in _NO_OPTIONS)} {{ display: none; }}\n"
            f"{', '.join(f'{e}::after' for e in _NO_OPTIONS)} {{ content: {none}; display: block; "
            "text-align: center; padding: 1rem; font-size: 0.875rem; opacity: 0.6; }"
            "</style>")
