"""待我处理 on the admin index, kept in the cache per user until something it shows is written.

Working out what waits for whom (briefs.selectors.issues_waiting_for: review stages, groups,
self-review, 印发, what other apps add) is a third of the index page's time, and the answer
changes only when an issue, an article (an unnumbered issue is named after its first one), a
series, a review chain, a person, their groups or permissions — or what another app's filter
reads — is written. Every such write moves one *generation* number on, and again when its
transaction commits; entries are kept under the generation they were read in, so the next page after a write
reads afresh, in every process (the cache is Redis in production).

Only a cache every process shares is used (``SHARED_CACHE``, on with Redis): in one worker's own
memory the generation another worker moves would never be seen; without one, the list is read
afresh on every page.

Writes through ``QuerySet.update()`` send no signal: a caller that updates something shown here
that way calls ``invalidate()`` itself.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from zhiku.generations import Generation

from .models import Article, Issue, ReviewStage, Series
from .selectors import issues_waiting_for

GENERATION = Generation("briefs:waiting:generation")


def invalidate() -> None:
    """Drop every kept 待我处理, now and again when the current transaction commits: a request that
    read the old rows in between (the write not yet committed) kept them under the generation the
    commit leaves behind."""
    GENERATION.move_on()


def invalidate_on(*models) -> None:
    """Drop the kept lists whenever a row of ``models`` is saved or deleted (for apps whose
    ``briefs.extensions.register_waiting_filter`` filter reads their own tables)."""
    GENERATION.follow(*models)


def connect() -> None:
    """What the list reads in briefs and auth (from BriefsConfig.ready)."""
    GENERATION.follow(Issue, Article, Series, ReviewStage)
    GENERATION.follow_people()


def waiting_rows(user, limit: int) -> list[dict]:
    """What the 待我处理 list shows for ``user``: the issues whose next step is theirs, oldest
    submission first, as plain values (read once per generation)."""
    if not user or not user.is_authenticated:
        return []
    if not settings.SHARED_CACHE:
        return [_row(issue) for issue in issues_waiting_for(user)[:limit]]
    key = "briefs:waiting:%s:%s:%s:%d" % (GENERATION.current(), user.pk, get_language(), limit)
    rows = cache.get(key)
    if rows is None:
        rows = [_row(issue) for issue in issues_waiting_for(user)[:limit]]
        cache.set(key, rows)
    return rows


def _row(issue: Issue) -> dict:
    submitter = issue.submitted_by
    return {
        "pk": issue.pk,
        "name": str(issue),
        "status": str(issue.get_status_display()),
        "stage": issue.current_stage.name if issue.current_stage_id else "",
        "submitted_by": (submitter.get_full_name() or submitter.get_username()) if submitter else "",
        "submitted_at": issue.submitted_at,
    }
