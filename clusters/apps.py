from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils.translation import gettext_lazy as _

VIEW = ("clusters.view_taxonomy", "clusters.view_cluster")
TAG = (
    "clusters.view_articlecluster",
    "clusters.add_articlecluster",
    "clusters.change_articlecluster",
    "clusters.delete_articlecluster",
)
MANAGE = (
    "clusters.add_taxonomy",
    "clusters.change_taxonomy",
    "clusters.delete_taxonomy",
    "clusters.add_cluster",
    "clusters.change_cluster",
    "clusters.delete_cluster",
)


class ClustersConfig(AppConfig):
    name = "clusters"
    verbose_name = _("Industry clusters")

    def ready(self):
        from briefs.extensions import register_admin_extension, register_article_search, register_demo_loader
        from briefs.models import Article, Issue, Series
        from zhiku import roles

        from . import receivers, text
        from .admin import ARTICLE_ADMIN_EXTENSION
        from .demo import load_demo_clusters
        from .models import ArticleCluster, Cluster
        from .search import article_search_ids

        register_demo_loader(load_demo_clusters)
        register_article_search(article_search_ids)
        register_admin_extension("article", ARTICLE_ADMIN_EXTENSION)
        pre_save.connect(receivers.article_saving, sender=Article, dispatch_uid="clusters.article_saving")
        post_save.connect(receivers.article_saved, sender=Article, dispatch_uid="clusters.article_saved")
        pre_delete.connect(receivers.article_deleting, sender=Article, dispatch_uid="clusters.article_deleting")
        connection_created.connect(receivers.sqlite_functions, dispatch_uid="clusters.sqlite_functions")
        for name, signal in (("save", post_save), ("delete", post_delete)):
            # The documents' cluster lists (what the cluster facet counts) follow tags and the tree.
            signal.connect(receivers.tag_changed, sender=ArticleCluster, dispatch_uid=f"clusters.tag_{name}")
            signal.connect(receivers.cluster_changed, sender=Cluster, dispatch_uid=f"clusters.cluster_{name}")
        for model in (Issue, Series, ArticleCluster, Cluster):
            for signal in (post_save, post_delete):
                signal.connect(
                    receivers.search_input_changed, sender=model, dispatch_uid=f"clusters.search_input.{model.__name__}"
                )
        if getattr(settings, "CLUSTERS_PRELOAD_TOKENIZER", False):
            # Load jieba's dictionary now, in the process gunicorn forks its workers from
            # (preload_app), so no worker pays for it on its first search.
            text.tokenizer()
        for role in roles.ROLES:
            roles.add_role_permissions(role.key, VIEW + ("clusters.view_articlecluster",))
        roles.add_role_permissions(roles.EDITOR, TAG)
        roles.add_role_permissions(roles.CHIEF_EDITOR, TAG)
        roles.add_role_permissions(roles.ADMINISTRATOR, MANAGE + TAG)
