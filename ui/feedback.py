"""What the pages show of villagers' feedback: its figures, the per-unit table, the contradiction list with its
downloads, and the latest comments (shown as table cells: the villagers' words are data, never Markdown)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.core.codes import Scope
from geo.core.feedback import Period
from geo.core.service_rule import DEFAULT_SERVICE, ServiceSettings
from geo.outputs.export import to_csv_bytes
from geo.store import Store
from geo.views import feedback
from geo.views.feedback import FeedbackReport
from ui import widgets
from ui.state import Ctx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: comments listed under the figures (the newest first)
COMMENTS_SHOWN = 20


def version(ctx: Ctx) -> str:
    """The cache key of feedback reads: the public page writes no batch, so the data version alone would not move."""
    return f"{ctx.version}/{ctx.store.feedback_version()}"


@st.cache_data(show_spinner=False, max_entries=64)
def q_report(_store: Store, version: str, digits: str, as_of: str, service: ServiceSettings = DEFAULT_SERVICE,
             _principal=None) -> FeedbackReport:
    return feedback.feedback_report(_store, _principal, Scope(digits), as_of, service=service)


@st.cache_data(show_spinner=False, max_entries=64)
def q_comments(_store: Store, version: str, digits: str, start: str, end: str) -> pd.DataFrame:
    period = Period(pd.Timestamp(start).date(), pd.Timestamp(end).date())
    rows = _store.feedback_responses(Scope(digits), period)
    return rows[rows["comment"].notna()].head(COMMENTS_SHOWN)


def report(ctx: Ctx) -> FeedbackReport:
    # the scope is the page's, already inside the user's jurisdiction: the principal is not part of the key
    return q_report(ctx.store, version(ctx), ctx.scope.digits, ctx.date, ctx.service, _principal=ctx.principal)


def _mean(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):.2f}"


def _share(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value) * 100:.0f}%"


def _percent(ctx: Ctx) -> dict:
    """The reached share shown as a percentage (the files keep the number)."""
    col = ctx.text("fb.col.reached_share")
    return {col: st.column_config.NumberColumn(col, format="percent")}


def section(ctx: Ctx) -> None:
    """The feedback part of a page: figures of the period, units, the contradiction list, latest comments."""
    rep = report(ctx)
    totals = rep.totals
    st.subheader(ctx.t("fb.title", start=rep.period.start.isoformat(), end=rep.period.end.isoformat()))
    if not int(totals["responses"]):
        st.info(ctx.t("fb.none"))
        return
    row = st.columns(4)
    row[0].metric(ctx.t("fb.metric.responses"), f"{int(totals['responses']):,}")
    row[1].metric(ctx.t("fb.metric.satisfaction"), _mean(totals["satisfaction_mean"]))
    row[2].metric(ctx.t("fb.metric.reached"), _share(totals["reached_share"]))
    row[3].metric(ctx.t("fb.metric.never_seen"), f"{int(totals['never_seen']):,}",
                  delta=ctx.text("fb.metric.never_seen_villages", n=int(totals["never_seen_villages"])),
                  delta_color="off", delta_arrow="off")
    if len(rep.units):
        st.dataframe(feedback.unit_table(rep.units[rep.units["responses"] > 0], ctx.lang), hide_index=True,
                     width="stretch", column_config=_percent(ctx))
    contradictions(ctx, rep)
    comments = q_comments(ctx.store, version(ctx), rep.scope.digits, rep.period.start.isoformat(),
                          rep.period.end.isoformat())
    if len(comments):
        with st.expander(ctx.t("fb.comments", n=len(comments))):
            shown = pd.DataFrame({ctx.text("col.village"): comments["name"],
                                  ctx.text("fb.col.day"): [feedback.local_day(v) for v in comments["received_at"]],
                                  ctx.text("fb.col.comment"): comments["comment"]})
            st.dataframe(shown, hide_index=True, width="stretch")       # cells: never read as Markdown


def village_detail(ctx: Ctx, row: pd.Series) -> None:
    """A village's feedback in the map's side panel (its row of the feedback layer's table)."""
    status = row.get("feedback_status")
    if status is None or pd.isna(status):
        st.caption(ctx.t("legend.fb_no_feedback"))
        return
    st.markdown("  \n".join([
        widgets.kv(ctx, "legend.fb_legend_villages", widgets.bold(ctx.text(f"fb.status.{status}"))),
        widgets.kv(ctx, "fb.col.satisfaction", _mean(row["satisfaction_mean"])),
        widgets.kv(ctx, "fb.col.responses", int(row["responses"])),
        widgets.kv(ctx, "fb.col.reached_share", _share(row["reached_share"])),
        widgets.kv(ctx, "fb.col.never_seen", int(row["never_seen"]))]))


def contradictions(ctx: Ctx, rep: FeedbackReport) -> None:
    """The contradiction list: villages served on the records whose villagers say they never saw the adviser."""
    st.markdown(f"##### {ctx.t('fb.contradictions.title', n=len(rep.contradictions))}",
                help=ctx.text("fb.contradictions.help", days=ctx.service.window_days))
    if not len(rep.contradictions):
        st.caption(ctx.t("fb.contradictions.none"))
        return
    table = feedback.contradiction_table(rep.contradictions, ctx.lang)
    st.dataframe(table, hide_index=True, width="stretch", column_config=_percent(ctx))
    if not ctx.principal.may("export"):
        return
    stem = f"{ctx.text('fb.contradictions')}_{ctx.name}_{ctx.date}"
    cols = st.columns([1, 1, 4])
    with cols[0]:
        widgets.download_button(ctx, ctx.t("download.xlsx"),
                                lambda: feedback.contradiction_bytes(rep.contradictions, "xlsx", ctx.lang),
                                what="contradictions", fmt="xlsx", file_name=f"{stem}.xlsx", mime=XLSX,
                                key="dl_contradictions_xlsx", detail=feedback.contradictions_record(rep, "xlsx"))
    with cols[1]:
        widgets.download_button(ctx, ctx.t("download.csv"), lambda: to_csv_bytes(table), what="contradictions",
                                fmt="csv", file_name=f"{stem}.csv", mime="text/csv", key="dl_contradictions_csv",
                                detail=feedback.contradictions_record(rep, "csv"))
