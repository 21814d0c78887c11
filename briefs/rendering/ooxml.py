"""Low-level WordprocessingML pieces python-docx has no API for: East Asian fonts, borders,
styles cleaned of theme settings, a live PAGE field and a floating table.

Word, WPS and LibreOffice all read these; the constructs were chosen for that (see
docs/printing.md): a frame (``w:framePr``) with borders is lost by LibreOffice, a floating
table (``w:tblpPr``) is not.
"""

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

# w:pPr's children after w:pBdr, in schema order: Word refuses a file whose paragraph
# properties come in another order, so a new w:pBdr is inserted before these.
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
    "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip

# Theme font attributes win over the explicit names, and the built-in heading styles carry them.
_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_font(run_or_style, name: str, size: float | None = None, *, bold=None, color=None):
    """Font of a run or a style, East Asian included (python-docx sets only the Latin name)."""
    font = run_or_style.font
    font.name = name
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in _THEME_FONT_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = color


# w:rPr's children after w:lang, in schema order.
_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")


def set_language(style, tag: str) -> None:
    """The text's language (``w:lang``, East Asian included): LibreOffice picks the Chinese
    rather than the Japanese glyphs of a CJK fallback font by it, as Pango does by ``lang``."""
    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, *_AFTER_LANG)
    lang.set(qn("w:val"), tag)
    lang.set(qn("w:eastAsia"), tag)


def drop_color(style) -> None:
    """Remove a style's own colour (the built-in headings are theme blue), so it prints black."""
    rpr = style.element.rPr
    if rpr is not None:
        for color in rpr.findall(qn("w:color")):
            rpr.remove(color)


def _border_element(edge: str, size_eighths: int, color: str = "000000", space: int = 0):
    el = OxmlElement(f"w:{edge}")
    if size_eighths:
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), str(size_eighths))
        el.set(qn("w:space"), str(space))
        el.set(qn("w:color"), color)
    else:
        el.set(qn("w:val"), "nil")
    return el


def paragraph_border(paragraph, edge: str, size_eighths: int, color: str = "000000", space: int = 1):
    """A paragraph border (w:pBdr): how the masthead's red rule is drawn."""
    ppr = paragraph._p.get_or_add_pPr()
    pbdr = ppr.find(qn("w:pBdr"))
    if pbdr is None:
        pbdr = OxmlElement("w:pBdr")
        ppr.insert_element_before(pbdr, *_AFTER_PBDR)
    pbdr.append(_border_element(edge, size_eighths, color, space))


def page_number_field(paragraph, font: str, size: float):
    """ "— PAGE —" with a live PAGE field, so the word processor numbers the pages itself."""

    def text(value):
        run = paragraph.add_run(value)
        set_font(run, font, size)
        return run

    text("— ")
    run = paragraph.add_run()
    set_font(run, font, size)
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


def float_at_bottom_margin(table, *, left_twips: int, width_twips: int, top: int, bottom: int, gap_twips: int) -> None:
    """Make ``table`` a floating table at the foot of the text block, drawn only by its rules.

    ``w:tblpPr`` anchored vertically to the margin with ``tblpYSpec="bottom"`` puts it at the
    bottom of the text block of the page its anchor (the paragraph after it) falls on, in Word,
    WPS and LibreOffice alike; the text wraps above it (``tblOverlap never``), ``gap_twips`` apart.
    Horizontally it is placed from the page edge (``left_twips``, the left margin): LibreOffice
    (7.4) turns a floating table as wide as the text block into a plain table at the end of the
    text unless it is positioned against the page. ``top`` and ``bottom`` are the outer rules in
    eighths of a point; the rules between rows are set per cell (``cell_rule``).
    """
    tbl = table._tbl
    tbl_pr = parse_xml(
        f"<w:tblPr {nsdecls('w')}>"
        f'<w:tblpPr w:leftFromText="0" w:rightFromText="0" w:topFromText="{gap_twips}" w:bottomFromText="0"'
        ' w:vertAnchor="margin" w:horzAnchor="page" w:tblpYSpec="bottom"'
        f' w:tblpX="{left_twips}"/>'
        '<w:tblOverlap w:val="never"/>'
        f'<w:tblW w:w="{width_twips}" w:type="dxa"/>'
        '<w:jc w:val="center"/>'
        "<w:tblBorders>"
        f'<w:top w:val="single" w:sz="{top}" w:space="0" w:color="000000"/>'
        '<w:left w:val="nil"/>'
        f'<w:bottom w:val="single" w:sz="{bottom}" w:space="0" w:color="000000"/>'
        '<w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/>'
        "</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0"'
        ' w:noHBand="1" w:noVBand="1"/>'
        "</w:tblPr>"
    )
    tbl.replace(tbl.tblPr, tbl_pr)
    for col in tbl.tblGrid.findall(qn("w:gridCol")):
        col.set(qn("w:w"), str(width_twips))
    for cell in table.columns[0].cells:
        tc_w = cell._tc.get_or_add_tcPr().get_or_add_tcW()
        tc_w.type, tc_w.w = "dxa", width_twips


def cell_rule(cell, edge: str, size_eighths: int) -> None:
    """A rule along one edge of a table cell (w:tcBorders), e.g. the thin line under the 报 line."""
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        # After w:tcW/gridSpan/vMerge, before shd/noWrap/tcMar/vAlign…: tcW is the only one set here.
        tc_w = tc_pr.find(qn("w:tcW"))
        if tc_w is not None:
            tc_w.addnext(borders)
        else:
            tc_pr.insert(0, borders)
    borders.append(_border_element(edge, size_eighths))
