"""Command line: ``python -m geo <command>`` over the same library the app uses.

Errors the user can act on (unknown scope, bad date, missing database, unreadable file: every
:class:`geo.core.errors.UserError`) print one line to stderr and exit with status 2; an import that accepted nothing
exits with status 1.  Messages are in both languages unless ``--lang`` asks for one.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import getpass
import json
import os
import sys
from pathlib import Path

import pandas as pd

from geo import imports
from geo.auth import accounts, audit
from geo.auth.access import Principal
from geo.auth.accounts import operator
from geo.core.caps import DEFAULT_CAP
from geo.core.codes import LEVEL_NAMES, Scope
from geo.core.coverage import NO_DATA
from geo.core.errors import UserError
from geo.core.memory import return_large_blocks
from geo.core.service_rule import DEFAULT_WINDOW_DAYS, ServiceSettings
from geo.imports import KINDS, all_options
from geo.outputs.export import summary_table, to_csv_bytes
from geo.records import named
from geo.records.changes import Appoint, EditAdviser, End, Merge, Renew, Replace
from geo.records.checks import Point
from geo.records.run import RecordResult, perform
from geo.store import Store, StoreError, default_target, open_store
from geo.store.backends.postgres import is_postgres_url
from geo.store.geometry import village_geojson
from geo.store.maintenance import SCHEMA_META
from geo.text.catalogue import Msg, bilingual, localized, t
from geo.views import advisers, gap_list
from geo.views import feedback as villager_feedback
from geo.views.advisers import FLAG_KEYS


class UsageError(UserError):
    """A bad command-line value."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(key="cli.e.date", params={"text": text}) from None


def _scope(store: Store, raw: str | None) -> Scope:
    return store.check_scope(Scope.parse(raw))


def _open(args, *, create: bool = False, read_only: bool = True) -> Store:
    return open_store(args.db or default_target(), read_only=read_only, create=create)


def _output(raw: str) -> Path:
    """`raw` as a file this command may write: its folder must exist already (it is never created)."""
    path = Path(raw)
    folder = path.parent
    if path.is_dir():
        raise UsageError(key="cli.e.is_folder", params={"path": raw})
    if not folder.is_dir():
        raise UsageError(key="cli.e.no_folder", params={"folder": folder})
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(key="cli.e.not_writable", params={"path": raw})
    return path


def _statuses(text: str | None) -> list[str]:
    if not text:
        return list(gap_list.DEFAULT_STATUSES)
    wanted = [s.strip() for s in text.split(",") if s.strip()]
    known = set(gap_list.STATUSES)
    bad = [s for s in wanted if s not in known]
    if bad:
        raise UsageError(key="cli.e.status", params={"bad": ",".join(bad), "known": ",".join(sorted(known))})
    return wanted


def _service(args) -> ServiceSettings:
    """The effective-service rule's settings the command asks for (--window-days)."""
    return ServiceSettings(window_days=args.window_days)


#: what `summary` JSON says of each unit, in this order (the store's frame has a few more columns)
SUMMARY_FIELDS = ("code", "name", "villages", "covered", "expiring", "lapsed", "never", "coverage_rate", "has_data",
                  "served", "nominal", "served_rate", "has_service_data", "no_data_counties", "no_data_villages")
RATE_FIELDS = ("coverage_rate", "served_rate")


def cmd_demo(args) -> int:
    from geo.demo import build_demo  # imported here: start-up time

    target = args.db or default_target()
    if args.force and not is_postgres_url(target):
        _set_aside_if_damaged(Path(target))
    with open_store(target) as store:
        if not store.is_empty():
            if not args.force:
                print(_both("cli.demo.exists", args, db=store.target))
                return 0
            # the data goes; the accounts, their sessions and the audit trail stay, on either backend
            with store.transaction() as cur:
                store.erase(cur)
                audit.record(store, operator(), "demo_rebuild", Scope(""), {"store": store.target}, cur)
        rep = build_demo(store)
        shown = store.target
    print(_both("cli.demo.written", args, db=shown, villages=rep.villages, advisers=rep.advisers,
                assignments=rep.assignments, schematic=rep.schematic_villages, seconds=f"{rep.seconds:.1f}"))
    return 0


def _set_aside_if_damaged(path: Path) -> None:
    """A database file that does not open is renamed (``….damaged-<time>``), not deleted, before the demo is
    built afresh: whatever accounts and audit trail it held stay for someone to recover."""
    from geo.store.backends.duckdb import NotADatabase  # imported here: start-up time (duckdb)

    if not path.exists():
        return
    try:
        open_store(str(path)).close()
    except NotADatabase:
        stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
        for part in (path, Path(f"{path}.wal")):
            if part.exists():
                part.rename(part.with_name(f"{part.name}.damaged-{stamp}"))


def cmd_init(args) -> int:
    """A real deployment's starting point: the shipped registry and outlines, no contracts; then the first
    administrator (asked for on a terminal, or --admin NAME --password-stdin; --no-admin to skip)."""
    from geo.imports.registry import store_outline_tiers  # imported here: start-up time
    from geo.sources.national import REGISTRY_FILE, national_registry  # imported here: start-up time

    with open_store(args.db or default_target()) as store:
        shown = store.target
        if not store.is_empty():
            print(_both("cli.init.exists", args, db=shown))
        else:
            with store.transaction() as cur:
                batch = store.new_batch(cur, "init", REGISTRY_FILE.name, note=t("cli.init.note"))
                n = store.load_registry(national_registry(), cur, batch_id=batch)
                store.set_batch_rows(cur, batch, n, n)
                store_outline_tiers(store, cur)
                store.set_meta("dataset", "real", cur)
            print(_both("cli.init.created", args, db=shown, n=n))
        _first_admin(store, args)
    return 0


def _first_admin(store: Store, args) -> None:
    """The first administrator, for the whole country or --admin-scope (a county's own deployment), unless there
    are accounts already or --no-admin."""
    if args.no_admin or accounts.has_accounts(store):
        return
    scope = _scope(store, args.admin_scope) if args.admin_scope else Scope("")
    name = args.admin
    if name is None and sys.stdin.isatty():
        name = input(t("cli.init.admin_name_in", place=_place(scope)) if scope.digits
                     else t("cli.init.admin_name")).strip()
    if not name:
        print(_both("cli.init.no_admin", args))
        return
    account = accounts.add_account(store, accounts.operator(), name, "admin", scope, _password(args))
    print(_both("cli.user.added", args, name=account.username, role=account.role.value, scope=_place(account.scope)))


def cmd_summary(args) -> int:
    output = _output(args.output) if args.output else None
    with _open(args) as store:
        scope = _scope(store, args.scope)
        by = args.by or LEVEL_NAMES[min(max(store.child_level(scope) or 5, 1), 5) - 1]
        if LEVEL_NAMES.index(by) + 1 < scope.level:
            raise UsageError(key="cli.e.by_above", params={"by": by, "scope": scope.code})
        df = store.summary(scope, _date(args.as_of), by=by, expiring_days=args.expiring_days,
                           service=_service(args))
    if args.format == "csv":
        data = to_csv_bytes(df[list(SUMMARY_FIELDS)] if args.raw else summary_table(df, _lang(args)))
        (sys.stdout.buffer.write(data) if not output else output.write_bytes(data))
    else:
        records = [{**r, **{k: round(float(r[k]), 6) for k in RATE_FIELDS}}
                   for r in df[list(SUMMARY_FIELDS)].to_dict(orient="records")]
        text = json.dumps(records, ensure_ascii=False, indent=1)
        (print(text) if not output else output.write_text(text, encoding="utf-8"))
    return 0


def _open_audited(args) -> Store:
    """The store for a command whose output is audited (export, map): read-write when it can be had, read-only
    when another process holds the DuckDB file (the running app), as the read commands always could."""
    try:
        return _open(args, read_only=False)
    except StoreError:
        return _open(args)


def _audit_output(store: Store, record) -> None:
    """Record an export in the audit trail when the store can be written (not while the app holds the file)."""
    if not store.read_only:
        record()


def cmd_export(args) -> int:
    output = _output(args.output)
    fmt = output.suffix.lower().lstrip(".")
    who = operator()
    if args.status and args.status.strip() == NO_DATA:
        return _export_no_data_counties(args, output, fmt, who)
    with _open_audited(args) as store:
        scope = _scope(store, args.scope)
        gap = gap_list.gap_list(store, who, scope, _date(args.as_of), _statuses(args.status),
                                expiring_days=args.expiring_days, service=_service(args))
        villages = gap.villages
        geoms = village_geojson(store, villages["code"]) if args.output.lower().endswith(("json",)) else None
        gap_list.write(output, villages, geoms, lang=_lang(args))
        _audit_output(store, lambda: gap_list.record_export(store, who, gap, "gap_list", fmt))
        left = store.totals(gap.scope, gap.as_of, expiring_days=args.expiring_days)
    print(_both("cli.export.written", args, n=len(villages), file=args.output))
    if left.has_data and left.no_data_counties:     # not gaps: not imported yet (geo.core.coverage)
        print(_both("cli.export.left_out", args, counties=left.no_data_counties, villages=left.no_data_villages,
                    status=NO_DATA))
    return 0


def _export_no_data_counties(args, output: Path, fmt: str, who) -> int:
    """``export --status no_data``: the counties that have not imported a ledger yet, to .xlsx or .csv."""
    with _open_audited(args) as store:
        scope = _scope(store, args.scope)
        missing = gap_list.no_data_counties(store, who, scope, _date(args.as_of))
        gap_list.write_counties(output, missing.counties, lang=_lang(args))
        _audit_output(store, lambda: gap_list.record_no_data(store, who, missing, fmt))
    n = len(missing.counties)
    print(_both("cli.export.no_data_written", args, n=n, villages=missing.villages, file=args.output))
    return 0


def cmd_map(args) -> int:
    from geo.views.map_view import standalone_map_html  # imported here: start-up time

    output = _output(args.output)
    who = operator()
    with _open_audited(args) as store:
        scope = _scope(store, args.scope)
        as_of = _date(args.as_of)
        html = standalone_map_html(store, scope, as_of, lang=_lang(args), principal=who, service=_service(args),
                                   layer=args.layer)
        output.write_text(html, encoding="utf-8")
        _audit_output(store, lambda: audit.record(store, who, "export", scope,
                                                  {"what": "map", "format": "html", "as_of": as_of}))
    print(_both("cli.map.written", args, file=args.output, mb=f"{len(html.encode()) / 1e6:.1f}"))
    return 0


def cmd_plan(args) -> int:
    from geo.planning import plan_gaps  # imported here: start-up time
    from geo.planning.output import WRITERS, write_plan, written_line  # imported here: start-up time

    output = _output(args.output)
    if output.suffix.lower() not in WRITERS:
        raise UsageError(key="plan.bad_format", params={"ext": output.suffix})
    if args.cap < 1:
        raise UsageError(key="plan.bad_cap")
    if args.max_km is not None and not args.max_km > 0:
        raise UsageError(key="plan.bad_km")
    with _open(args) as store:
        plan = plan_gaps(store, _scope(store, args.scope), _date(args.as_of), cap=args.cap, max_km=args.max_km)
    write_plan(output, plan, _lang(args))
    print(written_line(plan, args.output, args.lang))
    return 0


def cmd_advisers(args) -> int:
    output = _output(args.output) if args.output else None
    flag = advisers.check_flag(args.flag)
    with _open(args) as store:
        scope = _scope(store, args.scope)
        reg = advisers.register(store, scope, _date(args.as_of), cap=args.cap,
                                expiring_days=args.expiring_days).flagged(flag).read()
    if args.format == "csv":
        data = advisers.table_bytes(advisers.register_table(reg, _lang(args)), ".csv", "")
        (sys.stdout.buffer.write(data) if not output else output.write_bytes(data))
    else:
        text = json.dumps(reg.to_json(), ensure_ascii=False, indent=1)
        (print(text) if not output else output.write_text(text, encoding="utf-8"))
    return 0


def cmd_renewals(args) -> int:
    output = _output(args.output)
    if output.suffix.lower() not in (".xlsx", ".csv", ".json"):
        raise UsageError(key="plan.bad_format", params={"ext": output.suffix})
    with _open(args) as store:
        scope = _scope(store, args.scope)
        ren = advisers.renewals(store, scope, _date(args.as_of), days=args.days)
    advisers.write_renewals(output, ren, _lang(args))
    print(_both("cli.renewals.written", args, n=len(ren.frame), file=args.output))
    return 0


def cmd_report(args) -> int:
    from geo.briefing import build_report, format_of  # imported here: start-up time

    fmt = format_of(args.output)
    output = _output(args.output)
    lang = _lang(args)
    with _open(args) as store:
        data = build_report(store, _scope(store, args.scope), _date(args.as_of), fmt, lang=lang,
                            issuer=args.issuer, cap=args.cap)
    output.write_bytes(data)
    print(_both("brief.written", args, file=args.output))
    return 0


def cmd_assess(args) -> int:
    """``assess``: the 考核 of a scope for a period, as a score sheet (.xlsx), a 通报 (.docx / .pdf) or JSON."""
    from geo.assess.output import assessment_bytes, format_of, record_output  # imported here: start-up time
    from geo.assess.period import Period  # imported here: start-up time
    from geo.assess.rules import load_rules  # imported here: start-up time
    from geo.assess.sheet import assess  # imported here: start-up time

    fmt = "json" if args.format == "json" else format_of(args.output, ("xlsx", "docx", "pdf", "json")) \
        if args.output else "json"
    output = _output(args.output) if args.output else None
    period, rules, who = Period.parse(args.period), load_rules(args.rules), operator()
    with _open_audited(args) as store:
        result = assess(store, _scope(store, args.scope), period, rules, principal=who)
        data = assessment_bytes(result, fmt, _lang(args), issuer=args.issuer)
        _audit_output(store, lambda: record_output(store, who, "assessment", result.scope, period, fmt,
                                                   rules=rules.source))
    if output is None:
        sys.stdout.buffer.write(data + b"\n")
        return 0
    output.write_bytes(data)
    print(_both("assess.cli.written", args, file=args.output, advisers=len(result.advisers),
                villages=len(result.villages)))
    return 0


def cmd_stats(args) -> int:
    """``stats``: the statistics sent upward (月报 / 季报) of a scope for a period, as the form (.xlsx) or JSON."""
    from geo.assess.output import format_of, record_output, stats_bytes  # imported here: start-up time
    from geo.assess.period import Period  # imported here: start-up time
    from geo.assess.stats import upward_stats  # imported here: start-up time

    fmt = "json" if args.format == "json" else format_of(args.output, ("xlsx", "json")) if args.output else "json"
    output = _output(args.output) if args.output else None
    period, who = Period.parse(args.period), operator()
    with _open_audited(args) as store:
        stats = upward_stats(store, _scope(store, args.scope), period, principal=who)
        data = stats_bytes(stats, fmt, _lang(args))
        _audit_output(store, lambda: record_output(store, who, "statistics", stats.scope, period, fmt))
    if output is None:
        sys.stdout.buffer.write(data + b"\n")
        return 0
    output.write_bytes(data)
    print(_both("assess.cli.stats_written", args, file=args.output, rows=len(stats.table)))
    return 0


def cmd_contradictions(args) -> int:
    output = _output(args.output) if args.output else None
    fmt = output.suffix.lower().lstrip(".") if output else "json"
    who = operator()
    with _open_audited(args) as store:
        scope = _scope(store, args.scope)
        report = villager_feedback.feedback_report(store, who, scope, _date(args.as_of), args.period,
                                          service=_service(args), min_reports=args.min_reports)
        if output:
            villager_feedback.write_contradictions(output, report.contradictions, lang=_lang(args))
        else:
            print(json.dumps(villager_feedback.to_json(report), ensure_ascii=False, indent=1))
        _audit_output(store, lambda: villager_feedback.record_contradictions(store, who, report, fmt))
    if output:
        print(_both("cli.contradictions.written", args, n=len(report.contradictions), file=args.output,
                    period=str(report.period)))
    return 0


def _lang(args) -> str:
    """The language of tables and reports: --lang, Chinese when not given."""
    return getattr(args, "lang", None) or "zh"


def _summary(args, result) -> str:
    """An import's line: in --lang when given, in both languages otherwise (a log reads either)."""
    return result.text(args.lang) if args.lang else result.summary_line()


def cmd_import(args) -> int:
    report = _output(args.report) if args.report else None
    # the database must exist (python -m geo init or demo): an import never creates an empty one
    with _open(args, read_only=False) as store:
        if args.kind != "registry" and store.is_empty():
            raise UsageError(key="cli.e.no_registry", params={"db": store.target})
        try:
            result = imports.run_import(store, args.kind, args.file, vars(args), principal=operator())
        except imports.ImportRefused as refused:
            if report and refused.result() is not None:     # e.g. the villages to check before confirming
                imports.write_report(refused.result(), report, _lang(args))
            raise
    if report:
        imports.write_report(result, report, _lang(args))
    print(_summary(args, result))
    return 0 if result.ok else 1


def _both(key: str, args, **values) -> str:
    """A catalogue line in --lang, or in both languages (a value may be a :class:`Msg`: said in each)."""
    lang = getattr(args, "lang", None)
    msg = Msg(key, values)
    return msg.text(lang) if lang else msg.bilingual()


def _place(scope: Scope) -> str | Msg:
    return scope.digits or Msg("level.0")


def _password(args) -> str:
    """The password from one line of standard input (--password-stdin), else asked twice on the terminal."""
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\r\n")
    lang = getattr(args, "lang", None)
    first = getpass.getpass(t("cli.pw.prompt", lang or "zh"))
    if first != getpass.getpass(t("cli.pw.again", lang or "zh")):
        raise UsageError(key="acc.e.mismatch")
    return first


#: what `batches` JSON says of each import batch
BATCH_FIELDS = ("batch_id", "kind", "file_name", "created_at", "rows_read", "rows_accepted", "rows_rejected",
                "status", "note", "scope")


def _batch_value(field: str, value):
    if pd.isna(value):
        return None
    if field == "created_at":
        return pd.Timestamp(value).isoformat()
    return int(value) if field.startswith(("rows_", "batch_")) else value


def cmd_batches(args) -> int:
    """The import batches inside a scope (as the import page's history lists them), newest first, as JSON."""
    with _open(args) as store:
        frame = store.batches(_scope(store, args.scope))
    listed = [{f: _batch_value(f, v) for f, v in zip(BATCH_FIELDS, row)}
              for row in frame[list(BATCH_FIELDS)].itertuples(index=False)]
    print(json.dumps(listed, ensure_ascii=False, indent=1))
    return 0


def cmd_user(args) -> int:
    who = accounts.operator()
    with _open(args, read_only=args.action == "list") as store:
        if args.action == "add":
            account = accounts.add_account(store, who, args.name, args.role, args.scope, _password(args),
                                           args.display_name)
            print(_both("cli.user.added", args, name=account.username, role=account.role.value,
                        scope=_place(account.scope)))
        elif args.action == "passwd":
            accounts.set_password(store, who, args.name, _password(args))
            print(_both("cli.user.passwd", args, name=args.name))
        elif args.action in ("enable", "disable"):
            accounts.set_enabled(store, who, args.name, args.action == "enable")
            print(_both("cli.user.enabled" if args.action == "enable" else "cli.user.disabled", args, name=args.name))
        else:
            listed = [{"username": a.username, "display_name": a.display_name, "role": a.role.value,
                       "scope": a.scope.digits, "enabled": a.enabled} for a in accounts.list_accounts(store, who)]
            if args.format == "json":
                print(json.dumps(listed, ensure_ascii=False, indent=1))
            else:
                for a in listed:
                    state = "" if a["enabled"] else "\t" + t("audit.action.account_disable", _lang(args))
                    print(f"{a['username']}\t{a['display_name']}\t{t('role.' + a['role'], _lang(args))}\t"
                          f"{localized(_place(Scope(a['scope'])), _lang(args))}{state}")
    return 0


def cmd_audit(args) -> int:
    if args.verify:
        return _verify_audit(args)
    output = _output(args.output) if args.output else None
    with _open(args) as store:
        frame = audit.entries(store, operator(), since=_date(args.since) if args.since else None, user=args.user,
                              action=args.action)
    if args.format == "csv":
        data = to_csv_bytes(audit.table(frame, _lang(args)))
        (sys.stdout.buffer.write(data) if not output else output.write_bytes(data))
    else:
        text = json.dumps(audit.records(frame), ensure_ascii=False, indent=1)
        (print(text) if not output else output.write_text(text, encoding="utf-8"))
    return 0


def _verify_audit(args) -> int:
    """The audit trail's hash chain recomputed: 0 when whole, 1 naming the first broken link."""
    with _open(args) as store:
        if int(store.get_meta(SCHEMA_META) or 1) < 3:
            raise UsageError(key="audit.chain.old", params={"db": store.target})
        check = audit.verify_chain(store)
    lang = getattr(args, "lang", None)
    line = check.text(lang) if lang else f"{check.text('zh')} / {check.text('en')}"
    print(line, file=sys.stdout if check.whole else sys.stderr)
    return 0 if check.whole else 1


def cmd_signboards(args) -> int:
    from geo.public import boards, tokens  # imported here: start-up time (the print's fonts and QR codes)

    with _open(args, read_only=False) as store:
        scope = _scope(store, args.scope)
        if args.reprint_list:
            frame = boards.reprint_list(store, scope, _date(args.as_of))
            print(frame.to_json(orient="records", force_ascii=False, date_format="iso"))
            return 0
        if args.rotate:
            villages = [v for v in store.board_villages(scope)["code"]]
            n = tokens.rotate(store, operator(), villages)
            print(_both("pub.cli.rotated", args, n=n))
            return 0
        if not args.output or not args.public_url:
            raise UsageError(key="pub.e.cli_needs")
        output = _output(args.output)
        printed = boards.print_boards(store, operator(), scope, _date(args.as_of), args.public_url,
                                      paper=args.paper, only_reprint=args.only_reprint)
    output.write_bytes(printed.pdf)
    print(_both("pub.cli.written", args, n=printed.villages, file=args.output, new=printed.new_tokens))
    return 0


def cmd_signboard_settings(args) -> int:
    from geo.public import settings  # imported here: start-up time

    with _open(args, read_only=False) as store:
        county = settings.county_of(args.county).code
        current = settings.settings_of(store, county)
        changes = {name: value for name, value in (
            ("supervision_phone", args.supervision_phone), ("hotline", args.hotline),
            ("service_time", args.service_time), ("service_place", args.service_place)) if value is not None}
        if args.show_last_onsite is not None:
            changes["show_last_onsite"] = args.show_last_onsite == "yes"
        if changes:
            current = settings.save(store, operator(), county, dataclasses.replace(current, **changes))
            print(_both("pub.cli.settings_saved", args, county=county[:6]), file=sys.stderr)
    print(json.dumps(dataclasses.asdict(current), ensure_ascii=False))
    return 0


def cmd_public_role(args) -> int:
    from geo.store.public import public_role_sql  # imported here: start-up time

    print(public_role_sql(args.role), end="")
    return 0


def cmd_bench(args) -> int:
    """The benchmarks (benchmarks/, the top layer above the library, in a source checkout only), run from its
    root: ``python -m geo bench`` puts the working directory on the import path."""
    try:
        if getattr(args, "app", False):
            from benchmarks import app_pages as bench  # imported here: the top layer, only for this command
        else:
            from benchmarks import national as bench  # imported here: the top layer, only for this command
    except ModuleNotFoundError as e:
        if e.name != "benchmarks":
            raise
        raise UsageError(key="cli.bench.absent", params={"folder": Path.cwd()}) from e
    return bench.main(args)


# -- records kept from the command line (issue 22): contracts and advisers, and undoing a batch ------------------
def _acting(store: Store, args) -> Principal:
    """Who a change is made as: the account --user names (its password from one line of stdin with
    --password-stdin, else asked on the terminal; the login is audited), or the operator, as import and user are."""
    if not args.user:
        return operator()
    password = (sys.stdin.readline().rstrip("\r\n") if args.password_stdin
                else getpass.getpass(t("cli.pw.prompt", _lang(args))))
    account = accounts.authenticate(store, args.user, password)
    if account is None:
        raise UsageError(key="cli.e.login", params={"name": args.user})
    return account.principal()


def _day(value: dt.date | None) -> str | Msg:
    return value.isoformat() if value else Msg("cli.rec.open")


def _reason(code: str) -> str | Msg:
    return code.split(":", 1)[1] if code.startswith("other:") else Msg(f"rec.reason.{code}")


def _village(store: Store, code: str) -> str:
    return f"{store.scope_name(Scope(code))} ({code})"


def _said(store: Store, result: RecordResult) -> Msg:
    """What one change did, for the line the command prints."""
    item = result.items[0]
    after, before = item["after"], item["before"]
    if result.action == "appoint":
        return Msg("cli.rec.appoint", {"name": after["name"], "village": _village(store, item["village"]),
                                       "start": _day(after["start"]), "end": _day(after["end"])})
    if result.action == "renew":
        return Msg("cli.rec.renew", {"name": after["name"], "village": _village(store, item["village"]),
                                     "start": _day(after["start"]), "end": _day(after["end"])})
    if result.action == "end":
        return Msg("cli.rec.end", {"name": after["name"], "village": _village(store, item["village"]),
                                   "last": _day(after["end"]), "printed": _day(after["printed_end"]),
                                   "reason": _reason(after["reason"])})
    if result.action == "replace":
        ended, appointed = after["ended"], after["appointed"]
        return Msg("cli.rec.replace", {"old": ended["name"], "new": appointed["name"],
                                       "village": _village(store, item["village"]), "start": _day(appointed["start"]),
                                       "end": _day(appointed["end"])})
    if result.action == "edit":
        return Msg("cli.rec.edit", {"name": item["name"], "id": item["adviser_id"],
                                    "fields": ", ".join(after) or "-"})
    return Msg("cli.rec.merge", {"name": item["name"], "id": item["adviser_id"],
                                 "other": before["merged"]["adviser_id"], "contracts": after["contracts_moved"],
                                 "records": after["records_moved"]})


def _performed(store: Store, args, change, who: Principal) -> int:
    result = perform(store, change, principal=who)
    print(_both("cli.rec.done", args, what=_said(store, result), batch=result.batch))
    return 0


def cmd_contract(args) -> int:
    """新聘 / 续聘 / 解聘 / 更换 of one village's contract."""
    with _open(args, read_only=False) as store:
        who = _acting(store, args)
        if args.action == "appoint":
            village, _ = named.village_adviser(store, args.village, None, principal=who)
            if bool(args.adviser) == bool(args.name) or (args.name and not args.phone):
                raise UsageError(key="cli.rec.e.who")
            person = (named.adviser_named(store, args.adviser, principal=who) if args.adviser else
                      named.new_adviser(store, args.name, args.phone, args.org, args.kind, args.licence))
            change = Appoint(village, person, _date(args.start), _date(args.end) if args.end else None)
        elif args.action == "renew":
            village, adviser = named.village_adviser(store, args.village, args.adviser, principal=who)
            change = Renew(village, adviser, _date(args.until), today=_date(args.as_of))
        elif args.action == "end":
            village, adviser = named.village_adviser(store, args.village, args.adviser, principal=who)
            change = End(village, adviser, _date(args.on), named.typed_reason(args.reason))
        else:
            village, old = named.village_adviser(store, args.village, args.old_adviser, principal=who)
            new = named.adviser_named(store, args.adviser, principal=who)
            change = Replace(village, old, new, _date(args.on), _date(args.until) if args.until else None,
                             reason=named.typed_reason(args.reason))
        return _performed(store, args, change, who)


#: adviser edit's options -> the record's fields
EDITED_FIELDS = {"name": "name", "kind": "kind", "org": "org", "licence": "licence_no", "phone": "phone"}


def cmd_adviser(args) -> int:
    """An adviser's record: edit some fields, or merge two records of one person."""
    with _open(args, read_only=False) as store:
        who = _acting(store, args)
        if args.action == "merge":
            keep = named.adviser_named(store, args.keep, principal=who)
            other = named.adviser_named(store, args.other, principal=who)
            return _performed(store, args, Merge(keep, other), who)
        values = {field: getattr(args, option) for option, field in EDITED_FIELDS.items()
                  if getattr(args, option) is not None}
        if args.base is not None:
            point = Point.parse(args.base)
            values.update(lon=point.lon, lat=point.lat)
        if not values:
            raise UsageError(key="cli.rec.e.no_field")
        adviser = named.adviser_named(store, args.key, principal=who)
        return _performed(store, args, EditAdviser(adviser, values), who)


def cmd_rollback(args) -> int:
    """Undo one batch (an import or a change made in the app or here), by its kind's rule; audited."""
    with _open(args, read_only=False) as store:
        who = _acting(store, args)
        done = imports.rollback(store, args.batch, principal=who)
    print(done.text(args.lang) if args.lang else done.bilingual())
    return 0


def _records_parsers(sub) -> None:
    """contract appoint|renew|end|replace, adviser edit|merge, rollback."""
    def acting(sp):
        sp.add_argument("--db", help="DuckDB file (default data/coverage.duckdb or $VILLAGE_COVERAGE_DB)")
        sp.add_argument("--lang", choices=["zh", "en"], help="language of the messages (default: both)")
        sp.add_argument("--user", metavar="NAME", help="act as this account, within its role and jurisdiction "
                                                       "(default: the server's operator, whole country)")
        sp.add_argument("--password-stdin", action="store_true",
                        help="with --user: read the password from one line of stdin (else asked on the terminal)")

    reasons = ("why: transfer, resigned, failed_assessment, other:TEXT, or their words 调离, 辞聘, 考核不合格, "
               "其他：TEXT; any other text is 其他 with that text")
    adviser_help = "licence number (执业证号), or id:N for the record numbered N"
    sp = sub.add_parser("contract", help="one village's contract: appoint, renew, end, replace (each one batch)")
    actions = sp.add_subparsers(dest="action", required=True)
    a = actions.add_parser("appoint", help="新聘: an adviser on record (--adviser) or a new one (--name --phone)")
    a.add_argument("--village", required=True, help="the village's 12-digit code")
    a.add_argument("--adviser", metavar="LICENCE", help=adviser_help)
    a.add_argument("--name", metavar="N", help="a new adviser's name")
    a.add_argument("--phone", metavar="P", help="a new adviser's mobile or landline")
    a.add_argument("--org", metavar="O", help="a new adviser's law firm or legal service office")
    a.add_argument("--kind", metavar="K", help="a new adviser's kind: 律师 / 基层法律服务工作者 / 其他")
    a.add_argument("--licence", metavar="L", help="a new adviser's licence number")
    a.add_argument("--start", required=True, metavar="D", help="YYYY-MM-DD, first day")
    a.add_argument("--end", metavar="D", help="YYYY-MM-DD, last day (default: no end)")
    r = actions.add_parser("renew", help="续聘: a new period after the contract in force, to --until")
    r.add_argument("--village", required=True)
    r.add_argument("--adviser", metavar="LICENCE", help=adviser_help + " (default: the one contract in force)")
    r.add_argument("--until", required=True, metavar="D", help="YYYY-MM-DD, the new period's last day")
    r.add_argument("--as-of", default=dt.date.today().isoformat(), metavar="D",
                   help="the day whose contract in force is renewed (default today)")
    e = actions.add_parser("end", help="解聘 / 终止: the contract in force ends early; its printed end is kept")
    e.add_argument("--village", required=True)
    e.add_argument("--adviser", metavar="LICENCE", help=adviser_help + " (default: the one contract in force)")
    e.add_argument("--on", required=True, metavar="D", help="YYYY-MM-DD, the first day no longer in force")
    e.add_argument("--reason", required=True, metavar="TEXT", help=reasons)
    p = actions.add_parser("replace", help="更换: the contract in force ends and --adviser's starts on the same day")
    p.add_argument("--village", required=True)
    p.add_argument("--adviser", required=True, metavar="LICENCE", help="the NEW adviser: " + adviser_help)
    p.add_argument("--old-adviser", metavar="LICENCE",
                   help="the adviser replaced, when several contracts are in force (default: the one in force)")
    p.add_argument("--on", required=True, metavar="D", help="YYYY-MM-DD, the new adviser's first day")
    p.add_argument("--until", metavar="D", help="YYYY-MM-DD, the new contract's last day (default: the old one's)")
    p.add_argument("--reason", default="更换", metavar="TEXT", help=reasons + " (default 更换)")
    for each in (a, r, e, p):
        acting(each)
        each.set_defaults(func=cmd_contract)

    sp = sub.add_parser("adviser", help="an adviser's record: edit, or merge two records of one person")
    actions = sp.add_subparsers(dest="action", required=True)
    ed = actions.add_parser("edit", help="change the fields given (an empty value clears it)")
    ed.add_argument("key", metavar="LICENCE", help=adviser_help)
    ed.add_argument("--phone", metavar="P")
    ed.add_argument("--org", metavar="O")
    ed.add_argument("--name", metavar="N")
    ed.add_argument("--kind", metavar="K", help="律师 / 基层法律服务工作者 / 其他")
    ed.add_argument("--licence", metavar="L", help="the new licence number")
    ed.add_argument("--base", metavar="LON,LAT", help="where the adviser is based, e.g. 108.22,34.16")
    m = actions.add_parser("merge", help="OTHER's contracts and service records move to KEEP; OTHER is removed")
    m.add_argument("keep", metavar="KEEP", help=adviser_help)
    m.add_argument("other", metavar="OTHER", help=adviser_help)
    for each in (ed, m):
        acting(each)
        each.set_defaults(func=cmd_adviser)

    sp = sub.add_parser("rollback", help="undo one batch: an import, or a change to contracts or advisers")
    sp.add_argument("batch", type=int, metavar="BATCH")
    acting(sp)
    sp.set_defaults(func=cmd_rollback)


def cmd_visit(args) -> int:
    """One service visit, entered as the import page's form enters it: its own batch, audited."""
    from geo.imports.visit import VisitForm, record_visit  # imported here: only this command writes visits

    adviser = int(args.adviser_id) if args.adviser_id is not None else args.adviser
    form = VisitForm(args.village, args.date, adviser, args.mode, args.hours, args.category, args.content,
                     args.people)
    with _open(args, read_only=False) as store:
        done = record_visit(store, form, operator())
    v = done.visit
    print(_both("visit.cli_done", args, batch=done.batch_id, village=f"{v.township}{v.village_name}",
                code=v.village, date=v.service_date.isoformat(), adviser=v.adviser_name,
                mode=Msg(f"imp.mode.{v.mode}"), hours=f"{v.hours:g}"))
    return 0


def cmd_template(args) -> int:
    """A blank ledger or service log to fill and import (.xlsx)."""
    from geo.imports.templates import TEMPLATES, template_xlsx  # imported here: openpyxl, only for this command

    output = _output(args.output)
    if output.suffix.lower() != ".xlsx":
        raise UsageError(key="adv.e.format", params={"ext": output.suffix or args.output})
    if args.which == "feedback":        # the questionnaire summary: its own layout (geo.imports.feedback)
        from geo.imports.feedback import template_bytes  # imported here: openpyxl, only for this command
        output.write_bytes(template_bytes(_lang(args)))
        print(_both("cli.template.feedback_written", args, file=args.output))
        return 0
    output.write_bytes(template_xlsx(args.which))
    print(_both("cli.template.written", args, what=Msg(TEMPLATES[args.which].title_key), file=args.output))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m geo", description=bilingual("app_title"))
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
        sp.add_argument("--window-days", type=int, default=DEFAULT_WINDOW_DAYS,
                        help="an on-site visit in this many days up to the date makes a covered village served "
                             f"(default {DEFAULT_WINDOW_DAYS})")

    sp = sub.add_parser("demo", help="build the demo database")
    common(sp)
    sp.add_argument("--force", action="store_true", help="rebuild even if the database exists")
    sp.set_defaults(func=cmd_demo)

    sp = sub.add_parser("init", help="a new empty database with the national registry and outlines (no demo), "
                                     "then the first administrator")
    common(sp)
    sp.add_argument("--admin", metavar="NAME", help="user name of the first administrator (whole country)")
    sp.add_argument("--admin-scope", metavar="CODE", help="the first administrator's jurisdiction instead of the "
                                                          "whole country, e.g. 610124 for a county's own server")
    sp.add_argument("--password-stdin", action="store_true", help="read the administrator's password from stdin")
    sp.add_argument("--no-admin", action="store_true", help="create no administrator (the app runs without logins)")
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
    sp.add_argument("--status", help="comma list of covered,expiring,lapsed,never,nominal "
                                     "(default lapsed,expiring,never); or no_data alone: the counties that have "
                                     "not imported a ledger yet (.xlsx/.csv)")
    sp.add_argument("-o", "--output", required=True)
    sp.set_defaults(func=cmd_export)

    sp = sub.add_parser("map", help="the map as one self-contained HTML file")
    scoped(sp)
    sp.add_argument("--layer", choices=["coverage", "served", "feedback"], default="coverage",
                    help="contract coverage (default), effective service, or villagers' feedback")
    sp.add_argument("-o", "--output", required=True)
    sp.set_defaults(func=cmd_map)

    sp = sub.add_parser("plan", help="gap plan: an adviser with room for each uncovered village (.xlsx/.csv/.json)")
    scoped(sp)
    sp.add_argument("--cap", type=int, default=5, help="villages per adviser at most, current ones included")
    sp.add_argument("--max-km", type=float, help="farthest great-circle distance (default: no limit)")
    sp.add_argument("-o", "--output", required=True)
    sp.set_defaults(func=cmd_plan)

    sp = sub.add_parser("advisers", help="the adviser register: each adviser's villages on the day, flags")
    scoped(sp)
    sp.add_argument("--cap", type=int, default=DEFAULT_CAP, help=f"villages per adviser (default {DEFAULT_CAP})")
    sp.add_argument("--flag", choices=FLAG_KEYS, help="only the advisers with this flag")
    sp.add_argument("--format", choices=["json", "csv"], default="json")
    sp.add_argument("-o", "--output")
    sp.set_defaults(func=cmd_advisers)

    sp = sub.add_parser("renewals", help="the renewal worklist to .xlsx/.csv/.json")
    common(sp)
    sp.add_argument("--scope", help="division code prefix (default: all of China)")
    sp.add_argument("--as-of", default=dt.date.today().isoformat(), help="YYYY-MM-DD (default today)")
    sp.add_argument("--days", type=int, default=60, help="horizon in days (default 60)")
    sp.add_argument("-o", "--output", required=True)
    sp.set_defaults(func=cmd_renewals)

    sp = sub.add_parser("report", help="the leaders' briefing as a Word (.docx) or PDF (.pdf) file")
    common(sp)
    sp.add_argument("--scope", help="division code prefix: 61, 6101, 610124 ... (default: all of China)")
    sp.add_argument("--as-of", default=dt.date.today().isoformat(), help="YYYY-MM-DD (default today)")
    sp.add_argument("--issuer", help="the issuing unit printed under the title (default: the scope's bureau)")
    sp.add_argument("--cap", type=int, default=5, help="villages per adviser above which one is over the cap")
    sp.add_argument("-o", "--output", required=True, help="FILE.docx or FILE.pdf")
    sp.set_defaults(func=cmd_report)

    sp = sub.add_parser("import", help=f"import {' / '.join(k.key for k in KINDS)}")
    common(sp)
    sp.add_argument("kind", choices=[k.key for k in KINDS])
    sp.add_argument("file")
    sp.add_argument("--report", help="write the rejected/doubtful rows to this .xlsx or .csv")
    for option in all_options():
        sp.add_argument(option.flag, help=option.cli_help, **({"action": "store_true"} if option.is_switch else {}))
    sp.set_defaults(func=cmd_import)

    sp = sub.add_parser("contradictions", help="villages served on the records whose villagers report never seeing "
                                               "the adviser, to .xlsx/.csv (JSON on stdout without -o)")
    scoped(sp)
    sp.add_argument("--period", help="2026Q4, 2026-11 or 2026-10-01..2026-12-31 (default: the service window "
                                     "ending on --as-of)")
    sp.add_argument("--min-reports", type=int, default=1, help="never-seen reports that list a village (default 1)")
    sp.add_argument("-o", "--output")
    sp.set_defaults(func=cmd_contradictions)

    sp = sub.add_parser("batches", help="the import batches inside a scope (history), newest first, as JSON")
    common(sp)
    sp.add_argument("--scope", help="division code prefix: only the batches whose rows all lie inside it")
    sp.set_defaults(func=cmd_batches)

    sp = sub.add_parser("user", help="accounts: add, list, passwd, disable, enable")
    users = sp.add_subparsers(dest="action", required=True)
    for action, text in (("add", "create an account"), ("list", "list the accounts"),
                         ("passwd", "set an account's password"), ("disable", "disable an account"),
                         ("enable", "enable an account again")):
        u = users.add_parser(action, help=text)
        common(u)
        if action != "list":
            u.add_argument("name")
        if action in ("add", "passwd"):
            u.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
        if action == "add":
            u.add_argument("--role", required=True, choices=["viewer", "editor", "admin"])
            u.add_argument("--scope", required=True, help="jurisdiction: a division code (61, 6101, 610124 ...) "
                                                          "or 0 for the whole country")
            u.add_argument("--display-name")
        if action == "list":
            u.add_argument("--format", choices=["text", "json"], default="text")
        u.set_defaults(func=cmd_user)

    sp = sub.add_parser("audit", help="the audit trail (who did what, where, when)")
    common(sp)
    sp.add_argument("--since", help="YYYY-MM-DD: entries from that day on (UTC)")
    sp.add_argument("--user")
    sp.add_argument("--action", choices=audit.ACTIONS)
    sp.add_argument("--format", choices=["json", "csv"], default="json")
    sp.add_argument("-o", "--output")
    sp.add_argument("--verify", action="store_true",
                    help="recompute the hash chain: exit 0 when whole, 1 naming the first broken entry")
    sp.set_defaults(func=cmd_audit)

    sp = sub.add_parser("visit", help="enter one service visit (its own batch, rolled back like an import)")
    common(sp)
    sp.add_argument("--village", required=True, help="the village's 12-digit code")
    sp.add_argument("--date", required=True, help="YYYY-MM-DD, not after today")
    who = sp.add_mutually_exclusive_group(required=True)
    who.add_argument("--adviser", help="the adviser's licence number (or name, when only one of the county has it)")
    who.add_argument("--adviser-id", type=int, help="the adviser's id in the store")
    sp.add_argument("--mode", required=True, help="onsite / remote / other (or 到村, 电话 ... as a log writes it)")
    sp.add_argument("--hours", required=True, help="hours (2, 1.5, 30分钟, 半天), more than 0 and at most 24")
    sp.add_argument("--category", help="法律咨询, 矛盾纠纷调解, 法治讲座 ...")
    sp.add_argument("--content", help="what was done (phone and ID-card numbers are removed)")
    sp.add_argument("--people", help="people served")
    sp.set_defaults(func=cmd_visit)

    sp = sub.add_parser("template", help="a blank ledger, service log or questionnaire summary to fill and import "
                                         "(.xlsx)")
    sp.add_argument("which", choices=["ledger", "services", "feedback"])
    sp.add_argument("-o", "--output", required=True, help="FILE.xlsx")
    sp.add_argument("--lang", choices=["zh", "en"], help="language of the messages (default both)")
    sp.set_defaults(func=cmd_template)

    sp = sub.add_parser("assess", help="考核: the assessment of a scope for a period (.xlsx score sheet, .docx/.pdf "
                                       "通报, or JSON)")
    common(sp)
    sp.add_argument("--scope", help="division code prefix: 61, 6101, 610124 ... (default: all of China)")
    sp.add_argument("--period", required=True, help="2026-06 (a month), 2026Q2 (a quarter) or 2026 (a year)")
    sp.add_argument("--rules", default="anhui", help="anhui, shandong or a rule file (.toml; default anhui)")
    sp.add_argument("-o", "--output", help="FILE.xlsx, FILE.docx, FILE.pdf or FILE.json (default: JSON on stdout)")
    sp.add_argument("--format", choices=["json"], help="JSON for scripts (to -o FILE or stdout)")
    sp.add_argument("--issuer", help="the issuing unit printed under the 通报's title")
    sp.set_defaults(func=cmd_assess)

    sp = sub.add_parser("stats", help="the statistics sent upward (月报/季报) of a scope for a period (.xlsx or JSON)")
    common(sp)
    sp.add_argument("--scope", help="division code prefix: 61, 6101, 610124 ... (default: all of China)")
    sp.add_argument("--period", required=True, help="2026-06 (a month), 2026Q2 (a quarter) or 2026 (a year)")
    sp.add_argument("-o", "--output", help="FILE.xlsx or FILE.json (default: JSON on stdout)")
    sp.add_argument("--format", choices=["json"], help="JSON for scripts (to -o FILE or stdout)")
    sp.set_defaults(func=cmd_stats)
    sp = sub.add_parser("signboards", help="the villages' signboards (公示牌) with the QR code of their public page, "
                                           "as one PDF; or the list of boards to reprint; or new page addresses")
    common(sp)
    sp.add_argument("--scope", required=True, help="a county or a township: 610124, 610124001 ...")
    sp.add_argument("--as-of", default=dt.date.today().isoformat(), help="YYYY-MM-DD (default today)")
    sp.add_argument("--public-url", metavar="BASE",
                    help="the address villagers' phones reach the app at, e.g. https://sfj.example.gov.cn: the QR "
                         "codes hold BASE/v/<token>")
    sp.add_argument("--paper", choices=["A4", "A3"], default="A4")
    sp.add_argument("--only-reprint", action="store_true",
                    help="only the villages whose board is missing or out of date (see --reprint-list)")
    sp.add_argument("--reprint-list", action="store_true",
                    help="print, as JSON, the villages whose board is missing, out of date or has a rotated QR code")
    sp.add_argument("--rotate", action="store_true",
                    help="give every village of the scope a new page address: the old QR codes stop working")
    sp.add_argument("-o", "--output", help="FILE.pdf")
    sp.set_defaults(func=cmd_signboards)

    sp = sub.add_parser("signboard-settings", help="a county's board settings: supervision phone, hotline, service "
                                                   "time and place, whether the page shows the last on-site day")
    common(sp)
    sp.add_argument("--county", required=True, help="the county's code, e.g. 610124")
    sp.add_argument("--supervision-phone", help="the county bureau's 监督电话")
    sp.add_argument("--hotline", help="default 12348")
    sp.add_argument("--service-time")
    sp.add_argument("--service-place")
    sp.add_argument("--show-last-onsite", choices=["yes", "no"])
    sp.set_defaults(func=cmd_signboard_settings)

    sp = sub.add_parser("public-role", help="the PostgreSQL GRANT statements of the public page's database role")
    sp.add_argument("--role", default="village_public")
    sp.set_defaults(func=cmd_public_role)

    sp = sub.add_parser("bench", help="national-scale benchmark (prints figures)")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--runs", type=int, default=5)
    sp.add_argument("--db", help="a PostgreSQL server (postgresql://user@host/db): run there as well, in scratch "
                                 "databases the benchmark creates and drops, with the DuckDB figures beside")
    sp.add_argument("--scope", help="division code prefix, for a quick run (default: all of China)")
    sp.add_argument("--app", action="store_true",
                    help="time the app instead: demo build, then page actions in headless Chromium")
    sp.add_argument("--national", action="store_true",
                    help="with --app: serve the national benchmark's store (contracts in every county) instead of "
                         "the demo")
    sp.add_argument("--soak-seconds", type=float, default=None,
                    help="with --app: then the soak, many browser sessions at once across every page and level for "
                         "this long, the app server's memory sampled (default 300 with --national, else none)")
    sp.add_argument("--sessions", type=int, default=20, help="with --app: browser sessions in the soak")
    sp.add_argument("--app-store", action="append", metavar="TARGET",
                    help="with --app --national: serve this national store, built before by the benchmark's "
                         "builder (benchmarks.national.build_store), instead of building one; a DuckDB file or a "
                         "postgresql://... database, once per store")
    sp.set_defaults(func=cmd_bench)

    _records_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    return_large_blocks()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UserError as e:
        lang = getattr(args, "lang", None)
        print(f"{t('cli.error', lang)}: {e.text(lang)}" if lang else f"{bilingual('cli.error')}: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        if e.filename is None:       # not about a file the user named: a bug, keep the traceback
            raise
        print(f"{bilingual('cli.error')}: {bilingual('cli.e.os', file=e.filename, why=e.strerror)}", file=sys.stderr)
        return 2
