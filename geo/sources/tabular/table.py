"""A sheet's table: the header found under its title rows, each field's column, and the rows below it with
their row numbers in the file."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from geo.sources.tabular.headers import HEADER_SCAN_ROWS, Mapping_, Vocabulary, find_header, title_text, unique_headers
from geo.sources.tabular.read import Sheet, cell_text


@dataclass(frozen=True)
class Table:
    """One sheet's table under its header (one header row; a reader with two-row headers builds on the sheet)."""

    sheet: Sheet
    header_index: int              # 0-based row of the header in the sheet
    columns: dict[str, int]        # field -> 0-based column
    headers: list[str]             # one distinct name per column (unique_headers)
    title: str                     # the text of the rows above the header

    @property
    def header_row(self) -> int:
        """The header's row number as the user sees it in Excel (1-based)."""
        return self.header_index + 1

    def body(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number in the file, the row's values as wide as the header) of every row below the header."""
        width = len(self.headers)
        for i in range(self.header_index + 1, len(self.sheet.grid)):
            yield i + 1, (list(self.sheet.grid[i]) + [None] * width)[:width]


def locate_table(sheet: Sheet, vocabulary: Vocabulary, is_header: Callable[[Mapping_], bool]) -> Table | None:
    """The sheet's table: its best header among the first HEADER_SCAN_ROWS rows, or None when it has none."""
    texts = [[cell_text(v) for v in row] for row in sheet.grid[:HEADER_SCAN_ROWS + 1]]
    hit = find_header(vocabulary, texts, is_header)
    if hit is None:
        return None
    h, mapping = hit
    width = max(len(r) for r in sheet.grid)
    top = [cell_text(v) for v in sheet.grid[h]] + [""] * (width - len(sheet.grid[h]))
    return Table(sheet, h, {f: c for f, (c, _score) in mapping.items()}, unique_headers(top), title_text(texts, h))
