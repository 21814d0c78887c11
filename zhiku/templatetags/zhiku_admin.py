"""Template tags of the admin site (zhiku.admin_site)."""

from django import template

from zhiku.admin_site import rendered_app_list

register = template.Library()


@register.simple_tag(takes_context=True)
def sidebar_app_list(context):
    """The navigation sidebar's app list as HTML, kept per kind of user (zhiku.admin_site)."""
    return rendered_app_list(context["request"], context["available_apps"], show_changelinks=False)
