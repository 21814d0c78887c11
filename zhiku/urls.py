"""Root URLconf: apps are included by dotted path, so zhiku imports none of them."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from zhiku.health import healthz
from zhiku.media import serve_media
from zhiku.uploads import upload_image

admin.site.site_header = _("Think-tank brief editorial system")
admin.site.site_title = _("Think-tank briefs")
admin.site.index_title = _("Editorial desk")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    # Same name as django-ckeditor-5's route, declared first so the widget posts here.
    path("ckeditor5/image_upload/", upload_image, name="ck_editor_5_upload_file"),
    path("ckeditor5/", include("django_ckeditor_5.urls")),
    path("briefs/", include("briefs.urls")),
    path("circulation/", include("circulation.urls")),
    path("clusters/", include("clusters.urls")),
    path("admin/", admin.site.urls),
    # Uploads and archived PDFs: through a permission check, with DEBUG on or off (zhiku.media).
    re_path(r"^%s(?P<path>.+)$" % settings.MEDIA_URL.lstrip("/"), serve_media, name="media"),
]
