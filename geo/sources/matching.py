"""One matching core: the village names and codes a bureau's files give, matched to registry villages the same
way in every reader (ledgers, boundary files, division lists, and the readers still to come).

* the real-village rule (:func:`is_real_village`, vectorised :func:`real_villages`); its SQL form is
  :func:`geo.store.rules.real_village` and a test holds the two together on the shipped registry;
* :class:`RegistryIndex`: the registry indexed once per frame object (:func:`registry_index`), with one
  :class:`CountyIndex` per county keyed by the name tiers of :mod:`geo.sources.names`;
* county resolution: :func:`resolve_county` (a code or a name given by the user), :func:`detect_county` (from
  the words of a title, the village codes or the village names) and :func:`choose_county` (either);
* :class:`Reject` (a row not used: reason code + parameters, rendered through :mod:`geo.text.catalogue`) and
  :class:`Note` (a row used, worth a look);
* :func:`match_village` / :func:`match_villages`: what a reader calls with rows of (township, village, code).
"""
from __future__ import annotations

import bisect
import re
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from geo.core.codes import CodeError, normalize_code
from geo.core.errors import UserError
from geo.sources.names import (
    clean_name,
    committee_form,
    normalize_township_name,
    normalize_village_name,
    normalize_village_names,
    village_name_keys,
)
from geo.text.catalogue import LANGS, Msg, t


# ------------------------------------------------------------------------------------------ the real village
def is_real_village(code: str | int, level: int, abolished: bool = False) -> bool:
    """Level 5, village digits not 000, not abolished by a newer registry.

    金门县 350527000000 is listed at levels 3-5 as a placeholder with no real children: it is no village.
    """
    return int(level) == 5 and int(code) % 1000 != 0 and not abolished


def real_villages(frame: pd.DataFrame) -> pd.Series:
    """:func:`is_real_village` over a registry frame (code as 12-digit text or integer, level, and an
    ``abolished`` column when the frame has one): a boolean mask aligned with ``frame``."""
    code = frame["code"]
    if pd.api.types.is_numeric_dtype(code):
        village_digits = code % 1000 != 0
    else:
        village_digits = ~code.astype(str).str.endswith("000")
    mask = frame["level"].eq(5) & village_digits
    if "abolished" in frame.columns:
        mask &= ~frame["abolished"].astype("boolean").fillna(False).astype(bool)
    return mask.astype(bool)


# ------------------------------------------------------------------------------------------ rejects and notes
#: how a message names the thing it is about: a row of a table, a feature of a boundary file
UNITS = ("row", "feature")


def _at(unit: str, row: int, text: str, lang: str) -> str:
    return t(f"match.at.{unit}", lang, row=row, text=text)


@dataclass(frozen=True)
class Reject:
    """A row (or a boundary file's feature) that was not used, and why.

    ``reason`` is the cause as a code: the report's reason column shows ``imp.reason.<reason>``.  The sentence
    saying it in full is ``imp.why.<why>`` (``why`` defaults to the reason; one reason may be worded several
    ways) formatted with ``params``.  ``raw`` holds the row's own cells (ID numbers removed).
    """

    row: int
    reason: str
    params: Mapping[str, Any] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict)
    why: str | None = None
    unit: str = "row"
    village: str | None = None  # the village name the reject is about, when the row named several

    def text(self, lang: str = "zh") -> str:
        """The sentence in one language, without the row: for a table that has a row column."""
        return t(f"imp.why.{self.why or self.reason}", lang, **self.params).strip()

    def line(self, lang: str = "zh") -> str:
        """The sentence in one language, headed by its row ("第12行：..." / "row 12: ...")."""
        return _at(self.unit, self.row, self.text(lang), lang)

    @property
    def message(self) -> str:
        """Both languages, "中文 / English", as the report's message column has always carried."""
        return " / ".join(self.line(lang) for lang in LANGS)

    # the names the ledger and boundary readers gave these fields before they shared one type
    @property
    def row_number(self) -> int:
        return self.row

    @property
    def feature_index(self) -> int:
        return self.row

    @property
    def attributes(self) -> Mapping[str, Any]:
        return self.raw


def outside_jurisdiction(row: int, code: str, raw: Mapping[str, Any] | None = None, *, unit: str = "row",
                         village: str | None = None) -> Reject:
    """A row (or feature) whose village `code` lies outside the importing user's jurisdiction."""
    return Reject(row, "outside_jurisdiction", {"code": code}, dict(raw or {}), unit=unit, village=village)


class Note(str):
    """A remark on a row that was used, worth a look: the bilingual line (it *is* the string, as the readers'
    warnings have always been) plus its catalogue key and parameters, to be shown in one language."""

    key: str
    params: dict[str, Any]
    row: int
    unit: str

    def __new__(cls, row: int, key: str, unit: str = "row", **params: Any) -> "Note":
        obj = super().__new__(cls, " / ".join(_at(unit, row, t(key, lang, **params), lang) for lang in LANGS))
        obj.key, obj.params, obj.row, obj.unit = key, params, row, unit
        return obj

    def text(self, lang: str = "zh") -> str:
        return t(self.key, lang, **self.params)

    @property
    def msg(self) -> Msg:
        """The sentence without its row, as a message (a str is not localised as a value: geo.text.catalogue)."""
        return Msg(self.key, self.params)

    def line(self, lang: str = "zh") -> str:
        return _at(self.unit, self.row, self.text(lang), lang)

    def __reduce__(self):  # a reader's result comes back pickled from its worker (geo.imports.worker)
        return _note, (self.row, self.key, self.unit, self.params)


def _note(row: int, key: str, unit: str, params: dict[str, Any]) -> Note:
    return Note(row, key, unit, **params)


class Remark(str):
    """A remark on a whole file (no row), worth a look: the bilingual line (it *is* the string, as the readers'
    warnings have always been) plus its catalogue message, to be shown in one language."""

    msg: Msg

    def __new__(cls, key: str, **params: Any) -> "Remark":
        msg = Msg(key, params)
        obj = super().__new__(cls, msg.bilingual())
        obj.msg = msg
        return obj

    def text(self, lang: str = "zh") -> str:
        return self.msg.text(lang)

    def __reduce__(self):  # pickled back from the reading worker, as Note
        return _remark, (self.msg.key, dict(self.msg.params))


def _remark(key: str, params: dict[str, Any]) -> Remark:
    return Remark(key, **params)


class CountyError(UserError, ValueError):
    """A county the user named that the registry does not hold (or holds twice), or one that cannot be told."""

    def __init__(self, key: str, **params: Any):
        super().__init__(key=key, params=params)     # the message from the catalogue, like every user error

    def text(self, lang: str = "zh") -> str:
        return super().text(lang)


# ------------------------------------------------------------------------------------------------ name tiers
def name_tiers(name: object) -> tuple[str, str, list[str]]:
    """(committee form, normalised key, every key) of a village name, most specific first (geo.sources.names)."""
    return committee_form(name), normalize_village_name(name), village_name_keys(name)


_COMMUNITY_END = re.compile(r"(?:社区|居委会|居民委员会|社区居委会|社区居民委员会)$")
_VILLAGE_END = re.compile(r"(?:村|村委会|村民委员会|嘎查|嘎查村民委员会|嘎查委员会)$")


def name_kind(name: object) -> str | None:
    """'community' / 'village' from an explicit suffix, None when the name has none."""
    text = clean_name(name)
    if _COMMUNITY_END.search(text):
        return "community"
    if _VILLAGE_END.search(text):
        return "village"
    return None


class CountyIndex:
    """The villages and townships of one county, keyed by the name tiers."""

    def __init__(self, villages: Mapping[str, str], townships: Mapping[str, str]):
        self.names: dict[str, str] = dict(villages)  # code -> the registry's name
        self._full: dict[str, list[str]] = defaultdict(list)
        self._committee: dict[str, list[str]] = defaultdict(list)
        self._norm: dict[str, list[str]] = defaultdict(list)
        self._keys: dict[str, list[str]] = defaultdict(list)
        for code, name in self.names.items():
            committee, norm, keys = name_tiers(name)
            self._full[clean_name(name)].append(code)
            self._committee[committee].append(code)
            self._norm[norm].append(code)
            for key in dict.fromkeys([*keys, committee, norm]):
                self._keys[key].append(code)
        # township key -> 9-digit prefixes; full names too ("城关镇"), so both spellings resolve
        self.townships: dict[str, set[str]] = defaultdict(set)
        for t9, tname in townships.items():
            for key in {clean_name(tname), normalize_township_name(tname)}:
                if key:
                    self.townships[key].add(t9)
        # longest first, for names written with their township in front ("二曲街道镇东村")
        self._township_words = sorted(((word, t9) for word, t9s in self.townships.items() if len(word) >= 2
                                       for t9 in t9s), key=lambda wp: -len(wp[0]))

    def tiers(self, name: object) -> list[list[str]]:
        """Candidate codes per tier, most specific first: the registry name as written, the committee form
        ("马村委会" = "马村", "巴音牧委会" = "巴音牧民委员会"), the normalised key ("马"), any key."""
        committee, norm, keys = name_tiers(name)
        # "新村" may be the registry's 新村委会 (village 新村) or 新村村委会 (written with the 村 doubled)
        twins = [committee + "村"] if committee.endswith("村") else []
        if committee.endswith("村村"):
            twins.append(committee[:-1])
        exact = list(self._committee.get(committee, []))
        exact += [c for twin in twins for c in self._committee.get(twin, []) if c not in exact]
        merged: list[str] = []
        for key in keys:
            merged += [c for c in self._keys.get(key, []) if c not in merged]
        return [list(self._full.get(clean_name(name), [])), exact, list(self._norm.get(norm, [])), merged]

    def lookup(self, name: object) -> list[str]:
        """The codes of the most specific tier that has any."""
        return next((codes for codes in self.tiers(name) if codes), [])

    def township_prefixes(self, township: object) -> set[str] | None:
        """The 9-digit prefixes a township name may mean (several when two townships share a key)."""
        if township is None:
            return None
        return self.townships.get(clean_name(township)) or self.townships.get(normalize_township_name(township))

    def township_of(self, township: object) -> str | None:
        """The one 9-digit prefix a township name means, else None."""
        prefixes = self.township_prefixes(township)
        return next(iter(prefixes)) if prefixes and len(prefixes) == 1 else None

    def split_township(self, name: object) -> tuple[str, set[str]] | None:
        """("镇东村", {"610124001"}) for "二曲街道镇东村"; None when no township name starts the name."""
        text = clean_name(name)
        for word, _ in self._township_words:
            if text.startswith(word) and len(text) > len(word):
                return text[len(word):], set(self.townships[word])
        return None


# -------------------------------------------------------------------------------------------- registry index
class RegistryIndex:
    """The registry sorted by code: real villages, county / city / province / township names, and one
    :class:`CountyIndex` per county, built when first asked for."""

    def __init__(self, registry: pd.DataFrame):
        df = registry[[c for c in ("code", "name", "level", "abolished") if c in registry.columns]]
        if pd.api.types.is_numeric_dtype(df["code"]):  # BIGINT codes straight from the store
            df = df.assign(code=df["code"].map(lambda c: f"{int(c):012d}").astype(object))
        df = df.sort_values("code", kind="stable")
        # plain lists: iterating pandas 3's arrow-backed strings row by row is several times slower
        self.codes: list[str] = [str(c) for c in df["code"].tolist()]
        self.names: list[str] = [str(n) for n in df["name"].tolist()]
        self.levels: list[int] = [int(x) for x in df["level"].tolist()]
        self.village_name: dict[str, str] = {}
        for code, name, real in zip(self.codes, self.names, real_villages(df).tolist()):
            if real:
                self.village_name.setdefault(code, name)
        self.counties: dict[str, str] = {}   # 6 digits -> name
        self.cities: dict[str, str] = {}     # 4 digits -> name
        self.provinces: dict[str, str] = {}  # 2 digits -> name
        self.townships: dict[str, str] = {}  # 9 digits -> name
        width = {1: (2, self.provinces), 2: (4, self.cities), 3: (6, self.counties), 4: (9, self.townships)}
        for code, name, level in zip(self.codes, self.names, self.levels):
            if level in width:
                digits, names = width[level]
                names.setdefault(code[:digits], name)
        self._villages_sorted = sorted(self.village_name)
        self._townships_sorted = sorted(self.townships)
        self._county_cache: dict[str, CountyIndex] = {}
        self._counties_by_name: dict[str, list[str]] = defaultdict(list)
        for c6, name in self.counties.items():
            self._counties_by_name[clean_name(name)].append(c6)
        self._national_keys: pd.DataFrame | None = None

    def villages_in(self, prefix: str) -> list[str]:
        return _in_prefix(self._villages_sorted, prefix)

    def county(self, c6: str) -> CountyIndex:
        index = self._county_cache.get(c6)
        if index is None:
            index = CountyIndex({c: self.village_name[c] for c in self.villages_in(c6)},
                                {t9: self.townships[t9] for t9 in _in_prefix(self._townships_sorted, c6)})
            self._county_cache[c6] = index
        return index

    def counties_named(self, name: object) -> list[str]:
        return list(self._counties_by_name.get(clean_name(name), []))

    def county_votes(self, names: Iterable[str]) -> Counter[str]:
        """Per county (6 digits): how many of ``names`` it has a village of (by normalised name)."""
        if self._national_keys is None:
            codes = pd.Series(list(self.village_name), dtype=object)
            names_ = pd.Series(list(self.village_name.values()), dtype=object)
            self._national_keys = pd.DataFrame({"key": normalize_village_names(names_).to_numpy(),
                                                "county": codes.str[:6].to_numpy()})
        keys = {normalize_village_name(n) for n in names}
        hits = self._national_keys[self._national_keys["key"].isin(keys)].drop_duplicates()
        return Counter(hits["county"].value_counts().to_dict())


def _in_prefix(ordered: list[str], prefix: str) -> list[str]:
    lo = bisect.bisect_left(ordered, prefix)
    hi = bisect.bisect_left(ordered, prefix + "\x7f")
    return ordered[lo:hi]


_INDEX_CACHE: dict[int, tuple[weakref.ref, int, RegistryIndex]] = {}


def registry_index(registry: pd.DataFrame | RegistryIndex) -> RegistryIndex:
    """The index of a registry frame, built once per frame object (one registry at a time: it is large)."""
    if isinstance(registry, RegistryIndex):
        return registry
    hit = _INDEX_CACHE.get(id(registry))
    if hit is not None and hit[0]() is registry and hit[1] == len(registry):
        return hit[2]
    index = RegistryIndex(registry)
    _INDEX_CACHE.clear()
    _INDEX_CACHE[id(registry)] = (weakref.ref(registry), len(registry), index)
    return index


# ---------------------------------------------------------------------------------------------------- county
@dataclass(frozen=True)
class County:
    """The county a file's villages are matched in, and how it was found."""

    code6: str
    name: str
    source: str  # "given" / "title" / "codes" / "villages"
    index: CountyIndex = field(repr=False, compare=False)

    @property
    def code(self) -> str:
        return self.code6.ljust(12, "0")


def resolve_county(index: RegistryIndex, raw: object) -> str:
    """A county the user gave as a code (6, 9 or 12 digits) or a name -> its 6 digits; CountyError if none."""
    text = clean_name(raw)
    if text.isdigit():
        try:
            c6 = normalize_code(text)[:6]
        except CodeError:
            raise CountyError("match.county.bad_code", raw=raw) from None
        if c6 not in index.counties:
            raise CountyError("match.county.unknown_code", raw=raw)
        return c6
    hits = index.counties_named(text)
    if len(hits) > 1:
        raise CountyError("match.county.not_unique", raw=raw, codes=", ".join(hits))
    if not hits:
        raise CountyError("match.county.unknown_name", raw=raw)
    return hits[0]


_ADMIN_SUFFIX = re.compile(r"(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市|自治州|地区|盟)$")
_COUNTY_SUFFIX = re.compile(r"(?:自治县|自治旗|特区|林区|县|区|市|旗)$")


def _short(name: str, pattern: re.Pattern[str]) -> str:
    s = pattern.sub("", name)
    return s if len(s) >= 2 else name


def _title_candidates(index: RegistryIndex, text: str) -> tuple[list[tuple[int, str]], bool]:
    """((score, county6) for counties named in the text, best first; whether only short forms matched)."""
    text = clean_name(text)
    if not text:
        return [], False
    hits: dict[str, list[tuple[int, int]]] = {}
    short_only = False
    for c6, name in index.counties.items():
        if len(name) >= 2 and name in text:
            hits[c6] = [(m.start(), m.start() + len(name)) for m in re.finditer(re.escape(name), text)]
    if not hits:  # "周至司法局": the short form, only when no full name occurs
        short_only = True
        for c6, name in index.counties.items():
            short = _short(name, _COUNTY_SUFFIX)
            if short != name and len(short) >= 2 and short in text:
                hits[c6] = [(m.start(), m.start() + len(short)) for m in re.finditer(re.escape(short), text)]
    spans = [(s, e, c6) for c6, occ in hits.items() for s, e in occ]
    scored: list[tuple[int, str]] = []
    for c6, occ in hits.items():
        # drop "宁县" when it only occurs inside "中宁县"
        if all(any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) for s2, e2, _ in spans) for s, e in occ):
            continue
        score = 1
        city = index.cities.get(c6[:4])
        if city and (city in text or _short(city, _ADMIN_SUFFIX) in text):
            score += 2
        prov = index.provinces.get(c6[:2])
        if prov and (prov in text or _short(prov, _ADMIN_SUFFIX) in text):
            score += 1
        scored.append((score, c6))
    scored.sort(key=lambda x: -x[0])
    return scored, short_only


def _mentioned_prefixes(index: RegistryIndex, text: str) -> list[str]:
    text = clean_name(text)
    out = [c4 for c4, n in index.cities.items() if n in text or (len(_short(n, _ADMIN_SUFFIX)) >= 2
                                                                   and _short(n, _ADMIN_SUFFIX) in text)]
    if not out:
        out = [c2 for c2, n in index.provinces.items() if n in text or _short(n, _ADMIN_SUFFIX) in text]
    return out


def _village_votes(index: RegistryIndex, names: set[str], counties: Iterable[str] | None) -> Counter[str]:
    """Per county: how many distinct village names match exactly one village there."""
    if counties is None:
        return index.county_votes(names)
    return Counter({c6: sum(1 for n in names if len(index.county(c6).lookup(n)) == 1) for c6 in counties})


def _by_title(index: RegistryIndex, text: str, names: set[str]) -> str | None:
    candidates, short_only = _title_candidates(index, text)
    if not candidates:
        return None
    top = [c for s, c in candidates if s == candidates[0][0]]
    if len(top) == 1 and not short_only:
        return top[0]
    # several counties of that name (鼓楼区), or only a short form ("城关" may be 城关镇): ask the villages
    ranked = _village_votes(index, names, top).most_common()
    if ranked and ranked[0][1] > 0 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return ranked[0][0]
    return None


def _by_codes(index: RegistryIndex, codes: Iterable[str]) -> str | None:
    counted = Counter(c[:6] for c in codes if c and c[:6] in index.counties)
    return counted.most_common(1)[0][0] if counted else None


def _by_villages(index: RegistryIndex, text: str, names: set[str]) -> str | None:
    votes = _village_votes(index, names, None)
    prefixes = _mentioned_prefixes(index, text)
    if prefixes:
        votes = Counter({c: v for c, v in votes.items() if any(c.startswith(p) for p in prefixes)})
    ranked = votes.most_common(2)
    if ranked and ranked[0][1] >= max(2, len(names) // 3) and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return ranked[0][0]
    return None


def detect_county(index: RegistryIndex, text: str = "", names: Iterable[str] = (),
                  codes: Iterable[str | None] = ()) -> tuple[str, str] | None:
    """(county6, source) from the words of ``text`` (a title, the file name), then the village ``codes``, then
    the village ``names``; None when none of them tells."""
    names = {n for n in names if n}
    for source, found in (("title", lambda: _by_title(index, text, names)),
                          ("codes", lambda: _by_codes(index, [c for c in codes if c])),
                          ("villages", lambda: _by_villages(index, text, names))):
        if (c6 := found()) is not None:
            return c6, source
    return None


def choose_county(index: RegistryIndex, given: object = None, *, text: str = "", names: Iterable[str] = (),
                  codes: Iterable[str | None] = ()) -> County:
    """The county given by the user (a code or a name), else the one detected; CountyError when neither."""
    if given is not None and str(given).strip():
        c6, source = resolve_county(index, given), "given"
    else:
        detected = detect_county(index, text, names, codes)
        if detected is None:
            raise CountyError("match.county.undetected")
        c6, source = detected
    return County(c6, index.counties[c6], source, index.county(c6))


# ---------------------------------------------------------------------------------------------- one village
@dataclass(frozen=True)
class Wanted:
    """What one row of a file says about one village: any of its township, its name and its code."""

    row: int
    village: str | None = None
    township: str | None = None
    code: str | None = None  # 12 digits when the row gave a valid village code
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Found:
    """A row's village found in the registry."""

    row: int
    code: str     # 12 digits
    name: str     # the registry's name
    written: str  # the name as the file wrote it ("" when matched by code alone)
    notes: tuple[Note, ...] = ()


def match_village(county: County, want: Wanted) -> Found | Reject:
    """One village in ``county``: by code when the row gives one the registry has, else by name (narrowed by the
    row's township, or by a township written in front of the name); a Reject when none or several fit."""
    notes: list[Note] = []
    if want.code is not None:
        found = _by_code(county, want, notes)
        if found is not None:
            return found
    return _by_name(county, want, notes)


def _reject(want: Wanted, reason: str, why: str, **params: Any) -> Reject:
    return Reject(want.row, reason, params, dict(want.raw), why=why, village=want.village)


def _by_code(county: County, want: Wanted, notes: list[Note]) -> Found | Reject | None:
    """Found / Reject by the code, or None (with a note) when the name must decide."""
    code = want.code
    assert code is not None
    if code[:6] != county.code6:
        return _reject(want, "unknown_village", "code_other_county", code=code, county=county.name)
    if code in county.index.names:
        return Found(want.row, code, county.index.names[code], want.village or "", tuple(notes))
    if not want.village:
        return _reject(want, "unknown_village", "code_unknown", code=code)
    notes.append(Note(want.row, "imp.note.code_unknown", code=code))
    return None


def _by_name(county: County, want: Wanted, notes: list[Note]) -> Found | Reject:
    ci, name, township = county.index, want.village or "", want.township
    candidates = ci.lookup(name)
    prefixes = ci.township_prefixes(township) if township else None
    if not candidates and (split := ci.split_township(name)):
        candidates, prefixes = ci.lookup(split[0]), split[1]
    where = f"{county.name}{township or ''}"
    if not candidates:
        return _reject(want, "unknown_village", "village_unknown", name=name, where=where)
    chosen: str | None = None
    if prefixes:
        narrowed = [c for c in candidates if c[:9] in prefixes]
        if len(narrowed) == 1:
            chosen = narrowed[0]
        elif not narrowed and len(candidates) == 1:
            chosen = candidates[0]
            notes.append(Note(want.row, "imp.note.other_township", name=name))
        else:
            candidates = narrowed or candidates
    elif len(candidates) == 1:
        chosen = candidates[0]
        if township:
            notes.append(Note(want.row, "imp.note.no_township", township=township))
    if chosen is None:
        chosen = _same_kind(ci, name, candidates)
    if chosen is None:
        listed = "、".join(f"{ci.names[c]}({c})" for c in candidates[:5])
        scope = where if prefixes and all(c[:9] in prefixes for c in candidates) else county.name
        return _reject(want, "ambiguous_village", "ambiguous_township" if township else "ambiguous",
                       scope=scope, n=len(candidates), name=name, listed=listed, township=township or "")
    return Found(want.row, chosen, ci.names[chosen], name, tuple(notes))


def _same_kind(ci: CountyIndex, name: str, candidates: list[str]) -> str | None:
    """The one candidate of the kind the name says ("终南社区" and "终南村" are different units), else None."""
    wanted = name_kind(name)
    same = [c for c in candidates if wanted and name_kind(ci.names[c]) == wanted]
    return same[0] if len(same) == 1 else None


@dataclass
class VillageMatches:
    """:func:`match_villages`' result: the county, and per row a Found or a Reject."""

    county: County
    found: list[Found]
    rejects: list[Reject]


def match_villages(registry: pd.DataFrame | RegistryIndex, county: object, rows: Sequence[Wanted], *,
                   text: str = "") -> VillageMatches:
    """Match rows of (township, village, code) to the villages of one county: ``county`` as the user gave it
    (code or name), or None to detect it from ``text`` (a title, the file name) and the rows themselves."""
    index = registry_index(registry)
    chosen = choose_county(index, county, text=text, names=[r.village for r in rows if r.village],
                           codes=[r.code for r in rows])
    results = [match_village(chosen, row) for row in rows]
    return VillageMatches(chosen, [r for r in results if isinstance(r, Found)],
                          [r for r in results if isinstance(r, Reject)])
