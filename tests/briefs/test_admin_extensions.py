"""Apps above briefs add to briefs' admin pages through briefs.extensions, never by replacing
briefs' registered admin class."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from briefs import extensions
from briefs.admin import ArticleAdmin, IssueAdmin
from briefs.models import Article, Issue
from tests.factories import UserFactory


@pytest.mark.django_db
def test_clusters_extend_the_article_admin_that_briefs_registered():
    """The Article admin is briefs' own class; clusters' tag inline, cluster filter and suggestions
    come from its registered AdminExtension."""
    from clusters.admin import ARTICLE_ADMIN_EXTENSION, ArticleClusterInline, ClusterListFilter, cluster_suggestions

    registered = admin.site._registry[Article]
    assert (type(registered), type(admin.site._registry[Issue])) == (ArticleAdmin, IssueAdmin)
    assert extensions.admin_extensions("article") == [ARTICLE_ADMIN_EXTENSION]
    request = RequestFactory().get("/")
    request.user = UserFactory(username="ext-root", is_superuser=True)
    assert registered.get_inlines(request, None)[-1] is ArticleClusterInline
    assert registered.get_list_filter(request)[-1] is ClusterListFilter
    assert cluster_suggestions in registered.get_readonly_fields(request, None)


def test_unknown_admin_page_is_refused():
    """A typo in the page name fails at start-up instead of silently adding nothing."""
    with pytest.raises(ValueError):
        extensions.register_admin_extension("issues", extensions.AdminExtension())


@pytest.mark.django_db
def test_an_issue_admin_extension_adds_its_filter_and_fields(monkeypatch):
    """An app may extend the Issue admin the same way (circulation could add a filter or a field)."""
    from django.contrib.admin import SimpleListFilter

    class SignedFilter(SimpleListFilter):
        title, parameter_name = "test", "test"

        def lookups(self, request, model_admin):
            return []

        def queryset(self, request, queryset):
            return queryset

    @admin.display(description="测试")
    def extra(obj):
        return "—"

    monkeypatch.setattr(extensions, "_admin_extensions", {"issue": [], "article": []})
    extensions.register_admin_extension(
        "issue",
        extensions.AdminExtension(
            list_filters=(SignedFilter,), readonly_fields=(extra,), fieldsets=lambda r, o, a: [("测试", {"fields": [extra]})]
        ),
    )
    registered = admin.site._registry[Issue]
    request = RequestFactory().get("/")
    request.user = UserFactory(username="ext-root2", is_superuser=True)
    assert registered.get_list_filter(request)[-1] is SignedFilter
    assert registered.get_readonly_fields(request, None)[-1] is extra
    assert registered.get_fieldsets(request, None)[-1] == ("测试", {"fields": [extra]})
