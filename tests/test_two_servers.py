"""A provincial deployment: two app servers on one PostgreSQL database; a ledger imported beside them (by the
CLI, as a night job would) shows in both at their next page load, with no restart."""
from __future__ import annotations

import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from backends import create_database, database_url, drop_database, require
from benchmarks.browser import VIEWPORT, served_app
from geo.demo import ANCHOR
from geo.sources.national import national_registry, villages

ROOT = Path(__file__).resolve().parent.parent
DONGCHENG = "110101"          # 北京市东城区: no contract in the demo, so the import is all that covers it

pytestmark = pytest.mark.browser


def cli(*args: str, db: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args, "--db", db], cwd=ROOT, capture_output=True,
                          text=True, timeout=900)


@pytest.fixture(scope="module")
def shared_database():
    require("postgresql")
    name = create_database()
    url = database_url(name)
    built = cli("demo", db=url)
    assert built.returncode == 0, built.stderr
    yield url
    drop_database(name)


@pytest.fixture(scope="module")
def two_servers(shared_database, tmp_path_factory):
    folder = tmp_path_factory.mktemp("servers")
    with ExitStack() as stack:
        yield [stack.enter_context(served_app(shared_database, folder / f"streamlit{k}.log")).url for k in range(2)]


def figures_text(browser, url: str, line_starts: str = "东城区：村（社区）") -> str:
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(f"{url}/?scope={DONGCHENG}&date={ANCHOR.isoformat()}")
        line = page.get_by_text(line_starts).first
        line.wait_for(timeout=90_000)
        return line.inner_text()
    finally:
        page.close()


def test_a_ledger_imported_beside_two_servers_shows_in_both(shared_database, two_servers, browser, tmp_path):
    rows = villages(national_registry(), DONGCHENG).head(6)
    ledger = tmp_path / "东城区台账.csv"
    ledger.write_text("村（社区）代码,村（社区）名称,法律顾问姓名,聘任期限\n" + "".join(
        f"{c},{n},顾问{i % 2},2026.1.1-2027.12.31\n" for i, (c, n) in enumerate(zip(rows["code"], rows["name"]))),
        encoding="utf-8-sig")
    for url in two_servers:
        # no contract on record: the county is no data (geo.core.coverage), said instead of its figures
        assert "尚未导入" in figures_text(browser, url, "东城区尚未导入")
    imported = cli("import", "assignments", str(ledger), "--county", DONGCHENG, db=shared_database)
    assert imported.returncode == 0, imported.stderr
    for url in two_servers:
        assert "已覆盖 6 个" in figures_text(browser, url), url
