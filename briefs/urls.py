"""URLs of briefs (print views and downloads are added by briefs.rendering)."""

app_name = "briefs"

urlpatterns: list = []
