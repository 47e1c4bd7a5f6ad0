"""The app's routes plus one that fails, so a test can see the 500 page Django serves."""
from django.urls import path

from annotate.urls import urlpatterns as app_urlpatterns


def fails(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("fails/", fails), *app_urlpatterns]
