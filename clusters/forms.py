from django import forms
from django.utils.translation import gettext_lazy as _

from briefs.models import Issue, Series

from .models import Cluster, Taxonomy


class ClusterTreeChoiceField(forms.ModelChoiceField):
    """Clusters as a tree: each once, sub-clusters indented under their category."""

    def label_from_instance(self, obj):
        return ("\u3000— " if obj.parent_id else "") + obj.name


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    series = forms.ModelChoiceField(label=_("Series"), queryset=Series.objects.all(), required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2999, required=False)
    cluster = ClusterTreeChoiceField(
        label=_("Industry cluster"),
        queryset=Cluster.objects.filter(taxonomy__is_active=True).order_by("taxonomy__position", "position", "id"),
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", "---------"), *Issue.Status.choices], required=False)


class CoverageForm(forms.Form):
    taxonomy = forms.ModelChoiceField(
        label=_("Taxonomy"), queryset=Taxonomy.objects.filter(is_active=True), required=False, empty_label=None
    )
