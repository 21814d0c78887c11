"""IssueDocument → an editable Word document (A4, GB/T 9704 margins, East Asian fonts).

python-docx starts from US Letter and sets only the Latin font name; both are wrong for a
Chinese brief, so page size, margins and ``w:eastAsia`` fonts are set explicitly here.
"""

import io

from django.conf import settings
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .document import Heading, Image, IssueDocument, Paragraph, Table

RED = RGBColor(0xD4, 0x00, 0x00)
LINE_PITCH = Pt(28.95)
TEXT_WIDTH = Mm(156)


def _first_font(fonts: dict, key: str) -> str:
    """The first font of a stack: Word resolves its own fallbacks, so it gets the licensed name."""
    return fonts[key][0]


def _set_font(run_or_style, name: str, size: float | None = None, *, bold=None, color=None):
    font = run_or_style.font
    font.name = name
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = color


# w:pPr's children after w:framePr and after w:pBdr, in schema order: Word refuses a file whose
# paragraph properties come in another order, so new ones are inserted before these.
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
    "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
_AFTER_FRAMEPR = ("w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", *_AFTER_PBDR)


def _border(paragraph, edge: str, size_eighths: int, color: str = "000000", space: int = 1):
    """A paragraph border (w:pBdr): how Word draws the red rule and the footer rules."""
    ppr = paragraph._p.get_or_add_pPr()
    pbdr = ppr.find(qn("w:pBdr"))
    if pbdr is None:
        pbdr = OxmlElement("w:pBdr")
        ppr.insert_element_before(pbdr, *_AFTER_PBDR)
    el = OxmlElement(f"w:{edge}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size_eighths))
    el.set(qn("w:space"), str(space))
    el.set(qn("w:color"), color)
    pbdr.append(el)


def _spacing(paragraph, *, pitch=LINE_PITCH, before=0, after=0, indent_chars: float = 0, align=None):
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = pitch
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if indent_chars:
        fmt.first_line_indent = Pt(16 * indent_chars)
    if align is not None:
        fmt.alignment = align


def _bottom_frame(paragraph):
    """Put ``paragraph`` in a frame at the foot of the text block (w:framePr anchored to the bottom
    margin). Consecutive paragraphs with the same frame properties form one frame, so the footer
    block (版记) sits at the bottom of the last page however long the text is, as printed."""
    frame = OxmlElement("w:framePr")
    for attr, value in (
        ("w:w", str(round(TEXT_WIDTH.twips))),
        ("w:wrap", "around"),
        ("w:hAnchor", "margin"),
        ("w:vAnchor", "margin"),
        ("w:xAlign", "center"),
        ("w:yAlign", "bottom"),
    ):
        frame.set(qn(attr), value)
    paragraph._p.get_or_add_pPr().insert_element_before(frame, *_AFTER_FRAMEPR)


def _page_number_field(paragraph, font: str):
    """ "— PAGE —" with a live PAGE field, so Word numbers the pages itself."""

    def text(value):
        run = paragraph.add_run(value)
        _set_font(run, font, 14)
        return run

    text("— ")
    run = paragraph.add_run()
    _set_font(run, font, 14)
    for kind, instr in (("begin", None), (None, " PAGE "), ("separate", None), (None, None), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
        else:
            el = OxmlElement("w:t")
            el.text = "1"
        run._r.append(el)
    text(" —")


def render_docx(document: IssueDocument, *, fonts: dict | None = None) -> bytes:
    """``document`` as .docx bytes: same text and structure as the PDF, editable in Word/WPS."""
    fonts = fonts or settings.ZHIKU_FONTS
    body, title, heading, kai = (_first_font(fonts, k) for k in ("body", "title", "heading", "kai"))
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    # The page number's line sits 7 mm below the text block.
    section.footer_distance = Mm(35 - 7 - 5)
    normal = doc.styles["Normal"]
    _set_font(normal, body, 16)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = LINE_PITCH
    normal.paragraph_format.space_after = Pt(0)
    doc.core_properties.title = document.title
    doc.core_properties.language = "zh-CN"

    footer_p = section.footer.paragraphs[0]
    footer_p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number_field(footer_p, body)

    m = document.masthead
    if m.classification or document.is_draft:
        p = doc.add_paragraph()
        _spacing(p)
        if m.classification:
            _set_font(p.add_run(m.classification), heading, 16)
        if document.is_draft:
            if m.classification:
                p.add_run("\t")
            _set_font(p.add_run("草稿"), heading, 16, color=RED)
    if m.tagline:
        p = doc.add_paragraph()
        _spacing(p, pitch=Pt(24), align=WD_ALIGN_PARAGRAPH.CENTER)
        _set_font(p.add_run(m.tagline), heading, 16, color=RED)
    p = doc.add_paragraph()
    _spacing(p, pitch=Pt(80), align=WD_ALIGN_PARAGRAPH.CENTER)
    _set_font(p.add_run(m.series_title), title, 64, bold=True, color=RED)
    for line in (m.number_line, m.total_line):
        if line:
            p = doc.add_paragraph()
            _spacing(p, pitch=Pt(24), align=WD_ALIGN_PARAGRAPH.CENTER)
            _set_font(p.add_run(line), body, 16)
    publishers = list(m.publishers) or [""]
    for i, line in enumerate(publishers):
        p = doc.add_paragraph()
        _spacing(p, pitch=Pt(24), before=12 if i == 0 else 0)
        _set_font(p.add_run(line), body, 16)
        if i == len(publishers) - 1:
            # The date sits right, on the last publisher line, as printed.
            p.paragraph_format.tab_stops.add_tab_stop(Mm(156), alignment=2)  # WD_TAB_ALIGNMENT.RIGHT
            _set_font(p.add_run("\t" + m.date_line), body, 16)
            _border(p, "bottom", 16, "D40000", space=4)
    doc.add_paragraph()

    for article in document.articles:
        p = doc.add_paragraph()
        _spacing(p, pitch=Pt(33), after=28.95, align=WD_ALIGN_PARAGRAPH.CENTER)
        _set_font(p.add_run(article.title), title, 22, bold=True)
        if article.byline:
            p = doc.add_paragraph()
            _spacing(p, align=WD_ALIGN_PARAGRAPH.CENTER)
            _set_font(p.add_run(article.byline), kai, 16)
        for block in article.blocks:
            _add_block(doc, block, body=body, heading=heading, kai=kai)

    # 版记: thick rule, 报 line, thin rule, 责任编辑, 地址 with 共印 on the right, thick rule; one
    # frame at the bottom of the last page's text block. The rules are the lines' borders.
    f = document.footer
    lines = [("bao", f.bao_line), ("editor", f.editor_line), ("address", f.address_line)]
    lines = [(kind, text) for kind, text in lines if text or kind == "address"]
    for i, (kind, text) in enumerate(lines):
        p = doc.add_paragraph()
        _bottom_frame(p)
        _spacing(p, pitch=Pt(22), before=2, after=2)
        p.paragraph_format.left_indent = Pt(14 * (3 if kind == "bao" else 1))
        p.paragraph_format.right_indent = Pt(14)
        if kind == "bao":
            p.paragraph_format.first_line_indent = Pt(-28)
        _set_font(p.add_run(text), body, 14)
        if kind == "address" and f.print_run_line:
            # 共印 on the address line, flush right (the text block less both 1-character indents).
            p.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH - Pt(28), alignment=2)  # RIGHT
            _set_font(p.add_run("\t" + f.print_run_line), body, 14)
        if i == 0:
            _border(p, "top", 8)
        if kind == "bao" and i < len(lines) - 1:
            _border(p, "bottom", 6)
        if i == len(lines) - 1:
            _border(p, "bottom", 8)
    # A frame is anchored to the paragraph after it; end on a plain 1 pt paragraph, which can
    # never push a page over (LibreOffice drops a frame that ends the document).
    _spacing(doc.add_paragraph(), pitch=Pt(1))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _add_runs(paragraph, runs, font, size=16):
    for r in runs:
        run = paragraph.add_run(r.text)
        _set_font(run, font, size)
        run.bold = r.bold or None
        run.italic = r.italic or None
        run.underline = r.underline or None
        run.font.strike = r.strike or None
        if r.vertical == "sup":
            run.font.superscript = True
        elif r.vertical == "sub":
            run.font.subscript = True


def _add_block(doc, block, *, body, heading, kai):
    if isinstance(block, Heading):
        font = {1: heading, 2: kai}.get(block.level, body)
        p = doc.add_paragraph()
        _spacing(p, indent_chars=2)
        p.paragraph_format.keep_with_next = True
        _add_runs(p, block.runs, font)
        if block.level >= 3:
            for run in p.runs:
                run.bold = True
    elif isinstance(block, Paragraph):
        p = doc.add_paragraph()
        if block.marker:
            _spacing(p)
            p.paragraph_format.left_indent = Pt(32)
            _set_font(p.add_run(block.marker), body, 16)
        else:
            _spacing(p, indent_chars=2)
        _add_runs(p, block.runs, kai if block.quote else body)
    elif isinstance(block, Table):
        if block.caption:
            p = doc.add_paragraph()
            _spacing(p, align=WD_ALIGN_PARAGRAPH.CENTER)
            _set_font(p.add_run(block.caption), heading, 16)
        width = max(sum(c.colspan for c in row) for row in block.rows)
        table = doc.add_table(rows=len(block.rows), cols=width)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for r, row in enumerate(block.rows):
            c = 0
            for cell in row:
                if c >= width:
                    break
                target = table.cell(r, c)
                end = min(c + cell.colspan - 1, width - 1)
                if end > c:
                    target = target.merge(table.cell(r, end))
                para = target.paragraphs[0]
                _spacing(para, pitch=Pt(18))
                _set_font(para.add_run(cell.text), heading if cell.header else body, 12)
                c = end + 1
    elif isinstance(block, Image):
        if block.path:
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            try:
                p.add_run().add_picture(block.path, width=Mm(120))
            except Exception:  # an unreadable image must not cost the editor the whole document
                _set_font(p.add_run("[%s]" % (block.alt or "图")), body, 16)
        if block.caption:
            p = doc.add_paragraph()
            _spacing(p, align=WD_ALIGN_PARAGRAPH.CENTER)
            _set_font(p.add_run(block.caption), kai, 12)
