"""Issue 117's Word file opened by LibreOffice: the layout holds outside Microsoft Word.

Offices edit the Word file further in WPS or LibreOffice. LibreOffice converts it to PDF here
(``soffice --headless --convert-to pdf``, installed by .ci/run as libreoffice-writer-nogui) and
the PDF is read back: as many pages as zhiku's own PDF, the 版记 at the foot of the last page
with its rules drawn — which the earlier frame (w:framePr) construction lost.
"""

import io

import pdfplumber
import pytest

from tests.briefs.test_rendering import MM, PAGE_H, TEXT_BOTTOM
from tests.libreoffice import libreoffice_pdf


def _top_of(page, prefix: str) -> float:
    words = [w for w in page.extract_words() if w["text"].startswith(prefix)]
    assert words, f"{prefix} not on the last page"
    return words[0]["top"]


def _full_width_rules(page) -> list[float]:
    """The y of every horizontal line drawn as wide as the text block (156 mm)."""
    return sorted(
        edge["top"] for edge in page.horizontal_edges if edge["x1"] - edge["x0"] == pytest.approx(156 * MM, abs=2)
    )


def test_libreoffice_keeps_the_colophon_at_the_foot_of_the_last_page(rendered, tmp_path):
    """Converted by LibreOffice, issue 117's Word file has zhiku's page count (±1); on its last
    page the 报 line starts in the lowest 70 mm of the text block — where zhiku's own PDF puts it,
    within 5 mm — and not right under the last paragraph; the thick rule under the block lies on
    the text block's bottom edge, a rule is drawn above the 报 line and between it and 责任编辑."""
    with pdfplumber.open(io.BytesIO(libreoffice_pdf(tmp_path, rendered["docx"], "issue.docx").read_bytes())) as office:
        own_pages = len(rendered["plumber"].pages)
        assert abs(len(office.pages) - own_pages) <= 1, (len(office.pages), own_pages)
        last = office.pages[-1]
        assert last.height == pytest.approx(PAGE_H, abs=0.5)
        bao_top = _top_of(last, "报：")
        assert bao_top >= TEXT_BOTTOM - 70 * MM, f"报 line at {bao_top / MM:.1f} mm: not at the foot of the page"
        assert bao_top == pytest.approx(_top_of(rendered["plumber"].pages[-1], "报："), abs=5 * MM)
        editor_top = _top_of(last, "责任编辑")
        print_run_top = _top_of(last, "共印")
        for page in office.pages[:-1]:
            assert "共印" not in (page.extract_text() or "")

        rules = _full_width_rules(last)
        above = [y for y in rules if y < bao_top]
        between = [y for y in rules if bao_top < y < editor_top]
        below = [y for y in rules if y > print_run_top]
        assert above and between and below, f"rules at {[round(y / MM, 1) for y in rules]} mm"
        assert bao_top - max(above) < 10 * MM, "the thick rule sits right above the 报 line"
        assert max(below) == pytest.approx(TEXT_BOTTOM, abs=2 * MM), "the block ends on the text block's bottom"
