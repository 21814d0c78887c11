"""The 审批单 (发文稿纸): one A4 page per issue recording who reviewed and signed it, with their
opinions — the paper an office files beside the printed brief.

Same shape as the other renderers: a frozen value in (``ApprovalSheet``, built by
``briefs.desk.selectors.approval_sheet``), bytes out. WeasyPrint, the brief's font stacks.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .html import font_stacks


@dataclass(frozen=True)
class ApprovalStep:
    """One review stage's line: who acted, with which opinion, on which day."""

    stage: str  # 初审, 复审, 终审/签发
    holder: str  # the person who acted, or the stage's holder when nobody has yet
    action: str  # 审核通过, 退回修改, 签发… ("" when pending)
    opinion: str
    date: str  # "2026年11月29日", "" when pending


@dataclass(frozen=True)
class ApprovalSheet:
    series_title: str
    issue_name: str  # "领军参阅 2026年第1期（总第118期）"
    titles: tuple[str, ...]
    numbers: str
    date_line: str
    classification: str
    responsible_editor: str
    drafted_by: str
    submitted: str  # "张三 2026年11月29日"
    steps: tuple[ApprovalStep, ...]  # the current round, one per stage of the chain
    sign_line: str  # "签发人：李四　2026年11月29日", "" until signed
    earlier: tuple[ApprovalStep, ...] = ()  # earlier rounds (退回, 撤销签发), oldest first
    print_run: str = ""

    def plain_text(self) -> str:
        """Every printed word, for tests reading the PDF back."""
        lines = [self.series_title, self.issue_name, *self.titles, self.numbers, self.classification]
        lines += [self.responsible_editor, self.drafted_by, self.submitted]
        for step in (*self.steps, *self.earlier):
            lines += [step.stage, step.holder, step.action, step.opinion, step.date]
        lines.append(self.sign_line)
        return "\n".join(line for line in lines if line)


def render_approval_html(sheet: ApprovalSheet, *, fonts: dict | None = None) -> str:
    return render_to_string(
        "briefs/desk/approval.html", {"sheet": sheet, "fonts": {k: mark_safe(v) for k, v in font_stacks(fonts).items()}}
    )


def render_approval_pdf(sheet: ApprovalSheet, *, fonts: dict | None = None) -> bytes:
    """``sheet`` as a one-page A4 PDF."""
    from weasyprint import HTML

    from .pdf import _font_config, url_fetcher

    html = render_approval_html(sheet, fonts=fonts)
    return HTML(string=html, url_fetcher=url_fetcher()).write_pdf(font_config=_font_config())
