"""Signal receivers: thin, they hand over to services."""

from . import services


def article_saved(sender, instance, raw=False, **kwargs):
    # Fixtures (raw) load rows as they are; the index is rebuilt by rebuild_search_index.
    if raw:
        return
    services.search_document_rebuild(article=instance)


def search_text_deleted(sender, instance, **kwargs):
    services.search_text_forget(search_text=instance)
