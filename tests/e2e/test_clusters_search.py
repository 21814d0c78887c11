"""In a real browser, an editor searches the archive for 产业集群: issue 117 is found with the match
highlighted, and the result leads to the issue; the coverage page draws its chart."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_editor_searches_the_archive_and_opens_the_issue(e2e_demo, login, live_server):
    from briefs.models import Issue

    issue_117 = Issue.objects.get(total_number=117)
    page = login("editor")
    page.goto(live_server.url + "/clusters/search/")
    page.fill("input[name=q]", "产业集群")
    page.click(".zhiku-search-form input[type=submit]")
    page.wait_for_selector(".zhiku-search-results")
    assert "产业集群" in page.locator(".zhiku-search-results mark").first.inner_text()
    link = page.locator(".zhiku-search-title[href='/admin/briefs/issue/%s/change/']" % issue_117.pk)
    assert link.count() == 1
    link.click()
    page.wait_for_url("**/admin/briefs/issue/%s/change/" % issue_117.pk)

    page.goto(live_server.url + "/clusters/coverage/")
    assert page.locator(".zhiku-coverage-table").is_visible()
    assert page.locator(".zhiku-bar").count() == 28  # one bar per cluster and future industry
