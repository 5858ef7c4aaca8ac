"""Phase 4b: the briefing as a PDF to print or forward as it is (fpdf2).

A4, the Chinese font embedded as a subset (:mod:`geo.briefing.fonts`: a Song face, stroked bold for the title
and headings),
text selectable and searchable, the page number in the footer.  Nothing is fetched: fonts come from the machine,
images from the charts drawn here.  Text is written as text (fpdf2's markdown is off): a name like ``**x**`` or
``<b>`` shows as it is.
"""
from __future__ import annotations

import io
import re
from contextlib import AbstractContextManager, nullcontext
from typing import Callable

from fpdf import FPDF
from fpdf.enums import TextMode, WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from geo.briefing.document import Document, Heading, Image, Paragraph, Table
from geo.briefing.docx_writer import HEADER_FILL, MARGINS_MM, MARKED_FILL
from geo.briefing.fonts import cjk_fonts
from geo.text.catalogue import t

#: family -> (role in geo.briefing.fonts, fpdf2 style).  One face only: subsetting a 65,000-glyph CJK face is most of
#: a report's time, so bold (title, headings) is the same face drawn with an outline stroke
FACES = {"song": (("serif", ""),)}
#: outline stroke in mm that makes the regular face bold, by kind of text; 0 = plain
BOLD_STROKE = {"title": 0.3, "heading": 0.2}
#: block kind -> (family, size in points, line height in mm)
SIZES = {"title": ("song", 20, 10), "subtitle": ("song", 13, 7), "byline": ("song", 10.5, 5.5),
         "heading": ("song", 14, 8), "text": ("song", 12, 7), "small": ("song", 10, 5.5), "table": ("song", 9, 5),
         "caption": ("song", 9.5, 5), "footer": ("song", 10, 5)}

#: what a line of Chinese text never starts with (the common part of the line-breaking rules, 避头点)
NO_LINE_START = frozenset("，。、；：？！）》」』”’】〕…—·%％,.;:?!)]}")
#: what a line never breaks inside: a number with its sign, thousands, decimals and unit, a Latin word; else one
#: character
UNBROKEN = re.compile(r"[+\-−]?\d[\d,]*(?:\.\d+)?\s?(?:%|％|‰|个|名|人|次|天|小时|公里|km|年|月|日|岁|倍)?"
                      r"|[A-Za-z][A-Za-z'’\-]*|.", re.S)


class _Pdf(FPDF):
    def __init__(self, page_label: str, wrap: WrapMode):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.page_label = page_label
        self.wrap = wrap
        self.set_margins(MARGINS_MM["left"] - 8, MARGINS_MM["top"] - 15, MARGINS_MM["right"] - 8)
        self.set_auto_page_break(True, margin=MARGINS_MM["bottom"] - 15)
        faces = cjk_fonts()
        for family, variants in FACES.items():
            for role, style in variants:
                face = faces[role]
                self.add_font(family, style, str(face.path), collection_font_number=face.index)
        for font in self.fonts.values():
            # the subset's bounding boxes are not recomputed from every outline (half the time of the
            # subsetting); the whole font's boxes, which it keeps, hold every glyph of the subset too
            font.ttfont.recalcBBoxes = False

    def use(self, kind: str) -> float:
        family, size, height = SIZES[kind]
        self.set_font(family, "", size)
        return height

    def bold(self, kind: str, bold: bool) -> AbstractContextManager:
        """Text drawn stroked as well as filled, inside its own graphics state (fpdf2 leaves a text mode set
        without one in force for every later text)."""
        stroke = BOLD_STROKE.get(kind, 0) if bold or kind == "heading" else 0
        return self.local_context(text_mode=TextMode.FILL_STROKE, line_width=stroke) if stroke else nullcontext()

    def footer(self) -> None:
        self.set_y(-(MARGINS_MM["bottom"] - 15) + 2)
        self.use("footer")
        self.cell(0, 5, self.page_label.replace("{n}", str(self.page_no())), align="C")


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))


def _units(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """`text` as the pieces a line may break between: a number with its sign, decimals and unit (77.4%, 2026年,
    1,234个), a Latin word, else one character; a piece wider than a whole line is split into characters."""
    pieces = []
    for piece in UNBROKEN.findall(text):
        pieces.extend(piece if len(piece) > 1 and measure(piece) > width else [piece])
    return pieces


def cjk_lines(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """`text` broken into lines no wider than `width`, a character at a time but never inside a number with its
    unit or a Latin word (:func:`_units`), and never starting a line with closing punctuation (，。、）》 ...): such
    a character stays at the end of the line before, past the edge."""
    lines, line = [], ""
    for piece in _units(text, width, measure):
        if line and measure(line + piece) > width and piece[0] not in NO_LINE_START:
            lines.append(line)
            line = ""
        line += piece
    return lines + [line] if line else lines


def _text(pdf: _Pdf, kind: str, text: str, *, align: str = "L", indent: bool = False, bold: bool = False) -> None:
    height = pdf.use(kind)
    prefix = "\u3000\u3000" if indent else ""
    with pdf.bold(kind, bold):
        if pdf.wrap is WrapMode.WORD:
            pdf.multi_cell(0, height, prefix + text, align="J" if align == "L" else align, new_x=XPos.LMARGIN,
                           new_y=YPos.NEXT)
            return
        for line in cjk_lines(prefix + text, pdf.epw, pdf.get_string_width):
            pdf.cell(0, height, line, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading(pdf: _Pdf, block: Heading, following: object = None) -> None:
    # a heading never ends a page alone: it goes over with the start of what it heads
    needed = _image_height(pdf, following) + 20 if isinstance(following, Image) else 40
    if pdf.will_page_break(needed):
        pdf.add_page()
    pdf.ln(3)
    _text(pdf, "heading", block.text, align="L")
    pdf.ln(1)


def _paragraph(pdf: _Pdf, block: Paragraph, following: object = None) -> None:
    _text(pdf, "small" if block.small else "text", block.text, indent=True)
    pdf.ln(1)


def _table(pdf: _Pdf, block: Table, following: object = None) -> None:
    height = pdf.use("table")
    heading = FontFace(emphasis=None, fill_color=_rgb(HEADER_FILL))
    marked = FontFace(fill_color=_rgb(MARKED_FILL))
    with pdf.table(col_widths=block.widths, line_height=height, text_align="LEFT", wrapmode=pdf.wrap,
                   headings_style=heading, repeat_headings=1, padding=(0.8, 1.2), markdown=False,
                   first_row_as_headings=True) as table:
        head = table.row()
        for value in block.header:
            head.cell(value, align="C")
        for i, values in enumerate(block.rows):
            row = table.row()
            for j, value in enumerate(values):
                row.cell(value, align="R" if j in block.numeric else "L",
                         style=marked if i in block.marked else None)
    pdf.ln(3)


def _image_width(pdf: _Pdf, block: Image) -> float:
    return min(block.width_mm, pdf.epw)


def _image_height(pdf: _Pdf, block: Image) -> float:
    from PIL import Image as PILImage  # imported here: start-up time

    with PILImage.open(io.BytesIO(block.png)) as picture:
        return _image_width(pdf, block) * picture.height / picture.width


def _image(pdf: _Pdf, block: Image, following: object = None) -> None:
    width, height = _image_width(pdf, block), _image_height(pdf, block)
    if pdf.will_page_break(height + (13 if block.note else 8)):
        pdf.add_page()
    pdf.image(io.BytesIO(block.png), x=pdf.l_margin + (pdf.epw - width) / 2, w=width, h=height)
    _text(pdf, "caption", block.caption, align="C")
    if block.note:
        _text(pdf, "caption", block.note, align="C")
    pdf.ln(2)


WRITERS = {Heading: _heading, Paragraph: _paragraph, Table: _table, Image: _image}


def to_pdf(document: Document) -> bytes:
    pdf = _Pdf(document.page_label, WrapMode.CHAR if document.lang == "zh" else WrapMode.WORD)
    pdf.set_title(document.title)
    pdf.set_lang("zh-CN" if document.lang == "zh" else "en-GB")
    pdf.set_creator(t("app_title"))
    pdf.add_page()
    pdf.ln(6)
    _text(pdf, "title", document.title, align="C", bold=True)
    _text(pdf, "subtitle", document.subtitle, align="C")
    for line in document.byline:
        _text(pdf, "byline", line, align="C")
    pdf.ln(4)
    blocks = document.blocks
    for i, block in enumerate(blocks):
        WRITERS[type(block)](pdf, block, blocks[i + 1] if i + 1 < len(blocks) else None)
    return bytes(pdf.output())
