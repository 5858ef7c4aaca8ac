"""The app's cached queries: the store's answers kept per data version, so that a page run and its reruns do not
ask again.  Every page reads the store through these (or through :class:`ui.state.Ctx`'s store for what is not
worth keeping)."""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from geo.core.codes import Scope
from geo.core.coverage import Counts
from geo.core.service_rule import DEFAULT_SERVICE, ServiceSettings
from geo.planning import GapPlan, plan_gaps
from geo.store import Store
from geo.store.trend import KeptTrend
from geo.views import advisers
from geo.views import map_view as map_data


class _Beside(threading.Thread):
    """One read of :func:`side_by_side` in a thread of its own, in the page run that asked (its caches and
    messages belong to that run); a thread that ends leaves its store read connection for the next."""

    def __init__(self, read: Callable[[], Any]) -> None:
        super().__init__(name="ui-beside", daemon=True)
        self._read, self._answer, self._error = read, None, None
        add_script_run_ctx(self, get_script_run_ctx())

    def run(self) -> None:
        try:
            self._answer = self._read()
        except BaseException as e:          # re-raised in the page's thread by answer()
            self._error = e

    def answer(self) -> Any:
        self.join()
        if self._error is not None:
            raise self._error
        return self._answer


def side_by_side(first: Callable[[], Any], *others: Callable[[], Any]) -> list[Any]:
    """The answers of cached reads that do not depend on each other, `first` in this thread and `others` at the
    same time in threads of their own: on a server store each runs in a server process of its own, so a page that
    needs two national reads waits for the longer one, not for both."""
    pending = [_Beside(read) for read in others]
    for thread in pending:
        thread.start()
    return [first(), *(thread.answer() for thread in pending)]


# `_store` is not hashed; the version string, the scope digits, the date, the language and the effective-service
# settings (a frozen dataclass, hashed by value) are the key.

@st.cache_data(show_spinner=False, max_entries=256)
def q_totals(_store: Store, version: str, digits: str, as_of: str,
             service: ServiceSettings = DEFAULT_SERVICE) -> Counts:
    return _store.totals(Scope(digits), as_of, service=service)


@st.cache_data(show_spinner=False, max_entries=256)
def q_adviser_stats(_store: Store, version: str, digits: str, as_of: str) -> tuple[int, float]:
    return _store.adviser_stats(Scope(digits), as_of)


@st.cache_data(show_spinner=False, max_entries=256)
def q_child_level(_store: Store, version: str, digits: str) -> int | None:
    return _store.child_level(Scope(digits))


@st.cache_data(show_spinner=False, max_entries=256)
def q_children(_store: Store, version: str, digits: str) -> pd.DataFrame:
    return _store.children(Scope(digits), q_child_level(_store, version, digits))


@st.cache_data(show_spinner=False, max_entries=256)
def q_summary(_store: Store, version: str, digits: str, as_of: str, level: int,
              service: ServiceSettings = DEFAULT_SERVICE) -> pd.DataFrame:
    return _store.summary(Scope(digits), as_of, by=level, service=service)


# a national list is 600,000 rows, 100 MB: kept as it is (no pickled copy per run, as cache_data makes), a few at a
# time; the pages only read it
@st.cache_resource(show_spinner=False, max_entries=8, ttl=dt.timedelta(minutes=30))
def q_village_statuses(_store: Store, version: str, digits: str, as_of: str, statuses: tuple[str, ...],
               township: str | None, service: ServiceSettings = DEFAULT_SERVICE) -> pd.DataFrame:
    return _store.village_statuses(Scope(digits), as_of, statuses=list(statuses), township=township,
                                   service=service)


@st.cache_data(show_spinner=False, max_entries=64)
def q_gap_counts(_store: Store, version: str, digits: str, as_of: str, statuses: tuple[str, ...],
                 township: str | None, by: int | None, service: ServiceSettings = DEFAULT_SERVICE) -> pd.DataFrame:
    """The gap list counted by status (and per unit of level `by`), without its rows."""
    return _store.village_status_counts(Scope(digits), as_of, statuses=list(statuses), township=township, by=by,
                                        service=service)


@st.cache_data(show_spinner=False, max_entries=64)
def q_gap_rows(_store: Store, version: str, digits: str, as_of: str, statuses: tuple[str, ...],
               township: str | None, first: int, stop: int, service: ServiceSettings = DEFAULT_SERVICE
               ) -> pd.DataFrame:
    """The rows [first, stop) of the gap list: the page drawn."""
    return _store.village_statuses(Scope(digits), as_of, statuses=list(statuses), township=township,
                                   service=service, rows=slice(first, stop))


@st.cache_data(show_spinner=False, max_entries=64)
def q_orphans(_store: Store, version: str, digits: str) -> pd.DataFrame:
    """Contracts whose village is unknown or abolished: a fact of the data, not of a date."""
    return _store.orphan_assignments(Scope(digits))


@st.cache_data(show_spinner=False, max_entries=64)
def q_no_data_counties(_store: Store, version: str, digits: str, as_of: str) -> pd.DataFrame:
    return _store.no_data_counties(Scope(digits), as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def q_gap_plan(_store: Store, version: str, digits: str, as_of: str, cap: int, max_km: float | None) -> GapPlan:
    return plan_gaps(_store, Scope(digits), as_of, cap=cap, max_km=max_km)


# the trend's month ends are the same for every date of a month, and its rows depend on their day only: kept per
# data version, scope and settings, a new date asks for its own day (and a month end not seen), not 24 months
@st.cache_resource(show_spinner=False, max_entries=64, ttl=dt.timedelta(hours=2))
def _trend_days(_store: Store, version: str, digits: str, service: ServiceSettings = DEFAULT_SERVICE) -> KeptTrend:
    return KeptTrend()


@st.cache_data(show_spinner=False, max_entries=128)
def q_trend(_store: Store, version: str, digits: str, as_of: str,
            service: ServiceSettings = DEFAULT_SERVICE) -> pd.DataFrame:
    return _store.trend_kept(Scope(digits), as_of, _trend_days(_store, version, digits, service), months=24,
                             service=service)


@st.cache_data(show_spinner=False, max_entries=64)
def q_map_view(_store: Store, version: str, digits: str, as_of: str, lang: str,
               service: ServiceSettings = DEFAULT_SERVICE, layer: str = "coverage") -> map_data.MapView:
    level = q_child_level(_store, version, digits)
    # the summary page's table of the same units: a user going from the map to the summary reads it once
    units = (q_summary(_store, version, digits, as_of, level, service)
             if level is not None and level < 5 and Scope(digits).level < 5 else None)
    return map_data.map_view(_store, Scope(digits), dt.date.fromisoformat(as_of), lang=lang, service=service,
                             layer=layer, units=units)


# a national register is 200,000 people and 576,000 villages served: kept as it is, not pickled and unpickled on
# every run of the page (cache_data: 1.3 s of a national page's 2.5 s); the pages only read it
@st.cache_resource(show_spinner=False, max_entries=6, ttl=dt.timedelta(minutes=30))
def q_register(_store: Store, version: str, digits: str, as_of: str, cap: int,
               service: ServiceSettings = DEFAULT_SERVICE) -> advisers.Register:
    return advisers.register(_store, Scope(digits), dt.date.fromisoformat(as_of), cap=cap, service=service)


@st.cache_data(show_spinner=False, max_entries=128)
def q_loads(_store: Store, version: str, digits: str, as_of: str, cap: int) -> advisers.Loads:
    """The summary's loads chart: counted by the store, without building the register."""
    return advisers.loads(_store, Scope(digits), dt.date.fromisoformat(as_of), cap=cap)


@st.cache_data(show_spinner=False, max_entries=64)
def q_renewals(_store: Store, version: str, digits: str, as_of: str, days: int) -> advisers.Renewals:
    return advisers.renewals(_store, Scope(digits), dt.date.fromisoformat(as_of), days=days)


@st.cache_data(show_spinner=False, max_entries=16)
def q_report(_store: Store, version: str, digits: str, as_of: str, lang: str, fmt: str, issuer: str,
             cap: int = advisers.DEFAULT_CAP) -> bytes:
    """The leaders' briefing as file bytes, built when its download is clicked (and kept per data version)."""
    from geo.briefing import build_report  # imported here: start-up time (1 s of docx, PDF and chart libraries)

    return build_report(_store, Scope(digits), dt.date.fromisoformat(as_of), fmt, lang=lang, issuer=issuer or None,
                        cap=cap)


@st.cache_data(show_spinner=False, max_entries=256)
def q_first_service_day(_store: Store, version: str, digits: str) -> dt.date | None:
    return _store.first_service_day(Scope(digits))


@st.cache_data(show_spinner=False, max_entries=256)
def q_ancestors(_store: Store, version: str, digits: str) -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in _store.ancestors(Scope(digits))]
