"""Writes of clusters: the taxonomy, article tags, and the search documents.

Every write that a person makes takes the acting user and checks its permission here, whatever
the caller (admin, view, command). The system itself (migrations, load_demo, the search-index
maintenance) passes ``zhiku.actors.SYSTEM``; ``None`` is refused (zhiku/actors.py).
"""

from collections.abc import Iterable
from contextlib import contextmanager

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from briefs.models import Article
from zhiku.actors import SYSTEM, SystemActor, as_user, require_actor

from . import search_cache, text
from .exceptions import ClusterInUse, ClustersPermissionDenied
from .models import ArticleCluster, Cluster, SearchDocument, Taxonomy
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
# The search keeps no copy of the text. On PostgreSQL the index follows the articles by itself (a GIN
# expression index on their title and body); on SQLite the FTS5 table is written here. It is
# contentless (it stores no text), so it is told what to forget by the same terms it was given: the
# terms of the article's title and body as they were (``indexed_before_save`` reads them). A title
# or body written with ``QuerySet.update()`` (no signal; nothing in the project does) leaves the FTS5
# table behind until ``rebuild_search_index``; on PostgreSQL the index follows any write.

FTS = "clusters_searchterms"


def document_fields(*, title: str, body: str) -> dict:
    """The stored search form of an article with this title and HTML body (pure; migrations use it)."""
    blocks = text.html_blocks(body)
    return {
        "fingerprint": text.fingerprint(title.strip(), "\n".join(blocks)),
        "words": text.word_filter(text.document_words(title, body)),
        "verbatim": text.verbatim(body),
    }


def _document(article: Article, clusters: str = "") -> SearchDocument:
    fields = document_fields(title=article.title, body=article.body)
    return SearchDocument(
        article_id=article.pk, issue_id=article.issue_id, position=article.position, clusters=clusters, **fields
    )


def twins_mark(*, fingerprints=None, model=SearchDocument) -> None:
    """Set ``SearchDocument.twinned`` exactly on the documents with one of ``fingerprints`` (all
    documents when None): on where another document shares the fingerprint, off where none does.
    (The model is a parameter for migrations.)"""
    documents = model.objects.all()
    if fingerprints is not None:
        documents = documents.filter(fingerprint__in=list(fingerprints))
    shared = documents.values("fingerprint").annotate(n=Count("pk")).filter(n__gt=1).values("fingerprint")
    documents.filter(fingerprint__in=shared, twinned=False).update(twinned=True)
    documents.exclude(fingerprint__in=shared).filter(twinned=True).update(twinned=False)


def cluster_closures(*, tag_model=ArticleCluster, cluster_model=Cluster, article_ids=None) -> dict[int, str]:
    """Each tagged article's clusters with all their ancestors, as sorted comma-separated ids
    (``SearchDocument.clusters``; the models are parameters for migrations)."""
    from .search import _ancestor_pairs

    up: dict[int, set[int]] = {}
    for cluster, ancestor in _ancestor_pairs(cluster_model):
        up.setdefault(cluster, set()).add(ancestor)
    tags = tag_model.objects.all() if article_ids is None else tag_model.objects.filter(article_id__in=article_ids)
    closure: dict[int, set[int]] = {}
    for article_id, cluster_id in tags.values_list("article_id", "cluster_id"):
        closure.setdefault(article_id, set()).update(up.get(cluster_id, {cluster_id}))
    return {pk: ",".join(map(str, sorted(ids))) for pk, ids in closure.items()}


def search_clusters_refresh(*, article_ids=None) -> int:
    """Keep ``SearchDocument.clusters`` true after a tag (``article_ids``) or a cluster (all) was
    written; returns how many documents changed."""
    closures = cluster_closures(article_ids=article_ids)
    documents = SearchDocument.objects.all()
    if article_ids is not None:
        documents = documents.filter(article_id__in=article_ids)
    changed = [
        SearchDocument(article_id=pk, clusters=closures.get(pk, ""))
        for pk, old in documents.values_list("article_id", "clusters")
        if closures.get(pk, "") != old
    ]
    SearchDocument.objects.bulk_update(changed, ["clusters"], batch_size=500)
    return len(changed)


def _fts_terms(title: str, body: str) -> str:
    return " ".join(sorted(text.document_terms(title, body)))


def fts_write(cursor, *, added=(), removed=()) -> None:
    """SQLite only: forget the terms of ``removed`` and learn those of ``added``, each an
    (article id, title, body)."""
    cursor.executemany(
        f"INSERT INTO {FTS}({FTS}, rowid, terms) VALUES ('delete', %s, %s)",
        [(pk, _fts_terms(title, body)) for pk, title, body in removed],
    )
    cursor.executemany(
        f"INSERT INTO {FTS}(rowid, terms) VALUES (%s, %s)", [(pk, _fts_terms(title, body)) for pk, title, body in added]
    )


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def indexed_before_save(*, article: Article):
    """SQLite only: (id, title, body) of the article as its index terms were taken, before a save
    changes it — or None (a new article, or PostgreSQL, whose index needs nothing)."""
    if not _sqlite() or article.pk is None or article._state.adding:
        return None
    row = Article.objects.filter(pk=article.pk, search_document__isnull=False).values_list("title", "body").first()
    return (article.pk, *row) if row else None


@transaction.atomic
def search_document_rebuild(*, article: Article, before=None) -> SearchDocument:
    """(Re)build the search document of one article; ``before``: ``indexed_before_save``'s answer.
    Its clusters are kept (tags change through their own writes), or read for a new document."""
    document = _document(article)
    fields = {f: getattr(document, f) for f in ("issue_id", "position", "fingerprint", "words", "verbatim")}
    if not SearchDocument.objects.filter(article_id=article.pk).update(**fields):
        document.clusters = cluster_closures(article_ids=[article.pk]).get(article.pk, "")
        document.save(force_insert=True)
    twins_mark(fingerprints=[document.fingerprint])
    search_cache.invalidate()
    if _sqlite():
        with connection.cursor() as cursor:
            fts_write(cursor, added=[(article.pk, article.title, article.body)], removed=[before] if before else [])
    return document


def search_document_forget(*, article: Article) -> None:
    """The article is being deleted: SQLite's FTS table forgets its terms (read as stored)."""
    search_cache.invalidate()
    before = indexed_before_save(article=article)
    if before:
        with connection.cursor() as cursor:
            fts_write(cursor, removed=[before])


def search_index_rebuild(*, batch_size: int = 1000, articles=None) -> int:
    """Rebuild every search document in bulk (or those of ``articles``); returns how many."""
    queryset = articles if articles is not None else Article.objects.all()
    queryset = queryset.only("id", "issue_id", "position", "title", "body").order_by("id")
    text.add_words(term for c in Cluster.objects.all() for term in c.terms)
    count = 0
    with transaction.atomic(), _bulk_index(enabled=articles is None):
        search_cache.invalidate()
        if articles is None:
            SearchDocument.objects.all()._raw_delete(SearchDocument.objects.db)
            if _sqlite():
                with connection.cursor() as cursor:
                    cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('delete-all')")
        closures = cluster_closures(article_ids=None if articles is None else list(queryset.values_list("id", flat=True)))
        batch: list[Article] = []
        for article in queryset.iterator(chunk_size=batch_size):
            batch.append(article)
            if len(batch) >= batch_size:
                count += _write_batch(batch, closures, replace=articles is not None)
                batch = []
        if batch:
            count += _write_batch(batch, closures, replace=articles is not None)
        rebuilt = None if articles is None else set(queryset.values_list("search_document__fingerprint", flat=True))
        twins_mark(fingerprints=rebuilt)
    return count


def _write_batch(batch, closures, *, replace: bool) -> int:
    ids = [article.pk for article in batch]
    old = []
    if replace:
        existing = SearchDocument.objects.filter(article_id__in=ids)
        if _sqlite():
            # The FTS table holds the terms of these articles as they are now (every save since
            # rebuilt them); it is told to forget exactly those.
            indexed = set(existing.values_list("article_id", flat=True))
            old = [(a.pk, a.title, a.body) for a in batch if a.pk in indexed]
        existing._raw_delete(SearchDocument.objects.db)
    SearchDocument.objects.bulk_create([_document(article, closures.get(article.pk, "")) for article in batch])
    if _sqlite():
        with connection.cursor() as cursor:
            fts_write(cursor, added=[(a.pk, a.title, a.body) for a in batch], removed=old)
    return len(batch)


PG_GIN_INDEX = "clusters_article_search_gin"
PG_GIN_SQL = "CREATE INDEX {} ON briefs_article USING GIN (clusters_search_vector(title, body))"


@contextmanager
def _bulk_index(*, enabled: bool):
    """On PostgreSQL the GIN index on the articles follows every write by itself, so a rebuild (of
    the narrow rows) leaves it alone — dropping it would lock the article table for the rebuild's
    length. It is only made when missing."""
    yield
    if enabled and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [PG_GIN_INDEX])
            if cursor.fetchone()[0] is None:
                # The deferred foreign-key checks of the new rows must run before an index is built.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(PG_GIN_SQL.format(PG_GIN_INDEX))
