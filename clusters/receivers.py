"""Signal receivers: thin, they hand over to services."""

from . import search_cache, services, text


def article_saving(sender, instance, raw=False, **kwargs):
    # SQLite's FTS table forgets an article's old terms by being told them: read before the save.
    if not raw:
        instance._search_indexed = services.indexed_before_save(article=instance)


def article_saved(sender, instance, raw=False, **kwargs):
    # Fixtures (raw) load rows as they are; the index is rebuilt by rebuild_search_index.
    if raw:
        return
    services.search_document_rebuild(article=instance, before=getattr(instance, "_search_indexed", None))


def article_deleting(sender, instance, **kwargs):
    services.search_document_forget(article=instance)


def tag_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        services.search_clusters_refresh(article_ids=[instance.article_id])


def cluster_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        services.search_clusters_refresh()


def search_input_changed(sender, raw=False, **kwargs):
    # An issue (status, date, series), a series' name, a tag or a cluster: what a search shows or
    # counts. Fixtures too: stored results must not outlive the rows they were computed from.
    search_cache.invalidate()


def sqlite_functions(sender, connection, **kwargs):
    """The search's SQL functions on SQLite (PostgreSQL has them in SQL, migration 0006)."""
    if connection.vendor != "sqlite":
        return
    db = connection.connection
    db.create_function("clusters_text", 2, text.index_text, deterministic=True)
    db.create_function("clusters_heads", 2, text.index_heads, deterministic=True)
    db.create_function("clusters_word", 2, text.filter_has, deterministic=True)
