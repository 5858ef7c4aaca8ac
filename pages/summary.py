"""总览: the scope's figures for leaders - metrics, a ranking of its units, coverage over 24 months."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import app
from geo.coverage import DEFAULT_EXPIRING_DAYS
from geo.i18n import level_label

WORST = 3

ctx = app.current()
counts = app.page_counts(ctx, "page.summary")
advisers, per_adviser = app.q_adviser_stats(ctx.store, ctx.version, ctx.scope.digits, ctx.date)

row1 = st.columns(4)
row1[0].metric(ctx.t("metric.villages"), f"{counts.villages:,}")
row1[1].metric(ctx.t("metric.covered"), f"{counts.covered:,}")
row1[2].metric(ctx.t("metric.rate"), app.pct(counts.coverage_rate))
row1[3].metric(ctx.t("metric.advisers"), f"{advisers:,}")
row2 = st.columns(4)
row2[0].metric(ctx.t("metric.expiring", days=DEFAULT_EXPIRING_DAYS), f"{counts.expiring:,}")
row2[1].metric(ctx.t("metric.lapsed"), f"{counts.lapsed:,}")
row2[2].metric(ctx.t("metric.never"), f"{counts.never:,}")
row2[3].metric(ctx.t("metric.per_adviser"), f"{per_adviser:.1f}")

level = app.q_child_level(ctx.store, ctx.version, ctx.scope.digits)
left, right = st.columns([3, 2], gap="large")
if level is not None and level < 5:
    unit = level_label(level, ctx.lang)
    summary = app.q_summary(ctx.store, ctx.version, ctx.scope.digits, ctx.date, level)
    ranked = summary.sort_values(["coverage_rate", "villages"], ascending=[False, False]).reset_index(drop=True)
    n_worst = min(WORST, max(len(ranked) - 1, 0))
    shown = pd.DataFrame({
        ctx.t("col.rank"): range(1, len(ranked) + 1),
        ctx.t("col.name"): ranked["name"],
        ctx.t("col.coverage_rate"): ranked["coverage_rate"],
        ctx.t("col.villages"): ranked["villages"],
        ctx.t("col.lapsed"): ranked["lapsed"],
        ctx.t("col.never"): ranked["never"],
        ctx.t("col.expiring"): ranked["expiring"],
    })
    worst = set(range(len(ranked) - n_worst, len(ranked)))
    styled = (shown.style
              .apply(lambda r: ["background-color: #fde0dc; color: #8b1a10" if r.name in worst else ""] * len(r),
                     axis=1)
              .format({ctx.t("col.coverage_rate"): "{:.1%}"})
              .format("{:,}", subset=[ctx.t(f"col.{c}") for c in ("villages", "lapsed", "never", "expiring")]))
    with left:
        st.subheader(ctx.t("summary.ranking", unit=unit))
        st.caption(ctx.t("summary.ranking_note", n=n_worst))
        st.dataframe(styled, hide_index=True, width="stretch",
                     height=min(38 + 35 * len(shown), 640))
    chart_box = right
else:
    chart_box = left

trend = app.q_trend(ctx.store, ctx.version, ctx.scope.digits, ctx.date)
with chart_box:
    st.subheader(ctx.t("summary.trend"))
    st.caption(ctx.t("summary.trend_note"))
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
