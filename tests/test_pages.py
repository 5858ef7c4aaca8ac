"""The Streamlit app on the demo database: figures match the store, the map loads nothing remote, the gap list
and its downloads, the language switch and URL-driven state (AppTest), plus one real server in a browser."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from benchmarks.browser import CHART, VIEWPORT, served_app, wait_ready
from fixtures_app import app_store, figures, folium_args, open_page, texts
from geo import imports
from geo.core.codes import LEVEL_ENDS, Scope
from geo.core.coverage import NO_DATA
from geo.demo import ANCHOR
from geo.store import DB_ENV, open_store
from geo.text.catalogue import escape_markdown, md, t

ROOT = Path(__file__).resolve().parent.parent
GAPS = ["lapsed", "expiring", "never"]
DATE = ANCHOR.isoformat()
URL = re.compile(r"https?://", re.I)


# ------------------------------------------------------------------------------------------------------- map

def test_map_page_figures_table_and_local_assets(app_db, demo_store):
    at = open_page(scope="6101", date=DATE)
    assert texts(at).count(figures(demo_store, "6101", DATE)) == 1      # one figures line, above the map
    args = folium_args(at)
    for part in ("script", "html", "header"):
        assert not URL.search(args.get(part) or ""), part
    assert args["js_links"] and args["css_links"]
    assert all(not URL.match(link) for link in args["js_links"] + args["css_links"])
    # the table beside the map is the store's summary of 西安市's counties
    expected = demo_store.summary(Scope.parse("6101"), DATE, by=3)
    table = at.dataframe[0].value
    assert table[t("col.code")].tolist() == expected["code"].tolist()
    assert table[t("col.covered")].tolist() == expected["covered"].tolist()
    assert all(f'"code":"{code}"' in args["script"] for code in expected["code"])


def test_national_map_counts_provinces_with_data_only(app_db, demo_store):
    """The demo's 30 provinces without a contract are no data: not in the figures line, no rate in the table."""
    at = open_page(scope="0", date=DATE)
    shaanxi = demo_store.totals(Scope.parse("61"), DATE)
    line = md("figures", name=t("level.0"), villages=f"{shaanxi.villages:,}", covered=f"{shaanxi.covered:,}",
              rate=f"{shaanxi.coverage_rate * 100:.1f}%", expiring=f"{shaanxi.expiring:,}",
              lapsed=f"{shaanxi.lapsed:,}", never=f"{shaanxi.never:,}")
    national = demo_store.totals(Scope(""), DATE)       # the counties without a ledger, left out and said so
    note = md("nodata.left_out", counties=f"{national.no_data_counties:,}", villages=f"{national.no_data_villages:,}")
    assert national.no_data_counties > 0 and f"{line} {note}" in texts(at)
    table = at.dataframe[0].value
    rates = dict(zip(table[t("col.name")], table[t("col.coverage_rate")]))
    assert rates.pop("陕西省") == pytest.approx(shaanxi.coverage_rate * 100, abs=0.01)
    assert len(rates) == 30 and all(pd.isna(r) for r in rates.values())


def test_map_village_level_lists_villages_and_marks_schematic(app_db, demo_store):
    at = open_page(scope="610124101", date=DATE)        # 哑柏镇 in 周至县: schematic village cells
    villages = demo_store.village_statuses(Scope.parse("610124101"), DATE)
    assert len(at.dataframe[0].value) == len(villages)
    shown = texts(at)
    assert t("map.schematic") in shown
    assert t("detail.pick") in shown                 # the details panel waits for a click
    assert '"status":"' in folium_args(at)["script"]


def test_county_without_village_boundaries_says_so(app_db, demo_store):
    at = open_page(scope="610122", date=DATE)           # 蓝田县: no township or village boundaries
    assert md("map.no_geoms_county", name="蓝田县", unit=t("level.4")) in texts(at)
    assert len(at.dataframe[0].value) == len(demo_store.children(Scope.parse("610122")))
    at = open_page(scope="610122001", date=DATE)        # one of its townships: no map at all, the villages listed
    assert md("map.no_geoms_town", name="蓝关街道") in texts(at)
    assert not [e for e in at.main if type(e).__name__ == "UnknownElement"]
    assert len(at.dataframe[0].value) == len(demo_store.village_statuses(Scope.parse("610122001"), DATE))


def test_breadcrumb_goes_back_up(app_db):
    at = open_page(scope="610124", date=DATE)
    labels = [b.label for b in at.button]
    assert labels[:3] == ["全国", "陕西省", "西安市"]
    at.button[2].click().run()
    assert at.query_params["scope"] == "6101"
    assert [b.label for b in at.button][:2] == ["全国", "陕西省"]


def test_scope_picker_drills_down(app_db, demo_store):
    at = open_page(scope="61", date=DATE)
    city = at.sidebar.selectbox[1]
    assert city.label == t("level.2")
    city.set_value("6101").run()
    assert at.query_params["scope"] == "6101"
    assert figures(demo_store, "6101", DATE) in texts(at)
    assert [s.value for s in at.sidebar.selectbox] == ["61", "6101", ""]


# ------------------------------------------------------------------------------------------------------- URL state

def test_query_params_drive_scope_and_date(app_db, demo_store):
    at = open_page(scope="610124", date="2025-06-30")
    assert figures(demo_store, "610124", "2025-06-30") in texts(at)
    assert [s.value for s in at.sidebar.selectbox] == ["61", "6101", "610124", ""]
    assert at.sidebar.date_input[0].value == dt.date(2025, 6, 30)
    # a changed date goes back into the URL
    at.sidebar.date_input[0].set_value(dt.date(2025, 1, 31)).run()
    assert at.query_params["date"] == "2025-01-31"
    assert figures(demo_store, "610124", "2025-01-31") in texts(at)


def test_bad_link_values_fall_back_with_a_notice(app_db, demo_store):
    at = open_page(scope="999999", date="27.11.2026")
    warnings = [w.value for w in at.warning]
    assert md("bad_scope", raw="999999", name="陕西省") in warnings
    assert md("bad_date", raw="27.11.2026", low="2000-01-01", high=(dt.date.today() + dt.timedelta(days=5 * 366))
              .isoformat()) in warnings
    assert figures(demo_store, "61", dt.date.today().isoformat()) in texts(at)


TODAY = dt.date.today()
LATEST = TODAY + dt.timedelta(days=5 * 366)        # the picker's own bound, restated


@pytest.mark.parametrize("page", ["pages/map.py", "pages/gaps.py", "pages/summary.py", "pages/imports.py"])
def test_every_page_survives_a_date_outside_the_picker(app_db, page):
    at = open_page(scope="610124", date=DATE)
    low, high = (d.isoformat() for d in (dt.date(2000, 1, 1), LATEST))
    for raw in ("2099-01-01", "1900-01-01"):
        at.query_params["date"] = raw                          # the page opened from a link with that date
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        assert md("bad_date", raw=raw, low=low, high=high) in [w.value for w in at.warning]
        assert at.sidebar.date_input[0].value == TODAY
        assert at.query_params["date"] == TODAY.isoformat()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_date_typed_outside_the_picker_is_refused_with_a_word(app_db, demo_store, lang):
    at = open_page(scope="610124", date="2025-06-30", lang=lang)
    low, high = (d.isoformat() for d in (dt.date(2000, 1, 1), LATEST))
    assert md("msg.date.range", lang, low=low, high=high) in at.sidebar.date_input[0].help
    for typed in (dt.date(1999, 12, 31), LATEST + dt.timedelta(days=1)):
        at.sidebar.date_input[0].set_value(typed).run()
        assert not at.exception, [e.value for e in at.exception]
        assert [w.value for w in at.sidebar.warning] == [md("msg.date.refused", lang, raw=typed.isoformat(), low=low,
                                                            high=high, used="2025-06-30")]
        assert at.sidebar.date_input[0].value == dt.date(2025, 6, 30)          # the date in use, unchanged
        assert at.query_params["date"] == "2025-06-30"
        assert figures(demo_store, "610124", "2025-06-30", lang) in texts(at)
    at.sidebar.date_input[0].set_value(dt.date(2000, 1, 1)).run()              # the first date offered is taken
    assert at.query_params["date"] == "2000-01-01" and not at.sidebar.warning


# ------------------------------------------------------------------------------------------------------- village links

VILLAGE, TOWNSHIP = "610124001001", "610124001"    # 淳风苑社区居委会 in 二曲街道, 周至县 (schematic cells)


def test_village_link_shows_the_village_on_its_townships_map(app_db, demo_store):
    at = open_page(scope=VILLAGE, date=DATE)
    village, township = (demo_store.scope_name(Scope.parse(c)) for c in (VILLAGE, TOWNSHIP))
    assert md("map.village_focus", village=village, township=township) in texts(at)
    assert figures(demo_store, VILLAGE, DATE) not in texts(at)        # the focus line instead of the figures
    # the township's map and table, the village's details beside them without a click
    args = folium_args(at)
    town_villages = demo_store.village_statuses(Scope.parse(TOWNSHIP), DATE)
    assert all(f'"code":"{code}"' in args["script"] for code in town_villages["code"])
    assert at.dataframe[0].value[t("col.code")].tolist() == town_villages["code"].tolist()
    row = town_villages.set_index("code").loc[VILLAGE]
    panel = [m.value for m in at.markdown]
    assert f"**{village}**  \n`{VILLAGE}`" in panel
    assert any(escape_markdown(row["advisers"]) in m for m in panel)
    assert [b.label for b in at.button][-1] == township        # the breadcrumb leads back to the township


@pytest.mark.parametrize("scope", ["610124001001", "610124001", "610122001001", "610122001", "610122"])
@pytest.mark.parametrize("page", ["pages/gaps.py", "pages/summary.py"])
def test_village_and_township_links_open_every_page(app_db, demo_store, scope, page):
    at = open_page(page, scope=scope, date=DATE)
    assert at.query_params["scope"] == scope
    if page == "pages/gaps.py":
        expected = demo_store.village_statuses(Scope.parse(scope), DATE, statuses=GAPS)
        # the gap list's table, not the signboards' reprint list drawn under it
        lists = [d.value for d in at.dataframe if t("pub.col.reason") not in d.value.columns]
        shown = lists[0] if lists else []
        assert len(shown) == len(expected)
    else:
        c = demo_store.totals(Scope.parse(scope), DATE)
        assert {m.label: m.value for m in at.metric}[t("metric.villages")] == f"{c.villages:,}"


def test_village_without_boundaries_says_so(app_db, demo_store):
    at = open_page(scope="610122001001", date=DATE)           # 蓝田县: no village boundaries
    assert md("map.no_geoms_town", name="蓝关街道") in texts(at)
    assert figures(demo_store, "610122001001", DATE) in texts(at)


# ------------------------------------------------------------------------------------------------------- hostile text

# Markdown that would fetch, link, run or format: each must show as typed
HOSTILE = ["![x](http://127.0.0.1/t.png)", "[点此](http://evil.example)", "<img src=x onerror=alert(1)>",
           "http://evil.example", "www.evil.example", "**bold**", ":red[x]", "$x$", "`code`"]
HOSTILE_TEXT = " ".join(HOSTILE)


def assert_literal(shown: list[str], value: str) -> None:
    """`value` is in one of the Markdown sources `shown`, escaped, and no payload is in any of them live."""
    assert any(escape_markdown(value) in s for s in shown), value
    for payload in HOSTILE:
        assert not any(payload in s for s in shown), payload


def test_link_values_show_literally_in_the_notices(app_db):
    at = open_page(scope=HOSTILE_TEXT, date=HOSTILE_TEXT)
    warnings = [w.value for w in at.warning]
    assert md("bad_scope", raw=HOSTILE_TEXT, name="陕西省") in warnings
    assert_literal(warnings, HOSTILE_TEXT)
    assert len(warnings) == 2


def test_file_values_show_literally_in_the_side_panel_and_breadcrumb(app_db, tmp_path):
    store = app_store(app_db)                               # the app's own store (one writer per file)
    ledger = tmp_path / "台账.csv"
    with open(ledger, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["区划代码", "村（社区）名称", "法律顾问姓名", "执业机构", "联系电话", "聘任期限"])
        w.writerow([VILLAGE, "淳风苑社区", f"顾问{HOSTILE_TEXT}", f"机构{HOSTILE_TEXT}", f"电话{HOSTILE_TEXT}",
                    "2026.01.01-2027.12.31"])
    assert imports.import_assignments(store, ledger, county="610124").rows_accepted == 1
    registry = tmp_path / "区划.csv"
    with open(registry, "w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f).writerows([["统计用区划代码", "名称"], [TOWNSHIP.ljust(12, "0"), f"街道{HOSTILE_TEXT}"],
                                 [VILLAGE, f"村{HOSTILE_TEXT}"]])
    assert imports.import_registry(store, registry).details["renamed"] == 2

    at = open_page(scope=VILLAGE, date=DATE)
    [row] = store.village_statuses(Scope.parse(VILLAGE), DATE).itertuples(index=False)
    shown = texts(at) + [b.label for b in at.button]
    for value in (row.name, row.advisers, row.orgs, row.phones, store.scope_name(Scope.parse(TOWNSHIP))):
        assert HOSTILE_TEXT in value                          # stored as typed
        assert_literal(shown, value)


def test_language_switch_gives_english(app_db, demo_store):
    at = open_page(scope="610124", date=DATE)
    assert at.title[0].value == "覆盖地图"
    at.sidebar.radio[0].set_value("en").run()
    assert at.title[0].value == "Coverage map"
    assert at.query_params["lang"] == "en"
    assert figures(demo_store, "610124", DATE, "en") in texts(at)
    assert t("col.code", "en") in at.dataframe[0].value.columns
    at.switch_page("pages/gaps.py").run()
    assert at.title[0].value == "Gap list"
    assert at.multiselect[0].value == GAPS
    assert t("col.village", "en") in at.dataframe[0].value.columns


# ------------------------------------------------------------------------------------------------------- gaps

def test_gap_list_matches_store_and_downloads(app_db, demo_store, downloads):
    at = open_page("pages/gaps.py", scope="610124", date=DATE)
    assert at.multiselect[0].value == GAPS
    expected = demo_store.village_statuses(Scope.parse("610124"), DATE, statuses=GAPS)
    table = at.dataframe[0].value
    assert len(table) == len(expected) > 0
    assert set(table[t("col.status")]) <= {t(f"status.{s}") for s in GAPS}
    assert t("nodata.none_here", name="周至县") in texts(at)       # its ledger is imported: no county to chase
    # the gap list's two, first (the gap plan's follow below it)
    assert [b.label for b in at.get("download_button")][:2] == [t("download.xlsx"), t("download.csv")]
    assert not downloads.static                 # offered, not built: each file is made when it is clicked
    stem = f"缺口清单_周至县_{DATE}"
    assert {f"{stem}.xlsx", f"{stem}.csv"} <= set(downloads)
    sheet = openpyxl.load_workbook(io.BytesIO(downloads[f"{stem}.xlsx"])).active
    assert sheet.max_row == len(expected) + 1
    csv = downloads[f"{stem}.csv"]
    assert csv.startswith(b"\xef\xbb\xbf")
    assert len(pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig", dtype=str)) == len(expected)


def test_gap_list_leaves_out_and_lists_the_counties_without_a_ledger(app_db, demo_store, downloads):
    """陕西省 on a day when only some counties had contracts: their villages are not gaps, the list says how many
    it left out, and 未导入台账的县（区） lists them with the store's figures and both downloads."""
    early = "2018-06-15"
    at = open_page("pages/gaps.py", scope="61", date=early)
    totals = demo_store.totals(Scope.parse("61"), early)
    missing = demo_store.no_data_counties(Scope.parse("61"), early)
    assert 0 < totals.no_data_counties == len(missing)
    by_city, gaps = at.dataframe[0].value, at.dataframe[1].value      # the count by city, then a page of rows
    assert by_city[t("col.villages")].sum() == len(demo_store.village_statuses(Scope.parse("61"), early,
                                                                                 statuses=GAPS))
    assert not set(gaps[t("col.code")].str[:6]) & set(missing["code"].str[:6])
    assert t("gaps.left_out", counties=f"{totals.no_data_counties:,}",
             villages=f"{totals.no_data_villages:,}") in texts(at)
    assert t("nodata.title") in texts(at)
    listed = at.dataframe[2].value
    assert listed[t("col.county_code")].tolist() == missing["code"].tolist()
    assert listed[t("col.villages")].sum() == totals.no_data_villages
    stem = f"未导入台账的县区_陕西省_{early}"
    sheet = openpyxl.load_workbook(io.BytesIO(downloads[f"{stem}.xlsx"])).active
    assert sheet.max_row == len(missing) + 1 and sheet.cell(2, 5).data_type == "n"
    assert len(pd.read_csv(io.BytesIO(downloads[f"{stem}.csv"]), encoding="utf-8-sig")) == len(missing)


def test_gap_list_of_a_county_without_a_ledger_says_so(app_db):
    at = open_page("pages/gaps.py", scope="110101", date=DATE)          # 东城区: no contract in the demo
    assert t("gaps.scope_no_data", name="东城区") in [e.value for e in at.info]
    assert at.dataframe[0].value[t("col.county")].tolist() == ["东城区"]


def test_a_long_gap_list_is_drawn_a_page_at_a_time_under_its_count_by_unit(app_db, demo_store):
    from geo.text.formats import count
    from geo.views.gap_list import PAGE_ROWS

    at = open_page("pages/gaps.py", scope="61", date=DATE)
    expected = demo_store.village_statuses(Scope.parse("61"), DATE, statuses=GAPS)
    assert len(expected) > 2 * PAGE_ROWS
    by_city, rows = at.dataframe[0].value, at.dataframe[1].value
    cities = demo_store.children(Scope.parse("61"))
    assert set(by_city[t("col.name")]) <= set(cities["name"])
    assert by_city[t("col.villages")].sum() == len(expected)
    assert rows[t("col.code")].tolist() == expected["code"].head(PAGE_ROWS).tolist()
    assert md("gaps.page_rows", first="1", last=count(PAGE_ROWS), n=count(len(expected))) in \
        [c.value for c in at.caption]
    at.number_input(key=f"gaps_page_61_None_{DATE}").set_value(2).run()
    rows = at.dataframe[1].value
    assert rows[t("col.code")].tolist() == expected["code"].iloc[PAGE_ROWS:2 * PAGE_ROWS].tolist()


def test_gap_filters_by_status_and_township(app_db, demo_store):
    at = open_page("pages/gaps.py", scope="610124", date=DATE)
    at.multiselect[0].set_value(["never"]).run()
    never = demo_store.village_statuses(Scope.parse("610124"), DATE, statuses=["never"])
    assert len(at.dataframe[0].value) == len(never)
    at.multiselect[0].set_value([]).run()          # every status removed: ask for one, not "no village matches"
    assert t("msg.gaps.pick_status") in [i.value for i in at.info] and t("gaps.none") not in [i.value for i in at.info]
    at.multiselect[0].set_value(GAPS).run()
    town = at.selectbox[0]
    assert town.label == t("col.township")
    counts = {c: len(demo_store.village_statuses(Scope.parse("610124"), DATE, statuses=GAPS, township=c))
              for c in demo_store.children(Scope.parse("610124"))["code"]}
    pick = max(counts, key=counts.get)
    town.set_value(pick).run()
    assert len(at.dataframe[0].value) == counts[pick]


# ------------------------------------------------------------------------------------------------------- summary

def test_summary_metrics_ranking_and_trend(app_db, demo_store):
    at = open_page("pages/summary.py", scope="61", date=DATE)
    c = demo_store.totals(Scope.parse("61"), DATE)
    advisers, per = demo_store.adviser_stats(Scope.parse("61"), DATE)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("metric.villages")] == f"{c.villages:,}"
    assert metrics[t("metric.covered")] == f"{c.covered:,}"
    assert metrics[t("metric.rate")] == f"{c.coverage_rate * 100:.1f}%"
    assert metrics[t("metric.expiring", days=60)] == f"{c.expiring:,}"
    assert metrics[t("metric.lapsed")] == f"{c.lapsed:,}"
    assert metrics[t("metric.never")] == f"{c.never:,}"
    assert metrics[t("metric.advisers")] == f"{advisers:,}"
    assert metrics[t("metric.per_adviser")] == f"{per:.1f}"
    summary = demo_store.summary(Scope.parse("61"), DATE, by=2)
    worst, ranking = at.dataframe[0].value, at.dataframe[1].value
    assert sorted(ranking[t("col.name")]) == sorted(summary["name"])
    rates = ranking[t("col.coverage_rate")].tolist()
    assert rates == sorted(rates, reverse=True)
    assert ranking[t("col.name")].iloc[-1] == summary.sort_values("coverage_rate")["name"].iloc[0]
    assert worst[t("col.name")].tolist() == ranking[t("col.name")].iloc[::-1].head(3).tolist()
    charts = [e for e in at.main if type(e).__name__ == "UnknownElement" and e.type == "vega_lite_chart"]
    [chart] = [c for c in charts if '"month' in c.proto.spec]        # the trend (the other: advisers' loads)
    assert not URL.search(json.dumps({k: v for k, v in json.loads(chart.proto.spec).items() if k != "$schema"}))
    plotted = convert_arrow_bytes_to_pandas_df(chart.proto.datasets[0].data.data)
    plotted = plotted[plotted["line"] == t("svc.line.coverage")]      # beside it, the served line (the demo has logs)
    trend = demo_store.trend(Scope.parse("61"), DATE)
    assert plotted["month"].tolist() == trend["month"].tolist() and len(trend) == 24
    assert plotted["rate"].round(6).tolist() == trend["coverage_rate"].round(6).tolist()


def independent_units(store, code: str) -> pd.DataFrame:
    """Per child unit from the village list in plain pandas (not Store.summary): villages, covered, has_data (a
    unit has data when a village of it is not no data: its county decides)."""
    scope = Scope.parse(code)
    digits = LEVEL_ENDS[store.child_level(scope) - 1]
    villages = store.village_statuses(scope, DATE)
    unit = villages["code"].str[:digits]
    covered = villages["status"].isin(["covered", "expiring"]).groupby(unit).sum()
    seen = (villages["status"] != NO_DATA).groupby(unit).sum()
    names = {c[:digits]: n for c, n in zip(store.children(scope)["code"], store.children(scope)["name"])}
    return pd.DataFrame({"name": [names[u] for u in covered.index], "villages": unit.value_counts()[covered.index],
                         "covered": covered, "has_data": seen > 0})


@pytest.mark.parametrize("code", ["0", "610402", "610802"])
def test_summary_leaves_units_without_data_out_and_shows_the_worst_first(app_db, demo_store, code):
    """National demo (30 provinces without contracts), 秦都区 (a township without contracts, a gap at 0 % like
    two others: its county has data), 榆阳区 (31 townships): no-data units are listed apart, never ranked or red,
    the headline rate is over the units with data, the metric says how many counties it leaves out, and the worst
    are the first table, above the full ranking."""
    at = open_page("pages/summary.py", scope=code, date=DATE)
    units = independent_units(demo_store, code)
    with_data, without = units[units["has_data"]], units[~units["has_data"]]
    unit = t(f"level.{demo_store.child_level(Scope.parse(code))}")
    [rate] = [m for m in at.metric if m.label == t("metric.rate")]
    assert rate.value == f"{with_data['covered'].sum() / with_data['villages'].sum() * 100:.1f}%"
    villages = demo_store.village_statuses(Scope.parse(code), DATE)
    left = int(villages["status"].eq(NO_DATA).groupby(villages["code"].str[:6]).all().sum())   # counties
    assert rate.proto.delta == (t("nodata.left_out_short", counties=f"{left:,}") if left else "")
    tables = [d.value for d in at.dataframe]
    name = t("col.name")
    ranking = tables[1] if len(with_data) > 1 else tables[0]
    assert sorted(ranking[name]) == sorted(with_data["name"])
    rates = (with_data["covered"] / with_data["villages"])
    below_best = rates[rates < rates.max()].sort_values(kind="stable")
    if len(below_best):
        worst = tables[0]
        assert len(worst) == min(3, len(below_best))
        assert worst[t("col.coverage_rate")].round(9).tolist() == below_best.head(3).round(9).tolist()
        assert not set(worst[name]) & set(without["name"])
    if len(without):
        [box] = at.main.expander          # the sidebar has its own: the effective-service settings
        assert box.label == t("summary.no_data_list", n=len(without), unit=unit)
        assert sorted(box.dataframe[0].value[name]) == sorted(without["name"])
    else:
        assert not at.main.expander


def test_summary_of_a_unit_without_data_says_no_data(app_db):
    at = open_page("pages/summary.py", scope="11", date=DATE)           # 北京市: no contract in the demo
    [rate] = [m for m in at.metric if m.label == t("metric.rate")]
    assert rate.value == t("legend.nodata")
    [never] = [m for m in at.metric if m.label == t("metric.never")]    # not imported is not never covered
    assert never.value == t("legend.nodata")
    villages = [m.value for m in at.metric if m.label == t("metric.villages")][0]
    assert t("nodata.scope", name="北京市", villages=villages) in texts(at)
    assert t("summary.trend_no_data") in [e.value for e in at.info]
    assert not [e for e in at.main if type(e).__name__ == "UnknownElement" and e.type == "vega_lite_chart"]


# ------------------------------------------------------------------------------------------------------- first start

def test_first_start_builds_the_demo(tmp_path, monkeypatch):
    path = tmp_path / "fresh" / "coverage.duckdb"
    monkeypatch.setenv(DB_ENV, str(path))
    at = open_page(timeout=180, date=DATE)
    assert path.exists()
    with open_store(path, read_only=True) as store:   # as the app holds it between writes: same process, same mode
        assert store.get_meta("dataset") == "demo"
        assert figures(store, "61", DATE) in texts(at)


# ------------------------------------------------------------------------------------------------------- browser

@pytest.mark.browser
def test_real_server_draws_map_and_chart_without_remote_requests(app_db, demo_store, browser, tmp_path):
    remote: list[str] = []
    with served_app(app_db, tmp_path / "streamlit.log") as app:
        local = (app.url, app.url.replace("http", "ws", 1), "data:", "blob:", "about:")
        page = browser.new_page(viewport=VIEWPORT)
        page.on("request", lambda r: None if r.url.startswith(local) else remote.append(r.url))
        page.goto(f"{app.url}/?scope=610124&date={DATE}", wait_until="commit")
        wait_ready(page, params={"scope": "610124"}, map=True)
        frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        n_units = len(demo_store.children(Scope.parse("610124")))
        assert frame.locator("path.leaflet-interactive").count() == n_units
        page.goto(f"{app.url}/summary?scope=61&date={DATE}", wait_until="commit")
        wait_ready(page, params={"scope": "61"}, path="/summary", selectors=(CHART,))
        page.wait_for_timeout(1000)   # let late requests (fonts, telemetry) show themselves
        page.close()
    assert remote == []


def test_summary_charts_count_people_whole_and_say_where_records_begin(app_db, demo_store):
    from geo.core.service_ranking import records_begin

    at = open_page("pages/summary.py", scope="610103", date=DATE)
    charts = [json.loads(e.proto.spec) for e in at.main
              if type(e).__name__ == "UnknownElement" and e.type == "vega_lite_chart"]
    [loads] = [c for c in charts if '"advisers' in json.dumps(c) and '"month' not in json.dumps(c)]
    y_axes = [layer["encoding"]["y"]["axis"] for layer in loads["layer"]]
    assert y_axes and all(a["tickMinStep"] == 1 and a["format"] == "d" for a in y_axes)
    trend = demo_store.trend(Scope.parse("610103"), DATE)
    first = trend.loc[trend["has_service_data"], "month"].iloc[0]
    assert first > trend["month"].iloc[0]                  # the demo's records begin inside the 24 months
    year, month = (int(x) for x in first.split("-"))
    assert f"服务记录自{year}年{month}月起" in records_begin(trend, "zh")
    assert any(c.value.endswith(records_begin(trend, "zh")) for c in at.caption)
    assert records_begin(trend[trend["month"] >= first], "zh") is None
    assert records_begin(trend, "en").startswith("Service records begin in ")


@pytest.mark.parametrize("page, scope", [("pages/map.py", "610103"), ("pages/summary.py", "610103"),
                                         ("pages/map.py", "610103001")])
def test_name_columns_are_as_wide_as_their_longest_name(app_db, page, scope):
    """A table sizes its columns before the Chinese font is in and cut 南院门街道 to 南院门街: the pages set them."""
    at = open_page(page, scope=scope, date=DATE)
    checked = 0
    for frame in at.dataframe:
        if len(frame.value.columns) <= 2:            # a name and a number share the whole width
            continue
        config = json.loads(frame.proto.columns or "{}")
        for col in (t("col.name"), t("col.village"), t("col.township")):
            if col in frame.value.columns:
                longest = max(len(str(v)) for v in [col, *frame.value[col]])
                assert config[col]["width"] >= 14 * longest, (page, col)
                checked += 1
    assert checked
