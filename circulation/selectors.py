"""Reads: an issue's distribution (live or frozen), the 报 line, the print-run reconciliation,
the copy ledger's open receipts. Every function here runs a constant number of queries."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from briefs.extensions import DistributionFooter

from .models import (
    CATEGORY_ORDER,
    CATEGORY_PREFIX,
    Category,
    Copy,
    CopyMovement,
    DistributionGroup,
    DistributionSnapshot,
    GroupMember,
    IssueDistribution,
    IssueList,
    IssueRecipient,
    LedgerRule,
)

# Chinese separators of the 报 line.
SEP_IN_GROUP = "、"
SEP_GROUPS = "，"
SEP_SECTIONS = "；"
END = "。"


@dataclass(frozen=True)
class Entry:
    """One recipient of one issue, in print order."""

    recipient_id: int | None
    printed_name: str
    category: str
    section: int
    group: int
    position: int
    copies: int
    full_name: str = ""
    channel: str = ""
    mailing_address: str = ""
    contact: str = ""


@dataclass
class Distribution:
    entries: list[Entry] = field(default_factory=list)
    archive_copies: int = 0
    reserve_copies: int = 0
    print_run_override: int | None = None
    frozen: bool = False
    frozen_print_run: int | None = None
    frozen_line: str | None = None
    exists: bool = False

    @property
    def allocated(self) -> int:
        return sum(e.copies for e in self.entries)

    @property
    def computed_print_run(self) -> int:
        return self.allocated + self.archive_copies + self.reserve_copies

    @property
    def print_run(self) -> int:
        if self.frozen and self.frozen_print_run is not None:
            return self.frozen_print_run
        return self.print_run_override or self.computed_print_run

    @property
    def bao_line(self) -> str:
        if self.frozen and self.frozen_line is not None:
            return self.frozen_line
        return build_bao_line(self.entries)

    @property
    def shortfall(self) -> int:
        """Copies needed beyond those printed (positive means the numbers do not add up)."""
        return self.computed_print_run - self.print_run


def build_bao_line(entries: Iterable[Entry]) -> str:
    """Print the distribution: 、 inside a group, ， between groups, ； between sections, 。 at
    the end; one line per category (报, 送, 发), joined by a newline."""
    by_category: dict[str, dict[int, dict[int, list[str]]]] = {}
    for entry in sorted(entries, key=lambda e: (CATEGORY_ORDER.get(e.category, 9), e.section, e.group, e.position)):
        by_category.setdefault(entry.category, {}).setdefault(entry.section, {}).setdefault(entry.group, []).append(
            entry.printed_name
        )
    lines = []
    for category, sections in by_category.items():
        text = SEP_SECTIONS.join(
            SEP_GROUPS.join(SEP_IN_GROUP.join(names) for names in groups.values()) for groups in sections.values()
        )
        lines.append(f"{CATEGORY_PREFIX.get(category, category)}：{text}{END}")
    return "\n".join(lines)


def current_snapshot(issue) -> DistributionSnapshot | None:
    return DistributionSnapshot.objects.filter(issue=issue, voided_at__isnull=True).first()


def live_distribution(issue) -> Distribution:
    """The distribution as the lists and the issue's changes make it now (5 queries)."""
    dist = IssueDistribution.objects.filter(issue=issue).first()
    result = Distribution(print_run_override=issue.print_run)
    if dist is None:
        return result
    result.exists = True
    result.archive_copies = dist.archive_copies
    result.reserve_copies = dist.reserve_copies
    issue_lists = list(
        IssueList.objects.filter(distribution=dist)
        .select_related("distribution_list")
        .prefetch_related(
            Prefetch(
                "distribution_list__groups",
                queryset=DistributionGroup.objects.order_by("section", "position", "id").prefetch_related(
                    Prefetch(
                        "members",
                        queryset=GroupMember.objects.select_related("recipient").order_by(
                            "position", "recipient__protocol_order", "id"
                        ),
                    )
                ),
            )
        )
    )
    adjustments = {
        a.recipient_id: a for a in IssueRecipient.objects.filter(distribution=dist).select_related("recipient")
    }
    seen: set[int] = set()
    entries: list[Entry] = []
    section_base = 0
    order = 0
    for issue_list in issue_lists:
        max_section = 0
        for group in issue_list.distribution_list.groups.all():
            max_section = max(max_section, group.section)
            for member in group.members.all():
                recipient = member.recipient
                adj = adjustments.get(recipient.pk)
                if recipient.pk in seen or not recipient.is_active or (adj is not None and not adj.included):
                    continue
                seen.add(recipient.pk)
                order += 1
                entries.append(_entry(recipient, adj, section_base + group.section, group.position, order))
        section_base += max_section
    # Additions the lists do not hold: one group in a section of their own, at the end.
    additions = sorted(
        (a for a in adjustments.values() if a.included and a.recipient_id not in seen),
        key=lambda a: (a.recipient.protocol_order, a.recipient_id),
    )
    for adj in additions:
        order += 1
        entries.append(_entry(adj.recipient, adj, section_base + 1, 1, order))
    result.entries = entries
    return result


def _entry(recipient, adj, section: int, group: int, position: int) -> Entry:
    copies = adj.copies if adj is not None and adj.copies else recipient.default_copies
    return Entry(
        recipient_id=recipient.pk,
        printed_name=recipient.printed_name,
        category=recipient.category,
        section=section,
        group=group,
        position=position,
        copies=copies,
        full_name=recipient.full_name,
        channel=recipient.channel,
        mailing_address=recipient.mailing_address,
        contact=recipient.contact,
    )


def issue_distribution(issue) -> Distribution:
    """The frozen snapshot when the issue is signed, the live distribution otherwise."""
    snapshot = current_snapshot(issue)
    if snapshot is None:
        return live_distribution(issue)
    entries = [
        Entry(
            recipient_id=e.recipient_id,
            printed_name=e.printed_name,
            category=e.category,
            section=e.section,
            group=e.group,
            position=e.position,
            copies=e.copies,
            full_name=e.full_name,
            channel=e.channel,
            mailing_address=e.mailing_address,
            contact=e.contact,
        )
        for e in snapshot.entries.order_by("position")
    ]
    return Distribution(
        entries=entries,
        archive_copies=snapshot.archive_copies,
        reserve_copies=snapshot.reserve_copies,
        print_run_override=snapshot.print_run,
        frozen=True,
        frozen_print_run=snapshot.print_run,
        frozen_line=snapshot.bao_line,
        exists=True,
    )


def distribution_footer(issue) -> DistributionFooter | None:
    """The provider registered with briefs: 报 line and 共印 from data, or None without any."""
    if issue is None or issue.pk is None:
        return None
    dist = issue_distribution(issue)
    if not dist.exists or not dist.entries:
        return None
    return DistributionFooter(bao_line=dist.bao_line, print_run=dist.print_run)


def release_errors(issue) -> list[str]:
    """Why 印发 must be refused, in Chinese; empty when the copies add up and, where a copy
    ledger rule applies, every printed copy is numbered."""
    from django.utils.translation import gettext as _

    errors: list[str] = []
    dist = issue_distribution(issue)
    if dist.exists and dist.computed_print_run > dist.print_run:
        errors.append(
            _(
                "More copies are allocated than printed: %(allocated)s to recipients, %(archive)s archive and "
                "%(reserve)s reserve make %(needed)s, but the print run is %(printed)s."
            )
            % {
                "allocated": dist.allocated,
                "archive": dist.archive_copies,
                "reserve": dist.reserve_copies,
                "needed": dist.computed_print_run,
                "printed": dist.print_run,
            }
        )
    if ledger_applies(issue):
        numbered = Copy.objects.filter(issue=issue).count()
        if not numbered:
            errors.append(
                _(
                    "The copies of this issue must be numbered (001…N) before release: a copy ledger rule applies "
                    "to its series. Use the action “Number the copies (001…N)” on the issue distributions."
                )
            )
        elif dist.exists and numbered != dist.print_run:
            errors.append(
                _("%(numbered)s copies are numbered, but the print run is %(printed)s.")
                % {"numbered": numbered, "printed": dist.print_run}
            )
    return errors


def list_line(distribution_list) -> str:
    """The line a list prints on its own (its active members, default copies)."""
    groups = DistributionGroup.objects.filter(distribution_list=distribution_list).prefetch_related(
        Prefetch(
            "members",
            queryset=GroupMember.objects.select_related("recipient").order_by(
                "position", "recipient__protocol_order", "id"
            ),
        )
    )
    entries = [
        _entry(m.recipient, None, g.section, g.position, i)
        for g in groups.order_by("section", "position", "id")
        for i, m in enumerate(g.members.all())
        if m.recipient.is_active
    ]
    return build_bao_line(entries)


def copy_destroyed(copy) -> bool:
    return CopyMovement.objects.filter(copy=copy, kind=CopyMovement.Kind.DESTROYED).exists()


def ledger_applies(issue) -> bool:
    return LedgerRule.objects.filter(
        Q(series_id=issue.series_id) & (Q(classification="") | Q(classification=issue.classification))
    ).exists()


def copies_with_numbers(issue) -> dict[int | None, list[str]]:
    """Copy numbers by recipient id (None for archive and reserve)."""
    result: dict[int | None, list[str]] = {}
    for recipient_id, serial in (
        Copy.objects.filter(issue=issue).order_by("serial").values_list("recipient_id", "serial")
    ):
        result.setdefault(recipient_id, []).append(f"{serial:03d}")
    return result


def copies_not_signed_for(issue=None):
    """Copies dispatched but neither signed for, returned nor destroyed (counts are sums of rows)."""
    qs = Copy.objects.all()
    if issue is not None:
        qs = qs.filter(issue=issue)
    return (
        qs.annotate(
            dispatched=Count("movements", filter=Q(movements__kind=CopyMovement.Kind.DISPATCHED)),
            closed=Count(
                "movements",
                filter=Q(
                    movements__kind__in=[
                        CopyMovement.Kind.RECEIVED,
                        CopyMovement.Kind.RETURNED,
                        CopyMovement.Kind.DESTROYED,
                    ]
                ),
            ),
        )
        .filter(dispatched__gt=0, closed=0)
        .select_related("issue", "issue__series", "recipient")
        .order_by("issue_id", "serial")
    )


__all__ = ["Category", "Distribution", "Entry", "build_bao_line", "distribution_footer", "issue_distribution"]


# --- exports -------------------------------------------------------------------------------------


def dispatch_rows(issue) -> list:
    """Rows of the dispatch sheet (发文签收单) in print order, with copy numbers when numbered."""
    from .resources import DispatchRow

    dist = issue_distribution(issue)
    numbers = copies_with_numbers(issue)
    return [
        DispatchRow(
            serial=index,
            printed_name=e.printed_name,
            full_name=e.full_name,
            category=e.category,
            copies=e.copies,
            copy_numbers=_ranges(numbers.get(e.recipient_id, [])),
            channel=e.channel,
            mailing_address=e.mailing_address,
            contact=e.contact,
        )
        for index, e in enumerate(dist.entries, start=1)
    ]


def _ranges(labels: list[str]) -> str:
    """001、002、003、007 prints as 001-003、007."""
    if not labels:
        return ""
    numbers = [int(label) for label in labels]
    parts, start, prev = [], numbers[0], numbers[0]
    for n in numbers[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"{start:03d}" if start == prev else f"{start:03d}-{prev:03d}")
        if n is not None:
            start = prev = n
    return "、".join(parts)


def export_bytes(resource, rows, file_format: str) -> bytes:
    """Export ``rows`` through ``resource`` as XLSX or CSV (with BOM) bytes."""
    from .resources import FORMATS

    fmt = FORMATS[file_format]()
    data = fmt.export_data(resource.export(queryset=rows))
    return data.encode("utf-8") if isinstance(data, str) else data


def dispatch_sheet_export(issue, file_format: str = "xlsx") -> bytes:
    from .resources import DispatchSheetResource

    return export_bytes(DispatchSheetResource(), dispatch_rows(issue), file_format)


def distribution_export(issue, file_format: str = "xlsx") -> bytes:
    from .resources import DistributionResource

    return export_bytes(DistributionResource(), dispatch_rows(issue), file_format)


def recipients_export(queryset, file_format: str = "xlsx") -> bytes:
    from .resources import RecipientResource

    return export_bytes(RecipientResource(), queryset, file_format)
