"""The audit trail as the page shows it: details in words in the page's language, times on a named local clock."""
import datetime as dt

import pandas as pd
import pytest

from geo import audit
from geo.errors import UserError
from geo.export import to_csv_bytes

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
