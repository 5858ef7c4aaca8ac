"""The SQL forms of the domain rules (:mod:`geo.store.sql.rules`), shared by every query module and both backends."""
