"""A generation number in the shared cache, carried in the keys of some kind of kept result (the
archive search's ranked matches, 待我处理): every write the result reads moves it on, when made and
again when its transaction commits — a reader on another connection in between still saw the old
rows and kept them under the in-between generation. Not a counter: a generation lost from the
cache (evicted, flushed) must never come back to a value whose old entries may still be stored."""

import time

from django.core.cache import cache
from django.db import connection, transaction


class Generation:
    def __init__(self, key: str):
        self.key = key

    def current(self) -> int:
        value = cache.get(self.key)
        if value is None:
            cache.add(self.key, time.time_ns(), timeout=None)
            value = cache.get(self.key)
        return value

    def _move(self) -> None:
        cache.set(self.key, time.time_ns(), timeout=None)

    def move_on(self) -> None:
        """What the kept results read changed: forget them all, now and at commit."""
        self._move()
        transaction.on_commit(self._move)

    def pending(self) -> bool:
        """Whether this connection holds a write that moved it and is not committed yet (what it
        sees is not what everybody else will, so it should neither read nor keep results)."""
        return any(callback == self._move for _sids, callback, _robust in connection.run_on_commit)
