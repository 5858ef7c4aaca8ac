"""The file encoders: tables written as files a county official opens in Excel or WPS, village lists as GeoJSON.

* .xlsx - codes and phone numbers are written as text (never 6.10124E+11); every string is a text cell
  (write_string), which Excel never evaluates, so "=1+1" stays exactly "=1+1", with no apostrophe added.
  Numbers are number cells and dates date cells (:func:`cell_kind`), so Excel sorts, sums and filters them: a
  table meant for a file keeps its counts, distances and days as numbers and dates, never as their text.
* .csv  - UTF-8 with a BOM so Excel shows the Chinese; a CSV cell has no type, so text that Excel would read as
  a formula is prefixed with an apostrophe (:func:`neutralize`).
* .geojson - one feature per village, with its boundary where the store has one (null geometry otherwise).

Only the encoders live here; what goes into a gap-list file, for whom, and its audit row are
:mod:`geo.views.gap_list`'s.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Sequence

import numpy as np
import pandas as pd

from geo.core.errors import UserError
from geo.text.catalogue import status_label, t
from geo.text.formats import day

#: what a spreadsheet treats as the start of a formula (OWASP CSV-injection list)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")

SUMMARY_COLUMNS = ["code", "name", "villages", "covered", "expiring", "lapsed", "never", "coverage_rate", "has_data",
                   "served", "nominal", "served_rate", "has_service_data"]
_YES_NO = ("has_data", "has_service_data")


class ExportError(UserError, ValueError):
    """A file that cannot be written (format, folder); the message names it."""


def neutralize(value: object) -> object:
    """Make a CSV cell inert: text that starts like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def summary_table(summary: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    out = summary[SUMMARY_COLUMNS].copy()
    for col in ("coverage_rate", "served_rate"):
        out[col] = out[col].round(4)
    for col in _YES_NO:
        out[col] = out[col].map({True: t("yes", lang), False: t("no", lang)})
    out.columns = [t(f"col.{c}", lang) for c in SUMMARY_COLUMNS]
    return out


def cell_kind(value: object) -> str:
    """How a table's value goes into a spreadsheet: 'blank', 'text', 'number', 'date' or 'time' (a date with a
    time of day). Text stays text whatever it looks like: a code, a licence or a phone number is never a number."""
    if value is None or value is pd.NaT or (isinstance(value, str) and value == ""):
        return "blank"
    if isinstance(value, (str, bool, np.bool_)):
        return "text"
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        stamp = pd.Timestamp(value)
        return "date" if stamp == stamp.normalize() else "time"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "blank" if pd.isna(value) else "number"
    return "text"


def _plain(value: object) -> str:
    """A value as the text a CSV cell (or a forced text cell) carries."""
    kind = cell_kind(value)
    if kind == "blank":
        return ""
    if kind == "date":
        return day(value)
    if kind == "time":
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S")
    return value if isinstance(value, str) else str(value)


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralize(str(c)) for c in table.columns])
    for row in table.itertuples(index=False):
        writer.writerow([neutralize(_plain(v)) for v in row])
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


def to_xlsx_bytes(table: pd.DataFrame, sheet: str = "Sheet1", text_columns: int = 1) -> bytes:
    """An .xlsx; the first `text_columns` columns and every string cell are written as text."""
    return to_xlsx_book([(sheet, table)], text_columns)


def to_xlsx_book(sheets: Sequence[tuple[str, pd.DataFrame]], text_columns: int = 1) -> bytes:
    """An .xlsx of several sheets (name, table), each written as :func:`to_xlsx_bytes` writes its one."""
    import xlsxwriter  # imported here: start-up time

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False,
                                     "remove_timezone": True})
    formats = {"head": book.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1}),
               "pct": book.add_format({"num_format": "0.0%"}),
               "date": book.add_format({"num_format": "yyyy-mm-dd"}),
               "time": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})}
    for sheet, table in sheets:
        _write_sheet(book.add_worksheet(sheet[:31]), table, text_columns, formats)
    book.close()
    return buf.getvalue()


def _write_sheet(ws, table: pd.DataFrame, text_columns: int, formats: dict) -> None:
    for j, col in enumerate(table.columns):
        ws.write_string(0, j, str(col), formats["head"])
        width = max([len(str(col))] + [len(_plain(v)) for v in table.iloc[:200, j]]) * 1.8 + 2
        ws.set_column(j, j, min(width, 50))
    rate_cols = {j for j, c in enumerate(table.columns) if "rate" in str(c) or "率" in str(c)}
    for i, row in enumerate(table.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            kind = cell_kind(v)
            if kind == "blank":
                continue
            if kind == "text" or j < text_columns:
                ws.write_string(i, j, _plain(v))
            elif kind in ("date", "time"):
                ws.write_datetime(i, j, pd.Timestamp(v).to_pydatetime(), formats[kind])
            elif j in rate_cols:
                ws.write_number(i, j, float(v), formats["pct"])
            else:
                ws.write_number(i, j, float(v))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(table), 1), len(table.columns) - 1)


def to_geojson_bytes(villages: pd.DataFrame, geometries: dict[str, dict]) -> bytes:
    """`geometries` maps a 12-digit code to a GeoJSON geometry (dict)."""
    features = []
    for row in villages.itertuples(index=False):
        end = row.contract_end
        props = {"code": row.code, "name": row.name, "township": row.township, "status": row.status,
                 "status_label": status_label(row.status), "advisers": row.advisers, "orgs": row.orgs,
                 "phones": getattr(row, "phones", None),
                 "contract_end": None if pd.isna(end) else day(end), "service_status": row.service_status,
                 "last_onsite": None if pd.isna(row.last_onsite) else day(row.last_onsite)}
        props = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in props.items()}
        features.append({"type": "Feature", "properties": props, "geometry": geometries.get(row.code)})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()
