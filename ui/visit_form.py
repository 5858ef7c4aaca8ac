"""The import page's two small sections beside the uploads: the blank templates to download, and the form that
enters one service visit (geo.imports.visit does the checking, writing and auditing; this only draws widgets)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from geo.core.codes import Scope
from geo.core.service_rule import MODES
from geo.imports.templates import TEMPLATES, XLSX_MIME, template_xlsx
from geo.imports.visit import MAX_CONTENT_CHARS, VisitForm, record_visit, visit_advisers
from geo.sources.servicelog import SERVICE_CATEGORIES
from geo.sources.servicelog.values import MAX_HOURS
from ui import widgets
from ui.state import Ctx

#: the download buttons' labels, by template
_DOWNLOAD_KEYS = {"ledger": "tpl.download.ledger", "services": "tpl.download.services"}


def template_downloads(ctx: Ctx) -> None:
    """The blank ledger and service log, each download audited like any other."""
    st.markdown(f"**{ctx.t('tpl.title')}**")
    st.caption(ctx.t("tpl.intro"))
    with st.container(horizontal=True):
        for key, tpl in TEMPLATES.items():
            widgets.download_button(ctx, ctx.t(_DOWNLOAD_KEYS[key]), lambda key=key: template_xlsx(key),
                                    what="template", fmt="xlsx", file_name=tpl.file_name, mime=XLSX_MIME,
                                    key=f"tpl_dl_{key}", detail={"template": key})


def _county(ctx: Ctx) -> Scope | None:
    """The county whose villages the form lists: the page's scope when it is one or lies inside one, else the
    county picked here among the scope's."""
    if ctx.scope.level >= 3:
        return Scope(ctx.scope.digits[:6])
    counties = ctx.store.children(ctx.scope, 3)
    names = dict(zip(counties["code"].str[:6], counties["name"]))
    picked = st.selectbox(ctx.t("visit.county"), list(names), index=None, key="visit_county",
                          format_func=lambda c: f"{names[c]}（{c}）", placeholder=ctx.text("visit.pick_county"))
    return Scope(picked) if picked else None


def _village(ctx: Ctx, county: Scope) -> str | None:
    """A village of the county: by township, then by name (any part of it)."""
    inside = Scope(ctx.scope.digits[:9]) if ctx.scope.level > 3 else county     # a township, or the county
    townships = ctx.store.children(inside, 4) if inside.level <= 3 else pd.DataFrame(
        {"code": [inside.code], "name": [ctx.store.scope_name(inside)]})
    town_names = dict(zip(townships["code"], townships["name"]))
    left, right = st.columns(2)
    with left:
        town = st.selectbox(ctx.t("visit.township"), ["", *town_names], key="visit_township",
                            format_func=lambda c: town_names.get(c, ctx.text("visit.all_townships")))
    with right:
        search = st.text_input(ctx.t("visit.search"), key="visit_search", help=ctx.text("visit.search_help"),
                               max_chars=30).strip()
    villages = ctx.store.children(Scope.parse(town) if town else inside, 5)
    if search:
        villages = villages[villages["name"].str.contains(search, regex=False)]
    if villages.empty:
        st.caption(ctx.t("visit.no_villages"))
        return None
    shown = {c: (f"{n}（{town_names.get(c[:9] + '000', '')}）" if not town else n)
             for c, n in zip(villages["code"], villages["name"])}
    return st.selectbox(ctx.t("visit.village"), list(shown), key="visit_village",
                        format_func=lambda c: f"{shown[c]} · {c}")


def _adviser(ctx: Ctx, village: str, day: dt.date, county_name: str) -> int | None:
    offered = visit_advisers(ctx.store, village, day)
    if offered.empty:
        st.warning(ctx.t("visit.no_advisers", county=county_name))
        return None
    labels = {}
    for a, name, licence, current in offered.itertuples(index=False):
        said = ctx.text("visit.adviser_current" if current else "visit.adviser_other", name=name)
        if isinstance(licence, str) and licence and ctx.principal.sees_contacts:
            said += ctx.text("visit.licence", licence=licence)
        labels[int(a)] = said
    if st.session_state.get("visit_adviser_for") != (village, day):
        # another village or day: offer its own advisers first again, not the one picked for the last
        st.session_state.pop("visit_adviser", None)
        st.session_state["visit_adviser_for"] = (village, day)
    return st.selectbox(ctx.t("visit.adviser"), list(labels), key="visit_adviser", format_func=labels.get)


def visit_section(ctx: Ctx) -> None:
    """录入一次服务: the form, its save button, and what was saved (or why not)."""
    st.subheader(ctx.t("visit.title"))
    st.caption(ctx.t("visit.intro"))
    if (done := st.session_state.pop("visit_done", None)) is not None:
        st.success(done.md(ctx.lang))
    county = _county(ctx)
    if county is None:
        return
    village = _village(ctx, county)
    if village is None:
        return
    today = dt.date.today()
    left, middle, right = st.columns(3)
    with left:
        day = st.date_input(ctx.t("visit.date"), value=today, max_value=today, key="visit_date",
                            format="YYYY-MM-DD")
    with middle:
        mode = st.selectbox(ctx.t("visit.mode"), list(MODES), key="visit_mode",
                            format_func=lambda m: ctx.text(f"imp.mode.{m}"))
    with right:
        hours = st.number_input(ctx.t("visit.hours"), min_value=0.25, max_value=float(MAX_HOURS), value=2.0,
                                step=0.5, key="visit_hours")
    adviser = _adviser(ctx, village, day, ctx.store.scope_name(county))
    left, right = st.columns(2)
    with left:
        category = st.selectbox(ctx.t("visit.category"), list(SERVICE_CATEGORIES), key="visit_category")
    with right:
        people = st.number_input(ctx.t("visit.people"), min_value=0, value=None, step=1, key="visit_people")
    content = st.text_area(ctx.t("visit.content"), key="visit_content", max_chars=MAX_CONTENT_CHARS,
                           help=ctx.text("visit.content_help"))
    st.button(ctx.t("visit.save"), type="primary", key="visit_save", disabled=adviser is None,
              on_click=lambda: st.session_state.update(visit_request=True))
    if st.session_state.pop("visit_request", False) and adviser is not None:
        form = VisitForm(village, day, adviser, mode, hours, category, content or None, people)
        with widgets.user_errors(ctx.lang):
            result = record_visit(ctx.store, form, ctx.principal)
            st.session_state["visit_done"] = result.message
            st.session_state.pop("visit_content", None)
            st.rerun()
