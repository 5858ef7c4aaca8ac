"""Read village boundary files (third national land survey 三调 村级调查区 and the like) and match them to the
registry.

Inputs: a zip (shapefile / GeoJSON / GeoPackage at any depth, GBK entry names), a bare ``.shp`` with its
siblings, ``.geojson``/``.json`` or ``.gpkg``.  Output: one WGS-84 (Multi)Polygon per registry village in
:attr:`BoundaryRead.matched`, plus a reject list naming every feature that was not used and why.

The phases, one module each: :mod:`~geo.sources.boundaries.files` (what a file really is, the zip, GDAL restricted to
three drivers, staging), :mod:`~geo.sources.boundaries.fields` (code / name / township fields, DBF encoding, ID numbers
removed), :mod:`~geo.sources.boundaries.crs` (the CRS, to WGS-84; :mod:`~geo.sources.boundaries.geometry` repairs
shapes) and
:mod:`~geo.sources.boundaries.match` (by code, by name through :mod:`geo.sources.matching`, by location; dissolve).

Matching never guesses: a feature is attached by its code (first 12 digits are a real level-5 registry code)
or by a name that is unique in its county (narrowed by township when the file or the code says which, or by
location: the feature lies inside the area of exactly one candidate township's already matched villages).
Anything else is rejected as unknown or ambiguous.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.privacy.safezip import DEFAULT_MAX_FILES, DEFAULT_MAX_TOTAL_BYTES
from geo.sources.boundaries.crs import crs_label, source_crs_of, to_wgs84
from geo.sources.boundaries.errors import BoundaryError, _err
from geo.sources.boundaries.fields import _clean_attrs, choose_fields, code12, detect_dbf_encoding, without_id_numbers
from geo.sources.boundaries.files import BOUNDARY_SUFFIXES, DRIVERS, Dataset, candidates, check_file, choose_dataset
from geo.sources.boundaries.geometry import polygonal
from geo.sources.boundaries.match import Features, counties_at, county_outline, dissolve, match_features
from geo.sources.matching import CountyError, RegistryIndex, Reject, Remark, registry_index, resolve_county
from geo.sources.names import committee_form

REASONS = ("unknown_village", "ambiguous_village", "no_geometry", "invalid_geometry", "outside_china",
           "not_in_county", "no_county")


@dataclass
class BoundaryRead:
    """Result of :func:`read_boundaries`.

    ``matched`` has one row per registry village: code (12-digit str), name (registry name), match_method
    ('code' | 'name'), n_features (file features dissolved into it), feature_indices (their 1-based
    positions), source_names (the file's own names, joined by 、), geometry (WGS-84 Polygon/MultiPolygon).
    ``county`` is (12-digit code, name) when given or when one county holds most matched villages, else None;
    ``counties`` lists every county with a matched village, most villages first.
    """

    matched: gpd.GeoDataFrame
    rejects: list[Reject]
    crs: str
    encoding: str
    encoding_source: str
    code_field: str | None
    name_field: str | None
    township_field: str | None
    county: tuple[str, str] | None
    counties: list[str]
    feature_count: int
    source: str
    warnings: list[str] = field(default_factory=list)
    id_removed: dict[int, dict[str, Any]] = field(default_factory=dict)  # 1-based feature -> attributes kept


def read_boundaries(path: str | Path, registry: pd.DataFrame | RegistryIndex, *, county: str | int | None = None,
                    code_field: str | None = None, name_field: str | None = None,
                    township_field: str | None = None, source_crs: object = None, gcj02: bool = False,
                    layer: str | None = None, max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
                    max_files: int = DEFAULT_MAX_FILES) -> BoundaryRead:
    """Read a village boundary file and match its features to registry villages.

    ``county`` (6/12-digit code or a unique county name) limits name matching and rejects coded villages of
    other counties.  ``code_field``/``name_field``/``township_field`` override detection; ``source_crs``
    overrides the file's CRS; ``gcj02=True`` says the coordinates are GCJ-02 lon/lat (Gaode/Tencent).
    ``layer`` picks one dataset (file stem or GeoPackage layer) when a zip holds several.
    Raises :class:`BoundaryError` for files that cannot be used at all.
    """
    path = Path(path)
    check_file(path)
    index = registry_index(registry)
    with candidates(path, max_total_bytes=max_total_bytes, max_files=max_files) as (found, root):
        ds = choose_dataset(found, root, layer, index, path.name, code_field, name_field)
        return _process(ds, index, county=county, code_field=code_field, name_field=name_field,
                        township_field=township_field, source_crs=source_crs, gcj02=gcj02)


def _process(ds: Dataset, index: RegistryIndex, *, county, code_field, name_field, township_field, source_crs,
             gcj02) -> BoundaryRead:
    """One dataset read: its attributes, CRS, fields and geometries, then matched and dissolved."""
    label, n = ds.label, len(ds.df)
    if n == 0:
        raise _err(label, "bnd.e.no_features")
    df, id_warnings, had_id = without_id_numbers(ds.df)
    df, crs = source_crs_of(df, source_crs, gcj02, label)
    shown_crs = crs_label(crs)
    cf, nf, tf, field_warnings = choose_fields(df, index, label, code_field, name_field, township_field, ds.encoding)
    wgs, problems, present = to_wgs84(df, crs, label, shown_crs, gcj02)
    given_c6 = _given_county(index, county, label)
    features = Features(codes=_column(df, cf), names=_column(df, nf), townships=_column(df, tf),
                        attributes=df.drop(columns="geometry").to_dict("records"), wgs=wgs, problems=problems,
                        present=present)
    found = match_features(features, index, given_c6)
    matched = dissolve(found.assigned, wgs, index, features.names)
    county_out, counties = _counties(matched, index, given_c6)
    warnings = [Remark("bnd.n.skipped", why=why) for why in ds.skipped] + id_warnings + field_warnings + found.notes
    return BoundaryRead(matched=matched, rejects=found.rejects, crs=shown_crs, encoding=ds.encoding,
                        encoding_source=ds.encoding_source, code_field=cf, name_field=nf, township_field=tf,
                        county=county_out, counties=counties, feature_count=n, source=label, warnings=warnings,
                        id_removed={int(i) + 1: _clean_attrs(features.attributes[i]) for i in np.flatnonzero(had_id)})


def _column(df: gpd.GeoDataFrame, name: str | None) -> list:
    return df[name].tolist() if name else [None] * len(df)


def _given_county(index: RegistryIndex, county: object, label: str) -> str | None:
    if county is None:
        return None
    try:
        return resolve_county(index, county)
    except CountyError as e:
        raise _err(label, e.key, **e.params) from None


def _counties(matched: gpd.GeoDataFrame, index: RegistryIndex, given_c6: str | None
              ) -> tuple[tuple[str, str] | None, list[str]]:
    """The file's county (given, or the one holding most matched villages) and every county matched, most first."""
    county_counts = Counter(c[:6] for c in matched["code"])
    counties = [c6.ljust(12, "0") for c6, _ in county_counts.most_common()]
    if given_c6:
        return (given_c6.ljust(12, "0"), index.counties[given_c6]), counties
    if county_counts and county_counts.most_common(1)[0][1] * 2 > len(matched):
        top = county_counts.most_common(1)[0][0]
        return (top.ljust(12, "0"), index.counties.get(top, "")), counties
    return None, counties


__all__ = ["BOUNDARY_SUFFIXES", "BoundaryError", "BoundaryRead", "DRIVERS", "REASONS", "Reject", "RegistryIndex",
           "code12", "committee_form", "counties_at", "county_outline", "crs_label", "detect_dbf_encoding", "polygonal",
           "read_boundaries", "registry_index"]
