"""The store's record of imports: one batch per file imported, what it brought, where it lies, whether it stands."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.core.codes import Scope
from geo.privacy.idcards import scrub_id_numbers
from geo.store.base import Cursor, StoreBase


@dataclass(frozen=True)
class BatchInfo:
    batch_id: int
    kind: str
    status: str


class BatchQueries(StoreBase):
    """Batches: made by each import, listed by scope, rolled back."""

    def new_batch(self, cur: Cursor, kind: str, file_name: str | None = None, sha256: str | None = None,
                  rows_read: int = 0, rows_accepted: int = 0, rows_rejected: int = 0,
                  note: str | None = None) -> int:
        self._changed(cur)
        batch_id = int(self._one("SELECT nextval('batch_seq')", cur=cur))
        self._run(cur, "INSERT INTO batches (batch_id, kind, file_name, sha256, rows_read, rows_accepted, "
                       "rows_rejected, note) VALUES ($id, $kind, $file, $sha, $read, $acc, $rej, $note)",
                  {"id": batch_id, "kind": kind, "file": file_name and scrub_id_numbers(file_name), "sha": sha256,
                   "read": int(rows_read), "acc": int(rows_accepted), "rej": int(rows_rejected),
                   "note": note and scrub_id_numbers(note)})
        return batch_id

    def set_batch_rows(self, cur: Cursor, batch_id: int, rows_read: int, rows_accepted: int) -> None:
        self._run(cur, "UPDATE batches SET rows_read = $read, rows_accepted = $acc WHERE batch_id = $id",
                  {"read": int(rows_read), "acc": int(rows_accepted), "id": batch_id})

    def batches(self, scope: Scope = Scope("")) -> pd.DataFrame:
        """The batches inside `scope`, newest first: those whose rows all lie inside it (their ``scope`` column;
        a batch without one, such as the demo's, belongs to the whole country)."""
        return self._q_frame("SELECT * FROM batches WHERE coalesce(scope, '') LIKE $prefix ORDER BY batch_id DESC",
                             {"prefix": scope.digits + "%"})

    def set_batch_scope(self, cur: Cursor, batch_id: int, scope: Scope) -> None:
        """Say where batch `batch_id` lies (see :meth:`batches`); set by the import that made it."""
        self._run(cur, "UPDATE batches SET scope = $scope WHERE batch_id = $id",
                  {"scope": scope.digits, "id": int(batch_id)})

    def batch_scope(self, batch_id: int, cur: Cursor | None = None) -> Scope:
        """Where batch `batch_id` lies: the whole country when the store does not say."""
        return Scope(self._one("SELECT coalesce(scope, '') FROM batches WHERE batch_id = $id",
                               {"id": int(batch_id)}, cur) or "")

    def batch(self, batch_id: int, cur: Cursor | None = None) -> BatchInfo | None:
        rows = self._q_rows("SELECT batch_id, kind, status FROM batches WHERE batch_id = $id",
                            {"id": int(batch_id)}, cur)
        return BatchInfo(int(rows[0][0]), rows[0][1], rows[0][2]) if rows else None

    def find_batch(self, kind: str, sha256: str, scope: Scope = Scope("")) -> int | None:
        """The active batch of `kind` that imported this content, among the batches inside `scope` (another
        jurisdiction's batch is not named: its rows are that jurisdiction's)."""
        return self._one("SELECT batch_id FROM batches WHERE kind = $kind AND sha256 = $sha AND status = 'active' "
                         "AND coalesce(scope, '') LIKE $prefix ORDER BY batch_id DESC LIMIT 1",
                         {"kind": kind, "sha": sha256, "prefix": scope.digits + "%"})

    def later_active_batches(self, cur: Cursor, kind: str, batch_id: int) -> int:
        """How many active batches of `kind` are newer than `batch_id`."""
        return int(self._one("SELECT count(*) FROM batches WHERE kind = $kind AND status = 'active' "
                             "AND batch_id > $id", {"kind": kind, "id": batch_id}, cur))

    def mark_rolled_back(self, cur: Cursor, batch_id: int) -> None:
        self._changed(cur)
        self._run(cur, "UPDATE batches SET status = 'rolled_back' WHERE batch_id = $id", {"id": batch_id})

    def data_version(self) -> str:
        """Changes whenever an import adds or retires a batch: part of every cache key of the app."""
        return str(self._one("SELECT CAST(coalesce(max(batch_id), 0) AS VARCHAR) || '-' || "
                             "CAST(count(*) AS VARCHAR) FROM batches WHERE status = 'active'"))
