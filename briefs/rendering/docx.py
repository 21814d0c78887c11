"""IssueDocument → an editable Word document (A4, GB/T 9704 margins, East Asian fonts).

python-docx starts from US Letter and sets only the Latin font name; both are wrong for a
Chinese brief, so page size, margins and ``w:eastAsia`` fonts are set explicitly here. Text is
written in named styles — 标题 1/2/3 (Word's built-in Heading 1–3, so the navigation pane and
a table of contents see the structure) and 正文文本 (Body Text) — styled per GB/T 9704, and the
版记 is a floating table at the bottom margin, which Word, WPS and LibreOffice all place at the
foot of the last page (see ``ooxml.float_at_bottom_margin``).
"""

import io

from django.conf import settings
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.shared import Mm, Pt, RGBColor

from .document import Footer, Heading, Image, IssueDocument, Paragraph, Table
from .ooxml import (
    cell_rule,
    drop_color,
    float_at_bottom_margin,
    page_number_field,
    paragraph_border,
    set_font,
    set_language,
)

RED = RGBColor(0xD4, 0x00, 0x00)
LINE_PITCH = Pt(28.95)
TEXT_WIDTH = Mm(156)
LEFT_MARGIN = Mm(28)
INDENT_2_CHARS = Pt(32)
BODY_STYLE = "Body Text"  # Word shows it as 正文文本
# Heading level → (Word's built-in style, shown as 标题 N in Chinese Word; font key; bold).
HEADING_STYLES = {1: ("Heading 1", "heading", False), 2: ("Heading 2", "kai", False), 3: ("Heading 3", "body", True)}
# GB/T 9704 版记 rules, in eighths of a point: first and last 0.35 mm (≈1 pt), between 0.25 mm (≈0.75 pt).
RULE_THICK, RULE_THIN = 8, 6


def _first_font(fonts: dict, key: str) -> str:
    """The first font of a stack: Word resolves its own fallbacks, so it gets the licensed name."""
    return fonts[key][0]


def _spacing(target, *, pitch=LINE_PITCH, before=0, after=0, indent=None, align=None):
    """Exact line pitch and spacing on a paragraph or a paragraph style."""
    fmt = target.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = pitch
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if indent is not None:
        fmt.first_line_indent = indent
    if align is not None:
        fmt.alignment = align


def _setup_styles(doc, fonts: dict) -> None:
    """Normal (仿宋 16 pt on the 28.95 pt grid), 正文文本 with its two-character indent, and the
    three heading levels: 一、 黑体, （一） 楷体, 1. 仿宋 bold — black, no extra space, kept with
    the next paragraph, and still outline levels 1–3."""
    normal = doc.styles["Normal"]
    set_font(normal, _first_font(fonts, "body"), 16)
    set_language(normal, "zh-CN")
    _spacing(normal)
    body = doc.styles[BODY_STYLE]
    _spacing(body, indent=INDENT_2_CHARS)
    for name, font_key, bold in HEADING_STYLES.values():
        style = doc.styles[name]
        set_font(style, _first_font(fonts, font_key), 16, bold=bold)
        style.font.italic = False
        drop_color(style)
        _spacing(style, indent=INDENT_2_CHARS)
        style.paragraph_format.keep_with_next = True


def render_docx(document: IssueDocument, *, fonts: dict | None = None) -> bytes:
    """``document`` as .docx bytes: same text and structure as the PDF, editable in Word/WPS."""
    fonts = fonts or settings.ZHIKU_FONTS
    body, title, heading, kai = (_first_font(fonts, k) for k in ("body", "title", "heading", "kai"))
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = LEFT_MARGIN, Mm(26)
    # The page number's line sits 7 mm below the text block.
    section.footer_distance = Mm(35 - 7 - 5)
    _setup_styles(doc, fonts)
    doc.core_properties.title = document.title
    doc.core_properties.language = "zh-CN"

    footer_p = section.footer.paragraphs[0]
    footer_p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page_number_field(footer_p, body, 14)
    if document.is_draft:
        # As in the PDF: 草稿 in every page's top-right corner, not only on the masthead.
        header_p = section.header.paragraphs[0]
        header_p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        set_font(header_p.add_run("草稿"), heading, 16, color=RED)

    _add_masthead(doc, document, body=body, title=title, heading=heading)
    for article in document.articles:
        p = doc.add_paragraph()
        _spacing(p, pitch=Pt(33), after=28.95, align=WD_ALIGN_PARAGRAPH.CENTER)
        set_font(p.add_run(article.title), title, 22, bold=True)
        if article.byline:
            p = doc.add_paragraph()
            _spacing(p, align=WD_ALIGN_PARAGRAPH.CENTER)
            set_font(p.add_run(article.byline), kai, 16)
        for block in article.blocks:
            _add_block(doc, block, body=body, heading=heading, kai=kai)
    _add_colophon(doc, document.footer, body=body)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _add_masthead(doc, document: IssueDocument, *, body, title, heading):
    m = document.masthead
    if m.classification or document.is_draft:
        p = doc.add_paragraph()
        _spacing(p)
        if m.classification:
            set_font(p.add_run(m.classification), heading, 16)
        if document.is_draft:
            p.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, alignment=WD_TAB_ALIGNMENT.RIGHT)
            set_font(p.add_run("\t草稿"), heading, 16, color=RED)
    if m.tagline:
        p = doc.add_paragraph()
        _spacing(p, pitch=Pt(24), align=WD_ALIGN_PARAGRAPH.CENTER)
        set_font(p.add_run(m.tagline), heading, 16, color=RED)
    p = doc.add_paragraph()
    _spacing(p, pitch=Pt(80), align=WD_ALIGN_PARAGRAPH.CENTER)
    set_font(p.add_run(m.series_title), title, 64, bold=True, color=RED)
    for line in (m.number_line, m.total_line):
        if line:
            p = doc.add_paragraph()
            _spacing(p, pitch=Pt(24), align=WD_ALIGN_PARAGRAPH.CENTER)
            set_font(p.add_run(line), body, 16)
    publishers = list(m.publishers) or [""]
    for i, line in enumerate(publishers):
        p = doc.add_paragraph()
        _spacing(p, pitch=Pt(24), before=12 if i == 0 else 0)
        set_font(p.add_run(line), body, 16)
        if i == len(publishers) - 1:
            # The date sits right, on the last publisher line, as printed.
            p.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, alignment=WD_TAB_ALIGNMENT.RIGHT)
            set_font(p.add_run("\t" + m.date_line), body, 16)
            paragraph_border(p, "bottom", 16, "D40000", space=4)
    doc.add_paragraph()


def _add_colophon(doc, f: Footer, *, body):
    """版记: thick rule, 报 line, thin rule, 责任编辑, 地址 with 共印 on the right, thick rule — a
    one-column floating table at the bottom margin whose borders are the rules, followed by the
    1 pt paragraph it is anchored to (which can never push a page over)."""
    lines = [("bao", f.bao_line), ("editor", f.editor_line), ("address", f.address_line)]
    lines = [(kind, text) for kind, text in lines if text or kind == "address"]
    table = doc.add_table(rows=len(lines), cols=1)
    float_at_bottom_margin(
        table,
        left_twips=round(LEFT_MARGIN.twips),
        width_twips=round(TEXT_WIDTH.twips),
        top=RULE_THICK,
        bottom=RULE_THICK,
        gap_twips=round(Mm(4).twips),
    )
    for row, (kind, text) in zip(table.rows, lines, strict=True):
        cell = row.cells[0]
        p = cell.paragraphs[0]
        _spacing(p, pitch=Pt(22), before=2, after=2)
        p.paragraph_format.left_indent = Pt(14 * (3 if kind == "bao" else 1))
        p.paragraph_format.right_indent = Pt(14)
        if kind == "bao":
            p.paragraph_format.first_line_indent = Pt(-28)
            if len(lines) > 1:
                cell_rule(cell, "bottom", RULE_THIN)
        set_font(p.add_run(text), body, 14)
        if kind == "address" and f.print_run_line:
            # 共印 on the address line, flush right (the text block less both 1-character indents).
            p.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH - Pt(28), alignment=WD_TAB_ALIGNMENT.RIGHT)
            set_font(p.add_run("\t" + f.print_run_line), body, 14)
    _spacing(doc.add_paragraph(), pitch=Pt(1))


def _add_runs(paragraph, runs, font=None, size=16):
    """Inline runs; ``font`` only where it differs from the paragraph's style."""
    for r in runs:
        run = paragraph.add_run(r.text)
        if font:
            set_font(run, font, size)
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
        name, _font, _bold = HEADING_STYLES.get(block.level, HEADING_STYLES[3])
        _add_runs(doc.add_paragraph(style=name), block.runs)
    elif isinstance(block, Paragraph):
        p = doc.add_paragraph(style=BODY_STYLE)
        if block.marker:
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.left_indent = INDENT_2_CHARS
            set_font(p.add_run(block.marker), body, 16)
        _add_runs(p, block.runs, kai if block.quote else None)
    elif isinstance(block, Table):
        _add_table(doc, block, body=body, heading=heading)
    elif isinstance(block, Image):
        if block.path:
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            try:
                p.add_run().add_picture(block.path, width=Mm(120))
            except Exception:  # an unreadable image must not cost the editor the whole document
                set_font(p.add_run("[%s]" % (block.alt or "图")), body, 16)
        if block.caption:
            p = doc.add_paragraph()
            _spacing(p, align=WD_ALIGN_PARAGRAPH.CENTER)
            set_font(p.add_run(block.caption), kai, 12)


def _add_table(doc, block: Table, *, body, heading):
    if block.caption:
        p = doc.add_paragraph()
        _spacing(p, align=WD_ALIGN_PARAGRAPH.CENTER)
        set_font(p.add_run(block.caption), heading, 16)
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
            set_font(para.add_run(cell.text), heading if cell.header else body, 12)
            c = end + 1
