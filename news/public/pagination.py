"""Pagination without COUNT(*): a list page costs the same with 1k or 1M posts."""

from django.core.paginator import (
    EmptyPage,
    InvalidPage,
    Page,
    PageNotAnInteger,
    Paginator,
)
from django.http import Http404

from ..models import queries

MAX_ROW = 2**63 - 1


class UncountedPage(Page):
    def __init__(self, object_list, number, paginator, *, has_next):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self):
        return self._has_next


class UncountedPaginator(Paginator):
    """Fetch one row past the page to learn whether another page follows, instead
    of counting every row. Pages past the end raise EmptyPage (a 404 in views)."""

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger("That page number is not an integer") from exc
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        # Databases take 64-bit LIMIT and OFFSET: a page past that has no rows,
        # and asking for it would overflow the query.
        if number * self.per_page + 1 > MAX_ROW:
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        rows = list(self.object_list[start : start + self.per_page + 1])
        if not rows and (number > 1 or not self.allow_empty_first_page):
            raise EmptyPage("That page contains no results")
        return UncountedPage(
            rows[: self.per_page], number, self, has_next=len(rows) > self.per_page
        )


def page_or_404(paginator, number):
    """Return page ``number`` (as the query string gave it) of ``paginator``;
    anything that is not a page there, "last" of an uncounted list included, is
    a 404."""
    try:
        return paginator.page(number)
    except InvalidPage as exc:
        raise Http404(str(exc)) from exc


def page_links(request, page):
    """Return the URLs of the pages before and after ``page`` (None at either
    end), keeping the rest of the query string, as {% querystring %} would."""

    def link(number):
        query = request.GET.copy()
        query["page"] = number
        return f"?{query.urlencode()}"

    previous = link(page.previous_page_number()) if page.has_previous() else None
    following = link(page.next_page_number()) if page.has_next() else None
    return previous, following


class ListedIds:
    """The ids of the posts a list page shows (the site's, or a Section's, in
    one language), for UncountedPaginator to slice:
    news.models.queries.listed_ids() per page."""

    def __init__(self, section=None, language=None):
        self.section = section
        self.language = language

    def __getitem__(self, index):
        return queries.listed_ids(
            index.start or 0, index.stop, self.section, self.language
        )
