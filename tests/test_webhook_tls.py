"""Deliveries over HTTPS: the connection goes to the address that was checked,
and TLS is still verified against the subscription's host name (SNI and the
certificate), so connecting by address weakens nothing.

A test CA and server certificates are made in memory; the CA is trusted
through SSL_CERT_FILE, which OpenSSL reads when a context loads its defaults.
"""

import datetime
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from news.integrations import webhooks
from news.models import WebhookDelivery, WebhookSubscription

from .factories import make_post

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

pytestmark = pytest.mark.django_db


def _name(text):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def _certificate(subject, issuer, key, signer, *, ca, dns=None):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if dns:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(dns)]), critical=False
        )
    return builder.sign(signer, hashes.SHA256())


@pytest.fixture
def tls(tmp_path, monkeypatch, settings):
    """Return a function starting an HTTPS receiver whose certificate names
    ``host``, signed by a CA this process trusts."""
    settings.NEWSDESK_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Test CA", "Test CA", ca_key, ca_key, ca=True)
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    servers = []

    def start(host):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(host, "Test CA", key, ca_key, ca=False, dns=host)
        pem = tmp_path / f"{host}.pem"
        pem.write_bytes(
            cert.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        seen = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                seen.append((self.headers["Host"], self.connection.server_hostname))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pem)
        names = []

        def sni(connection, name, context):
            connection.server_hostname = name
            names.append(name)

        context.sni_callback = sni
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_address[1], seen, names

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def deliver_to(url):
    WebhookSubscription.objects.create(url=url, events=["post.published"])
    webhooks.queue("post.published", make_post(title="Secure").pk)
    return WebhookDelivery.objects.get()


def test_https_names_the_host_for_sni_and_the_certificate(tls):
    port, seen, names = tls("localhost")
    delivery = deliver_to(f"https://localhost:{port}/hook")
    assert (delivery.status, delivery.response_code) == ("delivered", 204)
    assert names == ["localhost"]  # SNI: the name, not the address connected to
    assert seen[0][0] == f"localhost:{port}"


def test_a_certificate_for_another_name_is_refused(tls):
    port, seen, _ = tls("elsewhere.example")
    delivery = deliver_to(f"https://localhost:{port}/hook")
    assert delivery.status == "failed"
    assert "SSLCertVerificationError" in delivery.error
    assert "localhost" in delivery.error
    assert seen == []


def test_a_certificate_no_trusted_authority_signed_is_refused(
    tls, tmp_path, monkeypatch
):
    port, seen, _ = tls("localhost")
    empty = tmp_path / "none.pem"
    empty.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "no-such-dir"))
    delivery = deliver_to(f"https://localhost:{port}/hook")
    assert delivery.status == "failed"
    assert "certificate verify failed" in delivery.error
    assert seen == []
