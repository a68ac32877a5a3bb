"""Task workers: the database backend's and the RQ backend's, with the tasks
they left unfinished.

django-tasks-db marks a task RUNNING when a worker claims it, and nothing puts
it back if that worker dies: a task claimed by a worker killed with SIGKILL, or
on a machine that lost power, would stay RUNNING for ever. So each worker is
named after its host and process id, and one that starts first requeues the
tasks still RUNNING under the name of a process of its host that no longer
exists. RQ is the same: a job whose worker was killed stays in the queue's
started registry until its timeout moves it to the failed ones, so an RQ worker
is named the same way and, starting, puts back the jobs that a dead worker of
its host had started (``requeue_abandoned_rq()``). The tasks are idempotent
(docs/tasks.md), so running one again ends in the state that one uninterrupted
run would have left.
"""

import os
import socket

from django.utils.crypto import get_random_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from rq.worker import Worker

from .media.storage import process_alive


def enqueue_after(task, run_after, *args):
    """Queue ``task`` with ``args`` to run at ``run_after`` (None: now). A
    backend that cannot wait (the immediate one, the test suite's) runs it
    now."""
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    return task.enqueue(*args)


def worker_id(pid=None, host=None):
    """Return a worker id naming this host and process: ``host:pid:random``."""
    host = (host or socket.gethostname())[:40]
    return f"{host}:{pid or os.getpid()}:{get_random_string(8)}"


def gone(worker, host=None):
    """Return whether ``worker`` (a worker id) names a process of this host
    that no longer runs."""
    host = host or socket.gethostname()[:40]
    name, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if name != host or not pid.isdigit():
        return False
    # A process with our own id is this one, just started: in a container
    # the restarted worker is often given the pid of the one that died.
    return int(pid) == os.getpid() or not process_alive(int(pid))


def abandoned(host=None):
    """Return the tasks RUNNING under a worker of this host that is gone."""
    found = []
    for result in DBTaskResult.objects.running().only("pk", "worker_ids"):
        last = result.worker_ids[-1] if result.worker_ids else ""
        if gone(last, host):
            found.append(result.pk)
    return found


def requeue_abandoned(host=None):
    """Put the tasks that a dead worker of this host had claimed back in the
    queue; return how many."""
    requeued = 0
    for pk in abandoned(host):
        # Only if still RUNNING: another worker starting now may have got there.
        requeued += DBTaskResult.objects.filter(
            pk=pk, status=TaskResultStatus.RUNNING
        ).update(status=TaskResultStatus.READY, started_at=None)
    return requeued


def requeue_abandoned_rq(queue, host=None):
    """Put the jobs that a dead RQ worker of this host had started back at the
    front of ``queue`` (an rq Queue); return how many."""
    registry = queue.started_job_registry
    requeued = 0
    for job_id in registry.get_job_ids(cleanup=False):
        job = queue.fetch_job(job_id)
        if job is None or not gone(job.worker_name or "", host):
            continue
        registry.remove_executions(job)
        queue.enqueue_job(job, at_front=True)
        requeued += 1
    return requeued


class RQWorker(Worker):
    """RQ's worker, listening for its control messages a second at a time.

    RQ 3.0 polls its pub/sub channel with a 60 s timeout, and redis-py 8.2
    waits for that poll to end when the worker stops: a worker told to stop,
    or done with a --burst, would take up to a minute to exit.
    """

    def subscribe(self):
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler
        )
