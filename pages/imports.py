"""数据导入: upload a ledger, a boundary layer or a division list, check what was read, import it as one batch;
the batch history with rollback; assignments that point at abolished or unknown villages.

Nothing is written before the import button: the preview uses the library's readers only.  An upload is saved
to a temporary folder under its own name (the readers name the file in their messages).
"""
from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import imports
from geo.core.codes import Scope
from geo.core.errors import UserError
from geo.imports.results import ReaderText, reject_note
from geo.outputs.export import to_csv_bytes, to_xlsx_bytes
from geo.privacy.idcards import scrub_file_name
from geo.text.catalogue import TEXT, escape_markdown, level_label
from geo.text.formats import period_text
from ui import state, streamlit_words, widgets

MAX_MB = 200                    # per upload; the server's own limit is [server] maxUploadSize
SHOWN = 200                     # matched rows listed in a preview
FIELDS = ("seq", "township", "village", "code", "name", "kind", "org", "licence", "phone", "period", "start",
          "end", "remark")
log = logging.getLogger(__name__)

ctx = state.current()
store = ctx.store
if not widgets.allowed(ctx, "import"):        # not in a viewer's navigation; a typed address ends here
    st.warning(ctx.t("acc.e.role", role=ctx.text(ctx.principal.role.label_key), action=ctx.text("page.imports")))
    st.stop()
WIDTHS = {ctx.t("imp.col.row"): st.column_config.NumberColumn(width=60, format="%d"),
          ctx.t("imp.col.feature"): st.column_config.NumberColumn(width=80, format="%d"),
          ctx.t("imp.col.reason"): st.column_config.TextColumn(width=130),
          ctx.t("imp.col.message"): st.column_config.TextColumn(width="large"),
          ctx.t("imp.col.period"): st.column_config.TextColumn(width=190),
          ctx.t("imp.col.note"): st.column_config.TextColumn(width="large")}


# ------------------------------------------------------------------------------------------------------ helpers

def in_lang(message, *, row_column: bool = True) -> str:
    """A reader's note in the page's language (a catalogue message, or a reader's text without params yet)."""
    return (message if hasattr(message, "text") else ReaderText(message, strip_row=row_column)).text(ctx.lang)


def label(prefix: str, value: str) -> str:
    key = f"{prefix}.{value}"
    return ctx.t(key) if key in TEXT else str(value)


def when(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M") if pd.notna(value) else ""


def table_height(n: int, cap: int = 420) -> int:
    return min(38 + 35 * max(n, 1), cap)


def forget_upload() -> None:
    """Delete the saved upload and everything chosen for it."""
    held = st.session_state.pop("imp_upload", None)
    if held:
        shutil.rmtree(Path(held[1]).parent, ignore_errors=True)
    for key in ("imp_preview", "imp_county", "imp_county_code", *OPTION_KEYS.values()):
        st.session_state.pop(key, None)


def saved(upload) -> Path:
    """The upload as a file on disk, under its original name less any ID number (kept while it is shown)."""
    held = st.session_state.get("imp_upload")
    if held and held[0] == upload.file_id and Path(held[1]).exists():
        return Path(held[1])
    forget_upload()
    folder = Path(tempfile.mkdtemp(prefix="village-import-"))
    # never an ID-card number in a name that is shown, logged or stored as the batch's file name
    path = folder / scrub_file_name(Path(upload.name.replace("\\", "/")).name or "upload")
    path.write_bytes(upload.getbuffer())
    st.session_state["imp_upload"] = (upload.file_id, str(path), imports.file_sha256(path))
    return path


def upload_sha() -> str:
    """The content hash of the upload :func:`saved` holds, computed once when it was saved."""
    return st.session_state["imp_upload"][2]


@st.cache_data(show_spinner=False, max_entries=64)
def county_list(_store, version: str, digits: str) -> pd.DataFrame:
    """Counties offered for a ledger: those of the scope, or of its city when the scope is a county or lower."""
    scope = Scope(digits)
    base = scope if scope.level < 3 else Scope(digits[:4])
    return _store.children(base, 3)


def county_choice() -> str | None:
    """The county the user chose (selectbox or typed code), None to let the reader detect it."""
    counties = county_list(store, ctx.version, ctx.scope.digits)
    names = {c[:6]: f"{n}（{c[:6]}）" for c, n in zip(counties["code"], counties["name"])}
    left, right = st.columns(2)
    with left:
        picked = st.selectbox(ctx.t("imp.county_pick"), ["", *names], key="imp_county",
                              format_func=lambda c: names.get(c, ctx.t("imp.county_auto")))
    with right:
        typed = st.text_input(ctx.t("imp.county_code"), key="imp_county_code", max_chars=12,
                              help=ctx.t("imp.county_code_help")).strip()
    return typed or picked or None


def previewed(kind: str, path: Path, options: dict):
    """The reader's result for this upload (by content) and these options, cut to the user's jurisdiction as
    the import will be (rows outside it are shown as not importable): read or extracted once, then kept for the
    preview's reruns and for the import itself.  A refusal is kept too, so a rerun does not record it again."""
    asked = {o.name: options.get(o.name) for o in imports.BY_KEY[kind].options if o.widget != "confirm"}
    key = (kind, upload_sha(), tuple(sorted(asked.items())), ctx.version, ctx.principal)
    memo = st.session_state.get("imp_preview")
    if memo and memo[0] == key:
        if isinstance(memo[1], UserError):
            raise memo[1]
        return memo[1]
    with st.spinner(ctx.t("imp.reading", name=path.name)):
        try:
            value = imports.preview(store, kind, path, options, principal=ctx.principal)
        except UserError as e:
            st.session_state["imp_preview"] = (key, e)
            raise
    st.session_state["imp_preview"] = (key, value)
    return value


def rejects_table(notes: list[imports.Note], row_key: str = "imp.col.row") -> None:
    """Rejected rows (row, reason, message) as a table with a warning above it; a short all-clear when empty."""
    if not notes:
        st.success(ctx.t("imp.no_rejects"))
        return
    st.warning(ctx.t("imp.rejects", n=f"{len(notes):,}"))
    df = pd.DataFrame({ctx.t(row_key): [n.row for n in notes],
                       ctx.t("imp.col.reason"): [n.reason_text(ctx.lang) for n in notes],
                       ctx.t("imp.col.message"): [n.message.text(ctx.lang) for n in notes]})
    st.dataframe(df, hide_index=True, width="stretch", height=table_height(len(df), 360), column_config=WIDTHS)


def file_headers(mapped: list[tuple[str, object]], prefix: str) -> None:
    """The fields understood (labels under `prefix`) and, in one row under them, the file's own headers, as wide
    as the file itself."""
    st.dataframe(pd.DataFrame([[ctx.t("imp.col.header")] + [" ".join(str(h).split()) for _, h in mapped]],
                              columns=[ctx.t("imp.col.field")] + [label(prefix, f) for f, _ in mapped]),
                 hide_index=True, width="stretch")


def show_warnings(messages: list) -> None:
    for message in messages:
        st.warning(escape_markdown(in_lang(message, row_column=False)))


# ------------------------------------------------------------------------------------------------------ options

# the session keys of the option widgets (kept across reruns; forgotten with the upload)
OPTION_KEYS = {"code_field": "imp_b_code", "name_field": "imp_b_name", "source_crs": "imp_b_crs",
               "gcj02": "imp_b_gcj02", "allow_abolish": "imp_r_allow"}


def option_widgets(kind: imports.ImportKind, *, county_heading: bool = True) -> dict:
    """The kind's options as widgets, from the table: text boxes side by side, then checkboxes, then the county.
    A confirmation is not asked here (it is asked where the preview shows what it confirms)."""
    options = [o for o in kind.options if o.widget != "confirm"]
    values: dict = {}
    texts = [o for o in options if o.widget == "text"]
    for column, option in zip(st.columns(len(texts)) if texts else [], texts):
        values[option.name] = column.text_input(ctx.t(option.label_key), key=OPTION_KEYS[option.name]).strip()
    for option in (o for o in options if o.widget == "check"):
        values[option.name] = st.checkbox(ctx.t(option.label_key), key=OPTION_KEYS[option.name])
    if any(o.widget == "county" for o in options):
        if county_heading:
            st.markdown(f"**{ctx.t('imp.county')}**")
        values["county"] = county_choice()
    return kind.reader_options(values)


# ------------------------------------------------------------------------------------------------------ previews

def preview_ledger(path: Path) -> tuple[bool, dict]:
    """Header row, column mapping, county, matched and rejected rows; (something can be imported, options)."""
    st.markdown(f"**{ctx.t('imp.county')}**")
    detected = st.empty()                 # the county read from the file, above the controls that change it
    options = option_widgets(imports.BY_KEY["assignments"], county_heading=False)
    table, match = previewed("assignments", path, options)
    how = label("imp.how", match.county_source)
    detected.info(ctx.t("imp.county_detected", name=match.county_name, code=match.county_code[:6], how=how))

    cols = st.columns(4)
    cols[0].metric(ctx.t("imp.m.rows"), f"{match.rows_read:,}")
    cols[1].metric(ctx.t("imp.m.accepted"), f"{match.accepted:,}")
    cols[2].metric(ctx.t("imp.m.rejected"), f"{match.rejected:,}")
    cols[3].metric(ctx.t("imp.m.dupes"), f"{match.duplicates_dropped:,}")

    sheet = ctx.t("imp.sheet", sheet=table.sheet) if table.sheet else ""
    st.markdown(f"**{ctx.t('imp.columns')}**")
    st.caption(ctx.t("imp.header_row", sheet=sheet, row=table.header_row, start=table.data_start_row))
    mapped = [(f, table.mapped[f]) for f in FIELDS if f in table.mapped]
    mapped += [(f, h) for f, h in table.mapped.items() if f not in FIELDS]
    file_headers(mapped, "imp.field")
    st.caption(ctx.t("imp.id_note"))

    shown = match.assignments[:SHOWN]
    st.markdown(f"**{ctx.t('imp.matched', n=f'{match.accepted:,}', shown=len(shown))}**")
    st.dataframe(pd.DataFrame({
        ctx.t("imp.col.row"): [a.row_number for a in shown],
        ctx.t("imp.col.ledger_village"): [a.ledger_village for a in shown],
        ctx.t("imp.col.reg_village"): [a.village_name for a in shown],
        ctx.t("col.code"): [a.village_code for a in shown],
        ctx.t("imp.col.adviser"): [a.adviser_name for a in shown],
        ctx.t("imp.col.period"): [period_text(a.start, a.end, ctx.lang) for a in shown],
        ctx.t("imp.col.note"): [("；" if ctx.lang == "zh" else "; ").join(in_lang(w) for w in a.warnings)
                                for a in shown]}),
        hide_index=True, width="stretch", height=table_height(len(shown)), column_config=WIDTHS)
    show_warnings(table.warnings + match.warnings)
    rejects_table([reject_note(r) for r in match.rejects])
    return match.accepted > 0, options


def preview_boundaries(path: Path) -> tuple[bool, dict]:
    results = st.container()
    with st.expander(ctx.t("imp.b.options")):   # drawn below the results, read first
        st.caption(ctx.t("imp.b.auto"))
        options = option_widgets(imports.BY_KEY["boundaries"])
    read = previewed("boundaries", path, options)
    none = ctx.t("imp.b.none")
    with results:
        st.info(ctx.t("imp.b.read", crs=read.crs, encoding=read.encoding, code=read.code_field or none,
                      name=read.name_field or none, town=read.township_field or none))
        if read.county:
            st.markdown(ctx.t("imp.b.county", name=read.county[1], code=read.county[0][:6]))
        cols = st.columns(3)
        cols[0].metric(ctx.t("imp.m.features"), f"{read.feature_count:,}")
        cols[1].metric(ctx.t("imp.m.villages"), f"{len(read.matched):,}")
        cols[2].metric(ctx.t("imp.m.rejected"), f"{len(read.rejects):,}")
        m = read.matched.head(SHOWN)
        if len(m):
            st.markdown(f"**{ctx.t('imp.matched', n=f'{len(read.matched):,}', shown=len(m))}**")
            st.dataframe(pd.DataFrame({
                ctx.t("col.code"): m["code"].tolist(), ctx.t("imp.col.reg_village"): m["name"].tolist(),
                ctx.t("imp.col.method"): [label("imp.method", x) for x in m["match_method"]],
                ctx.t("imp.m.features"): m["n_features"].tolist(),
                ctx.t("imp.col.source_names"): m["source_names"].tolist()}),
                hide_index=True, width="stretch", height=table_height(len(m)))
            st.caption(ctx.t("imp.b.replace"))
        show_warnings(read.warnings)
        rejects_table([reject_note(r) for r in read.rejects], imports.BY_KEY["boundaries"].row_key)
    return len(read.matched) > 0, options


def preview_registry(path: Path) -> tuple[bool, dict]:
    read = previewed("registry", path, {})
    divisions, rejects, plan = read.divisions, read.rejects, read.plan
    st.info(ctx.t("imp.r.read", rows=f"{len(divisions) + len(rejects):,}", ok=f"{len(divisions):,}",
                  bad=f"{len(rejects):,}"))
    by_level = divisions["level"].value_counts().sort_index()
    cols = st.columns(len(by_level) or 1)
    for col, (level, n) in zip(cols, by_level.items()):
        col.metric(widgets.cap(level_label(int(level), ctx.lang)), f"{n:,}")
    # the counties listed themselves: only those are compared (see geo.imports.plan_registry)
    counties = [c[:6] for c in plan.counties]
    if counties:
        names = [store.scope_name(Scope(c)) if store.division(c.ljust(12, "0")) else c for c in counties[:12]]
        more = "…" if len(counties) > 12 else ""
        st.markdown(ctx.t("imp.r.counties", n=f"{len(counties):,}", names="、".join(names) + more))
    st.caption(ctx.t("imp.r.after", added=f"{plan.added:,}", renamed=f"{plan.renamed:,}",
                     abolished=f"{len(plan.abolished_codes):,}"))
    options = abolitions(plan)
    rejects_table(list(read.rejected))
    return len(divisions) > 0, options


def abolitions(plan: imports.RegistryPlan) -> dict:
    """Where villages would be abolished, per county; the confirmation when it is more than a small share."""
    if not plan.abolitions:
        return {}
    warn = st.error if plan.needs_confirmation else st.warning
    warn(ctx.t("imp.r.will_abolish", n=f"{len(plan.abolished_codes):,}", counties=len(plan.abolitions)))
    sep = "、" if ctx.lang == "zh" else ", "
    st.dataframe(pd.DataFrame({
        ctx.t("col.county"): [c.name for c in plan.abolitions],
        ctx.t("col.code"): [c.code[:6] for c in plan.abolitions],
        ctx.t("imp.r.col.abolished"): [len(c.abolished) for c in plan.abolitions],
        ctx.t("imp.r.col.villages"): [c.villages for c in plan.abolitions],
        ctx.t("imp.r.col.share"): [f"{c.share:.1%}" for c in plan.abolitions],
        ctx.t("imp.r.col.confirm"): [ctx.t("imp.r.yes") if c.needs_confirmation else "" for c in plan.abolitions],
        ctx.t("imp.r.col.names"): [sep.join(n for _, n in c.abolished[:imports.ABOLISH_NAMES_SHOWN])
                                   + (ctx.t("imp.r.more_names") if len(c.abolished) > imports.ABOLISH_NAMES_SHOWN
                                      else "") for c in plan.abolitions]}),
        hide_index=True, width="stretch", height=table_height(len(plan.abolitions), 320))
    rows = imports.abolition_notes(plan)
    with st.expander(ctx.t("imp.r.all", n=f"{len(rows):,}")):
        st.dataframe(pd.DataFrame({ctx.t("col.code"): [n.cells["code"] for n in rows],
                                   ctx.t("col.village"): [n.cells["name"] for n in rows],
                                   ctx.t("imp.col.message"): [n.message.text(ctx.lang) for n in rows]}),
                     hide_index=True, width="stretch", height=table_height(len(rows), 360))
    if not plan.needs_confirmation:
        return {}
    st.markdown(ctx.t("imp.r.needs_confirm", share=f"{imports.ABOLISH_CONFIRM_SHARE:.0%}"))
    [confirm] = [o for o in imports.BY_KEY["registry"].options if o.widget == "confirm"]
    return {confirm.name: st.checkbox(ctx.t(confirm.label_key), key=OPTION_KEYS[confirm.name])}


def preview_services(path: Path) -> tuple[bool, dict]:
    """County, header row, columns understood, the records to import, rejected rows; as for a ledger."""
    st.markdown(f"**{ctx.t('imp.county')}**")
    detected = st.empty()
    options = option_widgets(imports.BY_KEY["services"], county_heading=False)
    read = previewed("services", path, options)
    table, match = read.table, read.match
    how = label("imp.how", match.county_source)
    detected.info(ctx.t("imp.county_detected", name=match.county_name, code=match.county_code[:6], how=how))

    cols = st.columns(4)
    cols[0].metric(ctx.t("imp.m.rows"), f"{match.rows_read:,}")
    cols[1].metric(ctx.t("imp.m.services"), f"{match.accepted:,}")
    cols[2].metric(ctx.t("imp.m.rejected"), f"{match.rejected:,}")
    cols[3].metric(ctx.t("imp.m.dupes"), f"{match.duplicate_rows:,}")

    st.markdown(f"**{ctx.t('imp.columns')}**")
    st.caption(ctx.t("imp.header_row", sheet="", row=table.header_row, start=table.header_row + 1))
    mapped = [(f, h) for f, h in table.mapped.items() if f != "seq"]
    file_headers(mapped, "imp.sf")
    st.caption(ctx.t("imp.s.privacy"))

    shown = match.records[:SHOWN]
    st.markdown(f"**{ctx.t('imp.matched', n=f'{len(match.records):,}', shown=len(shown))}**")
    st.dataframe(pd.DataFrame({
        ctx.t("imp.col.row"): [r.row_number for r in shown],
        ctx.t("imp.col.ledger_village"): [r.written_village for r in shown],
        ctx.t("imp.col.reg_village"): [r.village_name for r in shown],
        ctx.t("col.code"): [r.village_code for r in shown],
        ctx.t("imp.col.adviser"): [r.adviser_name or "" for r in shown],
        ctx.t("imp.sf.date"): [r.service_date.isoformat() for r in shown],
        ctx.t("imp.sf.mode"): [label("imp.mode", r.mode) for r in shown],
        ctx.t("imp.sf.hours"): [r.hours for r in shown],
        ctx.t("imp.col.note"): [("；" if ctx.lang == "zh" else "; ").join(in_lang(w) for w in r.notes)
                                for r in shown]}),
        hide_index=True, width="stretch", height=table_height(len(shown)), column_config=WIDTHS)
    rejects_table([reject_note(r) for r in match.rejects])
    return match.accepted > 0, options


# ------------------------------------------------------------------------------------------------------ import

def run_import(kind: str, path: Path, options: dict) -> imports.ImportResult:
    bar = st.progress(0.0, text=ctx.t("imp.stage.reading"))

    def progress(fraction: float, stage: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=label("imp.stage", stage))

    try:
        return imports.run_import(store, kind, path, options, file_name=path.name, progress=progress,
                                  preview=previewed(kind, path, options), principal=ctx.principal)
    except Exception:
        bar.empty()         # a refused or failed import wrote nothing: no bar left saying "writing…"
        raise


def assignments_done(d: dict) -> None:
    st.markdown(ctx.t("imp.d.assignments", county=d.get("county", ""), advisers=d["advisers_new"],
                      assignments=d["assignments_new"], dupes=d["duplicates_dropped"]))


def boundaries_done(d: dict) -> None:
    st.markdown(ctx.t("imp.d.boundaries", villages=d["villages"], crs=d["crs"], encoding=d["encoding"]))


def services_done(d: dict) -> None:
    st.markdown(ctx.t("imp.d.services", county=d.get("county", ""), services=d["services_new"],
                      dupes=d["duplicates_dropped"]))


def registry_done(d: dict) -> None:
    st.markdown(ctx.t("imp.d.registry", added=d["added"], renamed=d["renamed"], abolished=d["abolished"]))
    if d.get("assignments_on_abolished"):
        st.warning(ctx.t("imp.d.orphans", n=d["assignments_on_abolished"]))


# each kind's page parts: its preview (-> something to import, the options chosen) and what an import did
VIEWS = {"assignments": preview_ledger, "boundaries": preview_boundaries, "registry": preview_registry,
         "services": preview_services}
DETAILS = {"assignments": assignments_done, "boundaries": boundaries_done, "registry": registry_done,
           "services": services_done}


def import_requested(kind: str, path: Path, options: dict) -> imports.ImportResult | None:
    """The import; a refusal raised for widgets.user_errors, any other failure said here (nothing was written)."""
    try:
        return run_import(kind, path, options)
    except imports.AbolishNotConfirmed as e:
        raise e.for_page() from None
    except UserError:
        raise
    except Exception as e:  # anything else: the transaction rolled back; say so instead of a traceback
        log.exception("import of %s failed", path.name)
        st.error(ctx.t("imp.failed", err=f"{type(e).__name__}: {e}"))
        return None


def show_result(res: imports.ImportResult) -> None:
    with st.container(border=True):
        if res.status == "unchanged":
            st.info(ctx.t("imp.unchanged", file=res.file_name, batch=res.batch_id))
        else:
            done = ctx.t("imp.done", file=res.file_name, batch=res.batch_id, read=f"{res.rows_read:,}",
                         accepted=f"{res.rows_accepted:,}", rejected=f"{res.rows_rejected:,}")
            if res.main_reasons is not None:     # why, in the line itself: not only in the table below
                done += ctx.t("msg.imp.reasons", reasons=res.main_reasons.text(ctx.lang))
            st.success(done)
            DETAILS[res.kind](res.details)
            report = imports.report_table(res, ctx.lang)
            if len(report):
                st.markdown(f"**{ctx.t('imp.report')}**")
                stem = f"{ctx.t('imp.report_file')}_{Path(res.file_name).stem}_{res.batch_id}"
                with st.container(horizontal=True):
                    detail = {"batch": res.batch_id, "kind": res.kind, "rows": len(report)}
                    widgets.download_button(ctx, ctx.t("download.xlsx"),
                                            lambda: to_xlsx_bytes(report, sheet=ctx.text("imp.report_file"),
                                                              text_columns=0),
                                            what="import_report", fmt="xlsx", file_name=f"{stem}.xlsx",
                                            key="imp_dl_xlsx", detail=detail,
                                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                    widgets.download_button(ctx, ctx.t("download.csv"), lambda: to_csv_bytes(report),
                                            what="import_report", fmt="csv", file_name=f"{stem}.csv", mime="text/csv",
                                            key="imp_dl_csv", detail=detail)
                first = report.columns[0]
                blank_rows = bool((report[first] == "").any())
                st.dataframe(report, hide_index=True, width="stretch", height=table_height(len(report), 360),
                             column_config={**WIDTHS, first: st.column_config.TextColumn(width=60)} if blank_rows
                             else WIDTHS)
        st.button(ctx.t("imp.dismiss"), key="imp_dismiss", on_click=lambda: st.session_state.pop("imp_result", None))


# ------------------------------------------------------------------------------------------------------ rollback

def rollback_requested() -> None:
    """Undo the batch the rollback button asked for; on success run the page again, every figure fresh."""
    batch_id = st.session_state.pop("imp_rb_request", None)
    if batch_id is None:
        return
    with widgets.user_errors(ctx.lang):
        st.session_state["imp_rb_done"] = imports.rollback(store, batch_id, principal=ctx.principal)
        st.session_state["imp_rb_pick"] = None
        st.rerun()


def history() -> None:
    st.subheader(ctx.t("imp.history"))
    batches = store.batches(ctx.principal.jurisdiction)      # only the batches inside the jurisdiction
    kinds = [label("imp.kind", k) for k in batches["kind"]]
    files = [f if isinstance(f, str) and f else "" for f in batches["file_name"]]
    st.dataframe(pd.DataFrame({
        ctx.t("imp.h.batch"): batches["batch_id"].tolist(), ctx.t("imp.h.kind"): kinds, ctx.t("imp.h.file"): files,
        ctx.t("imp.h.time"): [when(x) for x in batches["created_at"]],
        ctx.t("imp.h.read"): batches["rows_read"].tolist(), ctx.t("imp.h.accepted"): batches["rows_accepted"].tolist(),
        ctx.t("imp.h.rejected"): batches["rows_rejected"].tolist(),
        ctx.t("imp.h.status"): [label("imp.h", s) for s in batches["status"]],
        ctx.t("imp.h.note"): batches["note"].fillna("").tolist()}),
        hide_index=True, width="stretch", height=table_height(len(batches), 320))

    st.markdown(f"**{ctx.t('imp.rb.title')}**")
    if (done := st.session_state.pop("imp_rb_done", None)) is not None:
        st.success(done.md(ctx.lang))
    rollback_requested()
    active = batches[batches["status"] == "active"]
    # a batch without a file (the demo's) has a missing name, which pandas reads as NaN: no name, not "nan"
    info = {int(b): (k, f if isinstance(f, str) else "", c)
            for b, k, f, c in zip(active["batch_id"], active["kind"], active["file_name"], active["created_at"])}
    if st.session_state.get("imp_rb_pick") not in info:
        st.session_state["imp_rb_pick"] = None
    choice = st.selectbox(ctx.t("imp.rb.pick"), list(info), index=None, key="imp_rb_pick",
                          placeholder=ctx.t("imp.rb.placeholder"),
                          format_func=lambda b: ctx.text("imp.rb.option" if info[b][1] else "msg.rb.option_nofile",
                                                      batch=b, kind=label("imp.kind", info[b][0]), file=info[b][1],
                                                      time=when(info[b][2])))
    if choice is not None:
        kind = imports.BY_KEY.get(info[choice][0])
        st.caption(ctx.t(kind.undo_key if kind else "imp.rb.what.demo"))
        st.button(ctx.t("imp.rb.do", batch=choice), key="imp_rb_do",
                  on_click=lambda: st.session_state.update(imp_rb_request=int(choice)))


def problems(orphans: pd.DataFrame) -> None:
    st.subheader(ctx.t("imp.problems"))
    if orphans.empty:
        st.caption(ctx.t("imp.orphans_none", name=ctx.name))
        return
    st.warning(ctx.t("imp.orphans", name=ctx.name, n=f"{len(orphans):,}"))
    st.dataframe(pd.DataFrame({
        ctx.t("col.code"): orphans["code"].tolist(),
        ctx.t("col.village"): orphans["name"].fillna("").tolist(),
        ctx.t("imp.o.state"): [ctx.t("imp.o.abolished") if a is True else ctx.t("imp.o.unknown")
                               for a in orphans["abolished"]],
        ctx.t("imp.col.adviser"): orphans["adviser"].tolist(),
        ctx.t("imp.col.period"): [period_text(s, e, ctx.lang)
                                  for s, e in zip(orphans["start_date"], orphans["end_date"])],
        ctx.t("imp.h.batch"): orphans["batch_id"].tolist()}),
        hide_index=True, width="stretch", height=table_height(len(orphans), 360))


# ------------------------------------------------------------------------------------------------------ page

st.title(ctx.t("page.imports"))
widgets.breadcrumb(ctx)
st.caption(ctx.t("imp.intro"))
orphans = store.orphan_assignments(ctx.scope)
if len(orphans):
    st.warning(ctx.t("imp.orphans_top", name=ctx.name, n=f"{len(orphans):,}"))

st.subheader(ctx.t("imp.step_kind"))
kind = st.radio(ctx.t("imp.kind"), [k.key for k in imports.KINDS], key="imp_kind",
                format_func=lambda k: ctx.t(imports.BY_KEY[k].label_key),
                captions=[ctx.t(k.expect_key, types=" ".join(k.file_types)) for k in imports.KINDS],
                label_visibility="collapsed")
spec = imports.BY_KEY[kind]
if st.session_state.get("imp_kind_was") != kind:
    forget_upload()
    st.session_state["imp_kind_was"] = kind

st.subheader(ctx.t("imp.step_file"))
nonce = st.session_state.get("imp_nonce", 0)
# any file: a wrong type is told in words below (Streamlit's own refusal is an English tooltip on a red icon)
upload = st.file_uploader(ctx.t("imp.upload", kind=ctx.t(spec.label_key), mb=MAX_MB), type=None,
                          key=f"imp_file_{kind}_{nonce}", max_upload_size=MAX_MB)
hint = ctx.text("imp.upload_hint", mb=MAX_MB, types=" ".join(spec.file_types))
uploader = streamlit_words.uploader_css(ctx.text("imp.upload_button"), hint, ctx.text("imp.upload_drop"))
st.html(f"<style>{uploader}</style>")
if (res := st.session_state.get("imp_result")) is not None:
    show_result(res)

if upload is None:
    if st.session_state.get("imp_upload"):
        forget_upload()
elif upload.size > MAX_MB * 1024 * 1024:
    st.error(ctx.t("imp.too_big", name=upload.name, size=f"{upload.size / 1024 / 1024:.0f}", mb=MAX_MB))
elif not spec.accepts(upload.name):
    st.error(ctx.t("imp.bad_type", name=upload.name, kind=ctx.t(spec.label_key), types=" ".join(spec.file_types)))
else:
    path = saved(upload)
    st.subheader(ctx.t("imp.step_preview"))
    prior = store.find_batch(kind, upload_sha(), ctx.principal.jurisdiction)     # never another county's batch
    if prior is not None:
        st.info(ctx.t("imp.already", batch=prior))
    ready, options = False, {}
    with widgets.user_errors(ctx.lang):
        ready, options = VIEWS[kind](path)

    st.subheader(ctx.t("imp.step_import"))
    if not ready:
        st.caption(ctx.t("imp.nothing"))
    else:
        # a callback, not the button's return value: the request must survive the rerun that state.current()
        # may make before this page draws (AppTest runs; the first request of a fresh server)
        st.button(ctx.t("imp.do"), type="primary", key="imp_go",
                  on_click=lambda: st.session_state.update(imp_go_request=True))
    if st.session_state.pop("imp_go_request", False) and ready:
        result = None
        with widgets.user_errors(ctx.lang):
            result = import_requested(kind, path, options)
        if result is not None:
            st.session_state["imp_result"] = result
            st.session_state["imp_nonce"] = nonce + 1     # a fresh, empty uploader
            forget_upload()
            st.rerun()

st.divider()
history()
st.divider()
problems(orphans)
