"""The result objects of a gap plan (spopt-style: a frame of rows and a summary), and their JSON form."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: the columns of :attr:`GapPlan.villages`
VILLAGE_COLUMNS = ["code", "name", "township_code", "township", "county", "status", "adviser_id", "adviser_licence_no",
                   "adviser_name", "adviser_org", "distance_km", "location_kind", "adviser_location_kind",
                   "alternatives"]
#: the columns of :attr:`GapPlan.leftover`
LEFTOVER_COLUMNS = ["township_code", "township", "county", "villages", "new_advisers"]


@dataclass(frozen=True)
class PlanSummary:
    """The plan in figures, for the scope and day it was made for."""

    villages: int            # real villages in scope
    covered: int             # covered today (expiring included)
    uncovered: int           # lapsed + never: the villages planned for
    assigned: int            # of those, given an adviser by the plan
    total_km: float          # sum of the assigned distances
    new_advisers: int        # advisers still needed at the cap: sum over townships of ceil(left / cap)
    cap: int
    max_km: float | None

    @property
    def needs_new(self) -> int:
        return self.uncovered - self.assigned

    @property
    def coverage_rate_now(self) -> float:
        return self.covered / self.villages if self.villages else 0.0

    @property
    def coverage_rate_after(self) -> float:
        """The what-if: the rate if every proposal were signed (nothing is written)."""
        return (self.covered + self.assigned) / self.villages if self.villages else 0.0

    def to_json(self) -> dict:
        return {"uncovered": self.uncovered, "assigned": self.assigned, "needs_new": self.needs_new,
                "coverage_rate_now": round(self.coverage_rate_now, 6),
                "coverage_rate_after": round(self.coverage_rate_after, 6),
                "villages": self.villages, "covered": self.covered, "total_km": round(self.total_km, 3),
                "new_advisers": self.new_advisers, "cap": self.cap, "max_km": self.max_km}


@dataclass(frozen=True)
class GapPlan:
    """A proposal for every uncovered village of a scope on a day.

    ``villages``: one row per uncovered village (columns :data:`VILLAGE_COLUMNS`; adviser columns empty and
    distance NaN where a new adviser is needed; ``alternatives`` a list of up to two dicts licence_no, name,
    distance_km); ``leftover``: the townships with villages left, most first (:data:`LEFTOVER_COLUMNS`).
    """

    villages: pd.DataFrame
    leftover: pd.DataFrame
    summary: PlanSummary

    def to_json(self) -> dict:
        return {"villages": [_village_json(r) for r in self.villages.itertuples(index=False)],
                "summary": {**self.summary.to_json(),
                            "leftover_townships": [
                                {"code": r.township_code, "name": r.township, "county": _text(r.county),
                                 "villages": int(r.villages),
                                 "new_advisers": int(r.new_advisers)}
                                for r in self.leftover.itertuples(index=False)]}}


def _text(value) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _village_json(row) -> dict:
    km = row.distance_km
    return {"code": row.code, "name": row.name, "township": _text(row.township), "status": row.status,
            "adviser_licence_no": _text(row.adviser_licence_no), "adviser_name": _text(row.adviser_name),
            "adviser_org": _text(row.adviser_org),
            "distance_km": None if pd.isna(km) else round(float(km), 3),
            "location_kind": row.location_kind, "adviser_location_kind": _text(row.adviser_location_kind),
            "alternatives": [{"licence_no": _text(a["licence_no"]), "name": _text(a["name"]),
                              "distance_km": round(float(a["distance_km"]), 3)} for a in row.alternatives]}
