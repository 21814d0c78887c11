"""A generation number in the shared cache, carried in the keys of some kind of kept result (the
archive search's ranked matches, 待我处理): every write the result reads moves it on, when made and
again when its transaction commits — a reader on another connection in between still saw the old
rows and kept them under the in-between generation. Not a counter: a generation lost from the
cache (evicted, flushed) must never come back to a value whose old entries may still be stored."""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

# Every login saves the user's last_login alone (``update_fields``): nothing kept shows it.
UNSHOWN_FIELDS = frozenset({"last_login"})


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

    def usable(self) -> bool:
        """Whether kept results may be read and kept now: only in a cache every process shares
        (``SHARED_CACHE``: another worker's memory would miss the generation), and not while this
        connection holds a write that moved it (``pending``)."""
        return settings.SHARED_CACHE and not self.pending()

    def pending(self) -> bool:
        """Whether this connection holds a write that moved it and is not committed yet (what it
        sees is not what everybody else will, so it should neither read nor keep results)."""
        return any(callback == self._move for _sids, callback, _robust in connection.run_on_commit)

    def on_write(self, update_fields=None, **_signal_kwargs) -> None:
        """A receiver of post_save, post_delete and m2m_changed: move on, unless the save wrote
        only fields nothing kept shows (``UNSHOWN_FIELDS``: a login)."""
        if update_fields is not None and set(update_fields) <= UNSHOWN_FIELDS:
            return
        self.move_on()

    def follow(self, *models) -> None:
        """Move on whenever a row of ``models`` is saved or deleted. (``QuerySet.update()`` sends
        no signal: whoever updates that way calls ``move_on()`` or keys on the row itself.)"""
        for model in models:
            uid = "%s:%s" % (self.key, model._meta.label_lower)
            post_save.connect(self.on_write, sender=model, dispatch_uid=uid + ":save", weak=False)
            post_delete.connect(self.on_write, sender=model, dispatch_uid=uid + ":delete", weak=False)

    def follow_people(self) -> None:
        """Move on whenever a person, a group, someone's groups or a permission given changes."""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        user_model = get_user_model()
        self.follow(user_model, Group)
        for through in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
            uid = "%s:m2m:%s" % (self.key, through._meta.label_lower)
            m2m_changed.connect(self.on_write, sender=through, dispatch_uid=uid, weak=False)
