"""Import past issues from Word files: `manage.py import_issues PATH... --user admin`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from backcatalogue import services


class Command(BaseCommand):
    help = "从 Word 文件（.docx）导入往期简报；PATH 可为文件或文件夹。每个文件要么完整导入，要么不导入。"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--user", required=True, help="以此账号的名义导入（须有导入往期的权限）。")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入。")

    def handle(self, *args, paths, user, dry_run, **options):
        try:
            actor = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist as exc:
            raise CommandError("没有账号 %s。" % user) from exc
        services.require_importer(actor)
        files = services.collect_files(paths)
        if not files:
            raise CommandError("没有找到 .docx 文件。")
        claimed: set = set()
        counts: dict[str, int] = {}
        for done, path in enumerate(files, start=1):
            with open(path, "rb") as handle:
                data = handle.read()
            if dry_run:
                report = services.issue_file_preview(name=path, data=data, user=actor, claimed=claimed)
            else:
                report = services.issue_file_import(name=path, data=data, user=actor)
            counts[report.status] = counts.get(report.status, 0) + 1
            self._report(done, len(files), report)
        self.stdout.write(
            "完成：导入 %d，可导入 %d，未变 %d，拒绝 %d。"
            % tuple(counts.get(s, 0) for s in ("imported", "ready", "unchanged", "refused"))
        )
        if counts.get("refused"):
            raise CommandError("有 %d 个文件被拒绝，见上。" % counts["refused"])

    def _report(self, done: int, total: int, report) -> None:
        label = {"imported": "已导入", "ready": "可导入", "unchanged": "未变", "refused": "拒绝"}[report.status]
        style = self.style.ERROR if report.status == "refused" else self.style.SUCCESS
        self.stdout.write(style("[%d/%d] %s：%s %s" % (done, total, report.name, label, report.title)))
        for heading, lines in (("错误", report.errors), ("读取", report.read), ("推断", report.guessed), ("缺少", report.missing)):
            for line in lines:
                self.stdout.write("    %s：%s" % (heading, line))
