"""The review workflow: transition table, permissions (role × action × state), numbers, records."""

from datetime import date

import pytest
from django.core import mail
from django.db import transaction

from briefs import workflow
from briefs.exceptions import TransitionNotAllowed
from briefs.models import Issue, IssueEvent, Notification
from briefs.signals import issue_transitioned
from tests.factories import ArticleFactory, IssueFactory, NumberedIssueFactory, SeriesFactory, UserFactory, role_user
from zhiku import roles

ROLE_KEYS = [roles.EDITOR, roles.CHIEF_EDITOR, roles.REVIEWER, roles.SIGNER, roles.CIRCULATION, roles.ADMINISTRATOR]


@pytest.fixture
def people(db):
    return {key: role_user(key, username=key) for key in ROLE_KEYS}


@pytest.fixture
def series(db):
    series = SeriesFactory()
    workflow.review_chain_ensure(series=series)
    return series


def make_issue(series, creator):
    issue = IssueFactory(series=series, created_by=creator)
    ArticleFactory(issue=issue)
    return issue


def walk(issue, people, steps):
    """Perform ``steps`` (action, role key) in order."""
    for action, role_key in steps:
        workflow.issue_transition(issue=issue, action=action, user=people[role_key], comment="理由")
    return issue


E, C, R, SG, CI, A = ROLE_KEYS
TO_STATE = {
    "draft": [],
    "stage1": [("submit", E)],
    "stage2": [("submit", E), ("approve", C)],
    "stage3": [("submit", E), ("approve", C), ("approve", R)],
    "signed": [("submit", E), ("approve", C), ("approve", R), ("sign_off", SG)],
    "released": [("submit", E), ("approve", C), ("approve", R), ("sign_off", SG), ("release", CI)],
}
# (state, role) → the actions allowed; everything else in role × action must be refused.
ALLOWED = {
    ("draft", E): {"submit"},
    ("draft", C): {"submit"},
    ("draft", A): {"submit"},
    ("stage1", E): {"withdraw"},  # the editor submitted
    ("stage1", C): {"approve", "request_changes"},
    ("stage2", R): {"approve", "request_changes"},
    ("stage3", SG): {"sign_off", "request_changes"},
    ("signed", SG): {"revoke_sign_off"},  # the signer
    ("signed", A): {"revoke_sign_off", "release"},
    ("signed", CI): {"release"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(TO_STATE))
def test_permission_matrix_role_by_action_by_state(state, people, series):
    """Every role × action in every state: exactly the actions of ALLOWED succeed, the rest are
    refused with a Chinese message and change nothing."""
    issue = walk(make_issue(series, people[E]), people, TO_STATE[state])
    checked = 0
    for role_key in ROLE_KEYS:
        for action in workflow.ACTIONS:
            expected = action in ALLOWED.get((state, role_key), set())
            assert workflow.can_perform(issue, action, people[role_key]) is expected, (state, role_key, action)
            sid = transaction.savepoint()
            fresh = Issue.objects.get(pk=issue.pk)
            try:
                workflow.issue_transition(issue=fresh, action=action, user=people[role_key], comment="理由")
            except TransitionNotAllowed as exc:
                assert not expected, (state, role_key, action, exc.message)
                assert exc.message and not exc.message.isascii()
                assert Issue.objects.get(pk=issue.pk).status == issue.status
            else:
                assert expected, (state, role_key, action)
                assert fresh.status == workflow.TRANSITIONS[action][1]
            transaction.savepoint_rollback(sid)
            checked += 1
    assert checked == len(ROLE_KEYS) * len(workflow.ACTIONS)


@pytest.mark.django_db
def test_superuser_holds_no_review_stage(people, series):
    """A superuser is not a reviewer by accident: stages belong to their group or named person."""
    boss = UserFactory(username="boss", is_superuser=True)
    issue = walk(make_issue(series, people[E]), people, TO_STATE["stage1"])
    assert workflow.allowed_actions(issue, boss) == []


@pytest.mark.django_db
def test_nobody_approves_an_issue_they_drafted_unless_the_series_allows_it(people, series):
    """The 责任编辑 who drafted and submitted cannot do 初审 on it; a series may switch that off."""
    issue = make_issue(series, people[C])
    workflow.issue_transition(issue=issue, action="submit", user=people[C])
    with pytest.raises(TransitionNotAllowed) as excinfo:
        workflow.issue_transition(issue=issue, action="approve", user=people[C])
    assert "不能审批" in excinfo.value.message
    series.allow_self_review = True
    series.save()
    issue = Issue.objects.get(pk=issue.pk)
    workflow.issue_transition(issue=issue, action="approve", user=people[C])
    assert issue.current_stage.name == "复审"


@pytest.mark.django_db
def test_named_person_stage(people, series):
    """A stage can be held by one named 签发人: only that person signs, not the whole group."""
    other_leader = role_user(roles.SIGNER, username="leader2")
    final = series.review_stages.order_by("-position").first()
    final.group, final.user = None, other_leader
    final.save()
    issue = walk(make_issue(series, people[E]), people, TO_STATE["stage3"])
    assert not workflow.can_perform(issue, "sign_off", people[SG])
    workflow.issue_transition(issue=issue, action="sign_off", user=other_leader)
    assert issue.status == Issue.Status.SIGNED and issue.signed_by == other_leader


@pytest.mark.django_db
def test_full_walk_records_events_numbers_signal_and_notifications(people, series, django_capture_on_commit_callbacks):
    """草稿 → 初审 → 复审 → 签发 → 印发: one event per transition, numbers at sign-off, the signal
    inside the transaction, emails to the next stage and at sign-off to submitter and approvers."""
    NumberedIssueFactory(series=series, year=2026, number=3, total_number=200)
    issue = make_issue(series, people[E])
    seen = []

    def receiver(sender, **kwargs):
        seen.append((kwargs["action"], kwargs["from_status"], kwargs["to_status"]))

    issue_transitioned.connect(receiver, dispatch_uid="test-walk")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            workflow.issue_transition(issue=issue, action="submit", user=people[E], comment="请审")
        assert [m.to for m in mail.outbox] == [["chief_editor@example.com"]]
        with django_capture_on_commit_callbacks(execute=True):
            workflow.issue_transition(issue=issue, action="approve", user=people[C])
        with django_capture_on_commit_callbacks(execute=True):
            workflow.issue_transition(issue=issue, action="approve", user=people[R])
        assert workflow.issue_number_preview(issue, on=date(2026, 5, 1)).total_number == 201
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            workflow.issue_transition(issue=issue, action="sign_off", user=people[SG], on=date(2026, 5, 1))
        assert sorted(m.to[0] for m in mail.outbox) == [
            "chief_editor@example.com",
            "editor@example.com",
            "reviewer@example.com",
        ]
        workflow.issue_transition(issue=issue, action="release", user=people[CI])
    finally:
        issue_transitioned.disconnect(dispatch_uid="test-walk")
    issue.refresh_from_db()
    assert (issue.year, issue.number, issue.total_number, issue.issue_date) == (2026, 4, 201, date(2026, 5, 1))
    assert issue.status == Issue.Status.RELEASED
    events = list(IssueEvent.objects.filter(issue=issue).values_list("action", "stage_name", "actor__username"))
    assert events == [
        ("submit", "初审", "editor"),
        ("approve", "初审", "chief_editor"),
        ("approve", "复审", "reviewer"),
        ("sign_off", "终审/签发", "signer"),
        ("release", "", "circulation"),
    ]
    assert seen[3] == ("sign_off", "in_review", "signed")
    assert Notification.objects.filter(issue=issue).count() == 6  # 3 stages + 3 at sign-off


@pytest.mark.django_db
def test_request_changes_needs_a_reason_and_returns_to_draft_keeping_history(people, series):
    """退回修改 without a reason is refused; with one, the issue is a draft again and the events stay."""
    issue = walk(make_issue(series, people[E]), people, TO_STATE["stage2"])
    with pytest.raises(TransitionNotAllowed) as excinfo:
        workflow.issue_transition(issue=issue, action="request_changes", user=people[R], comment="  ")
    assert "理由" in excinfo.value.message
    workflow.issue_transition(issue=issue, action="request_changes", user=people[R], comment="数据需核实")
    assert issue.status == Issue.Status.DRAFT and issue.current_stage is None
    assert issue.events.count() == 3
    assert issue.events.last().comment == "数据需核实"


@pytest.mark.django_db
def test_withdraw_only_before_anyone_acted(people, series):
    """The submitter may withdraw while 初审 has not acted; after an approval it is too late."""
    issue = walk(make_issue(series, people[E]), people, TO_STATE["stage1"])
    workflow.issue_transition(issue=issue, action="withdraw", user=people[E])
    assert issue.status == Issue.Status.DRAFT
    walk(issue, people, TO_STATE["stage2"])
    with pytest.raises(TransitionNotAllowed):
        workflow.issue_transition(issue=issue, action="withdraw", user=people[E])


@pytest.mark.django_db
def test_approving_twice_or_a_stage_that_moved_on_is_refused(people, series):
    """The second click of the same button, or a click on a page that is out of date, is refused."""
    issue = walk(make_issue(series, people[E]), people, TO_STATE["stage1"])
    stage1 = issue.current_stage_id
    workflow.issue_transition(issue=issue, action="approve", user=people[C], expected_stage_id=stage1)
    stale = Issue.objects.get(pk=issue.pk)
    with pytest.raises(TransitionNotAllowed) as excinfo:
        workflow.issue_transition(issue=stale, action="approve", user=people[C], expected_stage_id=stage1)
    assert "其他人" in excinfo.value.message
    with pytest.raises(TransitionNotAllowed):
        workflow.issue_transition(issue=stale, action="approve", user=people[C])
    assert IssueEvent.objects.filter(issue=issue, action="approve").count() == 1


@pytest.mark.django_db
def test_guards_can_refuse_release(people, series):
    """A transition guard registered by another app (circulation on 印发) refuses with its message."""
    from briefs import extensions

    issue = walk(make_issue(series, people[E]), people, TO_STATE["signed"])

    def guard(*, issue, user):
        return ["份数不符"]

    extensions.register_transition_guard("release", guard)
    try:
        with pytest.raises(TransitionNotAllowed) as excinfo:
            workflow.issue_transition(issue=issue, action="release", user=people[CI])
    finally:
        extensions._transition_guards["release"].remove(guard)
    assert excinfo.value.messages == ["份数不符"]
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SIGNED


@pytest.mark.django_db
def test_numbers_are_consecutive_per_year_and_total(people, series):
    """Sequential sign-offs get 第1期, 第2期 … and consecutive 总期号; a new year restarts 第N期."""
    NumberedIssueFactory(series=series, year=2025, number=30, total_number=150)
    results = []
    for on in (date(2025, 12, 30), date(2026, 1, 5), date(2026, 1, 6)):
        issue = walk(make_issue(series, people[E]), people, TO_STATE["stage3"])
        workflow.issue_transition(issue=issue, action="sign_off", user=people[SG], on=on)
        results.append((issue.year, issue.number, issue.total_number))
    assert results == [(2025, 31, 151), (2026, 1, 152), (2026, 2, 153)]


@pytest.mark.django_db
def test_revoking_the_latest_sign_off_frees_its_numbers(people, series):
    """撤销签发 of the latest issue clears its numbers (no gap results); the next sign-off reuses them."""
    issue = walk(make_issue(series, people[E]), people, TO_STATE["signed"])
    numbers = (issue.number, issue.total_number)
    workflow.issue_transition(issue=issue, action="revoke_sign_off", user=people[SG], comment="有误")
    assert issue.status == Issue.Status.DRAFT and issue.total_number is None and issue.signed_by is None
    other = walk(make_issue(series, people[E]), people, TO_STATE["signed"])
    assert (other.number, other.total_number) == numbers


@pytest.mark.django_db
def test_revoking_an_earlier_sign_off_keeps_its_numbers_reserved(people, series):
    """When a later issue is already numbered, the voided issue keeps its numbers, so no gap appears,
    and gets them back when it is signed again."""
    first = walk(make_issue(series, people[E]), people, TO_STATE["signed"])
    second = walk(make_issue(series, people[E]), people, TO_STATE["signed"])
    workflow.issue_transition(issue=first, action="revoke_sign_off", user=people[A], comment="重签")
    assert first.status == Issue.Status.DRAFT and first.total_number == second.total_number - 1
    walk(first, people, TO_STATE["signed"])
    assert first.total_number == second.total_number - 1


@pytest.mark.django_db
def test_demo_accounts_have_their_roles_and_series_its_chain(demo):
    """load_demo gives editor, chief, reviewer, leader and clerk their groups; the series has 三审."""
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.prefetch_related("groups")}
    assert [g.name for g in users["chief"].groups.all()] == ["责任编辑"]
    assert [g.name for g in users["leader"].groups.all()] == ["签发"]
    stages = list(demo["twin"].series.review_stages.values_list("name", flat=True))
    assert stages == ["初审", "复审", "终审/签发"]
    assert users["clerk"].has_perm("briefs.release_issue")
    assert not users["reviewer"].has_perm("briefs.change_article")


@pytest.mark.django_db
def test_request_changes_notifies_submitter_and_earlier_approvers(people, series, django_capture_on_commit_callbacks):
    """退回修改 at 复审 mails the submitter and the 初审 approver, and logs each mail."""
    issue = walk(make_issue(series, people[E]), people, TO_STATE["stage2"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_transition(issue=issue, action="request_changes", user=people[R], comment="数据需核实")
    assert sorted(m.to[0] for m in mail.outbox) == ["chief_editor@example.com", "editor@example.com"]
    assert "退回修改" in mail.outbox[0].subject and "数据需核实" in mail.outbox[0].body
    logged = Notification.objects.filter(event__action="request_changes").values_list("email", flat=True)
    assert sorted(logged) == ["chief_editor@example.com", "editor@example.com"]


@pytest.mark.django_db
def test_reserved_numbers_are_kept_at_sign_off(people, series):
    """A draft that holds reserved numbers (entered by the historical loader, or left by a revoked
    earlier sign-off) keeps them at 签发 instead of counting on."""
    NumberedIssueFactory(series=series, year=2024, number=1, total_number=116)
    issue = NumberedIssueFactory(
        series=series, created_by=people[E], status=Issue.Status.DRAFT, year=2024, number=3, total_number=118
    )
    ArticleFactory(issue=issue)
    walk(issue, people, TO_STATE["signed"])
    assert (issue.year, issue.number, issue.total_number) == (2024, 3, 118)
