"""An import limited to the importing user's jurisdiction, and its row in the audit trail.

Each kind's preview is cut to the jurisdiction before anything is written (and before the page shows it):
rows whose village lies outside become rejects with the reason ``outside_jurisdiction`` and their row number,
reported like every other reject; a boundary file for a county outside the jurisdiction is refused as a whole.
Applying a limit twice changes nothing, so a preview the page limited can be limited again by the writer.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from geo.auth.access import AccessDenied, Principal, overlaps, scoped
from geo.core.codes import Scope, common_scope
from geo.imports.results import ImportRefused
from geo.sources.matching import outside_jurisdiction
from geo.text.catalogue import Msg


class OutsideJurisdiction(ImportRefused, AccessDenied):
    """A file that lies wholly outside the importer's jurisdiction: refused like any import (nothing written)
    and, like every denied access, recorded in the audit trail."""


def limit_assignments(store, preview: tuple, principal: Principal) -> tuple:
    """A ledger's (table, match) with the villages outside the jurisdiction moved to the rejects."""
    table, match = preview
    outside = [a for a in match.assignments if not principal.covers(a.village_code)]
    if not outside:
        return preview
    raw = {r.row_number: r.raw for r in table.rows}
    rejects = [outside_jurisdiction(a.row_number, a.village_code, raw.get(a.row_number), village=a.ledger_village)
               for a in outside]
    kept = [a for a in match.assignments if principal.covers(a.village_code)]
    return table, replace(match, assignments=kept, rejects=[*match.rejects, *rejects])


def limit_boundaries(store, read, principal: Principal):
    """A boundary read cut to the jurisdiction: refused when the file's county lies outside it; otherwise
    the villages outside it are rejected feature by feature."""
    if read.county is not None and not overlaps(principal, Scope.parse(read.county[0][:6])):
        raise OutsideJurisdiction(key="acc.e.boundary_county", params={"county": read.county[1],
                                                                 "code": read.county[0][:6]})
    matched = read.matched
    inside = matched["code"].map(principal.covers).astype(bool)
    if inside.all():
        return read
    rejects = [outside_jurisdiction(int(i), code, {"code": code, "name": name}, unit="feature")
               for code, name, indices in zip(matched.loc[~inside, "code"], matched.loc[~inside, "name"],
                                              matched.loc[~inside, "feature_indices"])
               for i in indices]
    return replace(read, matched=matched[inside].reset_index(drop=True), rejects=[*read.rejects, *rejects])


def limit_services(store, preview, principal: Principal):
    """A service log's preview cut to the jurisdiction: refused when the log's county lies outside it; otherwise
    the records of villages outside it are rejected row by row."""
    match = preview.match
    if match.county_code and not overlaps(principal, Scope.parse(match.county_code[:6])):
        raise OutsideJurisdiction(key="acc.e.services_county", params={"county": match.county_name,
                                                                 "code": match.county_code[:6]})
    outside = [r for r in match.records if not principal.covers(r.village_code)]
    if not outside:
        return preview
    raw = {r.row_number: r.raw for r in preview.table.rows}
    rejects = {r.row_number: outside_jurisdiction(r.row_number, r.village_code, raw.get(r.row_number),
                                                  village=r.written_village or r.village_name) for r in outside}
    kept = [r for r in match.records if principal.covers(r.village_code)]
    return replace(preview, match=replace(match, records=kept, rejects=[*match.rejects, *rejects.values()]))


def limit_registry(store, preview, principal: Principal):
    """A division list cut to the jurisdiction: rows outside it rejected, the plan made again without them."""
    from geo.imports.registry import RegistryPreview, registry_plan

    divisions = preview.divisions
    inside = divisions["code"].map(principal.covers).astype(bool)
    if inside.all():
        return preview
    out = divisions[~inside]
    rejects = pd.DataFrame({"row": out["row"].to_numpy(), "code": out["code"].to_numpy(),
                            "name": out["name"].to_numpy(), "reason": "outside_jurisdiction"})
    rejects["message"] = [Msg("imp.why.outside_jurisdiction", {"code": c}).bilingual() for c in rejects["code"]]
    kept = divisions[inside].reset_index(drop=True)
    if kept.empty:
        raise OutsideJurisdiction(key="acc.e.registry_outside")
    return RegistryPreview(kept, pd.concat([preview.rejects, rejects], ignore_index=True),
                           registry_plan(store, kept))


def record_import(store, principal: Principal, cur, *, kind: str, file_name: str, sha256: str, batch: int,
                  rows: dict[str, int], codes) -> None:
    """The import's row in the audit trail, inside the import's transaction: file, content hash, batch, rows; its scope
    is the smallest division holding what it wrote, as far as the importer's jurisdiction reaches.  The batch
    is placed there too, which decides who sees it in a history (Store.batches)."""
    from geo.auth import audit

    where = scoped(principal, common_scope(codes))
    store.set_batch_scope(cur, batch, where)
    audit.record(store, principal, "import", where,
                 {"kind": kind, "file": file_name, "sha256": sha256, "batch": batch, "rows": rows}, cur)
