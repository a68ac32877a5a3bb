"""No input gives a 500: every URL pattern, and every admin page each role can
reach, requested with hostile path values, query strings and form fields.

A server error is recorded as a 500 (the client does not re-raise it), and the
assertion names the URL, the fields sent and the exception. The examples are
derandomized and never shrunk, so a CI run is repeatable and bounded: shrinking
a failure here once took eleven minutes, and the message already says what was
sent.
"""

import os
import re
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from taggit.models import Tag

from news.editorial import previews, revisions, workflow
from news.models import Category, Post, PostAlias, ReviewComment, SourceFile
from tests.factories import (
    HOSTILE,
    add_authors,
    image_bytes,
    make_author,
    make_category,
    make_image,
    make_post,
    make_user,
)

HUGE = "99999999999999999999"

# Values that have broken web apps: numbers out of every integer range, NUL,
# very long text, Unicode that is not what it seems, paths out of the root.
NASTY = [
    HUGE,
    "-" + HUGE,
    "9223372036854775808",
    "-1",
    "0",
    "1",
    "1.5",
    "1e309",
    "NaN",
    "inf",
    "0x10",
    "１２",  # full-width digits: int() accepts them
    "٣",  # an Arabic-Indic digit
    " 7 ",
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "\u202eevil\u202c\u200f",
    "e\u0301\u0301\u0301\u0301",
    "\U0001f600\u200d\U0001f4a5",
    "\ufeff",
    "\ud800",  # a lone surrogate, sent as the bytes UTF-8 would make of it
    "%ED%A0%80",
    "%FF%FE",
    "../../etc/passwd",
    "%2e%2e/%2e%2e/etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "..\\..\\windows\\win.ini",
    "/etc/passwd",
    "C:\\Windows",
    "%00",
    "%",
    "[]",
    "{}",
    "null",
    "true",
    "2026-02-30",
    "9999-12-31",
    "0000-00-00",
    "10000-01",
    "-2026-01",
    "' OR 1=1 --",
    HOSTILE,
    "\r\nSet-Cookie: x=y",
]

nasty = st.one_of(
    st.sampled_from(NASTY),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.text(st.characters(codec=None), max_size=30),
    st.text(min_size=1, max_size=3).map(lambda s: s * 4000),
)

QUERY_NAMES = [
    "page",
    "q",
    "year",
    "month",
    "a",
    "b",
    "o",
    "p",
    "e",
    "all",
    "_popup",
    "_to_field",
    "_changelist_filters",
    "status__exact",
    "pending",
    "authors__id__exact",
    "category__id__exact",
    "tags__id__exact",
    "user__id__exact",
    "post__id__exact",
    "revoked__exact",
    "published_at__year",
    "published_at__month",
    "published_at__day",
    "category",
    "authors",
    "tags",
    "banner__exact",
    "user",
    "post",
    "category__lt",
    "id__in",
    "pk__in",
    "id__gte",
    "groups__id__exact",
    "app_label",
    "model_name",
    "field_name",
    "term",
    "next",
    # the content API's (/api/posts/)
    "tag",
    "author",
    "language",
    "published_after",
    "published_before",
    "cursor",
    "limit",
]

query_strings = st.dictionaries(
    st.one_of(st.sampled_from(QUERY_NAMES), nasty), nasty, max_size=4
)

RUNS = settings(
    # Two examples keep CI under 90 s a database; HOSTILE_EXAMPLES=50 digs
    # deeper by hand.
    max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "2")),
    deadline=None,
    # The assertion lists every failing request; the draws would bury it.
    verbosity=Verbosity.quiet,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def encode(value):
    """Percent-encode ``value`` for a URL, keeping its own percent escapes (so
    %2e reaches the server as one) and sending a lone surrogate as bytes."""
    return quote(value, safe="/%\\", errors="surrogatepass")


def query(params):
    return urlencode(params, doseq=True, errors="surrogatepass")


class Requests:
    """A test client that records each response of 500 or more, with what was
    sent and the exception, instead of stopping at the first."""

    def __init__(self, user=None):
        # A server error comes back as a 500 response, not as an exception here.
        self.client = Client(raise_request_exception=False)
        if user is not None:
            self.client.force_login(user)
        self.errors = []

    def get(self, url):
        return self._check(self.client.get(url), "GET", url)

    def post(self, url, fields, files=None):
        if files:
            # multipart carries text: a lone surrogate goes as U+FFFD.
            data = {
                name: [
                    v.encode("utf-8", "replace").decode()
                    for v in (value if isinstance(value, list) else [value])
                ]
                for name, value in fields.items()
            }
            response = self.client.post(url, {**data, **files})
        else:
            response = self.client.post(
                url,
                query(fields),
                content_type="application/x-www-form-urlencoded",
            )
        return self._check(response, "POST", url, fields)

    def _check(self, response, method, url, fields=None):
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            sent = {
                name: value[:60] if isinstance(value, str) else value
                for name, value in (fields or {}).items()
            }
            self.errors.append(
                f"{method} {url[:200]!r} {sent or ''} gave "
                f"{response.status_code} {repr(exc[1]) if exc else ''}"
            )
        return response

    def assert_no_server_error(self):
        assert not self.errors, "\n".join(self.errors)


# -- the URL patterns --------------------------------------------------------------

GROUP = re.compile(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)")


def routes(resolver=None, prefix=()):
    """Yield every pattern as the chain of patterns that leads to it."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry, (*prefix, entry.pattern))
        else:
            yield (*prefix, entry.pattern)


def holes(pattern):
    """Return ``pattern`` as a format string and a regex for each of its holes:
    converters of path() routes, named groups of re_path() ones."""
    if hasattr(pattern, "converters") and hasattr(pattern, "_route"):
        regexes = []

        def hole(match):
            converter = pattern.converters[match.group(2)]
            regexes.append(converter.regex)
            return "{}"

        route = pattern._route.replace("{", "{{").replace("}", "}}")
        return re.sub(r"<(?:(\w+):)?(\w+)>", hole, route), regexes
    regex = pattern.regex.pattern
    regexes = [m.group(2) for m in GROUP.finditer(regex)]
    template = GROUP.sub("\x01", regex).replace("{", "{{").replace("}", "}}")
    template = re.sub(r"\\Z|\$$|^\^", "", template)
    template = re.sub(r"\\(.)", r"\1", template).replace("\x01", "{}")
    return template, regexes


def describe(chain):
    return "".join(str(p) for p in chain) or "/"


ROUTES = {describe(chain): chain for chain in routes()}


def fill(chain, value_for):
    """The path of ``chain`` with each hole filled by ``value_for(regex)``."""
    path = ""
    for pattern in chain:
        template, regexes = holes(pattern)
        path += template.format(*(encode(value_for(regex)) for regex in regexes))
    return "/" + path


@st.composite
def urls(draw, chain, known):
    """A URL for ``chain``, each hole filled with a real value, one its regex
    matches, or a hostile one."""

    def value_for(regex):
        matching = st.from_regex(regex, fullmatch=True).filter(lambda v: "\n" not in v)
        return draw(st.one_of(nasty, st.sampled_from(known), matching))

    path = fill(chain, value_for)
    params = draw(query_strings)
    return path + ("?" + query(params) if params else "")


# -- what the site holds while it is attacked ---------------------------------------

ROLES = {
    "superuser": (),
    "author": ("Authors",),
    "editor": ("Editors",),
    "publisher": ("Publishers",),
    "staff_without_group": (),
}


@pytest.fixture
def site(db):
    """A little of everything, so that change pages and list filters have rows.
    Return the users by role and the pk to open on each model's change page."""
    users = {
        role: make_user(role, *groups, superuser=role == "superuser")
        for role, groups in ROLES.items()
    }
    target = make_user("target", "Authors")
    image = make_image(size=(40, 30))
    category = make_category("World")
    writer = make_author("Writer")
    post = make_post(
        title="Live",
        body="Hello ![a](img/a.png)",
        category=category,
        banner=image,
    )
    post.tags.set(["alpha", "beta", "!!!"])
    add_authors(post, writer, users["author"])
    draft = make_post(title="Draft", status=Post.Status.DRAFT)
    add_authors(draft, users["author"])
    workflow.submit(draft, by=users["author"])
    revision = revisions.record(post, by=users["editor"], reason="edit")
    link = previews.create(draft, by=users["author"])
    ReviewComment.objects.create(post=draft, line=1, text="Why?")
    SourceFile.objects.create(post=post, path="live.md", digest="0" * 64)
    PostAlias.objects.create(post=post, path="old/live/")
    AccessAttempt.objects.create(
        username="x", ip_address="127.0.0.1", user_agent="ua", failures_since_start=1
    )
    AccessLog.objects.create(username="x", ip_address="127.0.0.1", user_agent="ua")
    AccessFailureLog.objects.create(
        username="x", ip_address="127.0.0.1", user_agent="ua"
    )
    objects = {
        User: target.pk,
        Group: Group.objects.get(name="Authors").pk,
        Tag: Tag.objects.get(name="alpha").pk,
        Post: draft.pk,
    }
    known = [
        str(pk) for pk in {post.pk, draft.pk, revision.pk, target.pk, image.pk, link.pk}
    ]
    known += [post.slug, "alpha", category.slug, writer.slug, "posts", "submit"]
    known += [link.get_absolute_url().strip("/").rsplit("/", 1)[-1], image.file.name]
    return {"users": users, "objects": objects, "known": known, "pages": {}}


def user_for(role, users):
    return None if role == "anonymous" else users[role]


# -- 1. every URL pattern -------------------------------------------------------------

# Fields that the app's own POST views read, sent to every URL.
FORM_NAMES = [
    "body",
    "post",
    "alt",
    "revision",
    "comment",
    "at",
    "image",
    "status",
    "site_root",
    "overwrite",
    "dry_run",
    "username",
    "password",
    "old_password",
    "new_password1",
    "new_password2",
    "next",
    "action",
    "_selected_action",
    "select_across",
    "index",
]


@st.composite
def form_data(draw):
    """Every field the app reads, with one hostile value, and a few with others."""
    value = draw(nasty)
    fields = dict.fromkeys(FORM_NAMES, value)
    fields.update(draw(st.dictionaries(st.sampled_from(FORM_NAMES), nasty, max_size=2)))
    return fields


def posts_safely(route):
    # Deleting through the admin needs no more than a non-empty POST, and
    # logging out ends the session: either would leave the rest of the run
    # testing the login page.
    return not route.endswith(("/delete/", "logout/"))


@pytest.mark.parametrize("role", ["anonymous", "superuser"])
@RUNS
@given(data=st.data())
def test_no_url_pattern_gives_a_server_error(site, role, data):
    requests = Requests(user_for(role, site["users"]))
    for route, chain in ROUTES.items():
        url = data.draw(urls(chain, site["known"]), label=route)
        requests.get(url)
        if posts_safely(route):
            requests.post(url, data.draw(form_data(), label=f"POST {route}"))
    requests.assert_no_server_error()


# -- 2. every admin page each role can reach -----------------------------------------


class FormControls(HTMLParser):
    """The controls of an admin page's main form: name, type, and what the
    browser would send if the user changed nothing."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.controls = {}  # name -> (type, [values])
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside or not attrs.get("name") and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"button", "reset", "image"}:
                return
            kind_, values = self.controls.setdefault(attrs["name"], (kind, []))
            checked = "checked" in attrs or kind not in {"checkbox", "radio"}
            if checked and kind != "file" and (kind != "submit" or not values):
                values.append(attrs.get("value", "on"))
        elif tag == "select":
            self.select = attrs["name"]
            self.controls.setdefault(self.select, ("select", []))
        elif tag == "option" and self.select and "selected" in attrs:
            self.controls[self.select][1].append(attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.controls.setdefault(self.textarea, ("textarea", [""]))

    def handle_data(self, data):
        if self.textarea:
            values = self.controls[self.textarea][1]
            values[-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def controls_of(response, form_id):
    parser = FormControls(form_id)
    parser.feed(response.content.decode())
    return parser.controls


@st.composite
def filled(draw, controls):
    """The form as the page gave it, with hostile values in some fields (and,
    drawn as a whole, every field hostile)."""
    all_hostile = draw(st.booleans(), label="every field hostile")
    sent = {}
    for name, (kind, initial) in controls.items():
        if kind == "file":
            continue
        keep = not all_hostile and draw(st.booleans())
        if keep:
            if initial:
                sent[name] = initial
        elif kind == "select" or name.endswith(("groups", "permissions")):
            sent[name] = draw(st.lists(nasty, min_size=1, max_size=3))
        else:
            sent[name] = draw(nasty)
    return sent


def uploads(controls):
    return {
        name: SimpleUploadedFile(
            "../../etc/passwd.png", image_bytes()[:40], content_type="image/png"
        )
        for name, (kind, _) in controls.items()
        if kind == "file"
    }


MODELS = {
    (model._meta.app_label, model._meta.model_name): model
    for model in admin.site._registry
}
ADMIN_PAGES = [
    (model, kind)
    for model in sorted(MODELS)
    for kind in ("changelist", "add", "change")
]


def page_url(model, kind, objects):
    opts = model._meta
    base = f"/admin/{opts.app_label}/{opts.model_name}/"
    if kind == "changelist":
        return base
    if kind == "add":
        return base + "add/"
    row = objects.get(model) or getattr(
        model._default_manager.order_by("pk").last(), "pk", None
    )
    # A model with no rows here (task results under the test backend) has no
    # change page to open; its list and add pages are still requested.
    return None if row is None else f"{base}{row}/change/"


def admin_pages(requests, objects):
    """Open every admin changelist, add and change page; yield those the user
    may see, each as its URL, page and form controls."""
    for model, kind in ADMIN_PAGES:
        url = page_url(MODELS[model], kind, objects)
        if url is None:
            continue
        page = requests.get(url)
        if page.status_code != 200:
            continue  # not a page this user can reach
        form = "changelist-form" if kind == "changelist" else f"{model[1]}_form"
        yield url, page, controls_of(page, form)


@pytest.mark.parametrize("role", sorted(ROLES))
@RUNS
@given(data=st.data())
def test_no_admin_form_gives_a_server_error(site, role, data):
    requests = Requests(site["users"][role])
    # What the role can reach, and the forms' fields, are looked up once.
    if role not in site["pages"]:
        site["pages"][role] = list(admin_pages(requests, site["objects"]))
    for url, _, controls in site["pages"][role]:
        params = data.draw(query_strings, label=f"query of {url}")
        requests.get(url + ("?" + query(params) if params else ""))
        if controls:
            fields = data.draw(filled(controls), label=f"POST {url}")
            requests.post(url, fields, uploads(controls))
    requests.assert_no_server_error()


# -- 3. one hostile value everywhere ---------------------------------------------------

# Each of these, in every hole, query parameter and field at once, has found a
# class of server error: the random examples above need not meet them.
THEMES = {
    "huge": HUGE,
    "not a number": "abc",
    "nul": "a\x00b",
    "long": "\u202e" + "x" * 10_000 + "e\u0301\U0001f600",
    "traversal": "..%2F..\\%2e%2e/etc/passwd",
}


@pytest.mark.parametrize("theme", THEMES)
def test_one_hostile_value_everywhere_gives_no_server_error(site, theme):
    value = THEMES[theme]
    requests = Requests(site["users"]["superuser"])
    everywhere = query(dict.fromkeys(QUERY_NAMES, value))
    for route, chain in ROUTES.items():
        path = fill(chain, lambda regex: value)
        requests.get(f"{path}?{everywhere}")
        if posts_safely(route):
            requests.post(path, dict.fromkeys(FORM_NAMES, value))
    for url, _, controls in admin_pages(requests, site["objects"]):
        fields = {
            name: [value] if kind == "select" else value
            for name, (kind, _) in controls.items()
            if kind != "file"
        }
        requests.post(url, fields, uploads(controls))
    requests.assert_no_server_error()


# -- the classes of server error found this way, each pinned --------------------------


def test_huge_id_in_a_many_to_many_field_is_a_form_error(site):
    client = Client()
    client.force_login(site["users"]["superuser"])
    target = site["objects"][User]
    response = client.post(
        f"/admin/auth/user/{target}/change/",
        {"username": "target", "groups": [HUGE], "date_joined_0": "2026-01-01"},
    )
    assert response.status_code == 200
    assert f"Select a valid choice. {HUGE} is not one of the available choices." in (
        response.content.decode()
    )


def test_huge_id_in_a_group_form_is_a_form_error(site):
    client = Client()
    client.force_login(site["users"]["superuser"])
    response = client.post(
        "/admin/auth/group/add/", {"name": "g", "permissions": [HUGE, "-1"]}
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not Group.objects.filter(name="g").exists()


def test_huge_id_selected_for_an_admin_action_selects_nothing(site):
    client = Client()
    client.force_login(site["users"]["superuser"])
    response = client.post(
        "/admin/news/category/",
        {"action": "delete_selected", "_selected_action": [HUGE]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Are you sure you want to delete the selected categories?" in page
    assert "World" not in page
    assert Category.objects.filter(name="World").exists()


def test_an_empty_to_field_is_a_bad_request(site):
    client = Client()
    client.force_login(site["users"]["superuser"])
    group = site["objects"][Group]
    for url in [
        f"/admin/auth/group/{group}/change/",
        f"/admin/auth/group/{group}/delete/",
        f"/admin/auth/group/{group}/history/",
    ]:
        assert client.get(url + "?_to_field=").status_code == 400, url
        assert client.get(url + "?_to_field=id").status_code == 200, url


def test_a_forged_form_count_is_refused_not_built(site):
    client = Client()
    client.force_login(site["users"]["superuser"])
    url = f"/admin/news/post/{site['objects'][Post]}/change/"
    response = client.post(
        url,
        {
            "title": "Draft",
            "bylines-TOTAL_FORMS": HUGE,
            "bylines-INITIAL_FORMS": "0",
            "image_links-TOTAL_FORMS": "0",
            "image_links-INITIAL_FORMS": "0",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Please submit at most 500 forms." in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/news/a%00b/", "/tags/%00/feed/", "/search/?q=a%00b", "/media/%00"]
)
def test_a_nul_in_the_address_is_a_bad_request(client, db, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.content == b"A NUL character is not allowed in an address."


def test_a_selection_of_no_ids_selects_nothing(site):
    client = Client()
    client.force_login(site["users"]["superuser"])
    response = client.post(
        "/admin/news/post/",
        {
            "action": "publish_posts",
            "index": "0",
            "_selected_action": ["abc", "a\x00b"],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Items must be selected in order to perform actions" in (
        response.content.decode()
    )


def test_a_preview_link_for_no_revision_is_a_404(site):
    client = Client()
    client.force_login(site["users"]["superuser"])
    draft = site["objects"][Post]
    response = client.post(
        f"/admin/news/post/{draft}/preview-link/", {"revision": "abc"}
    )
    assert response.status_code == 404


def test_the_tag_admin_offers_no_merge_that_would_merge_nothing(site):
    client = Client()
    client.force_login(site["users"]["superuser"])
    response = client.post(
        "/admin/taggit/tag/merge-tags/", {"new_tag_name": "merged"}, follow=True
    )
    assert response.status_code == 200
    assert not Tag.objects.filter(name="merged").exists()
    assert (
        "Merge selected tags" not in client.get("/admin/taggit/tag/").content.decode()
    )


@pytest.mark.parametrize(
    "query",
    [f"category={HUGE}", f"authors__exact={HUGE}", f"tags=-{HUGE}", f"banner={HUGE}"],
)
def test_a_huge_id_in_a_list_filter_lists_nothing(site, query):
    client = Client()
    client.force_login(site["users"]["superuser"])
    response = client.get(f"/admin/news/post/?{query}")
    assert response.status_code == 200
    assert "0 posts" in response.content.decode()


def test_huge_integers_match_no_row_through_a_relation(site):
    live = Post.objects.get(slug="live")
    assert not Post.objects.filter(category=int(HUGE)).exists()
    assert not Post.objects.filter(category__in=[int(HUGE), -int(HUGE)]).exists()
    # Every post with a category, and none without.
    assert list(Post.objects.filter(category__lt=int(HUGE))) == [live]
    assert list(Post.objects.filter(category__gte=-int(HUGE))) == [live]
    assert not Post.objects.filter(category__gt=int(HUGE)).exists()
    assert not Post.objects.filter(category__lte=-int(HUGE)).exists()


@pytest.mark.parametrize(
    "query",
    [
        f"published_at__year={HUGE}",
        "published_at__year=9999",
        "published_at__year=9999&published_at__month=12&published_at__day=31",
    ],
)
def test_a_date_drilldown_no_datetime_can_bound_is_refused(site, query):
    client = Client()
    client.force_login(site["users"]["superuser"])
    response = client.get(f"/admin/news/post/?{query}")
    assert response.status_code == 302
    assert response["Location"] == "/admin/news/post/?e=1"
    assert client.get("/admin/news/post/?published_at__year=9998").status_code == 200


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_a_calendar_month_at_the_end_of_time_shows_this_month(site, month):
    client = Client()
    client.force_login(site["users"]["superuser"])
    response = client.get(f"/admin/news/post/calendar/?month={month}")
    assert response.status_code == 200
    this_month = timezone.localdate().strftime("%B %Y")
    assert f"Calendar: {this_month}" in response.content.decode()


def test_a_byline_naming_no_author_is_shown_again_as_a_form_error(site):
    client = Client()
    client.force_login(site["users"]["superuser"])
    response = client.post(
        f"/admin/news/post/{site['objects'][Post]}/change/",
        {
            "title": "Draft",
            "bylines-TOTAL_FORMS": "1",
            "bylines-INITIAL_FORMS": "0",
            "bylines-0-author": "abc",
            "bylines-0-position": "0",
            "image_links-TOTAL_FORMS": "0",
            "image_links-INITIAL_FORMS": "0",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice. That choice is not one of the available" in (
        response.content.decode()
    )
