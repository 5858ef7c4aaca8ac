"""The gap plan as people read it: the page's tables and the files (.xlsx, .csv through geo.outputs.export's safe
writers,
and .json as ``python -m geo plan`` promises it)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from geo.outputs.export import ExportError, to_csv_bytes, to_xlsx_book
from geo.planning.result import GapPlan
from geo.text.catalogue import status_label, t
from geo.text.formats import count, pct

#: catalogue key of each column of the plan table, in order
PLAN_COLUMNS = (("code", "col.code"), ("name", "col.village"), ("township", "col.township"),
                ("status", "col.status"), ("adviser", "plan.col.adviser"), ("licence", "plan.col.licence"),
                ("org", "plan.col.org"), ("distance", "plan.col.distance"), ("village_at", "plan.col.village_at"),
                ("adviser_at", "plan.col.adviser_at"), ("alternatives", "plan.col.alternatives"))
LEFTOVER_COLUMNS = (("township_code", "col.code"), ("township", "col.township"), ("county", "col.county"),
                    ("villages", "plan.col.villages_left"), ("new_advisers", "plan.col.new_advisers"))


def km_text(km: float) -> str:
    return f"{km:.1f}"


def _alternatives_text(alternatives: list[dict], lang: str) -> str:
    return t("plan.alt_sep", lang).join(t("plan.alt", lang, name=a["name"], km=km_text(a["distance_km"]))
                                        for a in alternatives)


def plan_table(plan: GapPlan, lang: str = "zh") -> pd.DataFrame:
    """One row per uncovered village, labelled columns, kinds and statuses in words."""
    v = plan.villages
    taken = v["adviser_id"].notna().to_numpy()
    cols = {
        "code": v["code"], "name": v["name"], "township": v["township"].fillna(""),
        "status": v["status"].map(lambda s: status_label(s, lang)),
        "adviser": v["adviser_name"].where(taken, t("plan.new_needed", lang)),
        "licence": v["adviser_licence_no"].fillna(""), "org": v["adviser_org"].fillna(""),
        "distance": [round(float(d), 1) if ok else "" for d, ok in zip(v["distance_km"], taken)],
        "village_at": v["location_kind"].map(lambda k: t(f"loc.{k}", lang)),
        "adviser_at": [t(f"loc.{k}", lang) if ok else "" for k, ok in zip(v["adviser_location_kind"], taken)],
        "alternatives": [_alternatives_text(a, lang) for a in v["alternatives"]]}
    out = pd.DataFrame({name: list(cols[name]) for name, _ in PLAN_COLUMNS})
    out.columns = [t(key, lang) for _, key in PLAN_COLUMNS]
    return out


def leftover_table(plan: GapPlan, lang: str = "zh") -> pd.DataFrame:
    out = plan.leftover[[name for name, _ in LEFTOVER_COLUMNS]].copy()
    out[["township", "county"]] = out[["township", "county"]].fillna("")
    out.columns = [t(key, lang) for _, key in LEFTOVER_COLUMNS]
    return out


def xlsx_bytes(plan: GapPlan, lang: str = "zh") -> bytes:
    return to_xlsx_book([(t("plan.sheet.villages", lang), plan_table(plan, lang)),
                         (t("plan.sheet.leftover", lang), leftover_table(plan, lang))])


def csv_bytes(plan: GapPlan, lang: str = "zh") -> bytes:
    return to_csv_bytes(plan_table(plan, lang))


def json_bytes(plan: GapPlan, lang: str = "zh") -> bytes:
    return json.dumps(plan.to_json(), ensure_ascii=False, indent=1).encode()


#: file extension -> writer
WRITERS = {".xlsx": xlsx_bytes, ".csv": csv_bytes, ".json": json_bytes}


def write_plan(path: str | Path, plan: GapPlan, lang: str = "zh") -> Path:
    """Write the plan to .xlsx (the plan and the townships' needs, two sheets), .csv (the plan) or .json."""
    path = Path(path)
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        raise ExportError(key="plan.bad_format", params={"ext": path.suffix})
    path.write_bytes(writer(plan, lang))
    return path


def written_line(plan: GapPlan, path: str, lang: str | None) -> str:
    """The CLI's closing line, in `lang` or both languages."""
    s = plan.summary
    values = {"path": path, "uncovered": count(s.uncovered), "assigned": count(s.assigned),
              "needs_new": count(s.needs_new), "now": pct(s.coverage_rate_now), "after": pct(s.coverage_rate_after)}
    if lang:
        return t("plan.written", lang, **values)
    return f"{t('plan.written', 'zh', **values)} / {t('plan.written', 'en', **values)}"
