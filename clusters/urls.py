"""URLs of clusters: the archive search and the coverage page, in the admin's look, staff only."""

from django.contrib import admin
from django.urls import path

from . import views

app_name = "clusters"

urlpatterns = [
    path("search/", admin.site.admin_view(views.search), name="search"),
    path("coverage/", admin.site.admin_view(views.coverage), name="coverage"),
]
