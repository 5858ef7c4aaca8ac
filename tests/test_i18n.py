"""The catalogue's Markdown path: a value from a file or a link, put into a message, shows as itself in
Streamlit's Markdown (CommonMark + GFM + Streamlit's directives, icons and math), never as a link, an image,
HTML or formatting."""
from __future__ import annotations

import re

import pytest

from geo.text.catalogue import TEXT, WORD_JOINER, Markdown, escape_markdown, md, t

# the characters Streamlit's Markdown gives a meaning to somewhere (listed here, not taken from the code)
MEANINGFUL = set("\\`*_{}[]()#+-.!|<>~$:@&=")

HOSTILE = [
    "![t](http://127.0.0.1/track.png)",       # an image: the browser would fetch it
    "[点此](http://evil.example/login)",        # a link in an official-looking notice
    "<img src=x onerror=alert(1)>",           # raw HTML
    "<http://evil.example>",                  # an angle-bracket autolink
    "http://evil.example",                    # GFM autolink literals
    "www.evil.example",
    "clerk@evil.example",
    "**粗体** __bold__ *it* _it_ ~~del~~",
    "`code` ```fence```",
    ":red[警告] :blue-background[x] :material/home: :smile:",
    "$x^2$ $$y$$",
    "# 标题", "- 列表", "+ item", "1. 第一", "2) second", "> 引用", "| a | b |", "---", "===",
    "&lt;script&gt; &#x41;",
    "a \\*not\\* escaped \\",
    "第一行\n# 第二行\r\n\r\n- 第三行",          # a line break would start a block
    "{{ 7*7 }} {% if %}",
]


# what Streamlit's frontend looks for in the text once the escapes are read (mdast-util-gfm-autolink-literal,
# remark-emoji and Streamlit's icons)
FOUND_IN_TEXT = re.compile(r"(?i)https?://|www(?=\.)|[-.\w+]@[-\w]|:[\w+-][\w+-]*:")


def unescape(markdown: str) -> str:
    """The text CommonMark makes of Markdown that has backslash escapes and nothing else."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def live_characters(markdown: str) -> list[str]:
    """Characters with a meaning that are not escaped by a backslash."""
    live, i = [], 0
    while i < len(markdown):
        if markdown[i] == "\\" and i + 1 < len(markdown) and markdown[i + 1] in MEANINGFUL:
            i += 2
            continue
        if markdown[i] in MEANINGFUL:
            live.append(markdown[i])
        i += 1
    return live


@pytest.mark.parametrize("value", HOSTILE)
def test_escaped_value_reads_as_itself_on_one_line(value):
    escaped = escape_markdown(value)
    assert isinstance(escaped, Markdown)
    assert live_characters(escaped) == []
    assert "\n" not in escaped and "\r" not in escaped
    assert not FOUND_IN_TEXT.search(unescape(escaped))
    assert unescape(escaped).replace(WORD_JOINER, "") == re.sub(r"[\r\n]+", " ", value)   # the joiner is invisible


@pytest.mark.parametrize("value", ["周至县二曲街道", "淳风苑社区居委会", "张三 13912345678", "0", ""])
def test_plain_text_is_unchanged(value):
    assert escape_markdown(value) == value


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_is_escaped_once(value):
    once = escape_markdown(value)
    assert escape_markdown(once) == once


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_md_escapes_the_values_and_keeps_the_catalogue_text(value, lang):
    out = md("bad_scope", lang, raw=value, name="陕西省")
    assert out == t("bad_scope", lang, raw=escape_markdown(value), name="陕西省")
    assert live_characters(out) == live_characters(t("bad_scope", lang, raw="", name="陕西省"))
    # a message filled into another keeps the first one's escaping (no double backslashes)
    inner = md("imp.sheet", lang, sheet=value)
    assert md("imp.header_row", lang, sheet=inner, row=3, start=4) == t("imp.header_row", lang, sheet=inner,
                                                                         row=3, start=4)


def test_md_without_values_is_the_catalogue_text():
    assert all(md(key, "zh") == zh and md(key, "en") == en for key, (zh, en) in TEXT.items())
