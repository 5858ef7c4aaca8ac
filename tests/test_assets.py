"""Offline Leaflet assets come from the installed xstatic-leaflet package and are copied into static/vendor."""
from __future__ import annotations

import re
from pathlib import Path

from geo.outputs.assets import LICENCES, VENDOR_DIR, asset_files, ensure_static, inline_leaflet

REPO = Path(__file__).resolve().parents[1]


def test_assets_are_installed_package_files_not_repo_copies():
    files = asset_files()
    assert {"leaflet.js", "leaflet.css", "images/layers.png"} <= set(files)
    for name, path in files.items():
        assert path.is_file() and path.stat().st_size > 0, name
        assert REPO not in path.resolve().parents, f"{name} must come from site-packages, not the repo"
    assert b"Leaflet" in files["leaflet.js"].read_bytes()[:2000]
    # every image the stylesheet refers to is shipped
    css = files["leaflet.css"].read_text(encoding="utf-8")
    for ref in re.findall(r"url\((images/[^)]+)\)", css):
        assert ref in files


def test_ensure_static_copies_and_is_idempotent(tmp_path):
    static = tmp_path / "static"
    ensure_static(static)
    files = asset_files()
    for name, src in files.items():
        dest = static / VENDOR_DIR / name
        assert dest.read_bytes() == src.read_bytes(), name
    js = static / VENDOR_DIR / "leaflet.js"
    before = js.stat()
    ensure_static(static)          # up to date: not rewritten
    after = js.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    js.write_text("broken")        # a damaged copy is replaced
    ensure_static(static)
    assert js.read_bytes() == files["leaflet.js"].read_bytes()
    assert not list(static.rglob("*.tmp"))


def test_inline_css_needs_no_image_files():
    js, css = inline_leaflet()
    assert "L.GeoJSON" in js or "geoJSON" in js
    urls = re.findall(r"url\(([^)]*)\)", css)
    assert urls, "leaflet.css should still carry its images"
    for u in urls:
        assert u.startswith("data:image/png;base64,") or u == "#default#VML", u


def test_licences_name_their_source_package():
    names = {lic.name for lic in LICENCES}
    assert "Leaflet" in names
    leaflet = next(lic for lic in LICENCES if lic.name == "Leaflet")
    assert leaflet.version.startswith("1.") and "XStatic-Leaflet" in leaflet.package and leaflet.licence
