"""The gap list's rules: the statuses it offers and shows by default, and how its rows are tallied."""
from __future__ import annotations

from collections import Counter
from typing import Iterable

from .coverage import GAP_STATUSES, Status

#: every status, in the order the list offers and tallies them
STATUSES = tuple(s.value for s in Status)
#: what the list shows until the user picks otherwise: every village that needs action
DEFAULT_STATUSES = tuple(s.value for s in GAP_STATUSES)


def status_tally(statuses: Iterable[str]) -> list[tuple[str, int]]:
    """(status, villages) for each status present among `statuses` (one per listed village), in list order."""
    tally = Counter(statuses)
    return [(s, tally[s]) for s in STATUSES if tally[s]]
