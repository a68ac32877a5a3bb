"""Translations: posts in other languages that say the same thing.

Posts that translate each other share a ``translation_key``; the importer sets
it from the front matter or from parallel language folders, and ``translate()``
here starts a new translation from the admin. Each translation is a post of its
own, with its own slug, workflow and revisions.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .. import languages
from ..media import renditions
from ..models import Post
from ..models.relations import set_image_links, set_tags
from ..slugs import unique_slug
from . import revisions, workflow


class TranslationRefused(ValueError):
    """The translation cannot be started; says why."""


def group(post):
    """Return the post's translations by language code, in the order of the
    site's languages, the post itself included."""
    found = {p.language: p for p in post.translations()}
    found[post.language] = post
    return {code: found[code] for code in languages.codes() if code in found}


def missing(post):
    """Return the site's languages that ``post`` has no translation in."""
    have = group(post)
    return [code for code in languages.codes() if code not in have]


def translate(post, language, *, by):
    """Start a translation of ``post`` into ``language``: a new draft that
    copies its text, tags, category, banner and images, linked to it; return
    the draft. The translator rewrites it and sends it through review."""
    if not revisions.can_view(by, post) or not revisions.can_edit(by, Post()):
        raise PermissionDenied(f"You may not translate “{post}”.")
    if language not in languages.codes():
        raise TranslationRefused(f"{language!r} is not one of the site's languages.")
    with transaction.atomic():
        source = Post.objects.select_for_update().get(pk=post.pk)
        if language == source.language:
            raise TranslationRefused(f"“{source}” is already in {language}.")
        if language not in missing(source):
            raise TranslationRefused(
                f"“{source}” already has a translation in {languages.name(language)}."
            )
        if not source.translation_key:
            source.translation_key = _new_key(source)
            # The key is the post's own metadata, not an edit of its text: no
            # revision, and a live post stays as it is.
            Post.objects.filter(pk=source.pk).update(
                translation_key=source.translation_key
            )
        draft = Post(
            title=source.title,
            slug=unique_slug(Post.objects.in_language(language), source.slug),
            language=language,
            translation_key=source.translation_key,
            summary=source.summary,
            body=source.body,
            category_id=source.category_id,
            banner_id=source.banner_id,
            extra=dict(source.extra),
        )
        links = [
            (link.reference, link.image, link.path)
            for link in source.image_links.select_related("image")
        ]
        tags = [tag.name for tag in source.tags.all()]

        def save():
            workflow.create(
                draft,
                by=by,
                comment=f"translation of “{source}” ({source.language})",
            )
            set_tags(draft, tags, creating=True)
            set_image_links(draft, links, creating=True)
            renditions.render(draft)
            Post.objects.filter(pk=draft.pk).update(body_html=draft.body_html)

        revisions.save_edit(
            draft,
            by=by,
            save=save,
            reason=f"started as a translation of “{source}”",
        )
    return draft


def _new_key(post):
    """Return a key no group uses yet, from the post's slug."""
    base = post.slug or "post"
    key, n = base, 1
    while Post.objects.filter(translation_key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key
