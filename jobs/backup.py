"""Backups: the database (pg_dump custom format, or a SQLite online copy), the media folder and a
manifest with the SHA-256 of every file and the row count of every table, all taken from one
consistent view of the database; and the way back (restore, after checking every hash).

A backup is a folder ``zhiku-YYYYMMDD-HHMMSS`` under BACKUP_ROOT:
    manifest.json        what is in it: engine, files with sizes and hashes, table row counts
    database.dump        PostgreSQL (pg_restore reads it), or database.sqlite3 for SQLite
    media/...            a copy of MEDIA_ROOT
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

MANIFEST = "manifest.json"
PG_DUMP_NAME, SQLITE_NAME = "database.dump", "database.sqlite3"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""


@dataclass(frozen=True)
class Target:
    """A database to dump from or restore into, as the tools need it."""

    engine: str  # "postgresql" or "sqlite"
    settings_dict: dict

    @classmethod
    def from_url(cls, url: str) -> "Target":
        parsed = dj_database_url.parse(url)
        return cls.from_settings(parsed)

    @classmethod
    def from_settings(cls, settings_dict: dict) -> "Target":
        engine = settings_dict["ENGINE"].rsplit(".", 1)[-1]
        if engine not in ("postgresql", "sqlite3"):
            raise BackupError(_("Backups support PostgreSQL and SQLite, not %(engine)s.") % {"engine": engine})
        return cls("sqlite" if engine == "sqlite3" else "postgresql", dict(settings_dict))

    def pg_env(self) -> dict:
        s = self.settings_dict
        env = {**os.environ, "PGDATABASE": str(s["NAME"]), "PGHOST": s.get("HOST") or "127.0.0.1"}
        env.update({k: str(v) for k, v in (("PGPORT", s.get("PORT")), ("PGUSER", s.get("USER")),
                                            ("PGPASSWORD", s.get("PASSWORD"))) if v})
        return env

    def pg_conninfo(self) -> str:
        from psycopg.conninfo import make_conninfo

        env = self.pg_env()
        parts = {"dbname": env["PGDATABASE"], "host": env["PGHOST"], "port": env.get("PGPORT"),
                 "user": env.get("PGUSER"), "password": env.get("PGPASSWORD")}
        return make_conninfo(**{k: v for k, v in parts.items() if v})


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _run(command: list[str], env: dict | None = None) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s") % {"tool": command[0], "error": result.stderr.strip()[-2000:]}
        )


# --- counting rows -------------------------------------------------------------------------------

PG_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
# Virtual tables are left out: the search index (a contentless FTS5 table) cannot be scanned, and
# its rows live in its shadow tables (``clusters_searchterms_data``, ``_idx``, ...), which are
# ordinary tables and so are counted — the online backup copies them page for page.
SQLITE_TABLES = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
    "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
)


def _count_rows(cursor, tables_sql: str, quote) -> dict[str, int]:
    cursor.execute(tables_sql)
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute("SELECT COUNT(*) FROM %s" % quote(table))  # names come from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_quote(name: str) -> str:
    return '"%s"' % name.replace('"', '""')


def sqlite_row_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        return _count_rows(conn.cursor(), SQLITE_TABLES, _pg_quote)


def pg_row_counts(target: Target) -> dict[str, int]:
    import psycopg

    with psycopg.connect(target.pg_conninfo()) as conn:
        return _count_rows(conn.cursor(), PG_TABLES, _pg_quote)


# --- backing up ----------------------------------------------------------------------------------


def _dump_postgresql(target: Target, folder: Path) -> dict[str, int]:
    """pg_dump and the row counts from one snapshot, so the manifest describes exactly the dump."""
    import psycopg

    with psycopg.connect(target.pg_conninfo()) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with conn.transaction():
            cursor = conn.cursor()
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count_rows(cursor, PG_TABLES, _pg_quote)
            _run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-acl", "--snapshot=%s" % snapshot,
                 "--file=%s" % (folder / PG_DUMP_NAME)],
                env=target.pg_env(),
            )
    return counts


def _dump_sqlite(target: Target, folder: Path) -> dict[str, int]:
    """SQLite's online backup: a consistent copy even while the site writes."""
    destination = folder / SQLITE_NAME
    with closing(sqlite3.connect(target.settings_dict["NAME"])) as source, closing(sqlite3.connect(destination)) as copy:
        source.backup(copy)
    return sqlite_row_counts(destination)


def _copy_media(source: Path, destination: Path, progress=None) -> dict[str, dict]:
    files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else []
    listed = {}
    for index, path in enumerate(files, start=1):
        relative = path.relative_to(source).as_posix()
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        listed["media/" + relative] = {"size": target.stat().st_size, "sha256": sha256_of(target)}
        if progress and (index % 50 == 0 or index == len(files)):
            progress(index, len(files) + 1, _("Copied %(done)d of %(total)d media files") % {"done": index, "total": len(files)})
    return listed


def backup_create(*, root: Path | None = None, keep: int | None = None, progress=None) -> dict:
    """Make one backup folder; return ``{"folder", "tables", "files"}``. ``keep`` prunes older ones."""
    root = Path(root or settings.BACKUP_ROOT)
    folder = root / timezone.now().strftime("zhiku-%Y%m%d-%H%M%S-%f")
    (folder / "media").mkdir(parents=True)
    target = Target.from_settings(connection.settings_dict)
    if progress:
        progress(0, 1, _("Dumping the database"))
    counts = _dump_postgresql(target, folder) if target.engine == "postgresql" else _dump_sqlite(target, folder)
    database_file = PG_DUMP_NAME if target.engine == "postgresql" else SQLITE_NAME
    files = {database_file: {"size": (folder / database_file).stat().st_size, "sha256": sha256_of(folder / database_file)}}
    files.update(_copy_media(Path(settings.MEDIA_ROOT), folder / "media", progress))
    manifest = {
        "format": 1,
        "created_at": timezone.now().isoformat(),
        "engine": target.engine,
        "database_file": database_file,
        "tables": counts,
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    if keep:
        backups_prune(root=root, keep=keep)
    if progress:
        progress(1, 1, _("Backup written to %(folder)s: %(tables)d tables, %(files)d files.")
                 % {"folder": folder, "tables": len(counts), "files": len(files)})
    return {"folder": str(folder), "tables": len(counts), "files": len(files)}


def backups_prune(*, root: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` complete backups under ``root``."""
    complete = sorted(p for p in Path(root).glob("zhiku-*") if (p / MANIFEST).is_file())
    doomed = complete[:-keep] if keep > 0 else []
    for path in doomed:
        shutil.rmtree(path)
    return doomed


# --- restoring -----------------------------------------------------------------------------------


def backup_verify(folder: Path) -> dict:
    """The manifest, once every file it lists is present with its size and SHA-256."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(_("%(folder)s is not a backup: %(error)s") % {"folder": folder, "error": exc}) from exc
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise BackupError(_("The backup is incomplete: %(name)s is missing.") % {"name": name})
        if sha256_of(path) != expected["sha256"]:
            raise BackupError(_("The backup is damaged: %(name)s does not match its SHA-256.") % {"name": name})
    return manifest


def backup_restore(*, folder: Path, database_url: str | None = None, media_root: Path | None = None) -> dict:
    """Restore a verified backup into ``database_url`` (default: this site's database) and
    ``media_root`` (default: MEDIA_ROOT); return the row counts found afterwards, per table.

    Raises BackupError when a hash does not match, the engines differ, or the counts disagree.
    """
    folder = Path(folder)
    manifest = backup_verify(folder)
    target = Target.from_url(database_url) if database_url else Target.from_settings(connection.settings_dict)
    if target.engine != manifest["engine"]:
        raise BackupError(
            _("This backup is of a %(backup)s database; it cannot be restored into %(target)s.")
            % {"backup": manifest["engine"], "target": target.engine}
        )
    if not database_url:
        connections.close_all()  # no connection of ours may hold the tables being replaced
    if target.engine == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl", "--exit-on-error",
              "--dbname=%s" % target.settings_dict["NAME"], str(folder / PG_DUMP_NAME)], env=target.pg_env())
        counts = pg_row_counts(target)
    else:
        destination = Path(target.settings_dict["NAME"])
        for suffix in ("-wal", "-shm"):
            Path(str(destination) + suffix).unlink(missing_ok=True)
        shutil.copyfile(folder / SQLITE_NAME, destination)
        counts = sqlite_row_counts(destination)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    for name in manifest["files"]:
        if name.startswith("media/"):
            destination = media_root / name.removeprefix("media/")
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / name, destination)
    differing = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if differing:
        table, (expected, found) = sorted(differing.items())[0]
        raise BackupError(
            _("Restored table %(table)s has %(found)s rows, the backup says %(expected)s.")
            % {"table": table, "found": found, "expected": expected}
        )
    return counts
