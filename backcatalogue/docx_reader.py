""".docx bytes → a flat stream of paragraphs and tables with the formatting the importer needs.

Reads WordprocessingML with lxml (python-docx only opens the package), because offices put their
text in places python-docx's ``document.paragraphs`` never looks: text boxes (``w:txbxContent``
in a drawing or VML shape), content controls, hyperlinks and tracked insertions. A text box's
paragraphs come out just before the paragraph that anchors it, which is where they print.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from docx import Document
from docx.oxml.ns import qn

from briefs.rendering.document import Run as StyledRun

W_P, W_TBL, W_R, W_SDT = qn("w:p"), qn("w:tbl"), qn("w:r"), qn("w:sdt")
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
# Containers whose runs belong to the paragraph as if they were its own.
RUN_CONTAINERS = {qn("w:hyperlink"), qn("w:ins"), qn("w:smartTag"), qn("w:fldSimple"), qn("w:customXml")}


@dataclass(frozen=True)
class Run(StyledRun):
    """A run of the .docx: the printed document's styled text, plus the font and size Word set it
    in (the parser tells titles and bylines by them)."""

    font: str = ""
    size: float | None = None  # points


@dataclass
class Picture:
    blob: bytes
    content_type: str


@dataclass
class Para:
    runs: list[Run] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    align: str = ""
    style: str = ""
    keep_next: bool = False
    left_indent: int = 0  # twips
    framed: bool = False

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class Cell:
    paras: list[Para]
    colspan: int = 1
    rowspan: int = 1

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paras)


@dataclass
class Table:
    rows: list[list[Cell]]

    @property
    def paras(self) -> list[Para]:
        return [p for row in self.rows for cell in row for p in cell.paras]

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paras)


Element = Para | Table


def _on(el) -> bool:
    """A toggle property (w:b, w:i…) is on unless its w:val says false."""
    if el is None:
        return False
    return el.get(qn("w:val"), "true").lower() not in ("0", "false", "off", "none")


class _Reader:
    def __init__(self, document):
        self.part = document.part
        self.styles = {}
        for style in document.styles:
            try:
                self.styles[style.style_id] = style
            except Exception:  # a style python-docx cannot represent; its name is not needed
                continue

    def body(self, container) -> list[Element]:
        out: list[Element] = []
        for child in container:
            if child.tag == W_P:
                out.extend(self.paragraph(child))
            elif child.tag == W_TBL:
                out.append(self.table(child))
            elif child.tag == W_SDT:
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    out.extend(self.body(content))
        return out

    def paragraph(self, p) -> list[Element]:
        para = Para()
        boxes: list[Element] = []
        ppr = p.find(qn("w:pPr"))
        base_bold = False
        if ppr is not None:
            jc = ppr.find(qn("w:jc"))
            para.align = jc.get(qn("w:val"), "") if jc is not None else ""
            pstyle = ppr.find(qn("w:pStyle"))
            if pstyle is not None:
                style = self.styles.get(pstyle.get(qn("w:val")))
                para.style = (style.name if style is not None else pstyle.get(qn("w:val"))) or ""
                if style is not None and getattr(style, "font", None) is not None:
                    base_bold = bool(style.font.bold)
            para.keep_next = _on(ppr.find(qn("w:keepNext")))
            ind = ppr.find(qn("w:ind"))
            if ind is not None:
                value = ind.get(qn("w:left")) or ind.get(qn("w:start")) or "0"
                para.left_indent = int(value) if value.lstrip("-").isdigit() else 0
            para.framed = ppr.find(qn("w:framePr")) is not None
        self._runs(p, para, boxes, base_bold)
        return [*boxes, para]

    def _runs(self, container, para: Para, boxes: list, base_bold: bool) -> None:
        for child in container:
            if child.tag == W_R:
                self._run(child, para, boxes, base_bold)
            elif child.tag in RUN_CONTAINERS:
                self._runs(child, para, boxes, base_bold)
            elif child.tag == W_SDT:
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    self._runs(content, para, boxes, base_bold)

    def _run(self, r, para: Para, boxes: list, base_bold: bool) -> None:
        rpr = r.find(qn("w:rPr"))
        style = {"bold": base_bold}
        if rpr is not None:
            b = rpr.find(qn("w:b"))
            if b is not None:
                style["bold"] = _on(b)
            style["italic"] = _on(rpr.find(qn("w:i")))
            u = rpr.find(qn("w:u"))
            style["underline"] = u is not None and u.get(qn("w:val"), "single") != "none"
            style["strike"] = _on(rpr.find(qn("w:strike")))
            va = rpr.find(qn("w:vertAlign"))
            if va is not None:
                style["vertical"] = {"superscript": "sup", "subscript": "sub"}.get(va.get(qn("w:val"), ""), "")
            fonts = rpr.find(qn("w:rFonts"))
            if fonts is not None:
                style["font"] = fonts.get(qn("w:eastAsia")) or fonts.get(qn("w:ascii")) or ""
            sz = rpr.find(qn("w:sz"))
            if sz is not None and (sz.get(qn("w:val")) or "").isdigit():
                style["size"] = int(sz.get(qn("w:val"))) / 2
        text: list[str] = []
        for child in r:
            tag = child.tag
            if tag == qn("w:t"):
                text.append(child.text or "")
            elif tag == qn("w:tab"):
                text.append("\t")
            elif tag in (qn("w:br"), qn("w:cr")):
                if child.get(qn("w:type")) not in ("page", "column"):
                    text.append("\n")
            elif tag in (qn("w:drawing"), qn("w:pict"), qn("w:object"), f"{{{MC_NS}}}AlternateContent"):
                self._graphic(child, para, boxes)
        if text:
            para.runs.append(Run(text="".join(text), **style))

    def _graphic(self, el, para: Para, boxes: list) -> None:
        if el.tag == f"{{{MC_NS}}}AlternateContent":
            # Choice and Fallback hold the same content twice; read one of them.
            choice = el.find(f"{{{MC_NS}}}Choice")
            el = choice if choice is not None else el.find(f"{{{MC_NS}}}Fallback")
            if el is None:
                return
        boxes_found = list(el.iter(qn("w:txbxContent")))
        for box in boxes_found:
            boxes.extend(self.body(box))
        if boxes_found:
            return
        for blip in el.iter(A_BLIP):
            self._picture(blip.get(R_EMBED), para)
        for data in el.iter(V_IMAGEDATA):
            self._picture(data.get(R_ID), para)

    def _picture(self, rel_id: str | None, para: Para) -> None:
        if not rel_id:
            return
        related = self.part.related_parts.get(rel_id)
        if related is not None and hasattr(related, "blob"):
            para.pictures.append(Picture(blob=related.blob, content_type=getattr(related, "content_type", "")))

    def table(self, tbl) -> Table:
        rows: list[list[Cell]] = []
        open_spans: dict[int, Cell] = {}  # grid column → the cell a vertical merge continues
        for tr in tbl.iter(qn("w:tr")):
            if tr.getparent() is not tbl and tr.getparent().tag != W_SDT:
                continue  # a nested table's row: read with its own table
            row: list[Cell] = []
            column = 0
            for tc in tr.findall(qn("w:tc")):
                tcpr = tc.find(qn("w:tcPr"))
                span, vmerge = 1, None
                if tcpr is not None:
                    gs = tcpr.find(qn("w:gridSpan"))
                    if gs is not None and (gs.get(qn("w:val")) or "").isdigit():
                        span = max(1, int(gs.get(qn("w:val"))))
                    vm = tcpr.find(qn("w:vMerge"))
                    if vm is not None:
                        vmerge = vm.get(qn("w:val"), "continue")
                if vmerge == "continue" and column in open_spans:
                    open_spans[column].rowspan += 1
                else:
                    paras = [p for el in self.body(tc) for p in (el.paras if isinstance(el, Table) else [el])]
                    cell = Cell(paras=paras, colspan=span)
                    row.append(cell)
                    if vmerge == "restart":
                        open_spans[column] = cell
                    else:
                        open_spans.pop(column, None)
                column += span
            if row:
                rows.append(row)
        return Table(rows=rows)


def read_elements(data: bytes) -> list[Element]:
    """The body of a .docx, in reading order. Raises ValueError when the bytes are not a .docx."""
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # zipfile, KeyError, lxml errors: all mean "not a Word document"
        raise ValueError(str(exc)) from exc
    return _Reader(document).body(document.element.body)
