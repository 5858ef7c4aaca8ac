"""Signboards (公示牌) as one print-ready PDF, a page per village, A4 or A3 portrait (fpdf2, offline).

The Chinese face is embedded as a subset (:mod:`geo.briefing.fonts`: the Hei face, legible from a distance; bold
is the same face stroked, as in the briefing); the QR code is drawn as vector squares, sharp at any size.  Every
text is written as text, never parsed as markup.  A3 is A4 scaled by √2: the same layout, larger.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import nullcontext

import numpy as np
import segno
from fpdf import FPDF
from fpdf.enums import TextMode, XPos, YPos
from PIL import Image

from geo.briefing.fonts import cjk_fonts
from geo.briefing.pdf_writer import cjk_lines
from geo.public.board import SERVICE_KEYS, Board
from geo.text.catalogue import t

PAGE_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
MARGIN = 16.0                   # mm on A4
BAND = (158, 27, 32)            # the title band: 中国红
INK = (25, 25, 25)
GREY = (110, 110, 110)
QR_MASK = 2
QR_PIXELS = 8
QR_MM = 52.0                    # the code's side on A4 (modules of ~1.4 mm for a 37-module code: a phone reads it
                                # from an arm's length)
#: how many advisers fit at full size; more are set smaller
FULL_SIZE_ADVISERS = 3


class _Board(FPDF):
    def __init__(self, paper: str):
        width, height = PAGE_MM[paper]
        super().__init__(orientation="P", unit="mm", format=(width, height))
        self.k_ = width / PAGE_MM["A4"][0]
        self.set_margins(MARGIN * self.k_, MARGIN * self.k_, MARGIN * self.k_)
        self.set_auto_page_break(False)
        face = cjk_fonts()["sans"]
        self.add_font("hei", "", str(face.path), collection_font_number=face.index)
        for font in self.fonts.values():
            font.ttfont.recalcBBoxes = False      # as in the briefing: half the subsetting's time
        #: (text, size, width) -> its lines: most of a board's texts are the same on every page
        self._wrapped: dict[tuple[str, float, float], list[str]] = {}

    def wrapped(self, text: str, width: float) -> list[str]:
        key = (text, self.font_size_pt, width)
        if key not in self._wrapped:
            fits = self.get_string_width(text) <= width
            self._wrapped[key] = [text] if fits else cjk_lines(text, width, self.get_string_width) or [""]
        return self._wrapped[key]

    def size(self, points: float) -> float:
        """Set the face at `points` (on A4; scaled on A3); the line height in mm."""
        self.set_font("hei", "", points * self.k_)
        return points * self.k_ * 0.52

    def line(self, text: str, points: float, *, bold: bool = False, align: str = "L", colour=INK,
             width: float = 0) -> None:
        """`text` at `points`, wrapped between characters inside `width` (0: the whole line)."""
        height = self.size(points)
        self.set_text_color(*colour)
        width = width or self.epw
        stroke = self.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.02 * points * self.k_,
                                    draw_color=colour) if bold else nullcontext()
        x = self.get_x()
        with stroke:
            for piece in self.wrapped(text, width):
                self.set_x(x)
                self.cell(width, height, piece, align=align, new_x=XPos.LEFT, new_y=YPos.NEXT)

    def heading(self, text: str) -> None:
        self.ln(3 * self.k_)
        y = self.get_y()
        self.set_fill_color(*BAND)
        self.rect(self.l_margin, y + 0.8 * self.k_, 1.6 * self.k_, 6.4 * self.k_, style="F")
        self.set_x(self.l_margin + 4 * self.k_)
        self.line(text, 16, bold=True, colour=BAND)
        self.ln(1.5 * self.k_)


def qr_image(url: str) -> Image.Image:
    """The QR code of `url` (error correction M, quiet zone of 4 modules), black on white, :data:`QR_PIXELS`
    pixels a module.  The mask is fixed: choosing the best of eight was most of the time of a county's print,
    and any mask reads."""
    code = segno.make(url, error="m", micro=False, mask=QR_MASK, boost_error=False)
    dark = np.array([list(row) for row in code.matrix_iter(scale=1, border=4)], dtype=bool)
    pixels = np.kron(~dark, np.ones((QR_PIXELS, QR_PIXELS), dtype=bool)).astype(np.uint8) * 255
    return Image.fromarray(pixels, mode="L")


def _qr(pdf: _Board, url: str, x: float, y: float, side: float) -> None:
    """The QR code of `url` in the `side`-mm square at (x, y)."""
    pdf.image(qr_image(url), x=x, y=y, w=side, h=side)


def _page(pdf: _Board, board: Board, url: str, made_on: dt.date, data_version: str) -> None:
    k = pdf.k_
    pdf.add_page()
    pdf.set_fill_color(*BAND)
    pdf.rect(0, 0, pdf.w, 34 * k, style="F")
    pdf.set_xy(pdf.l_margin, 9 * k)
    pdf.line(t("pub.board.title", "zh"), 30, bold=True, align="C", colour=(255, 255, 255))
    pdf.set_xy(pdf.l_margin, 42 * k)
    place = "".join(p for p in (board.county, board.township) if p)
    if place:
        pdf.line(place, 15, align="C", colour=GREY)
    pdf.line(board.name, 28, bold=True, align="C")

    pdf.heading(t("pub.board.advisers", "zh"))
    full = len(board.advisers) <= FULL_SIZE_ADVISERS
    if not board.advisers:
        pdf.line(t("pub.board.none", "zh"), 16)
    for adviser in board.advisers:
        pdf.set_x(pdf.l_margin + 4 * k)
        pdf.line(adviser.name, 26 if full else 18, bold=True, width=pdf.epw - 4 * k)
        if adviser.org:
            pdf.set_x(pdf.l_margin + 4 * k)
            pdf.line(adviser.org, 14 if full else 12, colour=GREY, width=pdf.epw - 4 * k)
        if adviser.phone:
            pdf.set_x(pdf.l_margin + 4 * k)
            pdf.line(t("pub.board.phone", "zh", phone=adviser.phone), 22 if full else 16, bold=True,
                     width=pdf.epw - 4 * k)
        pdf.ln(2 * k)

    pdf.heading(t("pub.board.services", "zh"))
    for i, key in enumerate(SERVICE_KEYS, 1):
        pdf.set_x(pdf.l_margin + 4 * k)
        pdf.line(f"{i}. {t(key, 'zh')}", 13.5, width=pdf.epw - 4 * k)

    pdf.heading(t("pub.board.when_where", "zh"))
    s = board.settings
    for text in (t("pub.board.time", "zh", time=s.service_time or t("pub.default_time", "zh")),
                 t("pub.board.place", "zh", place=s.service_place or t("pub.default_place", "zh"))):
        pdf.set_x(pdf.l_margin + 4 * k)
        pdf.line(text, 13.5, width=pdf.epw - 4 * k)

    # the foot: the phones at the left, the QR code at the right, the board's making below
    side = QR_MM * k
    top = pdf.h - pdf.b_margin - side - 14 * k
    x_qr = pdf.w - pdf.r_margin - side
    pdf.set_xy(pdf.l_margin, top + 4 * k)
    left = x_qr - pdf.l_margin - 6 * k
    pdf.line(t("pub.board.supervision", "zh", phone=s.supervision_phone or t("pub.board.ask_bureau", "zh")), 17,
             bold=True, width=left)
    pdf.ln(2 * k)
    pdf.set_x(pdf.l_margin)
    pdf.line(t("pub.board.hotline", "zh", phone=s.hotline), 17, bold=True, width=left)
    pdf.ln(3 * k)
    pdf.set_x(pdf.l_margin)
    pdf.line(t("pub.board.scan", "zh"), 12.5, colour=GREY, width=left)
    _qr(pdf, url, x_qr, top, side)
    pdf.set_xy(x_qr, top + side + 1 * k)
    pdf.line(t("pub.board.scan_short", "zh"), 10.5, align="C", colour=GREY, width=side)
    pdf.set_xy(pdf.l_margin, pdf.h - pdf.b_margin - 4 * k)
    pdf.line(t("pub.board.made", "zh", made=made_on.isoformat(), as_of=board.as_of.isoformat(),
               version=data_version, code=board.village), 8.5, colour=GREY)


def signboards_pdf(boards: Sequence[tuple[Board, str]], *, paper: str = "A4", made_on: dt.date,
                   data_version: str) -> bytes:
    """One page per (board, page address) in `boards`."""
    pdf = _Board(paper)
    pdf.set_title(t("pub.board.title", "zh"))
    pdf.set_lang("zh-CN")
    pdf.set_creator(t("app_title", "zh"))
    for board, url in boards:
        _page(pdf, board, url, made_on, data_version)
    return bytes(pdf.output())
