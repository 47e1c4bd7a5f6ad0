"""Every page isolates user text: a name holding U+202E RIGHT-TO-LEFT OVERRIDE (stored before the
services refused it, or by another program) cannot reorder the text around it.

The test stores such names in every user-controlled field a page shows (project name and
description, document title, outlet, author and external id, usernames, release name and
description), opens every page (tests/e2e/page_routes.py walks the URL configuration, so a new
page is checked without being listed) and reads the HTML: each occurrence must be the whole
text of a `<bdi>` or of an element with `dir` (an isolate that ends where the element ends), or
be wrapped in U+2068 FIRST STRONG ISOLATE ... U+2069 POP DIRECTIONAL ISOLATE where markup cannot
go (`<title>`, `<option>`, attributes a reader sees: title, aria-label, placeholder, alt).
Form fields (`value`, `<textarea>`) and data for scripts are their own box, not text beside
something else.
"""
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from annotate.models import Document
from tests.e2e.page_routes import demo_site, visits

RLO, FSI, PDI = "\u202e", "\u2068", "\u2069"
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
RAW_TEXT = ("script", "style", "textarea")  # data for scripts, or a field's own box
MARKUP_FREE = ("title", "option")  # plain text only: isolates are characters here


def _poison(site) -> list[str]:
    """User text with U+202E in every field a page shows; returns the values stored."""
    values = {}

    def bad(field: str) -> str:
        values[field] = f"{field}-{RLO}gpj.exe"
        return values[field]

    project = site.project
    project.name, project.description = bad("project"), bad("description")
    project.save(update_fields=["name", "description"])
    for n, document in enumerate(Document.objects.filter(project=project).order_by("id")):
        document.title, document.outlet, document.author = bad(f"title{n}"), bad(f"outlet{n}"), bad(f"author{n}")
        document.external_id = bad(f"external{n}")
        document.save(update_fields=["title", "outlet", "author", "external_id"])
    release = site.release
    release.name, release.description = bad("release"), bad("release-description")
    release.save(update_fields=["name", "description"])
    for user in get_user_model().objects.filter(username__in=["demo", "ana", "ben"]):
        user.username = bad(user.username)
        user.save(update_fields=["username"])
    site.membership.user.refresh_from_db()
    return sorted(values.values(), key=len, reverse=True)


class _Isolation(HTMLParser):
    """Collects every place a poisoned value is shown without an isolate around it."""

    def __init__(self, values: list[str]):
        super().__init__(convert_charrefs=True)
        self.values, self.stack, self.problems = values, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in SHOWN_ATTRIBUTES:
            self._check_wrapped(attrs.get(name) or "", f"<{tag} {name}=...>")
        if tag not in ("meta", "link", "input", "br", "img", "hr", "source", "col", "wbr", "area", "base"):
            self.stack.append((tag, "dir" in attrs or tag == "bdi"))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if RLO not in data:
            return
        tag, isolating = self.stack[-1] if self.stack else ("", False)
        if any(t in RAW_TEXT for t, _ in self.stack):
            return
        if isolating and tag not in ("title",) and data.strip() in self.values:
            return
        self._check_wrapped(data, f"<{tag}> text")

    def _check_wrapped(self, text: str, where: str):
        for value in self.values:
            start = text.find(value)
            while start != -1:
                before, after = text[start - 1:start], text[start + len(value):start + len(value) + 1]
                if (before, after) != (FSI, PDI):
                    self.problems.append(f"{where}: {text.strip()[:80]!r}")
                text = text[:start] + text[start + len(value):]  # each occurrence once (values may nest)
                start = text.find(value)
        if RLO in text:
            self.problems.append(f"{where}: an unknown value with U+202E in {text.strip()[:80]!r}")


@pytest.mark.django_db
def test_every_page_isolates_user_text():
    site = demo_site()
    manager = get_user_model().objects.get(username="demo")
    values = _poison(site)
    users = {"manager": manager, "annotator": site.membership.user}
    pages, unvisitable = visits(site)
    assert not unvisitable
    problems = []
    for visit in pages:
        client = Client()
        if visit.persona in users:
            client.force_login(users[visit.persona])
        response = client.get(visit.path)
        assert response.status_code == visit.expect_status, visit.label
        checker = _Isolation(values)
        checker.feed(response.content.decode())
        problems += [f"{visit.label}: {problem}" for problem in dict.fromkeys(checker.problems)]
    assert not problems, f"{len(problems)} places show user text without an isolate:\n" + "\n".join(problems)
