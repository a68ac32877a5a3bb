"""Stateless app servers: two gunicorn processes sharing PostgreSQL, S3 (a moto
server) and Redis, as behind a load balancer.

The posts are written by other processes (manage.py, as an operator would run
it) into a throwaway PostgreSQL database that every process can see.
"""

import http.cookiejar
import re
import secrets
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest

from .factories import image_bytes, write_tree
from .services import (
    ROOT,
    environ_without,
    free_port,
    manage_py,
    stop,
    terminate_connections,
    wait_for,
)

PASSWORD = secrets.token_urlsafe(16)
DOCUMENT = """---
title: Scaling out
draft: true
---

![chart](chart.png)
"""


def manage(env, *args):
    result = manage_py(env, *args, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def transition(env, name, slug):
    """Publish or unpublish a post through news.editorial.workflow, in another
    process."""
    manage(
        env,
        "shell",
        "-c",
        "from news.editorial import workflow; from news.models import Post; "
        f"workflow.{name}(Post.objects.get(slug={slug!r}), by=None)",
    )


class AppServer:
    def __init__(self, env, log_dir, label):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"gunicorn-{label}.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "cms.wsgi"]
                + ["--bind", f"127.0.0.1:{self.port}", "--workers", "1"]
                + ["--timeout", "30", "--graceful-timeout", "5"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def get(self, path, data=None):
        """Return ``(status, body)``; redirects are followed."""
        if data is not None:
            data = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(self.url + path, data=data, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, s3_server, redis_url, throwaway_database):
    database = throwaway_database
    tmp = tmp_path_factory.mktemp("cluster")
    bucket = s3_server.create_bucket()
    env = {
        **environ_without("DJANGO_", "NEWSDESK_", "AWS_", "DATABASE_URL", "REDIS_URL"),
        **s3_server.environ(bucket),
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": redis_url,
        "STATIC_ROOT": str(tmp / "static"),
        "NEWSDESK_VAR_DIR": str(tmp / "var"),  # must stay empty: nothing on disk
        # Plain HTTP on the loopback, as behind a TLS-terminating proxy.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
    }
    servers = []
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        env_user = {**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD}
        manage(
            env_user, "createsuperuser", "--noinput", "--username", "editor",
            "--email", "editor@news.example",
        )  # fmt: skip
        servers = [AppServer(env, tmp, label) for label in "ab"]
        for server in servers:
            assert wait_for(
                f"{server.url}/healthz", timeout=60, process=server.process
            ), server.log.read_text()
        yield {"env": env, "servers": servers, "database": database, "tmp": tmp}
    finally:
        for server in servers:
            stop(server.process)


def test_a_post_published_through_one_process_is_served_by_both(cluster, tmp_path):
    env, servers = cluster["env"], cluster["servers"]
    chart = image_bytes(color=(10, 120, 240))
    tree = write_tree(tmp_path / "site", {"scaling.md": DOCUMENT, "chart.png": chart})
    manage(env, "import_markdown", str(tree))
    for server in servers:
        assert server.get("/news/scaling/")[0] == 404

    transition(env, "publish", "scaling")
    for server in servers:
        status, body = server.get("/news/scaling/")
        assert status == 200
        assert "Scaling out" in body
        src = re.search(r'<img [^>]*src="([^"]+)"', body)[1]
        assert src.startswith(env["AWS_S3_ENDPOINT_URL"])
        with urllib.request.urlopen(src, timeout=10) as image:
            assert image.read() == chart

    transition(env, "unpublish", "scaling")
    for server in servers:
        assert server.get("/news/scaling/")[0] == 404
        assert "Scaling out" not in server.get("/")[1]


def test_a_session_started_on_one_server_works_on_the_other(cluster):
    first, second = cluster["servers"]
    first.get("/admin/login/")
    token = next(c.value for c in first.cookies if c.name == "csrftoken")
    status, body = first.get(
        "/admin/login/?next=/admin/",
        {"username": "editor", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert (status, "Site administration" in body) == (200, True)
    for cookie in first.cookies:
        second.cookies.set_cookie(cookie)
    status, body = second.get("/admin/")
    assert status == 200
    assert "Site administration" in body


def test_nothing_is_written_to_local_disk(cluster):
    assert not (cluster["tmp"] / "var").exists()


def test_both_servers_are_healthy_with_the_shared_services(cluster):
    for server in cluster["servers"]:
        status, body = server.get("/healthz")
        assert status == 200, body
        assert '"status": "ok"' in body


def test_servers_recover_when_the_database_drops_their_connections(cluster):
    for server in cluster["servers"]:
        assert server.get("/")[0] == 200  # each holds a persistent connection
    # What a PostgreSQL restart does to the servers' connections, confined to
    # this test's own database.
    assert terminate_connections(cluster["database"]) >= 2
    for server in cluster["servers"]:
        assert server.get("/")[0] == 200
        assert server.get("/healthz")[0] == 200
