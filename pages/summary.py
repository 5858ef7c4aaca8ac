"""总览: the scope's figures for leaders - metrics, a ranking of its units, coverage over 24 months, and beside
coverage on paper the effective service: the gap between the two as the headline, ranked by unit, both trends."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from geo.briefing import FORMATS
from geo.briefing.fonts import FontMissing, cjk_fonts
from geo.core.coverage import DEFAULT_EXPIRING_DAYS
from geo.core.ranking import Ranking, no_data_note, rank_units, trend_over_units_with_data
from geo.core.service_ranking import GapRanking, headline, rank_by_gap, records_begin, trend_over_units_with_logs
from geo.text.catalogue import level_label
from geo.text.formats import count, pct, text_width_px
from ui import feedback as feedback_ui
from ui import queries, state, widgets

WORST_STYLE = "background-color: #fde0dc; color: #8b1a10"
ROW_PX, HEAD_PX = 35, 38

ctx = state.current()
counts = widgets.page_counts(ctx, "page.summary")
served_counts = counts                   # the effective figures: over the units with service records
advisers, per_adviser = queries.q_adviser_stats(ctx.store, ctx.version, ctx.scope.digits, ctx.date)
level = queries.q_child_level(ctx.store, ctx.version, ctx.scope.digits)
ranking: Ranking | None = None
gaps: GapRanking | None = None
if level is not None and level < 5:
    unit = level_label(level, ctx.lang)
    units = queries.q_summary(ctx.store, ctx.version, ctx.scope.digits, ctx.date, level, ctx.service)
    ranking = rank_units(units)
    counts = ranking.headline(counts)    # the headline counts the units with data only
    gaps = rank_by_gap(units)
    served_counts = gaps.counts if len(gaps.ranked) else served_counts
# the counties without data that the figures leave out (geo.core.coverage: no data is decided per county)
left_out_delta = (ctx.t("nodata.left_out_short", counties=count(counts.no_data_counties))
                if counts.has_data and counts.no_data_counties else None)

row1 = st.columns(4)
row1[0].metric(ctx.t("metric.villages"), count(counts.villages))
row1[1].metric(ctx.t("metric.covered"), count(counts.covered))
row1[2].metric(ctx.t("metric.rate"), pct(counts.coverage_rate) if counts.has_data else ctx.t("legend.nodata"),
               delta=left_out_delta, delta_color="off", delta_arrow="off")
row1[3].metric(ctx.t("metric.advisers"), count(advisers))
row2 = st.columns(4)
row2[0].metric(ctx.t("metric.expiring", days=DEFAULT_EXPIRING_DAYS), count(counts.expiring))
row2[1].metric(ctx.t("metric.lapsed"), count(counts.lapsed))
# a scope without data has villages with no contract on record, not gaps: no count of never covered either
row2[2].metric(ctx.t("metric.never"), count(counts.never) if counts.has_data else ctx.t("legend.nodata"))
row2[3].metric(ctx.t("metric.per_adviser"), f"{per_adviser:.1f}")
if not counts.has_data:             # the scope's counties have not imported a ledger yet
    st.caption(no_data_note(counts, ctx.lang, name=ctx.name))

# effective service: the distance between contracts on paper and advisers who show up is the headline
# no service data on the day may only mean that the records begin later: then say when
begins = (None if served_counts.has_service_data
          else queries.q_first_service_day(ctx.store, ctx.version, ctx.scope.digits))
served_line = headline(served_counts, ctx.lang, name=ctx.name, settings=ctx.service, records_begin=begins,
                       as_of=ctx.as_of)
st.markdown(f"**{served_line}**", help=ctx.t("svc.help", days=ctx.service.window_days))
if served_counts.has_service_data:
    no_logs_note = (ctx.t("svc.no_data_units", n=len(gaps.no_data), unit=unit)
                    if gaps is not None and len(gaps.no_data) else None)
    row3 = st.columns(4)
    row3[0].metric(ctx.t("svc.metric.served_rate"), pct(served_counts.served_rate),
                   delta=ctx.text("svc.metric.gap", gap=f"{served_counts.rate_gap * 100:.1f}"), delta_color="red",
                   delta_arrow="down")
    row3[1].metric(ctx.t("svc.metric.served"), count(served_counts.served), delta=no_logs_note,
                   delta_color="off", delta_arrow="off")
    row3[2].metric(ctx.t("svc.metric.nominal"), count(served_counts.nominal))

# the load against the cap: advisers over it, and how many advisers serve 1, 2, 3 ... villages
cap = state.adviser_cap()
load_counts = queries.q_loads(ctx.store, ctx.version, ctx.scope.digits, ctx.date, cap)
loads = load_counts.distribution()
row_load = st.columns([1, 3])
row_load[0].metric(ctx.t("adv.summary.over_cap", cap=cap), count(load_counts.over_cap))
if len(loads):
    with row_load[1]:
        st.markdown(f"**{ctx.t('adv.summary.chart')}**")
        base = alt.Chart(loads.assign(colour=loads["over_cap"].map({True: "#c0392b", False: "#4a7ab5"}))).encode(
            x=alt.X("villages:O", title=ctx.t("adv.summary.axis_villages"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("advisers:Q", title=ctx.t("adv.summary.axis_advisers"),
                    axis=alt.Axis(tickCount=3, tickMinStep=1, format="d")),          # people: whole numbers
            tooltip=[alt.Tooltip("villages:O", title=ctx.t("adv.summary.axis_villages")),
                     alt.Tooltip("advisers:Q", title=ctx.t("adv.summary.axis_advisers"), format=",")])
        # the count over each bar: the few advisers far over the cap are one-pixel bars otherwise
        labels = base.transform_filter("datum.advisers > 0").mark_text(dy=-7, fontSize=11).encode(
            text=alt.Text("advisers:Q", format=","))
        st.altair_chart((base.mark_bar().encode(color=alt.Color("colour:N", scale=None)) + labels)
                        .properties(height=190), width="stretch")

# the third layer: coverage as the villagers see it, and the villages served on paper only
feedback_ui.section(ctx)


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
        cap = state.adviser_cap()      # read here: the builder runs outside the page run, without its state
        for fmt, label in (("docx", "brief.download_docx"), ("pdf", "brief.download_pdf")):
            widgets.download_button(ctx, ctx.t(label), lambda fmt=fmt: queries.q_report(ctx.store, ctx.version,
                                                                               ctx.scope.digits, ctx.date, ctx.lang,
                                                                               fmt, issuer.strip(), cap),
                                    what="briefing", fmt=fmt, file_name=f"{stem}{FORMATS[fmt].suffix}",
                                    mime=FORMATS[fmt].mime, key=f"dl_brief_{fmt}")
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
    name = ctx.t("col.name")
    st.dataframe(styled, hide_index=True, width="stretch", height=height or min(HEAD_PX + ROW_PX * len(shown), 640),
                 column_config={name: st.column_config.TextColumn(name, width=text_width_px(shown[name], name))})


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
    if gaps is not None and len(gaps.ranked):
        with left:
            st.subheader(ctx.t("svc.ranking", unit=unit))
            st.caption(ctx.t("svc.ranking_note"))
            shown = pd.DataFrame({
                ctx.text("col.rank"): gaps.ranked["rank"],
                ctx.text("col.name"): gaps.ranked["name"],
                ctx.text("col.coverage_rate"): gaps.ranked["coverage_rate"],
                ctx.text("col.served_rate"): gaps.ranked["served_rate"],
                ctx.text("col.rate_gap"): gaps.ranked["rate_gap"],
                ctx.text("col.nominal"): gaps.ranked["nominal"],
                ctx.text("col.villages"): gaps.ranked["villages"]})
            rates = [ctx.text(f"col.{c}") for c in ("coverage_rate", "served_rate", "rate_gap")]
            name = ctx.text("col.name")
            st.dataframe(shown.style.format(pct, subset=rates)
                         .format(count, subset=[ctx.text("col.nominal"), ctx.text("col.villages")]),
                         hide_index=True, width="stretch", height=min(HEAD_PX + ROW_PX * len(shown), 640),
                         column_config={name: st.column_config.TextColumn(name, width=text_width_px(shown[name],
                                                                                                    name))})
            if len(gaps.no_data):
                with st.expander(ctx.t("svc.no_data_list", n=len(gaps.no_data), unit=unit)):
                    st.dataframe(pd.DataFrame({ctx.text("col.name"): gaps.no_data["name"],
                                               ctx.text("col.villages"): gaps.no_data["villages"]}),
                                 hide_index=True, width="stretch")
    chart_box = right
else:
    chart_box = left

trend = queries.q_trend(ctx.store, ctx.version, ctx.scope.digits, ctx.date, ctx.service)
if ranking is not None and len(ranking.ranked):
    trend = trend_over_units_with_data(trend, ranking)
if gaps is not None and len(gaps.ranked):
    trend = trend_over_units_with_logs(trend, gaps)
elif not served_counts.has_service_data:
    trend = trend.assign(served_rate=float("nan"))
else:
    trend = trend.assign(served_rate=trend["served_rate"].where(trend["has_service_data"]))
with chart_box:
    both = served_counts.has_service_data
    st.subheader(ctx.t("svc.trend") if both else ctx.t("summary.trend"))
    begins = records_begin(trend, ctx.lang) if both else None
    st.caption(f"{ctx.t('svc.trend_note')}{' ' if ctx.lang == 'en' else ''}{begins}" if begins else
               ctx.t("svc.trend_note") if both else ctx.t("summary.trend_note"))
    if not counts.has_data:      # a unit with no contract on record has no trend, not a flat 0 %
        st.info(ctx.t("summary.trend_no_data"))
        st.stop()
    lines = {"coverage_rate": ctx.text("svc.line.coverage"), "served_rate": ctx.text("svc.line.served")}
    long = (trend.melt(id_vars=["month"], value_vars=list(lines) if both else ["coverage_rate"],
                       var_name="line", value_name="rate")
            .dropna(subset=["rate"]).assign(line=lambda d: d["line"].map(lines)))
    low = max(0.0, float(long["rate"].min()) - 0.05)
    chart = (alt.Chart(long)
             .mark_line(point=True)
             .encode(x=alt.X("month:O", title=ctx.text("col.month"), axis=alt.Axis(labelAngle=-45)),
                     y=alt.Y("rate:Q", title=None, axis=alt.Axis(format="%"),
                             scale=alt.Scale(domain=[low, 1.0])),
                     color=alt.Color("line:N", title=None, sort=list(lines.values()),
                                     scale=alt.Scale(range=["#4575b4", "#e66101"]),
                                     legend=alt.Legend(orient="bottom")),
                     tooltip=[alt.Tooltip("month:O", title=ctx.text("col.month")),
                              alt.Tooltip("line:N", title=None),
                              alt.Tooltip("rate:Q", title=ctx.text("svc.rate"), format=".1%")])
             .properties(height=360))
    st.altair_chart(chart, width="stretch")
