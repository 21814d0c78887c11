"""What is written: a series (刊物), its issues (期), their articles (文章) and the editors."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhiku.fields import SanitizedRichTextField


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

    class Meta:
        verbose_name = _("Series")
        verbose_name_plural = _("Series")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_print_run__gt=0),
                name="series_default_print_run_positive",
                violation_error_message=_("The default print run must be a positive number."),
            ),
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
    is_active = models.BooleanField(_("Active"), default=True)

    class Meta:
        verbose_name = _("Editor")
        verbose_name_plural = _("Editor")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        SIGNED = "signed", _("Signed")
        RELEASED = "released", _("Released")

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
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    classification = models.CharField(
        _("Classification"), max_length=20, choices=Classification.choices, default=Classification.NONE, blank=True
    )
    responsible_editor = models.ForeignKey(
        Editor,
        verbose_name=_("Responsible editor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues",
    )
    print_run = models.PositiveIntegerField(
        _("Print run"),
        null=True,
        blank=True,
        help_text=_("Copies printed; leave empty to use the series default or the figure circulation computes."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Modified at"), auto_now=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)

    # The signed PDF, rendered once at 签发 and served from then on (briefs.rendering.archive).
    archived_pdf = models.FileField(_("Signed PDF"), upload_to="archive/%Y/", blank=True, editable=False)
    archived_pdf_sha256 = models.CharField(_("PDF checksum"), max_length=64, blank=True, editable=False)
    archived_pdf_at = models.DateTimeField(_("PDF rendered at"), null=True, blank=True, editable=False)

    history = HistoricalRecords(verbose_name=_("Issue history"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("Issue")
        verbose_name_plural = _("Issue")
        ordering = ["-year", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "number"],
                name="issue_unique_number_in_year",
                violation_error_message=_("This series already has an issue with this number in this year."),
            ),
            models.UniqueConstraint(
                fields=["series", "total_number"],
                name="issue_unique_total_number",
                violation_error_message=_("This series already has an issue with this total number."),
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gt=0),
                name="issue_number_positive",
                violation_error_message=_("The issue number must be a positive number."),
            ),
            models.CheckConstraint(
                condition=Q(total_number__isnull=True) | Q(total_number__gt=0),
                name="issue_total_number_positive",
                violation_error_message=_("The total number must be a positive number."),
            ),
            models.CheckConstraint(
                condition=Q(print_run__isnull=True) | Q(print_run__gt=0),
                name="issue_print_run_positive",
                violation_error_message=_("The print run must be a positive number."),
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True, year__isnull=True) | Q(number__isnull=False, year__isnull=False),
                name="issue_number_has_year",
                violation_error_message=_("An issue number needs a year, and a year needs an issue number."),
            ),
        ]
        permissions = [
            ("view_all_issues", _("Can view all issues")),
        ]

    def __str__(self):
        if self.total_number:
            return "%s 第%s期（总第%s期）" % (self.series.name, self.number, self.total_number)
        return "%s 草稿 #%s" % (self.series.name, self.pk or "新")

    def get_absolute_url(self):
        return reverse("admin:briefs_issue_change", args=[self.pk])

    @property
    def is_numbered(self) -> bool:
        return self.total_number is not None

    @property
    def effective_print_run(self) -> int:
        return self.print_run or self.series.default_print_run


class Article(models.Model):
    issue = models.ForeignKey(Issue, verbose_name=_("Issue"), on_delete=models.CASCADE, related_name="articles")
    position = models.PositiveSmallIntegerField(_("Position"), default=1)
    title = models.CharField(_("Title"), max_length=200)
    body = SanitizedRichTextField(_("Body"), config_name="default", blank=True)
    byline = models.CharField(_("Author or source"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Modified at"), auto_now=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)

    history = HistoricalRecords(verbose_name=_("Article history"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("Article")
        verbose_name_plural = _("Article")
        ordering = ["issue", "position", "id"]
        indexes = [models.Index(fields=["issue", "position"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("admin:briefs_issue_change", args=[self.issue_id])
