"""`make bench-load`: the pages people wait on, under load, against the login page as baseline.

Starts Redis and gunicorn (5 sync workers, production settings) on 127.0.0.1 on a scratch
PostgreSQL database, seeds the demo plus BENCH_LOAD_ISSUES issues (2 articles each), then runs wrk
(16 connections, BENCH_LOAD_SECONDS per page) against each page in turn and prints requests per
second, p50 and p99 latency, and p50 as a multiple of the login page's. Also prints each page's
query count, its size and its CPU time per request, measured in-process after warm-up (Django's
test client, same settings and data), which tells where a slow page's time goes — and, for the
issue page, whose rendered parts are kept until a write (briefs/issue_page.py), the CPU of its
first view after a write. Ends with issue 14's targets: met or not. Everything started here is
stopped at the end.

    python -m bench.load            # the whole run
Environment: BENCH_PG_URL (postgres://postgres@127.0.0.1:5432), BENCH_LOAD_SECONDS (10),
BENCH_LOAD_ISSUES (10000), BENCH_LOAD_CONNECTIONS (16), BENCH_PORT_BASE (18200),
BENCH_LOAD_PAGES (all; e.g. 3 for the login page, the admin index and the issue page only, when
iterating on those).
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "10"))
ISSUES = int(os.environ.get("BENCH_LOAD_ISSUES", "10000"))
CONNECTIONS = int(os.environ.get("BENCH_LOAD_CONNECTIONS", "16"))
PORT_BASE = int(os.environ.get("BENCH_PORT_BASE", "18200"))
PAGES = int(os.environ.get("BENCH_LOAD_PAGES", "0"))  # 0: every page
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB = "zhiku_bench_load_%d" % os.getpid()
APP_PORT, REDIS_PORT = PORT_BASE + 1, PORT_BASE + 79
TARGET_RATIO = 3.0
CPU_RUNS, CPU_REQUESTS = 5, 10


# --- inside the scratch database (run as subprocesses with the bench environment) ---------------------


def seed() -> None:
    """Bulk issues and articles beside the demo, then the search index."""
    import django

    django.setup()
    from datetime import date

    from briefs import demo_content
    from briefs.models import Article, Issue, Series
    from clusters.services import search_index_rebuild

    series = Series.objects.create(name="决策参考", slug="bench-load", publisher_lines="苏州太湖智库")
    paragraphs = ["<p>%s</p>" % block for _kind, block in demo_content.ARTICLE_BLOCKS][:12]
    issues = []
    for i in range(ISSUES):
        year = 2000 + i * 25 // max(ISSUES, 1)
        issues.append(Issue(series=series, year=year, number=i + 1, total_number=i + 1,
                            issue_date=date(year, 1 + i % 12, 1 + i % 28), status=Issue.Status.RELEASED))
    issues = Issue.objects.bulk_create(issues, batch_size=2000)
    articles = [
        Article(issue=issue, position=p, title="%s（%d）" % (demo_content.ARTICLE_TITLE, issue.total_number),
                body="".join(paragraphs[(issue.pk + p) % 6:][:6]))
        for issue in issues for p in (1, 2)
    ]
    Article.objects.bulk_create(articles, batch_size=2000)
    indexed = search_index_rebuild(batch_size=2000)
    print("seeded %d issues, %d articles, %d indexed" % (len(issues), len(articles), indexed), flush=True)


def pages() -> None:
    """The URLs to load, as JSON on stdout: (name, path, who)."""
    import django

    django.setup()
    from briefs.models import Issue

    signed = Issue.objects.exclude(series__slug="bench-load").get(total_number=117)
    draft = Issue.objects.filter(status=Issue.Status.DRAFT, articles__title="深圳五大举措厚植新质生产力").first()
    page_list = [
        ["login page (baseline)", "/admin/login/", None],
        ["admin index (editor)", "/admin/", "editor"],
        ["issue page (editor)", "/admin/briefs/issue/%d/change/" % draft.pk, "editor"],
        ["print preview", "/briefs/issues/%d/print/" % signed.pk, "editor"],
        ["signed issue PDF (archived)", "/briefs/issues/%d/pdf/" % signed.pk, "editor"],
        # The warm-up in queries() renders it into the shared cache (no broker: in-process), so
        # the load measures what every later download of the unchanged draft gets.
        ["draft PDF (from the cache)", "/briefs/issues/%d/pdf/" % draft.pk, "editor"],
        # The archive search page, a word in most articles, repeated: the ranked ids, count and
        # facets from the cache (clusters/search_cache.py), after the warm-up's first search.
        ["archive search 产业 (repeated)", "/clusters/search/?q=%E4%BA%A7%E4%B8%9A", "editor"],
        # The article list's search box, a word in no article: besides the archive search's ids,
        # Django's own title/byline icontains, a scan of the articles in the database.
        ["article list search 芯片 (0 hits)", "/admin/briefs/article/?q=%E8%8A%AF%E7%89%87", "editor"],
    ]
    print(json.dumps(page_list[:PAGES] if PAGES else page_list))


def queries(page_list: str) -> None:
    """Each page's query count (once) and CPU milliseconds per request (the median of CPU_RUNS runs of
    CPU_REQUESTS requests), in-process through Django's test client, after warm-up."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, path, who in json.loads(page_list):
        client = Client()
        if who:
            client.force_login(get_user_model().objects.get(username=who))
        for _warm_up in range(3):  # caches and connections warm, as in the load run
            started = time.process_time()
            client.get(path, secure=True)
            one = time.process_time() - started
        # Slow pages (a PDF rendered in the request) get fewer requests a run: about half a second each.
        requests = max(1, min(CPU_REQUESTS, int(0.5 / max(one, 1e-3))))
        runs_wanted = CPU_RUNS if requests > 1 else 3
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path, secure=True).status_code
        query_count = len(captured)  # now: every request starts by emptying Django's query log
        runs = []
        for _run in range(runs_wanted):
            started = time.process_time()
            for _request in range(requests):
                client.get(path, secure=True)
            runs.append((time.process_time() - started) * 1000 / requests)
        counts[name] = [query_count, status, sorted(runs)[len(runs) // 2], len(client.get(path, secure=True).content)]
        if name.startswith("issue page"):
            counts[name + ", first view after a write"] = _issue_page_after_a_write(client, path)
    print(json.dumps(counts))


def _issue_page_after_a_write(client, path: str) -> float:
    """CPU ms of the issue page rendered in full, as after any write it shows (the kept parts of
    briefs.issue_page forgotten before each request): the median of CPU_RUNS runs."""
    from briefs import issue_page

    runs = []
    for _run in range(CPU_RUNS):
        spent = 0.0
        for _request in range(CPU_REQUESTS):
            issue_page.invalidate()
            started = time.process_time()
            client.get(path, secure=True)
            spent += time.process_time() - started
        runs.append(spent * 1000 / CPU_REQUESTS)
    return sorted(runs)[len(runs) // 2]


# --- the orchestration -------------------------------------------------------------------------------


def _wrk(url: str, cookie: str | None) -> dict:
    command = ["wrk", "-t2", "-c%d" % CONNECTIONS, "-d%ds" % SECONDS, "--latency", "--timeout", "30s",
               "-H", "X-Forwarded-Proto: https", "-H", "Accept-Language: zh-hans"]
    if cookie:
        command += ["-H", "Cookie: " + cookie]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout

    def ms(label):
        match = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\s*$" % re.escape(label), out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", out)
    if not re.search(r"^\s*50%", out, re.M):  # not one request finished in the time given
        return {"rps": 0.0, "p50": float("nan"), "p99": float("nan"), "requests": 0, "errors": 0,
                "timeouts": int(timeouts.group(1)) if timeouts else CONNECTIONS}
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50%"),
        "p99": ms("99%"),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": int(non2xx.group(1)) if non2xx else 0,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
    }


def _wait(url: str, seconds: int = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("no answer from %s" % url)
        time.sleep(0.5)


def main() -> int:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: sudo apt-get install -y wrk")
    sys.path.insert(0, str(ROOT))
    from deploy.smoke.client import Person

    tmp = Path(tempfile.mkdtemp(prefix="zhiku-bench-load-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "%s/%s" % (PG_URL, DB),
        "REDIS_URL": "redis://127.0.0.1:%d/0" % REDIS_PORT,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "MEDIA_ROOT": str(tmp / "media"),
        "STATIC_ROOT": str(tmp / "static"),
        "BENCH_LOAD_ISSUES": str(ISSUES),
        "PYTHONPATH": str(ROOT),
    }
    processes = []

    def start(command, log):
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=open(tmp / log, "w"),
                                          stderr=subprocess.STDOUT, start_new_session=True))

    def run(*args, extra_env=None):
        result = subprocess.run([PY, *args], cwd=ROOT, env={**env, **(extra_env or {})},
                                capture_output=True, text=True)
        if result.returncode:
            raise SystemExit("%s failed:\n%s" % (" ".join(args), result.stderr[-3000:]))
        return result.stdout

    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    try:
        start(["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
              "redis.log")
        started = time.perf_counter()
        run("manage.py", "migrate", "--noinput", "-v", "0")
        run("manage.py", "load_demo", extra_env={"DJANGO_SETTINGS_MODULE": "zhiku.settings.dev", "DEBUG": "1"})
        print(run("-m", "bench.load", "seed").strip(), "in %.0f s" % (time.perf_counter() - started), flush=True)
        page_list = run("-m", "bench.load", "pages").strip().splitlines()[-1]
        counts = json.loads(run("-m", "bench.load", "queries", page_list).strip().splitlines()[-1])
        start([str(Path(PY).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "--bind",
               "127.0.0.1:%d" % APP_PORT, "--workers", "5"], "gunicorn.log")
        base = "http://127.0.0.1:%d" % APP_PORT
        _wait(base + "/healthz")
        people = {}
        rows = []
        for name, path, who in json.loads(page_list):
            cookie = None
            if who:
                if who not in people:
                    people[who] = Person(who)
                    people[who].login(base)
                cookie = "; ".join("%s=%s" % kv for kv in people[who].cookies.items())
                status = people[who].get(base, path)[0]
            else:
                status = Person("anonymous").get(base, path)[0]
            if status != 200:
                raise SystemExit("%s answered %s" % (path, status))
            rows.append((name, _wrk(base + path, cookie)))
            print("measured %s" % name, flush=True)
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)
        subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", DB], check=False)
        shutil.rmtree(tmp, ignore_errors=True)

    baseline = rows[0][1]["p50"]
    print()
    print("gunicorn 5 sync workers, PostgreSQL, Redis; wrk %d connections, %d s per page, 127.0.0.1; %d issues"
          % (CONNECTIONS, SECONDS, ISSUES + 2))
    login_cpu = counts.get(rows[0][0], [None, None, float("nan")])[2]
    print("%-36s %7s %8s %8s %11s %7s %11s %9s %7s %6s %8s" % (
        "page", "req/s", "p50 ms", "p99 ms", "p50 / login", "queries", "CPU ms/req", "CPU/login", "KB",
        "errors", "timeouts"))
    for name, figures in rows:
        queries_, _status, cpu_ms, size = counts.get(name, ["?", None, float("nan"), 0])
        print("%-36s %7.1f %8.1f %8.1f %10.1fx %7s %11.1f %8.1fx %7.0f %6d %8d" % (
            name, figures["rps"], figures["p50"], figures["p99"], figures["p50"] / baseline,
            queries_, cpu_ms, cpu_ms / login_cpu, size / 1024, figures["errors"], figures["timeouts"]))
    for name, cpu_ms in counts.items():
        if name.endswith("after a write"):
            print("%s (in-process only): CPU %.1f ms/req (%.1fx the login page's)" % (name, cpu_ms, cpu_ms / login_cpu))
    slow = [name for name, f in rows[1:3] if f["p50"] / baseline > TARGET_RATIO]
    print("target: admin index and issue page p50 within %.0fx of the login page: %s"
          % (TARGET_RATIO, "met" if not slow else "NOT met (" + ", ".join(slow) + ")"))
    for prefix, label, limit_ms, percentile in (
        ("draft PDF", "draft PDF p50 under 1 s", 1000, "p50"),
        ("archive search", "archive search p99 under 300 ms", 300, "p99"),
    ):
        for name, figures in rows:
            if name.startswith(prefix):
                print("target: %s: %s (%.0f ms)" % (label, "met" if figures[percentile] < limit_ms else "NOT met",
                                                    figures[percentile]))
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "seed":
        seed()
    elif command == "pages":
        pages()
    elif command == "queries":
        queries(sys.argv[2])
    else:
        sys.exit(main())
