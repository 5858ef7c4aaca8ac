"""The briefing's own reads: advisers above the load cap, and the imports a scope's figures rest on."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.core.codes import Scope
from geo.core.dates import as_date
from geo.store.base import StoreBase
from geo.store.registry import REGISTRY_KINDS
from geo.store.sql import rules


class BriefingQueries(StoreBase):
    """The briefing's reads (the store's primitives only)."""

    def advisers_over_cap(self, scope: Scope, as_of: dt.date | str, cap: int) -> int:
        """Advisers serving a village in `scope` on `as_of` whose current villages (anywhere: the load is the
        person's, not the scope's) are more than `cap`."""
        low, high = scope.int_range
        return int(self._one(f"""
            WITH cur AS (SELECT a.adviser_id, a.village FROM assignments a
                         JOIN divisions d ON d.code = a.village AND {rules.real_village('d')}
                         WHERE a.start_date <= $as_of AND (a.end_date IS NULL OR a.end_date >= $as_of)),
            here AS (SELECT DISTINCT adviser_id FROM cur WHERE village >= $low AND village < $high),
            load AS (SELECT cur.adviser_id, count(DISTINCT cur.village) AS villages FROM cur
                     JOIN here ON here.adviser_id = cur.adviser_id GROUP BY cur.adviser_id)
            SELECT count(*) FROM load WHERE villages > $cap""",
                             {"low": low, "high": high, "as_of": as_date(as_of), "cap": int(cap)}) or 0)

    def batches_behind(self, scope: Scope) -> pd.DataFrame:
        """The active batches a scope's figures rest on: the division list, and every import that brought
        contracts, boundaries or service records of a village in `scope`.  Columns batch_id, kind, file_name,
        created_at, rows_accepted; oldest first."""
        low, high = scope.int_range
        in_scope = " OR ".join(
            f"EXISTS (SELECT 1 FROM {table} x WHERE x.batch_id = b.batch_id AND x.{column} >= $low "
            f"AND x.{column} < $high)"
            for table, column in (("assignments", "village"), ("village_geoms", "code"), ("services", "village")))
        return self._q_frame(f"""
            SELECT b.batch_id, b.kind, b.file_name, b.created_at, b.rows_accepted FROM batches b
            WHERE b.status = 'active' AND (b.kind IN {REGISTRY_KINDS} OR {in_scope})
            ORDER BY b.batch_id""", {"low": low, "high": high})
