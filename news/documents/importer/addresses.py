"""Where an imported post is found: its language, the translation group it
shares with its translations, and the aliases and old URLs that redirect to
it."""

from ... import languages
from ...models import Post, PostAlias
from . import checks
from .report import ImportFailure, Problem


def language(relpath, values, warnings):
    """Return the post's language: the front matter's, else the one its
    path names (``zh/blog/x.md``), else the site's default."""
    if values.language:
        if code := languages.match(values.language):
            return code
        code = languages.from_path(relpath)[0] or languages.default()
        warnings.append(
            Problem(
                relpath,
                f"language {values.language!r} is not one of the site's "
                f"({', '.join(languages.codes())}); imported as {code}",
                None,
                "warning",
                "language",
            )
        )
        return code
    return languages.from_path(relpath)[0] or languages.default()


def translation_key(relpath, values, post, warnings):
    """Return the key the post shares with its translations: the front
    matter's ``translationKey``, else its path under the language folder
    (``en/blog/x.md`` and ``zh/blog/x.md``); "" for none."""
    key = values.translation_key or languages.path_key(relpath)
    if not key:
        return ""
    taken = (
        Post.objects.in_language(post.language)
        .filter(translation_key=key)
        .exclude(pk=post.pk)
        .select_related("source")
        .first()
    )
    if taken is None:
        return key
    where = taken.source.path if hasattr(taken, "source") else f"“{taken}”"
    if values.translation_key:
        raise ImportFailure(
            f"translation key {key!r} already has a post in {post.language}: {where}"
        )
    # Only a folder's name said so: the post stays, unlinked.
    warnings.append(
        Problem(
            relpath,
            f"not linked to its translations: {where} is already "
            f"their post in {post.language}",
            None,
            "warning",
            "language",
        )
    )
    return ""


def set_aliases(post, relpath, aliases, old, warnings, creating):
    """Write the front matter's aliases and the post's old URLs; return the
    aliases' paths (old URLs are not the file's front matter)."""
    if not creating:
        post.aliases.all().delete()
    paths = []
    entries = [(alias, False) for alias in aliases] + [(url, True) for url in old]
    for alias, old_url in entries:
        path = "/" + alias.strip().strip("/") + "/"
        if path in paths or post.aliases.filter(path=path).exists():
            continue  # an alias that is also the old URL
        if PostAlias.objects.filter(path=path).exists():
            what = "old URL" if old_url else "alias"
            warnings.append(
                Problem(
                    relpath,
                    f"{what} {alias!r} already belongs to another post",
                    None,
                    "warning",
                    "alias",
                )
            )
            continue
        if old_url and len(path) > checks.max_length(PostAlias, "path"):
            warnings.append(
                Problem(relpath, "old URL too long to keep", None, "warning")
            )
            continue
        PostAlias.objects.create(post=post, path=path, old_url=old_url)
        if not old_url:
            paths.append(path)
    return paths
