"""The 审批单 (发文稿纸): every opinion of the round that was signed, the 签发 line and the
earlier rounds' reasons, on one A4 page; archived at 签发, forgotten when the sign-off is revoked."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from briefs.desk.selectors import approval_sheet
from briefs.models import Issue

from .conftest import SG, C, E, R, act


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.django_db
def test_approval_form_is_archived_at_sign_off_with_every_opinion(
    client, issue, people, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    act(issue, people, "submit", E)
    act(issue, people, "request_changes", C, "第二段数据需核实")
    act(issue, people, "submit", E)
    act(issue, people, "approve", C, "同意，数据已核实")
    act(issue, people, "approve", R, "同意报签")
    with django_capture_on_commit_callbacks(execute=True):
        act(issue, people, "sign_off", SG, "同意印发")
    issue.refresh_from_db()
    assert issue.archived_approval and len(issue.archived_approval_sha256) == 64
    response = client.get(reverse("briefs:issue_approval_pdf", args=[issue.pk]))
    assert response.status_code == 302  # login first
    client.force_login(people[R])
    response = client.get(reverse("briefs:issue_approval_pdf", args=[issue.pk]))
    data = b"".join(response.streaming_content) if response.streaming else response.content
    with issue.archived_approval.open("rb") as fh:
        assert fh.read() == data  # served from the archive
    pages, text = pdf_text(data)
    text = squash(text)
    assert pages == 1
    year = issue.year
    for expected in (
        "审批单",
        f"{year}年第1期（总第1期）",
        "深圳五大举措厚植新质生产力",
        "郭书颖",
        "同意，数据已核实",
        "王主任",
        "同意报签",
        "张院长",
        "同意印发",
        "签发人：张院长",
        "第二段数据需核实",  # the earlier round's 退回 reason
        issue.responsible_editor.name,
    ):
        assert squash(expected) in text, expected


@pytest.mark.django_db
def test_revoking_the_sign_off_forgets_the_archived_form(
    issue, people, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    for action, role in (("submit", E), ("approve", C), ("approve", R)):
        act(issue, people, action, role, "同意")
    with django_capture_on_commit_callbacks(execute=True):
        act(issue, people, "sign_off", SG, "同意")
    issue.refresh_from_db()
    stored = issue.archived_approval.name
    with django_capture_on_commit_callbacks(execute=True):
        act(issue, people, "revoke_sign_off", SG, "报送范围有误")
    issue.refresh_from_db()
    assert not issue.archived_approval
    assert not (tmp_path / stored).exists()


@pytest.mark.django_db
def test_sheet_lists_each_stage_with_its_holder_before_anyone_acted(issue, people):
    act(issue, people, "submit", E)
    sheet = approval_sheet(Issue.objects.get(pk=issue.pk))
    assert [(s.stage, s.holder, s.opinion) for s in sheet.steps] == [
        ("初审", "责任编辑", ""),
        ("复审", "审核", ""),
        ("终审/签发", "签发", ""),
    ]
    assert sheet.sign_line == "" and sheet.numbers == "未编号（签发时编号）"
