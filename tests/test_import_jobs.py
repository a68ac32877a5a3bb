"""Admin zip imports run as jobs on the workers: the upload returns at once to
a progress page, the worker writes its progress file by file, an import can be
cancelled between files, and a job run again after its worker died goes on
where it was and ends as one uninterrupted run would.

The queue is django-tasks' dummy backend, so each test runs the job when it
chooses to, as a worker would (tests/test_workers.py runs real ones).
"""

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.storage import default_storage
from django_tasks import default_task_backend

from news.documents.importer import jobs
from news.models import ImportJob, Post
from tests.conftest import QUEUED_ONLY

from .factories import image_bytes, zipped

pytestmark = pytest.mark.django_db

IMPORT = "/admin/news/post/import/"


@pytest.fixture
def queue(settings):
    settings.TASKS = QUEUED_ONLY
    default_task_backend.clear()
    return default_task_backend


def staff(*codenames, username="staff"):
    user = User.objects.create_user(username, password="pw", is_staff=True)
    for codename in ["view_post", "change_post", *codenames]:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def archive(count=5, name="site.zip"):
    files = {
        f"posts/story-{n:02}.md": f"---\ntitle: Story {n}\ndate: 2024-02-{n:02}\n"
        f"---\n\n![Chart](chart-{n}.png)\n"
        for n in range(1, count + 1)
    }
    files |= {
        f"posts/chart-{n}.png": image_bytes(color=(n, 1, 1))
        for n in range(1, count + 1)
    }
    return zipped(files, name=name)


def upload(client, count=5, **options):
    return client.post(IMPORT, {"files": archive(count), "status": "draft", **options})


def page(client, job):
    return client.get(f"{IMPORT}{job.pk}/").content.decode()


def test_a_zip_upload_returns_at_once_to_the_progress_page(client, queue):
    client.force_login(staff("import_post"))
    response = upload(client)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{IMPORT}{job.pk}/"
    # Nothing imported yet: the worker has not run.
    assert not Post.objects.exists()
    [queued] = queue.results
    assert queued.task.name == "run_task" and queued.args == [job.pk]

    content = page(client, job)
    assert "Queued" in content
    assert re.search(
        r'<span data-field="files_done">0</span> of\s*'
        r'<span data-field="files_total">5</span> done',
        content,
    )
    # Readable without JavaScript: a meta refresh and a reload link.
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in content
    assert f'<a href="{IMPORT}{job.pk}/" data-reload>Reload this page</a>' in content
    assert "/static/news/admin-import.js" in content
    # The archive waits in the media storage, where nothing serves it.
    assert default_storage.exists(job.archive.name)
    assert job.archive.name.startswith("imports/")
    assert client.get(f"/media/{job.archive.name}").status_code == 404


def test_the_worker_ends_on_the_report(client, queue):
    client.force_login(staff("import_post"))
    upload(client)
    job = ImportJob.objects.get()
    assert jobs.run(job.pk) == ImportJob.Status.DONE
    job.refresh_from_db()
    assert (job.files_done, job.files_total, job.current_file) == (5, 5, "")
    assert Post.objects.filter(status=Post.Status.DRAFT).count() == 5
    content = page(client, job)
    assert "Done" in content
    assert "5 created, 0 updated, 0 unchanged, 0 conflicts, 0 failed" in content
    assert "http-equiv" not in content and "admin-import.js" not in content
    assert job.created_by.username in content
    # The archive is gone once the job ends.
    assert not default_storage.exists(job.archive.name)
    # Run again, as a requeued task would: nothing changes.
    assert jobs.run(job.pk) == ImportJob.Status.DONE
    assert Post.objects.count() == 5


def test_progress_is_written_file_by_file(client, queue, monkeypatch):
    client.force_login(staff("import_post"))
    upload(client, count=3)
    job = ImportJob.objects.get()
    seen = []
    progress = jobs._Progress.progress

    def watch(self, relpath):
        progress(self, relpath)
        row = ImportJob.objects.get(pk=job.pk)
        json = client.get(f"{IMPORT}{job.pk}/?format=json").json()
        seen.append((row.files_done, row.current_file, json["summary"][:10]))

    monkeypatch.setattr(jobs._Progress, "progress", watch)
    jobs.run(job.pk)
    assert seen == [
        (1, "posts/story-01.md", "1 created,"),
        (2, "posts/story-02.md", "2 created,"),
        (3, "posts/story-03.md", "3 created,"),
    ]


def test_an_import_is_cancelled_between_files(client, queue, monkeypatch):
    client.force_login(staff("import_post"))
    upload(client, count=5)
    job = ImportJob.objects.get()
    progress = jobs._Progress.progress

    def cancel_after_two(self, relpath):
        progress(self, relpath)
        if relpath == "posts/story-02.md":
            # The editor presses Cancel while the worker imports.
            response = client.post(f"{IMPORT}{job.pk}/cancel/", follow=True)
            assert "the import stops after its current file" in (
                response.content.decode()
            )

    monkeypatch.setattr(jobs._Progress, "progress", cancel_after_two)
    assert jobs.run(job.pk) == ImportJob.Status.CANCELLED
    assert Post.objects.count() == 2
    content = page(client, job)
    assert "Cancelled" in content
    assert "2 created" in content


def test_a_queued_job_cancelled_never_runs(client, queue):
    client.force_login(staff("import_post"))
    upload(client)
    job = ImportJob.objects.get()
    client.post(f"{IMPORT}{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    assert jobs.run(job.pk) == ImportJob.Status.CANCELLED
    assert not Post.objects.exists()


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs."""


def test_a_job_run_again_after_its_worker_died_ends_as_one_run(
    client, queue, monkeypatch
):
    client.force_login(staff("import_post"))
    upload(client, count=6)
    job = ImportJob.objects.get()
    progress = jobs._Progress.progress

    def killed_after_three(self, relpath):
        progress(self, relpath)
        if relpath == "posts/story-03.md":
            raise WorkerKilled

    monkeypatch.setattr(jobs._Progress, "progress", killed_after_three)
    with pytest.raises(WorkerKilled):
        jobs.run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.files_done) == (ImportJob.Status.RUNNING, 3)
    assert default_storage.exists(job.archive.name)

    monkeypatch.undo()
    assert jobs.run(job.pk) == ImportJob.Status.DONE
    job.refresh_from_db()
    assert (job.files_done, job.files_total) == (6, 6)
    assert job.report["created"] == 6 and job.report["failed"] == 0
    assert sorted(Post.objects.values_list("slug", flat=True)) == [
        f"story-{n:02}" for n in range(1, 7)
    ]


def test_job_pages_need_the_import_permission(client, queue):
    client.force_login(staff("import_post", username="importer"))
    upload(client)
    job = ImportJob.objects.get()
    client.force_login(staff())
    assert client.get(f"{IMPORT}{job.pk}/").status_code == 403
    assert client.get(f"{IMPORT}{job.pk}/?format=json").status_code == 403
    assert client.post(f"{IMPORT}{job.pk}/cancel/").status_code == 403
    job.refresh_from_db()
    assert not job.cancelled


def test_the_import_page_lists_recent_jobs(client, queue):
    client.force_login(staff("import_post"))
    upload(client)
    job = ImportJob.objects.get()
    content = client.get(IMPORT).content.decode()
    assert f'<a href="{IMPORT}{job.pk}/">site.zip</a>' in content
    assert "0 of 5" in content


def test_a_file_that_fails_is_in_the_running_report(client, queue):
    client.force_login(staff("import_post"))
    bad = zipped({"bad.md": "---\n[x\n---\n"}, name="bad.zip")
    assert client.post(IMPORT, {"files": bad, "status": "draft"}).status_code == 302
    job = ImportJob.objects.get()
    jobs.run(job.pk)
    content = page(client, job)
    assert "0 created, 0 updated, 0 unchanged, 0 conflicts, 1 failed" in content
    assert "<td>bad.md</td>" in content
    assert 'class="errornote"' in content
