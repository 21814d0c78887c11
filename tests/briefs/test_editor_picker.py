"""A retired editor (``is_active`` off) is not offered when choosing an issue's responsible editor
(zhiku.admin_mixins.ActiveChoicesAdminMixin); the editors list and the issues that name them keep
showing them."""

import pytest

from tests.factories import EditorFactory, IssueFactory, role_user
from zhiku import roles

pytestmark = pytest.mark.django_db
PICKER = {"app_label": "briefs", "model_name": "issue", "field_name": "responsible_editor", "term": "编辑"}


def test_the_issue_pages_picker_offers_active_editors_only(client):
    active = EditorFactory(name="编辑甲")
    EditorFactory(name="编辑乙", is_active=False)
    client.force_login(role_user(roles.EDITOR))
    response = client.get("/admin/autocomplete/", PICKER)
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(active.pk)]


def test_the_editors_list_and_an_issue_still_show_a_retired_editor(client):
    retired = EditorFactory(name="编辑乙", is_active=False)
    issue = IssueFactory(responsible_editor=retired)
    client.force_login(role_user(roles.EDITOR))
    listed = client.get("/admin/briefs/editor/", {"q": "编辑乙"})
    assert [e.pk for e in listed.context["cl"].result_list] == [retired.pk]
    page = client.get(f"/admin/briefs/issue/{issue.pk}/change/")
    assert page.status_code == 200
    assert page.context["adminform"].form.initial["responsible_editor"] == retired.pk
    assert f'<option value="{retired.pk}" selected>编辑乙</option>' in page.content.decode()
