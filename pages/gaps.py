"""缺口清单: villages whose contracts lapsed, are about to expire, or never had an adviser, with downloads; below,
补缺建议: who can take each gap (the plan of geo.planning)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.core.codes import Scope
from geo.outputs.export import to_csv_bytes, to_xlsx_bytes
from geo.planning import MAX_GAPS, too_large
from geo.planning.output import csv_bytes, json_bytes, leftover_table, plan_table, xlsx_bytes
from geo.text.catalogue import level_label, status_label
from geo.text.formats import aside, count, dates_as_text, pct
from geo.views.gap_list import (
    DEFAULT_STATUSES,
    PAGE_ROWS,
    STATUSES,
    XLSX_MAX_ROWS,
    by_unit_of_counts,
    county_table,
    export_record,
    gap_scope,
    listed,
    no_data_listed,
    no_data_record,
    tally_of_counts,
    village_table,
)
from ui import queries, records, signboards, state, widgets

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: townships shown under the plan (the download has every one)
LEFTOVER_SHOWN = 10


def gap_list(ctx: state.Ctx) -> None:
    left, right = st.columns([2, 1])
    with left:
        statuses = st.multiselect(ctx.t("col.status"), STATUSES, default=list(DEFAULT_STATUSES),
                                  format_func=lambda s: status_label(s, ctx.lang), key=f"gaps_status_{ctx.lang}",
                                  placeholder=ctx.text("select.placeholder"), select_all=False)
    township, names = None, {}
    if queries.q_child_level(ctx.store, ctx.version, ctx.scope.digits) == 4:
        towns = queries.q_children(ctx.store, ctx.version, ctx.scope.digits)
        names = dict(zip(towns["code"], towns["name"]))
        with right:
            township = st.selectbox(ctx.t("col.township"), [None, *names],
                                    format_func=lambda c: names.get(c, ctx.t("scope.all")),
                                    key=f"gaps_town_{ctx.scope.digits}_{ctx.lang}")

    # no data is decided per county (geo.core.coverage): their villages are not gaps, and the list says so
    totals = queries.q_totals(ctx.store, ctx.version, ctx.scope.digits, ctx.date, ctx.service)
    if not totals.has_data:
        st.info(ctx.t("gaps.scope_no_data", name=ctx.name))
        return
    left_out = (ctx.t("gaps.left_out", counties=count(totals.no_data_counties),
                      villages=count(totals.no_data_villages)) if totals.no_data_counties else None)
    # an empty selection means "no filter" in the store; here it means nothing is asked for: ask for a status
    if not statuses:
        st.info(ctx.t("msg.gaps.pick_status"))
        return
    # counted first, then one page of rows read (geo.views.gap_list): a national list is 600,000 villages with
    # their advisers; the files have every row, read when a download is clicked
    digits = gap_scope(ctx.principal, ctx.scope).digits
    level = queries.q_child_level(ctx.store, ctx.version, ctx.scope.digits)
    by = level if township is None and level is not None and level < 4 else None
    counts = queries.q_gap_counts(ctx.store, ctx.version, digits, ctx.date, tuple(statuses), township, by,
                                  ctx.service)
    rows = int(counts["villages"].sum())
    if not rows:
        st.info(ctx.t("gaps.none"))
        if left_out:
            st.caption(left_out)
        return

    selected = list(statuses)
    parts = [f"{status_label(s, ctx.lang)} {count(n)}" for s, n in tally_of_counts(counts, selected)]
    place = ctx.name if township is None else f"{ctx.name}{names[township]}"
    stem = f"{ctx.t('gaps.file')}_{place}_{ctx.date}"
    sheet = ctx.text("page.gaps")
    # the rows a page or a file of the list may carry for this user (geo.views.gap_list)
    page_key = f"gaps_page_{ctx.scope.digits}_{township}_{ctx.date}"
    part = widgets.page_part(rows, page_key)      # the page number input is drawn below, over the table
    shown = listed(ctx.principal, ctx.scope, ctx.date, statuses, township,
                   queries.q_gap_rows(ctx.store, ctx.version, digits, ctx.date, tuple(statuses), township,
                                      part.start, part.stop, ctx.service))

    def every_row():
        villages = queries.q_village_statuses(ctx.store, ctx.version, digits, ctx.date, tuple(statuses), township,
                                              ctx.service)
        return village_table(listed(ctx.principal, ctx.scope, ctx.date, statuses, township, villages).villages,
                             ctx.lang)

    # the next step first: how many, and the files to hand out (built when clicked); the list itself below
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"**{ctx.t('gaps.count', n=count(rows))}**{aside(parts, ctx.lang)}", width="content")
        too_many = rows > XLSX_MAX_ROWS
        widgets.download_button(ctx, ctx.t("download.xlsx"), lambda: to_xlsx_bytes(every_row(), sheet=sheet),
                                what="gap_list", fmt="xlsx", file_name=f"{stem}.xlsx", mime=XLSX, key="dl_xlsx",
                                detail={**export_record(shown, "gap_list", "xlsx"), "rows": rows},
                                primary=not too_many, disabled=too_many)
        widgets.download_button(ctx, ctx.t("download.csv"), lambda: to_csv_bytes(every_row()),
                                what="gap_list", fmt="csv", file_name=f"{stem}.csv", mime="text/csv", key="dl_csv",
                                detail={**export_record(shown, "gap_list", "csv"), "rows": rows}, primary=too_many)
    if too_many:
        st.caption(ctx.t("gaps.xlsx_too_many", n=count(XLSX_MAX_ROWS)))
    if left_out:
        st.caption(left_out)
    if by is not None:
        by_unit_table(ctx, counts, rows, by, selected)
    # a long list is drawn a page at a time: 600,000 rows would take the browser and the server minutes
    part = widgets.paged(ctx, rows, page_key)
    table = dates_as_text(village_table(shown.villages, ctx.lang))
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 600))
    widgets.page_caption(ctx, part, rows, "gaps.page_rows")
    if records.may_change(ctx, []):
        pickable = dict(zip(shown.villages["code"], shown.villages["name"]))
        pick_key = f"gaps_rec_{ctx.scope.digits}_{ctx.date}"
        if (kept := st.session_state.get(pick_key)) and kept not in pickable:     # no gap any more: kept in view
            pickable[kept] = ctx.store.scope_name(Scope.parse(kept))
        code = st.selectbox(ctx.t("rec.ui.gap_pick"), list(pickable), index=None, format_func=pickable.get,
                            key=pick_key, placeholder=ctx.text("select.placeholder"))
        if code is not None:
            records.village_records(ctx, code, "gaps", expanded=True)


def by_unit_table(ctx: state.Ctx, counts: pd.DataFrame, rows: int, level: int, selected: list[str]) -> None:
    """The list counted per child unit (province, city, county): where the gaps are, before the rows."""
    units = by_unit_of_counts(counts, selected)
    kids = queries.q_children(ctx.store, ctx.version, ctx.scope.digits)
    names = dict(zip(kids["code"].astype(str), kids["name"]))
    unit = level_label(level, ctx.lang)
    shown = pd.DataFrame({ctx.text("col.name"): [names.get(c, c) for c in units["code"]],
                          ctx.text("col.villages"): units["villages"]})
    for status in units.columns[2:]:
        shown[status_label(status, ctx.lang)] = units[status]
    with st.expander(ctx.t("gaps.by_unit", unit=unit), expanded=rows > PAGE_ROWS):
        st.dataframe(shown, hide_index=True, width="stretch", height=min(38 + 35 * len(shown), 420))


def no_data_counties(ctx: state.Ctx) -> None:
    """未导入台账的县（区）: the counties of the scope without a contract on record, the first ones to chase."""
    counties = queries.q_no_data_counties(ctx.store, ctx.version, gap_scope(ctx.principal, ctx.scope).digits, ctx.date)
    missing = no_data_listed(ctx.principal, ctx.scope, ctx.date, counties)
    st.subheader(ctx.t("nodata.title"))
    if counties.empty:
        county = ctx.scope.level >= 3        # a county, or a township or village of it: its own ledger
        name = state.scope_name(ctx, Scope.parse(ctx.scope.digits[:6])) if county else ctx.name
        st.caption(ctx.t("nodata.none_here" if county else "nodata.none", name=name))
        return
    table = county_table(counties, ctx.lang)
    stem = f"{ctx.t('nodata.file')}_{ctx.name}_{ctx.date}"
    villages = count(int(counties["villages"].sum()))
    st.markdown(ctx.t("nodata.intro", date=ctx.date, n=count(len(table)), villages=villages))
    with st.container(horizontal=True):
        widgets.download_button(ctx, ctx.t("download.xlsx"),
                                lambda: to_xlsx_bytes(table, sheet=ctx.text("nodata.sheet")),
                                what="no_data_counties", fmt="xlsx", file_name=f"{stem}.xlsx", mime=XLSX,
                                key="dl_nodata_xlsx", detail=no_data_record(missing, "xlsx"))
        widgets.download_button(ctx, ctx.t("download.csv"), lambda: to_csv_bytes(table), what="no_data_counties",
                                fmt="csv", file_name=f"{stem}.csv", mime="text/csv", key="dl_nodata_csv",
                                detail=no_data_record(missing, "csv"))
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 400))


def gap_plan(ctx: state.Ctx) -> None:
    """补缺建议: the plan for the scope's lapsed and never-covered villages, with its what-if and files."""
    st.subheader(ctx.t("plan.title"))
    st.caption(ctx.t("plan.intro", name=ctx.name))
    left, right, _ = st.columns([1, 1, 2])
    cap = left.number_input(ctx.t("plan.cap"), min_value=1, max_value=30, value=state.adviser_cap(), step=1,
                            help=ctx.t("plan.cap.help"), key="plan_cap")
    max_km = right.number_input(ctx.t("plan.max_km"), min_value=0, max_value=1000, value=0, step=5,
                                key="plan_max_km")
    totals = queries.q_totals(ctx.store, ctx.version, ctx.scope.digits, ctx.date, ctx.service)
    uncovered = totals.villages - totals.covered
    if too_large(uncovered):     # refused before anything is computed: a national plan takes minutes
        st.info(ctx.t("plan.too_large", name=ctx.name, n=count(uncovered), max=count(MAX_GAPS)))
        return
    # computed when asked for, then kept for this scope and date while the cap and distance change
    asked = (ctx.scope.digits, ctx.date)
    if st.session_state.get("plan_asked") != asked:
        st.button(ctx.t("plan.run"), key="plan_run", type="primary",
                  on_click=lambda: st.session_state.update(plan_asked=asked))
        st.caption(ctx.t("plan.run_note"))
        return
    plan = queries.q_gap_plan(ctx.store, ctx.version, ctx.scope.digits, ctx.date, int(cap),
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
        for fmt, build, mime, primary in (("xlsx", lambda: xlsx_bytes(plan, ctx.lang), XLSX, True),
                                          ("csv", lambda: csv_bytes(plan, ctx.lang), "text/csv", False),
                                          ("json", lambda: json_bytes(plan), "application/json", False)):
            widgets.download_button(ctx, ctx.t(f"plan.download_{fmt}"), build, what="gap_plan", fmt=fmt,
                                    file_name=f"{stem}.{fmt}", mime=mime, key=f"dl_plan_{fmt}", detail=detail,
                                    primary=primary)
    table = dates_as_text(plan_table(plan, ctx.lang))
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 500))
    st.caption(ctx.t("plan.approx"))
    records.apply_plan(ctx, plan.villages[plan.villages["adviser_id"].notna()])
    st.markdown(f"**{ctx.t('plan.leftover')}**")
    if plan.leftover.empty:
        st.info(ctx.t("plan.leftover_none"))
    else:
        st.dataframe(leftover_table(plan, ctx.lang).head(LEFTOVER_SHOWN), hide_index=True, width="content")


ctx = state.current()
st.title(ctx.t("page.gaps"))
widgets.breadcrumb(ctx)
st.caption(ctx.t("gaps.intro"))
gap_list(ctx)
no_data_counties(ctx)
st.divider()
gap_plan(ctx)
st.divider()
signboards.section(ctx)
