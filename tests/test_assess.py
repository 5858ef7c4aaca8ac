"""考核 and the statistics sent upward on both stores: a hand-built county (周至县) with advisers who served whole
periods, started late, left early (an early end: ``end_date`` moved earlier) or had a gap, and a year of service
records in the category words clerks write.  Every indicator, figure, score, grade and payment is computed again
here in plain Python, day by day and record by record, from the same records, and compared; for both presets, a
county's own rule file, and a month, a quarter and a year.  Then jurisdiction, the outputs (xlsx read back, the
formula guard, JSON, Word and PDF) and the CLI with its audit rows."""
from __future__ import annotations

import calendar
import datetime as dt
import io
import json
import tomllib

import numpy as np
import openpyxl
import pandas as pd
import pytest

from geo.assess import output
from geo.assess.period import Period
from geo.assess.rules import load_rules, parse_rules, preset_text
from geo.assess.sheet import assess
from geo.assess.stats import upward_stats
from geo.auth.access import Principal, Role
from geo.cli import main
from geo.core.codes import Scope
from geo.sources.national import national_registry

COUNTY = Scope.parse("610124")
# the category words of the records, and the class each counts as upward (written out here, not looked up)
CATEGORIES = {"法律咨询": "consultation", "解答群众咨询": "consultation", "矛盾纠纷调解": "mediation",
              "人民调解": "mediation", "法治讲座": "lecture", "普法宣传": "lecture", "法治宣传": "lecture",
              "合同审查": "contract", "代写文书": "document", "村规民约审查": "governance",
              "参与重大决策": "governance", "走访": "other", None: "other"}
OWN_RULES = """\
# 本县考核办法（测试用）
[sheet]
name = "周至县法律顾问考核"
total = 60
best = 3
warning_below = 30

[[indicator]]
kind = "onsite_hours"
standard = 3
per = "village"
points = 20
deduct = 5

[[indicator]]
kind = "records"
category = "consultation"
at_least = 1
per = "quarter"
points = 10

[[indicator]]
kind = "mediations"
at_least = 2
per = "year"
points = 10

[[indicator]]
kind = "remote_only_months"
deduct = 4
points = 10

[[indicator]]
kind = "onsite_months"
points = 10

[[grade]]
name = "优秀"
min = 50
payment_per_village = 3500

[[grade]]
name = "良好"
min = 35
payment_per_village = 2800

[[grade]]
name = "一般"
min = 0
payment_per_village = 2000
"""
PERIODS = ("2026-06", "2026Q2", "2026")


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def build_people(villages: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ten advisers and their contracts (end = the last day in force; None = open-ended)."""
    names = ["张一", "王二", "李三", "赵四", "钱五", "孙六", "周七", "吴八", "=HYPERLINK(\"x\")", "郑十"]
    advisers = pd.DataFrame({"adviser_id": range(1, 11), "name": names, "org": "周至某律师事务所",
                             "licence_no": [f"161012018100000{i:02d}" for i in range(1, 11)], "kind": "律师"})
    v = villages
    rows = [
        (1, v[0], "2025-01-01", None), (1, v[1], "2025-01-01", "2027-12-31"),          # the whole year, two villages
        (2, v[2], "2025-06-01", "2026-05-10"),                                           # left in May (early end)
        (3, v[3], "2026-04-20", None),                                                   # started late in April
        (4, v[4], "2026-01-01", "2026-03-31"), (4, v[4], "2026-05-01", "2026-12-31"),    # a gap in April
        (5, v[5], "2026-01-01", "2026-06-14"), (5, v[6], "2026-06-15", "2026-12-31"),    # moved mid-June
        (6, v[7], "2024-01-01", None), (6, v[8], "2024-01-01", None), (6, v[9], "2026-02-01", None),
        (7, v[10], "2026-06-17", "2026-12-31"),                                          # 14 days of June
        (8, v[11], "2026-01-01", "2026-12-31"), (8, v[0], "2026-03-01", "2026-08-31"),  # shares 张一's village
        (9, v[12], "2026-01-01", "2026-12-31"),
        (10, v[13], "2023-01-01", "2025-12-31"),                                         # ended before 2026
    ]
    contracts = pd.DataFrame(rows, columns=["adviser_id", "village", "start_date", "end_date"])
    contracts["start_date"] = pd.to_datetime(contracts["start_date"])
    contracts["end_date"] = pd.to_datetime(contracts["end_date"])
    return advisers, contracts


def build_services(contracts: pd.DataFrame, seed: int = 23) -> pd.DataFrame:
    """A year of records for the contracts' advisers and villages (some outside their contracts, some with no
    adviser named), in every mode and category word."""
    rng = np.random.default_rng(seed)
    pairs = contracts[["adviser_id", "village"]].drop_duplicates().to_numpy().tolist()
    words = list(CATEGORIES)
    rows = []
    for adviser, village in pairs:
        for _ in range(int(rng.integers(10, 40))):
            day = dt.date(2026, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))
            mode = rng.choice(["onsite", "onsite", "onsite", "remote", "other"])
            rows.append((village, None if rng.random() < 0.05 else adviser, day, mode,
                         words[int(rng.integers(0, len(words)))], float(rng.choice([0.5, 1, 2, 3, 4, 8])),
                         int(rng.integers(0, 30))))
    return pd.DataFrame(rows, columns=["village", "adviser_id", "service_date", "mode", "category", "hours",
                                       "people"]).assign(content="到村服务")


@pytest.fixture
def county(new_store):
    """周至县's registry, the advisers, contracts and records above, written through the store."""
    store = new_store("assess")
    registry = national_registry()
    registry = registry[registry["code"].str.startswith(("61", ))]
    villages = registry[(registry["code"].str.startswith("610124")) & (registry["level"] == 5)]["code"].tolist()[:20]
    advisers, contracts = build_people(villages)
    services = build_services(contracts)
    with store.transaction() as cur:
        store.load_registry(registry, cur)
        store.add_advisers(cur, advisers)
        store.add_assignments(cur, contracts.assign(batch_id=None))
        store.add_services(cur, services.assign(batch_id=None))
    return store, advisers, contracts, services


# -- the reference: plain Python, day by day ---------------------------------------------------------------------
def month_days(y: int, m: int) -> list[dt.date]:
    return [dt.date(y, m, k) for k in range(1, calendar.monthrange(y, m)[1] + 1)]


def period_months(code: str) -> list[tuple[int, int]]:
    if "Q" in code:
        y, q = int(code[:4]), int(code[-1])
        return [(y, m) for m in range(3 * q - 2, 3 * q + 1)]
    if "-" in code:
        return [(int(code[:4]), int(code[5:]))]
    return [(int(code), m) for m in range(1, 13)]


def in_force(c, day: dt.date) -> bool:
    return c.start_date.date() <= day and (pd.isna(c.end_date) or day <= c.end_date.date())


def reference(rules: dict, code: str, contracts: pd.DataFrame, services: pd.DataFrame, subject: str,
              feedback: pd.DataFrame | None = None, boards: dict[int, str] | None = None) -> dict:
    """subject id -> {"figures": ..., "ind": [(value, target, points)], "score", "grade", "payment"}; `feedback`:
    the villagers' responses as stored, `boards`: each village's signboard status (none / outdated / current)."""
    months = period_months(code)
    all_days = [day for y, m in months for day in month_days(y, m)]
    key = "adviser_id" if subject == "adviser" else "village"
    out = {}
    for s in sorted(set(contracts[key])):
        mine = list(contracts[contracts[key] == s].itertuples())
        held = {}                                    # yyyymm -> villages held that month
        for y, m in months:
            days = month_days(y, m)
            for c in mine:
                if sum(in_force(c, day) for day in days) * 2 >= len(days):
                    held.setdefault(y * 100 + m, set()).add(c.village)
        if not held:
            continue
        whole = all(any(in_force(c, day) for c in mine) for day in all_days)
        recs = services[services[key] == s] if subject == "adviser" else services[services["village"] == s]
        recs = recs[[(r.year, r.month) in months for r in pd.to_datetime(recs["service_date"])]]
        month_of = [r.year * 100 + r.month for r in pd.to_datetime(recs["service_date"])]
        recs = recs.assign(ym=month_of, cls=recs["category"].map(lambda w: CATEGORIES[None if pd.isna(w) else w]))
        onsite = recs[recs["mode"] == "onsite"]
        results = []
        for ind in rules["indicator"]:
            kind, points = ind["kind"], float(ind["points"])
            if kind == "contract_whole_period":
                value, target = float(whole), 1.0
            elif kind == "onsite_months":
                value, target = float(sum(((onsite["ym"] == ym).sum() > 0) for ym in held)), float(len(held))
            elif kind == "onsite_hours":
                std = ind["standard"]
                if ind.get("per", "adviser") == "village":
                    value = float(sum(all(onsite[(onsite["ym"] == ym) & (onsite["village"] == v)]["hours"].sum()
                                          >= std for v in vs) for ym, vs in held.items()))
                else:
                    value = float(sum(onsite[onsite["ym"] == ym]["hours"].sum() >= std for ym in held))
                target = float(len(held))
            elif kind in ("records", "lectures", "mediations"):
                cls = {"lectures": "lecture", "mediations": "mediation"}.get(kind, ind.get("category"))
                per = ind.get("per", {"lectures": "quarter", "mediations": "period"}.get(kind, "month"))

                def unit(ym, per=per):
                    return {"month": ym, "quarter": (ym // 100, (ym % 100 - 1) // 3), "year": ym // 100,
                            "period": 0}[per]
                units = {unit(ym) for ym in held}
                counted = recs if cls == "all" else recs[recs["cls"] == cls]
                value = float(sum(sum(unit(ym) == u for ym in counted["ym"]) >= ind["at_least"] for u in units))
                target = float(len(units))
            elif kind == "remote_only_months":
                remote = recs[recs["mode"] == "remote"]
                value = float(sum((remote["ym"] == ym).sum() > 0 and (onsite["ym"] == ym).sum() == 0 for ym in held))
                target = float(len(held))
            elif kind == "satisfaction":
                marks = []
                for r in feedback.itertuples():
                    china = r.received_at + dt.timedelta(hours=8)
                    ym = china.year * 100 + china.month
                    if not r.duplicate and r.satisfaction is not None and int(r.village) in {
                            int(v) for v in held.get(ym, ())}:
                        marks.append(r.satisfaction)
                happy = sum(m >= ind.get("satisfied_from", 4) for m in marks)
                if len(marks) >= ind.get("min_answers", 5):
                    value = float(happy * 100 >= ind["share"] * len(marks))
                else:
                    value = float(ind.get("no_data", "full") == "full")
                target = 1.0
            elif kind == "signboard":
                mine = {int(v) for vs in held.values() for v in vs}
                lost = {"none": ind["none"], "outdated": ind["outdated"], "current": 0}
                value, target = float(sum(boards[v] == "current" for v in mine)), float(len(mine))
                got = points - sum(lost[boards[v]] for v in mine) / len(mine)
            if kind == "signboard":
                pass
            elif kind == "remote_only_months":
                got = max(0.0, points - ind["deduct"] * value)
            elif "deduct" in ind:
                got = max(0.0, points - ind["deduct"] * (target - value))
            else:
                got = points * (value / target if target else 1)
            results.append((value, target, round(min(max(got, 0.0), points), 2)))
        score = round(sum(p for _, _, p in results), 2)
        grade = next(g for g in rules["grade"] if score >= g["min"] - 1e-9)
        villages_held = len(set().union(*held.values()))
        pay = grade.get("payment_per_village")
        out[s] = {"ind": results, "score": score, "grade": grade["name"],
                  "payment": None if pay is None else pay * (villages_held if subject == "adviser" else 1),
                  "figures": {"villages": villages_held, "months_served": len(held),
                              "onsite_hours": round(float(onsite["hours"].sum()), 2),
                              "months_on_site": sum(((onsite["ym"] == ym).sum() > 0) for ym in held),
                              "records": len(recs), "lectures": int((recs["cls"] == "lecture").sum()),
                              "mediations": int((recs["cls"] == "mediation").sum()),
                              "people": int(recs["people"].sum())}}
    return out


def compare(rows: pd.DataFrame, key: str, expected: dict, n_indicators: int) -> None:
    got_ids = sorted(int(k) for k in rows[key])
    assert got_ids == sorted(expected), "who is assessed"
    for row in rows.to_dict(orient="records"):
        want = expected[int(row[key])]
        for i in range(n_indicators):
            assert (row[f"ind{i}_value"], row[f"ind{i}_target"]) == want["ind"][i][:2], (row[key], i)
            assert row[f"ind{i}_points"] == pytest.approx(want["ind"][i][2], abs=0.01), (row[key], i)
        assert row["score"] == pytest.approx(want["score"], abs=0.02)
        assert row["grade"] == want["grade"]
        for fig, value in want["figures"].items():
            assert row[fig] == pytest.approx(value, abs=0.01), (row[key], fig)
        if want["payment"] is None:
            assert pd.isna(row["payment"])
        else:
            assert row["payment"] == pytest.approx(want["payment"])


@pytest.mark.parametrize("rules_name", ["anhui", "shandong", "own"])
def test_every_indicator_as_computed_by_hand(county, rules_name):
    store, advisers, contracts, services = county
    text = OWN_RULES if rules_name == "own" else preset_text(rules_name)
    rules = parse_rules(text, rules_name)
    raw = tomllib.loads(text)
    vil_contracts = contracts.assign(village=contracts["village"].astype("int64"))
    vil_services = services.assign(village=services["village"].astype("int64"))
    for code in PERIODS:
        result = assess(store, COUNTY, Period.parse(code), rules)
        compare(result.advisers, "adviser_id", reference(raw, code, contracts, services, "adviser"),
                len(rules.indicators))
        expected_villages = reference(raw, code, vil_contracts, vil_services, "village")
        villages = result.villages.assign(village=result.villages["code"].astype("int64"))
        compare(villages.drop(columns=["villages"]), "village",
                {k: {**v, "figures": {f: x for f, x in v["figures"].items() if f != "villages"}}
                 for k, v in expected_villages.items()}, len(rules.indicators))


def test_who_left_or_started_mid_period_is_assessed_for_the_months_served(county):
    store, *_ = county
    q2 = assess(store, COUNTY, Period.parse("2026Q2"), load_rules("anhui")).advisers.set_index("adviser_id")
    assert q2.loc[2, "months_served"] == 1          # left on 10 May: April only (10 days of May is under half)
    assert q2.loc[3, "months_served"] == 2          # started 20 April: May and June
    assert q2.loc[4, "months_served"] == 2          # no contract in April
    assert 7 not in q2.index and 10 not in q2.index  # 14 days of June is under half; ended in 2025
    june = assess(store, COUNTY, Period.parse("2026-06"), load_rules("anhui")).advisers.set_index("adviser_id")
    assert 7 not in june.index
    assert june.loc[5, "villages"] == 1 and june.loc[5, "months_served"] == 1     # 14 days of one, 16 of the other
    july = assess(store, COUNTY, Period.parse("2026-07"), load_rules("anhui")).advisers.set_index("adviser_id")
    assert july.loc[7, "months_served"] == 1 and july.loc[7, "ind0_value"] == 1   # whole July under contract


def test_rankings_lists_and_traces(county):
    store, *_ = county
    rules = parse_rules(OWN_RULES, "own")
    a = assess(store, COUNTY, Period.parse("2026"), rules)
    adv = a.advisers
    for _, group in adv.groupby(["county", "township"]):
        expect = group["score"].rank(method="min", ascending=False).astype(int)
        assert group["rank_township"].tolist() == expect.tolist()
    assert adv["rank_county"].tolist() == adv["score"].rank(method="min", ascending=False).astype(int).tolist()
    assert a.best["score"].tolist() == sorted(adv["score"], reverse=True)[:3]
    assert set(a.warning["adviser_id"]) == set(adv.loc[adv["score"] < 30, "adviser_id"])
    town = a.townships.set_index("code")
    for code, group in adv.groupby("township"):
        assert town.loc[f"{code:012d}", "advisers"] == len(group)
        assert town.loc[f"{code:012d}", "mean_score"] == pytest.approx(group["score"].mean(), abs=0.01)
    # the units behind each indicator: the months of the adviser's hours, met where the hours reached 3 a village
    trace = a.trace(1)
    hours = trace[trace["indicator"] == "到村服务时长"]
    assert len(hours) == 12 and hours["met"].sum() == adv.set_index("adviser_id").loc[1, "ind0_value"]
    records = a.records_of(1)
    assert records["records"].sum() == adv.set_index("adviser_id").loc[1, "records"]


def test_the_assessment_stays_inside_the_jurisdiction(county):
    store, _, contracts, _ = county
    township = contracts["village"].iloc[0][:9]
    clerk = Principal("clerk", "司法所", Role.VIEWER, Scope.parse(township))
    a = assess(store, Scope.parse("61"), Period.parse("2026"), load_rules("anhui"), principal=clerk)
    assert a.scope.digits == township
    assert all(code.startswith(township) for code in a.villages["code"])
    stats = upward_stats(store, Scope.parse("61"), Period.parse("2026"), principal=clerk)
    assert stats.scope.digits == township


def test_licence_numbers_only_for_who_may_see_contacts(county):
    store, *_ = county
    anonymous = Principal(None, "访客", Role.VIEWER, Scope(""))
    a = assess(store, COUNTY, Period.parse("2026Q2"), load_rules("anhui"), principal=anonymous)
    assert set(a.advisers["licence_no"]) == {""}
    assert "16101201810000001" not in output.json_bytes(output.assessment_json(a)).decode()


def test_statistics_sent_upward(county):
    store, _, contracts, services = county
    for code in PERIODS:
        period = Period.parse(code)
        stats = upward_stats(store, COUNTY, period).table
        months = period_months(code)
        s = services[[(x.year, x.month) in months for x in pd.to_datetime(services["service_date"])]]
        s = s.assign(cls=s["category"].map(lambda w: CATEGORIES[None if pd.isna(w) else w]),
                     township=s["village"].str[:9])
        end = period.end
        current = contracts[[in_force(c, end) for c in contracts.itertuples()]]
        total = stats.iloc[0]
        assert total["kind"] == "total" and total["records"] == len(s)
        assert total["covered"] == current["village"].nunique() and total["advisers"] == current["adviser_id"].nunique()
        assert total["onsite_hours"] == pytest.approx(s.loc[s["mode"] == "onsite", "hours"].sum())
        assert total["people"] == s["people"].sum()
        for mode in ("onsite", "remote", "other"):
            assert total[f"mode_{mode}"] == (s["mode"] == mode).sum()
        for cls in set(CATEGORIES.values()):
            assert total[f"cat_{cls}"] == (s["cls"] == cls).sum()
        towns = stats[stats["kind"] == "township"].set_index("code")
        for township, group in s.groupby("township"):
            row = towns.loc[township.ljust(12, "0")]
            assert row["records"] == len(group) and row["cat_lecture"] == (group["cls"] == "lecture").sum()
        registry = national_registry()
        assert total["villages"] == ((registry["code"].str.startswith("610124")) & (registry["level"] == 5)
                                     & (registry["code"].str[-3:] != "000")).sum()


def test_outputs_read_back(county, tmp_path):
    store, *_ = county
    a = assess(store, COUNTY, Period.parse("2026Q2"), parse_rules(OWN_RULES, "own"))
    book = openpyxl.load_workbook(io.BytesIO(output.assessment_bytes(a, "xlsx")))
    assert book.sheetnames[:5] == ["顾问考核", "村居考核", "县区排名", "乡镇排名", "考核规则"]
    assert len(book.sheetnames) == 5 + len(a.advisers)
    summary = book["顾问考核"]
    header = [c.value for c in summary[1]]
    names = [row[header.index("姓名")] for row in summary.iter_rows(min_row=2, values_only=True)]
    assert "=HYPERLINK(\"x\")" in names                       # the name as written, as text, never a formula
    for row in summary.iter_rows(min_row=2):
        cell = row[header.index("姓名")]
        assert cell.data_type == "s"
    scores = [row[header.index("总分")] for row in summary.iter_rows(min_row=2, values_only=True)]
    assert sorted(scores) == sorted(a.advisers["score"].tolist())
    data = json.loads(output.assessment_bytes(a, "json"))
    assert set(data) >= {"advisers", "villages", "rules"}
    first = data["advisers"][0]
    for key in ("licence_no", "name", "org", "villages", "onsite_hours", "months_on_site", "lectures", "score",
                "grade"):
        assert key in first
    by_name = {x["name"]: x for x in data["advisers"]}
    for row in a.advisers.itertuples():
        assert by_name[row.name]["onsite_hours"] == pytest.approx(row.onsite_hours)
    assert data["rules"]["name"] == "周至县法律顾问考核"
    docx = output.assessment_bytes(a, "docx")
    pdf = output.assessment_bytes(a, "pdf")
    assert docx[:2] == b"PK" and pdf[:5] == b"%PDF-"
    import docx as python_docx
    text = "\n".join(p.text for p in python_docx.Document(io.BytesIO(docx)).paragraphs)
    assert "关于周至县2026年第二季度村（居）法律顾问考核情况的通报" in text
    assert "表现优秀的法律顾问" in text and "需要改进的法律顾问" in text
    stats = openpyxl.load_workbook(io.BytesIO(output.stats_bytes(upward_stats(store, COUNTY, Period.parse("2026Q2")),
                                                                 "xlsx")))
    sheet = stats.worksheets[0]
    assert "周至县" in sheet["A1"].value and "2026年第二季度" in sheet["A1"].value


def test_the_commands_and_their_audit_rows(county, tmp_path, capsys):
    store, *_ = county
    target = store.target
    store.close()
    rules_file = tmp_path / "本县.toml"
    rules_file.write_text(OWN_RULES, encoding="utf-8")
    assert main(["assess", "--db", target, "--scope", "610124", "--period", "2026Q2", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rules"]["source"] == "anhui" and data["period"] == "2026Q2"
    for suffix in ("xlsx", "docx", "pdf"):
        path = tmp_path / f"考核.{suffix}"
        assert main(["assess", "--db", target, "--scope", "610124", "--period", "2026", "--rules", str(rules_file),
                     "-o", str(path)]) == 0
        assert path.stat().st_size > 1000
    assert main(["stats", "--db", target, "--scope", "610124", "--period", "2026-06", "-o",
                 str(tmp_path / "月报.xlsx")]) == 0
    assert main(["stats", "--db", target, "--scope", "610124", "--period", "2026-06", "--format", "json"]) == 0
    capsys.readouterr()
    bad = tmp_path / "坏.toml"
    bad.write_text(OWN_RULES.replace("standard = 3", "standard = \"3*2\""), encoding="utf-8")
    assert main(["assess", "--db", target, "--scope", "610124", "--period", "2026", "--rules", str(bad)]) == 2
    line = OWN_RULES.splitlines().index("standard = 3") + 1
    assert f"第 {line} 行" in capsys.readouterr().err
    assert main(["audit", "--db", target]) == 0
    trail = json.loads(capsys.readouterr().out)
    exports = [e for e in trail if e["action"] == "export"]
    what = [(e["detail"]["what"], e["detail"]["format"]) for e in exports]
    assert what.count(("assessment", "json")) == 1 and ("assessment", "pdf") in what
    assert ("statistics", "xlsx") in what and ("statistics", "json") in what
    assert all(e["detail"]["period"] in PERIODS for e in exports)


# -- the villagers' satisfaction and the signboards (issues 23 and 24) -----------------------------------------
VILLAGER_RULES = """\
[sheet]
name = "周至县考核（群众评价、公示牌）"
total = 100

[[indicator]]
kind = "onsite_months"
points = 70

[[indicator]]
kind = "satisfaction"
share = 75
satisfied_from = 4
min_answers = 4
no_data = "zero"
points = 20

[[indicator]]
kind = "signboard"
none = 5
outdated = 3
points = 10

[[grade]]
name = "好"
min = 85

[[grade]]
name = "差"
min = 0
"""
ADMIN = Principal("admin", "周至县司法局", Role.ADMIN, Scope.parse("610124"))
#: the villages (by their place in the fixture's list) whose board is printed on the last day of June, the one
#: printed in January (its adviser began in February: changed since), the one whose QR code is reset afterwards
PRINTED_JUNE, PRINTED_JANUARY, ROTATED = (0, 1, 3, 4, 6, 7, 11), 9, 7


def build_feedback(villages: list[str], seed: int = 24) -> pd.DataFrame:
    """A year of answers (UTC times, some just before midnight in China, some duplicates, some without a mark)."""
    rng = np.random.default_rng(seed)
    rows = []
    for k, village in enumerate(villages[:13]):
        for _ in range(int(rng.integers(8, 40)) if k != 2 else 2):
            at = dt.datetime(2026, 1, 1) + dt.timedelta(minutes=int(rng.integers(0, 365 * 24 * 60)))
            month_start = dt.datetime(2026, int(rng.integers(2, 13)), 1) - dt.timedelta(hours=8)   # in UTC
            if rng.random() < 0.1:           # 23:30 on a month's last day in China: that month
                at = month_start - dt.timedelta(minutes=30)
            elif rng.random() < 0.1:         # 00:30 on the 1st in China, still the day before in UTC: the new month
                at = month_start + dt.timedelta(minutes=30)
            marks = (3, 4, 5, 5, 5) if k % 2 == 0 else (1, 2, 3, 4, 5)       # some villages are happier
            mark = None if rng.random() < 0.1 else int(rng.choice(marks))
            rows.append({"village": village, "received_at": at, "source": "web", "satisfaction": mark,
                         "reached": None, "never_seen": False, "comment": None, "client_key": None,
                         "duplicate": bool(rng.random() < 0.1), "batch_id": None})
    return pd.DataFrame(rows)


@pytest.fixture
def villagers(county):
    """The county above with the villagers' answers and some signboards printed, one of them reset since."""
    from geo.public import boards, tokens
    store, advisers, contracts, services = county
    villages = sorted(set(contracts["village"]))
    listed = contracts["village"].drop_duplicates().tolist()
    feedback = build_feedback(listed)
    with store.transaction() as cur:
        store.add_feedback(cur, feedback)
    for k in PRINTED_JUNE:
        boards.print_boards(store, ADMIN, Scope.parse(listed[k]), d("2026-06-30"), "https://example.org")
    boards.print_boards(store, ADMIN, Scope.parse(listed[PRINTED_JANUARY]), d("2026-01-15"), "https://example.org")
    tokens.rotate(store, ADMIN, [listed[ROTATED]])
    printed = {listed[k]: d("2026-06-30") for k in PRINTED_JUNE} | {listed[PRINTED_JANUARY]: d("2026-01-15")}
    return store, contracts, services, feedback, villages, printed, listed[ROTATED]


def board_statuses(contracts: pd.DataFrame, villages: list[str], printed: dict[str, dt.date], rotated: str,
                   day: dt.date) -> dict[int, str]:
    """Each village's board on `day`, worked out from what the test did: never printed, printed when its advisers
    were others than on `day` or reset since (outdated), else current."""
    def advisers_on(village: str, when: dt.date) -> set[int]:
        mine = contracts[contracts["village"] == village]
        return {int(c.adviser_id) for c in mine.itertuples() if in_force(c, when)}
    out = {}
    for village in villages:
        if village not in printed:
            out[int(village)] = "none"
        elif village == rotated or advisers_on(village, printed[village]) != advisers_on(village, day):
            out[int(village)] = "outdated"
        else:
            out[int(village)] = "current"
    return out


def test_satisfaction_and_signboards_as_computed_by_hand(villagers):
    store, contracts, services, feedback, villages, printed, rotated = villagers
    rules = parse_rules(VILLAGER_RULES, "own")
    raw = tomllib.loads(VILLAGER_RULES)
    vil_contracts = contracts.assign(village=contracts["village"].astype("int64"))
    vil_services = services.assign(village=services["village"].astype("int64"))
    fb = feedback.assign(satisfaction=feedback["satisfaction"].astype(object).where(feedback["satisfaction"].notna(),
                                                                                    None))
    seen = set()
    for code in PERIODS:
        period = Period.parse(code)
        statuses = board_statuses(contracts, villages, printed, rotated, period.end)
        seen |= set(statuses.values())
        result = assess(store, COUNTY, period, rules)
        compare(result.advisers, "adviser_id",
                reference(raw, code, contracts, services, "adviser", fb, statuses), len(rules.indicators))
        expected = reference(raw, code, vil_contracts, vil_services, "village", fb, statuses)
        compare(result.villages.assign(village=result.villages["code"].astype("int64")).drop(columns=["villages"]),
                "village", {k: {**v, "figures": {f: x for f, x in v["figures"].items() if f != "villages"}}
                            for k, v in expected.items()}, len(rules.indicators))
        points = result.advisers["ind1_points"]
        if code == "2026":
            assert set(points) >= {0.0, 20.0}, points.tolist()      # both outcomes occur
    assert seen == {"none", "outdated", "current"}


def test_the_villagers_indicators_are_traced(villagers):
    store, contracts, *_ = villagers
    a = assess(store, COUNTY, Period.parse("2026Q2"), parse_rules(VILLAGER_RULES, "own"))
    trace = a.trace(6)     # 孙六's three villages: printed in June and reset since, never printed, printed in January
    boards = trace[trace["indicator"] == "公示牌"]
    mine = sorted(set(contracts.loc[contracts["adviser_id"] == 6, "village"]))
    assert len(boards) == len(mine) and all(any(v in u for u in boards["unit"]) for v in mine)
    shown = sorted(u.split("：")[1] for u in boards["unit"])
    assert shown == ["从未印制公示牌", "公示牌已过时", "公示牌已过时"]
    row = a.advisers.set_index("adviser_id").loc[6]
    assert row["ind2_points"] == pytest.approx(10 - (5 + 3 + 3) / 3, abs=0.01)
    assert (row["ind2_value"], row["ind2_target"]) == (0, 3)
    satisfaction = trace[trace["indicator"] == "群众满意度"]
    assert len(satisfaction) == 1 and "2026Q2" in satisfaction["unit"].iloc[0]
    assert "份" in satisfaction["unit"].iloc[0]
    detail = output.detail_table(a, 6)
    assert "公示牌已过时" in " ".join(map(str, detail.iloc[:, 1]))
    rules_sheet = output.assessment_bytes(a, "xlsx")
    assert rules_sheet[:2] == b"PK"


def test_text_cells_are_cleaned_per_distinct_value_as_cell_by_cell():
    """output.neutralized (each distinct text cleaned once) gives the cells that cleaning every cell gives: for
    text, object, categorical and number columns with control characters, line and paragraph separators, bidi
    overrides, NUL and tabs, missing values and names repeated; numbers keep their dtype."""
    hostile = ["王\x00五", "a\r\nb", "c\u2028d\u2029", "\u202egnp.exe", "\t=1+1", "李四", "", "x\x1b[31my", "张三"]
    rng = np.random.default_rng(7)
    picks = rng.integers(0, len(hostile), 400)
    texts = [hostile[i] for i in picks]
    frame = pd.DataFrame({
        "str": pd.array(texts, dtype="str"),
        "object": pd.Series([None if i % 7 == 0 else t for i, t in enumerate(texts)], dtype=object),
        "grade": pd.Categorical([hostile[i % 3] for i in picks]),
        "ints": picks.astype("int64"), "floats": picks / 3.0})
    frame.loc[5, "str"] = pd.NA
    cleaned = output.neutralized(frame)
    expected = frame.map(output.neutralize_text)
    for col in frame.columns:
        got, want = cleaned[col].tolist(), expected[col].tolist()
        assert [None if pd.isna(v) else v for v in got] == [None if pd.isna(v) else v for v in want], col
    assert cleaned["ints"].dtype == "int64" and cleaned["floats"].dtype == "float64"
    assert any(t != output.neutralize_text(t) for t in texts)          # the input really held text to clean
    assert frame["str"].tolist()[0] == texts[0]                          # the caller's frame is left as it was
