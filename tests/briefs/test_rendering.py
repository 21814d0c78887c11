"""Issue 117 printed back: the PDF and the Word file read back carry the seed's text and geometry.

One module-scoped render of each format keeps the suite light (PDF layout is CPU-heavy).
"""

import io
import re
import subprocess
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from fontTools.ttLib import TTFont

from briefs import demo_content

# The text of the printed issue 117, kept in the repository: the golden reference.
SEED = Path(__file__).resolve().parent.parent / "data" / "issue_117_seed.txt"
MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
TEXT_BOTTOM = PAGE_H - 35 * MM


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def seed_text() -> str:
    """The printed issue 117 as transcribed (tests/data); never the demo data compared with itself."""
    return SEED.read_text(encoding="utf-8")


def body_text(page) -> str:
    """The page's text above the bottom margin, i.e. without the page number."""
    return page.within_bbox((0, 0, page.width, TEXT_BOTTOM)).extract_text() or ""


def test_pdf_reads_back_as_the_printed_issue(rendered):
    """The PDF's text, without page numbers, is the seed's text in order: masthead, numbers,
    publishers, date, title, every heading and paragraph, the 报 line (from circulation),
    责任编辑, address and 共印：70 份."""
    text = squash("".join(body_text(p) for p in rendered["plumber"].pages))
    expected = squash(seed_text())
    assert squash(demo_content.BAO_LINE) in text, "the 报 line comes from circulation's distribution provider"
    assert text == expected


def test_pdf_pieces_in_order(rendered):
    """Each printed piece appears once, in the seed's order (a sharper message than the whole-text compare)."""
    text = squash("".join(body_text(p) for p in rendered["plumber"].pages))
    pieces = [
        "市管重点新型智库",
        "领军参阅",
        "第2期",
        "(总第117期)",
        "苏州太湖书院主办",
        "苏州太湖智库",
        "2024年1月19日",
    ]
    pieces += [demo_content.ARTICLE_TITLE, *(t for _k, t in demo_content.ARTICLE_BLOCKS)]
    pieces += [
        demo_content.BAO_LINE,
        "责任编辑：郭书颖联系电话：1861003894265519639（传真）",
        "地址：苏州市吴中区胥口镇灵山路609号",
    ]
    pieces += ["共印：70份"]
    position = 0
    for piece in pieces:
        found = text.find(squash(piece), position)
        assert found >= 0, f"missing or out of order: {piece}"
        position = found + len(squash(piece))


def test_pdf_geometry_follows_gbt_9704(rendered):
    """A4; text starts 28 mm from the left edge; body 16 pt on a 28.95 pt pitch; pages numbered
    "— N —" in 14 pt below the text block; masthead title and rule red; footer on the last page."""
    pdf = rendered["plumber"]
    assert len(pdf.pages) >= 2
    for page in pdf.pages:
        assert page.width == pytest.approx(PAGE_W, abs=0.5)
        assert page.height == pytest.approx(PAGE_H, abs=0.5)

    second = pdf.pages[1]
    body = [c for c in second.chars if c["top"] < TEXT_BOTTOM and c["text"].strip()]
    assert min(c["x0"] for c in body) == pytest.approx(28 * MM, abs=0.5)
    # x1 counts a full 16 pt advance; the grid gives each character 15.78 pt, so allow that overlap.
    assert max(c["x1"] for c in body) <= (210 - 26) * MM + 1
    assert min(c["top"] for c in body) >= 37 * MM - 8
    sizes = {round(c["size"]) for c in body}
    assert sizes == {16}
    # Line pitch between consecutive lines of body text (same font, so same baseline offset).
    body_font = Counter(c["fontname"] for c in body).most_common(1)[0][0]
    tops = sorted({round(c["top"], 1) for c in body if c["fontname"] == body_font})
    pitch = Counter(round(b - a, 1) for a, b in zip(tops, tops[1:], strict=False)).most_common(1)[0][0]
    assert pitch == pytest.approx(28.95, abs=0.1)

    first = pdf.pages[0]
    number = [c for c in first.chars if c["top"] > TEXT_BOTTOM]
    assert squash("".join(c["text"] for c in number)) == "—1—"
    assert {round(c["size"]) for c in number} == {14}
    dash_middle = (number[0]["top"] + number[0]["bottom"]) / 2
    assert dash_middle - TEXT_BOTTOM == pytest.approx(7 * MM, abs=1.5 * MM)

    title = [c for c in first.chars if c["text"] in "领军参阅" and c["size"] > 40]
    assert len(title) == 4
    for c in title:
        r, g, b = c["non_stroking_color"]
        assert r > 0.7 and g < 0.1 and b < 0.1, "masthead title must be red"
    red_rules = [
        r
        for r in first.rects
        if r["non_stroking_color"]
        and tuple(round(x, 2) for x in r["non_stroking_color"])[:1] > (0.7,)
        and r["width"] == pytest.approx(156 * MM, abs=1)
    ]
    assert red_rules, "a red rule as wide as the text block under the masthead"

    last = pdf.pages[-1]
    run = last.search("共印：70 份") or last.search("共印：70份")
    assert run, "共印 is on the last page"
    assert TEXT_BOTTOM - 30 < run[0]["bottom"] <= TEXT_BOTTOM + 1, "the footer block sits at the foot of the page"
    lowest_rule = max(r["bottom"] for r in last.rects if r["width"] == pytest.approx(156 * MM, abs=1))
    assert lowest_rule == pytest.approx(TEXT_BOTTOM, abs=1.5)
    for page in pdf.pages[:-1]:
        assert "共印" not in (page.extract_text() or "")


@cache
def _font_files() -> dict[str, tuple[str, int]]:
    """Normalised 'family style' → (file, index), from fontconfig, for the fonts WeasyPrint embeds."""
    out = subprocess.run(
        ["fc-list", "--format", "%{family[0]}|%{style[0]}|%{file}|%{index}\n"], capture_output=True, text=True
    ).stdout
    files = {}
    for line in out.splitlines():
        family, style, path, index = line.split("|")
        for key in (family, family + " " + style):
            files.setdefault(re.sub(r"[\W_]+", "", key).lower(), (path, int(index)))
    return files


def test_every_glyph_of_issue_117_is_in_a_configured_font(rendered):
    """No character falls back to a font outside settings.ZHIKU_FONTS or to a missing glyph:
    each character's embedded font is from a configured stack and its cmap holds the character."""
    allowed = {re.sub(r"[\W_]+", "", name).lower() for stack in settings.ZHIKU_FONTS.values() for name in stack}
    by_font: dict[str, set[str]] = {}
    for page in rendered["plumber"].pages:
        for c in page.chars:
            if c["text"].strip():
                by_font.setdefault(c["fontname"].split("+", 1)[-1], set()).add(c["text"])
    assert by_font
    files = _font_files()
    for fontname, chars in by_font.items():
        key = re.sub(r"[\W_]+", "", fontname).lower()
        assert any(key.startswith(family) for family in allowed), f"{fontname} is not in ZHIKU_FONTS"
        path, index = files[key]
        cmap = TTFont(path, fontNumber=index, lazy=True).getBestCmap()
        missing = sorted(ch for ch in chars if ord(ch) not in cmap)
        assert not missing, "{} lacks {}".format(fontname, "".join(missing))


def test_pdf_is_small(rendered):
    """Fonts are subset: the whole issue stays well under 1 MB."""
    assert rendered["pdf"].startswith(b"%PDF")
    assert len(rendered["pdf"]) < 1_000_000


def test_docx_is_a4_with_gbt_margins_and_east_asian_fonts(rendered):
    """The Word file is A4 (not python-docx's Letter) with 37/35/28/26 mm margins, sets Chinese
    fonts through w:eastAsia, numbers pages with a PAGE field, and draws the red rule."""
    doc = Document(io.BytesIO(rendered["docx"]))
    section = doc.sections[0]
    # Word stores twips, so millimetres come back within a twip (635 EMU).
    for measured, mm in (
        (section.page_width, 210),
        (section.page_height, 297),
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
    ):
        assert abs(measured - Mm(mm)) <= 635
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == settings.ZHIKU_FONTS["body"][0]
    assert doc.styles["Normal"].font.size.pt == 16
    title_run = next(p.runs[0] for p in doc.paragraphs if p.text == "领军参阅")
    assert title_run.element.rPr.rFonts.get(qn("w:eastAsia")) == settings.ZHIKU_FONTS["title"][0]
    assert str(title_run.font.color.rgb) == "D40000"
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "— " in footer_xml
    assert 'w:color="D40000"' in doc.element.body.xml, "the red rule is a paragraph border"
    body = next(p for p in doc.paragraphs if p.text.startswith("深圳把发展"))
    assert body.style.name == "Body Text"
    assert body.style.paragraph_format.first_line_indent.pt == 32
    assert body.style.paragraph_format.line_spacing.pt == pytest.approx(28.95, abs=0.05)


def docx_blocks(doc):
    """The Word file's body in reading order: paragraphs, and each table's cell paragraphs."""
    for item in doc.iter_inner_content():
        if hasattr(item, "rows"):
            for row in item.rows:
                for cell in row.cells:
                    yield from cell.paragraphs
        else:
            yield item


def test_docx_text_matches_the_pdf(rendered):
    """Same document, same text: the Word file's paragraphs (the 版记 table included) read as the
    printed issue."""
    doc = Document(io.BytesIO(rendered["docx"]))
    text = squash("".join(p.text.replace("\t", "") for p in docx_blocks(doc)))
    assert text == squash(seed_text())


def test_docx_headings_and_body_are_named_styles(rendered):
    """举措 headings are Word's built-in Heading 1 (标题 1 in Chinese Word, an outline level the
    navigation pane and a table of contents see) in 黑体, black, 16 pt; 标题 2 is 楷体 and 标题 3
    仿宋 bold; body paragraphs are Body Text (正文文本) with the two-character indent — all in the
    DOCX XML as w:pStyle, no theme fonts left to override the East Asian names."""
    doc = Document(io.BytesIO(rendered["docx"]))
    fonts = settings.ZHIKU_FONTS
    xml = doc.element.body.xml
    headings = [p for p in doc.paragraphs if p.text.startswith("举措")]
    assert len(headings) == 5
    for p in headings:
        assert p._p.pPr.find(qn("w:pStyle")).get(qn("w:val")) == "Heading1"
        run_pr = p.runs[0].element.rPr
        assert run_pr is None or run_pr.find(qn("w:rFonts")) is None, "the font comes from the style"
    assert xml.count('<w:pStyle w:val="Heading1"/>') == 5
    assert xml.count('<w:pStyle w:val="BodyText"/>') == 22

    for style_id, font_key, bold in (
        ("Heading1", "heading", False),
        ("Heading2", "kai", False),
        ("Heading3", "body", True),
    ):
        style = doc.styles.get_by_id(style_id, 1)
        rfonts = style.element.rPr.rFonts
        assert rfonts.get(qn("w:eastAsia")) == fonts[font_key][0]
        assert not [k for k in rfonts.attrib if k.endswith("Theme") or k.endswith("theme")]
        assert style.font.size.pt == 16 and bool(style.font.bold) is bold
        assert style.element.rPr.find(qn("w:color")) is None, "black, not the template's theme blue"
        assert style.paragraph_format.line_spacing.pt == pytest.approx(28.95, abs=0.05)
        assert style.paragraph_format.first_line_indent.pt == 32
        assert style.paragraph_format.keep_with_next
    outline = [
        doc.styles.get_by_id(f"Heading{n}", 1).element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) for n in (1, 2, 3)
    ]
    assert outline == ["0", "1", "2"]
    body = doc.styles.get_by_id("BodyText", 1)
    assert body.paragraph_format.first_line_indent.pt == 32
    assert body.paragraph_format.line_spacing.pt == pytest.approx(28.95, abs=0.05)
    assert body.paragraph_format.space_after.pt == 0


def test_docx_footer_block_is_a_floating_table_at_the_bottom_margin(rendered):
    """The Word file's 版记 (报 line, 责任编辑, 地址 with 共印 on the right) is a one-column table
    floating at the bottom of the text block (w:tblpPr vertAnchor=margin, tblpYSpec=bottom; placed
    from the page edge at the left margin, as wide as the text block), so Word, WPS and
    LibreOffice put it at the foot of the last page; its borders are the rules — GB/T 9704's thick
    first and last, thin between — and page numbers read "— PAGE —", centred."""
    doc = Document(io.BytesIO(rendered["docx"]))
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert [row.cells[0].text for row in table.rows] == [
        demo_content.BAO_LINE,
        "责任编辑：郭书颖 联系电话：18610038942 65519639（传真）",
        "地址：" + demo_content.SERIES["address"] + "\t共印：70 份",
    ]
    body = list(doc.element.body.iterchildren())
    assert body[-3] is table._tbl, "the table ends the text, followed by its anchor paragraph"
    assert doc.paragraphs[-1].text == "" and doc.paragraphs[-1].paragraph_format.line_spacing.pt == 1

    tbl_pr = table._tbl.tblPr
    position = {k.split("}")[1]: v for k, v in tbl_pr.find(qn("w:tblpPr")).attrib.items()}
    assert position["vertAnchor"] == "margin" and position["tblpYSpec"] == "bottom"
    assert position["horzAnchor"] == "page" and abs(int(position["tblpX"]) - Mm(28).twips) <= 1
    assert tbl_pr.find(qn("w:tblOverlap")).get(qn("w:val")) == "never"
    assert abs(int(tbl_pr.find(qn("w:tblW")).get(qn("w:w"))) - Mm(156).twips) <= 1
    tags = [child.tag.split("}")[1] for child in tbl_pr]
    order = ["tblStyle", "tblpPr", "tblOverlap", "tblW", "jc", "tblBorders", "tblLayout", "tblCellMar", "tblLook"]
    assert tags == sorted(tags, key=order.index), f"tblPr children out of schema order: {tags}"

    def rule(parent, edge):
        el = None if parent is None else parent.find(qn(f"w:{edge}"))
        return None if el is None or el.get(qn("w:val")) == "nil" else int(el.get(qn("w:sz")))

    borders = tbl_pr.find(qn("w:tblBorders"))
    assert (rule(borders, "top"), rule(borders, "bottom")) == (8, 8), "thick first and last rules (≈1 pt)"
    assert [rule(borders, e) for e in ("left", "right", "insideH", "insideV")] == [None] * 4
    cell_rules = [rule(row.cells[0]._tc.tcPr.find(qn("w:tcBorders")), "bottom") for row in table.rows]
    assert cell_rules == [6, None, None], "a thin rule (0.75 pt) under the 报 line only"
    tab = table.rows[-1].cells[0].paragraphs[0].paragraph_format.tab_stops[0]
    assert tab.alignment == 2 and abs(tab.position - (Mm(156) - 28 * 12700)) <= 635, "共印 flush right"

    footer = doc.sections[0].footer.paragraphs[0]
    assert footer.alignment == 1  # centred
    assert footer.text == "— 1 —", "the PAGE field's cached value between the dashes"
    assert "PAGE" in footer._p.xml
    assert doc.sections[0].header.paragraphs[0].text == "", "a signed issue has no 草稿 in the corner"
