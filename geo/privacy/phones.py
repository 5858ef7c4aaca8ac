"""Phone numbers in free text (a service log's 内容 / 备注): found in any spelling and removed, like ID numbers.

A mobile number is 11 digits, 1 then 3-9 (139 1234 5678), optionally after +86 / 86 / 0086.  A landline is an
area code (0 and 2-3 digits, sometimes in brackets) and a local number of 7-8 digits starting 2-9
(029-87654321, (029)8765 4321, 0917 3216549).  Clerks split them by spaces, dashes or dots and type them in
full-width digits; the search runs on the NFKC form (:func:`geo.privacy.idcards.remove_found`) and returns the rest of
the text as written.  A number must stand alone: digits glued on either side (a licence number, a division
code, an ID number) are not a phone.
"""
from __future__ import annotations

import re
import unicodedata

from geo.privacy.idcards import remove_found, scrub_id_numbers

#: what may stand between two digit groups of one number, after NFKC (full-width －, ． and space become ASCII)
_SEP = r"[ \t\-.\u2010-\u2015\u2212]?"
_MOBILE = rf"(?:(?:\+|00)?86{_SEP})?1{_SEP}[3-9](?:{_SEP}[0-9]){{9}}"
_LANDLINE = rf"(?:\(0[1-9][0-9]{{1,2}}\)|0[1-9][0-9]{{1,2}}){_SEP}[2-9](?:{_SEP}[0-9]){{6,7}}"
_PHONE = re.compile(rf"(?<![0-9+])(?:{_MOBILE}|{_LANDLINE})(?![0-9])")
#: no text with fewer digits holds a phone number (a landline has 3 + 7)
FEWEST_DIGITS = 10


def _phone_spans(norm: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PHONE.finditer(norm)]


def scrub_phone_numbers(text: str) -> str:
    """`text` without its phone numbers; everything else as written (ends stripped when something went)."""
    if sum(map(str.isdigit, text)) < FEWEST_DIGITS:
        return text
    return remove_found(text, _phone_spans)


def scrub_personal_numbers(text: str) -> str:
    """`text` without ID-card numbers and then without phone numbers: what free text may keep."""
    return scrub_phone_numbers(scrub_id_numbers(text))


#: a run of this many digits (one space, dash or dot allowed between two) is never needed in a villager's comment
LONG_NUMBER_DIGITS = 11
_LONG_NUMBER = re.compile(rf"(?<![0-9])[0-9](?:{_SEP}[0-9]){{{LONG_NUMBER_DIGITS - 1},}}(?:{_SEP}[Xx](?![A-Za-z]))?")


def scrub_villager_text(text: str) -> str:
    """A villager's free text (the public page's comment, a paper questionnaire's remark) without any long number.

    Stricter than :func:`scrub_personal_numbers`, which keeps what is not a valid ID or phone number because a
    clerk's log holds licence numbers and codes: a villager's comment has no use for 11 digits in a row, and an ID
    number with a wrong check digit or a mistyped phone number still names a person."""
    text = scrub_personal_numbers(text)
    if sum(map(str.isdigit, text)) < LONG_NUMBER_DIGITS:
        return text
    return remove_found(text, lambda norm: [m.span() for m in _LONG_NUMBER.finditer(norm)])


def phone_numbers(cell: str) -> frozenset[str]:
    """The numbers of a phone cell, as comparable digits: a mobile's 11 (no +86), a landline's area code and
    number.  A cell without a recognisable number gives its digits when they are a number's length, a leading 0
    put back on a landline that Excel stored as a number (029-87654321 typed as 2987654321)."""
    norm = unicodedata.normalize("NFKC", cell)
    found = {_digits(m.group()) for m in _PHONE.finditer(norm)}
    if not found:
        digits = _digits(norm)
        if len(digits) in (9, 10) and digits[0] in "23456789":
            digits = "0" + digits
        if len(digits) >= 7:
            found.add(digits)
    return frozenset(found)


def _digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    # +86 / 0086 / 86 before a mobile: the regex allows a country code only there
    return digits[-11:] if len(digits) > 11 and digits[-11] == "1" and "86" in digits[:-11] else digits
