"""A job's page in a real browser: the bar follows the job's progress, then the page turns into
the result page when the job ends."""

import pytest

from jobs.models import Job
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_progress_bar_follows_the_job_and_ends_on_the_result(transactional_db, live_server, page):
    user = UserFactory(username="ops", is_staff=True, is_superuser=True)
    user.set_password("zhiku-demo")
    user.save()
    job = Job.objects.create(kind="jobs.backup.backup_create", created_by=user, status=Job.Status.RUNNING,
                             progress_done=1, progress_total=4, message="正在导出数据库")
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", "zhiku-demo")
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")

    page.goto(live_server.url + job.get_absolute_url())
    assert page.locator("#job-progress").get_attribute("value") == "25"
    assert page.locator("#job-status").inner_text() == "运行中"

    Job.objects.filter(pk=job.pk).update(progress_done=3, message="已复制媒体文件 2 / 3 个")
    page.wait_for_function("() => document.getElementById('job-progress').value === 75")
    assert page.locator("#job-message").inner_text() == "已复制媒体文件 2 / 3 个"
    assert page.locator("#job-percent").inner_text() == "75%"

    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED, progress_done=4, message="备份已写入 /tmp/x",
                                         result_url="/admin/")
    page.wait_for_selector("text=打开结果")  # the page reloaded as the result page
    assert page.locator("#job-status").inner_text() == "成功"
    assert page.locator("#job-progress").get_attribute("value") == "100"
    assert page.locator(".zhiku-job").get_attribute("data-finished") == "1"
