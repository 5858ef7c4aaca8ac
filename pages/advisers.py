"""顾问: the adviser register of the view's scope and date (loads against the cap, flags, downloads), one
adviser's detail (villages on a map, contract history, distances) and the renewal worklist."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.core.coverage import DEFAULT_EXPIRING_DAYS
from geo.outputs.folium_map import build_map
from geo.text.catalogue import escape_markdown
from geo.text.formats import aside, contract_end, count, dates_as_text
from geo.views import advisers
from geo.views.gap_list import PAGE_ROWS
from ui import queries, records, state, widgets

MAP_HEIGHT = 380
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ctx = state.current()
widgets.page_counts(ctx, "page.advisers")
cap = state.adviser_cap()
# the worklist below is read beside the register, for the horizon the user last chose (asked again if changed)
reg, _ = queries.side_by_side(
    lambda: queries.q_register(ctx.store, ctx.version, ctx.scope.digits, ctx.date, cap, ctx.service),
    lambda: queries.q_renewals(ctx.store, ctx.version, ctx.scope.digits, ctx.date,
                               int(st.session_state.get("adv_renew_days", DEFAULT_EXPIRING_DAYS))))
HOURS = f"{ctx.service.hours_standard:g}"
st.caption(ctx.t("adv.intro", date=ctx.date, cap=cap))
if reg.frame.empty:
    st.info(ctx.t("adv.none"))
    st.stop()


def downloads(table: Callable[[], pd.DataFrame], rows: int, stem: str, sheet: str, key: str) -> None:
    """The xlsx and csv of `table` (built when clicked, like the files)."""
    detail = {"rows": rows}
    widgets.download_button(ctx, ctx.t("download.xlsx"), lambda: advisers.table_bytes(table(), ".xlsx", sheet),
                            what=key, fmt="xlsx", file_name=f"{stem}.xlsx", mime=XLSX, key=f"{key}_xlsx", detail=detail,
                            primary=True)
    widgets.download_button(ctx, ctx.t("download.csv"), lambda: advisers.table_bytes(table(), ".csv", sheet), what=key,
                            fmt="csv", file_name=f"{stem}.csv", mime="text/csv", key=f"{key}_csv", detail=detail)


# -- the register ---------------------------------------------------------------------------------------------
options = [None, *advisers.FLAG_KEYS]
flag = st.segmented_control(ctx.t("adv.filter"), options, default=None, key=f"adv_flag_{ctx.lang}",
                            format_func=lambda k: ctx.text("adv.filter.all") if k is None else
                            ctx.text(f"adv.flag.{k}", cap=cap, days=reg.expiring_days, hours=HOURS))
shown = reg.flagged(flag)
listed = len(shown.frame)
tally = ctx.text("adv.tally", days=reg.expiring_days, hours=HOURS, **{k: count(v) for k, v in reg.counts.items()})
with st.container(horizontal=True, vertical_alignment="center"):
    st.markdown(f"**{ctx.t('adv.count', n=count(listed))}**{escape_markdown(aside([tally], ctx.lang))}",
                width="content")
    if listed:
        downloads(lambda: advisers.register_table(shown, ctx.lang), listed,
                  f"{ctx.t('adv.file')}_{ctx.name}_{ctx.date}", ctx.text("page.advisers"), "adv")
shown_rows = slice(0, PAGE_ROWS)
if not listed:
    st.info(ctx.t("adv.none_flagged"))
else:
    # a national register has hundreds of thousands of advisers: drawn (and made a table) a page at a time
    shown_rows = widgets.paged(ctx, listed, f"adv_page_{ctx.scope.digits}_{ctx.date}_{flag}")
    table = dates_as_text(advisers.register_table(shown.page(shown_rows), ctx.lang))
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 560))
    widgets.page_caption(ctx, shown_rows, listed)

# -- one adviser ----------------------------------------------------------------------------------------------
st.subheader(ctx.t("adv.detail"))
# the picker offers the advisers of the page shown above (the whole register would be a list too long to use)
people = (shown.frame if listed else reg.frame).iloc[shown_rows]
labels = {int(r.adviser_id): " · ".join(str(x) for x in (r.name, r.org, r.licence_no or r.phone) if x)
          for r in people.itertuples(index=False)}
# no key: a new list of people (scope, date, flag) is a new widget, never a stale choice
chosen = st.selectbox(ctx.t("adv.pick"), list(labels), format_func=labels.get)
d = advisers.detail(ctx.store, reg, chosen) if chosen is not None else None
if d is not None:
    r = d.row
    cols = st.columns(4)
    cols[0].metric(ctx.t("adv.detail.villages"), count(r.villages))
    cols[1].metric(ctx.t("adv.detail.townships"), count(len(r.townships)))
    cols[2].metric(ctx.t("adv.detail.next_end"), contract_end(r.next_end, ctx.lang) if r.villages else "—")
    cols[3].metric(ctx.t("col.phones"), r.phone or "—")
    flags = [ctx.text(f"adv.flag.{k}", cap=cap, days=reg.expiring_days, hours=HOURS) for k in advisers.FLAG_KEYS
             if getattr(r, k)]
    if flags:
        st.warning(escape_markdown("；".join(flags) if ctx.lang == "zh" else "; ".join(flags)))
    left, right = st.columns([2, 3], gap="medium")
    with left:
        features = advisers.detail_features(d, ctx.lang)
        if features["features"]:
            st_folium(build_map(features, mode="status", lang=ctx.lang, basemap=ctx.basemap, height=MAP_HEIGHT),
                      returned_objects=[], height=MAP_HEIGHT, use_container_width=True, key=f"adv_map_{chosen}")
            if d.schematic:
                st.caption(ctx.t("map.schematic"))
        else:
            st.info(ctx.t("adv.detail.no_map"))
    with right:
        st.markdown(f"**{ctx.t('adv.detail.history')}**")
        st.dataframe(advisers.history_table(d, ctx.lang), hide_index=True, width="stretch")
        st.caption(ctx.t(f"adv.place.{d.base.kind if d.base else 'none'}"))
        if d.base is not None and d.contracts["distance_km"].isna().any():
            st.caption(ctx.t("adv.distance.none"))
        if records.may_change(ctx, []) and not d.contracts.empty:
            names = dict(zip(d.contracts["village"], d.contracts["village_name"]))
            village = st.selectbox(ctx.t("rec.ui.adv_village"), list(names), format_func=names.get,
                                   key=f"adv_rec_village_{chosen}")
            records.village_records(ctx, village, "advd")
    records.adviser_records(ctx, chosen, "adv", features)

# -- renewals -------------------------------------------------------------------------------------------------
st.subheader(ctx.t("adv.renewals"))
days = int(st.columns([1, 4])[0].number_input(ctx.t("adv.renewals.days"), min_value=0, max_value=3660,
                                              value=reg.expiring_days, step=30, key="adv_renew_days"))
st.caption(ctx.t("adv.renewals.intro", days=days))
ren = queries.q_renewals(ctx.store, ctx.version, ctx.scope.digits, ctx.date, days)
if ren.frame.empty:
    st.info(ctx.t("adv.renewals.none"))
else:
    lines = len(ren.frame)
    tally = ctx.text("adv.renewals.tally", **{k: count(v) for k, v in ren.counts.items()})
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"**{ctx.t('adv.renewals.count', n=count(lines))}**"
                    f"{escape_markdown(aside([tally], ctx.lang))}", width="content")
        downloads(lambda: advisers.renewal_table(ren, ctx.lang), lines,
                  f"{ctx.t('adv.renewals.file')}_{ctx.name}_{ctx.date}", ctx.text("adv.renewals"), "ren")
    part = widgets.paged(ctx, lines, f"ren_page_{ctx.scope.digits}_{ctx.date}_{days}")
    on_page = ren.page(part)
    page = dates_as_text(advisers.renewal_table(on_page, ctx.lang))
    st.dataframe(page, hide_index=True, width="stretch", height=min(38 + 35 * len(page), 480))
    widgets.page_caption(ctx, part, lines)
    records.renew_many(ctx, on_page.frame, "ren")        # the lines on this page

# -- 补缺建议 / gap plan ------------------------------------------------------------------------------------------
# PLAN SECTION: the gap plan (issue 11, "Who can take each gap") goes here, below the renewals; it may use `reg`
# (this scope's register on this date for the sidebar's cap) and state.adviser_cap().
