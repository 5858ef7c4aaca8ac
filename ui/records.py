"""办理: the forms that change the record (geo.records), one component each, shared by the pages - a village's
contracts and actions (the map's village panel, the gap list, the adviser's detail), an adviser's record and merge,
the renewal worklist's batch renewal and the gap plan's appointments.

Each form keeps the version of the record it read in the session (``rec_seen_*``) and passes it as ``seen=``; its
widgets are keyed by that version, so that reading the record again (after a save, or a conflict) fills the form
with the current values.  A change runs in the button's callback (before the page draws again, so every figure on
the page is read after it); its outcome - the library's message with an undo button, a refusal, a conflict - is
kept for the next draw.  Only a role that may change the record, inside its jurisdiction, sees a form at all.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import imports
from geo.core.errors import UserError
from geo.outputs.folium_map import build_map, features_bounds
from geo.records.changes import Appoint, Change, EditAdviser, End, Merge, NewAdviser, Renew, Replace
from geo.records.checks import KINDS, Point, reason
from geo.records.run import RecordConflict, adviser_version, contracts_frame, perform, village_version
from geo.text.catalogue import escape_markdown, t
from geo.text.formats import contract_end, count, day
from ui.state import Ctx
from ui.widgets import PICKER_BOUNDS

#: the contract actions a village's form offers: action -> (what it does, its button)
CONTRACT_ACTIONS = {"appoint": ("rec.ui.about.appoint", "rec.ui.do.appoint"),
                    "renew": ("rec.ui.about.renew", "rec.ui.do.renew"),
                    "end": ("rec.ui.about.end", "rec.ui.do.end"),
                    "replace": ("rec.ui.about.replace", "rec.ui.do.replace")}
#: the early end's short list on the form ("other" takes a text); "replaced" is the replace action's own
FORM_REASONS = ("transfer", "resigned", "failed_assessment", "other")
#: a renewal's period: years after each contract's end, or one date for all (0)
RENEW_YEARS = (1, 2, 3, 0)
#: the adviser picker's two ways
WHO = {"existing": "rec.ui.who.existing", "new": "rec.ui.who.new"}

#: the small map on which a click sets an adviser's base
BASE_MAP_HEIGHT = 300

Make = Callable[[Ctx], "Change | list[Change]"]


# ------------------------------------------------------------------------------------------------- small helpers

def may_change(ctx: Ctx, villages: Sequence[str]) -> bool:
    """Whether the user may change the record of every one of `villages` (what the library would allow)."""
    p = ctx.principal
    return p.may("record") and all(p.covers(v) for v in villages)


def years_after(day_: dt.date, years: int) -> dt.date:
    """The last day of a period of `years` years starting the day after `day_` (29 February: the 28th)."""
    try:
        return day_.replace(year=day_.year + years)
    except ValueError:
        return day_.replace(year=day_.year + years, day=28)


def reason_text(stored: object, lang: str) -> str:
    """An early end's reason as the page says it: the short list's word, or the clerk's own text."""
    value = "" if stored is None or (isinstance(stored, float) and pd.isna(stored)) else str(stored)
    if value.startswith("other:"):
        return value.removeprefix("other:")
    key = f"rec.reason.{value}"
    return t(key, lang) if value in (*FORM_REASONS, "replaced", "snapshot") else value


def contract_line(row: pd.Series | dict, lang: str) -> str:
    """One contract as plain text: who, the period, and for one ended early its printed end and why."""
    start, end, printed = row["start_date"], row["end_date"], row.get("printed_end")
    printed = None if printed is None or pd.isna(printed) else printed
    said = t("rec.ui.line", lang, name=row["name"], org=row.get("org") or "—", start=day(start),
             end=contract_end(end, lang))
    if isinstance(row.get("end_reason"), str) and row["end_reason"]:      # a missing one may read as NaN
        early = t("rec.ui.ended_early", lang, printed=contract_end(printed, lang) if printed else "—",
                  reason=reason_text(row["end_reason"], lang))
        said = f"{said}{t('rec.ui.sep', lang)}{early}"
    return said


def _get(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


def _seen(key: str, read: Callable[[], str]) -> str:
    """The version this session's form read (read now the first time, and again after a save or a conflict)."""
    if key not in st.session_state:
        st.session_state[key] = read()
    return st.session_state[key]


def _out_key(place: str) -> str:
    return f"rec_out_{place}"


# --------------------------------------------------------------------------------------- doing it, and undoing it

def _submit(place: str, make: Make, action: str | None, seen_keys: tuple[str, ...] = (),
            after: tuple[str, ...] = ()) -> None:
    """The button's callback: make the change as the session's user; keep the outcome for the next draw.  After a
    save or a conflict the form reads the record again (`seen_keys` forgotten); after a save the `after` keys
    (a confirmation step, a selection) are cleared."""
    ctx: Ctx = st.session_state["ctx"]
    try:
        result = perform(ctx.store, make(ctx), principal=ctx.principal, action=action)
    except RecordConflict as e:
        st.session_state[_out_key(place)] = ("conflict", e)
    except UserError as e:
        st.session_state[_out_key(place)] = ("error", e)
        return
    else:
        st.session_state[_out_key(place)] = ("done", result.batch, result.message)
        for key in after:
            st.session_state.pop(key, None)
    for key in seen_keys:
        st.session_state.pop(key, None)


def _undo(place: str, batch: int) -> None:
    ctx: Ctx = st.session_state["ctx"]
    try:
        st.session_state[_out_key(place)] = ("undone", imports.rollback(ctx.store, batch, principal=ctx.principal))
    except UserError as e:
        st.session_state[_out_key(place)] = ("error", e)
    for key in [k for k in st.session_state if str(k).startswith("rec_seen_")]:
        st.session_state.pop(key, None)          # every form reads what the undo put back


def outcome(ctx: Ctx, place: str) -> None:
    """What the last action of this place did: the library's message and an undo button; a refusal; a conflict
    with what the record holds now."""
    out = _get(_out_key(place))
    if out is None:
        return
    kind = out[0]
    if kind == "done":
        _, batch, message = out
        with st.container(horizontal=True, vertical_alignment="center"):
            st.success(message.md(ctx.lang))
            st.button(ctx.t("rec.ui.undo"), key=f"rec_undo_{place}_{batch}", on_click=_undo, args=(place, batch))
    elif kind == "undone":
        st.success(out[1].md(ctx.lang))
    elif kind == "conflict":
        st.warning(escape_markdown(out[1].text(ctx.lang)))
        st.caption(ctx.t("rec.ui.reloaded"))
    else:
        st.error(escape_markdown(out[1].text(ctx.lang)))


def _forget_outcome(place: str) -> None:
    st.session_state.pop(_out_key(place), None)


# ------------------------------------------------------------------------------------------------ the adviser picker

def _adviser_label(r: Any, lang: str) -> str:
    parts = [r.name, r.org, r.licence_no]
    return " · ".join(str(x) for x in parts if isinstance(x, str) and x) + t("rec.ui.serves", lang, n=r.villages)


def adviser_picker(ctx: Ctx, key: str, *, exclude: Sequence[int] = (),
                   new: bool = True) -> Callable[[], int | NewAdviser | None]:
    """An adviser on record within the jurisdiction (found by name, licence number or organisation), or a new
    one when `new`: returns how to read the choice at the button's click (None: nothing chosen)."""
    who = st.radio(ctx.t("rec.ui.who"), list(WHO), key=f"{key}_who", horizontal=True,
                   format_func=lambda w: ctx.text(WHO[w])) if new else "existing"
    if who == "new":
        st.text_input(ctx.t("rec.f.name"), key=f"{key}_name", max_chars=60)
        st.text_input(ctx.t("rec.f.phone"), key=f"{key}_phone", max_chars=40)
        st.text_input(ctx.t("rec.f.org"), key=f"{key}_org", max_chars=100)
        st.selectbox(ctx.t("rec.f.kind"), KINDS, key=f"{key}_kind")
        st.text_input(ctx.t("rec.f.licence_no"), key=f"{key}_licence", max_chars=40)
        return lambda: NewAdviser(name=_get(f"{key}_name") or "", phone=_get(f"{key}_phone"),
                                  org=_get(f"{key}_org"), kind=_get(f"{key}_kind"),
                                  licence_no=_get(f"{key}_licence"))
    text = st.text_input(ctx.t("rec.ui.search"), key=f"{key}_q", max_chars=60,
                         placeholder=ctx.text("rec.ui.search.hint"))
    if not text.strip():
        return lambda: None
    found = ctx.store.find_advisers(ctx.principal.jurisdiction, text)
    found = found[~found["adviser_id"].isin(list(exclude))]
    if found.empty:
        st.caption(ctx.t("rec.ui.search.none", text=text))
        return lambda: None
    labels = {int(r.adviser_id): _adviser_label(r, ctx.lang) for r in found.itertuples(index=False)}
    st.selectbox(ctx.t("rec.ui.pick"), list(labels), format_func=labels.get, key=f"{key}_id_{text}")
    return lambda: _get(f"{key}_id_{text}")


def _date(ctx: Ctx, label_key: str, value: dt.date, key: str) -> dt.date:
    return st.date_input(ctx.t(label_key), value=value, min_value=PICKER_BOUNDS[0], max_value=PICKER_BOUNDS[1],
                         key=key, format="YYYY-MM-DD")


# ----------------------------------------------------------------------------------------- one village's contracts

def village_records(ctx: Ctx, village: str, place: str, *, expanded: bool = False) -> None:
    """The village's contracts (an early end with its printed end and reason) and, for a user who may, the form
    of the four contract actions."""
    rows = contracts_frame(ctx.store, village, ctx.as_of)
    st.markdown(f"**{ctx.t('rec.ui.contracts')}**")
    if rows.empty:
        st.caption(ctx.t("rec.ui.no_contracts"))
    else:
        st.markdown("  \n".join(escape_markdown(("● " if r["current"] else "○ ") + contract_line(r, ctx.lang))
                                for _, r in rows.iloc[::-1].iterrows()))
    outcome(ctx, place)
    if not may_change(ctx, [village]):
        return
    seen_key = f"rec_seen_{place}_{village}"
    seen = _seen(seen_key, lambda: village_version(ctx.store, village))
    key = f"rec_{place}_{village}_{seen[:8]}"
    with st.expander(ctx.t("rec.ui.act"), expanded=expanded or _get(_out_key(place)) is not None):
        offered = list(CONTRACT_ACTIONS) if not rows.empty else ["appoint"]
        action = st.segmented_control(ctx.t("rec.ui.action"), offered, default="appoint" if rows.empty else None,
                                      key=f"{key}_action", format_func=lambda a: ctx.text(f"rec.action.{a}"))
        if action is None:
            st.caption(ctx.t("rec.ui.pick_action"))
            return
        about, do = CONTRACT_ACTIONS[action]
        st.caption(ctx.t(about))
        make, ready = _contract_form(ctx, action, village, rows, key, seen)
        st.button(ctx.t(do), type="primary", key=f"{key}_go", disabled=not ready,
                  on_click=_submit, args=(place, make, None, (seen_key,)))


def _contract_choice(ctx: Ctx, rows: pd.DataFrame, key: str, *, current_only: bool) -> int | None:
    """Which adviser's contract the action is about: the current ones first (the only one preselected)."""
    pool = rows[rows["current"]] if current_only and rows["current"].any() else rows
    latest = pool.drop_duplicates("adviser_id", keep="last").iloc[::-1]
    options = {int(r.adviser_id): f"{r.name}（{day(r.start_date)} ~ {contract_end(r.end_date, ctx.lang)}）"
               for r in latest.itertuples(index=False)}
    if len(options) == 1:
        return next(iter(options))
    return st.selectbox(ctx.t("rec.ui.which"), list(options), format_func=options.get, key=f"{key}_which")


def _contract_form(ctx: Ctx, action: str, village: str, rows: pd.DataFrame, key: str,
                   seen: str) -> tuple[Make, bool]:
    """The fields of one action: returns how to make the change from them, and whether it can be asked yet."""
    today = ctx.as_of
    if action == "appoint":
        pick = adviser_picker(ctx, f"{key}_ap")
        start = _date(ctx, "rec.f.start", today, f"{key}_start")
        end = _date(ctx, "rec.f.end", years_after(today, 1) - dt.timedelta(days=1), f"{key}_end")
        chosen = pick()
        return (lambda _c: Appoint(village, pick(), start, end, seen=seen)), chosen is not None
    adviser = _contract_choice(ctx, rows, key, current_only=action != "renew")
    mine = rows[rows["adviser_id"] == adviser]
    last_end = mine["end_date"].iloc[-1] if not mine.empty else None
    if action == "renew":
        if last_end is None:
            st.info(ctx.t("rec.ui.open_ended"))
            return (lambda _c: []), False
        until = _date(ctx, "rec.f.until", years_after(last_end, 1), f"{key}_until")
        st.caption(ctx.t("rec.ui.renew_from", start=day(last_end + dt.timedelta(days=1))))
        return (lambda _c: Renew(village, adviser, until, today=today, seen=seen)), True
    on = _date(ctx, "rec.f.on", today, f"{key}_on")
    if action == "end":
        code = st.selectbox(ctx.t("rec.f.reason"), FORM_REASONS, key=f"{key}_reason",
                            format_func=lambda r: ctx.text(f"rec.reason.{r}"))
        other = st.text_input(ctx.t("rec.f.reason_text"), key=f"{key}_why", max_chars=100) if code == "other" else ""
        st.caption(ctx.t("rec.ui.end_note", last=day(on - dt.timedelta(days=1))))
        return (lambda _c: End(village, adviser, on, reason(code, other), seen=seen)), code != "other" or bool(other)
    pick = adviser_picker(ctx, f"{key}_rp", exclude=[adviser] if adviser is not None else [])
    keep_end = st.checkbox(ctx.t("rec.ui.keep_end", end=contract_end(last_end, ctx.lang)), value=True,
                           key=f"{key}_keep")
    until = None if keep_end else _date(ctx, "rec.f.until", years_after(on, 1) - dt.timedelta(days=1),
                                        f"{key}_until")
    chosen = pick()
    return (lambda _c: Replace(village, adviser, pick(), on, until, seen=seen)), chosen is not None


# ---------------------------------------------------------------------------------------------- one adviser's record

def adviser_records(ctx: Ctx, adviser_id: int, place: str = "adv", features: dict | None = None) -> None:
    """The adviser's record to edit, and the merge of a second record of the same person into it.  `features`:
    their villages as the adviser page draws them, for a small map on which a click sets the base."""
    if not may_change(ctx, ctx.store.adviser_villages(adviser_id)):
        return
    outcome(ctx, place)
    row = ctx.store.adviser_row(adviser_id)
    if row is None:
        return
    seen_key = f"rec_seen_{place}_{adviser_id}"
    seen = _seen(seen_key, lambda: adviser_version(ctx.store, adviser_id))
    key = f"rec_{place}_{adviser_id}_{seen[:8]}"
    # the map only in an open expander: one drawn folded stays zero pixels high when unfolded
    edit = st.expander(ctx.t("rec.ui.edit"), key=f"rec_{place}_edit_open", on_change="rerun")
    with edit:
        fields, below = st.container(), st.container()
        if edit.open:
            with below:          # drawn first: a click on it fills the base field before that field is made
                _base_map(ctx, row, features, key)
        with fields:
            values = _edit_fields(ctx, row, key)
        st.button(ctx.t("rec.ui.do.edit"), type="primary", key=f"{key}_go", on_click=_submit,
                  args=(place, lambda _c: EditAdviser(adviser_id, values(), seen=seen), None, (seen_key,)))
    with st.expander(ctx.t("rec.ui.merge")):
        _merge_form(ctx, adviser_id, row, place, key, seen, seen_key)


def _edit_fields(ctx: Ctx, row: dict[str, Any], key: str) -> Callable[[], dict[str, Any]]:
    left, right = st.columns(2)
    left.text_input(ctx.t("rec.f.name"), value=row["name"] or "", key=f"{key}_name", max_chars=60)
    kinds = ["", *KINDS]
    right.selectbox(ctx.t("rec.f.kind"), kinds, index=kinds.index(row["kind"]) if row["kind"] in kinds else 0,
                    key=f"{key}_kind", format_func=lambda k: k or "—")
    left.text_input(ctx.t("rec.f.org"), value=row["org"] or "", key=f"{key}_org", max_chars=100)
    right.text_input(ctx.t("rec.f.licence_no"), value=row["licence_no"] or "", key=f"{key}_licence", max_chars=40)
    left.text_input(ctx.t("rec.f.phone"), value=row["phone"] or "", key=f"{key}_phone", max_chars=40)
    base = f"{row['lon']:.6f},{row['lat']:.6f}" if row.get("lon") is not None and row.get("lat") is not None else ""
    st.session_state.setdefault(f"{key}_base", base)
    right.text_input(ctx.t("rec.f.base"), key=f"{key}_base", max_chars=60,
                     placeholder="108.2,34.1", help=ctx.t("rec.f.base.help"))

    def values() -> dict[str, Any]:
        said = {"name": _get(f"{key}_name"), "kind": _get(f"{key}_kind") or None, "org": _get(f"{key}_org"),
                "licence_no": _get(f"{key}_licence"), "phone": _get(f"{key}_phone")}
        text = (_get(f"{key}_base") or "").strip()
        point = Point.parse(text) if text else None
        return {**said, "lon": point.lon if point else None, "lat": point.lat if point else None}
    return values


def _base_map(ctx: Ctx, row: dict[str, Any], features: dict | None, key: str) -> None:
    """A small map of the adviser's villages with their base as a dot; a click sets the base field.  Not drawn on
    a GCJ-02 basemap (a click there is not a WGS-84 point) or without a village to show."""
    if not features or not features.get("features") or ctx.basemap.gcj02:
        return
    typed = (_get(f"{key}_base") or "").strip()
    try:
        dot = Point.parse(typed) if typed else (Point(row["lon"], row["lat"]) if row.get("lon") is not None
                                                   and row.get("lat") is not None else None)
    except UserError:
        dot = None
    bounds = features_bounds(features)
    if dot is not None and bounds is not None and dot.in_china():     # the dot in view with the villages
        w, s, e, n = bounds
        bounds = (min(w, dot.lon), min(s, dot.lat), max(e, dot.lon), max(n, dot.lat))
    m = build_map(features, mode="status", lang=ctx.lang, basemap=ctx.basemap, height=BASE_MAP_HEIGHT,
                  bounds=bounds)
    if dot is not None:
        folium.CircleMarker(location=[dot.lat, dot.lon], radius=7, color="#b00020", fill=True,
                            fill_opacity=0.9).add_to(m)
    st.caption(ctx.t("rec.ui.base_map"))
    out = st_folium(m, returned_objects=["last_clicked"], height=BASE_MAP_HEIGHT, use_container_width=True,
                    key=f"{key}_map")
    clicked = (out or {}).get("last_clicked")
    if clicked and clicked != _get(f"{key}_clicked"):
        st.session_state[f"{key}_clicked"] = clicked
        st.session_state[f"{key}_base"] = f"{clicked['lng']:.6f},{clicked['lat']:.6f}"


def _merge_form(ctx: Ctx, keep: int, row: dict[str, Any], place: str, key: str, seen: str, seen_key: str) -> None:
    st.caption(ctx.t("rec.ui.merge.about", name=row["name"]))
    pick = adviser_picker(ctx, f"{key}_mg", exclude=[keep], new=False)
    other = pick()
    if other is None:
        return
    if not may_change(ctx, ctx.store.adviser_villages(other)):
        st.info(ctx.t("rec.ui.merge.outside"))
        return
    moving = ctx.store.adviser_record_counts(other)
    other_row = ctx.store.adviser_row(other) or {}
    st.markdown(ctx.t("rec.ui.merge.what", other=other_row.get("name") or other, keep=row["name"],
                      contracts=count(moving[0]), records=count(moving[1])))
    sure = st.checkbox(ctx.t("rec.ui.merge.sure"), key=f"{key}_mg_sure")
    st.button(ctx.t("rec.ui.do.merge"), type="primary", key=f"{key}_mg_go", disabled=not sure, on_click=_submit,
              args=(place, lambda _c: Merge(keep, other, seen=seen), None, (seen_key,)))


# --------------------------------------------------------------------------------------------------- batch actions

def _versions_read(ctx: Ctx, place: str, villages: pd.Series) -> tuple[str, dict[str, str]]:
    """The version of each selected village as this session first read it (read when it is selected): a batch
    checks each of its changes against what the clerk saw, as a single form does."""
    key = f"rec_seen_{place}_batch"
    read: dict[str, str] = st.session_state.setdefault(key, {})
    for village in villages:
        if village not in read:
            read[village] = village_version(ctx.store, village)
    return key, read


def renew_many(ctx: Ctx, worklist: pd.DataFrame, place: str = "ren") -> None:
    """续聘 the selected lines of the renewal worklist for one chosen period, as one batch.  `worklist`: the lines
    on offer, the page of the worklist shown (a national worklist has tens of thousands: a list too long to pick
    from, and each option is sent to the browser), each known by its row label in the whole worklist."""
    outcome(ctx, place)
    if worklist.empty or not may_change(ctx, list(worklist["village"])):
        return
    st.markdown(f"**{ctx.t('rec.ui.renew_many')}**")
    lines = {int(i): ctx.text("rec.ui.renew_item", village=r.village_name, adviser=r.adviser,
                              end=contract_end(r.end_date, ctx.lang))
             for i, r in zip(worklist.index, worklist.itertuples(index=False))}
    sel_key = f"rec_{place}_picked_{ctx.scope.digits}_{ctx.date}_{worklist.index[0]}_{len(worklist)}"
    picked = st.multiselect(ctx.t("rec.ui.renew_pick"), list(lines), format_func=lines.get, key=sel_key,
                            placeholder=ctx.text("select.placeholder"))
    left, right = st.columns(2)
    years = left.selectbox(ctx.t("rec.ui.renew_period"), RENEW_YEARS, key=f"rec_{place}_period",
                           format_func=lambda n: ctx.text("rec.ui.period.years", n=n) if n
                           else ctx.text("rec.ui.period.date"))
    until = None
    if not years:
        with right:
            until = _date(ctx, "rec.f.until", years_after(ctx.as_of, 1), f"rec_{place}_until")
    chosen = worklist.loc[sorted(picked)]
    seen_key, seen = _versions_read(ctx, place, chosen["village"])
    today = ctx.as_of

    def renewed_until(end: dt.date | None) -> dt.date | None:
        if until is not None or end is None:
            return until
        return years_after(max(end, today), years)

    def make(_c: Ctx) -> list[Change]:
        return [Renew(r.village, int(r.adviser_id), renewed_until(r.end_date), today=today, seen=seen[r.village])
                for r in chosen.itertuples(index=False)]
    st.button(ctx.t("rec.ui.do.renew_many", n=count(len(chosen))), type="primary", key=f"rec_{place}_go",
              disabled=chosen.empty, on_click=_submit, args=(place, make, "renew_many", (seen_key,), (sel_key,)))


def apply_plan(ctx: Ctx, proposals: pd.DataFrame, place: str = "plan") -> None:
    """The gap plan's selected proposals as new contracts, after a confirmation listing each village and adviser;
    one batch.  `proposals`: the plan's villages with an adviser proposed (code, name, township, adviser_id,
    adviser_name, adviser_org, distance_km)."""
    outcome(ctx, place)
    if proposals.empty or not may_change(ctx, list(proposals["code"])):
        return
    st.markdown(f"**{ctx.t('rec.ui.plan')}**")
    lines = {r.code: ctx.text("rec.ui.plan_item", village=r.name, township=r.township or "", adviser=r.adviser_name)
             for r in proposals.itertuples(index=False)}
    sel_key = f"rec_{place}_picked_{ctx.scope.digits}_{ctx.date}"
    confirm_key = f"rec_{place}_confirm"
    picked = st.multiselect(ctx.t("rec.ui.plan_pick"), list(lines), format_func=lines.get, key=sel_key,
                            placeholder=ctx.text("select.placeholder"),
                            on_change=lambda: st.session_state.pop(confirm_key, None))
    left, right = st.columns(2)
    with left:
        start = _date(ctx, "rec.f.start", ctx.as_of, f"rec_{place}_start")
    with right:
        end = _date(ctx, "rec.f.end", years_after(ctx.as_of, 1) - dt.timedelta(days=1), f"rec_{place}_end")
    chosen = proposals[proposals["code"].isin(picked)]
    seen_key, seen = _versions_read(ctx, place, chosen["code"])
    if not _get(confirm_key):
        st.button(ctx.t("rec.ui.plan_check", n=count(len(chosen))), key=f"rec_{place}_check", disabled=chosen.empty,
                  on_click=lambda: st.session_state.update({confirm_key: True}) or _forget_outcome(place))
        return
    st.markdown(ctx.t("rec.ui.plan_confirm", n=count(len(chosen)), start=day(start), end=day(end)))
    st.dataframe(pd.DataFrame({ctx.text("col.village"): chosen["name"].tolist(),
                               ctx.text("col.code"): chosen["code"].tolist(),
                               ctx.text("col.township"): chosen["township"].fillna("").tolist(),
                               ctx.text("col.advisers"): chosen["adviser_name"].tolist(),
                               ctx.text("col.orgs"): chosen["adviser_org"].fillna("").tolist()}),
                 hide_index=True, width="stretch", height=min(38 + 35 * len(chosen), 400))

    def make(_c: Ctx) -> list[Change]:
        return [Appoint(r.code, int(r.adviser_id), start, end, seen=seen[r.code])
                for r in chosen.itertuples(index=False)]
    with st.container(horizontal=True):
        st.button(ctx.t("rec.ui.do.apply_plan", n=count(len(chosen))), type="primary", key=f"rec_{place}_go",
                  on_click=_submit, args=(place, make, "apply_plan", (seen_key,), (confirm_key, sel_key)))
        st.button(ctx.t("rec.ui.plan_back"), key=f"rec_{place}_back",
                  on_click=lambda: st.session_state.pop(confirm_key, None))

