"""The gap plan for a scope and a day: read, locate, find candidates, assign, tally.

:func:`plan_gaps` reads the store once (:meth:`geo.store.Store.plan_inputs`); :func:`make_plan` is the pure
rest, so it can be run on hand-built inputs.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from geo.core.codes import Scope
from geo.core.coverage import Status
from geo.core.sphere import locate_advisers
from geo.planning.locate import locate_villages
from geo.planning.result import LEFTOVER_COLUMNS, VILLAGE_COLUMNS, GapPlan, PlanSummary
from geo.planning.solve import DEFAULT_NEIGHBOURS, Candidates, assign, candidate_pairs
from geo.store.planning import PlanInputs

#: villages per adviser that a provincial standard allows (安徽's service guide: at most 5)
DEFAULT_CAP = 5
#: alternative advisers listed beside each proposal
ALTERNATIVES = 2
UNCOVERED = (Status.LAPSED.value, Status.NEVER.value)
COVERED = (Status.COVERED.value, Status.EXPIRING.value)


def plan_gaps(store, scope: Scope, as_of: dt.date | str, cap: int = DEFAULT_CAP, max_km: float | None = None,
              neighbours: int = DEFAULT_NEIGHBOURS) -> GapPlan:
    """The plan for the uncovered villages of `scope` on `as_of` (nothing is written)."""
    return make_plan(store.plan_inputs(scope, as_of), cap=cap, max_km=max_km, neighbours=neighbours)


def make_plan(inputs: PlanInputs, cap: int = DEFAULT_CAP, max_km: float | None = None,
              neighbours: int = DEFAULT_NEIGHBOURS) -> GapPlan:
    if cap < 1:
        raise ValueError("cap must be at least 1")
    village_points = locate_villages(inputs.villages, inputs.geoms, inputs.county_outlines)
    adviser_points = locate_advisers(inputs.advisers, inputs.served, village_points)
    gaps = inputs.villages[inputs.villages["status"].isin(UNCOVERED)].reset_index(drop=True)
    gap_points = village_points.loc[gaps["code"].to_numpy()]
    advisers = inputs.advisers.reset_index(drop=True)
    a_points = adviser_points.loc[advisers["adviser_id"].to_numpy()]
    spare = np.maximum(cap - advisers["load"].to_numpy(dtype="int64"), 0)
    cands = candidate_pairs(gap_points["lon"].to_numpy(), gap_points["lat"].to_numpy(),
                            a_points["lon"].to_numpy(), a_points["lat"].to_numpy(), spare, neighbours, max_km)
    chosen = assign(cands, len(gaps), spare)
    rows = _village_rows(gaps, gap_points, advisers, a_points, cands, chosen)
    leftover = _leftover(rows, cap)
    in_scope = inputs.villages[inputs.villages["in_scope"].astype(bool)]
    summary = PlanSummary(villages=len(in_scope), covered=int(in_scope["status"].isin(COVERED).sum()),
                          uncovered=len(gaps), assigned=int((chosen >= 0).sum()),
                          total_km=float(np.nansum(rows["distance_km"].to_numpy(dtype="float64"))),
                          new_advisers=int(leftover["new_advisers"].sum()), cap=cap, max_km=max_km)
    return GapPlan(rows, leftover, summary)


def _village_rows(gaps: pd.DataFrame, gap_points: pd.DataFrame, advisers: pd.DataFrame, a_points: pd.DataFrame,
                  cands: Candidates, chosen: np.ndarray) -> pd.DataFrame:
    taken = chosen >= 0
    pick = np.where(taken, chosen, 0)
    person = advisers.iloc[pick].reset_index(drop=True) if len(advisers) else None

    def of_person(col: str) -> np.ndarray:
        if person is None:
            return np.full(len(gaps), None, dtype=object)
        return np.where(taken, person[col].to_numpy(dtype=object), None)

    km_of = {(v, a): d for v, a, d in zip(cands.village.tolist(), cands.adviser.tolist(), cands.km.tolist())}
    distance = [km_of[(i, int(a))] if a >= 0 else np.nan for i, a in enumerate(chosen)]
    rows = pd.DataFrame({
        "code": gaps["code"].to_numpy(dtype=object), "name": gaps["name"].to_numpy(dtype=object),
        "township_code": gaps["township_code"].to_numpy(dtype=object),
        "township": gaps["township"].to_numpy(dtype=object), "county": gaps["county"].to_numpy(dtype=object),
        "status": gaps["status"].to_numpy(dtype=object),
        "adviser_id": pd.array(np.where(taken, of_person("adviser_id"), None), dtype="Int64"),
        "adviser_licence_no": of_person("licence_no"), "adviser_name": of_person("name"),
        "adviser_org": of_person("org"), "distance_km": np.asarray(distance, dtype="float64"),
        "location_kind": gap_points["location_kind"].to_numpy(dtype=object),
        "adviser_location_kind": np.where(taken, a_points["location_kind"].to_numpy(dtype=object)[pick], None)
        if len(advisers) else None,
        "alternatives": _alternatives(cands, chosen, advisers, len(gaps))})
    return rows[VILLAGE_COLUMNS]


def _alternatives(cands: Candidates, chosen: np.ndarray, advisers: pd.DataFrame, n: int) -> list[list[dict]]:
    """Up to :data:`ALTERNATIVES` other candidates of each village, nearest first."""
    out: list[list[dict]] = [[] for _ in range(n)]
    names = advisers["name"].to_numpy(dtype=object) if len(advisers) else []
    licences = advisers["licence_no"].to_numpy(dtype=object) if len(advisers) else []
    for v, a, km in zip(cands.village.tolist(), cands.adviser.tolist(), cands.km.tolist()):
        if a != chosen[v] and len(out[v]) < ALTERNATIVES:
            out[v].append({"licence_no": licences[a], "name": names[a], "distance_km": km})
    return out


def _leftover(rows: pd.DataFrame, cap: int) -> pd.DataFrame:
    """Townships with villages left without an adviser, most first, and the new advisers they need at the cap."""
    left = rows[rows["adviser_id"].isna()]
    if left.empty:
        return pd.DataFrame(columns=LEFTOVER_COLUMNS)
    by_town = (left.groupby("township_code", sort=True)
               .agg(township=("township", "first"), county=("county", "first"), villages=("code", "size"))
               .reset_index())
    by_town["new_advisers"] = [math.ceil(n / cap) for n in by_town["villages"]]
    by_town = by_town.sort_values(["villages", "township_code"], ascending=[False, True], kind="stable")
    return by_town[LEFTOVER_COLUMNS].reset_index(drop=True)


#: the most uncovered villages a plan is made for at once: 600,000 (the whole country) take 45 s and gigabytes,
#: a province's tens of thousands a few seconds; beyond, a province or city is asked for instead
MAX_GAPS = 100_000


def too_large(uncovered: int) -> bool:
    """Whether a scope with `uncovered` villages (lapsed or never covered) is beyond what one plan is made for."""
    return uncovered > MAX_GAPS
