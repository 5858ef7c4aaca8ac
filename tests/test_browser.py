"""The real thing: the app served by Streamlit, opened in headless Chromium, at every map level.

Asserts that polygons are drawn, the legend shows, and that no request leaves the machine.  Drawing times are
recorded (printed), not asserted.  Marked ``browser``: needs Debian's chromium (.ci/run installs it).
"""
from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from benchmarks.browser import VIEWPORT
from fixtures_app import LOCAL_HOSTS, leaflet_frame
from geo.core.codes import Scope
from geo.demo import ANCHOR
from geo.text.catalogue import t

pytestmark = pytest.mark.browser


VIEWS = [
    ("0", "national"),         # provinces (0 = the whole country)
    ("61", "province"),        # cities of 陕西
    ("610124", "county"),      # townships of 周至县 (derived from village cells)
    ("610124101", "township"), # villages of 哑柏镇, coloured by status
]


@pytest.mark.parametrize("scope, level", VIEWS)
def test_map_draws_offline(app_url, browser, scope, level):
    page = browser.new_page(viewport=VIEWPORT)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    t0 = time.perf_counter()
    page.goto(f"{app_url}/?scope={scope}&date={ANCHOR.isoformat()}&lang=zh", wait_until="domcontentloaded")
    frame = leaflet_frame(page)
    drawn_s = time.perf_counter() - t0
    n = frame.locator("path.leaflet-interactive").count()
    legend = frame.locator(".cov-legend").inner_text()
    print(f"\n[browser] {level}: {n} shapes drawn in {drawn_s:.2f} s")
    if level == "township":
        assert "已覆盖" in legend and "示意边界" in legend
    else:
        assert "覆盖率" in legend and "无数据" in legend
    assert n >= {"national": 31, "province": 10, "county": 20, "township": 10}[level]
    page.wait_for_timeout(1500)   # let late requests (fonts, tiles, telemetry) show themselves
    outside = [u for u in requests if urlsplit(u).scheme not in ("data", "blob", "about")
               and urlsplit(u).hostname not in LOCAL_HOSTS]
    assert outside == [], outside
    page.close()


# --- drilling by clicks on the map: the page and the address bar must both follow --------------------------
_FIND_UNIT_JS = """
(code) => {
  let hit = null;
  window.map.eachLayer(l => { if (!hit && l.feature && l._path && l.feature.properties.code === code) hit = l; });
  if (!hit) return null;
  const r = hit._path.getBoundingClientRect();
  for (let i = 1; i < 16; i++) for (let j = 1; j < 16; j++) {
    const x = r.left + r.width * i / 16, y = r.top + r.height * j / 16;
    if (document.elementFromPoint(x, y) === hit._path) return {x, y, name: hit.feature.properties.name};
  }
  return null;
}
"""


def click_unit(page, code: str) -> str:
    """Click with the mouse inside the map shape of unit `code` (12 digits); returns the unit's name."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.time() + 30
    spot = None
    while spot is None and time.time() < deadline:   # the map may still be laying out or fitting its bounds
        frame = leaflet_frame(page)
        try:
            spot = frame.evaluate(_FIND_UNIT_JS, code)
        except PlaywrightError:   # the frame was replaced by a newer run's map
            spot = None
        if spot is None:
            page.wait_for_timeout(250)
    assert spot, f"{code} is not drawn (or not clickable) on the map"
    # the controls above the map (layer switch, figures) can push it below the fold: a click there reaches nothing
    frame.frame_element().evaluate("e => e.scrollIntoView({block: 'center'})")
    box = frame.frame_element().bounding_box()
    page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
    return spot["name"]


def scope_in_address_bar(page) -> str | None:
    return page.evaluate("() => new URLSearchParams(location.search).get('scope')")


def wait_for_view(page, name: str, scope: str) -> None:
    """The page shows `name`'s figures, and then - within a few seconds - the address bar says `scope`."""
    from playwright.sync_api import Error as PlaywrightError

    page.get_by_text(f"{name}：村（社区）").wait_for(timeout=60_000)
    try:
        page.wait_for_function("(s) => new URLSearchParams(location.search).get('scope') === s", arg=scope,
                               timeout=5_000)
    except PlaywrightError:
        pass
    assert scope_in_address_bar(page) == scope, (
        f"the page shows {name} but the address bar says scope={scope_in_address_bar(page)}")


def test_map_clicks_drill_down_and_the_link_follows(app_url, browser):
    """陕西省 -> 西安市 -> 周至县 -> 哑柏镇 by clicks; each step's URL, opened anew, shows that step again."""
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(f"{app_url}/?scope=61&date={ANCHOR.isoformat()}&lang=zh", wait_until="domcontentloaded")
    wait_for_view(page, "陕西省", "61")
    links = {}
    for code in ("610100000000", "610124000000", "610124101000"):
        digits = Scope.parse(code).digits
        name = click_unit(page, code)
        wait_for_view(page, name, digits)
        links[name] = (page.evaluate("location.href"), digits)   # page.url can lag behind a pushState

    # at village level a click shows the village instead of drilling
    village = click_unit(page, "610124101200")
    detail = page.locator("[data-testid='stMarkdownContainer']", has=page.locator("code", has_text="610124101200"))
    detail.wait_for(timeout=30_000)
    assert village in detail.inner_text()
    tip = leaflet_frame(page).locator(".cov-tip").inner_text()   # the mouse still rests on the village
    assert village in tip
    # the tooltip and the side panel name each field alike (联系电话, 合同期限 ... in both)
    for key in ("col.status", "col.advisers", "col.orgs", "col.phones", "col.contract_period"):
        label = t(key) + "："
        assert label in tip, (label, tip)
        page.locator("[data-testid='stMarkdownContainer']", has_text=label).first.wait_for(timeout=10_000)
    assert scope_in_address_bar(page) == "610124101"

    # the breadcrumb goes back up, and the address bar with it
    page.locator(".st-key-crumb_1 button").click()
    wait_for_view(page, "陕西省", "61")
    page.close()

    # a copied link reproduces the view, in a new session
    for name, (url, digits) in links.items():
        fresh = browser.new_page(viewport=VIEWPORT)
        fresh.goto(url, wait_until="domcontentloaded")
        wait_for_view(fresh, name, digits)
        fresh.close()


def test_a_date_typed_outside_the_range_is_refused_with_a_word(app_url, browser):
    """The browser's own picker dropped such a date without a word; now the app receives it and says why."""
    page = browser.new_page(viewport=VIEWPORT)
    day = ANCHOR.isoformat()
    page.goto(f"{app_url}/?scope=610124&date={day}")
    wait_for_view(page, "周至县", "610124")
    page.locator(".st-key-w_date [role='spinbutton'][data-type='year']").focus()
    page.keyboard.type("19991231")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")                     # the focus leaves the date: the value is sent
    page.get_by_text("1999-12-31 不在可选范围").wait_for(timeout=60_000)
    assert page.evaluate("() => new URLSearchParams(location.search).get('date')") == day
    page.get_by_text("周至县：村（社区）").wait_for(timeout=10_000)        # the figures of the date in use
    page.close()
