"""What a clerk may type into an adviser's record or a contract: each check a pure function raising
:class:`RecordRefused` with the field and the reason.

A licence number is a 律师执业证号 (17 digits) or a 基层法律服务工作者执业证 number (letters, digits and dashes as
provinces print them); a phone is a Chinese mobile or a landline with its area code; a base lies inside the
jurisdiction's outline (the country's frame when no outline is stored).  An ID-card number typed anywhere is refused,
as imports drop ID-card columns: it must never be stored.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from geo.core.errors import UserError
from geo.privacy.idcards import scrub_id_numbers
from geo.privacy.phones import phone_numbers
from geo.text.catalogue import Msg

#: why a contract ends early: the short list the form offers ("other" takes a text)
END_REASONS = ("transfer", "resigned", "failed_assessment", "replaced", "other")
#: what a snapshot ledger's missing contract is ended for (not offered on the form)
SNAPSHOT_REASON = "snapshot"
#: the reasons' Chinese words a CLI or a file may give instead of the codes
REASON_WORDS = {"调离": "transfer", "辞聘": "resigned", "辞职": "resigned", "考核不合格": "failed_assessment",
                "更换": "replaced", "其他": "other"}
KINDS = ("律师", "基层法律服务工作者", "其他")
#: China's frame (lon, lat): a base outside it is a typing error whatever the jurisdiction
CHINA = (73.4, 3.8, 135.1, 53.6)
_LICENCE = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-]{3,29}")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0[1-9]\d{1,2}[2-9]\d{6,7}")
MAX_TEXT = 200


class RecordRefused(UserError):
    """A change that cannot be made as asked; the message says which field or contract and why."""


#: a field as a refusal names it (the form's own label), not as the code calls it
FIELD_LABELS = {"name": "rec.f.name", "org": "rec.f.org", "licence_no": "rec.f.licence_no", "phone": "rec.f.phone",
                "kind": "rec.f.kind", "reason": "rec.f.reason_text"}


def refuse(key: str, **params: object) -> RecordRefused:
    if isinstance(params.get("field"), str) and params["field"] in FIELD_LABELS:
        params["field"] = Msg(FIELD_LABELS[params["field"]])
    return RecordRefused(key=key, params=params)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def no_id_number(field: str, text: str | None) -> str | None:
    """`text` unless it holds an ID-card number."""
    if text is not None and scrub_id_numbers(_nfkc(text)) != _nfkc(text):
        raise refuse("rec.e.id_number", field=field)
    return text


def plain_text(field: str, text: object, *, required: bool = False) -> str | None:
    """A short text field: trimmed, bounded, without an ID number; None when blank (refused when `required`)."""
    value = "" if text is None else _nfkc(str(text))
    if not value:
        if required:
            raise refuse("rec.e.required", field=field)
        return None
    if len(value) > MAX_TEXT or any(unicodedata.category(c) == "Cc" for c in value):
        raise refuse("rec.e.text", field=field, limit=MAX_TEXT)
    return no_id_number(field, value)


def licence_no(text: object) -> str | None:
    """A licence number without spaces, upper case; None when blank."""
    value = re.sub(r"\s+", "", _nfkc(str(text or ""))).upper()
    if not value:
        return None
    no_id_number("licence_no", value)
    if not _LICENCE.fullmatch(value) or sum(c.isdigit() for c in value) < 4:
        raise refuse("rec.e.licence", value=value)
    return value


def phone(text: object) -> str | None:
    """A mobile (11 digits, 1[3-9]) or a landline with area code, written as typed but trimmed; None when blank."""
    value = _nfkc(str(text or ""))
    if not value:
        return None
    no_id_number("phone", value)
    digits = phone_numbers(value)
    if len(digits) != 1 or not any(_MOBILE.fullmatch(d) or _LANDLINE.fullmatch(d) for d in digits):
        raise refuse("rec.e.phone", value=value)
    return value


def kind(text: object) -> str | None:
    value = _nfkc(str(text or ""))
    if not value:
        return None
    if value not in KINDS:
        raise refuse("rec.e.kind", value=value, kinds="、".join(KINDS))
    return value


@dataclass(frozen=True)
class Point:
    lon: float
    lat: float

    @classmethod
    def parse(cls, text: str) -> Point:
        """"lon,lat" (a comma, a space or a full-width comma between them)."""
        parts = [p for p in re.split(r"[,\s，]+", _nfkc(text)) if p]
        try:
            lon, lat = (float(p) for p in parts)
        except ValueError:
            raise refuse("rec.e.point", value=text) from None
        return cls(lon, lat)

    def in_china(self) -> bool:
        west, south, east, north = CHINA
        return west <= self.lon <= east and south <= self.lat <= north


def reason(code_or_word: str, text: str | None = None) -> str:
    """The stored reason of an early end: a code of :data:`END_REASONS`, "other" with the text after a colon."""
    value = _nfkc(code_or_word)
    code = REASON_WORDS.get(value, value)
    if code not in END_REASONS:
        code, text = "other", value
    if code != "other":
        return code
    said = plain_text("reason", text, required=True)
    return f"other:{said}"


def period(start: dt.date, end: dt.date | None) -> None:
    if end is not None and end < start:
        raise refuse("rec.e.period", start=start.isoformat(), end=end.isoformat())
