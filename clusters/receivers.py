"""Signal receivers: thin, they hand over to services."""

from . import search_cache, services


def article_saved(sender, instance, raw=False, **kwargs):
    # Fixtures (raw) load rows as they are; the index is rebuilt by rebuild_search_index.
    if raw:
        return
    services.search_document_rebuild(article=instance)


def search_text_deleted(sender, instance, **kwargs):
    services.search_text_forget(search_text=instance)


def search_input_changed(sender, raw=False, **kwargs):
    # An issue (status, date, series), a series' name, a tag or a cluster: what a search shows or
    # counts. Fixtures too: stored results must not outlive the rows they were computed from.
    search_cache.invalidate()
