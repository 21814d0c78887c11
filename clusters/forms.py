from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from briefs.models import Issue, Series

from .models import Cluster, Taxonomy


class CompactSelect(forms.Select):
    """A select box whose options are written in Python, not each through Django's option
    template: the search form lists every series and cluster on every search page, and those
    templates were a third of the page's CPU. Same markup as ``forms.Select`` (no option groups)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], mark_safe(" selected") if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


class ClusterTreeChoiceField(forms.ModelChoiceField):
    """Clusters as a tree: each once, sub-clusters indented under their category."""

    def label_from_instance(self, obj):
        return ("\u3000— " if obj.parent_id else "") + obj.name


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    series = forms.ModelChoiceField(
        label=_("Series"), queryset=Series.objects.all(), required=False, widget=CompactSelect
    )
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2999, required=False)
    cluster = ClusterTreeChoiceField(
        label=_("Industry cluster"),
        queryset=Cluster.objects.filter(taxonomy__is_active=True).order_by("taxonomy__position", "position", "id"),
        required=False,
        widget=CompactSelect,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "---------"), *Issue.Status.choices], required=False, widget=CompactSelect
    )


class CoverageForm(forms.Form):
    taxonomy = forms.ModelChoiceField(
        label=_("Taxonomy"), queryset=Taxonomy.objects.filter(is_active=True), required=False, empty_label=None
    )
