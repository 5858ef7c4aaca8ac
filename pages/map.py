"""覆盖地图: the scope's child units coloured by coverage rate, or its villages coloured by status."""
from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

import app
from geo import views
from geo.export import summary_table, village_table
from geo.i18n import level_label, status_label
from geo.ranking import rank_units

MAP_HEIGHT = 620

ctx = app.current()
counts = app.page_counts(ctx, "page.map")
view = app.q_map_view(ctx.store, ctx.version, ctx.scope.digits, ctx.date, ctx.lang)
place = app.scope_name(ctx, view.scope)          # a village's link shows its township
unit = level_label(view.child_level, ctx.lang) if view.child_level else ""
no_data_note = ""
if view.mode == "rate" and len(view.table):      # as on the summary: units without data are not counted
    ranking = rank_units(view.table)
    counts = ranking.counts if len(ranking.ranked) else counts
    if len(ranking.no_data):
        no_data_note = " " + ctx.t("map.no_data_units", n=len(ranking.no_data), unit=unit)
# what is missing is said where the click hint would be: a click on a grey outline leads nowhere
notice = None
if not view.features["features"] and view.child_level == 5:
    notice = ctx.t("map.no_geoms_town", name=place)
elif not view.features["features"] and view.child_level == 4:
    notice = ctx.t("map.no_geoms_county", name=place, unit=unit)
# a township with neither village cells nor an outline would be an empty map of China: no map then
has_map = bool(view.features["features"] or views.outline_view(ctx.store, view)["features"])
if view.focus and has_map:
    st.markdown(ctx.t("map.village_focus", village=ctx.name, township=place))
else:
    st.markdown(app.figures_line(ctx, counts) + no_data_note)
if not has_map:
    st.warning(notice or ctx.t("map.no_geoms_town", name=place))

clicked = None
if has_map:
    left, right = st.columns([3, 1], gap="medium")
    with left:
        m = views.build_folium_map(ctx.store, view, lang=ctx.lang, height=MAP_HEIGHT,
                                   basemap=app.current_basemap())
        out = st_folium(m, returned_objects=["last_active_drawing"], height=MAP_HEIGHT,
                        use_container_width=True, key=f"map_{st.session_state.get('map_nonce', 0)}")
        clicked = (out or {}).get("last_active_drawing")
        if view.schematic:
            st.caption(ctx.t("map.schematic"))

target = app.drill_target(view, clicked)
if target is not None and target != ctx.scope.digits:
    app.set_state(scope=app.Scope(target))
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
                st.markdown(f"{app.bold(r['name'])}  \n`{r['code']}`")     # a code is 12 digits
                st.markdown(app.kv(ctx, "col.status", app.bold(status_label(r['status'], ctx.lang))))
                if pd.isna(r["advisers"]):
                    st.caption(ctx.t("detail.no_contract"))
                else:
                    period = app.period_text(r["contract_start"], r["contract_end"], ctx.lang)
                    note = ctx.t("detail.last") if r["status"] == "lapsed" else ""
                    st.markdown("  \n".join([app.kv(ctx, "col.advisers", r["advisers"]),
                                              app.kv(ctx, "col.orgs", r["orgs"]),
                                              app.kv(ctx, "col.phones", r["phones"]),
                                              app.kv(ctx, "col.contract_period", f"{period} {note}")]))
        if view.missing and not notice:
            names = ("、" if ctx.lang == "zh" else ", ").join(view.missing[:12])
            st.warning(ctx.t("map.missing", n=len(view.missing), unit=unit,
                             names=names + ("…" if len(view.missing) > 12 else "")))

st.subheader(ctx.t("map.table", unit=unit))
if view.mode == "rate":
    table = summary_table(view.table, ctx.lang)
    rate_col = ctx.t("col.coverage_rate")
    table[rate_col] = (table[rate_col] * 100).where(view.table["has_data"])   # no data: no rate, as on the map
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={rate_col: st.column_config.ProgressColumn(
                     rate_col, format="%.1f%%", min_value=0.0, max_value=100.0)})
else:
    st.dataframe(village_table(view.table, ctx.lang), hide_index=True, width="stretch")
