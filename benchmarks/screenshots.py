"""The README's page screenshots (使用说明 / How to use it), taken in headless Chromium on the demo.

    python -m benchmarks.screenshots [--db demo.duckdb] [--out docs/pages]

Builds the demo in a temporary folder (unless --db names one, which is copied, never changed), adds an
administrator so that every page of the navigation is there, serves the app, logs in and saves one PNG per page
of :func:`pages` (1280x800, reduced to a palette so each file stays small).  Run it again after a page changes;
tests/test_readme.py checks that the README shows one screenshot and one paragraph per page.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from benchmarks.browser import ROOT, launch_chromium, served_app, wait_ready
from geo.auth import accounts
from geo.auth.access import OPEN, Principal, Role
from geo.core.codes import Scope
from geo.demo import ANCHOR, build_demo
from geo.store import open_store

OUT = ROOT / "docs" / "pages"
VIEWPORT = {"width": 1280, "height": 800}
#: the view every screenshot shows: 周至县 on the demo's anchor day, in Chinese
SCOPE = "610124"
ADMIN, PASSWORD = "docs-admin", "Screenshots-2026!"
#: what each page waits for before its picture is taken (beyond the script run being over)
READY = {"map": {"map": True}, "summary": {"selectors": ('[data-testid="stVegaLiteChart"]',)}}


@dataclass(frozen=True)
class NavPage:
    url_path: str
    title: str          # the Chinese title, as the navigation shows it
    default: bool       # the first page: its link is "/", not "/<url_path>"


@dataclass(frozen=True)
class _Listed:
    """What app.app_pages asks st.Page for (st.Page keeps nothing outside a script run)."""

    page: object
    title: str
    url_path: str
    default: bool = False
    visibility: str = "visible"


def pages() -> list[NavPage]:
    """Every page of the app's navigation for a logged-in national administrator (who sees them all)."""
    import app  # imported here: start-up time (the Streamlit app), only when the pages are listed

    admin = Principal(ADMIN, "", Role.ADMIN, Scope(""))
    with mock.patch.object(app.st, "Page", _Listed):
        nav = app.app_pages(admin, "zh")
    listed = [p for group in (nav.values() if isinstance(nav, dict) else [nav]) for p in group]
    return [NavPage(p.url_path, p.title, p.default) for p in listed if p.visibility == "visible"]


def shot_path(url_path: str, out: Path = OUT) -> Path:
    return out / f"{url_path}.png"


def small_png(path: Path, colours: int = 128) -> None:
    """The screenshot as a palette PNG: a UI picture loses nothing visible, the file shrinks several times."""
    from PIL import Image  # imported here: start-up time (only when a screenshot is shrunk)

    with Image.open(path) as img:
        small = img.convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def prepared_db(folder: Path, source: Path | None) -> Path:
    """A demo database with an administrator account, in `folder`."""
    db = folder / "screens.duckdb"
    if source is not None:
        shutil.copyfile(source, db)
    with open_store(db) as store:
        if source is None:
            build_demo(store)
        accounts.add_account(store, OPEN, ADMIN, Role.ADMIN, Scope(""), PASSWORD, display_name="演示管理员")
    return db


def take(db: Path, out: Path, log: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright  # imported here: an optional dependency (the browser)

    out.mkdir(parents=True, exist_ok=True)
    query = f"scope={SCOPE}&date={ANCHOR.isoformat()}&lang=zh"
    saved = []
    with served_app(db, log) as served, sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_context(viewport=VIEWPORT, device_scale_factor=1).new_page()
        page.goto(f"{served.url}/?{query}")
        page.get_by_label("用户名").wait_for(timeout=90_000)
        page.get_by_label("用户名").fill(ADMIN)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_role("button", name="退出登录").wait_for(timeout=90_000)
        for nav in pages():
            link = "" if nav.default else nav.url_path
            page.goto(f"{served.url}/{link}?{query}")
            wait_ready(page, params={"scope": SCOPE}, path=f"/{link}".rstrip("/"), **READY.get(nav.url_path, {}))
            page.wait_for_timeout(1500)          # charts and maps finish drawing after the run is over
            path = shot_path(nav.url_path, out)
            page.screenshot(path=str(path))
            small_png(path)
            saved.append(path)
            print(f"{nav.title}: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
                  f"({path.stat().st_size // 1024} KB)")
        browser.close()
    return saved


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a demo database to copy (default: build the demo)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where the PNGs go (default {OUT})")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="screens_") as tmp:
        folder = Path(tmp)
        take(prepared_db(folder, args.db), args.out, folder / "streamlit.log")


if __name__ == "__main__":
    main()
