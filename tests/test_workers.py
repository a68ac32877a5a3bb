"""Real worker processes: tasks queued by one process are run by another.

Each test gets a file-based SQLite database and media folder in a temp dir (the
project's own settings, with NEWSDESK_VAR_DIR pointing there), queues work with
`manage.py shell`, and runs `manage.py run_worker` as the deployment would.
Every wait is bounded, and every worker is stopped by the test that started it.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from email import message_from_bytes
from pathlib import Path

import pytest
import redis
from django_tasks_db.models import DBTaskResult

from news import workers
from news.media import orphans
from news.media.storage import process_alive

from .services import ROOT, environ_without, manage_py

TIMEOUT = 60


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated database to copy: migrating costs seconds, copying nothing."""
    var = tmp_path_factory.mktemp("template")
    done = manage_py(environment(var), "migrate", "--noinput")
    assert done.returncode == 0, done.stderr
    return var / "db.sqlite3"


def environment(var, **extra):
    env = environ_without(
        "NEWSDESK_", "DJANGO_", "DATABASE_URL", "REDIS_URL", "AWS_", "MEDIA_"
    )
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DJANGO_SECRET_KEY": "worker-tests",
        "NEWSDESK_VAR_DIR": str(var),
        "NEWSDESK_TASKS": "database",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(var / "mail"),
        **extra,
    }


@pytest.fixture
def site(tmp_path, migrated):
    var = tmp_path / "var"
    var.mkdir()
    shutil.copy(migrated, var / "db.sqlite3")
    return var


def shell(env, code):
    done = manage_py(
        env, "shell", "--no-imports", "-c", textwrap.dedent(code), timeout=TIMEOUT
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def start_worker(env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def children(pid):
    """Return the ids of the processes whose parent is ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def stop(worker):
    """Kill the worker with SIGKILL, which it cannot catch, and the work horse
    an RQ worker forks for each job in a process group of its own; return
    the worker's output."""
    if worker.poll() is None:
        # Stopped first, so that no horse is forked between listing them and
        # the kill.
        os.killpg(worker.pid, signal.SIGSTOP)
        horses = children(worker.pid)
        os.killpg(worker.pid, signal.SIGKILL)
        for horse in horses:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(horse, signal.SIGKILL)
        # A horse killed is gone only once nothing runs as it any more.
        assert wait_until(lambda: not any(map(process_alive, horses)))
    return worker.communicate(timeout=TIMEOUT)[0]


def wait_until(condition, worker=None):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return True
        if worker is not None and worker.poll() is not None:
            return condition()
        time.sleep(0.1)
    return False


def mails(var):
    folder = var / "mail"
    files = sorted(folder.glob("*.log")) if folder.is_dir() else []
    # The file backend writes each message in a file, with a line of dashes
    # after: what follows the last line of dashes is not whole yet.
    return [
        message_from_bytes(part.strip().encode())
        for path in files
        for part in path.read_text().split("-" * 79)[:-1]
        if part.strip()
    ]


SUBMIT = """
    from news.editorial import workflow
    from news.models import Post
    from tests.factories import add_authors, make_post, make_user

    author = make_user("ann", "Authors")
    make_user("edna", "Editors")
    post = add_authors(make_post(title="Story", status=Post.Status.DRAFT), author)
    workflow.submit(post, by=author)
"""


def assert_the_editor_was_told(var):
    [mail] = mails(var)
    assert mail["To"] == "edna@example.com"
    assert mail["Subject"] == "Ready for review: Story"
    assert "ann moved it from draft to in review." in mail.get_payload()


def test_a_worker_process_sends_the_notification_email(site):
    env = environment(site)
    shell(env, SUBMIT)
    # The web side only queued the email.
    assert mails(site) == []
    worker = start_worker(env)
    try:
        assert wait_until(lambda: mails(site), worker)
    finally:
        output = stop(worker)
    assert_the_editor_was_told(site)
    assert "Traceback" not in output


STALE_POSTS = """
    from news.models import Post
    from tests.factories import make_post
    from tests.worker_tasks import gated_rerender

    posts = [make_post(title=f"Post {n}", body=f"**bold {n}**") for n in range(3)]
    Post.objects.update(body_html="<p>stale</p>")
    gated_rerender.enqueue([post.pk for post in posts], GATE, STARTED)
"""

STATE = """
    from django_tasks_db.models import DBTaskResult
    from news.models import Post

    print(*DBTaskResult.objects.values_list("status", flat=True))
    for html in Post.objects.order_by("pk").values_list("body_html", flat=True):
        print(html.strip())
"""


def worker_on_a_gated_task(site):
    """Queue a re-render of three stale posts that waits for a gate file, and
    start a worker on it; return the environment, the gate, the file the task
    writes once it has started, and the worker."""
    env = environment(site)
    gate, started = site / "gate", site / "started"
    shell(
        env,
        STALE_POSTS.replace("GATE", repr(str(gate))).replace(
            "STARTED", repr(str(started))
        ),
    )
    return env, gate, started, start_worker(env)


def test_a_task_whose_worker_was_killed_runs_again_after_a_restart(site):
    env, gate, started, worker = worker_on_a_gated_task(site)
    try:
        assert wait_until(started.exists, worker)
    finally:
        stop(worker)  # SIGKILL: as the OOM killer or a power cut would
    # Killed half way: claimed, nothing rendered, and no worker to finish it.
    assert shell(env, STATE).splitlines() == ["RUNNING"] + ["<p>stale</p>"] * 3

    gate.touch()
    again = manage_py(env, "run_worker", "--batch", timeout=TIMEOUT)
    assert again.returncode == 0, again.stderr
    assert "Requeued 1 task(s) left running by a worker that is gone." in again.stdout
    # The state one uninterrupted run leaves.
    assert shell(env, STATE).splitlines() == ["SUCCESSFUL"] + [
        f"<p><strong>bold {n}</strong></p>" for n in range(3)
    ]


def test_a_live_worker_keeps_its_task(site):
    env, gate, started, worker = worker_on_a_gated_task(site)
    try:
        assert wait_until(started.exists, worker)
        # A second worker starting meanwhile takes nothing from the first.
        second = manage_py(env, "run_worker", "--batch", timeout=TIMEOUT)
        assert second.returncode == 0, second.stderr
        assert "Requeued" not in second.stdout
        gate.touch()
        assert wait_until(lambda: "SUCCESSFUL" in shell(env, STATE), worker)
    finally:
        stop(worker)


def test_an_rq_worker_sends_the_notification_email(site, redis_url):
    # A Redis database of its own, emptied of any earlier run's jobs.
    url = redis_url.rpartition("/")[0] + "/13"
    redis.Redis.from_url(url).delete("rq:queue:default")
    env = environment(site, NEWSDESK_TASKS="rq", NEWSDESK_TASKS_REDIS_URL=url)
    shell(env, SUBMIT)
    assert mails(site) == []
    done = manage_py(env, "run_worker", "--batch", timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert_the_editor_was_told(site)


def test_the_immediate_backend_needs_no_worker(site):
    done = manage_py(
        environment(site, NEWSDESK_TASKS="immediate"), "run_worker", timeout=TIMEOUT
    )
    assert done.returncode == 1
    assert "there is nothing for a worker to do" in done.stderr


@pytest.mark.django_db
def test_only_tasks_of_gone_workers_of_this_machine_are_requeued(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    gone = subprocess.Popen(["true"])
    gone.wait(timeout=TIMEOUT)
    host = socket.gethostname()
    claims = {
        "dead here": f"{host}:{gone.pid}:x",
        "alive here": f"{host}:{os.getppid()}:x",
        "elsewhere": f"other-machine:{gone.pid}:x",
    }
    ids = {}
    for label, worker_id in claims.items():
        ids[label] = orphans.purge_task.enqueue(3600).id
        DBTaskResult.objects.get(pk=ids[label]).claim(worker_id)
    assert workers.requeue_abandoned() == 1
    status = {str(pk): s for pk, s in DBTaskResult.objects.values_list("pk", "status")}
    assert {label: status[pk] for label, pk in ids.items()} == {
        "dead here": "READY",
        "alive here": "RUNNING",
        "elsewhere": "RUNNING",
    }


IMPORT_PHOTOS = """
    import io, random
    from pathlib import Path
    from PIL import Image
    from news.documents.importer import Importer

    tree = Path(TREE)
    (tree / "img").mkdir(parents=True)
    for n in range(PHOTOS):
        rng = random.Random(n)
        # Noise: every rendition takes a while to encode.
        pixels = bytes(rng.getrandbits(8) for _ in range(1600 * 1000 * 3))
        Image.frombytes("RGB", (1600, 1000), pixels).save(tree / "img" / f"{n}.png")
        (tree / f"photo-{n}.md").write_text(
            f"---\\ntitle: Photo {n}\\ndate: 2024-01-0{n + 1}\\n---\\n\\n![Photo](img/{n}.png)\\n"
        )
    report = Importer().run([tree])
    assert report.created == PHOTOS, report.problems
"""

RENDITIONS = """
    import json
    from pathlib import Path
    from django.conf import settings
    from django.db.models import Count
    from news.models import Image, Post, Rendition

    root = Path(settings.MEDIA_ROOT) / "renditions"
    files = sorted(
        p.relative_to(settings.MEDIA_ROOT).as_posix()
        for p in root.rglob("*") if p.is_file()
    ) if root.exists() else []
    print(json.dumps({
        "rows": sorted(Rendition.objects.values_list("file", flat=True)),
        "files": files,
        "per_image": sorted(
            Image.objects.annotate(n=Count("renditions")).values_list("n", flat=True)
        ),
        "with_srcset": Post.objects.filter(body_html__contains="srcset").count(),
    }))
"""
PHOTOS = 3
# Five widths (320 to 1280, and the original's 1600) in WebP and PNG.
PER_IMAGE = 10


def renditions_state(env):
    return json.loads(shell(env, RENDITIONS).strip().splitlines()[-1])


def import_photos(env, site):
    shell(
        env,
        IMPORT_PHOTOS.replace("TREE", repr(str(site / "tree"))).replace(
            "PHOTOS", str(PHOTOS)
        ),
    )


def assert_every_rendition_made_once(env):
    state = renditions_state(env)
    assert state["per_image"] == [PER_IMAGE] * PHOTOS
    assert len(set(state["rows"])) == len(state["rows"]) == PER_IMAGE * PHOTOS
    # No orphan and no half-written temporary file: the files are the rows.
    assert state["files"] == state["rows"]
    assert state["with_srcset"] == PHOTOS


def test_renditions_killed_mid_way_are_all_made_once_after_a_restart(site):
    env = environment(site)
    import_photos(env, site)
    # The import stored the originals only.
    assert renditions_state(env)["rows"] == []

    worker = start_worker(env)
    try:
        assert wait_until(
            lambda: 2 <= len(renditions_state(env)["rows"]) < PER_IMAGE * PHOTOS,
            worker,
        )
    finally:
        stop(worker)  # SIGKILL, mid-way through the images
    partial = renditions_state(env)
    assert 0 < len(partial["rows"]) < PER_IMAGE * PHOTOS

    again = manage_py(env, "run_worker", "--batch", timeout=TIMEOUT)
    assert again.returncode == 0, again.stderr
    assert "Requeued 1 task(s) left running by a worker that is gone." in again.stdout
    assert_every_rendition_made_once(env)


def test_an_rq_worker_killed_mid_renditions_is_finished_after_a_restart(
    site, redis_url
):
    url = redis_url.rpartition("/")[0] + "/13"
    redis.Redis.from_url(url).flushdb()
    env = environment(site, NEWSDESK_TASKS="rq", NEWSDESK_TASKS_REDIS_URL=url)
    import_photos(env, site)
    assert renditions_state(env)["rows"] == []

    worker = start_worker(env)
    try:
        assert wait_until(
            lambda: 2 <= len(renditions_state(env)["rows"]) < PER_IMAGE * PHOTOS,
            worker,
        )
    finally:
        stop(worker)
    assert 0 < len(renditions_state(env)["rows"]) < PER_IMAGE * PHOTOS

    again = manage_py(env, "run_worker", "--batch", timeout=TIMEOUT)
    assert again.returncode == 0, again.stderr
    assert "Requeued 1 task(s) left running by a worker that is gone." in again.stdout
    assert_every_rendition_made_once(env)


def test_a_killed_writer_not_yet_reaped_counts_as_gone():
    # Its half-written files may go: a zombie writes nothing more.
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        assert wait_until(
            lambda: Path(f"/proc/{child.pid}/stat").read_text().split(") ")[1][0] == "Z"
        )
        assert not process_alive(child.pid)
    finally:
        child.wait()
    assert not process_alive(child.pid)
    assert process_alive(os.getpid())
