"""manage.py backup / restore: a fresh database gets the same rows, the media folder the same
files (by SHA-256); a damaged backup is refused before anything is replaced. Runs on the engine
the suite runs on: pg_dump/pg_restore on PostgreSQL, SQLite's online backup on SQLite."""

import hashlib
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from briefs.models import Article, Issue
from jobs.backup import BackupError, backup_restore
from tests.factories import ArticleFactory, IssueFactory

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads committed rows only


def _hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of an empty database of the suite's engine, dropped afterwards."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        yield "sqlite:///%s" % (tmp_path / "restored.sqlite3")
        return
    name = "%s_restore" % settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute('DROP DATABASE IF EXISTS "%s"' % name)
        cursor.execute('CREATE DATABASE "%s"' % name)
    auth = settings_dict["USER"] + (":" + settings_dict["PASSWORD"] if settings_dict.get("PASSWORD") else "")
    yield "postgres://%s@%s:%s/%s" % (auth, settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432, name)
    with connection.cursor() as cursor:
        cursor.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)


@pytest.fixture
def site(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    media = Path(settings.MEDIA_ROOT)
    (media / "archive" / "2024").mkdir(parents=True)
    (media / "archive" / "2024" / "lingjun-2024-117.pdf").write_bytes(b"%PDF-1.7 signed issue 117")
    (media / "richtext" / "图片.png").parent.mkdir(parents=True)
    (media / "richtext" / "图片.png").write_bytes(b"\x89PNG fake image bytes")
    for _ in range(3):
        ArticleFactory.create_batch(2, issue=IssueFactory())
    return media


def _backup(tmp_path) -> Path:
    out = StringIO()
    call_command("backup", "--output", str(tmp_path / "backups"), stdout=out)
    return Path(out.getvalue().strip().splitlines()[-1])


def test_backup_restores_into_a_fresh_database_with_the_same_rows_and_files(site, tmp_path, fresh_database):
    folder = _backup(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == ("sqlite" if connection.vendor == "sqlite" else "postgresql")
    assert manifest["tables"]["briefs_issue"] == Issue.objects.count() == 3
    assert manifest["tables"]["briefs_article"] == Article.objects.count() == 6
    assert manifest["files"]["media/richtext/图片.png"]["sha256"] == hashlib.sha256(b"\x89PNG fake image bytes").hexdigest()

    restored_media = tmp_path / "restored-media"
    out = StringIO()
    call_command("restore", str(folder), "--database-url", fresh_database, "--media-root", str(restored_media), stdout=out)
    assert "行数与备份一致" in out.getvalue()

    # Counted again here, in the restored database, independently of the command.
    if connection.vendor == "sqlite":
        import sqlite3

        with sqlite3.connect(fresh_database.removeprefix("sqlite:///")) as db:
            restored = {t: db.execute('SELECT COUNT(*) FROM "%s"' % t).fetchone()[0] for t in manifest["tables"]}
    else:
        import psycopg

        with psycopg.connect(fresh_database.replace("postgres://", "postgresql://")) as db:
            restored = {t: db.execute('SELECT COUNT(*) FROM "%s"' % t).fetchone()[0] for t in manifest["tables"]}
    assert restored == manifest["tables"]
    assert restored["briefs_article"] == 6 and restored["django_migrations"] > 10
    assert _hashes(restored_media) == _hashes(site)


def test_a_damaged_backup_is_refused_before_anything_is_replaced(site, tmp_path, fresh_database):
    folder = _backup(tmp_path)
    (folder / "media" / "archive" / "2024" / "lingjun-2024-117.pdf").write_bytes(b"%PDF-1.7 tampered")
    restored_media = tmp_path / "restored-media"
    with pytest.raises(BackupError, match="与其 SHA-256 不符"):
        backup_restore(folder=folder, database_url=fresh_database, media_root=restored_media)
    assert not restored_media.exists()


def test_restore_into_the_site_database_asks_for_confirmation(site, tmp_path):
    folder = _backup(tmp_path)
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(folder))


def test_keep_prunes_older_backups(site, tmp_path):
    for _ in range(3):
        call_command("backup", "--output", str(tmp_path / "backups"), "--keep", "2", stdout=StringIO())
    assert len(list((tmp_path / "backups").glob("zhiku-*"))) == 2


def test_superuser_starts_a_backup_from_the_admin_and_lands_on_its_job_page(site, tmp_path, settings, client):
    """The button runs the backup as a job (in-process here) and shows its page with the result."""
    from django.urls import reverse

    from jobs.models import Job
    from tests.factories import UserFactory

    settings.BACKUP_ROOT = str(tmp_path / "from-admin")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert "立即备份" in client.get(reverse("admin:jobs_job_changelist")).content.decode()
    response = client.post(reverse("admin:jobs_job_backup"))
    job = Job.objects.get(kind="jobs.backup.backup_create")
    assert response["Location"] == reverse("admin:jobs_job_change", args=[job.pk])
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert Path(job.result["folder"]).parent == tmp_path / "from-admin"
    assert (Path(job.result["folder"]) / "manifest.json").is_file()
    assert job.message.startswith("备份已写入")
    page = client.get(response["Location"]).content.decode()
    assert "备份已写入" in page and "成功" in page


def test_staff_who_is_not_superuser_cannot_start_a_backup(site, client):
    from django.urls import reverse

    from jobs.models import Job
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    assert client.post(reverse("admin:jobs_job_backup")).status_code == 403
    assert not Job.objects.exists()


def test_the_restored_search_index_finds_what_the_site_finds(site, tmp_path, fresh_database):
    """The search index is not an ordinary table (an FTS5 table on SQLite, an expression index over
    SQL functions on PostgreSQL); it comes back with the rows and answers the same query."""
    article = ArticleFactory(issue=IssueFactory(), title="量子通信专题")
    folder = _backup(tmp_path)
    call_command("restore", str(folder), "--database-url", fresh_database,
                 "--media-root", str(tmp_path / "restored-media"), stdout=StringIO())
    if connection.vendor == "sqlite":
        import sqlite3

        # Only the rows of documents that exist: a test database flushed by earlier transactional
        # tests keeps FTS rows of deleted articles (flush empties Django's tables, not the FTS5 one).
        query = (
            "SELECT rowid FROM clusters_searchterms WHERE clusters_searchterms MATCH '\"量子\"' "
            "AND rowid IN (SELECT article_id FROM clusters_searchdocument)"
        )
        with connection.cursor() as cursor:
            cursor.execute(query)
            found_here = [row[0] for row in cursor.fetchall()]
        with sqlite3.connect(fresh_database.removeprefix("sqlite:///")) as db:
            found_there = [row[0] for row in db.execute(query)]
    else:
        import psycopg

        query = """SELECT id FROM briefs_article
                   WHERE clusters_search_vector(title, body) @@ '量子'::tsquery"""
        with connection.cursor() as cursor:
            cursor.execute(query)
            found_here = [row[0] for row in cursor.fetchall()]
        with psycopg.connect(fresh_database.replace("postgres://", "postgresql://")) as db:
            found_there = [row[0] for row in db.execute(query)]
    assert found_here == found_there == [article.pk]
