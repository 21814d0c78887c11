"""Importing past issues from .docx: every file shape offices make, the round trip through zhiku's
own Word output, idempotency, clashes, refusals, all-or-nothing."""

import hashlib

import pytest
from django.core.management import call_command

from backcatalogue import services
from backcatalogue.exceptions import ImportNotAllowed
from backcatalogue.models import ImportedFile
from briefs.models import Article, Editor, Issue, IssueEvent
from briefs.rendering.blocks import html_to_blocks
from circulation.models import DistributionSnapshot, Recipient, SnapshotEntry
from circulation.selectors import issue_distribution
from tests.factories import BodyRecipientFactory, EditorFactory, RecipientFactory, UserFactory

from .shapes import BAO_LINE, build_issue_docx

pytestmark = pytest.mark.django_db


def _recipients():
    for printed in ("刘小涛书记", "吴庆文市长", "李亚平主任", "朱民主席", "黄爱军副书记"):
        RecipientFactory(name=printed[:3], title=printed[3:])
    RecipientFactory(name="", title="市委常委")
    RecipientFactory(name="", title="副市长")
    for short in ("市发改委", "文广新局", "民政局", "市科协", "社科联", "社会组织党委"):
        BodyRecipientFactory(short_name=short)


def _import(data, user, name="117.docx"):
    return services.issue_file_import(name=name, data=data, user=user)


@pytest.mark.parametrize(
    ("masthead", "numbers", "fullwidth"),
    [
        ("paragraphs", "two", False),
        ("paragraphs", "one", True),
        ("table", "one", False),
        ("table", "two", True),
        ("textbox", "one", False),
        ("textbox", "two", True),
        ("frame", "one", True),
    ],
)
def test_masthead_shapes_give_series_numbers_date_and_classification(
    series, importer, media, masthead, numbers, fullwidth
):
    """The masthead as paragraphs, in a table, in a text box or in frames; 第2期（总第117期） in one
    paragraph or two; full-width or half-width digits and brackets: all read the same."""
    data = build_issue_docx(masthead=masthead, numbers=numbers, fullwidth=fullwidth, classification="内部资料")
    report = _import(data, importer)
    assert report.status == "imported", report.errors
    issue = Issue.objects.get(pk=report.issue_id)
    assert (issue.series, issue.year, issue.number, issue.total_number) == (series, 2024, 2, 117)
    assert issue.issue_date.isoformat() == "2024-01-19"
    assert issue.classification == Issue.Classification.INTERNAL
    assert issue.status == Issue.Status.RELEASED
    assert list(issue.articles.values_list("title", "byline")) == [("深圳五大举措厚植新质生产力", "苏州太湖智库课题组")]


def test_chinese_numerals_in_the_masthead(series, importer, media):
    """第二期 and 二〇二四年一月十九日 are read as numbers."""
    data = build_issue_docx(numbers="one", date_text="二〇二四年一月十九日")
    report = services.issue_file_preview(name="a.docx", data=data, user=importer)
    assert report.status == "ready", report.errors
    assert "2024-01-19" in " ".join(report.read)


@pytest.mark.parametrize("footer", ["paragraphs", "table"])
@pytest.mark.parametrize("bao_breaks", [False, True])
def test_footer_as_paragraphs_or_bordered_table_with_line_breaks(series, importer, media, footer, bao_breaks):
    """The 报 line (even with manual line breaks, even in a bordered table) becomes the issue's frozen
    distribution, name by name in print order and linked to recipients; 责任编辑 is matched to the
    editor on file and 共印 becomes the print run."""
    _recipients()
    editor = EditorFactory(name="郭书颖")
    report = _import(build_issue_docx(footer=footer, bao_breaks=bao_breaks, print_run=75), importer)
    assert report.status == "imported", report.errors
    issue = Issue.objects.get(pk=report.issue_id)
    dist = issue_distribution(issue)
    assert dist.frozen and dist.bao_line == BAO_LINE
    assert [e.printed_name for e in dist.entries][:3] == ["刘小涛书记", "吴庆文市长", "李亚平主任"]
    assert all(e.recipient_id for e in dist.entries)
    assert (dist.entries[5].section, dist.entries[5].group) == (1, 2)  # 市委常委 after the ，
    assert (dist.entries[7].section, dist.entries[7].group) == (2, 1)  # 市发改委 after the ；
    assert issue.responsible_editor == editor
    assert issue.print_run == 75 and dist.print_run == 75
    assert report.unknown_names == []


def test_unknown_names_are_listed_for_circulation_and_an_unknown_editor_is_added(series, importer, media):
    """Names no recipient prints as are kept by name (unlinked) and listed in the report; an editor
    not on file is added with the printed phone, and the report says so."""
    RecipientFactory(name="刘小涛", title="书记")
    report = _import(build_issue_docx(bao_line="报：刘小涛书记、王新市长；市统计局。", editor="陈明"), importer)
    assert report.status == "imported", report.errors
    assert report.unknown_names == ["王新市长", "市统计局"]
    assert any("王新市长、市统计局" in line for line in report.missing)
    assert any("陈明" in line for line in report.guessed)
    entries = SnapshotEntry.objects.filter(snapshot__issue_id=report.issue_id).order_by("position")
    assert [(e.printed_name, e.recipient is not None) for e in entries] == [
        ("刘小涛书记", True),
        ("王新市长", False),
        ("市统计局", False),
    ]
    assert Editor.objects.get(name="陈明").phone.startswith("18610038942")


def test_article_body_keeps_headings_bold_tables_and_pictures(series, importer, media):
    """一、 （一） 1. become h2 h3 h4; a bold phrase stays bold; a table stays a table (header row
    as th); a picture is stored under a random name and shown with its caption; the body is the
    sanitised HTML the editor produces."""
    report = _import(build_issue_docx(table=True, picture=True), importer)
    assert report.status == "imported", report.errors
    body = Article.objects.get(issue_id=report.issue_id).body
    assert "<h2>一、瞄准产业前沿</h2>" in body
    assert "<h3>（一）构建现代化产业体系</h3>" in body
    assert "<h4>1. 加快集群建设</h4>" in body
    assert "<strong>加快形成新质生产力的重要抓手</strong>" in body
    assert "<th>指标</th>" in body and "<td>10393.39 亿元</td>" in body
    assert "<figcaption>图1 产业集群分布</figcaption>" in body
    stored = list((media / "richtext").rglob("*.png"))
    assert len(stored) == 1 and stored[0].name in body


def test_headings_that_are_only_bold_body_text(series, importer, media):
    """A heading typed as bold body text, without 一、, is still a heading, and the report says it
    was guessed."""
    report = _import(build_issue_docx(headings="bold"), importer)
    assert report.status == "imported", report.errors
    blocks = html_to_blocks(Article.objects.get(issue_id=report.issue_id).body)
    headings = [(b.level, b.text) for b in blocks if type(b).__name__ == "Heading"]
    assert headings[:3] == [(1, "瞄准产业前沿"), (2, "（一）构建现代化产业体系"), (3, "1. 加快集群建设")]
    assert any("瞄准产业前沿" in line for line in report.guessed)


def test_round_trip_of_zhiku_own_docx_for_issue_117(demo, settings, media):
    """The Word file zhiku renders for 117, imported into a database without 117, gives back the
    same document: masthead, numbers, every block of the article, and the footer."""
    from django.db.models import QuerySet

    from briefs.rendering.docx import render_docx
    from briefs.rendering.selectors import issue_document

    issue = demo["issue_117"]
    before = issue_document(issue)
    data = render_docx(before)
    DistributionSnapshot.objects.filter(issue=issue).delete()
    # A released issue is never deletable through the app; the test removes it below the guard.
    QuerySet.delete(Issue.objects.filter(pk=issue.pk))
    admin = UserFactory(username="admin")
    report = _import(data, admin)
    assert report.status == "imported", report.errors
    after = issue_document(Issue.objects.get(pk=report.issue_id))
    assert after.masthead == before.masthead
    assert after.articles == before.articles
    assert after.footer == before.footer
    assert report.guessed == []


def test_import_event_names_the_file_and_its_checksum(series, importer, media):
    """The imported issue has one event 导入 whose comment names the file and its SHA-256."""
    data = build_issue_docx()
    report = _import(data, importer, name="/tmp/old/领军参阅117.docx")
    event = IssueEvent.objects.get(issue_id=report.issue_id)
    assert event.action == IssueEvent.IMPORT and event.get_action_display() == "导入"
    assert "领军参阅117.docx" in event.comment
    assert hashlib.sha256(data).hexdigest() in event.comment
    assert event.actor == importer


def test_importing_the_same_file_again_changes_nothing(series, importer, media):
    data = build_issue_docx(picture=True)
    first = _import(data, importer)
    counts = (Issue.objects.count(), Article.objects.count(), SnapshotEntry.objects.count())
    files = sorted(media.rglob("*.png"))
    second = _import(data, importer)
    assert second.status == "unchanged" and second.issue_id == first.issue_id
    assert (Issue.objects.count(), Article.objects.count(), SnapshotEntry.objects.count()) == counts
    assert sorted(media.rglob("*.png")) == files
    assert ImportedFile.objects.count() == 1


def test_numbers_clashing_with_an_existing_issue_are_refused(series, importer, media):
    """Another file with 117's numbers (or only its total number) is refused with a message naming
    the issue that holds them; nothing of it is written."""
    _import(build_issue_docx(), importer)
    counts = (Issue.objects.count(), Article.objects.count(), ImportedFile.objects.count())
    other = _import(build_issue_docx(title="另一篇文章"), importer)
    assert other.status == "refused"
    assert "领军参阅 2024年第2期（总第117期）" in other.errors[0] and "未导入" in other.errors[0]
    only_total = _import(build_issue_docx(number=3, title="又一篇"), importer)
    assert only_total.status == "refused"
    assert (Issue.objects.count(), Article.objects.count(), ImportedFile.objects.count()) == counts


def test_a_batch_preview_shows_clashes_between_its_own_files(series, importer, media):
    claimed = set()
    first = services.issue_file_preview(name="a.docx", data=build_issue_docx(), user=importer, claimed=claimed)
    second = services.issue_file_preview(
        name="b.docx", data=build_issue_docx(title="别的"), user=importer, claimed=claimed
    )
    assert first.status == "ready" and second.status == "refused"
    assert "本次上传中较早的文件" in second.errors[0]
    assert Issue.objects.count() == 0


@pytest.mark.parametrize("name", ["117.doc", "117.wps"])
def test_old_binary_word_and_wps_files_are_refused(series, importer, name):
    report = _import(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, importer, name=name)
    assert report.status == "refused"
    assert "另存为 .docx" in report.errors[0]


def test_a_docx_that_is_not_a_word_file_is_refused(series, importer):
    report = _import(b"PK\x03\x04 not really", importer, name="broken.docx")
    assert report.status == "refused" and "无法作为 Word 文档" in report.errors[0]


def test_unknown_series_is_refused(series, importer):
    data = build_issue_docx(series_title="先锋参阅")
    report = services.issue_file_preview(name="x.docx", data=data, user=importer)
    assert report.status == "refused"
    assert "先锋参阅" in report.errors[0]


def test_a_file_failing_midway_leaves_nothing(series, importer, media, monkeypatch):
    """All or nothing: when writing fails after the issue, articles and a picture were written,
    none of them stays (and the stored picture is deleted)."""

    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.historical, "snapshot_record_printed", explode)
    with pytest.raises(RuntimeError):
        _import(build_issue_docx(picture=True, editor="新编辑"), importer)
    assert Issue.objects.count() == Article.objects.count() == ImportedFile.objects.count() == 0
    assert not Editor.objects.filter(name="新编辑").exists()
    assert list(media.rglob("*.png")) == []


def test_only_importers_may_import(series, media):
    """A staff user without the import permission is refused before anything is read."""
    editor = UserFactory(username="plain-editor")
    with pytest.raises(ImportNotAllowed):
        _import(build_issue_docx(), editor)
    with pytest.raises(ImportNotAllowed):
        services.issue_file_preview(name="a.docx", data=build_issue_docx(), user=editor)
    assert Issue.objects.count() == 0


def test_import_issues_command_imports_a_folder_with_progress(series, importer, media, tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    for n in (1, 2, 3):
        (folder / ("%d.docx" % n)).write_bytes(build_issue_docx(number=n, total=115 + n))
    (folder / "~$1.docx").write_bytes(b"lock file")
    out = []

    class Out:
        def write(self, text, *args, **kwargs):
            out.append(text)

        def flush(self):
            pass

    call_command("import_issues", str(folder), "--user", importer.username, stdout=Out())
    text = "".join(out)
    assert "[1/3]" in text and "[3/3]" in text and "已导入" in text
    assert sorted(Issue.objects.values_list("total_number", flat=True)) == [116, 117, 118]
    assert Recipient.objects.count() == 0  # unknown names are listed, never created silently
