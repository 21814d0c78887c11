"""Word files in the shapes offices make, built with python-docx for the importer's tests and the
benchmark: masthead as paragraphs, in a table, in a text box or a frame; numbers in one
paragraph or two, full- or half-width; footer as paragraphs or a bordered table; manual line
breaks in the 报 line; headings numbered or only bold."""

from __future__ import annotations

import io
import struct
import zlib

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

FULLWIDTH = str.maketrans("0123456789()", "０１２３４５６７８９（）")
BAO_NAMES = (
    ("刘小涛书记", "吴庆文市长", "李亚平主任", "朱民主席", "黄爱军副书记"),
    ("市委常委", "副市长"),
)
BAO_BODIES = (("市发改委", "文广新局", "民政局"), ("市科协", "社科联", "社会组织党委"))
BAO_LINE = (
    "报：刘小涛书记、吴庆文市长、李亚平主任、朱民主席、黄爱军副书记，市委常委、副市长；"
    "市发改委、文广新局、民政局，市科协、社科联、社会组织党委。"
)


def png_bytes(width=4, height=3) -> bytes:
    """A small valid PNG, without Pillow."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _run(paragraph, text, *, size=16, bold=None, font="仿宋_GB2312"):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    run.font.name = font
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return run


def _para(container, text="", *, center=False, size=16, bold=None, font="仿宋_GB2312"):
    p = container.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        _run(p, text, size=size, bold=bold, font=font)
    return p


def _masthead_lines(number, total, date_text, numbers, fullwidth, classification, series_title="领军参阅"):
    if numbers == "one":
        number_lines = ["第%s期（总第%s期）" % (number, total)]
    else:
        number_lines = ["第 %s 期" % number, "(总第 %s 期)" % total]
    if fullwidth:
        number_lines = [line.translate(FULLWIDTH) for line in number_lines]
    lines = []
    if classification:
        lines.append(("class", classification))
    lines.append(("title", series_title))
    lines += [("numbers", line) for line in number_lines]
    lines.append(("pub", "苏州太湖书院 主办"))
    lines.append(("pub", "苏州太湖智库    %s" % date_text))
    return lines


def _write_lines(container, lines):
    for kind, text in lines:
        if kind == "title":
            _para(container, text, center=True, size=48, bold=True, font="方正小标宋简体")
        else:
            _para(container, text, center=kind != "pub", size=16)


def _text_box(doc, lines):
    """A VML text box (as Word 2003 and WPS save them) anchored in an empty paragraph."""
    inner = "".join(
        '<w:p><w:r><w:rPr><w:sz w:val="%d"/></w:rPr><w:t xml:space="preserve">%s</w:t></w:r></w:p>'
        % (96 if kind == "title" else 32, text)
        for kind, text in lines
    )
    xml = (
        "<w:r %s xmlns:v=\"urn:schemas-microsoft-com:vml\"><w:pict><v:shape id=\"box\" style=\"width:440pt;height:200pt\">"
        "<v:textbox><w:txbxContent>%s</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
        % (nsdecls("w"), inner)
    )
    p = doc.add_paragraph()
    p._p.append(parse_xml(xml))


def _frame(paragraph):
    frame = OxmlElement("w:framePr")
    frame.set(qn("w:wrap"), "around")
    frame.set(qn("w:vAnchor"), "page")
    frame.set(qn("w:hAnchor"), "margin")
    paragraph._p.get_or_add_pPr().insert(0, frame)


def _bordered_table(doc, rows):
    table = doc.add_table(rows=len(rows), cols=1)
    table.style = "Table Grid"
    for row, text in zip(table.rows, rows, strict=True):
        cell = row.cells[0]
        cell.paragraphs[0].text = ""
        for i, part in enumerate(text.split("\n")):
            run = _run(cell.paragraphs[0], part, size=14)
            if i < len(text.split("\n")) - 1:
                run.add_break()
    return table


def build_issue_docx(
    *,
    number=2,
    total=117,
    date_text="2024年1月19日",
    masthead="paragraphs",  # paragraphs | table | textbox | frame
    numbers="two",  # one | two
    fullwidth=False,
    classification="",
    footer="paragraphs",  # paragraphs | table
    bao_breaks=False,
    bao_line=BAO_LINE,
    editor="郭书颖",
    print_run=70,
    headings="numbered",  # numbered | bold
    title="深圳五大举措厚植新质生产力",
    byline="苏州太湖智库课题组",
    picture=False,
    table=False,
    extra_paragraphs=0,
    series_title="领军参阅",
) -> bytes:
    doc = Document()
    lines = _masthead_lines(number, total, date_text, numbers, fullwidth, classification, series_title)
    if masthead == "table":
        grid = doc.add_table(rows=1, cols=1)
        cell = grid.rows[0].cells[0]
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
        _write_lines(cell, lines)
    elif masthead == "textbox":
        _text_box(doc, lines)
    else:
        start = len(doc.paragraphs)
        _write_lines(doc, lines)
        if masthead == "frame":
            for p in doc.paragraphs[start:]:
                _frame(p)
    _para(doc)
    _para(doc, title, center=True, size=22, bold=True, font="方正小标宋简体")
    if byline:
        _para(doc, byline, center=True, font="楷体_GB2312")
    p = _para(doc, "深圳把发展战略性新兴产业和培育未来产业作为")
    _run(p, "加快形成新质生产力的重要抓手", bold=True)
    _run(p, "，统筹推进产业集群发展。")
    for level_one, level_two in (("一、瞄准产业前沿", "（一）构建现代化产业体系"), ("二、牵好创新牛鼻子", "（二）打造韧性产业链")):
        if headings == "bold":
            level_one = level_one.split("、", 1)[1]
        _para(doc, level_one, bold=headings == "bold", font="黑体" if headings == "numbered" else "仿宋_GB2312")
        _para(doc, level_two, font="楷体_GB2312", bold=headings == "bold")
        _para(doc, "1. 加快集群建设", bold=True)
        for i in range(1 + extra_paragraphs):
            _para(doc, "产业集群是产业现代化的主要形态，深圳聚焦产业链供应链重点方向和关键领域（%d）。" % i)
    if table:
        grid = doc.add_table(rows=2, cols=2)
        grid.style = "Table Grid"
        for r, values in enumerate((("指标", "数值"), ("增加值", "10393.39 亿元"))):
            for c, value in enumerate(values):
                grid.cell(r, c).paragraphs[0].text = ""
                _run(grid.cell(r, c).paragraphs[0], value, size=12, bold=True if r == 0 else None)
    if picture:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run().add_picture(io.BytesIO(png_bytes()))
        _para(doc, "图1 产业集群分布", center=True, size=12, font="楷体_GB2312")
    _para(doc, "最后一段正文。")
    bao = bao_line
    if bao_breaks:
        # Break the line where Word wrapped it when the office typed it: after a 、 and a ，.
        bao = bao.replace("朱民主席、", "朱民主席、\n").replace("副市长；", "副市长；\n")
    editor_line = "责任编辑：%s  联系电话：18610038942  65519639（传真）" % editor
    run_line = "地址：苏州市吴中区胥口镇灵山路 609 号    共印：%s 份" % print_run
    if footer == "table":
        _bordered_table(doc, [bao, editor_line, run_line])
    else:
        p = doc.add_paragraph()
        parts = bao.split("\n")
        for i, part in enumerate(parts):
            run = _run(p, part, size=14)
            if i < len(parts) - 1:
                run.add_break()
        _para(doc, editor_line, size=14)
        _para(doc, run_line, size=14)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
