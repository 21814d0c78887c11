"""A draft's PDF download (the twin of issue 117, in the request as without a broker): cold (rendered,
then cached by the document's hash) and warm (served from the cache), against the print preview of
the same draft measured in the same run — the preview builds the same document, so the warm ratio is
what hashing it and reading the cache add.
"""

import io

from bench.bench_desk import cold_and_warm_against_preview
from bench.db import bench_database


def main():
    from django.core.management import call_command
    from django.test.utils import override_settings

    from briefs.models import Issue

    with bench_database(), override_settings(DEBUG=True, ALLOWED_HOSTS=["*"], CELERY_BROKER_URL=""):
        call_command("load_demo", stdout=io.StringIO())
        draft = Issue.objects.filter(status=Issue.Status.DRAFT, articles__title="深圳五大举措厚植新质生产力").first()
        cold_and_warm_against_preview(
            draft, "briefs:issue_pdf", ("draft print preview (baseline)", "draft PDF, cold (rendered)", "draft PDF, warm (cached)")
        )
