"""Phase 2 of the briefing: the figures written out as a document both writers render the same way.

A :class:`Document` is a title block and a list of blocks (headings, paragraphs, tables, images); all its words
come from the catalogue (:mod:`geo.text.catalogue`).  Text from the store (names, file names) is data: control
characters
are removed here (they are not valid XML in a .docx, and draw nothing in a PDF), and a table cell never starts
like a formula (:func:`geo.outputs.export.neutralize`), as in every export.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from geo.briefing.figures import BriefingFigures, RateThen
from geo.outputs.export import neutralize
from geo.text.catalogue import level_label, status_label, t, t_or
from geo.text.formats import contract_end, count, name_list, pct

#: characters XML 1.0 forbids (and the C1 controls, which no name means): removed from stored text
# control characters, and the bidirectional overrides and isolates that make a cell read backwards ("exe.png")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
                      "\ufffe\uffff]")
_LINE_BREAKS = re.compile("[\t\r\n\u2028\u2029]+")
#: how a Chinese unit's name ends -> the word after 全 ("全县", "全区", "全省" ...), longest ending first
WHOLE_UNIT_ENDINGS = (("自治区", "区"), ("自治州", "州"), ("自治县", "县"), ("自治旗", "旗"), ("特别行政区", "区"),
                      ("街道", "街道"), ("省", "省"), ("市", "市"), ("县", "县"), ("区", "区"), ("旗", "旗"),
                      ("州", "州"), ("盟", "盟"), ("镇", "镇"), ("乡", "乡"))
ZH_NUMERALS = "一二三四五六七八九十"


def clean(value: object) -> str:
    """Stored text fit for a document: one line, no control characters; everything else kept as it is."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", str(value)))


def cell(value: object) -> str:
    """A table cell from stored text: clean, and inert when pasted into a spreadsheet."""
    return neutralize(clean(value))


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    small: bool = False


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]                      # relative column widths
    marked: frozenset[int] = frozenset()           # rows shaded (the lowest ranked)
    numeric: frozenset[int] = frozenset()          # columns right-aligned


@dataclass(frozen=True)
class Image:
    png: bytes
    caption: str
    width_mm: float
    note: str = ""                                 # a line under the caption (a map's schematic note)


Block = Heading | Paragraph | Table | Image


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    byline: tuple[str, ...]
    blocks: tuple[Block, ...]
    lang: str
    page_label: str = field(default="")            # "— {n} —": the footer with the page number


def long_date(day: dt.date, lang: str) -> str:
    return t("brief.date", lang, y=day.year, m=day.month, d=day.day, iso=day.isoformat())


def whole_unit(name: str, level: int, lang: str) -> str:
    """"全县" / "全省" / "全国" for the headline (the scope's name in English)."""
    if level == 0:
        return t("level.0", lang)
    for ending, unit in WHOLE_UNIT_ENDINGS:
        if name.endswith(ending):
            return t("brief.whole", lang, unit=unit, name=name)
    return t("brief.whole", lang, unit=level_label(level, lang), name=name)


def default_issuer(name: str, level: int, lang: str) -> str:
    return t(f"brief.issuer.{min(level, 4)}", lang, name=name)


#: the catalogue's sentence for each direction of a change, and its word for each date it is measured against
CHANGE_KEYS = {"up": "brief.change.up", "down": "brief.change.down", "flat": "brief.change.flat"}
AGAINST_KEYS = {"month": "brief.against.month", "year": "brief.against.year"}


def points(now: float, then: RateThen | None, against: str, lang: str) -> str | None:
    """"较上月末上升1.4个百分点": the change in percentage points, rounded as the rates are shown."""
    if then is None:
        return None
    diff = round(now * 100, 1) - round(then.rate * 100, 1)
    direction = "flat" if abs(diff) < 0.05 else ("up" if diff > 0 else "down")
    return t(CHANGE_KEYS[direction], lang, against=t(AGAINST_KEYS[against], lang),
             points=f"{abs(diff):.1f}")


def headline(f: BriefingFigures, lang: str) -> str:
    c = f.counts
    if not c.has_data:      # nothing imported yet: no rate to state, not 0 %
        return t("brief.headline_no_data", lang, date=t("brief.month_day", lang, m=f.as_of.month, d=f.as_of.day,
                                                        iso=f.as_of.isoformat()),
                 whole=whole_unit(clean(f.name), f.level, lang), villages=count(c.villages))
    changes = [p for p in (points(c.coverage_rate, f.previous_month, "month", lang),
                           points(c.coverage_rate, f.year_ago, "year", lang)) if p]
    where = t("brief.where", lang, names=name_list([clean(n) for n in f.gap_units], lang)) if f.gap_units else ""
    text = t("brief.headline", lang, date=t("brief.month_day", lang, m=f.as_of.month, d=f.as_of.day,
                                             iso=f.as_of.isoformat()),
             whole=whole_unit(clean(f.name), f.level, lang), villages=count(c.villages), covered=count(c.covered),
             rate=pct(c.coverage_rate),
             changes=(t("brief.change.lead", lang) + t("brief.change.join", lang).join(changes)) if changes else "",
             expiring=count(c.expiring), lapsed=count(c.lapsed), never=count(c.never), where=where)
    return text


def _service_sentence(f: BriefingFigures, lang: str) -> str | None:
    if f.served is None or f.nominal is None:
        return None
    return t("brief.served", lang, window=f.service_window, served=count(f.served), rate=pct(f.served_rate or 0),
             nominal=count(f.nominal))


def _adviser_sentence(f: BriefingFigures, lang: str) -> str:
    over = t("brief.over_cap", lang, n=count(f.advisers_over_cap), cap=f.cap) if f.advisers_over_cap else ""
    return t("brief.advisers", lang, advisers=count(f.advisers), per=f"{f.per_adviser:.1f}", over=over)


def _no_data_sentence(f: BriefingFigures, lang: str) -> str | None:
    """The counties without data that the figures leave out (geo.core.coverage: no data is decided per county)."""
    if not f.counts.has_data or not f.counts.no_data_counties:
        return None
    return t("brief.left_out", lang, counties=count(f.counts.no_data_counties),
             villages=count(f.counts.no_data_villages))


def villagers_paragraph(f: BriefingFigures, lang: str) -> str | None:
    """What the villagers said in the service window: responses, satisfaction, reach, never-seen reports and the
    villages served on paper only (None: no response)."""
    rep = f.villagers
    if rep is None:
        return None
    tot = rep.totals
    mean = "—" if pd.isna(tot["satisfaction_mean"]) else f"{float(tot['satisfaction_mean']):.2f}"
    reached = "—" if pd.isna(tot["reached_share"]) else pct(float(tot["reached_share"]))
    return t("brief.villagers", lang, start=long_date(rep.period.start, lang), end=long_date(rep.period.end, lang),
             responses=count(int(tot["responses"])), mean=mean, reached=reached,
             never_seen=count(int(tot["never_seen"])), villages=count(int(tot["never_seen_villages"])),
             contradicted=count(len(rep.contradictions)))


def overview(f: BriefingFigures, lang: str) -> list[Block]:
    first = " ".join(s for s in (headline(f, lang), _service_sentence(f, lang)) if s) if lang == "en" else \
        "".join(s for s in (headline(f, lang), _service_sentence(f, lang)) if s)
    return [Paragraph(first), Paragraph(_adviser_sentence(f, lang))] + \
        [Paragraph(s) for s in (_no_data_sentence(f, lang), villagers_paragraph(f, lang)) if s]


def key_figures(f: BriefingFigures, lang: str) -> Table:
    c = f.counts
    rows = [(t("metric.villages", lang), count(c.villages)), (t("metric.covered", lang), count(c.covered)),
            (t("metric.rate", lang), pct(c.coverage_rate)),
            (t("metric.expiring", lang, days=f.expiring_days), count(c.expiring)),
            (t("metric.lapsed", lang), count(c.lapsed)), (t("metric.never", lang), count(c.never)),
            (t("metric.advisers", lang), count(f.advisers)), (t("metric.per_adviser", lang), f"{f.per_adviser:.1f}")]
    optional = [("brief.fig.over_cap", f.advisers_over_cap, count), ("brief.fig.served", f.served, count),
                ("brief.fig.served_rate", f.served_rate, pct), ("brief.fig.nominal", f.nominal, count)]
    rows += [(t(key, lang, cap=f.cap), shown(value)) for key, value, shown in optional if value is not None]
    return Table((t("brief.col.figure", lang), t("brief.col.value", lang)), tuple(rows), (3, 2),
                 numeric=frozenset({1}))


RANKING_COLUMNS = ("rank", "name", "coverage_rate", "villages", "lapsed", "never", "expiring")


def ranking_blocks(f: BriefingFigures, lang: str) -> list[Block]:
    r, unit = f.ranking, level_label(f.child_level, lang)
    worst = list(r.worst["name"])
    note = (t("brief.ranking_note", lang, n=len(worst), unit=unit, names=name_list([clean(n) for n in worst], lang))
            if worst else t("brief.ranking_plain", lang, unit=unit))
    rows = tuple((str(int(x.rank)), cell(x.name), pct(x.coverage_rate), count(x.villages), count(x.lapsed),
                  count(x.never), count(x.expiring)) for x in r.ranked.itertuples(index=False))
    marked = frozenset(i for i, code in enumerate(r.ranked["code"]) if code in set(r.worst["code"]))
    table = Table(tuple(t(f"col.{c}", lang) for c in RANKING_COLUMNS), rows, (1, 4, 2, 2, 2, 2, 2), marked,
                  numeric=frozenset({0, 2, 3, 4, 5, 6}))
    blocks: list[Block] = [Paragraph(note), table] if rows else [Paragraph(note)]
    if len(r.no_data):
        blocks.append(Paragraph(t("brief.ranking_no_data", lang, unit=unit,
                                  names=name_list([clean(n) for n in r.no_data["name"]], lang, shown=30)),
                                small=True))
    return blocks


def appendix_table(f: BriefingFigures, lang: str) -> Table:
    a = f.appendix
    with_county = f.level < 3
    header = ((t("col.county", lang),) if with_county else ()) + (
        t("col.township", lang), t("col.village", lang), t("col.status", lang), t("brief.col.last_adviser", lang),
        t("brief.col.ended", lang))
    rows = tuple(((cell(x.county),) if with_county else ()) + (
        cell(x.township), cell(x.name), status_label(x.status, lang), cell(x.advisers),
        contract_end(x.contract_end, lang) if isinstance(x.advisers, str) else "")
        for x in a.itertuples(index=False))
    widths = ((2,) if with_county else ()) + (2.5, 3, 2, 2.5, 2)
    return Table(header, rows, widths)


def appendix_blocks(f: BriefingFigures, lang: str) -> list[Block]:
    if not f.counts.has_data:
        return [Paragraph(t("brief.appendix_no_data", lang))]
    if not f.appendix_total:
        return [Paragraph(t("brief.appendix_none", lang))]
    blocks: list[Block] = [Paragraph(t("brief.appendix_intro", lang, total=count(f.appendix_total)))]
    if f.appendix_cut:
        blocks.append(Paragraph(t("brief.appendix_cut", lang, shown=count(len(f.appendix))), small=True))
    return blocks + [appendix_table(f, lang)]


def _kind(kind: str, lang: str) -> str:
    return t_or(f"imp.kind.{kind}", lang, clean(kind))


def note_blocks(f: BriefingFigures, lang: str) -> list[Block]:
    b = f.batches
    rows = tuple((str(int(x.batch_id)), _kind(x.kind, lang), cell(x.file_name),
                  pd.Timestamp(x.created_at).strftime("%Y-%m-%d") if pd.notna(x.created_at) else "",
                  count(x.rows_accepted or 0)) for x in b.itertuples(index=False))
    header = tuple(t(f"imp.h.{k}", lang) for k in ("batch", "kind", "file", "time", "accepted"))
    blocks: list[Block] = [Paragraph(t("brief.note.batches", lang), small=True),
                           Table(header, rows, (1, 2.5, 5, 2, 1.6), numeric=frozenset({0, 4}))]
    blocks.append(Paragraph(t("brief.note.rules", lang, days=f.expiring_days, cap=f.cap, window=f.service_window),
                            small=True))
    if f.served is None:
        blocks.append(Paragraph(t("brief.note.no_services", lang), small=True))
    return blocks


def numbered(n: int, text: str, lang: str) -> Heading:
    return Heading(t("brief.heading", lang, n=ZH_NUMERALS[n - 1] if lang == "zh" else n, text=text))


def compose(f: BriefingFigures, lang: str, *, map_png: bytes | None, trend_png: bytes | None,
            issuer: str | None = None, generated: dt.date | None = None, map_note: str | None = None) -> Document:
    """The whole briefing; `map_png` / `trend_png` are the charts (None: left out, with a line saying why);
    `map_note` replaces the configured schematic note of a national or provincial map."""
    name = clean(f.name) if f.level else t("level.0", lang)
    unit = level_label(f.child_level, lang) if f.child_level else ""
    sections: list[tuple[str, list[Block]]] = [
        (t("brief.h.overview", lang), overview(f, lang)),
        (t("brief.h.figures", lang), [key_figures(f, lang)]),
        (t("brief.h.map", lang), _map_blocks(f, lang, map_png, name, unit, map_note)),
    ]
    if f.ranking is not None:
        sections.append((t("brief.h.ranking", lang, unit=unit), ranking_blocks(f, lang)))
    sections.append((t("brief.h.trend", lang),
                     [Image(trend_png, t("brief.trend_caption", lang, name=name), 150)] if trend_png
                     else [Paragraph(t("brief.trend_no_data", lang))]))
    blocks: list[Block] = []
    for n, (title, body) in enumerate(sections, start=1):
        blocks += [numbered(n, title, lang), *body]
    blocks += [Heading(t("brief.h.appendix", lang)), *appendix_blocks(f, lang),
               Heading(t("brief.h.note", lang)), *note_blocks(f, lang)]
    issuer = clean(issuer) if issuer and clean(issuer).strip() else default_issuer(name, f.level, lang)
    return Document(
        title=t("brief.title", lang, name=name), subtitle=t("brief.as_of", lang, date=long_date(f.as_of, lang)),
        byline=(t("brief.issuer", lang, issuer=issuer),
                t("brief.generated", lang, date=long_date(generated or dt.date.today(), lang))),
        blocks=tuple(blocks), lang=lang, page_label=t("brief.page", lang, n="{n}"))


#: the setting (environment, or the app's secrets passed on) that replaces the schematic note, by language
MAP_NOTE_SETTINGS = {"zh": "VILLAGE_COVERAGE_MAP_NOTE", "en": "VILLAGE_COVERAGE_MAP_NOTE_EN"}
#: the map of the country and of a province carry the note: their outlines are drawn simplified, at a scale
#: where a boundary line can be read as a claim
NOTED_LEVELS = (0, 1)


def map_note(lang: str, settings: Mapping[str, str] | None = None) -> str:
    """The note under the national and provincial maps: the setting's text when it is set (`settings`: the
    environment by default), else the catalogue's 示意图 wording."""
    settings = os.environ if settings is None else settings
    own = clean(str(settings.get(MAP_NOTE_SETTINGS[lang]) or "")).strip()
    return own or t("brief.map_note", lang)


def _map_blocks(f: BriefingFigures, lang: str, png: bytes | None, name: str, unit: str,
                note: str | None = None) -> list[Block]:
    if png is None:
        return [Paragraph(t("brief.map_none", lang))]
    caption = (t("brief.map_caption", lang, name=name, unit=unit, date=long_date(f.as_of, lang))
               if f.map.mode == "rate" else
               t("brief.map_caption_status", lang, name=name, date=long_date(f.as_of, lang)))
    noted = (map_note(lang) if note is None else note) if f.level in NOTED_LEVELS else ""
    blocks: list[Block] = [Image(png, caption, 150, noted)]
    if f.map.missing:
        blocks.append(Paragraph(t("brief.map_missing", lang, n=len(f.map.missing),
                                  names=name_list([clean(n) for n in f.map.missing], lang)), small=True))
    return blocks
