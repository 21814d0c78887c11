"""factory_boy factories shared by all tests. Apps append their own sections below."""

import factory
from django.contrib.auth import get_user_model

from briefs.models import Article, Editor, Issue, Series

# --- accounts and briefs -----------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: "user%d" % n)
    email = factory.LazyAttribute(lambda o: "%s@example.com" % o.username)
    is_staff = True
    password = factory.django.Password("pw-for-tests")


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: "测试刊物%d" % n)
    slug = factory.Sequence(lambda n: "series-%d" % n)
    publisher_lines = "苏州太湖书院 主办\n苏州太湖智库"
    tagline = "市管重点新型智库"
    address = "苏州市吴中区胥口镇灵山路 609 号"
    default_print_run = 70
    # Nothing blocks 签发 in a factory series, so workflow tests need no distribution; the readiness
    # tests (tests/briefs/test_readiness.py) set the blocking items and check the model default.
    signoff_blocking_checks = factory.LazyFunction(list)


class EditorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Editor

    name = factory.Sequence(lambda n: "编辑%d" % n)
    phone = "18610038942"
    fax = "65519639"


class IssueFactory(factory.django.DjangoModelFactory):
    """Issues are made the way the system makes them, through briefs.services, as the system:
    a draft with ``issue_create``; a numbered or non-draft issue (a fixture standing for a
    published one) with the historical loader ``issue_load_historical``. Nothing here switches
    the lock off: a test that moves an issue through the workflow meets every guard."""

    class Meta:
        model = Issue

    series = factory.SubFactory(SeriesFactory)
    responsible_editor = factory.SubFactory(EditorFactory)
    status = Issue.Status.DRAFT

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from briefs import services
        from zhiku.actors import SYSTEM

        numbers = {name: kwargs.pop(name, None) for name in ("year", "number", "total_number")}
        status = kwargs.pop("status")
        if status == Issue.Status.DRAFT and numbers["total_number"] is None:
            return services.issue_create(user=SYSTEM, **kwargs)
        return services.issue_load_historical(actor=SYSTEM, status=status, **numbers, **kwargs)


class NumberedIssueFactory(IssueFactory):
    year = 2024
    number = factory.Sequence(lambda n: n + 1)
    total_number = factory.Sequence(lambda n: n + 100)
    status = Issue.Status.RELEASED


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    issue = factory.SubFactory(IssueFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: "深圳举措第%d篇" % n)
    body = "<p>深圳把发展战略性新兴产业和培育未来产业作为加快形成新质生产力的重要抓手。</p>"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # A draft's article is added like any article (article_create, lock checked). An article
        # of a fixture issue entered as published goes in through the historical loader, which
        # refuses every issue that has been through the workflow.
        from briefs import rules, services
        from zhiku.actors import SYSTEM

        if rules.content_editable(kwargs["issue"]):
            return services.article_create(user=SYSTEM, **kwargs)
        return services.article_load_historical(actor=SYSTEM, **kwargs)


# --- workflow ----------------------------------------------------------------------------------


# The statuses on either side of the actions whose receivers the tests exercise.
ANNOUNCED_STATUSES = {"sign_off": ("in_review", "signed"), "revoke_sign_off": ("signed", "draft")}


def announce_transition(issue, action: str, *, user=None, comment: str = "") -> None:
    """Send ``issue_transitioned`` as the workflow does after ``action``, without running the
    workflow: tests of the receivers (archive, snapshot) start from an issue already in place."""
    from briefs.signals import issue_transitioned

    from_status, to_status = ANNOUNCED_STATUSES[action]
    issue_transitioned.send(
        sender=Issue, issue=issue, action=action, from_status=from_status, to_status=to_status, user=user, comment=comment
    )


def pdf_bytes() -> bytes:
    """A real one-page PDF (scans are parsed with pypdf, a "%PDF-" prefix is not enough)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def role_user(role_key: str, username: str | None = None, **fields):
    """A staff user in the group of ``role_key`` (zhiku.roles), groups synced first."""
    from django.contrib.auth.models import Group

    from zhiku import roles

    roles.sync_roles()
    user = UserFactory(username=username or f"{role_key}-user", **fields)
    user.groups.add(Group.objects.get(name=roles.role_group_name(role_key)))
    return user


# --- circulation -------------------------------------------------------------------------------


class RecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "circulation.Recipient"

    kind = "person"
    name = factory.Sequence(lambda n: "测试人%d" % n)
    title = "主任"
    category = "bao"
    protocol_order = factory.Sequence(lambda n: n + 1)
    default_copies = 1


class BodyRecipientFactory(RecipientFactory):
    kind = "body"
    name = ""
    title = ""
    short_name = factory.Sequence(lambda n: "测试局%d" % n)
    full_name = factory.LazyAttribute(lambda o: "苏州市%s" % o.short_name)


class DistributionListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "circulation.DistributionList"

    name = factory.Sequence(lambda n: "名单%d" % n)


# --- clusters ----------------------------------------------------------------------------------


class TaxonomyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clusters.Taxonomy"
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: "测试分类%d" % n)


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clusters.Cluster"

    taxonomy = factory.SubFactory(TaxonomyFactory)
    parent = None
    kind = "cluster"
    name = factory.Sequence(lambda n: "测试集群%d" % n)
    position = factory.Sequence(lambda n: n)


class ArticleClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clusters.ArticleCluster"

    article = factory.SubFactory(ArticleFactory)
    cluster = factory.SubFactory(ClusterFactory)
