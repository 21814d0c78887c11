"""Back catalogue: import 100 past issues of about five pages each (the target is under 60 s),
against python-docx merely opening the same files and reading their text, in the same run."""

import time

N = 100


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _files() -> list[tuple[str, bytes]]:
    from tests.backcatalogue.shapes import build_issue_docx

    shapes = ("paragraphs", "table", "textbox", "frame")
    return [
        (
            "%03d.docx" % n,
            build_issue_docx(
                number=n,
                total=1000 + n,
                masthead=shapes[n % 4],
                footer="table" if n % 2 else "paragraphs",
                extra_paragraphs=28,  # about 3,000 characters of body text: five printed pages
                table=True,
                picture=True,
                title="往期文章%d" % n,
            ),
        )
        for n in range(1, N + 1)
    ]


def _read_with_python_docx(files) -> int:
    import io

    from docx import Document

    characters = 0
    for _name, data in files:
        document = Document(io.BytesIO(data))
        characters += sum(len(p.text) for p in document.paragraphs)
        characters += sum(len(c.text) for t in document.tables for row in t.rows for c in row.cells)
    return characters


def main():
    import tempfile

    from django.test import override_settings

    from bench.db import bench_database

    files = _files()
    with bench_database(), tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        from django.contrib.auth import get_user_model

        from backcatalogue import services
        from briefs.models import Article, Series

        user = get_user_model().objects.create(username="bench", is_superuser=True, is_staff=True)
        Series.objects.create(name="领军参阅", slug="lingjun", publisher_lines="苏州太湖书院 主办")
        baseline, characters = _timed(lambda: _read_with_python_docx(files))

        def run():
            reports = []
            for done, (name, data) in enumerate(files, start=1):
                reports.append(services.issue_file_import(name=name, data=data, user=user))
                if done % 25 == 0:
                    print("  %d/%d imported" % (done, len(files)), flush=True)
            return reports

        seconds, reports = _timed(run)
        imported = sum(1 for r in reports if r.status == "imported")
        assert imported == N, [r.errors for r in reports if r.status != "imported"][:3]
        body = sum(len(a) for a in Article.objects.values_list("body", flat=True))
        print(
            "import %d past issues (%d KB of .docx, %d characters read, %d KB of article HTML): %.1f s "
            "(%.0f ms per file; target 60 s)"
            % (N, sum(len(d) for _n, d in files) // 1024, characters, body // 1024, seconds, 1000 * seconds / N)
        )
        print("baseline: python-docx opening the same files and reading their text: %.2f s" % baseline)
        print("ratio: %.1fx" % (seconds / baseline))
