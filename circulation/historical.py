"""The distribution of a past issue entered from its printed file (backcatalogue's importer).

A printed 报 line is history: it is stored as the issue's frozen snapshot exactly as printed,
one entry per name in print order. Names that match a recipient's printed name are linked to
it; the others are kept by name for 发行 to link to an existing recipient or to create one.
"""

from django.db import transaction
from django.db.models import Count

from briefs.models import Issue

from .models import Category, DistributionSnapshot, Recipient, SnapshotEntry
from .services import require_circulation


def recipients_by_printed_name(names) -> dict[str, Recipient]:
    """The recipients whose printed name is one of ``names`` (1 query)."""
    return {r.printed_name: r for r in Recipient.objects.filter(printed_name__in=set(names))}


def snapshot_record_printed(
    *, issue: Issue, bao_line: str, distribution, print_run: int, user=None
) -> list[str]:
    """Freeze ``distribution`` [(category, sections → groups → names)] as ``issue``'s snapshot
    with the line as printed; returns the names no recipient matched. A no-op (returning []) when
    the issue already has a current snapshot."""
    with transaction.atomic():
        if DistributionSnapshot.objects.filter(issue=issue, voided_at__isnull=True).exists():
            return []
        flat = [
            (category, section, group, name)
            for category, sections in distribution
            for section, groups in enumerate(sections, start=1)
            for group, names in enumerate(groups, start=1)
            for name in names
        ]
        known = recipients_by_printed_name(name for *_rest, name in flat)
        entries = []
        for position, (category, section, group, name) in enumerate(flat, start=1):
            recipient = known.get(name)
            entries.append(
                SnapshotEntry(
                    recipient=recipient,
                    printed_name=name,
                    full_name=recipient.full_name if recipient else "",
                    category=category if category in Category.values else Category.BAO,
                    section=section,
                    group=group,
                    position=position,
                    copies=recipient.default_copies if recipient else 1,
                    channel=recipient.channel if recipient else "",
                    mailing_address=recipient.mailing_address if recipient else "",
                    contact=recipient.contact if recipient else "",
                )
            )
        allocated = sum(e.copies for e in entries)
        snapshot = DistributionSnapshot(
            issue=issue,
            bao_line=bao_line,
            print_run=print_run,
            allocated_copies=allocated,
            archive_copies=0,
            reserve_copies=max(print_run - allocated, 0),
            created_by=user if getattr(user, "pk", None) else None,
        )
        snapshot.full_clean()
        snapshot.save()
        for entry in entries:
            entry.snapshot = snapshot
        SnapshotEntry.objects.bulk_create(entries)
        return list(dict.fromkeys(e.printed_name for e in entries if e.recipient is None))


def unmatched_names() -> list[dict]:
    """Printed names in frozen snapshots that no recipient is linked to, with how many issues
    print them (1 query)."""
    return list(
        SnapshotEntry.objects.filter(recipient__isnull=True, snapshot__voided_at__isnull=True)
        .values("printed_name", "category")
        .annotate(issues=Count("snapshot__issue", distinct=True))
        .order_by("-issues", "printed_name")
    )


@transaction.atomic
def unmatched_name_link(*, printed_name: str, recipient: Recipient, user) -> int:
    """Link every unlinked snapshot entry printed as ``printed_name`` to ``recipient``. Only the
    link changes: the printed text of the snapshot stays as it was printed."""
    require_circulation(user)
    return SnapshotEntry.objects.filter(printed_name=printed_name, recipient__isnull=True).update(
        recipient=recipient
    )
