"""Fixtures of the issue desk tests: one person per role, a series with the default chain."""

import pytest

from briefs import workflow
from tests.factories import ArticleFactory, IssueFactory, SeriesFactory, role_user
from tests.test_admin_pages import site  # noqa: F401 - the demo with one row of every model, for the crawl
from zhiku import roles

ROLE_KEYS = [roles.EDITOR, roles.CHIEF_EDITOR, roles.REVIEWER, roles.SIGNER, roles.CIRCULATION, roles.ADMINISTRATOR]
# The shorthands the desk tests name the roles by: act(issue, people, "approve", C).
E, C, R, SG, CI, A = ROLE_KEYS


@pytest.fixture
def people(db):
    names = {
        roles.EDITOR: "李编辑",
        roles.CHIEF_EDITOR: "郭书颖",
        roles.REVIEWER: "王主任",
        roles.SIGNER: "张院长",
        roles.CIRCULATION: "赵发行",
        roles.ADMINISTRATOR: "钱管理",
    }
    # The whole Chinese name in first_name, as load_demo does: get_full_name() prints it as is.
    return {key: role_user(key, username=key, first_name=names[key]) for key in ROLE_KEYS}


@pytest.fixture
def series(db):
    series = SeriesFactory()
    workflow.review_chain_ensure(series=series)
    return series


@pytest.fixture
def issue(series, people):
    issue = IssueFactory(series=series, created_by=people[roles.EDITOR])
    ArticleFactory(
        issue=issue,
        title="深圳五大举措厚植新质生产力",
        body="<h2>举措一：前瞻布局产业集群</h2><p>深圳把发展<strong>战略性新兴产业</strong>作为重要抓手。</p>",
    )
    issue.refresh_from_db()
    return issue


def act(issue, people, action, role_key, comment=""):
    return workflow.issue_transition(issue=issue, action=action, user=people[role_key], comment=comment)
