"""Writing what ties a post to other rows: its tags, bylines and image links.

The importer, revisions (restore, pending changes) and the admin all write
these here, and nowhere else. The tag and byline rows carry a copy of the
post's ``published_at`` (ListingDate): the writers below fill it in, and
``sync_listing_dates()`` follows a change of the post's date.
"""

from functools import reduce
from operator import or_

from django.db.models import OuterRef, Q, Subquery
from taggit.models import Tag

from ..slugs import unique_slug
from .content import Author, Category, Post, PostAuthor, PostImage, TaggedPost


def set_tags(post, names, *, creating=False, known=None):
    """Give ``post`` these tags, matched case-insensitively to existing ones;
    return the Tag objects. ``creating`` skips deleting the rows a new post
    cannot have. ``known``: Tags the caller knows exist, by folded name, not
    looked up again."""
    wanted = {}
    for name in names:
        wanted.setdefault(name.casefold(), name)
    found = {key: known[key] for key in wanted if key in (known or {})}
    if missing := [name for key, name in wanted.items() if key not in found]:
        match = reduce(or_, (Q(name__iexact=name) for name in missing))
        found |= {tag.name.casefold(): tag for tag in Tag.objects.filter(match)}
    tags = [
        found.get(key) or Tag.objects.create(name=name) for key, name in wanted.items()
    ]
    if not creating:
        TaggedPost.objects.filter(content_object=post).delete()
    TaggedPost.objects.bulk_create(
        TaggedPost(content_object=post, tag=tag, published_at=post.published_at)
        for tag in tags
    )
    return tags


def set_authors(post, authors, *, creating=False):
    """Make ``authors`` (Author rows, in byline order) the post's authors."""
    authors = list(dict.fromkeys(authors))
    if not creating:
        post.bylines.all().delete()
    PostAuthor.objects.bulk_create(
        PostAuthor(
            post=post,
            author=author,
            position=position,
            published_at=post.published_at,
        )
        for position, author in enumerate(authors)
    )
    return authors


def set_image_links(post, links, *, creating=False):
    """Make ``links`` (``(reference, Image, path)`` triples) the post's image
    references; return the PostImage rows."""
    if not creating:
        post.image_links.all().delete()
    return add_image_links(post, links)


def add_image_links(post, links):
    """Add ``links`` (``(reference, Image, path)`` triples) to the post's image
    references; return the new PostImage rows."""
    return PostImage.objects.bulk_create(
        PostImage(post=post, reference=reference, image=image, path=path)
        for reference, image, path in links
    )


def sync_listing_dates(post_ids):
    """Copy the posts' ``published_at`` onto their tag and byline rows, after
    the services changed it."""
    for model, field in ((TaggedPost, "content_object"), (PostAuthor, "post")):
        published_at = Post.objects.filter(pk=OuterRef(field)).values("published_at")
        model.objects.filter(**{f"{field}__in": post_ids}).update(
            published_at=Subquery(published_at[:1])
        )


def authors_named(names, *, known=None):
    """Return the authors called ``names``, in order, creating unknown ones.
    ``known``: Authors the caller knows exist, by name, not looked up again."""
    names = list(dict.fromkeys(names))
    found = {name: known[name] for name in names if name in (known or {})}
    if missing := [name for name in names if name not in found]:
        found |= {a.name: a for a in Author.objects.filter(name__in=missing)}
    return [found.get(name) or _new_author(name) for name in names]


def _new_author(name):
    slug = unique_slug(Author.objects.all(), name, "author")
    return Author.objects.create(name=name, slug=slug)


def category_named(name):
    """Return the category called ``name`` (in any case), creating it if new."""
    category = Category.objects.filter(name__iexact=name).first()
    if category is None:
        category = Category.objects.create(
            name=name, slug=unique_slug(Category.objects.all(), name, "category")
        )
    return category
