"""URLs of clusters: archive search, coverage and tag suggestions, in the admin's look, staff only."""

from django.contrib import admin
from django.urls import path

from . import views

app_name = "clusters"

urlpatterns = [
    path("search/", admin.site.admin_view(views.search), name="search"),
    path("coverage/", admin.site.admin_view(views.coverage), name="coverage"),
    path("suggestions/<int:pk>/", admin.site.admin_view(views.suggestions), name="suggestions"),
    path("suggestions/<int:pk>/accept/", admin.site.admin_view(views.suggestions_accept), name="suggestions_accept"),
]
