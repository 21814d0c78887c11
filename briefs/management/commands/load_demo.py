"""Load the demo: series 领军参阅, issue 117 as printed, a draft twin to work on, demo accounts.

Idempotent: running it twice changes nothing. Accounts are made only when DEBUG is on.
"""

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from briefs import demo_content as demo
from briefs.extensions import run_demo_loaders
from briefs.models import Editor, Issue
from briefs.rendering.archive import issue_pdf_archive
from briefs.rendering.services import issue_document_ensure_frozen
from briefs.services import HistoricalArticle, article_create, issue_create, issue_load_historical, series_upsert
from briefs.workflow import review_chain_ensure
from zhiku import roles
from zhiku.actors import SYSTEM

DEMO_PASSWORD = "zhiku-demo"

# username → (role key or None for the superuser, full name)
DEMO_ACCOUNTS = {
    "admin": (None, "系统管理员"),
    "editor": (roles.EDITOR, "李编辑"),
    "chief": (roles.CHIEF_EDITOR, "郭书颖"),
    "reviewer": (roles.REVIEWER, "王主任"),
    "leader": (roles.SIGNER, "张院长"),
    "clerk": (roles.CIRCULATION, "赵发行"),
}


class Command(BaseCommand):
    help = "载入演示数据：领军参阅第 117 期及演示账号（仅 DEBUG 时创建账号）。"

    @transaction.atomic
    def handle(self, *args, **options):
        roles.sync_roles()
        series = series_upsert(user=SYSTEM, **demo.SERIES)
        review_chain_ensure(series=series)
        users = self._accounts() if settings.DEBUG else {}
        editor, _created = Editor.objects.get_or_create(
            name=demo.RESPONSIBLE_EDITOR["name"],
            defaults={"phone": demo.RESPONSIBLE_EDITOR["phone"], "fax": demo.RESPONSIBLE_EDITOR["fax"]},
        )
        if users.get("chief") and editor.user_id is None:
            editor.user = users["chief"]
            editor.save(update_fields=["user"])
        issue_117 = self._issue_117(series, editor, users.get("chief"))
        twin = self._draft_twin(series, editor, users.get("editor"))
        run_demo_loaders(series=series, issues=[issue_117, twin], stdout=self.stdout)
        # 117 is entered as released: freeze what it prints (its distribution attached by the
        # loaders above) and archive its PDF once this commits, as a sign-off would.
        issue_document_ensure_frozen(issue=issue_117)
        transaction.on_commit(lambda: issue_pdf_archive(issue_id=issue_117.pk))
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪：{issue_117}，及草稿一期：{twin}。"))
        if users:
            self.stdout.write("演示账号（密码均为 {}）：{}".format(DEMO_PASSWORD, "、".join(users)))

    def _accounts(self) -> dict:
        User = get_user_model()
        users = {}
        for username, (role_key, full_name) in DEMO_ACCOUNTS.items():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": full_name, "is_staff": True, "email": f"{username}@example.com"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_superuser = role_key is None
                user.save()
            if role_key:
                user.groups.add(Group.objects.get(name=roles.ROLES_BY_KEY[role_key].group_name))
            users[username] = user
        return users

    def _issue_117(self, series, editor, creator) -> Issue:
        """Issue 117 as printed: entered through the historical loader, as the system."""
        fields = dict(demo.ISSUE)
        issue = Issue.objects.filter(series=series, total_number=fields["total_number"]).first()
        if issue is None:
            issue = issue_load_historical(
                series=series,
                status=Issue.Status.RELEASED,
                year=fields["year"],
                number=fields["number"],
                total_number=fields["total_number"],
                issue_date=date.fromisoformat(fields["issue_date"]),
                responsible_editor=editor,
                created_by=creator,
                articles=[HistoricalArticle(title=demo.ARTICLE_TITLE, body=demo.article_html())],
                actor=SYSTEM,
            )
        return issue

    def _draft_twin(self, series, editor, creator) -> Issue:
        """A draft with 117's content, so the review workflow can be tried without touching 117."""
        twin = Issue.objects.filter(
            series=series, status=Issue.Status.DRAFT, total_number__isnull=True, articles__title=demo.ARTICLE_TITLE
        ).first()
        if twin is None:
            # Drafted in the demo editor's name, so the self-review rule applies to them.
            twin = issue_create(
                series=series,
                user=SYSTEM,
                created_by=creator,
                responsible_editor=editor,
            )
            article_create(issue=twin, user=SYSTEM, position=1, title=demo.ARTICLE_TITLE, body=demo.article_html())
        return twin
