"""审计日志: the audit trail inside the administrator's jurisdiction, filtered by date, user and action, with a
download.  geo.audit.entries checks the role and limits the rows to the jurisdiction."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import app
from geo import audit
from geo.codes import Scope
from geo.export import to_csv_bytes, to_xlsx_bytes
from geo.formats import count
from geo.i18n import TEXT

ctx = app.current()
me = ctx.principal
st.title(ctx.t("page.audit"))
if not app.allowed(ctx, "read_audit"):
    st.warning(ctx.t("acc.admin_only"))
    st.stop()
st.caption(ctx.t("audit.intro", name=app.scope_name(ctx, me.jurisdiction)))


def action_label(action: str) -> str:
    key = f"audit.action.{action}"
    return ctx.text(key) if key in TEXT else action


every = audit.entries(ctx.store, me)
cols = st.columns(3)
since = cols[0].date_input(ctx.t("audit.since"), value=dt.date.today() - dt.timedelta(days=30), key="audit_since",
                           format="YYYY-MM-DD")
user = cols[1].selectbox(ctx.t("audit.user"), [None, *sorted(every["user"].unique())], key="audit_user",
                         format_func=lambda u: ctx.text("audit.any") if u is None else u)
action = cols[2].selectbox(ctx.t("audit.action"), [None, *sorted(every["action"].unique())], key="audit_action",
                           format_func=lambda a: ctx.text("audit.any") if a is None else action_label(a))
rows = audit.entries(ctx.store, me, since=since, user=user, action=action)
if rows.empty:
    st.info(ctx.t("audit.none"))
    st.stop()

table = pd.DataFrame({
    ctx.text("audit.col.time"): [pd.Timestamp(x).strftime("%Y-%m-%d %H:%M:%S") for x in rows["time"]],
    ctx.text("audit.col.user"): rows["user"].tolist(),
    ctx.text("audit.col.action"): [action_label(a) for a in rows["action"]],
    ctx.text("audit.col.scope"): [app.scope_name(ctx, Scope(s)) for s in rows["scope"]],
    ctx.text("audit.col.detail"): [audit.detail_json(d) if d else "" for d in rows["detail"]]})
stem = f"{ctx.text('audit.file')}_{ctx.date}"
with st.container(horizontal=True, vertical_alignment="center"):
    st.markdown(f"**{ctx.t('audit.count', n=count(len(table)))}**", width="content")
    st.download_button(ctx.t("download.xlsx"), to_xlsx_bytes(table, sheet=ctx.text("page.audit")),
                       file_name=f"{stem}.xlsx", on_click="ignore", key="audit_xlsx", type="primary",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    st.download_button(ctx.t("download.csv"), to_csv_bytes(table), file_name=f"{stem}.csv", mime="text/csv",
                       on_click="ignore", key="audit_csv")
st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 600))
