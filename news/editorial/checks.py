"""Pre-publish checks: what a post should have before it goes to review or
live.

news.editorial.workflow runs them in submit and publish, on the version that
would move (a live post's pending change, where it has one): a finding whose
check is an error (NEWSDESK_PREPUBLISH_ERRORS) refuses the transition, the
others are warnings the admin shows. The admin's transition page shows them
all before anyone confirms.
"""

import html.parser
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve

from ..documents import markdown
from ..models import Image, OldSlug, Post, PostAlias

# Each check, and what it asks of a post.
CHECKS = {
    "alt_text": "every image has alt text",
    "summary": "the post has a summary",
    "banner": "the post has a banner image",
    "title_length": "the title fits in search results",
    "internal_links": "links to this site lead to pages readers can see",
    "missing_images": "every image the body shows is stored",
}


@dataclass(frozen=True)
class Finding:
    check: str
    message: str
    blocking: bool


@dataclass(frozen=True)
class Version:
    """What the checks read of the version that would move."""

    title: str
    summary: str
    body: str
    banner: Image | None
    images: dict  # reference key -> Image


def version_of(post, values=None):
    """Return ``post`` as checks read it, or the version ``values`` (a pending
    change's snapshot) describes."""
    if values is None:
        return Version(
            post.title, post.summary, post.body, post.banner, post.image_map()
        )
    stored = Image.objects.in_bulk(
        [image for _, image, _ in values["images"]]
        + ([values["banner"]] if values["banner"] else [])
    )
    images = {
        reference: stored[image]
        for reference, image, _ in values["images"]
        if image in stored
    }
    return Version(
        values["title"],
        values["summary"],
        values["body"],
        stored.get(values["banner"]),
        images,
    )


def run(version):
    """Return the findings of every check on ``version``, errors first."""
    errors = set(settings.NEWSDESK_PREPUBLISH_ERRORS)
    found = []
    for check, message in _findings(version):
        found.append(Finding(check, message, check in errors))
    return sorted(found, key=lambda f: not f.blocking)


def _findings(version):
    if not version.summary.strip():
        yield "summary", "It has no summary: search results and cards show one."
    if version.banner is None:
        yield "banner", "It has no banner image: cards and social links show one."
    elif not version.banner.alt.strip():
        yield "alt_text", "The banner image has no alt text."
    limit = settings.NEWSDESK_TITLE_MAX_LENGTH
    if len(version.title) > limit:
        yield (
            "title_length",
            f"The title is {len(version.title)} characters long: search results "
            f"cut it after about {limit}.",
        )
    try:
        page = _Page(version)
    except markdown.MarkdownError as exc:
        yield "missing_images", f"The body cannot be rendered: {exc}."
        return
    for src in page.missing:
        yield "missing_images", f"The image {src} is not stored: it will not show."
    for src in page.no_alt:
        yield "alt_text", f"The image {src} has no alt text."
    for href in page.links:
        problem = _broken(href)
        if problem:
            yield "internal_links", f"The link to {href} {problem}."


class _Page(html.parser.HTMLParser):
    """The body rendered as readers get it, read for its images and links."""

    def __init__(self, version):
        super().__init__()
        self.version = version
        self.missing, self.no_alt, self.links = [], [], []
        self._sources = {}
        self.feed(markdown.render(version.body, resolve_image=self._resolve))

    def _resolve(self, src):
        key = markdown.image_key(src)
        image = self.version.images.get(key) if key else None
        if key is not None and image is None:
            self.missing.append(src)
        if image is None:
            return None
        # Only what the checks need: the stored alt text, under a marker URL.
        url = f"/checked/{len(self._sources)}"
        self._sources[url] = src
        return markdown.ResolvedImage(url=url, width=None, height=None, alt=image.alt)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "img" and not (found.get("alt") or "").strip():
            src = found.get("src") or ""
            self.no_alt.append(self._sources.get(src, src))
        if tag == "a" and found.get("href"):
            href = found["href"]
            if href.startswith("/") and not href.startswith("//"):
                self.links.append(href)


def _broken(href):
    """Return why the site-relative link ``href`` is broken, or None."""
    path = urlsplit(href).path
    try:
        match = resolve(path)
    except Resolver404:
        if PostAlias.objects.filter(path=path).exists():
            return None  # an old URL, which redirects
        return "leads to no page"
    if match.url_name == "post_detail":
        slug = match.kwargs["slug"]
        published = Post.objects.published()
        if published.filter(slug=slug).exists():
            return None
        if published.filter(old_slugs__slug=slug).exists():
            return None
        if (
            Post.objects.filter(slug=slug).exists()
            or OldSlug.objects.filter(slug=slug).exists()
        ):
            return "leads to a post that is not published"
        return "leads to no post"
    return None
