"""Fixtures for the services a deployment uses: an S3 server, Redis, PostgreSQL.

Each is real and local: moto in server mode (a subprocess on a free port on
127.0.0.1, spoken to over HTTP by boto3), the Redis on 127.0.0.1:6379 and the
PostgreSQL on 127.0.0.1:5432. A test that needs one skips with the reason when
it is absent, and fails in CI (``require_service``).
"""

import importlib.util
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import boto3
import psycopg
import pytest
import redis
from psycopg import sql

from .conftest import require_service

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "cms" / "settings.py"
REDIS_URL = "redis://127.0.0.1:6379/0"
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
S3_KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
S3_REGION = "us-east-1"
_modules = itertools.count()


def load_settings():
    """Execute cms/settings.py afresh under the current environment."""
    spec = importlib.util.spec_from_file_location(
        f"settings_{next(_modules)}", SETTINGS
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def manage_py(env, *args, timeout=300):
    """Run manage.py in a subprocess with exactly the environment ``env``."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def environ_without(*prefixes):
    """Return this process's environment less the variables starting so."""
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, *, timeout, process=None, expect=200):
    """Poll ``url`` until it answers ``expect``; return whether it did in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == expect:
                    return True
        except urllib.error.HTTPError as exc:
            if exc.code == expect:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def stop(process, *, timeout=10):
    """Stop a server started with ``start_new_session``, and all its children."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=timeout)


class MotoServer:
    """An S3-compatible server: moto in server mode, in its own process."""

    def __init__(self, log_dir):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(log_dir) / f"moto-{self.port}.log"
        self.process = None

    def start(self, timeout=30):
        """Start (or restart, on the same port) the server; return whether it runs."""
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1"]
                + ["-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **S3_KEYS},
                start_new_session=True,
            )
        return wait_for(f"{self.url}/moto-api/", timeout=timeout, process=self.process)

    def stop(self):
        if self.process is not None:
            stop(self.process)

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=S3_REGION,
            aws_access_key_id=S3_KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_KEYS["AWS_SECRET_ACCESS_KEY"],
        )

    def create_bucket(self, name=None):
        """Create a bucket whose objects anyone may read, as a site's media
        bucket is set up (README, "Deploying"); return its name."""
        name = name or f"media-{uuid.uuid4().hex[:12]}"
        client = self.client()
        client.create_bucket(Bucket=name)
        client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read(name)))
        return name

    def environ(self, bucket, **extra):
        """Return the environment variables that point cms/settings.py here."""
        return {
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": self.url,
            "AWS_S3_REGION_NAME": S3_REGION,
            "AWS_S3_ADDRESSING_STYLE": "path",
            **S3_KEYS,
            **extra,
        }


def public_read(bucket):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


def start_moto(log_dir):
    server = MotoServer(log_dir)
    started = server.start()
    if not started:
        server.stop()
    require_service(
        "an S3 server (moto)",
        started,
        f"`python -m moto.server` did not answer on {server.url}; "
        "install the dev extra (moto[server])",
    )
    return server


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    server = start_moto(tmp_path_factory.mktemp("moto"))
    yield server
    server.stop()


def use_s3(server, bucket, settings, monkeypatch, **env):
    """Point default_storage at ``bucket`` on ``server``, configured as
    cms/settings.py configures it from the environment (plus ``env``)."""
    for name, value in server.environ(bucket, **env).items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": load_settings().STORAGES["default"],
    }


@pytest.fixture
def s3_storage(s3_server, settings, monkeypatch):
    """Point default_storage at a fresh bucket on the S3 server; return its name."""
    bucket = s3_server.create_bucket()
    use_s3(s3_server, bucket, settings, monkeypatch)
    return bucket


def redis_available():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url():
    require_service(
        "Redis",
        redis_available(),
        f"nothing answers PING at {REDIS_URL} (start redis-server)",
    )
    return REDIS_URL


def postgres_available():
    try:
        with psycopg.connect(dbname="postgres", connect_timeout=3, **POSTGRES):
            return True
    except psycopg.OperationalError:
        return False


def postgres_admin():
    return psycopg.connect(dbname="postgres", autocommit=True, **POSTGRES)


@pytest.fixture(scope="module")
def throwaway_database():
    """Create an empty PostgreSQL database that other processes can use (unlike
    pytest-django's, whose rows live in a transaction), drop it afterwards, and
    yield its name."""
    require_service(
        "PostgreSQL",
        postgres_available(),
        "nothing accepts connections as user postgres at 127.0.0.1:5432",
    )
    name = f"newsdesk_deploy_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    identifier = sql.Identifier(name)
    with postgres_admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(identifier))
    yield name
    with postgres_admin() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier)
        )


def terminate_connections(database):
    """End every server process connected to ``database``, as a restart would;
    return how many there were."""
    with postgres_admin() as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        ).fetchall()
    return len(rows)
