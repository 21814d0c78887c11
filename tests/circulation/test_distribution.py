"""Per-issue distribution: lists, additions, removals, copies; the snapshot at 签发; the release
guard; server-side permissions; the copy ledger and 批示."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from briefs.extensions import distribution_footer, transition_guard_errors
from briefs.models import Issue
from circulation import selectors, services
from circulation.exceptions import DistributionFrozen, LedgerError, NotAllowed
from circulation.models import (
    AppendOnlyError,
    CopyMovement,
    DistributionSnapshot,
    Instruction,
    Recipient,
    SnapshotEntry,
)
from circulation.selectors import Entry, build_bao_line
from tests.circulation.files import signed_dispatch_sheet
from tests.factories import (
    BodyRecipientFactory,
    DistributionListFactory,
    IssueFactory,
    RecipientFactory,
    announce_transition,
)

pytestmark = pytest.mark.django_db


def _entry(name, section, group, position, category="bao"):
    return Entry(None, name, category, section, group, position, 1)


def test_bao_line_separators():
    """、 inside a group, ， between groups, ； between sections, 。 at the end; 送 on its own line."""
    entries = [
        _entry("甲", 1, 1, 1),
        _entry("乙", 1, 1, 2),
        _entry("丙", 1, 2, 3),
        _entry("丁", 2, 1, 4),
        _entry("戊", 1, 1, 5, "song"),
    ]
    assert build_bao_line(entries) == "报：甲、乙，丙；丁。\n送：戊。"


def _list_with(recipients_by_group):
    from circulation.models import DistributionGroup, GroupMember

    dlist = DistributionListFactory()
    for (section, position), recipients in recipients_by_group.items():
        group = DistributionGroup.objects.create(distribution_list=dlist, section=section, position=position)
        for i, r in enumerate(recipients, start=1):
            GroupMember.objects.create(group=group, recipient=r, position=i)
    return dlist


def test_additions_removals_and_copies_change_the_live_line(clerk):
    """Removing a list member, adding an outsider and setting copies all show in the live figures."""
    a, b = RecipientFactory(name="甲", title="书记"), RecipientFactory(name="乙", title="市长")
    body = BodyRecipientFactory(short_name="民政局", default_copies=2)
    extra = BodyRecipientFactory(short_name="统计局")
    issue = IssueFactory(print_run=None)
    services.issue_distribution_set(
        issue=issue,
        lists=[_list_with({(1, 1): [a, b], (2, 1): [body]})],
        archive_copies=2,
        reserve_copies=3,
        user=clerk,
    )
    services.issue_recipient_set(issue=issue, recipient=b, included=False, user=clerk)
    services.issue_recipient_set(issue=issue, recipient=extra, copies=4, user=clerk)
    dist = selectors.issue_distribution(issue)
    assert dist.bao_line == "报：甲书记；民政局；统计局。"
    assert (dist.allocated, dist.computed_print_run, dist.print_run) == (7, 12, 12)


def test_release_guard_refuses_when_more_allocated_than_printed(clerk):
    """印发 is refused with a Chinese message when allocation + archive + reserve exceed the print run."""
    r = RecipientFactory(default_copies=60)
    issue = IssueFactory(print_run=None)
    services.issue_distribution_set(issue=issue, lists=[_list_with({(1, 1): [r]})], archive_copies=5, user=clerk)
    services.issue_print_run_override_set(issue=issue, print_run=50, reason="印厂只能印 50 份", user=clerk)
    errors = transition_guard_errors("release", issue=issue, user=clerk)
    assert errors and "共印只有 50 份" in errors[0] and "共需 65 份" in errors[0]
    services.issue_print_run_override_set(issue=issue, print_run=None, user=clerk)
    assert transition_guard_errors("release", issue=issue, user=clerk) == []


def test_sign_off_freezes_and_revoke_voids(clerk):
    """At sign_off the distribution is frozen; later edits to recipients do not change it;
    revoke_sign_off voids the snapshot and the live distribution shows again."""
    r = RecipientFactory(name="黄爱军", title="副书记")
    issue = IssueFactory(print_run=None)
    services.issue_distribution_set(issue=issue, lists=[_list_with({(1, 1): [r]})], user=clerk)
    with transaction.atomic():
        Issue.objects.filter(pk=issue.pk).update(status="signed")
        issue.refresh_from_db()
        announce_transition(issue, "sign_off", user=clerk)
    r.title = "书记"
    r.save()
    assert distribution_footer(issue).bao_line == "报：黄爱军副书记。"
    with pytest.raises(DistributionFrozen):
        services.issue_recipient_set(issue=issue, recipient=r, copies=3, user=clerk)
    announce_transition(issue, "revoke_sign_off", user=clerk)
    Issue.objects.filter(pk=issue.pk).update(status="draft")
    issue.refresh_from_db()
    assert distribution_footer(issue).bao_line == "报：黄爱军书记。"
    assert DistributionSnapshot.objects.filter(issue=issue).count() == 1


def test_one_current_snapshot_per_issue_in_the_database(demo):
    """The database refuses a second current snapshot for an issue."""
    with pytest.raises(IntegrityError), transaction.atomic():
        DistributionSnapshot.objects.create(issue=demo["issue_117"], bao_line="x", print_run=1, allocated_copies=1)


def test_one_snapshot_entry_per_place_in_the_database(demo):
    """The database refuses a second entry at a place of a snapshot's 报 line; the next place is free."""
    snapshot = DistributionSnapshot.objects.get(issue=demo["issue_117"], voided_at__isnull=True)
    taken = snapshot.entries.get(position=1)
    extra = {"printed_name": "重复", "category": taken.category, "section": 1, "group": 1, "copies": 1}
    with pytest.raises(IntegrityError), transaction.atomic():
        SnapshotEntry.objects.create(snapshot=snapshot, position=1, **extra)
    free = snapshot.entries.count() + 1
    SnapshotEntry.objects.create(snapshot=snapshot, position=free, **extra)
    assert list(snapshot.entries.values_list("position", flat=True)) == list(range(1, free + 1))


def test_only_circulation_may_change_distribution(editor_user, superuser):
    """An editor is refused by the service; a superuser may."""
    issue = IssueFactory()
    with pytest.raises(NotAllowed) as exc:
        services.issue_distribution_set(issue=issue, lists=[], user=editor_user)
    assert exc.value.messages == ["只有发行人员或管理员可以修改发行记录。"]
    services.issue_distribution_set(issue=issue, lists=[], archive_copies=1, user=superuser)


def test_database_constraints_have_chinese_messages():
    """A person without a title fails full_clean with the Chinese message."""
    with pytest.raises(ValidationError) as exc:
        Recipient(kind="person", name="张三", title="", category="bao").full_clean()
    assert "个人须填写职务。" in str(exc.value)


def test_copy_ledger_numbering_movements_and_open_receipts(demo, clerk):
    """Copies are numbered 001…70; movements are appended only; the open-receipt report is a sum of rows."""
    issue = demo["issue_117"]
    copies = services.copies_number(issue=issue, user=clerk)
    assert len(copies) == 70 and copies[0].label == "001"
    rows = selectors.dispatch_rows(issue)
    assert rows[5].printed_name == "市委常委" and rows[5].copy_numbers == "006-017"
    with pytest.raises(LedgerError):
        services.copies_number(issue=issue, user=clerk)
    day = datetime.date(2024, 1, 20)
    assert services.copies_dispatch(issue=issue, date=day, user=clerk) == 37
    assert selectors.copies_not_signed_for(issue).count() == 37
    first = copies[0]
    movement = services.copy_movement_add(copy=first, kind="received", date=day, signer="刘秘书", user=clerk)
    assert selectors.copies_not_signed_for(issue).count() == 36
    with pytest.raises(AppendOnlyError):
        movement.save()
    with pytest.raises(AppendOnlyError):
        movement.delete()
    with pytest.raises(ValidationError):
        services.copy_movement_add(copy=copies[1], kind="received", date=day, signer="", user=clerk)
    with pytest.raises(LedgerError):
        services.copy_movement_add(copy=first, kind="received", date=day, signer="刘秘书", user=clerk)
    services.copy_movement_add(copy=first, kind="destroyed", date=day, user=clerk)
    with pytest.raises(LedgerError):
        services.copy_movement_add(copy=first, kind="returned", date=day, user=clerk)
    assert CopyMovement.objects.filter(copy=first).count() == 3


def test_instruction_records_leader_and_checks_article(demo, clerk):
    """A 批示 names a leader; an article from another issue is refused."""
    issue = demo["issue_117"]
    leader = Recipient.objects.get(printed_name="吴庆文市长")
    instruction = services.instruction_save(
        instruction=Instruction(
            leader=leader,
            issue=issue,
            article=issue.articles.first(),
            date=datetime.date(2024, 1, 25),
            text="请发改委研究借鉴。",
        ),
        user=clerk,
    )
    assert instruction.created_by == clerk
    with pytest.raises(ValidationError):
        services.instruction_save(
            instruction=Instruction(
                leader_name="某领导",
                issue=issue,
                article=demo["twin"].articles.first(),
                date=datetime.date(2024, 1, 25),
                text="阅。",
            ),
            user=clerk,
        )


def test_filled_dispatch_sheet_reimports_as_receipts(demo, clerk):
    """The exported dispatch sheet, signed on two rows, re-imports as receipts for those copies."""
    issue = demo["issue_117"]
    services.copies_number(issue=issue, user=clerk)
    services.copies_dispatch(issue=issue, date=datetime.date(2024, 1, 20), user=clerk)
    # The sheet's title takes rows 1-2 and its header row 3: 刘小涛书记 is row 4, 市委常委 row 9.
    data = signed_dispatch_sheet(issue, {4: ("刘秘书", datetime.date(2024, 1, 21)), 9: ("常委办", "2024年1月22日")})
    assert services.dispatch_receipts_import(issue=issue, data=data, file_name="签收.xlsx", user=clerk) == 13
    assert selectors.copies_not_signed_for(issue).count() == 37 - 13
    # Importing the same sheet again records nothing twice.
    assert services.dispatch_receipts_import(issue=issue, data=data, file_name="签收.xlsx", user=clerk) == 0


def test_dispatch_sheet_with_bad_date_records_nothing(demo, clerk):
    """One bad date: the message names row and column, and no receipt is recorded."""
    from circulation.exceptions import ImportRejected

    issue = demo["issue_117"]
    services.copies_number(issue=issue, user=clerk)
    services.copies_dispatch(issue=issue, date=datetime.date(2024, 1, 20), user=clerk)
    data = signed_dispatch_sheet(issue, {4: ("刘秘书", "2024-01-21"), 5: ("吴秘书", "下周")})
    with pytest.raises(ImportRejected) as exc:
        services.dispatch_receipts_import(issue=issue, data=data, file_name="签收.xlsx", user=clerk)
    assert exc.value.messages == ["第 5 行“签收日期”列：请填写日期，例如 2024-01-20。"]
    assert CopyMovement.objects.exclude(kind="dispatched").count() == 0
