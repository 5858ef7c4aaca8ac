"""Division lists (统计用区划代码): a CSV/Excel list read into divisions (code, name, level) and rejected rows.

The file is read by :mod:`geo.sources.tabular`; the header is found here (code and name columns under any title
rows).  What a list changes in the store is :mod:`geo.imports.registry`'s job.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from geo.core.codes import LEVEL_ENDS, significant_length
from geo.core.limits import MAX_REGISTRY_CELLS
from geo.privacy.idcards import scrub_id_numbers
from geo.sources.errors import RegistryFileError
from geo.sources.tabular import TableFile, read_sheets
from geo.text.catalogue import Msg


def _refused(key: str, **params: object) -> RegistryFileError:
    return RegistryFileError(key=key, params=params)


_CODE_HEADERS = ("统计用区划代码", "区划代码", "行政区划代码", "代码", "code", "adcode", "区划码")
_NAME_HEADERS = ("名称", "单位名称", "区划名称", "name", "村居名称", "行政区划名称")
_URBAN_HEADERS = ("城乡分类代码", "城乡分类", "urban_rural", "urban-rural code")


def _norm_header(text: object) -> str:
    return re.sub(r"[\s\u3000（）()]", "", str(text or "")).lower()


def _loose_field(header: str) -> str | None:
    """The field a header only containing the usual words names; 城乡分类代码 is never the code."""
    if "城乡分类" in header:
        return "urban_rural"
    if any(w in header for w in ("区划代码", "代码", "code")):
        return "code"
    if any(w in header for w in ("名称", "name")):
        return "name"
    return None


def _find_columns(frame: pd.DataFrame, scan: int = 15) -> tuple[int, dict[str, int]] | None:
    """(header row index, {'code': col, 'name': col, ['urban_rural': col]}) or None.

    Exact header names first; then headers that contain them ("统计用区划代码（12位）", "单位名称（村居）").
    """
    exact = {"code": {_norm_header(h) for h in _CODE_HEADERS}, "name": {_norm_header(h) for h in _NAME_HEADERS},
             "urban_rural": {_norm_header(h) for h in _URBAN_HEADERS}}
    for i in range(min(scan, len(frame))):
        cells = [_norm_header(v) for v in frame.iloc[i].tolist()]
        cols: dict[str, int] = {}
        for j, c in enumerate(cells):          # exact names win
            kind = next((k for k in ("urban_rural", "code", "name") if c in exact[k]), None)
            if kind and kind not in cols:
                cols[kind] = j
        for j, c in enumerate(cells):
            kind = _loose_field(c) if c and j not in cols.values() else None
            if kind and kind not in cols:
                cols[kind] = j
        if "code" in cols and "name" in cols:
            return i, cols
    return None


# the national list is about 665,000 rows with every level; a file longer than this is not a division list
MAX_REGISTRY_ROWS = 1_000_000


def _cell_str(value: object) -> str:
    """A cell as text, as pandas reads it with dtype=str: whole numbers without ".0", blank as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: how a division list is read: its first sheet, merged ranges left as they are, under its own bounds
DIVISION_LIST_FILE = TableFile(RegistryFileError, "imp.e.file_type", MAX_REGISTRY_ROWS, MAX_REGISTRY_CELLS,
                               all_sheets=False, merged=False,
                               wrong_type_params={"kind": Msg("imp.kind.registry")})


def _read_table(path: Path) -> pd.DataFrame:
    """Every cell as text, no header interpretation (it is found afterwards), the rows squared."""
    grid = read_sheets(path, DIVISION_LIST_FILE)[0].grid
    rows = [[_cell_str(v) for v in row] for row in grid]
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)


def read_division_list(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(divisions, rejects) from a CSV/Excel division list.

    divisions: code (12-digit str), name, level (1-5 from the code's significant digits), urban_rural, row (in
    the file), id_removed (an ID-card number was removed from the row).  Codes may be written with 2/4/6/9/12
    digits.  A code listed twice is kept once (东莞 is both city and county); rows whose code is not a division
    code are rejected with their row number.
    """
    path = Path(path)
    frame = _read_table(path)
    if frame.empty:
        raise _refused("imp.e.empty", file=path.name)
    found = _find_columns(frame)
    if found is None:
        raise _refused("imp.e.no_header", file=path.name)
    h, cols = found
    body = frame.iloc[h + 1:]
    raw_codes = body.iloc[:, cols["code"]].astype(str).str.strip()
    raw_names = body.iloc[:, cols["name"]].astype(str).str.strip()
    scrubbed_codes, names = raw_codes.map(scrub_id_numbers), raw_names.map(scrub_id_numbers)
    id_removed = (scrubbed_codes != raw_codes) | (names != raw_names)
    codes = scrubbed_codes.str.replace(r"\.0$", "", regex=True)
    urban = body.iloc[:, cols["urban_rural"]].astype(str).str.strip() if "urban_rural" in cols else None
    row_numbers = body.index.to_numpy() + 1
    ok_shape = codes.str.fullmatch(r"\d{2}|\d{4}|\d{6}|\d{9}|\d{12}")
    blank = (codes == "") & (names == "")
    full = codes.where(~ok_shape, codes.str.ljust(12, "0"))
    good = ok_shape & (names != "")
    rejects = pd.DataFrame({"row": row_numbers[~good & ~blank], "code": codes[~good & ~blank].to_numpy(),
                            "name": names[~good & ~blank].to_numpy()})
    rejects["reason"] = "bad_code"
    rejects["message"] = [Msg("imp.n.bad_code", {"code": c}).bilingual() for c in rejects["code"]]
    out = pd.DataFrame({"code": full[good].to_numpy(dtype=object), "name": names[good].to_numpy(dtype=object),
                        "row": row_numbers[good], "id_removed": id_removed[good].to_numpy(dtype=bool)})
    sig = out["code"].map(significant_length)
    out["level"] = sig.map(lambda n: LEVEL_ENDS.index(n) + 1 if n else 0).astype("int8")
    out["urban_rural"] = urban[good].to_numpy(dtype=object) if urban is not None else None
    out = out[out["level"] > 0].drop_duplicates("code", keep="first").reset_index(drop=True)
    if out.empty:
        raise _refused("imp.e.no_code", file=path.name)
    return out, rejects
