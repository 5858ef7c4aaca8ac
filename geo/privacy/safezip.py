"""Extract user-uploaded zip files without trusting them.

Rejects the whole archive (nothing is extracted) when any entry has an absolute path, a ``..`` component,
is a symlink or is encrypted, when there are too many entries, when the declared sizes add up past the
limit, or when the archive or one member expands implausibly (more than :data:`MAX_RATIO` times its
compressed size).  While extracting, the bytes actually written are counted too (a forged header cannot hide
a zip bomb); crossing either limit deletes what was written and raises.  :func:`check_archive` is the same
check of the central directory without extracting, for zips read in place (an .xlsx is one).

Zips made on Chinese Windows store entry names in GBK without the UTF-8 flag; Python then decodes them as
cp437.  :func:`entry_name` undoes that: Info-ZIP unicode-path extra field, else UTF-8, else GB18030.
"""
from __future__ import annotations

import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path

from geo.core.errors import UserError
from geo.text.catalogue import Msg

# A whole province's 三调 village layer (shp + dbf + shx + prj) is a few hundred MB uncompressed; 1 GiB is
# several times that and still bounds the disk and the time one upload can cost.
DEFAULT_MAX_TOTAL_BYTES = 1024**3
DEFAULT_MAX_FILES = 10_000
# Shapefile geometry compresses about 2-4 times, space-padded DBF text and spreadsheet XML 5-30 times;
# a zip bomb reaches 1,000 times.  Below RATIO_FLOOR_BYTES expanding is harmless whatever the ratio.
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 16 * 1024**2
_CHUNK = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")


class UnsafeZipError(UserError, ValueError):
    """The archive is corrupt, hostile or too big: a catalogue message (``zip.*``) that names the zip."""

    def __init__(self, key: str, **params: object):
        super().__init__(key=key, params=params)


def _unicode_path_extra(info: zipfile.ZipInfo) -> str | None:
    """The Info-ZIP Unicode Path extra field (0x7075), which some tools add next to a legacy name."""
    extra = info.extra
    i = 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, i)
        body = extra[i + 4:i + 4 + size]
        if tag == 0x7075 and len(body) > 5 and body[0] == 1:
            try:
                return body[5:].decode("utf-8")
            except UnicodeDecodeError:
                return None
        i += 4 + size
    return None


def entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's real name: honour the UTF-8 flag, else recover GBK/UTF-8 bytes from Python's cp437 guess."""
    if info.flag_bits & 0x800:
        return info.filename
    unicode_name = _unicode_path_extra(info)
    if unicode_name:
        return unicode_name
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:  # zipfile was told another metadata encoding; keep its answer
        return info.filename
    if raw.isascii():
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _unsafe_reason(name: str, info: zipfile.ZipInfo) -> Msg | None:
    parts = re.split(r"[\\/]+", name)
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return Msg("zip.entry.absolute", {"entry": name})
    if any(p == ".." for p in parts):
        return Msg("zip.entry.parent", {"entry": name})
    if stat.S_ISLNK(info.external_attr >> 16):
        return Msg("zip.entry.link", {"entry": name})
    if info.flag_bits & 0x1:
        return Msg("zip.entry.encrypted", {"entry": name})
    return None


def _mb(n: int) -> str:
    return f"{n / 1024**2:,.0f} MB"


def safe_extract(zip_path: str | Path, dest_dir: str | Path, *, max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
                 max_files: int = DEFAULT_MAX_FILES) -> list[Path]:
    """Check every entry of ``zip_path``, then extract the files under ``dest_dir``; return their paths.

    Raises :class:`UnsafeZipError` (and leaves nothing extracted) on a corrupt zip, an absolute or ``..``
    entry, a symlink, an encrypted entry, more than ``max_files`` entries, or more than ``max_total_bytes``
    declared or actually written.
    """
    zip_path = Path(zip_path)
    dest = Path(dest_dir)
    label = zip_path.name
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as e:
        raise UnsafeZipError("zip.invalid", name=label, err=str(e)) from e
    with zf:
        infos = zf.infolist()
        if len(infos) > max_files:
            raise UnsafeZipError("zip.too_many", name=label, n=len(infos), limit=max_files)
        plan: list[tuple[zipfile.ZipInfo, str]] = []
        for info in infos:
            name = entry_name(info)
            reason = _unsafe_reason(name, info)
            if reason:
                raise UnsafeZipError("zip.unsafe", name=label, reason=reason)
            if not info.is_dir():
                plan.append((info, name))
        _check_sizes(label, infos, max_total_bytes)
        compressed = sum(i.compress_size for i in infos)
        dest.mkdir(parents=True, exist_ok=True)
        root = dest.resolve()
        written: list[Path] = []
        total = 0
        try:
            for info, name in plan:
                target = (root / name.replace("\\", "/")).resolve()
                if root not in target.parents:  # belt and braces after the name checks above
                    raise UnsafeZipError("zip.outside", name=label, entry=name)
                target.parent.mkdir(parents=True, exist_ok=True)
                entry_total = 0
                with zf.open(info) as src, open(target, "wb") as out:
                    written.append(target)
                    while chunk := src.read(_CHUNK):
                        total += len(chunk)
                        entry_total += len(chunk)
                        if total > max_total_bytes or entry_total > info.file_size:
                            raise UnsafeZipError("zip.expands", name=label, limit=_mb(max_total_bytes))
                        if _implausible(entry_total, info.compress_size) or _implausible(total, compressed):
                            raise _ratio_error(label, name)
                        out.write(chunk)
        except UnsafeZipError:
            _cleanup(written, root)
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as e:
            _cleanup(written, root)
            raise UnsafeZipError("zip.corrupt", name=label, err=str(e)) from e
    return written


def _implausible(expanded: int, compressed: int) -> bool:
    return expanded > RATIO_FLOOR_BYTES and expanded > MAX_RATIO * max(compressed, 1)


def _ratio_error(label: str, member: str | None) -> UnsafeZipError:
    if member is None:
        return UnsafeZipError("zip.ratio", name=label, ratio=MAX_RATIO)
    return UnsafeZipError("zip.ratio_member", name=label, member=member, ratio=MAX_RATIO)


def _check_sizes(label: str, infos: list[zipfile.ZipInfo], max_total_bytes: int) -> None:
    """Refuse by the central directory: the declared total, the whole archive's and each member's ratio."""
    declared = sum(i.file_size for i in infos)
    if declared > max_total_bytes:
        raise UnsafeZipError("zip.too_big", name=label, size=_mb(declared), limit=_mb(max_total_bytes))
    for info in infos:
        if _implausible(info.file_size, info.compress_size):
            raise _ratio_error(label, entry_name(info))
    if _implausible(declared, sum(i.compress_size for i in infos)):
        raise _ratio_error(label, None)


def check_archive(path: str | Path, *, max_total_bytes: int, label: str | None = None) -> None:
    """Refuse a zip read in place (an .xlsx) whose central directory declares a bomb.

    Enough for readers going through :mod:`zipfile`: it never returns more than a member's declared size.
    """
    path = Path(path)
    label = label or path.name
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as e:
        raise UnsafeZipError("zip.invalid", name=label, err=str(e)) from e
    _check_sizes(label, infos, max_total_bytes)


def _cleanup(paths: list[Path], root: Path) -> None:
    for p in paths:
        p.unlink(missing_ok=True)
    # remove directories we created, deepest first, only if now empty
    for d in sorted({p.parent for p in paths}, key=lambda d: len(d.parts), reverse=True):
        while d != root and root in d.parents:
            try:
                d.rmdir()
            except OSError:
                break
            d = d.parent


__all__ = ["safe_extract", "check_archive", "entry_name", "UnsafeZipError", "DEFAULT_MAX_TOTAL_BYTES",
           "DEFAULT_MAX_FILES", "MAX_RATIO", "RATIO_FLOOR_BYTES"]
