"""The content model: authors, categories, posts, images and where posts came from."""

from datetime import UTC

from django.conf import settings
from django.db import models
from django.db.models import Q
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


class Category(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class TaggedPost(TaggedItemBase):
    """Tags through a real foreign key, so tag pages join on an indexed column."""

    content_object = models.ForeignKey("Post", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_post_tag"
            )
        ]


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
        """Render every post's body again (after a renderer or storage change);
        return how many posts' HTML changed."""
        changed = 0
        posts = self.prefetch_related("image_links__image")
        for post in posts.iterator(chunk_size=500):
            before = post.body_html
            links = post.image_links.all()
            post.refresh_html({link.reference: link.image for link in links})
            if post.body_html != before:
                Post.objects.filter(pk=post.pk).update(body_html=post.body_html)
                changed += 1
        return changed


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
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if getattr(self, "_rendered_body", None) != self.body:
            self.refresh_html()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("news:post_detail", kwargs={"slug": self.slug})

    def refresh_html(self, images=None):
        """Render ``body`` to sanitised ``body_html``, resolving images through
        this post's reference mapping (``images``: key -> Image; loaded from the
        database when not given)."""
        if images is None:
            images = self.image_map() if self.pk else {}

        def resolve(src):
            image = images.get(markdown.image_key(src))
            if image is None:
                return None
            return markdown.ResolvedImage(
                url=image.file.url,
                width=image.width,
                height=image.height,
                alt=image.alt,
            )

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


class PostAuthor(models.Model):
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

    def __str__(self):
        return f"{self.author} on {self.post}"


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
