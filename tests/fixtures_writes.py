"""What the store tests of writes share: Shaanxi's registry, a CSV ledger of a county's villages, service records
at given villages, and the check that the derived service tables equal a rebuild."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.sources.national import national_registry

SHAANXI = national_registry()[national_registry()["code"].str.startswith("61")]


def frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)


def ledger_for(tmp_path: Path, county: str, n: int, name: str, start: str = "2026.1.1", end: str = "2027.12.31",
               skip: int = 0) -> Path:
    """A CSV ledger naming the first `n` villages of `county` with one adviser each."""
    villages = SHAANXI[(SHAANXI["level"] == 5) & SHAANXI["code"].str.startswith(county)
                       & ~SHAANXI["code"].str.endswith("000")].iloc[skip:skip + n]
    rows = [["村（社区）代码", "村（社区）名称", "法律顾问姓名", "执业证号", "聘任期限"]]
    rows += [[c, v, f"顾问{county}{i % 3}", f"1610{county}{i % 3:07d}", f"{start}-{end}"]
             for i, (c, v) in enumerate(zip(villages["code"], villages["name"]))]
    path = tmp_path / name
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8-sig")
    return path


def service_rows(codes: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"village": codes, "adviser_id": None, "service_date": "2026-03-02", "mode": "onsite",
                         "category": "法律咨询", "hours": 4.0, "people": 3, "content": "坐班"})


#: adviser_months added up per adviser, county and month (the columns as text or numbers both stores compare)
MONTH_SUMS = ("adviser_id, county, CAST(month AS VARCHAR) AS month, CAST(sum(records) AS BIGINT) AS records, "
              "CAST(sum(onsite_records) AS BIGINT) AS onsite_records, sum(onsite_hours) AS onsite_hours, "
              "CAST(max(last_onsite) AS VARCHAR) AS last_onsite")


def service_tables(store) -> list[pd.DataFrame]:
    return [store.query(sql).sort_values(order).reset_index(drop=True)
            for sql, order in (
                ("SELECT village, mode, CAST(day AS VARCHAR) AS day, CAST(next_day AS VARCHAR) AS next_day "
                 "FROM service_days", ["village", "mode", "day"]),
                ("SELECT village, CAST(span_from AS VARCHAR) AS span_from, CAST(span_until AS VARCHAR) AS span_until "
                 "FROM served_spans", ["village", "span_from"]),
                ("SELECT county, CAST(first_day AS VARCHAR) AS first_day FROM service_counties", ["county"]),
                # a month may be in several rows (an append adds its own): what counts is their sums
                (f"SELECT {MONTH_SUMS} FROM adviser_months GROUP BY adviser_id, county, month",
                 ["adviser_id", "county", "month"]))]


def assert_service_tables_current(store) -> None:
    """The service tables the writes left equal the whole country's rebuilt from the records."""
    kept = service_tables(store)
    with store.transaction() as cur:
        store.refresh_service_days(cur)
    for a, b in zip(kept, service_tables(store)):
        frames_equal(a, b)
