"""The SQL forms of two domain rules, beside their Python homes and tested against them.

* the real-village rule (:func:`geo.core.codes.is_real_village`): level 5, village digits not 000 (金门县
  350527000000 is listed at levels 3-5 as a placeholder with no real children), not abolished by a newer registry;
* the coverage rule (:mod:`geo.core.coverage`): per village on a day D, and precomputed as ``coverage_spans``.

Every statement is written once for both backends: ``idiv(a, b)`` is integer division (a macro in DuckDB, a SQL
function in PostgreSQL), parameters are ``$name``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


def real_village(alias: str = "") -> str:
    """SQL condition true for a real, current village row of ``divisions`` (optionally aliased)."""
    a = f"{alias}." if alias else ""
    return f"({a}level = 5 AND {a}code % 1000 <> 0 AND NOT {a}abolished)"


def current_contract(alias: str = "") -> str:
    """SQL condition true for a contract (a row of ``assignments``, optionally aliased) in force on $as_of:
    start <= D <= end, both inclusive, no end = open-ended.  The one definition of "current" for villages
    (:func:`per_village_sql`) and for people (the adviser register's loads)."""
    a = f"{alias}." if alias else ""
    return f"({a}start_date <= $as_of AND ({a}end_date IS NULL OR {a}end_date >= $as_of))"


def per_village_sql(table: str = "assignments") -> str:
    """One row per village that has any assignment starting on or before $as_of.

    Columns: ``village`` (BIGINT), ``cur_end`` (latest end among current assignments, 9999-12-31 for
    open-ended, NULL when none is current), ``expiring`` (bool: cur_end within $days after $as_of), ``seen``
    (always true; NULL after a left join means the village had no assignment at all).  A village absent from
    the result is ``never``; one present with ``cur_end IS NULL`` is ``lapsed``.
    """
    current_end = f"max(CASE WHEN {current_contract()} THEN coalesce(end_date, DATE '9999-12-31') END)"
    return f"""
        SELECT village, {current_end} AS cur_end,
               coalesce({current_end} <= $as_of + CAST($days AS INTEGER), false) AS expiring,
               true AS seen
        FROM {table}
        WHERE start_date <= $as_of
        GROUP BY village
    """


def spans_per_village_sql() -> str:
    """The columns of :func:`per_village_sql` read from the precomputed ``coverage_spans``."""
    return """
        SELECT village, cur_end, coalesce(cur_end <= $as_of + CAST($days AS INTEGER), false) AS expiring,
               true AS seen
        FROM coverage_spans
        WHERE span_from <= $as_of AND span_until > $as_of AND village >= $low AND village < $high"""


def status_sql(alias: str = "pv", counties: str = "cd") -> str:
    """SQL CASE turning the columns of :func:`per_village_sql` (left-joined as `alias`) into a status, with the
    village's row of :func:`data_counties_sql` left-joined as `counties`: a village of a county without data is
    ``no_data`` (geo.core.coverage.NO_DATA), not ``never``."""
    return (f"CASE WHEN {counties}.county IS NULL THEN 'no_data' "
            f"WHEN {alias}.cur_end IS NOT NULL AND {alias}.expiring THEN 'expiring' "
            f"WHEN {alias}.cur_end IS NOT NULL THEN 'covered' "
            f"WHEN {alias}.seen THEN 'lapsed' ELSE 'never' END")


def data_counties_sql(spans: bool = True) -> str:
    """The counties (``county``, 6-digit) in [$clow, $chigh) that have data on $as_of: a contract of a real
    village of theirs started on or before it (geo.core.coverage.county_has_data), read from ``county_spans`` (a row
    is current exactly when the county has a covered or lapsed village), else from the contracts themselves (a
    read-only store written before the spans)."""
    if spans:
        return ("SELECT county FROM county_spans WHERE span_from <= $as_of AND span_until > $as_of "
                "AND county >= idiv($clow, 1000000) AND county < idiv($chigh, 1000000)")
    return f"""SELECT DISTINCT idiv(a.village, 1000000) AS county FROM assignments a
               WHERE a.start_date <= $as_of AND a.village >= $clow AND a.village < $chigh
                 AND EXISTS (SELECT 1 FROM divisions d WHERE d.code = a.village AND {real_village('d')})"""


def spans_sql(village_filter: str = "") -> str:
    """SQL inserting ``coverage_spans`` for the real villages (optionally only those matching `village_filter`,
    a condition on ``a.village``).

    For each village, the spans [span_from, span_until) in which its set of current contracts does not change
    (span boundaries are every start day and every day after an end); ``cur_end`` is the latest end among the
    contracts current in the span (9999-12-31 open-ended) or NULL when none is (lapsed).  Before its first span
    a village is ``never``.  "Status on D" is then a range filter instead of a grouping of every assignment.

    The latest end among the contracts started by a day is a running maximum; when it is on or after the day,
    that contract is current and no current one ends later, else none is current.  Window functions only, no
    join of contracts to spans: a join is quadratic in a county's contracts when the planner misjudges a
    county's code range as a handful of rows (PostgreSQL's histograms do).
    """
    extra = f" AND {village_filter}" if village_filter else ""
    return f"""
    INSERT INTO coverage_spans (village, span_from, span_until, cur_end)
    WITH a AS (SELECT a.village, a.start_date, coalesce(a.end_date, DATE '9999-12-31') AS end_date
               FROM assignments a
               WHERE EXISTS (SELECT 1 FROM divisions d WHERE d.code = a.village AND {real_village('d')}){extra}),
    ev AS (SELECT village, start_date AS day, end_date FROM a
           UNION ALL SELECT village, end_date + 1, NULL FROM a WHERE end_date < DATE '9999-12-31'),
    bp AS (SELECT village, day, max(end_date) AS ends FROM ev GROUP BY village, day),
    run AS (SELECT village, day, max(ends) OVER (PARTITION BY village ORDER BY day) AS latest_end,
                   coalesce(lead(day) OVER (PARTITION BY village ORDER BY day), DATE 'infinity') AS next_day
            FROM bp)
    SELECT village, day, next_day, CASE WHEN latest_end >= day THEN latest_end END
    FROM run WHERE latest_end IS NOT NULL
    ORDER BY village, day"""


def county_spans_sql(village_filter: str = "") -> str:
    """SQL inserting ``county_spans`` from ``coverage_spans`` (optionally only the rows matching `village_filter`,
    a condition on ``village`` that takes whole counties): per county, the spans in which its numbers of covered
    and lapsed villages do not change.  A sweep: each village span adds its village to one count from its first
    day and takes it off at its end."""
    where = f" AND {village_filter}" if village_filter else ""
    kind = "CASE WHEN cur_end IS NULL THEN 0 ELSE 1 END"
    return f"""
    INSERT INTO county_spans (county, span_from, span_until, covered, lapsed)
    WITH ev AS (SELECT idiv(village, 1000000) AS county, span_from AS day, {kind} AS covered, 1 - {kind} AS lapsed
                FROM coverage_spans WHERE true{where}
                UNION ALL
                SELECT idiv(village, 1000000), span_until, -{kind}, {kind} - 1
                FROM coverage_spans WHERE span_until < DATE 'infinity'{where}),
    d AS (SELECT county, day, CAST(sum(covered) AS INTEGER) AS covered, CAST(sum(lapsed) AS INTEGER) AS lapsed
          FROM ev GROUP BY county, day),
    run AS (SELECT county, day, sum(covered) OVER (PARTITION BY county ORDER BY day) AS covered,
                   sum(lapsed) OVER (PARTITION BY county ORDER BY day) AS lapsed,
                   coalesce(lead(day) OVER (PARTITION BY county ORDER BY day), DATE 'infinity') AS next_day
            FROM d)
    SELECT county, day, next_day, CAST(covered AS INTEGER), CAST(lapsed AS INTEGER) FROM run
    WHERE covered > 0 OR lapsed > 0
    ORDER BY county, day"""


def county_villages_sql(code_filter: str = "") -> str:
    """SQL inserting ``county_villages``: each county's number of real villages (optionally only the counties
    matching `code_filter`, a condition on ``code`` that takes whole counties)."""
    where = f" AND {code_filter}" if code_filter else ""
    return f"""
    INSERT INTO county_villages (county, villages)
    SELECT idiv(code, 1000000), count(*) FROM divisions WHERE {real_village()}{where} GROUP BY 1"""


def adviser_counties_sql(village_filter: str = "") -> str:
    """SQL inserting ``adviser_counties``: each county in which a person holds any contract, ended or not, on any
    village (optionally only the contracts matching `village_filter`, a condition on ``village`` that takes whole
    counties).  A refresh of a county's loads reads who was there before the write from it: a contract removed
    by the write is gone from ``assignments``, and its person's load changed all the same."""
    where = f" WHERE {village_filter}" if village_filter else ""
    return f"""
    INSERT INTO adviser_counties (adviser_id, county)
    SELECT DISTINCT adviser_id, idiv(village, 1000000) FROM assignments{where}"""


def adviser_spans_sql(people: str = "") -> str:
    """SQL inserting ``adviser_spans`` for every person (optionally only those listed in the table `people`, a
    column adviser_id): the coverage rule's "current" applied to a person's whole load, anywhere.

    For each person, the spans [span_from, span_until) in which their set of current contracts does not change,
    from their first contract's start on (the day they became one of the people of its scope), with the
    register's figures of the span: villages (distinct real villages under a contract in force), n_townships,
    next_end (earliest end among those contracts; NULL none or all open-ended) and last_end (latest;
    9999-12-31 open-ended, NULL none).  Span boundaries are every start day and every day after an end, of any
    contract: one on a village no longer real still makes its person one of the people, with no load from it.
    A person's spans are joined to their own contracts only: a handful each, tens for the busiest.  The listed
    people's contracts are looked up person by person, a lateral read kept apart by OFFSET 0 (PostgreSQL flattens
    a plain one into a join, and merged a quarter of the contracts in adviser order for a county's 400 people:
    130-450 ms, not 18)."""
    source = (f"""{people} r CROSS JOIN LATERAL (
                      SELECT x.adviser_id, x.village, x.start_date, x.end_date FROM assignments x
                      WHERE x.adviser_id = r.adviser_id OFFSET 0) a""" if people else "assignments a")
    return f"""
    INSERT INTO adviser_spans (adviser_id, span_from, span_until, villages, n_townships, next_end, last_end)
    WITH a AS (SELECT a.adviser_id, a.village, a.start_date, a.end_date,
                      coalesce({real_village('d')}, false) AS real
               FROM {source} LEFT JOIN divisions d ON d.code = a.village),
    bp AS (SELECT adviser_id, start_date AS day FROM a
           UNION SELECT adviser_id, end_date + 1 FROM a WHERE end_date IS NOT NULL),
    spans AS (SELECT adviser_id, day,
                     coalesce(lead(day) OVER (PARTITION BY adviser_id ORDER BY day), DATE 'infinity') AS next_day
              FROM bp)
    SELECT s.adviser_id, s.day, s.next_day, CAST(count(DISTINCT c.village) AS INTEGER),
           CAST(count(DISTINCT idiv(c.village, 1000)) AS INTEGER), min(c.end_date),
           max(CASE WHEN c.village IS NOT NULL THEN coalesce(c.end_date, DATE '9999-12-31') END)
    FROM spans s LEFT JOIN a c ON c.adviser_id = s.adviser_id AND c.real AND c.start_date <= s.day
                                 AND (c.end_date IS NULL OR c.end_date >= s.day)
    GROUP BY s.adviser_id, s.day, s.next_day
    ORDER BY s.adviser_id, s.day"""


def county_figures_sql(width: int) -> str:
    """CTEs ``n`` (unit, villages, data_villages, no_data_counties) and ``agg`` (unit, covered, expiring, lapsed,
    covered_recorded, in_recorded_counties) for units of `width` (a county or wider) in the county-aligned range
    [$low, $high), from the per-county tables: a few thousand rows, not a row per village.  A county has data when
    its row of ``county_spans`` is current (``pc``).  Expiring contracts are looked up by their end day (a span
    current on D that is covered ends on or after D: its contracts last to its end at least); ``sc`` (counties
    with service records) comes from the caller."""
    per = width // 10**6
    counties = "county >= idiv($low, 1000000) AND county < idiv($high, 1000000)"
    return f"""
    pc AS (SELECT county, covered, lapsed FROM county_spans
           WHERE span_from <= $as_of AND span_until > $as_of AND {counties}),
    n AS (SELECT idiv(cv.county, {per}) * {width} AS unit, CAST(sum(cv.villages) AS BIGINT) AS villages,
                 CAST(sum(CASE WHEN pc.county IS NOT NULL THEN cv.villages ELSE 0 END) AS BIGINT) AS data_villages,
                 CAST(sum(CASE WHEN pc.county IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS no_data_counties
          FROM county_villages cv LEFT JOIN pc ON pc.county = cv.county
          WHERE cv.county >= idiv($low, 1000000) AND cv.county < idiv($high, 1000000) GROUP BY 1),
    ex AS (SELECT idiv(village, 1000000) AS county, count(*) AS expiring FROM coverage_spans
           WHERE cur_end >= $as_of AND cur_end <= $as_of + CAST($days AS INTEGER)
             AND span_from <= $as_of AND span_until > $as_of
             AND village >= $low AND village < $high
           GROUP BY 1),
    agg AS (SELECT idiv(pc.county, {per}) * {width} AS unit, CAST(sum(pc.covered) AS BIGINT) AS covered,
                   CAST(sum(coalesce(ex.expiring, 0)) AS BIGINT) AS expiring, CAST(sum(pc.lapsed) AS BIGINT) AS lapsed,
                   CAST(sum(CASE WHEN sc.county IS NOT NULL THEN pc.covered ELSE 0 END) AS BIGINT)
                       AS covered_recorded,
                   CAST(sum(CASE WHEN sc.county IS NOT NULL THEN pc.covered + pc.lapsed ELSE 0 END) AS BIGINT)
                       AS in_recorded_counties
            FROM pc LEFT JOIN ex ON ex.county = pc.county LEFT JOIN sc ON sc.county = pc.county
            GROUP BY 1)"""


# -- the effective-service rule (geo.core.service_rule) ------------------------------------------------------------
def service_days_sql(village_filter: str = "") -> str:
    """SQL inserting ``service_days`` for the real villages (optionally only those matching `village_filter`, a
    condition on ``s.village``): one row per village, mode and day with a record, ``next_day`` the next such day
    of the same village and mode (infinity after the last).  "The latest record on or before D" is then the one
    row with ``day <= D < next_day``, whatever the window: a range filter, not a grouping of every record."""
    extra = f" AND {village_filter}" if village_filter else ""
    return f"""
    INSERT INTO service_days (village, mode, day, next_day)
    WITH d AS (SELECT DISTINCT s.village, s.mode, s.service_date AS day FROM services s
               WHERE EXISTS (SELECT 1 FROM divisions v WHERE v.code = s.village AND {real_village('v')}){extra})
    SELECT village, mode, day,
           coalesce(lead(day) OVER (PARTITION BY village, mode ORDER BY day), DATE 'infinity')
    FROM d ORDER BY village, day"""


def month_start(column: str) -> str:
    """SQL: the first day of the month of the DATE `column` (a DATE on both backends)."""
    return f"({column} - CAST(EXTRACT(day FROM {column}) AS INTEGER) + 1)"


#: the columns of ``adviser_months`` grouped from ``services`` rows (an adviser's records at one county in a month)
_ADVISER_MONTH = f"""adviser_id, idiv(village, 1000000) AS county, {month_start('service_date')} AS month,
           CAST(count(*) AS INTEGER) AS records,
           CAST(count(*) FILTER (WHERE mode = 'onsite') AS INTEGER) AS onsite_records,
           coalesce(sum(hours) FILTER (WHERE mode = 'onsite'), 0) AS onsite_hours,
           max(service_date) FILTER (WHERE mode = 'onsite') AS last_onsite"""


def adviser_months_sql(record_filter: str = "") -> str:
    """SQL inserting ``adviser_months`` (optionally only from the records matching `record_filter`: the villages of
    whole counties, or the batches of an append): per adviser, county and month, the records, the on-site ones, their
    hours and the last on-site day (a rebuild writes one row for each; an append adds rows, see
    :func:`adviser_months_append_sql`).  The register's service figures add whole months from it and read only the
    month of the day and the window's first month from the records (:func:`adviser_service_stats_sql`)."""
    extra = f" AND {record_filter}" if record_filter else ""
    return f"""
    INSERT INTO adviser_months (adviser_id, county, month, records, onsite_records, onsite_hours, last_onsite)
    SELECT {_ADVISER_MONTH}
    FROM services WHERE adviser_id IS NOT NULL{extra} GROUP BY 1, 2, 3"""


def adviser_months_append_sql(ids: str) -> str:
    """SQL adding the records of the batches `ids` (a SQL list) to ``adviser_months`` as rows of their own.  A row
    is a part of an adviser's month at a county, and every read adds the parts up (sums and a maximum): a month
    sent in two files needs no merge, and appending reads nothing already stored (a merge's join, planned before
    the table's first statistics, had scanned the stored months once per new one)."""
    return adviser_months_sql(f"batch_id IN ({ids})")


def adviser_service_stats_sql(from_months: bool) -> str:
    """SQL: per adviser with a record at a village in $low..$high by $as_of, onsite_hours_month (on-site hours from
    $month_start), records_window and onsite_records_window (from $window_start) and last_onsite.

    `from_months` (a scope of whole counties, ``adviser_months`` kept): the whole months before the day's month
    from ``adviser_months``, the records themselves only for the day's month up to the day and for the part of
    the window in its first month ($window_next: the first day of the month after $window_start); nationally a
    year's 6.4 million records are 2.2 million adviser-months, and the records read are about a month's."""
    raw = """SELECT adviser_id,
                    coalesce(sum(hours) FILTER (WHERE mode = 'onsite' AND service_date >= $month_start), 0)
                        AS onsite_hours_month,
                    count(*) FILTER (WHERE service_date >= $window_start) AS records_window,
                    count(*) FILTER (WHERE mode = 'onsite' AND service_date >= $window_start)
                        AS onsite_records_window,
                    max(service_date) FILTER (WHERE mode = 'onsite') AS last_onsite
             FROM services WHERE adviser_id IS NOT NULL AND service_date <= $as_of
                AND village >= $low AND village < $high{only}
             GROUP BY adviser_id"""
    if not from_months:
        return raw.format(only="")
    recent = raw.format(only="""
                AND (service_date >= $month_start
                     OR (service_date >= $window_start AND service_date < $window_next))""")
    return f"""
        SELECT adviser_id, CAST(sum(onsite_hours_month) AS DOUBLE PRECISION) AS onsite_hours_month,
               CAST(sum(records_window) AS BIGINT) AS records_window,
               CAST(sum(onsite_records_window) AS BIGINT) AS onsite_records_window, max(last_onsite) AS last_onsite
        FROM ({recent}
              UNION ALL
              SELECT adviser_id, 0, coalesce(sum(records) FILTER (WHERE month >= $window_next), 0),
                     coalesce(sum(onsite_records) FILTER (WHERE month >= $window_next), 0), max(last_onsite)
              FROM adviser_months WHERE county >= idiv($low, 1000000) AND county < idiv($high, 1000000)
                AND month < $month_start
              GROUP BY adviser_id) parts
        GROUP BY adviser_id"""


@dataclass(frozen=True)
class AppendSteps:
    """The statements of :func:`service_append_sql`: `prepare` (temporary tables of what is new), `late` (a query
    counting new records dated before their village's latest stored day of the mode: then the append cannot be
    applied and the tables are rebuilt), `apply`, and `cleanup` (run in any case)."""

    prepare: tuple[str, ...]
    late: str
    apply: tuple[str, ...]
    cleanup: tuple[str, ...]


def service_append_sql(batch_ids: Sequence[int]) -> AppendSteps:
    """The service tables brought up to date after the records of `batch_ids` were added (and nothing else
    changed), without rebuilding what stays: for a year of national records written a month at a time, a
    rebuild rewrote every earlier month's rows at each commit.

    Applies only when each village's new days of a mode come on or after its latest stored day of that mode (logs
    arrive in order); :attr:`AppendSteps.late` says when they do not.  Then, per village and mode: the latest
    stored day's next day becomes the first new day, and the new days are inserted as :func:`service_days_sql`
    would.  Served spans: windows are formed over the latest stored on-site day and the new ones; a window that
    continues the old last island replaces the served piece that ended where that island ended (it starts where
    that piece started), the others are new; each is cut by the covered spans as :func:`served_spans_sql` cuts.
    The tests compare the result with a rebuild after every append.
    """
    ids = ", ".join(str(int(b)) for b in batch_ids) or "NULL"
    w = SERVED_SPANS_WINDOW
    prepare = (
        f"""CREATE TEMP TABLE svc_new AS
            SELECT DISTINCT s.village, s.mode, s.service_date AS day FROM services s WHERE s.batch_id IN ({ids})""",
        # only then the real villages: the records of a batch just written are unknown to the planner's
        # statistics, which took them for a row or two and looked each village up by itself
        f"""DELETE FROM svc_new WHERE NOT EXISTS (SELECT 1 FROM divisions v WHERE v.code = svc_new.village
                                                  AND {real_village('v')})""",
        # a village's latest stored day of a mode is its row without a next day
        """CREATE TEMP TABLE svc_tail AS
           SELECT g.village, g.mode, g.first_new, sd.day AS last_old
           FROM (SELECT village, mode, min(day) AS first_new FROM svc_new GROUP BY village, mode) g
           LEFT JOIN service_days sd ON sd.village = g.village AND sd.mode = g.mode
                                    AND sd.next_day = DATE 'infinity'""",
    )
    late = "SELECT count(*) FROM svc_tail WHERE last_old > first_new"
    apply = (
        # a new day that is the stored latest day is no new day
        """DELETE FROM svc_new WHERE EXISTS (SELECT 1 FROM svc_tail t WHERE t.village = svc_new.village
                                             AND t.mode = svc_new.mode AND t.last_old = svc_new.day)""",
        # (a village and mode without a stored day has no row to join: no need to ask svc_tail which have one)
        """UPDATE service_days SET next_day = n.first_day
           FROM (SELECT t.village, t.mode, t.last_old, min(n.day) AS first_day FROM svc_tail t
                 JOIN svc_new n ON n.village = t.village AND n.mode = t.mode
                 WHERE t.last_old IS NOT NULL GROUP BY t.village, t.mode, t.last_old) n
           WHERE service_days.village = n.village AND service_days.mode = n.mode AND service_days.day = n.last_old
             AND service_days.next_day = DATE 'infinity'""",
        """INSERT INTO service_days (village, mode, day, next_day)
           SELECT village, mode, day,
                  coalesce(lead(day) OVER (PARTITION BY village, mode ORDER BY day), DATE 'infinity')
           FROM svc_new ORDER BY village, day""",
        """CREATE TEMP TABLE svc_counties AS
           SELECT c.county, CASE WHEN sc.first_day < c.first_new THEN sc.first_day ELSE c.first_new END
                      AS first_day
           FROM (SELECT idiv(village, 1000000) AS county, min(day) AS first_new FROM svc_new GROUP BY 1) c
           LEFT JOIN service_counties sc ON sc.county = c.county""",
        "DELETE FROM service_counties WHERE county IN (SELECT county FROM svc_counties)",
        "INSERT INTO service_counties (county, first_day) SELECT county, first_day FROM svc_counties",
        f"""CREATE TEMP TABLE svc_win AS
            WITH tail AS (SELECT village, last_old FROM svc_tail WHERE mode = 'onsite' AND last_old IS NOT NULL
                          AND EXISTS (SELECT 1 FROM svc_new n WHERE n.village = svc_tail.village
                                      AND n.mode = 'onsite')),
            od0 AS (SELECT village, day FROM svc_new WHERE mode = 'onsite'
                    UNION ALL SELECT village, last_old FROM tail),
            od AS (SELECT village, day, lag(day) OVER (PARTITION BY village ORDER BY day) AS prev FROM od0),
            isl AS (SELECT village, day,
                           sum(CASE WHEN prev IS NULL OR day > prev + {w} THEN 1 ELSE 0 END)
                               OVER (PARTITION BY village ORDER BY day) AS island
                    FROM od),
            win AS (SELECT village, min(day) AS w_from, max(day) AS last_day FROM isl GROUP BY village, island),
            cont AS (SELECT win.village, win.w_from, win.last_day + {w} AS w_until, tail.last_old
                     FROM win LEFT JOIN tail ON tail.village = win.village AND tail.last_old = win.w_from
                     WHERE tail.last_old IS NULL OR win.last_day > tail.last_old)
            -- a window that continues the old last island: from where its served piece began (a village's
            -- pieces do not overlap: at most one ends there), else from that island's end
            SELECT cont.village,
                   CASE WHEN cont.last_old IS NULL THEN cont.w_from
                        ELSE coalesce(sp.span_from, cont.last_old + {w}) END AS w_from,
                   cont.w_until, cont.last_old
            FROM cont LEFT JOIN served_spans sp ON cont.last_old IS NOT NULL AND sp.village = cont.village
                                               AND sp.span_until = cont.last_old + {w}""",
        f"""DELETE FROM served_spans WHERE EXISTS (
                SELECT 1 FROM svc_win w WHERE w.village = served_spans.village AND w.last_old IS NOT NULL
                  AND served_spans.span_until = w.last_old + {w})""",
        """INSERT INTO served_spans (village, span_from, span_until)
           SELECT w.village, greatest(cs.span_from, w.w_from), least(cs.span_until, w.w_until)
           FROM svc_win w CROSS JOIN LATERAL (
               SELECT c.span_from, c.span_until FROM coverage_spans c
               WHERE c.village = w.village AND c.cur_end IS NOT NULL AND c.span_from < w.w_until
                 AND c.span_until > w.w_from) cs
           ORDER BY 1, 2""",
    )
    apply += (adviser_months_append_sql(ids),)
    cleanup = tuple(f"DROP TABLE IF EXISTS {t}" for t in ("svc_win", "svc_counties", "svc_tail", "svc_new"))
    return AppendSteps(prepare, late, apply, cleanup)


def modes_in(column: str, n_modes: int) -> str:
    """SQL condition: `column` is one of the counting modes, given as parameters $mode0 .. $mode{n-1}."""
    return f"{column} IN ({', '.join(f'$mode{i}' for i in range(n_modes))})"


def served_spans_sql(village_filter: str = "") -> str:
    """SQL inserting ``served_spans`` (optionally only for villages matching `village_filter`, a condition on
    ``village``): for each village, the spans [span_from, span_until) in which it is served under the default
    rule - covered (a coverage span with a current contract) and an on-site record at most
    :data:`SERVED_SPANS_WINDOW` - 1 days before.  A record on day s serves [s, s + W); overlapping or touching
    windows of one village are merged (gaps and islands), then cut by its covered spans.  "Served on D" is then a
    range filter over about one row per village, like coverage_spans; another window or mode takes the general
    form, which joins coverage and records village by village."""
    extra = f" AND {village_filter}" if village_filter else ""
    w = SERVED_SPANS_WINDOW
    return f"""
    INSERT INTO served_spans (village, span_from, span_until)
    WITH od AS (SELECT village, day, lag(day) OVER (PARTITION BY village ORDER BY day) AS prev
                FROM service_days WHERE mode = 'onsite'{extra}),
    isl AS (SELECT village, day,
                   sum(CASE WHEN prev IS NULL OR day > prev + {w} THEN 1 ELSE 0 END)
                       OVER (PARTITION BY village ORDER BY day) AS island
            FROM od),
    win AS (SELECT village, min(day) AS w_from, max(day) + {w} AS w_until FROM isl GROUP BY village, island)
    -- each window looks up the covered spans of its village that it overlaps (an index probe each): a join of
    -- the two whole sets becomes quadratic when the planner takes a county's code range for a handful of rows
    SELECT win.village, greatest(cs.span_from, win.w_from), least(cs.span_until, win.w_until)
    FROM win CROSS JOIN LATERAL (
        SELECT c.span_from, c.span_until FROM coverage_spans c
        WHERE c.village = win.village AND c.cur_end IS NOT NULL AND c.span_from < win.w_until
          AND c.span_until > win.w_from) cs
    ORDER BY 1, 2"""


#: the counting modes and the window served_spans answers for (the rule's defaults)
SERVED_SPANS_MODES = ("onsite",)
SERVED_SPANS_WINDOW = 90


def served_per_unit_sql(width: int) -> str:
    """Served villages per unit (``unit``, ``served``) on $as_of in [$low, $high), from ``served_spans``."""
    return f"""
        SELECT idiv(village, {width}) * {width} AS unit, count(*) AS served FROM served_spans
        WHERE span_from <= $as_of AND span_until > $as_of AND village >= $low AND village < $high
        GROUP BY 1"""


#: at most this many units of a width are counted by a probe each (served_per_unit_probed_sql); more are grouped
MAX_PROBED_UNITS = 1000


def served_per_unit_probed_sql(width: int) -> str:
    """:func:`served_per_unit_sql` as one range read per unit of `width` in [$low, $high) (units with no served
    village left out, as there): with ``served_spans_cover`` PostgreSQL counts each from the index alone, with no
    division per row and no hash table (national, 31 provinces: 100-130 -> 63-68 ms).  For scopes of at most
    :data:`MAX_PROBED_UNITS` units of the width."""
    return f"""
        SELECT g.unit, c.served
        FROM generate_series(idiv($low, {width}) * {width}, $high - 1, {width}) AS g(unit)
        CROSS JOIN LATERAL (SELECT count(*) AS served FROM served_spans s
                            WHERE s.village >= g.unit AND s.village < g.unit + {width}
                              AND s.village >= $low AND s.village < $high
                              AND s.span_from <= $as_of AND s.span_until > $as_of) c
        WHERE c.served > 0"""


def service_per_village_sql(n_modes: int, low: str = "$low", high: str = "$high") -> str:
    """One row per village in [$low, $high) with a record of a counting mode (parameters $mode0 ..) on or before
    $as_of, read from ``service_days``: ``village``, ``last_counting`` (the latest such day).  Served on $as_of =
    covered and ``last_counting >= $window_start``.  With one counting mode it is one row of service_days per
    village, without any grouping."""
    if n_modes == 1:
        return f"""
        SELECT village, day AS last_counting FROM service_days
        WHERE mode = $mode0 AND day <= $as_of AND next_day > $as_of AND village >= {low} AND village < {high}"""
    return f"""
        SELECT village, max(day) AS last_counting
        FROM service_days
        WHERE {modes_in('mode', n_modes)} AND day <= $as_of AND next_day > $as_of
          AND village >= {low} AND village < {high}
        GROUP BY village"""


def raw_service_per_village_sql(n_modes: int, low: str = "$low", high: str = "$high") -> str:
    """The columns of :func:`service_per_village_sql` grouped from the ``services`` records themselves (a
    read-only store written before ``service_days``; the tests' second form)."""
    return f"""
        SELECT village, max(service_date) AS last_counting
        FROM services s
        WHERE {modes_in('mode', n_modes)} AND service_date <= $as_of AND village >= {low} AND village < {high}
          AND EXISTS (SELECT 1 FROM divisions v WHERE v.code = s.village AND {real_village('v')})
        GROUP BY village"""


def service_counties_build_sql(village_filter: str = "") -> str:
    """SQL inserting ``service_counties`` (optionally only from the rows matching `village_filter`, a condition on
    ``village``, that takes whole counties): each county's first day with a record in ``service_days``."""
    where = f"WHERE {village_filter}" if village_filter else ""
    return f"""
    INSERT INTO service_counties (county, first_day)
    SELECT idiv(village, 1000000), min(day) FROM service_days {where} GROUP BY 1"""


def service_counties_sql() -> str:
    """The counties (``county``, 6-digit) in [$clow, $chigh) with any service record on or before $as_of."""
    return ("SELECT county FROM service_counties WHERE first_day <= $as_of "
            "AND county >= idiv($clow, 1000000) AND county < idiv($chigh, 1000000)")


def raw_service_counties_sql() -> str:
    """:func:`service_counties_sql` from the ``services`` records themselves."""
    return ("SELECT DISTINCT idiv(village, 1000000) AS county FROM services "
            "WHERE service_date <= $as_of AND village >= $clow AND village < $chigh")


def served_sql(pv: str = "pv", ps: str = "ps") -> str:
    """SQL condition: the village of `pv` (coverage, :func:`per_village_sql`) is served by the records of `ps`."""
    return f"({pv}.cur_end IS NOT NULL AND {ps}.last_counting >= $window_start)"


def service_status_sql(pv: str = "pv", ps: str = "ps", sc: str = "sc", counties: str = "cd") -> str:
    """SQL CASE giving the effective status (geo.core.service_rule.ServiceStatus) of a village from its coverage `pv`,
    its service records `ps`, its county's row `sc` of :func:`service_counties_sql` and its county's row
    `counties` of :func:`data_counties_sql` (all left-joined): a county without contracts has no data either."""
    return (f"CASE WHEN {counties}.county IS NULL THEN 'no_data' WHEN {served_sql(pv, ps)} THEN 'served' "
            f"WHEN {pv}.cur_end IS NOT NULL AND {sc}.county IS NOT NULL THEN 'nominal' "
            f"WHEN {pv}.cur_end IS NOT NULL THEN 'no_data' "
            f"WHEN {pv}.seen THEN 'lapsed' ELSE 'never' END")
