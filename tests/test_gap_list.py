"""The gap list's rules: the statuses offered and shown by default, and the tally above the list."""
from __future__ import annotations

import pandas as pd
import pytest

from geo.gap_list import DEFAULT_STATUSES, STATUSES, listed_status, status_tally


def test_statuses_offered_and_shown_by_default():
    assert STATUSES == ("covered", "expiring", "lapsed", "never", "nominal")
    assert DEFAULT_STATUSES == ("lapsed", "expiring", "never")     # every village that needs action


@pytest.mark.parametrize("statuses, tally", [
    (["never", "lapsed", "never", "expiring"], [("expiring", 1), ("lapsed", 1), ("never", 2)]),
    (pd.Series(["lapsed"] * 3 + ["covered"]), [("covered", 1), ("lapsed", 3)]),
    ([], []),
])
def test_status_tally_in_list_order(statuses, tally):
    assert status_tally(statuses) == tally


@pytest.mark.parametrize("status, service_status, selected, listed", [
    ("covered", "nominal", ["nominal"], "nominal"),
    ("expiring", "nominal", ["expiring", "nominal"], "nominal"),
    ("expiring", "nominal", ["expiring"], "expiring"),
    ("covered", "served", ["covered", "nominal"], "covered"),
    ("lapsed", "lapsed", ["lapsed", "nominal"], "lapsed"),
])
def test_a_nominal_village_is_tallied_as_nominal_when_asked_for(status, service_status, selected, listed):
    assert listed_status(status, service_status, selected) == listed


def test_status_tally_of_the_demo_county(demo_store):
    from geo.codes import Scope
    from geo.demo import ANCHOR

    villages = demo_store.village_statuses(Scope.parse("610124"), ANCHOR, statuses=list(DEFAULT_STATUSES))
    tally = status_tally(villages["status"])
    assert dict(tally) == villages["status"].value_counts().to_dict()
    assert [s for s, _ in tally] == [s for s in STATUSES if s in set(villages["status"])]
