"""Who receives a brief: recipients, distribution lists, an issue's distribution and its frozen
snapshot, the copy ledger (份号 and movements) and leaders' instructions (批示)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from briefs.models import Article, Issue, Series, issue_field
from zhiku.constraints import check, positive, unique
from zhiku.fields import optional_link, stamp_fields, user_stamp_field
from zhiku.scans import ScanField
from zhiku.uploads import RandomUploadName


class Category(models.TextChoices):
    """Direction of distribution, in the order the footer prints them."""

    BAO = "bao", _("Report up (报)")
    SONG = "song", _("Send across (送)")
    FA = "fa", _("Issue down (发)")


CATEGORY_PREFIX = {Category.BAO: "报", Category.SONG: "送", Category.FA: "发"}
CATEGORY_ORDER = {Category.BAO: 0, Category.SONG: 1, Category.FA: 2}


class Channel(models.TextChoices):
    COURIER = "courier", _("Confidential courier")
    POST = "post", _("Post")
    ELECTRONIC = "electronic", _("Electronic")


def _addressee_field(on_delete=models.PROTECT, related_name="+", **options) -> models.ForeignKey:
    """The recipient a list, a change, a copy or an entry is addressed to."""
    return models.ForeignKey(
        Recipient, verbose_name=_("Addressee"), on_delete=on_delete, related_name=related_name, **options
    )


def _distribution_part(related_name: str) -> models.ForeignKey:
    """The issue distribution a chosen list or an addition/removal belongs to (goes with it)."""
    return models.ForeignKey(
        IssueDistribution, verbose_name=_("Issue distribution"), on_delete=models.CASCADE, related_name=related_name
    )


class Recipient(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        BODY = "body", _("Organisation")

    kind = models.CharField(_("Kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(
        _("Personal name"), max_length=30, blank=True, help_text=_("Empty for a collective recipient such as a title.")
    )
    title = models.CharField(_("Job title"), max_length=50, blank=True)
    short_name = models.CharField(_("Short name"), max_length=50, blank=True, help_text=_("As printed in the footer."))
    full_name = models.CharField(_("Full name"), max_length=100, blank=True, help_text=_("For mailing."))
    printed_name = models.CharField(_("Name as printed"), max_length=100, unique=True, editable=False)
    category = models.CharField(_("Category"), max_length=10, choices=Category.choices, default=Category.BAO)
    protocol_order = models.PositiveIntegerField(
        _("Protocol order"), default=100, help_text=_("Smaller comes first; not alphabetical.")
    )
    mailing_address = models.CharField(_("Mailing address"), max_length=200, blank=True)
    contact = models.CharField(_("Contact"), max_length=100, blank=True)
    channel = models.CharField(_("Delivery channel"), max_length=20, choices=Channel.choices, default=Channel.COURIER)
    default_copies = models.PositiveIntegerField(_("Default copies"), default=1)
    is_active = models.BooleanField(_("Still in use"), default=True)

    class Meta:
        verbose_name = verbose_name_plural = _("Addressee")
        ordering = ["category", "protocol_order", "id"]
        constraints = [
            positive("default_copies", _("Default copies must be a positive number.")),
            check(~Q(kind="person") | ~Q(title=""), "recipient_person_has_title", _("A person needs a title.")),
            check(
                ~Q(kind="body") | ~Q(short_name=""),
                "recipient_body_has_short_name",
                _("A body needs a short name."),
            ),
        ]

    def __str__(self):
        return self.printed_name or self.compute_printed_name()

    def save(self, *args, **kwargs):
        self.printed_name = self.compute_printed_name()
        super().save(*args, **kwargs)

    def clean(self):
        self.printed_name = self.compute_printed_name()
        if not self.printed_name:
            raise ValidationError(_("A recipient needs a title or a short name."))

    def addressed_as(self) -> dict[str, str]:
        """How a copy sent to this recipient is addressed, copied onto the snapshot entry or the
        supplement so that later edits of the recipient do not rewrite what was sent."""
        return {"printed_name": self.printed_name, "full_name": self.full_name, "channel": self.channel}

    def compute_printed_name(self) -> str:
        """刘小涛 + 书记 prints 刘小涛书记; a body prints its short name."""
        if self.kind == self.Kind.BODY:
            return self.short_name.strip()
        return (self.name.strip() + self.title.strip()).strip()


class DistributionList(models.Model):
    name = models.CharField(_("Name"), max_length=100, unique=True)
    description = models.TextField(_("Description"), blank=True)
    is_active = models.BooleanField(
        _("Still in use"), default=True, help_text=_("When off, not offered for new issues.")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("Distribution list")
        ordering = ["name"]

    def __str__(self):
        return self.name


class DistributionGroup(models.Model):
    """An ordered group of recipients. Groups print separated by "，", sections by "；"."""

    distribution_list = models.ForeignKey(
        DistributionList, verbose_name=_("Distribution list"), on_delete=models.CASCADE, related_name="groups"
    )
    section = models.PositiveSmallIntegerField(_("Section"), default=1)
    position = models.PositiveSmallIntegerField(_("Position"), default=1)
    label = models.CharField(_("Label"), max_length=50, blank=True)
    recipients = models.ManyToManyField(
        Recipient, verbose_name=_("Recipients"), through="GroupMember", related_name="distribution_groups"
    )

    class Meta:
        verbose_name = verbose_name_plural = _("Group")
        ordering = ["distribution_list", "section", "position", "id"]
        constraints = [
            unique(
                ["distribution_list", "section", "position"],
                _("This list already has a group at this section and position."),
                name="group_unique_position",
            ),
        ]

    def __str__(self):
        return self.label or f"{self.distribution_list} {self.section}-{self.position}"


class GroupMember(models.Model):
    group = models.ForeignKey(
        DistributionGroup, verbose_name=_("Group"), on_delete=models.CASCADE, related_name="members"
    )
    recipient = _addressee_field(related_name="memberships")
    position = models.PositiveSmallIntegerField(
        _("Position"), default=0, help_text=_("0 follows the recipient's protocol order.")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("Group member")
        ordering = ["group", "position", "recipient__protocol_order", "id"]
        constraints = [
            unique(["group", "recipient"], _("This recipient is already in the group.")),
        ]

    def __str__(self):
        return str(self.recipient)


class IssueDistribution(models.Model):
    """What an issue is sent to: lists, additions and removals, copies, archive and reserve."""

    issue = models.OneToOneField(Issue, verbose_name=_("Issue"), on_delete=models.CASCADE, related_name="distribution")
    archive_copies = models.PositiveIntegerField(_("Archive copies"), default=0)
    reserve_copies = models.PositiveIntegerField(_("Reserve copies"), default=0)
    # 共印 is computed (allocated + archive + reserve); setting it by hand is an explicit act of
    # 发行 with a reason, shown in the reconciliation (services.issue_print_run_override_set).
    print_run_override = models.PositiveIntegerField(
        _("Print run set by hand"),
        null=True,
        blank=True,
        help_text=_("Empty: the print run is computed (allocated + archive + reserve)."),
    )
    print_run_override_reason = models.CharField(_("Reason for setting the print run"), max_length=200, blank=True)
    print_run_override_by = user_stamp_field(_("Print run set by"))
    print_run_override_at = models.DateTimeField(_("Print run set at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("Modified at"), auto_now=True)

    class Meta:
        verbose_name = _("Issue distribution")
        verbose_name_plural = _("Issue distributions")
        ordering = ["-issue_id"]
        constraints = [
            check(
                Q(print_run_override__isnull=True) | (Q(print_run_override__gt=0) & ~Q(print_run_override_reason="")),
                "distribution_override_positive_with_reason",
                _("A print run set by hand must be positive and needs a reason."),
            ),
        ]

    def __str__(self):
        return str(self.issue)


class IssueList(models.Model):
    distribution = _distribution_part("issue_lists")
    distribution_list = models.ForeignKey(
        DistributionList, verbose_name=_("Distribution list"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("Position"), default=1)

    class Meta:
        verbose_name = verbose_name_plural = _("Chosen list")
        ordering = ["distribution", "position", "id"]
        constraints = [
            unique(["distribution", "distribution_list"], _("This list is already chosen for the issue.")),
        ]

    def __str__(self):
        return str(self.distribution_list)


class IssueRecipient(models.Model):
    """An issue-level change: add a recipient, remove one, or set its copies."""

    distribution = _distribution_part("adjustments")
    recipient = _addressee_field()
    included = models.BooleanField(
        _("Included"), default=True, help_text=_("Untick to remove a recipient the chosen lists contain.")
    )
    copies = models.PositiveIntegerField(
        _("Copies"), null=True, blank=True, help_text=_("Empty uses the recipient's default copies.")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("Addition or removal")
        ordering = ["distribution", "id"]
        constraints = [
            unique(["distribution", "recipient"], _("This recipient already has a change for the issue.")),
            positive("copies", _("Copies must be a positive number."), or_empty=True),
        ]

    def __str__(self):
        return str(self.recipient)


class DistributionSnapshot(models.Model):
    """The distribution as frozen at 签发. Voided (not deleted) when the sign-off is revoked."""

    issue = issue_field(models.CASCADE)
    bao_line = models.TextField(_("Distribution line"))
    print_run = models.PositiveIntegerField(_("Print run"))
    allocated_copies = models.PositiveIntegerField(_("Allocated copies"))
    archive_copies = models.PositiveIntegerField(_("Archive copies"), default=0)
    reserve_copies = models.PositiveIntegerField(_("Reserve copies"), default=0)
    created_by, created_at = stamp_fields(_("Created by"), _("Created at"))
    voided_at = models.DateTimeField(_("Voided at"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("Distribution snapshot")
        ordering = ["-created_at", "-id"]
        constraints = [
            unique(
                ["issue"],
                _("This issue already has a current distribution snapshot."),
                condition=Q(voided_at__isnull=True),
                name="snapshot_one_current_per_issue",
            ),
        ]

    def __str__(self):
        return str(self.issue)


class SnapshotEntry(models.Model):
    snapshot = models.ForeignKey(
        DistributionSnapshot, verbose_name=_("Distribution snapshot"), on_delete=models.CASCADE, related_name="entries"
    )
    recipient = _addressee_field(models.SET_NULL, null=True, blank=True)
    printed_name = models.CharField(_("Name as printed"), max_length=100)
    full_name = models.CharField(_("Full name"), max_length=100, blank=True)
    category = models.CharField(_("Category"), max_length=10, choices=Category.choices)
    section = models.PositiveSmallIntegerField(_("Section"))
    group = models.PositiveSmallIntegerField(_("Group"))
    position = models.PositiveIntegerField(_("Order"))
    copies = models.PositiveIntegerField(_("Copies"))
    channel = models.CharField(_("Delivery channel"), max_length=20, choices=Channel.choices, blank=True)
    mailing_address = models.CharField(_("Mailing address"), max_length=200, blank=True)
    contact = models.CharField(_("Contact"), max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("Snapshot entry")
        ordering = ["snapshot", "position"]
        # A snapshot's entries are its 报 line in print order: one entry per place. The index the
        # constraint makes also serves the ordered read of one snapshot.
        constraints = [unique(["snapshot", "position"], _("Two entries of one snapshot cannot share a position."))]

    def __str__(self):
        return self.printed_name


class LedgerRule(models.Model):
    """Copies of a series (optionally only of one classification) are numbered 001…N."""

    series = models.ForeignKey(Series, verbose_name=_("Series"), on_delete=models.CASCADE, related_name="+")
    classification = models.CharField(
        _("Classification"),
        max_length=20,
        choices=Issue.Classification.choices,
        blank=True,
        help_text=_("Empty means every issue of the series."),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("Copy ledger rule")
        constraints = [
            unique(["series", "classification"], _("This rule already exists.")),
        ]

    def __str__(self):
        return f"{self.series} {self.get_classification_display()}"


class AppendOnlyError(Exception):
    pass


class AppendOnly:
    """Refuses updates and deletes: rows of the model are only added.

    A plain mixin, not an abstract model, so the models' migrations stay as they are.
    ``append_only_message`` names the rows in the error.
    """

    append_only_message = "rows are append-only"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(self.append_only_message)


class Supplement(AppendOnly, models.Model):
    """增发: copies sent after 签发 to a further recipient. The signed footer (报 line, 共印) is
    not touched; the ledger and the dispatch sheet list these rows, marked 增发. Only added."""

    append_only_message = "additional copies are append-only"

    issue = issue_field(models.PROTECT)
    recipient = _addressee_field()
    printed_name = models.CharField(_("Name as printed"), max_length=100)
    full_name = models.CharField(_("Full name"), max_length=100, blank=True)
    channel = models.CharField(_("Delivery channel"), max_length=20, choices=Channel.choices, blank=True)
    copies = models.PositiveIntegerField(_("Copies"))
    date = models.DateField(_("Date"))
    note = models.CharField(_("Reason"), max_length=200, blank=True)
    created_by, created_at = stamp_fields(_("Recorded by"), _("Recorded at"))

    class Meta:
        verbose_name = verbose_name_plural = _("Additional copies (增发)")
        ordering = ["issue", "created_at", "id"]
        constraints = [
            positive("copies", _("Copies must be a positive number.")),
        ]

    def __str__(self):
        return f"{self.issue} 增发 {self.printed_name}"


class MovementKind(models.TextChoices):
    """What happened to a copy (CopyMovement.Kind); a copy's status is its latest movement."""

    DISPATCHED = "dispatched", _("Dispatched")
    RECEIVED = "received", _("Signed for")
    RETURNED = "returned", _("Returned")
    DESTROYED = "destroyed", _("Destroyed")


class Copy(models.Model):
    """One printed copy, by its serial number (份号)."""

    class Purpose(models.TextChoices):
        RECIPIENT = "recipient", _("For a recipient")
        ARCHIVE = "archive", _("Archive")
        RESERVE = "reserve", _("Reserve")
        SUPPLEMENT = "supplement", _("Additional (增发)")

    issue = issue_field(models.PROTECT)
    serial = models.PositiveIntegerField(_("Copy number"))
    purpose = models.CharField(_("Purpose"), max_length=20, choices=Purpose.choices, default=Purpose.RECIPIENT)
    recipient = _addressee_field(null=True, blank=True)
    supplement = optional_link(Supplement, _("Additional copies (增发)"), related_name="numbered_copies")
    printed_name = models.CharField(_("Name as printed"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)
    # The kind of the latest movement ("" before any). The movements stay the truth; the ledger
    # service sets this in the same transaction as it adds them, so lists and the "not signed
    # for" filter read one column instead of grouping over every movement.
    state = models.CharField(
        _("Status"), max_length=20, choices=MovementKind.choices, blank=True, default="", editable=False
    )

    class Meta:
        verbose_name = verbose_name_plural = _("Numbered copy")
        ordering = ["issue_id", "serial"]  # the issue's id: no join to the issue table
        indexes = [
            # The ledger list: newest issue first, copies in order.
            models.Index(fields=["-issue", "serial"], name="copy_issue_desc_serial"),
            # Copies out and not yet signed for: a small part of the ledger, listed the same way.
            models.Index(fields=["-issue", "serial"], name="copy_not_signed_for", condition=Q(state="dispatched")),
        ]
        constraints = [
            unique(["issue", "serial"], _("This copy number already exists for the issue.")),
            positive("serial", _("The copy number must be a positive number.")),
        ]

    def __str__(self):
        return f"{self.serial:03d}"

    @property
    def label(self) -> str:
        return f"{self.serial:03d}"

    @property
    def holder(self) -> str:
        """Whom the copy is for, as the ledger shows it: the recipient, 存档 or 备用 (增发 marked)."""
        if self.purpose in (self.Purpose.ARCHIVE, self.Purpose.RESERVE):
            return str(self.get_purpose_display())
        if self.purpose == self.Purpose.SUPPLEMENT:
            return "%s（增发）" % self.printed_name  # noqa: UP031
        return self.printed_name


class CopyMovement(AppendOnly, models.Model):
    """A movement of a copy. Rows are only added: never updated, never deleted."""

    append_only_message = "copy movements are append-only"

    Kind = MovementKind

    copy = models.ForeignKey(Copy, verbose_name=_("Copy"), on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("Movement"), max_length=20, choices=Kind.choices)
    signer = models.CharField(_("Receipt signed by"), max_length=50, blank=True)
    date = models.DateField(_("Date"))
    note = models.CharField(_("Note"), max_length=200, blank=True)
    created_by, created_at = stamp_fields(_("Recorded by"), _("Recorded at"))

    class Meta:
        verbose_name = verbose_name_plural = _("Copy movement")
        ordering = ["copy_id", "created_at", "id"]  # the copy's id: no join to copies and issues
        indexes = [models.Index(fields=["copy", "kind"])]
        constraints = [
            check(
                ~Q(kind="received") | ~Q(signer=""),
                "movement_received_has_signer",
                _("A receipt needs the name of who signed for it."),
            ),
        ]

    def __str__(self):
        return f"{self.copy} {self.get_kind_display()}"


class Instruction(models.Model):
    """A leader's 批示 on an issue or one of its articles.

    A think tank is assessed by its 批示: only affirmative (肯定性) and implementing (落实性) ones
    count; a leader's circle (圈阅), plain approval (同意) or forwarding (转阅) is recorded but not
    counted. The yearly report (backcatalogue.impact) reads ``level``, ``kind`` and the article.
    """

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial or ministerial")
        MUNICIPAL = "municipal", _("Municipal or departmental")

    class Kind(models.TextChoices):
        AFFIRMATIVE = "affirmative", _("Affirmative")
        IMPLEMENTING = "implementing", _("Calls for implementation")
        CIRCLED = "circled", _("Circled as read")
        AGREED = "agreed", _("Agreed")
        FORWARDED = "forwarded", _("Forwarded for reading")

    COUNTED_KINDS = (Kind.AFFIRMATIVE, Kind.IMPLEMENTING)
    # 省部级 and above: what an assessment lists as representative.
    REPRESENTATIVE_LEVELS = (Level.NATIONAL, Level.PROVINCIAL)

    leader = optional_link(Recipient, _("Leader"), related_name="+")
    leader_name = models.CharField(_("Leader as written"), max_length=50, blank=True)
    issue = issue_field(models.PROTECT)
    article = optional_link(Article, _("Article"), related_name="+")
    date = models.DateField(_("Date"))
    text = models.TextField(_("Instruction text"))
    level = models.CharField(_("Leader's level"), max_length=20, choices=Level.choices, blank=True)
    kind = models.CharField(
        _("Kind of instruction"),
        max_length=20,
        choices=Kind.choices,
        blank=True,
        help_text=_("Only affirmative instructions and those calling for implementation count."),
    )
    scan = ScanField(_("Scan"), upload_to=RandomUploadName("instructions"), blank=True)
    follow_up_department = models.CharField(_("Follow-up department"), max_length=100, blank=True)
    feedback_sent_on = models.DateField(_("Feedback sent to the author on"), null=True, blank=True)
    feedback_note = models.TextField(_("Feedback to the author"), blank=True)
    created_by, created_at = stamp_fields(_("Recorded by"), _("Recorded at"))

    class Meta:
        verbose_name = verbose_name_plural = _("Leader's instruction")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.leader_name or self.leader} {self.date}"

    def clean(self):
        if not self.leader_id and not self.leader_name:
            raise ValidationError(_("Name the leader."))
        if self.article_id and self.issue_id and self.article.issue_id != self.issue_id:
            raise ValidationError({"article": _("The article is not in this issue.")})
        if self.kind in self.COUNTED_KINDS and not self.article_id:
            raise ValidationError({"article": _("An instruction that counts must name the article it is about.")})
        if self.kind in self.COUNTED_KINDS and not self.level:
            raise ValidationError({"level": _("An instruction that counts needs the leader's level.")})
        if self.feedback_sent_on and not self.feedback_note:
            raise ValidationError({"feedback_note": _("Write down the feedback that was sent.")})

    @property
    def is_counted(self) -> bool:
        return self.kind in self.COUNTED_KINDS


class PendingImport(models.Model):
    """A recipients file parsed and validated at the preview, kept until it is confirmed, so the
    file is read once; in the database, because the confirm may reach another app server."""

    token = models.UUIDField(_("Token"), primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("User"), on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(_("File name"), max_length=200)
    rows = models.JSONField(_("Validated rows"))
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("Pending import")

    def __str__(self):
        return self.file_name
