"""What was signed is what is printed: the frozen IssueDocument of a signed issue, and its
archived PDF, which heals once when its file goes missing."""

import hashlib
import io
import logging

import pdfplumber
import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from briefs import workflow
from briefs.models import Editor, FrozenDocument, Issue, Series
from briefs.rendering import archive
from briefs.rendering.blocks import html_to_blocks
from briefs.rendering.document import Article
from briefs.rendering.selectors import issue_document
from briefs.rendering.serialize import FrozenDocumentError, document_from_json, document_to_json, sha256_text
from briefs.rendering.services import frozen_document_read, issue_printed_document
from tests.briefs.test_rendering import squash
from tests.briefs.test_rendering_views import viewer
from tests.factories import ArticleFactory, EditorFactory, IssueFactory, SeriesFactory, role_user
from zhiku import roles

pytestmark = pytest.mark.django_db

SIGN_STEPS = [
    ("submit", roles.EDITOR),
    ("approve", roles.CHIEF_EDITOR),
    ("approve", roles.REVIEWER),
    ("sign_off", roles.SIGNER),
]


@pytest.fixture
def people():
    keys = (roles.EDITOR, roles.CHIEF_EDITOR, roles.REVIEWER, roles.SIGNER)
    return {key: role_user(key, username=key) for key in keys}


def sign(issue, people, capture):
    """Walk ``issue`` through 三审 to 签发 with the real workflow; run the on-commit archiving."""
    with capture(execute=True):
        for action, role_key in SIGN_STEPS:
            workflow.issue_transition(issue=issue, action=action, user=people[role_key], comment="同意")
    issue.refresh_from_db()
    return issue


def table_text(docx: bytes) -> str:
    """The text of a Word file's tables: where its 版记 (责任编辑, 报 line) is."""
    doc = Document(io.BytesIO(docx))
    return "".join(cell.text for table in doc.tables for row in table.rows for cell in row.cells)


def downloads(client, issue) -> dict[str, str]:
    """The text of the preview, the Word file and the PDF, as a reader of each would see it."""
    preview = client.get(reverse("briefs:issue_preview", args=[issue.pk]))
    word = client.get(reverse("briefs:issue_docx", args=[issue.pk]))
    pdf = client.get(reverse("briefs:issue_pdf", args=[issue.pk]))
    assert preview.status_code == word.status_code == pdf.status_code == 200
    word_text = "".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs) + table_text(word.content)
    with pdfplumber.open(io.BytesIO(pdf.content)) as read:
        pdf_text = "".join(page.extract_text() or "" for page in read.pages)
    return {"preview": preview.content.decode(), "word": word_text, "pdf": squash(pdf_text)}


@pytest.fixture
def signed_issue(people, django_capture_on_commit_callbacks):
    series = SeriesFactory()
    workflow.review_chain_ensure(series=series)
    issue = IssueFactory(
        series=series, created_by=people[roles.EDITOR], responsible_editor=EditorFactory(name="郭书颖")
    )
    ArticleFactory(issue=issue, title="签发时的标题")
    return sign(issue, people, django_capture_on_commit_callbacks)


def test_signed_issue_keeps_printing_what_was_signed(client, signed_issue):
    """After 签发, renaming the responsible editor and changing the series' address change none
    of the outputs — preview, Word and PDF all print the frozen document — while a draft of
    the same series prints the live data."""
    frozen = FrozenDocument.objects.get(issue=signed_issue)
    assert frozen.sha256 == sha256_text(frozen.content)
    Editor.objects.filter(pk=signed_issue.responsible_editor_id).update(name="改名后")
    Series.objects.filter(pk=signed_issue.series_id).update(address="改过的地址")
    client.force_login(viewer(is_staff=True))

    outputs = downloads(client, signed_issue)
    for kind, text in outputs.items():
        assert "郭书颖" in text and "改名后" not in text, kind
        assert "改过的地址" not in text, kind
    assert "签发时的标题" in outputs["word"]

    draft = IssueFactory(series=signed_issue.series, responsible_editor=signed_issue.responsible_editor)
    ArticleFactory(issue=draft)
    word = client.get(reverse("briefs:issue_docx", args=[draft.pk]))
    assert "改名后" in table_text(word.content)


def test_the_document_is_frozen_inside_the_sign_off(people, django_capture_on_commit_callbacks):
    """The freeze happens in the sign-off's own transaction, not later: with the after-commit
    archiving not yet run, a rename right after 签发 still does not reach the print view."""
    series = SeriesFactory()
    workflow.review_chain_ensure(series=series)
    issue = IssueFactory(
        series=series, created_by=people[roles.EDITOR], responsible_editor=EditorFactory(name="郭书颖")
    )
    ArticleFactory(issue=issue)
    with django_capture_on_commit_callbacks(execute=False):
        for action, role_key in SIGN_STEPS:
            workflow.issue_transition(issue=issue, action=action, user=people[role_key], comment="同意")
    assert FrozenDocument.objects.filter(issue=issue).exists()
    Editor.objects.filter(pk=issue.responsible_editor_id).update(name="改名后")
    footer = issue_printed_document(Issue.objects.get(pk=issue.pk)).footer
    assert footer.editor_line.startswith("责任编辑：郭书颖")


def test_the_frozen_footer_is_the_signed_distribution(people, django_capture_on_commit_callbacks):
    """The 报 line and 共印 frozen at 签发 are the ones circulation snapshots in the same sign-off,
    and a recipient's later change of title reaches neither."""
    from briefs.extensions import distribution_footer
    from circulation import services as circulation
    from circulation.models import DistributionGroup, GroupMember
    from tests.factories import DistributionListFactory, RecipientFactory

    clerk = role_user(roles.CIRCULATION, username="clerk")
    series = SeriesFactory()
    workflow.review_chain_ensure(series=series)
    issue = IssueFactory(series=series, created_by=people[roles.EDITOR], print_run=None)
    ArticleFactory(issue=issue)
    recipient = RecipientFactory(name="黄爱军", title="副书记")
    dlist = DistributionListFactory()
    group = DistributionGroup.objects.create(distribution_list=dlist, section=1, position=1)
    GroupMember.objects.create(group=group, recipient=recipient, position=1)
    circulation.issue_distribution_set(issue=issue, lists=[dlist], archive_copies=2, user=clerk)
    with django_capture_on_commit_callbacks(execute=False):
        for action, role_key in SIGN_STEPS:
            workflow.issue_transition(issue=issue, action=action, user=people[role_key], comment="同意")
    recipient.title = "书记"
    recipient.save()

    footer = issue_printed_document(Issue.objects.get(pk=issue.pk)).footer
    snapshot = distribution_footer(issue)
    assert footer.bao_line == snapshot.bao_line == "报：黄爱军副书记。"
    assert footer.print_run_line == f"共印：{snapshot.print_run} 份"


def test_the_archived_pdf_is_rendered_from_the_frozen_document(signed_issue):
    """The PDF archived at 签发 is the frozen document's PDF, byte for byte (rendering is
    deterministic), and its checksum is recorded."""
    from briefs.rendering.pdf import render_pdf

    frozen = frozen_document_read(signed_issue.frozen_document)
    stored = signed_issue.archived_pdf.read()
    signed_issue.archived_pdf.close()
    assert stored == render_pdf(frozen)
    assert signed_issue.archived_pdf_sha256 == hashlib.sha256(stored).hexdigest()


def test_revoking_the_sign_off_thaws_the_document(client, signed_issue, people, django_capture_on_commit_callbacks):
    """Voiding the sign-off deletes the frozen document and the archive: the issue prints live again."""
    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_transition(
            issue=signed_issue, action="revoke_sign_off", user=people[roles.SIGNER], comment="重开修改"
        )
    assert not FrozenDocument.objects.filter(issue=signed_issue).exists()
    Editor.objects.filter(pk=signed_issue.responsible_editor_id).update(name="改名后")
    client.force_login(viewer(is_staff=True))
    assert "改名后" in client.get(reverse("briefs:issue_preview", args=[signed_issue.pk])).content.decode()


def test_a_tampered_frozen_document_is_refused(signed_issue):
    """A frozen document whose text no longer matches its SHA-256 is not printed (nor replaced by
    live data): what was signed can no longer be shown to be what is printed."""
    frozen = signed_issue.frozen_document
    FrozenDocument.objects.filter(pk=frozen.pk).update(content=frozen.content.replace("郭书颖", "别人"))
    signed_issue.refresh_from_db()
    with pytest.raises(FrozenDocumentError):
        issue_printed_document(Issue.objects.get(pk=signed_issue.pk))


def test_the_document_survives_json_unchanged(settings, tmp_path):
    """Every kind of block (headings, runs with styles, list items, quotes, tables, images) comes
    back from its JSON equal; the JSON is canonical, so the same document has the same hash;
    image files are stored relative to MEDIA_ROOT."""
    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "a.png").write_bytes(b"\x89PNG")
    html = (
        "<h2>一、<b>总体</b></h2><h3>（一）分项</h3><h4>1. 细项</h4>"
        "<p>正文<i>斜</i><u>下划</u><s>删</s>H<sub>2</sub>O x<sup>2</sup></p>"
        "<ol><li>第一</li></ol><blockquote><p>引文</p></blockquote>"
        '<table><tr><th colspan="2">表头</th></tr><tr><td>甲</td><td>乙</td></tr></table>'
        '<figure class="image"><img src="/media/uploads/a.png" alt="图"><figcaption>图注</figcaption></figure>'
    )

    def media(src):
        return str(tmp_path / "uploads" / "a.png") if src == "/media/uploads/a.png" else None

    blocks = html_to_blocks(html, media)
    assert {type(b).__name__ for b in blocks} == {"Heading", "Paragraph", "Table", "Image"}
    issue = IssueFactory()
    ArticleFactory(issue=issue)
    live = issue_document(issue)
    document = type(live)(
        masthead=live.masthead,
        articles=(Article(title="标题", byline="作者", blocks=blocks),),
        footer=live.footer,
        is_draft=False,
        file_stem="stem",
    )
    text = document_to_json(document)
    assert document_from_json(text) == document
    assert document_to_json(document_from_json(text)) == text
    assert '"path":"uploads/a.png"' in text


def test_load_demo_freezes_and_archives_117(django_capture_on_commit_callbacks, client):
    """load_demo freezes issue 117 with its distribution (报 line) and archives its PDF at once,
    so a later rename does not reach any output; running it again changes neither."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    issue = Issue.objects.get(total_number=117)
    frozen = FrozenDocument.objects.get(issue=issue)
    assert "报：" in document_from_json(frozen.content).footer.bao_line
    assert issue.archived_pdf and issue.archived_pdf_sha256
    archived = (issue.archived_pdf.name, issue.archived_pdf_sha256)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    issue.refresh_from_db()
    assert FrozenDocument.objects.get(issue=issue).content == frozen.content
    assert (issue.archived_pdf.name, issue.archived_pdf_sha256) == archived

    Editor.objects.filter(pk=issue.responsible_editor_id).update(name="改名后")
    client.force_login(viewer(is_staff=True))
    word = client.get(reverse("briefs:issue_docx", args=[issue.pk]))
    cells = table_text(word.content)
    assert "郭书颖" in cells and "改名后" not in cells


# --- archives heal (issue 16) -------------------------------------------------------------------


@pytest.fixture
def render_count(monkeypatch):
    """Counts the PDF renders the archive makes."""
    calls = []
    real = archive.render_pdf

    def counting(document, **kwargs):
        calls.append(document)
        return real(document, **kwargs)

    monkeypatch.setattr(archive, "render_pdf", counting)
    return calls


@pytest.mark.parametrize("damage", ["missing", "garbled"])
def test_a_lost_archive_is_rebuilt_once_from_the_frozen_document(client, signed_issue, render_count, damage, caplog):
    """When the archived file is missing (or no longer matches its checksum), the first download
    rebuilds it from the frozen document — byte for byte the signed PDF, its SHA-256 checked —
    and stores it again; later downloads serve the file without rendering or logging again."""
    original = signed_issue.archived_pdf.read()
    signed_issue.archived_pdf.close()
    name, storage = signed_issue.archived_pdf.name, signed_issue.archived_pdf.storage
    if damage == "missing":
        storage.delete(name)
    else:
        with storage.open(name, "wb") as fh:
            fh.write(b"%PDF-1.7 not the signed file")
    Editor.objects.filter(pk=signed_issue.responsible_editor_id).update(name="改名后")
    client.force_login(viewer(is_staff=True))

    with caplog.at_level(logging.WARNING, logger="briefs.rendering.archive"):
        first = client.get(reverse("briefs:issue_pdf", args=[signed_issue.pk]))
    assert first.content == original
    assert len(render_count) == 1
    assert any("rebuilt identical" in r.getMessage() for r in caplog.records)
    signed_issue.refresh_from_db()
    assert signed_issue.archived_pdf.name == name and storage.exists(name)
    with storage.open(name, "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == signed_issue.archived_pdf_sha256

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="briefs.rendering.archive"):
        for _ in range(2):
            assert client.get(reverse("briefs:issue_pdf", args=[signed_issue.pk])).content == original
    assert len(render_count) == 1, "rebuilt once, not on every download"
    assert not caplog.records


def test_a_rebuild_that_differs_is_stored_with_its_own_checksum(client, signed_issue, monkeypatch, caplog):
    """If this server can no longer render the signed bytes (fonts or software changed), the
    rebuild from the frozen document is stored with its own checksum and a warning names both
    hashes; the next download serves it without rendering."""
    recorded = signed_issue.archived_pdf_sha256
    signed_issue.archived_pdf.storage.delete(signed_issue.archived_pdf.name)
    monkeypatch.setattr(archive, "render_pdf", lambda document, **kw: b"%PDF-1.7 rebuilt elsewhere")
    client.force_login(viewer(is_staff=True))
    with caplog.at_level(logging.WARNING, logger="briefs.rendering.archive"):
        assert client.get(reverse("briefs:issue_pdf", args=[signed_issue.pk])).content == b"%PDF-1.7 rebuilt elsewhere"
    signed_issue.refresh_from_db()
    assert signed_issue.archived_pdf_sha256 == hashlib.sha256(b"%PDF-1.7 rebuilt elsewhere").hexdigest()
    assert any(recorded in r.getMessage() for r in caplog.records)

    monkeypatch.setattr(archive, "render_pdf", lambda document, **kw: pytest.fail("rendered again"))
    assert client.get(reverse("briefs:issue_pdf", args=[signed_issue.pk])).content == b"%PDF-1.7 rebuilt elsewhere"
