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


def main():
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from briefs.models import Issue

    with bench_database(), override_settings(DEBUG=True, ALLOWED_HOSTS=["*"]):
        call_command("load_demo", stdout=io.StringIO())
        issue = Issue.objects.get(total_number=117)
        client = Client()
        client.force_login(get_user_model().objects.get(username="reviewer"))
        preview = reverse("briefs:issue_preview", args=[issue.pk])
        desk = reverse("briefs:issue_desk", args=[issue.pk])
        client.get(desk)  # warm: fonts, templates
        base_best, base_median = _times(lambda: client.get(preview))
        cold_best, cold_median = _times(lambda: client.get(desk), before=cache.clear)
        warm_best, warm_median = _times(lambda: client.get(desk))
        print(f"print preview (baseline)  {base_best * 1000:7.1f} ms (median {base_median * 1000:.1f})", flush=True)
        print(
            f"desk, cold (page layout)  {cold_best * 1000:7.1f} ms (median {cold_median * 1000:.1f})  "
            f"ratio {cold_best / base_best:.1f}×",
            flush=True,
        )
        print(
            f"desk, warm (cached)       {warm_best * 1000:7.1f} ms (median {warm_median * 1000:.1f})  "
            f"ratio {warm_best / base_best:.1f}×",
            flush=True,
        )
