"""Render one issue to HTML, PDF or Word, e.g. ``render_issue 117 --format pdf --output 117.pdf``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from briefs.models import Issue
from briefs.rendering.docx import render_docx
from briefs.rendering.html import render_html
from briefs.rendering.pdf import render_pdf
from briefs.rendering.services import issue_printed_document

RENDERERS = {"html": render_html, "pdf": render_pdf, "docx": render_docx}


class Command(BaseCommand):
    help = "将一期简报输出为 HTML、PDF 或 Word 文件。ISSUE 为总期号；草稿用 --id 指定。"

    def add_arguments(self, parser):
        parser.add_argument("issue", nargs="?", type=int, help="总期号 (total number)")
        parser.add_argument("--id", type=int, dest="issue_id", help="按数据库 id 选取（草稿尚无期号）")
        parser.add_argument("--series", help="刊物 slug，多个刊物同一总期号时需要")
        parser.add_argument("--format", choices=sorted(RENDERERS), default="pdf")
        parser.add_argument("--output", required=True, help="输出文件路径")

    def handle(self, *args, issue=None, issue_id=None, series=None, format="pdf", output=None, **options):
        if (issue is None) == (issue_id is None):
            raise CommandError("请给出总期号 ISSUE 或 --id 之一。")
        issues = Issue.objects.select_related("series", "responsible_editor")
        if issue_id is not None:
            found = issues.filter(pk=issue_id)
        else:
            found = issues.filter(total_number=issue)
            if series:
                found = found.filter(series__slug=series)
        found = list(found[:2])
        if not found:
            raise CommandError("找不到该期简报。")
        if len(found) > 1:
            raise CommandError("有多个刊物的该总期号，请用 --series 指定刊物。")
        content = RENDERERS[format](issue_printed_document(found[0]))
        Path(output).write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"已写入 {output}（{len(content)} 字节）"))
