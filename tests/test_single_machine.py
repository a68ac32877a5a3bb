"""A fresh single-machine site (the defaults and a secret key, DEBUG off),
served by a real gunicorn: its pages show images that it serves itself."""

import re
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from html import unescape

import pytest

from .services import ROOT, environ_without, free_port, manage_py, stop, wait_for


def get(url):
    """Return ``(status, headers, body)``, without following redirects."""
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("single")
    (tmp / "var").mkdir()
    env = {
        **environ_without("DJANGO_", "NEWSDESK_", "AWS_", "DATABASE_URL", "REDIS_URL"),
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "NEWSDESK_VAR_DIR": str(tmp / "var"),
        "MEDIA_ROOT": str(tmp / "var" / "media"),
        "STATIC_ROOT": str(tmp / "static"),
        # Plain HTTP on the loopback, as behind a TLS-terminating proxy.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
    }
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = manage_py(env, *command, timeout=180)
        assert result.returncode == 0, result.stdout + result.stderr
    result = manage_py(env, "load_samples", "--no-demo-user", timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    port = free_port()
    log = tmp / "gunicorn.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cms.wsgi"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "30"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_for(f"{url}/healthz", timeout=60, process=process), log.read_text()
        yield url
    finally:
        stop(process)


def image_urls(page):
    found = set(re.findall(r'(?:src|content)="([^"]+)"', page))
    for srcset in re.findall(r'srcset="([^"]+)"', page):
        found.update(c.strip().split(" ")[0] for c in srcset.split(","))
    return {unescape(u) for u in found if "/media/" in u}


def test_a_fresh_site_with_debug_off_serves_its_images(site):
    status, _, home = get(site + "/")
    assert status == 200
    articles = sorted(set(re.findall(r'href="(/news/[^"/]+/)"', home.decode())))
    assert articles, "the home page links no article"
    urls = set()
    for article in articles:
        status, _, page = get(site + article)
        assert status == 200, article
        urls |= image_urls(page.decode())
    assert urls, "no article shows an image"
    for url in sorted(urls):
        url = url if url.startswith("http") else site + url
        status, headers, data = get(url)
        assert status == 200, url
        assert headers["Content-Type"].startswith("image/"), url
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "immutable" in headers["Cache-Control"]
        assert len(data) == int(headers["Content-Length"]) > 0
