"""What is written: a series (刊物), its issues (期), their articles (文章) and the editors."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhiku.constraints import check, positive, unique
from zhiku.fields import SanitizedRichTextField, optional_link, stamp_fields, user_actor_field, user_stamp_field
from zhiku.scans import ScanField
from zhiku.uploads import RandomUploadName

from . import rules
from .exceptions import IssueLocked, WorkflowFieldsProtected
from .readiness_field import ReadinessChoicesField, default_blocking_checks
from .states import EVENT_ACTION_CHOICES, EVENT_IMPORT, Action, IssueStatus


class Series(models.Model):
    name = models.CharField(_("Series title"), max_length=50, unique=True)
    slug = models.SlugField(_("Slug"), max_length=50, unique=True)
    publisher_lines = models.TextField(_("Publishers"), help_text=_("Publisher lines of the masthead, one per line."))
    tagline = models.CharField(_("Masthead tagline"), max_length=100, blank=True)
    phone = models.CharField(_("Phone"), max_length=100, blank=True)
    fax = models.CharField(_("Fax"), max_length=50, blank=True)
    address = models.CharField(_("Address"), max_length=200, blank=True)
    default_print_run = models.PositiveIntegerField(_("Default print run"), default=70)
    is_active = models.BooleanField(_("Active"), default=True)
    allow_self_review = models.BooleanField(
        _("Allow self-review"),
        default=False,
        help_text=_("When off, nobody may approve a review stage of an issue they drafted or submitted."),
    )
    # Which readiness items (briefs.readiness) refuse 签发 when not met; the others only warn.
    signoff_blocking_checks = ReadinessChoicesField(
        _("Items that block sign-off"),
        default=default_blocking_checks,
        blank=True,
        help_text=_("Readiness items that must be met before the issue can be signed off; the others only warn."),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("Series")
        ordering = ["name"]
        constraints = [
            positive("default_print_run", _("The default print run must be a positive number.")),
        ]

    def __str__(self):
        return self.name

    @property
    def publishers(self) -> list[str]:
        return [line.strip() for line in self.publisher_lines.splitlines() if line.strip()]


class Editor(models.Model):
    """The person behind a login, as printed in a footer (责任编辑)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="editor_profile",
    )
    name = models.CharField(_("Printed name"), max_length=30, help_text=_("Name as printed in the brief."))
    phone = models.CharField(_("Phone"), max_length=100, blank=True)
    fax = models.CharField(_("Fax"), max_length=50, blank=True)
    is_active = models.BooleanField(
        _("Active"),
        default=True,
        help_text=_("An inactive editor stays on the issues they edited but is not offered for new ones."),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("Editor")
        ordering = ["name"]

    def __str__(self):
        return self.name


def copy_state(target: models.Model, source: models.Model) -> None:
    """Make ``target`` show what ``source`` (the saved row) holds, so a caller's object reflects
    a write a service made on its own copy."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False


def _positive_or_empty(field: str, message) -> models.CheckConstraint:
    return positive(field, message, or_empty=True)


def _workflow_person(verbose_name) -> models.ForeignKey:
    """Who took a workflow step (submitted, signed): written by the workflow, kept if the login goes."""
    return user_stamp_field(verbose_name, editable=False)


class IssueQuerySet(models.QuerySet):
    def delete(self):
        # Bulk deletes (the admin's delete action, the shell) obey the same rule as one delete.
        if self.exclude(rules.deletable_q()).exists():
            raise IssueLocked(rules.not_deletable_message())
        return super().delete()


class ArticleQuerySet(models.QuerySet):
    def delete(self):
        if self.exclude(rules.editable_q("issue__")).exists():
            raise IssueLocked(rules.articles_locked_message())
        return super().delete()


class Issue(models.Model):
    Status = IssueStatus

    class Classification(models.TextChoices):
        NONE = "", _("Not marked")
        INTERNAL = "internal", _("Internal")
        SECRET = "secret", _("Secret")
        CONFIDENTIAL = "confidential", _("Confidential")

    series = models.ForeignKey(Series, verbose_name=_("Series"), on_delete=models.PROTECT, related_name="issues")
    year = models.PositiveSmallIntegerField(_("Year"), null=True, blank=True)
    number = models.PositiveIntegerField(
        _("Number"), null=True, blank=True, help_text=_("Number within the year; assigned at sign-off.")
    )
    total_number = models.PositiveIntegerField(
        _("Total number"),
        null=True,
        blank=True,
        help_text=_("Running number since the first issue; assigned at sign-off."),
    )
    issue_date = models.DateField(_("Issue date"), null=True, blank=True)
    subject = models.CharField(
        _("Issue title / subject"),
        max_length=200,
        blank=True,
        help_text=_("Optional; names the issue before it is numbered (otherwise the first article's title does)."),
    )
    # The first article's title, kept by the article services (briefs.services) on every write of an article,
    # so naming an issue (lists, 待我处理, e-mails) costs no query per row.
    first_article_title = models.CharField(_("First article title"), max_length=200, blank=True, editable=False)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    classification = models.CharField(
        _("Classification"), max_length=20, choices=Classification.choices, default=Classification.NONE, blank=True
    )
    responsible_editor = optional_link(Editor, _("Responsible editor"), related_name="issues")
    print_run = models.PositiveIntegerField(
        _("Print run"),
        null=True,
        blank=True,
        help_text=_("Copies printed; leave empty to use the series default or the figure circulation computes."),
    )
    created_by, created_at = stamp_fields(_("Created by"), _("Created at"))
    updated_at = models.DateTimeField(_("Modified at"), auto_now=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)

    # Workflow state (briefs.workflow writes these; nothing else should).
    current_stage = optional_link("ReviewStage", _("Current review stage"), editable=False, related_name="+")
    submitted_by = _workflow_person(_("Submitted by"))
    submitted_at = models.DateTimeField(_("Submitted at"), null=True, blank=True, editable=False)
    signed_by = _workflow_person(_("Signed by"))
    signed_at = models.DateTimeField(_("Signed at"), null=True, blank=True, editable=False)

    # The signed PDF, rendered once at 签发 and served from then on (briefs.rendering.archive).
    archived_pdf = models.FileField(_("Signed PDF"), upload_to="archive/%Y/", blank=True, editable=False)
    archived_pdf_sha256 = models.CharField(_("PDF checksum"), max_length=64, blank=True, editable=False)
    archived_pdf_at = models.DateTimeField(_("PDF rendered at"), null=True, blank=True, editable=False)
    # The signed 审批单 (approval form), rendered at 签发 beside the PDF (briefs.rendering.approval_archive).
    archived_approval = models.FileField(_("Signed approval form"), upload_to="archive/%Y/", blank=True, editable=False)
    archived_approval_sha256 = models.CharField(_("Approval form checksum"), max_length=64, blank=True, editable=False)

    history = HistoricalRecords(verbose_name=_("Issue history"), excluded_fields=["updated_at"])

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("Issue")
        ordering = ["-year", "-number", "-id"]
        # The issues list's own order, read from an index instead of sorting every issue: the
        # index is built from the ordering, so the two cannot drift apart.
        indexes = [models.Index(fields=ordering, name="issue_list_order")]
        constraints = [
            unique(["series", "year", "number"], _("This series already has an issue with this number in this year.")),
            unique(["series", "total_number"], _("This series already has an issue with this total number.")),
            _positive_or_empty("number", _("The issue number must be a positive number.")),
            _positive_or_empty("total_number", _("The total number must be a positive number.")),
            _positive_or_empty("print_run", _("The print run must be a positive number.")),
            check(
                Q(number__isnull=True, year__isnull=True) | Q(number__isnull=False, year__isnull=False),
                "issue_number_has_year",
                _("An issue number needs a year, and a year needs an issue number."),
            ),
        ]
        permissions = [
            ("submit_issue", _("Can submit issues for review")),
            ("release_issue", _("Can release signed issues")),
            ("revoke_any_sign_off", _("Can revoke anybody's sign-off")),
            ("record_paper_sign_off", _("Can record a sign-off made on paper")),
        ]

    def __str__(self):
        # The names people use: "领军参阅 2026年第1期（总第118期）" once numbered, and before that
        # "领军参阅（拟）《title》" from the subject or the first article (never a database id).
        if self.total_number:
            return f"{self.series.name} {self.year}年第{self.number}期（总第{self.total_number}期）"
        return f"{self.series.name}（拟）《{self.working_title or '未命名'}》"

    def save(self, *args, transition: bool = False, **kwargs):
        # The last line of defence under briefs.services: content changes only in 草稿, and the
        # workflow fields only through briefs.workflow (which, like the historical loader, passes
        # transition=True for that one save). There is no switch that turns this off globally.
        if not transition:
            self._refuse_write_outside_workflow()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("admin:briefs_issue_change", args=[self.pk])

    def delete(self, *args, **kwargs):
        stored = Issue.objects.filter(pk=self.pk).values("status", "total_number").first()
        if stored is not None and not rules.is_deletable(Issue(**stored)):
            raise IssueLocked(rules.not_deletable_message())
        return super().delete(*args, **kwargs)

    def _refuse_write_outside_workflow(self) -> None:
        workflow = [self._meta.get_field(name).attname for name in rules.WORKFLOW_FIELDS]
        content = [self._meta.get_field(name).attname for name in rules.ISSUE_CONTENT_FIELDS]
        stored = None if self._state.adding else Issue.objects.filter(pk=self.pk).values(*workflow, *content).first()
        if stored is None:
            # A new issue starts as an unnumbered draft with no review history.
            blank = Issue()
            stored = {name: getattr(blank, name) for name in workflow}
            if any(getattr(self, name) != stored[name] for name in workflow):
                raise WorkflowFieldsProtected(rules.workflow_fields_message())
            return
        if any(getattr(self, name) != stored[name] for name in workflow):
            raise WorkflowFieldsProtected(rules.workflow_fields_message())
        if not rules.content_editable(self) and any(getattr(self, name) != stored[name] for name in content):
            raise IssueLocked(rules.locked_message(self))

    @property
    def working_title(self) -> str:
        """The subject, else the first article's title."""
        return self.subject or self.first_article_title

    @property
    def is_numbered(self) -> bool:
        return self.total_number is not None

    @property
    def effective_print_run(self) -> int:
        return self.print_run or self.series.default_print_run


def issue_field(on_delete, related_name: str = "+", **options) -> models.ForeignKey:
    """The issue a record belongs to or is about, declared alike by every model that names one."""
    return models.ForeignKey(Issue, verbose_name=_("Issue"), on_delete=on_delete, related_name=related_name, **options)


class Article(models.Model):
    issue = issue_field(models.CASCADE, "articles")
    position = models.PositiveSmallIntegerField(_("Position"), default=1)
    title = models.CharField(_("Title"), max_length=200)
    body = SanitizedRichTextField(_("Body"), config_name="default", blank=True)
    byline = models.CharField(_("Author or source"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Modified at"), auto_now=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)

    history = HistoricalRecords(verbose_name=_("Article history"), excluded_fields=["updated_at"])

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("Article")
        # By the issue's id, not the issue (whose ordering would join and sort the issue table
        # for every list); the index serves the admin list, newest issue first, too.
        ordering = ["issue_id", "position", "id"]
        indexes = [models.Index(fields=["-issue", "position", "id"], name="article_issue_desc_position")]

    def __str__(self):
        return self.title

    def save(self, *args, historical: bool = False, **kwargs):
        # Articles of a locked issue are read-only on every path (services, admin, imports,
        # shell). historical=True is passed by briefs.services.article_load_historical only (via _article_add),
        # which enters the articles of an issue that never went through the workflow.
        if not historical:
            issue_ids = {self.issue_id}
            if not self._state.adding:
                issue_ids |= set(Article.objects.filter(pk=self.pk).values_list("issue_id", flat=True))
            _refuse_locked_articles(issue_ids)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("admin:briefs_issue_change", args=[self.issue_id])

    def delete(self, *args, **kwargs):
        _refuse_locked_articles({self.issue_id})
        return super().delete(*args, **kwargs)


def _refuse_locked_articles(issue_ids) -> None:
    if Issue.objects.filter(pk__in=issue_ids).exclude(rules.editable_q()).exists():
        raise IssueLocked(rules.articles_locked_message())


class ReviewStage(models.Model):
    """One step of a series' review chain (初审, 复审, 终审/签发), held by a group or one person.

    The last stage of a chain is the sign-off: its approval makes the issue final.
    """

    series = models.ForeignKey(Series, verbose_name=_("Series"), on_delete=models.CASCADE, related_name="review_stages")
    position = models.PositiveSmallIntegerField(_("Position"))
    name = models.CharField(_("Stage name"), max_length=30)
    group = optional_link("auth.Group", _("Held by group"), related_name="+")
    user = user_actor_field(_("Held by person"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("Review stage")
        ordering = ["series", "position"]
        constraints = [
            unique(["series", "position"], _("Two stages of one series cannot share a position.")),
            check(
                Q(group__isnull=False, user__isnull=True) | Q(group__isnull=True, user__isnull=False),
                "review_stage_one_holder",
                _("A stage is held either by a group or by one person, not both."),
            ),
        ]

    def __str__(self):
        return self.name


class IssueEvent(models.Model):
    """One workflow transition: who did what to which issue, when, at which stage and why."""

    Action = Action
    IMPORT = EVENT_IMPORT

    issue = issue_field(models.CASCADE, "events")
    action = models.CharField(_("Action"), max_length=30, choices=EVENT_ACTION_CHOICES)
    from_status = models.CharField(_("From status"), max_length=20, choices=Issue.Status.choices)
    to_status = models.CharField(_("To status"), max_length=20, choices=Issue.Status.choices)
    stage = models.ForeignKey(
        ReviewStage, verbose_name=_("Stage"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The stage name as it was, so renaming a stage does not rewrite the record.
    stage_name = models.CharField(_("Stage name"), max_length=30, blank=True)
    actor = user_actor_field(_("By"))
    comment = models.TextField(_("Comment"), blank=True)
    created_at = models.DateTimeField(_("At"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("Workflow event")
        ordering = ["issue_id", "created_at", "id"]  # the issue's id: no join to the issue table

    def __str__(self):
        return "%s %s" % (self.issue, self.get_action_display())


class Notification(models.Model):
    """An email the workflow sent: to whom, when, about which issue and event."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Recipient"), on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(_("Email"))
    issue = issue_field(models.CASCADE, "notifications")
    event = models.ForeignKey(
        IssueEvent, verbose_name=_("Workflow event"), on_delete=models.CASCADE, null=True, related_name="notifications"
    )
    subject = models.CharField(_("Subject"), max_length=200)
    sent_at = models.DateTimeField(_("Sent at"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("Notification")
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return self.subject


class PaperSignOff(models.Model):
    """A leader signed on paper; staff recorded it with a scan of the signed page."""

    issue = issue_field(models.CASCADE, "paper_sign_offs")
    signer = user_actor_field(_("Signed by"))
    signed_on = models.DateField(_("Signed on"))
    scan = ScanField(_("Scan"), upload_to=RandomUploadName("signoff"))
    recorded_by = user_actor_field(_("Recorded by"))
    recorded_at = models.DateTimeField(_("Recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("Paper sign-off")
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"{self.signer} {self.signed_on}"


class IssueComment(models.Model):
    """A reviewer's comment on a passage of an issue (the quoted text), or an answer to one.

    Answers point at the comment they answer (``parent``); only top-level comments are opened and
    resolved. Open comments are listed on the desk and shown as a warning at 签发.
    """

    issue = issue_field(models.CASCADE, "comments")
    article = models.ForeignKey(
        Article, verbose_name=_("Article"), on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("Answer to"), on_delete=models.CASCADE, null=True, blank=True, related_name="answers"
    )
    quote = models.TextField(_("Quoted passage"), blank=True)
    body = models.TextField(_("Comment"))
    author = user_actor_field(_("By"))
    created_at = models.DateTimeField(_("At"), auto_now_add=True)
    resolved_by = user_actor_field(_("Resolved by"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("Resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("Comment on the text")
        ordering = ["issue", "created_at", "id"]
        constraints = [
            check(
                Q(parent__isnull=True) | Q(resolved_at__isnull=True),
                "issue_comment_answers_not_resolved",
                _("Only a comment, not an answer, can be resolved."),
            ),
        ]

    def __str__(self):
        return self.body[:40]

    @property
    def is_open(self) -> bool:
        return self.parent_id is None and self.resolved_at is None


# The signed issue's frozen document lives with the rendering code; imported here so it is a briefs model.
from briefs.rendering.models import FrozenDocument  # noqa: E402, F401
