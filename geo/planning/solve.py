"""The assignment: which adviser with room takes which uncovered village.

The objective, in this order: as many villages as possible get an adviser, no adviser above the cap, no
distance above the limit; among those plans, the least total distance.  It is solved exactly as a sparse
linear assignment (LAPJVsp, :func:`scipy.sparse.csgraph.min_weight_full_bipartite_matching`):

* each adviser's free places (cap minus current load) become that many *slots*, identical columns;
* each village may take a slot of one of its candidate advisers, at the distance in whole units;
* a village (or a slot) may also stay empty, at a cost ``BIG`` higher than any plan's total distance, so
  that one more village placed always beats any saving in kilometres (the lexicographic objective);
* the smaller side is the one matched in full (slots when places are scarce, villages when they are not),
  which keeps the matrix small either way.

Scaling.  Candidates are each village's ``neighbours`` nearest advisers with room within the distance limit,
found with a KD-tree on 3-D unit vectors; the graph is split into its connected components, each solved on its
own (exact: the objective adds up over components).  **The trade-off**: the plan is optimal among those
candidates.  It equals the unrestricted optimum whenever every village's candidate list holds every adviser
within reach (fewer advisers with room than ``neighbours``, or a distance limit tight enough), as in the tests;
otherwise a village whose nearest advisers are all taken could in principle be placed with one further away.
Distances are whole metres (coarser only when a component is so large that the costs would pass 2^50 and lose
float precision), so ties closer than a metre are ties.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching
from scipy.spatial import cKDTree

from geo.core.sphere import chord_of_km, haversine_km, unit_vectors

#: candidate advisers per village
DEFAULT_NEIGHBOURS = 12
#: a cost sum is kept below this, where float64 still adds whole units exactly
_PRECISION = 2.0 ** 50


@dataclass(frozen=True)
class Candidates:
    """Candidate pairs, sorted by village then distance: village and adviser indexes, km."""

    village: np.ndarray
    adviser: np.ndarray
    km: np.ndarray

    def __len__(self) -> int:
        return len(self.village)


def candidate_pairs(v_lon, v_lat, a_lon, a_lat, spare: np.ndarray, neighbours: int = DEFAULT_NEIGHBOURS,
                    max_km: float | None = None) -> Candidates:
    """Each village's nearest advisers with room (spare > 0), up to `neighbours`, within `max_km`.

    Villages or advisers with a NaN coordinate (not located) get no candidates."""
    v_ok = np.flatnonzero(~(np.isnan(v_lon) | np.isnan(v_lat)))
    a_ok = np.flatnonzero((np.asarray(spare) > 0) & ~(np.isnan(a_lon) | np.isnan(a_lat)))
    if not len(v_ok) or not len(a_ok):
        return Candidates(*(np.array([], dtype=t) for t in ("int64", "int64", "float64")))
    k = min(neighbours, len(a_ok))
    bound = chord_of_km(max_km) * (1 + 1e-9) if max_km is not None else np.inf
    tree = cKDTree(unit_vectors(a_lon[a_ok], a_lat[a_ok]))
    _, nearest = tree.query(unit_vectors(v_lon[v_ok], v_lat[v_ok]), k=k, distance_upper_bound=bound)
    nearest = nearest.reshape(len(v_ok), k)
    found = nearest < len(a_ok)                      # a missing neighbour is reported as index len(a_ok)
    village = np.repeat(v_ok, k).reshape(len(v_ok), k)[found]
    adviser = a_ok[nearest[found]]
    km = haversine_km(v_lon[village], v_lat[village], a_lon[adviser], a_lat[adviser])
    keep = km <= max_km if max_km is not None else np.ones(len(km), dtype=bool)
    village, adviser, km = village[keep], adviser[keep], km[keep]
    order = np.lexsort((adviser, km, village))
    return Candidates(village[order], adviser[order], km[order])


def assign(cands: Candidates, n_villages: int, spare: np.ndarray) -> np.ndarray:
    """The adviser index given to each village (-1: none), by the objective of this module."""
    spare = np.asarray(spare, dtype="int64")
    chosen = np.full(n_villages, -1, dtype="int64")
    if not len(cands):
        return chosen
    n_adv = len(spare)
    graph = sp.coo_array((np.ones(len(cands)), (cands.village, n_villages + cands.adviser)),
                         shape=(n_villages + n_adv, n_villages + n_adv))
    _, label = connected_components(graph, directed=False)
    comp = label[cands.village]
    order = np.argsort(comp, kind="stable")
    bounds = np.flatnonzero(np.diff(comp[order])) + 1
    for part in np.split(order, bounds):
        v, a = _solve_component(cands.village[part], cands.adviser[part], cands.km[part], spare)
        chosen[v] = a
    return chosen


def _solve_component(village: np.ndarray, adviser: np.ndarray, km: np.ndarray, spare: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(villages, advisers) placed in one connected component of candidate pairs."""
    v_ids, v_local = np.unique(village, return_inverse=True)
    a_ids, a_local = np.unique(adviser, return_inverse=True)
    slots = spare[a_ids]
    first_slot = np.concatenate([[0], np.cumsum(slots)[:-1]])
    n_v, n_s = len(v_ids), int(slots.sum())
    # every pair stands for one edge per free place of its adviser
    reps = slots[a_local]
    row_v = np.repeat(v_local, reps)
    within = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    col_s = np.repeat(first_slot[a_local], reps) + within
    n_small = min(n_v, n_s)
    scale = min(1000.0, (_PRECISION / (n_small + 1) ** 2 - 1) / max(float(km.max()), 1e-9))
    weight = np.rint(np.repeat(km, reps) * scale) + 1          # > 0: the matcher needs non-zero weights
    big = n_small * float(weight.max()) + 1
    if n_s <= n_v:       # places are scarce: every slot gets a village or stays empty
        rows, cols, n_rows, n_cols = col_s, row_v, n_s, n_v
    else:                # villages are scarce: every village gets a slot or stays without one
        rows, cols, n_rows, n_cols = row_v, col_s, n_v, n_s
    empty = np.arange(n_rows)
    matrix = sp.csr_array((np.concatenate([weight, np.full(n_rows, big)]),
                           (np.concatenate([rows, empty]), np.concatenate([cols, n_cols + empty]))),
                          shape=(n_rows, n_cols + n_rows))
    r, c = min_weight_full_bipartite_matching(matrix)
    real = c < n_cols
    r, c = r[real], c[real]
    v_of, s_of = (c, r) if n_s <= n_v else (r, c)
    slot_adviser = np.repeat(np.arange(len(a_ids)), slots)
    return v_ids[v_of], a_ids[slot_adviser[s_of]]
