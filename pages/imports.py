"""数据导入: upload a ledger, a boundary layer or a division list, check what was read, import it as one batch;
the batch history with rollback; assignments that point at abolished or unknown villages.

Nothing is written before the import button: the preview uses the library's readers only.  An upload is saved
to a temporary folder under its own name (the readers name the file in their messages).
"""
from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import imports
from geo.core.codes import Scope
from geo.core.errors import UserError
from geo.imports.kind import Column, Confirmation, Headers
from geo.imports.kinds import BATCH_KINDS
from geo.imports.snapshot import EndsNotConfirmed
from geo.outputs.export import to_csv_bytes, to_xlsx_bytes
from geo.privacy.idcards import scrub_file_name
from geo.store import Store
from geo.text.catalogue import TEXT, Msg, escape_markdown, localized
from geo.text.formats import period_text
from ui import queries, state, streamlit_words, visit_form, widgets

MAX_MB = 200                    # per upload; the server's own limit is [server] maxUploadSize
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

def say(message) -> str:
    """A message of the library for a place Streamlit reads as Markdown, in the page's language."""
    return message.md(ctx.lang) if isinstance(message, Msg) else escape_markdown(localized(message, ctx.lang))


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
def county_list(_store: Store, version: str, digits: str) -> pd.DataFrame:
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


def previewed(kind: imports.ImportKind, path: Path, options: dict):
    """The reader's result for this upload (by content) and these options, cut to the user's jurisdiction as
    the import will be (rows outside it are shown as not importable): read or extracted once, then kept for the
    preview's reruns and for the import itself.  A refusal is kept too, so a rerun does not record it again."""
    asked = {o.name: options.get(o.name) for o in kind.options if o.widget != "confirm"}
    key = (kind.key, upload_sha(), tuple(sorted(asked.items())), ctx.version, ctx.principal)
    memo = st.session_state.get("imp_preview")
    if memo and memo[0] == key:
        if isinstance(memo[1], UserError):
            raise memo[1]
        return memo[1]
    with st.spinner(ctx.t("imp.reading", name=path.name)):
        try:
            value = imports.preview(store, kind.key, path, options, principal=ctx.principal)
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
    shown_table((Column(row_key, tuple(n.row for n in notes)),
                 Column("imp.col.reason", tuple(n.reason_text(ctx.lang) for n in notes)),
                 Column("imp.col.message", tuple(n.message for n in notes))), 360)


def shown_table(columns: tuple[Column, ...], cap: int = 420, widths: bool = True) -> None:
    """A table a preview lists (Column: a heading's key and its cells) in the page's language."""
    rows = len(columns[0].cells) if columns else 0
    st.dataframe(pd.DataFrame({ctx.t(c.heading): [localized(v, ctx.lang) for v in c.cells] for c in columns}),
                 hide_index=True, width="stretch", height=table_height(rows, cap),
                 **({"column_config": WIDTHS} if widths else {}))


def file_headers(headers: Headers) -> None:
    """The header row, the fields understood (labels under the headers' prefix) and, in one row under them, the
    file's own headers, as wide as the file itself."""
    sheet = ctx.t("imp.sheet", sheet=headers.sheet) if headers.sheet else ""
    st.markdown(f"**{ctx.t('imp.columns')}**")
    st.caption(ctx.t("imp.header_row", sheet=sheet, row=headers.header_row, start=headers.start_row))
    mapped = headers.mapped
    st.dataframe(pd.DataFrame([[ctx.t("imp.col.header")] + [" ".join(str(h).split()) for _, h in mapped]],
                              columns=[ctx.t("imp.col.field")] + [label(headers.prefix, f) for f, _ in mapped]),
                 hide_index=True, width="stretch")
    st.caption(ctx.t(headers.caption))


def show_warnings(messages) -> None:
    for message in messages:
        st.warning(escape_markdown(localized(message, ctx.lang)))


# ------------------------------------------------------------------------------------------------------ options

# the session keys of the option widgets (kept across reruns; forgotten with the upload)
OPTION_KEYS = {"code_field": "imp_b_code", "name_field": "imp_b_name", "source_crs": "imp_b_crs",
               "gcj02": "imp_b_gcj02", "allow_abolish": "imp_r_allow",
               "snapshot": "imp_a_snapshot", "as_of": "imp_a_as_of", "allow_end": "imp_a_allow_end"}


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
    for option in (o for o in options if o.widget == "date" and (o.when is None or values.get(o.when))):
        values[option.name] = st.date_input(ctx.t(option.label_key), value=dt.date.today(),
                                            key=OPTION_KEYS[option.name])
    if any(o.widget == "county" for o in options):
        if county_heading:
            st.markdown(f"**{ctx.t('imp.county')}**")
        values["county"] = county_choice()
    return kind.reader_options(values)


# ------------------------------------------------------------------------------------------------------ previews

def preview(kind: imports.ImportKind, path: Path) -> tuple[bool, dict]:
    """The kind's options and its preview as the kind describes it (imports.PreviewView), top to bottom;
    (something can be imported, the options chosen)."""
    told = None
    if kind.options_title:
        results = st.container()
        with st.expander(ctx.t(kind.options_title)):   # drawn below the results, read first
            if kind.options_hint:
                st.caption(ctx.t(kind.options_hint))
            options = option_widgets(kind)
    else:
        if any(o.widget == "county" for o in kind.options):
            st.markdown(f"**{ctx.t('imp.county')}**")
            told = st.empty()             # the county read from the file, above the controls that change it
        options = option_widgets(kind, county_heading=False)
        results = st.container()
    view = kind.view(store, previewed(kind, path, options))
    if view.county is not None and told is not None:
        told.info(say(view.county))
    with results:
        if view.read is not None:
            st.info(say(view.read))
        if view.place is not None:
            st.markdown(say(view.place))
        if view.metrics:
            for column, (name, value) in zip(st.columns(len(view.metrics)), view.metrics):
                column.metric(say(name), value)
        for remark in view.remarks:
            st.markdown(say(remark))
        for caption in view.captions:
            st.caption(say(caption))
        if view.headers is not None:
            file_headers(view.headers)
        if (listing := view.listing) is not None:
            heading = listing.heading or "imp.matched"
            st.markdown(f"**{ctx.t(heading, n=f'{listing.total:,}', shown=listing.shown)}**")
            shown_table(listing.columns)
            if listing.caption:
                st.caption(ctx.t(listing.caption))
        show_warnings(view.warnings)
        if view.confirmation is not None:
            options = {**options, **confirmation(view.confirmation)}
        rejects_table(list(view.rejects), kind.row_key)
    return view.ready, options


def confirmation(asked: Confirmation) -> dict:
    """What the import would take away, per place and row by row; the confirmation when it goes far."""
    (st.error if asked.severe else st.warning)(say(asked.alarm))
    shown_table(asked.table, 320, widths=False)
    with st.expander(say(asked.every)):
        shown_table(asked.rows, 360, widths=False)
    if asked.ask is None:
        return {}
    st.markdown(say(asked.ask))
    return {asked.option.name: st.checkbox(ctx.t(asked.option.label_key), key=OPTION_KEYS[asked.option.name])}


# ------------------------------------------------------------------------------------------------------ import

def run_import(kind: imports.ImportKind, path: Path, options: dict) -> imports.ImportResult:
    bar = st.progress(0.0, text=ctx.t("imp.stage.reading"))

    def progress(fraction: float, stage: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=label("imp.stage", stage))

    try:
        return imports.run_import(store, kind.key, path, options, file_name=path.name, progress=progress,
                                  preview=previewed(kind, path, options), principal=ctx.principal)
    except Exception:
        bar.empty()         # a refused or failed import wrote nothing: no bar left saying "writing…"
        raise


def import_requested(kind: imports.ImportKind, path: Path, options: dict) -> imports.ImportResult | None:
    """The import; a refusal raised for widgets.user_errors, any other failure said here (nothing was written)."""
    try:
        return run_import(kind, path, options)
    except (imports.AbolishNotConfirmed, EndsNotConfirmed) as e:
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
            for line in res.details.lines():
                st.markdown(say(line))
            for warning in res.details.warnings():
                st.warning(say(warning))
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
        kind = BATCH_KINDS.get(info[choice][0])
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
orphans = queries.q_orphans(store, ctx.version, ctx.scope.digits)     # nationally: 730,000 contracts read
if len(orphans):
    st.warning(ctx.t("imp.orphans_top", name=ctx.name, n=f"{len(orphans):,}"))

st.subheader(ctx.t("imp.step_kind"))
kind = st.radio(ctx.t("imp.kind"), [k.key for k in imports.KINDS], key="imp_kind",
                format_func=lambda k: ctx.t(imports.BY_KEY[k].label_key),
                captions=[ctx.t(k.expect_key, types=" ".join(k.file_types)) for k in imports.KINDS],
                label_visibility="collapsed")
spec = imports.BY_KEY[kind]
visit_form.template_downloads(ctx)
if st.session_state.get("imp_kind_was") != kind:
    forget_upload()
    st.session_state["imp_kind_was"] = kind

st.subheader(ctx.t("imp.step_file"))
nonce = st.session_state.get("imp_nonce", 0)
# any file: a wrong type is told in words below (Streamlit's own refusal is an English tooltip on a red icon)
upload = st.file_uploader(ctx.t("imp.upload", kind=ctx.t(spec.label_key), mb=MAX_MB), type=None,
                          key=f"imp_file_{kind}_{nonce}", max_upload_size=MAX_MB)
hint = ctx.text("imp.upload_hint", mb=MAX_MB, types=" ".join(spec.file_types))
upload_css = streamlit_words.uploader_css(ctx.text("imp.upload_button"), hint, ctx.text("imp.upload_drop"))
st.html(f"<style>{upload_css}</style>")
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
        ready, options = preview(spec, path)

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
            result = import_requested(spec, path, options)
        if result is not None:
            st.session_state["imp_result"] = result
            st.session_state["imp_nonce"] = nonce + 1     # a fresh, empty uploader
            forget_upload()
            st.rerun()

st.divider()
visit_form.visit_section(ctx)
st.divider()
history()
st.divider()
problems(orphans)
