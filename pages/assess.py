"""考核: the assessment of the view's scope for a month, a quarter or a year under a rule set (a preset or the
county's own file), from contracts and service records only; the advisers' and villages' sheets, rankings, the
best and warning lists, one adviser's months and records, the statistics sent upward, and every file to download
(each download audited)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.assess import output
from geo.assess.period import KINDS, Period, recent_periods
from geo.assess.rules import PRESETS, TEMPLATE, RuleSet, parse_rules, preset_text
from geo.assess.sheet import Assessment, assess
from geo.assess.stats import UpwardStats, upward_stats
from geo.auth.access import Principal
from geo.core.codes import Scope
from geo.core.errors import UserError
from geo.store import Store
from geo.text.formats import count
from ui import state, widgets

OWN = "own"
#: a province's or the country's assessment takes seconds of both cores and most of a gigabyte while it runs: it is
#: computed when asked for, as downloads are built on click, not by everyone who opens the page at that scope
ON_REQUEST_UP_TO_LEVEL = 1
PERIOD_CHOICES = {"month": 12, "quarter": 8, "year": 4}
PERIOD_WORDS = {"month": "assess.page.kind.month", "quarter": "assess.page.kind.quarter",
                "year": "assess.page.kind.year"}
RULE_WORDS = {"anhui": "assess.page.rules.anhui", "shandong": "assess.page.rules.shandong",
              OWN: "assess.page.rules.own"}

ctx = state.current()
widgets.page_counts(ctx, "page.assess")
st.caption(ctx.t("assess.page.intro"))


# kept as the object itself, not a pickled copy per run: a national assessment is about 500 MB (st.cache_data's
# eight pickled entries held 3.9 GB in bench --app --national's soak), and its sorted lists are worked out once on
# it (geo.assess.sheet.Assessment); the page only reads it.  Two at most, for ten minutes
@st.cache_resource(show_spinner=False, max_entries=2, ttl=600)
def q_assess(_store: Store, version: str, digits: str, period: str, rules_text: str, source: str,
             _principal: Principal, who: str) -> Assessment:
    """The assessment, kept per data version, scope, period, rule text and asker (`who` keys the cache)."""
    return assess(_store, Scope(digits), Period.parse(period), parse_rules(rules_text, source), principal=_principal)


@st.cache_data(show_spinner=False, max_entries=8)
def q_stats(_store: Store, version: str, digits: str, period: str, _principal: Principal, who: str) -> UpwardStats:
    return upward_stats(_store, Scope(digits), Period.parse(period), principal=_principal)


who = f"{ctx.principal.actor}|{ctx.principal.jurisdiction.digits}|{ctx.principal.sees_contacts}"
with st.container(horizontal=True, vertical_alignment="bottom"):
    kind = st.segmented_control(ctx.t("assess.page.kind"), KINDS, default="quarter", key="assess_kind",
                                format_func=lambda k: ctx.text(PERIOD_WORDS[k])) or "quarter"
    choices = recent_periods(kind, ctx.as_of, PERIOD_CHOICES[kind])
    period = st.selectbox(ctx.t("assess.page.period"), choices, key=f"assess_period_{kind}_{ctx.date}",
                          format_func=lambda p: output.period_label(p, ctx.lang), width=220)
    rule_choice = st.selectbox(ctx.t("assess.page.rules"), [*PRESETS, OWN], key="assess_rules",
                               format_func=lambda r: ctx.text(RULE_WORDS[r]), width=260)

rules_text, source = None, None
if rule_choice == OWN:
    with st.container(horizontal=True, vertical_alignment="bottom"):
        upload = st.file_uploader(ctx.t("assess.page.upload"), type=["toml"], key="assess_upload")
        widgets.download_button(ctx, ctx.t("assess.page.template"), lambda: preset_text(TEMPLATE).encode("utf-8"),
                                what="assess_template", fmt="toml", file_name="考核规则模板.toml",
                                mime="application/toml", key="assess_template")
    if upload is None:
        st.info(ctx.t("assess.page.upload_first"))
        st.stop()
    data, source = upload.getvalue(), upload.name
    try:
        parse_rules(data, source)          # refused here, with its line, before anything is computed
    except UserError as refused:
        widgets.show_user_error(refused, ctx.lang)
        st.stop()
    rules_text = data.decode("utf-8-sig")      # read above: UTF-8, at most MAX_RULE_BYTES
else:
    rules_text, source = preset_text(rule_choice), rule_choice

asked = st.session_state.setdefault("assess_asked", set())
request = (ctx.version, ctx.scope.digits, period.code, source, hash(rules_text))
if ctx.scope.level <= ON_REQUEST_UP_TO_LEVEL and request not in asked:
    st.info(ctx.t("assess.page.on_request", unit=ctx.name, period=output.period_label(period, ctx.lang)))
    # remembered by the click itself: the run it starts may be followed by another (the view state's own)
    st.button(ctx.t("assess.page.compute"), type="primary", key="assess_compute", on_click=asked.add, args=(request,))
    st.stop()

with st.spinner(ctx.t("assess.page.computing")):
    try:
        result = q_assess(ctx.store, ctx.version, ctx.scope.digits, period.code, rules_text, source, ctx.principal,
                          who)
    except UserError as refused:
        widgets.show_user_error(refused, ctx.lang)
        st.stop()
rules: RuleSet = result.rules
adv = result.advisers

# -- figures and downloads ----------------------------------------------------------------------------------------
cols = st.columns(4)
cols[0].metric(ctx.t("assess.page.advisers"), count(len(adv)))
cols[1].metric(ctx.t("assess.page.villages"), count(len(result.villages)))
cols[2].metric(ctx.t("assess.page.mean"), f"{adv['score'].mean():.1f}" if len(adv) else "—")
cols[3].metric(ctx.t("assess.page.warning"), count(len(result.warning)))
grades = adv["grade"].value_counts()
st.caption(ctx.t("assess.page.grades", sheet=rules.name, total=f"{rules.total:g}",
                 grades="；".join(f"{g.name} {count(int(grades.get(g.name, 0)))}" for g in rules.grades)))

stem = f"{ctx.text('page.assess')}_{ctx.name}_{period.code}"
detail = {"period": period.code, "rules": source}
with st.container(horizontal=True):
    for fmt, label in (("xlsx", "assess.page.dl_xlsx"), ("docx", "assess.page.dl_docx"),
                       ("pdf", "assess.page.dl_pdf"), ("json", "assess.page.dl_json")):
        widgets.download_button(ctx, ctx.t(label), lambda fmt=fmt: output.assessment_bytes(result, fmt, ctx.lang),
                                what="assessment", fmt=fmt, file_name=f"{stem}.{fmt}", mime=output.MIME[fmt],
                                key=f"assess_dl_{fmt}", detail=detail, primary=fmt == "xlsx")

if adv.empty:
    st.info(ctx.t("assess.page.none"))
    st.stop()

def advisers_tab() -> None:
    part = widgets.paged(ctx, len(adv), f"assess_page_{ctx.scope.digits}_{period.code}")
    table = output.adviser_table(result, ctx.lang, part)
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 520))
    widgets.page_caption(ctx, part, len(adv))
    st.subheader(ctx.t("assess.page.trace"))
    people = result.by_county.iloc[part]
    labels = {int(r.adviser_id): f"{r.name} · {r.township_name} · {r.score:g}" for r in people.itertuples()}
    chosen = st.selectbox(ctx.t("assess.page.pick"), list(labels), format_func=labels.get)
    if chosen is not None:
        st.caption(ctx.t("assess.page.trace_note"))
        st.dataframe(output.detail_table(result, chosen, ctx.lang), hide_index=True, width="stretch")


def lists_tab() -> None:
    left, right = st.columns(2, gap="large")
    shown_cols = ["name", "org", "township_name", "onsite_hours", "months_on_site", "lectures", "score", "grade"]
    names = {c: ctx.text(k) for c, k in (("name", "assess.col.name"), ("org", "assess.col.org"),
                                         ("township_name", "assess.col.township"),
                                         ("onsite_hours", "assess.col.onsite_hours"),
                                         ("months_on_site", "assess.col.months_on_site"),
                                         ("lectures", "assess.col.lectures"), ("score", "assess.col.score"),
                                         ("grade", "assess.col.grade"))}
    with left:
        st.markdown(f"**{ctx.t('assess.doc.h.best')}**")
        st.dataframe(result.best[shown_cols].rename(columns=names), hide_index=True, width="stretch")
    with right:
        st.markdown(f"**{ctx.t('assess.doc.h.warning')}**")
        if result.warning.empty:
            st.info(ctx.t("assess.doc.warning_none"))
        else:
            st.dataframe(result.warning[shown_cols].rename(columns=names), hide_index=True, width="stretch")


def units_tab() -> None:
    for units, key in ((result.counties, "assess.sheet.counties"), (result.townships, "assess.sheet.townships")):
        if len(units) > (1 if key == "assess.sheet.counties" else 0):
            st.markdown(f"**{ctx.t(key)}**")
            st.dataframe(output.unit_ranking_table(units, result, ctx.lang), hide_index=True, width="stretch")


def villages_tab() -> None:
    vpart = widgets.paged(ctx, len(result.villages), f"assess_vpage_{ctx.scope.digits}_{period.code}")
    st.dataframe(output.village_table(result, ctx.lang, vpart), hide_index=True, width="stretch")
    widgets.page_caption(ctx, vpart, len(result.villages))


def stats_tab() -> None:
    stats = q_stats(ctx.store, ctx.version, ctx.scope.digits, period.code, ctx.principal, who)
    st.caption(ctx.t("assess.page.stats_note", period=output.period_label(period, ctx.lang)))
    shown = stats.table.drop(columns=["kind"]).rename(
        columns={"code": ctx.text("assess.stat.code"), "name": ctx.text("assess.stat.unit"),
                 **{c: ctx.text(k) for c, k in output.STAT_KEYS.items()}})
    st.dataframe(pd.DataFrame(shown), hide_index=True, width="stretch")
    stats_stem = f"{ctx.text('assess.stat.sheet')}_{ctx.name}_{period.code}"
    with st.container(horizontal=True):
        for fmt, label in (("xlsx", "assess.page.dl_stats_xlsx"), ("json", "assess.page.dl_stats_json")):
            widgets.download_button(ctx, ctx.t(label), lambda fmt=fmt: output.stats_bytes(stats, fmt, ctx.lang),
                                    what="statistics", fmt=fmt, file_name=f"{stats_stem}.{fmt}",
                                    mime=output.MIME[fmt], key=f"assess_stats_{fmt}", detail={"period": period.code})


TABS = (("assess.page.tab.advisers", advisers_tab), ("assess.page.tab.lists", lists_tab),
        ("assess.page.tab.units", units_tab), ("assess.page.tab.villages", villages_tab),
        ("assess.page.tab.stats", stats_tab))
# only the open tab runs: the statistics sent upward are a query of their own (about 10 s nationally)
shown_tabs = st.tabs([ctx.text(key) for key, _ in TABS], key="assess_tabs", on_change="rerun")
for tab, (_, draw) in zip(shown_tabs, TABS):
    if tab.open:
        with tab:
            draw()
