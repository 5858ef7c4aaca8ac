"""The catalogue's files agree and every key in them is used; no text is written inline in two languages.

A key is used when some source file names it as a whole string literal (``t("map.title")``), or when it belongs to
a family of keys made at run time, listed in :data:`FAMILIES` with the code's own table its members come from
(``status.{s}`` for each :class:`~geo.core.coverage.Status` ...).  A few families are open: their members are
values written at many call sites or stored with the data (an audit detail's keys), and :data:`OPEN_FAMILIES`
says so; every key under such a prefix counts as used.
"""
from __future__ import annotations

import ast
import re
import string
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from geo.text.catalogue import LANGS, LOCALE_DIR, TEXT

ROOT = Path(__file__).resolve().parent.parent
#: the code whose string literals may name a key
SOURCES = ("geo", "ui", "pages", "app.py", "app_routes.py", "benchmarks")
#: the code that must not write a text in two languages inline
UI_SOURCES = ("geo", "ui", "pages", "app.py")
_KEYISH = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*[._]?$")


def _python_files(roots: Iterable[str]) -> list[Path]:
    files: list[Path] = []
    for name in roots:
        path = ROOT / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.is_file() else []
    return files


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string nodes that are docstrings (a module's, a class's or a function's first statement)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


@lru_cache(maxsize=None)
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _strings(path: Path) -> Iterable[tuple[int, str, bool]]:
    """Every string literal of `path` outside docstrings: (line, text, whether it starts an f-string); an
    f-string's constant parts are given one by one, with its {holes} left out."""
    tree = _tree(path)
    skip = _docstrings(tree)
    inside_f = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = [v.value if isinstance(v, ast.Constant) else "{}" for v in node.values]
            yield node.lineno, "".join(parts), True
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip \
                and id(node) not in inside_f:
            yield node.lineno, node.value, False


@lru_cache(maxsize=1)
def _literals() -> frozenset[str]:
    return frozenset(text for path in _python_files(SOURCES) for _, text, f in _strings(path) if not f)


@lru_cache(maxsize=1)
def _made_prefixes() -> frozenset[str]:
    """The key prefixes the code completes at run time: the start of each f-string that begins like a key
    (``f"status.{s}"`` gives ``status.``)."""
    found = set()
    for path in _python_files(SOURCES):
        for _, text, f in _strings(path):
            head = text.split("{}", 1)[0]
            if f and "{}" in text and head and _KEYISH.match(head) and head[-1] in "._":
                found.add(head)
    return frozenset(found)


# ---------------------------------------------------------------------------------------- the families of keys

def _enum_values(enum) -> list[str]:
    return [m.value for m in enum]


def _status() -> list[str]:
    from geo.core.coverage import NO_DATA, Status
    from geo.core.service_rule import ServiceStatus
    return [*_enum_values(Status), ServiceStatus.NOMINAL.value, NO_DATA]


def _levels() -> list[str]:
    from geo.core.codes import LEVEL_NAMES
    return [str(n) for n in range(len(LEVEL_NAMES) + 1)]


def _service_status() -> list[str]:
    from geo.core.service_rule import ServiceStatus
    return _enum_values(ServiceStatus)


def _modes() -> list[str]:
    from geo.core.service_rule import MODES
    return list(MODES)


def _roles() -> list[str]:
    from geo.auth.access import Role
    return _enum_values(Role)


def _actions() -> list[str]:
    from geo.auth.audit import ACTIONS
    return list(ACTIONS)


def _audit_columns() -> list[str]:
    from geo.auth.audit import COLUMNS
    return list(COLUMNS)


def _location_kinds() -> list[str]:
    from geo.core.sphere import ADVISER_KINDS
    from geo.planning.locate import VILLAGE_KINDS
    return [*VILLAGE_KINDS, *ADVISER_KINDS]


def _plan_formats() -> list[str]:
    from geo.planning.output import WRITERS
    return [ext.lstrip(".") for ext in WRITERS]


def _import_kinds() -> list[str]:
    from geo.imports import KINDS
    return [k.key for k in KINDS]


def _people_doubts() -> list[str]:
    from geo.sources.ledger.people import DOUBTS, TAKEN
    return [*DOUBTS, TAKEN]


def _match_units() -> list[str]:
    from geo.sources.matching import UNITS
    return list(UNITS)


def _ranking_and_summary_columns() -> list[str]:
    from geo.briefing.document import RANKING_COLUMNS
    from geo.outputs.export import SUMMARY_COLUMNS
    from geo.views.gap_list import VILLAGE_COLUMNS
    return [*RANKING_COLUMNS, *SUMMARY_COLUMNS, *VILLAGE_COLUMNS]


def _issuer_levels() -> list[str]:
    return [str(n) for n in range(5)]       # geo.briefing.document.issuer: min(level, 4)


def _langs() -> list[str]:
    return list(LANGS)


def _bools() -> list[str]:
    return [str(b).lower() for b in (True, False)]      # geo.auth.audit._value: a detail's true/false in words


def _feedback_statuses() -> list[str]:
    from geo.core.feedback import FEEDBACK_STATUSES
    return list(FEEDBACK_STATUSES)


def _batch_kinds() -> list[str]:
    from geo.records.run import KIND
    return [*_import_kinds(), "demo", "init", KIND]      # and the batches `python -m geo demo` / `init` write


def _map_words() -> list[str]:
    from geo.outputs import folium_map as fm
    own = [k for k in fm._MAP_KEYS if k not in fm.STATUS_COLOURS and k not in fm._SHARED_KEYS]
    layers = [key for layer in fm.LAYERS.values()
              for key in (layer.rate_title, layer.status_title, layer.rate_label, layer.nodata,
                          *(k for _, k in (*layer.rate_fields, *layer.status_fields)))]
    return own + [k.removeprefix("legend.") for k in layers if k.startswith("legend.")]


def _basemaps() -> list[str]:
    from geo.outputs.folium_map import BASEMAP_KINDS
    return list(BASEMAP_KINDS)


def _map_layers() -> list[str]:
    from geo.outputs.folium_map import LAYERS
    return list(LAYERS)


def _adviser_flags() -> list[str]:
    from geo.views.advisers import FLAG_KEYS
    return list(FLAG_KEYS)


def _contract_states() -> list[str]:
    from geo.views.advisers import STATE_AS_STATUS
    return list(STATE_AS_STATUS)


def _record_actions() -> list[str]:
    from geo.records.run import ACTIONS
    return list(ACTIONS)


def _end_reasons() -> list[str]:
    from geo.records.checks import END_REASONS, SNAPSHOT_REASON
    return [*END_REASONS, SNAPSHOT_REASON]


def _board_statuses() -> list[str]:
    from geo.assess.indicators import CURRENT, NONE, OUTDATED
    return [NONE, OUTDATED, CURRENT]


def _no_data_choices() -> list[str]:
    from geo.assess.indicators import Satisfaction
    return list(Satisfaction.fields["no_data"].options)


#: prefix -> the members the code makes keys of (each key is prefix + member), from the code's own tables
FAMILIES: dict[str, Callable[[], list[str]]] = {
    "status.": _status,
    "level.": _levels,
    "svc.status.": _service_status,
    "svc.mode.": _modes,
    "imp.mode.": _modes,
    "role.": _roles,
    "audit.action.": _actions,
    "audit.col.": _audit_columns,
    "audit.bool.": _bools,
    "loc.": _location_kinds,
    "plan.download_": _plan_formats,
    "imp.kind.": _batch_kinds,
    "fb.status.": _feedback_statuses,
    "imp.expect.": _import_kinds,
    "imp.rb.what.": _import_kinds,
    "people.doubt.": _people_doubts,
    "match.at.": _match_units,
    "col.": _ranking_and_summary_columns,
    "brief.issuer.": _issuer_levels,
    "lang.": _langs,
    "legend.": _map_words,
    "basemap.": _basemaps,
    "map.layer.": _map_layers,
    "adv.flag.": _adviser_flags,
    "adv.state.": _contract_states,
    "rec.action.": _record_actions,
    "rec.reason.": _end_reasons,
    "assess.board.": _board_statuses,
    "assess.no_data.": _no_data_choices,
}

#: prefix -> why its members cannot be listed from one table: every key under it counts as used
OPEN_FAMILIES: dict[str, str] = {
    "audit.key.": "a stored audit detail's keys, written at each call of geo.auth.audit.record (old rows keep theirs)",
    "audit.what.": "what an export was, named at each export's call site and kept in stored audit rows",
    "audit.attempt.": "what a refused user tried, named by each @refusals(...) and kept in stored audit rows",
    "audit.reason.": "why a login failed, written by geo.auth.accounts and kept in stored audit rows",
    "imp.reason.": "a reader's reject reasons, one set per import kind (geo.sources.*.match)",
    "imp.why.": "a reader's notes, worded per reason or per case (geo.sources, geo.imports)",
    "imp.field.": "a ledger's columns as the import page names them (geo.sources.ledger.fields)",
    "imp.sf.": "a service log's columns as the import page names them (geo.sources.servicelog.fields)",
    "imp.qf.": "a questionnaire summary's columns as the import page names them (geo.sources.questionnaire.fields)",
    "imp.how.": "how a ledger's county was found (geo.sources.matching: county_source)",
    "imp.method.": "how a row's village was matched (geo.sources.ledger.match: match_method)",
    "imp.stage.": "an import's progress stages (geo.imports.worker)",
    "imp.h.": "an import batch's status, as stored (active, rolled_back), beside the history's headers",
    "bnd.real.": "what a boundary file really holds (geo.sources.boundaries.files)",
    "period.": "why a contract period is doubtful (geo.sources.ledger.fields)",
    "adv.renew.": "the kinds of renewal (geo.views.advisers.renewals)",
    "adv.place.": "where an adviser's base is (geo.views.advisers), as the adviser page says it",
    "users.done_": "the account actions of pages/users.py",
}


# -------------------------------------------------------------------------------------------------- the tests

def _po(lang: str) -> dict[str, str]:
    with open(LOCALE_DIR / f"{lang}.po", "rb") as f:
        catalog = read_po(f, abort_invalid=True)
    return {m.id: m.string for m in catalog if m.id}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_catalogue_file_parses_and_has_the_same_keys():
    files = {lang: _po(lang) for lang in LANGS}
    zh = files[LANGS[0]]
    for lang, texts in files.items():
        assert set(texts) == set(zh), (lang, sorted(set(texts) ^ set(zh)))
        assert all(texts.values()), (lang, [k for k, v in texts.items() if not v])
    assert set(TEXT) == set(zh)


#: keys whose languages each use only some of the values the code passes (a date's parts in Chinese, the whole
#: ISO date in English ...): the code passes the union, so each language's grammar takes what it needs
OWN_VALUES_PER_LANGUAGE = frozenset({
    "brief.date", "brief.month_day", "brief.whole", "brief.ranking_note", "brief.ranking_plain", "svc.trend_begins",
    "imp.e.later", "imp.why.period", "imp.why.outside_county", "imp.why.no_such_village", "imp.why.same_name",
})


def test_each_key_has_the_same_placeholders_in_every_language():
    files = {lang: _po(lang) for lang in LANGS}
    differ = {key for key in files[LANGS[0]]
              if len({frozenset(_placeholders(files[lang][key])) for lang in LANGS}) > 1}
    assert differ <= OWN_VALUES_PER_LANGUAGE, sorted(differ - OWN_VALUES_PER_LANGUAGE)
    same_now = sorted(OWN_VALUES_PER_LANGUAGE - differ)
    assert not same_now, f"now the same in every language: take them off the list: {same_now}"


def test_no_key_is_written_twice_in_a_file():
    for lang in LANGS:
        ids = re.findall(r'^msgid "(.+)"$', (LOCALE_DIR / f"{lang}.po").read_text(encoding="utf-8"), re.M)
        assert len(ids) == len(set(ids)), (lang, sorted({i for i in ids if ids.count(i) > 1}))


def _family_members() -> set[str]:
    return {prefix + member for prefix, members in FAMILIES.items() for member in members()}


def test_every_key_is_used():
    literal = _literals()
    made = _family_members()
    unused = sorted(key for key in TEXT if key not in literal and key not in made
                    and not key.startswith(tuple(OPEN_FAMILIES)))
    assert not unused, f"unused catalogue keys (use them, or list their family here): {unused}"


def test_every_family_member_is_a_key():
    missing = sorted(key for key in _family_members() if key not in TEXT)
    assert not missing


def test_every_key_made_at_run_time_belongs_to_a_listed_family():
    listed = (*FAMILIES, *OPEN_FAMILIES)
    keys = set(TEXT)
    unlisted = sorted(p for p in _made_prefixes()
                      if any(k.startswith(p) for k in keys) and not p.startswith(listed))
    assert not unlisted, f"keys made at run time from these prefixes: list their families: {unlisted}"


_BILINGUAL = re.compile(r"[\u4e00-\u9fff][^\n]* ?/ [A-Za-z]")


def test_no_text_is_written_inline_in_two_languages():
    found = [f"{path.relative_to(ROOT)}:{line}: {text[:60]}"
             for path in _python_files(UI_SOURCES) for line, text, _ in _strings(path) if _BILINGUAL.search(text)]
    assert not found, "\n".join(found)


def test_the_text_layer_imports_nothing_else_of_geo():
    """geo.text is the lowest layer: every other part may use the catalogue, so it may use none of them."""
    imported = set()
    for path in _python_files(["geo/text"]):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert not sorted(m for m in imported if m.split(".")[0] == "geo" and not m.startswith("geo.text"))
