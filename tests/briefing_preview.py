"""Test support: write a briefing in both forms and render the PDF's first page (or every page) to PNG with
pdftoppm, to look at it as a county leader would.  Not collected by pytest.

    python tests/briefing_preview.py --db data/coverage.duckdb --scope 610124 --as-of 2026-11-27 -o /tmp/preview
"""
from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.briefing import build_report  # noqa: E402
from geo.core.codes import Scope  # noqa: E402
from geo.store import open_store  # noqa: E402


def preview(db: str, scope: str, as_of: dt.date, out: Path, lang: str = "zh", pages: bool = False) -> list[Path]:
    """Write report.docx and report.pdf into `out` and render page 1 (every page with `pages`) to PNG."""
    out.mkdir(parents=True, exist_ok=True)
    with open_store(db, read_only=True) as store:
        for fmt in ("docx", "pdf"):
            (out / f"report.{fmt}").write_bytes(build_report(store, Scope.parse(scope), as_of, fmt, lang=lang))
    first = [] if pages else ["-f", "1", "-l", "1"]
    subprocess.run(["pdftoppm", "-r", "80", "-png", *first, str(out / "report.pdf"), str(out / "page")], check=True)
    return sorted(out.glob("page-*.png"))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default="data/coverage.duckdb")
    p.add_argument("--scope", default="610124")
    p.add_argument("--as-of", default=dt.date.today().isoformat())
    p.add_argument("--lang", default="zh", choices=["zh", "en"])
    p.add_argument("--all-pages", action="store_true")
    p.add_argument("-o", "--output", default="briefing-preview")
    args = p.parse_args()
    for png in preview(args.db, args.scope, dt.date.fromisoformat(args.as_of), Path(args.output), args.lang,
                       args.all_pages):
        print(png)


if __name__ == "__main__":
    main()
