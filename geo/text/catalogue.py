"""The one catalogue of user-facing text: one key per sentence, one .po file per language.

Where the text is: one gettext file per language, ``geo/text/locale/<lang>.po`` (``zh.po``, the default, and
``en.po``), read with Babel once at import.  Each entry's ``msgid`` is the key, its ``msgstr`` the text, with
``{name}`` placeholders filled by :func:`str.format`.  Both files must hold the same keys with the same
placeholders; tests/test_catalogue.py checks that, and that every key is used.

Using it: ``t("key")`` gives the Chinese text, ``t("key", "en")`` the English; ``t("key", lang, n=3)`` formats.
Keys missing from the catalogue raise, so a typo is caught by the tests instead of shown to a user; where a key is
made from data that may have no entry (a stored action, an import kind of an older version), :func:`t_or` gives a
fallback instead.  ``md("key", lang, name=...)`` is the same text for a Markdown target (st.markdown, st.warning, a
button label...): every value is escaped by :func:`escape_markdown`, so text from a file or a link is shown, never
read as Markdown.  ``bilingual("key")`` is "中文 / English" for a log line; :class:`Msg` is a key with its values,
rendered later in whichever language is asked for.

Adding a key: append an entry at the end of BOTH .po files (same msgid, same placeholders), then use it in code as
a literal (``t("my.key")``); a key made at run time (``t(f"status.{s}")``) must belong to a family listed, with the
table its members come from, in tests/test_catalogue.py.  Removing the last use of a key removes the key.

Adding a language: copy ``en.po`` to ``locale/<lang>.po`` and translate every ``msgstr``, add ``<lang>`` to
:data:`LANGS` and a ``lang.<lang>`` key naming it; :data:`TEXT` holds each key's texts in the order of
:data:`LANGS` (today the pair (Chinese, English)), so :func:`t` then picks the text by the language's place in
:data:`LANGS` instead of the ``lang == "en"`` test below; any other language falls back to Chinese.
"""
from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from babel.messages.pofile import read_po

#: the languages, the default first; each has its catalogue file geo/text/locale/<lang>.po
LANGS = ("zh", "en")

#: where the .po files are
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def _read_catalogue(lang: str) -> dict[str, str]:
    with open(LOCALE_DIR / f"{lang}.po", "rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def _load() -> dict[str, tuple[str, str]]:
    zh, en = (_read_catalogue(lang) for lang in LANGS)
    if zh.keys() != en.keys():
        raise RuntimeError(f"the catalogues disagree on their keys: {sorted(zh.keys() ^ en.keys())}")
    return {key: (zh[key], en[key]) for key in zh}


#: every key with its (Chinese, English) text, read once from the per-language .po files
TEXT: dict[str, tuple[str, str]] = _load()


def t(key: str, lang: str = "zh", **fmt) -> str:
    zh, en = TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


def has(key: str) -> bool:
    """Whether the catalogue has `key`: for keys made from data (a stored action, a reader's reason)."""
    return key in TEXT


def t_or(key: str, lang: str, default: str, **fmt) -> str:
    """The text of `key` in `lang` when the catalogue has it, else `default` (a value shown as it is)."""
    return t(key, lang, **fmt) if key in TEXT else default


def placeholders(key: str) -> set[str]:
    """The names of the ``{placeholders}`` in the texts of `key`, in every language."""
    return {name for text in TEXT[key] for _, name, _, _ in string.Formatter().parse(text) if name}


def bilingual(key: str, **fmt) -> str:
    """A library message in both languages, "中文 / English", as every error and report note carries."""
    return f"{t(key, 'zh', **fmt)} / {t(key, 'en', **fmt)}"


class Localizable(Protocol):
    """Anything that can say itself in one language: a :class:`Msg`, a result's summary, a report note."""

    def text(self, lang: str) -> str: ...


@dataclass(frozen=True)
class Msg:
    """A catalogue key with its values, rendered in whichever language is asked for.

    A value that is itself :class:`Localizable` (another Msg, a list of places ...) is rendered in the same
    language, so a message built in the library reads in one language on the page and in both in a log line.
    """

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        return t(self.key, lang, **{k: localized(v, lang) for k, v in self.params.items()})

    def md(self, lang: str) -> "Markdown":
        """The text for a Markdown target: every value escaped (see :func:`md`)."""
        return md(self.key, lang, **{k: localized(v, lang) for k, v in self.params.items()})

    def bilingual(self) -> str:
        return f"{self.text('zh')} / {self.text('en')}"


def localized(value: object, lang: str) -> object:
    """`value` in `lang` when it can say itself in a language; as it is otherwise (a number, a file name)."""
    text = getattr(value, "text", None)
    return text(lang) if callable(text) and not isinstance(value, str) else value


class Markdown(str):
    """Text meant to be read as Markdown: the app's own text, with every value in it escaped."""


# Every character Streamlit's Markdown gives a meaning to: CommonMark and GFM (emphasis, code, links, images, raw
# HTML, entities, headings, lists, quotes, tables, strikethrough, autolinks "http://", "www." and "a@b.cn"),
# and Streamlit's own ":red[...]" directives, ":smile:" / ":material/...:" icons and "$math$".  CommonMark
# shows any ASCII punctuation after a backslash as itself.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!|<>~$:@&=]")
# a line break would let a value start a heading, a list or a new paragraph
_LINE_BREAK = re.compile(r"[\r\n]+")
# Streamlit finds links ("http://", "www.", "a@b.cn") and ":smile:" / ":material/...:" icons in the text after
# the escapes have been read: an invisible word joiner after each ":" and "@" and between "www" and "." breaks
# them up
_FOUND_IN_TEXT = re.compile(r"[:@]|(?i:www)(?=\.)")
WORD_JOINER = "\u2060"


def escape_markdown(value: object) -> Markdown:
    """`value` as Markdown that shows it literally, on one line; text already :class:`Markdown` is kept."""
    if isinstance(value, Markdown):
        return value
    text = _FOUND_IN_TEXT.sub(lambda m: m.group(0) + WORD_JOINER, _LINE_BREAK.sub(" ", str(value)))
    return Markdown(_MARKDOWN_SPECIAL.sub(r"\\\g<0>", text))


def md(key: str, lang: str = "zh", **values) -> Markdown:
    """The catalogue's text for `key` with every value escaped: for any Streamlit call that reads Markdown."""
    return Markdown(t(key, lang, **{k: escape_markdown(v) for k, v in values.items()}))


def status_label(status: str, lang: str = "zh") -> str:
    return t(f"status.{status}", lang)


def level_label(level: int, lang: str = "zh") -> str:
    return t(f"level.{level}", lang)
