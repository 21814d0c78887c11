"""URLs of circulation."""

app_name = "circulation"

urlpatterns: list = []
