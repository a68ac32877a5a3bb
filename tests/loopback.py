"""A real HTTP server on loopback, in a thread, for webhook and purge tests.

It records every request and answers with the statuses it is given, in turn
(200 once they run out). Given a secret, it checks each request's signature as
a receiver would, by the recipe in docs/integrations.md, and answers 401 to a
bad or stale one.
"""

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: bytes
    signature_ok: bool | None


def signature_ok(secret, headers, body, now=None, tolerance=300):
    """Check a delivery as a receiver does: fresh timestamp, then HMAC-SHA256
    over ``timestamp.body``, compared in constant time."""
    timestamp = headers.get("X-Newsdesk-Timestamp", "")
    if not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        return False  # a replay of an old delivery
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    signed = headers.get("X-Newsdesk-Signature", "")
    return hmac.compare_digest(f"sha256={expected}", signed)


class Receiver:
    def __init__(self, secret=None):
        self.secret = secret
        self.statuses: list[int] = []
        self.headers_out: dict[str, str] = {}
        self.requests: list[Received] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = dict(self.headers.items())
                ok = None
                if receiver.secret is not None:
                    ok = signature_ok(receiver.secret, headers, body)
                receiver.requests.append(
                    Received(self.command, self.path, headers, body, ok)
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if ok is False:
                    status = 401
                self.send_response(status)
                for name, value in receiver.headers_out.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_POST = do_PURGE = do_GET = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
