"""缺口清单: villages whose contracts lapsed, are about to expire, or never had an adviser, with downloads."""
from __future__ import annotations

import streamlit as st

import app
from geo.export import to_csv_bytes, to_xlsx_bytes, village_table
from geo.formats import aside, count
from geo.gap_list import DEFAULT_STATUSES, STATUSES, listed_status, status_tally
from geo.i18n import status_label

ctx = app.current()
st.title(ctx.t("page.gaps"))
app.breadcrumb(ctx)
st.caption(ctx.t("gaps.intro"))

left, right = st.columns([2, 1])
with left:
    statuses = st.multiselect(ctx.t("col.status"), STATUSES, default=list(DEFAULT_STATUSES),
                              format_func=lambda s: status_label(s, ctx.lang), key=f"gaps_status_{ctx.lang}")
township = None
if app.q_child_level(ctx.store, ctx.version, ctx.scope.digits) == 4:
    towns = app.q_children(ctx.store, ctx.version, ctx.scope.digits)
    names = dict(zip(towns["code"], towns["name"]))
    with right:
        township = st.selectbox(ctx.t("col.township"), [None, *names],
                                format_func=lambda c: names.get(c, ctx.t("scope.all")),
                                key=f"gaps_town_{ctx.scope.digits}_{ctx.lang}")

# an empty selection means "no filter" in the store; here it means nothing is asked for
villages = app.q_village_statuses(ctx.store, ctx.version, ctx.scope.digits, ctx.date, tuple(statuses), township,
                                  ctx.service) if statuses else None
if villages is None or villages.empty:
    st.info(ctx.t("gaps.none"))
    st.stop()

table = village_table(villages, ctx.lang)
listed = [listed_status(s, v, statuses) for s, v in zip(villages["status"], villages["service_status"])]
parts = [f"{status_label(s, ctx.lang)} {count(n)}" for s, n in status_tally(listed)]
place = ctx.name if township is None else f"{ctx.name}{names[township]}"
stem = f"{ctx.t('gaps.file')}_{place}_{ctx.date}"

# the next step first: how many, and the files to hand out; the list itself below
with st.container(horizontal=True, vertical_alignment="center"):
    st.markdown(f"**{ctx.t('gaps.count', n=count(len(table)))}**{aside(parts, ctx.lang)}", width="content")
    st.download_button(ctx.t("download.xlsx"), to_xlsx_bytes(table, sheet=ctx.t("page.gaps")),
                       file_name=f"{stem}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click="ignore", key="dl_xlsx", type="primary")
    st.download_button(ctx.t("download.csv"), to_csv_bytes(table), file_name=f"{stem}.csv",
                       mime="text/csv", on_click="ignore", key="dl_csv")
st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 600))
