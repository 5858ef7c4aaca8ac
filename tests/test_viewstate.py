"""The view a link asks for, checked without a Streamlit run: scope, date, language, basemap and notices."""
from __future__ import annotations

import datetime as dt

import pytest

from geo.core.codes import Scope
from geo.text.catalogue import md, t
from geo.views.viewstate import (
    MIN_DATE,
    Notice,
    ViewFacts,
    ViewState,
    date_range,
    facts_from_store,
    resolve_date,
    resolve_view,
)

TODAY = dt.date(2026, 11, 27)
LATEST = TODAY + dt.timedelta(days=5 * 366)        # the picker's own bound, restated
#: a registry of 陕西省 › 西安市 › 周至县 › 哑柏镇 › one village
KNOWN = {"61", "6101", "610124", "610124101", "610124101001"}
DEMO = ViewFacts(scope_exists=lambda s: not s.digits or s.digits in KNOWN, default_scope=Scope("61"),
                 default_scope_name="陕西省", today=TODAY, basemaps=("none", "osm"))
NATIONAL = ViewFacts(scope_exists=DEMO.scope_exists, default_scope=Scope(""), default_scope_name="", today=TODAY)


def bad_scope(raw: str, name: str = "陕西省") -> Notice:
    return Notice("bad_scope", (("raw", raw), ("name", name)))


def bad_date(raw: str) -> Notice:
    return Notice("bad_date", (("raw", raw), ("low", MIN_DATE.isoformat()), ("high", LATEST.isoformat())))


@pytest.mark.parametrize("link, last, expected", [
    ({}, {}, ViewState(Scope("61"), TODAY, "zh", "none")),                        # the demo's default view
    ({"scope": "0"}, {}, ViewState(Scope(""), TODAY, "zh", "none")),              # the whole country
    ({"scope": "6101"}, {}, ViewState(Scope("6101"), TODAY, "zh", "none")),       # short form
    ({"scope": "610124000000"}, {}, ViewState(Scope("610124"), TODAY, "zh", "none")),
    ({"scope": "6101241010010000000"}, {}, ViewState(Scope("610124101001"), TODAY, "zh", "none")),  # survey code
    ({"scope": "610124101001"}, {}, ViewState(Scope("610124101001"), TODAY, "zh", "none")),   # a village
    ({"scope": "999999"}, {}, ViewState(Scope("61"), TODAY, "zh", "none", (bad_scope("999999"),))),
    ({"scope": "61ab"}, {}, ViewState(Scope("61"), TODAY, "zh", "none", (bad_scope("61ab"),))),    # not a code
    ({"scope": "6101", "date": "2025-06-30", "lang": "en", "basemap": "osm"}, {},
     ViewState(Scope("6101"), dt.date(2025, 6, 30), "en", "osm")),
    ({"date": "27.11.2026"}, {}, ViewState(Scope("61"), TODAY, "zh", "none", (bad_date("27.11.2026"),))),
    ({"scope": "999", "date": "2099-01-01"}, {},
     ViewState(Scope("61"), TODAY, "zh", "none", (bad_scope("999"), bad_date("2099-01-01")))),
    ({"lang": "fr"}, {}, ViewState(Scope("61"), TODAY, "zh", "none")),            # unknown language
    ({"basemap": "tianditu_vec"}, {}, ViewState(Scope("61"), TODAY, "zh", "none")),   # not configured here
    ({"basemap": "{{7*7}}"}, {}, ViewState(Scope("61"), TODAY, "zh", "none")),    # not a kind at all
    # a page link drops the parameters: the session's last view fills them in, the link's own values win
    ({}, {"scope": "610124", "date": "2025-06-30", "lang": "en", "basemap": "osm"},
     ViewState(Scope("610124"), dt.date(2025, 6, 30), "en", "osm")),
    ({"scope": "", "date": "", "lang": "", "basemap": ""}, {"scope": "6101", "date": "2024-01-31", "lang": "en"},
     ViewState(Scope("6101"), dt.date(2024, 1, 31), "en", "none")),
    ({"scope": "610124", "lang": "zh"}, {"scope": "6101", "lang": "en", "basemap": "osm"},
     ViewState(Scope("610124"), TODAY, "zh", "osm")),
    ({"scope": "0"}, {"scope": "6101"}, ViewState(Scope(""), TODAY, "zh", "none")),
])
def test_view_from_link_and_last_view(link, last, expected):
    assert resolve_view(link, last, DEMO) == expected


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bad_scope_on_a_national_dataset_names_the_country_in_the_links_language(lang):
    state = resolve_view({"scope": "999999", "lang": lang}, {}, NATIONAL)
    assert (state.scope, state.notices) == (Scope(""), (bad_scope("999999", t("level.0", lang)),))


def test_notice_text_is_the_catalogue_text_with_values_escaped():
    [notice] = resolve_view({"scope": "**6101**"}, {}, DEMO).notices
    assert notice.text("en") == md("bad_scope", "en", raw="**6101**", name="陕西省")
    assert "**6101**" not in notice.text("en")


@pytest.mark.parametrize("raw, shown", [
    (None, TODAY), ("", TODAY), ("2026-11-27", TODAY), (" 2025-06-30 ", dt.date(2025, 6, 30)),
    ("2000-01-01", dt.date(2000, 1, 1)), (LATEST.isoformat(), LATEST),                 # the picker's ends
    ("1999-12-31", None), ("1900-01-01", None), ("0001-01-01", None),                  # before the picker's range
    ((LATEST + dt.timedelta(days=1)).isoformat(), None), ("2099-01-01", None), ("9999-12-31", None),  # after it
    ("27.11.2026", None), ("2026-02-30", None), ("2026-13-01", None), ("明天", None),   # not dates
])
def test_link_dates_outside_the_picker_fall_back_to_today_with_the_bad_date_notice(raw, shown):
    assert date_range(TODAY) == (dt.date(2000, 1, 1), LATEST)
    expected = (TODAY, bad_date(raw)) if shown is None else (shown, None)
    assert resolve_date(raw, TODAY) == expected


def test_facts_of_the_demo_store(demo_store):
    facts = facts_from_store(demo_store, TODAY, ("none",))
    assert (facts.default_scope, facts.default_scope_name) == (Scope("61"), "陕西省")
    assert resolve_view({}, {}, facts) == ViewState(Scope("61"), TODAY, "zh", "none")
    assert resolve_view({"scope": "610124001001"}, {}, facts).scope == Scope("610124001001")
    assert resolve_view({"scope": "0"}, {}, facts).scope == Scope("")
    assert resolve_view({"scope": "6199", "basemap": "osm"}, {}, facts) == \
        ViewState(Scope("61"), TODAY, "zh", "none", (bad_scope("6199"),))


# --- the user's jurisdiction: a link beyond it shows the jurisdiction, with a notice -----------------------------
def account(digits: str):
    from geo.auth.access import Principal, Role

    return Principal(username="u", display_name="U", role=Role.VIEWER, jurisdiction=Scope(digits))


NAMES = {"61": "陕西省", "6101": "西安市", "610124": "周至县", "610124101": "哑柏镇", "6102": "铜川市"}
NAMED = ViewFacts(scope_exists=lambda s: not s.digits or s.digits in KNOWN | {"6102"}, default_scope=Scope("61"),
                  default_scope_name="陕西省", today=TODAY, scope_name=lambda s: NAMES.get(s.digits, s.code))


def outside(asked: str, name: str) -> Notice:
    return Notice("acc.outside", (("asked", asked), ("name", name)))


@pytest.mark.parametrize("jurisdiction, link, scope, notices", [
    ("610124", {}, "610124", ()),                                        # opens at the user's own county
    ("610124", {"scope": "610124101"}, "610124101", ()),                 # below it: as asked
    ("610124", {"scope": "6102"}, "610124", (outside("铜川市", "周至县"),)),   # another city
    ("610124", {"scope": "6101"}, "610124", (outside("西安市", "周至县"),)),   # its own city: above it
    ("610124", {"scope": "0"}, "610124", (outside("全国", "周至县"),)),        # the whole country
    ("610124", {"scope": "999999"}, "610124", (bad_scope("999999", "周至县"),)),   # unknown: own, one notice
    ("61", {}, "61", ()),                                                # a province admin: the demo's view
    ("61", {"scope": "6102"}, "6102", ()),
    ("", {"scope": "6102"}, "6102", ()),                                 # the whole country sees everything
    ("", {}, "61", ()),
])
def test_a_link_is_clamped_to_the_jurisdiction(jurisdiction, link, scope, notices):
    view = resolve_view(link, {}, NAMED, account(jurisdiction))
    assert view.scope == Scope(scope)
    assert view.notices == notices
