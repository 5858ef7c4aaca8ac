"""A score sheet's rules read from a TOML file: the sheet, its indicators (from the fixed vocabulary of
:mod:`geo.assess.indicators`), its grades and the payment per grade.

Pure and bounded: a file over :data:`MAX_RULE_BYTES` is refused unread, every number has a range, every key a
place, and nothing is ever evaluated (a formula is text where a number belongs, and refused as such).  A
refusal names the line that is wrong (:class:`RuleError`).  The presets ``anhui`` and ``shandong`` and the
commented template ship in ``geo/assess/presets``.
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo.assess.indicators import COMMON_FIELDS, INDICATORS, MAX_POINTS, Choice, Field, Indicator, Number, Text
from geo.assess.period import KINDS
from geo.core.errors import UserError

PRESETS_DIR = Path(__file__).resolve().parent / "presets"
PRESETS = ("anhui", "shandong")
TEMPLATE = "template"
MAX_RULE_BYTES = 64 * 1024
MAX_INDICATORS, MAX_GRADES = 30, 8
MAX_PAYMENT = 1_000_000
TOP_KEYS = ("sheet", "indicator", "grade")
SHEET_FIELDS: dict[str, Field] = {"name": Text(60, required=True), "total": Number(1, MAX_POINTS),
                                  "best": Number(0, 100, integer=True, required=False, default=10),
                                  "warning_below": Number(0, MAX_POINTS, required=False)}
GRADE_FIELDS: dict[str, Field] = {"name": Text(10, required=True), "min": Number(0, MAX_POINTS),
                                  "payment_per_village": Number(0, MAX_PAYMENT, required=False)}
#: characters a name or label may not hold (controls; a label is printed in documents and spreadsheets)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TOML_LINE = re.compile(r"line (\d+)")


class RuleError(UserError, ValueError):
    """A rule file that cannot be used; ``line`` is the line at fault (None: the whole file)."""

    def __init__(self, message_key: str, line: int | None, **params: Any):
        self.line = line
        super().__init__(key=message_key, params={"line": line if line is not None else "-", **params})


@dataclass(frozen=True)
class Grade:
    name: str
    min: float
    payment_per_village: float | None


@dataclass(frozen=True)
class RuleSet:
    name: str
    total: float
    periods: tuple[str, ...]
    best: int
    warning_below: float | None
    indicators: tuple[Indicator, ...]
    grades: tuple[Grade, ...]
    source: str                         # the preset's name, or the file's

    def grade_of(self, score: float) -> Grade:
        return next(g for g in self.grades if score >= g.min - 1e-9)

    @property
    def pays(self) -> bool:
        return any(g.payment_per_village is not None for g in self.grades)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "source": self.source, "total": self.total, "periods": list(self.periods),
                "indicators": [dict(ind.values) for ind in self.indicators],
                "grades": [{"name": g.name, "min": g.min, "payment_per_village": g.payment_per_village}
                           for g in self.grades]}


class _Lines:
    """Where a key of a table stands in the file: the line of ``key =`` inside the n-th ``[[indicator]]``."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_\"'.-]+)\s*\]\]?")
    _KEY = re.compile(r"^\s*[\"']?([A-Za-z0-9_-]+)[\"']?\s*=")

    def __init__(self, text: str):
        self.places: dict[tuple[str, int], dict[str, int]] = {}
        self.headers: dict[tuple[str, int], int] = {}
        counts: dict[str, int] = {}
        current = ("", 0)
        self.places[current] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header:
                name = header.group(1).strip("\"'")
                counts[name] = counts.get(name, -1) + 1
                current = (name, counts[name])
                self.headers.setdefault(current, number)
                self.places.setdefault(current, {})
                continue
            key = self._KEY.match(line)
            if key:
                self.places[current].setdefault(key.group(1), number)

    def of(self, table: str, index: int = 0, key: str | None = None) -> int | None:
        place = (table, index)
        if key is not None and key in self.places.get(place, {}):
            return self.places[place][key]
        if key is not None and table == "" and key in self.places.get(("", 0), {}):
            return self.places[("", 0)][key]
        return self.headers.get(place) or self.places.get(("", 0), {}).get(table)


def _value(field: Field, raw: Any, key: str, line: int | None) -> Any:
    if isinstance(field, Number):
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise RuleError("assess.e.not_number", line, field=key, value=_shown(raw))
        if isinstance(raw, float) and not math.isfinite(raw):
            raise RuleError("assess.e.range", line, field=key, value=_shown(raw), low=field.low, high=field.high)
        if not field.low <= raw <= field.high:
            raise RuleError("assess.e.range", line, field=key, value=_shown(raw), low=field.low, high=field.high)
        if field.integer and raw != int(raw):
            raise RuleError("assess.e.integer", line, field=key, value=_shown(raw))
        return int(raw) if field.integer else float(raw)
    if isinstance(field, Choice):
        if not isinstance(raw, str) or raw not in field.options:
            raise RuleError("assess.e.choice", line, field=key, value=_shown(raw), options="、".join(field.options))
        return raw
    if not isinstance(raw, str):
        raise RuleError("assess.e.not_text", line, field=key, value=_shown(raw))
    if len(raw) > field.max_chars or _CONTROL.search(raw) or not raw.strip():
        raise RuleError("assess.e.text", line, field=key, chars=field.max_chars)
    return raw.strip()


def _shown(raw: Any) -> str:
    text = repr(raw) if not isinstance(raw, str) else raw
    text = _CONTROL.sub(" ", text)
    return text if len(text) <= 30 else text[:30] + "…"


def _table(fields: dict[str, Field], raw: Any, lines: _Lines, table: str, index: int) -> dict[str, Any]:
    """The values of one table, each checked against its field; unknown and missing keys refused."""
    if not isinstance(raw, dict):
        raise RuleError("assess.e.not_table", lines.of(table, index), field=table)
    for key in raw:
        if key not in fields:
            raise RuleError("assess.e.unknown_key", lines.of(table, index, key), field=_shown(key), table=table,
                            allowed="、".join(fields))
    out: dict[str, Any] = {}
    for key, field in fields.items():
        if key in raw:
            out[key] = _value(field, raw[key], key, lines.of(table, index, key))
        elif isinstance(field, Choice) and field.default is not None:
            out[key] = field.default
        elif isinstance(field, Number) and not field.required:
            if field.default is not None:
                out[key] = field.default
        elif getattr(field, "required", True):
            raise RuleError("assess.e.missing", lines.of(table, index), field=key, table=table)
    return out


def _list(raw: Any, lines: _Lines, table: str, most: int) -> list[Any]:
    if not isinstance(raw, list) or not raw:
        raise RuleError("assess.e.missing", lines.of(table, 0), field=table, table="")
    if len(raw) > most:
        raise RuleError("assess.e.too_many", lines.of(table, most), table=table, most=most)
    return raw


def _indicator(raw: Any, lines: _Lines, index: int) -> Indicator:
    if not isinstance(raw, dict):
        raise RuleError("assess.e.not_table", lines.of("indicator", index), field="indicator")
    kind = raw.get("kind")
    if kind is None:
        raise RuleError("assess.e.missing", lines.of("indicator", index), field="kind", table="indicator")
    cls = INDICATORS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise RuleError("assess.e.unknown_indicator", lines.of("indicator", index, "kind"), kind=_shown(kind),
                        known="、".join(INDICATORS))
    indicator = cls(_table({**COMMON_FIELDS, **cls.fields}, raw, lines, "indicator", index))
    wrong = indicator.check()
    if wrong is not None:
        key, message, params = wrong
        raise RuleError(message, lines.of("indicator", index, key), **params)
    return indicator


def _periods(raw: Any, lines: _Lines) -> tuple[str, ...]:
    if raw is None:
        return KINDS
    line = lines.of("sheet", 0, "periods")
    if not isinstance(raw, list) or not raw or len(raw) > len(KINDS):
        raise RuleError("assess.e.choice", line, field="periods", value=_shown(raw), options="、".join(KINDS))
    for kind in raw:
        _value(Choice(KINDS), kind, "periods", line)
    return tuple(k for k in KINDS if k in raw)


def parse_rules(data: bytes | str, source: str = "") -> RuleSet:
    """The rules of a rule file's text; a :class:`RuleError` naming the line when anything is wrong."""
    raw_bytes = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw_bytes) > MAX_RULE_BYTES:
        raise RuleError("assess.e.too_big", None, kb=MAX_RULE_BYTES // 1024, size=f"{len(raw_bytes) / 1024:,.0f}")
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RuleError("assess.e.encoding", None) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        found = _TOML_LINE.search(str(e))
        raise RuleError("assess.e.syntax", int(found.group(1)) if found else None, why=_shown(str(e))) from None
    except RecursionError:
        raise RuleError("assess.e.syntax", None, why="nesting") from None
    lines = _Lines(text)
    for key in doc:
        if key not in TOP_KEYS:
            raise RuleError("assess.e.unknown_key", lines.of(key), field=_shown(key), table="",
                            allowed="、".join(TOP_KEYS))
    if "sheet" not in doc:
        raise RuleError("assess.e.missing", None, field="sheet", table="")
    sheet_raw = doc["sheet"]
    periods = _periods(sheet_raw.pop("periods", None) if isinstance(sheet_raw, dict) else None, lines)
    sheet = _table(SHEET_FIELDS, sheet_raw, lines, "sheet", 0)
    indicators = tuple(_indicator(raw, lines, i)
                       for i, raw in enumerate(_list(doc.get("indicator"), lines, "indicator", MAX_INDICATORS)))
    total = sum(ind.points for ind in indicators)
    if abs(total - sheet["total"]) > 1e-6:
        raise RuleError("assess.e.sum", lines.of("sheet", 0, "total"), points=f"{total:g}",
                        total=f"{sheet['total']:g}")
    grades = tuple(Grade(g["name"], g["min"], g.get("payment_per_village"))
                   for g in (_table(GRADE_FIELDS, raw, lines, "grade", i)
                             for i, raw in enumerate(_list(doc.get("grade"), lines, "grade", MAX_GRADES))))
    for i, grade in enumerate(grades):
        if grade.min > sheet["total"] or (i and grade.min >= grades[i - 1].min):
            raise RuleError("assess.e.grades", lines.of("grade", i, "min"), total=f"{sheet['total']:g}")
    if grades[-1].min != 0:
        raise RuleError("assess.e.grade_floor", lines.of("grade", len(grades) - 1, "min"))
    return RuleSet(sheet["name"], sheet["total"], periods, sheet["best"], sheet.get("warning_below"), indicators,
                   grades, source)


def preset_text(name: str) -> str:
    return (PRESETS_DIR / f"{name}.toml").read_text(encoding="utf-8")


def load_rules(name_or_path: str | Path) -> RuleSet:
    """A preset by name (``anhui``, ``shandong``, ``template``), else a rule file's path."""
    name = str(name_or_path)
    if name in (*PRESETS, TEMPLATE):
        return parse_rules(preset_text(name), name)
    path = Path(name)
    if not path.is_file():
        raise RuleError("assess.e.no_file", None, file=name)
    if path.stat().st_size > MAX_RULE_BYTES:
        raise RuleError("assess.e.too_big", None, kb=MAX_RULE_BYTES // 1024,
                        size=f"{path.stat().st_size / 1024:,.0f}")
    return parse_rules(path.read_bytes(), path.name)
