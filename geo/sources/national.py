"""The national division list shipped with the product (data/registry_national.parquet).

Source: the national statistics bureau's 统计用区划代码 2022 (cut-off 2022-10-31), as republished in the npm
package china-division@2.7.0 (licence WTFPL).  Importing a newer list from the user is geo.imports' job.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from geo.core.codes import real_villages

REGISTRY_FILE = Path(__file__).resolve().parents[2] / "data" / "registry_national.parquet"


@lru_cache(maxsize=1)
def national_registry() -> pd.DataFrame:
    """All five levels: code (12-digit str, object dtype for fast matching), name, level (1-5)."""
    df = pd.read_parquet(REGISTRY_FILE)
    # pandas 3's default string dtype is an order of magnitude slower for code matching (isin, merge)
    return df.astype({"code": object, "name": object})


def villages(registry: pd.DataFrame, prefix: str = "") -> pd.DataFrame:
    """Real villages and communities (:func:`geo.core.codes.real_villages`), optionally under a code prefix."""
    v = registry[real_villages(registry)]
    if prefix:
        v = v[v["code"].str.startswith(prefix)]
    return v
