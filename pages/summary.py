"""总览: the scope's figures for leaders - metrics, a ranking of its units, coverage over 24 months."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import app
from geo.briefing import FORMATS
from geo.briefing.fonts import FontMissing, cjk_fonts
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


def briefing_downloads() -> None:
    """The leaders' briefing in both forms, each built only when its button is clicked."""
    try:
        cjk_fonts()
    except FontMissing as missing:        # say what to install, instead of a file of empty boxes
        st.warning(missing.text(ctx.lang))
        return
    with st.container(horizontal=True, vertical_alignment="bottom"):
        issuer = st.text_input(ctx.t("brief.issuer_input"), key=f"brief_issuer_{ctx.scope.digits}",
                               placeholder=ctx.text(f"brief.issuer.{min(ctx.scope.level, 4)}", name=ctx.name),
                               width=320)
        stem = f"{ctx.text('brief.section')}_{ctx.name}_{ctx.date}"
        for fmt, label in (("docx", "brief.download_docx"), ("pdf", "brief.download_pdf")):
            st.download_button(ctx.t(label), lambda fmt=fmt: app.q_report(ctx.store, ctx.version, ctx.scope.digits,
                                                                          ctx.date, ctx.lang, fmt, issuer.strip()),
                               file_name=f"{stem}{FORMATS[fmt].suffix}", mime=FORMATS[fmt].mime,
                               on_click="ignore", key=f"dl_brief_{fmt}")
    st.caption(ctx.t("brief.section_note"))


st.subheader(ctx.t("brief.section"))
briefing_downloads()


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
