"""The tables, written once for both backends (column types differ only where the engines' names do)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Types:
    small_int: str
    double: str
    blob: str


DUCKDB_TYPES = Types(small_int="SMALLINT", double="DOUBLE", blob="BLOB")
POSTGRES_TYPES = Types(small_int="SMALLINT", double="DOUBLE PRECISION", blob="BYTEA")

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE SEQUENCE IF NOT EXISTS batch_seq START 1;
-- scope: the smallest division holding every row the batch wrote, or its importer's jurisdiction when it wrote
-- none (digits; NULL the whole country): who sees the batch in a history (Store.batches)
CREATE TABLE IF NOT EXISTS batches (
    batch_id INTEGER PRIMARY KEY, kind VARCHAR NOT NULL, file_name VARCHAR, sha256 VARCHAR,
    created_at TIMESTAMP DEFAULT current_timestamp, rows_read INTEGER, rows_accepted INTEGER,
    rows_rejected INTEGER, status VARCHAR DEFAULT 'active', note VARCHAR, scope VARCHAR);
CREATE TABLE IF NOT EXISTS divisions (
    code BIGINT NOT NULL, name VARCHAR NOT NULL, level {t.small_int} NOT NULL, parent BIGINT,
    urban_rural VARCHAR, abolished BOOLEAN DEFAULT false, batch_id INTEGER);
-- changed_by (advisers, assignments, services): the batch of the last change made to the row after it was stored
-- (an edit, an early end, a merge: geo.records); its row before that change is in the *_history table, so that
-- undoing the batch puts it back
CREATE TABLE IF NOT EXISTS advisers (
    adviser_id INTEGER NOT NULL, name VARCHAR NOT NULL, kind VARCHAR, org VARCHAR, licence_no VARCHAR,
    phone VARCHAR, base_code BIGINT, lon {t.double}, lat {t.double}, batch_id INTEGER, changed_by INTEGER);
-- end_date: the last day in force (inclusive), NULL open-ended.  A contract ended early keeps its printed end in
-- printed_end and says why in end_reason (geo.records.reasons)
CREATE TABLE IF NOT EXISTS assignments (
    adviser_id INTEGER NOT NULL, village BIGINT NOT NULL, start_date DATE NOT NULL, end_date DATE,
    batch_id INTEGER, printed_end DATE, end_reason VARCHAR, changed_by INTEGER);
CREATE TABLE IF NOT EXISTS village_geoms (
    code BIGINT NOT NULL, geom {t.blob} NOT NULL, schematic BOOLEAN DEFAULT false, batch_id INTEGER);
-- what an import replaced, so its batch can be rolled back (existed = false: the row was new)
CREATE TABLE IF NOT EXISTS division_history (
    batch_id INTEGER NOT NULL, code BIGINT NOT NULL, name VARCHAR, level {t.small_int}, urban_rural VARCHAR,
    abolished BOOLEAN, existed BOOLEAN NOT NULL);
CREATE TABLE IF NOT EXISTS geom_history (
    batch_id INTEGER NOT NULL, code BIGINT NOT NULL, geom {t.blob}, schematic BOOLEAN, prior_batch INTEGER,
    existed BOOLEAN NOT NULL);
-- derived (Store.refresh_coverage_spans): for each real village, the spans [span_from, span_until) in which its
-- set of current contracts does not change; cur_end = latest end among them (9999-12-31 open-ended), NULL =
-- lapsed.  Before its first span a village is 'never'.  One row per village and span answers "status on day D"
-- with a range filter, without grouping 700,000 assignments per query.
CREATE TABLE IF NOT EXISTS coverage_spans (
    village BIGINT NOT NULL, span_from DATE NOT NULL, span_until DATE NOT NULL, cur_end DATE);
-- derived with coverage_spans: per county, the spans in which its numbers of covered and lapsed villages do not
-- change, and its number of real villages; a summary of provinces reads 3,000 county rows, not 600,000 villages
CREATE TABLE IF NOT EXISTS county_spans (
    county BIGINT NOT NULL, span_from DATE NOT NULL, span_until DATE NOT NULL, covered INTEGER NOT NULL,
    lapsed INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS county_villages (county BIGINT NOT NULL, villages INTEGER NOT NULL);
-- derived with coverage_spans (sql/rules.py, adviser_spans_sql): per person, the spans in which their load does not
-- change, from their first contract on; the national register reads 200,000 spans, not 730,000 contracts grouped
CREATE TABLE IF NOT EXISTS adviser_spans (
    adviser_id INTEGER NOT NULL, span_from DATE NOT NULL, span_until DATE NOT NULL, villages INTEGER NOT NULL,
    n_townships INTEGER NOT NULL, next_end DATE, last_end DATE);
-- derived with adviser_spans: the counties in which each person holds any contract (whose loads a write there
-- may change, a contract it removed included)
CREATE TABLE IF NOT EXISTS adviser_counties (adviser_id INTEGER NOT NULL, county BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS shapes (
    code BIGINT NOT NULL, tier VARCHAR NOT NULL, geojson VARCHAR NOT NULL, schematic BOOLEAN DEFAULT false);
-- service records (服务台账): one row per visit, call or lecture; mode is 'onsite', 'remote' or 'other'
CREATE TABLE IF NOT EXISTS services (
    village BIGINT NOT NULL, adviser_id INTEGER, service_date DATE NOT NULL, mode VARCHAR NOT NULL,
    category VARCHAR, hours {t.double}, people INTEGER, content VARCHAR, batch_id INTEGER, changed_by INTEGER);
-- derived (Store.refresh_service_days): per real village and mode, each day with a service record and the next
-- such day (infinity after the last).  The one row with day <= D < next_day holds the latest record on or before
-- D, so "served on D" is a range filter over it instead of a grouping of five million records per query.
CREATE TABLE IF NOT EXISTS service_days (
    village BIGINT NOT NULL, mode VARCHAR NOT NULL, day DATE NOT NULL, next_day DATE NOT NULL);
-- derived (Store.refresh_service_days): per village, the spans [span_from, span_until) in which it is served under
-- the default rule (covered, and an on-site record in the 90 days up to the day); served on D = a span holding D
CREATE TABLE IF NOT EXISTS served_spans (
    village BIGINT NOT NULL, span_from DATE NOT NULL, span_until DATE NOT NULL);
-- derived with service_days: each county's first day with a service record (before it: no service data)
CREATE TABLE IF NOT EXISTS service_counties (county BIGINT NOT NULL, first_day DATE NOT NULL);
-- derived with service_days (sql/rules.py, adviser_months_sql): per adviser, county and month, the records, the
-- on-site ones, their hours and the last on-site day, possibly in several rows (one per batch that added to the
-- month: reads add them up); the register's service figures add months, not records
CREATE TABLE IF NOT EXISTS adviser_months (
    adviser_id INTEGER NOT NULL, county BIGINT NOT NULL, month DATE NOT NULL, records INTEGER NOT NULL,
    onsite_records INTEGER NOT NULL, onsite_hours {t.double} NOT NULL, last_onsite DATE);
-- the rows as they were before a batch changed them (geo.store.records): batch_id is the changing batch, the
-- other columns the row's own (its batch_id as row_batch)
CREATE TABLE IF NOT EXISTS adviser_history (
    batch_id INTEGER NOT NULL, adviser_id INTEGER NOT NULL, name VARCHAR NOT NULL, kind VARCHAR, org VARCHAR,
    licence_no VARCHAR, phone VARCHAR, base_code BIGINT, lon {t.double}, lat {t.double}, row_batch INTEGER,
    changed_by INTEGER);
CREATE TABLE IF NOT EXISTS assignment_history (
    batch_id INTEGER NOT NULL, adviser_id INTEGER NOT NULL, village BIGINT NOT NULL, start_date DATE NOT NULL,
    end_date DATE, row_batch INTEGER, printed_end DATE, end_reason VARCHAR, changed_by INTEGER);
CREATE TABLE IF NOT EXISTS service_history (
    batch_id INTEGER NOT NULL, village BIGINT NOT NULL, adviser_id INTEGER, service_date DATE NOT NULL,
    mode VARCHAR NOT NULL, category VARCHAR, hours {t.double}, people INTEGER, content VARCHAR, row_batch INTEGER,
    changed_by INTEGER);
-- which villages and advisers a change made in the app touched: a change is undone only after the later ones
-- touching the same villages or people
CREATE TABLE IF NOT EXISTS record_touches (batch_id INTEGER NOT NULL, village BIGINT, adviser_id INTEGER);
-- the public village page (geo.public): per village, the random nonce its page token is derived from (with the
-- secret in meta) and the SHA-256 of that token, by which a request finds its village; rotating = a new nonce
CREATE TABLE IF NOT EXISTS village_tokens (
    village BIGINT PRIMARY KEY, nonce VARCHAR NOT NULL, token_sha256 VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
    created_by VARCHAR NOT NULL);
-- what a county prints on its boards and shows on its pages (geo.public.settings); a county without a row has
-- the defaults (12348, no supervision phone, the last on-site date not shown)
CREATE TABLE IF NOT EXISTS public_settings (
    county BIGINT PRIMARY KEY, supervision_phone VARCHAR, hotline VARCHAR, show_last_onsite BOOLEAN NOT NULL,
    service_time VARCHAR, service_place VARCHAR, updated_at TIMESTAMP NOT NULL, updated_by VARCHAR NOT NULL);
-- every signboard printed: when, from which day and data version, and a fingerprint of what it says (advisers,
-- settings) and of its QR code's token, so that boards gone out of date can be listed for reprinting
CREATE TABLE IF NOT EXISTS signboards (
    village BIGINT NOT NULL, printed_at TIMESTAMP NOT NULL, as_of DATE NOT NULL, data_version VARCHAR NOT NULL,
    content_sha256 VARCHAR NOT NULL, token_sha256 VARCHAR NOT NULL, printed_by VARCHAR NOT NULL);
-- accounts (geo.auth.accounts): scope is the jurisdiction's digits ("" = the whole country); only a password's
-- argon2 hash is kept.  Times are UTC.
CREATE TABLE IF NOT EXISTS accounts (
    username VARCHAR PRIMARY KEY, display_name VARCHAR NOT NULL, role VARCHAR NOT NULL, scope VARCHAR NOT NULL,
    enabled BOOLEAN NOT NULL, password_hash VARCHAR NOT NULL, failed_logins INTEGER NOT NULL,
    locked_until TIMESTAMP, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL);
-- a login: only the SHA-256 of its random token is kept, so a copy of the table opens no session
CREATE TABLE IF NOT EXISTS sessions (
    token_hash VARCHAR PRIMARY KEY, username VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL, expires_at TIMESTAMP NOT NULL, ended_at TIMESTAMP);
-- the audit trail (geo.auth.audit): append-only, no method of the store updates or deletes a row.  hash chains the
-- rows in id order: SHA-256 of the row before's hash and this row's content (geo.store.accounts.chain_hash)
CREATE SEQUENCE IF NOT EXISTS audit_seq START 1;
CREATE TABLE IF NOT EXISTS audit (
    id BIGINT PRIMARY KEY, time TIMESTAMP NOT NULL, username VARCHAR NOT NULL, action VARCHAR NOT NULL,
    scope VARCHAR NOT NULL, detail VARCHAR NOT NULL, hash VARCHAR);
-- one-time tickets the app's login route exchanges for the session cookie (geo.auth.web_login): kept a minute
CREATE TABLE IF NOT EXISTS login_tickets (
    ticket_sha256 VARCHAR PRIMARY KEY, token VARCHAR NOT NULL, expires_at TIMESTAMP NOT NULL);
-- villagers' feedback (geo.store.feedback): from the public page (source 'web', no batch) or a paper questionnaire
-- import (source 'paper', one batch per file).  received_at is UTC; comment is scrubbed of ID and phone numbers;
-- client_key is whatever the public page rate-limits by; duplicate rows are kept, flagged, and counted nowhere
CREATE TABLE IF NOT EXISTS feedback (
    village BIGINT NOT NULL, received_at TIMESTAMP NOT NULL, source VARCHAR NOT NULL, satisfaction {t.small_int},
    reached BOOLEAN, never_seen BOOLEAN NOT NULL, comment VARCHAR, client_key VARCHAR, duplicate BOOLEAN NOT NULL,
    batch_id INTEGER);
"""


#: the text columns a file can fill, which must never hold an ID-card number (geo.privacy.idcards)
USER_TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "batches": ("file_name", "note"),
    "divisions": ("name", "urban_rural"),
    "division_history": ("name", "urban_rural"),
    "advisers": ("name", "kind", "org", "licence_no", "phone"),
    "assignments": ("end_reason",),
    "services": ("category", "content"),
    "accounts": ("display_name",),
    "public_settings": ("service_time", "service_place"),
    "feedback": ("comment",),
    # audit.detail is scrubbed when written and never afterwards: the trail is append-only
}


TABLES = ("meta", "batches", "divisions", "advisers", "assignments", "village_geoms", "division_history",
          "geom_history", "coverage_spans", "county_spans", "county_villages", "adviser_spans",
          "adviser_counties", "shapes", "services", "service_days", "served_spans", "service_counties",
          "adviser_months", "adviser_history", "assignment_history", "service_history",
          "record_touches", "village_tokens", "public_settings", "signboards", "accounts", "sessions", "audit",
          "login_tickets", "feedback")
#: who may log in and what they did outlive a rebuilt demo (Store.erase): the audit trail is never deleted
KEPT_ON_ERASE = ("meta", "accounts", "sessions", "audit")


def tables_sql(types: Types) -> str:
    """The CREATE statements of every table, idempotent, in the backend's type names."""
    return _TABLES.format(t=types)

#: PostgreSQL's statistics targets of the code columns a scope filters by range (default 100).  Codes are sparse
#: (a county is a range of a million numbers holding a few hundred villages), so with 100 histogram buckets over
#: 620,000 villages the planner reads a county's range as one row and joins its 1,500 villages to their coverage
#: spans by nested loops: the gap plan of 浦东 spent 2.3 million row comparisons there (plan_county_s 5.2 -> 1.2 s
#: measured under load 8-9).  ANALYZE samples 300 rows per unit of the target
POSTGRES_STATISTICS = {("divisions", "code"): 2000, ("coverage_spans", "village"): 2000}

#: PostgreSQL plans by index; DuckDB scans columns and needs none (its indexes would only slow the bulk loads)
POSTGRES_INDEXES = """
CREATE UNIQUE INDEX IF NOT EXISTS divisions_code ON divisions (code);
CREATE INDEX IF NOT EXISTS divisions_level ON divisions (level, code);
CREATE INDEX IF NOT EXISTS advisers_id ON advisers (adviser_id);
CREATE INDEX IF NOT EXISTS assignments_village ON assignments (village, start_date);
CREATE INDEX IF NOT EXISTS assignments_batch ON assignments (batch_id);
-- rolling a ledger back removes its people who hold no other contract: without these, the server scanned every
-- assignment once per person of the batch (minutes on the national data)
CREATE INDEX IF NOT EXISTS assignments_adviser ON assignments (adviser_id);
CREATE INDEX IF NOT EXISTS advisers_batch ON advisers (batch_id);
CREATE INDEX IF NOT EXISTS coverage_spans_village ON coverage_spans (village, span_from);
-- the contracts about to expire: a few percent of the spans, found without reading the rest, and counted from the
-- index alone (its columns are all the summary reads of them); it replaces an index of cur_end alone
DROP INDEX IF EXISTS coverage_spans_end;
CREATE INDEX IF NOT EXISTS coverage_spans_expiring ON coverage_spans (cur_end) INCLUDE (span_from, span_until, village);
CREATE INDEX IF NOT EXISTS county_spans_county ON county_spans (county, span_from);
-- each county's counts current on a day (a summary's per-county rows): the spans ending after the day, read from
-- the index alone instead of every county's whole history (national summary, server CPU 115-150 -> 45-51 ms)
CREATE INDEX IF NOT EXISTS county_spans_until ON county_spans (span_until) INCLUDE (span_from, county, covered, lapsed);
CREATE INDEX IF NOT EXISTS county_villages_county ON county_villages (county);
CREATE INDEX IF NOT EXISTS adviser_spans_adviser ON adviser_spans (adviser_id, span_from);
CREATE INDEX IF NOT EXISTS adviser_counties_county ON adviser_counties (county);
-- a county's months (its refresh)
CREATE INDEX IF NOT EXISTS adviser_months_county ON adviser_months (county);
-- the register's months, read in adviser order from the index alone and added up as they come (a hash of 200,000
-- advisers over 2 million months cost 1.2 s, the ordered read 0.5 s)
CREATE INDEX IF NOT EXISTS adviser_months_adviser ON adviser_months (adviser_id, month)
    INCLUDE (county, records, onsite_records, last_onsite);
-- the register reads the records of the day's month and of the window's first month, not every record: services
-- are written a month's log at a time, so their blocks hold days close together (a few kilobytes of index)
CREATE INDEX IF NOT EXISTS services_day_blocks ON services USING brin (service_date) WITH (autosummarize = on);
-- a county's summary looks its county up once per village: without the index, a scan of 3,000 rows each time
-- (PostgreSQL takes a county's code range for a row or two and plans a nested loop)
CREATE INDEX IF NOT EXISTS service_counties_county ON service_counties (county);
CREATE INDEX IF NOT EXISTS shapes_tier_code ON shapes (tier, code);
CREATE INDEX IF NOT EXISTS village_geoms_code ON village_geoms (code);
CREATE INDEX IF NOT EXISTS geom_history_batch ON geom_history (batch_id);
CREATE INDEX IF NOT EXISTS division_history_batch ON division_history (batch_id);
CREATE INDEX IF NOT EXISTS batches_kind ON batches (kind, sha256);
CREATE INDEX IF NOT EXISTS services_village ON services (village, service_date);
CREATE INDEX IF NOT EXISTS services_batch ON services (batch_id);
CREATE INDEX IF NOT EXISTS assignment_history_batch ON assignment_history (batch_id);
CREATE INDEX IF NOT EXISTS adviser_history_batch ON adviser_history (batch_id);
CREATE INDEX IF NOT EXISTS service_history_batch ON service_history (batch_id);
CREATE INDEX IF NOT EXISTS record_touches_batch ON record_touches (batch_id);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (username);
CREATE INDEX IF NOT EXISTS audit_time ON audit (time);
CREATE INDEX IF NOT EXISTS service_days_village ON service_days (village, day);
-- each village's latest day of a mode: what appending a month of records reads and changes
CREATE INDEX IF NOT EXISTS service_days_last ON service_days (village) WHERE next_day = DATE 'infinity';
-- a village's served spans, and a unit's current ones counted from the index alone (sql/rules.py,
-- served_per_unit_probed_sql); it replaces an index without span_until
DROP INDEX IF EXISTS served_spans_village;
CREATE INDEX IF NOT EXISTS served_spans_cover ON served_spans (village, span_from) INCLUDE (span_until);
CREATE UNIQUE INDEX IF NOT EXISTS village_tokens_sha ON village_tokens (token_sha256);
CREATE INDEX IF NOT EXISTS signboards_village ON signboards (village, printed_at);
-- feedback: a village's day (the public page's caps), a period's rows, a batch's rollback
CREATE INDEX IF NOT EXISTS feedback_village ON feedback (village, received_at);
CREATE INDEX IF NOT EXISTS feedback_received ON feedback (received_at);
CREATE INDEX IF NOT EXISTS feedback_batch ON feedback (batch_id);
"""
