"""Boundary files as they arrive: a zip (any depth, GBK entry names), a bare .shp with its siblings, GeoJSON or a
GeoPackage.  What a file really is is judged by its bytes, never its name; only GDAL's Shapefile, GeoJSON and
GeoPackage drivers are ever loaded, with no way to the network, and a dataset is staged under a name chosen here
before GDAL opens it.  The first phase of :func:`geo.sources.boundaries.read_boundaries`.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import shapely
from pyogrio._ogr import _register_drivers  # GDALAllRegister: the one way to apply GDAL_SKIP

from geo.core import limits
from geo.privacy.safezip import UnsafeZipError, safe_extract
from geo.sources.boundaries.errors import BoundaryError, _err, _refused_as
from geo.sources.boundaries.fields import _detect_code_field, _detect_name_field, detect_dbf_encoding
from geo.sources.matching import RegistryIndex
from geo.text.catalogue import Msg

BOUNDARY_SUFFIXES = (".zip", ".shp", ".geojson", ".json", ".gpkg")


# ------------------------------------------------------------------------------------------------ the input


def _sibling(path: Path, ext: str) -> Path | None:
    for cand in path.parent.iterdir():
        if cand.stem == path.stem and cand.suffix.lower() == ext:
            return cand
    return None


def _datasets_in(folder: Path) -> list[Path]:
    found = []
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or "__MACOSX" in p.parts or p.name.startswith("._"):
            continue
        if p.suffix.lower() in (".shp", ".geojson", ".json", ".gpkg"):
            found.append(p)
    return found


# ------------------------------------------------------------------------------------- what a file really is

# The only GDAL drivers an upload is ever opened with, each chosen here from the file's own bytes.
DRIVERS = ("ESRI Shapefile", "GeoJSON", "GPKG")
_STAGED_NAME = {"ESRI Shapefile": "layer.shp", "GeoJSON": "layer.geojson", "GPKG": "layer.gpkg"}
_SHAPEFILE_PARTS = (".shx", ".dbf", ".prj", ".cpg")   # staged next to a .shp; no index, no .shp.xml, nothing else
_HEAD_BYTES = 4096
_SHAPE_MAGIC = 9994                                    # big-endian file code at the start of .shp and .shx
_SQLITE_MAGIC = b"SQLite format 3\x00"
_DBF_VERSIONS = frozenset({0x02, 0x03, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0xCB, 0xE5, 0xF5, 0xFB})
_GEOJSON_TYPES = frozenset({"FeatureCollection", "Feature", "Point", "MultiPoint", "LineString",
                            "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"})
# what makes GDAL read elsewhere: a virtual file system path (/vsicurl/, /vsizip/ ...) or a VRT document
_GDAL_REFERENCE = re.compile(rb"/vsi[a-z0-9_]*/|<OGRVRTDataSource", re.I)
_SCAN_CHUNK = 1 << 20


def _restrict_gdal() -> None:
    """Leave GDAL, for the whole process, only the product's three drivers and no way to the network.

    Defence in depth behind :func:`_real_driver`: even a file that got past the content check cannot be opened
    as a VRT, CSV, WFS, ... (those drivers are gone), and /vsicurl/ refuses every URL.  Idempotent.
    """
    skip = {d for d in pyogrio.list_drivers() if d not in DRIVERS}
    skip |= {d for d in (pyogrio.get_gdal_config_option("GDAL_SKIP") or "").split(",") if d}
    pyogrio.set_gdal_config_options({
        "GDAL_SKIP": ",".join(sorted(skip)),
        # /vsicurl/ and its kin may open only this one name, which is no URL
        "CPL_VSIL_CURL_ALLOWED_FILENAME": "/nonexistent/network-disabled",
        "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",   # GDAL's default, pinned: no VirtualOGR table in a GeoPackage
    })
    _register_drivers()
    if set(pyogrio.list_drivers()) != set(DRIVERS):
        raise RuntimeError(f"GDAL still offers {sorted(pyogrio.list_drivers())}; expected only {DRIVERS}")


_restrict_gdal()


def _is_dbf(head: bytes) -> bool:
    """A dBase header: known version byte, a plausible last-update month and day, a header of at least 33 bytes."""
    return (len(head) >= 32 and head[0] in _DBF_VERSIONS and 1 <= head[2] <= 12 and 1 <= head[3] <= 31
            and int.from_bytes(head[8:10], "little") >= 33)


def _is_shape_header(head: bytes) -> bool:
    """The 100-byte header of a .shp or .shx: file code 9994, version 1000."""
    return (len(head) >= 100 and int.from_bytes(head[:4], "big") == _SHAPE_MAGIC
            and int.from_bytes(head[28:32], "little") == 1000)


def _sniff(head: bytes) -> str:
    """What the first bytes of a file say it is: a driver of :data:`DRIVERS`, "json" (to be parsed), or the
    ``bnd.real.*`` key of anything else."""
    if b"<ogrvrtdatasource" in head.lower():    # where GDAL looks for a VRT, whatever comes before it
        return "vrt"
    if head.startswith(_SQLITE_MAGIC):
        return "GPKG" if head[68:72] == b"GPKG" else "sqlite"   # the GeoPackage application_id
    if _is_shape_header(head):
        return "ESRI Shapefile"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if _is_dbf(head):
        return "dbf"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"{", b"[")):
        return "json"
    if text.startswith((b"<!doctype html", b"<html")):
        return "html"
    if text.startswith(b"<"):
        return "xml"
    return "binary" if b"\x00" in head else "text"


def _gdal_reference(path: Path) -> str | None:
    """The first GDAL virtual path or VRT marker anywhere in the file, else None."""
    tail = b""
    with open(path, "rb") as f:
        while chunk := f.read(_SCAN_CHUNK):
            hit = _GDAL_REFERENCE.search(tail + chunk)
            if hit:
                return hit.group().decode("latin-1")
            tail = chunk[-64:]
    return None


def _check_geojson(path: Path, label: str) -> None:
    """The file parses as JSON and is a GeoJSON object (FeatureCollection, Feature or a geometry)."""
    try:
        doc = json.loads(path.read_bytes())
    except (ValueError, RecursionError) as e:   # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise _err(label, "bnd.bad_json", err=str(e)[:120]) from None
    if not isinstance(doc, dict) or doc.get("type") not in _GEOJSON_TYPES:
        raise _refused_as(label, "json")


def _check_shapefile(shp: Path, label: str) -> None:
    for ext in (".dbf", ".shx"):
        if _sibling(shp, ext) is None:
            raise _err(label, "bnd.e.shp_part", shp=shp.name, ext=ext)
    if shp.stat().st_size <= 100:
        raise _err(label, "bnd.e.empty_shp", shp=shp.name)
    for ext, fits in ((".shx", _is_shape_header), (".dbf", _is_dbf)):
        part = _sibling(shp, ext)
        with open(part, "rb") as f:
            if not fits(f.read(100)):
                raise _err(label, "bnd.bad_sidecar", ext=ext, name=part.name)


def _real_driver(path: Path, label: str) -> str:
    """The driver for what the file really is, judged by its bytes and never by its name; a refusal naming
    the file and what it really is for anything but a shapefile, GeoJSON or GeoPackage, and for any file that
    names a GDAL virtual path or holds a VRT document."""
    if path.stat().st_size == 0:
        raise _err(label, "bnd.e.empty_file")
    with open(path, "rb") as f:
        kind = _sniff(f.read(_HEAD_BYTES))
    if kind == "json":
        _check_geojson(path, label)
        kind = "GeoJSON"
    if kind not in DRIVERS:
        raise _refused_as(label, kind)
    if kind == "ESRI Shapefile":
        _check_shapefile(path, label)
    for part in _parts(path, kind):
        if (ref := _gdal_reference(part)) is not None:
            raise _err(label, "bnd.gdal_path", ref=ref)
    return kind


def _parts(path: Path, driver: str) -> list[Path]:
    """The files GDAL reads for the dataset: the main file, and a shapefile's own companions."""
    if driver != "ESRI Shapefile":
        return [path]
    return [path, *(p for ext in _SHAPEFILE_PARTS if (p := _sibling(path, ext)) is not None)]


@contextmanager
def _staged(path: Path, driver: str) -> Iterator[Path]:
    """The dataset linked (or copied) into a fresh folder under a name chosen here that fits its real type,
    with only the parts GDAL needs: GDAL never sees the upload's own name or stray side files (a spatial
    index, a GeoPackage's -wal journal)."""
    with tempfile.TemporaryDirectory(prefix="boundary-read-") as tmp:
        main = Path(tmp) / _STAGED_NAME[driver]
        for part in _parts(path, driver):
            target = main if part == path else main.with_suffix(part.suffix.lower())
            try:
                os.link(part, target)
            except OSError:    # another file system, or links not allowed
                shutil.copyfile(part, target)
        yield main


def _layers(path: Path, driver: str) -> list[str | None]:
    if driver != "GPKG":
        return [None]
    try:
        with _staged(path, driver) as staged:
            return [str(row[0]) for row in pyogrio.list_layers(staged)
                    if row[1] is not None and "polygon" in str(row[1]).lower()] or [None]
    except Exception:
        return [None]


def _read_frame(path: Path, driver: str, layer: str | None, label: str) -> tuple[gpd.GeoDataFrame, str, str]:
    encoding, source = "utf-8", "utf-8"
    kwargs: dict[str, Any] = {}
    if driver == "ESRI Shapefile":
        encoding, source = detect_dbf_encoding(_sibling(path, ".dbf"), _sibling(path, ".cpg"))
        kwargs["encoding"] = encoding
    elif driver == "GPKG":
        source = "gpkg"
    with _staged(path, driver) as staged:
        try:
            df = pyogrio.read_dataframe(staged, layer=layer, **kwargs)
        except UnicodeDecodeError as e:
            raise _err(label, "bnd.e.decode", encoding=encoding, err=str(e)) from e
        except Exception as e:
            why = str(e).replace(str(staged), path.name)
            raise _err(label, "bnd.e.unreadable", why=why) from e
    if not isinstance(df, gpd.GeoDataFrame) or (len(df) and bool(df.geometry.isna().all())):
        raise _err(label, "bnd.no_geometry")
    check_vertices(df, label)
    return df, encoding, source


def check_vertices(df: gpd.GeoDataFrame, label: str) -> None:
    """Refuse a dataset with a feature of more than MAX_FEATURE_VERTICES vertices, or more than MAX_FILE_VERTICES
    in all: repairing, dissolving and drawing cost grows with them, and no village outline needs that many."""
    counts = shapely.get_num_coordinates(df.geometry.array)
    if len(counts) and int(counts.max()) > limits.MAX_FEATURE_VERTICES:
        worst = int(counts.argmax())
        raise _err(label, "limit.vertices_feature", n=worst + 1, count=f"{int(counts[worst]):,}",
                       limit=f"{limits.MAX_FEATURE_VERTICES:,}")
    total = int(counts.sum())
    if total > limits.MAX_FILE_VERTICES:
        raise _err(label, "limit.vertices_file", count=f"{total:,}", limit=f"{limits.MAX_FILE_VERTICES:,}")


@dataclass
class Dataset:
    df: gpd.GeoDataFrame
    label: str            # shown in messages: "村界.zip/陕西/村级调查区.shp"
    encoding: str
    encoding_source: str
    skipped: list[Msg]    # why each other dataset in the zip could not be read


def _shown(label: str, root: Path, p: Path, lyr: str | None) -> str:
    """How messages name a dataset: "村界.gpkg:村", or "村界.zip/陕西/村级调查区.shp" inside a zip."""
    if p.name == label:
        return label + (f":{lyr}" if lyr else "")
    return f"{label}/{p.relative_to(root).as_posix()}" + (f":{lyr}" if lyr else "")


def choose_dataset(found: list[Path], root: Path, layer: str | None, index: RegistryIndex, label: str,
                    code_field: str | None, name_field: str | None) -> Dataset:
    """Read the one dataset, or the best-looking of several (registry codes, then a name column, then size).

    With several, unreadable ones are skipped (and reported) as long as one can be read.
    """
    # (file, layer, its driver or why it is refused); a refused file is never handed to GDAL
    options: list[tuple[Path, str | None, str | BoundaryError]] = []
    for p in found:
        try:
            driver = _real_driver(p, _shown(label, root, p, None))
        except BoundaryError as e:
            options.append((p, None, e))
            continue
        options += [(p, lyr, driver) for lyr in _layers(p, driver)]
    if layer is not None:
        options = [o for o in options if layer in (o[0].stem, o[0].name, o[1])]
        if not options:
            raise _err(label, "bnd.e.no_layer", layer=layer)
    best: tuple[tuple, Dataset] | None = None
    errors: list[BoundaryError] = []
    for p, lyr, driver in options:
        shown = _shown(label, root, p, lyr)
        try:
            if isinstance(driver, BoundaryError):
                raise driver
            df, enc, src = _read_frame(p, driver, lyr, shown)
        except BoundaryError as e:
            if len(options) == 1:
                raise
            errors.append(e)
            continue
        ds = Dataset(df, shown, enc, src, [])
        if len(options) == 1:
            return ds
        cf = code_field if code_field in df.columns else _detect_code_field(df, index)
        nf = name_field if name_field in df.columns else _detect_name_field(df, {cf} if cf else set())
        score = (cf is not None, nf is not None, len(df))
        if best is None or score > best[0]:
            best = (score, ds)
    if best is None:
        raise errors[0]
    best[1].skipped = [e.msg for e in errors]
    return best[1]


# --------------------------------------------------------------------------------------------------- reading


def check_file(path: Path) -> None:
    """Refuse a missing, empty or unsupported file before anything is extracted or opened."""
    label = path.name
    if not path.exists():
        raise _err(label, "bnd.e.not_found")
    if path.is_dir() or path.suffix.lower() not in BOUNDARY_SUFFIXES:
        raise _err(label, "bnd.e.file_type")
    if path.stat().st_size == 0:
        raise _err(label, "bnd.e.empty_file")


@contextmanager
def candidates(path: Path, *, max_total_bytes: int, max_files: int) -> Iterator[tuple[list[Path], Path]]:
    """(the datasets a file holds, the folder they are under): a zip safely extracted to a temporary folder
    (removed afterwards), any other file as itself."""
    if path.suffix.lower() != ".zip":
        yield [path], path.parent
        return
    with tempfile.TemporaryDirectory(prefix="boundaries-") as tmp:
        try:
            safe_extract(path, tmp, max_total_bytes=max_total_bytes, max_files=max_files)
        except UnsafeZipError as e:
            raise BoundaryError(key=e.key, params=e.params) from e
        found = _datasets_in(Path(tmp))
        if not found:
            raise _err(path.name, "bnd.e.zip_empty")
        yield found, Path(tmp)
