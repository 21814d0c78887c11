"""Writes of clusters: the taxonomy, article tags, and the search documents.

Every write that a person makes takes the acting user and checks its permission here, whatever
the caller (admin, view, command). The system itself (migrations, load_demo, the search-index
maintenance) passes ``zhiku.actors.SYSTEM``; ``None`` is refused (zhiku/actors.py).
"""

from collections.abc import Iterable
from contextlib import contextmanager

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.utils.translation import gettext as _

from briefs.models import Article
from zhiku.actors import SYSTEM, SystemActor, as_user, require_actor

from . import search_cache, text
from .exceptions import ClusterInUse, ClustersPermissionDenied
from .models import ArticleCluster, Cluster, SearchDocument, SearchText, Taxonomy
from .taxonomy_data import (
    FUTURE_CATEGORY,
    SHENZHEN_8,
    SHENZHEN_20,
    SHENZHEN_DESCRIPTION,
    SHENZHEN_TAXONOMY,
)

User = AbstractBaseUser | AnonymousUser | SystemActor


def _require(user: User, *perms: str) -> None:
    require_actor(user)
    if not (user.is_active and user.has_perms(perms)):
        raise ClustersPermissionDenied(_("You do not have permission to do this."))


# --- taxonomy -----------------------------------------------------------------------------------


@transaction.atomic
def taxonomy_save(*, taxonomy: Taxonomy, user: User) -> Taxonomy:
    """Create or change a tree's root (an office's own taxonomy)."""
    _require(user, "clusters.change_taxonomy" if taxonomy.pk else "clusters.add_taxonomy")
    taxonomy.full_clean()
    taxonomy.save()
    return taxonomy


@transaction.atomic
def cluster_save(*, cluster: Cluster, user: User) -> Cluster:
    """Create or change a node of a tree; refuses cycles and duplicate names (clear messages)."""
    _require(user, "clusters.change_cluster" if cluster.pk else "clusters.add_cluster")
    cluster.full_clean()
    cluster.save()
    text.add_words(cluster.terms)
    return cluster


@transaction.atomic
def cluster_delete(*, cluster: Cluster, user: User) -> None:
    """Delete a node that tags no article and has no sub-clusters; otherwise ClusterInUse."""
    _require(user, "clusters.delete_cluster")
    used = ArticleCluster.objects.filter(cluster=cluster).count()
    if used:
        raise ClusterInUse(
            _("“%(name)s” tags %(count)d articles and cannot be deleted; remove its tags or mark it inactive instead.")
            % {"name": cluster.name, "count": used}
        )
    if cluster.children.exists():
        raise ClusterInUse(
            _("“%(name)s” has sub-clusters and cannot be deleted; move or delete them first.") % {"name": cluster.name}
        )
    cluster.delete()


def _node(taxonomy, parent, name, *, kind, short="", aliases=(), position=0) -> Cluster:
    lookup = {"taxonomy": taxonomy, "parent": parent, "name": name}
    node = Cluster.objects.filter(**lookup).first()
    if node is None:
        node = Cluster(
            **lookup, kind=kind, short_name=short, aliases="\n".join(aliases), position=position, is_active=True
        )
        node.full_clean()
        node.save()
    return node


@transaction.atomic
def taxonomy_load_shenzhen(*, user: User = SYSTEM) -> Taxonomy:
    """Shenzhen's 20+8 as a ready tree; idempotent (existing nodes are left as the office edited them)."""
    _require(user, "clusters.add_cluster", "clusters.add_taxonomy")
    taxonomy, _created = Taxonomy.objects.get_or_create(
        name=SHENZHEN_TAXONOMY, defaults={"description": SHENZHEN_DESCRIPTION, "position": 0}
    )
    position = 0
    for category, clusters in SHENZHEN_20:
        position += 1
        parent = _node(taxonomy, None, category, kind=Cluster.Kind.CATEGORY, position=position)
        for name, short, aliases in clusters:
            position += 1
            _node(taxonomy, parent, name, kind=Cluster.Kind.CLUSTER, short=short, aliases=aliases, position=position)
    position += 1
    future = _node(taxonomy, None, FUTURE_CATEGORY, kind=Cluster.Kind.CATEGORY, position=position)
    for name, short, aliases in SHENZHEN_8:
        position += 1
        _node(taxonomy, future, name, kind=Cluster.Kind.FUTURE, short=short, aliases=aliases, position=position)
    return taxonomy


# --- tags ---------------------------------------------------------------------------------------


@transaction.atomic
def article_tag_add(*, article: Article, cluster: Cluster, user: User) -> ArticleCluster:
    """Tag ``article`` with ``cluster``; tagging twice is a no-op."""
    _require(user, "clusters.add_articlecluster")
    tag = ArticleCluster.objects.filter(article=article, cluster=cluster).first()
    if tag is None:
        tag = ArticleCluster(article=article, cluster=cluster, created_by=as_user(user))
        tag.full_clean()
        tag.save()
    return tag


@transaction.atomic
def article_tag_remove(*, article: Article, cluster: Cluster, user: User) -> None:
    _require(user, "clusters.delete_articlecluster")
    ArticleCluster.objects.filter(article=article, cluster=cluster).delete()


@transaction.atomic
def article_tags_accept(*, article: Article, cluster_ids: Iterable[int], user: User) -> list[ArticleCluster]:
    """The editor accepts some of the suggestions shown for ``article``."""
    _require(user, "clusters.add_articlecluster")
    clusters = Cluster.objects.filter(pk__in=[int(i) for i in cluster_ids], is_active=True)
    return [article_tag_add(article=article, cluster=cluster, user=user) for cluster in clusters]


# --- search documents ---------------------------------------------------------------------------
# The database's index follows the documents: on PostgreSQL by itself (an expression index), on
# SQLite through the FTS5 table written here, which is contentless (it stores no text) and so is
# told what to forget by the same terms it was given.

FTS = "clusters_searchterms"


def document_fields(*, title: str, body: str) -> dict:
    """The stored search form of an article with this title and HTML body (pure; migrations use it)."""
    blocks = text.html_blocks(body)
    heads = [title.strip(), *text.html_headings(body)]
    return {
        "title": title,
        "heads": "\n".join(text.segment(line) for line in heads),
        "text": "\n".join(text.segment(block) for block in blocks),
        "fingerprint": text.fingerprint(title.strip(), "\n".join(blocks)),
    }


def _documents(article: Article) -> tuple[SearchDocument, SearchText]:
    fields = document_fields(title=article.title, body=article.body)
    document = SearchDocument(
        article_id=article.pk,
        issue_id=article.issue_id,
        position=article.position,
        title=fields["title"],
        fingerprint=fields["fingerprint"],
    )
    return document, SearchText(article_id=article.pk, heads=fields["heads"], text=fields["text"])


def _fts_terms(search_text) -> str:
    return " ".join(sorted(text.document_terms(search_text.heads, search_text.text)))


def fts_write(cursor, *, added=(), removed=()) -> None:
    """SQLite only: forget the terms of ``removed`` texts and learn those of ``added``."""
    cursor.executemany(
        f"INSERT INTO {FTS}({FTS}, rowid, terms) VALUES ('delete', %s, %s)",
        [(t.article_id, _fts_terms(t)) for t in removed],
    )
    cursor.executemany(f"INSERT INTO {FTS}(rowid, terms) VALUES (%s, %s)", [(t.article_id, _fts_terms(t)) for t in added])


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


@transaction.atomic
def search_document_rebuild(*, article: Article) -> SearchDocument:
    """(Re)build the search document and text of one article."""
    document, search_text = _documents(article)
    old = SearchText.objects.filter(article_id=article.pk).first()
    document.save()
    search_text.save()
    search_cache.invalidate()
    if _sqlite():
        with connection.cursor() as cursor:
            fts_write(cursor, added=[search_text], removed=[old] if old else [])
    return document


def search_text_forget(*, search_text: SearchText) -> None:
    """The text is being deleted (with its article): SQLite's FTS table forgets its terms."""
    search_cache.invalidate()
    if _sqlite():
        with connection.cursor() as cursor:
            fts_write(cursor, removed=[search_text])


def search_index_rebuild(*, batch_size: int = 1000, articles=None) -> int:
    """Rebuild every search document in bulk (or those of ``articles``); returns how many."""
    queryset = articles if articles is not None else Article.objects.all()
    queryset = queryset.only("id", "issue_id", "position", "title", "body").order_by("id")
    text.add_words(term for c in Cluster.objects.all() for term in c.terms)
    count = 0
    with transaction.atomic(), _bulk_index(enabled=articles is None):
        search_cache.invalidate()
        if articles is None:
            SearchText.objects.all()._raw_delete(SearchText.objects.db)
            SearchDocument.objects.all()._raw_delete(SearchDocument.objects.db)
            if _sqlite():
                with connection.cursor() as cursor:
                    cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('delete-all')")
        batch: list[tuple[SearchDocument, SearchText]] = []
        for article in queryset.iterator(chunk_size=batch_size):
            batch.append(_documents(article))
            if len(batch) >= batch_size:
                count += _write_batch(batch, replace=articles is not None)
                batch = []
        if batch:
            count += _write_batch(batch, replace=articles is not None)
    return count


def _write_batch(batch, *, replace: bool) -> int:
    ids = [document.article_id for document, _text in batch]
    old = []
    if replace:
        existing = SearchText.objects.filter(article_id__in=ids)
        old = list(existing) if _sqlite() else []
        existing._raw_delete(SearchText.objects.db)
        SearchDocument.objects.filter(article_id__in=ids)._raw_delete(SearchDocument.objects.db)
    SearchDocument.objects.bulk_create([document for document, _text in batch])
    texts = SearchText.objects.bulk_create([search_text for _document, search_text in batch])
    if _sqlite():
        with connection.cursor() as cursor:
            fts_write(cursor, added=texts, removed=old)
    return len(batch)


PG_GIN_INDEX = "clusters_searchtext_terms_gin"
PG_GIN_SQL = 'CREATE INDEX {} ON clusters_searchtext USING GIN (clusters_search_terms(heads, "text"))'


@contextmanager
def _bulk_index(*, enabled: bool):
    """On PostgreSQL, a full rebuild drops the GIN index and builds it once at the end (much faster
    than growing it row by row). Searches wait for the rebuild's transaction meanwhile."""
    if not enabled or connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS %s" % PG_GIN_INDEX)
    yield
    with connection.cursor() as cursor:
        # The deferred foreign-key checks of the new rows must run before the index can be built.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(PG_GIN_SQL.format(PG_GIN_INDEX))
