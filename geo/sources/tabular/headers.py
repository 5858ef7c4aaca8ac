"""Finding a table's header among title rows and telling data rows from the rest: shared by the table readers
(:mod:`geo.sources.ledger`, :mod:`geo.sources.servicelog`).

A reader describes its columns once as a :class:`Vocabulary` (exact synonyms per field, keywords for headers
that only contain one, an order that breaks ties) and says which fields make a header; the functions here do
the rest: score every row of the first :data:`HEADER_SCAN_ROWS`, take the best, name the columns uniquely, and
classify a row as blank / 合计 / note / repeated header / numbering.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from typing import Callable

from geo.sources.names import without_bracketed

HEADER_SCAN_ROWS = 30

Match = tuple[str, int]               # (field, score): 100 for an exact synonym, else the keyword's length
Mapping_ = dict[str, tuple[int, int]]  # field -> (column, score)

TOTAL_ROW = re.compile(r"^(?:合计|小计|总计|共计|总数|累计|total|subtotal)", re.I)
#: "示例" opens the example row of the app's templates (geo.imports.templates): never imported
NOTE_ROW = re.compile(r"^(?:示例|注[:：意]|注\d|备注[:：]|说明[:：]|填表说明|填报说明|填表人|填报人|审核人|制表人|制表|"
                      r"负责人|单位负责人|联系人[:：]|填报日期|填报时间|审核[:：]|签字|盖章)")
_BRACKETED = re.compile(r"[(\[【〔][^)\]】〕]*[)\]】〕]")


def header_forms(text: str) -> tuple[str, str]:
    """(brackets removed but content kept, bracket content removed), both compact and lower case."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = re.sub(r"[\s*:：_]+", "", t)
    without = without_bracketed(t, _BRACKETED, ")]】〕")
    kept = re.sub(r"[()\[\]【】〔〕、,，/]", "", t)
    return kept, without


class Vocabulary:
    """The column names of one kind of table: ``exact`` synonyms per field (compared in :func:`header_forms`),
    ``keywords`` a header may merely contain (the longest wins, then the earlier field in ``order``),
    ``sub_only`` synonyms that count only in a second header row, ``refine`` a last look at a keyword match."""

    def __init__(self, exact: Mapping[str, tuple[str, ...]], keywords: tuple[tuple[str, str], ...],
                 order: tuple[str, ...], sub_only: frozenset[str] = frozenset(),
                 refine: Callable[[str, Match], Match] | None = None) -> None:
        self.exact, self.keywords, self.order, self.sub_only, self.refine = exact, keywords, order, sub_only, refine
        self._lookup = {syn: f for f, syns in exact.items() for syn in syns}
        self._cache: dict[tuple[str, bool], Match | None] = {}

    def match(self, text: str, *, sub: bool = False) -> Match | None:
        """(field, score) for one header cell, or None."""
        key = (text, sub)
        if key not in self._cache:
            if len(self._cache) > 65536:
                self._cache.clear()
            self._cache[key] = self._match(text, sub)
        return self._cache[key]

    def _match(self, text: str, sub: bool) -> Match | None:
        if not text or len(text) > 40:
            return None
        kept, without = header_forms(text)
        for form in (kept, without):
            f = self._lookup.get(form)
            if f and (sub or form not in self.sub_only):
                return f, 100
        best: Match | None = None
        for kw, f in self.keywords:
            if kw in kept and (best is None or len(kw) > best[1]
                               or (len(kw) == best[1] and self.order.index(f) < self.order.index(best[0]))):
                best = (f, len(kw))
        return self.refine(kept, best) if best and self.refine else best

    def map_header(self, texts: list[str], *, sub: bool = False) -> Mapping_:
        """field -> (column, score), the best-scoring column per field (first on ties)."""
        out: Mapping_ = {}
        for col, text in enumerate(texts):
            m = self.match(text, sub=sub)
            if m and (m[0] not in out or m[1] > out[m[0]][1]):
                out[m[0]] = (col, m[1])
        return out

    def exact_fields(self, texts: list[str]) -> set[str]:
        """The fields some cell of the row names exactly: a repeated header row names them all."""
        return {m[0] for t in texts if t and (m := self.match(t)) and m[1] == 100}


def header_score(mapping: Mapping_) -> tuple[int, int]:
    return len(mapping), sum(1 for _c, score in mapping.values() if score == 100)


def find_header(vocabulary: Vocabulary, texts: list[list[str]], is_header: Callable[[Mapping_], bool]
                ) -> tuple[int, Mapping_] | None:
    """(row index, mapping) of the best header row among the first HEADER_SCAN_ROWS, or None."""
    best: tuple[int, Mapping_] | None = None
    for i, row in enumerate(texts[:HEADER_SCAN_ROWS]):
        mapping = vocabulary.map_header(row)
        if is_header(mapping) and (best is None or header_score(mapping) > header_score(best[1])):
            best = (i, mapping)
    return best


def col_letter(col: int) -> str:
    s = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def unique_headers(top: list[str], sub: list[str] | None = None) -> list[str]:
    """One distinct name per column: the header text (joined with a second header row), 列X when blank."""
    out: list[str] = []
    seen: Counter[str] = Counter()
    for col, text in enumerate(top):
        name = text
        if sub is not None and col < len(sub) and sub[col] and sub[col] != text:
            name = f"{text}-{sub[col]}" if text else sub[col]
        if not name:
            name = f"列{col_letter(col)}"
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out


def title_text(texts: list[list[str]], upto: int) -> str:
    """The distinct texts of the rows above the header, in order (county detection reads them)."""
    parts: list[str] = []
    for row in texts[:upto]:
        for t in row:
            if t and t not in parts:
                parts.append(t)
    return " ".join(parts)


def skip_kind(vocabulary: Vocabulary, is_header: Callable[[Mapping_], bool], texts: list[str],
              needed: list[int], ignored: set[int] = frozenset()) -> str | None:
    """Why a row below the header is not data ("blank", "total", "note", "header", "numbering"), or None.

    ``needed`` are the columns of which a data row fills at least one; ``ignored`` are never looked at (ID
    card columns)."""
    nonblank = [t for c, t in enumerate(texts) if t and c not in ignored]
    if not nonblank:
        return "blank"
    compact = [re.sub(r"\s+", "", t) for t in nonblank]
    if any(TOTAL_ROW.match(t) for t in compact[:4]):
        return "total"
    if NOTE_ROW.match(compact[0]):
        return "note"
    if len(compact) >= 3 and len(set(compact)) == 1:
        return "note"  # one text merged across the whole row: a section title or remark
    if is_header(dict.fromkeys(vocabulary.exact_fields(texts))):
        return "header"  # the header repeated further down (e.g. on every printed page)
    if len(compact) >= 3 and all(re.fullmatch(r"\d+", t) for t in compact):
        nums = [int(t) for t in compact]
        if nums == list(range(nums[0], nums[0] + len(nums))):
            return "numbering"  # the "1 2 3 4 ..." row under some headers
    if not any(texts[c] for c in needed):
        return "blank"  # only a 序号 or a stray remark: nothing to import
    return None
