"""The search form's select boxes are written in Python (CompactSelect) with the same markup as
Django's Select: the same options, labels escaped, the chosen one selected."""

import pytest
from django import forms
from django.test.html import parse_html

from clusters.forms import CompactSelect, SearchForm

CHOICES = [("", "---------"), ("draft", "草稿 <b>"), (7, "新材料 & 生物医药")]


@pytest.mark.parametrize("value", ["", None, "draft", 7, "7", "missing"])
def test_same_markup_as_djangos_select(value):
    attrs = {"id": "id_status", "class": "zhiku"}
    django_select = forms.Select(choices=CHOICES, attrs=attrs).render("status", value)
    compact = CompactSelect(choices=CHOICES, attrs=attrs).render("status", value)
    assert parse_html(compact) == parse_html(django_select)
    assert "<b>" not in compact and "&amp;" in compact


@pytest.mark.django_db
def test_the_search_form_keeps_what_was_chosen():
    from tests.factories import SeriesFactory

    series = SeriesFactory(name="领军参阅")
    form = SearchForm({"q": "芯片", "series": str(series.pk), "status": "signed"})
    html = str(form["series"]) + str(form["status"])
    assert '<option value="%d" selected>领军参阅</option>' % series.pk in html
    assert '<option value="signed" selected>' in html
