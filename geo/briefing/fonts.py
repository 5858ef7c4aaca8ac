"""The Chinese fonts the briefing embeds in its PDF and draws its charts with, found on the machine.

Debian's ``fonts-noto-cjk`` is the expected source (``.ci/run`` installs it): Noto Serif CJK SC, a Song (宋体)
face, for the PDF's text; Noto Sans CJK SC, a Hei (黑体) face, for the charts.  Both come as OpenType collections
(.ttc, CFF outlines); the simplified Chinese face is number 2 of each.  fpdf2 embeds it as a subset CID font
(``pdffonts``: CID Type 0C, emb yes).  Other Debian CJK packages serve as fall-backs.  Without any,
:func:`cjk_fonts` raises a :class:`FontMissing` saying what to install, instead of a PDF of empty boxes.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo.core.errors import UserError

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))


@dataclass(frozen=True)
class FontFace:
    path: Path
    index: int          # the face inside a collection (.ttc); 0 for a single font
    family: str         # the face's family name, as matplotlib knows it


#: role -> candidate faces, best first: (file under a font folder, face number, family name)
CANDIDATES: dict[str, tuple[tuple[str, int, str], ...]] = {
    "serif": (("opentype/noto/NotoSerifCJK-Regular.ttc", 2, "Noto Serif CJK SC"),
              ("truetype/arphic/uming.ttc", 0, "AR PL UMing CN"),
              ("truetype/wqy/wqy-zenhei.ttc", 0, "WenQuanYi Zen Hei")),
    "sans": (("opentype/noto/NotoSansCJK-Regular.ttc", 2, "Noto Sans CJK SC"),
             ("truetype/wqy/wqy-zenhei.ttc", 0, "WenQuanYi Zen Hei")),
}
#: a role without a face of its own borrows this one's
FALLBACK = {"sans": "serif"}


class FontMissing(UserError):
    """No Chinese font on this machine: the message says which package to install."""


def _find(role: str, dirs: tuple[Path, ...]) -> FontFace | None:
    for relative, index, family in CANDIDATES[role]:
        for folder in dirs:
            if (folder / relative).is_file():
                return FontFace(folder / relative, index, family)
    return None


def cjk_fonts() -> dict[str, FontFace]:
    """role ("serif": the PDF's text, "sans": the charts') -> the face to use; FontMissing when none is there."""
    return _faces(FONT_DIRS)


@lru_cache(maxsize=4)
def _faces(dirs: tuple[Path, ...]) -> dict[str, FontFace]:
    found = {role: _find(role, dirs) for role in CANDIDATES}
    if found["serif"] is None and found["sans"] is None:
        raise FontMissing(key="brief.e.font")
    found["serif"] = found["serif"] or found["sans"]
    for role, other in FALLBACK.items():
        found[role] = found[role] or found[other] or found["serif"]
    return found
