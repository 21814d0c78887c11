"""The archive search's results, kept in Django's cache (Redis in production, shared by the workers).

Ranking, counting and faceting every match is the cost of a search (tens of µs per match, and a
common character matches most of the archive), so the ranked ids of every match, the exact total
and the facet counts are computed once per (query, filters, statuses the user may see) and reused:
by the next page, by the same query from anybody with the same view, by the admin's search box.

Invalidation is by generation: every key carries the current generation, and each write that can
change a result (an article's search document, an issue, a tag, a cluster) moves the generation
on, so every earlier entry is never read again (they expire on their own). The generation moves
when the write is made and again when its transaction commits: a search run by another connection
in between (which still sees the old rows) is stored under the in-between generation and dropped
at the commit. A connection with such a write not yet committed neither reads nor stores: what it
sees is not what everybody else will. Only a cache every process shares is used
(``SHARED_CACHE``, on with Redis): another worker's memory would miss the generation.
"""

import hashlib

from django.core.cache import cache

from zhiku.generations import Generation

GENERATION = Generation("clusters:search:generation")
TIMEOUT = 600  # seconds; the generation is what keeps results true, this only frees memory


def generation() -> int:
    return GENERATION.current()


def invalidate() -> None:
    """Something a search can find or count changed: forget every stored result, now and at commit."""
    GENERATION.move_on()


def usable() -> bool:
    """False when the cache is not shared by every process (``SHARED_CACHE``), and while
    this connection holds a search-relevant write not yet committed."""
    return GENERATION.usable()


def key(*parts) -> str:
    digest = hashlib.blake2b(repr((generation(), *parts)).encode(), digest_size=16).hexdigest()
    return "clusters:search:" + digest


def get(cache_key: str):
    return cache.get(cache_key)


def put(cache_key: str, value) -> None:
    cache.set(cache_key, value, timeout=TIMEOUT)
