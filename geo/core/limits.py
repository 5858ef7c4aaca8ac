"""What one upload may cost: every bound a parser works under, in one place (SECURITY.md lists them).

The zip limits live in :mod:`geo.privacy.safezip` (shared with boundary archives) and the row limits next to their
readers (:data:`geo.sources.ledger.MAX_LEDGER_ROWS`, :data:`geo.sources.division_list.MAX_REGISTRY_ROWS`); the
rest is here.
Each refusal names its limit through a ``limit.*`` key of the catalogue.
"""
from __future__ import annotations

# ------------------------------------------------------------------------------------------------ one cell
#: characters of one cell that a value parser (date, period, hours, mode, people served) reads: the longest
#: real period ("2026年01月01日起至2027年12月31日止（两年）") is about 30; a longer cell is refused for its row
MAX_VALUE_CHARS = 200

# ------------------------------------------------------------------------------------------------ one workbook
#: sheets of one workbook: a county's ledger has one per township at most
MAX_SHEETS = 200
#: the last column a cell with a value may stand in (ALL): a ledger has a few dozen columns
MAX_COLUMNS = 1000
#: cells one file may hold once read, all sheets together (a MAX_LEDGER_ROWS ledger of 25 columns)
MAX_CELLS = 5_000_000
#: cells of one division list: the national list (665,000 rows) with a dozen columns
MAX_REGISTRY_CELLS = 10_000_000
#: merged ranges of one file, and the cells they may fill together
MAX_MERGED_RANGES = 20_000
MAX_MERGED_CELLS = 1_000_000

# ------------------------------------------------------------------------------------------------ one boundary file
#: vertices (coordinates) of one feature, and of one file: a province's village layer has a few million; a
#: detailed village outline a few thousand
MAX_FEATURE_VERTICES = 200_000
MAX_FILE_VERTICES = 20_000_000

# ------------------------------------------------------------------------------------------------ one parse
#: memory a worker reading one upload may take beyond what it starts with, and the time it may run
PARSE_MEMORY_BYTES = 2 * 1024**3
PARSE_SECONDS = 300
