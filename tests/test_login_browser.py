"""The login in a real browser: a county viewer logs in, reloads and stays in, opens a link to another city in a
new tab and gets their own county, downloads the gap list and finds only their villages, logs out and finds
nothing readable; the session cookie's flags as the browser holds them; no password or hash in the log.  And
another site's page (served on another loopback port, and under another host name) can neither log a visitor in
as someone else nor log them out."""
from __future__ import annotations

import io
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openpyxl
import pytest

from benchmarks.browser import VIEWPORT, free_port, served_app
from geo.auth import accounts, web_login
from geo.auth.access import OPEN, Role
from geo.core.codes import Scope
from geo.demo import ANCHOR
from geo.store import open_store
from geo.text.catalogue import t

pytestmark = pytest.mark.browser
DATE = ANCHOR.isoformat()
PASSWORD = "Zhouzhi-view-2026"


@pytest.fixture(scope="module")
def served(demo_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("login_browser")
    db = folder / "app.duckdb"
    shutil.copy(demo_db, db)
    with open_store(db) as store:
        accounts.add_account(store, OPEN, "zzadmin", Role.ADMIN, Scope("610124"), PASSWORD)    # the first: an admin
        accounts.add_account(store, OPEN, "zzview", Role.VIEWER, Scope("610124"), PASSWORD, display_name="周至县查看员")
        accounts.add_account(store, OPEN, "intruder", Role.EDITOR, Scope("6102"), PASSWORD, display_name="铜川市录入员")
        accounts.add_account(store, OPEN, "victim", Role.VIEWER, Scope("610124"), PASSWORD, display_name="周至县受害者")
    log = folder / "streamlit.log"
    with served_app(db, log) as app:
        yield app.url, log, db


def audit_count(served, sql: str) -> int:
    """A count from the app's store, read beside the running app (it holds the DuckDB file only while writing)."""
    with open_store(served[2], read_only=True) as store:
        return int(store.query(sql)["n"][0])


def login_form(page) -> None:
    page.get_by_label("用户名").wait_for(timeout=60_000)


def figures_of(page, name: str) -> None:
    page.get_by_text(f"{name}：村（社区）").first.wait_for(timeout=60_000)


def test_a_county_viewer_logs_in_stays_in_is_kept_to_the_county_and_logs_out(served, browser, tmp_path):
    url, log, _ = served
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{url}/?scope=610124&date={DATE}")
    login_form(page)
    assert "周至县" not in page.content()                 # nothing of the data before a login
    page.get_by_label("用户名").fill("zzview")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    figures_of(page, "周至县")
    assert PASSWORD not in page.content() and "$argon2" not in page.content()

    [cookie] = [c for c in context.cookies() if c["name"] == web_login.COOKIE_NAME]
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert cookie["secure"] is False                      # plain http here: Secure only over https
    assert page.evaluate("document.cookie").find(web_login.COOKIE_NAME) == -1    # no script can read it

    page.reload()
    figures_of(page, "周至县")                             # still logged in after a reload

    other = context.new_page()                            # a link to another city, in a new tab
    other.goto(f"{url}/?scope=6102&date={DATE}")
    figures_of(other, "周至县")
    other.get_by_text("不在您的管辖范围内").first.wait_for(timeout=30_000)
    assert other.evaluate("new URLSearchParams(location.search).get('scope')") == "610124"

    other.goto(f"{url}/gaps?scope=610124&date={DATE}")
    button = other.get_by_role("button", name=t("download.xlsx"))
    button.wait_for(timeout=60_000)
    exports = "SELECT count(*) AS n FROM audit WHERE action = 'export' AND username = 'zzview'"
    # offered, not built: no address of a file in the page, nothing recorded
    assert other.locator("a[href*='/media/']").count() == 0 and audit_count(served, exports) == 0
    with other.expect_download() as download:
        button.click()
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes and all(str(c).startswith("610124") for c in codes)
    assert audit_count(served, exports) == 1                 # the click built it and recorded it
    address = download.value.url
    assert "/media/" in address
    assert context.request.get(address).status == 404       # served once: the same session cannot fetch it again
    stranger = browser.new_context()                         # nor anyone without the session
    assert stranger.request.get(address).status == 404
    stranger.close()

    page.get_by_role("button", name="退出登录").click()
    login_form(page)
    assert not [c for c in context.cookies() if c["name"] == web_login.COOKIE_NAME and c["value"]]
    fresh = context.new_page()                            # a new tab of the same browser: the form, nothing else
    fresh.goto(f"{url}/?scope=610124&date={DATE}")
    login_form(fresh)
    assert "周至县" not in fresh.content()
    other.reload()                                        # the tab that was open: logged out as well
    login_form(other)
    assert "周至县" not in other.content()
    context.close()

    logged = log.read_text(errors="replace")
    assert PASSWORD not in logged and "$argon2" not in logged


# ------------------------------------------------------------------------------------------ another site's page
@pytest.fixture(scope="module")
def hostile():
    """A page of another site, on another loopback port: ``/<name>`` answers the HTML put in `pages[name]`."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path.lstrip("/"), "").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], pages
    server.shutdown()
    server.server_close()


#: 127.0.0.1 on another port is the same *site* to the browser (SameSite cookies go along) but another origin;
#: localhost is another site altogether
HOSTILE_HOSTS = ["127.0.0.1", "localhost"]


def log_in(page, url: str, user: str) -> None:
    page.goto(f"{url}/?date={DATE}")
    login_form(page)
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def session_cookie(context) -> list[dict]:
    return [c for c in context.cookies() if c["name"] == web_login.COOKIE_NAME and c["value"]]


def attackers_ticket(browser, url: str) -> str:
    """What an attacker gets by logging in to their own account and stopping at the cookie's route."""
    context = browser.new_context(viewport=VIEWPORT)
    seen = []

    def stop(route):
        seen.append(route.request.url)
        route.abort()

    context.route("**/session/start*", stop)
    page = context.new_page()
    log_in(page, url, "intruder")
    for _ in range(300):
        if seen:
            break
        page.wait_for_timeout(200)
    context.close()
    [start] = seen
    return start


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
def test_another_site_cannot_log_a_visitor_in_as_the_attacker(served, browser, hostile, host):
    url, *_ = served
    port, pages = hostile
    start = attackers_ticket(browser, url)
    assert "ticket=" in start
    victim = browser.new_context(viewport=VIEWPORT)
    page = victim.new_page()
    page.goto(f"{url}/?date={DATE}")
    login_form(page)              # the victim has been on the app (holds its browser nonce): the hardest case
    assert [c for c in victim.cookies() if c["name"] == web_login.NONCE_COOKIE]
    for how, html in (("link", f"<script>location.href = {start!r};</script>"),
                      ("image", f"<img src={start!r}><script>setTimeout(() => document.title = 'done', 1500)"
                                "</script>")):
        pages[f"login-{how}"] = html
        page.goto(f"http://{host}:{port}/login-{how}")
        page.wait_for_timeout(2000)
        assert not session_cookie(victim), how
    page.goto(f"{url}/?date={DATE}")
    login_form(page)                                       # still the form: nobody's data, not the attacker's
    assert "铜川市" not in page.content()
    victim.close()


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
def test_another_site_cannot_log_a_user_out_and_the_user_still_can(served, browser, hostile, host):
    url, *_ = served
    port, pages = hostile
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    log_in(page, url, "victim")
    figures_of(page, "周至县")
    assert session_cookie(context)
    end = f"{url}{web_login.END_PATH}?next=/"
    pages["logout-form"] = f"<form method=post action={end!r}></form><script>document.forms[0].submit()</script>"
    pages["logout-link"] = f"<script>location.href = {end!r};</script>"
    for name in ("logout-form", "logout-link"):
        other = context.new_page()
        other.goto(f"http://{host}:{port}/{name}")
        other.wait_for_timeout(2000)
        other.close()
        assert session_cookie(context), name
    fresh = context.new_page()
    fresh.goto(f"{url}/?date={DATE}")
    figures_of(fresh, "周至县")                             # still logged in
    fresh.get_by_role("button", name="退出登录").click()   # and the app's own logout still works
    login_form(fresh)
    assert not session_cookie(context)
    context.close()
