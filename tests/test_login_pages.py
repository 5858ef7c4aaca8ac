"""The app with accounts (AppTest): open mode's banner, the login gate, a county editor's view, a tampered link,
the administrators' pages; and in a real browser the login cookie across reloads, tabs and a logout."""
from __future__ import annotations

import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from fixtures_app import PASSWORD, USERS, app_store, figures, log_in, open_page
from geo import imports
from geo.auth import accounts, audit
from geo.auth.access import OPEN
from geo.core.codes import Scope
from geo.demo import ANCHOR
from geo.text.catalogue import md, t
from ui import navigation

DATE = ANCHOR.isoformat()
PAGES = ["pages/map.py", "pages/gaps.py", "pages/summary.py"]


def everything_sent(at: AppTest) -> str:
    """Every element of the run as Streamlit would send it (labels, values, tables, markdown)."""
    return "\n".join(str(node.proto) for node in iter_nodes(at._tree) if getattr(node, "proto", None) is not None)


def iter_nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from iter_nodes(child)


# ---------------------------------------------------------------------------------------------------- open mode

@pytest.mark.parametrize("page", [None, *PAGES, "pages/imports.py"])
def test_without_accounts_every_page_says_login_is_off(app_db, page):
    at = open_page(page, scope="610124", date=DATE)
    assert md("acc.open_banner") in [e.value for e in at.info]
    assert not at.text_input or t("login.password") not in [w.label for w in at.text_input]


# ---------------------------------------------------------------------------------------------------- the gate

@pytest.mark.parametrize("page", [None, *PAGES, "pages/imports.py"])
def test_before_a_login_only_the_form_is_sent(accounts_db, demo_store, page):
    at = open_page(page, scope="610124", date=DATE)
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
    assert [b.label for b in at.button] == ["登录"]
    assert not at.dataframe and not at.metric and not at.selectbox and not at.sidebar.children
    sent = everything_sent(at)
    for secret in ("周至县", "陕西省", "610124001", demo_store.totals(Scope("610124"), DATE).villages.__str__(),
                   "st_folium", t("acc.open_banner")[:5]):
        assert secret not in sent, secret


def test_the_form_speaks_english_when_the_link_asks(accounts_db):
    at = open_page(lang="en")
    assert [w.label for w in at.text_input] == ["Username", "Password"]
    assert [b.label for b in at.button] == ["Log in"]


def test_a_failed_login_says_the_same_whether_or_not_the_user_exists(accounts_db):
    shown = []
    for user, password in (("nobody", PASSWORD), ("zzedit", "wrong password"), ("ZZEDIT", PASSWORD)):
        at = log_in(open_page(), user, password)
        shown.append([e.value for e in at.error])
        assert [w.label for w in at.text_input] == ["用户名", "密码"]           # still the form
        assert not at.dataframe
        sent = everything_sent(at)
        assert password not in sent and "$argon2" not in sent
    assert shown == [[md("login.failed")]] * 3


def test_after_five_failures_even_the_right_password_gets_the_same_message(accounts_db):
    at = open_page()
    for _ in range(5):
        log_in(at, "zzedit", "wrong password")
    log_in(at, "zzedit")                                 # locked for 15 minutes: refused, said the same way
    assert [e.value for e in at.error] == [md("login.failed")]
    assert [w.label for w in at.text_input] == ["用户名", "密码"] and not at.dataframe
    log_in(at, "zzadmin")                                # another account is not locked
    assert not at.error


# ------------------------------------------------------------------------------------------- a county editor

def county_editor(**params) -> AppTest:
    at = log_in(open_page(**params), "zzedit")
    at.run()                       # the run after the cookie handover (a browser reloads; AppTest runs again)
    assert not at.exception
    return at


def test_a_county_editor_starts_at_the_county_with_its_own_pickers_and_breadcrumb(accounts_db, demo_store):
    at = county_editor(date=DATE)
    assert at.query_params["scope"] == "610124"
    assert figures(demo_store, "610124", DATE) in [e.value for e in at.markdown]
    # one picker: the county's townships; the breadcrumb starts at the county
    assert [s.label for s in at.sidebar.selectbox] == [t("level.4").capitalize()]
    assert [b.label for b in at.button if b.key and b.key.startswith("crumb_")] == []
    sidebar = [e.value for e in at.sidebar.markdown] + [e.value for e in at.sidebar.caption]
    assert md("login.who", name="周至县录入员", user="zzedit") in sidebar
    assert md("login.role_scope", role="录入", scope="周至县") in sidebar
    assert md("acc.open_banner") not in [e.value for e in at.info]
    # an editor may import: the page is there; the administrators' pages are not
    at.switch_page("pages/imports.py").run()
    assert not at.exception and at.title[0].value == t("page.imports")


def test_a_county_editors_preview_of_another_countys_ledger_is_what_the_import_would_do(accounts_db, tmp_path):
    """A 碑林区 ledger, imported already by the country: to 周至县's editor its rows are not importable (as the
    import would reject them), no import is offered, and the other county's batch is not named."""
    ledger = tmp_path / "碑林区台账.csv"
    ledger.write_text("区划代码,村（社区）名称,法律顾问姓名,联系电话,聘任期限\n"
                      "610103001002,大车家巷社区居委会,碑林顾问甲,13800000011,2026.1-2027.12\n"
                      "610103001004,南院门社区居委会,碑林顾问乙,13800000012,2026.1-2027.12\n", encoding="utf-8")
    store = app_store(accounts_db)
    batch = imports.run_import(store, "assignments", ledger, {}).batch_id
    at = county_editor(date=DATE)
    at.switch_page("pages/imports.py").run()
    at.file_uploader[0].set_value((ledger.name, ledger.read_bytes(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = {m.label: m.value for m in at.metric}
    assert (shown[t("imp.m.accepted")], shown[t("imp.m.rejected")]) == ("0", "2")
    assert t("imp.do") not in [b.label for b in at.button]
    assert md("imp.already", batch=batch) not in [i.value for i in at.info]


@pytest.mark.parametrize("asked, name", [("6102", "铜川市"), ("6101", "西安市"), ("0", "全国"),
                                         ("610122001", "蓝关街道")])
def test_a_link_outside_the_county_shows_the_county_with_a_notice(accounts_db, demo_store, asked, name):
    at = county_editor(date=DATE)
    at.query_params["scope"] = asked
    at.run()
    assert at.query_params["scope"] == "610124"
    assert md("acc.outside", asked=name, name="周至县") in [w.value for w in at.warning]
    assert figures(demo_store, "610124", DATE) in [e.value for e in at.markdown]


def test_the_gap_list_of_a_county_user_holds_only_their_villages_and_its_download_is_audited(
        accounts_db, demo_store, downloads):
    at = county_editor(date=DATE, scope="6102")
    at.switch_page("pages/gaps.py").run()
    table = at.dataframe[0].value
    assert len(table) and table[t("col.code")].str.startswith("610124").all()
    store = app_store(accounts_db)                          # the app's own (one writer per file)

    def exports():   # (the shared demo may already hold downloads other tests recorded: this test's user's only)
        return store.query("SELECT username, action, scope, detail FROM audit WHERE action = 'export' "
                           "AND username = 'zzedit'")

    # the page offers the files and builds none: nothing to fetch, nothing recorded until the click
    assert not downloads.static and exports().empty
    [name] = [k for k in downloads if k.startswith(t("gaps.file")) and k.endswith(".xlsx")]
    sheet = openpyxl.load_workbook(io.BytesIO(downloads[name])).active      # the click: built and recorded
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes and all(c.startswith("610124") for c in codes)
    rows = exports()
    assert rows[["username", "action", "scope"]].values.tolist() == [["zzedit", "export", "610124"]]
    assert json.loads(rows["detail"][0]) | {"format": "xlsx", "rows": len(codes)} == json.loads(rows["detail"][0])


def test_a_viewer_has_no_import_page(accounts_db):
    at = log_in(open_page(), "ytview")
    at.run()
    with pytest.raises(ValueError, match="imports.py"):       # not in a viewer's navigation at all
        at.switch_page("pages/imports.py")


def follow_link(at: AppTest, url_path: str) -> AppTest:
    """Open the page a link ``/<url_path>`` names, as a browser would: AppTest switches pages by file only, and
    one file (pages/denied.py) stands for every refused page."""
    from streamlit.util import calc_hash

    at._page_hash = calc_hash(url_path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("user, path", [("ytview", "imports"), ("ytview", "users"), ("ytview", "audit"),
                                        ("zzedit", "users")])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_link_to_a_page_the_role_does_not_allow_says_so(accounts_db, user, path, lang):
    at = log_in(open_page(), user)
    at.query_params["lang"] = lang
    at.run()
    follow_link(at, path)
    title_key = navigation.GUARDED_PAGES[path]
    role = t(USERS[user][0].label_key, lang)
    assert [x.value for x in at.title] == [t(title_key, lang)]
    assert [w.value for w in at.warning] == [md("msg.denied.role", lang, page=t(title_key, lang), role=role)]
    assert not at.dataframe and not at.get("file_uploader")          # nothing of the page itself


def test_a_link_to_a_refused_page_is_recorded_once_a_session_with_who_and_why(accounts_db):
    at = log_in(open_page(), "ytview")
    at.run()
    for path in ("imports", "audit", "imports"):
        follow_link(at, path)
    follow_link(log_in(open_page(), "zzedit"), "users")
    rows = audit.entries(app_store(accounts_db), OPEN, action="refused")
    tried = sorted((u, d["attempt"], d["reason"]) for u, d in zip(rows["user"], rows["detail"]))
    assert tried == [("ytview", "import", "acc.e.role"), ("ytview", "read_audit", "acc.e.role"),
                     ("zzedit", "manage_accounts", "acc.e.role")]


def test_a_viewer_opening_the_import_link_is_told_not_shown_the_map(accounts_db):
    at = log_in(open_page(), "ytview")
    at.run()
    at.switch_page("pages/denied.py").run()      # the first refused page: 数据导入
    assert [x.value for x in at.title] == [t("page.imports")]
    assert md("msg.denied.role", page=t("page.imports"), role=t("role.viewer")) in [w.value for w in at.warning]


def test_in_open_mode_the_admin_pages_link_says_there_are_no_accounts(app_db):
    at = open_page()
    follow_link(at, "users")
    assert md("msg.denied.open", page=t("page.users")) in [w.value for w in at.warning]


def test_logging_out_ends_the_session(accounts_db):
    at = county_editor(date=DATE)
    token = at.session_state["login_token"]
    [out] = [b for b in at.sidebar.button if b.label == t("login.logout")]
    out.click().run()
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
    assert accounts.session_principal(app_store(accounts_db), token) is None


# ------------------------------------------------------------------------------------------- administrators

def test_an_admin_lists_adds_disables_and_resets_accounts_in_their_county(accounts_db):
    at = log_in(open_page(), "zzadmin")
    at.run()
    at.switch_page("pages/users.py").run()
    assert not at.exception
    listed = at.dataframe[0].value[t("users.col.user")].tolist()
    assert listed == ["zzadmin", "zzedit"]               # not the city's viewer, not the ministry's admin
    at.text_input(key="u_name").input("zzview2")
    at.text_input(key="u_display").input("新查看员")
    at.selectbox(key="u_role").set_value("viewer")
    at.text_input(key="u_scope").input("610124101")
    at.text_input(key="u_pw").input("a-new-pass-1")
    at.text_input(key="u_pw2").input("a-new-pass-1")
    [create] = [b for b in at.button if b.label == t("users.create")]
    create.click().run()
    assert md("users.created", user="zzview2") in [e.value for e in at.success]
    # an account above the county is refused, by the library
    at.text_input(key="u_name").input("cityadmin")
    at.text_input(key="u_scope").input("6101")
    at.text_input(key="u_pw").input("a-new-pass-1")
    at.text_input(key="u_pw2").input("a-new-pass-1")
    [create] = [b for b in at.button if b.label == t("users.create")]
    create.click().run()
    assert at.error and "6101" in at.error[0].value
    store = app_store(accounts_db)                          # the app's own (one writer per file)
    edit_session = accounts.start_session(store, accounts.authenticate(store, "zzedit", PASSWORD))
    at.selectbox(key="u_pick").set_value("zzedit").run()
    at.text_input(key="u_new_pw").input("reset-by-admin")
    [reset] = [b for b in at.button if b.label == t("users.reset")]
    reset.click().run()
    assert md("users.done_reset", user="zzedit") in [e.value for e in at.success]
    assert accounts.session_principal(store, edit_session) is None          # a stolen cookie stops working
    at.button(key="u_disable").click().run()
    enabled = {a.username: a.enabled for a in accounts.list_accounts(store, OPEN)}
    assert enabled == {"root": True, "ytview": True, "zzadmin": True, "zzedit": False, "zzview2": True}
    assert accounts.authenticate(store, "zzview2", "a-new-pass-1") is not None
    sent = everything_sent(at)
    assert "a-new-pass-1" not in sent and "$argon2" not in sent


def test_the_audit_page_filters_and_downloads_within_the_county(accounts_db, downloads):
    log_in(open_page(), "ytview").run()                      # a login in another city: not the county admin's to see
    at = log_in(open_page(), "zzadmin")
    at.run()
    at.switch_page("pages/audit.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    # the county's: its two accounts made (in open mode) and the admin's login; not 铜川市's viewer logging in
    # (left out: downloads other tests recorded on the shared demo before this test copied it)
    shown = sorted((u, a) for u, a in zip(table[t("audit.col.user")], table[t("audit.col.action")])
                   if a != t("audit.action.export"))
    assert shown == [("(open)", t("audit.action.account_add"))] * 2 + [("zzadmin", t("audit.action.login"))]
    # the audit page's own download is an export like any other: recorded when it is built, not before
    store = app_store(accounts_db)
    audit_exports = ("SELECT count(*) AS n FROM audit WHERE action = 'export' AND username = 'zzadmin' "
                     "AND detail LIKE '%\"what\": \"audit\"%'")
    assert not downloads.static and store.query(audit_exports)["n"][0] == 0
    [csv_name] = [k for k in downloads if k.endswith(".csv")]
    assert downloads[csv_name].decode("utf-8-sig").count("zzadmin") >= 1
    assert store.query(audit_exports)["n"][0] == 1
    at.selectbox(key="audit_action").set_value("login").run()
    assert at.dataframe[0].value[t("audit.col.user")].tolist() == ["zzadmin"]
    at.selectbox(key="audit_action").set_value(None)
    at.selectbox(key="audit_user").set_value("(open)").run()
    actions = at.dataframe[0].value[t("audit.col.action")].tolist()
    assert [a for a in actions if a != t("audit.action.export")] == [t("audit.action.account_add")] * 2
    tomorrow = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=1)   # the page's days
    at.date_input(key="audit_since").set_value(tomorrow).run()
    assert t("audit.none") in [e.value for e in at.info]


def test_the_audit_page_says_details_in_words_and_times_in_beijing_time(accounts_db):
    at = log_in(open_page(), "zzadmin")
    at.run()
    at.switch_page("pages/audit.py").run()
    table = at.dataframe[0].value
    time = t("audit.col.time_in", zone="北京时间，UTC+8")
    assert list(table.columns) == [time, *(t(f"audit.col.{c}") for c in ("user", "action", "scope", "detail"))]
    store = app_store(accounts_db)
    [[stored]] = store.query("SELECT time FROM audit WHERE username = 'zzadmin' AND action = 'login'").values
    login = table[table[t("audit.col.action")] == t("audit.action.login")]
    assert login[time].tolist() == [(pd.Timestamp(stored) + pd.Timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")]
    assert login[t("audit.col.detail")].tolist() == [""]
    made = table[t("audit.col.detail")][table[t("audit.col.action")] == t("audit.action.account_add")].tolist()
    assert "账号 zzadmin（周至县管理员），角色：管理" in made
    assert not any("{" in d for d in table[t("audit.col.detail")])
    assert table[time].tolist() == sorted(table[time], reverse=True)          # newest first, as the page says


def test_a_non_admin_gets_no_admin_pages(accounts_db):
    at = log_in(open_page(), "zzedit")
    at.run()
    for page in ("pages/users.py", "pages/audit.py"):
        with pytest.raises(ValueError, match=page.split("/")[1]):
            at.switch_page(page)
