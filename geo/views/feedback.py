"""Villagers' feedback for a scope and a period as a user may see it: figures per unit, the contradiction list,
and their files (the page, the CLI and the briefing read it here).

The contradiction list names villages and their advisers, never a phone number or a respondent; its comments are
the villagers' own words, passed on as data (a file cell, an escaped table cell), never as markup.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from geo.auth import audit
from geo.auth.access import Principal, scoped
from geo.core.codes import LEVEL_OF_NAME, Scope
from geo.core.dates import as_date
from geo.core.feedback import DAY_OFFSET, DEFAULT_MIN_REPORTS, Period, parse_period
from geo.core.service_rule import DEFAULT_SERVICE, ServiceSettings
from geo.outputs.export import ExportError, to_csv_bytes, to_xlsx_bytes
from geo.store import Store
from geo.text.catalogue import t
from geo.text.formats import date_cell

#: the per-unit columns, as shown and exported (key, catalogue key)
UNIT_COLUMNS = (("code", "col.code"), ("name", "col.name"), ("villages", "col.villages"),
                ("responses", "fb.col.responses"), ("satisfaction_mean", "fb.col.satisfaction"),
                ("reached_share", "fb.col.reached_share"), ("never_seen", "fb.col.never_seen"),
                ("never_seen_villages", "fb.col.never_seen_villages"),
                ("villages_with_feedback", "fb.col.villages_with_feedback"))
#: the contradiction list's columns, as shown and exported
CONTRADICTION_COLUMNS = (("code", "col.code"), ("name", "col.village"), ("township", "col.township"),
                         ("advisers", "col.advisers"), ("orgs", "col.orgs"), ("last_onsite", "col.last_onsite"),
                         ("never_seen", "fb.col.never_seen"), ("responses", "fb.col.responses"),
                         ("satisfaction_mean", "fb.col.satisfaction"), ("reached_share", "fb.col.reached_share"),
                         ("first_report", "fb.col.first_report"), ("last_report", "fb.col.last_report"))


@dataclass(frozen=True)
class FeedbackReport:
    """Feedback of `scope` (limited to the user's jurisdiction; `narrowed`: asked wider) over `period`."""

    scope: Scope
    period: Period
    level: int | None               # the level of `units` (None: a village, which has no units)
    units: pd.DataFrame             # Store.feedback_summary
    totals: pd.Series               # Store.feedback_totals
    contradictions: pd.DataFrame    # Store.contradictions
    min_reports: int
    narrowed: bool

    @property
    def as_of(self) -> dt.date:
        return self.period.end


def report_period(as_of: dt.date | str, period: str | Period | None = None,
                  service: ServiceSettings = DEFAULT_SERVICE) -> Period:
    """The period a report counts: `period` as typed (geo.core.feedback.parse_period), else the service window
    ending on `as_of`."""
    return period if isinstance(period, Period) else parse_period(period, as_date(as_of), service)


def feedback_report(store: Store, principal: Principal, scope: Scope, as_of: dt.date | str,
                    period: str | Period | None = None, *, by: str | int | None = None,
                    service: ServiceSettings = DEFAULT_SERVICE,
                    min_reports: int = DEFAULT_MIN_REPORTS) -> FeedbackReport:
    """The feedback of `scope` limited to the principal's jurisdiction, per unit one level down (or `by`)."""
    limited = scoped(principal, scope)
    counted = report_period(as_of, period, service)
    level = (LEVEL_OF_NAME[by] if isinstance(by, str) else by) if by else store.child_level(limited)
    units = store.feedback_summary(limited, counted, by=level) if level else pd.DataFrame()
    return FeedbackReport(limited, counted, level, units, store.feedback_totals(limited, counted),
                          store.contradictions(limited, counted, service, min_reports=min_reports),
                          max(1, int(min_reports)), limited != scope)


def local_day(value: Any) -> dt.date | str:
    """A stored UTC time as the China day it fell on (a date cell), "" for none."""
    return "" if value is None or pd.isna(value) else date_cell(pd.Timestamp(value) + DAY_OFFSET)


def _rounded(values: pd.Series, digits: int) -> list:
    return ["" if pd.isna(v) else round(float(v), digits) for v in values]


def unit_table(units: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The per-unit figures with labelled columns (mean satisfaction to two places, the reached share to 0.1 %)."""
    out = units[[c for c, _ in UNIT_COLUMNS]].copy()
    out["satisfaction_mean"] = _rounded(out["satisfaction_mean"], 2)
    out["reached_share"] = _rounded(out["reached_share"], 3)
    out.columns = [t(key, lang) for _, key in UNIT_COLUMNS]
    return out


def contradiction_table(contradictions: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The contradiction list with labelled columns: days as date cells (reports on China days), the rest as
    stored."""
    out = contradictions[[c for c, _ in CONTRADICTION_COLUMNS]].copy()
    out["last_onsite"] = [date_cell(d) for d in out["last_onsite"]]
    for col in ("first_report", "last_report"):
        out[col] = [local_day(v) for v in out[col]]
    out["satisfaction_mean"] = _rounded(out["satisfaction_mean"], 2)
    out["reached_share"] = _rounded(out["reached_share"], 3)
    out = out.fillna("")
    out.columns = [t(key, lang) for _, key in CONTRADICTION_COLUMNS]
    return out


def contradiction_bytes(contradictions: pd.DataFrame, fmt: str, lang: str = "zh") -> bytes:
    """The contradiction list as an .xlsx or .csv file (both guarded against formulas: geo.outputs.export)."""
    table = contradiction_table(contradictions, lang)
    if fmt == "xlsx":
        return to_xlsx_bytes(table, sheet=t("fb.contradictions", lang)[:31])
    if fmt == "csv":
        return to_csv_bytes(table)
    raise ExportError(key="export.e.format", params={"ext": f".{fmt}"})


def write_contradictions(path: str | Path, contradictions: pd.DataFrame, lang: str = "zh") -> Path:
    """Write the contradiction list to .xlsx or .csv, chosen by the file's extension."""
    path = Path(path)
    path.write_bytes(contradiction_bytes(contradictions, path.suffix.lower().lstrip("."), lang))
    return path


def contradictions_record(report: FeedbackReport, fmt: str) -> dict[str, Any]:
    """The audit detail of a download of the contradiction list; the CLI and the page both write it."""
    return {"what": "contradictions", "format": fmt, "as_of": report.as_of, "period": str(report.period),
            "min_reports": report.min_reports, "rows": len(report.contradictions)}


def record_contradictions(store: Store, principal: Principal, report: FeedbackReport, fmt: str) -> None:
    """The download of the contradiction list in the audit trail, on the scope it was limited to."""
    principal.require("export")
    audit.record(store, principal, "export", report.scope, contradictions_record(report, fmt))


def to_json(report: FeedbackReport) -> list[dict[str, Any]]:
    """The contradiction list as JSON records (the CLI without -o): days ISO, rates as numbers or null."""
    def number(v) -> float | None:
        return None if pd.isna(v) else round(float(v), 4)

    return [{"code": r.code, "name": r.name, "township": r.township, "advisers": r.advisers,
             "last_onsite": None if pd.isna(r.last_onsite) else pd.Timestamp(r.last_onsite).date().isoformat(),
             "never_seen": int(r.never_seen), "responses": int(r.responses),
             "satisfaction_mean": number(r.satisfaction_mean), "reached_share": number(r.reached_share),
             "first_report": str(local_day(r.first_report)), "last_report": str(local_day(r.last_report))}
            for r in report.contradictions.itertuples(index=False)]
