"""Re-rendering every post, in chunks that workers run as tasks.

A chunk is a list of post ids. Running one again is harmless: rendering is a
pure function of the Markdown and the images, each rendition is made once, and
a post whose HTML already matches is not written. So a chunk whose worker was
killed half way is simply run again, and ends where an uninterrupted run would.
"""

from dataclasses import dataclass, field

from django_tasks import TaskResultStatus, task

from ..models import Post
from .renditions import rerender

DEFAULT_CHUNK_SIZE = 100


@dataclass
class RerenderReport:
    chunks: int = 0
    # Posts rendered by the time the report was made, and how many changed.
    rendered: int = 0
    changed: int = 0
    # Posts in chunks left to the workers, whose counts are not known yet.
    queued: int = 0
    # The last line of each failed chunk's traceback.
    failures: list = field(default_factory=list)


def chunks(size=DEFAULT_CHUNK_SIZE):
    """Return the ids of every post, in order, as lists of at most ``size``."""
    ids = list(Post.objects.order_by("pk").values_list("pk", flat=True))
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def rerender_chunk(pks):
    """Render the posts with ids ``pks`` again; return how many changed."""
    return rerender(Post.objects.filter(pk__in=pks))


@task()
def rerender_chunk_task(pks):
    """Render the posts with ids ``pks`` again, on a worker."""
    return rerender_chunk(pks)


def rerender_all(*, size=DEFAULT_CHUNK_SIZE, now=False):
    """Render every post again, ``size`` posts a chunk: here with ``now``, else
    as tasks for the workers. Return a RerenderReport.

    With the immediate backend the tasks have run by the time this returns, so
    their counts and failures are in the report.
    """
    report = RerenderReport()
    for pks in chunks(size):
        report.chunks += 1
        if now:
            report.changed += rerender_chunk(pks)
            report.rendered += len(pks)
            continue
        result = rerender_chunk_task.enqueue(pks)
        if result.status == TaskResultStatus.SUCCESSFUL:
            report.changed += result.return_value
            report.rendered += len(pks)
        elif result.status == TaskResultStatus.FAILED:
            report.failures.append(result.errors[-1].traceback.strip().splitlines()[-1])
        else:
            report.queued += len(pks)
    return report
