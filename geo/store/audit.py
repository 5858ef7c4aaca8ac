"""The audit trail: appended to, read, checked; and what a batch reaches (which an undo is audited against).

The trail is append-only: there is a method to add a row and methods to read them, and none to change or remove
one (``erase()``, which rebuilds the demo, keeps them too).  Each row carries a hash chained to the row before it
(:func:`chain_hash`); the rules that check it live in :mod:`geo.auth.audit`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pandas as pd

from geo.core.codes import Scope
from geo.privacy.idcards import scrub_id_numbers
from geo.store.base import Cursor, StoreBase

#: meta key of the audit chain's head: "<id of the last row> <its hash>" (a removed last row shows against it)
AUDIT_HEAD_META = "audit_head"
#: what a row's hash covers, in this order
AUDIT_CHAINED = ("id", "time", "username", "action", "scope", "detail")
#: the tables a batch writes village rows into, with the column holding the village (or division) code
_BATCH_CODES = (("assignments", "village"), ("geom_history", "code"), ("division_history", "code"),
                ("services", "village"), ("feedback", "village"))


def chain_hash(previous: str, row_id: int, time: dt.datetime, username: str, action: str, scope: str,
               detail: str) -> str:
    """SHA-256 (hex) of an audit row's content and the hash of the row before it ("" for the first row)."""
    stamp = pd.Timestamp(time).strftime("%Y-%m-%d %H:%M:%S.%f")
    content = json.dumps([int(row_id), stamp, username, action, scope, detail], ensure_ascii=False)
    return hashlib.sha256(f"{previous}\n{content}".encode()).hexdigest()


def head_text(row_id: int, row_hash: str) -> str:
    return f"{int(row_id)} {row_hash}"


class AuditQueries(StoreBase):
    """Audit rows, their chain, and the reach of a batch."""

    def add_audit(self, cur: Cursor, time: dt.datetime, username: str, action: str, scope: Scope, detail: str) -> None:
        """Append one row to the audit trail (the detail is JSON text; ID-card numbers are removed from it),
        chained to the row before it.  Inside :meth:`transaction` the row is written just before the commit
        (:meth:`_append_audit`): an import holds the chain for its commit only, not for its whole length."""
        row = {"time": time, "username": scrub_id_numbers(username), "action": action, "scope": scope.digits,
               "detail": scrub_id_numbers(detail)}
        local = self._tx_local()
        if getattr(local, "cur", None) is cur and getattr(local, "audit", None) is not None:
            local.audit.append(row)
        else:
            self._append_audit(cur, [row])

    def _append_audit(self, cur: Cursor, rows: list[dict[str, Any]]) -> None:
        """Write `rows` (without id) to the trail, each chained to the one before.  Appends take turns
        (:meth:`_lock_audit`) until the transaction ends, and ids are handed out in that turn, so the chain's
        order is the ids' order and two servers never chain two rows to the same predecessor."""
        if not rows:
            return
        self._lock_audit(cur)
        head = self.get_meta(AUDIT_HEAD_META, cur)
        previous = head.split(" ", 1)[1] if head else ""
        for values in rows:
            row = {"id": int(self._one("SELECT nextval('audit_seq')", cur=cur)), **values}
            previous = chain_hash(previous, *(row[c] for c in AUDIT_CHAINED))
            self._run(cur, "INSERT INTO audit (id, time, username, action, scope, detail, hash) "
                           "VALUES ($id, $time, $username, $action, $scope, $detail, $hash)",
                      {**row, "hash": previous})
        self.set_meta(AUDIT_HEAD_META, head_text(row["id"], previous), cur)

    def audit_chain(self, cur: Cursor | None = None) -> pd.DataFrame:
        """Every audit row with its hash, in id order: what ``python -m geo audit --verify`` checks."""
        return self._q_frame(f"SELECT {', '.join(AUDIT_CHAINED)}, hash FROM audit ORDER BY id", cur=cur)

    def chain_audit(self, cur: Cursor) -> int:
        """Hash every audit row in id order from the first, in a store written before the chain (the one update
        of audit rows there is).  Returns how many rows were chained: none once any row has a hash, so that
        running the migration again (a schema version removed by hand) cannot re-chain a changed trail."""
        if self._one("SELECT count(*) FROM audit WHERE hash IS NOT NULL", cur=cur):
            return 0
        rows = self.audit_chain(cur)
        hashes, previous = [], ""
        for values in zip(*(rows[c] for c in AUDIT_CHAINED)):
            previous = chain_hash(previous, *values)
            hashes.append(previous)
        if hashes:
            frame = pd.DataFrame({"id": rows["id"].astype("int64"), "hash": pd.Series(hashes, dtype=object)})
            with self._table(cur, "audit_hashes", frame):
                self._run(cur, "UPDATE audit SET hash = h.hash FROM audit_hashes h WHERE audit.id = h.id")
            self.set_meta(AUDIT_HEAD_META, head_text(int(rows["id"].iloc[-1]), hashes[-1]), cur)
        return len(hashes)

    def audit_rows(self, scope: Scope, since: dt.datetime | None = None, username: str | None = None,
                   action: str | None = None) -> pd.DataFrame:
        """Audit rows about `scope` or a place inside it, oldest first: id, time, username, action, scope,
        detail; narrowed to rows at or after `since`, of one user, of one action."""
        where, params = ["scope LIKE $prefix"], {"prefix": scope.digits + "%"}
        for column, name, value in (("time", "since", since), ("username", "name", username),
                                    ("action", "action", action)):
            if value is not None:
                where.append(f"{column} {'>=' if name == 'since' else '='} ${name}")
                params[name] = value
        return self._q_frame(f"SELECT id, time, username, action, scope, detail FROM audit "
                             f"WHERE {' AND '.join(where)} ORDER BY id", params)

    # -- what a batch reaches -------------------------------------------------------------------------------
    def batch_code_range(self, batch_id: int, cur: Cursor | None = None) -> tuple[int, int] | None:
        """The lowest and highest village or division code batch `batch_id` wrote or replaced (None: none)."""
        parts = " UNION ALL ".join(f"SELECT min({col}) AS lo, max({col}) AS hi FROM {table} WHERE batch_id = $batch"
                                   for table, col in _BATCH_CODES)
        lo, hi = self._q_rows(f"SELECT min(lo), max(hi) FROM ({parts}) r", {"batch": int(batch_id)}, cur)[0]
        return None if lo is None else (int(lo), int(hi))

    def batch_reaches_outside(self, batch_id: int, scope: Scope, cur: Cursor | None = None) -> bool:
        """Whether batch `batch_id` wrote or replaced a row of a village or division outside `scope`, or
        brought the national outlines (a store started from its division list)."""
        if not scope.digits:
            return False
        if self.get_meta("outlines_batch", cur) == str(batch_id):
            return True
        low, high = scope.int_range
        parts = " UNION ALL ".join(f"SELECT count(*) AS n FROM {table} WHERE batch_id = $batch "
                                   f"AND ({col} < $low OR {col} >= $high)" for table, col in _BATCH_CODES)
        n = self._q_rows(f"SELECT sum(n) FROM ({parts}) r", {"batch": int(batch_id), "low": low, "high": high},
                         cur)[0][0]
        return bool(n)
