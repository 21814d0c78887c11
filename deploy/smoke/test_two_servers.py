"""Two app servers behind one site share PostgreSQL, Redis and media: a person logged in on one is
logged in on the other, what one signs the other shows, and a stale edit made on one after a
save on the other is refused. Run by scripts/deploy_smoke.sh against live servers."""

import os
import re
import time

import pytest
from client import Person

A, B = os.environ["SMOKE_APP_A"], os.environ["SMOKE_APP_B"]
ISSUE, ARTICLE = int(os.environ["SMOKE_ISSUE_ID"]), int(os.environ["SMOKE_ARTICLE_ID"])
ISSUE_PAGE = "/admin/briefs/issue/%d/change/" % ISSUE
ARTICLE_PAGE = "/admin/briefs/article/%d/change/" % ARTICLE
CONFIRMED = {"sign_off", "revoke_sign_off", "release"}


@pytest.fixture(scope="module")
def people():
    logged_in = {}
    for name, server in (("editor", A), ("chief", B), ("reviewer", A), ("leader", B), ("admin", A)):
        person = Person(name)
        person.login(server)
        logged_in[name] = person
    return logged_in


def test_a_session_made_on_one_server_is_valid_on_the_other(people):
    for person in people.values():
        for server in (A, B):
            status, _, page = person.get(server, "/admin/")
            assert status == 200, (person.username, server, status)
            assert 'id="logout-form"' in page


def test_a_stale_edit_across_servers_is_refused(people):
    editor = people["editor"]
    on_a = editor.form(A, ARTICLE_PAGE, "article_form")
    on_b = editor.form(B, ARTICLE_PAGE, "article_form")

    def save(server, form, title):
        data = [(k, title if k == "title" else v) for k, v in form.fields] + [("_save", "1")]
        return editor.request(server, "POST", ARTICLE_PAGE, data)

    status, _, _ = save(A, on_a, "两台服务器：先保存的")
    assert status == 302
    status, headers, _ = save(B, on_b, "两台服务器：过时的")
    # Refused through briefs.services: back to the page with the reason, nothing saved.
    assert status == 302
    _, _, page = editor.get(B, ARTICLE_PAGE)
    assert 'class="error"' in page
    fresh = dict(editor.form(B, ARTICLE_PAGE, "article_form").fields)
    assert fresh["title"] == "两台服务器：先保存的"


def _act(person, server, action):
    form = person.form(server, ISSUE_PAGE, "issue_form")
    button = next((b for b in form.buttons if b.get("value") == action), None)
    assert button is not None, (person.username, action, [b.get("value") for b in form.buttons])
    fields = dict(form.fields)
    data = {k: fields.get(k, "") for k in ("csrfmiddlewaretoken", "wf_status", "wf_stage")}
    data.update(wf_action=action, wf_comment="两台服务器的冒烟测试")
    url = button["formaction"]
    if action in CONFIRMED:
        # 签发 asks for a confirmation naming the issue: answer it on the desk, as a leader would.
        url = "/briefs/issues/%d/desk/action/" % ISSUE
        data.update(opinion="同意", confirmed="1")
    status, headers, _ = person.request(server, "POST", url, data)
    assert status == 302, (person.username, action, status)


def _state(person, server) -> tuple[str, str]:
    """The status and the review stage the issue page shows."""
    _, _, page = person.get(server, ISSUE_PAGE)
    stage = re.search(r'id="workflow-stage">([^<]+)<', page)
    return re.search(r'id="workflow-status">([^<]+)<', page).group(1), stage.group(1) if stage else ""


def test_the_workflow_moves_across_both_servers(people):
    """Each step on one server, checked on the other; the sign-off on B is seen signed on A, and the
    Celery worker archives its PDF."""
    steps = [("editor", A, "submit"), ("chief", B, "approve"), ("reviewer", A, "approve"), ("leader", B, "sign_off")]
    for name, server, action in steps:
        other = A if server == B else B
        before = _state(people["editor"], other)
        _act(people[name], server, action)
        after = _state(people["editor"], other)
        assert after != before, (name, action, after)
    assert _state(people["editor"], A) == ("已签发", "")
    _, _, page = people["editor"].get(A, ISSUE_PAGE)
    assert re.search(r"总第\s*\d+\s*期", page)

    deadline = time.monotonic() + 60
    while True:
        _, _, jobs = people["admin"].get(A, "/admin/jobs/job/?status=succeeded")
        if "归档签发 PDF" in jobs:
            break
        assert time.monotonic() < deadline, "the archive job did not finish on the worker"
        time.sleep(1)
    status, headers, _ = people["leader"].get(B, "/briefs/issues/%d/pdf/" % ISSUE)
    assert status == 200 and headers["Content-Type"] == "application/pdf"
