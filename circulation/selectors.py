"""Reads: an issue's distribution (live or frozen), the 报 line, the print-run reconciliation,
the copy ledger's open receipts. Every function here runs a constant number of queries."""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Prefetch, Q

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


class Entry(NamedTuple):
    """One recipient of one issue, in print order (a tuple: thousands are made per export)."""

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
    print_run_override_reason: str = ""
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
    def copy_figures(self) -> dict[str, int]:
        """The numbers every message about the copies adding up names (readiness, 印发 refusal)."""
        return {
            "allocated": self.allocated,
            "archive": self.archive_copies,
            "reserve": self.reserve_copies,
            "needed": self.computed_print_run,
            "printed": self.print_run,
        }

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


# The recipient columns of an Entry, in its order (the snapshot stores them under the same names).
_ENTRY_FIELDS = ("printed_name", "category", "full_name", "channel", "mailing_address", "contact")


def live_distribution(issue) -> Distribution:
    """The distribution as the lists and the issue's changes make it now (5 queries).

    Circulation owns 共印 once an issue has a distribution: it is computed, unless 发行 set it by
    hand on the distribution (with a reason). The issue's own print run field is not read here."""
    dist = IssueDistribution.objects.filter(issue=issue).first()
    result = Distribution()
    if dist is None:
        return result
    result.exists = True
    result.archive_copies = dist.archive_copies
    result.reserve_copies = dist.reserve_copies
    result.print_run_override = dist.print_run_override
    result.print_run_override_reason = dist.print_run_override_reason
    entries: list[Entry] = []
    for section, group, rows in _print_order(dist, _ENTRY_FIELDS):
        entries += (
            Entry(recipient_id, printed_name, category, section, group, position, copies, *rest)
            for position, (recipient_id, copies, printed_name, category, *rest) in enumerate(rows, len(entries) + 1)
        )
    result.entries = entries
    return result


def _print_order(dist, fields: tuple[str, ...]):
    """The live distribution's recipients in print order, group by group: ``(section, group,
    rows)`` with ``rows`` the group's ``(recipient_id, copies, *fields)`` tuples, ``fields`` the
    recipient's (4 queries, 2 without a list; no model instance: an export reads thousands, and
    the additions' rows are the query's own tuples).

    The chosen lists' groups in order, each recipient once, at its first place, skipping inactive
    members and those the issue leaves out; then the issue's additions the lists do not hold, by
    protocol order, as one group in a section of their own. ``copies`` is the issue's own number
    for the recipient, or its default."""
    from django.db.models import IntegerField
    from django.db.models.functions import Coalesce

    list_ids = list(IssueList.objects.filter(distribution=dist).values_list("distribution_list_id", flat=True))
    recipient_columns = ["recipient__" + f for f in fields]
    changes = IssueRecipient.objects.filter(distribution=dist)
    # (recipient_id, copies, *fields) of each recipient the issue adds or whose copies it sets, in
    # the additions' print order (those it leaves out are not read here).
    included = (
        changes.filter(included=True)
        .order_by("recipient__protocol_order", "recipient_id")
        .values_list(
            "recipient_id",
            Coalesce("copies", "recipient__default_copies", output_field=IntegerField()),
            *recipient_columns,
        )
    )
    if not list_ids:
        yield 1, 1, included
        return
    groups_by_list: dict[int, list[tuple[int, int, int]]] = {}
    for group_id, list_id, section, position in (
        DistributionGroup.objects.filter(distribution_list_id__in=list_ids)
        .order_by("section", "position", "id")
        .values_list("id", "distribution_list_id", "section", "position")
    ):
        groups_by_list.setdefault(list_id, []).append((group_id, section, position))
    # (group_id, recipient_id, default_copies, *fields) of each active member the issue does not
    # leave out, by group.
    members: dict[int, list[tuple]] = {}
    for row in (
        GroupMember.objects.filter(group__distribution_list_id__in=list_ids, recipient__is_active=True)
        .exclude(recipient__in=changes.filter(included=False).values("recipient_id"))
        .order_by("position", "recipient__protocol_order", "id")
        .values_list("group_id", "recipient_id", "recipient__default_copies", *recipient_columns)
    ):
        members.setdefault(row[0], []).append(row)
    additions = {row[0]: row for row in included}
    seen: set[int] = set()
    section_base = 0
    for list_id in list_ids:
        max_section = 0
        for group_id, section, position in groups_by_list.get(list_id, []):
            max_section = max(max_section, section)
            rows = []
            for _group_id, recipient_id, default_copies, *values in members.get(group_id, []):
                if recipient_id in seen:
                    continue
                seen.add(recipient_id)
                change = additions.get(recipient_id)
                rows.append((recipient_id, change[1] if change else default_copies, *values))
            yield section_base + section, position, rows
        section_base += max_section
    yield section_base + 1, 1, [row for recipient_id, row in additions.items() if recipient_id not in seen]


def _recipients_in_print_order(issue, fields: tuple[str, ...]):
    """``(recipient_id, copies, *fields)`` of each recipient of the issue in print order: the
    frozen snapshot's entries when the issue is signed (one query), the live distribution's
    otherwise (``_print_order``). ``fields`` are Entry's recipient columns."""
    snapshot = current_snapshot(issue)
    if snapshot is not None:
        return snapshot.entries.order_by("position").values_list("recipient_id", "copies", *fields)
    dist = IssueDistribution.objects.filter(issue=issue).first()
    if dist is None:
        return ()
    return itertools.chain.from_iterable(rows for _section, _group, rows in _print_order(dist, fields))


def _entry(recipient, copies: int | None, section: int, group: int, position: int) -> Entry:
    """``recipient``: a Recipient; ``copies``: the issue's own number for the recipient, if it sets one."""
    return Entry(
        recipient_id=recipient.id,
        printed_name=recipient.printed_name,
        category=recipient.category,
        section=section,
        group=group,
        position=position,
        copies=copies or recipient.default_copies,
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
    # A frozen SnapshotEntry stores every field of an Entry; read as tuples, not model instances,
    # so a signed distribution of thousands of entries stays cheap.
    entries = [Entry._make(values) for values in snapshot.entries.order_by("position").values_list(*Entry._fields)]
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
            % dist.copy_figures
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


def copy_states(copy_ids) -> dict[int, str]:
    """The latest movement's kind of each copy (absent: no movement yet), in one query."""
    states: dict[int, str] = {}
    for copy_id, kind in (
        CopyMovement.objects.filter(copy_id__in=list(copy_ids))
        .order_by("created_at", "id")
        .values_list("copy_id", "kind")
    ):
        states[copy_id] = kind
    return states


def copy_destroyed(copy) -> bool:
    return CopyMovement.objects.filter(copy=copy, kind=CopyMovement.Kind.DESTROYED).exists()


def ledger_applies(issue) -> bool:
    return LedgerRule.objects.filter(
        Q(series_id=issue.series_id) & (Q(classification="") | Q(classification=issue.classification))
    ).exists()


def copies_with_numbers(issue) -> dict[int | None, list[str]]:
    """Copy numbers of the signed distribution by recipient id (None for archive and reserve);
    增发 copies are listed on their own rows."""
    result: dict[int | None, list[str]] = {}
    for recipient_id, serial in (
        Copy.objects.filter(issue=issue, supplement__isnull=True)
        .order_by("serial")
        .values_list("recipient_id", "serial")
    ):
        result.setdefault(recipient_id, []).append(f"{serial:03d}")
    return result


def copies_not_signed_for(issue=None):
    """Copies out and not yet back: their latest movement is a dispatch (not a receipt, a return or
    a destruction). Read from the ``state`` column the ledger service keeps, so the filter uses
    the copy_not_signed_for index instead of counting every copy's movements."""
    qs = Copy.objects.filter(state=CopyMovement.Kind.DISPATCHED)
    if issue is not None:
        qs = qs.filter(issue=issue)
    return qs.select_related("issue", "issue__series", "recipient").order_by("issue_id", "serial")


__all__ = ["Category", "Distribution", "Entry", "build_bao_line", "distribution_footer", "issue_distribution"]


# --- sheets (exports) ----------------------------------------------------------------------------


class DispatchRow(NamedTuple):
    """One row of the dispatch sheet as printed: a recipient of the signed (or live) distribution,
    or 增发 (its signature and date columns are left blank)."""

    serial: int
    printed_name: str
    full_name: str
    copies: int
    copy_numbers: str
    channel: str  # the delivery channel's label
    note: str = ""  # "增发" for copies sent after 签发


SUPPLEMENT_MARK = "增发"
_DISPATCH_FIELDS = ("printed_name", "full_name", "channel")


def dispatch_cells(issue) -> list[list]:
    """The dispatch sheet's rows (发文签收单) as its cells, in print order, with copy numbers when
    numbered, then the copies sent after 签发 (增发), marked; the last two cells (signature, date)
    blank. Built in one pass over the distribution's tuples: an export makes thousands."""
    from .models import Supplement

    numbers = copies_with_numbers(issue)
    channels = _channel_labels()
    rows = [
        [
            serial,
            printed_name,
            full_name,
            copies,
            serial_ranges(numbers[recipient_id]) if recipient_id in numbers else "",
            channels.get(channel, channel),
            "",
            "",
            "",
        ]
        for serial, (recipient_id, copies, printed_name, full_name, channel) in enumerate(
            _recipients_in_print_order(issue, _DISPATCH_FIELDS), start=1
        )
    ]
    numbered = supplement_numbers(issue)
    for extra in Supplement.objects.filter(issue=issue).order_by("created_at", "id"):
        rows.append(
            [
                len(rows) + 1,
                extra.printed_name,
                extra.full_name,
                extra.copies,
                serial_ranges(numbered.get(extra.pk, [])),
                channels.get(extra.channel, extra.channel),
                SUPPLEMENT_MARK,
                "",
                "",
            ]
        )
    return rows


def dispatch_rows(issue) -> list[DispatchRow]:
    """The dispatch sheet's rows by name (for those who read them one by one)."""
    return [DispatchRow._make(cells[: len(DispatchRow._fields)]) for cells in dispatch_cells(issue)]


def supplement_total(issue) -> int:
    """Copies sent after 签发 (增发): outside the signed 共印."""
    from django.db.models import Sum

    from .models import Supplement

    return Supplement.objects.filter(issue=issue).aggregate(total=Sum("copies"))["total"] or 0


def supplement_numbers(issue) -> dict[int, list[int]]:
    """Copy numbers of each 增发 row of the issue, by its id."""
    result: dict[int, list[int]] = {}
    for supplement_id, serial in (
        Copy.objects.filter(issue=issue, supplement__isnull=False)
        .order_by("serial")
        .values_list("supplement_id", "serial")
    ):
        result.setdefault(supplement_id, []).append(serial)
    return result


def serial_ranges(labels) -> str:
    """001、002、003、007 (labels or numbers) prints as 001-003、007."""
    if not labels:
        return ""
    numbers = sorted(int(label) for label in labels)
    parts, start, prev = [], numbers[0], numbers[0]
    for n in numbers[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"{start:03d}" if start == prev else f"{start:03d}-{prev:03d}")
        if n is not None:
            start = prev = n
    return "、".join(parts)


def issue_heading(issue) -> tuple[str, str]:
    """(file-name stem, subtitle) of an issue's sheets: "领军参阅-2024年第2期" and
    "2024年第2期（总第117期）　2024年1月19日　内部资料"."""
    series = issue.series.name
    if issue.total_number and issue.number and issue.year:
        stem = "%s-%s年第%s期" % (series, issue.year, issue.number)  # noqa: UP031
        numbers = "%s年第%s期（总第%s期）" % (issue.year, issue.number, issue.total_number)  # noqa: UP031
    else:
        stem = "%s-草稿%s" % (series, issue.pk)  # noqa: UP031
        numbers = "草稿（未编号）"
    parts = [numbers]
    if issue.issue_date:
        day = issue.issue_date
        parts.append("%s年%s月%s日" % (day.year, day.month, day.day))  # noqa: UP031
    if issue.classification:
        parts.append(str(issue.get_classification_display()))
    return stem, "　".join(parts)


def _channel_labels() -> dict[str, str]:
    """Delivery channels by code, translated once per export rather than once per row."""
    from .models import Channel

    return {code: str(label) for code, label in Channel.choices}


def _issue_sheet(issue, name: str, **content):
    """A sheet about one issue: called ``name``, titled "<series> <name>", under the issue's
    numbers and date (``issue_heading``)."""
    from .sheets import Sheet

    _stem, subtitle = issue_heading(issue)
    return Sheet(name=name, title="%s %s" % (issue.series.name, name), subtitle=subtitle, **content)  # noqa: UP031


def dispatch_sheet(issue):
    """发文签收单 as a printable sheet: A4 landscape, wide columns to sign in, a 合计 row."""
    from django.utils.translation import gettext as _

    from .sheets import Column

    rows = dispatch_cells(issue)
    columns = [
        Column(_("No."), "number", min_width=6),
        Column(_("Addressee"), min_width=12, max_width=30),
        Column(_("Full name"), min_width=12, max_width=36),
        Column(_("Copies"), "number", min_width=6),
        Column(_("Copy numbers"), min_width=10, max_width=24),
        Column(_("Delivery channel"), min_width=10),
        Column(_("Note"), min_width=6),
        Column(_("Signature"), "blank", width=22),
        Column(_("Date signed"), "blank", width=16),
    ]
    return _issue_sheet(
        issue,
        _("Dispatch sheet"),
        columns=columns,
        rows=rows,
        totals=[_("Total"), "", "", sum(row[3] for row in rows), "", "", "", "", ""],
        landscape=True,
        row_height=30,
    )


def distribution_sheet(issue, *, with_contacts: bool):
    """The issue's distribution list (分发清单): recipients in print order, then archive and
    reserve, and 合计 = 共印; addresses and contacts only for those allowed to see them."""
    from django.utils.translation import gettext as _

    from .models import Category
    from .sheets import Column

    dist = issue_distribution(issue)
    categories = {code: str(label) for code, label in Category.choices}  # translated once per export
    channels = _channel_labels()
    columns = [
        Column(_("No."), "number"),
        Column(_("Category"), min_width=6),
        Column(_("Addressee"), min_width=12, max_width=30),
        Column(_("Full name"), min_width=12, max_width=36),
        Column(_("Copies"), "number"),
        Column(_("Delivery channel"), min_width=10),
    ]
    if with_contacts:
        columns += [Column(_("Mailing address"), min_width=12, max_width=40), Column(_("Contact"), min_width=10)]
    rows = []
    for index, e in enumerate(dist.entries, start=1):
        row = [index, categories.get(e.category, e.category), e.printed_name, e.full_name, e.copies]
        row.append(channels.get(e.channel, e.channel))
        if with_contacts:
            row += [e.mailing_address, e.contact]
        rows.append(row)
    pad = [""] * (len(columns) - 5)
    rows.append(["", "", _("Archive copies"), "", dist.archive_copies, *pad])
    rows.append(["", "", _("Reserve copies"), "", dist.reserve_copies, *pad])
    return _issue_sheet(
        issue,
        _("Distribution sheet"),
        columns=columns,
        rows=rows,
        totals=[_("Total"), "", _("Copies printed"), "", dist.print_run, *pad],
        notes=[dist.bao_line] if dist.bao_line else [],
    )


def sheet_file_name(issue, what: str, file_format: str) -> str:
    """领军参阅-2024年第2期-发文签收单.xlsx (a draft: 领军参阅-草稿5-发文签收单-2026-11-30.xlsx)."""
    from django.utils import timezone

    from .sheets import EXTENSIONS

    stem, _subtitle = issue_heading(issue)
    if not issue.total_number:
        # A draft has no number yet: the local (Asia/Shanghai) date tells two downloads apart.
        return "%s-%s-%s.%s" % (stem, what, timezone.localdate().isoformat(), EXTENSIONS[file_format])  # noqa: UP031
    return "%s-%s.%s" % (stem, what, EXTENSIONS[file_format])  # noqa: UP031


def dispatch_sheet_export(issue, file_format: str = "xlsx") -> bytes:
    from .sheets import render

    return render(dispatch_sheet(issue), file_format)


def distribution_export(issue, file_format: str = "xlsx", *, with_contacts: bool = True) -> bytes:
    from .sheets import render

    return render(distribution_sheet(issue, with_contacts=with_contacts), file_format)


# --- who sees contact data ------------------------------------------------------------------------


def may_see_contacts(user) -> bool:
    """Recipients' addresses and phone numbers are personal data: 发行 and the administrator only."""
    from zhiku import roles

    return roles.user_has_role(user, roles.CIRCULATION) or roles.user_has_role(user, roles.ADMINISTRATOR)


# --- the ledger as clerks read it -----------------------------------------------------------------


@dataclass
class ReceiptLine:
    """One recipient's copies of an issue for the 签收情况 page."""

    printed_name: str
    note: str
    copies: int
    copy_numbers: str
    dispatched: int
    signed: int
    signers: str
    last_signed: str
    outstanding: str  # copy numbers dispatched and not yet signed for (nor returned or destroyed)
    outstanding_count: int

    @property
    def complete(self) -> bool:
        return self.copies > 0 and self.signed == self.copies


def receipt_status(issue) -> list[ReceiptLine]:
    """Per recipient (in dispatch-sheet order, 增发 last): who has signed, who has not, and the
    copies outstanding. Two queries whatever the number of copies."""
    copies = list(Copy.objects.filter(issue=issue, recipient__isnull=False).order_by("serial"))
    receipts: dict[int, tuple[str, object]] = {}
    for copy_id, signer, day in (
        CopyMovement.objects.filter(copy__issue=issue, kind=CopyMovement.Kind.RECEIVED)
        .order_by("created_at", "id")
        .values_list("copy_id", "signer", "date")
    ):
        receipts[copy_id] = (signer, day)
    groups: dict[tuple, list] = {}
    for copy in copies:
        groups.setdefault((copy.recipient_id, copy.supplement_id), []).append(copy)
    lines: list[ReceiptLine] = []
    # The dispatch sheet's order: the signed distribution by copy number, then 增发.
    ordered_keys = sorted(groups, key=lambda k: (k[1] is not None, groups[k][0].serial))
    for key in ordered_keys:
        group = groups[key]
        note = SUPPLEMENT_MARK if key[1] is not None else ""
        name = group[0].printed_name
        signed = [c for c in group if c.state == CopyMovement.Kind.RECEIVED]
        out = [c.serial for c in group if c.state == CopyMovement.Kind.DISPATCHED]
        signers = list(dict.fromkeys(receipts[c.pk][0] for c in signed if c.pk in receipts))
        dates = sorted(receipts[c.pk][1] for c in signed if c.pk in receipts)
        lines.append(
            ReceiptLine(
                printed_name=name,
                note=note,
                copies=len(group),
                copy_numbers=serial_ranges([c.serial for c in group]),
                dispatched=sum(1 for c in group if c.state),
                signed=len(signed),
                signers="、".join(signers),
                last_signed=dates[-1].isoformat() if dates else "",
                outstanding=serial_ranges(out),
                outstanding_count=len(out),
            )
        )
    return lines


def receipt_status_sheet(issue):
    """签收情况 as a printable sheet (the same rows as the page)."""
    from django.utils.translation import gettext as _

    from .sheets import Column

    lines = receipt_status(issue)
    columns = [
        Column(_("No."), "number"),
        Column(_("Addressee"), min_width=12, max_width=30),
        Column(_("Note"), min_width=6),
        Column(_("Copies"), "number"),
        Column(_("Copy numbers"), min_width=10, max_width=24),
        Column(_("Dispatched"), "number"),
        Column(_("Signed for"), "number"),
        Column(_("Receipt signed by"), min_width=12, max_width=30),
        Column(_("Date signed"), min_width=12),
        Column(_("Outstanding copies"), min_width=12, max_width=30),
    ]
    return _issue_sheet(
        issue,
        _("Receipts"),
        columns=columns,
        rows=[
            [
                i,
                ln.printed_name,
                ln.note,
                ln.copies,
                ln.copy_numbers,
                ln.dispatched,
                ln.signed,
                ln.signers,
                ln.last_signed,
                ln.outstanding,
            ]
            for i, ln in enumerate(lines, start=1)
        ],
        totals=[
            _("Total"),
            "",
            "",
            sum(ln.copies for ln in lines),
            "",
            sum(ln.dispatched for ln in lines),
            sum(ln.signed for ln in lines),
            "",
            "",
            "",
        ],
        landscape=True,
    )


def recipients_sheet(queryset, *, with_contacts: bool):
    """The recipients as a printable sheet (the PDF export): the resource's columns and cells."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from .resources import RecipientResource
    from .sheets import Column, Sheet

    resource = RecipientResource()
    fields = _recipient_export_fields(with_contacts)
    numbers = ("protocol_order", "default_copies")
    columns = [
        Column(resource.fields[f].column_name, "number" if f in numbers else "text", max_width=36) for f in fields
    ]
    rows = [resource.display_row(r, fields) for r in queryset.order_by("category", "protocol_order", "id")]
    return Sheet(
        name=_("Recipients"),
        title=_("Recipients"),
        subtitle=_("Exported on %(date)s") % {"date": timezone.localdate().isoformat()},
        columns=columns,
        rows=rows,
        landscape=True,
    )


def _recipient_export_fields(with_contacts: bool) -> list[str]:
    from .resources import CONTACT_FIELDS, RECIPIENT_FIELDS

    return [f for f in RECIPIENT_FIELDS if with_contacts or f not in CONTACT_FIELDS]


RECIPIENT_CSV_ENCODINGS = {"csv": "utf-8-sig", "csv-gbk": "gb18030"}


RECIPIENT_EXPORT_ORDER = ("category", "protocol_order", "id")


def recipients_csv_chunks(queryset, file_format: str, *, with_contacts: bool = True):
    """The recipients' CSV in chunks, for a streamed download: the same bytes as the dataset's CSV,
    without a model instance per row (``RecipientResource.csv_chunks``, one query)."""
    from .resources import RecipientResource

    ordered = queryset.order_by(*RECIPIENT_EXPORT_ORDER)
    fields = _recipient_export_fields(with_contacts)
    return RecipientResource().csv_chunks(ordered, fields, RECIPIENT_CSV_ENCODINGS[file_format])


def recipients_export(queryset, file_format: str = "xlsx", *, with_contacts: bool = True) -> bytes:
    """The recipients as data that imports back unchanged: ``RecipientResource().export()``
    (tablib) for XLSX, the same resource's CSV bytes written directly (UTF-8 with BOM, or GBK;
    ``RecipientResource.csv_chunks``), formulas escaped; the PDF is the printed sheet (the
    library has no print layout)."""
    from django.utils.translation import gettext as _

    from .resources import RecipientResource

    if file_format == "pdf":
        from .sheets import render

        return render(recipients_sheet(queryset, with_contacts=with_contacts), "pdf")
    if file_format in RECIPIENT_CSV_ENCODINGS:
        return b"".join(recipients_csv_chunks(queryset, file_format, with_contacts=with_contacts))
    ordered = queryset.order_by(*RECIPIENT_EXPORT_ORDER)
    dataset = RecipientResource().export(ordered, export_fields=_recipient_export_fields(with_contacts))
    dataset.title = _("Recipients")  # not "Tablib Dataset"
    return dataset.export("xlsx")
