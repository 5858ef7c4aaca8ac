"""The assignment ledger (法律顾问工作台账) that county bureaus send: read it, then match it to the registry.

Three phases, one module each:

* :mod:`geo.sources.ledger.read`: the file -> grids of cells through :mod:`geo.sources.tabular` (.xlsx streamed with its
  merged cells filled, .xls, .csv in UTF-8 or GBK), refused when it is not what it claims, past the row budget, or
  empty;
* :mod:`geo.sources.ledger.fields`: :func:`read_ledger` finds the header row under any title rows, maps the columns to
  canonical fields and parses each row into a :class:`LedgerTable` (merged and blank township cells filled down,
  blank / 合计 / note / repeated-header rows skipped, identical rows dropped, ID-card numbers removed: 身份证号
  columns are never read, an ID pasted into any other cell is blanked).  Only the first sheet with a header is
  read (or the one named by ``sheet``); other sheets that also have one are named in ``LedgerTable.warnings``;
* :mod:`geo.sources.ledger.match`: :func:`match_ledger` finds the county (chosen, else from the title words and the
  village names) and matches each village through :mod:`geo.sources.matching`, by code when the row gives one, else by
  name within the county, narrowed by the township.
"""
from __future__ import annotations

from geo.sources.errors import LedgerError
from geo.sources.ledger.fields import (
           HEADER_SCAN_ROWS,
           KIND_LAWYER,
           KIND_OTHER,
           KIND_WORKER,
           LedgerRow,
           LedgerTable,
           normalize_kind,
           read_ledger,
)
from geo.sources.ledger.match import (
           REJECT_REASONS,
           Adviser,
           Assignment,
           LedgerMatch,
           adviser_key,
           detect_county,
           match_ledger,
)
from geo.sources.ledger.read import MAX_LEDGER_ROWS
from geo.sources.matching import RegistryIndex, Reject, registry_index

__all__ = ["HEADER_SCAN_ROWS", "KIND_LAWYER", "KIND_OTHER", "KIND_WORKER", "MAX_LEDGER_ROWS", "REJECT_REASONS",
           "Adviser", "Assignment", "LedgerError", "LedgerMatch", "LedgerRow", "LedgerTable", "RegistryIndex", "Reject",
           "adviser_key", "detect_county", "match_ledger", "normalize_kind", "read_ledger", "registry_index"]
