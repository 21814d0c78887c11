"""Root URLconf: apps are included by dotted path, so zhiku imports none of them."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from zhiku.health import healthz
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
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
