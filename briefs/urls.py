"""URLs of briefs (print views and downloads are added by briefs.rendering)."""

from django.urls import path

from briefs import views
from briefs.rendering import views as rendering_views

app_name = "briefs"

urlpatterns: list = [
    path("issues/<int:pk>/print/", rendering_views.issue_preview, name="issue_preview"),
    path("issues/<int:pk>/pdf/", rendering_views.issue_pdf, name="issue_pdf"),
    path("issues/<int:pk>/docx/", rendering_views.issue_docx, name="issue_docx"),
    path("issues/<int:pk>/desk/", views.issue_desk_view, name="issue_desk"),
]
