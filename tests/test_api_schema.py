"""Schemathesis against the live content API, from the schema it serves.

A live server on 127.0.0.1 holds published posts (with tags, categories,
authors and images) beside a post in each state readers must not see. Every
operation of /api/schema/ is called with generated valid and invalid
parameters, and with the real languages and slugs too; no answer may be a
5xx, break the schema, or name an unseen post. The examples are bounded and
derandomized, so a run is repeatable and takes seconds.
"""

from datetime import timedelta

import pytest
import schemathesis
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .factories import (
    add_authors,
    make_author,
    make_category,
    make_image,
    make_post,
)
from .test_api import UNSEEN

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
UNSEEN_MARK = "Unseen-post"


@pytest.fixture
def base(live_server, monkeypatch):
    # The live server's request threads must not keep connections open past the
    # test, or PostgreSQL refuses to drop the test database.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    world = make_category("World")
    ann = make_author("Ann Lee")
    ann.avatar = make_image(size=(200, 200))
    ann.save()
    for n in range(5):
        post = make_post(
            title=f"Post {n}",
            summary="A summary.",
            category=world if n % 2 else None,
            banner=make_image(size=(400, 300), color=(n, 9, 9)) if n < 2 else None,
            published_at=timezone.now() - timedelta(hours=n + 1),
        )
        post.tags.add("harbour", f"tag {n}")
        add_authors(post, ann)
    for state, values in UNSEEN.items():
        post = make_post(
            title=f"{UNSEEN_MARK} {state}",
            slug=f"unseen-{state}",
            category=make_category(f"{UNSEEN_MARK} category {state}"),
            **({"published_at": timezone.now() - timedelta(hours=1)} | values),
        )
        post.tags.add(f"{UNSEEN_MARK} tag {state}", "harbour")
        add_authors(post, make_author(f"{UNSEEN_MARK} author {state}"))
    return live_server.url.replace("//localhost:", "//127.0.0.1:")


def names_no_unseen_post(ctx, response, case):
    """No answer names a post, tag, category or author readers may not see."""
    assert UNSEEN_MARK not in response.text, f"{case.path} shows an unseen post"


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    names_no_unseen_post,
]


def test_the_live_api_holds_to_its_schema(base):
    schema = schemathesis.openapi.from_url(f"{base}/api/schema/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5
    known = [
        {"language": "en", "slug": slug}
        for slug in ["post-0", "post-3", "unseen-draft", "unseen-scheduled"]
    ]
    calls = []
    for operation in operations:
        strategies = [
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        ]
        if "{slug}" in operation.path:
            strategies += [
                operation.as_strategy(path_parameters=values) for values in known
            ]

        @EXAMPLES
        @given(case=st.one_of(strategies))
        def call(case):
            response = case.call_and_validate(base_url=base, checks=CHECKS, timeout=10)
            calls.append((case.path, response.status_code))

        call()
    statuses = {status for _, status in calls}
    # The run reached real answers as well as refusals.
    assert 200 in statuses and statuses <= {200, 400, 404}, statuses
