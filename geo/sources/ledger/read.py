"""How a ledger file is read: the table reader (:mod:`geo.sources.tabular`) with the ledger's error and bounds."""
from __future__ import annotations

from pathlib import Path

from geo.sources.errors import LedgerError
from geo.sources.tabular import TableFile, read_sheets
from geo.sources.tabular.read import Sheet

# rows of one file, all sheets together: the largest county has a few thousand villages, so a file this long
# is a mistake (or an attack) and is refused before it costs minutes and gigabytes
MAX_LEDGER_ROWS = 200_000

LEDGER_FILE = TableFile(LedgerError, "src.e.not_ledger", MAX_LEDGER_ROWS)


def load_sheets(path: Path) -> list[Sheet]:
    """Every sheet of a ledger file as a grid of cells; LedgerError when the file is not a readable one."""
    return read_sheets(path, LEDGER_FILE)
