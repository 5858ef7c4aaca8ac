"""The feedback section of the summary page and the map's third layer, driven as a county clerk would (AppTest on
a demo copy with villagers' responses): figures, the contradiction list, comments shown as data, never as
Markdown, villages coloured by what their villagers said."""
from __future__ import annotations

import json

import pandas as pd

from fixtures_app import app_db, app_store, folium_args, open_page  # noqa: F401 - app_db is a fixture
from geo.core.codes import Scope
from geo.core.feedback import window_period
from geo.demo import ANCHOR

MARKUP = "**粗体** <b>标签</b> [链接](http://x)"


def seed(path) -> pd.DataFrame:
    """Ten responses at each of three villages of 周至县: all served ones say never seen, one comment is markup."""
    store = app_store(path)
    statuses = store.village_statuses(Scope("610124"), ANCHOR)
    served = statuses[statuses["service_status"] == "served"]["code"].head(2).tolist()
    nominal = statuses[statuses["service_status"] == "nominal"]["code"].head(1).tolist()
    rows = [{"village": v, "received_at": pd.Timestamp(ANCHOR) - pd.Timedelta(days=i + 1), "source": "web",
             "satisfaction": 1 + i % 5, "reached": i % 2 == 0, "never_seen": v in served and i < 3,
             "comment": MARKUP if i == 0 else None, "client_key": None, "duplicate": False, "batch_id": None}
            for v in served + nominal for i in range(10)]
    with store.transaction() as cur:
        store.add_feedback(cur, pd.DataFrame(rows))
    return pd.DataFrame(rows).assign(served=lambda d: d["village"].isin(served))


def test_the_summary_shows_the_feedback_and_the_contradiction_list(app_db):  # noqa: F811
    rows = seed(app_db)
    at = open_page("pages/summary.py", scope="610124", date=ANCHOR.isoformat(), lang="zh")
    period = window_period(ANCHOR)
    headers = [h.value.replace("\\", "") for h in at.subheader]       # values escaped for Markdown
    assert f"村民反馈（{period.start} 至 {period.end}）" in headers, headers
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["村民反馈（份）"] == f"{len(rows):,}"
    assert metrics["满意度（均分，满分 5）"] == f"{rows['satisfaction'].mean():.2f}"
    listed = [df for df in (d.value for d in at.dataframe) if "“没见过顾问”反映（份）" in df.columns
              and "最近到村服务" in df.columns]
    assert len(listed) == 1
    assert set(listed[0]["区划代码"]) == set(rows.loc[rows["served"], "village"])
    markdown = " ".join(m.value for m in at.markdown)
    assert "<b>标签</b>" not in markdown and "粗体" not in markdown
    comments = [df for df in (d.value for d in at.dataframe) if "意见建议" in df.columns]
    assert comments and MARKUP in set(comments[0]["意见建议"])


def test_the_summary_says_when_there_is_no_feedback(app_db):  # noqa: F811
    at = open_page("pages/summary.py", scope="610124", date=ANCHOR.isoformat(), lang="en")
    assert any("No feedback from villagers" in i.value for i in at.info)


def map_features(at) -> dict[str, dict]:
    script = folium_args(at)["script"]
    start = script.index('{"type":"FeatureCollection"')
    data, _ = json.JSONDecoder().raw_decode(script[start:].replace("\\u007b", "{").replace("\\u007d", "}"))
    return {f["properties"]["code"]: f["properties"] for f in data["features"]}


def test_the_maps_third_layer_colours_villages_by_what_the_villagers_said(app_db):  # noqa: F811
    rows = seed(app_db)
    township = rows["village"].iloc[0][:9]
    at = open_page(scope=township, date=ANCHOR.isoformat(), lang="zh")
    [switch] = at.segmented_control
    switch.set_value("feedback").run()
    assert not at.exception
    props = map_features(at)
    mine = rows[rows["village"].str.startswith(township)]
    for code, group in mine.groupby("village"):
        if code in props:
            want = "contradicted" if group["served"].any() else "dissatisfied" if \
                group["satisfaction"].mean() < 3 else "satisfied"
            assert props[code]["status"] == want
            assert props[code]["n_responses"] == len(group)
    others = set(props) - set(mine["village"])
    assert {props[c]["status"] for c in others} <= {None}
    assert "有记录无感知" in folium_args(at)["script"]
