"""The page 顾问 and the summary's load figures through AppTest on the demo: every figure equals the library's."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import threading

import openpyxl
import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from fixtures_app import DATE, assert_ok, open_page
from geo.core.codes import Scope
from geo.text.catalogue import TEXT, t
from geo.views import advisers
from geo.views.gap_list import PAGE_ROWS
from ui import queries

COUNTY = Scope.parse("610124")


def register(store, cap: int = advisers.DEFAULT_CAP) -> advisers.Register:
    return advisers.register(store, COUNTY, pd.Timestamp(DATE).date(), cap=cap)


def test_register_table_counts_and_downloads_match_the_library(app_db, demo_store, downloads):
    at = open_page("pages/advisers.py", scope=COUNTY.digits, date=DATE)
    reg = register(demo_store)
    counts = reg.counts
    assert counts["advisers"] > 0 and counts["over_cap"] > 0
    n = f"{counts['advisers']:,}"
    head = f"**{t('adv.count', n=n)}**"
    [line] = [m.value for m in at.markdown if m.value.startswith(head)]
    assert t("adv.tally", days=60, hours="4", **{k: f"{v:,}" for k, v in counts.items()}) in line.replace("\\", "")
    table = at.dataframe[0].value
    assert len(table) == counts["advisers"]
    shown = dict(zip(table[t("adv.col.licence_no")], table[t("adv.col.villages")]))
    assert shown == dict(zip(reg.frame["licence_no"], reg.frame["villages"]))
    stem = f"法律顾问名册_周至县_{DATE}"
    sheet = openpyxl.load_workbook(io.BytesIO(downloads[f"{stem}.xlsx"])).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == counts["advisers"] + 1
    over = rows[0].index(t("adv.flag.over_cap", cap=5))
    assert sum(r[over] == "是" for r in rows[1:]) == counts["over_cap"]
    back = pd.read_csv(io.BytesIO(downloads[f"{stem}.csv"]), encoding="utf-8-sig", dtype=str)
    assert len(back) == counts["advisers"]


def test_flag_filter_and_cap_setting(app_db, demo_store):
    at = open_page("pages/advisers.py", scope=COUNTY.digits, date=DATE)
    at.button_group[0].set_value("expiring").run()
    assert len(at.dataframe[0].value) == register(demo_store).counts["expiring"]
    at.button_group[0].set_value("over_cap").run()
    assert len(at.dataframe[0].value) == register(demo_store).counts["over_cap"]
    [cap] = [n for n in at.sidebar.number_input if n.label == t("adv.cap")]
    cap.set_value(3).run()
    assert len(at.dataframe[0].value) == register(demo_store, cap=3).counts["over_cap"] > \
        register(demo_store).counts["over_cap"]


def test_detail_history_and_renewals_match_the_library(app_db, demo_store, downloads):
    at = open_page("pages/advisers.py", scope=COUNTY.digits, date=DATE)
    reg = register(demo_store)
    [pick] = [s for s in at.main.selectbox if s.label == t("adv.pick")]
    busiest = int(reg.frame.sort_values("villages").iloc[-1]["adviser_id"])
    pick.set_value(busiest).run()
    row = reg.row(busiest)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("adv.detail.villages")] == str(row.villages)
    history = at.dataframe[1].value
    assert len(history) == len(demo_store.adviser_contracts(COUNTY, DATE, busiest))
    assert (history[t("adv.col.state")] == t("adv.state.current")).sum() + \
        (history[t("adv.col.state")] == t("adv.state.expiring")).sum() >= row.villages
    ren = advisers.renewals(demo_store, COUNTY, pd.Timestamp(DATE).date())
    work = at.dataframe[2].value
    assert len(work) == len(ren.frame) > 0
    tally = t("adv.renewals.tally", **{k: f"{v:,}" for k, v in ren.counts.items()})
    assert any(tally in m.value.replace("\\", "") for m in at.markdown)
    # no renewal action exists yet (the records issue adds it): no text may promise one
    assert not any("一键" in zh or "one click" in en.lower() for zh, en in TEXT.values() if "续聘" in zh)
    assert work[t("col.code")].tolist() == ren.frame["village"].tolist()
    sheet = openpyxl.load_workbook(io.BytesIO(downloads[f"续聘清单_周至县_{DATE}.xlsx"])).active
    assert sheet.max_row == len(ren.frame) + 1


def test_worklist_read_beside_the_register_keeps_the_chosen_horizon(app_db, demo_store):
    at = open_page("pages/advisers.py", scope=COUNTY.digits, date=DATE)
    [horizon] = [n for n in at.main.number_input if n.label == t("adv.renewals.days")]
    horizon.set_value(365).run()
    day = pd.Timestamp(DATE).date()
    year = advisers.renewals(demo_store, COUNTY, day, days=365)
    assert len(year.frame) > len(advisers.renewals(demo_store, COUNTY, day).frame)
    assert worklist(at) == (len(year.frame), year.frame["village"].head(PAGE_ROWS).tolist())
    earlier = day - dt.timedelta(days=200)
    at.sidebar.date_input[0].set_value(earlier).run()
    assert_ok(at)
    then = advisers.renewals(demo_store, COUNTY, earlier, days=365).frame
    assert worklist(at) == (len(then), then["village"].head(PAGE_ROWS).tolist())


def worklist(at) -> tuple[int, list[str]]:
    """The worklist's count as the page says it, and the codes on its first page."""
    [n] = [int(m.group(1).replace(",", "")) for m in (re.search(t("adv.renewals.count", n="([0-9,]+)"), md.value)
                                                         for md in at.markdown) if m]
    return n, at.dataframe[-1].value[t("col.code")].tolist()


def test_side_by_side_answers_in_order_and_raises_a_side_read_s_error():
    assert queries.side_by_side(lambda: 1, lambda: threading.current_thread().name, lambda: 3) == [1, "ui-beside", 3]

    def broken() -> None:
        raise advisers.AdviserError(key="adv.e.horizon", params={"max": 3660})
    with pytest.raises(advisers.AdviserError):
        queries.side_by_side(lambda: 1, broken)


def test_summary_shows_advisers_over_the_cap_and_their_loads(app_db, demo_store):
    at = open_page("pages/summary.py", scope=COUNTY.digits, date=DATE)
    reg = register(demo_store)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("adv.summary.over_cap", cap=5)] == f"{reg.counts['over_cap']:,}"
    charts = [e for e in at.main if type(e).__name__ == "UnknownElement" and e.type == "vega_lite_chart"]
    bars = [c for c in charts
            if t("adv.summary.axis_villages") in json.dumps(json.loads(c.proto.spec), ensure_ascii=False)]
    assert not re.search(r"https?://", json.dumps({k: v for k, v in json.loads(bars[0].proto.spec).items()
                                                   if k != "$schema"}))        # nothing fetched from outside
    plotted = convert_arrow_bytes_to_pandas_df(bars[0].proto.datasets[0].data.data)
    expected = advisers.load_distribution(reg)
    assert plotted["villages"].tolist() == expected["villages"].tolist()
    assert plotted["advisers"].tolist() == expected["advisers"].tolist()


def test_in_english_a_county_without_village_boundaries(app_db, demo_store):
    """新城区 has no village boundaries: its advisers' distances are dashes with a word of why, the kinds are in
    English, and an adviser whose every contract is open-ended has a detail."""
    county = Scope.parse("610102")
    at = open_page("pages/advisers.py", scope=county.digits, date=DATE, lang="en")
    reg = advisers.register(demo_store, county, pd.Timestamp(DATE).date())
    kinds = set(at.dataframe[0].value[t("adv.col.kind", "en")])
    assert kinds and kinds <= {t(key, "en") for key in advisers.KIND_KEYS.values()}
    open_ended = [int(a) for a in reg.frame["adviser_id"]
                  if demo_store.adviser_contracts(county, DATE, int(a))["end_date"].isna().all()]
    [pick] = [s for s in at.main.selectbox if s.label == t("adv.pick", "en")]
    pick.set_value(open_ended[0]).run()
    assert not at.exception, [e.value for e in at.exception]
    history = at.dataframe[1].value
    assert set(history[t("adv.col.distance_km", "en")]) == {advisers.NO_DISTANCE}
    assert t("adv.distance.none", "en") in [c.value for c in at.caption]
