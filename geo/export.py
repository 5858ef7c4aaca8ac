"""Gap lists and summaries written as files a county official opens in Excel.

* .xlsx - codes and phone numbers are written as text (never 6.10124E+11); every string is a text cell
  (write_string), which Excel never evaluates, so "=1+1" stays exactly "=1+1", with no apostrophe added.
* .csv  - UTF-8 with a BOM so Excel shows the Chinese; a CSV cell has no type, so text that Excel would read as
  a formula is prefixed with an apostrophe (:func:`neutralize`).
* .geojson - one feature per village, with its boundary where the store has one (null geometry otherwise).
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd

from .errors import UserError
from .formats import contract_end, day
from .i18n import status_label, t

#: what a spreadsheet treats as the start of a formula (OWASP CSV-injection list)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")

VILLAGE_COLUMNS = ["code", "name", "township", "status", "advisers", "orgs", "phones", "contract_end",
                   "service_status", "last_onsite"]
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


def village_table(villages: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The gap-list table as it is exported and shown: labelled columns, statuses in words."""
    out = villages[VILLAGE_COLUMNS].copy()
    out["status"] = out["status"].map(lambda s: status_label(s, lang))
    out["contract_end"] = [contract_end(end, lang) if people else ""      # no adviser: no contract to end
                           for end, people in zip(out["contract_end"], out["advisers"].notna())]
    out["service_status"] = out["service_status"].map(lambda s: t(f"svc.status.{s}", lang))
    out["last_onsite"] = [day(d) if not pd.isna(d) else "" for d in out["last_onsite"]]
    out = out.fillna("")
    out.columns = [t(f"col.{c}" if c != "name" else "col.village", lang) for c in VILLAGE_COLUMNS]
    return out


def summary_table(summary: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    out = summary[SUMMARY_COLUMNS].copy()
    for col in ("coverage_rate", "served_rate"):
        out[col] = out[col].round(4)
    for col in _YES_NO:
        out[col] = out[col].map({True: t("yes", lang), False: t("no", lang)})
    out.columns = [t(f"col.{c}", lang) for c in SUMMARY_COLUMNS]
    return out


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralize(str(c)) for c in table.columns])
    for row in table.itertuples(index=False):
        writer.writerow(["" if v is None else neutralize(v if isinstance(v, str) else str(v)) for v in row])
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


def to_xlsx_bytes(table: pd.DataFrame, sheet: str = "Sheet1", text_columns: int = 1) -> bytes:
    """An .xlsx; the first `text_columns` columns and every string cell are written as text."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    ws = book.add_worksheet(sheet[:31])
    head = book.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
    pct = book.add_format({"num_format": "0.0%"})
    for j, col in enumerate(table.columns):
        ws.write_string(0, j, str(col), head)
        width = max([len(str(col))] + [len(str(v)) for v in table.iloc[:200, j]]) * 1.8 + 2
        ws.set_column(j, j, min(width, 50))
    rate_cols = {j for j, c in enumerate(table.columns) if "rate" in str(c) or "率" in str(c)}
    for i, row in enumerate(table.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            if v is None or (isinstance(v, float) and pd.isna(v)):
                continue
            if isinstance(v, str) or j < text_columns:
                ws.write_string(i, j, str(v))
            elif j in rate_cols:
                ws.write_number(i, j, float(v), pct)
            else:
                ws.write_number(i, j, float(v))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(table), 1), len(table.columns) - 1)
    book.close()
    return buf.getvalue()


def to_geojson_bytes(villages: pd.DataFrame, geometries: dict[str, dict]) -> bytes:
    """`geometries` maps a 12-digit code to a GeoJSON geometry (dict)."""
    features = []
    for row in villages.itertuples(index=False):
        end = row.contract_end
        props = {"code": row.code, "name": row.name, "township": row.township, "status": row.status,
                 "status_label": status_label(row.status), "advisers": row.advisers, "orgs": row.orgs,
                 "phones": row.phones,
                 "contract_end": None if pd.isna(end) else day(end), "service_status": row.service_status,
                 "last_onsite": None if pd.isna(row.last_onsite) else day(row.last_onsite)}
        props = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in props.items()}
        features.append({"type": "Feature", "properties": props, "geometry": geometries.get(row.code)})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


def write(path: str | Path, villages: pd.DataFrame, geometries: dict[str, dict] | None = None,
          lang: str = "zh") -> Path:
    """Write a village list to .xlsx, .csv or .geojson, chosen by the file's extension."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".xlsx":
        data = to_xlsx_bytes(village_table(villages, lang), sheet=t("col.village", lang))
    elif ext == ".csv":
        data = to_csv_bytes(village_table(villages, lang))
    elif ext in (".geojson", ".json"):
        data = to_geojson_bytes(villages, geometries or {})
    else:
        raise ExportError(f"不支持的导出格式“{ext}”，请用 .xlsx、.csv 或 .geojson / "
                          f"unsupported export format '{ext}': use .xlsx, .csv or .geojson")
    path.write_bytes(data)
    return path
