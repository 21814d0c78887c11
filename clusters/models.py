"""What an article is about: cluster trees (taxonomies), the clusters in them, article tags, and
the search document each article gets for the archive search."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from briefs.models import Article, issue_field
from zhiku.constraints import check, unique
from zhiku.fields import optional_link, stamp_fields

ALIAS_SEPARATORS = re.compile(r"[\n\r,，、;；]+")


def _name_not_empty() -> models.CheckConstraint:
    """Taxonomies and clusters are found and printed by name: an empty one is refused (named
    clusters_<model>_name_not_empty by Django's %(class)s)."""
    return check(~Q(name=""), "%(app_label)s_%(class)s_name_not_empty", _("The name must not be empty."))


class Taxonomy(models.Model):
    """The root of one tree, e.g. 深圳20+8; offices add their own."""

    name = models.CharField(_("Name"), max_length=50, unique=True)
    description = models.TextField(_("Description"), blank=True)
    position = models.PositiveSmallIntegerField(_("Order"), default=0)
    is_active = models.BooleanField(_("Active"), default=True)

    class Meta:
        verbose_name = verbose_name_plural = _("Cluster taxonomy")
        ordering = ["position", "id"]
        constraints = [
            _name_not_empty(),
        ]

    def __str__(self):
        return self.name


class Cluster(models.Model):
    class Kind(models.TextChoices):
        CATEGORY = "category", _("Category")
        CLUSTER = "cluster", _("Industry cluster")
        FUTURE = "future", _("Future industry")

    taxonomy = models.ForeignKey(
        Taxonomy, verbose_name=_("Taxonomy"), on_delete=models.PROTECT, related_name="clusters"
    )
    parent = optional_link(
        "self", _("Parent"), related_name="children", help_text=_("Leave empty for a top-level category.")
    )
    kind = models.CharField(_("Kind"), max_length=20, choices=Kind.choices, default=Kind.CLUSTER)
    name = models.CharField(_("Name"), max_length=50)
    short_name = models.CharField(_("Short name"), max_length=20, blank=True)
    aliases = models.TextField(
        _("Aliases and keywords"),
        blank=True,
        help_text=_("One per line (or separated by commas); used to suggest tags from an article's text."),
    )
    position = models.PositiveSmallIntegerField(
        _("Order"), default=0, help_text=_("Smaller comes first among the clusters under the same parent.")
    )
    is_active = models.BooleanField(_("Active"), default=True)

    class Meta:
        verbose_name = verbose_name_plural = _("Industry cluster")
        ordering = ["taxonomy", "position", "id"]
        constraints = [
            unique(
                ["parent", "name"],
                _("A cluster with this name already exists under the same parent."),
                condition=Q(parent__isnull=False),
                name="clusters_cluster_unique_name_in_parent",
            ),
            unique(
                ["taxonomy", "name"],
                _("A top-level category with this name already exists in this taxonomy."),
                condition=Q(parent__isnull=True),
                name="clusters_cluster_unique_top_name",
            ),
            _name_not_empty(),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # Across rows, so it cannot be a database constraint: the parent must be in the same tree
        # and must not be this node or one of its descendants.
        if self.parent_id is None:
            return
        parent = self.parent
        if self.taxonomy_id and parent.taxonomy_id != self.taxonomy_id:
            raise ValidationError({"parent": _("The parent must belong to the same taxonomy.")})
        seen = set()
        node = parent
        while node is not None:
            if self.pk is not None and node.pk == self.pk:
                raise ValidationError(
                    {"parent": _("A cluster cannot be placed under itself or under one of its own sub-clusters.")}
                )
            if node.pk in seen:  # a cycle already stored; refuse rather than loop
                break
            seen.add(node.pk)
            node = node.parent

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in ALIAS_SEPARATORS.split(self.aliases or "") if a.strip()]

    @property
    def terms(self) -> list[str]:
        """Name, short name and aliases: the words that mean this cluster in a text."""
        terms = [self.name, self.short_name, *self.alias_list]
        return list(dict.fromkeys(t for t in terms if t))


class ArticleCluster(models.Model):
    """A tag: this article is about this cluster."""

    article = models.ForeignKey(
        Article, verbose_name=_("Article"), on_delete=models.CASCADE, related_name="cluster_tags"
    )
    cluster = models.ForeignKey(
        Cluster, verbose_name=_("Industry cluster"), on_delete=models.PROTECT, related_name="article_tags"
    )
    created_by, created_at = stamp_fields(_("Tagged by"), _("Tagged at"))

    class Meta:
        verbose_name = verbose_name_plural = _("Article tag")
        ordering = ["cluster__position", "id"]
        constraints = [
            unique(["article", "cluster"], _("This article is already tagged with this cluster.")),
        ]

    def __str__(self):
        return f"{self.article_id} · {self.cluster}"


class SearchDocument(models.Model):
    """What the archive search ranks and filters by, one narrow row per article. Rebuilt whenever the
    article is saved; issue and position are copied from the article so ranking every match does not
    read the article table. The text is not copied: the index is derived from the article's own title
    and body (on PostgreSQL a GIN expression index on the articles, ``clusters_search_vector``; on
    SQLite a contentless FTS5 table fed by the services; see ``clusters.text``).
    """

    article = models.OneToOneField(
        Article, verbose_name=_("Article"), on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    issue = issue_field(models.CASCADE, db_index=False)
    position = models.PositiveSmallIntegerField(_("Position"), default=1)
    fingerprint = models.CharField(_("Fingerprint"), max_length=16, blank=True)
    # Another document has the same fingerprint (a draft's twin of a signed issue): only these are
    # looked at for twins. Set by the services whenever a document takes a fingerprint; a twin
    # deleted or changed later leaves it on, which costs the search one look and changes nothing.
    twinned = models.BooleanField(_("Has a twin"), default=False)
    # A Bloom filter of the article's jieba words (``clusters.text.word_filter``): ranks whole-word hits.
    words = models.BinaryField(_("Words"), default=b"")
    # No tag or entity inside a run of CJK characters (``clusters.text.verbatim``): a CJK word is
    # looked for in the HTML only, not in the index text made from it.
    verbatim = models.BooleanField(_("Text as in the HTML"), default=False)
    # The article's tag clusters with all their ancestors, comma-separated ids: what the cluster
    # facet counts (kept up to date by the services on every tag and cluster write).
    clusters = models.TextField(_("Clusters with their ancestors"), blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = _("Search document")
        indexes = [models.Index(fields=["fingerprint"], name="clusters_search_fingerprint")]  # twins

    def __str__(self):
        return str(self.article_id)
