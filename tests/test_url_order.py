"""The API's routes come first in the URLconf (fewer failed matches on every API request): no
route shadows another whatever the order, so each route's sample path resolves to that route."""
import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from annotate import urls

SAMPLES = {"int": "7", "str": "x", "slug": "x-1", "uuid": str(uuid.UUID(int=1)), "path": "a/b.txt"}


def leaf_routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from leaf_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def sample_path(route: str) -> str:
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)


OUR_ROUTES = [r for top in urls.urlpatterns if str(top.pattern) != "admin/" for r in leaf_routes([top])]


def test_the_api_comes_before_the_pages():
    tops = [str(top.pattern) for top in urls.urlpatterns]
    assert tops[0] == "api/v1/" and tops.index("") > max(i for i, t in enumerate(tops) if t == "api/v1/")


@pytest.mark.parametrize("route", OUR_ROUTES)
def test_every_route_is_reached_by_its_own_path(route):
    assert "(?P" not in route and "^" not in route, "a regex route: give it a sample"
    match = get_resolver().resolve(sample_path(route))
    assert match.route == route
