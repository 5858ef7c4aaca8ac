"""Village boundaries: replace those of the matched villages and rebuild their counties' map shapes."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from geo.auth.access import OPEN, Principal, overlaps
from geo.core.codes import Scope
from geo.imports.jurisdiction import OutsideJurisdiction
from geo.imports.kind import COUNTY, SHOWN, Column, ImportKind, Label, Listing, Option, PreviewView, Reading, metric
from geo.imports.results import (
    Details,
    ImportResult,
    Progress,
    already_imported,
    id_removed_notes,
    refused_by,
    reject_note,
    remark,
)
from geo.outputs.outlines import village_display
from geo.sources import boundaries as reader
from geo.sources.errors import SourceError
from geo.sources.matching import outside_jurisdiction
from geo.store import Store
from geo.store.geometry import replace_village_geoms
from geo.text.catalogue import Msg


@dataclass(frozen=True)
class BoundariesDone(Details):
    """What a boundary import replaced, and how the file was read."""

    villages: int
    crs: str
    encoding: str | None
    code_field: str | None
    name_field: str | None
    county: str | None              # "周至县（610124）" when the file lies in one county

    def summary(self) -> tuple[tuple[str, object], ...]:
        return (("crs", self.crs), ("encoding", self.encoding), ("county", self.county))

    def lines(self) -> tuple[Msg, ...]:
        return (Msg("imp.d.boundaries", {"villages": self.villages, "crs": self.crs, "encoding": self.encoding}),)


def preview_boundaries(store: Store, path: str | Path, read=None, **options) -> reader.BoundaryRead:
    """The file read and matched (``read`` when that was done already, in a worker)."""
    if read is not None:
        return read
    try:
        return reader.read_boundaries(path, store.registry_frame(), **options)
    except SourceError as e:
        raise refused_by(e) from None


class Boundaries(ImportKind):
    """Village boundary layers (shapefile archives, GeoJSON, GeoPackage ...)."""

    key = "boundaries"
    file_types = reader.BOUNDARY_SUFFIXES
    stacks = True
    row_key = "imp.col.feature"
    options = (Option("code_field", "text", "imp.b.code_field"),
               Option("name_field", "text", "imp.b.name_field"),
               Option("source_crs", "text", "imp.b.crs", "e.g. EPSG:4545 when the file has no .prj"),
               Option("gcj02", "check", "imp.b.gcj02", "coordinates are GCJ-02 (Gaode/Tencent)"),
               COUNTY)
    options_title = "imp.b.options"
    options_hint = "imp.b.auto"

    def reading(self, store: Store, path: Path, options: dict[str, Any]) -> Reading:
        # the features are matched to the registry while reading: the registry travels to the worker
        return reader.read_boundaries, (path, store.registry_frame()), options

    def preview(self, store: Store, path: str | Path, options: dict[str, Any], read: Any = None):
        return preview_boundaries(store, path, read=read, **options)

    def limit(self, store: Store, read: reader.BoundaryRead, principal: Principal) -> reader.BoundaryRead:
        """Refused when the file's county lies outside the jurisdiction; otherwise the villages outside it are
        rejected feature by feature."""
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

    def write(self, store: Store, path: str | Path, *, file_name: str | None = None,
              progress: Progress | None = None, preview: reader.BoundaryRead | None = None,
              principal: Principal = OPEN, **options: Any) -> ImportResult:
        """Replace the boundaries of the matched villages and rebuild their counties' map shapes.

        ``options`` go to :func:`geo.sources.boundaries.read_boundaries` (county, code_field, name_field,
        source_crs, gcj02).  The boundaries replaced are kept in ``geom_history`` so the batch can be rolled
        back.  With ``preview`` (:func:`preview_boundaries`' result) the archive is not extracted again.
        """
        path, name, sha, done = already_imported(store, self.key, path, file_name, principal)
        if done:
            return done
        progress and progress(0.1, "reading")
        read = preview or preview_boundaries(store, path, **options)
        progress and progress(0.6, "writing")
        matched = read.matched
        accepted = int(matched["n_features"].sum()) if len(matched) else 0
        rows = {"read": read.feature_count, "accepted": accepted, "rejected": len(read.rejects)}
        with store.transaction() as cur:
            batch = store.new_batch(cur, self.key, name, sha, rows_read=read.feature_count,
                                    rows_accepted=accepted, rows_rejected=len(read.rejects), note=read.crs)
            replace_village_geoms(store, cur, matched[["code", "geometry"]], batch, keep_history=True)
            for county in sorted({c[:6] for c in matched["code"]}):
                store.refresh_village_display(cur, county, village_display)
            self.audit(store, principal, cur, file_name=name, sha256=sha, batch=batch, rows=rows,
                       codes=list(matched["code"]) or ([read.county[0]] if read.county else []))
        progress and progress(1.0, "done")
        return ImportResult(self.key, name, "imported", batch, read.feature_count, accepted, len(read.rejects),
                            tuple(reject_note(r) for r in read.rejects), id_removed_notes(read.id_removed.items()),
                            BoundariesDone(len(matched), read.crs, read.encoding, read.code_field, read.name_field,
                                           f"{read.county[1]}（{read.county[0][:6]}）" if read.county else None))

    def undo(self, store: Store, cur: Any, batch_id: int) -> None:
        for county in store.rollback_village_geoms(cur, batch_id):
            store.refresh_village_display(cur, county, village_display)

    def view(self, store: Store, read: reader.BoundaryRead) -> PreviewView:
        """How the file was read, its county, the villages matched, the features rejected."""
        m = read.matched.head(SHOWN)
        none = Msg("imp.b.none")
        return PreviewView(
            ready=len(read.matched) > 0,
            read=Msg("imp.b.read", {"crs": read.crs, "encoding": read.encoding, "code": read.code_field or none,
                                    "name": read.name_field or none, "town": read.township_field or none}),
            place=Msg("imp.b.county", {"name": read.county[1], "code": read.county[0][:6]}) if read.county else None,
            metrics=(metric("imp.m.features", read.feature_count), metric("imp.m.villages", len(read.matched)),
                     metric("imp.m.rejected", len(read.rejects))),
            listing=Listing(len(read.matched), (
                Column("col.code", tuple(m["code"])), Column("imp.col.reg_village", tuple(m["name"])),
                Column("imp.col.method", tuple(Label("imp.method", x) for x in m["match_method"])),
                Column("imp.m.features", tuple(m["n_features"])),
                Column("imp.col.source_names", tuple(m["source_names"]))), caption="imp.b.replace") if len(m) else None,
            warnings=tuple(remark(w) for w in read.warnings),
            rejects=tuple(reject_note(r) for r in read.rejects))


BOUNDARIES = Boundaries()


def import_boundaries(store: Store, path: str | Path, *, file_name: str | None = None,
                      progress: Progress | None = None, preview=None, principal: Principal = OPEN,
                      **options) -> ImportResult:
    """A boundary layer as one batch: :meth:`Boundaries.write`."""
    return BOUNDARIES.write(store, path, file_name=file_name, progress=progress, preview=preview,
                            principal=principal, **options)
