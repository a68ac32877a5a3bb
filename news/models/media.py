"""Images, stored once per content hash, and their resized renditions."""

from django.db import models


class Image(models.Model):
    """An image stored once per content hash, shared by every post that uses it."""

    file = models.ImageField(upload_to="images/", max_length=200)
    sha256 = models.CharField(max_length=64, unique=True, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    alt = models.CharField(max_length=500, blank=True)
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(max_length=300, blank=True)
    # The original carries no metadata (EXIF, XMP, comments) and is upright, so
    # pages may show it until its renditions are made (news.media.renditions).
    plain = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.alt or self.file.name


class Rendition(models.Model):
    """A resized copy of an image in one width and format (news.media.renditions)."""

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
