"""The site's menus: links editors arrange in the admin, shown in the header
and the footer of every public page (news.public.fragments.menus); and its
theme, SiteSettings (news.public.theme)."""

from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .. import languages
from .content import Category, Post

# What an item may link to; each item links to exactly one.
TARGETS = ("category", "tag", "post", "page", "url")


def _one_target():
    """The condition that exactly one target of an item is set."""
    empty = {
        "category": Q(category__isnull=True),
        "tag": Q(tag__isnull=True),
        "post": Q(post__isnull=True),
        "page": Q(page=""),
        "url": Q(url=""),
    }
    return reduce(
        or_,
        (
            ~empty[target] & Q(*(empty[other] for other in TARGETS if other != target))
            for target in TARGETS
        ),
    )


class MenuItem(models.Model):
    """One link of a menu: to a category, a tag, a post (a page such as
    "About"), one of the site's own pages, or another site."""

    class Menu(models.TextChoices):
        HEADER = "header", "Header"
        FOOTER = "footer", "Footer"

    class Page(models.TextChoices):
        HOME = "news:post_list", _("Home")
        CATEGORIES = "news:category_index", _("Categories")
        TAGS = "news:tag_index", _("Tags")
        AUTHORS = "news:author_index", _("Authors")
        ARCHIVE = "news:archive", _("Archive")
        SEARCH = "news:search", _("Search")
        FEED = "news:feed", _("RSS feed")
        SITEMAP = "news:sitemap", _("Sitemap")

    menu = models.CharField(max_length=10, choices=Menu.choices, default=Menu.HEADER)
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(
        max_length=100,
        blank=True,
        help_text="The link's text; empty, the name of what it links to.",
    )
    # A label is typed in one language: an item for another language's pages
    # is an item of its own. The site's languages come from settings, so the
    # admin form offers them (MenuItemAdmin) rather than the column.
    language = models.CharField(
        max_length=35,
        blank=True,
        db_index=True,
        help_text="Shown on this language's pages only; empty, on every "
        "language's pages.",
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    tag = models.ForeignKey(
        "taggit.Tag", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey(
        Post,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Shown only while the post is published.",
    )
    page = models.CharField(max_length=40, choices=Page.choices, blank=True)
    url = models.URLField(
        "address",
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Another site's address (http or https).",
    )

    class Meta:
        ordering = ["menu", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_one_target(),
                name="menu_item_one_target",
                violation_error_message="Choose exactly one thing to link to: a "
                "category, a tag, a post, a page or an address.",
            )
        ]

    def __str__(self):
        return self.label or self._name() or "Menu item"

    def clean(self):
        if self.language and self.language not in languages.codes():
            raise ValidationError({"language": "Not a language of this site."})
        chosen = [target for target in TARGETS if self._has(target)]
        if len(chosen) != 1:
            raise ValidationError(
                "Choose exactly one thing to link to: a category, a tag, a post, "
                "a page or an address."
            )

    def link(self):
        """Return the item as ``(text, url)``, or None when what it links to
        is not public (a post that is not published, a tag with no page)."""
        if self.post_id and not self.post.is_published:
            return None
        url = self._url()
        return (self.label or self._name(), url) if url else None

    def _has(self, target):
        value = getattr(
            self, f"{target}_id" if target in ("category", "tag", "post") else target
        )
        return bool(value)

    def _name(self):
        if self.category_id:
            return self.category.name
        if self.tag_id:
            return self.tag.name
        if self.post_id:
            return self.post.title
        if self.page:
            return str(self.get_page_display())
        return self.url

    def _url(self):
        if self.category_id:
            return self.category.get_absolute_url()
        if self.tag_id:
            return reverse("news:tag", args=[self.tag.slug]) if self.tag.slug else ""
        if self.post_id:
            return self.post.get_absolute_url()
        if self.page:
            return reverse(self.page)
        return self.url


HEX_COLOUR = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", "Enter a colour as # and six hex digits, e.g. #0b57d0."
)
# The backgrounds of the public site's two schemes (static/css/site.css).
LIGHT_BACKGROUND = "#ffffff"
DARK_BACKGROUND = "#121212"
# WCAG AA for normal text.
MIN_CONTRAST = 4.5


def _luminance(colour):
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first, second):
    """The WCAG contrast ratio of two #rrggbb colours, from 1 to 21."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


class SiteSettings(models.Model):
    """The site's theme, one row (pk 1) edited in the admin: its name, logo,
    accent colours and footer text. Empty fields fall back to the
    NEWSDESK_SITE_NAME and NEWSDESK_SITE_ABOUT settings and site.css's
    colours. Pages read it through news.public.theme, which caches it."""

    site_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="Shown in every page's header and title, the feeds and the admin. "
        "Empty, the NEWSDESK_SITE_NAME setting.",
    )
    logo = models.ForeignKey(
        "news.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown beside the site's name in the header; add it under Images.",
    )
    accent = models.CharField(
        "accent colour",
        max_length=7,
        blank=True,
        validators=[HEX_COLOUR],
        help_text="Links and buttons on the light scheme, e.g. #0b57d0; it must "
        "contrast 4.5:1 with white, which is also the buttons' text.",
    )
    accent_dark = models.CharField(
        "accent colour (dark scheme)",
        max_length=7,
        blank=True,
        validators=[HEX_COLOUR],
        help_text="Links and buttons on the dark scheme, e.g. #8ab4f8; it must "
        f"contrast 4.5:1 with its background, {DARK_BACKGROUND}.",
    )
    footer_text = models.TextField(
        max_length=1000,
        blank=True,
        help_text="A line about the site in every page's footer. "
        "Empty, the NEWSDESK_SITE_ABOUT setting.",
    )

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self):
        return "Site settings"

    def save(self, *args, **kwargs):
        # One row: whatever is saved is the site's settings.
        self.pk = 1
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        checks = [
            ("accent", LIGHT_BACKGROUND, "white"),
            ("accent_dark", DARK_BACKGROUND, "the dark scheme's background"),
        ]
        for field, background, name in checks:
            colour = getattr(self, field)
            if not colour or HEX_COLOUR.regex.match(colour) is None:
                continue
            ratio = contrast(colour, background)
            if ratio < MIN_CONTRAST:
                errors[field] = (
                    f"{colour} contrasts only {ratio:.1f}:1 with {name}; text needs "
                    f"{MIN_CONTRAST}:1 to stay readable (WCAG AA)."
                )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def load(cls):
        """Return the site's settings, made empty on first use."""
        row, _ = cls.objects.get_or_create(pk=1)
        return row
