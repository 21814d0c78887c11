"""In a real browser, an editor searches the archive from the admin index the way people type
Chinese (no spaces): issue 117 is found once, highlighted, and leads to the issue; on the draft
twin's page the article form offers tag suggestions that can be accepted; the coverage page draws
its chart."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_editor_searches_from_the_index_and_opens_the_issue(e2e_demo, login, live_server):
    from briefs.models import Issue

    issue_117 = Issue.objects.get(total_number=117)
    page = login("editor")
    page.goto(live_server.url + "/admin/")
    page.fill(".zhiku-search-box input[name=q]", "深圳新质生产力")
    page.click(".zhiku-search-box input[type=submit]")
    page.wait_for_selector(".zhiku-search-results")
    assert page.locator(".zhiku-search-results > li").count() == 1  # the signed issue, not its draft twin
    marks = page.locator(".zhiku-search-results mark").all_inner_texts()
    assert {"深圳", "新质", "生产力"} <= set(marks)
    link = page.locator(".zhiku-search-title[href='/admin/briefs/issue/%s/change/']" % issue_117.pk)
    assert link.count() == 1
    link.click()
    page.wait_for_url("**/admin/briefs/issue/%s/change/" % issue_117.pk)
    assert page.locator(".zhiku-search-box").count() == 1

    page.goto(live_server.url + "/clusters/coverage/")
    assert page.locator(".zhiku-coverage-table").is_visible()
    assert page.locator(".zhiku-bar").count() == 28  # one bar per cluster and future industry
    assert page.locator("svg.zhiku-coverage-chart rect.zhiku-chart-bar").count() >= 1


def test_tag_suggestions_on_the_issue_page(e2e_demo, login, live_server):
    from briefs.models import Issue
    from clusters.models import ArticleCluster

    twin = Issue.objects.get(status=Issue.Status.DRAFT, articles__title__contains="新质生产力")
    article = twin.articles.get()
    ArticleCluster.objects.filter(article=article).delete()
    page = login("editor")
    page.goto(live_server.url + "/admin/briefs/issue/%s/change/" % twin.pk)
    box = page.locator(".zhiku-inline-suggestions")
    box.locator("input[type=checkbox]").first.wait_for()
    box.locator("input[type=checkbox]").first.check()
    box.locator(".zhiku-accept-suggestions").click()
    page.wait_for_function("() => document.querySelector('.zhiku-inline-suggestions').textContent.includes('已标注：')")
    assert ArticleCluster.objects.filter(article=article).count() == 1
