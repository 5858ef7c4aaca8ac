"""覆盖地图: the scope's child units coloured by coverage rate, or its villages coloured by status; a switch shows
effective service instead (served rate, villages served / nominal / lapsed / never)."""
from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.core.ranking import no_data_note
from geo.core.service_ranking import served_figures
from geo.outputs.export import summary_table
from geo.text.catalogue import level_label, status_label, t
from geo.text.formats import dates_as_text, day, name_list, period_text, text_width_px
from geo.views import map_view as map_data
from geo.views.gap_list import village_table
from ui import feedback as feedback_ui
from ui import queries, records, state, widgets

MAP_HEIGHT = 620


def full_names(table: pd.DataFrame, keys: tuple[str, ...]) -> dict:
    """Name columns wide enough for their longest name."""
    return {col: st.column_config.TextColumn(col, width=text_width_px(table[col], col))
            for col in (ctx.text(k) for k in keys) if col in table.columns}
LAYERS = ("coverage", "served", "feedback")

ctx = state.current()
totals = widgets.page_counts(ctx, "page.map")
layer = st.segmented_control(ctx.t("map.layer"), LAYERS, default="coverage", key="map_layer",
                             format_func=lambda k: ctx.text(f"map.layer.{k}"), label_visibility="collapsed",
                             ) or "coverage"
view = queries.q_map_view(ctx.store, feedback_ui.version(ctx) if layer == "feedback" else ctx.version,
                          ctx.scope.digits, ctx.date, ctx.lang, ctx.service, layer)
place = state.scope_name(ctx, view.scope)          # a village's link shows its township
unit = level_label(view.child_level, ctx.lang) if view.child_level else ""
# units without shapes are drawn as the scope's own outline; with neither, no map (it would be an empty China)
has_map = view.drawn > 0 or bool(map_data.outline_view(ctx.store, view)["features"])
head = map_data.headline(view, totals, has_map)
if head.village_focus:
    st.markdown(ctx.t("map.village_focus", village=ctx.name, township=place))
else:
    # no data is decided per county (geo.core.coverage): a scope without it has no figures, one with it says what
    # its figures leave out
    note = no_data_note(head.counts, ctx.lang, name=ctx.name)
    st.markdown(note if not head.counts.has_data
                else widgets.figures_line(ctx, head.counts) + (f" {note}" if note else ""))
if layer == "served":
    begins = None if totals.has_service_data else queries.q_first_service_day(ctx.store, ctx.version, ctx.scope.digits)
    st.markdown(served_figures(view.table, totals, view.mode, ctx.service, ctx.lang, name=ctx.name,
                               records_begin=begins, as_of=ctx.as_of))
# what is missing is said where the click hint would be: a click on a grey outline leads nowhere
notice_key = map_data.geometry_notice(view, has_map)
notice = ctx.t(notice_key, name=place, unit=unit) if notice_key else None
if not has_map:
    st.warning(notice)

clicked = None
if has_map:
    left, right = st.columns([3, 1], gap="medium")
    with left:
        m = map_data.build_folium_map(ctx.store, view, lang=ctx.lang, height=MAP_HEIGHT,
                                   basemap=ctx.basemap)
        out = st_folium(m, returned_objects=["last_active_drawing"], height=MAP_HEIGHT,
                        use_container_width=True, key=f"map_{st.session_state.get('map_nonce', 0)}")
        clicked = (out or {}).get("last_active_drawing")
        if view.schematic:
            st.caption(ctx.t("map.schematic"))

target = map_data.drill_target(view, clicked)
if target is not None and target != ctx.scope:
    state.set_state(scope=target)
    st.rerun()

if has_map:
    with right:
        if notice:
            st.warning(notice)
        elif view.mode == "rate":
            st.info(ctx.t("map.hint_units", unit=unit))
        else:
            st.markdown(f"##### {ctx.t('detail.title')}")
            code = ((clicked or {}).get("properties") or {}).get("code") or view.focus
            row = view.table[view.table["code"] == code] if code else view.table.iloc[0:0]
            if row.empty:
                st.info(ctx.t("detail.pick"))
            else:
                r = row.iloc[0]
                st.markdown(f"{widgets.bold(r['name'])}  \n`{r['code']}`")     # a code is 12 digits
                st.markdown(widgets.kv(ctx, "col.status", widgets.bold(status_label(r['status'], ctx.lang))))
                if layer == "served":
                    last = "" if pd.isna(r["last_onsite"]) else day(r["last_onsite"])
                    st.markdown("  \n".join([
                        widgets.kv(ctx, "col.service_status", widgets.bold(t(f"svc.status.{r['service_status']}",
                                                                             ctx.lang))),
                        widgets.kv(ctx, "col.last_onsite", last or "—")]))
                if layer == "feedback":
                    feedback_ui.village_detail(ctx, r)
                if pd.isna(r["advisers"]):
                    st.caption(ctx.t("detail.no_contract"))
                else:
                    period = period_text(r["contract_start"], r["contract_end"], ctx.lang)
                    note = ctx.t("detail.last") if r["status"] == "lapsed" else ""
                    st.markdown("  \n".join([widgets.kv(ctx, "col.advisers", r["advisers"]),
                                              widgets.kv(ctx, "col.orgs", r["orgs"]),
                                              widgets.kv(ctx, "col.phones", r["phones"]),
                                              widgets.kv(ctx, "col.contract_period", f"{period} {note}")]))
                records.village_records(ctx, r["code"], "map")
        if view.missing and not notice:
            st.warning(ctx.t("map.missing", n=len(view.missing), unit=unit,
                             names=name_list(view.missing, ctx.lang)))

if layer == "feedback":         # the feedback layer's table is the feedback section, units and contradictions
    feedback_ui.section(ctx)
    st.stop()
st.subheader(ctx.t("map.table", unit=unit))
if view.mode == "rate":
    table = summary_table(view.table, ctx.lang)
    rate_col, served_col = ctx.text("col.coverage_rate"), ctx.text("col.served_rate")
    table[rate_col] = (table[rate_col] * 100).where(view.table["has_data"])   # no data: no rate, as on the map
    table[served_col] = (table[served_col] * 100).where(view.table["has_data"] & view.table["has_service_data"])
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={**full_names(table, ("col.name",)),
                                **{col: st.column_config.ProgressColumn(col, format="%.1f%%", min_value=0.0,
                                                                        max_value=100.0)
                                   for col in (rate_col, served_col)}})
else:
    table = dates_as_text(village_table(view.table, ctx.lang))
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config=full_names(table, ("col.village", "col.township", "col.advisers", "col.orgs")))
