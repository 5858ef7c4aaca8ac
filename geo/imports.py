"""Imports into the store: division lists, village boundaries and assignment ledgers.

Every import is one transaction and one recorded batch (kind, file name, content hash, time, rows read /
accepted / rejected).  A failed import leaves the store exactly as it was; importing the same file twice
changes nothing; any batch can be rolled back.  The readers (geo.ledger, geo.boundaries, the registry reader
below) only parse and match; this module decides what is written.
"""
from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from .codes import LEVEL_ENDS, significant_length
from .errors import UserError
from .i18n import t
from .idcards import removed_note, scrub_file_name, scrub_id_numbers
from .store import Store

Progress = Callable[[float, str], None]


class ImportError_(UserError, ValueError):
    """A file that cannot be imported at all; the message is bilingual and names the file."""


@dataclass
class ImportResult:
    kind: str
    file_name: str
    status: str                     # 'imported' | 'unchanged' (same file already imported) | 'refused'
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
        changes = {lang: self._registry_changes(lang) for lang in ("zh", "en")}
        return (f"{self.file_name}：第 {self.batch_id} 批，读取 {self.rows_read} 行，导入 {self.rows_accepted}，"
                f"拒绝 {self.rows_rejected}{extra}{changes['zh']} / {self.file_name}: batch {self.batch_id}, "
                f"{self.rows_read} read, {self.rows_accepted} accepted, {self.rows_rejected} rejected{changes['en']}")

    def _registry_changes(self, lang: str) -> str:
        """A registry batch's additions, renames and abolitions (with where) for its summary line."""
        plan = self.details.get("plan")
        if plan is None:
            return ""
        where = abolition_places(plan, lang)
        return t("imp.r.changes", lang, added=plan.added, renamed=plan.renamed, abolished=len(plan.abolished_codes),
                 where=t("imp.r.where", lang, where=where) if where else "")


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
    name = scrub_file_name(file_name or path.name)
    sha = file_sha256(path)
    prior = store.find_batch(kind, sha)
    return path, name, sha, (ImportResult(kind, name, "unchanged", prior) if prior is not None else None)


def _fail(name: str, zh: str, en: str) -> ImportError_:
    return ImportError_(f"{name}：{zh} / {name}: {en}")


def store_registry(store: Store) -> pd.DataFrame:
    """The store's current division list (abolished ones left out) in the readers' shape."""
    return store.registry_frame()


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


# the national list is about 665,000 rows with every level; a file longer than this is not a division list
MAX_REGISTRY_ROWS = 1_000_000


def _read_table(path: Path) -> pd.DataFrame:
    """Every cell as text, no header interpretation (it is found afterwards); refused past MAX_REGISTRY_ROWS."""
    from . import ledger

    ext = path.suffix.lower()
    name = path.name
    budget = ledger.RowBudget(name, MAX_REGISTRY_ROWS)
    if ext in (".csv", ".txt"):
        try:
            with open(path, encoding=ledger.text_encoding(path), newline="") as f:
                sample = f.read(2000)
                f.seek(0)
                sep = "\t" if sample.count("\t") > sample.count(",") else ","
                # title rows above the header have fewer cells: read ragged rows, then square them
                rows = list(budget.rows(csv.reader(f, delimiter=sep)))
        except ledger.LedgerError as e:
            raise ImportError_(str(e)) from None
        except UnicodeDecodeError:
            raise _fail(name, "无法识别文字编码（应为 UTF-8 或 GBK）", "text encoding not UTF-8 or GBK") from None
        if not any(cell.strip() for row in rows for cell in row):
            raise _fail(name, "文件是空的", "the file is empty")
        width = max((len(r) for r in rows), default=0)
        return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    if ext in (".xlsx", ".xlsm", ".xls"):
        from .ledger import workbook_kind

        with open(path, "rb") as f:
            kind = workbook_kind(f.read(8))
        if kind is None:
            raise _fail(name, "已损坏或不是 Excel 文件", "corrupt or not an Excel file")
        try:   # the engine by what the file is, not by its extension
            if kind != "xls":
                ledger.check_xlsx_size(path)
            with open(path, "rb") as f:   # a file object: openpyxl refuses a path that ends in .xls
                frame = pd.read_excel(f, header=None, dtype=str, keep_default_na=False, nrows=budget.limit + 1,
                                      engine="xlrd" if kind == "xls" else "openpyxl")
        except ledger.LedgerError as e:
            raise ImportError_(str(e)) from None
        except Exception as e:  # corrupt or mislabelled workbooks raise many kinds of errors
            raise _fail(name, f"无法读取 Excel 文件（{type(e).__name__}）",
                        f"cannot read the Excel file ({type(e).__name__})") from None
        if len(frame) > budget.limit:
            raise ImportError_(str(budget.refuse()))
        return frame
    raise _fail(name, "文件类型不支持，请用 .csv、.xlsx 或 .xls", "unsupported file type; use .csv, .xlsx or .xls")


def read_registry_file(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(divisions, rejects) from a CSV/Excel division list.

    divisions: code (12-digit str), name, level (1-5 from the code's significant digits), urban_rural, row (in
    the file), id_removed (an ID-card number was removed from the row).  Codes may be written with 2/4/6/9/12
    digits.  A code listed twice is kept once (东莞 is both city and county); rows whose code is not a division
    code are rejected with their row number.
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
    rejects["message"] = [f"第{r}行：代码“{c}”不是 2/4/6/9/12 位数字或名称为空 / row {r}: code '{c}' is not "
                          f"2/4/6/9/12 digits or the name is empty" for r, c in zip(rejects["row"], rejects["code"])]
    out = pd.DataFrame({"code": full[good].to_numpy(dtype=object), "name": names[good].to_numpy(dtype=object),
                        "row": row_numbers[good], "id_removed": id_removed[good].to_numpy(dtype=bool)})
    sig = out["code"].map(significant_length)
    out["level"] = sig.map(lambda n: LEVEL_ENDS.index(n) + 1 if n else 0).astype("int8")
    out["urban_rural"] = urban[good].to_numpy(dtype=object) if urban is not None else None
    out = out[out["level"] > 0].drop_duplicates("code", keep="first").reset_index(drop=True)
    if out.empty:
        raise _fail(path.name, "没有一行有效的区划代码", "no row holds a valid division code")
    return out, rejects


def _registry_doubtful(incoming: pd.DataFrame) -> pd.DataFrame:
    """Accepted rows that had an ID-card number removed, with what was kept of them."""
    marked = incoming[incoming["id_removed"]]
    return pd.DataFrame({"row": marked["row"], "reason": "doubtful",
                         "message": [removed_note(f"第{r}行", f"row {r}") for r in marked["row"]],
                         "code": marked["code"], "name": marked["name"]}).reset_index(drop=True)


#: a registry import that would take more than this share of one county's villages away needs an explicit
#: confirmation (a county listed by its own row alone loses all of them: the classic mistake)
ABOLISH_CONFIRM_SHARE = 0.05
ABOLISH_NAMES_SHOWN = 5        # village names quoted per county in one-line messages
ABOLISH_COUNTIES_SHOWN = 5     # counties quoted in one-line messages; the report lists every village


@dataclass(frozen=True)
class CountyAbolition:
    """The villages one county would lose: those the store has and the county's full list lacks."""

    code: str                                   # 12-digit county code
    name: str
    villages: int                               # its current villages before the import
    abolished: tuple[tuple[str, str], ...]      # (code, name) of each village that would be abolished

    @property
    def share(self) -> float:
        return len(self.abolished) / self.villages if self.villages else 0.0

    @property
    def needs_confirmation(self) -> bool:
        return self.share > ABOLISH_CONFIRM_SHARE


@dataclass(frozen=True)
class RegistryPlan:
    """What importing a division list would change; preview, CLI and the import itself all use this."""

    added: int
    renamed: int                                # renamed, or reinstated after being abolished
    counties: tuple[str, ...]                   # 12-digit codes of the counties compared (listed themselves)
    abolitions: tuple[CountyAbolition, ...]     # counties that lose villages, in code order

    @property
    def abolished_codes(self) -> list[str]:
        return [code for county in self.abolitions for code, _ in county.abolished]

    @property
    def needs_confirmation(self) -> bool:
        return any(county.needs_confirmation for county in self.abolitions)


def plan_registry(incoming: pd.DataFrame, current: pd.DataFrame) -> RegistryPlan:
    """Compare a division list (:func:`read_registry_file`) with the store's rows (Store.registry_comparison).

    Only counties whose own row is in the list are compared, so a fragment listing a few new villages
    abolishes nothing; in those, every current village the list lacks would be abolished.
    """
    known = current.drop_duplicates("code").set_index("code")
    listed = pd.Index(incoming["code"])
    present = listed.isin(known.index)
    before = known.reindex(listed[present])
    renamed = ((before["name"].to_numpy() != incoming["name"].to_numpy()[present])
               | before["abolished"].eq(True).to_numpy())
    county_rows = incoming[incoming["level"] == 3]
    county_names = dict(zip(county_rows["code"], county_rows["name"]))
    real_village = (current["level"] == 5) & ~current["code"].str.endswith("000") & ~current["abolished"].eq(True)
    villages = current[real_village & current["code"].str[:6].isin({code[:6] for code in county_names})]
    total = villages["code"].str[:6].value_counts()
    gone = villages[~villages["code"].isin(listed)].sort_values("code")
    abolitions = tuple(
        CountyAbolition(prefix.ljust(12, "0"), county_names[prefix.ljust(12, "0")], int(total[prefix]),
                        tuple(zip(group["code"], group["name"])))
        for prefix, group in gone.groupby(gone["code"].str[:6], sort=True))
    return RegistryPlan(added=int((~present).sum()), renamed=int(renamed.sum()),
                        counties=tuple(sorted(county_names)), abolitions=abolitions)


def registry_plan(store: Store, incoming: pd.DataFrame, cur=None) -> RegistryPlan:
    """:func:`plan_registry` against the store as it is now (inside `cur`'s transaction when given)."""
    counties = sorted({code[:6] for code, level in zip(incoming["code"], incoming["level"]) if level == 3})
    return plan_registry(incoming, store.registry_comparison(incoming["code"].tolist(), counties, cur))


def abolition_places(plan: RegistryPlan, lang: str = "zh") -> str:
    """Where villages would go, in one line: county (code) n of total: the first names."""
    sep = "、" if lang == "zh" else ", "
    parts = []
    for county in plan.abolitions[:ABOLISH_COUNTIES_SHOWN]:
        names = sep.join(name for _, name in county.abolished[:ABOLISH_NAMES_SHOWN])
        more = t("imp.r.more_names", lang) if len(county.abolished) > ABOLISH_NAMES_SHOWN else ""
        parts.append(t("imp.r.county_abolish", lang, name=county.name, code=county.code[:6],
                       n=len(county.abolished), total=county.villages, names=names + more))
    if len(plan.abolitions) > ABOLISH_COUNTIES_SHOWN:
        parts.append(t("imp.r.more_counties", lang, n=len(plan.abolitions) - ABOLISH_COUNTIES_SHOWN))
    return ("；" if lang == "zh" else "; ").join(parts)


def abolition_rows(plan: RegistryPlan) -> pd.DataFrame:
    """One report row per village that would be abolished (no row number: it is the file's absence)."""
    rows = [{"row": None, "reason": "abolished",
             "message": " / ".join(t("imp.r.abolished_row", lang, name=county.name, code=county.code[:6],
                                     n=len(county.abolished), total=county.villages) for lang in ("zh", "en")),
             "code": code, "name": name}
            for county in plan.abolitions for code, name in county.abolished]
    return pd.DataFrame(rows, columns=["row", "reason", "message", "code", "name"])


class AbolishNotConfirmed(ImportError_):
    """A registry import refused because it would abolish too much of a county without a confirmation."""

    def __init__(self, file_name: str, plan: RegistryPlan):
        self.file_name, self.plan = file_name, plan
        super().__init__(" / ".join(
            t("imp.r.refused", lang, file=file_name, n=len(plan.abolished_codes), where=abolition_places(plan, lang),
              share=f"{ABOLISH_CONFIRM_SHARE:.0%}") for lang in ("zh", "en")))


def import_registry(store: Store, path: str | Path, *, file_name: str | None = None, allow_abolish: bool = False,
                    progress: Progress | None = None) -> ImportResult:
    """A newer division list: new codes added, renamed ones updated, vanished villages marked abolished.

    What changes is :func:`plan_registry`'s plan.  When it would abolish more than ABOLISH_CONFIRM_SHARE of a
    county's villages, nothing is written unless `allow_abolish` (raises :class:`AbolishNotConfirmed`).
    Abolished codes stay in the store; assignments that point at them stay visible
    (:meth:`Store.orphan_assignments`).  The state before is kept in ``division_history`` for rollback.
    """
    path, name, sha, done = _already_imported(store, "registry", path, file_name)
    if done:
        return done
    progress and progress(0.1, "reading")
    incoming, rejects = read_registry_file(path)
    progress and progress(0.5, "writing")
    with store.transaction() as cur:
        plan = registry_plan(store, incoming, cur)
        if plan.needs_confirmation and not allow_abolish:
            raise AbolishNotConfirmed(name, plan)
        batch = store.new_batch(cur, "registry", name, sha, rows_read=len(incoming) + len(rejects),
                                rows_accepted=len(incoming), rows_rejected=len(rejects))
        change = store.apply_registry_version(cur, incoming, batch, abolish=plan.abolished_codes)
        if not store.has_shapes("national", cur):
            from .demo_geometry import store_outline_tiers   # a store started from a list: outlines too
            store_outline_tiers(store, cur)
            store.set_meta("outlines_batch", str(batch), cur)
    progress and progress(1.0, "done")
    return ImportResult("registry", name, "imported", batch, len(incoming) + len(rejects), len(incoming),
                        len(rejects), rejects,
                        pd.concat([_registry_doubtful(incoming), abolition_rows(plan)], ignore_index=True),
                        details={"added": plan.added, "renamed": plan.renamed,
                                 "abolished": change.abolished, "plan": plan,
                                 "assignments_on_abolished": change.assignments_on_abolished})


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
    rows = [{"row": n, "reason": "doubtful", "message": _join_bilingual(ws), **raw.get(n, {})}
            for n, ws in sorted(notes.items())]
    return pd.DataFrame(rows)


def _join_bilingual(messages: list[str]) -> str:
    """Several "中文 / English" notes as one: the Chinese halves, then the English ones (read as one message)."""
    halves = [m.partition(" / ") for m in messages]
    zh = "；".join(h[0] for h in halves)
    en = "; ".join(h[2] or h[0] for h in halves)
    return f"{zh} / {en}"


def preview_assignments(store: Store, path: str | Path, *, county: str | None = None):
    """(LedgerTable, LedgerMatch) without writing anything: what the import page shows before saving."""
    from . import ledger

    try:
        table = ledger.read_ledger(path)
        return table, ledger.match_ledger(table, store_registry(store), county=county)
    except ledger.LedgerError as e:
        raise ImportError_(str(e)) from None


def import_assignments(store: Store, path: str | Path, *, county: str | None = None,
                       file_name: str | None = None, progress: Progress | None = None,
                       preview: tuple | None = None) -> ImportResult:
    """A ledger (台账): one adviser per person across rows, one assignment per village and period.

    ``preview`` is :func:`preview_assignments`' result for this file and county when the caller has it
    (the import page): the file is then not read a second time.
    """
    path, name, sha, done = _already_imported(store, "assignments", path, file_name)
    if done:
        return done
    progress and progress(0.1, "reading")
    table, match = preview or preview_assignments(store, path, county=county)
    if not match.rows_read:
        raise _fail(name, f"表头（第 {table.header_row} 行）下面没有数据行", f"no data rows below the header "
                    f"(row {table.header_row})")
    progress and progress(0.6, "writing")
    rejects = _ledger_rejects(match)
    people = match.advisers()
    from .ledger import adviser_key
    with store.transaction() as cur:
        batch = store.new_batch(cur, "assignments", name, sha, rows_read=match.rows_read,
                                rows_accepted=match.accepted, rows_rejected=match.rejected,
                                note=f"{match.county_name} {match.county_code}")
        by_key: dict[str, int] = {}
        for aid, nm, lic, ph in store.adviser_identities(cur):
            by_key.setdefault(adviser_key(nm, lic, ph), aid)
        newcomers = [(key, p) for key, p in people.items() if key not in by_key]
        new_people = []
        for (key, p), adviser_id in zip(newcomers, store.new_adviser_ids(cur, len(newcomers))):
            by_key[key] = adviser_id
            new_people.append({"adviser_id": adviser_id, "name": p.name, "kind": p.kind, "org": p.org,
                               "licence_no": p.licence_no, "phone": p.phone, "batch_id": batch})
        store.add_advisers(cur, pd.DataFrame(new_people))
        n_new = store.add_assignments(cur, pd.DataFrame({
            "adviser_id": [by_key[a.adviser_key] for a in match.assignments],
            "village": [int(a.village_code) for a in match.assignments],
            "start_date": [a.start for a in match.assignments],
            "end_date": pd.Series([a.end for a in match.assignments], dtype=object),
            "batch_id": batch}))
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


def _boundary_doubtful(read) -> pd.DataFrame:
    """Features used as they are but for an ID-card number removed from their attributes."""
    rows = [{"row": i, "reason": "doubtful", "message": removed_note(f"第 {i} 个要素", f"feature {i}"),
             **{k: ("" if v is None else str(v)) for k, v in attrs.items()}} for i, attrs in read.id_removed.items()]
    return pd.DataFrame(rows)


def preview_boundaries(store: Store, path: str | Path, **options):
    from . import boundaries

    try:
        return boundaries.read_boundaries(path, store_registry(store), **options)
    except boundaries.BoundaryError as e:
        raise ImportError_(str(e)) from None


def import_boundaries(store: Store, path: str | Path, *, file_name: str | None = None,
                      progress: Progress | None = None, preview=None, **options) -> ImportResult:
    """Village boundaries: replace those of the matched villages and rebuild their counties' map shapes.

    ``options`` go to :func:`geo.boundaries.read_boundaries` (county, code_field, name_field, source_crs,
    gcj02).  The boundaries replaced are kept in ``geom_history`` so the batch can be rolled back.
    ``preview`` is :func:`preview_boundaries`' result for this file and options when the caller has it: the
    archive is then not extracted a second time.
    """
    from .geometry_store import refresh_village_display, replace_village_geoms

    path, name, sha, done = _already_imported(store, "boundaries", path, file_name)
    if done:
        return done
    progress and progress(0.1, "reading")
    read = preview or preview_boundaries(store, path, **options)
    progress and progress(0.6, "writing")
    rejects = _boundary_rejects(read)
    matched = read.matched
    with store.transaction() as cur:
        batch = store.new_batch(cur, "boundaries", name, sha, rows_read=read.feature_count,
                                rows_accepted=int(matched["n_features"].sum()) if len(matched) else 0,
                                rows_rejected=len(read.rejects), note=read.crs)
        replace_village_geoms(store, cur, matched[["code", "geometry"]], batch, keep_history=True)
        for county in sorted({c[:6] for c in matched["code"]}):
            refresh_village_display(store, cur, county)
    progress and progress(1.0, "done")
    return ImportResult("boundaries", name, "imported", batch, read.feature_count,
                        int(matched["n_features"].sum()) if len(matched) else 0, len(read.rejects), rejects,
                        _boundary_doubtful(read),
                        details={"villages": len(matched), "crs": read.crs, "encoding": read.encoding,
                         "code_field": read.code_field, "name_field": read.name_field,
                         "county": f"{read.county[1]}（{read.county[0][:6]}）" if read.county else None})


# ------------------------------------------------------------------------------------------------ rollback

def _refuse_if_later(store: Store, cur, kind: str, batch_id: int) -> None:
    """Boundaries and registry versions stack: only the newest active batch of the kind can be undone."""
    if store.later_active_batches(cur, kind, batch_id):
        raise ImportError_(f"第 {batch_id} 批之后还有同类导入，请先撤销较新的批次 / later {kind} batches exist; "
                           f"roll those back first")


def rollback(store: Store, batch_id: int) -> str:
    """Undo one batch.  Returns a short description; raises ImportError_ when it cannot be undone."""
    batch = store.batch(batch_id)
    if batch is None:
        raise ImportError_(f"没有第 {batch_id} 批 / there is no batch {batch_id}")
    if batch.status != "active":
        raise ImportError_(f"第 {batch_id} 批已撤销 / batch {batch_id} was already rolled back")
    if batch.kind in ("demo", "init"):
        raise ImportError_("初始数据（演示数据或随软件提供的区划）不能撤销，请删除数据库文件后重建 / the initial "
                           "data (demo or shipped registry) cannot be rolled back; delete the database file instead")
    with store.transaction() as cur:
        if batch.kind == "assignments":
            store.rollback_assignments(cur, batch_id)
        elif batch.kind == "boundaries":
            _refuse_if_later(store, cur, "boundaries", batch_id)
            from .geometry_store import refresh_village_display
            for county in store.rollback_village_geoms(cur, batch_id):
                refresh_village_display(store, cur, county)
        elif batch.kind == "registry":
            _refuse_if_later(store, cur, "registry", batch_id)
            store.rollback_registry(cur, batch_id)
        store.mark_rolled_back(cur, batch_id)
    return f"第 {batch_id} 批已撤销 / batch {batch_id} rolled back"


# ------------------------------------------------------------------------------------------------ reports

def report_table(result: ImportResult, lang: str = "zh") -> pd.DataFrame:
    """Rejected and doubtful rows with row number, reason (in words) and the raw values, for download."""
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
        try:
            result = import_registry(store, args.file, allow_abolish=args.allow_abolish)
        except AbolishNotConfirmed as refused:
            if args.report:     # the list to check before confirming
                write_report(ImportResult("registry", refused.file_name, "refused", None,
                                          doubtful=abolition_rows(refused.plan)), args.report)
            raise
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
