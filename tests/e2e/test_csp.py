"""The site-wide Content-Security-Policy forbids inline script, and CKEditor 5 works under it:
the editor loads, takes typing and saves, and the browser reports no policy violation."""

import pytest

from briefs.models import Article, Issue
from tests.e2e.ckeditor import type_new_paragraph

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
    e.violatedDirective + ' ' + e.blockedURI));
"""


def test_ckeditor_works_under_the_policy_with_no_violation(e2e_demo, login, live_server):
    twin = Issue.objects.get(status=Issue.Status.DRAFT, articles__title="深圳五大举措厚植新质生产力")
    page = login("editor")
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    response = page.goto("%s/admin/briefs/issue/%s/change/" % (live_server.url, twin.pk))
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]

    type_new_paragraph(page, "内容安全策略下照常编辑。")
    violations = page.evaluate("window.__cspViolations")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    violations += page.evaluate("window.__cspViolations")

    assert "<p>内容安全策略下照常编辑。</p>" in Article.objects.get(issue=twin).body
    assert violations == []
    assert [text for text in console if "Content Security Policy" in text] == []


def test_an_inline_script_is_blocked(e2e_demo, login, live_server):
    """The policy is not decorative: a script injected inline into an admin page does not run."""
    page = login("editor")
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(live_server.url + "/admin/")
    ran = page.evaluate(
        """() => { window.__inlineRan = false;
                   const s = document.createElement('script');
                   s.textContent = 'window.__inlineRan = true';
                   document.body.appendChild(s);
                   return window.__inlineRan; }"""
    )
    assert ran is False
    assert any("Content Security Policy" in text for text in console)
