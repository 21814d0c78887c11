"""The yearly 批示 report: figures checked against a fixture of counted and uncounted 批示."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from backcatalogue.impact import impact_report
from briefs.models import Article
from circulation.models import Instruction
from tests.factories import ArticleClusterFactory, ArticleFactory, ClusterFactory, NumberedIssueFactory, role_user
from zhiku import roles

pytestmark = pytest.mark.django_db
K, L = Instruction.Kind, Instruction.Level


@pytest.fixture
def fixture():
    """Two articles (課题组 A tagged 新能源 and 集成电路; 课题组 B tagged 新能源), 批示 of 2024:
    counted — national affirmative (Mar), provincial implementing (Mar), municipal affirmative
    ×2 (May, Nov); not counted — circled, agreed, forwarded; and one counted 批示 of 2023."""
    issue = NumberedIssueFactory(year=2024)
    a = ArticleFactory(issue=issue, title="深圳五大举措厚植新质生产力", byline="产业课题组")
    b = ArticleFactory(issue=issue, title="苏州如何发展新型储能", byline="能源课题组")
    energy, chips = ClusterFactory(name="新能源"), ClusterFactory(name="集成电路")
    ArticleClusterFactory(article=a, cluster=energy)
    ArticleClusterFactory(article=a, cluster=chips)
    ArticleClusterFactory(article=b, cluster=energy)

    def make(article, level, kind, day, leader="某领导", **extra):
        return Instruction.objects.create(
            issue=issue, article=article, leader_name=leader, level=level, kind=kind,
            date=datetime.date.fromisoformat(day), text="请认真研究。", **extra,
        )  # fmt: skip

    make(a, L.NATIONAL, K.AFFIRMATIVE, "2024-03-02", leader="国家领导甲", follow_up_department="市发改委")
    make(a, L.PROVINCIAL, K.IMPLEMENTING, "2024-03-20", leader="省领导乙", feedback_sent_on=datetime.date(2024, 4, 1),
         feedback_note="已告课题组")  # fmt: skip
    make(b, L.MUNICIPAL, K.AFFIRMATIVE, "2024-05-08")
    make(b, L.MUNICIPAL, K.AFFIRMATIVE, "2024-11-30")
    make(a, L.NATIONAL, K.CIRCLED, "2024-06-01")
    make(b, L.PROVINCIAL, K.AGREED, "2024-07-01")
    make(b, L.MUNICIPAL, K.FORWARDED, "2024-08-01")
    make(a, L.NATIONAL, K.AFFIRMATIVE, "2023-12-31")
    return {"a": a, "b": b}


def test_report_counts_only_affirmative_and_implementing_instructions(fixture, django_assert_num_queries):
    with django_assert_num_queries(2):
        report = impact_report(2024)
    assert (report.recorded, report.counted, report.not_counted, report.feedback_sent) == (7, 4, 3, 1)
    assert report.by_level == [("国家级", 1), ("省部级", 1), ("市厅级", 2)]
    assert report.by_author == [("产业课题组", 2), ("能源课题组", 2)]
    # Article a is about two clusters: each of its 2 批示 counts for both.
    assert report.by_cluster == [("新能源", 4), ("集成电路", 2)]
    months = dict(report.by_month)
    assert (months["3月"], months["5月"], months["11月"], months["6月"]) == (2, 1, 1, 0)
    assert sum(months.values()) == 4


def test_representative_list_is_provincial_and_above_with_article_titles(fixture):
    rows = impact_report(2024).representative
    assert [(r.leader, r.level, r.kind, r.article_title) for r in rows] == [
        ("国家领导甲", "国家级", "肯定性批示", "深圳五大举措厚植新质生产力"),
        ("省领导乙", "省部级", "落实性批示", "深圳五大举措厚植新质生产力"),
    ]
    assert rows[0].follow_up_department == "市发改委"


def test_a_counted_instruction_needs_an_article_and_a_level(fixture):
    issue = fixture["a"].issue
    bare = Instruction(issue=issue, leader_name="某领导", kind=K.AFFIRMATIVE, level=L.MUNICIPAL,
                       date=datetime.date(2024, 1, 2), text="好。")  # fmt: skip
    with pytest.raises(ValidationError) as excinfo:
        bare.full_clean()
    assert "须注明所批示的文章" in str(excinfo.value)
    bare.article, bare.level = fixture["a"], ""
    with pytest.raises(ValidationError) as excinfo:
        bare.full_clean()
    assert "须注明领导级别" in str(excinfo.value)
    circled = Instruction(issue=issue, leader_name="某领导", kind=K.CIRCLED, date=datetime.date(2024, 1, 2), text="阅")
    circled.full_clean()  # not counted: neither is required


def test_report_page_xlsx_and_pdf(fixture, client):
    """The admin page shows the figures and the charts; the XLSX holds the same figures; the PDF is
    a PDF whose text has the representative article."""
    client.force_login(role_user(roles.CIRCULATION, username="clerk-r"))
    url = reverse("admin:backcatalogue_impact_report")
    page = client.get(url, {"year": 2024})
    assert page.status_code == 200
    html = page.content.decode()
    assert '<td id="impact-counted">4</td>' in html and "<svg" in html and "新能源" in html
    xlsx = client.get(url, {"year": 2024, "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert [list(r) for r in book["汇总"].iter_rows(values_only=True)][:3] == [["年度", 2024], ["登记批示", 7],
                                                                              ["计入考核的批示", 4]]  # fmt: skip
    assert list(book["按级别"].iter_rows(values_only=True))[1:] == [("国家级", 1), ("省部级", 1), ("市厅级", 2)]
    assert list(book["代表性批示"].iter_rows(values_only=True))[1][4] == "深圳五大举措厚植新质生产力"
    pdf = client.get(url, {"year": 2024, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


def test_report_cells_that_look_like_formulas_are_escaped(fixture, client):
    # Set below the lock (the article's issue is released): the byline as a past import left it.
    Article.objects.filter(pk=fixture["a"].pk).update(byline="=HYPERLINK(\"http://x\")")
    client.force_login(role_user(roles.CIRCULATION, username="clerk-f"))
    xlsx = client.get(reverse("admin:backcatalogue_impact_report"), {"year": 2024, "format": "xlsx"})
    authors = [row[0] for row in openpyxl.load_workbook(io.BytesIO(xlsx.content))["按作者"].iter_rows(values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in authors


def test_report_needs_the_permission(fixture, client):
    """Staff without a role of the office (no view_impact_report) are refused."""
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="outsider"))
    assert client.get(reverse("admin:backcatalogue_impact_report")).status_code == 403
