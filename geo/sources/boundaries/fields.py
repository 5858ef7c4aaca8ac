"""The fields of a boundary file: which column holds the village code, the village name and the township, the
DBF text encoding (.cpg, the language byte, or detection), and the attributes cleaned of ID-card numbers.
"""
from __future__ import annotations

import codecs
import math
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.privacy.idcards import scrub_id_numbers
from geo.sources.boundaries.errors import _err
from geo.sources.matching import RegistryIndex, Remark
from geo.sources.names import clean_name
from geo.text.catalogue import Msg

# field names seen in survey and statistics files, most specific first
CODE_FIELDS = ("ZLDWDM", "CUN_DM", "CUNDM", "CJDM", "XZQDM", "XZQHDM", "QHDM", "村代码", "村级代码", "行政区划代码",
               "区划代码", "代码", "CODE", "DM", "ADCODE")
NAME_FIELDS = ("ZLDWMC", "CUN_MC", "CUNMC", "CJMC", "村名", "村名称", "村委会名称", "村级名称", "行政村", "名称",
               "XZQMC", "NAME", "MC")
TOWNSHIP_FIELDS = ("XZMC", "XZ_MC", "XZQMC_XZ", "XZJDMC", "乡镇", "乡镇名称", "乡镇街道", "所属乡镇", "镇名", "街道",
                   "TOWN", "TOWNSHIP")

CJK = re.compile(r"[\u3400-\u9fff]")
_DIGITS = re.compile(r"^\d{12,19}$")


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
        if CJK.search(s):
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
            if vals and sum(1 for v in vals if isinstance(v, str) and CJK.search(v)) / len(vals) >= 0.5:
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


# ----------------------------------------------------------------------------------------------- attributes


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


# ---------------------------------------------------------------------------------------------- the fields
def without_id_numbers(df: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[Remark], np.ndarray]:
    """(attributes with ID-card numbers removed, the warning saying so, which features had one)."""
    df, had_id = _without_id_numbers(df)
    n = int(had_id.sum())
    warnings = [Remark("bnd.n.id_removed", n=n)] if n else []
    return df, warnings, had_id


def choose_fields(df: gpd.GeoDataFrame, index: RegistryIndex, label: str, code_field: str | None,
                  name_field: str | None, township_field: str | None, encoding: str
                  ) -> tuple[str | None, str | None, str | None, list[str]]:
    """(code field, name field, township field, warnings): those given (which must exist), else detected."""
    columns = [c for c in df.columns if c != "geometry"]
    for given, what in ((code_field, "code"), (name_field, "name"), (township_field, "township")):
        if given is not None and given not in columns:
            raise _err(label, "bnd.e.no_column", what=Msg(f"bnd.col.{what}"), given=given, columns=", ".join(columns))
    cf = code_field or _detect_code_field(df, index)
    nf = name_field or _detect_name_field(df, {cf} if cf else set())
    tf = township_field or _detect_township_field(df, {c for c in (cf, nf) if c})
    if cf is None and nf is None:
        raise _err(label, "bnd.e.no_fields", columns=", ".join(columns))
    return cf, nf, tf, _decoding_warnings(df, nf, encoding)


def _decoding_warnings(df: gpd.GeoDataFrame, nf: str | None, encoding: str) -> list[Remark]:
    if nf is None:
        return []
    names_sample = [v for v in _sample(df[nf], 500) if isinstance(v, str)]
    if any("\ufffd" in v for v in names_sample) or (names_sample and not any(CJK.search(v) for v in names_sample)):
        return [Remark("bnd.n.decoding", field=nf, encoding=encoding)]
    return []
