"""Effective service in the app, on a copy of the demo with service records added: the map's switch, the summary's
headline, ranking and trend, 挂名 on the gap list and the sidebar's settings (AppTest, figures equal to the
library's), and the effective map in a real browser."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from urllib.parse import urlsplit

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from benchmarks.browser import VIEWPORT, served_app
from fixtures_app import LOCAL_HOSTS, app_copy, folium_args, leaflet_frame, open_page, texts
from geo.core.codes import Scope
from geo.core.service_ranking import headline, rank_by_gap
from geo.core.service_rule import ServiceSettings
from geo.demo import ANCHOR
from geo.store import open_store
from geo.text.catalogue import md, t

DATE = ANCHOR.isoformat()
#: 蓝田县 keeps no logs: its units have no service data
WITHOUT_LOGS = 610122
COUNTY = "610124"


def add_service_records(store) -> None:
    """Records for the current contracts of 西安市 (not 蓝田县): most villages visited ten days before the date,
    every fifth by phone only, every seventh not at all in the last 90 days (visited half a year before)."""
    current = store.query(f"""SELECT adviser_id, village FROM assignments
                              WHERE village >= 610100000000 AND village < 610200000000
                                AND start_date <= DATE '{DATE}' AND (end_date IS NULL OR end_date >= DATE '{DATE}')
                              ORDER BY village, adviser_id""").drop_duplicates("village")
    current = current[current["village"] // 10**6 != WITHOUT_LOGS].reset_index(drop=True)
    n = len(current)
    kind = pd.Series(["onsite"] * n)
    kind[current.index % 5 == 0] = "remote"
    day = pd.Series([pd.Timestamp(ANCHOR) - pd.Timedelta(days=10)] * n)
    day[current.index % 7 == 0] = pd.Timestamp(ANCHOR) - pd.Timedelta(days=180)
    records = pd.DataFrame({"adviser_id": current["adviser_id"], "village": current["village"],
                            "service_date": day, "mode": kind, "category": "法律咨询", "hours": 2.0,
                            "people": 3, "content": "到村服务", "batch_id": None})
    with store.transaction() as cur:
        batch = store.new_batch(cur, "services", "服务台账.xlsx")
        store.add_services(cur, records.assign(batch_id=batch))


@pytest.fixture(scope="module")
def served_db(demo_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("served") / "served.duckdb"
    shutil.copyfile(demo_db, path)
    with open_store(path) as store:
        without_demo_records(store)
        add_service_records(store)
    return path


def without_demo_records(store) -> None:
    """The demo's own service records taken out, so these tests know every record there is."""
    batches = store.batches()
    with store.transaction() as cur:
        for batch in batches.loc[batches["kind"] == "demo", "batch_id"]:     # the demo's one batch holds them
            store.rollback_services(cur, int(batch))
    assert store.scalar("SELECT count(*) FROM services") == 0


@pytest.fixture
def served_app_db(served_db, tmp_path, monkeypatch):
    return app_copy(served_db, tmp_path, monkeypatch)


@pytest.fixture(scope="module")
def served_store(served_db):
    store = open_store(served_db, read_only=True)
    yield store
    store.close()


def features(at: AppTest) -> dict[str, dict]:
    script = folium_args(at)["script"]
    start = script.index('{"type":"FeatureCollection"')
    data, _ = json.JSONDecoder().raw_decode(script[start:].replace("\\u007b", "{").replace("\\u007d", "}"))
    return {f["properties"]["code"]: f["properties"] for f in data["features"]}


def test_the_map_switch_colours_units_by_served_rate(served_app_db, served_store):
    at = open_page(scope="6101", date=DATE)
    [switch] = at.segmented_control
    assert switch.value == "coverage" and switch.options[:2] == [t("map.layer.coverage"), t("map.layer.served")]
    summary = served_store.summary(Scope.parse("6101"), DATE, by=3).set_index("code")
    assert {c: p["rate"] for c, p in features(at).items()} == {
        c: round(r, 4) for c, r in summary["coverage_rate"].items()}
    switch.set_value("served").run()
    assert not at.exception
    served = {c: p["rate"] for c, p in features(at).items()}
    lantian = f"{WITHOUT_LOGS}000000"
    assert served.pop(lantian) is None                         # no logs: 无服务记录, not 0 %
    assert served == {c: round(r, 4) for c, r in summary["served_rate"].items() if c != lantian}
    assert t("legend.legend_served") in folium_args(at)["script"]
    counts = rank_by_gap(summary.reset_index()).counts
    assert headline(counts, "zh", name="西安市") in texts(at)


def test_the_effective_village_map_gives_status_and_last_visit(served_app_db, served_store):
    at = open_page(scope="610124101", date=DATE)
    at.segmented_control[0].set_value("served").run()
    villages = served_store.village_statuses(Scope.parse("610124101"), DATE).set_index("code")
    props = features(at)
    assert {c: p["status"] for c, p in props.items()} == villages.loc[list(props), "service_status"].to_dict()
    assert {"served", "nominal"} <= {p["status"] for p in props.values()}
    visited = villages[villages["last_onsite"].notna()]
    assert visited.index.isin(list(props)).any()
    for code, row in visited.iterrows():
        if code in props:
            assert props[code]["last_onsite"] == row["last_onsite"].strftime("%Y-%m-%d")


def test_a_county_without_logs_says_so_instead_of_zero(served_app_db):
    at = open_page(scope=str(WITHOUT_LOGS), date=DATE)
    at.segmented_control[0].set_value("served").run()
    assert t("svc.no_data", name="蓝田县") in texts(at)
    assert {p["rate"] for p in features(at).values()} == {None}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_before_the_records_begin_the_summary_says_when_they_do(app_db, demo_store, lang):
    first = demo_store.first_service_day(Scope.parse(COUNTY))
    early = (first - dt.timedelta(days=1)).isoformat()
    at = open_page("pages/summary.py", scope=COUNTY, date=early, lang=lang)
    said = md("msg.svc.begins_later", lang, name="周至县", day=first.isoformat(), date=early)
    assert any(said in x for x in texts(at))
    assert not any(md("svc.no_data", lang, name="周至县") in x for x in texts(at))   # not "never imported"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_before_the_records_begin_the_served_map_says_when_they_do(app_db, demo_store, lang):
    first = demo_store.first_service_day(Scope.parse(COUNTY))
    early = (first - dt.timedelta(days=1)).isoformat()
    at = open_page(scope=COUNTY, date=early, lang=lang)
    at.segmented_control[0].set_value("served").run()
    said = md("msg.svc.begins_later", lang, name="周至县", day=first.isoformat(), date=early)
    assert any(said in x for x in texts(at))
    assert not any(md("svc.no_data", lang, name="周至县") in x for x in texts(at))   # not "never imported"


def test_summary_headline_ranking_and_both_trends(served_app_db, served_store):
    at = open_page("pages/summary.py", scope="61", date=DATE)
    summary = served_store.summary(Scope.parse("61"), DATE, by=2)
    gaps = rank_by_gap(summary)
    assert headline(gaps.counts, "zh", name="陕西省") in [m.value.strip("*") for m in at.markdown]
    ranking = [df.value for df in at.dataframe if t("col.rate_gap") in df.value.columns]
    assert len(ranking) == 1 and ranking[0][t("col.name")].tolist() == gaps.ranked["name"].tolist() == ["西安市"]
    assert t("svc.no_data_list", n=len(gaps.no_data), unit="市") in [e.label for e in at.expander]
    assert t("svc.trend") in [s.value for s in at.subheader]
    assert [m.value for m in at.metric if m.label == t("svc.metric.nominal")] == [f"{gaps.counts.nominal:,}"]


def test_the_window_is_a_sidebar_setting(served_app_db, served_store):
    at = open_page("pages/summary.py", scope="6101", date=DATE)
    at.number_input(key="w_window_days").set_value(5).run()
    assert not at.exception
    settings = ServiceSettings(window_days=5)
    gaps = rank_by_gap(served_store.summary(Scope.parse("6101"), DATE, by=3, service=settings))
    default = rank_by_gap(served_store.summary(Scope.parse("6101"), DATE, by=3)).counts
    assert gaps.counts.served < default.served      # the visits added here were ten days or more before the date
    assert headline(gaps.counts, "zh", name="西安市", settings=settings) in [m.value.strip("*") for m in at.markdown]
    at.multiselect(key="w_counting_modes").set_value(["onsite", "remote"]).run()
    at.number_input(key="w_window_days").set_value(90).run()
    both = ServiceSettings(counting_modes=("onsite", "remote"))
    counts = rank_by_gap(served_store.summary(Scope.parse("6101"), DATE, by=3, service=both)).counts
    assert counts.served > default.served
    assert headline(counts, "zh", name="西安市", settings=both) in [m.value.strip("*") for m in at.markdown]


def test_nominal_villages_on_the_gap_list(served_app_db, served_store):
    at = open_page("pages/gaps.py", scope=COUNTY, date=DATE)
    statuses = at.multiselect(key="gaps_status_zh")
    assert "nominal" in statuses.options or t("status.nominal") in statuses.options
    statuses.set_value(["nominal"]).run()
    assert not at.exception
    expected = served_store.village_statuses(Scope.parse(COUNTY), DATE, statuses=["nominal"])
    table = at.dataframe[0].value
    assert len(expected) and table[t("col.code")].tolist() == expected["code"].tolist()
    assert set(table[t("col.service_status")]) == {t("svc.status.nominal")}
    assert any(t("status.nominal") in m.value for m in at.markdown)


# ------------------------------------------------------------------------------------------------- browser

def effective_legend(page, leaflet_frame, timeout_s: float = 60):
    """The map frame once it shows the effective-service legend (a new run replaces the map), and the legend."""
    import time

    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            frame = leaflet_frame(page)
            legend = frame.locator(".cov-legend").inner_text(timeout=2_000)
            if t("legend.legend_service") in legend:
                return frame, legend
        except Exception:  # the frame was replaced by the next run's map
            pass
        page.wait_for_timeout(250)
    raise AssertionError("the effective-service map was not drawn")


@pytest.mark.browser
def test_the_effective_map_in_a_browser(served_db, tmp_path, browser):
    db = tmp_path / "app.duckdb"
    shutil.copyfile(served_db, db)
    with served_app(db, tmp_path / "streamlit.log") as app:
        page = browser.new_page(viewport=VIEWPORT)
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{app.url}/?scope=610124101&date={DATE}&lang=zh", wait_until="domcontentloaded")
        leaflet_frame(page)
        page.locator("[data-testid=stButtonGroup] button", has_text=t("map.layer.served")).click()
        frame, legend = effective_legend(page, leaflet_frame)
        assert t("svc.status.served") in legend and t("svc.status.nominal") in legend
        fills = set(frame.eval_on_selector_all("path.leaflet-interactive", "ps => ps.map(p => p.getAttribute('fill'))"))
        assert {"#1b9e77", "#e66101"} <= fills                       # served and nominal villages drawn
        page.close()
    outside = [u for u in requests if urlsplit(u).scheme not in ("data", "blob", "about")
               and urlsplit(u).hostname not in LOCAL_HOSTS]
    assert outside == [], outside
