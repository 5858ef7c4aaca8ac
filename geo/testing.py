"""Independent oracles for tests and benchmarks (like ``geopandas.testing``): the library's figures recomputed
another way, so a test can compare the two exactly.

:func:`pandas_summary` is the store's coverage summary as a plain pandas script would compute it (merge and
groupby on code strings); the national benchmark also times it as its speed reference.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.core.codes import LEVEL_ENDS
from geo.core.coverage import DEFAULT_EXPIRING_DAYS

SUMMARY_COLUMNS = ["code", "name", "villages", "covered", "expiring", "lapsed", "never", "coverage_rate", "has_data",
                   "no_data_counties", "no_data_villages"]


def pandas_summary(registry: pd.DataFrame, assignments: pd.DataFrame, as_of: dt.date, level: int = 1,
                   expiring_days: int = DEFAULT_EXPIRING_DAYS) -> pd.DataFrame:
    """The store's ``summary(Scope(""), as_of, by=level)`` as a plain pandas script would compute it.

    `registry`: code (12-digit str), name, level.  `assignments`: village (12-digit str), start_date, end_date
    (NaT = open-ended).  A code listed at several levels counts at its highest (the store's rule).  Same columns
    and order as :meth:`Store.summary`.  No data, written from the rule's words: a county (the first six digits)
    with no contract started by the date is left out of every unit's figures; a unit with no county with data
    counts all its villages, as never, and has no data.
    """
    day = pd.Timestamp(as_of)
    reg = registry.sort_values("level", kind="stable").drop_duplicates("code")
    # written out here on purpose (not geo.core.codes.real_villages): an oracle shares no code with what it checks
    vil = reg.loc[(reg["level"] == 5) & ~reg["code"].str.endswith("000"), ["code"]]
    started = assignments[assignments["start_date"] <= day]
    end = started["end_date"].fillna(pd.Timestamp("9999-12-31"))
    per = (started.assign(cur_end=end.where(end >= day))
           .groupby("village").agg(cur_end=("cur_end", "max"), seen=("village", "size")))
    m = vil.merge(per, left_on="code", right_index=True, how="left")
    covered = m["cur_end"].notna()
    m = m.assign(unit=m["code"].str[:LEVEL_ENDS[level - 1]].str.ljust(12, "0"), county=m["code"].str[:6],
                 covered=covered, expiring=covered & (m["cur_end"] <= day + pd.Timedelta(days=expiring_days)),
                 lapsed=m["seen"].notna() & ~covered)
    counties_with_data = set(m.loc[m["seen"].notna(), "county"])     # any contract started by the date
    m["in_data"] = m["county"].isin(counties_with_data)
    m["left_county"] = m["county"].where(~m["in_data"])
    out = m.groupby("unit").agg(all_villages=("code", "size"), data_villages=("in_data", "sum"),
                                no_data_counties=("left_county", "nunique"), covered=("covered", "sum"),
                                expiring=("expiring", "sum"), lapsed=("lapsed", "sum")).reset_index()
    out = out.rename(columns={"unit": "code"})
    out["name"] = out["code"].map(reg.set_index("code")["name"]).fillna(out["code"])
    out["has_data"] = out["data_villages"] > 0
    out["villages"] = out["data_villages"].where(out["has_data"], out["all_villages"])
    out["no_data_villages"] = out["all_villages"] - out["data_villages"]
    for col in ("villages", "covered", "expiring", "lapsed", "no_data_counties", "no_data_villages"):
        out[col] = out[col].astype("int64")
    out["never"] = out["villages"] - out["covered"] - out["lapsed"]
    out["coverage_rate"] = out["covered"] / out["villages"]
    return out[SUMMARY_COLUMNS]


def summaries_equal(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Same rows, same order, same values in every summary column (codes and names compared as objects)."""
    cols = SUMMARY_COLUMNS
    a = a[cols].reset_index(drop=True).astype({"code": object, "name": object})
    b = b[cols].reset_index(drop=True).astype({"code": object, "name": object})
    return a.shape == b.shape and bool((a == b).all().all())


SERVED_COLUMNS = ["code", "villages", "covered", "served", "nominal", "served_rate", "in_recorded_counties",
                  "has_service_data"]


def pandas_served_summary(registry: pd.DataFrame, assignments: pd.DataFrame, services: pd.DataFrame,
                          as_of: dt.date, level: int = 1, window_days: int = 90,
                          counting_modes: tuple[str, ...] = ("onsite",)) -> pd.DataFrame:
    """The effective-service columns of the store's ``summary(Scope(""), as_of, by=level)``, in plain pandas.

    `services`: village (12-digit str), service_date, mode.  Written from the issue's words, not from
    geo.core.service_rule: served = covered and a record of a counting mode dated D-(W-1) .. D; nominal = covered,
    not served, in a county with a record (any mode) by D; a unit has service data when a village of it with a
    contract started by D lies in such a county (in_recorded_counties counts them).
    """
    day = pd.Timestamp(as_of)
    cover = pandas_summary(registry, assignments, as_of, level=5)          # one row per village
    covered = set(cover.loc[cover["covered"] == 1, "code"])
    known = services[pd.to_datetime(services["service_date"]) <= day]
    known = known[known["village"].isin(set(cover["code"]))]
    first = day - pd.Timedelta(days=window_days - 1)
    visited = set(known.loc[known["mode"].isin(counting_modes)
                            & (pd.to_datetime(known["service_date"]) >= first), "village"])
    counties = set(known["village"].str[:6])
    v = cover[["code"]].copy()
    v["covered"] = v["code"].isin(covered)
    v["served"] = v["covered"] & v["code"].isin(visited)
    v["nominal"] = v["covered"] & ~v["served"] & v["code"].str[:6].isin(counties)
    v["in_recorded_county"] = v["code"].isin(set(cover.loc[(cover["covered"] + cover["lapsed"]) > 0, "code"])) \
        & v["code"].str[:6].isin(counties)
    v["unit"] = v["code"].str[:LEVEL_ENDS[level - 1]].str.ljust(12, "0")
    out = v.groupby("unit").agg(covered=("covered", "sum"), served=("served", "sum"),
                                nominal=("nominal", "sum"),
                                in_recorded_counties=("in_recorded_county", "sum")).reset_index()
    out = out.rename(columns={"unit": "code"})
    # the villages counted are the coverage summary's (those of counties with data)
    out["villages"] = out["code"].map(pandas_summary(registry, assignments, as_of, level=level)
                                      .set_index("code")["villages"])
    for col in ("villages", "covered", "served", "nominal", "in_recorded_counties"):
        out[col] = out[col].astype("int64")
    out["served_rate"] = out["served"] / out["villages"]
    out["has_service_data"] = out["in_recorded_counties"] > 0
    return out[SERVED_COLUMNS]
