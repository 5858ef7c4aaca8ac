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
    # map legend and tooltip (geo.outputs.folium_map)
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
    "imp.expect.assignments": ("Excel 或 CSV 台账（{types}），每行一个村（社区），有村名、法律顾问姓名和"
                               "聘任期限；标题行、合并单元格、合计行都可以保留。",
                               "An Excel or CSV ledger ({types}), one village per row with the village "
                               "name, the adviser's name and the contract period; title rows, merged cells and "
                               "total rows may stay."),
    "imp.expect.boundaries": ("村界图层（{types}，shapefile 请连同 .dbf、.prj 打包成 .zip），要有村代码或村名字段，"
                              "常见坐标系均可。",
                              "A village boundary layer ({types}; a shapefile packed with its .dbf and .prj as .zip), "
                              "with a village code or name field, in any common coordinate system."),
    "imp.expect.registry": ("统计用区划代码表（{types}），有“区划代码”和“名称”两列；"
                            "只比对文件里列出了县本身的县。",
                            "A division code list ({types}) with a code column and a name column; only the "
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
    # the full sentence of a reject (geo.sources.matching.Reject: imp.why.<why>, formatted with its params)
    "imp.why.no_village": ("没有填写村（社区）名称", "no village or community given"),
    "imp.why.no_adviser": ("没有填写法律顾问姓名", "no legal adviser name given"),
    # a period's reason comes from geo.sources.periods in both languages already
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
    # remarks on rows that were used (geo.sources.matching.Note)
    "imp.note.code_unknown": ("区划库中没有代码{code}，已按名称匹配",
                              "code {code} is not in the registry; matched by name"),
    "imp.note.other_township": ("“{name}”在区划库中属于其他乡镇，已按名称匹配",
                                "'{name}' belongs to another township in the registry; matched by name"),
    "imp.note.no_township": ("区划库中没有乡镇“{township}”", "township '{township}' is not in the registry"),
    "imp.note.code_name_differ": ("代码 {code} 对应“{registry}”，文件写的是“{written}”",
                                  "code {code} is '{registry}' in the registry but the file says '{written}'"),
    # where a message is about (geo.sources.matching): a row of a table, a feature of a boundary file
    "match.at.row": ("第{row}行：{text}", "row {row}: {text}"),
    "match.at.feature": ("第 {row} 个要素：{text}", "feature {row}: {text}"),
    # a county given by the user or looked for in the file (geo.sources.matching.resolve_county / choose_county)
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
    # boundary files refused by what they really are (geo.sources.boundaries; the file name is put in front)
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
    # limits on one upload (geo.privacy.safezip, geo.sources.ledger, geo.imports)
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
    # contract periods the ledger reader accepts but flags (geo.sources.periods.doubtful_period)
    "period.too_long": ("第{row}行：聘任期限“{period}”超过 {years} 年，请核对",
                        "row {row}: the period '{period}' is longer than {years} years; please check"),
    "period.too_early": ("第{row}行：聘任期限“{period}”起始于 {year} 年以前，请核对",
                         "row {row}: the period '{period}' starts before {year}; please check"),
    "period.too_far_ahead": ("第{row}行：聘任期限“{period}”起始日期在导入日（{today}）{years} 年以后，请核对",
                             "row {row}: the period '{period}' starts more than {years} years after the day of "
                             "the import ({today}); please check"),
    # roles and access (geo.auth.access)
    "role.viewer": ("查看", "viewer"),
    "role.editor": ("录入", "editor"),
    "role.admin": ("管理", "admin"),
    "acc.e.role": ("您的角色（{role}）无权执行此操作（{action}）",
                   "your role ({role}) does not allow this ({action})"),
    "acc.e.scope": ("{scope} 不在您的管辖范围内", "{scope} is outside your jurisdiction"),
    # gap plan 补缺建议 (geo.planning, the section of pages/gaps.py, python -m geo plan)
    "plan.title": ("补缺建议", "Gap plan"),
    "plan.intro": ("为{name}到期未续和从未配备的村（社区）推荐有空余名额的法律顾问：先让尽量多的村居有人负责，"
                   "每人不超过上限（现有服务村居也算在内），再让总路程最短。这只是建议，不改动任何数据。",
                   "Proposes an adviser with room for each lapsed or never-covered village of {name}: first as "
                   "many villages as possible within the cap per adviser (villages already served count), then "
                   "the shortest total distance. A proposal only: nothing is changed."),
    "plan.cap": ("每名顾问最多服务村居数", "Villages per adviser at most"),
    "plan.cap.help": ("省级标准通常为每人不超过 5 个村（社区）", "provincial standards usually allow 5"),
    "plan.max_km": ("最远距离（公里，0 为不限）", "Farthest distance (km, 0 = no limit)"),
    "plan.rate_now": ("目前覆盖率", "Coverage today"),
    "plan.rate_after": ("按建议聘任后", "After the plan"),
    "plan.rate_gain": ("+{points} 个百分点", "+{points} points"),
    "plan.download_xlsx": ("下载补缺建议 Excel（.xlsx）", "Download the plan as Excel (.xlsx)"),
    "plan.download_csv": ("下载补缺建议 CSV", "Download the plan as CSV"),
    "plan.download_json": ("下载补缺建议 JSON", "Download the plan as JSON"),
    "plan.assigned": ("现有顾问可承接", "Taken by current advisers"),
    "plan.needs_new": ("仍需新聘顾问的村居", "Villages needing a new adviser"),
    "plan.new_advisers": ("需新聘顾问（人）", "New advisers needed"),
    "plan.uncovered": ("缺口村居", "Uncovered villages"),
    "plan.leftover": ("剩余缺口最多的乡镇", "Townships with the most villages left"),
    "plan.leftover_none": ("所有缺口都能由现有顾问承接。", "Current advisers can take every gap."),
    "plan.none": ("{name}没有到期未续或从未配备的村（社区），无需补缺。",
                  "{name} has no lapsed or never-covered village: nothing to plan."),
    "plan.approx": ("距离为直线距离。标注“近似”或“示意”的位置只是乡镇中心、县界代表点或示意边界，距离仅供参考。",
                    "Distances are straight-line. Locations marked approximate or schematic are a township "
                    "centre, a county outline point or a made-up cell: such distances are rough."),
    "plan.file": ("补缺建议", "gap_plan"),
    "plan.sheet.villages": ("补缺建议", "Gap plan"),
    "plan.sheet.leftover": ("需新聘顾问的乡镇", "Townships needing advisers"),
    "plan.new_needed": ("需新聘", "new adviser needed"),
    "plan.written": ("补缺建议已写入 {path}：缺口 {uncovered} 个，现有顾问可承接 {assigned} 个，需新聘 {needs_new} 个；"
                     "覆盖率 {now} → {after}",
                     "gap plan written to {path}: {uncovered} uncovered, {assigned} taken by current advisers, "
                     "{needs_new} need a new adviser; coverage {now} -> {after}"),
    "plan.bad_format": ("不支持的格式“{ext}”，请用 .xlsx、.csv 或 .json",
                        "unsupported format '{ext}': use .xlsx, .csv or .json"),
    "plan.bad_cap": ("--cap 至少为 1", "--cap must be at least 1"),
    "plan.bad_km": ("--max-km 必须大于 0", "--max-km must be more than 0"),
    "plan.col.adviser": ("建议顾问", "Proposed adviser"),
    "plan.col.licence": ("执业证号", "Licence no."),
    "plan.col.org": ("执业机构", "Organisation"),
    "plan.col.distance": ("距离（公里）", "Distance (km)"),
    "plan.col.village_at": ("村居位置依据", "Village located by"),
    "plan.col.adviser_at": ("顾问位置依据", "Adviser located by"),
    "plan.col.alternatives": ("备选顾问", "Alternatives"),
    "plan.col.villages_left": ("剩余缺口村居", "Villages left"),
    "plan.col.new_advisers": ("需新聘顾问（人）", "New advisers needed"),
    "loc.boundary": ("村界", "village boundary"),
    "loc.schematic": ("示意边界（非真实）", "schematic cell (not real)"),
    "loc.township": ("乡镇中心（近似）", "township centre (approx.)"),
    "loc.county": ("县界代表点（近似）", "county point (approx.)"),
    "loc.none": ("无位置", "no location"),
    "loc.base": ("驻所", "base"),
    "loc.villages": ("所服务村居中心", "centre of villages served"),
    "loc.last_villages": ("上次服务村居中心", "centre of villages last served"),
    # accounts, logins, jurisdiction limits and the audit trail (geo.auth.accounts, geo.auth.audit; issue 10)
    "acc.login_failed": ("用户名或密码不正确，或账号已停用、已锁定", "wrong user name or password, or the account is "
                         "disabled or locked"),
    "acc.e.short": ("密码至少需要 {n} 个字符", "the password needs at least {n} characters"),
    "acc.e.username": ("用户名“{name}”不可用：只能包含字母、数字、汉字和 . _ @ -，最长 {n} 个字符",
                       "user name '{name}' cannot be used: letters, digits, . _ @ - only, at most {n} characters"),
    "acc.e.exists": ("用户名“{name}”已存在", "user name '{name}' is taken"),
    "acc.e.unknown": ("没有用户“{name}”", "no user '{name}'"),
    "acc.e.bad_role": ("未知角色“{role}”，可选 viewer（查看）、editor（录入）、admin（管理）",
                       "unknown role '{role}': choose viewer, editor or admin"),
    "acc.e.higher_role": ("不能授予高于您本人的角色（{role}）", "you cannot grant a role above your own ({role})"),
    "acc.e.self_disable": ("不能停用您自己的账号", "you cannot disable your own account"),
    "acc.e.mismatch": ("两次输入的密码不一致", "the two passwords differ"),
    "acc.e.setting": ("登录设置 {name} 应为正数，而不是“{value}”", "login setting {name} must be a positive number, "
                      "not '{value}'"),
    "acc.e.kind_scope": ("{kind}还不能按管辖范围限制，只有全国范围的账号可以导入",
                         "{kind} cannot be limited to a jurisdiction yet: only accounts for the whole country may "
                         "import it"),
    "acc.e.rollback_scope": ("批次 {batch} 涉及您管辖范围以外的村（社区），不能撤销",
                             "batch {batch} touches villages outside your jurisdiction; it cannot be rolled back"),
    "acc.e.services_county": ("服务台账属于{county}（{code}），不在您的管辖范围内，未导入",
                              "the service log is for {county} ({code}), outside your jurisdiction; nothing was "
                              "imported"),
    "acc.e.boundary_county": ("边界文件属于{county}（{code}），不在您的管辖范围内，未导入",
                              "the boundary file is for {county} ({code}), outside your jurisdiction; nothing was "
                              "imported"),
    "acc.e.registry_outside": ("区划代码表中没有您管辖范围内的区划，未导入",
                               "the division list holds no division inside your jurisdiction; nothing was imported"),
    "acc.e.action": ("未知的审计操作“{action}”", "unknown audit action '{action}'"),
    "acc.operator": ("命令行", "command line"),
    "imp.reason.outside_jurisdiction": ("不在您的管辖范围内", "outside your jurisdiction"),
    "imp.why.outside_jurisdiction": ("{code} 不在您的管辖范围内", "{code} is outside your jurisdiction"),
    "audit.action.login": ("登录", "log in"),
    "audit.action.login_failed": ("登录失败", "failed login"),
    "audit.action.logout": ("退出登录", "log out"),
    "audit.action.import": ("导入", "import"),
    "audit.action.rollback": ("撤销导入", "rollback"),
    "audit.action.export": ("下载导出", "download / export"),
    "audit.action.account_add": ("新建账号", "account created"),
    "audit.action.account_passwd": ("修改密码", "password changed"),
    "audit.action.account_enable": ("启用账号", "account enabled"),
    "audit.action.account_disable": ("停用账号", "account disabled"),
    "audit.col.time": ("时间（UTC）", "Time (UTC)"),
    "audit.col.user": ("用户", "User"),
    "audit.col.action": ("操作", "Action"),
    "audit.col.scope": ("范围", "Scope"),
    "audit.col.detail": ("详情", "Details"),
    "cli.user.added": ("已建立用户 {name}（{role}，{scope}）", "user {name} created ({role}, {scope})"),
    "cli.user.passwd": ("已修改 {name} 的密码", "password of {name} changed"),
    "cli.user.enabled": ("已启用用户 {name}", "user {name} enabled"),
    "cli.user.disabled": ("已停用用户 {name}", "user {name} disabled"),
    "cli.pw.prompt": ("密码：", "Password: "),
    "cli.pw.again": ("再次输入密码：", "Password again: "),
    "cli.init.admin_name": ("第一个管理员的用户名（全国范围）：", "user name of the first administrator (whole "
                            "country): "),
    "cli.init.no_admin": ("尚未建立管理员：用 python -m geo user add 名称 --role admin --scope 代码 建立后才需要登录",
                          "no administrator yet: create one with `python -m geo user add NAME --role admin --scope "
                          "CODE`; until then the app runs without logins"),
    # login, accounts and the audit trail in the app (issue 10, app half: app.py, pages/users.py, pages/audit.py)
    "acc.open_banner": ("**未启用登录**：任何能打开此地址的人都能查看和修改全部数据。请在服务器上用 "
                        "`python -m geo user add` 创建管理员账号，之后每个页面都需先登录。",
                        "**Login is not enabled**: anyone who can open this address sees and changes everything. "
                        "Create an administrator on the server with `python -m geo user add`; every page then asks "
                        "for a login first."),
    "login.title": ("登录", "Log in"),
    "login.intro": ("请使用本单位分配的账号登录。", "Log in with the account your bureau gave you."),
    "login.username": ("用户名", "Username"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Log in"),
    "login.failed": ("用户名或密码不正确。连续输错 5 次，账号将锁定 15 分钟。",
                     "Wrong username or password. After 5 failed attempts the account is locked for 15 minutes."),
    "login.entering": ("登录成功，正在进入……", "Logged in, opening the app…"),
    "login.continue": ("如未自动进入，请点此继续", "Continue, if the page does not open by itself"),
    "login.logout": ("退出登录", "Log out"),
    "login.leaving": ("已退出登录。", "You are logged out."),
    "login.who": ("**{name}**（{user}）", "**{name}** ({user})"),
    "login.role_scope": ("角色：{role}　管辖：{scope}", "Role: {role} · jurisdiction: {scope}"),
    "acc.outside": ("链接中的{asked}不在您的管辖范围内，已改为显示{name}。",
                    "The link asks for {asked}, which is outside your jurisdiction; showing {name} instead."),
    "acc.admin_only": ("此页面仅供管理员使用。", "This page is for administrators only."),
    "acc.no_contacts": ("登录后可见", "shown after login"),
    "nav.admin": ("系统管理", "Administration"),
    "page.users": ("用户管理", "User accounts"),
    "page.audit": ("审计日志", "Audit log"),
    "acc.e.short_password": ("密码至少需要 {n} 个字符", "a password needs at least {n} characters"),
    "acc.e.no_user": ("没有用户“{user}”", "there is no user '{user}'"),
    "acc.e.no_name": ("请填写用户名", "enter a username"),
    "acc.e.self": ("不能停用自己的账号", "you cannot disable your own account"),
    "users.intro": ("{name}及其下级单位的账号。停用的账号不能登录，正在使用的会话随即结束。",
                    "Accounts of {name} and the units below it. A disabled account cannot log in; its open "
                    "sessions end at once."),
    "users.col.user": ("用户名", "username"),
    "users.col.name": ("姓名", "name"),
    "users.col.role": ("角色", "role"),
    "users.col.scope": ("管辖范围", "jurisdiction"),
    "users.col.code": ("区划代码", "code"),
    "users.col.enabled": ("状态", "status"),
    "users.enabled": ("启用", "enabled"),
    "users.disabled": ("已停用", "disabled"),
    "users.add": ("新建账号", "New account"),
    "users.display_name": ("姓名（显示用）", "Display name"),
    "users.role": ("角色", "Role"),
    "users.scope": ("管辖范围（区划代码，如 610124）", "Jurisdiction (division code, e.g. 610124)"),
    "users.password2": ("再次输入密码", "Password again"),
    "users.create": ("创建账号", "Create account"),
    "users.created": ("已创建账号“{user}”。", "Account '{user}' created."),
    "users.manage": ("修改账号", "Change an account"),
    "users.pick": ("选择账号", "Account"),
    "users.pick_placeholder": ("请选择要修改的账号", "Pick an account"),
    "users.disable": ("停用", "Disable"),
    "users.enable": ("启用", "Enable"),
    "users.reset": ("重设密码", "Reset password"),
    "users.new_password": ("新密码", "New password"),
    "users.done_disable": ("已停用账号“{user}”。", "Account '{user}' disabled."),
    "users.done_enable": ("已启用账号“{user}”。", "Account '{user}' enabled."),
    "users.done_reset": ("已为“{user}”重设密码。", "Password of '{user}' reset."),
    "audit.intro": ("{name}范围内的登录、导入、回滚、下载、账号变动和被拒绝的越权操作记录，最新的在前。",
                    "Logins, imports, rollbacks, downloads, account changes and refused attempts within {name}, "
                    "newest first."),
    "audit.since": ("起始日期", "Since"),
    "audit.user": ("用户", "User"),
    "audit.action": ("操作", "Action"),
    "audit.any": ("全部", "all"),
    "audit.count": ("共 {n} 条记录", "{n} entries"),
    "audit.none": ("没有符合条件的记录。", "No entries match."),
    "audit.file": ("审计日志", "audit_log"),
    # advisers: the register, renewals, load figures (issue 11; geo.views.advisers, pages/advisers.py)
    "page.advisers": ("顾问", "Advisers"),
    "adv.intro": ("{date}各法律顾问服务的村（社区）：按在聘合同计数（含本范围以外的村），每人上限 {cap} 个。"
                  "点击表头可排序。",
                  "The villages each adviser serves on {date}, counted by contracts in force (villages outside "
                  "this area included), against a cap of {cap} per adviser. Click a column header to sort."),
    "adv.cap": ("每名顾问服务村（社区）上限", "Villages per adviser (cap)"),
    "adv.cap.help": ("省级服务指南的上限，例如安徽为 5 个；用于“超过上限”标记和补缺建议",
                     "the provincial guides' cap, e.g. 5 in Anhui; used by the over-cap flag and the gap plan"),
    "adv.col.name": ("姓名", "Name"),
    "adv.col.kind": ("类别", "Kind"),
    "adv.col.licence_no": ("执业证号", "Licence no."),
    "adv.col.villages": ("在聘村（社区）数", "Villages served"),
    "adv.col.villages_elsewhere": ("其中辖区外", "Of which outside this area"),
    "adv.col.village_names": ("服务村（社区）", "Villages"),
    "adv.col.village_codes": ("村（社区）代码", "Village codes"),
    "adv.col.townships": ("涉及乡镇（街道）", "Townships"),
    "adv.col.next_end": ("最早到期", "Next contract end"),
    "adv.col.renew_kind": ("事项", "Item"),
    "adv.col.current_villages": ("该顾问在聘村数", "Adviser's current villages"),
    "adv.col.state": ("合同状态", "Contract"),
    "adv.col.distance_km": ("距驻地（公里）", "Distance from base (km)"),
    "adv.flag.over_cap": ("超过上限（>{cap}）", "Over the cap (>{cap})"),
    "adv.flag.expiring": ("{days}天内全部到期", "All ending within {days} days"),
    "adv.flag.idle": ("无在聘合同", "No current contract"),
    "adv.flag.below_standard": ("本月到村不足{hours}小时", "Under {hours} h on site this month"),
    "adv.col.onsite_hours": ("本月到村时长（小时）", "On-site hours this month"),
    "adv.col.records_window": ("近{window}天服务记录", "Records, last {window} days"),
    "adv.col.last_onsite": ("最近到村服务", "Last on-site service"),
    "adv.filter": ("按标记筛选", "Filter by flag"),
    "adv.filter.all": ("全部", "All"),
    "adv.count": ("顾问 {n} 名", "{n} advisers"),
    "adv.tally": ("超过上限 {over_cap}，{days}天内全部到期 {expiring}，无在聘合同 {idle}，本月到村不足{hours}小时 "
                  "{below_standard}",
                  "over the cap {over_cap}, all ending within {days} days {expiring}, no current contract {idle}, "
                  "under {hours} h on site this month {below_standard}"),
    "adv.none": ("本范围在该日期没有法律顾问的合同记录。", "No adviser has a contract here by this date."),
    "adv.none_flagged": ("没有符合该标记的顾问。", "No adviser carries this flag."),
    "adv.file": ("法律顾问名册", "adviser_register"),
    "adv.detail": ("顾问详情", "Adviser detail"),
    "adv.pick": ("选择顾问", "Choose an adviser"),
    "adv.detail.villages": ("在聘村（社区）", "Villages served"),
    "adv.detail.townships": ("涉及乡镇", "Townships"),
    "adv.detail.next_end": ("最早到期", "Next end"),
    "adv.detail.history": ("合同记录", "Contract history"),
    "adv.detail.no_map": ("这些村（社区）还没有村级边界，无法在地图上显示。",
                          "These villages have no boundaries yet: nothing to draw."),
    "adv.place.base": ("距离从顾问驻地算起（台账或后续录入给出）。",
                       "Distances from the adviser's base (given by the ledger or a later edit)."),
    "adv.place.villages": ("台账没有顾问驻地：距离从其现服务村（社区）的中心算起，仅供参考。",
                           "The ledger gives no base: distances are from the centre of the villages served now, "
                           "approximate."),
    "adv.place.none": ("没有顾问驻地，现服务村也没有边界：无法计算距离。",
                       "No base and no boundaries of the villages served now: no distances."),
    "adv.state.current": ("在聘", "in force"),
    "adv.state.expiring": ("即将到期", "ending soon"),
    "adv.state.ended": ("已到期", "ended"),
    "adv.state.future": ("未开始", "not started"),
    "adv.renewals": ("续聘工作清单", "Renewal worklist"),
    "adv.renewals.intro": ("{days}天内到期且没有后续合同的聘任，按执业机构、顾问排列；已到期但原顾问仍在服务其他村的"
                           "排在最前：续聘只需一个电话。",
                           "Contracts ending within {days} days with nothing signed after them, by organisation "
                           "and adviser; lapsed villages whose last adviser still serves other villages come first: "
                           "renewing them is one phone call."),
    "adv.renewals.days": ("期限（天）", "Horizon (days)"),
    "adv.renewals.count": ("待续聘 {n} 项", "{n} to renew"),
    "adv.renewals.tally": ("到期未续（原顾问仍在服务）{lapsed}，即将到期 {ending}，涉及顾问 {advisers} 名",
                           "lapsed, adviser still serving {lapsed}; ending {ending}; {advisers} advisers"),
    "adv.renewals.none": ("该期限内没有需要续聘的合同。", "Nothing to renew within this horizon."),
    "adv.renewals.file": ("续聘清单", "renewals"),
    "adv.renew.lapsed": ("到期未续（原顾问仍在服务）", "lapsed, adviser still serving"),
    "adv.renew.ending": ("即将到期", "ending"),
    "adv.plan_slot": ("补缺建议", "Gap plan"),
    "adv.summary.over_cap": ("超过上限的顾问（>{cap}）", "Advisers over the cap (>{cap})"),
    "adv.summary.chart": ("每名顾问服务村（社区）数", "Villages per adviser"),
    "adv.summary.axis_villages": ("在聘村（社区）数", "Villages served"),
    "adv.summary.axis_advisers": ("顾问人数", "Advisers"),
    # service records import (issue 12: geo.sources.servicelog, geo.imports.services)
    "imp.kind.services": ("服务台账", "Service log"),
    "imp.expect.services": ("Excel 或 CSV 服务台账（{types}），每行一次服务，有服务日期、服务村（社区）、"
                            "法律顾问，最好还有服务方式和时长；标题行、合并单元格、合计行都可以保留。法律顾问须已"
                            "在聘任台账中。",
                            "An Excel or CSV service log ({types}), one service per row with its date, the "
                            "village and the adviser, ideally the mode and the hours; title rows, merged cells "
                            "and total rows may stay. The advisers must be in an imported adviser ledger."),
    "imp.rb.what.services": ("撤销后，这一批导入的服务记录会被删除。",
                             "Rolling back deletes the service records of this batch."),
    "imp.reason.unknown_adviser": ("找不到这名法律顾问", "adviser not found"),
    "imp.reason.ambiguous_adviser": ("同名法律顾问不止一个", "several advisers of that name"),
    "imp.reason.bad_date": ("服务日期无法识别", "date not readable"),
    "imp.reason.future_date": ("服务日期在今天之后", "date in the future"),
    "imp.reason.bad_hours": ("服务时长无法识别", "hours not readable"),
    "imp.why.adviser_unknown": ("本县的聘任记录中没有法律顾问“{name}”，请先导入其聘任台账或核对姓名",
                                "no adviser '{name}' holds a contract in this county; import their ledger first or "
                                "check the name"),
    "imp.why.licence_unknown": ("本县的聘任记录中没有执业证号为 {licence} 的法律顾问",
                                "no adviser with licence number {licence} holds a contract in this county"),
    "imp.why.ambiguous_adviser": ("本县有 {n} 名法律顾问叫“{name}”，请填写执业证号",
                                  "{n} advisers in this county are called '{name}'; give the licence number"),
    "imp.why.no_date": ("没有填写服务日期", "no service date given"),
    "imp.why.bad_date": ("服务日期“{value}”无法识别或不是真实的日期（应写到日，如 2026-03-15）",
                         "the service date '{value}' is unreadable or not a real day (give the day, e.g. "
                         "2026-03-15)"),
    "imp.why.future_date": ("服务日期 {value} 在导入日（{today}）之后", "the service date {value} is after the day "
                            "of the import ({today})"),
    "imp.why.bad_hours": ("服务时长“{value}”无法识别（可写 2、2小时、1.5h、30分钟、半天、全天）",
                          "the hours '{value}' are unreadable (write 2, 2小时, 1.5h, 30分钟, 半天 or 全天)"),
    "imp.why.hours_range": ("服务时长“{value}”不在 0 到 {max} 小时之间", "the hours '{value}' are not between 0 and "
                            "{max}"),
    "imp.note.mode_unknown": ("服务方式“{mode}”无法归为到村或远程，按“其他”导入，不计入有效服务",
                              "mode '{mode}' is neither on site nor remote; imported as 'other', which does not "
                              "count as service in the village"),
    "imp.note.mode_blank": ("没有填写服务方式，按“其他”导入，不计入有效服务",
                            "no mode given; imported as 'other', which does not count as service in the village"),
    "imp.m.services": ("可导入的服务记录", "Service records to import"),
    "imp.s.privacy": ("身份证号和电话号码不会被保存：这两类列整列跳过，服务内容和备注里写的号码在导入前删除。",
                      "ID-card and phone numbers are never stored: such columns are skipped, and numbers written "
                      "in the content or remarks are removed before the import."),
    "imp.d.services": ("{county}：新增服务记录 {services} 条；重复的行 {dupes} 行只导入一次。",
                       "{county}: {services} service records added; {dupes} duplicate rows imported once."),
    "imp.mode.onsite": ("到村", "on site"),
    "imp.mode.remote": ("远程", "remote"),
    "imp.mode.other": ("其他", "other"),
    "imp.sf.date": ("服务日期", "date"),
    "imp.sf.township": ("乡镇（街道）", "township"),
    "imp.sf.village": ("服务村（社区）", "village"),
    "imp.sf.code": ("区划代码", "division code"),
    "imp.sf.adviser": ("法律顾问", "adviser"),
    "imp.sf.licence": ("执业证号", "licence number"),
    "imp.sf.mode": ("服务方式", "mode"),
    "imp.sf.category": ("服务类别", "category"),
    "imp.sf.hours": ("服务时长（小时）", "hours"),
    "imp.sf.people": ("服务人次", "people served"),
    "imp.sf.content": ("服务内容", "content"),
    "imp.sf.remark": ("备注", "remark"),
    # effective service: served / nominal (geo.core.service_rule) and every view of it
    "status.nominal": ("挂名（有合同无到村）", "nominal (contract, no visit)"),
    "svc.status.served": ("有效服务", "served"),
    "svc.status.nominal": ("挂名（有合同无到村）", "nominal (contract, no visit)"),
    "svc.status.lapsed": ("到期未续", "lapsed"),
    "svc.status.never": ("从未配备", "never covered"),
    "svc.status.no_data": ("无服务记录", "no service data"),
    "svc.help": ("有效服务：有在聘合同，且近 {days} 天内有到村服务记录；挂名：有合同，但近 {days} 天内没有到村服务"
                 "（电话、微信等远程服务不算）；无服务记录：所在县尚未导入服务台账。",
                 "Served: a contract in force and an on-site visit recorded in the last {days} days; nominal: a "
                 "contract but no on-site visit in the last {days} days (phone, WeChat and other remote services "
                 "do not count); no service data: the county's service logs have not been imported."),
    "col.served": ("有效服务", "Served"),
    "col.nominal": ("挂名", "Nominal"),
    "col.served_rate": ("有效服务率", "Served rate"),
    "col.has_service_data": ("有服务记录", "Has service data"),
    "col.service_status": ("服务状态", "Service status"),
    "col.last_onsite": ("最近到村服务", "Last on-site visit"),
    "col.rate_gap": ("覆盖率与有效服务率之差", "Coverage minus served rate"),
    "svc.settings": ("有效服务标准", "Effective service"),
    "svc.window_days": ("到村服务记录的有效天数", "Days an on-site visit counts"),
    "svc.window_help": ("在这么多天内（含统计日期当天）有到村服务记录，才算有效服务；默认 90 天。",
                        "A village counts as served when a visit is recorded within this many days up to and "
                        "including the date; 90 by default."),
    "svc.counting_modes": ("计入有效服务的服务方式", "Modes that count as service"),
    "svc.mode.onsite": ("到村服务", "on site"),
    "svc.mode.remote": ("远程（电话、微信、视频）", "remote (phone, WeChat, video)"),
    "svc.mode.other": ("其他", "other"),
    "svc.e.window": ("有效天数应为不小于 1 的整数，而不是“{value}”", "the window must be a whole number of days, "
                     "at least 1, not '{value}'"),
    "svc.e.modes": ("服务方式应为 {known} 中的一种或几种，而不是“{value}”",
                    "the modes must be one or more of {known}, not '{value}'"),
    "svc.metric.served": ("有效服务", "Served"),
    "svc.metric.served_rate": ("有效服务率", "Served rate"),
    "svc.metric.nominal": ("挂名（有合同无到村）", "Nominal (contract, no visit)"),
    "svc.metric.gap": ("比覆盖率低 {gap} 个百分点", "{gap} points below coverage"),
    "svc.headline": ("合同覆盖率 {coverage}，有效服务率 {served}：{nominal} 个村（社区）有合同，但近 {days} 天没有"
                     "到村服务记录，两者相差 {gap} 个百分点。",
                     "Contract coverage {coverage}, effective service {served}: {nominal} villages have a contract "
                     "but no on-site visit recorded in the last {days} days, a gap of {gap} percentage points."),
    "svc.no_data": ("{name}还没有导入服务台账（无服务记录），有效服务率暂不计算。",
                    "No service logs have been imported for {name} (no service data): the served rate is not "
                    "computed."),
    "svc.no_data_units": ("另有 {n} 个{unit}无服务记录，未计入。",
                          "{n} {unit}(s) without service data are not counted."),
    "svc.ranking": ("各{unit}覆盖率与有效服务率的差距", "Coverage against effective service by {unit}"),
    "svc.ranking_note": ("差距大的排在前面：合同签了，顾问却很少到村。",
                         "Largest gap first: contracts signed, advisers seldom in the village."),
    "svc.no_data_list": ("无服务记录的 {n} 个{unit}（服务台账尚未导入；不参加排名）",
                         "{n} {unit}(s) without service data (logs not imported; not ranked)"),
    "svc.trend": ("近 24 个月合同覆盖率与有效服务率", "Contract coverage and effective service, past 24 months"),
    "svc.trend_note": ("每月最后一天的两个比率（本月按所选日期）；没有服务记录的月份不画有效服务率。",
                       "Both rates on the last day of each month (this month: the chosen date); months before "
                       "any service record have no served rate."),
    "svc.line.coverage": ("合同覆盖率", "Contract coverage"),
    "svc.line.served": ("有效服务率", "Effective service"),
    "svc.rate": ("比率", "Rate"),
    "map.layer": ("地图显示", "Map shows"),
    "map.layer.coverage": ("合同覆盖", "Contract coverage"),
    "map.layer.served": ("有效服务", "Effective service"),
    "legend.legend_served": ("有效服务率（有合同且近期有到村服务）", "Served rate (contract and a recent visit)"),
    "legend.legend_service": ("村（社区）服务状态", "Village service status"),
    "legend.svc_no_data": ("无服务记录", "no service data"),
    "legend.f_served_rate": ("有效服务率", "Served"),
    "legend.f_n_served": ("有效服务", "Served"),
    "legend.f_n_nominal": ("挂名", "Nominal"),
    "legend.f_service": ("服务状态", "Service"),
    "legend.f_last_onsite": ("最近到村", "Last on-site visit"),
    "svc.figures": ("有效服务 {served} 个，有效服务率 {rate}；挂名 {nominal} 个。",
                    "{served} served ({rate}); {nominal} nominal."),
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
    # figures (issue 19 items 1-2: the no-data rule, national gap list, counties without a ledger)
    "nodata.left_out": ("另有 {counties} 个县（区）共 {villages} 个村（社区）尚未导入法律顾问台账（无数据），未计入。",
                        "{counties} counties ({villages} villages) have not imported an adviser ledger yet (no data) "
                        "and are not counted."),
    "nodata.left_out_short": ("{counties} 个县（区）无数据，未计入", "{counties} counties excluded: no data"),
    "nodata.scope": ("{name}尚未导入法律顾问台账（无数据）：{villages} 个村（社区）都没有合同记录，暂不计算覆盖率。",
                     "{name} has not imported an adviser ledger yet (no data): none of its {villages} villages has "
                     "a contract on record, so there is no coverage rate yet."),
    "brief.left_out": ("另有{counties}个县（区）共{villages}个村（社区）尚未导入法律顾问台账，未计入以上统计。",
                       "{counties} counties ({villages} villages) have not imported an adviser ledger yet and are "
                       "not counted above."),
    "status.no_data": ("无数据（台账未导入）", "no data (ledger not imported)"),
    "gaps.left_out": ("另有 {counties} 个县（区）共 {villages} 个村（社区）尚未导入法律顾问台账，不列入缺口清单，"
                      "见下方“未导入台账的县（区）”。",
                      "{counties} counties ({villages} villages) have not imported an adviser ledger yet and are "
                      "not listed as gaps: see “Counties without a ledger” below."),
    "gaps.scope_no_data": ("{name}尚未导入法律顾问台账（无数据），还没有可列的缺口。请先导入台账。",
                           "{name} has not imported an adviser ledger yet (no data): there are no gaps to list "
                           "yet. Import its ledger first."),
    "nodata.title": ("未导入台账的县（区）", "Counties without a ledger"),
    "nodata.intro": ("截至 {date}，以下 {n} 个县（区）共 {villages} 个村（社区）还没有任何法律顾问合同记录，"
                     "应先督促导入台账。",
                     "Counties with no adviser contract on record on {date}: {n} ({villages} villages). Chase "
                     "their ledgers first."),
    "nodata.none": ("{name}各县（区）均已导入法律顾问台账。", "Every county of {name} has imported an adviser ledger."),
    "nodata.none_here": ("{name}已导入法律顾问台账。", "{name} has imported an adviser ledger."),
    "nodata.file": ("未导入台账的县区", "counties_without_ledger"),
    "nodata.sheet": ("未导入台账的县区", "Counties without ledger"),
    "col.county_code": ("县（区）代码", "County code"),
    "col.city": ("市（州）", "City"),
    "col.province": ("省（区、市）", "Province"),
    # (end of this block)
    # people and admin (issue 19 items 3, 11, 12: one person once, the audit page, the first account)
    "acc.e.last_admin": ("{name} 是最后一个启用的管理员，不能停用：停用后就没有人能管理账号了；"
                         "请先建立或启用另一个管理员",
                         "{name} is the last enabled administrator and cannot be disabled: nobody could manage "
                         "accounts afterwards; create or enable another administrator first"),
    "acc.e.first_admin": ("第一个账号必须是管理员（admin）：有了账号就要登录，只有管理员能管理账号；"
                          "请先建立一个管理员，管辖范围可以是本县",
                          "the first account must be an administrator (admin): once an account exists everyone must "
                          "log in, and only an administrator can manage accounts; create an administrator first "
                          "(its jurisdiction may be your county)"),
    "imp.reason.possible_duplicate": ("可能是同一人", "possibly the same person"),
    "people.whom.row": ("第 {row} 行的顾问", "the adviser on row {row}"),
    "people.whom.stored": ("已登记的顾问“{name}”（{org}）", "the stored adviser '{name}' ({org})"),
    "people.doubt.licence_other_name": ("执业证号与{whom}相同，但姓名不同：已按两人导入，请核对",
                                        "same licence number as {whom} but another name: imported as two people; "
                                        "please check"),
    "people.doubt.other_licence": ("与{whom}同名、电话相同，但执业证号不同：已按两人导入，请核对是否同一人",
                                   "same name and phone as {whom} but another licence number: imported as two "
                                   "people; please check whether they are one"),
    "people.doubt.other_phone": ("与{whom}同名，但电话不同：已按两人导入，请核对是否同一人",
                                 "same name as {whom} but another phone: imported as two people; please check "
                                 "whether they are one"),
    "people.doubt.other_org": ("与{whom}同名，没有执业证号或电话可以比对，单位不同：已按两人导入，请核对是否同一人",
                               "same name as {whom}, no licence number or phone to compare, another organisation: "
                               "imported as two people; please check whether they are one"),
    "people.doubt.unconfirmed": ("与{whom}同名，但没有相同的执业证号或电话可以确认：已按两人导入，请核对是否同一人",
                                 "same name as {whom}, but no shared licence number or phone confirms it: imported "
                                 "as two people; please check whether they are one"),
    "audit.e.zone": ("显示时区“{zone}”无效：请在 .streamlit/secrets.toml 的 [display] 下写时区名，如 "
                     "timezone = \"Asia/Shanghai\"",
                     "display time zone '{zone}' is not a time zone: under [display] in .streamlit/secrets.toml "
                     "write a zone name, e.g. timezone = \"Asia/Shanghai\""),
    "audit.zone.beijing": ("北京时间，{utc}", "Beijing time, {utc}"),
    "audit.col.time_in": ("时间（{zone}）", "Time ({zone})"),
    "audit.since_in": ("起始日期（{zone}）", "Since ({zone})"),
    "audit.say.import": ("{kind}“{file}”，批次 {batch}：读取 {read} 行，导入 {accepted} 行，未导入 {rejected} 行",
                         "{kind} '{file}', batch {batch}: {read} rows read, {accepted} imported, {rejected} not "
                         "imported"),
    "audit.say.rollback": ("撤销{kind}批次 {batch}", "{kind} batch {batch} rolled back"),
    "audit.say.export": ("{what}（{format}，截至 {as_of}）", "{what} ({format}, as of {as_of})"),
    "audit.say.account_add": ("账号 {account}（{name}），角色：{role}", "account {account} ({name}), role: {role}"),
    "audit.say.account": ("账号 {account}", "account {account}"),
    "audit.reason.unknown_user": ("用户名不存在", "unknown user name"),
    "audit.reason.wrong_password": ("密码错误", "wrong password"),
    "audit.reason.disabled": ("账号已停用", "account disabled"),
    "audit.reason.locked": ("账号锁定中", "account locked"),
    "audit.what.gap_list": ("缺口村居清单", "gap list"),
    "audit.what.gap_plan": ("补缺方案", "gap plan"),
    "audit.what.briefing": ("工作简报", "briefing"),
    "audit.what.map": ("离线地图", "offline map"),
    "audit.what.adv": ("法律顾问名册", "adviser register"),
    "audit.what.ren": ("续聘清单", "renewal list"),
    "audit.key.rows": ("行数", "rows"),
    "audit.key.read": ("读取", "read"),
    "audit.key.accepted": ("导入", "imported"),
    "audit.key.rejected": ("未导入", "not imported"),
    "audit.key.sha256": ("文件指纹", "SHA-256"),
    "audit.key.statuses": ("状态", "statuses"),
    "audit.key.township": ("乡镇", "township"),
    "audit.key.contacts": ("含联系方式", "with contacts"),
    "audit.key.cap": ("每人上限", "cap per adviser"),
    "audit.key.max_km": ("最远距离（公里）", "max distance (km)"),
    "audit.key.failures": ("连续失败次数", "failures in a row"),
    "audit.key.locked": ("已锁定", "locked"),
    "audit.key.kind": ("类型", "kind"),
    "audit.key.file": ("文件", "file"),
    "audit.key.batch": ("批次", "batch"),
    "audit.key.what": ("内容", "what"),
    "audit.key.format": ("格式", "format"),
    "audit.key.as_of": ("截至", "as of"),
    "audit.key.account": ("账号", "account"),
    "audit.key.role": ("角色", "role"),
    "audit.key.display_name": ("显示名称", "display name"),
    "audit.key.reason": ("原因", "reason"),
    "audit.bool.true": ("是", "yes"),
    "audit.bool.false": ("否", "no"),
    "people.doubt.taken": ("与{whom}相符，但本文件中另有一人已对应该顾问：已按两人导入，请核对是否同一人",
                           "matches {whom}, but another person of this file already does: imported as two people; "
                           "please check whether they are one"),
    "cli.init.admin_name_in": ("第一个管理员的用户名（管辖范围 {place}）：",
                               "user name of the first administrator (jurisdiction {place}): "),
    # (end of this block)
    # national pages and downloads (issue 19 item 4, issue 20 item 9)
    "gaps.page": ("页码", "Page"),
    "gaps.page_rows": ("显示第 {first}–{last} 个，共 {n} 个；完整清单请下载。",
                       "Showing {first}–{last} of {n}; the download has every village."),
    "gaps.by_unit": ("按{unit}统计", "By {unit}"),
    "gaps.xlsx_too_many": ("清单超过 {n} 行，Excel 文件生成太慢。请下载 CSV（含全部行，Excel 和 WPS 均可打开），"
                           "或缩小范围后再下载 Excel。",
                           "The list has more than {n} rows, too many for an Excel file. Download the CSV (every "
                           "row; Excel and WPS open it), or narrow the scope for an Excel file."),
    "list.page_rows": ("显示第 {first}–{last} 行，共 {n} 行；下载的文件含全部行。",
                       "Showing rows {first}–{last} of {n}; the download has every row."),
    "plan.run": ("生成补缺建议", "Make the plan"),
    "plan.run_note": ("补缺建议在点击后计算，范围越大用时越长。", "The plan is computed when asked for; a larger "
                      "scope takes longer."),
    "plan.too_large": ("{name}有 {n} 个到期未续或从未配备的村（社区），超过一次补缺建议的上限 {max} 个。"
                       "请先选择一个省或市。",
                       "{name} has {n} lapsed or never-covered villages, more than one plan takes ({max}). "
                       "Choose a province or a city first."),
    # (end of this block)
    # finish (issue 19 items 5, 6, 7, 10: exports, uploads, map, charts)
    "svc.trend_begins": ("服务记录自{year}年{month}月起。", "Service records begin in {month_name} {year}."),
    "select.placeholder": ("请选择", "Choose"),
    "imp.upload_button": ("选择文件", "Browse"),
    "imp.upload_drop": ("松开鼠标即可上传", "Release to upload"),
    "imp.upload_hint": ("或把文件拖到这里 · 不超过 {mb} MB · 可用 {types}",
                        "or drop the file here · up to {mb} MB · {types}"),
    "brief.map_note": ("注：本图为示意图，图中界线不作为实际划界依据。",
                       "Note: a schematic map; the boundaries shown are not authoritative for delimitation."),
    # (end of this block)
    # messages (issue 19 items 8, 9, 13: adviser page, small messages, how to use it)
    "adv.kind.lawyer": ("律师", "lawyer"),
    "adv.kind.worker": ("基层法律服务工作者", "grassroots legal service worker"),
    "adv.kind.other": ("其他", "other"),
    "adv.distance.none": ("距离为“—”的村（社区）没有村级边界（或顾问没有驻地），无法计算距离。",
                          "A distance of “—”: the village has no boundary (or the adviser no base), so there is "
                          "no distance to give."),
    "msg.gaps.pick_status": ("请至少选择一种状态，清单才会列出村（社区）。",
                             "Choose at least one status to list villages."),
    "msg.rb.option_nofile": ("第 {batch} 批 · {kind} · {time}", "batch {batch} · {kind} · {time}"),
    "msg.imp.reason_n": ("{reason}（{n}）", "{reason} ({n})"),
    "msg.imp.reason_other": ("其他原因（{n}）", "other reasons ({n})"),
    "msg.imp.reasons": ("不能导入的主要原因：{reasons}；逐行原因见下表。",
                        "Main reasons for the rejected rows: {reasons}; each row's reason is in the table below."),
    "msg.imp.reasons_clause": ("；主要原因：{reasons}", "; main reasons: {reasons}"),
    "msg.denied.role": ("您的角色（{role}）不能使用“{page}”，所以没有打开这个页面。"
                        "如确需使用，请联系本单位的系统管理员。",
                        "Your role ({role}) does not allow “{page}”, so the page was not opened. If you need it, "
                        "ask your administrator."),
    "msg.denied.open": ("“{page}”只对登录的管理员开放；本系统还没有启用登录（没有任何账号），所以没有这个页面。",
                        "“{page}” is for administrators who log in; this deployment has no accounts yet (no "
                        "login), so there is no such page."),
    "msg.denied.back": ("返回覆盖地图", "Back to the coverage map"),
    "msg.date.range": ("可选 {low} 至 {high}。", "Dates from {low} to {high}."),
    "msg.date.refused": ("{raw} 不在可选范围（{low} 至 {high}）内，未采用；仍按 {used} 统计。",
                         "{raw} is outside the dates offered ({low} to {high}) and was not used; the figures "
                         "are still as of {used}."),
    "msg.svc.begins_later": ("{name}的服务记录从 {day} 开始，{date} 还没有服务记录，有效服务率暂不计算；"
                             "请选择 {day} 以后的日期。",
                             "The service records of {name} begin on {day}: there are none by {date}, so the "
                             "served rate is not computed. Choose a date from {day} on."),
    # the audit page's words for the actions the audit branch added (refusals, the demo rebuilt)
    "audit.say.refused": ("拒绝了{attempt}：{why}", "refused to {attempt}: {why}"),
    "audit.say.demo_rebuild": ("演示数据已清空重建（{store}），账号和审计日志保留",
                               "demo data erased and rebuilt ({store}); accounts and the audit trail kept"),
    "audit.attempt.account_add": ("新建账号", "create an account"),
    "audit.attempt.account_passwd": ("修改密码", "set a password"),
    "audit.attempt.account_enabled": ("启用或停用账号", "enable or disable an account"),
    "audit.attempt.account_list": ("查看账号列表", "list the accounts"),
    "audit.attempt.manage_accounts": ("管理用户", "manage accounts"),
    "audit.attempt.read_audit": ("查看审计日志", "read the audit trail"),
    "audit.attempt.preview": ("预览导入文件", "preview an import"),
    "audit.attempt.import": ("导入数据", "import data"),
    "audit.attempt.import_registry": ("导入区划代码表", "import a division list"),
    "audit.attempt.rollback": ("撤销导入", "roll back an import"),
    "audit.attempt.export": ("下载导出", "download an export"),
    "audit.attempt.view": ("查看", "view"),
    "audit.key.attempt": ("尝试的操作", "attempted"),
    "audit.key.message": ("说明", "message"),
    "audit.key.scope": ("范围", "scope"),
    "audit.key.store": ("数据库", "database"),
    "audit.key.enabled": ("启用", "enabled"),
    "audit.key.name": ("名称", "name"),
    "audit.key.action": ("操作", "action"),
    "audit.key.since": ("起始日期", "since"),
    "audit.key.user": ("用户", "user"),
    "audit.what.audit": ("审计日志", "audit trail"),
    "audit.what.import_report": ("导入报告", "import report"),
    "audit.what.no_data_counties": ("未导入台账的县（区）清单", "counties without a ledger"),
    # a ledger or service log whose county cannot be told ({name}: the file's name)
    "match.e.undetected_ledger": ("“{name}”：无法判断台账属于哪个县，请选择县",
                                  "'{name}': cannot tell which county this ledger belongs to; please choose the "
                                  "county"),
    "match.e.undetected_services": ("“{name}”：无法判断服务台账属于哪个县，请选择县",
                                    "'{name}': cannot tell which county this service log belongs to; please choose "
                                    "the county"),
    # Streamlit's keyboard link to the page's content (shown when Tab reaches it), in our words
    "msg.skip_to_content": ("跳到正文", "Skip to main content"),
    # a picker's list when what is typed into it matches no option
    "msg.no_options": ("没有匹配的选项", "No results"),
    # (end of this block)
    # parsers under limits (issue 20 items 1-3)
    "limit.cell": ("单元格“{start}…”长达 {chars} 个字符，超过 {limit} 个字符的上限，未读取",
                   "the cell '{start}…' has {chars} characters, more than the limit of {limit}; not read"),
    "limit.sheets": ("“{name}”的工作表超过 {limit} 个的上限，已拒绝，没有导入任何内容",
                     "'{name}' has more than the limit of {limit} sheets; refused, nothing was imported"),
    "limit.columns": ("“{name}”有内容超出第 {limit} 列（上限），已拒绝，没有导入任何内容。请删除右侧多余的列后再导入。",
                      "'{name}' has content beyond column {limit} (the limit); refused, nothing was imported. "
                      "Delete the columns not needed on the right and import again."),
    "limit.cells": ("“{name}”的单元格超过 {limit} 个的上限，已停止读取，没有导入任何内容",
                    "'{name}' has more than the limit of {limit} cells; reading stopped and nothing was imported"),
    "limit.merged_ranges": ("“{name}”的合并单元格超过 {limit} 处的上限，已拒绝，没有导入任何内容",
                            "'{name}' has more than the limit of {limit} merged ranges; refused, nothing was "
                            "imported"),
    "limit.merged_cells": ("“{name}”的合并单元格共覆盖超过 {limit} 个单元格（上限），已拒绝，没有导入任何内容。"
                           "请取消整行、整列的合并后再导入。",
                           "the merged ranges of '{name}' cover more than the limit of {limit} cells; refused, "
                           "nothing was imported. Unmerge whole rows or columns and import again."),
    "limit.time": ("读取“{file}”超过 {seconds} 秒的时限，已停止，没有导入任何内容。文件可能过大或结构异常，"
                   "请检查后重试，或按乡镇拆分后再导入。",
                   "reading '{file}' took longer than the limit of {seconds} seconds; it was stopped and nothing "
                   "was imported. The file may be too large or malformed: check it, or split it by township, "
                   "and import again."),
    "limit.memory": ("读取“{file}”需要的内存超过 {mb} MB 的上限，已停止，没有导入任何内容。文件可能过大或结构异常，"
                     "请检查后重试，或按乡镇拆分后再导入。",
                     "reading '{file}' needed more than the limit of {mb} MB of memory; it was stopped and "
                     "nothing was imported. The file may be too large or malformed: check it, or split it by "
                     "township, and import again."),
    "limit.failed": ("“{file}”无法读取（文件可能已损坏），没有导入任何内容",
                     "'{file}' could not be read (the file may be corrupt); nothing was imported"),
    "limit.vertices_feature": ("第 {n} 个要素有 {count} 个顶点，超过每个要素 {limit} 个的上限，已拒绝整个文件，"
                               "没有导入任何内容。请在 GIS 软件中简化该图形后再导入。",
                               "feature {n} has {count} vertices, more than the limit of {limit} per feature; the "
                               "whole file was refused and nothing was imported. Simplify that shape in a GIS "
                               "program and import again."),
    "limit.vertices_file": ("文件共有 {count} 个顶点，超过每个文件 {limit} 个的上限，已拒绝，没有导入任何内容。"
                            "请按县拆分，或在 GIS 软件中简化图形后再导入。",
                            "the file has {count} vertices in all, more than the limit of {limit} per file; "
                            "refused, nothing was imported. Split it by county, or simplify the shapes in a GIS "
                            "program, and import again."),
    "imp.reason.too_long": ("单元格内容过长", "cell too long"),
    "imp.why.too_long": ("单元格“{start}…”长达 {chars} 个字符，超过 {limit} 个字符的上限，未读取",
                         "the cell '{start}…' has {chars} characters, more than the limit of {limit}; not read"),
    # (end of this block)
    # logins and sessions (issue 20 items 4-7)
    "login.route.too_many": ("本机登录失败次数过多，请一分钟后再试。",
                             "Too many failed logins from this computer; try again in a minute."),
    "login.route.foreign": ("请从本系统自己的页面登录或退出，不接受来自其他网站的请求。",
                            "Log in or out from this app's own page; requests from other sites are refused."),
    # (end of this block)
    # audit trail and jurisdiction (issue 20 items 8, 10-13)
    "audit.action.refused": ("越权操作被拒绝", "refused"),
    "audit.action.demo_rebuild": ("重建演示数据", "demo data rebuilt"),
    "audit.chain.whole": ("审计日志完整：{n} 条记录首尾相接，未被改动；末条记录的哈希为 {head}"
                          "（请另行保存，以便日后核对）",
                          "the audit trail is whole: {n} entries, each linked to the one before; the last one's "
                          "hash is {head} (keep it elsewhere to compare later)"),
    "audit.chain.broken": ("审计日志在第 {id} 条记录（{time}）处断开：{why}",
                           "the audit trail breaks at entry {id} ({time}): {why}"),
    "audit.chain.changed": ("这条记录被改动过，或它前面的记录被删除、改动或调换了次序",
                            "this entry was changed, or one before it was removed, changed or moved"),
    "audit.chain.unhashed": ("这条记录没有哈希（不是本软件写入的）",
                             "this entry has no hash (not written by this tool)"),
    "audit.chain.cut": ("链尾记载的最后一条是第 {id} 条，与实际不符：末尾有记录被删除或添加",
                        "the chain's recorded end is entry {id}, not this one: entries at the end were removed or "
                        "added"),
    "audit.chain.nohead": ("链尾记载（meta 表的 audit_head）不见了：无法确认末尾没有记录被删除",
                           "the chain's recorded end (audit_head in the meta table) is missing: entries at the end "
                           "may have been removed"),
    "audit.chain.old": ("数据库 {db} 还没有升级到带哈希链的版本，请先用本版本的软件以可写方式打开一次（例如启动应用）",
                        "{db} has not been upgraded to the chained audit trail yet: open it once for writing with "
                        "this version (start the app, for example)"),
    # (end of this block)
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
