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
    # map legend and tooltip (geo.mapview)
    "legend.legend_rate": ("法律顾问覆盖率", "Legal adviser coverage"),
    "legend.legend_status": ("村（社区）顾问状态", "Village adviser status"),
    "legend.rate_lt60": ("低于 60%", "below 60%"),
    "legend.rate_60_80": ("60%–80%", "60%–80%"),
    "legend.rate_80_90": ("80%–90%", "80%–90%"),
    "legend.rate_90_95": ("90%–95%", "90%–95%"),
    "legend.rate_95_100": ("95%–100%（不含）", "95%–<100%"),
    "legend.rate_100": ("100%", "100%"),
    "legend.nodata": ("无数据", "no data"),
    "legend.schematic": ("示意边界（非真实边界）", "schematic boundary (not the real one)"),
    "legend.f_code": ("代码", "Code"),
    "legend.f_rate": ("覆盖率", "Coverage"),
    "legend.f_status": ("状态", "Status"),
    "legend.f_n_villages": ("村（社区）数", "Villages"),
    "legend.f_n_covered": ("已覆盖", "Covered"),
    "legend.f_n_expiring": ("即将到期", "Expiring"),
    "legend.f_n_lapsed": ("到期未续", "Lapsed"),
    "legend.f_n_never": ("从未配备", "Never"),
    "legend.f_adviser": ("法律顾问", "Adviser"),
    "legend.f_org": ("执业机构", "Organisation"),
    "legend.f_phone": ("电话", "Phone"),
    "legend.f_period": ("服务期限", "Period"),
    # basemaps
    "basemap": ("底图", "Basemap"),
    "basemap.none": ("无底图（仅边界）", "none (outlines only)"),
    "basemap.tianditu_vec": ("天地图 矢量", "Tianditu vector"),
    "basemap.tianditu_img": ("天地图 影像", "Tianditu imagery"),
    "basemap.osm": ("OpenStreetMap", "OpenStreetMap"),
    "basemap.xyz": ("内网瓦片服务", "intranet tile server"),
    # errors
    "err.no_db": ("数据库不存在：{path}", "database not found: {path}"),
    # app: navigation and shared controls
    "page.map": ("覆盖地图", "Coverage map"),
    "page.gaps": ("缺口清单", "Gap list"),
    "page.summary": ("总览", "Overview"),
    "lang.zh": ("中文", "中文"),
    "lang.en": ("English", "English"),
    "date": ("统计日期", "As of"),
    "date.help": ("按这一天仍有效的合同计算", "Coverage counted from the contracts in force on this day"),
    "scope": ("查看范围", "Area"),
    "scope.all": ("（全部）", "(all)"),
    "building_demo": ("首次启动：正在生成演示数据（约 10 秒）…", "First start: building the demo data (about 10 s)…"),
    "demo_note": ("演示数据：陕西省，法律顾问和合同为随机生成，并非真实情况。",
                  "Demo data: Shaanxi, with generated advisers and contracts, not real ones."),
    "bad_scope": ("链接里的区划代码“{raw}”无法识别，已改为显示{name}。",
                  "The area code '{raw}' in the link is not known; showing {name} instead."),
    "bad_date": ("链接里的日期“{raw}”无法识别（应为 2026-11-27 这样的格式），已改为今天。",
                 "The date '{raw}' in the link is not a date like 2026-11-27; showing today instead."),
    "figures": ("{name}：村（社区）{villages} 个，已覆盖 {covered} 个，覆盖率 {rate}；"
                "即将到期 {expiring} 个，到期未续 {lapsed} 个，从未配备 {never} 个。",
                "{name}: {villages} villages, {covered} covered ({rate}); {expiring} expiring, "
                "{lapsed} lapsed, {never} never covered."),
    "no_villages": ("{name}没有村（社区）数据。", "{name} has no villages in the registry."),
    # map page
    "map.hint_units": ("点击地图上的{unit}进入下一级；点上方的路径可以返回上一级。",
                       "Click a {unit} on the map to open it; use the path above to go back up."),
    "map.hint_villages": ("点击地图上的村（社区）查看法律顾问和合同。",
                          "Click a village on the map to see its adviser and contract."),
    "map.schematic": ("图中虚线框的村（社区）边界是示意图，不是真实边界，只用来看各状态分布在哪里。",
                      "Dashed village cells are schematic, not real boundaries: they only show where each "
                      "status lies."),
    "map.missing": ("以下 {n} 个{unit}暂无边界，地图上画不出来：{names}。它们的数字见下表；"
                    "边界可在“数据导入”页导入。",
                    "{n} {unit} unit(s) have no boundaries and cannot be drawn: {names}. Their figures are in "
                    "the table below; boundaries can be imported on the Data import page."),
    "map.no_geoms_county": ("{name}的乡镇和村（社区）边界还没有导入，地图上只显示县界。各{unit}的数字见下表，"
                            "各村情况见“缺口清单”；边界可在“数据导入”页导入。",
                            "The township and village boundaries of {name} have not been imported yet, so the "
                            "map shows only the county outline. Figures by {unit} are in the table below, each "
                            "village on the Gap list; boundaries can be imported on the Data import page."),
    "map.no_geoms_town": ("{name}的村（社区）边界还没有导入，暂时画不出地图。各村（社区）的情况见下表；"
                          "村界可在“数据导入”页导入。",
                          "The village boundaries of {name} have not been imported yet, so there is no map. "
                          "Each village is listed below; village boundaries can be imported on the Data "
                          "import page."),
    "map.table": ("各{unit}情况", "Figures by {unit}"),
    "detail.title": ("村（社区）详情", "Village details"),
    "detail.pick": ("在地图上点一个村（社区），这里会显示它的法律顾问、执业机构、电话和合同期限。",
                    "Click a village on the map to see its adviser, organisation, phone and contract period."),
    "detail.no_contract": ("这个村（社区）从未签订法律顾问合同。", "This village has never had an adviser contract."),
    "detail.period": ("合同期限", "contract period"),
    "detail.last": ("（最近一份合同，已到期）", "(last contract, ended)"),
    # gap list
    "gaps.intro": ("到期未续、即将到期和从未配备法律顾问的村（社区），可按状态和乡镇筛选，下载后分发跟进。",
                   "Villages whose contracts lapsed, are about to expire, or never had an adviser; filter, "
                   "download and follow up."),
    "gaps.count": ("共 {n} 个村（社区）", "{n} villages"),
    "gaps.none": ("没有符合条件的村（社区）。", "No village matches."),
    "gaps.file": ("缺口清单", "gap_list"),
    "download.xlsx": ("下载 Excel（.xlsx）", "Download Excel (.xlsx)"),
    "download.csv": ("下载 CSV", "Download CSV"),
    # overview
    "metric.villages": ("村（社区）总数", "Villages"),
    "metric.covered": ("已覆盖", "Covered"),
    "metric.rate": ("覆盖率", "Coverage rate"),
    "metric.expiring": ("{days} 天内到期", "Expiring within {days} days"),
    "metric.lapsed": ("到期未续", "Lapsed"),
    "metric.never": ("从未配备", "Never covered"),
    "metric.advisers": ("在聘法律顾问", "Advisers serving"),
    "metric.per_adviser": ("人均服务村（社区）", "Villages per adviser"),
    "summary.ranking": ("各{unit}覆盖率排名", "Coverage ranking by {unit}"),
    "summary.ranking_note": ("按覆盖率从高到低排列，标红的是最低的 {n} 个。",
                             "Highest coverage first; the lowest {n} are marked red."),
    "summary.trend": ("近 24 个月覆盖率", "Coverage over the past 24 months"),
    "summary.trend_note": ("每月最后一天的覆盖率（本月按所选日期）。",
                           "Coverage on the last day of each month (this month: the chosen date)."),
}


def t(key: str, lang: str = "zh", **fmt) -> str:
    zh, en = TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


def status_label(status: str, lang: str = "zh") -> str:
    return t(f"status.{status}", lang)


def level_label(level: int, lang: str = "zh") -> str:
    return t(f"level.{level}", lang)
