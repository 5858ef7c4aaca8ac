"""Imports into the store: division lists, village boundaries and assignment ledgers.

Every import is one transaction and one recorded batch (kind, file name, content hash, time, rows read /
accepted / rejected).  A failed import leaves the store exactly as it was; importing the same file twice
changes nothing; any batch can be rolled back.  The readers (geo.ledger, geo.boundaries, the registry reader
below) only parse and match; this module decides what is written.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from .codes import LEVEL_ENDS, significant_length, to_str
from .errors import UserError
from .store import Store

Progress = Callable[[float, str], None]


class ImportError_(UserError, ValueError):
    """A file that cannot be imported at all; the message is bilingual and names the file."""


@dataclass
class ImportResult:
    kind: str
    file_name: str
    status: str                     # 'imported' | 'unchanged' (same file already imported)
    batch_id: int | None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rejects: pd.DataFrame = field(default_factory=pd.DataFrame)   # row, reason, message, raw values...
    doubtful: pd.DataFrame = field(default_factory=pd.DataFrame)  # accepted, but worth a look (same columns)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in ("imported", "unchanged")

    def summary_line(self) -> str:
        if self.status == "unchanged":
            return (f"{self.file_name}：与第 {self.batch_id} 批内容相同，未重复导入 / "
                    f"{self.file_name}: same content as batch {self.batch_id}; nothing changed")
        extra = "".join(f"，{k}={v}" for k, v in self.details.items() if k in ("county", "crs", "encoding"))
        return (f"{self.file_name}：第 {self.batch_id} 批，读取 {self.rows_read} 行，导入 {self.rows_accepted}，"
                f"拒绝 {self.rows_rejected}{extra} / {self.file_name}: batch {self.batch_id}, "
                f"{self.rows_read} read, {self.rows_accepted} accepted, {self.rows_rejected} rejected")


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _already_imported(store: Store, kind: str, path: str | Path, file_name: str | None
                      ) -> tuple[Path, str, str, ImportResult | None]:
    """(path, name shown, content hash, the 'unchanged' result when this content was imported before)."""
    path = Path(path)
    name = file_name or path.name
    sha = file_sha256(path)
    prior = store.find_batch(kind, sha)
    return path, name, sha, (ImportResult(kind, name, "unchanged", prior) if prior is not None else None)


def _fail(name: str, zh: str, en: str) -> ImportError_:
    return ImportError_(f"{name}：{zh} / {name}: {en}")


def store_registry(store: Store) -> pd.DataFrame:
    """The store's current division list (abolished ones left out) in the readers' shape.

    The same DataFrame object is returned until the registry changes, so the readers' indexes over it
    (cached per object, ~1 s to build nationally) are built once, not per import.
    """
    version = store.scalar("""SELECT coalesce(sum(batch_id) FILTER (WHERE status = 'active'), 0) || '/' || count(*)
                              FROM batches WHERE kind IN ('registry', 'demo', 'init')""") + "/" + str(
        store.scalar("SELECT count(*) FROM divisions WHERE NOT abolished"))
    cached = getattr(store, "_registry_cache", None)
    if cached and cached[0] == version:
        return cached[1]
    df = store.query("SELECT code, name, level FROM divisions WHERE NOT abolished")
    df["code"] = df["code"].map(to_str).astype(object)
    df["name"] = df["name"].astype(object)
    store._registry_cache = (version, df)
    return df


# ------------------------------------------------------------------------------------------------ registry

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


def _read_table(path: Path) -> pd.DataFrame:
    """Every cell as text, no header interpretation (it is found afterwards)."""
    ext = path.suffix.lower()
    name = path.name
    if ext in (".csv", ".txt"):
        raw = path.read_bytes()
        if not raw.strip():
            raise _fail(name, "文件是空的", "the file is empty")
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise _fail(name, "无法识别文字编码（应为 UTF-8 或 GBK）", "text encoding not UTF-8 or GBK")
        sep = "\t" if text[:2000].count("\t") > text[:2000].count(",") else ","
        # title rows above the header have fewer cells: read ragged rows, then square them
        rows = list(csv.reader(io.StringIO(text), delimiter=sep))
        width = max((len(r) for r in rows), default=0)
        return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    if ext in (".xlsx", ".xlsm", ".xls"):
        from .ledger import workbook_kind

        with open(path, "rb") as f:
            kind = workbook_kind(f.read(8))
        if kind is None:
            raise _fail(name, "已损坏或不是 Excel 文件", "corrupt or not an Excel file")
        try:   # the engine by what the file is, not by its extension
            return pd.read_excel(path, header=None, dtype=str, keep_default_na=False,
                                 engine="xlrd" if kind == "xls" else "openpyxl")
        except Exception as e:  # corrupt or mislabelled workbooks raise many kinds of errors
            raise _fail(name, f"无法读取 Excel 文件（{type(e).__name__}）",
                        f"cannot read the Excel file ({type(e).__name__})") from None
    raise _fail(name, "文件类型不支持，请用 .csv、.xlsx 或 .xls", "unsupported file type; use .csv, .xlsx or .xls")


def read_registry_file(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(divisions, rejects) from a CSV/Excel division list.

    divisions: code (12-digit str), name, level (1-5 from the code's significant digits), urban_rural.
    Codes may be written with 2/4/6/9/12 digits.  A code listed twice is kept once (东莞 is both city and
    county); rows whose code is not a division code are rejected with their row number.
    """
    path = Path(path)
    frame = _read_table(path)
    if frame.empty:
        raise _fail(path.name, "文件是空的", "the file is empty")
    found = _find_columns(frame)
    if found is None:
        raise _fail(path.name, "前 15 行里没有找到“区划代码”和“名称”两列的表头",
                    "no header with a code column (区划代码/code) and a name column (名称/name) in the first 15 rows")
    h, cols = found
    body = frame.iloc[h + 1:]
    codes = body.iloc[:, cols["code"]].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    names = body.iloc[:, cols["name"]].astype(str).str.strip()
    urban = body.iloc[:, cols["urban_rural"]].astype(str).str.strip() if "urban_rural" in cols else None
    row_numbers = body.index.to_numpy() + 1
    ok_shape = codes.str.fullmatch(r"\d{2}|\d{4}|\d{6}|\d{9}|\d{12}")
    blank = (codes == "") & (names == "")
    full = codes.where(~ok_shape, codes.str.ljust(12, "0"))
    good = ok_shape & (names != "")
    rejects = pd.DataFrame({"row": row_numbers[~good & ~blank], "code": codes[~good & ~blank].to_numpy(),
                            "name": names[~good & ~blank].to_numpy()})
    rejects["reason"] = "bad_code"
    rejects["message"] = [f"第{r}行：代码“{c}”不是 2/4/6/9/12 位数字或名称为空 / row {r}: code '{c}' is not "
                          f"2/4/6/9/12 digits or the name is empty" for r, c in zip(rejects["row"], rejects["code"])]
    out = pd.DataFrame({"code": full[good].to_numpy(dtype=object), "name": names[good].to_numpy(dtype=object)})
    sig = out["code"].map(significant_length)
    out["level"] = sig.map(lambda n: LEVEL_ENDS.index(n) + 1 if n else 0).astype("int8")
    out["urban_rural"] = urban[good].to_numpy(dtype=object) if urban is not None else None
    out = out[out["level"] > 0].drop_duplicates("code", keep="first").reset_index(drop=True)
    if out.empty:
        raise _fail(path.name, "没有一行有效的区划代码", "no row holds a valid division code")
    return out, rejects


def import_registry(store: Store, path: str | Path, *, file_name: str | None = None,
                    progress: Progress | None = None) -> ImportResult:
    """A newer division list: new codes added, renamed ones updated, vanished villages marked abolished.

    Only counties whose own row is in the file are compared, so a one-province list does not abolish the rest
    of China and a list of a few new villages abolishes nothing.  Abolished codes stay in the store; assignments that point at them stay visible
    (:meth:`Store.orphan_assignments`).  The state before is kept in ``division_history`` for rollback.
    """
    path, name, sha, done = _already_imported(store, "registry", path, file_name)
    if done:
        return done
    progress and progress(0.1, "reading")
    incoming, rejects = read_registry_file(path)
    progress and progress(0.5, "writing")
    with store.transaction() as cur:
        batch = store.new_batch(cur, "registry", name, sha, rows_read=len(incoming) + len(rejects),
                                rows_accepted=len(incoming), rows_rejected=len(rejects))
        cur.register("reg_in", incoming.assign(code=incoming["code"].astype("int64")))
        # only a county listed itself counts as listed in full: a fragment of new villages abolishes nothing
        counties = "(SELECT code // 1000000 FROM reg_in WHERE level = 3)"
        cur.execute(f"""
            INSERT INTO division_history
            SELECT ?, d.code, d.name, d.level, d.urban_rural, d.abolished, true FROM divisions d
            WHERE d.code IN (SELECT code FROM reg_in)
               OR (d.level = 5 AND d.code // 1000000 IN {counties})""", [batch])
        cur.execute("""INSERT INTO division_history
                       SELECT ?, code, name, level, urban_rural, false, false FROM reg_in
                       WHERE code NOT IN (SELECT code FROM divisions)""", [batch])
        changed = cur.execute("""
            SELECT count(*) FILTER (WHERE d.code IS NULL),
                   count(*) FILTER (WHERE d.code IS NOT NULL AND (d.name <> r.name OR d.abolished))
            FROM reg_in r LEFT JOIN divisions d USING (code)""").fetchall()[0]
        cur.execute("""UPDATE divisions SET name = r.name, abolished = false,
                       urban_rural = coalesce(r.urban_rural, divisions.urban_rural)
                       FROM reg_in r WHERE divisions.code = r.code""")
        cur.execute("""INSERT INTO divisions (code, name, level, parent, urban_rural, abolished, batch_id)
                       SELECT code, name, level, NULL, urban_rural, false, ? FROM reg_in
                       WHERE code NOT IN (SELECT code FROM divisions)""", [batch])
        abolished = cur.execute(f"""
            UPDATE divisions SET abolished = true
            WHERE level = 5 AND NOT abolished AND code // 1000000 IN {counties}
              AND code NOT IN (SELECT code FROM reg_in) RETURNING code""").fetchall()
        cur.unregister("reg_in")
        store._set_parents(cur)
        if not cur.execute("SELECT count(*) FROM shapes WHERE tier = 'national'").fetchall()[0][0]:
            from .demo_geometry import store_outline_tiers   # a store started from a list: outlines too
            store_outline_tiers(store, cur)
            store.set_meta("outlines_batch", str(batch), cur)
        orphans = cur.execute("""SELECT count(*) FROM assignments a JOIN divisions d ON d.code = a.village
                                  WHERE d.abolished""").fetchall()[0][0]
    progress and progress(1.0, "done")
    return ImportResult("registry", name, "imported", batch, len(incoming) + len(rejects), len(incoming),
                        len(rejects), rejects,
                        details={"added": int(changed[0]), "renamed": int(changed[1]), "abolished": len(abolished),
                         "assignments_on_abolished": int(orphans)})


# ------------------------------------------------------------------------------------------------ ledgers

def _ledger_rejects(match) -> pd.DataFrame:
    rows = [{"row": r.row_number, "reason": r.reason, "message": r.message, **r.raw} for r in match.rejects]
    return pd.DataFrame(rows)


def _ledger_doubtful(table, match) -> pd.DataFrame:
    """Accepted rows the reader had doubts about (matched by name over a stale code, township ignored ...)."""
    raw = {r.row_number: r.raw for r in table.rows}
    notes: dict[int, list[str]] = {}
    for a in match.assignments:
        for w in a.warnings:
            if w not in notes.setdefault(a.row_number, []):
                notes[a.row_number].append(w)
    rows = [{"row": n, "reason": "doubtful", "message": "；".join(ws), **raw.get(n, {})}
            for n, ws in sorted(notes.items())]
    return pd.DataFrame(rows)


def preview_assignments(store: Store, path: str | Path, *, county: str | None = None):
    """(LedgerTable, LedgerMatch) without writing anything: what the import page shows before saving."""
    from . import ledger

    try:
        table = ledger.read_ledger(path)
        return table, ledger.match_ledger(table, store_registry(store), county=county)
    except ledger.LedgerError as e:
        raise ImportError_(str(e)) from None


def import_assignments(store: Store, path: str | Path, *, county: str | None = None,
                       file_name: str | None = None, progress: Progress | None = None) -> ImportResult:
    """A ledger (台账): one adviser per person across rows, one assignment per village and period."""
    path, name, sha, done = _already_imported(store, "assignments", path, file_name)
    if done:
        return done
    progress and progress(0.1, "reading")
    table, match = preview_assignments(store, path, county=county)
    if not match.rows_read:
        raise _fail(name, f"表头（第 {table.header_row} 行）下面没有数据行", f"no data rows below the header "
                    f"(row {table.header_row})")
    progress and progress(0.6, "writing")
    rejects = _ledger_rejects(match)
    people = match.advisers()
    with store.transaction() as cur:
        batch = store.new_batch(cur, "assignments", name, sha, rows_read=match.rows_read,
                                rows_accepted=match.accepted, rows_rejected=match.rejected,
                                note=f"{match.county_name} {match.county_code}")
        existing = cur.execute("SELECT adviser_id, name, licence_no, phone FROM advisers").fetchall()
        by_key: dict[str, int] = {}
        from .ledger import adviser_key
        for aid, nm, lic, ph in existing:
            by_key.setdefault(adviser_key(nm, lic, ph), aid)
        next_id = (max((r[0] for r in existing), default=0)) + 1
        new_people = []
        for key, p in people.items():
            if key not in by_key:
                by_key[key] = next_id
                new_people.append((next_id, p.name, p.kind, p.org, p.licence_no, p.phone, batch))
                next_id += 1
        if new_people:
            cur.executemany("INSERT INTO advisers (adviser_id, name, kind, org, licence_no, phone, batch_id) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)", new_people)
        frame = pd.DataFrame({
            "adviser_id": [by_key[a.adviser_key] for a in match.assignments],
            "village": [int(a.village_code) for a in match.assignments],
            "start_date": [a.start for a in match.assignments],
            "end_date": pd.Series([a.end for a in match.assignments], dtype=object),
            "batch_id": batch})
        frame = frame.astype({"adviser_id": "int32", "village": "int64"})
        cur.register("asg_in", frame)
        # a contract already stored (same person, village and period) is not stored twice
        inserted = cur.execute("""
            INSERT INTO assignments
            SELECT DISTINCT i.adviser_id, i.village, CAST(i.start_date AS DATE), CAST(i.end_date AS DATE), i.batch_id
            FROM asg_in i
            WHERE NOT EXISTS (SELECT 1 FROM assignments a WHERE a.adviser_id = i.adviser_id
                              AND a.village = i.village AND a.start_date = CAST(i.start_date AS DATE)
                              AND a.end_date IS NOT DISTINCT FROM CAST(i.end_date AS DATE))""").fetchall()
        cur.unregister("asg_in")
        n_new = int(inserted[0][0]) if inserted else 0
    progress and progress(1.0, "done")
    return ImportResult("assignments", name, "imported", batch, match.rows_read, match.accepted,
                        match.rejected, rejects, _ledger_doubtful(table, match),
                        details={"county": f"{match.county_name}（{match.county_code[:6]}）",
                         "county_source": match.county_source, "header_row": table.header_row,
                         "columns": table.mapped, "advisers_new": len(new_people), "assignments_new": n_new,
                         "duplicates_dropped": match.duplicates_dropped})


# ------------------------------------------------------------------------------------------------ boundaries

def _boundary_rejects(read) -> pd.DataFrame:
    rows = [{"row": r.feature_index, "reason": r.reason, "message": r.message,
             **{k: ("" if v is None else str(v)) for k, v in r.attributes.items()}} for r in read.rejects]
    return pd.DataFrame(rows)


def preview_boundaries(store: Store, path: str | Path, **options):
    from . import boundaries

    try:
        return boundaries.read_boundaries(path, store_registry(store), **options)
    except boundaries.BoundaryError as e:
        raise ImportError_(str(e)) from None


def import_boundaries(store: Store, path: str | Path, *, file_name: str | None = None,
                      progress: Progress | None = None, **options) -> ImportResult:
    """Village boundaries: replace those of the matched villages and rebuild their counties' map shapes.

    ``options`` go to :func:`geo.boundaries.read_boundaries` (county, code_field, name_field, source_crs,
    gcj02).  The boundaries replaced are kept in ``geom_history`` so the batch can be rolled back.
    """
    from .geometry_store import refresh_village_display, replace_village_geoms

    path, name, sha, done = _already_imported(store, "boundaries", path, file_name)
    if done:
        return done
    progress and progress(0.1, "reading")
    read = preview_boundaries(store, path, **options)
    progress and progress(0.6, "writing")
    rejects = _boundary_rejects(read)
    matched = read.matched
    with store.transaction() as cur:
        batch = store.new_batch(cur, "boundaries", name, sha, rows_read=read.feature_count,
                                rows_accepted=int(matched["n_features"].sum()) if len(matched) else 0,
                                rows_rejected=len(read.rejects), note=read.crs)
        cur.register("geom_codes", pd.DataFrame({"code": matched["code"].astype("int64")}))
        cur.execute("""INSERT INTO geom_history SELECT ?, g.code, g.geom, g.schematic, g.batch_id, true
                       FROM village_geoms g WHERE g.code IN (SELECT code FROM geom_codes)""", [batch])
        cur.execute("""INSERT INTO geom_history SELECT ?, code, NULL, NULL, NULL, false FROM geom_codes
                       WHERE code NOT IN (SELECT code FROM village_geoms)""", [batch])
        cur.unregister("geom_codes")
        replace_village_geoms(cur, matched[["code", "geometry"]], batch, schematic=False)
        for county in sorted({c[:6] for c in matched["code"]}):
            refresh_village_display(store, cur, county)
    progress and progress(1.0, "done")
    return ImportResult("boundaries", name, "imported", batch, read.feature_count,
                        int(matched["n_features"].sum()) if len(matched) else 0, len(read.rejects), rejects,
                        details={"villages": len(matched), "crs": read.crs, "encoding": read.encoding,
                         "code_field": read.code_field, "name_field": read.name_field,
                         "county": f"{read.county[1]}（{read.county[0][:6]}）" if read.county else None})


# ------------------------------------------------------------------------------------------------ rollback

def _refuse_if_later(cur, kind: str, batch_id: int) -> None:
    """Boundaries and registry versions stack: only the newest active batch of the kind can be undone."""
    later = cur.execute("SELECT count(*) FROM batches WHERE kind = ? AND status = 'active' AND batch_id > ?",
                        [kind, batch_id]).fetchall()[0][0]
    if later:
        raise ImportError_(f"第 {batch_id} 批之后还有同类导入，请先撤销较新的批次 / later {kind} batches exist; "
                           f"roll those back first")


def rollback(store: Store, batch_id: int) -> str:
    """Undo one batch.  Returns a short description; raises ImportError_ when it cannot be undone."""
    rows = store.cursor().execute("SELECT kind, status FROM batches WHERE batch_id = ?", [batch_id]).fetchall()
    if not rows:
        raise ImportError_(f"没有第 {batch_id} 批 / there is no batch {batch_id}")
    kind, status = rows[0]
    if status != "active":
        raise ImportError_(f"第 {batch_id} 批已撤销 / batch {batch_id} was already rolled back")
    if kind in ("demo", "init"):
        raise ImportError_("初始数据（演示数据或随软件提供的区划）不能撤销，请删除数据库文件后重建 / the initial "
                           "data (demo or shipped registry) cannot be rolled back; delete the database file instead")
    with store.transaction() as cur:
        if kind == "assignments":
            cur.execute("DELETE FROM assignments WHERE batch_id = ?", [batch_id])
            cur.execute("""DELETE FROM advisers WHERE batch_id = ?
                           AND adviser_id NOT IN (SELECT adviser_id FROM assignments)""", [batch_id])
        elif kind == "boundaries":
            _refuse_if_later(cur, "boundaries", batch_id)
            counties = {to_str(c)[:6] for (c,) in cur.execute(
                "SELECT code FROM geom_history WHERE batch_id = ?", [batch_id]).fetchall()}
            cur.execute("DELETE FROM village_geoms WHERE code IN (SELECT code FROM geom_history WHERE batch_id = ?)",
                        [batch_id])
            cur.execute("""INSERT INTO village_geoms SELECT code, geom, schematic, prior_batch FROM geom_history
                           WHERE batch_id = ? AND existed""", [batch_id])
            from .geometry_store import refresh_village_display
            for county in sorted(counties):
                refresh_village_display(store, cur, county)
        elif kind == "registry":
            _refuse_if_later(cur, "registry", batch_id)
            cur.execute("""DELETE FROM divisions WHERE code IN (
                               SELECT code FROM division_history WHERE batch_id = ? AND NOT existed)""", [batch_id])
            cur.execute("""UPDATE divisions SET name = h.name, level = h.level, urban_rural = h.urban_rural,
                                  abolished = h.abolished
                           FROM division_history h
                           WHERE h.batch_id = ? AND h.existed AND divisions.code = h.code""", [batch_id])
            if store.get_meta("outlines_batch") == str(batch_id):   # the outlines came with this batch
                cur.execute("DELETE FROM shapes WHERE tier IN ('national', 'province', 'city')")
                cur.execute("DELETE FROM meta WHERE key = 'outlines_batch'")
            store._set_parents(cur)
        cur.execute("UPDATE batches SET status = 'rolled_back' WHERE batch_id = ?", [batch_id])
    return f"第 {batch_id} 批已撤销 / batch {batch_id} rolled back"


# ------------------------------------------------------------------------------------------------ reports

def report_table(result: ImportResult, lang: str = "zh") -> pd.DataFrame:
    """Rejected and doubtful rows with row number, reason (in words) and the raw values, for download."""
    from .i18n import t

    head = {"row": "行号 / row", "reason": "原因 / reason", "message": "说明 / message"}
    parts = [df for df in (result.rejects, result.doubtful) if not df.empty]
    if not parts:
        return pd.DataFrame(columns=list(head.values()))
    df = pd.concat(parts, ignore_index=True).sort_values("row", kind="stable")
    df["reason"] = [t(f"imp.reason.{r}", lang) if f"imp.reason.{r}" in _reason_keys() else r for r in df["reason"]]
    return df.rename(columns=head).reset_index(drop=True)


def _reason_keys() -> set[str]:
    from .i18n import TEXT

    return {k for k in TEXT if k.startswith("imp.reason.")}


def write_report(result: ImportResult, path: str | Path) -> Path:
    from .export import to_csv_bytes, to_xlsx_bytes

    path = Path(path)
    table = report_table(result).fillna("")
    if path.suffix.lower() == ".csv":
        path.write_bytes(to_csv_bytes(table))
    else:
        path.write_bytes(to_xlsx_bytes(table, sheet="导入报告", text_columns=0))
    return path


def run_cli_import(store: Store, args) -> ImportResult:
    if not Path(args.file).exists():
        raise ImportError_(f"{args.file}：文件不存在 / {args.file}: file not found")
    if not Path(args.file).is_file():
        raise ImportError_(f"{args.file}：是文件夹，不是文件 / {args.file}: is a folder, not a file")
    if args.kind == "registry":
        result = import_registry(store, args.file)
    elif args.kind == "assignments":
        result = import_assignments(store, args.file, county=args.county)
    else:
        options = {k: v for k, v in {"county": args.county, "code_field": args.code_field,
                                      "name_field": args.name_field, "source_crs": args.source_crs,
                                      "gcj02": args.gcj02 or None}.items() if v}
        result = import_boundaries(store, args.file, **options)
    if args.report:
        write_report(result, args.report)
    return result
