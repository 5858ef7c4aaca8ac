"""Division lists (统计用区划代码): read a CSV/Excel list, plan what it changes, import it as one batch.

A newer list adds codes, renames divisions and marks vanished villages abolished; only counties whose own row
is in the file are compared.  What changes is :class:`RegistryPlan`; above a share of one county it needs a
confirmation.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.auth.access import OPEN, Principal
from geo.core.codes import real_villages
from geo.imports.jurisdiction import record_import
from geo.imports.results import ImportRefused, ImportResult, Note, Progress, already_imported, refused, refused_by
from geo.sources.division_list import MAX_REGISTRY_ROWS, read_division_list  # noqa: F401
from geo.sources.errors import SourceError
from geo.store import Store
from geo.text.catalogue import Msg, t


def store_registry(store: Store) -> pd.DataFrame:
    """The store's current division list (abolished ones left out) in the readers' shape."""
    return store.registry_frame()


def read_registry_file(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(divisions, rejects) of a division list (:func:`geo.sources.division_list.read_division_list`), a file
    that cannot be read refused as an import."""
    try:
        return read_division_list(path)
    except SourceError as e:
        raise refused_by(e) from None


#: the sentence of each reason a division list's row is rejected for
_REJECT_MESSAGES = {"bad_code": "imp.n.bad_code", "outside_jurisdiction": "imp.why.outside_jurisdiction"}


def _reject_notes(rejects: pd.DataFrame) -> tuple[Note, ...]:
    return tuple(Note(int(r), reason, Msg(_REJECT_MESSAGES[reason], {"code": c}), {"code": c, "name": n})
                 for r, reason, c, n in zip(rejects["row"], rejects["reason"], rejects["code"], rejects["name"]))


def _doubtful_notes(incoming: pd.DataFrame) -> tuple[Note, ...]:
    """Accepted rows that had an ID-card number removed, with what was kept of them."""
    marked = incoming[incoming["id_removed"]]
    return tuple(Note(int(r), "doubtful", Msg("imp.n.id_removed"), {"code": c, "name": n})
                 for r, c, n in zip(marked["row"], marked["code"], marked["name"]))


#: a registry import that would take more than this share of one county's villages away needs an explicit
#: confirmation (a county listed by its own row alone loses all of them: the classic mistake)
ABOLISH_CONFIRM_SHARE = 0.05
ABOLISH_NAMES_SHOWN = 5        # village names quoted per county in one-line messages
ABOLISH_COUNTIES_SHOWN = 5     # counties quoted in one-line messages; the report lists every village


@dataclass(frozen=True)
class CountyAbolition:
    """The villages one county would lose: those the store has and the county's full list lacks."""

    code: str                                   # 12-digit county code
    name: str
    villages: int                               # its current villages before the import
    abolished: tuple[tuple[str, str], ...]      # (code, name) of each village that would be abolished

    @property
    def share(self) -> float:
        return len(self.abolished) / self.villages if self.villages else 0.0

    @property
    def needs_confirmation(self) -> bool:
        return self.share > ABOLISH_CONFIRM_SHARE


@dataclass(frozen=True)
class RegistryPlan:
    """What importing a division list would change; preview, CLI and the import itself all use this."""

    added: int
    renamed: int                                # renamed, or reinstated after being abolished
    counties: tuple[str, ...]                   # 12-digit codes of the counties compared (listed themselves)
    abolitions: tuple[CountyAbolition, ...]     # counties that lose villages, in code order

    @property
    def abolished_codes(self) -> list[str]:
        return [code for county in self.abolitions for code, _ in county.abolished]

    @property
    def needs_confirmation(self) -> bool:
        return any(county.needs_confirmation for county in self.abolitions)


def plan_registry(incoming: pd.DataFrame, current: pd.DataFrame) -> RegistryPlan:
    """Compare a division list (:func:`read_registry_file`) with the store's rows (Store.registry_comparison).

    Only counties whose own row is in the list are compared, so a fragment listing a few new villages
    abolishes nothing; in those, every current village the list lacks would be abolished.
    """
    known = current.drop_duplicates("code").set_index("code")
    listed = pd.Index(incoming["code"])
    present = listed.isin(known.index)
    before = known.reindex(listed[present])
    renamed = ((before["name"].to_numpy() != incoming["name"].to_numpy()[present])
               | before["abolished"].eq(True).to_numpy())
    county_rows = incoming[incoming["level"] == 3]
    county_names = dict(zip(county_rows["code"], county_rows["name"]))
    villages = current[real_villages(current) & current["code"].str[:6].isin({code[:6] for code in county_names})]
    total = villages["code"].str[:6].value_counts()
    gone = villages[~villages["code"].isin(listed)].sort_values("code")
    abolitions = tuple(
        CountyAbolition(prefix.ljust(12, "0"), county_names[prefix.ljust(12, "0")], int(total[prefix]),
                        tuple(zip(group["code"], group["name"])))
        for prefix, group in gone.groupby(gone["code"].str[:6], sort=True))
    return RegistryPlan(added=int((~present).sum()), renamed=int(renamed.sum()),
                        counties=tuple(sorted(county_names)), abolitions=abolitions)


def registry_plan(store: Store, incoming: pd.DataFrame, cur=None) -> RegistryPlan:
    """:func:`plan_registry` against the store as it is now (inside `cur`'s transaction when given)."""
    counties = sorted({code[:6] for code, level in zip(incoming["code"], incoming["level"]) if level == 3})
    return plan_registry(incoming, store.registry_comparison(incoming["code"].tolist(), counties, cur))


def abolition_places(plan: RegistryPlan, lang: str = "zh") -> str:
    """Where villages would go, in one line: county (code) n of total: the first names."""
    sep = "、" if lang == "zh" else ", "
    parts = []
    for county in plan.abolitions[:ABOLISH_COUNTIES_SHOWN]:
        names = sep.join(name for _, name in county.abolished[:ABOLISH_NAMES_SHOWN])
        more = t("imp.r.more_names", lang) if len(county.abolished) > ABOLISH_NAMES_SHOWN else ""
        parts.append(t("imp.r.county_abolish", lang, name=county.name, code=county.code[:6],
                       n=len(county.abolished), total=county.villages, names=names + more))
    if len(plan.abolitions) > ABOLISH_COUNTIES_SHOWN:
        parts.append(t("imp.r.more_counties", lang, n=len(plan.abolitions) - ABOLISH_COUNTIES_SHOWN))
    return ("；" if lang == "zh" else "; ").join(parts)


@dataclass(frozen=True)
class AbolitionPlaces:
    """:func:`abolition_places` as a value of a message, said in the message's language."""

    plan: RegistryPlan

    def text(self, lang: str) -> str:
        return abolition_places(self.plan, lang)


@dataclass(frozen=True)
class RegistryChanges:
    """A registry batch's additions, renames and abolitions (with where), for its summary line."""

    plan: RegistryPlan

    def text(self, lang: str) -> str:
        where = abolition_places(self.plan, lang)
        return t("imp.r.changes", lang, added=self.plan.added, renamed=self.plan.renamed,
                 abolished=len(self.plan.abolished_codes), where=t("imp.r.where", lang, where=where) if where else "")


def abolition_notes(plan: RegistryPlan) -> tuple[Note, ...]:
    """One report note per village that would be abolished (no row number: it is the file's absence)."""
    return tuple(Note(None, "abolished", Msg("imp.r.abolished_row", {"name": county.name, "code": county.code[:6],
                                                                    "n": len(county.abolished),
                                                                    "total": county.villages}),
                      {"code": code, "name": name})
                 for county in plan.abolitions for code, name in county.abolished)


class AbolishNotConfirmed(ImportRefused):
    """A registry import refused because it would abolish too much of a county without a confirmation."""

    def __init__(self, file_name: str, plan: RegistryPlan):
        self.file_name, self.plan = file_name, plan
        super().__init__(key="imp.r.refused", params={"file": file_name, "n": len(plan.abolished_codes),
                                                      "where": AbolitionPlaces(plan),
                                                      "share": f"{ABOLISH_CONFIRM_SHARE:.0%}"})

    def for_page(self) -> ImportRefused:
        """The page's wording: the places are in the preview's table above it, the way on is the checkbox."""
        return refused("imp.r.refused_page", n=f"{len(self.plan.abolished_codes):,}", box=Msg("imp.r.allow"),
                       share=f"{ABOLISH_CONFIRM_SHARE:.0%}")

    def result(self) -> ImportResult:
        """The refusal as a result, for a report that lists the villages to check before confirming."""
        return ImportResult("registry", self.file_name, "refused", None, doubted=abolition_notes(self.plan))


@dataclass(frozen=True)
class RegistryPreview:
    """What the import page shows before a division list is imported."""

    divisions: pd.DataFrame
    rejects: pd.DataFrame
    plan: RegistryPlan

    @property
    def rejected(self) -> tuple[Note, ...]:
        return _reject_notes(self.rejects)


def preview_registry(store: Store, path: str | Path, options: dict | None = None, read=None) -> RegistryPreview:
    """The list read (``read``: :func:`read_registry_file`'s answer when it was read already) and planned."""
    divisions, rejects = read if read is not None else read_registry_file(path)
    return RegistryPreview(divisions, rejects, registry_plan(store, divisions))


def import_registry(store: Store, path: str | Path, *, file_name: str | None = None, allow_abolish: bool = False,
                    progress: Progress | None = None, preview: RegistryPreview | None = None,
                    principal: Principal = OPEN) -> ImportResult:
    """A newer division list: new codes added, renamed ones updated, vanished villages marked abolished.

    What changes is :func:`plan_registry`'s plan.  When it would abolish more than ABOLISH_CONFIRM_SHARE of a
    county's villages, nothing is written unless `allow_abolish` (raises :class:`AbolishNotConfirmed`).
    Abolished codes stay in the store; assignments that point at them stay visible
    (:meth:`Store.orphan_assignments`).  The state before is kept in ``division_history`` for rollback.
    ``preview`` is :func:`preview_registry`'s result for this file when the caller has it; the plan is made again
    inside the transaction, against the store as it is then.
    """
    path, name, sha, done = already_imported(store, "registry", path, file_name, principal)
    if done:
        return done
    progress and progress(0.1, "reading")
    incoming, rejects = (preview.divisions, preview.rejects) if preview else read_registry_file(path)
    progress and progress(0.5, "writing")
    with store.transaction() as cur:
        plan = registry_plan(store, incoming, cur)
        if plan.needs_confirmation and not allow_abolish:
            raise AbolishNotConfirmed(name, plan)
        batch = store.new_batch(cur, "registry", name, sha, rows_read=len(incoming) + len(rejects),
                                rows_accepted=len(incoming), rows_rejected=len(rejects))
        change = store.apply_registry_version(cur, incoming, batch, abolish=plan.abolished_codes)
        if not store.has_shapes("national", cur):
            from geo.demo.geometry import store_outline_tiers  # a store started from a list: outlines too
            store_outline_tiers(store, cur)
            store.set_meta("outlines_batch", str(batch), cur)
        record_import(store, principal, cur, kind="registry", file_name=name, sha256=sha, batch=batch,
                      rows={"read": len(incoming) + len(rejects), "accepted": len(incoming),
                            "rejected": len(rejects)}, codes=list(incoming["code"]))
    progress and progress(1.0, "done")
    return ImportResult("registry", name, "imported", batch, len(incoming) + len(rejects), len(incoming),
                        len(rejects), _reject_notes(rejects), _doubtful_notes(incoming) + abolition_notes(plan),
                        details={"added": plan.added, "renamed": plan.renamed,
                                 "abolished": change.abolished, "plan": plan, "changes": RegistryChanges(plan),
                                 "assignments_on_abolished": change.assignments_on_abolished})
