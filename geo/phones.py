"""Phone numbers in free text (a service log's 内容 / 备注): found in any spelling and removed, like ID numbers.

A mobile number is 11 digits, 1 then 3-9 (139 1234 5678), optionally after +86 / 86 / 0086.  A landline is an
area code (0 and 2-3 digits, sometimes in brackets) and a local number of 7-8 digits starting 2-9
(029-87654321, (029)8765 4321, 0917 3216549).  Clerks split them by spaces, dashes or dots and type them in
full-width digits; the search runs on the NFKC form (:func:`geo.idcards.remove_found`) and returns the rest of
the text as written.  A number must stand alone: digits glued on either side (a licence number, a division
code, an ID number) are not a phone.
"""
from __future__ import annotations

import re

from geo.idcards import remove_found, scrub_id_numbers

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
