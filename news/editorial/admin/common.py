"""What the editorial admin's modules share."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.text import Truncator


class ReadOnlyAdmin:
    """For logs the app writes: nobody adds, changes or deletes a row."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BoundedInline:
    """An inline that builds no more forms than a post can use.

    Django builds, validates and renders back as many forms as a POST's
    TOTAL_FORMS claims, up to 2,000: one forged number cost some ten seconds
    of a worker per request on the post form's three inlines.
    """

    max_num = 500

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.max_num)
        return super().get_formset(request, obj, **kwargs)


class SelectFilter(admin.RelatedFieldListFilter):
    """A related filter shown as one select: a list of every tag or author
    made the post list 9,600 px tall."""

    template = "admin/select_filter.html"


class SelectOnlyFilter(admin.RelatedOnlyFieldListFilter):
    template = "admin/select_filter.html"


def truncated(text, length=60, css="truncated"):
    """Show ``text`` cut to ``length`` characters, the whole of it in a tooltip."""
    return format_html(
        '<span class="{}" title="{}">{}</span>',
        css,
        text,
        Truncator(text).chars(length),
    )


class ListMedia:
    js = ["news/admin-lists.js"]
