"""缺口清单: villages whose contracts lapsed, are about to expire, or never had an adviser, with downloads; below,
补缺建议: who can take each gap (the plan of geo.planning)."""
from __future__ import annotations

import streamlit as st

import app
from geo.export import to_csv_bytes, to_xlsx_bytes, village_table
from geo.formats import aside, count, pct
from geo.gap_list import DEFAULT_STATUSES, STATUSES, listed_status, status_tally
from geo.i18n import status_label
from geo.planning.output import csv_bytes, json_bytes, leftover_table, plan_table, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: townships shown under the plan (the download has every one)
LEFTOVER_SHOWN = 10


def gap_list(ctx: app.Ctx) -> None:
    left, right = st.columns([2, 1])
    with left:
        statuses = st.multiselect(ctx.t("col.status"), STATUSES, default=list(DEFAULT_STATUSES),
                                  format_func=lambda s: status_label(s, ctx.lang), key=f"gaps_status_{ctx.lang}")
    township, names = None, {}
    if app.q_child_level(ctx.store, ctx.version, ctx.scope.digits) == 4:
        towns = app.q_children(ctx.store, ctx.version, ctx.scope.digits)
        names = dict(zip(towns["code"], towns["name"]))
        with right:
            township = st.selectbox(ctx.t("col.township"), [None, *names],
                                    format_func=lambda c: names.get(c, ctx.t("scope.all")),
                                    key=f"gaps_town_{ctx.scope.digits}_{ctx.lang}")

    # an empty selection means "no filter" in the store; here it means nothing is asked for: ask for a status
    if not statuses:
        st.info(ctx.t("msg.gaps.pick_status"))
        return
    villages = app.q_village_statuses(ctx.store, ctx.version, ctx.scope.digits, ctx.date, tuple(statuses),
                                      township, ctx.service)
    if villages.empty:
        st.info(ctx.t("gaps.none"))
        return

    table = village_table(villages, ctx.lang)
    listed = [listed_status(s, v, statuses) for s, v in zip(villages["status"], villages["service_status"])]
    parts = [f"{status_label(s, ctx.lang)} {count(n)}" for s, n in status_tally(listed)]
    place = ctx.name if township is None else f"{ctx.name}{names[township]}"
    stem = f"{ctx.t('gaps.file')}_{place}_{ctx.date}"

    def downloaded(fmt: str) -> None:
        app.record_download(ctx, "gap_list", fmt,
                            {"township": township, "statuses": list(statuses), "rows": len(table)})

    # the next step first: how many, and the files to hand out; the list itself below
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"**{ctx.t('gaps.count', n=count(len(table)))}**{aside(parts, ctx.lang)}", width="content")
        st.download_button(ctx.t("download.xlsx"), to_xlsx_bytes(table, sheet=ctx.t("page.gaps")),
                           file_name=f"{stem}.xlsx", mime=XLSX, on_click=downloaded, args=("xlsx",), key="dl_xlsx",
                           type="primary")
        st.download_button(ctx.t("download.csv"), to_csv_bytes(table), file_name=f"{stem}.csv",
                           mime="text/csv", on_click=downloaded, args=("csv",), key="dl_csv")
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 600))


def gap_plan(ctx: app.Ctx) -> None:
    """补缺建议: the plan for the scope's lapsed and never-covered villages, with its what-if and files."""
    st.subheader(ctx.t("plan.title"))
    st.caption(ctx.t("plan.intro", name=ctx.name))
    left, right, _ = st.columns([1, 1, 2])
    cap = left.number_input(ctx.t("plan.cap"), min_value=1, max_value=30, value=app.adviser_cap(), step=1,
                            help=ctx.t("plan.cap.help"), key="plan_cap")
    max_km = right.number_input(ctx.t("plan.max_km"), min_value=0, max_value=1000, value=0, step=5,
                                key="plan_max_km")
    plan = app.q_gap_plan(ctx.store, ctx.version, ctx.scope.digits, ctx.date, int(cap),
                          float(max_km) if max_km else None)
    s = plan.summary
    if not s.uncovered:
        st.info(ctx.t("plan.none", name=ctx.name))
        return
    with st.container(horizontal=True):
        st.metric(ctx.t("plan.uncovered"), count(s.uncovered))
        st.metric(ctx.t("plan.assigned"), count(s.assigned))
        st.metric(ctx.t("plan.needs_new"), count(s.needs_new))
        st.metric(ctx.t("plan.new_advisers"), count(s.new_advisers))
        st.metric(ctx.t("plan.rate_now"), pct(s.coverage_rate_now))
        st.metric(ctx.t("plan.rate_after"), pct(s.coverage_rate_after),
                  delta=ctx.text("plan.rate_gain", points=f"{(s.coverage_rate_after - s.coverage_rate_now) * 100:.1f}"))
    stem = f"{ctx.t('plan.file')}_{ctx.name}_{ctx.date}"
    detail = {"cap": int(cap), "max_km": float(max_km) or None, "rows": s.uncovered}
    with st.container(horizontal=True):
        st.download_button(ctx.t("plan.download_xlsx"), xlsx_bytes(plan, ctx.lang), file_name=f"{stem}.xlsx", mime=XLSX,
                           on_click=app.record_download, args=(ctx, "gap_plan", "xlsx", detail), key="dl_plan_xlsx",
                           type="primary")
        st.download_button(ctx.t("plan.download_csv"), csv_bytes(plan, ctx.lang), file_name=f"{stem}.csv",
                           mime="text/csv", on_click=app.record_download, args=(ctx, "gap_plan", "csv", detail),
                           key="dl_plan_csv")
        st.download_button(ctx.t("plan.download_json"), json_bytes(plan), file_name=f"{stem}.json",
                           mime="application/json", on_click=app.record_download,
                           args=(ctx, "gap_plan", "json", detail), key="dl_plan_json")
    table = plan_table(plan, ctx.lang)
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 500))
    st.caption(ctx.t("plan.approx"))
    st.markdown(f"**{ctx.t('plan.leftover')}**")
    if plan.leftover.empty:
        st.info(ctx.t("plan.leftover_none"))
    else:
        st.dataframe(leftover_table(plan, ctx.lang).head(LEFTOVER_SHOWN), hide_index=True, width="content")


ctx = app.current()
st.title(ctx.t("page.gaps"))
app.breadcrumb(ctx)
st.caption(ctx.t("gaps.intro"))
gap_list(ctx)
st.divider()
gap_plan(ctx)
