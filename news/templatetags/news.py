"""Template helpers for the public site: the kept parts of the page frame,
responsive pictures, JSON-LD, breadcrumbs and search highlighting."""

import dataclasses
import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from ..media import renditions, social
from ..public import fragments, search, theme
from ..public.cache import freshness

register = template.Library()

# As django.utils.html.json_script: nothing in the JSON can end the <script>.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.tag
def kept(parser, token):
    """``{% kept "name" [value ...] %}…{% endkept %}``: a part of the page
    frame (base.html's head links, header and footer), rendered once per site
    version, language, page template and values, then kept as a fragment
    (news.public.fragments.frame). What it encloses must be the same for every
    reader: no user, no CSRF token, nothing of the query string."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'kept' takes a name.")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, [parser.compile_filter(bit) for bit in bits[1:]])


class KeptNode(template.Node):
    def __init__(self, nodelist, values):
        self.nodelist = nodelist
        self.values = values

    def render(self, context):
        request = context.get("request")
        if request is None:
            return self.nodelist.render(context)
        # The page's own template decides what its blocks put in the frame
        # (the search page has no search box in its header).
        vary = [
            context.template.name,
            get_script_prefix(),
            *(value.resolve(context) for value in self.values),
        ]
        changed, _ = freshness(request)
        return fragments.frame(changed, vary, lambda: self.nodelist.render(context))


@register.filter
def current_of(path, links):
    """Return ``path`` if one of ``links`` ([(text, url), ...]) leads to it,
    else "": which entry of a menu marks the page as current."""
    return path if any(url == path for _, url in links) else ""


@register.simple_tag
def social_image(post):
    """Return what link previews show of ``post`` (``src``, ``width``,
    ``height``, ``alt``): a 1200×630 crop of its banner or else of its body's
    first image around the image's focal point (a rendition of it until the
    crop is made, or if the image is too small), or else its generated
    social card; None if there is none.

    SVGs are left out, since crawlers and previews want a bitmap. Only a
    published post gets a card drawn: a preview must not store a draft's
    title under the public media URL.
    """
    image = post.lead_image()
    if image is not None:
        # Cut around the focal point once made (for a published post: a
        # preview shows the rendition, making nothing); until then, or for an
        # image too small to cut, the rendition, whole.
        cut = social.crop(image) if post.is_published else None
        if cut is not None:
            return {
                "src": cut.url,
                "width": cut.width,
                "height": cut.height,
                "alt": cut.alt,
            }
        shown = renditions.picture(image, make=False)
        if shown.src and not shown.vector:
            return {
                "src": shown.src,
                "width": shown.src_width,
                "height": shown.src_height,
                "alt": shown.alt,
            }
    if not post.is_published:
        return None
    made = social.card(post)
    return made and {
        "src": made.url,
        "width": made.width,
        "height": made.height,
        "alt": made.alt,
    }


@register.inclusion_tag("news/includes/picture.html")
def picture(image, sizes="100vw", loading="lazy", css_class="", decorative=False):
    """Show ``image`` with WebP and fallback srcsets, its size and lazy loading;
    ``decorative`` (beside the name it shows, say) with an empty alt text."""
    shown = renditions.picture(image, make=False)
    return {
        "picture": dataclasses.replace(shown, alt="") if decorative else shown,
        "sizes": sizes,
        "loading": loading,
        "css_class": " ".join(c for c in (css_class, image.focus_class) if c),
    }


@register.simple_tag(takes_context=True)
def absolute(context, url):
    """Return ``url`` made absolute against the current request (storage URLs
    that are already absolute stay as they are)."""
    return context["request"].build_absolute_uri(url)


@register.simple_tag(takes_context=True)
def news_article_json_ld(context, post):
    """Return a <script type="application/ld+json"> describing ``post`` as a
    schema.org NewsArticle."""
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": post.title,
        "inLanguage": post.language,
        "description": post.summary,
        "url": request.build_absolute_uri(post.get_absolute_url()),
        "mainEntityOfPage": request.build_absolute_uri(post.get_absolute_url()),
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": request.build_absolute_uri(author.get_absolute_url()),
            }
            for author in post.authors.all()
        ],
        "publisher": {"@type": "Organization", "name": theme.current().name},
        "keywords": [tag.name for tag in post.tags.all()],
    }
    # A draft being previewed may have no date yet: leave out what is unknown.
    if post.published_at:
        data["datePublished"] = post.published_at
    dates = [date for date in (post.lastmod, post.published_at) if date]
    if dates:
        data["dateModified"] = max(dates)
    if post.category_id:
        data["articleSection"] = post.category.name
    shown = social_image(post)
    if shown is not None:
        data["image"] = [request.build_absolute_uri(shown["src"])]
    return _json_ld(data)


@register.simple_tag
def post_breadcrumbs(post):
    """Return the trail to ``post`` as [(name, url), ...]: home, its category
    if it has one, the post."""
    crumbs = [(gettext("Home"), reverse("news:post_list"))]
    if post.category_id:
        crumbs.append((post.category.name, post.category.get_absolute_url()))
    return [*crumbs, (post.title, post.get_absolute_url())]


@register.simple_tag(takes_context=True)
def breadcrumb_json_ld(context, crumbs):
    """Return a <script type="application/ld+json"> describing ``crumbs``
    ([(name, url), ...], the current page last) as a schema.org
    BreadcrumbList."""
    request = context["request"]
    return _json_ld(
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": position,
                    "name": name,
                    "item": request.build_absolute_uri(url),
                }
                for position, (name, url) in enumerate(crumbs, start=1)
            ],
        }
    )


def _json_ld(data):
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    # Safe: the escapes leave no "<", ">" or "&" that could close the script.
    return mark_safe(  # noqa: S308
        '<script type="application/ld+json">'
        + text.translate(_JSON_SCRIPT_ESCAPES)
        + "</script>"
    )


@register.filter
def highlight(text, terms):
    """Escape ``text`` and mark the search terms in it."""
    return search.highlight(text, terms)


@register.filter
def search_excerpt(post, terms):
    """Return the highlighted part of ``post`` around the first search term."""
    return search.excerpt(post, terms)
