"""Writes of circulation. Every public write takes the acting user and checks, on the server,
that the user holds the 发行 role (or is a superuser); a signed issue's distribution is frozen."""

from dataclasses import dataclass
from datetime import date as date_type

from django.core.exceptions import ValidationError
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
def issue_print_run_override_set(*, issue: Issue, print_run: int | None, reason: str = "", user) -> IssueDistribution:
    """Set 共印 by hand (with a reason), or clear it (None) so it is computed again. An explicit act
    of 发行 on an unsigned issue's distribution; the reconciliation shows who, when and why."""
    require_circulation(user)
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    _require_editable(issue)
    dist = _distribution_for(issue)
    reason = (reason or "").strip()
    if print_run is not None and not reason:
        raise ValidationError({"print_run_override_reason": _("Give the reason for setting the print run by hand.")})
    dist.print_run_override = print_run
    dist.print_run_override_reason = reason if print_run is not None else ""
    dist.print_run_override_by = user if print_run is not None else None
    dist.print_run_override_at = timezone.now() if print_run is not None else None
    dist.full_clean()
    dist.save()
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
            SnapshotEntry(snapshot=snapshot, **e._asdict()) for e in live.entries
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
    # The rest of the print run: the archive copies first, then the reserve (备用) — a print run
    # set by hand above the computed one adds to the reserve.
    for index in range(max(dist.print_run - serial, 0)):
        serial += 1
        purpose = Copy.Purpose.ARCHIVE if index < dist.archive_copies else Copy.Purpose.RESERVE
        copies.append(Copy(issue=issue, serial=serial, purpose=purpose, printed_name=""))
    return Copy.objects.bulk_create(copies)


# What a movement needs the copy's current state (its latest movement) to be. None: no movement yet.
MOVEMENT_NEEDS = {
    CopyMovement.Kind.DISPATCHED: (None, CopyMovement.Kind.RETURNED),
    CopyMovement.Kind.RECEIVED: (CopyMovement.Kind.DISPATCHED,),
    CopyMovement.Kind.RETURNED: (CopyMovement.Kind.DISPATCHED, CopyMovement.Kind.RECEIVED),
    CopyMovement.Kind.DESTROYED: (
        None,
        CopyMovement.Kind.DISPATCHED,
        CopyMovement.Kind.RECEIVED,
        CopyMovement.Kind.RETURNED,
    ),
}


def _movement_refusal(copy: Copy, kind: str, state: str | None) -> str | None:
    """Why ``kind`` cannot be recorded for a copy in ``state``, in Chinese; None when it can."""
    if state == CopyMovement.Kind.DESTROYED:
        return _("Copy %(copy)s was destroyed; nothing more can be recorded for it.") % {"copy": copy.label}
    if state in MOVEMENT_NEEDS[kind]:
        return None
    if kind == CopyMovement.Kind.RECEIVED and state is None:
        return _("Copy %(copy)s has not been dispatched: record the dispatch before the receipt.") % {
            "copy": copy.label
        }
    if kind == CopyMovement.Kind.RETURNED and state is None:
        return _("Copy %(copy)s has not been dispatched, so it cannot be returned.") % {"copy": copy.label}
    if kind == CopyMovement.Kind.DISPATCHED:
        return _("Copy %(copy)s is already dispatched.") % {"copy": copy.label}
    return _("Copy %(copy)s is already signed for.") % {"copy": copy.label}


def movement_refusal(copy: Copy, kind: str) -> str | None:
    """For a form to show before it saves (the write checks again under a lock)."""
    return _movement_refusal(copy, kind, selectors.copy_states([copy.pk]).get(copy.pk))


def _record(copies: list[Copy], *, kind: str, date: date_type, signer: str, note: str, user) -> list[CopyMovement]:
    """Check every copy against its state, then add one movement each; all or none."""
    if kind not in MOVEMENT_NEEDS:
        raise LedgerError(_("Unknown movement."))
    states = selectors.copy_states([c.pk for c in copies])
    refusals = [r for c in copies if (r := _movement_refusal(c, kind, states.get(c.pk)))]
    if refusals:
        raise LedgerError(refusals[0], messages=refusals)
    movements = [
        CopyMovement(copy=c, kind=kind, date=date, signer=signer.strip(), note=note, created_by=user) for c in copies
    ]
    for movement in movements[:1]:
        movement.full_clean(exclude=["copy"])  # the same fields for each: checking one checks all
    return _movements_add(movements)


def _movements_add(movements: list[CopyMovement]) -> list[CopyMovement]:
    """Add movement rows and set each copy's ``state`` column to its newest movement's kind, in
    the caller's transaction: the rows stay the truth, the column is what lists filter on."""
    created = CopyMovement.objects.bulk_create(movements)
    copies_by_kind: dict[str, list[int]] = {}
    for movement in created:
        copies_by_kind.setdefault(movement.kind, []).append(movement.copy_id)
    for kind, copy_ids in copies_by_kind.items():
        Copy.objects.filter(pk__in=copy_ids).update(state=kind)
    return created


@transaction.atomic
def copy_movement_add(
    *, copy: Copy, kind: str, date: date_type, signer: str = "", note: str = "", user
) -> CopyMovement:
    """Record a movement of one copy. Movements are only ever added."""
    require_circulation(user)
    Issue.objects.select_for_update().filter(pk=copy.issue_id).first()
    return _record([copy], kind=kind, date=date, signer=signer, note=note, user=user)[0]


@transaction.atomic
def copies_move(
    *,
    issue: Issue,
    kind: str,
    date: date_type,
    serials: str = "",
    recipient_id: int | None = None,
    copy_ids: list[int] | None = None,
    signer: str = "",
    note: str = "",
    user,
) -> list[CopyMovement]:
    """Dispatch, receipt, return or destruction of several copies of one issue in one act: a range
    such as ``006-017、020``, every copy of one recipient, or copies picked in the ledger. All or
    nothing: a copy of another issue, a destroyed copy or a receipt before dispatch refuses the lot."""
    require_circulation(user)
    # Two clerks recording the same copies queue here, so no copy gets the same movement twice.
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    copies = Copy.objects.filter(issue=issue).order_by("serial")
    if serials.strip():
        try:
            wanted = _parse_serials(serials)
        except ValueError as exc:
            raise LedgerError(_("Write copy numbers such as 006-017、020.")) from exc
        found = {c.serial: c for c in copies.filter(serial__in=wanted)}
        missing = [n for n in wanted if n not in found]
        if missing:
            raise LedgerError(
                _("Copy numbers %(numbers)s are not copies of this issue (it has %(count)s copies).")
                % {"numbers": selectors.serial_ranges(missing), "count": copies.count()}
            )
        chosen = [found[n] for n in dict.fromkeys(wanted)]
    elif recipient_id is not None:
        chosen = list(copies.filter(recipient_id=recipient_id))
        if not chosen:
            raise LedgerError(_("This recipient has no numbered copy of the issue."))
    elif copy_ids:
        chosen = list(Copy.objects.filter(pk__in=copy_ids).order_by("issue_id", "serial"))
        if any(c.issue_id != issue.pk for c in chosen):
            raise LedgerError(_("The chosen copies belong to more than one issue: record each issue on its own."))
    else:
        raise LedgerError(_("Name the copies: a range of copy numbers or a recipient."))
    return _record(chosen, kind=kind, date=date, signer=signer, note=note, user=user)


@transaction.atomic
def copies_dispatch(*, issue: Issue, date: date_type, user) -> int:
    """Mark every numbered copy assigned to a recipient as dispatched (one row each), leaving
    copies already out or destroyed alone."""
    require_circulation(user)
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    copies = list(Copy.objects.filter(issue=issue, recipient__isnull=False))
    states = selectors.copy_states([c.pk for c in copies])
    ready = [c for c in copies if states.get(c.pk) in MOVEMENT_NEEDS[CopyMovement.Kind.DISPATCHED]]
    _movements_add([CopyMovement(copy=c, kind=CopyMovement.Kind.DISPATCHED, date=date, created_by=user) for c in ready])
    return len(ready)


# --- 增发 after 签发 -------------------------------------------------------------------------------


@transaction.atomic
def supplement_add(*, issue: Issue, recipient: Recipient, copies: int, date: date_type, note: str = "", user):
    """Record copies sent after 签发 to a further recipient (增发). The signed snapshot (报 line,
    共印) stays as signed; when the issue's copies are numbered, the new copies continue the
    numbering after the last one and are marked 增发 in the ledger."""
    from .models import Supplement

    require_circulation(user)
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if selectors.current_snapshot(issue) is None:
        raise LedgerError(
            _("Additional copies are recorded after 签发; before it, add the recipient to the distribution.")
        )
    supplement = Supplement(
        issue=issue, recipient=recipient, copies=copies, date=date, note=note, created_by=user,
        **recipient.addressed_as(),
    )
    supplement.full_clean()
    supplement.save()
    last = Copy.objects.filter(issue=issue).order_by("-serial").values_list("serial", flat=True).first()
    if last is not None:
        Copy.objects.bulk_create(
            Copy(
                issue=issue,
                serial=last + n,
                purpose=Copy.Purpose.SUPPLEMENT,
                recipient=recipient,
                supplement=supplement,
                printed_name=recipient.printed_name,
            )
            for n in range(1, copies + 1)
        )
    return supplement


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
class ImportPreview:
    """A validated recipients file: what saving it would do, the first rows, and a token under
    which the validated rows wait for the confirm (so the file is parsed once)."""

    token: str
    file_name: str
    total: int
    created: int
    updated: int
    first_rows: list[tuple[int, list]]  # (spreadsheet row, the cells as written)

    PREVIEW_ROWS = 20


@dataclass
class ImportSummary:
    created: int
    updated: int
    total: int


def _recipient_dataset(*, data: bytes, file_name: str):
    """The upload read once (limits checked before parsing) as the resource's dataset."""
    from . import tables
    from .resources import recipient_dataset, recipient_headers

    table = tables.read_table(data, file_name, known_headers=set(recipient_headers().values()))
    dataset = recipient_dataset(table.headers, table.rows)
    if not len(dataset):
        raise ImportRejected(_("The file holds no recipient."))
    return dataset


def _run_recipient_import(dataset, *, dry_run: bool, progress=None) -> ImportSummary:
    """``RecipientResource.import_data`` on a dataset, all or nothing: any bad row (every one is
    reported, by spreadsheet row and Chinese column) rolls the whole file back. ``progress`` (a
    job's) is told as the rows are checked."""
    from .resources import RecipientResource, import_messages

    result = RecipientResource(progress=progress).import_data(
        dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
    )
    messages = import_messages(result, dataset)
    if messages:
        raise ImportRejected(messages[0], messages=messages)
    return ImportSummary(created=result.totals["new"], updated=result.totals["update"], total=len(dataset))


def recipients_import_preview(*, data: bytes, file_name: str, user) -> ImportPreview:
    """Read the file once, dry-run the import on it, and keep the checked dataset (in the
    database: the confirm may reach another app server) for ``recipients_import_confirm``.
    Raises ImportRejected with every bad cell named by spreadsheet row and Chinese column."""
    import datetime
    import uuid

    from .models import PendingImport
    from .resources import RECIPIENT_FIELDS, dataset_to_json

    require_circulation(user)
    dataset = _recipient_dataset(data=data, file_name=file_name)
    summary = _run_recipient_import(dataset, dry_run=True)
    # Previews nobody confirmed are dropped after a day.
    PendingImport.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=1)).delete()
    pending = PendingImport.objects.create(
        token=uuid.uuid4(), user=user, file_name=file_name[:200], rows=dataset_to_json(dataset)
    )
    width = len(RECIPIENT_FIELDS)  # the file's columns; the row number and the printed name follow
    first = [dataset[i] for i in range(min(len(dataset), ImportPreview.PREVIEW_ROWS))]
    return ImportPreview(
        token=str(pending.token),
        file_name=file_name,
        total=summary.total,
        created=summary.created,
        updated=summary.updated,
        first_rows=[(row[width], list(row[:width])) for row in first],
    )


@transaction.atomic
def recipients_import_confirm(*, token: str, user, progress=None) -> ImportSummary:
    """Import the dataset a preview checked: the user's own preview, once; the file is not read
    again. The rows are checked again as they are saved (someone may have added a recipient
    since the preview), all or nothing."""
    from .models import PendingImport
    from .resources import dataset_from_json

    require_circulation(user)
    try:
        pending = PendingImport.objects.select_for_update().filter(token=token, user=user).first()
    except ValidationError:  # not a UUID
        pending = None
    if pending is None:
        raise ImportRejected(_("The preview has expired; upload the file again."))
    summary = _run_recipient_import(dataset_from_json(pending.rows), dry_run=False, progress=progress)
    pending.delete()
    return summary


def recipients_import(*, data: bytes, file_name: str, user, dry_run: bool = False, progress=None) -> ImportSummary:
    """Import recipients from XLSX or CSV (UTF-8, UTF-8 with BOM, or GBK) on the same path as
    the admin. All or nothing: any bad row or header refuses the whole file."""
    require_circulation(user)
    dataset = _recipient_dataset(data=data, file_name=file_name)
    return _run_recipient_import(dataset, dry_run=dry_run, progress=progress)


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
    ImportRejected with every bad cell named by spreadsheet row and column. The sheet's title
    rows and 合计 row are passed over; a receipt needs the copy dispatched first."""
    from . import tables
    from .resources import dispatch_sheet_labels

    require_circulation(user)
    if len(data) > MAX_RECEIPTS_UPLOAD:
        raise ImportRejected(
            _("The file is too large: at most %(limit)s MB.") % {"limit": MAX_RECEIPTS_UPLOAD // (1024 * 1024)}
        )
    label = dispatch_sheet_labels()
    table = tables.read_table(data, file_name, known_headers=set(label.values()))
    missing = [label[n] for n in label if label[n] not in table.headers]
    if missing:
        raise ImportRejected(
            _("Wrong column headers. Missing: %(missing)s; not recognised: %(unknown)s. Expected: %(expected)s.")
            % {"missing": "、".join(missing), "unknown": _("none"), "expected": "、".join(label.values())}
        )
    position = {name: table.headers.index(title) for name, title in label.items()}
    copies = {c.serial: c for c in Copy.objects.filter(issue=issue)}
    states = selectors.copy_states(c.pk for c in copies.values())
    received = {c.serial for c in copies.values() if states.get(c.pk) == CopyMovement.Kind.RECEIVED}
    errors: list[str] = []
    planned: list[PlannedReceipt] = []
    already = 0

    def error(row, column, message):
        errors.append(
            _("Row %(row)s, column “%(column)s”: %(message)s")
            % {"row": row, "column": label[column], "message": message}
        )

    def cell(values, name):
        return values[position[name]] if position[name] < len(values) else None

    for index, values in table.rows:
        row = {title: cell(values, name) for name, title in label.items()}
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
            if serial in received:
                already += 1
                continue
            refusal = _movement_refusal(copy, CopyMovement.Kind.RECEIVED, states.get(copy.pk))
            if refusal:
                error(index, "copy_numbers", refusal)
                row_planned = []
                break
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
    _movements_add(
        [
            CopyMovement(
                copy=receipt.copy,
                kind=CopyMovement.Kind.RECEIVED,
                signer=receipt.signer,
                date=receipt.date,
                created_by=user,
            )
            for receipt in plan.receipts
        ]
    )
    return len(plan.receipts)
