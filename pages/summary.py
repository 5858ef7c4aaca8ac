"""总览: the scope's figures for leaders - metrics, a ranking of its units, coverage over 24 months."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import app
from geo.advisers import load_distribution
from geo.coverage import DEFAULT_EXPIRING_DAYS
from geo.formats import count, pct
from geo.i18n import level_label
from geo.ranking import Ranking, rank_units, trend_over_units_with_data

WORST_STYLE = "background-color: #fde0dc; color: #8b1a10"
ROW_PX, HEAD_PX = 35, 38

ctx = app.current()
counts = app.page_counts(ctx, "page.summary")
advisers, per_adviser = app.q_adviser_stats(ctx.store, ctx.version, ctx.scope.digits, ctx.date)
level = app.q_child_level(ctx.store, ctx.version, ctx.scope.digits)
ranking: Ranking | None = None
if level is not None and level < 5:
    unit = level_label(level, ctx.lang)
    ranking = rank_units(app.q_summary(ctx.store, ctx.version, ctx.scope.digits, ctx.date, level))
    counts = ranking.headline(counts)    # the headline counts the units with data only
no_data_note = (ctx.t("summary.no_data_units", n=len(ranking.no_data), unit=unit)
                if ranking is not None and len(ranking.no_data) else None)

row1 = st.columns(4)
row1[0].metric(ctx.t("metric.villages"), count(counts.villages))
row1[1].metric(ctx.t("metric.covered"), count(counts.covered))
row1[2].metric(ctx.t("metric.rate"), pct(counts.coverage_rate) if counts.has_data else ctx.t("legend.nodata"),
               delta=no_data_note, delta_color="off", delta_arrow="off")
row1[3].metric(ctx.t("metric.advisers"), count(advisers))
row2 = st.columns(4)
row2[0].metric(ctx.t("metric.expiring", days=DEFAULT_EXPIRING_DAYS), count(counts.expiring))
row2[1].metric(ctx.t("metric.lapsed"), count(counts.lapsed))
row2[2].metric(ctx.t("metric.never"), count(counts.never))
row2[3].metric(ctx.t("metric.per_adviser"), f"{per_adviser:.1f}")

# the load against the cap: advisers over it, and how many advisers serve 1, 2, 3 ... villages
cap = app.adviser_cap()
register = app.q_register(ctx.store, ctx.version, ctx.scope.digits, ctx.date, cap)
loads = load_distribution(register)
row3 = st.columns([1, 3])
row3[0].metric(ctx.t("adv.summary.over_cap", cap=cap), count(register.counts["over_cap"]))
if len(loads):
    with row3[1]:
        st.markdown(f"**{ctx.t('adv.summary.chart')}**")
        base = alt.Chart(loads.assign(colour=loads["over_cap"].map({True: "#c0392b", False: "#4a7ab5"}))).encode(
            x=alt.X("villages:O", title=ctx.t("adv.summary.axis_villages"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("advisers:Q", title=ctx.t("adv.summary.axis_advisers"), axis=alt.Axis(tickCount=3)),
            tooltip=[alt.Tooltip("villages:O", title=ctx.t("adv.summary.axis_villages")),
                     alt.Tooltip("advisers:Q", title=ctx.t("adv.summary.axis_advisers"), format=",")])
        # the count over each bar: the few advisers far over the cap are one-pixel bars otherwise
        labels = base.transform_filter("datum.advisers > 0").mark_text(dy=-7, fontSize=11).encode(
            text=alt.Text("advisers:Q", format=","))
        st.altair_chart((base.mark_bar().encode(color=alt.Color("colour:N", scale=None)) + labels)
                        .properties(height=190), width="stretch")


def ranking_table(units: pd.DataFrame, worst: set[str], height: int | None = None) -> None:
    shown = pd.DataFrame({
        ctx.t("col.rank"): units["rank"],
        ctx.t("col.name"): units["name"],
        ctx.t("col.coverage_rate"): units["coverage_rate"],
        ctx.t("col.villages"): units["villages"],
        ctx.t("col.lapsed"): units["lapsed"],
        ctx.t("col.never"): units["never"],
        ctx.t("col.expiring"): units["expiring"],
    })
    marked = set(units.index[units["code"].isin(worst)])
    styled = (shown.style
              .apply(lambda r: [WORST_STYLE if r.name in marked else ""] * len(r), axis=1)
              .format({ctx.t("col.coverage_rate"): pct})
              .format(count, subset=[ctx.t(f"col.{c}") for c in ("villages", "lapsed", "never", "expiring")]))
    st.dataframe(styled, hide_index=True, width="stretch",
                 height=height or min(HEAD_PX + ROW_PX * len(shown), 640))


left, right = st.columns([3, 2], gap="large")
if ranking is not None:
    worst = set(ranking.worst["code"])
    with left:
        st.subheader(ctx.t("summary.ranking", unit=unit))
        st.caption(ctx.t("summary.ranking_note", n=len(worst)) if worst else ctx.t("summary.ranking_plain"))
        # the worst are the point of the ranking: shown first, whole, however many units there are
        if worst:
            st.markdown(f"**{ctx.t('summary.worst', n=len(worst), unit=unit)}**")
            ranking_table(ranking.worst, worst, height=ROW_PX * (len(worst) + 1) + 3)   # every row, no scrolling
            st.markdown(f"**{ctx.t('summary.all_ranked', n=len(ranking.ranked), unit=unit)}**")
        if len(ranking.ranked):
            ranking_table(ranking.ranked, worst)
        if len(ranking.no_data):
            with st.expander(ctx.t("summary.no_data_list", n=len(ranking.no_data), unit=unit)):
                st.dataframe(pd.DataFrame({ctx.t("col.name"): ranking.no_data["name"],
                                           ctx.t("col.villages"): ranking.no_data["villages"]}),
                             hide_index=True, width="stretch")
    chart_box = right
else:
    chart_box = left

trend = app.q_trend(ctx.store, ctx.version, ctx.scope.digits, ctx.date)
if ranking is not None and len(ranking.ranked):
    trend = trend_over_units_with_data(trend, ranking)
with chart_box:
    st.subheader(ctx.t("summary.trend"))
    st.caption(ctx.t("summary.trend_note"))
    if not counts.has_data:      # a unit with no contract on record has no trend, not a flat 0 %
        st.info(ctx.t("summary.trend_no_data"))
        st.stop()
    low = max(0.0, float(trend["coverage_rate"].min()) - 0.05)
    chart = (alt.Chart(trend.assign(rate=trend["coverage_rate"]))
             .mark_line(point=True)
             .encode(x=alt.X("month:O", title=ctx.t("col.month"), axis=alt.Axis(labelAngle=-45)),
                     y=alt.Y("rate:Q", title=None, axis=alt.Axis(format="%"),
                             scale=alt.Scale(domain=[low, 1.0])),
                     tooltip=[alt.Tooltip("month:O", title=ctx.t("col.month")),
                              alt.Tooltip("rate:Q", title=ctx.t("col.coverage_rate"), format=".1%"),
                              alt.Tooltip("covered:Q", title=ctx.t("col.covered"), format=",")])
             .properties(height=360))
    st.altair_chart(chart, width="stretch")
