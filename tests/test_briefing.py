"""The leaders' briefing: each file is read back (python-docx; pdftotext / pdffonts for the PDF) and what it states
equals the store's figures recomputed independently (geo.testing's pandas oracle and the plain-Python coverage
rule), for a county and the whole country; hostile names come out as they are stored; fonts are embedded."""
from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
from pathlib import Path

import docx
import numpy as np
import pandas as pd
import pytest

from fixtures_app import open_page
from geo.auth.access import Principal, Role
from geo.briefing import briefing_document, build_report, format_of
from geo.briefing import fonts as briefing_fonts
from geo.briefing.charts import fill_of, nice_length, outline_path
from geo.briefing.document import Image, cell, clean, points, whole_unit
from geo.briefing.figures import RateThen
from geo.briefing.pdf_writer import NO_LINE_START, cjk_lines
from geo.core.codes import Scope
from geo.core.coverage import Period, Status, village_status
from geo.core.errors import UserError
from geo.demo import ANCHOR
from geo.outputs.export import neutralize
from geo.outputs.folium_map import RATE_CLASSES, STATUS_COLOURS
from geo.testing import pandas_served_summary, pandas_summary
from geo.text.catalogue import t

ROOT = Path(__file__).resolve().parent.parent
COUNTY = Scope.parse("610124")      # 周至县: schematic village cells, so township shapes to draw


# ------------------------------------------------------------------------------------------- pure parts

@pytest.mark.parametrize("name, level, lang, expected", [
    ("周至县", 3, "zh", "全县"), ("雁塔区", 3, "zh", "全区"), ("陕西省", 1, "zh", "全省"), ("西安市", 2, "zh", "全市"),
    ("内蒙古自治区", 1, "zh", "全区"), ("海西蒙古族藏族自治州", 2, "zh", "全州"), ("阿荣旗", 3, "zh", "全旗"),
    ("锡林郭勒盟", 2, "zh", "全盟"), ("哑柏镇", 4, "zh", "全镇"), ("二曲街道", 4, "zh", "全街道"),
    ("", 0, "zh", "全国"), ("东莞", 2, "zh", "全市"), ("周至县", 3, "en", "周至县"), ("", 0, "en", "China"),
])
def test_whole_unit(name, level, lang, expected):
    assert whole_unit(name, level, lang) == expected


@pytest.mark.parametrize("now, then, expected", [
    (0.883, 0.869, "较上月末上升1.4个百分点"),
    (0.869, 0.883, "较上月末下降1.4个百分点"),
    (0.8834, 0.8826, "与上月末持平"),          # both shown as 88.3%: the text says what the figures show
    (0.8836, 0.8824, "较上月末上升0.2个百分点"),  # 88.4% against 88.2% (not 0.12 -> 0.1)
    (0.5, None, None),
])
def test_points_are_the_difference_of_the_rates_as_shown(now, then, expected):
    earlier = RateThen(dt.date(2026, 5, 31), then) if then is not None else None
    assert points(now, earlier, "month", "zh") == expected


@pytest.mark.parametrize("km, expected", [(0, 0), (0.7, 0.5), (1, 1), (3.9, 2), (7, 5), (10, 10), (260, 200),
                                          (999, 500), (1200, 1000)])
def test_scale_bar_length(km, expected):
    assert nice_length(km) == expected


@pytest.mark.parametrize("props, mode, expected", [
    ({"rate": 1.0}, "rate", RATE_CLASSES[-1].colour), ({"rate": 0.95}, "rate", RATE_CLASSES[-2].colour),
    ({"rate": 19 / 20}, "rate", RATE_CLASSES[-2].colour), ({"rate": 0.3}, "rate", RATE_CLASSES[0].colour),
    ({"rate": None}, "rate", None), ({}, "rate", None), ({"status": "lapsed"}, "status", STATUS_COLOURS["lapsed"]),
    ({"status": None}, "status", None),
])
def test_fill_is_the_web_maps(props, mode, expected):
    assert fill_of(props, mode) == expected


def test_outline_path_keeps_islands_and_holes():
    square = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
    hole = [[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]
    island = [[10, 10], [11, 10], [11, 11], [10, 10]]
    path = outline_path({"type": "MultiPolygon", "coordinates": [[square, hole], [island]]}, 0.001)
    assert sum(code == path.MOVETO for code in path.codes) == 3
    # drawn as the map draws it: the hole stays empty, the body and the island are filled
    import matplotlib.pyplot as plt
    from matplotlib.patches import PathPatch

    fig = plt.figure(figsize=(1.2, 1.2), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 12)
    ax.set_ylim(0, 12)
    ax.set_axis_off()
    ax.add_patch(PathPatch(path, facecolor="black", linewidth=0))
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())
    plt.close(fig)

    def dark(x, y):       # data coordinates -> the pixel's darkness
        return pixels[pixels.shape[0] - 1 - int(y * 10), int(x * 10), 0] < 128

    assert dark(3.5, 3.5) and dark(10.7, 10.2) and not dark(1.5, 1.5) and not dark(6, 6)


@pytest.mark.parametrize("text", ["截至11月27日，全县283个村（社区）中已配备法律顾问的250个，覆盖率88.3%。",
                                  "，，，。。。", "甲" * 200 + "、乙）", "短"])
def test_cjk_lines_never_start_with_closing_punctuation(text):
    width = 20.0
    lines = cjk_lines(text, width, lambda s: float(len(s)))
    assert "".join(lines) == text
    assert all(line[0] not in NO_LINE_START for line in lines[1:])
    # a line is only ever too wide by the punctuation it kept
    assert all(len(line.rstrip("".join(NO_LINE_START))) <= width for line in lines)


@pytest.mark.parametrize("width", range(8, 40))
def test_cjk_lines_never_break_a_number_from_its_unit(width):
    text = ("截至11月27日，全县283个村（社区）中已配备法律顾问的250个，覆盖率88.3%，有效服务率77.4%；"
            "差距-10.9个百分点，共1,234名顾问。")
    lines = cjk_lines(text, float(width), lambda s: float(len(s)))
    assert "".join(lines) == text
    for number in ("11月", "27日", "283个", "250个", "88.3%", "77.4%", "-10.9", "1,234名"):
        assert any(number in line for line in lines), (width, number, lines)
    assert all(len(line.rstrip("".join(NO_LINE_START))) <= width for line in lines)


def test_cjk_lines_split_a_piece_wider_than_a_line():
    lines = cjk_lines("网址" + "x" * 30 + "。", 10.0, lambda s: float(len(s)))
    assert "".join(lines) == "网址" + "x" * 30 + "。" and all(len(line) <= 11 for line in lines)


HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"点我\")村", "+1+1村", "-2村", "@SUM(A1)村", "**加粗**村",
           "<b>粗</b>&amp;村", "{{7*7}}村", "{% if 1 %}x{% endif %}村", "${x}村", "[链接](http://x.example)村",
           "# 标题村", "--删--村", "\\n村", "|a|b|村", "%0a村"]


@pytest.mark.parametrize("name", HOSTILE)
def test_cells_are_inert_and_text_is_kept(name):
    assert clean(name) == name
    assert cell(name) == neutralize(name)
    assert not cell(name).startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize("raw, expected", [("东\x07村\x1b", "东村"), ("甲\r\n乙", "甲 乙"), ("\x00\x0b\x0c村", "村"),
                                           ("a\x85b\ufffec", "abc"), (None, ""), (float("nan"), ""),
                                           # line and paragraph separators are line breaks; bidi overrides and
                                           # isolates would show a name backwards
                                           ("甲\u2028乙\u2029丙", "甲 乙 丙"), ("\u202egnp.exe村", "gnp.exe村"),
                                           ("\u2066张\u2069\u202a三\u202c", "张三")])
def test_clean_removes_what_xml_cannot_hold(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize("name, fmt", [("a.docx", "docx"), ("A.PDF", "pdf"), ("x/报告.pdf", "pdf")])
def test_format_of(name, fmt):
    assert format_of(name) == fmt


@pytest.mark.parametrize("name", ["a.doc", "a.txt", "a"])
def test_format_of_refuses_others(name):
    with pytest.raises(UserError):
        format_of(name)


def test_no_cjk_font_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(briefing_fonts, "FONT_DIRS", (tmp_path,))
    with pytest.raises(briefing_fonts.FontMissing) as caught:
        briefing_fonts.cjk_fonts()
    assert "fonts-noto-cjk" in caught.value.text("zh") and "fonts-noto-cjk" in caught.value.text("en")


# ------------------------------------------------------------------------------------------- the oracle

def oracle(store, scope: Scope, as_of: dt.date, level: int) -> pd.DataFrame:
    """The scope's units at `level`, by the pandas script of geo.testing (not Store.summary)."""
    registry = store.registry_frame()
    assignments = store.query("SELECT village, start_date, end_date FROM assignments")
    assignments["village"] = assignments["village"].map(lambda c: f"{int(c):012d}")
    for col in ("start_date", "end_date"):
        assignments[col] = pd.to_datetime(assignments[col])
    units = pandas_summary(registry, assignments, as_of, level=level)
    return units[units["code"].str.startswith(scope.digits)].reset_index(drop=True)


def served_oracle(store, scope: Scope, as_of: dt.date) -> tuple[int, int]:
    """(served, nominal) of the scope by geo.testing's pandas script of the service rule (not the store's)."""
    registry = store.registry_frame()
    assignments = store.query("SELECT village, start_date, end_date FROM assignments")
    services = store.query("SELECT village, service_date, mode FROM services")
    for frame in (assignments, services):
        frame["village"] = frame["village"].map(lambda c: f"{int(c):012d}")
    for col in ("start_date", "end_date"):
        assignments[col] = pd.to_datetime(assignments[col])
    units = pandas_served_summary(registry, assignments, services, as_of, level=5)
    units = units[units["code"].str.startswith(scope.digits)]
    return int(units["served"].sum()), int(units["nominal"].sum())


def gap_villages(store, scope: Scope, as_of: dt.date) -> dict[str, str]:
    """code -> status of every lapsed or never village in scope, by the plain-Python coverage rule."""
    low, high = scope.int_range
    villages = store.query(f"SELECT code FROM divisions WHERE level = 5 AND code % 1000 <> 0 AND NOT abolished "
                           f"AND code >= {low} AND code < {high}")["code"].tolist()
    contracts = store.query(f"SELECT village, start_date, end_date FROM assignments "
                            f"WHERE village >= {low} AND village < {high}")
    periods: dict[int, list[Period]] = {}
    for v, start, end in contracts.itertuples(index=False):
        periods.setdefault(int(v), []).append(Period(pd.Timestamp(start).date(),
                                                     None if pd.isna(end) else pd.Timestamp(end).date()))
    out = {}
    for v in villages:
        status = village_status(periods.get(int(v), []), as_of)
        if status in (Status.LAPSED, Status.NEVER):
            out[f"{int(v):012d}"] = status.value
    return out


def headline_numbers(units: pd.DataFrame) -> dict[str, int]:
    ranked = units[units["has_data"]]
    return {k: int(ranked[k].sum()) for k in ("villages", "covered", "expiring", "lapsed", "never")}


def month_end_before(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)


def expected_change(store, scope, as_of, level, now: dict[str, int], earlier: dt.date, against: str) -> str:
    then = oracle(store, scope, earlier, level)
    covered_then = int(then["covered"].sum())
    diff = round(now["covered"] / now["villages"] * 100, 1) - round(covered_then / now["villages"] * 100, 1)
    if abs(diff) < 0.05:
        return f"与{against}持平"
    return f"较{against}{'上升' if diff > 0 else '下降'}{abs(diff):.1f}个百分点"


def docx_of(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def table_rows(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def pdf_text(path: Path, *layout: str) -> str:
    return subprocess.run(["pdftotext", *layout, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_fonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def squeezed(text: str) -> str:
    return "".join(text.split())


# ------------------------------------------------------------------------------------------- a county

@pytest.fixture(scope="module")
def county_docx(demo_store) -> bytes:
    return build_report(demo_store, COUNTY, ANCHOR, "docx")


@pytest.fixture(scope="module")
def county_pdf(demo_store, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("briefing") / "county.pdf"
    path.write_bytes(build_report(demo_store, COUNTY, ANCHOR, "pdf"))
    return path


def test_county_docx_headline_equals_the_oracle(demo_store, county_docx):
    units = oracle(demo_store, COUNTY, ANCHOR, 4)
    now = headline_numbers(units)
    doc = docx_of(county_docx)
    headline = next(p.text for p in doc.paragraphs if p.text.startswith("截至"))
    rate = f"{now['covered'] / now['villages'] * 100:.1f}%"
    assert headline.startswith(f"截至{ANCHOR.month}月{ANCHOR.day}日，全县{now['villages']:,}个村（社区）中"
                               f"已配备法律顾问的{now['covered']:,}个，覆盖率{rate}")
    month = expected_change(demo_store, COUNTY, ANCHOR, 4, now, month_end_before(ANCHOR), "上月末")
    year = expected_change(demo_store, COUNTY, ANCHOR, 4, now, ANCHOR.replace(year=ANCHOR.year - 1), "去年同期")
    assert f"{month}，{year}；" in headline
    assert f"即将到期{now['expiring']}个，到期未续{now['lapsed']}个，从未配备{now['never']}个" in headline
    ranked = units[units["has_data"]].assign(gaps=lambda u: u["lapsed"] + u["never"])
    most = ranked[ranked["gaps"] > 0].sort_values(["gaps", "code"], ascending=[False, True])["name"].head(2)
    assert f"主要集中在{'、'.join(most)}。" in headline
    served, nominal = served_oracle(demo_store, COUNTY, ANCHOR)       # the demo keeps service logs
    assert served and headline.endswith(f"有效服务（近90天内有到村服务记录）的{served}个，有效服务率"
                                        f"{served / now['villages'] * 100:.1f}%；有合同但无到村服务记录的{nominal}个。")


def test_county_docx_tables_equal_the_oracle(demo_store, county_docx):
    units = oracle(demo_store, COUNTY, ANCHOR, 4)
    now = headline_numbers(units)
    figures, ranking, appendix, batches = docx_of(county_docx).tables
    shown = dict(table_rows(figures)[1:])
    assert shown["村（社区）总数"] == f"{now['villages']:,}"
    assert shown["已覆盖"] == f"{now['covered']:,}"
    assert shown["60 天内到期"] == f"{now['expiring']:,}"
    assert (shown["到期未续"], shown["从未配备"]) == (f"{now['lapsed']:,}", f"{now['never']:,}")
    advisers = demo_store.query(
        f"SELECT count(DISTINCT adviser_id) AS n FROM assignments WHERE village >= {COUNTY.int_range[0]} "
        f"AND village < {COUNTY.int_range[1]} AND start_date <= DATE '{ANCHOR}' "
        f"AND (end_date IS NULL OR end_date >= DATE '{ANCHOR}')")["n"].iloc[0]
    assert shown["在聘法律顾问"] == f"{advisers:,}"
    assert "超过上限（5个村）的顾问" in shown

    ranked = units[units["has_data"]].sort_values(["coverage_rate", "villages"], ascending=[False, False])
    rows = table_rows(ranking)
    assert rows[0] == ["排名", "名称", "覆盖率", "村居数", "到期未续", "从未配备", "即将到期"]
    assert [r[1:] for r in rows[1:]] == [
        [u.name, f"{u.coverage_rate * 100:.1f}%", f"{u.villages:,}", f"{u.lapsed:,}", f"{u.never:,}",
         f"{u.expiring:,}"] for u in ranked.itertuples()]
    # the lowest three (below the best rate) are shaded, as the summary page marks them
    shaded = [r[1] for r, row in zip(rows[1:], ranking.rows[1:]) if 'w:fill="FDE0DC"' in row._tr.xml]
    lowest = ranked[ranked["coverage_rate"] < ranked["coverage_rate"].max()]["name"].tail(3)
    assert sorted(shaded) == sorted(lowest)

    gaps = gap_villages(demo_store, COUNTY, ANCHOR)
    names = demo_store.query(f"SELECT code, name FROM divisions WHERE code >= {COUNTY.int_range[0]} "
                             f"AND code < {COUNTY.int_range[1]}")
    name_of = dict(zip(names["code"].map(lambda c: f"{int(c):012d}"), names["name"]))
    listed = table_rows(appendix)
    assert listed[0] == ["乡镇（街道）", "村（社区）", "状态", "原法律顾问", "合同到期日"]
    assert [(r[0], r[1], r[2]) for r in listed[1:]] == [
        (name_of[code[:9] + "000"], name_of[code], {"lapsed": "到期未续", "never": "从未配备"}[status])
        for code, status in sorted(gaps.items())]
    for row in listed[1:]:        # a lapsed village names its last adviser and the end of that contract
        assert bool(row[3]) == (row[2] == "到期未续") and bool(re.fullmatch(r"\d{4}-\d\d-\d\d", row[4])) == bool(row[3])
    assert table_rows(batches)[1][1] == "演示数据"


def test_county_docx_form(county_docx):
    doc = docx_of(county_docx)
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert doc.paragraphs[0].text == "周至县村（居）法律顾问工作情况"
    assert doc.paragraphs[1].text == "（截至2026年11月27日）"
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、总体情况", "二、主要数据", "三、覆盖分布", "四、各乡镇（街道）排名", "五、近24个月走势",
                        "附件：到期未续和从未配备的村（社区）名单", "数据说明"]
    assert len(doc.inline_shapes) == 2                      # the map and the trend
    footer = section.footer._element.xml
    assert "PAGE" in footer and 'w:fldCharType="begin"' in footer
    styles = doc.styles.element.xml
    for font in ("宋体", "仿宋"):
        assert f'w:eastAsia="{font}"' in styles


def test_county_pdf(demo_store, county_pdf, county_docx):
    fonts = pdf_fonts(county_pdf)
    assert fonts and all(row[-5] == "yes" for row in fonts)           # emb
    assert all("CJK" in row[0] for row in fonts)
    text = pdf_text(county_pdf)
    doc = docx_of(county_docx)
    # the same words as the Word file: the headline, every ranking row and every appendix row
    headline = next(p.text for p in doc.paragraphs if p.text.startswith("截至"))
    assert squeezed(headline) in squeezed(text)
    layout = pdf_text(county_pdf, "-layout")
    lines = {tuple(line.split()) for line in layout.splitlines()}
    _, ranking, appendix, _ = doc.tables
    for row in table_rows(ranking)[1:]:
        assert tuple(row) in lines
    for row in table_rows(appendix)[1:]:
        assert tuple(v for v in row if v) in lines
    # a number keeps its unit on one line: every rate of the Word file's paragraphs is whole on a line of the PDF
    rates = {r for p in doc.paragraphs for r in re.findall(r"\d+(?:\.\d+)?%", p.text)}
    pdf_lines = [squeezed(line) for line in text.splitlines()]
    assert rates and all(any(r in line for line in pdf_lines) for r in rates), rates
    assert brief_map_note("zh") not in squeezed(text)       # a county's own map needs no schematic note
    pages = subprocess.run(["pdfinfo", str(county_pdf)], capture_output=True, text=True).stdout
    assert "A4" in pages or "595.2" in pages
    n = int(re.search(r"Pages:\s+(\d+)", pages).group(1))
    assert all(f"—{i}—" in squeezed(text) for i in range(1, n + 1))


# ------------------------------------------------------------------------------------------- the country

def test_national_report(demo_store, tmp_path):
    country = Scope("")
    units = oracle(demo_store, country, ANCHOR, 1)
    now = headline_numbers(units)
    data = build_report(demo_store, country, ANCHOR, "pdf", appendix_rows=50)
    path = tmp_path / "national.pdf"
    path.write_bytes(data)
    text = squeezed(pdf_text(path))
    assert f"全国{now['villages']:,}个村（社区）中已配备法律顾问的{now['covered']:,}个" in text
    # the counties without a ledger (the oracle's per-county rule) are left out, and the report says so
    counties, villages = int(units["no_data_counties"].sum()), int(units["no_data_villages"].sum())
    assert counties > 30 and f"另有{counties:,}个县（区）共{villages:,}个村（社区）尚未导入法律顾问台账" in text
    # the appendix is cut to the stated number, and says where the whole list is
    total = now["lapsed"] + now["never"]
    assert f"共{total:,}个村（社区）到期未续或从未配备" in text and "以下只列前50个" in text
    assert all(row[-5] == "yes" for row in pdf_fonts(path))

    doc = docx_of(build_report(demo_store, country, ANCHOR, "docx", appendix_rows=50, lang="en"))
    appendix = doc.tables[2]
    assert len(appendix.rows) == 51 and appendix.rows[0].cells[0].text == "County"
    assert doc.paragraphs[0].text == "Village legal advisers in China"


def brief_map_note(lang: str) -> str:
    return squeezed(t("brief.map_note", lang))


def test_national_and_provincial_maps_say_they_are_schematic(demo_store, tmp_path, monkeypatch):
    monkeypatch.delenv("VILLAGE_COVERAGE_MAP_NOTE", raising=False)
    path = tmp_path / "national.pdf"
    path.write_bytes(build_report(demo_store, Scope(""), ANCHOR, "pdf", appendix_rows=5))
    text = pdf_text(path)
    caption = next(i for i, line in enumerate(text.splitlines()) if "法律顾问覆盖率（" in line)
    assert squeezed(text.splitlines()[caption + 1]) == brief_map_note("zh")        # right under the caption
    monkeypatch.setenv("VILLAGE_COVERAGE_MAP_NOTE", "本图边界仅供参考")
    _, document = briefing_document(demo_store, Scope.parse("61"), ANCHOR)
    [image] = [b for b in document.blocks if isinstance(b, Image) and b.note]
    assert image.note == "本图边界仅供参考"
    doc = docx_of(build_report(demo_store, Scope.parse("61"), ANCHOR, "docx", lang="en"))
    assert t("brief.map_note", "en") in [p.text for p in doc.paragraphs]


def test_principal_narrows_the_scope(demo_store):
    county_user = Principal("u", "U", Role.VIEWER, COUNTY)
    figures, document = briefing_document(demo_store, Scope.parse("61"), ANCHOR, principal=county_user)
    assert figures.scope == COUNTY and document.title.startswith("周至县")


def test_township_report_maps_villages_by_status(demo_store):
    township = Scope.parse("610124101")
    figures, document = briefing_document(demo_store, township, ANCHOR, lang="en")
    assert figures.ranking is None and figures.map.mode == "status"
    gaps = gap_villages(demo_store, township, ANCHOR)
    assert list(figures.appendix["code"]) == sorted(gaps)


# ------------------------------------------------------------------------------------------- hostile names

HOSTILE_REGISTRY = [("610000000000", "陕西省", 1), ("610100000000", "西安市", 2), ("610124000000", "周至县", 3)] + [
    (f"610124{100 + i:03d}000", f"{name}镇", 4) for i, name in enumerate(HOSTILE[:5])] + [
    (f"610124{100 + i % 5:03d}{201 + i:03d}", name, 5) for i, name in enumerate(HOSTILE)] + [
    ("610124104300", "东\x07村\x1b", 5)]

HOSTILE_VILLAGES = [code for code, _, level in HOSTILE_REGISTRY if level == 5]


@pytest.fixture
def hostile_store(new_store):
    store = new_store("hostile")
    registry = pd.DataFrame(HOSTILE_REGISTRY, columns=["code", "name", "level"])
    with store.transaction() as cur:
        store.load_registry(registry, cur)
        batch = store.new_batch(cur, "assignments", file_name="=cmd|'/c calc'!A1 {{7*7}} <b>台账</b>.xlsx")
        store.add_advisers(cur, pd.DataFrame({"adviser_id": [1, 2], "name": ["@张三", "{{李四}}\x07"],
                                              "batch_id": [batch, batch]}))
        villages = HOSTILE_VILLAGES
        # the first half lapsed (ended), the next covered, the rest never
        rows = [(1, v, "2024-01-01", "2025-12-31") for v in villages[:6]]
        rows += [(2, v, "2025-01-01", None) for v in villages[6:10]]
        store.add_assignments(cur, pd.DataFrame(rows, columns=["adviser_id", "village", "start_date", "end_date"])
                              .assign(batch_id=batch))
    return store


def test_hostile_names_come_out_as_stored(hostile_store, tmp_path):
    as_of = dt.date(2026, 6, 30)
    stored = hostile_store.query("SELECT code, name, level FROM divisions WHERE level >= 4")
    covered = {int(c) for c in HOSTILE_VILLAGES[6:10]}
    stored = stored[~stored["code"].isin(covered)]          # every township and gap village is in a table
    data = build_report(hostile_store, COUNTY, as_of, "docx")
    doc = docx_of(data)                                            # valid XML: it reads back
    cells = {c.text for table in doc.tables for row in table.rows for c in row.cells}
    for name in stored["name"]:
        assert cell(name) in cells                                  # verbatim, made inert, control characters gone
    assert "东村" in cells
    assert "'@张三" in cells
    assert "'=cmd|'/c calc'!A1 {{7*7}} <b>台账</b>.xlsx" in cells
    headline = next(p.text for p in doc.paragraphs if p.text.startswith("截至"))
    assert "主要集中在" in headline
    named = re.search("主要集中在(.*)。", headline).group(1).split("、")
    assert set(named) <= {clean(n) for n in stored.loc[stored["level"] == 4, "name"]}

    path = tmp_path / "hostile.pdf"
    path.write_bytes(build_report(hostile_store, COUNTY, as_of, "pdf"))
    text = squeezed(pdf_text(path))
    for name in stored["name"]:
        assert squeezed(cell(name)) in text
    assert squeezed("'=cmd|'/c calc'!A1 {{7*7}} <b>台账</b>.xlsx") in text


def test_a_scope_without_contracts_says_so(small_store):
    doc = docx_of(build_report(small_store, COUNTY, dt.date(2026, 6, 30), "docx"))
    texts = [p.text for p in doc.paragraphs]
    assert "截至6月30日，全县3个村（社区）尚无聘任数据：法律顾问台账尚未导入。" in texts
    assert "法律顾问台账尚未导入，暂无名单。" in texts and "尚无聘任数据，没有走势。" in texts
    assert not any("覆盖率0.0%" in p for p in texts)


def test_advisers_over_cap(new_store):
    store = new_store("cap")
    villages = [f"610124100{201 + i:03d}" for i in range(8)] + [f"610125100{201 + i:03d}" for i in range(4)]
    parents = [("610000000000", "陕西省", 1), ("610100000000", "西安市", 2), ("610124000000", "周至县", 3),
               ("610125000000", "鄠邑区", 3), ("610124100000", "甲镇", 4), ("610125100000", "乙镇", 4)]
    registry = pd.DataFrame(parents + [(v, f"村{i}", 5) for i, v in enumerate(villages)],
                            columns=["code", "name", "level"])
    with store.transaction() as cur:
        store.load_registry(registry, cur)
        store.add_advisers(cur, pd.DataFrame({"adviser_id": [1, 2, 3], "name": ["甲", "乙", "丙"]}))
        rows = ([(1, v, "2026-01-01", None) for v in villages[:6]]             # 6 current: over a cap of 5
                + [(2, v, "2026-01-01", None) for v in villages[6:8]]          # 2 here ...
                + [(2, v, "2026-01-01", None) for v in villages[8:12]]         # ... + 4 in the next county = 6
                + [(3, v, "2025-01-01", "2025-12-31") for v in villages[:8]])  # 8, all ended: not a load
        store.add_assignments(cur, pd.DataFrame(rows, columns=["adviser_id", "village", "start_date", "end_date"])
                              .assign(batch_id=None))
    day = dt.date(2026, 6, 30)
    assert store.advisers_over_cap(COUNTY, day, 5) == 2
    assert store.advisers_over_cap(COUNTY, day, 6) == 0
    assert store.advisers_over_cap(Scope.parse("610125"), day, 5) == 1        # only 乙 serves there
    assert store.advisers_over_cap(COUNTY, dt.date(2025, 6, 30), 5) == 1      # 丙's eight, then
    assert store.advisers_over_cap(COUNTY, dt.date(2024, 6, 30), 5) == 0


def test_batches_behind(hostile_store):
    batches = hostile_store.batches_behind(COUNTY)
    assert batches["kind"].tolist() == ["assignments"]
    assert hostile_store.batches_behind(Scope.parse("610125")).empty


# ------------------------------------------------------------------------------------------- the command

def test_cli_report(demo_db, tmp_path):
    out = tmp_path / "周至县.pdf"
    cmd = [sys.executable, "-m", "geo", "report", "--db", str(demo_db), "--scope", "610124", "--as-of",
           ANCHOR.isoformat(), "--issuer", "周至县司法局办公室", "-o", str(out)]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "编制单位：周至县司法局办公室" in pdf_text(out)
    bad = subprocess.run(cmd[:-1] + [str(tmp_path / "x.txt")], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and ".docx" in bad.stderr and not (tmp_path / "x.txt").exists()


# ------------------------------------------------------------------------------------------- the summary page

@pytest.fixture
def deferred_downloads(monkeypatch) -> dict:
    """File name -> the callable of every download button built on click."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    seen: dict = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, fn, mimetype, coordinates, file_name=None, **kwargs):
        seen[file_name] = fn
        return original(self, fn, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return seen


def test_summary_page_offers_both_forms_built_on_click(app_db, deferred_downloads, tmp_path):
    at = open_page("pages/summary.py", scope="610124", date=ANCHOR.isoformat())
    at.text_input(key="brief_issuer_610124").input("周至县司法局（公共法律服务科）").run()
    assert not at.exception
    stem = f"工作情况报告_周至县_{ANCHOR.isoformat()}"
    assert set(deferred_downloads) == {f"{stem}.docx", f"{stem}.pdf"}
    doc = docx_of(deferred_downloads[f"{stem}.docx"]())
    assert doc.paragraphs[0].text == "周至县村（居）法律顾问工作情况"
    assert "编制单位：周至县司法局（公共法律服务科）" in [p.text for p in doc.paragraphs]
    path = tmp_path / "page.pdf"
    path.write_bytes(deferred_downloads[f"{stem}.pdf"]())
    assert squeezed("编制单位：周至县司法局（公共法律服务科）") in squeezed(pdf_text(path))


def test_cli_without_a_chinese_font_says_what_to_install(demo_db, tmp_path, monkeypatch, capsys):
    from geo import cli

    monkeypatch.setattr(briefing_fonts, "FONT_DIRS", (tmp_path,))
    out = tmp_path / "x.pdf"
    code = cli.main(["report", "--db", str(demo_db), "--scope", "610124", "--as-of", ANCHOR.isoformat(),
                     "--lang", "zh", "-o", str(out)])
    assert code == 2 and not out.exists()
    assert "apt-get install fonts-noto-cjk" in capsys.readouterr().err
