"""The division list: loaded whole, updated by a newer list (and rolled back), and read as scopes and children."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from geo.core.codes import LEVEL_ENDS, Scope, to_str
from geo.store.base import Cursor, StoreBase, StoreError, counties_of, level_width, scrubbed
from geo.store.schema import USER_TEXT_COLUMNS
from geo.store.sql import rules

#: batches of these kinds hold the division list itself
REGISTRY_KINDS = ("registry", "demo", "init")
REAL_VILLAGE = rules.real_village()


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: int


@dataclass(frozen=True)
class RegistryChange:
    """What applying a division list changed."""

    added: int
    renamed: int
    abolished: int
    assignments_on_abolished: int


def _parent_candidates(table: str) -> str:
    """Joins p1..p4 of each row `d` to the rows of `table` that could be its parent: the prefixes of its code at
    township, county, city and province length that exist at a higher level (东莞's townships hang on the city:
    its county-length prefix is the city itself).  The nearest one is :data:`_PARENT`."""
    return " ".join(
        f"LEFT JOIN (SELECT code, level FROM {table} WHERE code % {w} = 0) p{i} "
        f"ON p{i}.code = idiv(d.code, {w}) * {w} AND p{i}.code <> d.code AND p{i}.level < d.level"
        for i, w in enumerate((10**3, 10**6, 10**8, 10**10), start=1))


_PARENT = "coalesce(p1.code, p2.code, p3.code, p4.code)"


def _division_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Division rows as the tables hold them: BIGINT codes, names scrubbed of ID-card numbers."""
    frame = pd.DataFrame({"code": rows["code"].astype("int64"), "name": rows["name"].astype(object),
                          "level": rows["level"].astype("int16"),
                          "urban_rural": rows["urban_rural"].astype(object) if "urban_rural" in rows.columns
                          else None})
    return scrubbed(frame, USER_TEXT_COLUMNS["divisions"])


class RegistryQueries(StoreBase):
    """The ``divisions`` table and its history."""

    def is_empty(self) -> bool:
        return not self._one("SELECT count(*) FROM divisions")

    def load_registry(self, registry: pd.DataFrame, cur: Cursor | None = None, batch_id: int | None = None) -> int:
        """Replace the division table with `registry` (columns code 12-digit str, name, level[, urban_rural]).

        A code listed at several levels (东莞市 as city and county) is kept once, at its highest level, so
        names resolve uniquely; aggregation works on code prefixes and does not need the duplicate.
        """
        if cur is None:
            with self.transaction() as cur:
                return self.load_registry(registry, cur, batch_id)
        frame = _division_frame(registry)
        self._changed(cur, None)
        self._run(cur, "DELETE FROM divisions")
        with self._table(cur, "incoming_registry", frame):
            # written once with its parents: updating every row afterwards costs a server a rewrite of the table
            self._run(cur, f"""
                INSERT INTO divisions (code, name, level, parent, urban_rural, abolished, batch_id)
                WITH listed AS (SELECT DISTINCT ON (code) code, name, level, urban_rural
                                FROM incoming_registry ORDER BY code, level)
                SELECT d.code, d.name, d.level, {_PARENT}, d.urban_rural, false, $batch
                FROM listed d {_parent_candidates("listed")}""", {"batch": batch_id})
        return int(self._one("SELECT count(*) FROM divisions", cur=cur))

    def _set_parents(self, cur: Cursor) -> None:
        """Re-derive every division's parent; only rows whose parent changes are written."""
        self._run(cur, f"""
            UPDATE divisions SET parent = up.parent FROM (
                SELECT d.code, {_PARENT} AS parent FROM divisions d {_parent_candidates("divisions")}) up
            WHERE divisions.code = up.code AND divisions.parent IS DISTINCT FROM up.parent""")

    def registry_version(self) -> str:
        """Changes whenever the division list changes (a registry batch lands or is rolled back)."""
        row = self._q_rows(f"""
            SELECT coalesce(sum(batch_id) FILTER (WHERE status = 'active'), 0), count(*),
                   (SELECT count(*) FROM divisions WHERE NOT abolished)
            FROM batches WHERE kind IN {REGISTRY_KINDS}""")[0]
        return "/".join(str(int(x)) for x in row)

    def registry_frame(self) -> pd.DataFrame:
        """The current division list (abolished ones left out): code (12-digit str, object), name, level.

        The same DataFrame object is returned until the registry changes, so the readers' indexes over it
        (cached per object, ~1 s to build nationally) are built once, not per import.
        """
        version = self.registry_version()
        cached = getattr(self, "_registry_cache", None)
        if cached and cached[0] == version:
            return cached[1]
        df = self.query("SELECT code, name, level FROM divisions WHERE NOT abolished")
        df["code"] = df["code"].map(to_str).astype(object)
        df["name"] = df["name"].astype(object)
        self._registry_cache = (version, df)
        return df

    def registry_comparison(self, codes: Sequence[str], counties: Sequence[str], cur: Cursor | None = None
                            ) -> pd.DataFrame:
        """What a division list is compared with: the stored rows of `codes` and every level-5 row of
        `counties` (6-digit prefixes).  Columns code (12-digit str, object), name, level, abolished."""
        wanted = pd.DataFrame({"code": pd.array([int(c) for c in codes], dtype="int64")})
        within = pd.DataFrame({"county": pd.array([int(c) for c in counties], dtype="int64")})
        with self.reading(cur) as cur, self._table(cur, "cmp_codes", wanted), \
                self._table(cur, "cmp_counties", within):
            df = self._codes_frame("""
                SELECT d.code, d.name, d.level, d.abolished FROM divisions d JOIN cmp_codes c ON c.code = d.code
                UNION
                SELECT d.code, d.name, d.level, d.abolished FROM divisions d
                JOIN cmp_counties k ON k.county = idiv(d.code, 1000000) WHERE d.level = 5""", cur=cur)
        df["code"] = df["code"].astype(object)
        df["name"] = df["name"].astype(object)
        return df

    def apply_registry_version(self, cur: Cursor, incoming: pd.DataFrame, batch_id: int, *,
                               abolish: Sequence[str] = ()) -> RegistryChange:
        """A newer division list: new codes added, renamed ones updated, the villages in `abolish` (12-digit
        codes; the import's plan says which) marked abolished, kept so assignments on them stay visible.

        The state before - every row listed and every village of the counties listed by their own row - is kept
        in ``division_history`` for :meth:`rollback_registry`.
        """
        frame = _division_frame(incoming)
        gone = pd.DataFrame({"code": pd.array([int(c) for c in abolish], dtype="int64")})
        self._changed(cur, counties_of(frame.loc[frame["level"] >= 3, "code"]) | counties_of(gone["code"]))
        p = {"batch": batch_id}
        with self._table(cur, "reg_in", frame):
            # only a county listed itself counts as listed in full: a fragment of new villages abolishes nothing
            counties = "(SELECT idiv(code, 1000000) FROM reg_in WHERE level = 3)"
            self._run(cur, f"""
                INSERT INTO division_history (batch_id, code, name, level, urban_rural, abolished, existed)
                SELECT $batch, d.code, d.name, d.level, d.urban_rural, d.abolished, true FROM divisions d
                WHERE EXISTS (SELECT 1 FROM reg_in r WHERE r.code = d.code)
                UNION
                SELECT $batch, d.code, d.name, d.level, d.urban_rural, d.abolished, true FROM divisions d
                WHERE d.level = 5 AND idiv(d.code, 1000000) IN {counties}""", p)
            self._run(cur, """
                INSERT INTO division_history (batch_id, code, name, level, urban_rural, abolished, existed)
                SELECT $batch, code, name, level, urban_rural, false, false FROM reg_in
                WHERE NOT EXISTS (SELECT 1 FROM divisions d WHERE d.code = reg_in.code)""", p)
            added, renamed = self._rows(cur, """
                SELECT count(*) FILTER (WHERE d.code IS NULL),
                       count(*) FILTER (WHERE d.code IS NOT NULL AND (d.name <> r.name OR d.abolished))
                FROM reg_in r LEFT JOIN divisions d ON d.code = r.code""")[0]
            self._run(cur, """UPDATE divisions SET name = r.name, abolished = false,
                              urban_rural = coalesce(r.urban_rural, divisions.urban_rural)
                              FROM reg_in r WHERE divisions.code = r.code""")
            self._run(cur, """
                INSERT INTO divisions (code, name, level, parent, urban_rural, abolished, batch_id)
                SELECT code, name, level, NULL, urban_rural, false, $batch FROM reg_in
                WHERE NOT EXISTS (SELECT 1 FROM divisions d WHERE d.code = reg_in.code)""", p)
        with self._table(cur, "abolish_codes", gone):
            abolished = self._rows(cur, """UPDATE divisions SET abolished = true
                                          WHERE code IN (SELECT code FROM abolish_codes) RETURNING code""")
        self._set_parents(cur)
        orphans = self._one("""SELECT count(*) FROM assignments a JOIN divisions d ON d.code = a.village
                               WHERE d.abolished""", cur=cur)
        return RegistryChange(int(added), int(renamed), len(abolished), int(orphans))

    def rollback_registry(self, cur: Cursor, batch_id: int) -> None:
        """Put the division list back as it was before registry batch `batch_id` (its outlines too)."""
        p = {"batch": batch_id}
        self._changed(cur, counties_of(c for (c,) in self._rows(
            cur, "SELECT code FROM division_history WHERE batch_id = $batch AND level >= 3", p)))
        self._run(cur, """DELETE FROM divisions WHERE code IN (
                              SELECT code FROM division_history WHERE batch_id = $batch AND NOT existed)""", p)
        self._run(cur, """UPDATE divisions SET name = h.name, level = h.level, urban_rural = h.urban_rural,
                                 abolished = h.abolished
                          FROM division_history h
                          WHERE h.batch_id = $batch AND h.existed AND divisions.code = h.code""", p)
        if self.get_meta("outlines_batch", cur) == str(batch_id):   # the outlines came with this batch
            self._run(cur, "DELETE FROM shapes WHERE tier IN ('national', 'province', 'city')")
            self.delete_meta("outlines_batch", cur)
        self._set_parents(cur)

    def division(self, code: str) -> Division | None:
        rows = self._q_rows("SELECT code, name, level FROM divisions WHERE code = $code",
                          {"code": int(code)})
        return Division(to_str(rows[0][0]), rows[0][1], int(rows[0][2])) if rows else None

    def check_scope(self, scope: Scope) -> Scope:
        """`scope` itself when the registry knows it, else a StoreError naming it."""
        if scope.digits and self.division(scope.code) is None:
            raise StoreError(key="store.e.unknown_code", params={"code": scope.code})
        return scope

    def scope_name(self, scope: Scope) -> str:
        if not scope.digits:
            return "全国"
        d = self.division(scope.code)
        return d.name if d else scope.code

    def ancestors(self, scope: Scope) -> list[Division]:
        """The divisions above and including `scope`, country first (for breadcrumbs)."""
        out = []
        for end in LEVEL_ENDS:
            if end > len(scope.digits):
                break
            d = self.division(scope.digits[:end].ljust(12, "0"))
            if d and (not out or out[-1].code != d.code):
                out.append(d)
        return out

    def child_level(self, scope: Scope) -> int | None:
        """The level drilled into from `scope`: the next level whose units differ from the scope itself.

        东莞市 (4419) has no county level: its only county-level prefix is 441900, the city itself, so its
        children are townships.
        """
        low, high = scope.int_range
        p = {"low": low, "high": high}
        for level in range(scope.level + 1, 6):
            w = level_width(level)
            n = self._one(f"""SELECT count(DISTINCT idiv(code, {w})) FROM divisions
                              WHERE {REAL_VILLAGE} AND code >= $low AND code < $high""", p)
            if not n:
                return None
            if n > 1 or level == 5:
                return level
            only = self._one(f"""SELECT min(idiv(code, {w}) * {w}) FROM divisions
                                 WHERE {REAL_VILLAGE} AND code >= $low AND code < $high""", p)
            if to_str(only) != scope.code and self.division(to_str(only)) is not None:
                return level
        return None

    def children(self, scope: Scope, level: int | None = None) -> pd.DataFrame:
        """Child units of `scope` at `level` (default: :meth:`child_level`) that contain villages."""
        level = level or self.child_level(scope)
        if level is None:
            return pd.DataFrame(columns=["code", "name", "level"])
        low, high = scope.int_range
        w = level_width(level)
        return self._codes_frame(f"""
            WITH u AS (SELECT DISTINCT idiv(code, {w}) * {w} AS code FROM divisions
                       WHERE {REAL_VILLAGE} AND code >= $low AND code < $high)
            SELECT u.code, coalesce(d.name, CAST(u.code AS VARCHAR)) AS name, {level} AS level
            FROM u LEFT JOIN divisions d ON d.code = u.code ORDER BY u.code""", {"low": low, "high": high})

