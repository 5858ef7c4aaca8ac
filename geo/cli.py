"""Command line: ``python -m geo <command>`` over the same library the app uses.

Errors the user can act on (unknown scope, bad date, missing database, unreadable file: every
:class:`geo.errors.UserError`) print one line to stderr and exit with status 2; an import that accepted nothing
exits with status 1.  Messages are in both languages unless ``--lang`` asks for one.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import sys
from pathlib import Path

from .codes import LEVEL_NAMES, Scope
from .coverage import GAP_STATUSES, Status
from .errors import UserError
from .i18n import t
from .store import Store, default_target, open_store

#: the benchmarks live beside the library in a source checkout: benchmarks/ at the repository root
BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


class UsageError(UserError):
    """A bad command-line value."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"日期“{text}”无法识别，应为 YYYY-MM-DD / bad date '{text}': use YYYY-MM-DD") from None


def _scope(store: Store, raw: str | None) -> Scope:
    return store.check_scope(Scope.parse(raw))


def _open(args, *, create: bool = False, read_only: bool = True) -> Store:
    return open_store(args.db or default_target(), read_only=read_only, create=create)


def _output(raw: str) -> Path:
    """`raw` as a file this command may write: its folder must exist already (it is never created)."""
    path = Path(raw)
    folder = path.parent
    if path.is_dir():
        raise UsageError(f"{raw} 是文件夹，请给出文件名 / {raw} is a folder: give a file name")
    if not folder.is_dir():
        raise UsageError(f"文件夹 {folder} 不存在，请先建立 / folder {folder} does not exist: create it first")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"无法写入 {raw}（没有写权限） / cannot write {raw}: permission denied")
    return path


def _statuses(text: str | None) -> list[str]:
    if not text:
        return [s.value for s in GAP_STATUSES]
    wanted = [s.strip() for s in text.split(",") if s.strip()]
    known = {s.value for s in Status}
    bad = [s for s in wanted if s not in known]
    if bad:
        raise UsageError(f"未知状态 {','.join(bad)}，可选 {','.join(sorted(known))} / "
                         f"unknown status {','.join(bad)}; choose from {','.join(sorted(known))}")
    return wanted


def cmd_demo(args) -> int:
    from .demo import build_demo
    from .store.postgres_store import is_postgres_url

    target = args.db or default_target()
    if args.force and not is_postgres_url(target):   # a file is rebuilt from nothing, damaged or not
        Path(target).unlink(missing_ok=True)
        Path(f"{target}.wal").unlink(missing_ok=True)
    with open_store(target) as store:
        if not store.is_empty():
            if not args.force:
                print(f"已存在：{store.target}（--force 重建） / exists: {store.target} (use --force to rebuild)")
                return 0
            with store.transaction() as cur:
                store.erase(cur)
        rep = build_demo(store)
        shown = store.target
    print(f"演示数据已写入 {shown}：{rep.villages} 个村居，{rep.advisers} 名法律顾问，{rep.assignments} 条聘任，"
          f"{rep.schematic_villages} 个示意边界，用时 {rep.seconds:.1f} 秒 / demo written to {shown}")
    return 0


def cmd_init(args) -> int:
    """A real deployment's starting point: the shipped registry and outlines, no contracts."""
    from .demo_geometry import store_outline_tiers
    from .registry import REGISTRY_FILE, national_registry

    with open_store(args.db or default_target()) as store:
        shown = store.target
        if not store.is_empty():
            print(f"已存在数据：{shown}，未改动 / {shown} already holds data; nothing changed")
            return 0
        with store.transaction() as cur:
            batch = store.new_batch(cur, "init", REGISTRY_FILE.name, note="统计用区划代码 2022（随软件提供）")
            n = store.load_registry(national_registry(), cur, batch_id=batch)
            store.set_batch_rows(cur, batch, n, n)
            store_outline_tiers(store, cur)
            store.set_meta("dataset", "real", cur)
    print(f"已建立 {shown}：{n} 个区划和全国县级边界；下一步导入台账和村级边界 / created {shown} with {n} divisions "
          f"and the county outlines; next, import ledgers and village boundaries")
    return 0


def cmd_summary(args) -> int:
    output = _output(args.output) if args.output else None
    with _open(args) as store:
        scope = _scope(store, args.scope)
        by = args.by or LEVEL_NAMES[min(max(store.child_level(scope) or 5, 1), 5) - 1]
        if LEVEL_NAMES.index(by) + 1 < scope.level:
            raise UsageError(f"--by {by} 高于范围 {scope.code} 的层级 / --by {by} is above the scope's level")
        df = store.summary(scope, _date(args.as_of), by=by, expiring_days=args.expiring_days)
    if args.format == "csv":
        from .export import summary_table, to_csv_bytes
        data = to_csv_bytes(df if args.raw else summary_table(df, _lang(args)))
        (sys.stdout.buffer.write(data) if not output else output.write_bytes(data))
    else:
        records = [{**r, "coverage_rate": round(float(r["coverage_rate"]), 6)}
                   for r in df.to_dict(orient="records")]
        text = json.dumps(records, ensure_ascii=False, indent=1)
        (print(text) if not output else output.write_text(text, encoding="utf-8"))
    return 0


def cmd_export(args) -> int:
    from . import export
    from .geometry_store import village_geojson

    output = _output(args.output)
    with _open(args) as store:
        scope = _scope(store, args.scope)
        villages = store.village_statuses(scope, _date(args.as_of), statuses=_statuses(args.status),
                                  expiring_days=args.expiring_days)
        geoms = village_geojson(store, villages["code"]) if args.output.lower().endswith(("json",)) else None
    export.write(output, villages, geoms, lang=_lang(args))
    print(f"{len(villages)} 个村居已导出到 {args.output} / {len(villages)} villages written to {args.output}")
    return 0


def cmd_map(args) -> int:
    from .map_data import standalone_map_html

    output = _output(args.output)
    with _open(args) as store:
        scope = _scope(store, args.scope)
        html = standalone_map_html(store, scope, _date(args.as_of), lang=_lang(args))
    output.write_text(html, encoding="utf-8")
    print(f"地图已写入 {args.output}（{len(html.encode()) / 1e6:.1f} MB，可离线打开） / map written to {args.output}")
    return 0


def cmd_report(args) -> int:
    from .briefing import build_report, format_of

    fmt = format_of(args.output)
    output = _output(args.output)
    lang = _lang(args)
    with _open(args) as store:
        data = build_report(store, _scope(store, args.scope), _date(args.as_of), fmt, lang=lang,
                            issuer=args.issuer, cap=args.cap)
    output.write_bytes(data)
    print(t("brief.written", lang, file=args.output) if args.lang else
          f"{t('brief.written', 'zh', file=args.output)} / {t('brief.written', 'en', file=args.output)}")
    return 0


def _lang(args) -> str:
    """The language of tables and reports: --lang, Chinese when not given."""
    return getattr(args, "lang", None) or "zh"


def _summary(args, result) -> str:
    """An import's line: in --lang when given, in both languages otherwise (a log reads either)."""
    return result.text(args.lang) if args.lang else result.summary_line()


def cmd_import(args) -> int:
    from . import imports

    report = _output(args.report) if args.report else None
    # the database must exist (python -m geo init or demo): an import never creates an empty one
    with _open(args, read_only=False) as store:
        if args.kind != "registry" and store.is_empty():
            raise UsageError(f"数据库 {store.target} 里还没有区划代码，请先运行 python -m geo init / database "
                             f"{store.target} holds no division list yet: run `python -m geo init` first")
        try:
            result = imports.run_import(store, args.kind, args.file, vars(args))
        except imports.ImportRefused as refused:
            if report and refused.result() is not None:     # e.g. the villages to check before confirming
                imports.write_report(refused.result(), report, _lang(args))
            raise
    if report:
        imports.write_report(result, report, _lang(args))
    print(_summary(args, result))
    return 0 if result.ok else 1


def _benchmark(name: str):
    """The module `name` of the benchmarks/ folder beside the library (dev tooling, not in an installed copy)."""
    if not (BENCHMARKS / f"{name}.py").is_file():
        raise UsageError(f"没有找到测速程序 {BENCHMARKS}（只在源码仓库中提供） / the benchmarks are not in this copy "
                         f"({BENCHMARKS} is missing): run them from a source checkout")
    root = str(BENCHMARKS.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    return importlib.import_module(f"benchmarks.{name}")


def cmd_bench(args) -> int:
    return _benchmark("app_pages" if getattr(args, "app", False) else "national").main(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m geo", description="村居法律顾问覆盖图 / village legal adviser coverage")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp):
        sp.add_argument("--db", help="DuckDB file (default data/coverage.duckdb or $VILLAGE_COVERAGE_DB)")
        sp.add_argument("--lang", choices=["zh", "en"],
                        help="language of tables and messages (default: tables in Chinese, messages in both)")

    def scoped(sp):
        common(sp)
        sp.add_argument("--scope", help="division code prefix: 61, 6101, 610124 ... (default: all of China)")
        sp.add_argument("--as-of", default=dt.date.today().isoformat(), help="YYYY-MM-DD (default today)")
        sp.add_argument("--expiring-days", type=int, default=60)

    sp = sub.add_parser("demo", help="build the demo database")
    common(sp)
    sp.add_argument("--force", action="store_true", help="rebuild even if the database exists")
    sp.set_defaults(func=cmd_demo)

    sp = sub.add_parser("init", help="a new empty database with the national registry and outlines (no demo)")
    common(sp)
    sp.set_defaults(func=cmd_init)

    sp = sub.add_parser("summary", help="coverage per unit")
    scoped(sp)
    sp.add_argument("--by", choices=LEVEL_NAMES)
    sp.add_argument("--format", choices=["json", "csv"], default="json")
    sp.add_argument("--raw", action="store_true", help="csv with English column names")
    sp.add_argument("-o", "--output")
    sp.set_defaults(func=cmd_summary)

    sp = sub.add_parser("export", help="village list (gaps by default) to .xlsx/.csv/.geojson")
    scoped(sp)
    sp.add_argument("--status", help="comma list of covered,expiring,lapsed,never (default lapsed,expiring,never)")
    sp.add_argument("-o", "--output", required=True)
    sp.set_defaults(func=cmd_export)

    sp = sub.add_parser("map", help="the map as one self-contained HTML file")
    scoped(sp)
    sp.add_argument("-o", "--output", required=True)
    sp.set_defaults(func=cmd_map)

    sp = sub.add_parser("report", help="the leaders' briefing as a Word (.docx) or PDF (.pdf) file")
    common(sp)
    sp.add_argument("--scope", help="division code prefix: 61, 6101, 610124 ... (default: all of China)")
    sp.add_argument("--as-of", default=dt.date.today().isoformat(), help="YYYY-MM-DD (default today)")
    sp.add_argument("--issuer", help="the issuing unit printed under the title (default: the scope's bureau)")
    sp.add_argument("--cap", type=int, default=5, help="villages per adviser above which one is over the cap")
    sp.add_argument("-o", "--output", required=True, help="FILE.docx or FILE.pdf")
    sp.set_defaults(func=cmd_report)

    from .imports import KINDS, all_options

    sp = sub.add_parser("import", help=f"import {' / '.join(k.key for k in KINDS)}")
    common(sp)
    sp.add_argument("kind", choices=[k.key for k in KINDS])
    sp.add_argument("file")
    sp.add_argument("--report", help="write the rejected/doubtful rows to this .xlsx or .csv")
    for option in all_options():
        sp.add_argument(option.flag, help=option.cli_help, **({"action": "store_true"} if option.is_switch else {}))
    sp.set_defaults(func=cmd_import)

    sp = sub.add_parser("bench", help="national-scale benchmark (prints figures)")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--runs", type=int, default=5)
    sp.add_argument("--app", action="store_true",
                    help="time the app instead: demo build, then page actions in headless Chromium")
    sp.set_defaults(func=cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UserError as e:
        lang = getattr(args, "lang", None)
        print(f"{t('cli.error', lang)}: {e.text(lang)}" if lang else f"错误 / error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        if e.filename is None:       # not about a file the user named: a bug, keep the traceback
            raise
        print(f"错误 / error: {e.filename}：{e.strerror} / {e.filename}: {e.strerror}", file=sys.stderr)
        return 2
