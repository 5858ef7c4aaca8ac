"""A store with 陕西省's registry, on each backend (``store``: the import tests'; a module that defines a ``store`` of
its own uses that), and a snapshot of what an import may write, to show that a refused one wrote nothing.

A plugin of conftest.py: its fixtures are everyone's."""
from __future__ import annotations

import pytest

from geo.sources.national import national_registry
from geo.store import Store


@pytest.fixture
def store(new_store) -> Store:
    """陕西省's registry, on each backend."""
    s = new_store("imp")
    with s.transaction() as cur:
        s.load_registry(national_registry()[national_registry()["code"].str.startswith("61")], cur)
    return s


def snapshot(store: Store) -> dict[str, str]:
    tables = {}
    for table in ("divisions", "advisers", "assignments", "village_geoms", "shapes"):
        df = store.query(f"SELECT * FROM {table}")
        tables[table] = df.sort_values(list(df.columns)).reset_index(drop=True).to_csv() if len(df) else ""
    return tables
