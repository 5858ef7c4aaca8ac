"""The gap plan (geo.planning): distances, locations and their kinds, the exact assignment checked against brute
force, the cap and the distance limit, the store's inputs on both backends, the CLI's files."""
from __future__ import annotations

import io
import itertools
import json
import math

import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely

from geo import cli
from geo.core.codes import Scope
from geo.core.sphere import EARTH_RADIUS_KM, haversine_km, locate_advisers
from geo.planning import make_plan, plan_gaps
from geo.planning.locate import locate_villages
from geo.planning.output import plan_table
from geo.planning.solve import assign, candidate_pairs
from geo.store.planning import PlanInputs

KM_PER_DEGREE = 2 * math.pi * EARTH_RADIUS_KM / 360     # along the equator


# --------------------------------------------------------------------------------------------- distances

@pytest.mark.parametrize("a, b, km, tolerance", [
    ((116.4074, 39.9042), (121.4737, 31.2304), 1068, 3),        # 北京 - 上海, as atlases give it
    ((-0.1278, 51.5074), (2.3522, 48.8566), 344, 2),            # London - Paris
    ((0.0, 0.0), (1.0, 0.0), KM_PER_DEGREE, 1e-6),              # one degree of the equator
    ((179.5, 0.0), (-179.5, 0.0), KM_PER_DEGREE, 1e-6),         # across the antimeridian
    ((0.0, 90.0), (0.0, -90.0), math.pi * EARTH_RADIUS_KM, 1e-6),   # pole to pole
    ((108.9, 34.3), (108.9, 34.3), 0.0, 1e-9),
])
def test_haversine_against_known_distances(a, b, km, tolerance):
    assert haversine_km(a[0], a[1], b[0], b[1]) == pytest.approx(km, abs=tolerance)


def test_candidates_are_the_nearest_within_the_limit():
    rng = np.random.default_rng(3)
    v_lon, v_lat = 108 + rng.random(40), 34 + rng.random(40)
    a_lon, a_lat = 108 + rng.random(15), 34 + rng.random(15)
    spare = rng.integers(0, 3, 15)
    cands = candidate_pairs(v_lon, v_lat, a_lon, a_lat, spare, neighbours=4, max_km=40)
    full = haversine_km(v_lon[:, None], v_lat[:, None], a_lon[None, :], a_lat[None, :])
    for v in range(40):
        reach = [a for a in np.argsort(full[v]) if spare[a] > 0 and full[v, a] <= 40][:4]
        assert cands.adviser[cands.village == v].tolist() == reach


# ------------------------------------------------------------------------------------ the assignment itself

def on_equator(km) -> tuple[np.ndarray, np.ndarray]:
    """Points `km` kilometres east of (0, 0) along the equator: distances between them are the differences."""
    km = np.asarray(km, dtype="float64")
    return km / KM_PER_DEGREE, np.zeros_like(km)


def solved(villages_km, advisers_km, spare, max_km=None) -> tuple[int, float, np.ndarray]:
    v_lon, v_lat = on_equator(villages_km)
    a_lon, a_lat = on_equator(advisers_km)
    spare = np.asarray(spare)
    chosen = assign(candidate_pairs(v_lon, v_lat, a_lon, a_lat, spare, max_km=max_km), len(v_lon), spare)
    d = np.abs(np.subtract.outer(np.asarray(villages_km, float), np.asarray(advisers_km, float)))
    return int((chosen >= 0).sum()), float(sum(d[i, a] for i, a in enumerate(chosen) if a >= 0)), chosen


def brute_force(d: np.ndarray, spare, max_km=None) -> tuple[int, float]:
    """(villages placed, total km) of the best plan, by trying every assignment (-1 = none)."""
    best = (0, 0.0)
    for choice in itertools.product(range(-1, d.shape[1]), repeat=d.shape[0]):
        used = np.bincount([a for a in choice if a >= 0], minlength=d.shape[1])
        if (used > spare).any() or any(a >= 0 and max_km is not None and d[i, a] > max_km
                                       for i, a in enumerate(choice)):
            continue
        placed = sum(a >= 0 for a in choice)
        total = sum(d[i, a] for i, a in enumerate(choice) if a >= 0)
        if placed > best[0] or (placed == best[0] and total < best[1] - 1e-9):
            best = (placed, total)
    return best


def test_greedy_nearest_first_is_not_optimal_here():
    """V1 at 0 km, V2 at 3 km; A at 1 km, B at -3 km, one place each.  Nearest first gives V1 A (1) and then
    V2 B (6): 7 km.  The plan gives V1 B (3) and V2 A (2): 5 km."""
    placed, total, chosen = solved([0, 3], [1, -3], [1, 1])
    assert (placed, chosen.tolist()) == (2, [1, 0])
    assert total == pytest.approx(5, abs=1e-3)
    assert brute_force(np.array([[1.0, 3.0], [2.0, 6.0]]), np.array([1, 1])) == pytest.approx((2, 5.0))


def test_more_villages_beat_shorter_distance():
    """With a 4 km limit V2 (at 3) can only reach A (at 1); nearest first would give A to V1 (at 0.5) and leave
    V2 out.  The plan places both, though the total is longer than V1 A alone."""
    placed, total, chosen = solved([0.5, 3], [1, -3], [1, 1], max_km=4)
    assert (placed, chosen.tolist()) == (2, [1, 0])
    assert total == pytest.approx(3.5 + 2, abs=1e-3)


@pytest.mark.parametrize("seed", range(40))
def test_plan_is_optimal_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    n_v, n_a = int(rng.integers(1, 7)), int(rng.integers(1, 4))
    villages, advisers = rng.integers(0, 60, n_v).astype(float), rng.integers(0, 60, n_a).astype(float)
    spare = rng.integers(0, 3, n_a)
    max_km = [None, 15.0][seed % 2]
    placed, total, chosen = solved(villages, advisers, spare, max_km)
    d = np.abs(np.subtract.outer(villages, advisers))
    assert (placed, total) == pytest.approx(brute_force(d, spare, max_km), abs=1e-2)
    assert (np.bincount(chosen[chosen >= 0], minlength=n_a) <= spare).all()


def test_ties_give_an_optimal_plan_every_time():
    """Two advisers at the same distance from both villages, one place each: either way is optimal; the plan is
    the same on every run."""
    runs = {tuple(solved([0, 0], [-2, 2], [1, 1])[2]) for _ in range(5)}
    assert len(runs) == 1 and sorted(next(iter(runs))) == [0, 1]
    assert solved([0, 0], [-2, 2], [1, 1])[1] == pytest.approx(4, abs=1e-3)


# ------------------------------------------------------------------------------- plans on hand-built inputs

def square(lon: float, lat: float, half: float = 1e-5) -> bytes:
    return shapely.to_wkb(shapely.box(lon - half, lat - half, lon + half, lat + half))


def hand_inputs(villages: list[tuple], advisers: list[tuple], served=(), outlines=()) -> PlanInputs:
    """villages: (code, status, boundary point or None, schematic); advisers: (id, base or None, load)."""
    v = pd.DataFrame([{"code": c, "name": f"村{c[-3:]}", "township_code": c[:9] + "000",
                       "township": f"镇{c[6:9]}", "county_code": c[:6] + "000000", "county": f"县{c[:6]}",
                       "status": status,
                       "in_scope": True} for c, status, _, _ in villages])
    geoms = pd.DataFrame([{"code": c, "geom": square(*p), "schematic": s} for c, _, p, s in villages if p],
                         columns=["code", "geom", "schematic"])
    a = pd.DataFrame([{"adviser_id": i, "name": f"顾问{i}", "licence_no": f"L{i}", "org": "所",
                       "lon": base[0] if base else np.nan, "lat": base[1] if base else np.nan, "load": load}
                      for i, base, load in advisers],
                     columns=["adviser_id", "name", "licence_no", "org", "lon", "lat", "load"])
    s = pd.DataFrame(list(served), columns=["adviser_id", "village", "current"])
    o = pd.DataFrame([{"code": c, "geojson": shapely.to_geojson(shapely.box(*box))} for c, box in outlines],
                     columns=["code", "geojson"])
    return PlanInputs(v, a.astype({"adviser_id": "int64", "load": "int64"}),
                      s.astype({"adviser_id": "int64", "current": "bool"}), geoms, o)


def east(km: float) -> tuple[float, float]:
    return float(on_equator([km])[0][0]), 0.0


def test_cap_counts_the_current_load():
    """Cap 3: adviser 1 (load 2, at 0 km) has one place, adviser 2 (load 3) none, adviser 3 (load 0, 50 km away)
    three.  Four lapsed villages near adviser 1: one goes to 1, three to 3."""
    villages = [(f"61012410000{i}", "lapsed", east(i), False) for i in range(1, 5)]
    plan = make_plan(hand_inputs(villages, [(1, east(0), 2), (2, east(0), 3), (3, east(50), 0)]), cap=3)
    given = plan.villages["adviser_id"].value_counts().to_dict()
    assert given == {1: 1, 3: 3}
    assert plan.villages.loc[plan.villages["adviser_id"] == 1, "code"].tolist() == ["610124100001"]
    assert plan.summary.assigned == 4 and plan.summary.needs_new == 0


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("cap", [1, 3, 5])
def test_cap_is_never_exceeded(seed, cap):
    rng = np.random.default_rng(seed)
    villages = [(f"6101241{t:02d}{i:03d}", "never", east(float(rng.random() * 30)), False)
                for t in range(3) for i in range(1, 8)]
    advisers = [(i, east(float(rng.random() * 30)), int(rng.integers(0, 7))) for i in range(1, 6)]
    plan = make_plan(hand_inputs(villages, advisers), cap=cap)
    loads = {i: load for i, _, load in advisers}
    for adviser, n in plan.villages["adviser_id"].value_counts().items():
        assert loads[adviser] + n <= cap
    room = sum(max(cap - load, 0) for load in loads.values())
    assert plan.summary.assigned == min(room, len(villages))      # no limit: every place is usable
    left = plan.villages[plan.villages["adviser_id"].isna()].groupby("township_code").size()
    assert plan.leftover.set_index("township_code")["villages"].to_dict() == left.to_dict()
    assert plan.leftover["new_advisers"].tolist() == [math.ceil(n / cap) for n in plan.leftover["villages"]]
    assert plan.leftover["villages"].is_monotonic_decreasing


def test_distance_limit_leaves_far_villages_to_a_new_adviser():
    villages = [("610124100001", "lapsed", east(2), False), ("610124100002", "never", east(30), False)]
    plan = make_plan(hand_inputs(villages, [(1, east(0), 0)]), max_km=10)
    rows = plan.villages.set_index("code")
    assert rows.loc["610124100001", "adviser_id"] == 1
    assert rows.loc["610124100001", "distance_km"] == pytest.approx(2, abs=1e-3)
    assert pd.isna(rows.loc["610124100002", "adviser_id"]) and pd.isna(rows.loc["610124100002", "distance_km"])
    assert plan.summary.to_json()["needs_new"] == 1
    assert make_plan(hand_inputs(villages, [(1, east(0), 0)])).summary.assigned == 2   # no limit


def test_alternatives_are_the_next_nearest_with_room():
    villages = [("610124100001", "lapsed", east(0), False)]
    advisers = [(1, east(1), 0), (2, east(2), 0), (3, east(-3), 0), (4, east(4), 0), (5, east(0.5), 5)]
    plan = make_plan(hand_inputs(villages, advisers))
    [row] = plan.to_json()["villages"]
    assert row["adviser_licence_no"] == "L1"           # adviser 5 is nearer but full (load 5 = the cap)
    assert [(a["licence_no"], a["distance_km"]) for a in row["alternatives"]] == [("L2", 2.0), ("L3", 3.0)]


def test_what_if_rates():
    villages = [("610124100001", "covered", east(0), False), ("610124100002", "expiring", east(0), False),
                ("610124100003", "lapsed", east(1), False), ("610124100004", "never", east(200), False)]
    plan = make_plan(hand_inputs(villages, [(1, east(0), 2)]), max_km=50)
    s = plan.summary
    assert (s.villages, s.covered, s.uncovered, s.assigned) == (4, 2, 2, 1)
    assert (s.coverage_rate_now, s.coverage_rate_after) == (0.5, 0.75)


# ------------------------------------------------------------------------------------------- locations

OUTLINE = (108.0, 34.0, 108.2, 34.2)      # county 610124's outline in the hand-built cases


def test_village_locations_fall_back_in_order_and_say_so():
    villages = [("610124100001", "covered", (108.05, 34.05), False),   # own boundary
                ("610124100002", "never", None, False),                # township 100's located villages
                ("610124101001", "covered", (108.1, 34.1), True),      # schematic cell
                ("610124102001", "never", None, False),                # township 102 has none: the county
                ("610125100001", "never", None, False)]                # county 610125 has no outline either
    inputs = hand_inputs(villages, [], outlines=[("610124000000", OUTLINE)])
    points = locate_villages(inputs.villages, inputs.geoms, inputs.county_outlines)
    assert points["location_kind"].to_dict() == {
        "610124100001": "boundary", "610124100002": "township", "610124101001": "schematic",
        "610124102001": "county", "610125100001": "none"}
    assert points.loc["610124100002", ["lon", "lat"]].tolist() == pytest.approx([108.05, 34.05], abs=1e-4)
    county_point = points.loc["610124102001", ["lon", "lat"]].tolist()
    assert shapely.box(*OUTLINE).contains(shapely.Point(county_point))
    assert points.loc["610125100001", ["lon", "lat"]].isna().all()


def test_township_centre_is_the_centre_of_its_located_villages():
    villages = [("610124100001", "covered", (108.0, 34.0), False), ("610124100002", "covered", (108.2, 34.2), False),
                ("610124100003", "never", None, False)]
    inputs = hand_inputs(villages, [])
    point = locate_villages(inputs.villages, inputs.geoms, inputs.county_outlines).loc["610124100003"]
    assert (point["lon"], point["lat"]) == pytest.approx((108.1, 34.1), abs=1e-3)


def test_adviser_locations_fall_back_in_order_and_say_so():
    villages = [("610124100001", "covered", (108.0, 34.0), False), ("610124100002", "covered", (108.2, 34.2), False),
                ("610124100003", "lapsed", (108.1, 34.0), False), ("610124102001", "never", None, False)]
    advisers = [(1, (109.0, 35.0), 1), (2, None, 2), (3, None, 0), (4, None, 0)]
    served = [(1, "610124100001", True), (2, "610124100001", True), (2, "610124100002", True),
              (3, "610124100003", False), (4, "610124102001", False)]
    inputs = hand_inputs(villages, advisers, served)
    village_points = locate_villages(inputs.villages, inputs.geoms, inputs.county_outlines)
    points = locate_advisers(inputs.advisers, inputs.served, village_points)
    assert points["location_kind"].to_dict() == {1: "base", 2: "villages", 3: "last_villages", 4: "none"}
    assert points.loc[1, ["lon", "lat"]].tolist() == [109.0, 35.0]
    assert points.loc[2, ["lon", "lat"]].tolist() == pytest.approx([108.1, 34.1], abs=1e-3)
    assert points.loc[3, ["lon", "lat"]].tolist() == pytest.approx([108.1, 34.0], abs=1e-4)


def test_plan_rows_report_both_location_kinds():
    villages = [("610124100001", "covered", (108.05, 34.05), False), ("610124100002", "never", None, False),
                ("610125100001", "lapsed", None, False)]
    inputs = hand_inputs(villages, [(7, None, 1)], [(7, "610124100001", True)])
    rows = make_plan(inputs).villages.set_index("code")
    assert rows.loc["610124100002", ["location_kind", "adviser_location_kind"]].tolist() == ["township", "villages"]
    assert rows.loc["610124100002", "distance_km"] == pytest.approx(0, abs=0.01)
    assert rows.loc["610125100001", "location_kind"] == "none"          # cannot be placed: needs a new adviser
    assert pd.isna(rows.loc["610125100001", "adviser_id"])


# ------------------------------------------------------------------------------- the store (both backends)

REGISTRY = pd.DataFrame(
    [("610000000000", "陕西省", 1), ("610100000000", "西安市", 2), ("610124000000", "周至县", 3),
     ("610124100000", "哑柏镇", 4), ("610124100201", "东村村委会", 5), ("610124100202", "西村村委会", 5),
     ("610124101000", "终南镇", 4), ("610124101001", "终南社区居委会", 5), ("610124101002", "南村村委会", 5),
     ("610125000000", "鄠邑区", 3), ("610125100000", "甘亭街道", 4), ("610125100201", "北村村委会", 5)],
    columns=["code", "name", "level"])
DAY = "2026-06-30"


@pytest.fixture
def planning_store(new_store):
    """周至县 with four villages on 2026-06-30: 100201 and 101001 covered, 100202 and 101002 lapsed.

    adviser 1 (base given) serves 100201 and 鄠邑区's 100201 (outside the scope): load 2; adviser 2 (no base)
    serves 101001 and once served 100202: load 1; adviser 3 (no base) once served 101002: load 0; adviser 4
    works in 鄠邑区 only.  100201 has a boundary; the county has an outline."""
    store = new_store("planning")
    people = pd.DataFrame({"adviser_id": [1, 2, 3, 4], "name": ["甲", "乙", "丙", "丁"],
                           "licence_no": ["L1", "L2", "L3", "L4"], "org": ["所"] * 4,
                           "lon": [108.3, None, None, 108.6], "lat": [34.1, None, None, 34.1]})
    contracts = pd.DataFrame([
        (1, "610124100201", "2026-01-01", "2026-12-31"), (1, "610125100201", "2026-01-01", None),
        (2, "610124101001", "2025-01-01", "2027-12-31"), (2, "610124100202", "2024-01-01", "2025-12-31"),
        (3, "610124101002", "2024-01-01", "2026-03-31"), (3, "610124101002", "2022-01-01", "2023-12-31"),
        (4, "610125100201", "2026-07-01", None)], columns=["adviser_id", "village", "start_date", "end_date"])
    contracts["village"] = contracts["village"].astype("int64")
    with store.transaction() as cur:
        store.load_registry(REGISTRY, cur)
        store.add_advisers(cur, people)
        store.add_assignments(cur, contracts.assign(batch_id=None), skip_known=False)
        store.replace_village_geoms(cur, pd.DataFrame({"code": ["610124100201"], "geom": [square(108.05, 34.05)]}),
                                    None)
        store.replace_shapes(cur, pd.DataFrame({"code": ["610124000000"], "schematic": [False],
                                                "geojson": [shapely.to_geojson(shapely.box(*OUTLINE))]}), "city")
    return store


def test_plan_inputs_on_both_backends(planning_store):
    inputs = planning_store.plan_inputs(Scope.parse("610124"), DAY)
    v = inputs.villages.set_index("code")
    assert v.loc[v["in_scope"], "status"].to_dict() == {
        "610124100201": "covered", "610124100202": "lapsed", "610124101001": "covered", "610124101002": "lapsed"}
    assert v.loc[~v["in_scope"]].index.tolist() == ["610125100201"]      # served by adviser 1, outside
    assert v.loc[["610124100201", "610125100201"], "county"].tolist() == ["周至县", "鄠邑区"]
    assert inputs.advisers.set_index("adviser_id")["load"].to_dict() == {1: 2, 2: 1, 3: 0}
    served = {(r.adviser_id, r.village, r.current) for r in inputs.served.itertuples()}
    assert served == {(1, "610124100201", True), (1, "610125100201", True), (2, "610124101001", True),
                      (3, "610124101002", False)}
    assert inputs.geoms["code"].tolist() == ["610124100201"]
    assert inputs.county_outlines["code"].tolist() == ["610124000000"]


def test_plan_from_the_store_on_both_backends(planning_store):
    plan = plan_gaps(planning_store, Scope.parse("610124"), DAY, cap=2)
    rows = plan.villages.set_index("code")
    assert rows.index.tolist() == ["610124100202", "610124101002"]
    # adviser 1 is at the cap (2 villages, one outside the scope); 2 has one place, 3 two
    assert set(rows["adviser_id"]) <= {2, 3}
    assert plan.summary.assigned == 2 and plan.summary.coverage_rate_after == 1.0
    assert rows.loc["610124100202", "location_kind"] == "township"       # beside 100201's boundary
    assert rows.loc["610124101002", "location_kind"] == "county"
    counts = planning_store.totals(Scope.parse("610124"), DAY)
    assert plan.summary.coverage_rate_now == counts.coverage_rate


# ------------------------------------------------------------------------------------------------ the CLI

def test_cli_json_shape_and_figures(demo_db, tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert cli.main(["plan", "--db", str(demo_db), "--scope", "610124", "--as-of", "2026-11-27", "--max-km", "8",
                     "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"villages", "summary"}
    from geo.store import open_store
    with open_store(demo_db, read_only=True) as store:
        plan = plan_gaps(store, Scope.parse("610124"), "2026-11-27", max_km=8)
        counts = store.totals(Scope.parse("610124"), "2026-11-27")
    summary = data["summary"]
    assert summary["uncovered"] == counts.lapsed + counts.never == len(data["villages"])
    assert summary["assigned"] + summary["needs_new"] == summary["uncovered"]
    assert summary["assigned"] == plan.summary.assigned and 0 < summary["needs_new"]
    assert summary["coverage_rate_now"] == pytest.approx(counts.coverage_rate, abs=1e-6)
    assert summary["coverage_rate_after"] == pytest.approx((counts.covered + summary["assigned"]) / counts.villages,
                                                           abs=1e-6)
    keys = {"code", "name", "township", "status", "adviser_licence_no", "adviser_name", "distance_km",
            "location_kind", "alternatives"}
    for row in data["villages"]:
        assert keys <= set(row) and len(row["code"]) == 12 and row["status"] in ("lapsed", "never")
        assert (row["adviser_licence_no"] is None) == (row["distance_km"] is None)
        assert row["distance_km"] is None or row["distance_km"] <= 8
        assert len(row["alternatives"]) <= 2
    assert "→" in capsys.readouterr().out


def test_cli_xlsx_and_csv_open_back(demo_db, tmp_path):
    base = ["plan", "--db", str(demo_db), "--scope", "610124", "--as-of", "2026-11-27", "--max-km", "8"]
    assert cli.main([*base, "-o", str(tmp_path / "plan.xlsx")]) == 0
    assert cli.main([*base, "-o", str(tmp_path / "plan.csv"), "--lang", "en"]) == 0
    from geo.store import open_store
    with open_store(demo_db, read_only=True) as store:
        plan = plan_gaps(store, Scope.parse("610124"), "2026-11-27", max_km=8)
    book = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    villages, towns = book.worksheets
    expected = plan_table(plan)
    assert [c.value for c in villages[1]] == list(expected.columns)
    assert villages.max_row == len(plan.villages) + 1
    assert [c.value for c in villages["A"]][1:] == plan.villages["code"].tolist()       # codes stay text
    assert towns.max_row == len(plan.leftover) + 1
    assert [c.value for c in towns["C"]][1:] == plan.leftover["county"].tolist()
    assert [c.value for c in towns["D"]][1:] == plan.leftover["villages"].tolist()
    data = (tmp_path / "plan.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back.columns.tolist() == plan_table(plan, "en").columns.tolist()
    assert back["Code"].tolist() == plan.villages["code"].tolist()


@pytest.mark.parametrize("args, message", [
    (["--cap", "0"], "--cap"), (["--max-km", "0"], "--max-km"), (["-o", "plan.txt"], ".txt")])
def test_cli_refuses_bad_values(demo_db, tmp_path, capsys, args, message, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = ["plan", "--db", str(demo_db), "--scope", "610124", *args]
    if "-o" not in args:
        argv += ["-o", "plan.json"]
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------------------------------------------ the page

def plan_metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_page_section_shows_the_librarys_plan(app_db, demo_store, downloads):
    from geo.planning.output import leftover_table
    from geo.text.catalogue import t
    from geo.text.formats import pct
    from test_pages import run_app

    at = run_app("pages/gaps.py", scope="610124", date="2026-11-27")
    assert t("plan.title") in [h.value for h in at.subheader]
    # nothing is computed until asked for
    assert not plan_metrics(at) and not [k for k in downloads if k.startswith("补缺建议")]
    at.button(key="plan_run").click().run()
    plan = plan_gaps(demo_store, Scope.parse("610124"), "2026-11-27")
    metrics = plan_metrics(at)
    assert metrics[t("plan.uncovered")] == str(plan.summary.uncovered)
    assert metrics[t("plan.assigned")] == str(plan.summary.assigned)
    assert metrics[t("plan.rate_now")] == pct(plan.summary.coverage_rate_now)
    assert metrics[t("plan.rate_after")] == pct(plan.summary.coverage_rate_after)
    shown = at.dataframe[1].value
    assert shown[t("col.code")].tolist() == plan.villages["code"].tolist()
    assert shown[t("plan.col.adviser")].tolist() == plan_table(plan)[t("plan.col.adviser")].tolist()

    # a distance limit: the figures follow the library's plan with that limit, townships left are listed
    at.number_input(key="plan_max_km").set_value(5).run()
    limited = plan_gaps(demo_store, Scope.parse("610124"), "2026-11-27", max_km=5)
    assert limited.summary.needs_new > 0
    metrics = plan_metrics(at)
    assert metrics[t("plan.needs_new")] == str(limited.summary.needs_new)
    assert metrics[t("plan.rate_after")] == pct(limited.summary.coverage_rate_after)
    towns = at.dataframe[2].value
    assert towns.to_dict("list") == leftover_table(limited).head(10).to_dict("list")
    stem = "补缺建议_周至县_2026-11-27"
    book = openpyxl.load_workbook(io.BytesIO(downloads[f"{stem}.xlsx"]))
    assert book.worksheets[0].max_row == len(limited.villages) + 1
    assert json.loads(downloads[f"{stem}.json"])["summary"]["needs_new"] == limited.summary.needs_new


def test_page_section_with_no_gaps_says_so(app_db, demo_store):
    from geo.text.catalogue import md
    from test_pages import run_app

    town = next(c for c in demo_store.children(Scope.parse("610124"))["code"]
                if plan_gaps(demo_store, Scope.parse(c), "2026-11-27").summary.uncovered == 0)
    at = run_app("pages/gaps.py", scope=town, date="2026-11-27")
    at.button(key="plan_run").click().run()
    name = demo_store.scope_name(Scope.parse(town))
    assert md("plan.none", name=name) in [i.value for i in at.info]


def test_page_refuses_a_plan_beyond_its_limit_and_says_why(app_db, demo_store, monkeypatch):
    import geo.planning
    from geo.text.catalogue import md
    from geo.text.formats import count
    from test_pages import run_app

    # the demo's country has data in 陕西 alone (1,370 gaps; the national store's are 100,000s): a lower limit
    MAX_GAPS = 1000
    monkeypatch.setattr(geo.planning.plan, "MAX_GAPS", MAX_GAPS)
    monkeypatch.setattr(geo.planning, "MAX_GAPS", MAX_GAPS)
    at = run_app("pages/gaps.py", scope="0", date="2026-11-27")
    totals = demo_store.totals(Scope(""), "2026-11-27")
    uncovered = totals.villages - totals.covered
    assert uncovered > MAX_GAPS
    assert md("plan.too_large", name="全国", n=count(uncovered), max=count(MAX_GAPS)) in [i.value for i in at.info]
    assert "plan_run" not in [b.key for b in at.button]
    assert not plan_metrics(at)
