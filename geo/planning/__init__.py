"""补缺建议 / the gap plan: who can take each uncovered village, by phase (geopandas-style subpackage).

* :mod:`.locate`   - where villages are, and what kind of place each location is (distances, centres and where
  an adviser is: :mod:`geo.core.sphere`);
* :mod:`.solve`    - candidates (KD-tree) and the exact assignment (scipy's sparse LAPJV);
* :mod:`.result`   - :class:`GapPlan` and :class:`PlanSummary`, and their JSON form;
* :mod:`.plan`     - :func:`plan_gaps` (store in, plan out) and the pure :func:`make_plan`;
* :mod:`.output`   - the plan as .xlsx / .csv / .json files and as the tables the page shows.
"""
from geo.planning.plan import DEFAULT_CAP, MAX_GAPS, make_plan, plan_gaps, too_large
from geo.planning.result import GapPlan, PlanSummary

__all__ = ["DEFAULT_CAP", "MAX_GAPS", "GapPlan", "PlanSummary", "make_plan", "plan_gaps", "too_large"]
