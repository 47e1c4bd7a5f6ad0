"""Dataset export and import endpoints under /api/v1/."""
urlpatterns: list = []
