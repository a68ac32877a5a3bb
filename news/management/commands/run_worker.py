import django_rq
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend

from news import workers


class Command(BaseCommand):
    help = (
        "Run a worker for the task backend that NEWSDESK_TASKS chooses: the "
        "database backend's db_worker, or an RQ worker. Before the database "
        "worker starts, the tasks that a dead worker of this machine left "
        "running are put back in the queue; so are the jobs a dead RQ worker of this "
        "machine had started."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run the tasks queued now, then exit.",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            metavar="SECONDS",
            help="Database backend: how long to wait between looks at an empty "
            "queue (default: %(default)s).",
        )
        parser.add_argument(
            "--reload",
            action="store_true",
            help="Database backend: restart when the code changes (development).",
        )

    def handle(self, *args, **options):
        backend = task_backends["default"]
        name = f"{type(backend).__module__}.{type(backend).__qualname__}"
        if isinstance(backend, DatabaseBackend):
            return self.database(options)
        if name.startswith("django_tasks_rq."):
            return self.rq(options)
        raise CommandError(
            f"The task backend {name} runs each task where it is queued, so there "
            "is nothing for a worker to do. Set NEWSDESK_TASKS=database or rq."
        )

    def database(self, options):
        requeued = workers.requeue_abandoned()
        if requeued:
            self.stdout.write(
                f"Requeued {requeued} task(s) left running by a worker that is gone."
            )
        call_command(
            "db_worker",
            worker_id=workers.worker_id(),
            batch=options["batch"],
            interval=options["interval"],
            reload=options["reload"],
            startup_delay=False,
            verbosity=options["verbosity"],
            stdout=self.stdout,
            stderr=self.stderr,
        )

    def rq(self, options):
        requeued = workers.requeue_abandoned_rq(django_rq.get_queue("default"))
        if requeued:
            self.stdout.write(
                f"Requeued {requeued} task(s) left running by a worker that is gone."
            )
        call_command(
            "rqworker",
            "default",
            job_class="django_tasks_rq.Job",
            worker_class="news.workers.RQWorker",
            name=workers.worker_id(),
            burst=options["batch"],
            # Tasks queued with run_after (a webhook's retry) wait in RQ's
            # scheduled registry; only a worker with the scheduler moves them
            # to the queue when their time comes.
            with_scheduler=True,
            verbosity=options["verbosity"],
        )
