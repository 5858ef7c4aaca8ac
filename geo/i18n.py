"""The one catalogue of user-facing text: Chinese first, English second.

``t("key")`` gives the Chinese text, ``t("key", "en")`` the English; ``t("key", lang, n=3)`` formats.
Keys missing from the catalogue raise, so a typo is caught by the tests instead of shown to a user.
"""
from __future__ import annotations

LANGS = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    # product
    "app_title": ("村居法律顾问覆盖图", "Village legal adviser coverage"),
    "app_subtitle": ("一村（居）一法律顾问", "One legal adviser for every village and community"),
    "language": ("语言", "Language"),
    # statuses
    "status.covered": ("已覆盖", "covered"),
    "status.expiring": ("即将到期", "expiring"),
    "status.lapsed": ("到期未续", "lapsed"),
    "status.never": ("从未配备", "never covered"),
    "status.help": ("已覆盖：有在聘合同；即将到期：在聘合同均在{days}天内到期；到期未续：曾有合同但已到期；"
                    "从未配备：从未签订合同",
                    "covered: a contract in force; expiring: every contract in force ends within {days} days; "
                    "lapsed: had a contract that has ended; never: no contract so far"),
    # levels
    "level.0": ("全国", "China"),
    "level.1": ("省", "province"),
    "level.2": ("市", "city"),
    "level.3": ("县（区）", "county"),
    "level.4": ("乡镇（街道）", "township"),
    "level.5": ("村（社区）", "village"),
    # table columns
    "col.code": ("区划代码", "code"),
    "col.name": ("名称", "name"),
    "col.village": ("村（社区）", "village"),
    "col.township": ("乡镇（街道）", "township"),
    "col.county": ("县（区）", "county"),
    "col.status": ("状态", "status"),
    "col.advisers": ("法律顾问", "adviser(s)"),
    "col.orgs": ("执业机构", "organisation"),
    "col.phones": ("联系电话", "phone"),
    "col.contract_start": ("合同起始", "contract start"),
    "col.contract_end": ("合同到期", "contract end"),
    "col.villages": ("村居数", "villages"),
    "col.covered": ("已覆盖", "covered"),
    "col.expiring": ("即将到期", "expiring"),
    "col.lapsed": ("到期未续", "lapsed"),
    "col.never": ("从未配备", "never"),
    "col.coverage_rate": ("覆盖率", "coverage rate"),
    "col.month": ("月份", "month"),
    "col.rank": ("排名", "rank"),
    "open_ended": ("长期", "open-ended"),
    # errors
    "err.no_db": ("数据库不存在：{path}", "database not found: {path}"),
}


def t(key: str, lang: str = "zh", **fmt) -> str:
    zh, en = TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


def status_label(status: str, lang: str = "zh") -> str:
    return t(f"status.{status}", lang)


def level_label(level: int, lang: str = "zh") -> str:
    return t(f"level.{level}", lang)
