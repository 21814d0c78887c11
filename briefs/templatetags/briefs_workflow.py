"""Template tags of the review workflow (the 待我处理 list on the admin index)."""

from django import template

from briefs.waiting import waiting_rows

register = template.Library()


@register.simple_tag
def waiting_for_me(user, limit: int = 20):
    """Issues whose next step is ``user``'s, oldest submission first (briefs.waiting: kept until a write)."""
    return waiting_rows(user, limit)
