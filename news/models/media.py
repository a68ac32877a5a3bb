"""Images, stored once per content hash, and their resized renditions."""

from django.core.validators import MaxValueValidator
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
    # The name of the file as it was uploaded (the stored one is its hash):
    # what the media library shows and searches when there is no alt text.
    original_name = models.CharField(max_length=255, blank=True, editable=False)
    # The original carries no metadata (EXIF, XMP, comments) and is upright, so
    # pages may show it until its renditions are made (news.media.renditions).
    plain = models.BooleanField(default=False, editable=False)
    # The point that matters, in percent of the width and height from the top
    # left: pictures cropped to a box (cards, avatars) keep it in view.
    focal_x = models.PositiveSmallIntegerField(
        "focal point across (%)", default=50, validators=[MaxValueValidator(100)]
    )
    focal_y = models.PositiveSmallIntegerField(
        "focal point down (%)", default=50, validators=[MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        # What people know it by: its file name is its content hash.
        return self.alt or "Image with no alt text"

    @property
    def focus_class(self):
        """The CSS classes (static/css/site.css) that keep the focal point in
        view when the picture is cropped, to the nearest tenth; empty for the
        centre. A class and not a style attribute: the site's CSP allows no
        inline style."""
        x, y = round(self.focal_x / 10), round(self.focal_y / 10)
        return "" if (x, y) == (5, 5) else f"fx-{x} fy-{y}"


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
