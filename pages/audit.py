"""审计日志: the audit trail inside the administrator's jurisdiction, filtered by date, user and action, with a
download.  geo.auth.audit.entries checks the role and limits the rows to the jurisdiction."""
from __future__ import annotations

import datetime as dt
import os

import streamlit as st

from geo.auth import audit
from geo.core.codes import Scope
from geo.core.errors import UserError
from geo.outputs.export import to_csv_bytes, to_xlsx_bytes
from geo.text.catalogue import TEXT
from geo.text.formats import count
from ui import state, widgets

ctx = state.current()
me = ctx.principal
st.title(ctx.t("page.audit"))
if not widgets.allowed(ctx, "read_audit"):
    st.warning(ctx.t("acc.admin_only"))
    st.stop()
st.caption(ctx.t("audit.intro", name=state.scope_name(ctx, me.jurisdiction)))


def display_zone():
    """$VILLAGE_COVERAGE_TIMEZONE, else ``[display] timezone`` of Streamlit's secrets, else 北京时间."""
    try:
        configured = dict(st.secrets.get("display", {})).get("timezone")
    except Exception:  # no secrets.toml
        configured = None
    return audit.display_zone(os.environ.get(audit.ZONE_ENV) or configured)


def action_label(action: str) -> str:
    key = f"audit.action.{action}"
    return ctx.text(key) if key in TEXT else action


try:
    zone = display_zone()
except UserError as e:
    widgets.show_user_error(e, ctx.lang)
    st.stop()
zone_name = audit.zone_label(zone, ctx.lang)
every = audit.entries(ctx.store, me)
cols = st.columns(3)
today = dt.datetime.now(zone).date()
since = cols[0].date_input(ctx.t("audit.since_in", zone=zone_name), value=today - dt.timedelta(days=30),
                           key="audit_since", format="YYYY-MM-DD")
user = cols[1].selectbox(ctx.t("audit.user"), [None, *sorted(every["user"].unique())], key="audit_user",
                         format_func=lambda u: ctx.text("audit.any") if u is None else u)
action = cols[2].selectbox(ctx.t("audit.action"), [None, *sorted(every["action"].unique())], key="audit_action",
                           format_func=lambda a: ctx.text("audit.any") if a is None else action_label(a))
rows = audit.entries(ctx.store, me, since=audit.utc_start(since, zone) if since else None, user=user, action=action)
if rows.empty:
    st.info(ctx.t("audit.none"))
    st.stop()

table = audit.page_table(rows.iloc[::-1], zone, ctx.lang, place=lambda s: state.scope_name(ctx, Scope(s)))
stem = f"{ctx.text('audit.file')}_{ctx.date}"
with st.container(horizontal=True, vertical_alignment="center"):
    st.markdown(f"**{ctx.t('audit.count', n=count(len(table)))}**", width="content")
    detail = {"since": since.isoformat() if since else None, "user": user, "action": action, "rows": len(table)}
    widgets.download_button(ctx, ctx.t("download.xlsx"), lambda: to_xlsx_bytes(table, sheet=ctx.text("page.audit")),
                            what="audit", fmt="xlsx", file_name=f"{stem}.xlsx", key="audit_xlsx", primary=True,
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", detail=detail)
    widgets.download_button(ctx, ctx.t("download.csv"), lambda: to_csv_bytes(table), what="audit", fmt="csv",
                            file_name=f"{stem}.csv", mime="text/csv", key="audit_csv", detail=detail)
part = widgets.paged(ctx, len(table), f"audit_page_{since}_{user}_{action}")
st.dataframe(table.iloc[part], hide_index=True, width="stretch", height=min(38 + 35 * len(table.iloc[part]), 600),
             column_config={table.columns[-1]: st.column_config.TextColumn(width="large")})
widgets.page_caption(ctx, part, len(table))
