"""The content model: posts, their authors, categories and tags, and the rows
that tie them together.

Models stay at the bottom of the app: they import nothing from its services.
``save()`` writes the model's own row and nothing else; rendering the body
(news.media.renditions.render) and the side effects of a change (news.signals)
are explicit steps of the services that save.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from .. import languages
from ..documents import display, markdown
from .media import Image
from .sections import Section


class Author(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    bio = models.TextField(blank=True)
    url = models.URLField(
        max_length=500, blank=True, help_text="The author's own page, if any."
    )
    avatar = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="The account that logs in as this author, if any.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("news:author", kwargs={"slug": self.slug})

    def bio_text(self):
        """Return the bio, which is Markdown, as plain text: for the authors'
        index and the author page's description."""
        try:
            return display.plain_text(markdown.render(self.bio)) if self.bio else ""
        except markdown.MarkdownError:
            return self.bio


class Category(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    description = models.TextField(blank=True)
    image = models.ForeignKey(
        Image,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown at the top of the category's page.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("news:category", kwargs={"slug": self.slug})


class ListingDate(models.Model):
    """The post's ``published_at``, copied onto a tag or byline row so that a
    tag or author page reads its newest posts in order from one index, rather
    than sorting every post it has. Saving the row fills it in;
    news.models.relations.sync_listing_dates() follows changes of the post's."""

    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.published_at is None:
            self.published_at = self.listed_post().published_at
        super().save(*args, **kwargs)


class TaggedPost(ListingDate, TaggedItemBase):
    """Tags through a real foreign key, so tag pages join on an indexed column."""

    content_object = models.ForeignKey("Post", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_post_tag"
            )
        ]
        indexes = [models.Index(fields=["tag", "-published_at"], name="tag_latest")]

    def __str__(self):
        return f"{self.tag} on {self.content_object}"

    def listed_post(self):
        return self.content_object


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RELATED_CANDIDATES = 200


class PostQuerySet(models.QuerySet):
    def published(self):
        """Return the posts a reader may see: published, due by now, and not
        expired.

        Scheduled posts are published posts with a future ``published_at``; they
        appear by themselves when that moment passes. A post with an
        ``expires_at`` leaves by itself when that moment passes (Hugo's
        ``expiryDate``), but stays published for its editors.
        """
        now = timezone.now()
        return self.filter(
            Q(expires_at=None) | Q(expires_at__gt=now),
            status=Post.Status.PUBLISHED,
            published_at__lte=now,
        )

    def in_language(self, code):
        """Return the posts written in the language ``code``."""
        return self.filter(language=code)

    def scheduled(self):
        """Return the published posts whose time has not come yet."""
        return self.filter(
            status=Post.Status.PUBLISHED, published_at__gt=timezone.now()
        )

    def related_to(self, post):
        """Return posts sharing tags with ``post``, the most shared tags first."""
        # Subqueries, not lists of ids: a post without tags costs the same one
        # query as one with many. Candidates are the latest RELATED_CANDIDATES
        # taggings of the post's tags, so a tag on half the site costs no more
        # than a rare one.
        tag_ids = TaggedPost.objects.filter(content_object=post).values("tag_id")
        taggings = TaggedPost.objects.filter(tag_id__in=tag_ids)
        candidates = taggings.order_by("-id").values("content_object_id")
        shared = (
            taggings.filter(content_object=OuterRef("pk"))
            .values("content_object")
            .annotate(count=models.Count("*"))
            .values("count")
        )
        return (
            self.filter(pk__in=candidates[:RELATED_CANDIDATES])
            .exclude(pk=post.pk)
            .annotate(shared=Subquery(shared))
            .order_by("-shared", "-published_at", "-id")
        )

    def before(self, post):
        """Return the posts that come before ``post`` in time, the closest first."""
        # A two-sided range: SQLite's planner then bounds the index scan by it,
        # not by published()'s "<= now", and the OR only breaks ties.
        at = post.published_at
        return (
            self.filter(published_at__range=(EPOCH, at))
            .filter(Q(published_at__lt=at) | Q(id__lt=post.pk))
            .order_by("-published_at", "-id")
        )

    def after(self, post):
        """Return the posts that come after ``post`` in time, the closest first."""
        at = post.published_at
        return (
            self.filter(published_at__gte=at)
            .filter(Q(published_at__gt=at) | Q(id__gt=post.pk))
            .order_by("published_at", "id")
        )

    def in_section(self, section):
        """Return the posts of ``section`` (a Section), newest first. Tag and
        author posts come in order from the (section, date) index of the rows
        that tie them (ListingDate), however many posts the section has."""
        if section.kind == Section.CATEGORY:
            return self.filter(category_id=section.pk)
        listing, field = (
            ("bylines", "author")
            if section.kind == Section.AUTHOR
            else ("taggedpost", "tag")
        )
        return self.filter(**{f"{listing}__{field}_id": section.pk}).order_by(
            f"-{listing}__published_at", "-id"
        )


class SiteChange(models.Model):
    """When something readers see last changed outside a post's own row: an
    author, category, tag or image edited, a post deleted, bodies rendered
    again. One row, moved by news.public.cache.record_site_change();
    news.models.queries.freshness() reads it."""

    changed_at = models.DateTimeField()

    def __str__(self):
        return f"Site changed at {self.changed_at:%Y-%m-%d %H:%M:%S}"


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        allow_unicode=True,
        help_text="Unique among the posts in the same language.",
    )
    language = models.CharField(
        max_length=35,
        choices=languages.choices,
        default=languages.default,
        help_text="The language the post is written in.",
    )
    translation_key = models.CharField(
        max_length=languages.MAX_KEY,
        blank=True,
        editable=False,
        help_text="Posts that share this key translate each other.",
    )
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    published_at = models.DateTimeField(null=True, blank=True)
    planned_for = models.DateField(
        null=True,
        blank=True,
        help_text="The day the post is planned for, before it is scheduled.",
    )
    lastmod = models.DateTimeField(
        "last updated",
        null=True,
        blank=True,
        help_text="When the post says it was last updated.",
    )
    expires_at = models.DateTimeField(
        "expires",
        null=True,
        blank=True,
        help_text="When the post leaves the public site by itself, if ever.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    tags = TaggableManager(through=TaggedPost, blank=True)
    authors = models.ManyToManyField(
        Author, through="PostAuthor", blank=True, related_name="posts"
    )
    banner = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    images = models.ManyToManyField(
        Image, through="PostImage", blank=True, related_name="posts"
    )
    extra = models.JSONField(
        default=dict,
        blank=True,
        help_text="Front-matter keys the schema does not know, written back on export.",
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        permissions = [
            ("submit_post", "Can submit posts for review"),
            ("approve_post", "Can approve posts and request changes"),
            ("publish_post", "Can publish, schedule and unpublish posts"),
            ("archive_post", "Can archive published posts"),
            ("change_any_post", "Can edit posts they are not an author of"),
            ("import_post", "Can import posts from Markdown"),
            ("export_post", "Can export posts as Markdown"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="post_latest"),
            models.Index(
                fields=["category", "status", "-published_at"], name="post_by_category"
            ),
            models.Index(fields=["-updated_at"], name="post_updated"),
            models.Index(
                fields=["language", "status", "-published_at"], name="post_by_language"
            ),
            models.Index(
                fields=["translation_key"],
                name="post_translations",
                condition=~Q(translation_key=""),
            ),
            # freshness() asks every request for the last and the next expiry:
            # without it, two scans of the whole table (5 ms at 1,000 posts).
            models.Index(
                fields=["status", "expires_at"],
                name="post_expiry",
                condition=Q(expires_at__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["language", "slug"],
                name="post_slug_per_language",
                violation_error_message="Another post in this language has this slug.",
            ),
            models.UniqueConstraint(
                fields=["translation_key", "language"],
                condition=~Q(translation_key=""),
                name="post_one_translation_per_language",
                violation_error_message="This post already has a translation "
                "in this language.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        # In the post's own language: under language-prefixed URLs, /zh/...
        # Most posts are in the page's language, which needs no switch.
        kwargs = {"slug": self.slug}
        if self.language == translation.get_language():
            return reverse("news:post_detail", kwargs=kwargs)
        with translation.override(self.language):
            return reverse("news:post_detail", kwargs=kwargs)

    def refresh_html(self, resolve_image=None, *, converted=None):
        """Render ``body`` to sanitised ``body_html`` in memory, showing images
        through ``resolve_image`` (news.media.renditions.render() passes one
        that knows the post's images and their renditions). ``converted``:
        the body already converted (markdown.convert()), by an import that
        read it ahead."""
        self.body_html = markdown.render(
            self.body, resolve_image=resolve_image, converted=converted
        )

    def image_map(self):
        """Return this post's image references: normalised key -> Image."""
        links = self.image_links.select_related("image")
        return {link.reference: link.image for link in links}

    @cached_property
    def html(self):
        """The body as the article page shows it (news.documents.display)."""
        shown = display.article_body(
            self.body_html, title=self.title, eager_image=not self.banner_id
        )
        # body_html is sanitised by news.documents.markdown.render(), which
        # refresh_html() is the only writer of; display adds only fixed
        # attributes and drops a repeated title.
        return mark_safe(shown)  # noqa: S308

    def lead_image(self):
        """Return the image that stands for the post: the banner, else the
        first image of the body that is stored. Cards show it as their
        thumbnail and the social card uses it. Reads ``image_links`` as
        prefetched (news.public.fragments.with_cards)."""
        if self.banner_id:
            return self.banner
        if self.pk is None:  # an unsaved preview has no stored images
            return None
        links = sorted(self.image_links.all(), key=lambda link: link.pk)
        stored = {link.reference: link.image for link in links}
        if not stored or "body" in self.get_deferred_fields():
            # Search results leave the body unread: links are written in the
            # body's order, so the oldest is the first image as imported.
            return links[0].image if links else None
        for reference in markdown.image_references(self.body):
            image = stored.get(markdown.image_key(reference.src) or "")
            if image is not None:
                return image
        return None

    @cached_property
    def reading_minutes(self):
        """About how many minutes the body takes to read."""
        return display.reading_minutes(self.body_html)

    def table_of_contents(self):
        """Return the body's sections (news.documents.display.Heading) when
        it is long enough to need a table of contents: at least
        NEWSDESK_TOC_MIN_WORDS words and two sections; else an empty list."""
        if display.word_count(self.body_html) < settings.NEWSDESK_TOC_MIN_WORDS:
            return []
        entries = display.contents(self.body_html, title=self.title)
        sections = sum(1 + len(entry.children) for entry in entries)
        return entries if sections >= 2 else []

    def translations(self):
        """Return the other posts of this post's translation group, in any
        state."""
        if not self.translation_key:
            return Post.objects.none()
        return Post.objects.filter(translation_key=self.translation_key).exclude(
            pk=self.pk
        )

    def is_authored_by(self, user):
        """Return whether ``user`` logs in as one of this post's authors."""
        if user is None or not user.is_authenticated:
            return False
        return self.bylines.filter(author__user=user).exists()

    def state_label(self):
        """Return the status as people say it, telling scheduled and expired
        posts apart."""
        now = timezone.now()
        scheduled = self.published_at and self.published_at > now
        if self.status == self.Status.PUBLISHED and scheduled:
            when = timezone.localtime(self.published_at)
            return f"Scheduled for {when:%Y-%m-%d %H:%M}"
        expired = self.expires_at and self.expires_at <= now
        if self.status == self.Status.PUBLISHED and expired:
            when = timezone.localtime(self.expires_at)
            return f"Expired on {when:%Y-%m-%d %H:%M}"
        return self.get_status_display()

    def pending_change(self):
        """Return the revision waiting to replace this live post, if any."""
        return self.revisions.exclude(pending_status="").first()

    @property
    def is_published(self):
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.expires_at is None or self.expires_at > now)
        )

    def redirect_from(self, old_slug):
        """Make ``old_slug``, which the post had before, answer 301 to it."""
        if old_slug and old_slug != self.slug:
            OldSlug.objects.filter(slug=self.slug).delete()
            OldSlug.objects.update_or_create(slug=old_slug, defaults={"post": self})


class PostAuthor(ListingDate):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "author"], name="unique_post_author"
            )
        ]
        indexes = [
            models.Index(fields=["author", "-published_at"], name="author_latest")
        ]

    def __str__(self):
        return f"{self.author} on {self.post}"

    def listed_post(self):
        return self.post


class PostImage(models.Model):
    """One image reference in a post's Markdown, as the author wrote it.

    ``reference`` is the normalised key (news.documents.markdown.image_key) the renderer
    looks up; ``path`` is where the file sat in the imported tree, relative to
    the import root, so export can put it back.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="image_links")
    image = models.ForeignKey(
        Image, on_delete=models.PROTECT, related_name="post_links"
    )
    reference = models.CharField(max_length=1000)
    path = models.CharField(max_length=1000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reference"], name="unique_post_reference"
            )
        ]

    def __str__(self):
        return self.reference


class PostAlias(models.Model):
    """An old path that redirects to the post: a front-matter ``aliases`` entry,
    or a URL the post had on the site it was imported from (``old_url``)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="aliases")
    path = models.CharField(max_length=1000, unique=True)
    # Old URLs are derived on import (from `permalink`, `url`, `redirect_from`
    # or the generator's pattern) and never written into the file on export,
    # so they are kept apart from the front matter's own aliases.
    old_url = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "post aliases"

    def __str__(self):
        return self.path


class OldSlug(models.Model):
    """A slug the post had before: its old URL answers 301 to the current one."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.slug
