"""The audit trail as the page shows it: details in words in the page's language, times on a named local clock."""
import datetime as dt
import json

import pandas as pd
import pytest

from geo.auth import audit
from geo.auth.access import AccessDenied, Principal, Role
from geo.core.codes import Scope
from geo.core.errors import UserError
from geo.outputs.export import to_csv_bytes
from geo.text.catalogue import TEXT, t

IMPORT = {"kind": "assignments", "file": "周至县台账.xlsx", "sha256": "ab" * 32, "batch": 3,
          "rows": {"read": 12, "accepted": 10, "rejected": 2}}
EXPORT = {"what": "gap_list", "format": "xlsx", "as_of": "2026-06-01", "statuses": ["never", "lapsed"],
          "township": None, "rows": 3, "contacts": True}


@pytest.mark.parametrize("action, detail, zh, en", [
    ("import", IMPORT,
     "法律顾问台账“周至县台账.xlsx”，批次 3：读取 12 行，导入 10 行，未导入 2 行；文件指纹：abababababab…",
     "Adviser ledger '周至县台账.xlsx', batch 3: 12 rows read, 10 imported, 2 not imported; SHA-256: abababababab…"),
    ("rollback", {"kind": "services", "batch": 4}, "撤销服务台账批次 4", "Service log batch 4 rolled back"),
    ("export", EXPORT, "缺口村居清单（XLSX，截至 2026-06-01）；含联系方式：是；行数：3；状态：从未配备、到期未续",
     "gap list (XLSX, as of 2026-06-01); with contacts: yes; rows: 3; statuses: never covered, lapsed"),
    ("export", {"what": "map", "format": "html", "as_of": "2026-06-01"}, "离线地图（HTML，截至 2026-06-01）",
     "offline map (HTML, as of 2026-06-01)"),
    ("account_add", {"account": "zhang", "role": "editor", "display_name": "张三"}, "账号 zhang（张三），角色：录入",
     "account zhang (张三), role: editor"),
    ("account_disable", {"account": "li"}, "账号 li", "account li"),
    ("login_failed", {"reason": "wrong_password", "failures": 3, "locked": False},
     "密码错误；连续失败次数：3；已锁定：否", "wrong password; failures in a row: 3; locked: no"),
    ("login_failed", {"reason": "unknown_user"}, "用户名不存在", "unknown user name"),
    ("login", {}, "", ""),
    # an action or a shape this module does not know (another version's rows): its values as key: value
    ("refused", {"why": "role", "wanted": "import"}, "wanted：import；why：role", "wanted: import; why: role"),
    ("import", {"kind": "assignments", "file": "x.csv"}, "文件：x.csv；类型：法律顾问台账",
     "file: x.csv; kind: Adviser ledger"),
])
def test_details_read_as_sentences(action, detail, zh, en):
    assert audit.describe(action, detail, "zh") == zh
    assert audit.describe(action, detail, "en") == en


def test_a_file_name_is_shown_as_written_and_kept_inert_in_the_download():
    frame = pd.DataFrame({"time": [dt.datetime(2026, 12, 6, 20, 0)], "user": ["zz"], "action": ["import"],
                          "scope": ["610124"], "detail": [{**IMPORT, "file": "=HYPERLINK(\"x\")**粗体**.xlsx"}]})
    table = audit.page_table(frame, audit.display_zone(), "zh")
    assert "“=HYPERLINK(\"x\")**粗体**.xlsx”" in table.iloc[0, 4]
    assert "\n=" not in to_csv_bytes(table).decode("utf-8-sig").replace(",=", "\n=")


def test_times_on_the_local_clock_with_the_zone_in_the_header():
    frame = pd.DataFrame({"time": [dt.datetime(2026, 12, 6, 20, 0), dt.datetime(2026, 7, 1, 0, 30)],
                          "user": ["a", "b"], "action": ["login", "logout"], "scope": ["", ""], "detail": [{}, {}]})
    table = audit.page_table(frame, audit.display_zone(None), "zh")
    assert table.columns[0] == "时间（北京时间，UTC+8）"
    assert table.iloc[:, 0].tolist() == ["2026-12-07 04:00:00", "2026-07-01 08:30:00"]
    berlin = audit.page_table(frame, audit.display_zone("Europe/Berlin"), "en")
    assert berlin.columns[0].startswith("Time (Europe/Berlin, UTC+")
    assert berlin.iloc[:, 0].tolist() == ["2026-12-06 21:00:00", "2026-07-01 02:30:00"]      # summer time
    assert audit.page_table(frame, audit.display_zone("UTC"), "en").columns[0] == "Time (UTC)"


def test_a_day_starts_at_local_midnight():
    zone = audit.display_zone("Asia/Shanghai")
    assert audit.utc_start(dt.date(2026, 12, 7), zone) == dt.datetime(2026, 12, 6, 16, 0)


@pytest.mark.parametrize("name", ["Mars/Olympus", "../etc/passwd", "Asia/Shanghai; rm"])
def test_a_zone_that_is_not_one_is_refused_saying_where_to_set_it(name):
    with pytest.raises(UserError) as refused:
        audit.display_zone(name)
    assert refused.value.key == "audit.e.zone" and "[display]" in refused.value.text("zh")


def refusal_detail(error, attempt: str, **tried) -> dict:
    """The detail :func:`audit.record_refusal` stores for `error` (recorded into a list, not a store)."""
    rows = []

    class Trail:
        def quiet_transaction(self):
            import contextlib
            return contextlib.nullcontext(None)

        def add_audit(self, cur, time, user, action, scope, detail):
            rows.append(json.loads(detail))

    audit.record_refusal(Trail(), Principal("tester", "t", Role.VIEWER, Scope("610124")), attempt, error, tried)
    return rows[0]


@pytest.mark.parametrize("error, attempt, tried, zh, en", [
    (AccessDenied(key="acc.e.role", params={"action": "import", "role": "viewer"}), "import",
     {"kind": "assignments"}, "拒绝了导入数据：您的角色（查看）无权执行此操作（导入数据）；类型：法律顾问台账",
     "refused to import data: your role (viewer) does not allow this (import data); kind: Adviser ledger"),
    (AccessDenied(key="acc.e.rollback_scope", params={"batch": 7}), "rollback", {"batch": 7},
     "拒绝了撤销导入：" + t("acc.e.rollback_scope", "zh", batch=7),
     "refused to roll back an import: " + t("acc.e.rollback_scope", "en", batch=7)),
    (AccessDenied(key="acc.e.unknown", params={"name": "root"}), "account_passwd", {"account": "root"},
     "拒绝了修改密码：没有用户“root”；账号：root", "refused to set a password: no user 'root'; account: root"),
    # what was tried (scope 61) took the name of the reason's own value: the stored message, in one language
    (AccessDenied(key="acc.e.scope", params={"scope": "610000000000"}), "account_add",
     {"account": "sx", "role": "admin", "scope": "61"},
     "拒绝了新建账号：" + t("acc.e.scope", "zh", scope="610000000000") + "；账号：sx；角色：管理；范围：61",
     "refused to create an account: " + t("acc.e.scope", "en", scope="610000000000")
     + "; account: sx; role: admin; scope: 61"),
])
def test_a_refusal_reads_as_what_was_tried_and_why(error, attempt, tried, zh, en):
    detail = refusal_detail(error, attempt, **tried)
    assert audit.describe("refused", detail, "zh") == zh
    assert audit.describe("refused", detail, "en") == en


def test_every_action_recorded_has_a_word_and_a_sentence():
    details = {"login": {}, "logout": {}, "login_failed": {"reason": "locked"},
               "import": IMPORT, "rollback": {"kind": "services", "batch": 4}, "export": EXPORT,
               "account_add": {"account": "z", "role": "viewer", "display_name": "Z"},
               "account_passwd": {"account": "z"}, "account_enable": {"account": "z"},
               "account_disable": {"account": "z"}, "demo_rebuild": {"store": "/srv/coverage.duckdb"},
               "record": {"change": "end", "batch": 7, "items": [
                   {"village": "610124100201", "before": {"name": "顾问甲", "end": "2026-12-31"},
                    "after": {"name": "顾问甲", "end": "2026-03-14", "reason": "transfer"}}]},
               "visit": {"kind": "visit", "batch": 9, "village": "610124001200", "village_name": "镇东村委会",
                         "date": "2026-11-20", "adviser": 3, "adviser_name": "张三", "mode": "onsite", "hours": 2.0},
               "signboards": {"villages": 12, "as_of": "2026-11-27", "paper": "A4", "new_addresses": 3,
                              "only_reprint": False, "data_version": "7-7"},
               "token_rotate": {"villages": 1, "codes": ["610124100201"]},
               "public_settings": {"supervision_phone": "029-87654321", "hotline": "12348"},
               "refused": refusal_detail(AccessDenied(key="acc.e.role", params={"action": "read_audit",
                                                                                 "role": "editor"}), "read_audit")}
    assert set(details) == set(audit.ACTIONS)
    for action, detail in details.items():
        for lang in ("zh", "en"):
            assert f"audit.action.{action}" in TEXT
            said = audit.describe(action, detail, lang)
            assert "attempt" not in said and "{" not in said and "acc.e." not in said and " / " not in said
    assert audit.describe("demo_rebuild", details["demo_rebuild"], "zh").startswith("演示数据已清空重建")
    assert audit.describe("refused", details["refused"], "en") == \
        "refused to read the audit trail: your role (editor) does not allow this (read the audit trail)"
    # every attempt a refusal can name, and every export the app records, is said in words
    for attempt in ("account_add", "account_passwd", "account_enabled", "account_list", "preview", "import",
                    "rollback", "read_audit", "manage_accounts"):
        assert f"audit.attempt.{attempt}" in TEXT
    for what in ("gap_list", "gap_plan", "briefing", "map", "adv", "ren", "audit", "import_report",
                 "no_data_counties"):
        assert f"audit.what.{what}" in TEXT
