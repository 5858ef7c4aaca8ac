"""A board's content: the village, its advisers, the county's settings and the day, as a signboard prints it and
the public page shows it (:mod:`geo.public.boards` builds them from the store)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from geo.public.settings import CountySettings

#: the five kinds of service an adviser gives a village, as a board lists them (catalogue keys)
SERVICE_KEYS = ("pub.svc.advice", "pub.svc.education", "pub.svc.mediation", "pub.svc.aid", "pub.svc.governance")
#: the public page's path: BASE + PAGE_PREFIX + "/" + token
PAGE_PREFIX = "/v"


@dataclass(frozen=True)
class Adviser:
    name: str
    org: str | None
    phone: str | None


@dataclass(frozen=True)
class Board:
    village: str                 # 12 digits
    name: str
    township: str | None
    county: str | None
    advisers: tuple[Adviser, ...]
    settings: CountySettings
    last_onsite: dt.date | None = None      # only when the county shows it
    as_of: dt.date = field(default_factory=dt.date.today)

    @property
    def content_sha256(self) -> str:
        """A fingerprint of what the board prints (not its dates, not its QR code)."""
        s = self.settings
        text = json.dumps({"name": self.name, "advisers": [[a.name, a.org, a.phone] for a in self.advisers],
                           "settings": [s.supervision_phone, s.hotline, s.service_time, s.service_place]},
                          ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()
