"""An import's report in one language: one row per note, row number, reason and message, then the row's cells.

The same table is shown on the page, downloaded from it and written by ``python -m geo import --report``.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.imports.kinds import BY_KEY
from geo.imports.results import ImportResult, Note
from geo.outputs.export import to_csv_bytes, to_xlsx_bytes
from geo.text.catalogue import t


def _notes(result: ImportResult) -> list[Note]:
    """Rejected and doubtful notes by row; notes about what the file lacks (no row) last."""
    return sorted(result.rejected + result.doubted, key=lambda n: (n.row is None, n.row or 0))


def _row_column(notes: list[Note]) -> list:
    """Row numbers as numbers (a spreadsheet sorts them); a note about the whole file has a blank, not "None"."""
    return ["" if n.row is None else n.row for n in notes]


def _cell_header(header: str, taken: set[str], lang: str) -> str:
    name = " ".join(str(header).split())             # a header typed on two lines in Excel
    return name if name not in taken else f"{name}（{t('imp.h.file', lang)}）"


def report_table(result: ImportResult, lang: str = "zh") -> pd.DataFrame:
    """Rejected and doubtful rows with row number, reason and message in `lang`, then the file's own cells."""
    kind = BY_KEY.get(result.kind)
    notes = _notes(result)
    heads = (t(kind.row_key if kind else "imp.col.row", lang), t("imp.col.reason", lang), t("imp.col.message", lang))
    table = pd.DataFrame({heads[0]: _row_column(notes), heads[1]: [n.reason_text(lang) for n in notes],
                          heads[2]: [n.message.text(lang) for n in notes]}, columns=list(heads))
    cells = list(dict.fromkeys(k for n in notes for k in n.cells))
    for header in cells:
        table[_cell_header(header, set(table.columns), lang)] = [n.cells.get(header, "") for n in notes]
    return table


def write_report(result: ImportResult, path: str | Path, lang: str = "zh") -> Path:
    path = Path(path)
    table = report_table(result, lang)
    if path.suffix.lower() == ".csv":
        path.write_bytes(to_csv_bytes(table))
    else:
        path.write_bytes(to_xlsx_bytes(table, sheet=t("imp.report_file", lang), text_columns=0))
    return path
