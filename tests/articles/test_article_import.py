"""Article import against a web server this test starts on loopback (never the internet)."""
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotate.articles.fetch import address_refused
from annotate.articles.models import ArticleSource
from annotate.models import Document

pytestmark = pytest.mark.django_db

PAGE = """<html><head><title>Bridge to reopen | Valley Gazette</title>
<meta property="og:site_name" content="Valley Gazette"><meta name="author" content="Jo Reyes">
<meta property="article:published_time" content="2026-05-03T10:00:00Z"></head>
<body><nav>Home · News · Sport</nav><article><h1>Bridge to reopen in March</h1>
<p>The bridge will reopen in March, the transport agency confirmed in a statement on Monday. Repairs have cost more than expected, officials said.</p>
<p>“We are confident,” the agency said. Residents welcomed the news after two years of detours through the valley.</p>
</article><footer>© Valley Gazette</footer></body></html>""".encode()


class _Handler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.hits.append(self.path)
        if self.path == "/story":
            self._send(200, PAGE, "text/html; charset=utf-8")
        elif self.path == "/to-metadata":
            self._redirect("http://169.254.169.254/latest/meta-data/")
        elif self.path == "/to-localhost":
            self._redirect(f"http://localhost:{self.server.server_port}/story")
        elif self.path == "/loop":
            self._redirect("/loop")
        elif self.path == "/to-story":
            self._redirect("/story")
        elif self.path == "/slow":  # answers only once the test has seen the client give up
            self.server.released.wait(30)
            self._send(200, PAGE, "text/html")
        elif self.path == "/empty":
            self._send(200, b"<html><head><title>Login</title></head><body></body></html>", "text/html")
        else:
            self._send(404, b"no", "text/plain")

    def _send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def web():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.released = threading.Event()
    _Handler.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.released.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_loopback(settings):
    settings.ARTICLE_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]  # the test server stands in for a public one


def _post(team, who="alice", **data):
    return team.clients[who].post(f"/api/v1/projects/{team.project.pk}/articles/", data, format="json")


def test_an_article_becomes_a_document_with_its_metadata_and_the_pages_hash(team, web, allow_loopback):
    response = _post(team, url=f"{web}/to-story")
    assert response.status_code == 201, response.content
    body = response.json()
    document = Document.objects.get(pk=body["id"])
    assert document.title == "Bridge to reopen in March"
    assert (document.author, document.outlet, str(document.published_on)) == ("Jo Reyes", "Valley Gazette", "2026-05-03")
    assert document.text.startswith("The bridge will reopen in March, the transport agency confirmed")
    assert "Home · News" not in document.text and "©" not in document.text
    assert document.source_url == f"{web}/story"
    source = ArticleSource.objects.get(document=document)
    assert source.page_sha256 == hashlib.sha256(PAGE).hexdigest() == body["article"]["page_sha256"]
    assert source.requested_url == f"{web}/to-story" and source.imported_by == team.alice


@pytest.mark.parametrize("url, reason", [
    ("http://127.0.0.1:9/story", "loopback"),
    ("http://localhost:9/story", "loopback"),
    ("http://[::1]:9/story", "loopback"),
    ("http://[::ffff:127.0.0.1]:9/", "loopback"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://10.1.2.3/", "private"),
    ("http://192.168.0.1/", "private"),
    ("http://100.64.0.1/", "non-public"),
    ("http://0.0.0.0/", "private"),
    ("ftp://example.org/story", "http and https"),
    ("file:///etc/passwd", "http and https"),
    ("http://user:secret@example.org/", "user name or password"),
    ("", "address"),
])
def test_what_the_server_may_not_reach_is_refused_before_any_request(team, url, reason):
    response = _post(team, url=url)
    assert response.status_code == 400, response.content
    assert reason in response.json()["url"][0]
    assert not Document.objects.filter(project=team.project).exclude(pk=team.document.pk).exists()


def test_the_address_check_is_made_on_every_redirect(team, web, allow_loopback):
    assert "link-local" in _post(team, url=f"{web}/to-metadata").json()["url"][0]
    assert "loopback" in _post(team, url=f"{web}/to-localhost").json()["url"][0]  # localhost is not allow-listed
    assert "redirects" in _post(team, url=f"{web}/loop").json()["url"][0]
    assert _Handler.hits.count("/loop") == 6  # the first request and five redirects, no more


def test_size_and_time_are_bounded(team, web, allow_loopback, settings):
    settings.ARTICLE_FETCH_MAX_BYTES = 200
    assert _post(team, url=f"{web}/story").status_code == 413
    settings.ARTICLE_FETCH_MAX_BYTES = 5_000_000
    settings.ARTICLE_FETCH_TIMEOUT_SECONDS = 0.3
    response = _post(team, url=f"{web}/slow")
    assert response.status_code == 400 and "longer than" in response.json()["url"][0]


def test_only_managers_may_make_the_server_fetch(team, web, allow_loopback):
    for who in ("bob", "carol"):
        assert _post(team, who, url=f"{web}/story").status_code == 403
    assert _post(team, "mallory", url=f"{web}/story").status_code == 404
    assert _Handler.hits == []  # refused before anything was fetched


def test_a_page_without_an_article_is_refused(team, web, allow_loopback):
    response = _post(team, url=f"{web}/empty")
    assert response.status_code == 400 and "No article text" in response.json()["url"][0]


def test_a_saved_mhtml_page_is_read_with_its_own_address(team):
    mhtml = (
        "From: <Saved by Blink>\r\nSnapshot-Content-Location: https://gazette.example/bridge\r\n"
        "Subject: Bridge\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/related; type="text/html"; boundary="----B"\r\n\r\n'
        "------B\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        "Content-Location: https://gazette.example/bridge\r\n\r\n"
    ).encode() + PAGE.replace(b"=", b"=3D") + b"\r\n------B--\r\n"
    upload = SimpleUploadedFile("bridge.mhtml", mhtml, content_type="multipart/related")
    response = team.clients["alice"].post(f"/api/v1/projects/{team.project.pk}/articles/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    document = Document.objects.get(pk=response.json()["id"])
    assert document.source_url == "https://gazette.example/bridge" and document.author == "Jo Reyes"
    assert ArticleSource.objects.get(document=document).page_sha256 == hashlib.sha256(mhtml).hexdigest()


def test_the_page_form_imports_and_shows_errors_next_to_the_field(team, web, allow_loopback, client):
    client.force_login(team.alice)
    url = f"/projects/{team.project.pk}/documents/from-web/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"url": "http://10.0.0.1/"})
    assert response.status_code == 200 and "private address" in response.content.decode()
    assert 'value="http://10.0.0.1/"' in response.content.decode()  # what was typed is kept
    response = client.post(url, {"url": f"{web}/story"})
    assert response.status_code == 302 and response["Location"].startswith("/documents/")
    client.force_login(team.carol)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("address, refused", [
    ("93.184.215.14", False), ("2606:4700:4700::1111", False), ("127.0.0.1", True), ("::1", True),
    ("10.0.0.1", True), ("172.16.5.4", True), ("fc00::1", True), ("fe80::1", True), ("224.0.0.1", True),
    ("::ffff:10.0.0.1", True), ("198.18.0.1", True),
])
def test_address_rules(address, refused):
    assert (address_refused(address) is not None) is refused
