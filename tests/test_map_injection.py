"""Text from files reaches a map as data only: never as Jinja template text (branca compiles each element's output
again as a template) and never as HTML (the <title> of `geo map`'s file).  Hostile division names and ledger cells
go in through the real imports and must come out verbatim, in the app's map, in `geo map`'s file and in a browser,
without running anything."""
from __future__ import annotations

import csv
import html
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest

from benchmarks.browser import launch_chromium
from fixtures_app import folium_args, open_page
from fixtures_maps import grid, page_without_vendor
from geo.core.codes import Scope
from geo.demo import ANCHOR
from geo.imports import import_assignments, import_registry, store_registry
from geo.outputs.folium_map import _LAYER_JS, _js_json, build_map, map_html
from geo.store import Store, open_store
from geo.views import map_view as map_data

ROOT = Path(__file__).resolve().parent.parent
MARK = "@MARKS@"       # replaced by a test folder: a payload that ran leaves a file there

#: both kinds of template syntax, payloads that run code in three known ways, streamlit-folium's own
#: ``{{'name'}}`` rewrite, broken syntax, and the HTML class (title, attribute, script, comment, entities)
PAYLOADS = (
    "{{7*7}}",
    "{% if true %}是{% endif %}{# 注释 #}村",
    "{{ cycler.__init__.__globals__.os.popen('touch @MARKS@/cycler').read() }}",
    "{% for c in ().__class__.__base__.__subclasses__() %}{% if c.__name__ == 'Popen' %}"
    "{{ c(['touch', '@MARKS@/subclasses']).wait() }}{% endif %}{% endfor %}",
    "{{ lipsum.__globals__['os'].system('touch @MARKS@/lipsum') }}",
    "{{'feature_layer_x'}}",
    "未闭合 {{ 和 {% 以及 {# 的村",
    "</title><script>window.__pwned='title'</script>",
    "<img src=x onerror=\"window.__pwned='img'\">&amp;",
    "\"双引号\" '单引号' & </script><!--<script>",
)
CODE_PAYLOADS = {"cycler": PAYLOADS[2], "subclasses": PAYLOADS[3], "lipsum": PAYLOADS[4]}
TOWNSHIP = "610124101"      # 哑柏镇: 13 village cells in the demo
#: one map per level of names, plus a county without township shapes (drawn as its own outline, one name)
SCOPES = {"province": "", "city": "61", "county": "6101", "township": "610124", "village": TOWNSHIP,
          "outline": "610122"}
FIELDS = {"province": ("name",), "city": ("name",), "county": ("name",), "township": ("name",),
          "village": ("name", "adviser", "org", "phone"), "outline": ()}


def live(payloads: tuple[str, ...], marks: Path) -> list[str]:
    return [p.replace(MARK, str(marks)) for p in payloads]


@pytest.fixture(scope="module")
def marks(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("marks")


@pytest.fixture(scope="module")
def payloads(marks) -> list[str]:
    return live(PAYLOADS, marks)


def _renamed(codes: list[str], payloads: list[str]) -> dict[str, str]:
    return {code: payloads[i % len(payloads)] for i, code in enumerate(sorted(codes))}


@pytest.fixture(scope="module")
def hostile_db(demo_db, payloads, tmp_path_factory) -> Path:
    """The demo after a division list whose names are payloads (provinces, the cities of 陕西, the counties of
    西安, the townships of 周至, the villages of 哑柏镇) and a ledger whose cells are payloads."""
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "hostile.duckdb"
    shutil.copyfile(demo_db, path)
    with open_store(path) as store:
        reg = store_registry(store)
        # a county's row needs all its villages beside it, or the list abolishes them
        rows = reg[(reg["level"] == 1) | ((reg["level"] == 2) & reg["code"].str.startswith("61"))
                   | reg["code"].str.startswith("6101")].copy()
        groups = [(1, ""), (2, "61"), (3, "6101"), (4, "610124"), (5, TOWNSHIP)]
        names: dict[str, str] = {}
        for level, prefix in groups:
            names |= _renamed(rows[(rows["level"] == level) & rows["code"].str.startswith(prefix)]["code"].tolist(),
                              payloads)
        rows["name"] = [names.get(c, n) for c, n in zip(rows["code"], rows["name"])]
        rows[["code", "name"]].to_csv(folder / "区划.csv", index=False, header=["区划代码", "名称"])
        result = import_registry(store, folder / "区划.csv")
        assert result.rows_rejected == 0 and result.details["abolished"] == 0

        villages = sorted(rows[(rows["level"] == 5) & rows["code"].str.startswith(TOWNSHIP)]["code"])
        with open(folder / "台账.csv", "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["区划代码", "法律顾问姓名", "执业机构", "联系电话", "执业证号", "聘任期限"])
            for j, code in enumerate(villages):
                out.writerow([code, *(payloads[(j + k) % len(payloads)] for k in (1, 2, 3, 4)), "2026.1.1-2027.12.31"])
        result = import_assignments(store, folder / "台账.csv", county="610124")
        assert result.rows_rejected == 0 and result.rows_accepted == len(villages)
    return path


@pytest.fixture(scope="module")
def hostile_store(hostile_db) -> Store:
    store = open_store(hostile_db, read_only=True)
    yield store
    store.close()


# ------------------------------------------------------------------------------------------------ reading a map

def layer_data(script: str) -> tuple[dict, dict]:
    """(features, style config) as the browser receives them: the two JSON arguments after the layer function."""
    decoder = json.JSONDecoder()
    rest = script[script.index(_LAYER_JS) + len(_LAYER_JS):]
    start = re.match(r"\(\s*[\w$]+\s*,\s*", rest).end()
    features, end = decoder.raw_decode(rest, start)
    config, _ = decoder.raw_decode(rest, re.match(r"\s*,\s*", rest[end:]).end() + end)
    return features, config


def title_box(script: str) -> str:
    """The map's title as the browser shows it in its box (JSON of HTML-escaped text)."""
    start = script.index("'cov-title', ") + len("'cov-title', ")
    return html.unescape(json.JSONDecoder().raw_decode(script, start)[0])


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.titles: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_title = tag == "title"
        if self._in_title:
            self.titles.append("")

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.titles[-1] += data


def parse_tags(doc: str) -> _Tags:
    parser = _Tags()
    parser.feed(doc)
    parser.close()
    return parser


def expected_features(store: Store, view: map_data.MapView) -> list[dict]:
    fc = view.features if view.features["features"] else map_data.outline_view(store, view)
    return [f["properties"] for f in fc["features"]]


def assert_map_carries_data_verbatim(script: str, store: Store, view: map_data.MapView) -> None:
    """Every property and the title reach the browser exactly as the store holds them; nothing is template text."""
    features, _ = layer_data(script)
    assert [f["properties"] for f in features["features"]] == expected_features(store, view)
    assert title_box(script) == map_data.map_title(store, view)
    # the <title> is HTML text, filled in as a value; everything else passed through a template compile
    assert not re.search(r"\{[{%#]", re.sub(r"<title>.*?</title>", "", script)), "a Jinja delimiter reached the page"


def values(props: list[dict], field: str) -> set[str]:
    return {v for p in props if p.get(field) for v in str(p[field]).split("、")}


def assert_nothing_ran(marks: Path) -> None:
    assert sorted(p.name for p in marks.iterdir()) == []


# ------------------------------------------------------------------------------------------------ the tests

def test_the_payloads_would_run_in_a_template(tmp_path):
    """The control: rendered by Jinja, these cells compute, and the three code payloads run a command."""
    assert jinja2.Template(PAYLOADS[0]).render() == "49"
    for name, payload in CODE_PAYLOADS.items():
        jinja2.Template(live((payload,), tmp_path)[0]).render()
        assert (tmp_path / name).exists(), name


@pytest.mark.parametrize("payload", PAYLOADS + ("\\{{x}}", "{}", "}}{{", "%}{%", "#}{#", "\u2028{{\u2029"))
def test_map_json_reads_back_the_same_and_holds_no_template_syntax(payload):
    value = {"name": payload, "nested": [{"k": payload}], payload: {}}
    encoded = _js_json(value)
    assert json.loads(encoded) == value
    assert not re.search(r"\{[{%#]", encoded) and "</" not in encoded and "<!--" not in encoded


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_hostile_title_is_text_in_the_standalone_file(payload, tmp_path):
    payload = live((payload,), tmp_path)[0]
    doc = map_html(build_map(grid(4, mode="status"), mode="status", inline=True, title=payload))
    plain = map_html(build_map(grid(4, mode="status"), mode="status", inline=True, title="标题"))
    tags = parse_tags(doc)
    assert tags.titles == [payload]
    assert tags.tags == parse_tags(plain).tags          # the title adds no element: no script, no img
    assert title_box(doc) == payload
    assert list(tmp_path.iterdir()) == []


def test_the_store_holds_the_payloads(hostile_store, payloads):
    """The imports kept the hostile text as it was: what the maps below must show."""
    table = hostile_store.village_statuses(Scope.parse(TOWNSHIP), ANCHOR)
    for column in ("name", "advisers", "orgs", "phones"):
        assert values(table.to_dict("records"), column) >= set(payloads), column


def test_standalone_maps_show_hostile_text_verbatim(hostile_store, demo_store, payloads, marks):
    seen: dict[tuple[str, str], set[str]] = {}
    for level, scope in SCOPES.items():
        view = map_data.map_view(hostile_store, Scope.parse(scope), ANCHOR)
        doc = map_data.standalone_map_html(hostile_store, Scope.parse(scope), ANCHOR)
        assert_map_carries_data_verbatim(page_without_vendor(doc), hostile_store, view)
        tags = parse_tags(doc)
        assert tags.titles == [map_data.map_title(hostile_store, view)]
        assert tags.tags == parse_tags(map_data.standalone_map_html(demo_store, Scope.parse(scope), ANCHOR)).tags
        for field in FIELDS[level]:
            seen[(level, field)] = values(expected_features(hostile_store, view), field)
    assert {key: set(payloads) - found for key, found in seen.items()} == {key: set() for key in seen}
    # every payload as a map's title: the townships of 周至 carry them all
    for code in hostile_store.children(Scope.parse("610124"))["code"][:len(payloads)]:
        view = map_data.map_view(hostile_store, Scope.parse(code), ANCHOR)
        doc = map_data.standalone_map_html(hostile_store, Scope.parse(code), ANCHOR)
        assert parse_tags(doc).titles == [map_data.map_title(hostile_store, view)] == [title_box(doc)]
    assert_nothing_ran(marks)


@pytest.mark.parametrize("level", ["village", "county", "outline"])
def test_geo_map_writes_hostile_text_verbatim(level, hostile_db, hostile_store, marks, tmp_path):
    out = tmp_path / "map.html"
    p = subprocess.run([sys.executable, "-m", "geo", "map", "--scope", SCOPES[level], "--as-of", ANCHOR.isoformat(),
                        "-o", str(out), "--db", str(hostile_db)], capture_output=True, text=True, cwd=ROOT,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    doc = out.read_text(encoding="utf-8")
    view = map_data.map_view(hostile_store, Scope.parse(SCOPES[level]), ANCHOR)
    assert_map_carries_data_verbatim(page_without_vendor(doc), hostile_store, view)
    assert parse_tags(doc).titles == [map_data.map_title(hostile_store, view)]
    assert_nothing_ran(marks)


def test_st_folium_gets_hostile_text_verbatim(hostile_db, hostile_store, payloads, marks):
    """What st_folium sends to the browser (it renders the figure, then each element's script once more)."""
    from streamlit.testing.v1 import AppTest

    townships = hostile_store.children(Scope.parse("610124"))["code"][:len(payloads)].tolist()
    scopes = [*SCOPES.values(), *townships]
    script = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from streamlit_folium import st_folium
from benchmarks.browser import launch_chromium
from geo.views import map_view as map_data
from geo.core.codes import Scope
from geo.demo import ANCHOR
from geo.store import open_store
store = open_store({str(hostile_db)!r}, read_only=True)
for scope in {scopes!r}:
    m = map_data.build_folium_map(store, map_data.map_view(store, Scope.parse(scope), ANCHOR))
    st_folium(m, returned_objects=["last_active_drawing"], key="m" + scope)
store.close()
"""
    at = AppTest.from_string(script, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    comps = [e for e in at.main if type(e).__name__ == "UnknownElement"]
    assert len(comps) == len(scopes)
    for scope, comp in zip(scopes, comps):
        args = json.loads(comp.proto.json_args)
        assert_map_carries_data_verbatim(args["script"], hostile_store,
                                         map_data.map_view(hostile_store, Scope.parse(scope), ANCHOR))
        assert not re.search(r"\{[{%#]", args["header"] + args["html"])
    assert_nothing_ran(marks)


def test_map_page_shows_hostile_text_verbatim(hostile_db, hostile_store, marks, tmp_path, monkeypatch):
    from geo.store import DB_ENV

    path = tmp_path / "app.duckdb"     # the app opens its store read-write: a copy no one else holds
    shutil.copyfile(hostile_db, path)
    monkeypatch.setenv(DB_ENV, str(path))
    at = open_page(scope=TOWNSHIP, date=ANCHOR.isoformat())
    assert_map_carries_data_verbatim(folium_args(at)["script"], hostile_store,
                                     map_data.map_view(hostile_store, Scope.parse(TOWNSHIP), ANCHOR))
    assert_nothing_ran(marks)


@pytest.mark.browser
def test_browser_shows_hostile_text_verbatim_and_runs_none(hostile_store, marks, tmp_path):
    from playwright.sync_api import sync_playwright

    view = map_data.map_view(hostile_store, Scope.parse(TOWNSHIP), ANCHOR)
    path = tmp_path / "map.html"
    path.write_text(map_data.standalone_map_html(hostile_store, Scope.parse(TOWNSHIP), ANCHOR), encoding="utf-8")
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 700})
            page.goto(path.as_uri())
            page.wait_for_selector("path.leaflet-interactive")
            shown = page.evaluate("""() => {
                const group = window[Object.keys(window).find(k => k.startsWith('feature_layer_'))];
                const out = [];
                group.eachLayer(l => {      // a hover on each cell, as the mouse would give it
                    l.fire('mouseover', {latlng: l.getBounds().getCenter()}, true);
                    out.push([l.feature.properties.code, group.getTooltip().getElement().innerText]);
                    l.fire('mouseout', {latlng: l.getBounds().getCenter()}, true);
                });
                return {tips: out, title: document.title, box: document.querySelector('.cov-title').innerText,
                        pwned: window.__pwned === undefined ? null : String(window.__pwned),
                        images: document.querySelectorAll('img:not(.leaflet-tile)').length};
            }""")
        finally:
            browser.close()
    title = map_data.map_title(hostile_store, view)
    assert (shown["title"], shown["box"], shown["pwned"], shown["images"]) == (title, title, None, 0)
    props = {p["code"]: p for p in expected_features(hostile_store, view)}
    assert {code for code, _ in shown["tips"]} == set(props)
    for code, tip in shown["tips"]:
        for field in ("name", "adviser", "org", "phone"):
            if props[code].get(field):
                assert props[code][field] in tip, (field, props[code][field], tip)
    assert_nothing_ran(marks)
