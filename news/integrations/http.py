"""One HTTP request to another system, and the guard on where it may go.

Webhook URLs are typed in by people, so a delivery must not become a way to
reach the site's own network (SSRF). ``resolve()`` looks the host name up and
refuses it if any address it has is loopback, private, link-local, multicast,
reserved or otherwise not global, unless the address is in
``NEWSDESK_WEBHOOK_ALLOWED_NETWORKS``. ``send()`` then connects to that very
address, with the name kept for the Host header and TLS (SNI and certificate
checks), so the name cannot resolve to another address between the check and
the connection (DNS rebinding). Redirects are never followed: a 3xx is an
answer like any other.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings

# Enough of an answer to show in the log; the rest is not read.
MAX_ANSWER = 4096


class Refused(Exception):
    """The URL is not one a delivery may go to."""


class RequestFailed(Exception):
    """No answer came: the name did not resolve, or the connection failed or
    timed out."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    # Every address the name resolved to, all checked, in the resolver's order.
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    status: int
    milliseconds: int
    text: str


def _kind(address):
    """Return why ``address`` is no public address, or "" if it is one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    # The narrower kinds first: Python counts link-local and loopback as private.
    for kind in ("loopback", "link_local", "multicast", "unspecified", "private"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    if address.is_reserved:
        return "reserved"
    if not address.is_global:
        return "non-global"
    return ""


def allowed_networks():
    return [
        ipaddress.ip_network(network, strict=False)
        for network in settings.NEWSDESK_WEBHOOK_ALLOWED_NETWORKS
    ]


def refusal(address, allowed=None):
    """Return what kind of address ``address`` (an IP address string) is, if it
    is no public address and not in the allowed networks; else ""."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    allowed = allowed_networks() if allowed is None else allowed
    if any(ip in network for network in allowed):
        return ""
    return _kind(ip)


def check_address(address):
    """Raise Refused if ``address`` is no public address and not allowed."""
    kind = refusal(address)
    if kind:
        raise Refused(f"{address} is a {kind} address.")


def split(url):
    """Return the scheme, host, port and path of ``url``; Refused unless it is
    an absolute http or https URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused(f"{url!r} is not a URL.") from None
    if parts.scheme not in ("http", "https"):
        raise Refused("Only http and https URLs may be called.")
    if not parts.hostname:
        raise Refused(f"{url!r} names no host.")
    try:
        # An internationalised name is looked up, and sent, in its ASCII form.
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise Refused(f"{parts.hostname!r} is not a host name.") from None
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, host, port, path


def check_url(url):
    """Raise Refused for a URL no delivery may go to that can be told without
    looking its name up: another scheme, or an address that is not public."""
    host = split(url)[1]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return  # a name: checked when it is resolved, at each delivery
    check_address(host)


def resolve(url, *, guard=True):
    """Return the Target of ``url``: the addresses to connect to.

    With ``guard``, raise Refused if the host has any address that is not a
    public one (and not allowed by the settings)."""
    scheme, host, port, path = split(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise RequestFailed(f"{host} does not resolve: {error}") from None
    addresses = [str(info[4][0]) for info in infos]
    if guard:
        allowed = allowed_networks()
        for address in addresses:
            kind = refusal(address, allowed)
            if kind:
                raise Refused(f"{host} resolves to {address}, a {kind} address.")
    return Target(scheme, host, port, path, tuple(addresses))


def _connection(target, timeout):
    """Return an unopened connection to ``target`` that will connect to one of
    its checked addresses, not to whatever the name resolves to by then; the
    name stays for the Host header, SNI and the certificate check."""
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(
            target.host,
            target.port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        connection = http.client.HTTPConnection(
            target.host, target.port, timeout=timeout
        )

    def connect(address, timeout=timeout, source_address=None):
        error = OSError(f"{target.host} has no address")
        for checked in target.addresses:
            try:
                return socket.create_connection(
                    (checked, target.port), timeout, source_address
                )
            except OSError as failure:
                error = failure
        raise error

    connection._create_connection = connect  # type: ignore[attr-defined]
    return connection


def send(method, url, *, body=b"", headers=None, guard=True, timeout=None):
    """Make one request and return its Answer; never follow a redirect.

    The whole request, answer included, has ``timeout`` seconds
    (NEWSDESK_WEBHOOK_TIMEOUT): a receiver that answers a byte at a time is
    cut off then. Raises Refused for a URL that may not be called, and
    RequestFailed when no answer comes in time."""
    target = resolve(url, guard=guard)
    timeout = settings.NEWSDESK_WEBHOOK_TIMEOUT if timeout is None else timeout
    connection = _connection(target, timeout)
    expired = threading.Event()

    def cut_off():
        expired.set()
        if connection.sock is not None:
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(timeout, cut_off)
    watchdog.start()
    started = time.monotonic()
    try:
        connection.request(method, target.path, body=body, headers=headers or {})
        response = connection.getresponse()
        text = response.read(MAX_ANSWER).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as error:
        if expired.is_set():
            raise RequestFailed(f"No answer within {timeout} s.") from None
        raise RequestFailed(f"{type(error).__name__}: {error}") from None
    finally:
        watchdog.cancel()
        connection.close()
    milliseconds = round((time.monotonic() - started) * 1000)
    return Answer(response.status, milliseconds, text)


MAX_RETRY_DELAY = timedelta(days=1)


def retry_delay(attempt, first):
    """Return how long to wait after failed attempt number ``attempt`` of a
    request to another system (a webhook, a CDN purge): ``first`` seconds after
    the first, twice as long after each one after, never more than a day."""
    doublings = min(attempt - 1, 30)  # 2**30 seconds is decades: capped anyway
    return min(timedelta(seconds=first * 2**doublings), MAX_RETRY_DELAY)
