"""Records kept in the app: one contract or adviser read for editing, and the writes that change stored rows.

Every write here belongs to a batch (:mod:`geo.store.batches`).  A row a batch adds carries it as ``batch_id``; a
row it changes (an early end, an edit, a merge) carries it as ``changed_by``, and the row as it was is kept in the
table's ``*_history`` first.  Undoing the batch (:meth:`RecordQueries.restore_batch`) removes what it added and
changed and puts the kept rows back, so an undo is exact whatever the change was.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from geo.core.codes import Scope, to_str
from geo.store.base import Cursor, StoreBase, counties_of, scrubbed
from geo.store.schema import USER_TEXT_COLUMNS
from geo.store.sql import rules

CONTRACT_COLUMNS = ("adviser_id", "village", "start_date", "end_date", "printed_end", "end_reason", "changed_by")
ADVISER_COLUMNS = ("adviser_id", "name", "kind", "org", "licence_no", "phone", "base_code", "lon", "lat",
                   "changed_by")
SERVICE_COLUMNS = ("village", "adviser_id", "service_date", "mode", "category", "hours", "people", "content",
                   "changed_by")
#: what an adviser edit may change
EDITABLE = ("name", "kind", "org", "licence_no", "phone", "base_code", "lon", "lat")
_HISTORY = {"assignments": ("assignment_history", CONTRACT_COLUMNS),
            "advisers": ("adviser_history", ADVISER_COLUMNS),
            "services": ("service_history", SERVICE_COLUMNS)}


def _contract_key(adviser_id: int, village: str | int, start: dt.date) -> dict[str, Any]:
    return {"adviser": int(adviser_id), "village": int(village), "start": start}


_KEY_SQL = "adviser_id = $adviser AND village = $village AND start_date = $start"
#: a contract ended early: its last day $last and why $reason; the first early end keeps the printed end (ending an
#: ended contract again does not lose it)
_ENDED = """printed_end = CASE WHEN printed_end IS NULL AND end_reason IS NULL THEN end_date ELSE printed_end END,
            end_date = $last, end_reason = $reason"""


class RecordQueries(StoreBase):
    """The contracts of one village and one adviser's record, as the forms read them; the writes of
    :mod:`geo.records`, each keeping what it changes so that its batch can be undone."""

    # -- reads -------------------------------------------------------------------------------------------
    def village_contract_rows(self, village: str, cur: Cursor | None = None) -> pd.DataFrame:
        """Every contract of one village, oldest first, with its adviser: adviser_id, name, kind, org, licence_no,
        phone, start_date, end_date, printed_end, end_reason (dates as dates, None = open)."""
        df = self._q_frame("""
            SELECT a.adviser_id, p.name, p.kind, p.org, p.licence_no, p.phone, a.start_date, a.end_date,
                   a.printed_end, a.end_reason
            FROM assignments a JOIN advisers p ON p.adviser_id = a.adviser_id
            WHERE a.village = $village ORDER BY a.start_date, a.adviser_id""", {"village": int(village)}, cur)
        for col in ("start_date", "end_date", "printed_end"):
            df[col] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in df[col]]
        df["adviser_id"] = df["adviser_id"].astype("int64")
        return df

    def real_villages_among(self, codes: list[str], cur: Cursor | None = None) -> set[str]:
        """Those of `codes` that are current real villages (geo.core.codes' rule)."""
        if not codes:
            return set()
        frame = pd.DataFrame({"code": [int(c) for c in codes]}).astype("int64")
        with self.reading(cur) as c, self._table(c, "asked_villages", frame):
            rows = self._rows(c, f"""SELECT d.code FROM divisions d JOIN asked_villages a ON a.code = d.code
                                     WHERE {rules.real_village('d')}""")
        return {to_str(v) for (v,) in rows}

    def adviser_row(self, adviser_id: int, cur: Cursor | None = None) -> dict[str, Any] | None:
        """One adviser's stored fields (EDITABLE and adviser_id), or None."""
        rows = self._q_frame(f"SELECT adviser_id, {', '.join(EDITABLE)} FROM advisers WHERE adviser_id = $id",
                             {"id": int(adviser_id)}, cur)
        if rows.empty:
            return None
        row = rows.iloc[0].to_dict()
        clean = {k: (None if pd.isna(v) else v) for k, v in row.items()}
        clean["adviser_id"] = int(clean["adviser_id"])
        if clean["base_code"] is not None:
            clean["base_code"] = to_str(int(clean["base_code"]))
        return clean

    def adviser_villages(self, adviser_id: int, cur: Cursor | None = None) -> list[str]:
        """The villages any contract of the adviser names (12-digit strings): where their record lies."""
        return [to_str(v) for (v,) in self._q_rows(
            "SELECT DISTINCT village FROM assignments WHERE adviser_id = $id ORDER BY village",
            {"id": int(adviser_id)}, cur)]

    def adviser_record_counts(self, adviser_id: int, cur: Cursor | None = None) -> tuple[int, int]:
        """(contracts, service records) of one adviser: what a merge would move."""
        p = {"id": int(adviser_id)}
        return (int(self._one("SELECT count(*) FROM assignments WHERE adviser_id = $id", p, cur)),
                int(self._one("SELECT count(*) FROM services WHERE adviser_id = $id", p, cur)))

    def find_advisers(self, scope: Scope, text: str, limit: int = 20, cur: Cursor | None = None) -> pd.DataFrame:
        """Advisers of `scope` (a contract on one of its villages, or based in it) whose name, licence number or
        organisation contains `text`: adviser_id, name, kind, org, licence_no, phone, villages (contracts in the
        scope).  Exact licence matches first, then by name."""
        low, high = scope.int_range
        needle = f"%{text.strip()}%"
        df = self._q_frame("""
            WITH mine AS (
                SELECT adviser_id, count(DISTINCT village) AS villages FROM assignments
                WHERE village >= $low AND village < $high GROUP BY adviser_id
                UNION ALL
                SELECT adviser_id, 0 FROM advisers WHERE base_code >= $low AND base_code < $high),
            people AS (SELECT adviser_id, max(villages) AS villages FROM mine GROUP BY adviser_id)
            SELECT p.adviser_id, p.name, p.kind, p.org, p.licence_no, p.phone, m.villages
            FROM advisers p JOIN people m ON m.adviser_id = p.adviser_id
            WHERE p.name LIKE $needle OR p.licence_no LIKE $needle OR p.org LIKE $needle
            ORDER BY CASE WHEN p.licence_no = $text THEN 0 ELSE 1 END, p.name, p.adviser_id
            LIMIT $limit""", {"low": low, "high": high, "needle": needle, "text": text.strip(),
                              "limit": int(limit)}, cur)
        df["adviser_id"] = df["adviser_id"].astype("int64")
        df["villages"] = df["villages"].astype("int64")
        return df

    def advisers_by_licence(self, licence_no: str, cur: Cursor | None = None) -> list[int]:
        return [int(a) for (a,) in self._q_rows(
            "SELECT adviser_id FROM advisers WHERE licence_no = $lic ORDER BY adviser_id", {"lic": licence_no}, cur)]

    # -- the writes --------------------------------------------------------------------------------------
    def hold_villages(self, cur: Cursor, villages: list[str]) -> None:
        """Keep other writers off these villages' counties until the transaction ends (read, check, then write);
        what the writes change is theirs to say."""
        self._changed(cur, counties_of(villages), derived=None)

    def _keep(self, cur: Cursor, batch: int, table: str, where: str, params: dict[str, Any]) -> int:
        """Copy the rows of `table` matching `where` to its history as they are now (once per batch: a row the
        batch already changed was kept before its first change) and mark them changed by `batch`; returns how
        many were kept."""
        history, columns = _HISTORY[table]
        cols = ", ".join(columns)
        p = {**params, "b": int(batch)}
        mine = f"({where}) AND changed_by IS DISTINCT FROM $b AND batch_id IS DISTINCT FROM $b"
        n = int(self._one(f"SELECT count(*) FROM {table} WHERE {mine}", p, cur))
        if n:
            self._run(cur, f"INSERT INTO {history} (batch_id, row_batch, {cols}) "
                           f"SELECT $b, batch_id, {cols} FROM {table} WHERE {mine}", p)
            self._run(cur, f"UPDATE {table} SET changed_by = $b WHERE {mine}", p)
        return n

    def touch(self, cur: Cursor, batch: int, villages: list[str] = (), advisers: list[int] = ()) -> None:
        """Say which villages and people `batch` changed (what a later undo of an earlier batch must not skip)."""
        rows = [(int(v), None) for v in villages] + [(None, int(a)) for a in advisers]
        if rows:
            frame = pd.DataFrame(rows, columns=["village", "adviser_id"]).astype("Int64")
            frame.insert(0, "batch_id", int(batch))
            with self._table(cur, "incoming_touches", frame):
                self._run(cur, "INSERT INTO record_touches (batch_id, village, adviser_id) "
                               "SELECT batch_id, village, adviser_id FROM incoming_touches")

    def insert_contract(self, cur: Cursor, batch: int, adviser_id: int, village: str, start: dt.date,
                        end: dt.date | None) -> None:
        self._changed(cur, counties_of([village]), derived="contracts", villages=[village])
        self._run(cur, "INSERT INTO assignments (adviser_id, village, start_date, end_date, batch_id) "
                       "VALUES ($adviser, $village, $start, $end, $b)",
                  {**_contract_key(adviser_id, village, start), "end": end, "b": int(batch)})

    def end_contract(self, cur: Cursor, batch: int, adviser_id: int, village: str, start: dt.date,
                     last_day: dt.date, reason: str) -> None:
        """End one contract early: `last_day` is its last day in force; its printed end stays in printed_end (the
        first early end keeps it: ending an ended contract again does not lose it)."""
        key = _contract_key(adviser_id, village, start)
        self._changed(cur, counties_of([village]), derived="contracts", villages=[village])
        self._keep(cur, batch, "assignments", _KEY_SQL, key)
        reason = scrubbed(pd.DataFrame({"r": [reason]}), ["r"])["r"].iloc[0]
        self._run(cur, f"UPDATE assignments SET {_ENDED} WHERE {_KEY_SQL}",
                  {**key, "last": last_day, "reason": reason})

    def end_contracts(self, cur: Cursor, batch: int, contracts: pd.DataFrame, last_day: dt.date,
                      reason: str) -> int:
        """:meth:`end_contract` for many at once (a snapshot ledger): columns adviser_id, village, start_date."""
        if contracts.empty:
            return 0
        frame = pd.DataFrame({"adviser_id": contracts["adviser_id"].astype("int64"),
                              "village": contracts["village"].astype("int64"),
                              "start_date": pd.to_datetime(contracts["start_date"]).astype("datetime64[us]")})
        self._changed(cur, counties_of(frame["village"]))
        # the range first: a county's rows, not the country's, are matched against the list
        match = """assignments.village >= $low AND assignments.village <= $high
                   AND EXISTS (SELECT 1 FROM ending e WHERE e.adviser_id = assignments.adviser_id
                   AND e.village = assignments.village AND CAST(e.start_date AS DATE) = assignments.start_date)"""
        span = {"low": int(frame["village"].min()), "high": int(frame["village"].max())}
        with self._table(cur, "ending", frame):
            self._keep(cur, batch, "assignments", match, span)
            self._run(cur, f"UPDATE assignments SET {_ENDED} WHERE {match}",
                      {"last": last_day, "reason": reason, **span})
        return len(frame)

    def update_adviser(self, cur: Cursor, batch: int, adviser_id: int, values: dict[str, Any]) -> None:
        """Set some EDITABLE fields of one adviser (text scrubbed of ID numbers, as every stored text)."""
        values = {k: v for k, v in values.items() if k in EDITABLE}
        if not values:
            return
        texts = scrubbed(pd.DataFrame([values]), USER_TEXT_COLUMNS["advisers"]).iloc[0].to_dict()
        params = {k: (None if v is None or (isinstance(v, float) and pd.isna(v)) else v) for k, v in texts.items()}
        if params.get("base_code") is not None:
            params["base_code"] = int(params["base_code"])
        self._changed(cur, (), derived=None)
        self._keep(cur, batch, "advisers", "adviser_id = $id", {"id": int(adviser_id)})
        sets = ", ".join(f"{k} = ${k}" for k in params)
        self._run(cur, f"UPDATE advisers SET {sets} WHERE adviser_id = $id", {**params, "id": int(adviser_id)})

    def merge_advisers(self, cur: Cursor, batch: int, keep: int, other: int) -> tuple[int, int]:
        """Move every contract and service record of `other` to `keep` and remove `other`'s record.  Returns
        (contracts moved, records moved)."""
        p = {"other": int(other), "keep": int(keep)}
        o = {"other": int(other)}
        villages = [v for (v,) in self._rows(cur, "SELECT DISTINCT village FROM assignments WHERE adviser_id = $other",
                                              o)]
        served = [v for (v,) in self._rows(cur, "SELECT DISTINCT village FROM services WHERE adviser_id = $other", o)]
        self._changed(cur, counties_of(villages))
        if served:
            self._changed(cur, counties_of(served), derived="services")
        moved = self._keep(cur, batch, "assignments", "adviser_id = $other", o)
        records = self._keep(cur, batch, "services", "adviser_id = $other", o)
        self._run(cur, "UPDATE assignments SET adviser_id = $keep WHERE adviser_id = $other", p)
        self._run(cur, "UPDATE services SET adviser_id = $keep WHERE adviser_id = $other", p)
        self._keep(cur, batch, "advisers", "adviser_id = $other", o)
        self._run(cur, "DELETE FROM advisers WHERE adviser_id = $other", o)
        return moved, records

    # -- undo --------------------------------------------------------------------------------------------
    def later_touching(self, cur: Cursor, batch: int) -> list[int]:
        """Active batches after `batch` that changed one of the villages or people `batch` changed."""
        return [int(b) for (b,) in self._rows(cur, """
            SELECT DISTINCT l.batch_id FROM record_touches l JOIN batches b ON b.batch_id = l.batch_id
            JOIN record_touches m ON m.batch_id = $b
                 AND (l.village = m.village OR l.adviser_id = m.adviser_id)
            WHERE l.batch_id > $b AND b.status = 'active' ORDER BY l.batch_id""", {"b": int(batch)})]

    def kept_from_retired_batches(self, cur: Cursor, batch: int) -> list[int]:
        """Batches no longer active whose rows `batch` changed: putting those rows back would revive them."""
        return [int(b) for (b,) in self._rows(cur, """
            SELECT DISTINCT h.row_batch FROM (SELECT row_batch FROM assignment_history WHERE batch_id = $b
                                              UNION ALL SELECT row_batch FROM adviser_history WHERE batch_id = $b
                                              UNION ALL SELECT row_batch FROM service_history WHERE batch_id = $b) h
            JOIN batches r ON r.batch_id = h.row_batch WHERE r.status <> 'active' ORDER BY 1""", {"b": int(batch)})]

    def restore_batch(self, cur: Cursor, batch: int) -> None:
        """Put back the rows `batch` changed in advisers, assignments and services, as they were before it (see the
        module's doc); what it added is :meth:`remove_added`'s."""
        p = {"b": int(batch)}
        touched = {v for (v,) in self._rows(cur, """
            SELECT village FROM assignments WHERE batch_id = $b OR changed_by = $b
            UNION SELECT village FROM assignment_history WHERE batch_id = $b""", p)}
        served = {v for (v,) in self._rows(cur, """
            SELECT village FROM services WHERE changed_by = $b UNION SELECT village FROM service_history
            WHERE batch_id = $b""", p)}
        self._changed(cur, counties_of(touched))
        if served:
            self._changed(cur, counties_of(served), derived="services")
        for table, (history, columns) in _HISTORY.items():
            cols = ", ".join(columns)
            self._run(cur, f"DELETE FROM {table} WHERE changed_by = $b", p)
            self._run(cur, f"INSERT INTO {table} (batch_id, {cols}) SELECT row_batch, {cols} FROM {history} "
                           f"WHERE batch_id = $b", p)

    def remove_added(self, cur: Cursor, batch: int) -> None:
        """Remove the contracts and people `batch` added in the app (an import's own rows go by its kind's undo)."""
        p = {"b": int(batch)}
        self._changed(cur, counties_of(v for (v,) in self._rows(
            cur, "SELECT DISTINCT village FROM assignments WHERE batch_id = $b", p)))
        self._run(cur, "DELETE FROM assignments WHERE batch_id = $b", p)
        self._run(cur, "DELETE FROM advisers WHERE batch_id = $b", p)

    # -- snapshot ledgers (geo.imports.snapshot) -----------------------------------------------------------
    def scope_contracts(self, scope: Scope, cur: Cursor | None = None) -> pd.DataFrame:
        """Every contract of the villages in `scope`: adviser_id, village (12-digit str), start_date, end_date,
        printed_end, end_reason (dates as dates, None = open), with the adviser's name and the village's and its
        township's names (village_name, township)."""
        low, high = scope.int_range
        df = self._q_frame("""
            SELECT a.adviser_id, a.village, a.start_date, a.end_date, a.printed_end, a.end_reason, p.name,
                   v.name AS village_name, t.name AS township
            FROM assignments a JOIN advisers p ON p.adviser_id = a.adviser_id
            LEFT JOIN divisions v ON v.code = a.village
            LEFT JOIN divisions t ON t.code = idiv(a.village, 1000) * 1000
            WHERE a.village >= $low AND a.village < $high ORDER BY a.village, a.start_date, a.adviser_id""",
            {"low": low, "high": high}, cur)
        for col in ("start_date", "end_date", "printed_end"):
            df[col] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in df[col]]
        df["adviser_id"] = df["adviser_id"].astype("int64")
        df["village"] = [to_str(int(v)) for v in df["village"]]
        return df

    def adviser_rows(self, adviser_ids: list[int], cur: Cursor | None = None) -> pd.DataFrame:
        """The stored fields (EDITABLE and adviser_id) of these advisers, one row each, in id order."""
        frame = pd.DataFrame({"adviser_id": pd.Series(sorted(set(adviser_ids)), dtype="int64")})
        with self.reading(cur) as c, self._table(c, "asked_advisers", frame):
            df = self._frame(c, f"SELECT p.adviser_id, {', '.join('p.' + f for f in EDITABLE)} FROM advisers p "
                                "JOIN asked_advisers x ON x.adviser_id = p.adviser_id ORDER BY p.adviser_id")
        df["adviser_id"] = df["adviser_id"].astype("int64")
        return df

    def advisers_reaching_outside(self, adviser_ids: list[int], scope: Scope,
                                  cur: Cursor | None = None) -> set[int]:
        """Those of `adviser_ids` holding a contract on a village outside `scope` (their record is shared with
        another jurisdiction)."""
        if not adviser_ids:
            return set()
        low, high = scope.int_range
        frame = pd.DataFrame({"adviser_id": pd.Series(sorted(set(adviser_ids)), dtype="int64")})
        with self.reading(cur) as c, self._table(c, "asked_advisers", frame):
            rows = self._rows(c, """SELECT DISTINCT a.adviser_id FROM assignments a
                                    JOIN asked_advisers x ON x.adviser_id = a.adviser_id
                                    WHERE a.village < $low OR a.village >= $high""", {"low": low, "high": high})
        return {int(a) for (a,) in rows}

    def update_advisers(self, cur: Cursor, batch: int, values: pd.DataFrame) -> int:
        """:meth:`update_adviser` for many at once: `values` has adviser_id and the EDITABLE text fields to set
        (kind, org, licence_no, phone; every row's value is written, so give the current one where it stays).
        The rows as they were are kept for the batch's undo.  Returns how many advisers were updated."""
        if values.empty:
            return 0
        fields = [f for f in ("name", "kind", "org", "licence_no", "phone") if f in values.columns]
        frame = scrubbed(pd.DataFrame({"adviser_id": values["adviser_id"].astype("int64"),
                                       **{f: values[f].astype(object) for f in fields}}),
                         [f for f in fields if f in USER_TEXT_COLUMNS["advisers"]])
        frame = frame.astype({f: "string" for f in fields})
        self._changed(cur, (), derived=None)
        match = "adviser_id IN (SELECT adviser_id FROM updating_advisers)"
        with self._table(cur, "updating_advisers", frame):
            self._keep(cur, batch, "advisers", match, {})
            sets = ", ".join(f"{f} = u.{f}" for f in fields)
            self._run(cur, f"UPDATE advisers SET {sets} FROM updating_advisers u "
                           f"WHERE advisers.adviser_id = u.adviser_id")
        return len(frame)
