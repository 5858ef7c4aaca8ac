"""The one catalogue of user-facing text: Chinese first, English second.

``t("key")`` gives the Chinese text, ``t("key", "en")`` the English; ``t("key", lang, n=3)`` formats.
Keys missing from the catalogue raise, so a typo is caught by the tests instead of shown to a user.
``md("key", lang, name=...)`` is the same text for a Markdown target (st.markdown, st.warning, a button label...):
every value is escaped by :func:`escape_markdown`, so text from a file or a link is shown, never read as Markdown.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

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
    "col.code": ("区划代码", "Code"),
    "col.name": ("名称", "Name"),
    "col.village": ("村（社区）", "Village"),
    "col.township": ("乡镇（街道）", "Township"),
    "col.county": ("县（区）", "County"),
    "col.status": ("状态", "Status"),
    "col.advisers": ("法律顾问", "Adviser(s)"),
    "col.orgs": ("执业机构", "Organisation"),
    "col.phones": ("联系电话", "Phone"),
    "col.contract_start": ("合同起始", "Contract start"),
    "col.contract_end": ("合同到期", "Contract end"),
    "col.contract_period": ("合同期限", "Contract period"),
    "col.villages": ("村居数", "Villages"),
    "col.covered": ("已覆盖", "Covered"),
    "col.expiring": ("即将到期", "Expiring"),
    "col.lapsed": ("到期未续", "Lapsed"),
    "col.never": ("从未配备", "Never"),
    "col.coverage_rate": ("覆盖率", "Coverage rate"),
    "col.month": ("月份", "Month"),
    "col.rank": ("排名", "Rank"),
    "col.has_data": ("有数据", "Has data"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "open_ended": ("长期", "open-ended"),
    # map legend and tooltip (geo.folium_map)
    "legend.legend_rate": ("法律顾问覆盖率", "Legal adviser coverage"),
    "legend.legend_status": ("村（社区）顾问状态", "Village adviser status"),
    "legend.rate_lt60": ("低于 60%", "below 60%"),
    "legend.rate_60_80": ("60%–80%", "60%–80%"),
    "legend.rate_80_90": ("80%–90%", "80%–90%"),
    "legend.rate_90_95": ("90%–95%", "90%–95%"),
    "legend.rate_95_100": ("95%–99.9%", "95%–99.9%"),
    "legend.rate_100": ("100%", "100%"),
    "legend.nodata": ("无数据", "no data"),
    "legend.schematic": ("示意边界（非真实边界）", "schematic boundary (not the real one)"),
    "legend.f_code": ("代码", "Code"),
    "legend.f_rate": ("覆盖率", "Coverage"),
    "legend.f_n_villages": ("村（社区）数", "Villages"),
    "legend.f_n_covered": ("已覆盖", "Covered"),
    "legend.f_n_expiring": ("即将到期", "Expiring"),
    "legend.f_n_lapsed": ("到期未续", "Lapsed"),
    "legend.f_n_never": ("从未配备", "Never"),
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
    "bad_date": ("链接里的日期“{raw}”无法使用（应为 {low} 至 {high} 之间、形如 2026-11-27 的日期），已改为今天。",
                 "The date '{raw}' in the link cannot be used (it must be a date like 2026-11-27 between {low} "
                 "and {high}); showing today instead."),
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
    "map.village_focus": ("地图显示{village}所在的{township}，右侧是{village}的详情；"
                          "点地图上的其他村（社区）可以查看它们。",
                          "The map shows {township}, where {village} lies, with the details of {village} on the "
                          "right; click another village on the map to see that one."),
    "map.no_data_units": ("另有 {n} 个{unit}尚无合同记录（无数据），未计入。",
                          "{n} {unit}(s) with no contract on record (no data) are not counted."),
    "map.table": ("各{unit}情况", "Figures by {unit}"),
    "detail.title": ("村（社区）详情", "Village details"),
    "detail.pick": ("在地图上点一个村（社区），这里会显示它的法律顾问、执业机构、电话和合同期限。",
                    "Click a village on the map to see its adviser, organisation, phone and contract period."),
    "detail.no_contract": ("这个村（社区）从未签订法律顾问合同。", "This village has never had an adviser contract."),
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
    "summary.ranking_plain": ("按覆盖率从高到低排列。", "Highest coverage first."),
    "summary.worst": ("需关注：覆盖率最低的 {n} 个{unit}",
                      "Needs attention: the {n} {unit}(s) with the lowest coverage"),
    "summary.all_ranked": ("全部 {n} 个{unit}", "All {n} {unit}(s)"),
    "summary.no_data_units": ("{n} 个{unit}无数据，未计入", "{n} {unit}(s) excluded: no data"),
    "summary.no_data_list": ("无数据的 {n} 个{unit}（尚无合同记录，台账可能未导入；不参加排名）",
                             "{n} {unit}(s) with no data (no contract on record, ledgers perhaps not imported; "
                             "not ranked)"),
    "summary.trend": ("近 24 个月覆盖率", "Coverage over the past 24 months"),
    "summary.trend_no_data": ("尚无合同记录，没有可画的走势。", "No contract on record yet: no trend to draw."),
    "summary.trend_note": ("每月最后一天的覆盖率（本月按所选日期）。",
                           "Coverage on the last day of each month (this month: the chosen date)."),
    # data import page
    "page.imports": ("数据导入", "Data import"),
    "imp.intro": ("导入法律顾问台账、村级边界或新的区划代码表。上传后先核对识别结果，确认后才写入数据库；"
                  "每次导入都记为一个批次，可以撤销。",
                  "Import an adviser ledger, village boundaries or a newer division code list. After the upload "
                  "you check what was read; nothing is saved until you confirm. Every import is recorded as a "
                  "batch and can be rolled back."),
    "imp.step_kind": ("1. 选择要导入的数据", "1. What to import"),
    "imp.kind": ("数据类型", "Kind of data"),
    "imp.kind.assignments": ("法律顾问台账", "Adviser ledger"),
    "imp.kind.boundaries": ("村级边界", "Village boundaries"),
    "imp.kind.registry": ("区划代码", "Division codes"),
    "imp.kind.demo": ("演示数据", "Demo data"),
    "imp.kind.init": ("初始区划（随软件提供）", "Initial registry (shipped)"),
    "imp.expect.assignments": ("Excel 或 CSV 台账（.xlsx .xls .csv），每行一个村（社区），有村名、法律顾问姓名和"
                               "聘任期限；标题行、合并单元格、合计行都可以保留。",
                               "An Excel or CSV ledger (.xlsx .xls .csv), one village per row with the village "
                               "name, the adviser's name and the contract period; title rows, merged cells and "
                               "total rows may stay."),
    "imp.expect.boundaries": ("村界图层：shapefile 打包的 .zip，或 .geojson / .json / .gpkg，要有村代码或村名字段，"
                              "常见坐标系均可。",
                              "A village boundary layer: a shapefile packed as .zip, or .geojson / .json / .gpkg, "
                              "with a village code or name field, in any common coordinate system."),
    "imp.expect.registry": ("统计用区划代码表（.csv .xlsx .xls），有“区划代码”和“名称”两列；"
                            "只比对文件里列出了县本身的县。",
                            "A division code list (.csv .xlsx .xls) with a code column and a name column; only the "
                            "counties whose own row is in the file are compared."),
    "imp.step_file": ("2. 上传文件", "2. Upload the file"),
    "imp.upload": ("选择{kind}文件（不超过 {mb} MB）", "Choose the {kind} file (up to {mb} MB)"),
    "imp.too_big": ("“{name}”有 {size} MB，超过了 {mb} MB 的上限，请按县或乡镇拆分后再上传。",
                    "'{name}' is {size} MB, more than the {mb} MB limit; split it by county or township and "
                    "upload the parts."),
    "imp.bad_type": ("“{name}”不是{kind}所用的文件类型（应为 {types}）。",
                     "'{name}' is not a file type used for {kind} (expected {types})."),
    "imp.step_preview": ("3. 核对识别结果（尚未写入）", "3. Check what was read (nothing saved yet)"),
    "imp.reading": ("正在读取“{name}”…", "Reading '{name}'…"),
    "imp.already": ("这个文件已在第 {batch} 批导入过，再次导入不会有任何改动。",
                    "This file was already imported as batch {batch}; importing it again changes nothing."),
    "imp.header_row": ("{sheet}表头在第 {row} 行，数据从第 {start} 行开始。",
                       "{sheet}Header on row {row}, data from row {start}."),
    "imp.sheet": ("工作表“{sheet}”：", "Sheet '{sheet}': "),
    "imp.columns": ("识别出的列", "Columns recognised"),
    "imp.col.field": ("内容", "Field"),
    "imp.col.header": ("文件中的列名", "Header in the file"),
    "imp.field.seq": ("序号", "number"),
    "imp.field.township": ("乡镇（街道）", "township"),
    "imp.field.village": ("村（社区）名称", "village name"),
    "imp.field.code": ("区划代码", "division code"),
    "imp.field.name": ("法律顾问姓名", "adviser's name"),
    "imp.field.kind": ("类别", "kind"),
    "imp.field.org": ("执业机构", "organisation"),
    "imp.field.licence": ("执业证号", "licence number"),
    "imp.field.phone": ("联系电话", "phone"),
    "imp.field.period": ("聘任期限", "contract period"),
    "imp.field.start": ("起始日期", "start date"),
    "imp.field.end": ("终止日期", "end date"),
    "imp.field.remark": ("备注", "remark"),
    "imp.id_note": ("身份证号不会被读取或保存：身份证号列整列跳过；其他单元格、文件名和区划名称里的身份证号"
                    "（带空格、横线或用全角数字写的也算）都会被删掉，并在导入报告里注明。",
                    "ID-card numbers are never read or saved: an ID column is skipped, and IDs in other cells, "
                    "in file names and in division names (also with spaces, dashes or full-width digits) are "
                    "removed and noted in the import report."),
    "imp.county": ("所属县（区）", "County"),
    "imp.county_detected": ("台账属于{name}（{code}），{how}。", "The ledger belongs to {name} ({code}), {how}."),
    "imp.how.title": ("根据表格标题识别", "recognised from the title"),
    "imp.how.villages": ("根据村名识别", "recognised from the village names"),
    "imp.how.codes": ("根据区划代码识别", "recognised from the division codes"),
    "imp.how.given": ("按您的选择", "as you chose"),
    "imp.county_auto": ("自动识别", "detect automatically"),
    "imp.county_pick": ("如果县不对，请选择", "If the county is wrong, choose it"),
    "imp.county_code": ("或输入县级区划代码（6 位）", "or type a 6-digit county code"),
    "imp.county_code_help": ("例如周至县是 610124。填写后以这里为准。",
                             "For example 610124 for 周至县. When filled in, this wins."),
    "imp.m.rows": ("数据行", "Data rows"),
    "imp.m.accepted": ("可导入的聘任", "Assignments to import"),
    "imp.m.rejected": ("不能导入", "Rejected"),
    "imp.m.dupes": ("重复（只导入一次）", "Duplicates (imported once)"),
    "imp.m.features": ("图斑数", "Features"),
    "imp.m.villages": ("匹配到的村（社区）", "Villages matched"),
    "imp.m.codes": ("有效区划代码", "Valid codes"),
    "imp.matched": ("匹配结果（共 {n} 条，显示前 {shown} 条）", "Matched ({n}, first {shown} shown)"),
    "imp.col.row": ("行号", "Row"),
    "imp.col.feature": ("要素序号", "Feature"),
    "imp.col.ledger_village": ("台账中的村名", "Village in the ledger"),
    "imp.col.reg_village": ("对应的村（社区）", "Registry village"),
    "imp.col.adviser": ("法律顾问", "Adviser"),
    "imp.col.period": ("聘任期限", "Period"),
    "imp.col.reason": ("原因", "Reason"),
    "imp.col.message": ("说明", "Explanation"),
    "imp.col.note": ("提示", "Note"),
    "imp.col.method": ("匹配方式", "Matched by"),
    "imp.col.source_names": ("文件中的名称", "Name in the file"),
    "imp.col.level": ("级别", "Level"),
    "imp.method.code": ("代码", "code"),
    "imp.method.name": ("名称", "name"),
    "imp.rejects": ("以下 {n} 项不能导入，请在文件中改正后重新上传：",
                    "{n} item(s) cannot be imported; correct them in "
                    "the file and upload it again:"),
    "imp.no_rejects": ("没有不能导入的项。", "Nothing was rejected."),
    "imp.reason.doubtful": ("已导入，请核对", "imported; please check"),
    "imp.reason.unknown_village": ("找不到这个村", "village not found"),
    "imp.reason.ambiguous_village": ("同名村不止一个", "several villages of that name"),
    "imp.reason.bad_period": ("聘任期限无法识别", "period not readable"),
    "imp.reason.end_before_start": ("终止早于起始", "ends before it starts"),
    "imp.reason.no_adviser": ("没有法律顾问姓名", "no adviser name"),
    "imp.reason.no_village": ("没有村名", "no village"),
    "imp.reason.bad_code": ("代码无效", "invalid code"),
    "imp.reason.no_geometry": ("没有图形", "no geometry"),
    "imp.reason.outside_china": ("坐标不在中国境内", "outside China"),
    "imp.reason.invalid_geometry": ("图形无效", "invalid geometry"),
    "imp.reason.not_in_county": ("不在所选县内", "not in the chosen county"),
    "imp.reason.no_county": ("无法确定所在县", "county unknown"),
    "imp.reason.abolished": ("撤销", "abolished"),
    # an import refused as a whole (geo.imports.ImportRefused); {file} is the file's name
    "imp.e.not_found": ("{file}：文件不存在", "{file}: file not found"),
    "imp.e.folder": ("{file}：是文件夹，不是文件", "{file}: is a folder, not a file"),
    "imp.e.file_type": ("{file}：{kind}不能用这种文件，请用 {types}",
                        "{file}: not a file type for {kind}; use {types}"),
    "imp.e.empty": ("{file}：文件是空的", "{file}: the file is empty"),
    "imp.e.encoding": ("{file}：无法识别文字编码（应为 UTF-8 或 GBK）", "{file}: text encoding not UTF-8 or GBK"),
    "imp.e.not_excel": ("{file}：已损坏或不是 Excel 文件", "{file}: corrupt or not an Excel file"),
    "imp.e.excel": ("{file}：无法读取 Excel 文件（{err}）", "{file}: cannot read the Excel file ({err})"),
    "imp.e.no_header": ("{file}：前 15 行里没有找到“区划代码”和“名称”两列的表头",
                        "{file}: no header with a code column (区划代码/code) and a name column (名称/name) in the "
                        "first 15 rows"),
    "imp.e.no_code": ("{file}：没有一行有效的区划代码", "{file}: no row holds a valid division code"),
    "imp.e.no_rows": ("{file}：表头（第 {row} 行）下面没有数据行", "{file}: no data rows below the header (row {row})"),
    "imp.e.no_batch": ("没有第 {batch} 批", "there is no batch {batch}"),
    "imp.e.rolled_back": ("第 {batch} 批已撤销", "batch {batch} was already rolled back"),
    "imp.e.initial": ("初始数据（演示数据或随软件提供的区划）不能撤销，请删除数据库文件后重建",
                      "the initial data (demo or shipped registry) cannot be rolled back; delete the database file "
                      "instead"),
    "imp.e.later": ("第 {batch} 批之后还有同类导入，请先撤销较新的批次", "later {kind} batches exist after batch "
                    "{batch}; roll those back first"),
    "imp.rb.done": ("第 {batch} 批已撤销", "batch {batch} rolled back"),
    # one note of an import report (a row rejected or worth a look); the row number is a column of its own
    "imp.n.bad_code": ("代码“{code}”不是 2/4/6/9/12 位数字或名称为空",
                       "code '{code}' is not 2/4/6/9/12 digits or the name is empty"),
    "imp.n.id_removed": ("已删除一个身份证号码", "an ID-card number was removed"),
    "imp.n.joined": ("{first}；{rest}", "{first}; {rest}"),
    # the one line an import ends with (CLI)
    "imp.sum.unchanged": ("{file}：与第 {batch} 批内容相同，未重复导入", "{file}: same content as batch {batch}; "
                          "nothing changed"),
    "imp.sum.done": ("{file}：第 {batch} 批，读取 {read} 行，导入 {accepted}，拒绝 {rejected}{extra}{changes}",
                     "{file}: batch {batch}, {read} read, {accepted} accepted, {rejected} rejected{extra}{changes}"),
    "imp.sum.extra": ("，{name}={value}", ", {name}={value}"),
    "cli.error": ("错误", "error"),
    # the full sentence of a reject (geo.matching.Reject: imp.why.<why>, formatted with its params)
    "imp.why.no_village": ("没有填写村（社区）名称", "no village or community given"),
    "imp.why.no_adviser": ("没有填写法律顾问姓名", "no legal adviser name given"),
    # a period's reason comes from geo.periods in both languages already
    "imp.why.period": ("{zh}", "{en}"),
    "imp.why.code_other_county": ("区划代码{code}不属于{county}", "code {code} is not in {county}"),
    "imp.why.code_unknown": ("区划库中没有代码{code}", "code {code} is not in the registry"),
    "imp.why.village_unknown": ("在{where}找不到村（社区）“{name}”", "village '{name}' not found in {where}"),
    "imp.why.ambiguous": ("{scope}有{n}个“{name}”：{listed}，请填写正确的乡镇或区划代码",
                          "{n} villages named '{name}' in {scope}: {listed}; give the right township or the code"),
    "imp.why.ambiguous_township": ("{scope}有{n}个“{name}”：{listed}，乡镇“{township}”无法区分，"
                                   "请填写正确的乡镇或区划代码",
                                   "{n} villages named '{name}' in {scope}: {listed}; township '{township}' does not "
                                   "decide; give the right township or the code"),
    "imp.why.no_geometry": ("“{name}”没有图形", "{name} has no geometry"),
    "imp.why.no_geometry_unnamed": ("没有图形", "has no geometry"),
    "imp.why.outside_china": ("“{name}”的坐标不在中国境内", "{name} lies outside China"),
    "imp.why.outside_china_unnamed": ("坐标不在中国境内", "lies outside China"),
    "imp.why.invalid_geometry": ("“{name}”图形无效且无法修复为面", "{name} geometry is invalid or not a polygon"),
    "imp.why.invalid_geometry_unnamed": ("图形无效且无法修复为面", "geometry is invalid or not a polygon"),
    "imp.why.code_not_in_county": ("代码 {code} 不属于所选县 {county}",
                                   "code {code} is not in the chosen county {county}"),
    "imp.why.no_code_no_name": ("没有代码，也没有村名", "no code and no village name"),
    "imp.why.unknown_code_no_name": ("代码“{code}”不在区划库中，也没有村名",
                                     "code '{code}' is not in the registry and no village name"),
    "imp.why.no_county": ("“{name}”无法确定所在县，请指定 county", "cannot tell the county of '{name}'; pass county="),
    "imp.why.outside_county": ("“{name}”位于所选县{counties}之外", "'{name}' lies outside the chosen county {codes}"),
    "imp.why.no_such_village": ("{counties}没有名为“{name}”的村（社区）",
                                "no village or community called '{name}' in county {codes}"),
    "imp.why.same_name": ("“{name}”在{counties}有 {n} 个同名村：{listed}；请加乡镇列或村代码",
                          "'{name}' matches {n} villages in county {codes} ({found}); add a township column or "
                          "village codes"),
    # remarks on rows that were used (geo.matching.Note)
    "imp.note.code_unknown": ("区划库中没有代码{code}，已按名称匹配",
                              "code {code} is not in the registry; matched by name"),
    "imp.note.other_township": ("“{name}”在区划库中属于其他乡镇，已按名称匹配",
                                "'{name}' belongs to another township in the registry; matched by name"),
    "imp.note.no_township": ("区划库中没有乡镇“{township}”", "township '{township}' is not in the registry"),
    "imp.note.code_name_differ": ("代码 {code} 对应“{registry}”，文件写的是“{written}”",
                                  "code {code} is '{registry}' in the registry but the file says '{written}'"),
    # where a message is about (geo.matching): a row of a table, a feature of a boundary file
    "match.at.row": ("第{row}行：{text}", "row {row}: {text}"),
    "match.at.feature": ("第 {row} 个要素：{text}", "feature {row}: {text}"),
    # a county given by the user or looked for in the file (geo.matching.resolve_county / choose_county)
    "match.county.bad_code": ("县级代码“{raw}”无效", "invalid county code '{raw}'"),
    "match.county.unknown_code": ("县级代码“{raw}”不在区划库中", "county code '{raw}' is not in the registry"),
    "match.county.not_unique": ("县名“{raw}”不唯一（{codes}），请给出县级代码",
                                "county name '{raw}' is not unique ({codes}); give the county code"),
    "match.county.unknown_name": ("找不到县“{raw}”", "no county called '{raw}' in the registry"),
    "match.county.undetected": ("无法判断属于哪个县，请选择县",
                                "cannot tell which county this belongs to; please choose the county"),
    "imp.b.read": ("坐标系 {crs}；文字编码 {encoding}；代码字段 {code}；名称字段 {name}；乡镇字段 {town}。",
                   "CRS {crs}; text encoding {encoding}; code field {code}; name field {name}; township field "
                   "{town}."),
    "imp.b.county": ("村界属于{name}（{code}）。", "The boundaries belong to {name} ({code})."),
    "imp.b.none": ("（无）", "(none)"),
    "imp.b.options": ("识别有误时手动指定", "Set by hand when something was read wrongly"),
    "imp.b.code_field": ("代码字段名", "Code field"),
    "imp.b.name_field": ("名称字段名", "Name field"),
    "imp.b.crs": ("源坐标系（如 EPSG:4545）", "Source CRS (e.g. EPSG:4545)"),
    "imp.b.gcj02": ("坐标来自高德/腾讯地图（GCJ-02）", "Coordinates are GCJ-02 (Gaode/Tencent)"),
    "imp.b.auto": ("留空则自动识别", "leave empty to detect"),
    "imp.b.replace": ("导入后，这些村（社区）原有的边界会被替换（可撤销）。",
                      "Importing replaces these villages' current boundaries (can be rolled back)."),
    # boundary files refused by what they really are (geo.boundaries; the file name is put in front)
    "bnd.refused": ("不是 shapefile、GeoJSON 或 GeoPackage，而是{real}，已拒绝（按文件内容判断，不看扩展名）",
                    "not a shapefile, GeoJSON or GeoPackage but {real}: refused (judged by the content, not by "
                    "the extension)"),
    "bnd.real.vrt": ("可指向服务器上别的文件或网址的 GDAL 虚拟数据集（VRT）",
                     "a GDAL virtual dataset (VRT, which can make the server read other files or fetch web "
                     "addresses)"),
    "bnd.real.xml": ("一份 XML 文档（如 KML、GML）", "an XML document (such as KML or GML)"),
    "bnd.real.html": ("网页（HTML）", "a web page (HTML)"),
    "bnd.real.sqlite": ("普通的 SQLite 数据库（不是 GeoPackage）", "an SQLite database that is not a GeoPackage"),
    "bnd.real.zip": ("压缩包", "a zip archive"),
    "bnd.real.dbf": ("只有属性的 DBF 表（没有图形）", "a DBF attribute table (no shapes)"),
    "bnd.real.json": ("普通的 JSON（没有 FeatureCollection、Feature 或几何类型）",
                      "plain JSON (no FeatureCollection, Feature or geometry type)"),
    "bnd.real.text": ("纯文本（如 CSV）", "plain text (such as CSV)"),
    "bnd.real.binary": ("无法识别的二进制数据", "unrecognised binary data"),
    "bnd.bad_json": ("无法读取：不是有效的 JSON（{err}）", "cannot be read: it is not valid JSON ({err})"),
    "bnd.gdal_path": ("文件里写有 GDAL 虚拟路径“{ref}”，可能被用来读取服务器上的文件或访问网址，已拒绝",
                      "the file contains the GDAL virtual path '{ref}', which could be used to read files on the "
                      "server or fetch web addresses: refused"),
    "bnd.bad_sidecar": ("shapefile 的 {ext} 文件“{name}”内容不对（不是真正的 {ext}）",
                        "the shapefile's {ext} file '{name}' is not a real {ext} file"),
    "bnd.no_geometry": ("没有图形（只有属性），不能当作村界导入",
                        "has no shapes (attributes only), so it cannot be used as village boundaries"),
    "imp.r.read": ("读取 {rows} 行：有效区划代码 {ok} 个，无效 {bad} 行。", "{rows} rows read: {ok} valid codes, "
                   "{bad} invalid rows."),
    "imp.r.counties": ("文件完整列出 {n} 个县（区）：{names}", "The file lists {n} counties in full: {names}"),
    "imp.r.after": ("导入后：新增 {added} 个区划，改名 {renamed} 个，撤销 {abolished} 个村（社区）。"
                    "只比对文件完整列出的"
                    "县（区）：库中有而文件中没有的村（社区）会被标为已撤销（不删除；指向它们的聘任记录列在“数据问题”里）。",
                    "After the import: {added} divisions added, {renamed} renamed, {abolished} villages abolished. "
                    "Only the counties the file lists in full are compared: villages the store has but the file "
                    "lacks are marked abolished (not deleted; assignments pointing at them are listed under Data "
                    "problems)."),
    "imp.r.will_abolish": ("这份名单会撤销 {n} 个村（社区），涉及 {counties} 个县（区）。",
                           "This list would abolish {n} villages in {counties} counties."),
    "imp.r.needs_confirm": ("标为“需确认”的县（区）撤销的村（社区）超过该县总数的 {share}，这往往是文件只列了县、"
                            "漏了村。请逐一核对；确需撤销，勾选下方的确认后才能导入。",
                            "In the counties marked 'to confirm' more than {share} of the villages would be "
                            "abolished; this often means the file lists the county but leaves out its villages. "
                            "Check them; to go ahead, tick the confirmation below."),
    "imp.r.col.confirm": ("需确认", "to confirm"),
    "imp.r.yes": ("是", "yes"),
    "imp.r.allow": ("我已核对，确认撤销以上村（社区）", "I have checked: abolish the villages listed above"),
    "imp.r.all": ("将撤销的全部 {n} 个村（社区）", "All {n} villages to be abolished"),
    "imp.r.col.abolished": ("撤销", "abolished"),
    "imp.r.col.villages": ("现有村（社区）", "current villages"),
    "imp.r.col.share": ("占比", "share"),
    "imp.r.col.names": ("将撤销的村（社区）", "villages to be abolished"),
    "imp.r.county_abolish": ("{name}（{code}）{n}/{total} 个：{names}", "{name} ({code}) {n} of {total}: {names}"),
    "imp.r.more_names": ("等", " and others"),
    "imp.r.more_counties": ("另有 {n} 个县（区）", "{n} more counties"),
    "imp.r.abolished_row": ("{name}（{code}）撤销 {n}/{total} 个：名单里没有这个村（社区）",
                            "{name} ({code}) loses {n} of {total} villages: this one is not in the list"),
    "imp.r.refused": ("{file}：这份区划代码表会撤销 {n} 个村（社区）——{where}。有县（区）撤销超过其村（社区）总数的 "
                      "{share}，为防误操作，本次未导入，数据没有任何改动。核对无误后请加 --allow-abolish 重新运行。",
                      "{file}: this division list would abolish {n} villages — {where}. For at least one county "
                      "that is more than {share} of its villages, so, to guard against a mistake, nothing was "
                      "imported and the store is unchanged. If this is right, run it again with --allow-abolish."),
    "imp.r.refused_page": ("未导入，数据没有任何改动：这份名单会撤销 {n} 个村（社区），有县（区）超过其总数的 {share}"
                           "（见上方核对结果）。核对无误后请勾选“{box}”，再点“导入”。",
                           "Nothing was imported and the store is unchanged: this list would abolish {n} villages, "
                           "more than {share} of some county's villages (see the check above). If this is right, "
                           "tick '{box}' and click Import again."),
    "imp.r.changes": ("；新增 {added}，改名 {renamed}，撤销村（社区）{abolished} 个{where}",
                      "; {added} added, {renamed} renamed, {abolished} villages abolished{where}"),
    "imp.r.where": ("：{where}", ": {where}"),
    "imp.step_import": ("4. 确认导入", "4. Import"),
    "imp.do": ("导入", "Import"),
    "imp.nothing": ("没有可以导入的内容。", "There is nothing to import."),
    "imp.stage.reading": ("正在读取文件…", "Reading the file…"),
    "imp.stage.writing": ("正在写入数据库…", "Writing to the database…"),
    "imp.stage.done": ("完成", "Done"),
    "imp.failed": ("导入失败，数据库没有任何改动（{err}）。", "The import failed; the database is unchanged ({err})."),
    "imp.done": ("“{file}”已导入，记为第 {batch} 批：读取 {read} 行，导入 {accepted}，不能导入 {rejected}。",
                 "'{file}' imported as batch {batch}: {read} rows read, {accepted} accepted, {rejected} rejected."),
    "imp.unchanged": ("“{file}”已在第 {batch} 批导入过，内容完全相同，这次没有任何改动。",
                      "'{file}' was already imported as batch {batch} with the same content; nothing changed."),
    "imp.d.assignments": ("{county}：新增法律顾问 {advisers} 人，新增聘任记录 {assignments} 条；"
                          "重复行 {dupes} 条只计一次。",
                          "{county}: {advisers} new advisers, {assignments} new assignments; {dupes} duplicate "
                          "rows counted once."),
    "imp.d.registry": ("新增 {added} 个区划，改名 {renamed} 个，撤销 {abolished} 个村（社区）。",
                       "{added} divisions added, {renamed} renamed, {abolished} villages abolished."),
    "imp.d.orphans": ("有 {n} 条聘任记录指向已撤销的村（社区），见下方“数据问题”。",
                      "{n} assignments point at abolished villages; see Data problems below."),
    "imp.d.boundaries": ("更新了 {villages} 个村（社区）的边界（坐标系 {crs}，编码 {encoding}）。",
                         "Boundaries of {villages} villages updated (CRS {crs}, encoding {encoding})."),
    "imp.report": ("导入报告：不能导入或需要核对的行", "Import report: rejected or doubtful rows"),
    "imp.report_file": ("导入报告", "import_report"),
    "imp.dismiss": ("关闭", "Close"),
    "imp.history": ("导入记录", "Import history"),
    "imp.h.batch": ("批次", "batch"),
    "imp.h.kind": ("类型", "kind"),
    "imp.h.file": ("文件", "file"),
    "imp.h.time": ("导入时间", "time"),
    "imp.h.read": ("读取行数", "rows read"),
    "imp.h.accepted": ("导入行数", "accepted"),
    "imp.h.rejected": ("不能导入", "rejected"),
    "imp.h.status": ("状态", "status"),
    "imp.h.note": ("备注", "note"),
    "imp.h.active": ("有效", "active"),
    "imp.h.rolled_back": ("已撤销", "rolled back"),
    "imp.rb.title": ("撤销一批导入", "Roll back a batch"),
    "imp.rb.pick": ("选择要撤销的批次", "Batch to roll back"),
    "imp.rb.placeholder": ("请选择", "Choose"),
    "imp.rb.option": ("第 {batch} 批 · {kind} · {file} · {time}", "batch {batch} · {kind} · {file} · {time}"),
    "imp.rb.what.assignments": ("撤销后，这一批导入的聘任记录会被删除（只在这一批出现的法律顾问也一并删除），"
                                "覆盖率随之恢复。",
                                "Rolling back deletes the assignments of this batch (and advisers that appear only "
                                "in it); coverage goes back accordingly."),
    "imp.rb.what.boundaries": ("撤销后，这些村（社区）恢复到这一批之前的边界。",
                               "Rolling back restores these villages' boundaries from before this batch."),
    "imp.rb.what.registry": ("撤销后，区划名单恢复到这一批之前（新增的删除、改名的改回、撤销的恢复）。",
                             "Rolling back restores the division list from before this batch."),
    "imp.rb.what.demo": ("演示数据不能单独撤销。", "The demo data cannot be rolled back on its own."),
    "imp.rb.do": ("确认撤销第 {batch} 批", "Roll back batch {batch}"),
    "imp.problems": ("数据问题", "Data problems"),
    "imp.orphans": ("{name}有 {n} 条聘任记录指向已撤销或区划库中没有的村（社区），不计入覆盖率。请核对后把台账中"
                    "的村名改为现在的村（社区）重新导入，或撤销相应批次。",
                    "{name} has {n} assignments pointing at villages that are abolished or not in the registry; "
                    "they do not count towards coverage. Check them, correct the village in the ledger and "
                    "import it again, or roll the batch back."),
    "imp.orphans_top": ("注意：{name}有 {n} 条聘任记录指向已撤销或未知的村（社区），见页面下方“数据问题”。",
                        "Note: {name} has {n} assignments pointing at abolished or unknown villages; see Data "
                        "problems below."),
    "imp.orphans_none": ("没有发现问题：{name}的聘任记录都对应现有的村（社区）。",
                         "No problems: every assignment in {name} points at a current village."),
    "imp.o.state": ("村（社区）状态", "village state"),
    "imp.o.abolished": ("已撤销", "abolished"),
    "imp.o.unknown": ("区划库中没有", "not in the registry"),
    # limits on one upload (geo.safezip, geo.ledger, geo.imports)
    "zip.ratio": ("“{name}”解压后是压缩前的 {ratio} 倍以上，不像正常文件（可能是“压缩炸弹”），已拒绝，未解压",
                  "'{name}' would expand to more than {ratio} times its compressed size; that is not a normal "
                  "file (a zip bomb?), so it was refused and nothing was extracted"),
    "zip.ratio_member": ("“{name}”中的“{member}”解压后是压缩前的 {ratio} 倍以上，不像正常文件（可能是“压缩炸弹”），"
                         "已拒绝，未解压",
                         "'{member}' in '{name}' would expand to more than {ratio} times its compressed size; "
                         "that is not a normal file (a zip bomb?), so it was refused and nothing was extracted"),
    "limit.rows": ("“{name}”超过 {limit} 行的上限，已停止读取，没有导入任何内容。一个县的文件远少于这个行数："
                   "请删除多余的行，或按县、乡镇拆分后再导入。",
                   "'{name}' has more than the limit of {limit} rows; reading stopped and nothing was imported. "
                   "One county's file has far fewer rows: delete the rows not needed, or split it by county or "
                   "township, and import again."),
    "limit.xlsx_size": ("“{name}”解压后达 {size} MB，超过 Excel 文件 {limit} MB 的上限，已拒绝",
                        "'{name}' expands to {size} MB, more than the {limit} MB limit for an Excel file; refused"),
    # contract periods the ledger reader accepts but flags (geo.periods.doubtful_period)
    "period.too_long": ("第{row}行：聘任期限“{period}”超过 {years} 年，请核对",
                        "row {row}: the period '{period}' is longer than {years} years; please check"),
    "period.too_early": ("第{row}行：聘任期限“{period}”起始于 {year} 年以前，请核对",
                         "row {row}: the period '{period}' starts before {year}; please check"),
    "period.too_far_ahead": ("第{row}行：聘任期限“{period}”起始日期在导入日（{today}）{years} 年以后，请核对",
                             "row {row}: the period '{period}' starts more than {years} years after the day of "
                             "the import ({today}); please check"),
    # roles and access (geo.access)
    "role.viewer": ("查看", "viewer"),
    "role.editor": ("录入", "editor"),
    "role.admin": ("管理", "admin"),
    "acc.e.role": ("您的角色（{role}）无权执行此操作（{action}）",
                   "your role ({role}) does not allow this ({action})"),
    "acc.e.scope": ("{scope} 不在您的管辖范围内", "{scope} is outside your jurisdiction"),
    # the leaders' briefing (geo.briefing: .docx and .pdf)
    "brief.title": ("{name}村（居）法律顾问工作情况", "Village legal advisers in {name}"),
    "brief.as_of": ("（截至{date}）", "(as of {date})"),
    "brief.date": ("{y}年{m}月{d}日", "{iso}"),
    "brief.month_day": ("{m}月{d}日", "{iso}"),
    "brief.issuer": ("编制单位：{issuer}", "Issued by: {issuer}"),
    "brief.generated": ("生成日期：{date}", "Generated on {date}"),
    "brief.issuer.0": ("司法部", "Ministry of Justice"),
    "brief.issuer.1": ("{name}司法厅", "{name} Department of Justice"),
    "brief.issuer.2": ("{name}司法局", "{name} Justice Bureau"),
    "brief.issuer.3": ("{name}司法局", "{name} Justice Bureau"),
    "brief.issuer.4": ("{name}司法所", "{name} Judicial Office"),
    "brief.page": ("— {n} —", "- {n} -"),
    "brief.heading": ("{n}、{text}", "{n}. {text}"),
    "brief.h.overview": ("总体情况", "Overview"),
    "brief.h.figures": ("主要数据", "Key figures"),
    "brief.h.map": ("覆盖分布", "Coverage by area"),
    "brief.h.ranking": ("各{unit}排名", "Ranking of the {unit} units"),
    "brief.h.trend": ("近24个月走势", "The last 24 months"),
    "brief.h.appendix": ("附件：到期未续和从未配备的村（社区）名单", "Appendix: villages lapsed or never covered"),
    "brief.h.note": ("数据说明", "About the data"),
    "brief.whole": ("全{unit}", "{name}"),
    "brief.headline": ("截至{date}，{whole}{villages}个村（社区）中已配备法律顾问的{covered}个，覆盖率{rate}{changes}；"
                       "即将到期{expiring}个，到期未续{lapsed}个，从未配备{never}个{where}。",
                       "As of {date}, {covered} of the {villages} villages and communities in {whole} had a legal "
                       "adviser under contract, a coverage rate of {rate}{changes}. {expiring} are about to "
                       "expire, {lapsed} have lapsed and {never} have never had an adviser{where}."),
    "brief.headline_no_data": ("截至{date}，{whole}{villages}个村（社区）尚无聘任数据：法律顾问台账尚未导入。",
                               "As of {date}, none of the {villages} villages and communities in {whole} has a "
                               "contract on record: the adviser ledgers have not been imported yet."),
    "brief.change.up": ("较{against}上升{points}个百分点", "up {points} points on {against}"),
    "brief.change.down": ("较{against}下降{points}个百分点", "down {points} points on {against}"),
    "brief.change.flat": ("与{against}持平", "unchanged on {against}"),
    "brief.change.join": ("，", " and "),
    "brief.change.lead": ("，", ", "),
    "brief.against.month": ("上月末", "the end of last month"),
    "brief.against.year": ("去年同期", "a year earlier"),
    "brief.where": ("，主要集中在{names}", "; the gaps are concentrated in {names}"),
    "brief.served": ("有效服务（近{window}天内有到村服务记录）的{served}个，有效服务率{rate}；有合同但无到村服务记录的"
                     "{nominal}个。",
                     "{served} were served on site within the last {window} days, a served rate of {rate}; "
                     "{nominal} have a contract but no on-site service."),
    "brief.advisers": ("在聘法律顾问{advisers}名，平均每名服务{per}个村（社区）{over}。",
                       "{advisers} advisers serve them, {per} villages each on average{over}."),
    "brief.over_cap": ("，其中{n}名超过{cap}个村的上限", "; {n} serve more than the cap of {cap} villages"),
    "brief.no_data": ("另有{n}个{unit}共{villages}个村（社区）尚无聘任数据，未计入以上统计。",
                      "{n} {unit} units ({villages} villages) have no contracts on record yet and are not "
                      "counted above."),
    "brief.col.figure": ("指标", "Figure"),
    "brief.col.value": ("数值", "Value"),
    "brief.fig.over_cap": ("超过上限（{cap}个村）的顾问", "Advisers over the cap ({cap} villages)"),
    "brief.fig.served": ("有效服务", "Served on site"),
    "brief.fig.nominal": ("仅有合同（无到村服务）", "Contract only (no on-site service)"),
    "brief.fig.served_rate": ("有效服务率", "Served rate"),
    "brief.map_caption": ("{name}各{unit}法律顾问覆盖率（{date}）", "Coverage by {unit} in {name} ({date})"),
    "brief.map_caption_status": ("{name}各村（社区）法律顾问状态（{date}）",
                                 "Adviser status of the villages of {name} ({date})"),
    "brief.map_missing": ("{n}个单位没有边界数据，图中未画出：{names}。",
                          "{n} units have no boundary to draw: {names}."),
    "brief.map_none": ("本范围还没有可绘制的边界数据，略去地图。", "No boundaries to draw for this scope: no map."),
    "brief.map_north": ("北", "N"),
    "brief.map_km": ("公里", "km"),
    "brief.ranking_note": ("覆盖率最低的{n}个{unit}以底色标出：{names}。",
                           "The {n} lowest ranked are shaded: {names}."),
    "brief.ranking_plain": ("各{unit}覆盖率相同或只有一个，不标注末位。",
                            "The units are level or alone: none is marked lowest."),
    "brief.ranking_no_data": ("尚无聘任数据、未参加排名的{unit}：{names}。",
                              "Not ranked ({unit} units with no contracts on record yet): {names}."),
    "brief.trend_caption": ("{name}近24个月法律顾问覆盖率（每月末）", "Coverage in {name}, last 24 month ends"),
    "brief.trend_no_data": ("尚无聘任数据，没有走势。", "No contracts on record yet: no trend."),
    "brief.appendix_intro": ("共{total}个村（社区）到期未续或从未配备，按所属乡镇（街道）排列。",
                             "{total} villages have lapsed or never had an adviser, listed by township."),
    "brief.appendix_cut": ("数量较多，以下只列前{shown}个；完整名单请在“缺口清单”页面导出，"
                           "或运行 python -m geo export。",
                           "Only the first {shown} are listed; export the full list from the gap list page, or "
                           "with python -m geo export."),
    "brief.appendix_none": ("没有到期未续或从未配备的村（社区）。", "No village has lapsed or never had an adviser."),
    "brief.appendix_no_data": ("法律顾问台账尚未导入，暂无名单。", "No ledgers imported yet: no list."),
    "brief.col.last_adviser": ("原法律顾问", "Last adviser"),
    "brief.col.ended": ("合同到期日", "Contract ended"),
    "brief.note.batches": ("本报告依据以下导入批次（截至生成时有效）：",
                           "This report rests on these imports (active when it was generated):"),
    "brief.note.rules": ("口径：统计日在合同起止日期之内（含当天）为已覆盖；在聘合同均在统计日后{days}天内到期为"
                         "即将到期（计入已覆盖）；曾有合同但均已到期为到期未续；统计日前从未签订合同为从未配备。"
                         "覆盖率＝已覆盖÷村（社区）总数。没有任何聘任记录的单位视为尚未导入数据，不计入覆盖率和排名。每名顾问服务村"
                         "（社区）上限按{cap}个计。有效服务指已覆盖且统计日前{window}天内（含当天）有到村服务记录。",
                         "Rules: a village is covered when the date lies within a contract (both ends included); "
                         "expiring when every contract in force ends within {days} days (still covered); lapsed "
                         "when it had contracts that have all ended; never when no contract started by the date. "
                         "Coverage rate = covered / villages. A unit without any contract on record has not been "
                         "imported yet and is left out of the rates and the ranking. The cap is {cap} villages "
                         "per adviser. Served means covered with an on-site service record in the {window} days "
                         "up to the date."),
    "brief.note.no_services": ("尚未导入服务记录，本报告不含有效服务数据。",
                               "No service records have been imported: the report has no served figures."),
    "brief.section": ("工作情况报告", "Briefing"),
    "brief.section_note": ("供领导阅看和转发：Word 版可编辑，PDF 版可直接打印。点击后生成。",
                           "For leaders: Word to edit, PDF to print or forward. Built when clicked."),
    "brief.issuer_input": ("编制单位", "Issued by"),
    "brief.download_docx": ("下载 Word 版", "Download Word"),
    "brief.download_pdf": ("下载 PDF 版", "Download PDF"),
    "brief.written": ("报告已写入 {file}", "report written to {file}"),
    "brief.e.font": ("没有找到中文字体，无法生成报告。请安装 Debian 软件包 fonts-noto-cjk"
                     "（apt-get install fonts-noto-cjk）后重试。",
                     "No Chinese font found, so the report cannot be made. Install the Debian package "
                     "fonts-noto-cjk (apt-get install fonts-noto-cjk) and try again."),
    "brief.e.format": ("不支持的报告格式“{ext}”，请用 .docx 或 .pdf",
                       "unsupported report format '{ext}': use .docx or .pdf"),
}


def t(key: str, lang: str = "zh", **fmt) -> str:
    zh, en = TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


def bilingual(key: str, **fmt) -> str:
    """A library message in both languages, "中文 / English", as every error and report note carries."""
    return f"{t(key, 'zh', **fmt)} / {t(key, 'en', **fmt)}"


class Localizable(Protocol):
    """Anything that can say itself in one language: a :class:`Msg`, a result's summary, a report note."""

    def text(self, lang: str) -> str: ...


@dataclass(frozen=True)
class Msg:
    """A catalogue key with its values, rendered in whichever language is asked for.

    A value that is itself :class:`Localizable` (another Msg, a list of places ...) is rendered in the same
    language, so a message built in the library reads in one language on the page and in both in a log line.
    """

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        return t(self.key, lang, **{k: localized(v, lang) for k, v in self.params.items()})

    def md(self, lang: str) -> "Markdown":
        """The text for a Markdown target: every value escaped (see :func:`md`)."""
        return md(self.key, lang, **{k: localized(v, lang) for k, v in self.params.items()})

    def bilingual(self) -> str:
        return f"{self.text('zh')} / {self.text('en')}"


def localized(value: object, lang: str) -> object:
    """`value` in `lang` when it can say itself in a language; as it is otherwise (a number, a file name)."""
    text = getattr(value, "text", None)
    return text(lang) if callable(text) and not isinstance(value, str) else value


class Markdown(str):
    """Text meant to be read as Markdown: the app's own text, with every value in it escaped."""


# Every character Streamlit's Markdown gives a meaning to: CommonMark and GFM (emphasis, code, links, images, raw
# HTML, entities, headings, lists, quotes, tables, strikethrough, autolinks "http://", "www." and "a@b.cn"),
# and Streamlit's own ":red[...]" directives, ":smile:" / ":material/...:" icons and "$math$".  CommonMark
# shows any ASCII punctuation after a backslash as itself.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!|<>~$:@&=]")
# a line break would let a value start a heading, a list or a new paragraph
_LINE_BREAK = re.compile(r"[\r\n]+")
# Streamlit finds links ("http://", "www.", "a@b.cn") and ":smile:" / ":material/...:" icons in the text after
# the escapes have been read: an invisible word joiner after each ":" and "@" and between "www" and "." breaks
# them up
_FOUND_IN_TEXT = re.compile(r"[:@]|(?i:www)(?=\.)")
WORD_JOINER = "\u2060"


def escape_markdown(value: object) -> Markdown:
    """`value` as Markdown that shows it literally, on one line; text already :class:`Markdown` is kept."""
    if isinstance(value, Markdown):
        return value
    text = _FOUND_IN_TEXT.sub(lambda m: m.group(0) + WORD_JOINER, _LINE_BREAK.sub(" ", str(value)))
    return Markdown(_MARKDOWN_SPECIAL.sub(r"\\\g<0>", text))


def md(key: str, lang: str = "zh", **values) -> Markdown:
    """The catalogue's text for `key` with every value escaped: for any Streamlit call that reads Markdown."""
    return Markdown(t(key, lang, **{k: escape_markdown(v) for k, v in values.items()}))


def status_label(status: str, lang: str = "zh") -> str:
    return t(f"status.{status}", lang)


def level_label(level: int, lang: str = "zh") -> str:
    return t(f"level.{level}", lang)
