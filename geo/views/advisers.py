"""The adviser register: each adviser's load on a day against the cap, the renewal worklist, one adviser's detail.

Provincial service guides cap the load (Anhui: at most 5 villages per adviser); a load counts the villages under
a contract in force on the day (the coverage rule's "current"), anywhere, since the cap is per person.  The flags
are one table, :data:`FLAGS`: each is a rule over the register's columns.  The store computes the loads
(:meth:`geo.store.Store.adviser_register_people`); this module gives them their flags, their shapes (typed rows, the
CLI's JSON, the exported tables) and the figures of the summary.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from geo.core.caps import DEFAULT_CAP
from geo.core.codes import Scope
from geo.core.coverage import DEFAULT_EXPIRING_DAYS
from geo.core.dates import as_date
from geo.core.errors import UserError
from geo.core.service_rule import DEFAULT_SERVICE, ServiceSettings
from geo.core.sphere import haversine_km, locate_advisers, located
from geo.outputs.export import ExportError, to_csv_bytes, to_xlsx_bytes
from geo.sources.ledger.fields import KIND_LAWYER, KIND_OTHER, KIND_WORKER
from geo.store import Store
from geo.store.geometry import village_geojson
from geo.text.catalogue import t
from geo.text.formats import contract_end, date_cell, day, period_text

#: the largest cap a user may set (a guide that allowed more would not be a cap)
MAX_CAP = 50


@dataclass(frozen=True)
class Flag:
    key: str
    #: the register frame, the cap, the day and the expiring window -> a boolean Series
    rule: Callable[[pd.DataFrame, int, dt.date, int], pd.Series]


def _expiring(df: pd.DataFrame, cap: int, as_of: dt.date, days: int) -> pd.Series:
    """Every current contract ends within `days` after the day: the latest end (None = open-ended) is in it."""
    horizon = as_of + dt.timedelta(days=days)
    ends = df["last_end"].to_numpy(dtype=object)
    known = pd.notna(ends)
    within = np.zeros(len(ends), dtype=bool)
    within[known] = np.array([e <= horizon for e in ends[known]], dtype=bool)
    return pd.Series((df["villages"].to_numpy() > 0) & within, index=df.index)


#: the register's flags, in the order the page and the exports show them
FLAGS: tuple[Flag, ...] = (
    Flag("over_cap", lambda df, cap, as_of, days: df["villages"] > cap),
    Flag("expiring", _expiring),
    Flag("idle", lambda df, cap, as_of, days: df["villages"] == 0),
)
#: the flag from the service logs (geo.core.service_rule): a current adviser whose on-site hours this month fall short
#: of the standard; only where the scope has service records at all (no logs is no data, not a shortfall)
BELOW_STANDARD = "below_standard"
FLAG_KEYS = (*(f.key for f in FLAGS), BELOW_STANDARD)


class AdviserError(UserError):
    """A bad register request (an unknown flag, a cap out of range)."""


def check_cap(cap: int) -> int:
    if not 1 <= int(cap) <= MAX_CAP:
        raise AdviserError(key="adv.e.cap", params={"max": MAX_CAP})
    return int(cap)


def check_flag(flag: str | None) -> str | None:
    if flag is not None and flag not in FLAG_KEYS:
        raise AdviserError(key="adv.e.flag", params={"flag": flag, "known": ", ".join(FLAG_KEYS)})
    return flag


def with_flags(df: pd.DataFrame, *, as_of: dt.date, cap: int, expiring_days: int) -> pd.DataFrame:
    """The register frame with one boolean column per flag of :data:`FLAGS`."""
    out = df.copy()
    for flag in FLAGS:
        out[flag.key] = flag.rule(out, int(cap), as_of, int(expiring_days)).astype(bool)
    return out


# ------------------------------------------------------------------------------------------------ the register

@dataclass(frozen=True)
class AdviserRow:
    """One adviser on the register's day."""

    adviser_id: int
    name: str
    kind: str | None
    org: str | None
    phone: str | None
    licence_no: str | None
    villages: int
    village_codes: tuple[str, ...]
    village_names: tuple[str, ...]
    townships: tuple[str, ...]
    next_end: dt.date | None
    over_cap: bool
    expiring: bool
    idle: bool
    onsite_hours_month: float = 0.0
    records_window: int = 0
    last_onsite: dt.date | None = None
    meets_hours_standard: bool = False
    below_standard: bool = False
    #: of `villages`, those outside the register's scope: counted (the cap is per person), never named
    villages_elsewhere: int = 0

    def to_json(self) -> dict:
        """The CLI's JSON object of one adviser."""
        return {"licence_no": self.licence_no, "name": self.name, "kind": self.kind, "org": self.org,
                "phone": self.phone, "villages": self.villages, "villages_elsewhere": self.villages_elsewhere,
                "village_codes": list(self.village_codes),
                "townships": list(self.townships), "next_end": self.next_end.isoformat() if self.next_end else None,
                "over_cap": self.over_cap, "expiring": self.expiring,
                "onsite_hours_month": round(self.onsite_hours_month, 2), "records_window": self.records_window,
                "meets_hours_standard": self.meets_hours_standard,
                "last_onsite": self.last_onsite.isoformat() if self.last_onsite else None}


def _served_among(served: pd.DataFrame, adviser_ids: np.ndarray) -> pd.DataFrame:
    """The rows of `served` (villages served, read once) of the advisers `adviser_ids`."""
    return served[served["adviser_id"].isin(adviser_ids)].reset_index(drop=True)


def _text(value) -> str | None:
    """A stored text as str, a missing one (None, NaN, pandas NA) as None."""
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Register:
    """The adviser register of a scope on a day.

    ``frame``: one row per adviser in adviser order (adviser_id, name, kind, org, phone, licence_no, villages,
    n_townships, next_end, last_end and the flags); ``served_of``: given adviser ids, one row per adviser and
    village under a contract in force (adviser_id, village as int64, village_name, township), sorted.  The lists
    of villages and townships of a row are read through ``served_of`` when a row, a table or the JSON asks for
    them, for those rows only: a national register holds 200,000 people and 576,000 villages served, and a page
    shows 100 of them.

    A load (``villages``, the cap) counts a person's villages everywhere; the lists name only those inside the
    scope, and ``villages_elsewhere`` says how many others there are: a county sees its own villages only.
    """

    scope: Scope
    as_of: dt.date
    cap: int
    expiring_days: int
    frame: pd.DataFrame
    served_of: Callable[[np.ndarray], pd.DataFrame]

    def flagged(self, flag: str | None) -> "Register":
        """The register cut to the advisers with `flag` (all of them for None)."""
        if check_flag(flag) is None:
            return self
        return self._only(_with_service_columns(self.frame)[flag].to_numpy())

    def page(self, part: slice) -> "Register":
        """The register cut to the advisers of rows `part` (a page of the list)."""
        keep = np.zeros(len(self.frame), dtype=bool)
        keep[part] = True
        return self._only(keep)

    def read(self) -> "Register":
        """The register with the villages of all its rows read now: for a caller that closes the store before
        it shapes the rows (the command line's files)."""
        served = self.served_of(self.frame["adviser_id"].to_numpy())
        return replace(self, served_of=partial(_served_among, served))

    def _only(self, keep) -> "Register":
        return replace(self, frame=self.frame[keep].reset_index(drop=True))

    def lists(self) -> pd.DataFrame:
        """Per adviser of the frame (same order): village_codes, village_names, townships (tuples, inside the
        scope; townships each once, in code order) and villages_elsewhere (how many outside it)."""
        low, high = self.scope.int_range
        ids = self.frame["adviser_id"].to_numpy()
        served = self.served_of(ids)
        s = served[((served["village"] >= low) & (served["village"] < high)).to_numpy()]
        starts = np.searchsorted(s["adviser_id"].to_numpy(), ids, side="left")
        ends = np.searchsorted(s["adviser_id"].to_numpy(), ids, side="right")
        codes = [f"{v:012d}" for v in s["village"].to_numpy()]
        names = [_text(n) or "" for n in s["village_name"].tolist()]
        towns = s["township"].tolist()
        town_codes = (s["village"].to_numpy() // 1000).tolist()
        out = {"village_codes": [], "village_names": [], "townships": []}
        for lo, hi in zip(starts, ends):
            out["village_codes"].append(tuple(codes[lo:hi]))
            out["village_names"].append(tuple(names[lo:hi]))
            seen = dict.fromkeys(zip(town_codes[lo:hi], towns[lo:hi]))
            out["townships"].append(tuple(str(n) if n is not None and n == n else f"{c:09d}" for c, n in seen))
        out["villages_elsewhere"] = (self.frame["villages"].to_numpy() - (ends - starts)).astype("int64")
        return pd.DataFrame(out, index=self.frame.index)

    def rows(self) -> list[AdviserRow]:
        f, lists = _with_service_columns(self.frame), self.lists()
        return [AdviserRow(int(a), _text(n), _text(k), _text(o), _text(p), _text(lic), int(v), vc, vn, tw, ne,
                           bool(oc), bool(ex), bool(idle), float(h), int(rw), _day(lo), bool(meets), bool(below),
                           int(away))
                for a, n, k, o, p, lic, v, vc, vn, tw, ne, oc, ex, idle, h, rw, lo, meets, below, away in zip(
                    f["adviser_id"], f["name"], f["kind"], f["org"], f["phone"], f["licence_no"], f["villages"],
                    lists["village_codes"], lists["village_names"], lists["townships"], f["next_end"],
                    f["over_cap"], f["expiring"], f["idle"], f["onsite_hours_month"], f["records_window"],
                    f["last_onsite"], f["meets_hours_standard"], f[BELOW_STANDARD], lists["villages_elsewhere"])]

    def row(self, adviser_id: int) -> AdviserRow | None:
        keep = (self.frame["adviser_id"] == int(adviser_id)).to_numpy()
        return self._only(keep).rows()[0] if keep.any() else None

    def to_json(self) -> list[dict]:
        return [r.to_json() for r in self.rows()]

    @property
    def counts(self) -> dict[str, int]:
        """How many advisers carry each flag, and how many there are."""
        frame = _with_service_columns(self.frame)
        return {"advisers": len(frame), **{k: int(frame[k].sum()) for k in FLAG_KEYS}}


def register(store: Store, scope: Scope, as_of: dt.date, cap: int = DEFAULT_CAP,
             expiring_days: int = DEFAULT_EXPIRING_DAYS, service: ServiceSettings = DEFAULT_SERVICE) -> Register:
    """The adviser register of `scope` on `as_of` with the flags for `cap`, and each adviser's service in scope
    (on-site hours this month, records in the window, the last on-site day) against the hours standard.

    Built from what the store returns: the people with their load (:meth:`geo.store.Store.adviser_register_people`),
    flagged here (:func:`with_flags`), and the villages they serve, read for the rows asked for
    (:meth:`geo.store.Store.adviser_served`)."""
    cap, day = check_cap(cap), as_date(as_of)
    # the service figures group the scope's records (6.4 million nationally in a year): the store works on them
    # while this thread reads and flags the people (on PostgreSQL in a second server process, on a second CPU)
    stats = _SIDE_READS.submit(store.adviser_service_stats, scope, day, service, current=False)
    flagged = with_flags(store.adviser_register_people(scope, day), as_of=day, cap=cap, expiring_days=expiring_days)
    reg = Register(scope, day, cap, int(expiring_days), flagged, partial(store.adviser_served, scope, day))
    # the register's people are its own: the figures of those with records are joined to them
    return replace(reg, frame=_joined_service(reg.frame, stats.result(), service))


#: threads that read beside a request's own (a few, kept: each holds its read connection of a store, so that a
#: read in them opens none).  A caller must not hold a DuckDB store's read gate (``store.reading()``) around a
#: call that uses them: a writer waiting at the gate would hold up the side read, which the caller waits for
_SIDE_READS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="geo-side-read")


#: the service columns of a register frame, and their value for an adviser without any record
SERVICE_COLUMNS = {"onsite_hours_month": 0.0, "records_window": 0, "last_onsite": None,
                   "meets_hours_standard": False, BELOW_STANDARD: False}


def _joined_service(frame: pd.DataFrame, stats: pd.DataFrame, service: ServiceSettings) -> pd.DataFrame:
    """`frame` with :data:`SERVICE_COLUMNS` from :meth:`Store.adviser_service_stats`; below the standard is a
    current adviser short of the hours, and only where the scope has service records at all."""
    if stats.empty:          # no record in scope by the day (an empty frame's columns have no usable types)
        out = _with_service_columns(frame)
        return out.assign(meets_hours_standard=[0.0 >= service.hours_standard] * len(out))
    by_id = stats.set_index("adviser_id")
    ids = frame["adviser_id"]
    out = frame.copy()
    out["onsite_hours_month"] = ids.map(by_id["onsite_hours_month"]).fillna(0.0).astype(float).to_numpy()
    out["records_window"] = ids.map(by_id["records_window"]).fillna(0).astype(int).to_numpy()
    out["last_onsite"] = _dates_or_none(ids.map(by_id["last_onsite"]))
    out["meets_hours_standard"] = (out["onsite_hours_month"] >= service.hours_standard).to_numpy()
    has_logs = bool(len(stats)) and bool(stats["records_window"].sum() or stats["last_onsite"].notna().any())
    out[BELOW_STANDARD] = ((out["villages"] > 0) & ~out["meets_hours_standard"] & has_logs).to_numpy()
    return out


def _dates_or_none(days: pd.Series) -> np.ndarray:
    """Timestamps (NaT = none) as an object array of dates and None, without a Python step per adviser."""
    values = pd.to_datetime(days).to_numpy(dtype="datetime64[D]")
    out = np.full(len(values), None, dtype=object)
    known = ~np.isnat(values)
    out[known] = values[known].astype(object)
    return out


def _with_service_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame from the store alone (no service join) gets the columns' empty values."""
    missing = {c: v for c, v in SERVICE_COLUMNS.items() if c not in frame.columns}
    return frame.assign(**{c: [v] * len(frame) for c, v in missing.items()}) if missing else frame


def _day(value) -> dt.date | None:
    return None if value is None or (not isinstance(value, dt.date) and pd.isna(value)) else value


#: the register's columns as exported and shown: (column of the frame, catalogue key)
REGISTER_COLUMNS = (("name", "adv.col.name"), ("kind", "adv.col.kind"), ("org", "col.orgs"),
                    ("phone", "col.phones"), ("licence_no", "adv.col.licence_no"), ("villages", "adv.col.villages"),
                    ("villages_elsewhere", "adv.col.villages_elsewhere"),
                    ("over_cap", "adv.flag.over_cap"), ("expiring", "adv.flag.expiring"), ("idle", "adv.flag.idle"),
                    (BELOW_STANDARD, "adv.flag.below_standard"), ("onsite_hours_month", "adv.col.onsite_hours"),
                    ("records_window", "adv.col.records_window"), ("last_onsite", "adv.col.last_onsite"),
                    ("next_end", "adv.col.next_end"), ("townships", "adv.col.townships"),
                    ("village_names", "adv.col.village_names"), ("village_codes", "adv.col.village_codes"))


#: the adviser kinds the ledger stores (geo.sources.ledger.fields.normalize_kind) and their catalogue keys
KIND_KEYS = {KIND_LAWYER: "adv.kind.lawyer", KIND_WORKER: "adv.kind.worker", KIND_OTHER: "adv.kind.other"}


def kind_label(kind: str | None, lang: str = "zh") -> str:
    """An adviser's kind in `lang`; a kind the catalogue does not know (an older store's text) as it is."""
    if not isinstance(kind, str):
        return ""
    return t(KIND_KEYS[kind], lang) if kind in KIND_KEYS else kind


def _joined(values, lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(values)


def register_table(reg: Register, lang: str = "zh") -> pd.DataFrame:
    """The register as a table for the page and the files: labelled columns, lists joined, flags as 是/否."""
    df, lists = _with_service_columns(reg.frame), reg.lists()
    yes, no = t("yes", lang), t("no", lang)
    out = pd.DataFrame({
        "name": df["name"], "kind": [kind_label(k, lang) for k in df["kind"]], "org": df["org"], "phone": df["phone"],
        "licence_no": df["licence_no"], "villages": df["villages"].astype("int64"),
        "villages_elsewhere": lists["villages_elsewhere"],
        "village_names": [_joined(v, lang) for v in lists["village_names"]],
        "village_codes": [_joined(v, "en") for v in lists["village_codes"]],
        "townships": [_joined(v, lang) for v in lists["townships"]],
        "next_end": ["" if n == 0 else t("open_ended", lang) if pd.isna(e) else date_cell(e)
                     for n, e in zip(df["villages"], df["next_end"])],
        "onsite_hours_month": df["onsite_hours_month"].astype(float).round(1),
        "records_window": df["records_window"].astype("int64"),
        "last_onsite": [date_cell(d) if d else "" for d in df["last_onsite"]],
        **{k: df[k].map({True: yes, False: no}) for k in FLAG_KEYS}})
    numbers = ("villages", "villages_elsewhere", "onsite_hours_month", "records_window")
    out = out[[c for c, _ in REGISTER_COLUMNS]].astype({c: object for c, _ in REGISTER_COLUMNS if c not in numbers})
    out = out.where(out.notna(), "")
    out.columns = [t(key, lang, cap=reg.cap, days=reg.expiring_days, hours=f"{DEFAULT_SERVICE.hours_standard:g}",
                     window=DEFAULT_SERVICE.window_days) for _, key in REGISTER_COLUMNS]
    return out


def load_distribution(reg: Register) -> pd.DataFrame:
    """Advisers per load on the day (advisers with a current contract only): villages, advisers, over_cap.
    Every load from 1 to the largest is listed, 0 advisers where none has it, so a chart has no holes."""
    per_load = reg.frame["villages"].value_counts()
    return _distribution(pd.Series(per_load.to_numpy(), index=per_load.index.to_numpy(dtype="int64")), reg.cap)


def _distribution(advisers_per_load: pd.Series, cap: int) -> pd.DataFrame:
    """:func:`load_distribution` from the number of advisers by load (the index; 0 = idle, left out)."""
    loads = advisers_per_load[advisers_per_load.index > 0]
    if loads.empty:
        return pd.DataFrame({"villages": pd.Series(dtype="int64"), "advisers": pd.Series(dtype="int64"),
                             "over_cap": pd.Series(dtype=bool)})
    index = pd.RangeIndex(1, int(loads.index.max()) + 1, name="villages")
    counts = loads.reindex(index, fill_value=0)
    return pd.DataFrame({"villages": index.to_numpy(dtype="int64"), "advisers": counts.to_numpy(dtype="int64"),
                         "over_cap": index.to_numpy() > cap})


@dataclass(frozen=True)
class Loads:
    """The summary's view of the register: how many advisers carry each load on the day, against the cap."""

    cap: int
    #: advisers per load: villages (0 = idle), advisers (:meth:`geo.store.Store.adviser_load_counts`)
    per_load: pd.DataFrame

    @property
    def over_cap(self) -> int:
        """The register's ``counts["over_cap"]``."""
        return int(self.per_load.loc[self.per_load["villages"] > self.cap, "advisers"].sum())

    def distribution(self) -> pd.DataFrame:
        """:func:`load_distribution` of the register."""
        return _distribution(self.per_load.set_index("villages")["advisers"], self.cap)


def loads(store: Store, scope: Scope, as_of: dt.date, cap: int = DEFAULT_CAP) -> Loads:
    """The register's loads on `as_of` counted by the store, without the register (a national one is 200,000
    people and 576,000 villages served)."""
    return Loads(check_cap(cap), store.adviser_load_counts(scope, as_of))


# ------------------------------------------------------------------------------------------------- renewals

@dataclass(frozen=True)
class RenewalItem:
    """One line of the renewal worklist: a village to renew with one adviser."""

    kind: str                  # 'lapsed' (the last adviser still serves elsewhere: one call) or 'ending'
    org: str | None
    adviser_id: int
    adviser: str
    licence_no: str | None
    phone: str | None
    village: str
    village_name: str
    township: str | None
    end_date: dt.date | None
    current_villages: int

    def to_json(self) -> dict:
        return {"kind": self.kind, "org": self.org, "adviser": self.adviser, "licence_no": self.licence_no,
                "phone": self.phone, "village": self.village, "village_name": self.village_name,
                "township": self.township, "end_date": self.end_date.isoformat() if self.end_date else None,
                "current_villages": self.current_villages}


@dataclass(frozen=True)
class Renewals:
    scope: Scope
    as_of: dt.date
    days: int
    frame: pd.DataFrame

    def items(self) -> list[RenewalItem]:
        cols = list(RenewalItem.__dataclass_fields__)
        return [RenewalItem(*r) for r in self.frame[cols].itertuples(index=False, name=None)]

    def to_json(self) -> list[dict]:
        return [i.to_json() for i in self.items()]

    def page(self, rows: slice) -> Renewals:
        """The worklist's lines `rows` (a page drawn; the files have every line)."""
        return replace(self, frame=self.frame.iloc[rows])

    @property
    def counts(self) -> dict[str, int]:
        kinds = self.frame["kind"]
        return {"lapsed": int((kinds == "lapsed").sum()), "ending": int((kinds == "ending").sum()),
                "advisers": int(self.frame["adviser_id"].nunique())}


def renewals(store: Store, scope: Scope, as_of: dt.date, days: int = DEFAULT_EXPIRING_DAYS) -> Renewals:
    if not 0 <= int(days) <= 3660:
        raise AdviserError(key="adv.e.horizon", params={"max": 3660})
    return Renewals(scope, as_of, int(days), store.renewals(scope, as_of, days=int(days)))


RENEWAL_COLUMNS = (("kind", "adv.col.renew_kind"), ("org", "col.orgs"), ("adviser", "col.advisers"),
                   ("phone", "col.phones"), ("licence_no", "adv.col.licence_no"), ("village", "col.code"),
                   ("village_name", "col.village"), ("township", "col.township"), ("end_date", "col.contract_end"),
                   ("current_villages", "adv.col.current_villages"))


def renewal_table(ren: Renewals, lang: str = "zh") -> pd.DataFrame:
    """The worklist for the page and the files; the village code first after the grouping columns is text."""
    df = ren.frame
    out = pd.DataFrame({c: df[c] for c, _ in RENEWAL_COLUMNS}).astype(object)
    out["kind"] = df["kind"].map(lambda k: t(f"adv.renew.{k}", lang))
    out["end_date"] = [date_cell(e) for e in df["end_date"]]
    out["current_villages"] = df["current_villages"].astype("int64")
    out = out.where(out.notna(), "")
    out.columns = [t(key, lang) for _, key in RENEWAL_COLUMNS]
    return out


# -------------------------------------------------------------------------------------------------- exports

def table_bytes(table: pd.DataFrame, ext: str, sheet: str) -> bytes:
    """A labelled table as .xlsx or .csv through the export module's safe writers (every text cell inert)."""

    if ext == ".xlsx":
        return to_xlsx_bytes(table, sheet=sheet, text_columns=0)
    if ext == ".csv":
        return to_csv_bytes(table)
    raise ExportError(key="adv.e.format", params={"ext": ext})


def write_renewals(path: str | Path, ren: Renewals, lang: str = "zh") -> Path:
    """The worklist to .xlsx, .csv or .json, chosen by the file's extension."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".json":
        data = json.dumps(ren.to_json(), ensure_ascii=False, indent=1).encode()
    else:
        data = table_bytes(renewal_table(ren, lang), ext, t("adv.renewals", lang))
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------------------------- one adviser's detail

@dataclass(frozen=True)
class Place:
    lon: float
    lat: float
    #: where the adviser is (:data:`geo.core.sphere.ADVISER_KINDS`): 'base', 'villages' or 'last_villages'
    kind: str


def village_points(geometries: dict[str, dict]) -> pd.DataFrame:
    """Each village's boundary's representative point (inside the shape, unlike a centroid): lon, lat and
    location_kind 'boundary' (index: the code)."""
    codes = pd.Index(list(geometries), dtype=object)
    shapes = shapely.from_geojson([json.dumps(g) for g in geometries.values()]) if len(codes) else []
    found = shapely.point_on_surface(shapes)
    return located(codes, shapely.get_x(found), shapely.get_y(found), "boundary")


def served_villages(contracts: pd.DataFrame, adviser_id: int, as_of: dt.date) -> pd.DataFrame:
    """What places an adviser (:func:`geo.core.sphere.locate_advisers`' `served`), read from their contracts as
    the gap plan's store read reads them: the real villages served on the day, or for one who serves none,
    those of their last contract started by the day."""
    started = contracts[contracts["real"].to_numpy(dtype=bool)
                        & np.array([s <= as_of for s in contracts["start_date"]], dtype=bool)]
    current = started["current"].to_numpy(dtype=bool)
    if current.any():
        villages, now = started.loc[current, "village"], True
    else:
        ends = started["end_date"]
        villages, now = started.loc[ends.notna() & (ends == ends.dropna().max()), "village"], False
    return pd.DataFrame({"adviser_id": int(adviser_id), "village": sorted(set(villages)), "current": now},
                        columns=["adviser_id", "village", "current"])


def adviser_place(adviser_id: int, base: tuple[float, float] | None, served: pd.DataFrame,
                  points: pd.DataFrame) -> Place | None:
    """Where an adviser is, by the gap plan's rule (:func:`geo.core.sphere.locate_advisers`): their base when
    known, else the spherical centre of the villages they serve now, else of their last contract's."""
    lon, lat = base if base is not None else (np.nan, np.nan)
    one = pd.DataFrame({"adviser_id": [int(adviser_id)], "lon": [float(lon)], "lat": [float(lat)]})
    place = locate_advisers(one, served, points).iloc[0]
    if place["location_kind"] == "none":
        return None
    return Place(float(place["lon"]), float(place["lat"]), str(place["location_kind"]))


@dataclass(frozen=True)
class AdviserDetail:
    row: AdviserRow
    #: every contract on record: the store's columns plus state ('current' / 'expiring' / 'ended' / 'future')
    #: and distance_km (None where the village has no boundary or the adviser no place)
    contracts: pd.DataFrame
    base: Place | None
    geometries: dict[str, dict]
    #: villages whose boundary is schematic (示意: the demo's cells), drawn dashed and labelled so
    schematic: frozenset[str] = frozenset()


def contract_state(start: dt.date, end: dt.date | None, as_of: dt.date, days: int) -> str:
    if start > as_of:
        return "future"
    if end is not None and end < as_of:
        return "ended"
    return "expiring" if end is not None and end <= as_of + dt.timedelta(days=days) else "current"


def detail(store: Store, reg: Register, adviser_id: int) -> AdviserDetail | None:
    """One adviser of the register: their contract history, their villages' boundaries and the distance from
    their place (:func:`adviser_place`) to each village with a boundary (great-circle km)."""
    row = reg.row(adviser_id)
    if row is None:
        return None
    contracts = store.adviser_contracts(reg.scope, reg.as_of, adviser_id)
    contracts["state"] = [contract_state(s, e, reg.as_of, reg.expiring_days)
                          for s, e in zip(contracts["start_date"], contracts["end_date"])]
    geometries = village_geojson(store, sorted(set(contracts["village"])))
    points = village_points(geometries)
    base = adviser_place(adviser_id, store.adviser_base(adviser_id),
                         served_villages(contracts, adviser_id, reg.as_of), points)
    contracts["distance_km"] = [
        round(float(haversine_km(base.lon, base.lat, points.at[c, "lon"], points.at[c, "lat"])), 1)
        if base is not None and c in points.index else None for c in contracts["village"]]
    shapes = store.shapes(list(geometries), "township")
    return AdviserDetail(row, contracts, base, geometries, frozenset(shapes.loc[shapes["schematic"].astype(bool),
                                                                                "code"]))


#: what a contract's state is drawn as on the adviser's map (the map's status colours)
STATE_AS_STATUS = {"current": "covered", "expiring": "expiring", "ended": "lapsed", "future": "never"}


def detail_features(d: AdviserDetail, lang: str = "zh") -> dict:
    """The adviser's villages with a boundary as a FeatureCollection for :func:`geo.outputs.folium_map.build_map`
    (mode 'status'): each village drawn by its newest contract's state."""

    newest = d.contracts.drop_duplicates("village")      # newest first already
    feats = []
    for r in newest.itertuples(index=False):
        if r.village not in d.geometries:
            continue
        feats.append({"type": "Feature", "geometry": d.geometries[r.village],
                      "properties": {"code": r.village, "name": r.village_name,
                                     "status": STATE_AS_STATUS[r.state], "adviser": d.row.name,
                                     "schematic": r.village in d.schematic,
                                     "org": d.row.org, "period": period_text(r.start_date, r.end_date, lang)}})
    return {"type": "FeatureCollection", "features": feats}


#: the history's distance where there is none (a village without a boundary, an adviser without a place)
NO_DISTANCE = "—"

HISTORY_COLUMNS = (("village_name", "col.village"), ("state", "adv.col.state"), ("start_date", "col.contract_start"),
                   ("end_date", "col.contract_end"), ("distance_km", "adv.col.distance_km"),
                   ("township", "col.township"), ("county", "col.county"), ("village", "col.code"))


def history_table(d: AdviserDetail, lang: str = "zh") -> pd.DataFrame:
    df = d.contracts
    out = pd.DataFrame({c: df[c] for c, _ in HISTORY_COLUMNS}).astype(object)
    out["start_date"] = [day(s) for s in df["start_date"]]
    out["end_date"] = [contract_end(e, lang) for e in df["end_date"]]
    out["state"] = df["state"].map(lambda s: t(f"adv.state.{s}", lang))
    # text, so that a missing distance reads as a dash and not as Streamlit's "None" (the page explains it)
    out["distance_km"] = [NO_DISTANCE if pd.isna(km) else f"{km:.1f}" for km in df["distance_km"]]
    out = out.where(out.notna(), None)
    out.columns = [t(key, lang) for _, key in HISTORY_COLUMNS]
    return out
