"""An assessment and the statistics sent upward written out: the score sheet as .xlsx (a summary and a detail
sheet per adviser), the 通报 as a :class:`geo.briefing.document.Document` (Word and PDF by the briefing's writers
and fonts), JSON for scripts, and the statistics as the provincial form (.xlsx) or JSON.

Text from the store and from a rule file is data: cleaned of control characters, inert in a spreadsheet (every
string a text cell, never a formula) and in a document (:func:`geo.briefing.document.cell`).  What a download
or a written file was goes into the audit trail through :func:`record_output`.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from geo.assess.period import MONTH, QUARTER, Period, month_bounds
from geo.assess.sheet import CATEGORY_KEYS, Assessment, indicator_label, indicator_rule
from geo.assess.stats import COLUMNS as STAT_COLUMNS
from geo.assess.stats import COUNTY, TOWNSHIP, UpwardStats
from geo.auth import audit
from geo.auth.access import Principal
from geo.briefing import FORMATS
from geo.briefing.document import Block, Document, Heading, Paragraph, Table, cell, clean, default_issuer, long_date
from geo.core.errors import UserError
from geo.outputs.export import to_xlsx_book
from geo.store import Store
from geo.text.catalogue import t
from geo.text.formats import count, mapped_per_text

#: per-adviser detail sheets are written up to this many advisers (a county's); beyond, the summary only
MAX_DETAIL_SHEETS = 300
#: the 通报's appendix lists at most this many advisers (the spreadsheet has them all)
APPENDIX_ROWS = 200
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "json": "application/json",
        **{k: f.mime for k, f in FORMATS.items()}}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")


class AssessFormatError(UserError, ValueError):
    """An output file whose extension is not one of the assessment's."""


def period_label(period: Period, lang: str = "zh") -> str:
    if period.kind == MONTH:
        return t("assess.period.month", lang, y=period.year, m=period.number)
    if period.kind == QUARTER:
        return t("assess.period.quarter", lang, y=period.year, q="一二三四"[period.number - 1] if lang == "zh"
                 else period.number)
    return t("assess.period.year", lang, y=period.year)


def _hours(value: float) -> str:
    return f"{value:g}"


def _score(value: float) -> str:
    """A score as a document prints it: one decimal at most (86.67 -> 86.7, 100.0 -> 100)."""
    return f"{round(float(value), 1):g}"


# -- the score sheet ------------------------------------------------------------------------------------------
def adviser_table(a: Assessment, lang: str = "zh", part: slice | None = None) -> pd.DataFrame:
    """The summary: one row per adviser, ranked within the county, each indicator's points and units met.
    `part`: only these rows of it (a page of the table on screen; a national sheet has 200,000)."""
    rows = a.by_county
    if part is not None:
        rows = rows.iloc[part]
    out = pd.DataFrame({t("assess.col.rank_county", lang): rows["rank_county"],
                        t("assess.col.rank_township", lang): rows["rank_township"],
                        t("assess.col.name", lang): rows["name"], t("assess.col.org", lang): rows["org"],
                        t("assess.col.licence", lang): rows["licence_no"],
                        t("assess.col.county", lang): rows["county_name"],
                        t("assess.col.township", lang): rows["township_name"]})
    out = pd.concat([out, _figure_columns(rows, lang), _indicator_columns(a, rows, lang)], axis=1)
    out[t("assess.col.score", lang)] = rows["score"]
    out[t("assess.col.grade", lang)] = rows["grade"]
    if a.rules.pays:
        out[t("assess.col.payment", lang)] = rows["payment"]
    return neutralized(out).reset_index(drop=True)


def village_table(a: Assessment, lang: str = "zh", part: slice | None = None) -> pd.DataFrame:
    """One row per village held in the period, by county, township and code; `part` as :func:`adviser_table`."""
    rows = a.villages_by_place
    if part is not None:
        rows = rows.iloc[part]
    out = pd.DataFrame({t("assess.col.code", lang): rows["code"], t("assess.col.village", lang): rows["name"],
                        t("assess.col.county", lang): rows["county_name"],
                        t("assess.col.township", lang): rows["township_name"],
                        t("assess.col.advisers", lang): rows["advisers"]})
    out = pd.concat([out, _figure_columns(rows, lang, villages=False), _indicator_columns(a, rows, lang)], axis=1)
    out[t("assess.col.score", lang)] = rows["score"]
    out[t("assess.col.grade", lang)] = rows["grade"]
    out[t("assess.col.rank_township", lang)] = rows["rank_township"]
    return neutralized(out).reset_index(drop=True)


def neutralize_text(value: object) -> object:
    """A cell from stored text: one line, no control characters (the xlsx writer keeps it a text cell)."""
    return clean(value) if isinstance(value, str) else value


def neutralized(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with :func:`neutralize_text` applied to every text cell, each distinct text once and numbers left
    alone: cell by cell, a national village sheet (600,000 rows of a few thousand names) took 45 s."""
    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if isinstance(column.dtype, pd.CategoricalDtype):        # grades: names from the county's rule file
            column = column.astype(object)
        elif not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            continue
        cleaned = mapped_per_text(column, neutralize_text)
        if cleaned is not None:
            out.isetitem(i, cleaned)
    return out


FIGURE_KEYS = {"villages": "assess.col.villages", "months_served": "assess.col.months_served",
               "onsite_hours": "assess.col.onsite_hours", "months_on_site": "assess.col.months_on_site",
               "records": "assess.col.records", "lectures": "assess.col.lectures",
               "mediations": "assess.col.mediations", "people": "assess.col.people"}


def _figure_columns(rows: pd.DataFrame, lang: str, villages: bool = True) -> pd.DataFrame:
    keys = {k: v for k, v in FIGURE_KEYS.items() if villages or k != "villages"}
    return pd.DataFrame({t(key, lang): rows[col] for col, key in keys.items()}, index=rows.index)


def _indicator_columns(a: Assessment, rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    cols: dict[str, pd.Series] = {}
    for i, ind in enumerate(a.rules.indicators):
        label = clean(indicator_label(ind, lang))
        value, target = rows[f"ind{i}_value"].astype(int), rows[f"ind{i}_target"].astype(int)
        cols[t("assess.col.units", lang, label=label)] = [f"{v}/{g}" for v, g in zip(value, target)]
        cols[t("assess.col.points", lang, label=label)] = rows[f"ind{i}_points"]
    return pd.DataFrame(cols, index=rows.index)


def unit_ranking_table(units: pd.DataFrame, a: Assessment, lang: str = "zh") -> pd.DataFrame:
    out = pd.DataFrame({t("assess.col.rank", lang): units["rank"], t("assess.col.unit", lang): units["name"],
                        t("assess.col.advisers_n", lang): units["advisers"],
                        t("assess.col.mean_score", lang): units["mean_score"],
                        t("assess.col.min_score", lang): units["min_score"]})
    for i, grade in enumerate(a.rules.grades):
        out[clean(grade.name)] = units[f"grade_{i}"]
    return neutralized(out)


def detail_table(a: Assessment, adviser_id: int, lang: str = "zh") -> pd.DataFrame:
    """The months and records behind one adviser's figures: each indicator's units (met or not, with the hours
    or records counted), then the records per month, village, mode and class."""
    trace = a.trace(adviser_id, lang)
    names = dict(zip(a.villages["code"], a.villages["name"]))
    units = pd.DataFrame({t("assess.col.item", lang): trace["indicator"].map(clean),
                          t("assess.col.when", lang): trace["unit"],
                          t("assess.col.village", lang): "",
                          t("assess.col.mode", lang): "", t("assess.col.category", lang): "",
                          t("assess.col.amount", lang): trace["amount"],
                          t("assess.col.hours", lang): float("nan"), t("assess.col.people", lang): float("nan"),
                          t("assess.col.met", lang): trace["met"].map({True: t("yes", lang), False: t("no", lang)})})
    rec = a.records_of(adviser_id)
    records = pd.DataFrame({t("assess.col.item", lang): t("assess.col.service_records", lang),
                            t("assess.col.when", lang): rec["month"].map(lambda m: f"{m // 100}-{m % 100:02d}"),
                            t("assess.col.village", lang): rec["village"].map(
                                lambda v: names.get(f"{int(v):012d}", f"{int(v):012d}")),
                            t("assess.col.mode", lang): rec["mode"].map(
                                lambda m: t(MODE_KEYS.get(m, MODE_KEYS["other"]), lang)),
                            t("assess.col.category", lang): rec["cls"].map(lambda c: t(CATEGORY_KEYS[c], lang)),
                            t("assess.col.amount", lang): rec["records"], t("assess.col.hours", lang): rec["hours"],
                            t("assess.col.people", lang): rec["people"], t("assess.col.met", lang): ""})
    return neutralized(pd.concat([units, records], ignore_index=True))


MODE_KEYS = {"onsite": "svc.mode.onsite", "remote": "svc.mode.remote", "other": "svc.mode.other"}


def _sheet_name(n: int, name: str) -> str:
    return f"{n} {_SHEET_FORBIDDEN.sub('', clean(name))}".strip()[:31]


def score_sheet_xlsx(a: Assessment, lang: str = "zh") -> bytes:
    """The score sheet: advisers, villages, the county and township rankings, then one sheet per adviser (up to
    :data:`MAX_DETAIL_SHEETS` advisers) with the months and records behind the figures."""
    sheets = [(t("assess.sheet.advisers", lang), adviser_table(a, lang)),
              (t("assess.sheet.villages", lang), village_table(a, lang)),
              (t("assess.sheet.counties", lang), unit_ranking_table(a.counties, a, lang)),
              (t("assess.sheet.townships", lang), unit_ranking_table(a.townships, a, lang)),
              (t("assess.sheet.rules", lang), rules_table(a, lang))]
    if len(a.advisers) <= MAX_DETAIL_SHEETS:
        ordered = a.by_county
        for n, row in enumerate(ordered.itertuples(index=False), start=1):
            sheets.append((_sheet_name(n, row.name), detail_table(a, int(row.adviser_id), lang)))
    return to_xlsx_book(sheets, text_columns=0)


def rules_table(a: Assessment, lang: str = "zh") -> pd.DataFrame:
    rows = [(clean(indicator_label(ind, lang)), ind.points, indicator_rule(ind, lang)) for ind in a.rules.indicators]
    grades = [(t("assess.col.grade", lang) + " " + clean(g.name), g.min,
               t("assess.rule.grade", lang, min=f"{g.min:g}") + (
                   t("assess.rule.payment", lang, pay=f"{g.payment_per_village:,.0f}")
                   if g.payment_per_village is not None else ""))
              for g in a.rules.grades]
    return neutralized(pd.DataFrame(rows + grades, columns=[t("assess.col.item", lang),
                                                            t("assess.col.points_max", lang),
                                                            t("assess.col.standard", lang)]))


# -- JSON -----------------------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def assessment_json(a: Assessment, lang: str = "zh") -> dict[str, Any]:
    """``{"advisers": [...], "villages": [...], "rules": {...}}``: each row's figures, its indicators (value,
    target, points and the units behind them), score, grade and payment."""
    labels = [indicator_label(ind, lang) for ind in a.rules.indicators]
    units = a.adviser_units
    behind: dict[int, dict[int, dict[str, list[str]]]] = {}
    for ind, subject, unit, met in zip(units["indicator"].tolist(), units["subject"].tolist(),
                                       units["unit"].tolist(), units["met"].tolist()):
        entry = behind.setdefault(subject, {}).setdefault(ind, {"met": [], "missed": []})
        entry["met" if met else "missed"].append(unit)

    def indicators(row: dict, subject: int | None) -> list[dict]:
        return [{"kind": ind.kind, "label": labels[i], "value": _plain(row[f"ind{i}_value"]),
                 "target": _plain(row[f"ind{i}_target"]), "points": _plain(row[f"ind{i}_points"]),
                 **(behind.get(subject, {}).get(i, {"met": [], "missed": []}) if subject is not None else {})}
                for i, ind in enumerate(a.rules.indicators)]

    advisers = []
    for row in a.advisers.to_dict(orient="records"):
        advisers.append({"licence_no": row["licence_no"] or None, "name": row["name"], "org": row["org"],
                         "county": row["county_name"], "township": row["township_name"],
                         **{k: _plain(row[k]) for k in ("villages", "months_served", "onsite_hours",
                                                        "months_on_site", "records", "onsite_records",
                                                        "remote_records", "lectures", "mediations", "people",
                                                        "score", "rank_county", "rank_township")},
                         "grade": row["grade"], "payment": _plain(row["payment"]),
                         "indicators": indicators(row, int(row["adviser_id"]))})
    villages = []
    for row in a.villages.to_dict(orient="records"):
        villages.append({"code": row["code"], "name": row["name"], "county": row["county_name"],
                         "township": row["township_name"], "advisers": row["advisers"],
                         **{k: _plain(row[k]) for k in ("months_served", "onsite_hours", "months_on_site", "records",
                                                        "lectures", "mediations", "people", "score")},
                         "grade": row["grade"], "payment": _plain(row["payment"]),
                         "indicators": indicators(row, None)})
    return {"scope": a.scope.code, "name": a.name, "period": a.period.code, "start": a.period.start.isoformat(),
            "end": a.period.end.isoformat(), "advisers": advisers, "villages": villages,
            "rules": a.rules.to_json(),
            "counties": [{k: _plain(v) for k, v in r.items()} for r in a.counties.to_dict(orient="records")],
            "townships": [{k: _plain(v) for k, v in r.items()} for r in a.townships.to_dict(orient="records")]}


def json_bytes(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


# -- the 通报 -------------------------------------------------------------------------------------------------
def _numbered(n: int, text: str, lang: str) -> Heading:
    return Heading(t("brief.heading", lang, n="一二三四五六七八九十"[n - 1] if lang == "zh" else n, text=text))


def _shortfalls(a: Assessment, row: Any, lang: str) -> str:
    """The indicators an adviser lost points on, with the units met: "到村服务时长 1/3"."""
    parts = []
    for i, ind in enumerate(a.rules.indicators):
        if getattr(row, f"ind{i}_points") >= ind.points - 1e-9:
            continue
        label, value = clean(indicator_label(ind, lang)), int(getattr(row, f"ind{i}_value"))
        parts.append(t("assess.doc.short_penalty", lang, label=label, value=value) if ind.penalty else
                     t("assess.doc.short", lang, label=label, value=value, target=int(getattr(row, f"ind{i}_target"))))
    return t("assess.doc.join", lang).join(parts)


def _people_table(a: Assessment, rows: pd.DataFrame, lang: str, with_problems: bool = False) -> Table:
    header = (t("assess.col.no", lang), t("assess.col.name", lang), t("assess.col.org", lang),
              t("assess.col.township", lang), t("assess.col.villages", lang), t("assess.col.onsite_hours", lang),
              t("assess.col.months_on_site", lang), t("assess.col.lectures", lang), t("assess.col.score", lang),
              t("assess.col.grade", lang))
    body = []
    for n, r in enumerate(rows.itertuples(index=False), start=1):
        line = (str(n), cell(r.name), cell(r.org), cell(r.township_name), count(int(r.villages)),
                _hours(r.onsite_hours), f"{int(r.months_on_site)}/{int(r.months_served)}", count(int(r.lectures)),
                _score(r.score), cell(r.grade))
        body.append(line + ((cell(_shortfalls(a, r, lang)),) if with_problems else ()))
    if with_problems:
        header += (t("assess.col.problems", lang),)
        widths: tuple[float, ...] = (0.7, 1.4, 2.6, 1.7, 1.0, 1.2, 1.1, 1.0, 1.1, 1.3, 4.4)
    else:
        widths = (0.8, 1.8, 3.6, 2.2, 1.2, 1.4, 1.4, 1.2, 1.2, 1.2)
    return Table(header, tuple(body), widths, numeric=frozenset({0, 4, 5, 6, 7, 8}))


def _rules_block(a: Assessment, lang: str) -> Table:
    rows = tuple((cell(indicator_label(ind, lang)), f"{ind.points:g}", cell(indicator_rule(ind, lang)))
                 for ind in a.rules.indicators)
    return Table((t("assess.col.item", lang), t("assess.col.points_max", lang), t("assess.col.standard", lang)),
                 rows, (3, 1.2, 8), numeric=frozenset({1}))


def _grades_sentence(a: Assessment, lang: str) -> str:
    counts = a.advisers["grade"].value_counts()
    parts = [t("assess.doc.grade_count", lang, grade=clean(g.name), n=count(int(counts.get(g.name, 0))))
             for g in a.rules.grades]
    return t("assess.doc.join", lang).join(parts)


def _units_block(a: Assessment, lang: str) -> list[Block]:
    by_county = a.scope.level < 3 and len(a.counties) > 1
    units = a.counties if by_county else a.townships
    if units.empty:
        return []
    unit_word = t("assess.doc.unit_county" if by_county else "assess.doc.unit_township", lang)
    header = (t("assess.col.rank", lang), unit_word, t("assess.col.advisers_n", lang),
              t("assess.col.mean_score", lang), t("assess.col.min_score", lang),
              *(cell(g.name) for g in a.rules.grades))
    rows = tuple((str(int(r["rank"])), cell(r["name"]), count(int(r["advisers"])), _score(r["mean_score"]),
                  _score(r["min_score"]), *(count(int(r[f"grade_{i}"])) for i in range(len(a.rules.grades))))
                 for r in units.to_dict(orient="records"))
    last = frozenset({len(rows) - 1}) if len(rows) > 1 else frozenset()
    return [Paragraph(t("assess.doc.units_intro", lang, unit=unit_word)),
            Table(header, rows, (1, 3, 1.4, 1.4, 1.4, *(1.2,) * len(a.rules.grades)), last,
                  numeric=frozenset(range(0, 5 + len(a.rules.grades))) - {1})]


def notice_document(a: Assessment, lang: str = "zh", *, issuer: str | None = None,
                    generated: dt.date | None = None) -> Document:
    """The 通报: how the assessment was made, the figures, the best and warning lists with the figures behind
    them, the ranking of townships (or counties), what is asked of the units, and every adviser in an appendix."""
    name = clean(a.name)
    period = period_label(a.period, lang)
    adv = a.advisers
    first, last = month_bounds(a.period.months[0])[0], month_bounds(a.period.months[-1])[1]
    mean = f"{adv['score'].mean():.1f}" if len(adv) else "0"
    blocks: list[Block] = [Paragraph(t("assess.doc.lead", lang, name=name, period=period,
                                       sheet=clean(a.rules.name)))]
    sections: list[tuple[str, list[Block]]] = []
    if adv.empty:
        sections.append((t("assess.doc.h.overview", lang), [Paragraph(t("assess.doc.none", lang))]))
    else:
        overview = t("assess.doc.overview", lang, advisers=count(len(adv)), villages=count(len(a.villages)),
                     mean=mean, grades=_grades_sentence(a, lang),
                     hours=_hours(round(float(adv["onsite_hours"].sum()), 1)),
                     records=count(int(adv["records"].sum())), lectures=count(int(adv["lectures"].sum())),
                     mediations=count(int(adv["mediations"].sum())))
        sections.append((t("assess.doc.h.overview", lang), [Paragraph(overview)]))
        sections.append((t("assess.doc.h.rules", lang), [Paragraph(t("assess.doc.rules_intro", lang)),
                                                          _rules_block(a, lang)]))
        best = a.best
        sections.append((t("assess.doc.h.best", lang),
                         [Paragraph(t("assess.doc.best_intro", lang, n=count(len(best)))),
                          _people_table(a, best, lang)]))
        warning = a.warning
        warn_blocks: list[Block] = ([Paragraph(t("assess.doc.warning_intro", lang, n=count(len(warning)))),
                                     _people_table(a, warning, lang, with_problems=True)]
                                    if len(warning) else [Paragraph(t("assess.doc.warning_none", lang))])
        sections.append((t("assess.doc.h.warning", lang), warn_blocks))
        units = _units_block(a, lang)
        if units:
            sections.append((t("assess.doc.h.units", lang), units))
        sections.append((t("assess.doc.h.asks", lang), [Paragraph(t("assess.doc.asks", lang))]))
    for n, (title, body) in enumerate(sections, start=1):
        blocks += [_numbered(n, title, lang), *body]
    if not adv.empty:
        shown = a.by_county.head(APPENDIX_ROWS)
        blocks += [Heading(t("assess.doc.h.appendix", lang))]
        if len(adv) > APPENDIX_ROWS:
            blocks.append(Paragraph(t("assess.doc.appendix_cut", lang, shown=count(APPENDIX_ROWS),
                                      total=count(len(adv))), small=True))
        blocks.append(_people_table(a, shown, lang))
    blocks += [Heading(t("assess.doc.h.note", lang)),
               Paragraph(t("assess.doc.note", lang, start=long_date(first, lang), end=long_date(last, lang)),
                         small=True)]
    issuer = clean(issuer) if issuer and clean(issuer).strip() else default_issuer(name, a.scope.level, lang)
    return Document(title=t("assess.doc.title", lang, name=name, period=period),
                    subtitle=t("assess.doc.subtitle", lang, start=long_date(first, lang), end=long_date(last, lang)),
                    byline=(t("brief.issuer", lang, issuer=issuer),
                            t("brief.generated", lang, date=long_date(generated or dt.date.today(), lang))),
                    blocks=tuple(blocks), lang=lang, page_label=t("brief.page", lang, n="{n}"))


# -- the statistics sent upward -------------------------------------------------------------------------------
STAT_KEYS = {"villages": "assess.stat.villages", "covered": "assess.stat.covered", "advisers": "assess.stat.advisers",
             "records": "assess.stat.records", "mode_onsite": "svc.mode.onsite", "mode_remote": "svc.mode.remote",
             "mode_other": "assess.stat.mode_other", "onsite_hours": "assess.stat.onsite_hours",
             **{f"cat_{c}": k for c, k in CATEGORY_KEYS.items() if c != "all"}, "people": "assess.stat.people"}
#: the column groups of the form's first header row: (catalogue key, columns)
STAT_GROUPS = (("assess.stat.g.basic", ("villages", "covered", "advisers")),
               ("assess.stat.g.mode", ("records", "mode_onsite", "mode_remote", "mode_other", "onsite_hours")),
               ("assess.stat.g.category", tuple(k for k in STAT_COLUMNS if k.startswith("cat_"))),
               ("assess.stat.g.people", ("people",)))


def stats_xlsx(s: UpwardStats, lang: str = "zh", *, generated: dt.date | None = None) -> bytes:
    """The statistics as the provincial form: a title, the unit and period, a two-row header (groups, then
    columns), the total first, then each county and its townships (indented); every text a text cell."""
    import xlsxwriter  # imported here: start-up time

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    ws = book.add_worksheet(t("assess.stat.sheet", lang))
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                            "bg_color": "#E8EEF4"})
    text = book.add_format({"border": 1})
    indent = book.add_format({"border": 1, "indent": 1})
    number = book.add_format({"border": 1, "num_format": "#,##0"})
    hours = book.add_format({"border": 1, "num_format": "#,##0.0"})
    bold_text = book.add_format({"border": 1, "bold": True})
    width = 2 + len(STAT_COLUMNS)
    ws.merge_range(0, 0, 0, width - 1, clean(t("assess.stat.title", lang, name=s.name,
                                                 period=period_label(s.period, lang))), title)
    ws.set_row(0, 30)
    ws.write_string(1, 0, clean(t("assess.stat.filer", lang, name=s.name)))
    ws.write_string(1, width - 4, clean(t("assess.stat.period", lang, start=s.period.start.isoformat(),
                                           end=s.period.end.isoformat())))
    ws.merge_range(2, 0, 3, 0, t("assess.stat.code", lang), head)
    ws.merge_range(2, 1, 3, 1, t("assess.stat.unit", lang), head)
    col = 2
    for key, cols in STAT_GROUPS:
        if len(cols) > 1:
            ws.merge_range(2, col, 2, col + len(cols) - 1, t(key, lang), head)
        else:
            ws.write_string(2, col, t(key, lang), head)
        for c in cols:
            ws.write_string(3, col, t(STAT_KEYS[c], lang), head)
            col += 1
    ws.set_row(3, 32)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 22)
    ws.set_column(2, width - 1, 9)
    for i, row in enumerate(s.table.to_dict(orient="records"), start=4):
        ws.write_string(i, 0, row["code"], text)
        label = clean(row["name"]) if row["kind"] != "total" else t("assess.stat.total", lang, name=clean(row["name"]))
        ws.write_string(i, 1, label, indent if row["kind"] == TOWNSHIP else
                        bold_text if row["kind"] != COUNTY or len(s.table) <= 2 else text)
        for j, c in enumerate(STAT_COLUMNS, start=2):
            ws.write_number(i, j, float(row[c]), hours if c == "onsite_hours" else number)
    foot = 4 + len(s.table) + 1
    ws.write_string(foot, 0, clean(t("assess.stat.foot", lang, date=(generated or dt.date.today()).isoformat())))
    ws.freeze_panes(4, 2)
    book.close()
    return buf.getvalue()


# -- writing and auditing ---------------------------------------------------------------------------------------
ASSESS_SUFFIXES = {".xlsx": "xlsx", ".docx": "docx", ".pdf": "pdf", ".json": "json"}


def assessment_bytes(a: Assessment, fmt: str, lang: str = "zh", *, issuer: str | None = None) -> bytes:
    """The assessment as a file: ``xlsx`` (the score sheet), ``docx`` / ``pdf`` (the 通报), ``json``."""
    if fmt == "xlsx":
        return score_sheet_xlsx(a, lang)
    if fmt == "json":
        return json_bytes(assessment_json(a, lang))
    if fmt in FORMATS:
        return FORMATS[fmt].writer(notice_document(a, lang, issuer=issuer))
    raise AssessFormatError(key="assess.e.format", params={"ext": fmt})


def stats_bytes(s: UpwardStats, fmt: str, lang: str = "zh") -> bytes:
    if fmt == "xlsx":
        return stats_xlsx(s, lang)
    if fmt == "json":
        return json_bytes(s.to_json())
    raise AssessFormatError(key="assess.e.format", params={"ext": fmt})


def format_of(path: str | Path, allowed: tuple[str, ...]) -> str:
    fmt = ASSESS_SUFFIXES.get(Path(path).suffix.lower())
    if fmt is None or fmt not in allowed:
        raise AssessFormatError(key="assess.e.format", params={"ext": Path(path).suffix or str(path)})
    return fmt


def record_output(store: Store, principal: Principal, what: str, scope: Any, period: Period, fmt: str,
                  rules: str | None = None) -> None:
    """An assessment or statistics file written or downloaded, in the audit trail."""
    detail = {"what": what, "format": fmt, "as_of": period.end.isoformat(), "period": period.code}
    if rules is not None:
        detail["rules"] = rules
    audit.record(store, principal, "export", scope, detail)
