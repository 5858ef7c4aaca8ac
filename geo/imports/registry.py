"""Division lists (统计用区划代码): read a CSV/Excel list, plan what it changes, import it as one batch.

A newer list adds codes, renames divisions and marks vanished villages abolished; only counties whose own row
is in the file are compared.  What changes is :class:`RegistryPlan`; above a share of one county it needs a
confirmation.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.auth.access import OPEN, Principal
from geo.core.codes import LEVEL_ENDS, real_villages, significant_length
from geo.core.limits import MAX_REGISTRY_CELLS
from geo.imports.jurisdiction import record_import
from geo.imports.results import ImportRefused, ImportResult, Note, Progress, already_imported, refused
from geo.privacy.idcards import scrub_id_numbers
from geo.store import Store
from geo.text.catalogue import Msg, t

#: the file types a division list is read from (the page's uploader and the CLI check the same tuple)
REGISTRY_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".xls")

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


def _cell_str(value: object) -> str:
    """A workbook cell as text, as pandas reads it with dtype=str: whole numbers without ".0", blank as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_table(path: Path) -> pd.DataFrame:
    """Every cell as text, no header interpretation (it is found afterwards); refused past MAX_REGISTRY_ROWS."""
    from geo.sources import ledger

    ext = path.suffix.lower()
    name = path.name
    budget = ledger.RowBudget(name, MAX_REGISTRY_ROWS, MAX_REGISTRY_CELLS)
    if ext in (".csv", ".txt"):
        try:
            with open(path, encoding=ledger.text_encoding(path), newline="") as f:
                sample = f.read(2000)
                f.seek(0)
                sep = "\t" if sample.count("\t") > sample.count(",") else ","
                # title rows above the header have fewer cells: read ragged rows, then square them
                rows = [budget.cells(r) for r in budget.rows(csv.reader(f, delimiter=sep))]
        except ledger.LedgerError as e:
            raise ImportRefused(str(e)) from None
        except UnicodeDecodeError:
            raise refused("imp.e.encoding", file=name) from None
        if not any(cell.strip() for row in rows for cell in row):
            raise refused("imp.e.empty", file=name)
        width = max((len(r) for r in rows), default=0)
        return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    if ext in (".xlsx", ".xlsm", ".xls"):
        from geo.sources.ledger import workbook_kind

        with open(path, "rb") as f:
            kind = workbook_kind(f.read(8))
        if kind is None:
            raise refused("imp.e.not_excel", file=name)
        try:   # the reader by what the file is, not by its extension; bounded as a ledger is (geo.core.limits)
            grid = ledger.first_sheet_cells(path, kind, budget)
        except ledger.LedgerError as e:
            raise ImportRefused(str(e)) from None
        rows = [[_cell_str(v) for v in row] for row in grid]
        while rows and not any(rows[-1]):
            rows.pop()
        width = max((len(r) for r in rows), default=0)
        return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    raise refused("imp.e.file_type", file=name, kind=Msg("imp.kind.registry"),
                  types=" ".join(REGISTRY_SUFFIXES))


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
        raise refused("imp.e.empty", file=path.name)
    found = _find_columns(frame)
    if found is None:
        raise refused("imp.e.no_header", file=path.name)
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
        raise refused("imp.e.no_code", file=path.name)
    return out, rejects


#: the sentence of each reason a division list's row is rejected for
_REJECT_MESSAGES = {"bad_code": "imp.n.bad_code", "outside_jurisdiction": "imp.why.outside_jurisdiction"}


def _reject_notes(rejects: pd.DataFrame) -> tuple[Note, ...]:
    return tuple(Note(int(r), reason, Msg(_REJECT_MESSAGES[reason], {"code": c}), {"code": c, "name": n})
                 for r, reason, c, n in zip(rejects["row"], rejects["reason"], rejects["code"], rejects["name"]))


def _doubtful_notes(incoming: pd.DataFrame) -> tuple[Note, ...]:
    """Accepted rows that had an ID-card number removed, with what was kept of them."""
    marked = incoming[incoming["id_removed"]]
    return tuple(Note(int(r), "doubtful", Msg("imp.n.id_removed"), {"code": c, "name": n})
                 for r, c, n in zip(marked["row"], marked["code"], marked["name"]))


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
    villages = current[real_villages(current) & current["code"].str[:6].isin({code[:6] for code in county_names})]
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


@dataclass(frozen=True)
class AbolitionPlaces:
    """:func:`abolition_places` as a value of a message, said in the message's language."""

    plan: RegistryPlan

    def text(self, lang: str) -> str:
        return abolition_places(self.plan, lang)


@dataclass(frozen=True)
class RegistryChanges:
    """A registry batch's additions, renames and abolitions (with where), for its summary line."""

    plan: RegistryPlan

    def text(self, lang: str) -> str:
        where = abolition_places(self.plan, lang)
        return t("imp.r.changes", lang, added=self.plan.added, renamed=self.plan.renamed,
                 abolished=len(self.plan.abolished_codes), where=t("imp.r.where", lang, where=where) if where else "")


def abolition_notes(plan: RegistryPlan) -> tuple[Note, ...]:
    """One report note per village that would be abolished (no row number: it is the file's absence)."""
    return tuple(Note(None, "abolished", Msg("imp.r.abolished_row", {"name": county.name, "code": county.code[:6],
                                                                    "n": len(county.abolished),
                                                                    "total": county.villages}),
                      {"code": code, "name": name})
                 for county in plan.abolitions for code, name in county.abolished)


class AbolishNotConfirmed(ImportRefused):
    """A registry import refused because it would abolish too much of a county without a confirmation."""

    def __init__(self, file_name: str, plan: RegistryPlan):
        self.file_name, self.plan = file_name, plan
        super().__init__(key="imp.r.refused", params={"file": file_name, "n": len(plan.abolished_codes),
                                                      "where": AbolitionPlaces(plan),
                                                      "share": f"{ABOLISH_CONFIRM_SHARE:.0%}"})

    def for_page(self) -> ImportRefused:
        """The page's wording: the places are in the preview's table above it, the way on is the checkbox."""
        return refused("imp.r.refused_page", n=f"{len(self.plan.abolished_codes):,}", box=Msg("imp.r.allow"),
                       share=f"{ABOLISH_CONFIRM_SHARE:.0%}")

    def result(self) -> ImportResult:
        """The refusal as a result, for a report that lists the villages to check before confirming."""
        return ImportResult("registry", self.file_name, "refused", None, doubted=abolition_notes(self.plan))


@dataclass(frozen=True)
class RegistryPreview:
    """What the import page shows before a division list is imported."""

    divisions: pd.DataFrame
    rejects: pd.DataFrame
    plan: RegistryPlan

    @property
    def rejected(self) -> tuple[Note, ...]:
        return _reject_notes(self.rejects)


def preview_registry(store: Store, path: str | Path, options: dict | None = None, read=None) -> RegistryPreview:
    """The list read (``read``: :func:`read_registry_file`'s answer when it was read already) and planned."""
    divisions, rejects = read if read is not None else read_registry_file(path)
    return RegistryPreview(divisions, rejects, registry_plan(store, divisions))


def import_registry(store: Store, path: str | Path, *, file_name: str | None = None, allow_abolish: bool = False,
                    progress: Progress | None = None, preview: RegistryPreview | None = None,
                    principal: Principal = OPEN) -> ImportResult:
    """A newer division list: new codes added, renamed ones updated, vanished villages marked abolished.

    What changes is :func:`plan_registry`'s plan.  When it would abolish more than ABOLISH_CONFIRM_SHARE of a
    county's villages, nothing is written unless `allow_abolish` (raises :class:`AbolishNotConfirmed`).
    Abolished codes stay in the store; assignments that point at them stay visible
    (:meth:`Store.orphan_assignments`).  The state before is kept in ``division_history`` for rollback.
    ``preview`` is :func:`preview_registry`'s result for this file when the caller has it; the plan is made again
    inside the transaction, against the store as it is then.
    """
    path, name, sha, done = already_imported(store, "registry", path, file_name, principal)
    if done:
        return done
    progress and progress(0.1, "reading")
    incoming, rejects = (preview.divisions, preview.rejects) if preview else read_registry_file(path)
    progress and progress(0.5, "writing")
    with store.transaction() as cur:
        plan = registry_plan(store, incoming, cur)
        if plan.needs_confirmation and not allow_abolish:
            raise AbolishNotConfirmed(name, plan)
        batch = store.new_batch(cur, "registry", name, sha, rows_read=len(incoming) + len(rejects),
                                rows_accepted=len(incoming), rows_rejected=len(rejects))
        change = store.apply_registry_version(cur, incoming, batch, abolish=plan.abolished_codes)
        if not store.has_shapes("national", cur):
            from geo.demo.geometry import store_outline_tiers  # a store started from a list: outlines too
            store_outline_tiers(store, cur)
            store.set_meta("outlines_batch", str(batch), cur)
        record_import(store, principal, cur, kind="registry", file_name=name, sha256=sha, batch=batch,
                      rows={"read": len(incoming) + len(rejects), "accepted": len(incoming),
                            "rejected": len(rejects)}, codes=list(incoming["code"]))
    progress and progress(1.0, "done")
    return ImportResult("registry", name, "imported", batch, len(incoming) + len(rejects), len(incoming),
                        len(rejects), _reject_notes(rejects), _doubtful_notes(incoming) + abolition_notes(plan),
                        details={"added": plan.added, "renamed": plan.renamed,
                                 "abolished": change.abolished, "plan": plan, "changes": RegistryChanges(plan),
                                 "assignments_on_abolished": change.assignments_on_abolished})
