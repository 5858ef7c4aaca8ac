"""The leaders' briefing (工作情况报告): a Word or PDF document for one scope and one date.

Phases, one module each: :mod:`.figures` (every number, from the store) -> :mod:`.document` (the words, the
tables) -> :mod:`.charts` (the map and the trend as images) -> :mod:`.docx_writer` / :mod:`.pdf_writer`.
``python -m geo report`` and the summary page's downloads both call :func:`build_report`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from geo.auth.access import OPEN, Principal
from geo.briefing.document import Document, compose
from geo.briefing.figures import APPENDIX_ROWS, DEFAULT_CAP, BriefingFigures, gather
from geo.core.codes import Scope
from geo.core.errors import UserError
from geo.store import Store


@dataclass(frozen=True)
class ReportFormat:
    suffix: str
    mime: str
    writer: Callable[[Document], bytes]


def _docx(document: Document) -> bytes:
    from geo.briefing.docx_writer import to_docx  # imported here: start-up time (python-docx, only for .docx)

    return to_docx(document)


def _pdf(document: Document) -> bytes:
    from geo.briefing.pdf_writer import to_pdf  # imported here: start-up time (fpdf2, only for .pdf)

    return to_pdf(document)


FORMATS = {
    "docx": ReportFormat(".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _docx),
    "pdf": ReportFormat(".pdf", "application/pdf", _pdf),
}


class ReportFormatError(UserError, ValueError):
    """A report file name whose extension is neither .docx nor .pdf."""


def format_of(path: str | Path) -> str:
    ext = Path(path).suffix.lower()
    for key, fmt in FORMATS.items():
        if fmt.suffix == ext:
            return key
    raise ReportFormatError(key="brief.e.format", params={"ext": ext or str(path)})


def briefing_document(store: Store, scope: Scope, as_of: dt.date, *, lang: str = "zh", principal: Principal = OPEN,
                      issuer: str | None = None, cap: int = DEFAULT_CAP, appendix_rows: int = APPENDIX_ROWS,
                      generated: dt.date | None = None) -> tuple[BriefingFigures, Document]:
    """The figures and the document of the briefing of `scope` (narrowed to the principal's jurisdiction)."""
    from geo.briefing.charts import map_png, trend_png  # imported here: start-up time (matplotlib)

    scope, _ = principal.clamp(store.check_scope(scope))
    figures = gather(store, scope, as_of, lang=lang, cap=cap, appendix_rows=appendix_rows)
    trend = trend_png(figures.trend, lang) if figures.counts.has_data else None
    document = compose(figures, lang, map_png=map_png(figures.map, lang), trend_png=trend, issuer=issuer,
                       generated=generated)
    return figures, document


def build_report(store: Store, scope: Scope, as_of: dt.date, fmt: str, *, lang: str = "zh",
                 principal: Principal = OPEN, issuer: str | None = None, cap: int = DEFAULT_CAP,
                 appendix_rows: int = APPENDIX_ROWS) -> bytes:
    """The briefing as the bytes of a .docx (`fmt` "docx") or .pdf ("pdf") file."""
    _, document = briefing_document(store, scope, as_of, lang=lang, principal=principal, issuer=issuer, cap=cap,
                                    appendix_rows=appendix_rows)
    return FORMATS[fmt].writer(document)
