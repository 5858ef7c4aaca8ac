"""The store's upkeep: bringing a database written by an older version up to date, scrubbing what it stored
before the current privacy rules, and erasing its data (the accounts and the audit trail stay)."""
from __future__ import annotations

from typing import Callable

from geo.core.codes import common_scope
from geo.privacy.idcards import scrub_id_numbers
from geo.store.accounts import COOKIE_SECRET_META
from geo.store.audit import AUDIT_HEAD_META, AuditQueries
from geo.store.base import Cursor, StoreError
from geo.store.batches import BatchQueries
from geo.store.derived import SERVICE_DAYS_META, SERVICE_DAYS_VERSION, SPANS_META, SPANS_VERSION, DerivedTables
from geo.store.schema import KEPT_ON_ERASE, TABLES, USER_TEXT_COLUMNS

#: meta key and value saying every stored text has been scrubbed of ID-card numbers by the current rules
#: (a database written before them is scrubbed once when opened for writing)
ID_SCRUB_META, ID_SCRUB_VERSION = "id_scrub", "1"
#: meta key of the schema version; a database without it was written before versions were kept (version 1)
SCHEMA_META = "schema_version"
SCHEMA_VERSION = 4


class MaintenanceQueries(DerivedTables, AuditQueries, BatchQueries):
    """Upgrade, scrub, erase."""

    def scrub_stored_text(self, cur: Cursor) -> int:
        """Remove ID-card numbers from every stored text a file can fill (once, for a database written before
        the current rules; every write method scrubs what it stores).  Returns how many values changed."""
        changed = 0
        for table, columns in USER_TEXT_COLUMNS.items():
            for column in columns:
                values = self._rows(cur, f"SELECT DISTINCT {column} FROM {table} WHERE length({column}) >= 15")
                for (old,) in values:
                    if (new := scrub_id_numbers(old)) != old:
                        self._run(cur, f"UPDATE {table} SET {column} = $new WHERE {column} = $old",
                                  {"new": new, "old": old})
                        changed += 1
        self.set_meta(ID_SCRUB_META, ID_SCRUB_VERSION, cur)
        return changed

    def _upgrade(self) -> None:
        """Migrate a database written by an older version forward, one schema step at a time, in one
        transaction; refuse one written by a newer version."""
        version = int(self.get_meta(SCHEMA_META) or 1)
        if version > SCHEMA_VERSION:
            raise StoreError(key="store.e.newer", params={"db": self.target, "version": version})
        if (version == SCHEMA_VERSION and self.get_meta(SPANS_META) == SPANS_VERSION
                and self.get_meta(SERVICE_DAYS_META) == SERVICE_DAYS_VERSION
                and self.get_meta(ID_SCRUB_META) == ID_SCRUB_VERSION):
            return
        with self.transaction() as cur:
            for step in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[step](self, cur)
            if self.get_meta(ID_SCRUB_META, cur) != ID_SCRUB_VERSION:
                self.scrub_stored_text(cur)
            self.set_meta(SCHEMA_META, str(SCHEMA_VERSION), cur)

    def erase(self, cur: Cursor) -> None:
        """Remove every row of every data table (``python -m geo demo --force`` on a server); the accounts and
        the audit trail stay."""
        self._changed(cur, None)
        for table in TABLES:
            if table not in KEPT_ON_ERASE:
                self._run(cur, f"DELETE FROM {table}")
        # what the store says about its own form and its logins stays; what it said about its data goes
        kept = ", ".join(f"'{k}'" for k in (SCHEMA_META, SPANS_META, ID_SCRUB_META, COOKIE_SECRET_META,
                                            AUDIT_HEAD_META))
        self._run(cur, f"DELETE FROM meta WHERE key NOT IN ({kept})")


def _adviser_ids_from_a_sequence(store: MaintenanceQueries, cur: Cursor) -> None:
    """2: adviser ids come from the backend (a sequence on a server), ahead of every id already stored."""
    highest = store._one("SELECT max(adviser_id) FROM advisers", cur=cur)
    if highest is not None:
        store._ids_used(cur, int(highest))


def _chained_audit_and_batch_scopes(store: MaintenanceQueries, cur: Cursor) -> None:
    """3: audit rows carry a hash chain (the existing rows are chained in id order) and batches say where they
    lie (the smallest division holding the rows each wrote; the whole country for one that wrote none)."""
    store._run(cur, "ALTER TABLE batches ADD COLUMN IF NOT EXISTS scope VARCHAR")
    store._run(cur, "ALTER TABLE audit ADD COLUMN IF NOT EXISTS hash VARCHAR")
    for (batch_id,) in store._rows(cur, "SELECT batch_id FROM batches WHERE scope IS NULL "
                                        "AND kind NOT IN ('demo', 'init')"):
        reach = store.batch_code_range(batch_id, cur)
        if reach is not None and str(batch_id) != store.get_meta("outlines_batch", cur):
            store.set_batch_scope(cur, batch_id, common_scope([f"{c:012d}" for c in reach]))
    store.chain_audit(cur)


def _records_kept_in_the_app(store: MaintenanceQueries, cur: Cursor) -> None:
    """4: contracts can be ended early (their printed end and the reason kept) and rows changed in the app say by
    which batch, so that the change can be undone (the history tables are created with the others)."""
    for table, column, kind in (("assignments", "printed_end", "DATE"), ("assignments", "end_reason", "VARCHAR"),
                                ("assignments", "changed_by", "INTEGER"), ("advisers", "changed_by", "INTEGER"),
                                ("services", "changed_by", "INTEGER")):
        store._run(cur, f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")


#: schema version -> the step that brings a database of the version before up to it
MIGRATIONS: dict[int, Callable[[MaintenanceQueries, Cursor], None]] = {
    2: _adviser_ids_from_a_sequence, 3: _chained_audit_and_batch_scopes,
    4: _records_kept_in_the_app}
