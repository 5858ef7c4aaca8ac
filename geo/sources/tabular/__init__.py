"""The one reader of table files (.xlsx, .xls, .csv / .txt): every importer of rows reads through it.

* :mod:`geo.sources.tabular.read`: a file -> :class:`Sheet` grids of cells (.xlsx streamed with merged cells
  filled, .xls, CSV with its encoding and delimiter sniffed), bounded by :class:`RowBudget`
  (:mod:`geo.core.limits`) and refused with the reader's own :class:`~geo.sources.errors.SourceError`
  (:class:`TableFile` says which, and the reader's bounds);
* :mod:`geo.sources.tabular.headers`: the header row found under title rows by a :class:`Vocabulary` of
  column names, and data rows told from blank / 合计 / note / repeated-header rows;
* :mod:`geo.sources.tabular.table`: :func:`locate_table` gives a sheet's :class:`Table`: header row, each
  field's column, the rows below with their row numbers in the file.

The accepted file types are :data:`TABULAR_SUFFIXES`, for every table reader.
"""
from __future__ import annotations

from geo.sources.tabular.headers import (
           HEADER_SCAN_ROWS,
           Vocabulary,
           find_header,
           header_forms,
           skip_kind,
           title_text,
           unique_headers,
)
from geo.sources.tabular.read import (
           MAX_XLSX_BYTES,
           TABULAR_SUFFIXES,
           RowBudget,
           Sheet,
           TableFile,
           cell_text,
           check_xlsx_size,
           read_sheets,
           text_encoding,
           workbook_kind,
)
from geo.sources.tabular.table import Table, locate_table

__all__ = ["HEADER_SCAN_ROWS", "MAX_XLSX_BYTES", "TABULAR_SUFFIXES", "RowBudget", "Sheet", "Table", "TableFile",
           "Vocabulary", "cell_text", "check_xlsx_size", "find_header", "header_forms", "locate_table", "read_sheets",
           "skip_kind", "text_encoding", "title_text", "unique_headers", "workbook_kind"]
