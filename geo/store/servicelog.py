"""What a service log import asks the store: the advisers its rows may name (geo.sources.servicelog matches them)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.core.codes import Scope


class ServiceLogQueries:
    """Queries of the service log import; a mixin of :class:`geo.store.Store`."""

    def known_advisers(self, scope: Scope, as_of: dt.date, cur=None) -> pd.DataFrame:
        """adviser_id, name, licence_no of every adviser who held a contract for a village in `scope` that
        started on or before `as_of`: the people a log of that county can name (by licence, else by name)."""
        from geo.store.base import as_date

        low, high = scope.int_range
        return self._q_frame("""
            SELECT ad.adviser_id, ad.name, ad.licence_no FROM advisers ad
            WHERE EXISTS (SELECT 1 FROM assignments a WHERE a.adviser_id = ad.adviser_id
                          AND a.village >= $low AND a.village < $high AND a.start_date <= $as_of)
            ORDER BY ad.adviser_id""", {"low": low, "high": high, "as_of": as_date(as_of)}, cur)
