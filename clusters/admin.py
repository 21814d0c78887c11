"""Admin for the cluster trees, and tagging added to briefs' Article admin without editing briefs.

The Article admin is owned by briefs; clusters adds its tag inline, the cluster filter and the
suggestions box through ``briefs.extensions.register_admin_extension`` (from ClustersConfig.ready).
"""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from briefs.extensions import AdminExtension
from zhiku.admin_mixins import ActiveChoicesAdminMixin

from . import selectors, services
from .exceptions import ClustersError
from .models import ArticleCluster, Cluster, Taxonomy


class ClusterInline(admin.TabularInline):
    model = Cluster
    fk_name = "taxonomy"
    extra = 0
    fields = ["name", "short_name", "parent", "kind", "position", "is_active"]
    show_change_link = True
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")


@admin.register(Taxonomy)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "cluster_count", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(cluster_count_value=Count("clusters"))

    @admin.display(description=_("Clusters"), ordering="cluster_count_value")
    def cluster_count(self, obj):
        return obj.cluster_count_value

    def save_model(self, request, obj, form, change):
        services.taxonomy_save(taxonomy=obj, user=request.user)


@admin.register(Cluster)
class ClusterAdmin(ActiveChoicesAdminMixin, admin.ModelAdmin):
    list_display = ["indented_name", "short_name", "kind", "taxonomy", "position", "tagged_articles", "is_active"]
    list_display_links = ["indented_name"]
    list_filter = ["taxonomy", "kind", "is_active"]
    list_select_related = ["taxonomy", "parent"]
    search_fields = ["name", "short_name", "aliases"]
    autocomplete_fields = ["parent"]
    fields = ["taxonomy", "parent", "kind", "name", "short_name", "aliases", "position", "is_active"]
    ordering = ["taxonomy", "position", "id"]
    change_list_template = "admin/clusters/cluster/change_list.html"
    # The tag and parent pickers offer active clusters of active trees only.
    active_choices = Q(is_active=True, taxonomy__is_active=True)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(tagged_count=Count("article_tags"))

    @admin.display(description=_("Name"), ordering="position")
    def indented_name(self, obj):
        indent = 0 if obj.parent_id is None else 2
        return format_html('<span style="padding-left:{}em">{}</span>', indent, obj.name)

    @admin.display(description=_("Tagged articles"), ordering="tagged_count")
    def tagged_articles(self, obj):
        if not obj.tagged_count:
            return 0
        url = "{}?cluster={}".format(reverse("admin:briefs_article_changelist"), obj.pk)
        return format_html('<a href="{}">{}</a>', url, obj.tagged_count)

    def save_model(self, request, obj, form, change):
        services.cluster_save(cluster=obj, user=request.user)

    def delete_model(self, request, obj):
        services.cluster_delete(cluster=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.cluster_delete(cluster=obj, user=request.user)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ClustersError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:clusters_cluster_change", args=[object_id]))


# --- tagging in the Article admin ----------------------------------------------------------------


class ArticleClusterInline(admin.TabularInline):
    model = ArticleCluster
    extra = 0
    fields = ["cluster"]
    autocomplete_fields = ["cluster"]
    verbose_name = _("Industry cluster")
    verbose_name_plural = _("Industry clusters")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cluster")


class ClusterListFilter(admin.SimpleListFilter):
    title = _("Industry cluster")
    parameter_name = "cluster"

    def lookups(self, request, model_admin):
        return [
            (c.pk, ("— " if c.parent_id else "") + c.name)
            for c in Cluster.objects.filter(taxonomy__is_active=True).order_by("taxonomy__position", "position", "id")
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value or not str(value).isdigit():
            return queryset
        ids = selectors.cluster_descendant_ids([int(value)])
        return queryset.filter(pk__in=ArticleCluster.objects.filter(cluster_id__in=ids).values("article_id"))


@admin.register(ArticleCluster)
class ArticleClusterAdmin(admin.ModelAdmin):
    """Tags on their own: how the archive (signed issues, whose articles are read-only) gets tagged."""

    list_display = ["article", "cluster", "created_by", "created_at"]
    list_select_related = ["article", "cluster", "created_by"]
    list_filter = ["cluster__taxonomy", "cluster"]
    search_fields = ["article__title", "cluster__name"]
    autocomplete_fields = ["article", "cluster"]
    fields = ["article", "cluster"]
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        if change:
            old = ArticleCluster.objects.select_related("article", "cluster").get(pk=obj.pk)
            services.article_tag_remove(article=old.article, cluster=old.cluster, user=request.user)
        tag = services.article_tag_add(article=obj.article, cluster=obj.cluster, user=request.user)
        obj.pk, obj.created_by, obj.created_at = tag.pk, tag.created_by, tag.created_at

    def delete_model(self, request, obj):
        services.article_tag_remove(article=obj.article, cluster=obj.cluster, user=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("article", "cluster"):
            services.article_tag_remove(article=obj.article, cluster=obj.cluster, user=request.user)


@admin.display(description=_("Suggestions from the text"))
def cluster_suggestions(obj):
    if obj is None or obj.pk is None:
        return "—"
    suggestions = selectors.cluster_suggestions(article=obj)
    if not suggestions:
        return gettext("No suggestions: no cluster name or alias occurs in the text.")
    boxes = format_html_join(
        " ",
        '<label style="display:inline-block;margin:0 1em .3em 0">'
        '<input type="checkbox" name="accept_cluster" value="{}"> {} <small>（{}）</small></label>',
        (
            (cluster.pk, cluster.name, gettext("%(count)d mentions") % {"count": score})
            for cluster, score in suggestions
        ),
    )
    return format_html(
        '<div class="zhiku-cluster-suggestions">{}</div><div class="help">{}</div>',
        boxes,
        gettext("Tick the suggestions to accept and save; unticked ones are ignored."),
    )


def suggestion_fieldsets(request, obj, model_admin) -> list:
    """The suggestions box, on the page of an article the user may change and tag."""
    if obj is None or not request.user.has_perm("clusters.add_articlecluster"):
        return []
    if not model_admin.has_change_permission(request, obj):
        return []
    return [(_("Suggested clusters"), {"fields": [cluster_suggestions]})]


def save_tag_formset(request, article, formset) -> None:
    """The tag inline's rows, written through the tagging services."""
    for form in formset.forms:
        if not form.has_changed():
            continue
        if form in formset.deleted_forms:
            if form.instance.pk:
                services.article_tag_remove(article=article, cluster=form.instance.cluster, user=request.user)
            continue
        if form.instance.pk:
            old = ArticleCluster.objects.select_related("cluster").get(pk=form.instance.pk)
            services.article_tag_remove(article=article, cluster=old.cluster, user=request.user)
        services.article_tag_add(article=article, cluster=form.cleaned_data["cluster"], user=request.user)


def accept_suggestions(request, article) -> None:
    accepted = [v for v in request.POST.getlist("accept_cluster") if v.isdigit()]
    if accepted:
        services.article_tags_accept(article=article, cluster_ids=accepted, user=request.user)


# Registered from ClustersConfig.ready (briefs.extensions): briefs' Article admin shows it.
ARTICLE_ADMIN_EXTENSION = AdminExtension(
    inlines=(ArticleClusterInline,),
    list_filters=(ClusterListFilter,),
    readonly_fields=(cluster_suggestions,),
    fieldsets=suggestion_fieldsets,
    save_formset=save_tag_formset,
    save_related=accept_suggestions,
)
