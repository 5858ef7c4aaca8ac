"""Service logs (服务台账 / 工作日志) that county bureaus keep: read them, then match them to villages and advisers.

The same phases as :mod:`geo.sources.ledger`, on its machinery:

* :mod:`geo.sources.servicelog.values`: one cell -> a value (date, hours, mode, people), each vocabulary a table;
* :mod:`geo.sources.servicelog.fields`: :func:`read_service_log` file -> :class:`ServiceTable` (header under title
  rows, merged township cells filled down, 合计 / repeated-header rows skipped, ID-card and phone numbers
  removed from free text, ID and phone columns never read);
* :mod:`geo.sources.servicelog.match`: :func:`match_service_log` rows -> :class:`ServiceRecord` s or rejects, villages
  through :mod:`geo.sources.matching`, advisers by licence number, else by name within the county.
"""
from __future__ import annotations

from geo.sources.servicelog.fields import LOG_COLUMNS, ServiceRow, ServiceTable, read_service_log
from geo.sources.servicelog.match import (
           REJECT_REASONS,
           AdviserBook,
           ServiceMatch,
           ServiceRecord,
           match_service_log,
           service_county,
)
from geo.sources.servicelog.values import (
           HOUR_UNITS,
           HOUR_WORDS,
           MODE_CHOICES,
           MODE_WORDS,
           ONSITE,
           OTHER,
           REMOTE,
           SERVICE_CATEGORIES,
           Problem,
           people_served,
           service_date,
           service_hours,
           service_mode,
)

__all__ = ["HOUR_UNITS", "HOUR_WORDS", "LOG_COLUMNS", "MODE_CHOICES", "MODE_WORDS", "ONSITE", "OTHER", "REJECT_REASONS",
           "REMOTE", "SERVICE_CATEGORIES",
           "AdviserBook", "Problem", "ServiceMatch", "ServiceRecord", "ServiceRow", "ServiceTable",
           "match_service_log", "people_served", "read_service_log", "service_county", "service_date",
           "service_hours", "service_mode"]
