"""Writes of circulation. Every public write takes the acting user and checks, on the server,
that the user holds the 发行 role (or is a superuser); a signed issue's distribution is frozen."""

from dataclasses import dataclass
from datetime import date as date_type

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from briefs import rules
from briefs.models import Issue
from zhiku import roles

from . import selectors
from .exceptions import DistributionFrozen, ImportRejected, LedgerError, NotAllowed
from .models import (
    Copy,
    CopyMovement,
    DistributionList,
    DistributionSnapshot,
    Instruction,
    IssueDistribution,
    IssueList,
    IssueRecipient,
    Recipient,
    SnapshotEntry,
)


def require_circulation(user) -> None:
    if not roles.user_has_role(user, roles.CIRCULATION):
        raise NotAllowed(_("Only circulation staff or an administrator may change circulation records."))


def _require_editable(issue: Issue) -> None:
    if rules.is_frozen(issue) or selectors.current_snapshot(issue) is not None:
        raise DistributionFrozen(_("The issue is signed: its distribution is frozen and cannot be changed."))


# --- recipients ----------------------------------------------------------------------------------


@transaction.atomic
def recipient_save(*, recipient: Recipient, user) -> Recipient:
    """Create or update a recipient. Signed issues keep their snapshot, whatever changes here."""
    require_circulation(user)
    recipient.full_clean()
    recipient.save()
    return recipient


# --- an issue's distribution ---------------------------------------------------------------------


def _distribution_for(issue: Issue) -> IssueDistribution:
    dist, _created = IssueDistribution.objects.get_or_create(issue=issue)
    return dist


@transaction.atomic
def issue_distribution_set(
    *,
    issue: Issue,
    lists: list[DistributionList],
    archive_copies: int = 0,
    reserve_copies: int = 0,
    user,
) -> IssueDistribution:
    """Choose the lists (in order) and the archive and reserve copies of an unsigned issue."""
    require_circulation(user)
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    _require_editable(issue)
    dist = _distribution_for(issue)
    dist.archive_copies = archive_copies
    dist.reserve_copies = reserve_copies
    dist.full_clean()
    dist.save()
    IssueList.objects.filter(distribution=dist).exclude(distribution_list__in=lists).delete()
    for position, dlist in enumerate(lists, start=1):
        IssueList.objects.update_or_create(distribution=dist, distribution_list=dlist, defaults={"position": position})
    return dist


@transaction.atomic
def issue_recipient_set(
    *, issue: Issue, recipient: Recipient, included: bool = True, copies: int | None = None, user
) -> IssueRecipient:
    """Add a recipient to one issue, remove one the lists hold (included=False), or set its copies."""
    require_circulation(user)
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    _require_editable(issue)
    dist = _distribution_for(issue)
    adj = IssueRecipient.objects.filter(distribution=dist, recipient=recipient).first() or IssueRecipient(
        distribution=dist, recipient=recipient
    )
    adj.included = included
    adj.copies = copies
    adj.full_clean()
    adj.save()
    return adj


@transaction.atomic
def issue_recipient_clear(*, issue: Issue, recipient: Recipient, user) -> int:
    """Drop the issue's change for a recipient: the lists decide again whether it receives."""
    require_circulation(user)
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    _require_editable(issue)
    deleted, _by_model = IssueRecipient.objects.filter(distribution__issue=issue, recipient=recipient).delete()
    return deleted


def check_distribution_editable(*, issue: Issue, user) -> None:
    """The checks of the writes above, for a form to show before it saves (the writes check again)."""
    require_circulation(user)
    _require_editable(issue)


# --- snapshot at 签发 ----------------------------------------------------------------------------


def snapshot_freeze(*, issue: Issue, user=None) -> DistributionSnapshot | None:
    """Freeze the live distribution. Called by the workflow's sign-off (inside its transaction);
    a no-op when the issue already has a current snapshot or no distribution at all."""
    with transaction.atomic():
        if selectors.current_snapshot(issue) is not None:
            return None
        live = selectors.live_distribution(issue)
        if not live.exists:
            return None
        snapshot = DistributionSnapshot(
            issue=issue,
            bao_line=live.bao_line,
            print_run=live.print_run,
            allocated_copies=live.allocated,
            archive_copies=live.archive_copies,
            reserve_copies=live.reserve_copies,
            created_by=user if getattr(user, "pk", None) else None,
        )
        snapshot.full_clean()
        snapshot.save()
        SnapshotEntry.objects.bulk_create(
            SnapshotEntry(
                snapshot=snapshot,
                recipient_id=e.recipient_id,
                printed_name=e.printed_name,
                full_name=e.full_name,
                category=e.category,
                section=e.section,
                group=e.group,
                position=e.position,
                copies=e.copies,
                channel=e.channel,
                mailing_address=e.mailing_address,
                contact=e.contact,
            )
            for e in live.entries
        )
        return snapshot


def snapshot_void(*, issue: Issue, user=None) -> int:
    """The sign-off was revoked: the snapshot stops being current (kept for the record)."""
    with transaction.atomic():
        return DistributionSnapshot.objects.filter(issue=issue, voided_at__isnull=True).update(voided_at=timezone.now())


def demo_attach(*, issue: Issue, distribution_list: DistributionList, archive: int, reserve: int) -> None:
    """load_demo's system write: attach the list once; freeze signed and released issues."""
    with transaction.atomic():
        dist, created = IssueDistribution.objects.get_or_create(
            issue=issue, defaults={"archive_copies": archive, "reserve_copies": reserve}
        )
        if created:
            IssueList.objects.create(distribution=dist, distribution_list=distribution_list, position=1)
        if rules.is_frozen(issue):
            snapshot_freeze(issue=issue)


# --- copy ledger ---------------------------------------------------------------------------------


@transaction.atomic
def copies_number(*, issue: Issue, user) -> list[Copy]:
    """Number the copies 001…N: recipients first in print order, then archive and reserve."""
    require_circulation(user)
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if Copy.objects.filter(issue=issue).exists():
        raise LedgerError(_("The copies of this issue are already numbered."))
    return _copies_create(issue)


def copies_number_at_sign_off(*, issue: Issue, user=None) -> list[Copy]:
    """The workflow's write at 签发 (after the snapshot is frozen, inside its transaction): when a
    copy ledger rule applies and the copies are not numbered yet, number them from the snapshot.
    A no-op otherwise, so a sign-off is never refused for the ledger's sake; the release guard
    refuses 印发 until the copies are numbered."""
    with transaction.atomic():
        if not selectors.ledger_applies(issue) or Copy.objects.filter(issue=issue).exists():
            return []
        if not selectors.issue_distribution(issue).exists:
            return []
        return _copies_create(issue)


def _copies_create(issue: Issue) -> list[Copy]:
    dist = selectors.issue_distribution(issue)
    if not dist.exists:
        raise LedgerError(_("The issue has no distribution to number copies for."))
    copies: list[Copy] = []
    serial = 0
    for entry in dist.entries:
        for _i in range(entry.copies):
            serial += 1
            copies.append(
                Copy(issue=issue, serial=serial, recipient_id=entry.recipient_id, printed_name=entry.printed_name)
            )
    for _i in range(max(dist.print_run - serial, 0)):
        serial += 1
        copies.append(Copy(issue=issue, serial=serial, printed_name=""))
    return Copy.objects.bulk_create(copies)


@transaction.atomic
def copy_movement_add(
    *, copy: Copy, kind: str, date: date_type, signer: str = "", note: str = "", user
) -> CopyMovement:
    """Record a movement of a copy. Movements are only ever added."""
    require_circulation(user)
    if selectors.copy_destroyed(copy):
        raise LedgerError(_("Copy %(copy)s was destroyed; nothing more can be recorded for it.") % {"copy": copy.label})
    movement = CopyMovement(copy=copy, kind=kind, date=date, signer=signer, note=note, created_by=user)
    movement.full_clean()
    movement.save()
    return movement


@transaction.atomic
def copies_dispatch(*, issue: Issue, date: date_type, user) -> int:
    """Mark every numbered copy assigned to a recipient as dispatched (one row each)."""
    require_circulation(user)
    copies = list(Copy.objects.filter(issue=issue, recipient__isnull=False).exclude(movements__kind="dispatched"))
    CopyMovement.objects.bulk_create(
        CopyMovement(copy=c, kind=CopyMovement.Kind.DISPATCHED, date=date, created_by=user) for c in copies
    )
    return len(copies)


# --- 批示 ---------------------------------------------------------------------------------------


@transaction.atomic
def instruction_save(*, instruction: Instruction, user) -> Instruction:
    require_circulation(user)
    if instruction.created_by_id is None:
        instruction.created_by = user
    instruction.full_clean()
    instruction.save()
    return instruction


# --- import and export ---------------------------------------------------------------------------


@dataclass
class ImportSummary:
    created: int
    updated: int
    total: int


def recipients_import(*, data: bytes, file_name: str, user, dry_run: bool = False, resource=None) -> ImportSummary:
    """Import recipients from XLSX or CSV (UTF-8, UTF-8 with BOM, or GBK). All or nothing:
    any bad row or header refuses the whole file with messages naming rows and columns."""
    from .resources import RecipientFastResource

    require_circulation(user)
    fmt = file_format_for(file_name)
    try:
        dataset = fmt.create_dataset(data)
    except ValueError as exc:
        raise ImportRejected(str(exc)) from exc
    except Exception as exc:  # a broken file: tell the user, keep the details out
        raise ImportRejected(_("The file cannot be read as %(format)s.") % {"format": fmt.get_title().upper()}) from exc
    resource = resource or RecipientFastResource()
    result = resource.import_data(
        dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True, raise_errors=False
    )
    if result.has_errors() or result.has_validation_errors():
        messages = result.spreadsheet_messages
        raise ImportRejected(messages[0], messages=messages)
    return ImportSummary(
        created=result.totals.get("new", 0), updated=result.totals.get("update", 0), total=result.total_rows
    )


def file_format_for(file_name: str):
    from .resources import FORMATS

    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension not in FORMATS:
        raise ImportRejected(_("Only XLSX and CSV files can be imported."))
    return FORMATS[extension]()


def _parse_serials(text: str) -> list[int]:
    """ "001-003、007" → [1, 2, 3, 7]."""
    serials: list[int] = []
    for part in str(text or "").replace(",", "、").replace("，", "、").split("、"):
        part = part.strip()
        if not part:
            continue
        low, _sep, high = part.partition("-")
        start, end = int(low), int(high or low)
        if end < start:
            raise ValueError(part)
        serials.extend(range(start, end + 1))
    return serials


def _parse_date(value) -> date_type:
    import datetime
    import re

    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, date_type):
        return value
    match = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*", str(value or ""))
    if not match:
        raise ValueError(value)
    return date_type(*(int(g) for g in match.groups()))


MAX_RECEIPTS_UPLOAD = 2 * 1024 * 1024  # a dispatch sheet is a few kilobytes; 2 MB is generous


@dataclass(frozen=True)
class PlannedReceipt:
    """One receipt a signed dispatch sheet will record: the sheet's row, the copy, who and when."""

    row: int
    copy: Copy
    printed_name: str
    signer: str
    date: date_type

    @property
    def copy_label(self) -> str:
        return self.copy.label


@dataclass
class ReceiptsPlan:
    receipts: list[PlannedReceipt]
    already_recorded: int  # signed rows whose copies already have their receipt


def dispatch_receipts_preview(*, issue: Issue, data: bytes, file_name: str, user) -> ReceiptsPlan:
    """What a filled-in dispatch sheet would record, without writing anything; raises
    ImportRejected with every bad cell named by spreadsheet row (header = row 1) and column."""
    from .resources import DispatchSheetResource

    require_circulation(user)
    if len(data) > MAX_RECEIPTS_UPLOAD:
        raise ImportRejected(
            _("The file is too large: at most %(limit)s MB.") % {"limit": MAX_RECEIPTS_UPLOAD // (1024 * 1024)}
        )
    fmt = file_format_for(file_name)
    try:
        dataset = fmt.create_dataset(data)
    except Exception as exc:
        raise ImportRejected(_("The file cannot be read as %(format)s.") % {"format": fmt.get_title().upper()}) from exc
    resource = DispatchSheetResource()
    label = {name: str(resource.fields[name].column_name) for name in resource.fields}
    headers = [str(h).strip() if h is not None else "" for h in (dataset.headers or [])]
    dataset.headers = headers
    missing = [label[n] for n in ("printed_name", "copy_numbers", "signer", "signed_on") if label[n] not in headers]
    if missing:
        raise ImportRejected(
            _("Wrong column headers. Missing: %(missing)s; not recognised: %(unknown)s. Expected: %(expected)s.")
            % {"missing": "、".join(missing), "unknown": _("none"), "expected": "、".join(label.values())}
        )
    copies = {c.serial: c for c in Copy.objects.filter(issue=issue)}
    received = set(
        CopyMovement.objects.filter(copy__issue=issue, kind=CopyMovement.Kind.RECEIVED).values_list(
            "copy__serial", flat=True
        )
    )
    destroyed = set(
        CopyMovement.objects.filter(copy__issue=issue, kind=CopyMovement.Kind.DESTROYED).values_list(
            "copy__serial", flat=True
        )
    )
    errors: list[str] = []
    planned: list[PlannedReceipt] = []
    already = 0

    def error(row, column, message):
        errors.append(
            _("Row %(row)s, column “%(column)s”: %(message)s")
            % {"row": row, "column": label[column], "message": message}
        )

    for index, row in enumerate(dataset.dict, start=2):
        signer = str(row.get(label["signer"]) or "").strip()
        signed_on = row.get(label["signed_on"])
        if not signer and not signed_on:
            continue
        if not signer:
            error(index, "signer", _("This cell is required."))
            continue
        if len(signer) > CopyMovement._meta.get_field("signer").max_length:
            error(index, "signer", _("At most %(limit)s characters.") % {"limit": 50})
            continue
        try:
            day = _parse_date(signed_on)
        except (ValueError, TypeError):
            error(index, "signed_on", _("Write a date such as 2024-01-20."))
            continue
        try:
            serials = _parse_serials(row.get(label["copy_numbers"]))
        except ValueError:
            error(index, "copy_numbers", _("Write copy numbers such as 001-003、007."))
            continue
        if not serials:
            error(index, "copy_numbers", _("The copies of this row are not numbered."))
            continue
        name = str(row.get(label["printed_name"]) or "").strip()
        row_planned: list[PlannedReceipt] = []
        for serial in serials:
            copy = copies.get(serial)
            if copy is None or copy.printed_name != name:
                error(
                    index,
                    "copy_numbers",
                    _("Copy %(copy)s is not %(name)s's.") % {"copy": f"{serial:03d}", "name": name},
                )
                row_planned = []
                break
            if serial in destroyed:
                error(
                    index,
                    "copy_numbers",
                    _("Copy %(copy)s was destroyed; nothing more can be recorded for it.") % {"copy": copy.label},
                )
                row_planned = []
                break
            if serial in received:
                already += 1
                continue
            received.add(serial)
            row_planned.append(PlannedReceipt(row=index, copy=copy, printed_name=name, signer=signer, date=day))
        planned.extend(row_planned)
    if errors:
        raise ImportRejected(errors[0], messages=errors)
    return ReceiptsPlan(receipts=planned, already_recorded=already)


@transaction.atomic
def dispatch_receipts_import(*, issue: Issue, data: bytes, file_name: str, user) -> int:
    """Read back a filled-in dispatch sheet: every row with a signature and a date records a
    receipt (签收) for its numbered copies. All or nothing, with row and column named."""
    require_circulation(user)
    # Two clerks importing the same sheet at once queue here, so no copy is signed for twice.
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    plan = dispatch_receipts_preview(issue=issue, data=data, file_name=file_name, user=user)
    CopyMovement.objects.bulk_create(
        CopyMovement(
            copy=receipt.copy,
            kind=CopyMovement.Kind.RECEIVED,
            signer=receipt.signer,
            date=receipt.date,
            created_by=user,
        )
        for receipt in plan.receipts
    )
    return len(plan.receipts)
