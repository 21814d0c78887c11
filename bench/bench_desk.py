"""The issue desk page for issue 117: cold (the page-break layout computed) and warm (taken from
the cache), each against the print preview of the same issue measured in the same run — the
desk shows that same HTML plus the panel, so the ratio is what the panel and the page breaks add.
"""

import io
import statistics
import time

from bench.db import bench_database

ROUNDS = 5


def _times(fn, rounds=ROUNDS, before=None):
    times = []
    for _ in range(rounds):
        if before:
            before()
        start = time.perf_counter()
        response = fn()
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return min(times), statistics.median(times)


def cold_and_warm_against_preview(issue, page: str, labels: tuple[str, str, str]) -> None:
    """Time the issue's page named ``page`` cold (the cache emptied before each request) and warm
    against its print preview in the same run, as the reviewer, and print the three lines with
    their ratios."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(get_user_model().objects.get(username="reviewer"))
    preview = reverse("briefs:issue_preview", args=[issue.pk])
    page = reverse(page, args=[issue.pk])

    client.get(page)  # warm: fonts, templates
    base_best, base_median = _times(lambda: client.get(preview))
    cold_best, cold_median = _times(lambda: client.get(page), before=cache.clear)
    warm_best, warm_median = _times(lambda: client.get(page))
    width = max(len(label) for label in labels)
    print(f"{labels[0]:<{width}}  {base_best * 1000:7.1f} ms (median {base_median * 1000:.1f})", flush=True)
    for label, best, median in ((labels[1], cold_best, cold_median), (labels[2], warm_best, warm_median)):
        print(
            f"{label:<{width}}  {best * 1000:7.1f} ms (median {median * 1000:.1f})  ratio {best / base_best:.1f}×",
            flush=True,
        )
    print(f"{'cold ÷ warm':<{width}}  {cold_best / warm_best:.0f}×", flush=True)


def main():
    from django.core.management import call_command
    from django.test.utils import override_settings

    from briefs.models import Issue

    with bench_database(), override_settings(DEBUG=True, ALLOWED_HOSTS=["*"]):
        call_command("load_demo", stdout=io.StringIO())
        issue = Issue.objects.get(total_number=117)
        cold_and_warm_against_preview(
            issue, "briefs:issue_desk", ("print preview (baseline)", "desk, cold (page layout)", "desk, warm (cached)")
        )
