"""Village boundaries: replace those of the matched villages and rebuild their counties' map shapes."""
from __future__ import annotations

from pathlib import Path

from geo.auth.access import OPEN, Principal
from geo.imports.jurisdiction import record_import
from geo.imports.results import ImportResult, Note, Progress, already_imported, refused_by, reject_note
from geo.store import Store
from geo.store.geometry import replace_village_geoms
from geo.text.catalogue import Msg


def _doubtful_notes(read) -> tuple[Note, ...]:
    """Features used as they are but for an ID-card number removed from their attributes."""
    return tuple(Note(i, "doubtful", Msg("imp.n.id_removed"),
                      {k: "" if v is None else str(v) for k, v in attrs.items()})
                 for i, attrs in read.id_removed.items())


def preview_boundaries(store: Store, path: str | Path, read=None, **options):
    """The file read and matched (``read`` when that was done already, in a worker: geo.imports.kinds)."""
    from geo.sources import boundaries

    if read is not None:
        return read
    try:
        return boundaries.read_boundaries(path, store.registry_frame(), **options)
    except boundaries.BoundaryError as e:
        raise refused_by(e) from None


def import_boundaries(store: Store, path: str | Path, *, file_name: str | None = None,
                      progress: Progress | None = None, preview=None, principal: Principal = OPEN,
                      **options) -> ImportResult:
    """Village boundaries: replace those of the matched villages and rebuild their counties' map shapes.

    ``options`` go to :func:`geo.sources.boundaries.read_boundaries` (county, code_field, name_field, source_crs,
    gcj02).  The boundaries replaced are kept in ``geom_history`` so the batch can be rolled back.
    ``preview`` is :func:`preview_boundaries`' result for this file and options when the caller has it: the
    archive is then not extracted a second time.
    """
    from geo.outputs.outlines import village_display  # imported here: start-up time (geopandas)

    path, name, sha, done = already_imported(store, "boundaries", path, file_name, principal)
    if done:
        return done
    progress and progress(0.1, "reading")
    read = preview or preview_boundaries(store, path, **options)
    progress and progress(0.6, "writing")
    matched = read.matched
    accepted = int(matched["n_features"].sum()) if len(matched) else 0
    with store.transaction() as cur:
        batch = store.new_batch(cur, "boundaries", name, sha, rows_read=read.feature_count,
                                rows_accepted=accepted, rows_rejected=len(read.rejects), note=read.crs)
        replace_village_geoms(store, cur, matched[["code", "geometry"]], batch, keep_history=True)
        for county in sorted({c[:6] for c in matched["code"]}):
            store.refresh_village_display(cur, county, village_display)
        record_import(store, principal, cur, kind="boundaries", file_name=name, sha256=sha, batch=batch,
                      rows={"read": read.feature_count, "accepted": accepted, "rejected": len(read.rejects)},
                      codes=list(matched["code"]) or ([read.county[0]] if read.county else []))
    progress and progress(1.0, "done")
    return ImportResult("boundaries", name, "imported", batch, read.feature_count, accepted, len(read.rejects),
                        tuple(reject_note(r) for r in read.rejects), _doubtful_notes(read),
                        details={"villages": len(matched), "crs": read.crs, "encoding": read.encoding,
                                 "code_field": read.code_field, "name_field": read.name_field,
                                 "county": f"{read.county[1]}（{read.county[0][:6]}）" if read.county else None})
