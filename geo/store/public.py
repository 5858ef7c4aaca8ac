"""What the public village page and the signboards read and write: the villages' page tokens, each county's
settings, the boards printed, and a board's content (a village's current advisers and last on-site day).

The reads the public page makes (:meth:`PublicQueries.village_of_token`, :meth:`PublicQueries.board_rows`,
:meth:`PublicQueries.public_settings`) touch only the columns listed in :data:`PUBLIC_READS`: the public-facing
process's database role is granted those and nothing else (:func:`public_role_sql`).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

import pandas as pd

from geo.core.codes import Scope, to_str
from geo.store.base import Cursor, StoreBase
from geo.store.sql import rules

#: table -> the columns the public page reads (a column-level SELECT grant for the public role)
PUBLIC_READS: dict[str, tuple[str, ...]] = {
    "divisions": ("code", "name", "level", "abolished"),
    "assignments": ("adviser_id", "village", "start_date", "end_date"),
    "advisers": ("adviser_id", "name", "org", "phone"),
    "services": ("village", "mode", "service_date"),
    "village_tokens": ("village", "token_sha256"),
    "public_settings": ("county", "supervision_phone", "hotline", "show_last_onsite", "service_time",
                        "service_place"),
    "meta": ("key", "value"),
}
#: table -> what else the public page does there: it stores villagers' answers, and counts a village's and a
#: client's answers of the day (never reading what anyone wrote)
PUBLIC_WRITES: dict[str, tuple[str, ...]] = {
    "feedback": ("SELECT (village, source, received_at, client_key)", "INSERT")}
SETTINGS_FIELDS = ("supervision_phone", "hotline", "show_last_onsite", "service_time", "service_place")


def public_role_sql(role: str) -> str:
    """GRANT statements (PostgreSQL) giving `role` what the public page needs and nothing more; the caller
    creates the role (``CREATE ROLE ... LOGIN PASSWORD ...``) and runs these as the tables' owner."""
    if not role.replace("_", "").isalnum():
        raise ValueError(f"not a plain role name: {role!r}")
    lines = [f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}";',
             f'GRANT USAGE ON SCHEMA public TO "{role}";']
    lines += [f'GRANT SELECT ({", ".join(cols)}) ON {table} TO "{role}";' for table, cols in PUBLIC_READS.items()]
    lines += [f'GRANT {", ".join(rights)} ON {table} TO "{role}";' for table, rights in PUBLIC_WRITES.items()]
    # meta holds the secrets (the login cookie's, the page tokens'): the role reads the other rows only.  The
    # policy is restrictive and for this role alone; every other role keeps seeing every row
    lines += ["ALTER TABLE meta ENABLE ROW LEVEL SECURITY;",
              "DROP POLICY IF EXISTS meta_everyone ON meta;",
              "CREATE POLICY meta_everyone ON meta USING (true) WITH CHECK (true);",
              f'DROP POLICY IF EXISTS "meta_{role}" ON meta;',
              f'CREATE POLICY "meta_{role}" ON meta AS RESTRICTIVE FOR SELECT TO "{role}" '
              "USING (key NOT LIKE '%secret%');"]
    return "\n".join(lines) + "\n"


def _with_stamps(rows: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """`rows` with its village as a number and its time `columns` as ISO text, which each statement casts back:
    a frame's datetime column reaches a PostgreSQL statement as a DATE (geo.store.backends.postgres)."""
    out = rows.assign(village=rows["village"].astype("int64"))
    for col in columns:
        out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    return out


class PublicQueries(StoreBase):
    """Tokens, county settings, printed boards and board content."""

    # -- tokens -------------------------------------------------------------------------------------------
    def village_tokens(self, villages: Sequence[str], cur: Cursor | None = None) -> pd.DataFrame:
        """village (12 digits), nonce, token_sha256 of those of `villages` that have a token."""
        if not len(villages):
            return pd.DataFrame(columns=["village", "nonce", "token_sha256"])
        codes = sorted(int(v) for v in villages)
        df = self._q_frame("SELECT village, nonce, token_sha256 FROM village_tokens "
                           "WHERE village >= $low AND village <= $high ORDER BY village",
                           {"low": codes[0], "high": codes[-1]}, cur)
        df = df[df["village"].isin(codes)].reset_index(drop=True)
        df["village"] = df["village"].map(to_str)
        return df

    def set_village_tokens(self, cur: Cursor, rows: pd.DataFrame) -> None:
        """Give each village of `rows` (village, nonce, token_sha256, created_at, created_by) that token,
        replacing the one it had (whose page stops working)."""
        if rows.empty:
            return
        self._changed(cur, (), derived=None)
        frame = _with_stamps(rows, ["created_at"])[["village", "nonce", "token_sha256", "created_at", "created_by"]]
        with self._table(cur, "incoming_tokens", frame):
            self._run(cur, "DELETE FROM village_tokens WHERE village IN (SELECT village FROM incoming_tokens)")
            self._run(cur, "INSERT INTO village_tokens (village, nonce, token_sha256, created_at, created_by) "
                           "SELECT village, nonce, token_sha256, CAST(created_at AS TIMESTAMP), created_by "
                           "FROM incoming_tokens")

    def add_missing_village_tokens(self, cur: Cursor, rows: pd.DataFrame) -> None:
        """Give the villages of `rows` that have no token yet the one in `rows` (a village that got one
        meanwhile, from another clerk's print, keeps it)."""
        if rows.empty:
            return
        self._changed(cur, (), derived=None)
        frame = _with_stamps(rows, ["created_at"])[["village", "nonce", "token_sha256", "created_at", "created_by"]]
        with self._table(cur, "incoming_tokens", frame):
            self._run(cur, "INSERT INTO village_tokens (village, nonce, token_sha256, created_at, created_by) "
                           "SELECT village, nonce, token_sha256, CAST(created_at AS TIMESTAMP), created_by "
                           "FROM incoming_tokens ON CONFLICT (village) DO NOTHING")

    def village_of_token(self, token_sha256: str) -> str | None:
        """The village whose page token has this SHA-256, or None (one indexed lookup, a read only)."""
        code = self._one("SELECT village FROM village_tokens WHERE token_sha256 = $t", {"t": token_sha256})
        return None if code is None else to_str(code)

    # -- county settings -----------------------------------------------------------------------------------
    def public_settings(self, county: str, cur: Cursor | None = None) -> dict[str, Any] | None:
        """The stored settings of a county (6 or 12 digits), or None when it has none."""
        rows = self._q_rows(f"SELECT {', '.join(SETTINGS_FIELDS)} FROM public_settings WHERE county = $c",
                            {"c": int(str(county)[:6].ljust(12, "0"))}, cur)
        return dict(zip(SETTINGS_FIELDS, rows[0])) if rows else None

    def set_public_settings(self, cur: Cursor, county: str, values: dict[str, Any], now: dt.datetime,
                            who: str) -> None:
        self._changed(cur, (), derived=None)
        code = int(str(county)[:6].ljust(12, "0"))
        self._run(cur, "DELETE FROM public_settings WHERE county = $c", {"c": code})
        self._run(cur, f"INSERT INTO public_settings (county, {', '.join(SETTINGS_FIELDS)}, updated_at, updated_by) "
                       f"VALUES ($c, {', '.join('$' + f for f in SETTINGS_FIELDS)}, $now, $who)",
                  {"c": code, **{f: values.get(f) for f in SETTINGS_FIELDS}, "now": now, "who": who})

    # -- boards printed ------------------------------------------------------------------------------------
    def add_signboards(self, cur: Cursor, rows: pd.DataFrame) -> None:
        """Record printed boards: village, printed_at, as_of, data_version, content_sha256, token_sha256,
        printed_by."""
        if rows.empty:
            return
        self._changed(cur, (), derived=None)
        frame = _with_stamps(rows, ["printed_at", "as_of"])[
            ["village", "printed_at", "as_of", "data_version", "content_sha256", "token_sha256", "printed_by"]]
        with self._table(cur, "incoming_boards", frame):
            self._run(cur, "INSERT INTO signboards (village, printed_at, as_of, data_version, content_sha256, "
                           "token_sha256, printed_by) SELECT village, CAST(printed_at AS TIMESTAMP), "
                           "CAST(CAST(as_of AS TIMESTAMP) AS DATE), data_version, content_sha256, token_sha256, "
                           "printed_by FROM incoming_boards")

    def latest_signboards(self, scope: Scope) -> pd.DataFrame:
        """Each village's last printed board in `scope`: village, printed_at, as_of, data_version,
        content_sha256, token_sha256, printed_by."""
        low, high = scope.int_range
        df = self._q_frame("""
            SELECT village, printed_at, as_of, data_version, content_sha256, token_sha256, printed_by FROM (
                SELECT s.*, row_number() OVER (PARTITION BY village ORDER BY printed_at DESC) AS k
                FROM signboards s WHERE village >= $low AND village < $high) x
            WHERE k = 1 ORDER BY village""", {"low": low, "high": high})
        df["village"] = df["village"].map(to_str)
        df["as_of"] = pd.to_datetime(df["as_of"])
        return df

    # -- a board's content ---------------------------------------------------------------------------------
    def board_villages(self, scope: Scope) -> pd.DataFrame:
        """The real villages of `scope`: code, name, township, county (names), ordered by code."""
        low, high = scope.int_range
        df = self._q_frame(f"""
            SELECT d.code, d.name, t.name AS township, c.name AS county
            FROM divisions d
            LEFT JOIN divisions t ON t.code = idiv(d.code, 1000) * 1000
            LEFT JOIN divisions c ON c.code = idiv(d.code, 1000000) * 1000000
            WHERE {rules.real_village('d')} AND d.code >= $low AND d.code < $high
            ORDER BY d.code""", {"low": low, "high": high})
        df["code"] = df["code"].map(to_str)
        return df

    def board_advisers(self, scope: Scope, as_of: dt.date) -> pd.DataFrame:
        """The advisers under a contract in force on `as_of` in each village of `scope`: village, adviser_id,
        name, org, phone; one row per village and adviser, ordered by village and name."""
        low, high = scope.int_range
        df = self._q_frame("""
            SELECT DISTINCT a.village, ad.adviser_id, ad.name, ad.org, ad.phone
            FROM assignments a JOIN advisers ad ON ad.adviser_id = a.adviser_id
            WHERE a.village >= $low AND a.village < $high AND a.start_date <= $d
              AND (a.end_date IS NULL OR a.end_date >= $d)
            ORDER BY a.village, ad.name, ad.adviser_id""", {"low": low, "high": high, "d": as_of})
        df["village"] = df["village"].map(to_str)
        return df

    def last_onsite_days(self, scope: Scope, as_of: dt.date) -> dict[str, dt.date]:
        """village -> its latest on-site service record on or before `as_of` (villages with none are left out)."""
        low, high = scope.int_range
        rows = self._q_rows("SELECT village, max(service_date) FROM services WHERE village >= $low "
                            "AND village < $high AND mode = 'onsite' AND service_date <= $d GROUP BY village",
                            {"low": low, "high": high, "d": as_of})
        return {to_str(v): pd.Timestamp(d).date() for v, d in rows}
