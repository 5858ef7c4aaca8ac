"""The two backends of :class:`geo.store.Store`: an embedded DuckDB file (:mod:`.duckdb`) and a PostgreSQL server
(:mod:`.postgres`); each implements only the primitives of :class:`geo.store.base.StoreBase`."""
