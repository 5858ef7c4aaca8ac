"""The statistics sent upward (月报 / 季报): per county and township of a scope, for a period, the villages, how
many were covered and by how many advisers on the period's last day, and the service records by mode and by
class (法律咨询, 法治宣传/讲座, 人民调解, 合同审查, 代写文书, 参与村规民约/重大决策, 其他), the on-site hours and
the people served.  Generated from the records, never typed in.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.assess.facts import service_records
from geo.assess.period import Period
from geo.auth.access import OPEN, Principal
from geo.core.categories import CLASSES
from geo.core.codes import Scope, to_str
from geo.store import Store
from geo.text.catalogue import t

MODES = ("onsite", "remote", "other")
#: the columns of the table, in the order of the provincial forms
COLUMNS = ("villages", "covered", "advisers", "records", *(f"mode_{m}" for m in MODES), "onsite_hours",
           *(f"cat_{c}" for c in CLASSES), "people")
TOTAL, COUNTY, TOWNSHIP = "total", "county", "township"


@dataclass(frozen=True)
class UpwardStats:
    scope: Scope
    name: str
    period: Period
    table: pd.DataFrame             # row kind (total / county / township), code, name, then COLUMNS

    def to_json(self) -> dict:
        rows = [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                for row in self.table.to_dict(orient="records")]
        return {"scope": self.scope.code, "name": self.name, "period": self.period.code,
                "start": self.period.start.isoformat(), "end": self.period.end.isoformat(), "rows": rows}


def _per_unit(frame: pd.DataFrame, unit: pd.Series, agg: dict) -> pd.DataFrame:
    return frame.assign(unit=unit.to_numpy()).groupby("unit").agg(**agg) if len(frame) else pd.DataFrame()


def _counts(villages: pd.Series, contracts: pd.DataFrame, services: pd.DataFrame, width: int) -> pd.DataFrame:
    """The COLUMNS per unit whose codes are the villages' codes cut at `width` (10**6 a county, 10**3 a township;
    0 the whole scope)."""
    def cut(codes: pd.Series) -> pd.Series:
        return codes // width * width if width else pd.Series(0, index=codes.index)

    out = pd.DataFrame({"villages": cut(villages).value_counts()})
    covered = contracts.drop_duplicates("village")
    out["covered"] = cut(covered["village"]).value_counts()
    people = contracts.assign(unit=cut(contracts["village"]).to_numpy())[["unit", "adviser_id"]].drop_duplicates()
    out["advisers"] = people["unit"].value_counts()
    unit = cut(services["village"])
    out["records"] = services.groupby(unit)["records"].sum()
    for mode in MODES:
        part = services[services["mode"] == mode]
        out[f"mode_{mode}"] = part.groupby(unit[part.index])["records"].sum()
    onsite = services[services["mode"] == "onsite"]
    out["onsite_hours"] = onsite.groupby(unit[onsite.index])["hours"].sum().round(2)
    for cls in CLASSES:
        part = services[services["cls"] == cls]
        out[f"cat_{cls}"] = part.groupby(unit[part.index])["records"].sum()
    out["people"] = services.groupby(unit)["people"].sum()
    out = out.fillna(0)
    for col in COLUMNS:
        if col != "onsite_hours":
            out[col] = out[col].astype("int64")
    return out[list(COLUMNS)]


def upward_stats(store: Store, scope: Scope, period: Period, *, principal: Principal = OPEN) -> UpwardStats:
    """The statistics of `scope` (narrowed to the principal's jurisdiction) for `period`."""
    scope, _ = principal.clamp(store.check_scope(scope))
    places = store.assess_places(scope)
    names = dict(zip(places["code"].tolist(), places["name"].tolist()))
    villages = places.loc[places["level"] == 5, "code"].reset_index(drop=True)
    last = pd.Timestamp(period.end)
    contracts = store.assess_contracts(scope, period.end, period.end)
    contracts = contracts[(contracts["start_date"] <= last)
                          & (contracts["end_date"].isna() | (contracts["end_date"] >= last))]
    services = service_records(store, scope, period).reset_index(drop=True)
    name = store.scope_name(scope) if scope.digits else t("level.0")

    total = _counts(villages, contracts, services, 0).reindex([0]).fillna(0)
    counties = _counts(villages, contracts, services, 10**6)
    townships = _counts(villages, contracts, services, 10**3)
    county_rows = counties.assign(kind=COUNTY, code=[to_str(int(c)) for c in counties.index],
                                  name=[names.get(int(c)) or names.get(int(c) // 10**8 * 10**8, "")
                                        for c in counties.index], order=counties.index // 10**6, tier=0)
    township_rows = townships.assign(kind=TOWNSHIP, code=[to_str(int(c)) for c in townships.index],
                                     name=[names.get(int(c), "") for c in townships.index],
                                     order=townships.index // 10**6, tier=1)
    # each county followed by its townships, in code order
    units = pd.concat([county_rows, township_rows]).reset_index(names="number")
    units = units.sort_values(["order", "tier", "number"], kind="stable")
    rows = [total.assign(kind=TOTAL, code=scope.code, name=name), units]
    table = pd.concat(rows, ignore_index=True)[["kind", "code", "name", *COLUMNS]]
    for col in COLUMNS:
        table[col] = table[col].astype("float64" if col == "onsite_hours" else "int64")
    return UpwardStats(scope, name, period, table)
