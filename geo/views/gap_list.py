"""The gap list: the statuses it offers and shows by default, how its rows are tallied, paged and counted by
unit; and, once for the CLI and the page, its rows as one user may have them and the audit row of their download.

:func:`gap_list` (or :func:`listed`, for rows read already) is the one way to the rows of a gap-list file: limited
to the user's jurisdiction, without the phone numbers for a user who may not see them; :func:`export_record` is
the one shape of its audit row, which :func:`record_export` writes.  The same for the counties without a ledger
(:func:`no_data_counties`, :func:`no_data_record`).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from geo.auth import audit
from geo.auth.access import Principal, scoped
from geo.core.codes import LEVEL_ENDS, Scope
from geo.core.coverage import DEFAULT_EXPIRING_DAYS, GAP_STATUSES, Status
from geo.core.dates import as_date
from geo.core.service_rule import DEFAULT_SERVICE, ServiceSettings, ServiceStatus
from geo.outputs.export import ExportError, to_csv_bytes, to_geojson_bytes, to_xlsx_bytes
from geo.store import Store
from geo.text.catalogue import status_label, t
from geo.text.formats import date_cell

#: every status, in the order the list offers and tallies them: the coverage statuses, then nominal (挂名: a
#: contract nobody visits, geo.core.service_rule), which a planner can ask for like any other
STATUSES = (*(s.value for s in Status), ServiceStatus.NOMINAL.value)
#: what the list shows until the user picks otherwise: every village that needs action
DEFAULT_STATUSES = tuple(s.value for s in GAP_STATUSES)


def listed_status(status: str, service_status: str, selected: Iterable[str]) -> str:
    """The status a listed village is tallied under: nominal when the list asks for nominal villages and it is
    one, else its coverage status."""
    nominal = ServiceStatus.NOMINAL.value
    return nominal if service_status == nominal and nominal in selected else status


def listed_statuses(villages: pd.DataFrame, selected: Iterable[str]) -> pd.Series:
    """:func:`listed_status` of every row of `villages` (status, service_status) at once: a national list has
    600,000 rows."""
    nominal = ServiceStatus.NOMINAL.value
    if nominal not in set(selected):
        return villages["status"].astype(str)
    return villages["status"].astype(str).where(villages["service_status"] != nominal, nominal)


def status_tally(statuses: Iterable[str]) -> list[tuple[str, int]]:
    """(status, villages) for each status present among `statuses` (one per listed village), in list order."""
    tally = Counter(statuses)
    return [(s, tally[s]) for s in STATUSES if tally[s]]


#: rows of the list drawn per page: a national list has hundreds of thousands (the download has them all)
PAGE_ROWS = 100
#: the most rows an .xlsx of the list is built with: beyond, building it takes minutes and gigabytes (600,000
#: rows: 47 s, 4 GB); the CSV has every row, or a smaller scope makes a smaller workbook
XLSX_MAX_ROWS = 100_000


def page_count(rows: int, size: int = PAGE_ROWS) -> int:
    """Pages of `size` rows that `rows` fill (at least one)."""
    return max(1, -(-rows // size))


def page_rows(rows: int, page: int, size: int = PAGE_ROWS) -> slice:
    """The rows of page `page` (1-based; clamped to the pages there are)."""
    page = min(max(1, page), page_count(rows, size))
    return slice((page - 1) * size, min(page * size, rows))


def by_unit(villages: pd.DataFrame, level: int, statuses: Iterable[str]) -> pd.DataFrame:
    """The listed villages counted per unit of `level` (the scope's child level): code (12 digits), villages, and
    one column per status of `statuses` present (tallied as :func:`listed_status`), most villages first."""
    end = LEVEL_ENDS[level - 1]
    frame = pd.DataFrame({"code": villages["code"].astype(str).str[:end].str.ljust(12, "0"),
                          "status": listed_statuses(villages, statuses).to_numpy()})
    table = pd.crosstab(frame["code"], frame["status"])
    table = table[[s for s in STATUSES if s in table.columns]]
    table.insert(0, "villages", table.sum(axis=1))
    return table.sort_values("villages", ascending=False, kind="stable").reset_index()


def tally_of_counts(counts: pd.DataFrame, selected: Iterable[str]) -> list[tuple[str, int]]:
    """:func:`status_tally` of the villages counted by ``Store.village_status_counts`` (code, status,
    service_status, villages), without their rows."""
    sums = counts["villages"].groupby(listed_statuses(counts, selected).to_numpy()).sum()
    return [(s, int(sums[s])) for s in STATUSES if s in sums.index and sums[s]]


def by_unit_of_counts(counts: pd.DataFrame, statuses: Iterable[str]) -> pd.DataFrame:
    """:func:`by_unit` of the villages counted per unit by ``Store.village_status_counts`` (its ``by`` the
    scope's child level), without their rows."""
    frame = pd.DataFrame({"code": counts["code"].astype(str).to_numpy(),
                          "status": listed_statuses(counts, statuses).to_numpy(),
                          "villages": counts["villages"].astype("int64").to_numpy()})
    table = frame.pivot_table(index="code", columns="status", values="villages", aggfunc="sum", fill_value=0)
    table = table[[s for s in STATUSES if s in table.columns]].astype("int64")
    table.insert(0, "villages", table.sum(axis=1))
    return table.sort_values("villages", ascending=False, kind="stable").reset_index()


# ------------------------------------------------------------------------------ the rows one user may have

VILLAGE_COLUMNS = ["code", "name", "township", "status", "advisers", "orgs", "phones", "contract_end",
                   "service_status", "last_onsite"]
#: what only a logged-in user (or anyone in open mode) gets: the gap list carries no licence numbers
CONTACT_COLUMNS = ("phones",)


@dataclass(frozen=True)
class GapList:
    """The villages of a gap list as one user may have them: `scope` is already limited to their jurisdiction
    (`narrowed`: it was asked wider), and without :data:`CONTACT_COLUMNS` when `contacts` is false."""

    scope: Scope
    as_of: dt.date
    statuses: tuple[str, ...]
    township: str | None
    villages: pd.DataFrame
    contacts: bool
    narrowed: bool


def gap_scope(principal: Principal, scope: Scope) -> Scope:
    """The scope a gap list of `principal` reads: `scope` limited to their jurisdiction (refused to one who may
    not export)."""
    principal.require("export")
    return scoped(principal, scope)


def listed(principal: Principal, scope: Scope, as_of: dt.date | str, statuses: Iterable[str] | None,
           township: str | None, villages: pd.DataFrame) -> GapList:
    """The gap list of `villages`, read for :func:`gap_scope` of `scope` (the page reads them through its cache),
    without the contacts for a principal who may not see them."""
    limited = gap_scope(principal, scope)
    if not principal.sees_contacts:
        villages = villages.drop(columns=list(CONTACT_COLUMNS))
    return GapList(limited, as_date(as_of), tuple(statuses or ()), township, villages, principal.sees_contacts,
                   limited != scope)


def gap_list(store: Store, principal: Principal, scope: Scope, as_of: dt.date | str, statuses=None,
             township: str | None = None, expiring_days: int = DEFAULT_EXPIRING_DAYS,
             service: ServiceSettings = DEFAULT_SERVICE) -> GapList:
    """The villages of `scope` (limited to the principal's jurisdiction) with the `statuses` asked for."""
    villages = store.village_statuses(gap_scope(principal, scope), as_date(as_of),
                                      statuses=list(statuses) if statuses else None, township=township,
                                      expiring_days=expiring_days, service=service)
    return listed(principal, scope, as_of, statuses, township, villages)


def export_record(gap: GapList, what: str, fmt: str) -> dict[str, Any]:
    """The audit detail of a download of `gap` as a `fmt` file (xlsx, csv, geojson): what, as of when, which
    statuses and township, how many rows, with or without the contacts.  The CLI and the page both write it."""
    return {"what": what, "format": fmt, "as_of": gap.as_of, "statuses": list(gap.statuses),
            "township": gap.township, "rows": len(gap.villages), "contacts": gap.contacts}


def record_export(store: Store, principal: Principal, gap: GapList, what: str, fmt: str) -> None:
    """The download of `gap` in the audit trail (:func:`export_record`), on the scope it was limited to."""
    audit.record(store, principal, "export", gap.scope, export_record(gap, what, fmt))


def village_table(villages: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The gap-list table as it is exported and shown: labelled columns, statuses in words (the phone column
    only when `villages` has it: see :func:`gap_list`)."""
    columns = [c for c in VILLAGE_COLUMNS if c in villages.columns]
    out = villages[columns].copy()
    out["status"] = out["status"].map(lambda s: status_label(s, lang))
    out["contract_end"] = [(t("open_ended", lang) if pd.isna(end) else date_cell(end)) if people
                           else ""                                  # no adviser: no contract to end
                           for end, people in zip(out["contract_end"], out["advisers"].notna())]
    out["service_status"] = out["service_status"].map(lambda s: t(f"svc.status.{s}", lang))
    out["last_onsite"] = [date_cell(d) for d in out["last_onsite"]]
    out = out.fillna("")
    out.columns = [t(f"col.{c}" if c != "name" else "col.village", lang) for c in columns]
    return out


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
        raise ExportError(key="export.e.format", params={"ext": ext})
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------------------ counties without a ledger

@dataclass(frozen=True)
class NoDataCounties:
    """The counties of a scope (limited to the user's jurisdiction) that have not imported a ledger by `as_of`:
    no data at every level (geo.core.coverage), left out of the gap list, the first ones a planner chases."""

    scope: Scope
    as_of: dt.date
    counties: pd.DataFrame      # code, name, city, province, villages (Store.no_data_counties)
    narrowed: bool

    @property
    def villages(self) -> int:
        return int(self.counties["villages"].sum())


def no_data_listed(principal: Principal, scope: Scope, as_of: dt.date | str, counties: pd.DataFrame) -> NoDataCounties:
    """The counties without data of `counties`, read for :func:`gap_scope` of `scope`."""
    limited = gap_scope(principal, scope)
    return NoDataCounties(limited, as_date(as_of), counties, limited != scope)


def no_data_counties(store: Store, principal: Principal, scope: Scope, as_of: dt.date | str) -> NoDataCounties:
    """The counties of `scope` (limited to the principal's jurisdiction) without data on `as_of`."""
    return no_data_listed(principal, scope, as_of,
                          store.no_data_counties(gap_scope(principal, scope), as_date(as_of)))


def no_data_record(missing: NoDataCounties, fmt: str) -> dict[str, Any]:
    """The audit detail of a download of the counties without a ledger; the CLI and the page both write it."""
    return {"what": "no_data_counties", "format": fmt, "as_of": missing.as_of, "rows": len(missing.counties)}


def record_no_data(store: Store, principal: Principal, missing: NoDataCounties, fmt: str) -> None:
    """The download of `missing` in the audit trail (:func:`no_data_record`)."""
    audit.record(store, principal, "export", missing.scope, no_data_record(missing, fmt))


#: the columns of the list of counties without a ledger, as exported and shown
COUNTY_COLUMNS = (("code", "col.county_code"), ("name", "col.county"), ("city", "col.city"),
                  ("province", "col.province"), ("villages", "col.villages"))


def county_table(counties: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The list of counties without a ledger with labelled columns (the code a text cell, villages a number)."""
    out = counties[[c for c, _ in COUNTY_COLUMNS]].copy()
    out["villages"] = out["villages"].astype("int64")
    out.columns = [t(key, lang) for _, key in COUNTY_COLUMNS]
    return out


def write_counties(path: str | Path, counties: pd.DataFrame, lang: str = "zh") -> Path:
    """Write the list of counties without a ledger to .xlsx or .csv, chosen by the file's extension."""
    path = Path(path)
    ext = path.suffix.lower()
    table = county_table(counties, lang)
    if ext == ".xlsx":
        data = to_xlsx_bytes(table, sheet=t("nodata.sheet", lang))
    elif ext == ".csv":
        data = to_csv_bytes(table)
    else:
        raise ExportError(key="export.e.counties_format", params={"ext": ext})
    path.write_bytes(data)
    return path
