"""The languages posts are written in: settings.LANGUAGES, as Django spells them.

Pure functions over strings. A front-matter value or a path segment names a
language in any common spelling (``zh``, ``zh-CN``, ``zh_Hans``, ``en-US``);
``match()`` says which of the site's languages it is, if any.
"""

import hashlib
import posixpath
import re

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.utils import translation

# BCP 47's language, script and region: zh, zh-Hans, zh-Hans-CN, en-US, es-419.
_SHAPE = re.compile(r"[a-z]{2,3}(?:-[a-z]{4})?(?:-(?:[a-z]{2}|[0-9]{3}))?")
# A path-derived translation key longer than the column is kept as its hash.
MAX_KEY = 300


def codes():
    """Return the site's language codes, the default first."""
    return [code for code, _name in settings.LANGUAGES]


def default():
    return settings.LANGUAGES[0][0]


def choices():
    """The site's languages as a field's choices: code, own name."""
    return list(settings.LANGUAGES)


def is_multilingual():
    return len(settings.LANGUAGES) > 1


def name(code):
    """Return the language's own name for itself (``简体中文``)."""
    return dict(settings.LANGUAGES).get(code) or code


def match(value):
    """Return the site language that ``value`` names, or None.

    An exact code wins; then Django's fallbacks (``zh-cn`` is ``zh-hans``);
    then the same base language (``en-us`` is ``en``; ``zh`` is ``zh-hans``).
    """
    text = str(value).strip().lower().replace("_", "-")
    if not _SHAPE.fullmatch(text):
        return None
    site = codes()
    candidates = [text, *LANG_INFO.get(text, {}).get("fallback", [])]
    for code in candidates:
        if code in site:
            return code
    base, script = text.split("-")[0], _script(candidates[-1])
    return next(
        (
            code
            for code in site
            if code.split("-")[0] == base
            and (script is None or _script(code) in (script, None))
        ),
        None,
    )


def _script(code):
    """Return the script subtag of a code (``hant`` of ``zh-hant``), or None."""
    return next((part for part in code.split("-")[1:] if len(part) == 4), None)


def from_path(relpath):
    """Return ``(language, rest)`` for a path with a folder named for one of
    the site's languages (``docs/zh/blog/x.md``: ``zh-hans``,
    ``docs/blog/x.md``), or ``(None, relpath)``. The first such folder counts.
    """
    parts = relpath.split("/")
    for i, part in enumerate(parts[:-1]):
        if code := match(part):
            return code, "/".join(parts[:i] + parts[i + 1 :])
    return None, relpath


def path_key(relpath):
    """Return the translation key that a file under a language folder shares
    with its translations under the other languages' folders, or "".

    ``en/blog/x.md`` and ``zh/blog/x.md`` share the key ``blog/x``.
    """
    code, rest = from_path(relpath)
    if code is None:
        return ""
    key = posixpath.splitext(rest)[0]
    if len(key) > MAX_KEY:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def url_code(code):
    """Return the segment that starts the URLs of the language ``code``: its
    base language (``zh`` for ``zh-hans``) unless another of the site's
    languages shares that base, else the whole code."""
    base = code.split("-")[0]
    shared = sum(other.split("-")[0] == base for other in codes())
    return base if shared == 1 else code


def from_url(path):
    """Return the site language whose URL segment starts ``path``
    (``/zh/news/x/``, or ``/zh``: ``zh-hans``), or None."""
    segment = path.lstrip("/").partition("/")[0]
    return next((code for code in codes() if url_code(code) == segment), None)


def filter_choices(chosen):
    """Return the links of a by-language filter, ``[(code, name, url query,
    selected)]``, all languages first; none on a single-language site."""
    if not is_multilingual():
        return []
    return [("", "All languages", "", chosen is None)] + [
        (code, own, f"language={code}", code == chosen) for code, own in choices()
    ]


def current():
    """Return the active language if it is one of the site's, else the
    default: the language the public pages being made are in."""
    code = translation.get_language()
    return code if code in codes() else default()
