"""The gap list's rules: the statuses it offers and shows by default, and how its rows are tallied."""
from __future__ import annotations

from collections import Counter
from typing import Iterable

from .coverage import GAP_STATUSES, Status
from .service_rule import ServiceStatus

#: every status, in the order the list offers and tallies them: the coverage statuses, then nominal (挂名: a
#: contract nobody visits, geo.service_rule), which a planner can ask for like any other
STATUSES = (*(s.value for s in Status), ServiceStatus.NOMINAL.value)
#: what the list shows until the user picks otherwise: every village that needs action
DEFAULT_STATUSES = tuple(s.value for s in GAP_STATUSES)


def listed_status(status: str, service_status: str, selected: Iterable[str]) -> str:
    """The status a listed village is tallied under: nominal when the list asks for nominal villages and it is
    one, else its coverage status."""
    nominal = ServiceStatus.NOMINAL.value
    return nominal if service_status == nominal and nominal in selected else status


def status_tally(statuses: Iterable[str]) -> list[tuple[str, int]]:
    """(status, villages) for each status present among `statuses` (one per listed village), in list order."""
    tally = Counter(statuses)
    return [(s, tally[s]) for s in STATUSES if tally[s]]
