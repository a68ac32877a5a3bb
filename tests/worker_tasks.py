"""A task for tests/test_workers.py that a test can catch half way.

It waits at a gate (a file) before re-rendering, so that a test can kill its
worker while it is certainly running, and open the gate for the next worker.
"""

import time
from pathlib import Path

from django_tasks import task

from news.media.rerendering import rerender_chunk


@task()
def gated_rerender(pks, gate, started):
    Path(started).touch()
    # Bounded, so that a worker the test forgot cannot run for ever.
    deadline = time.monotonic() + 60
    while not Path(gate).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the gate {gate} never opened")
        time.sleep(0.05)
    return rerender_chunk(pks)
