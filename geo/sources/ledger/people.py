"""Who is who among advisers: one person across the rows of a ledger, and against the people already stored.

Two records of an adviser are compared on their normalised name, licence number, phone and organisation
(:func:`compare`, the one rule table; README "Advisers and the cap"):

* the same licence number and name: the same person, whatever the phone or organisation (people change both);
* else different names: two people (the same licence number under another name is doubtful);
* the same name and different licence numbers: two people (doubtful when they share a phone);
* the same name and no licence number to compare: the same person when they share a phone, two (doubtful)
  when their phones differ;
* the same name and neither a licence number nor a phone to compare: the same person when the organisations
  agree, or when neither record has a licence number or phone at all and no organisation contradicts (the
  ledger gives nothing else, as a clerk's five rows of one name do); otherwise two, doubtful.

A doubtful pair is kept apart and named in the import report, so a clerk can check it; nothing merges people on
a guess.  Phones are compared as numbers (139 1234 5678, +86 13912345678, a number cell 13912345678.0 are one),
names without spaces and in half-width forms.  Phone numbers never appear in a message.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Literal

from geo.privacy.phones import phone_numbers

Verdict = Literal["same", "apart", "doubt"]
#: why a pair is doubtful: labels of the catalogue's people.doubt.<why>
DOUBTS = ("licence_other_name", "other_licence", "other_phone", "other_org", "unconfirmed")
#: and, against the store only: a stored person another person of the same file is already matched to
TAKEN = "taken"

_DOTS = re.compile(r"[\u00b7\u2022\u2027\u30fb\u2219\uff65.]")        # 买买提·艾力 in any middle dot
_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])")


def normal_name(name: object) -> str:
    """"张 三", "张　三" and "张三" are one name; Latin names ignore case and repeated spaces."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(name or ""))).strip()
    return _DOTS.sub("·", _CJK_SPACE.sub("", text)).casefold()


def normal_text(value: object) -> str | None:
    """A licence number or organisation without spaces, half-width, upper case; None when empty."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or ""))).upper()
    return text or None


@dataclass(frozen=True)
class Identity:
    """What tells one adviser from another, normalised."""

    name: str
    licence: str | None = None
    phones: frozenset[str] = frozenset()
    org: str | None = None

    @classmethod
    def of(cls, name: object, licence: object = None, phone: object = None, org: object = None) -> "Identity":
        return cls(normal_name(name), normal_text(licence), phone_numbers(str(phone or "")), normal_text(org))

    @property
    def has_number(self) -> bool:
        return bool(self.licence or self.phones)

    def filled(self, other: "Identity") -> "Identity":
        """This identity with what it lacks taken from `other` (the same person seen again)."""
        return replace(self, licence=self.licence or other.licence, phones=self.phones or other.phones,
                       org=self.org or other.org)


def compare(a: Identity, b: Identity) -> tuple[Verdict, str | None]:
    """Whether `a` and `b` are the same person, two, or two that look alike (with why: one of DOUBTS)."""
    if a.licence and b.licence and a.licence == b.licence:
        return ("same", None) if a.name == b.name else ("doubt", "licence_other_name")
    if a.name != b.name:
        return "apart", None
    shared_phone = bool(a.phones & b.phones)
    if a.licence and b.licence:
        return ("doubt", "other_licence") if shared_phone else ("apart", None)
    if a.phones and b.phones:
        return ("same", None) if shared_phone else ("doubt", "other_phone")
    if a.org and b.org:
        return ("same", None) if a.org == b.org else ("doubt", "other_org")
    if a.has_number or b.has_number:
        return "doubt", "unconfirmed"
    return "same", None


@dataclass(frozen=True)
class Likeness:
    """A record kept apart from a person it looks like: at `row` of the file, like `other`, because `why`."""

    row: int
    other: object           # the other person's key: a first row of the same file, or a stored adviser's id
    why: str


class People:
    """People met one after another (the rows of a ledger, or a file's people against the store): each record is
    the person it is the same as, or a new one; a doubtful likeness is kept once per pair of people.

    Candidates are found by name and by licence number, so each record is compared with a handful of people."""

    def __init__(self) -> None:
        self.known: dict[object, Identity] = {}
        self._by_name: dict[str, list[object]] = {}
        self._by_licence: dict[str, list[object]] = {}
        self.likenesses: list[Likeness] = []
        self._noted: set[tuple[object, object]] = set()

    def add(self, key: object, who: Identity) -> None:
        """A person known under `key` (a stored adviser's id, or a person new in the file)."""
        self.known[key] = who
        self._by_name.setdefault(who.name, []).append(key)
        if who.licence:
            self._by_licence.setdefault(who.licence, []).append(key)

    def find(self, who: Identity) -> tuple[object | None, list[tuple[object, str]]]:
        """The key of the person `who` is (a licence match first, else the first met) or None, and the
        (key, why) of every other person `who` looks like without being them."""
        same: list[object] = []
        doubts: list[tuple[object, str]] = []
        for key in dict.fromkeys([*self._by_name.get(who.name, ()), *self._by_licence.get(who.licence or "", ())]):
            verdict, why = compare(who, self.known[key])
            if verdict == "same":
                same.append(key)
            elif verdict == "doubt":
                doubts.append((key, why or ""))
        same.sort(key=lambda k: not (who.licence and self.known[k].licence == who.licence))
        return (same[0] if same else None), doubts

    def note(self, row: int, mine: object, doubts: list[tuple[object, str]]) -> None:
        """Keep the doubtful likenesses of person `mine`, met at `row`, each pair once."""
        for other, why in doubts:
            if other != mine and (mine, other) not in self._noted:
                self._noted.add((mine, other))
                self.likenesses.append(Likeness(row, other, why))

    def merge(self, key: object, who: Identity) -> None:
        """`who` is person `key` seen again: what the person lacked is filled from it."""
        known = self.known[key]
        self.known[key] = known.filled(who)
        if who.licence and not known.licence:
            self._by_licence.setdefault(who.licence, []).append(key)
