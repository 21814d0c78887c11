"""URLs of briefs (print views and downloads are added by briefs.rendering)."""

from django.contrib import admin
from django.urls import path

from briefs.desk import views as desk_views
from briefs.rendering import views as rendering_views

app_name = "briefs"

urlpatterns: list = [
    path("issues/<int:pk>/print/", rendering_views.issue_preview, name="issue_preview"),
    path("issues/<int:pk>/pdf/", rendering_views.issue_pdf, name="issue_pdf"),
    path("issues/<int:pk>/docx/", rendering_views.issue_docx, name="issue_docx"),
    # The issue desk (briefs.desk): admin look and login, permission checked in the views.
    path("issues/<int:pk>/desk/", admin.site.admin_view(desk_views.issue_desk), name="issue_desk"),
    path("issues/<int:pk>/desk/action/", admin.site.admin_view(desk_views.issue_desk_action), name="issue_desk_action"),
    path(
        "issues/<int:pk>/desk/confirm/<str:action>/",
        admin.site.admin_view(desk_views.issue_desk_confirm),
        name="issue_desk_confirm",
    ),
    path("issues/<int:pk>/desk/comments/", admin.site.admin_view(desk_views.issue_desk_comment), name="issue_desk_comment"),
    path(
        "issues/<int:pk>/desk/comments/<int:comment_pk>/",
        admin.site.admin_view(desk_views.issue_desk_comment_answer),
        name="issue_desk_comment_answer",
    ),
    path("issues/<int:pk>/approval.pdf", admin.site.admin_view(desk_views.issue_approval_pdf), name="issue_approval_pdf"),
]
