"""Fetching a web page without letting a user reach what the server can reach (SSRF).

- http and https only, no user name or password in the URL;
- every address a host name resolves to is checked, after resolution, on every connection
  (redirects included), and the connection goes to the address that was checked, so a DNS
  answer that changes between check and use (rebinding) cannot slip past: private, loopback,
  link-local, shared, reserved, multicast and unspecified addresses are refused (anything that
  is not a global unicast address, IPv4-mapped IPv6 included);
- at most ARTICLE_FETCH_MAX_REDIRECTS redirects, ARTICLE_FETCH_MAX_BYTES of body and
  ARTICLE_FETCH_TIMEOUT_SECONDS in all; no cookies are kept or sent;
- ARTICLE_FETCH_ALLOWED_HOSTS lists host names that skip the address check (an intranet CMS).

Built on httpcore (the transport under httpx) with a network backend that resolves and checks
the address itself; no home-made HTTP.
"""
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpcore
from django.conf import settings

from annotate.errors import InvalidInput, TooLarge

USER_AGENT = "annotate-article-import/1 (+https://github.com/; fact-checking annotation tool)"
REDIRECTS = {301, 302, 303, 307, 308}


class FetchRefused(InvalidInput):
    """400 on the url field: the page was not fetched, and why."""

    def __init__(self, message: str):
        super().__init__({"url": [message]})


@dataclass(frozen=True)
class FetchedPage:
    url: str  # as asked
    final_url: str  # after redirects
    content_type: str
    body: bytes


def _allowed_hosts() -> set[str]:
    return {host.strip().lower() for host in settings.ARTICLE_FETCH_ALLOWED_HOSTS if host.strip()}


def address_refused(address: str) -> str | None:
    """Why a connection to this IP address is refused, or None when it is a public unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved or not ip.is_global:
        return "a reserved or non-public address"
    return None


class _CheckedBackend(httpcore.SyncBackend):
    """Resolves the host itself, refuses non-public addresses, and connects to the checked one."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        if host.lower() in _allowed_hosts():
            return super().connect_tcp(host, port, timeout=timeout, local_address=local_address, socket_options=socket_options)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise FetchRefused(f"The host {host!r} could not be resolved.") from error
        addresses = [info[4][0] for info in infos]
        for address in addresses:
            reason = address_refused(address)
            if reason:
                raise FetchRefused(f"The host {host!r} resolves to {reason} ({address}); only public web servers are fetched.")
        return super().connect_tcp(addresses[0], port, timeout=timeout, local_address=local_address, socket_options=socket_options)


def check_url(url: str) -> str:
    if not isinstance(url, str) or not url.strip():
        raise FetchRefused("Give the address of the article's page.")
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused("Only http and https addresses are fetched.")
    if parts.username is not None or parts.password is not None:
        raise FetchRefused("An address with a user name or password is not fetched.")
    if not parts.hostname:
        raise FetchRefused("The address has no host.")
    try:
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError as error:
        raise FetchRefused("The address has a bad port.") from error
    return url


def fetch_page(url: str) -> FetchedPage:
    """The page at `url`, following bounded redirects, or a 400 (413 when too large) naming why."""
    asked = url = check_url(url)
    deadline = time.monotonic() + settings.ARTICLE_FETCH_TIMEOUT_SECONDS
    limit = settings.ARTICLE_FETCH_MAX_BYTES
    with httpcore.ConnectionPool(network_backend=_CheckedBackend(), max_connections=1) as pool:
        for _ in range(settings.ARTICLE_FETCH_MAX_REDIRECTS + 1):
            remaining = max(0.1, deadline - time.monotonic())
            timeouts = {"connect": remaining, "read": remaining, "write": remaining, "pool": remaining}
            try:
                with pool.stream("GET", url, headers=[(b"User-Agent", USER_AGENT.encode()), (b"Accept", b"text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")],
                                 extensions={"timeout": timeouts}) as response:
                    headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in response.headers}
                    if response.status in REDIRECTS and "location" in headers:
                        url = check_url(urljoin(url, headers["location"]))
                        continue
                    if response.status != 200:
                        raise FetchRefused(f"The server answered {response.status}, not the page.")
                    declared = headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > limit:
                        raise TooLarge({"url": [f"The page is {declared} bytes; at most {limit} are fetched."]})
                    body = bytearray()
                    for chunk in response.iter_stream():
                        body += chunk
                        if len(body) > limit:
                            raise TooLarge({"url": [f"The page is larger than {limit} bytes, the most that is fetched."]})
                        if time.monotonic() > deadline:
                            raise FetchRefused(f"The page took longer than {settings.ARTICLE_FETCH_TIMEOUT_SECONDS} s to arrive.")
                    return FetchedPage(asked, url, headers.get("content-type", ""), bytes(body))
            except httpcore.TimeoutException as error:
                raise FetchRefused(f"The page took longer than {settings.ARTICLE_FETCH_TIMEOUT_SECONDS} s to arrive.") from error
            except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as error:
                raise FetchRefused(f"The page could not be fetched ({type(error).__name__}).") from error
        raise FetchRefused(f"More than {settings.ARTICLE_FETCH_MAX_REDIRECTS} redirects.")
