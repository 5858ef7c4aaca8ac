"""Villagers' feedback: written by the public page and the paper questionnaire import, read per unit, per village
and as the contradiction list (geo.core.feedback holds the rules).

Rows are kept as they came, duplicates included (flagged): the figures leave the duplicates out, the daily caps
count them.  ``received_at`` is UTC; periods are China Standard Time days (:class:`geo.core.feedback.Period`).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from geo.core.codes import LEVEL_OF_NAME, Scope, to_str
from geo.core.coverage import DEFAULT_EXPIRING_DAYS
from geo.core.feedback import COMMENT_MAX, DEFAULT_MIN_REPORTS, SATISFACTION_RANGE, SOURCES, Period, day_bounds
from geo.core.service_rule import DEFAULT_SERVICE, ServiceSettings
from geo.privacy.phones import scrub_villager_text
from geo.store.base import Cursor, counties_of, level_width, scrubbed
from geo.store.coverage import CoverageQueries
from geo.store.registry import REAL_VILLAGE
from geo.store.schema import USER_TEXT_COLUMNS
from geo.store.sql import rules

#: the columns add_feedback takes, in the table's order
FEEDBACK_COLUMNS = ("village", "received_at", "source", "satisfaction", "reached", "never_seen", "comment",
                    "client_key", "duplicate", "batch_id")

#: per-response counts of a group of feedback rows (duplicates left out), aliased as the reads' columns
_FIGURES_SQL = """
    count(*) FILTER (WHERE NOT duplicate) AS responses,
    count(*) FILTER (WHERE duplicate) AS duplicates,
    sum(satisfaction) FILTER (WHERE NOT duplicate) AS satisfaction_sum,
    count(satisfaction) FILTER (WHERE NOT duplicate) AS satisfaction_answers,
    count(*) FILTER (WHERE NOT duplicate AND reached) AS reached,
    count(reached) FILTER (WHERE NOT duplicate) AS reached_answers,
    count(*) FILTER (WHERE NOT duplicate AND never_seen) AS never_seen"""
_COUNTS = ("responses", "duplicates", "satisfaction_answers", "reached", "reached_answers", "never_seen")


def _with_rates(df: pd.DataFrame) -> pd.DataFrame:
    """Counts as int64 (0 where a left join found none) and the two rates: satisfaction_mean (NaN: no response
    gave a satisfaction) and reached_share (NaN: none answered whether they could reach the adviser)."""
    for col in (*_COUNTS, "satisfaction_sum", *(c for c in ("never_seen_villages", "villages_with_feedback",
                                                              "villages") if c in df.columns)):
        df[col] = pd.to_numeric(df[col]).fillna(0).astype("int64")
    answers = df["satisfaction_answers"].where(df["satisfaction_answers"] > 0)
    df["satisfaction_mean"] = (df["satisfaction_sum"] / answers).astype("float64")
    reached = df["reached_answers"].where(df["reached_answers"] > 0)
    df["reached_share"] = (df["reached"] / reached).astype("float64")
    return df.drop(columns="satisfaction_sum")


class FeedbackQueries(CoverageQueries):
    """The ``feedback`` table."""

    # -- writing ------------------------------------------------------------------------------------------
    def add_feedback(self, cur: Cursor, rows: pd.DataFrame) -> int:
        """Insert responses: columns village (12-digit str or int), received_at (UTC; aware or naive), source
        ('web' / 'paper'), satisfaction (1-5 or None), reached (bool or None), never_seen (bool), comment (str
        or None: ID-card and phone numbers are taken out, and it is cut to COMMENT_MAX characters), client_key
        (str or None), duplicate (bool), batch_id (int or None).  Returns the number inserted.  A value no
        response can have (a source, a satisfaction of 7) is a ValueError: the callers check first."""
        if rows.empty:
            return 0
        frame = _feedback_frame(rows)
        self._changed(cur, counties_of(frame["village"]), derived=None)
        with self._table(cur, "incoming_feedback", frame):
            self._run(cur, f"""INSERT INTO feedback ({", ".join(FEEDBACK_COLUMNS)})
                               SELECT village, CAST(received_at AS TIMESTAMP), source,
                                      CAST(satisfaction AS SMALLINT), reached, never_seen, comment,
                                      client_key, duplicate, CAST(batch_id AS INTEGER)
                               FROM incoming_feedback""")
        return len(frame)

    def rollback_feedback(self, cur: Cursor, batch_id: int) -> int:
        """Take out the responses of one batch (a paper import); returns how many went."""
        p = {"batch": int(batch_id)}
        villages = [v for (v,) in self._rows(cur, "SELECT DISTINCT village FROM feedback WHERE batch_id = $batch", p)]
        self._changed(cur, counties_of(villages), derived=None)
        n = int(self._rows(cur, "SELECT count(*) FROM feedback WHERE batch_id = $batch", p)[0][0])
        self._run(cur, "DELETE FROM feedback WHERE batch_id = $batch", p)
        return n

    # -- the public page's bounds ---------------------------------------------------------------------------
    def feedback_count(self, village: str, day: dt.date, client_key: str | None = None,
                       cur: Cursor | None = None) -> int:
        """Responses from the public page (source 'web', duplicates included) for `village` on `day` (a China
        Standard Time day), from `client_key` only when given: what the page's daily caps count.  Paper
        questionnaires never use up a village's cap."""
        first, after = day_bounds(day)
        params: dict[str, Any] = {"village": int(village), "first": first, "after": after}
        by_client = ""
        if client_key is not None:
            by_client, params["client"] = " AND client_key = $client", client_key
        return int(self._one("SELECT count(*) FROM feedback WHERE village = $village AND source = 'web' "
                             f"AND received_at >= $first AND received_at < $after{by_client}", params, cur))

    def has_feedback_table(self) -> bool:
        """Whether the store has the feedback table: a database written before it, opened read-only, has not
        (any write opening creates it)."""
        return bool(self._one("SELECT count(*) FROM information_schema.tables WHERE table_name = 'feedback'"))

    def feedback_version(self) -> str:
        """Changes whenever a response is added or taken out (the public page writes no batch): with
        :meth:`data_version`, the cache key of the app's feedback reads."""
        if not self.has_feedback_table():
            return "none"
        n, last = self._q_rows("SELECT count(*), max(received_at) FROM feedback")[0]
        return f"{int(n)}-{last}"

    # -- reads ----------------------------------------------------------------------------------------------
    @staticmethod
    def _feedback_params(scope: Scope, period: Period) -> dict[str, Any]:
        low, high = scope.int_range
        first, after = period.utc_bounds()
        return {"low": low, "high": high, "first": first, "after": after}

    @staticmethod
    def _in_period(alias: str = "") -> str:
        """SQL condition: a feedback row (optionally aliased) of the scope's villages received in the period."""
        a = f"{alias}." if alias else ""
        return (f"{a}received_at >= $first AND {a}received_at < $after AND {a}village >= $low "
                f"AND {a}village < $high")

    def feedback_summary(self, scope: Scope, period: Period, by: str | int = "county") -> pd.DataFrame:
        """Feedback per unit at level `by` inside `scope` over `period`, one row per unit with real villages.

        Columns: code, name, villages, responses, duplicates, satisfaction_mean, satisfaction_answers, reached,
        reached_answers, reached_share, never_seen (reports), never_seen_villages (villages with one or more),
        villages_with_feedback.  Duplicates count only in ``duplicates``; responses for a village that is not a
        real current one are not counted.
        """
        level = LEVEL_OF_NAME[by] if isinstance(by, str) else int(by)
        return self._feedback_units(scope, period, level_width(level))

    def feedback_totals(self, scope: Scope, period: Period) -> pd.Series:
        """The columns of :meth:`feedback_summary` (without code and name) for the whole of `scope`."""
        row = self._feedback_units(scope, period, 10**12).drop(columns=["code", "name"])
        return row.iloc[0] if len(row) else pd.Series({c: 0 for c in row.columns})

    def _feedback_units(self, scope: Scope, period: Period, width: int) -> pd.DataFrame:
        w = width
        df = self._q_frame(f"""
            WITH v AS (SELECT code FROM divisions WHERE {REAL_VILLAGE} AND code >= $low AND code < $high),
            f AS (SELECT fb.* FROM feedback fb JOIN v ON v.code = fb.village WHERE {self._in_period('fb')}),
            n AS (SELECT idiv(code, {w}) * {w} AS unit, count(*) AS villages FROM v GROUP BY 1),
            agg AS (SELECT idiv(village, {w}) * {w} AS unit, {_FIGURES_SQL},
                           count(DISTINCT CASE WHEN never_seen AND NOT duplicate THEN village END)
                               AS never_seen_villages,
                           count(DISTINCT CASE WHEN NOT duplicate THEN village END) AS villages_with_feedback
                    FROM f GROUP BY 1)
            SELECT n.unit AS code, d.name, n.villages, agg.*
            FROM n LEFT JOIN agg ON agg.unit = n.unit LEFT JOIN divisions d ON d.code = n.unit
            ORDER BY n.unit""", self._feedback_params(scope, period))
        df = df.drop(columns="unit")
        df["code"] = df["code"].map(to_str)
        return _with_rates(df)

    def village_feedback(self, scope: Scope, period: Period) -> pd.DataFrame:
        """One row per real village of `scope` with a response in `period` (duplicates aside): code, name,
        township, the counts and rates of :meth:`feedback_summary`, last_received (UTC)."""
        df = self._q_frame(f"""
            WITH f AS (SELECT * FROM feedback WHERE {self._in_period()}),
            agg AS (SELECT village, {_FIGURES_SQL}, max(received_at) FILTER (WHERE NOT duplicate) AS last_received
                    FROM f GROUP BY village)
            SELECT agg.village AS code, d.name, t.name AS township, agg.*
            FROM agg JOIN divisions d ON d.code = agg.village AND {rules.real_village('d')}
            LEFT JOIN divisions t ON t.code = idiv(agg.village, 1000) * 1000
            WHERE agg.responses > 0
            ORDER BY agg.village""", self._feedback_params(scope, period))
        df = df.drop(columns="village")
        df["code"] = df["code"].map(to_str)
        df["last_received"] = pd.to_datetime(df["last_received"])
        return _with_rates(df)

    def feedback_responses(self, scope: Scope, period: Period, *, duplicates: bool = False) -> pd.DataFrame:
        """The responses themselves, newest first: code, name (the village), township, received_at (UTC), source,
        satisfaction, reached, never_seen, comment, duplicate.  The client key is not given out."""
        dup = "" if duplicates else " AND NOT fb.duplicate"
        df = self._q_frame(f"""
            SELECT fb.village AS code, d.name, t.name AS township, fb.received_at, fb.source, fb.satisfaction,
                   fb.reached, fb.never_seen, fb.comment, fb.duplicate
            FROM feedback fb JOIN divisions d ON d.code = fb.village AND {rules.real_village('d')}
            LEFT JOIN divisions t ON t.code = idiv(fb.village, 1000) * 1000
            WHERE {self._in_period('fb')}{dup}
            ORDER BY fb.received_at DESC, fb.village""", self._feedback_params(scope, period))
        df["code"] = df["code"].map(to_str)
        df["received_at"] = pd.to_datetime(df["received_at"])
        df["satisfaction"] = df["satisfaction"].astype("Int64")
        df["reached"] = df["reached"].astype("boolean")
        return df

    def contradictions(self, scope: Scope, period: Period, service: ServiceSettings = DEFAULT_SERVICE,
                       min_reports: int = DEFAULT_MIN_REPORTS) -> pd.DataFrame:
        """The contradiction list (geo.core.feedback): villages of `scope` served on the period's last day by the
        service rule with `service`, with at least `min_reports` never-seen reports in `period`.

        Columns: code, name, township_code, township, county, advisers, orgs (the current ones), last_onsite
        (the latest record of a counting mode by the last day), the counts and rates of :meth:`feedback_summary`,
        first_report, last_report (UTC times of the period's first and last never-seen report).  Most reports
        first.
        """
        params = self._status_params(scope, period.end, DEFAULT_EXPIRING_DAYS)
        service_cte, params = self._service_cte(params, service)
        params = {**params, **self._feedback_params(scope, period), "min_reports": max(1, int(min_reports))}
        df = self._q_frame(f"""
            WITH {self._village_status_cte()}, {service_cte},
            fb AS (SELECT village, {_FIGURES_SQL},
                          min(received_at) FILTER (WHERE never_seen AND NOT duplicate) AS first_report,
                          max(received_at) FILTER (WHERE never_seen AND NOT duplicate) AS last_report
                   FROM feedback WHERE {self._in_period()} GROUP BY village),
            flagged AS (SELECT fb.* FROM fb JOIN v ON v.code = fb.village WHERE fb.never_seen >= $min_reports),
            sv AS (SELECT flagged.*, ps.last_counting AS last_onsite
                   FROM flagged LEFT JOIN pv ON pv.village = flagged.village
                   LEFT JOIN ps ON ps.village = flagged.village
                   LEFT JOIN sc ON sc.county = idiv(flagged.village, 1000000)
                   LEFT JOIN cd ON cd.county = idiv(flagged.village, 1000000)
                   WHERE {rules.service_status_sql()} = 'served'),
            people AS (SELECT a.village, string_agg(DISTINCT ad.name, '、' ORDER BY ad.name) AS advisers,
                              string_agg(DISTINCT ad.org, '、' ORDER BY ad.org) AS orgs
                       FROM assignments a JOIN sv ON sv.village = a.village
                       JOIN advisers ad ON ad.adviser_id = a.adviser_id
                       WHERE {rules.current_contract('a')} GROUP BY a.village)
            SELECT sv.village AS code, d.name, idiv(sv.village, 1000) * 1000 AS township_code,
                   t.name AS township, c.name AS county, p.advisers, p.orgs, sv.last_onsite,
                   sv.responses, sv.duplicates, sv.satisfaction_sum, sv.satisfaction_answers, sv.reached,
                   sv.reached_answers, sv.never_seen, sv.first_report, sv.last_report
            FROM sv JOIN divisions d ON d.code = sv.village
            LEFT JOIN divisions t ON t.code = idiv(sv.village, 1000) * 1000
            LEFT JOIN divisions c ON c.code = idiv(sv.village, 1000000) * 1000000
            LEFT JOIN people p ON p.village = sv.village
            ORDER BY sv.never_seen DESC, sv.village""", params)
        for col in ("code", "township_code"):
            df[col] = df[col].map(to_str)
        for col in ("last_onsite", "first_report", "last_report"):
            df[col] = pd.to_datetime(df[col])
        return _with_rates(df)


def _feedback_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """`rows` checked and shaped for the table: codes as int64, times as UTC text, flags as nullable booleans."""
    missing = [c for c in FEEDBACK_COLUMNS if c not in rows.columns]
    if missing:
        raise ValueError(f"feedback rows lack {missing}")
    bad_source = set(rows["source"]) - set(SOURCES)
    if bad_source:
        raise ValueError(f"unknown feedback source {sorted(map(str, bad_source))}")
    satisfaction = pd.to_numeric(rows["satisfaction"]).astype("Int64")
    low, high = SATISFACTION_RANGE
    if ((satisfaction < low) | (satisfaction > high)).fillna(False).any():
        raise ValueError("satisfaction outside 1-5")
    received = pd.to_datetime(rows["received_at"], utc=True).dt.tz_localize(None)
    if received.isna().any():
        raise ValueError("feedback without its time")
    frame = pd.DataFrame({
        "village": rows["village"].astype("int64"),
        "received_at": received.dt.strftime("%Y-%m-%d %H:%M:%S.%f").astype(object),
        "source": rows["source"].astype(str).astype(object),
        "satisfaction": satisfaction,
        "reached": rows["reached"].astype("boolean"),
        "never_seen": rows["never_seen"].fillna(False).astype(bool),
        "comment": [None if c is None or (not isinstance(c, str) and pd.isna(c)) else str(c)
                    for c in rows["comment"]],
        "client_key": [None if pd.isna(k) else str(k) for k in rows["client_key"]],
        "duplicate": rows["duplicate"].fillna(False).astype(bool),
        "batch_id": rows["batch_id"].astype("Int64")}, index=rows.index).reset_index(drop=True)
    frame = scrubbed(frame, USER_TEXT_COLUMNS["feedback"], scrub_villager_text)
    # cut after scrubbing: a number cut in half would no longer be found
    frame["comment"] = [(c.strip()[:COMMENT_MAX] or None) if isinstance(c, str) else None for c in frame["comment"]]
    return frame
