"""Template tags of the review workflow (the 待我处理 list on the admin index)."""

from django import template

from briefs.selectors import issues_waiting_for

register = template.Library()


@register.simple_tag
def waiting_for_me(user, limit: int = 20):
    """Issues whose next step is ``user``'s, oldest submission first."""
    return list(issues_waiting_for(user)[:limit])
