"""The content model: authors, categories, posts, images and where posts came from."""

from datetime import UTC, datetime

from django.conf import settings
from django.db import connections, models, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from . import markdown


def utc_text(value):
    return value.astimezone(UTC).isoformat() if value else None


def actor_field(**options):
    """Return a foreign key to the user who did something; empty for the command
    line and other system actors, and kept when the account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty for the command line and other system actors.",
        **options,
    )


class Image(models.Model):
    """An image stored once per content hash, shared by every post that uses it."""

    file = models.ImageField(upload_to="images/", max_length=200)
    sha256 = models.CharField(max_length=64, unique=True, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    alt = models.CharField(max_length=500, blank=True)
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.alt or self.file.name


class Author(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    bio = models.TextField(blank=True)
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


class Category(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    description = models.TextField(blank=True)

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
    than sorting every post it has. Saving the row fills it in; Post.save() and
    sync_listing_dates() follow changes."""

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
        """Return the posts a reader may see: published, and due by now.

        Scheduled posts are published posts with a future ``published_at``; they
        appear by themselves when that moment passes.
        """
        return self.filter(
            status=Post.Status.PUBLISHED, published_at__lte=timezone.now()
        )

    def rerender(self):
        """Render every post's body again (after a renderer or storage change),
        making missing renditions; return how many posts' HTML changed."""
        changed = 0
        posts = self.prefetch_related("image_links__image__renditions")
        for post in posts.iterator(chunk_size=500):
            before = post.body_html
            links = post.image_links.all()
            post.refresh_html({link.reference: link.image for link in links})
            if post.body_html != before:
                Post.objects.filter(pk=post.pk).update(body_html=post.body_html)
                changed += 1
        if changed:
            from . import cache

            cache.site_changed()
        return changed

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
        """Return the posts of ``section``, a tag, author or category, newest
        first. Tag and author posts come in order from the (section, date) index
        of the rows that tie them (ListingDate), however many posts the section
        has."""
        if isinstance(section, Category):
            return self.filter(category=section)
        listing, field = (
            ("bylines", "author")
            if isinstance(section, Author)
            else ("taggedpost", "tag")
        )
        return self.filter(**{f"{listing}__{field}": section}).order_by(
            f"-{listing}__published_at", "-id"
        )

    def freshness(self):
        """Return ``(last_changed, next_due)`` of the public site, in one query.

        ``last_changed`` is the latest of the newest edit of any post, the
        newest publication time that has passed and the last SiteChange;
        ``next_due`` is the time of the next scheduled post, or None. Each part
        is an index lookup (post_updated, post_latest).

        Every public request asks this, so it is one hand-written statement:
        building it with the ORM cost ten times as long as running it. The
        conditions are published()'s and scheduled()'s; the tests hold them to
        those.
        """
        posts, changes = self._table(Post), self._table(SiteChange)
        published, params = self._published()
        [row] = self._rows(
            f"SELECT (SELECT MAX(updated_at) FROM {posts}),"  # noqa: S608
            f" (SELECT MAX(published_at) FROM {posts} WHERE {published}),"
            f" (SELECT MIN(published_at) FROM {posts}"
            "   WHERE status = %s AND published_at > %s),"
            f" (SELECT MAX(changed_at) FROM {changes})",
            [*params, *params],
        )
        updated, latest, due, site = map(_datetime, row)
        if updated is None:
            return None, None
        return max(filter(None, [updated, latest, site])), due

    def published_id(self, slug):
        """Return the id of the published post ``slug``, or None: the lookup
        every article page makes, hand-written like listed_ids() and held to
        published() by the tests."""
        published, params = self._published()
        rows = self._rows(
            f"SELECT id FROM {self._table(Post)}"  # noqa: S608
            f" WHERE slug = %s AND {published}",
            [slug, *params],
        )
        return rows[0][0] if rows else None

    def listed_ids(self, start, stop, section=None):
        """Return the ids of the published posts ``[start:stop]``, newest first,
        of the whole site or of ``section``, a ``(model, pk)`` pair for a tag,
        author or category, in the order in_section() gives: what a list page
        shows.

        Like freshness(), one hand-written statement: building it with the ORM
        took as long as the rest of an uncached list page. The tests hold it to
        published() and in_section().
        """
        quote = connections[self.db].ops.quote_name
        published, params = self._published("p.")
        join = where = ""
        order = "p.published_at DESC, p.id DESC"
        if section is not None:
            model, pk = section
            params.append(pk)
            if model is Category:
                where = f" AND p.{quote(Post._meta.get_field('category').column)} = %s"
            else:
                listing, post, field = (
                    (PostAuthor, "post", "author")
                    if model is Author
                    else (TaggedPost, "content_object", "tag")
                )
                columns = listing._meta
                join = (
                    f" JOIN {self._table(listing)} s"
                    f" ON s.{quote(columns.get_field(post).column)} = p.id"
                )
                where = f" AND s.{quote(columns.get_field(field).column)} = %s"
                order = "s.published_at DESC, p.id DESC"
        rows = self._rows(
            f"SELECT p.id FROM {self._table(Post)} p{join}"  # noqa: S608
            f" WHERE {published}{where} ORDER BY {order} LIMIT %s OFFSET %s",
            [*params, stop - start, start],
        )
        return [pk for (pk,) in rows]

    # The hand-written statements above share these.

    def _published(self, alias=""):
        """Return published()'s condition as SQL, and its parameters."""
        connection = connections[self.db]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        return (
            f"{alias}status = %s AND {alias}published_at <= %s",
            [Post.Status.PUBLISHED, now],
        )

    def _table(self, model):
        return connections[self.db].ops.quote_name(model._meta.db_table)

    def _rows(self, sql, params):
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def _datetime(value):
    """A datetime column's value read by a raw query: SQLite gives the text it
    stores (UTC), PostgreSQL an aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


UNKNOWN = object()


def sync_listing_dates(post_ids):
    """Copy the posts' published_at onto their tag and byline rows (after
    changing it with QuerySet.update(); Post.save() does it by itself)."""
    for model, field in ((TaggedPost, "content_object"), (PostAuthor, "post")):
        published_at = Post.objects.filter(pk=OuterRef(field)).values("published_at")
        model.objects.filter(**{f"{field}__in": post_ids}).update(
            published_at=Subquery(published_at[:1])
        )


class SiteChange(models.Model):
    """When something readers see last changed outside a post's own row: an
    author, category, tag or image edited, a post deleted, bodies rendered
    again. One row, moved by news.cache.site_changed(); freshness() reads it."""

    changed_at = models.DateTimeField()

    def __str__(self):
        return f"Site changed at {self.changed_at:%Y-%m-%d %H:%M:%S}"


def with_published_posts(queryset, post_field):
    """Keep the rows of ``queryset`` (authors, categories, tags) that at least one
    published post points to through ``post_field``."""
    posts = Post.objects.published().filter(**{post_field: OuterRef("pk")})
    return queryset.filter(Exists(posts))


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
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
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if getattr(self, "_rendered_body", None) != self.body:
            self.refresh_html()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "body_html"}
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding and self.published_at != getattr(self, "_listed_at", UNKNOWN):
            sync_listing_dates([self.pk])
        self._listed_at = self.published_at

    def get_absolute_url(self):
        return reverse("news:post_detail", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values):
        post = super().from_db(db, field_names, values)
        # What the tag and byline rows hold, to copy them only on a change.
        if "published_at" in field_names:
            post._listed_at = post.published_at
        return post

    def refresh_html(self, images=None):
        """Render ``body`` to sanitised ``body_html``, resolving images through
        this post's reference mapping (``images``: key -> Image; loaded from the
        database when not given) and making their missing renditions."""
        from . import renditions  # it imports this module

        if images is None:
            images = self.image_map() if self.pk else {}
        resolve = renditions.resolver(images)
        self.body_html = markdown.render(self.body, resolve_image=resolve)
        self._rendered_body = self.body

    def image_map(self):
        """Return this post's image references: normalised key -> Image."""
        links = self.image_links.select_related("image")
        return {link.reference: link.image for link in links}

    @cached_property
    def html(self):
        # body_html is sanitised by news.markdown.render() whenever it is saved.
        return mark_safe(self.body_html)  # noqa: S308

    def document_values(self, *, tags=None, authors=None, aliases=None):
        """Return the post's front-matter fields under their canonical names.

        The importer stores these as the source's snapshot; the exporter compares
        them with it to rewrite only what changed since the import. ``tags``,
        ``authors`` and ``aliases`` may be given by a caller that has just set
        them, to save the queries.
        """
        if tags is None:
            tags = self.tags.all()
        if authors is None:
            authors = [byline.author for byline in self.bylines.all()]
        if aliases is None:
            aliases = [alias.path for alias in self.aliases.all()]
        return {
            "title": self.title,
            "date": utc_text(self.published_at),
            "category": self.category.name if self.category_id else None,
            "tags": sorted(tag.name for tag in tags),
            "authors": [author.name for author in authors],
            "summary": self.summary,
            "banner": self.banner.sha256 if self.banner_id else None,
            "slug": self.slug,
            "draft": self.status != self.Status.PUBLISHED,
            "updated": utc_text(self.lastmod),
            "aliases": sorted(aliases),
            "extra": self.extra,
        }

    def is_authored_by(self, user):
        """Return whether ``user`` logs in as one of this post's authors."""
        if user is None or not user.is_authenticated:
            return False
        return self.bylines.filter(author__user=user).exists()

    def state_label(self):
        """Return the status as people say it, telling scheduled posts apart."""
        scheduled = self.published_at and self.published_at > timezone.now()
        if self.status == self.Status.PUBLISHED and scheduled:
            when = timezone.localtime(self.published_at)
            return f"Scheduled for {when:%Y-%m-%d %H:%M}"
        return self.get_status_display()

    def pending_change(self):
        """Return the revision waiting to replace this live post, if any."""
        return self.revisions.exclude(pending_status="").first()

    @property
    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    def change_slug(self, slug):
        """Give the post a new slug, keeping the old one to redirect from.

        Returns the post. The old URL answers 301 to the new one; changing back
        to an old slug drops it from the history.
        """
        from . import cache

        with transaction.atomic():
            old = Post.objects.select_for_update().get(pk=self.pk).slug
            if old == slug:
                return self
            self.slug = slug
            self.save(update_fields=["slug", "updated_at"])
            self.redirect_from(old)
            transaction.on_commit(cache.invalidate)
        return self

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

    ``reference`` is the normalised key (news.markdown.image_key) the renderer
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
    """An old path that redirects to the post (front-matter ``aliases``)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="aliases")
    path = models.CharField(max_length=1000, unique=True)

    class Meta:
        verbose_name_plural = "post aliases"

    def __str__(self):
        return self.path


class SourceFile(models.Model):
    """Where an imported post came from, kept so export gives the same bytes back."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="source")
    path = models.CharField(max_length=1000, unique=True)
    front = models.TextField(
        blank=True, help_text="The front matter exactly as written."
    )
    format = models.CharField(max_length=10, blank=True)
    bom = models.BooleanField(default=False)
    newline = models.CharField(max_length=2, default="\n")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the file.")
    image_digests = models.JSONField(
        default=dict,
        help_text="Every place an image was looked for, with the SHA-256 found there "
        "(null where nothing was): a change there means the post changed.",
    )
    snapshot = models.JSONField(
        default=dict,
        help_text="The post's fields as imported, to tell later edits apart.",
    )
    imported_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.path


class AuditEntry(models.Model):
    """One workflow transition: who moved which post from what to what, and why."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="audit_entries"
    )
    user = actor_field()
    transition = models.CharField(max_length=40)
    from_status = models.CharField(
        max_length=20,
        choices=Post.Status.choices,
        blank=True,
        help_text="Empty on creation.",
    )
    to_status = models.CharField(max_length=20, choices=Post.Status.choices)
    comment = models.TextField(blank=True)
    revision = models.ForeignKey(
        "Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        help_text="Set when the transition moved a pending change of a live post.",
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.post}: {self.from_status} -> {self.to_status}"


class Revision(models.Model):
    """The post as it was saved once, as its front-matter Markdown document.

    ``values`` holds what is needed to put the revision back (restore, or publish
    a pending change); ``document`` is what people read and diff. A revision with
    a ``pending_status`` is a change to a live post still in review.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    created_by = actor_field()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.CharField(max_length=300, blank=True)
    document = models.TextField()
    values = models.JSONField(default=dict)
    pending_status = models.CharField(
        max_length=20,
        choices=Post.Status.choices,
        blank=True,
        help_text="Where a pending change of a live post is in review.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post"],
                condition=~Q(pending_status=""),
                name="one_pending_change_per_post",
            )
        ]

    def __str__(self):
        return f"{self.post} at {self.created_at:%Y-%m-%d %H:%M:%S}"

    def get_absolute_url(self):
        return reverse("news:revision_preview", kwargs={"pk": self.pk})


class ReviewComment(models.Model):
    """A reviewer's remark on a post, in general or on one line of its Markdown."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="review_comments"
    )
    line = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The line of the Markdown body it is about; empty for the post.",
    )
    text = models.TextField()
    created_by = actor_field()
    created_at = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["resolved", "line", "created_at"]

    def __str__(self):
        where = f"line {self.line}" if self.line else "the post"
        return f"On {where} of {self.post}"


class PreviewLink(models.Model):
    """A shareable, expiring, revocable preview of an unpublished post.

    Pinned to ``revision`` when set; otherwise it follows the latest draft.
    """

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="preview_links"
    )
    revision = models.ForeignKey(
        Revision,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="preview_links",
        help_text="Empty to follow the latest draft.",
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_by = actor_field()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Preview of {self.post}"

    def get_absolute_url(self):
        from . import previews

        return reverse("news:shared_preview", kwargs={"signed": previews.sign(self)})

    @property
    def is_active(self):
        return not self.revoked and self.expires_at > timezone.now()


class OldSlug(models.Model):
    """A slug the post had before: its old URL answers 301 to the current one."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.slug


class Rendition(models.Model):
    """A resized copy of an image in one width and format (news.renditions)."""

    class Format(models.TextChoices):
        WEBP = "webp", "WebP"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"

    image = models.ForeignKey(
        Image, on_delete=models.CASCADE, related_name="renditions"
    )
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    format = models.CharField(max_length=4, choices=Format.choices)
    file = models.FileField(upload_to="renditions/", max_length=200)

    class Meta:
        ordering = ["image", "format", "width"]
        constraints = [
            models.UniqueConstraint(
                fields=["image", "width", "format"], name="unique_rendition"
            )
        ]

    def __str__(self):
        return self.file.name
