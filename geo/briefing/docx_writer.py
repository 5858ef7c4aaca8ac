"""Phase 4a: the briefing as a Word file (python-docx) that staff edit in Word or WPS before it goes up.

Plain official style: A4 with the margins of GB/T 9704, the title in 宋体, headings in 黑体, body text in 仿宋,
tables in 宋体 (each named for East Asian text, ``w:eastAsia``, with Times New Roman for Latin text), real
Word headings and tables, and the page number as a PAGE field in the footer.
"""
from __future__ import annotations

import io

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from geo.briefing.document import Document, Heading, Image, Paragraph, Table

LATIN = "Times New Roman"
#: style -> (East Asian font, size in points, bold)
FONTS = {"Title": ("宋体", 22, True), "Heading 1": ("黑体", 16, False), "Normal": ("仿宋", 14, False),
         "Small": ("仿宋", 11, False), "Table": ("宋体", 10.5, False), "Caption": ("宋体", 10.5, False)}
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
MARKED_FILL = "FDE0DC"      # the summary page's shade for the lowest ranked
HEADER_FILL = "E8EEF4"      # the exports' header shade
TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]


def _fonts(target, east_asian: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set a style's or a run's fonts, the East Asian one included (python-docx sets only the Latin ones)."""
    font = target.font
    font.name = LATIN
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    props = target.element.get_or_add_rPr()
    fonts = props.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        props.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):   # themes win over names
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), LATIN)
    fonts.set(qn("w:eastAsia"), east_asian)


def _styles(doc) -> None:
    styles = doc.styles
    if "Small" not in [s.name for s in styles]:
        styles.add_style("Small", 1).base_style = styles["Normal"]
    if "Table" not in [s.name for s in styles]:
        styles.add_style("Table", 1).base_style = styles["Normal"]
    for name, (east_asian, size, bold) in FONTS.items():
        style = styles[name]
        _fonts(style, east_asian, size, bold)
        style.font.color.rgb = RGBColor(0, 0, 0)
    for name in ("Normal", "Small"):
        styles[name].paragraph_format.first_line_indent = Pt(FONTS[name][1] * 2)
        styles[name].paragraph_format.line_spacing = 1.35
    for name in ("Table", "Caption"):
        styles[name].paragraph_format.first_line_indent = Pt(0)
        styles[name].paragraph_format.space_after = Pt(0)
    styles["Heading 1"].paragraph_format.keep_with_next = True        # a heading never ends a page alone
    styles["Heading 1"].paragraph_format.space_before = Pt(12)
    styles["Heading 1"].paragraph_format.space_after = Pt(6)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # Word's built-in Title draws a rule under itself; an official title has none
    border = styles["Title"].element.pPr.find(qn("w:pBdr")) if styles["Title"].element.pPr is not None else None
    if border is not None:
        border.getparent().remove(border)


def _page(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side, mm in MARGINS_MM.items():
        setattr(section, f"{side}_margin", Mm(mm))


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) in `paragraph`, computed by Word when it lays the pages out."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _footer(doc, label: str) -> None:
    """The page number, centred: "— 3 —" (the label's {n} is the PAGE field)."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, _, after = label.partition("{n}")
    paragraph.add_run(before)
    _field(paragraph, "PAGE")
    paragraph.add_run(after)
    for run in paragraph.runs:
        _fonts(run, "宋体", 12)


def _shade(cell, fill: str) -> None:
    props = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    props.append(shading)


def _repeat_header(row) -> None:
    props = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    props.append(element)


def _table(doc, block: Table) -> None:
    table = doc.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(block.widths)
    widths = [Mm(TEXT_WIDTH_MM * w / total) for w in block.widths]

    def fill(row, values, *, bold=False):
        for j, (c, value) in enumerate(zip(row.cells, values)):
            c.width = widths[j]
            paragraph = c.paragraphs[0]
            paragraph.style = "Table"
            if j in block.numeric and not bold:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = paragraph.add_run(value)
            run.bold = bold or None

    head = table.rows[0]
    fill(head, block.header, bold=True)
    _repeat_header(head)
    for c in head.cells:
        _shade(c, HEADER_FILL)
    for i, values in enumerate(block.rows):
        row = table.add_row()
        fill(row, values)
        if i in block.marked:
            for c in row.cells:
                _shade(c, MARKED_FILL)
    doc.add_paragraph(style="Table")      # a table needs air before the next heading


def _image(doc, block: Image) -> None:
    doc.add_picture(io.BytesIO(block.png), width=Mm(min(block.width_mm, TEXT_WIDTH_MM)))
    picture = doc.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.first_line_indent = Pt(0)
    picture.paragraph_format.keep_with_next = True                    # with its caption
    caption = doc.add_paragraph(block.caption, style="Caption")
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if block.note:
        caption.paragraph_format.keep_with_next = True
        note = doc.add_paragraph(block.note, style="Caption")
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _title(doc, document: Document) -> None:
    doc.add_paragraph(document.title, style="Title")
    subtitle = doc.add_paragraph(document.subtitle, style="Normal")
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.paragraph_format.first_line_indent = Pt(0)
    for line in document.byline:
        p = doc.add_paragraph(line, style="Small")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.space_after = Pt(0)


WRITERS = {
    Heading: lambda doc, b: doc.add_heading(b.text, level=1),
    Paragraph: lambda doc, b: doc.add_paragraph(b.text, style="Small" if b.small else "Normal"),
    Table: _table,
    Image: _image,
}


def to_docx(document: Document) -> bytes:
    doc = new_docx()
    _page(doc)
    _styles(doc)
    doc.core_properties.title = document.title
    doc.core_properties.language = "zh-CN" if document.lang == "zh" else "en-GB"
    _title(doc, document)
    for block in document.blocks:
        WRITERS[type(block)](doc, block)
    _footer(doc, document.page_label)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
