"""Dates that static site generators keep in paths rather than front matter:
Jekyll's ``_posts/2016-04-19-slug.markdown``, openEuler's ``20220822-name.md``
and ``2022-8-16-name/``, and ``2016/04/19/slug.md`` folders."""

import re
from datetime import date

# A name that starts with a date: YYYY-MM-DD, YYYY-M-D or YYYYMMDD, and no more
# digits straight after it (20220822123 is a number, not a date).
_NAME_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})-(\d{1,2})|(\d{2})(\d{2}))(?!\d)")
_YEAR, _MONTH_OR_DAY = re.compile(r"\d{4}"), re.compile(r"\d{1,2}")
# Outside these years four leading digits are more likely an id than a date.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def path_date(path: str) -> date | None:
    """Return the date that ``path`` gives its file, or None.

    The nearest name wins: the file's own, then each folder's outwards. A name
    gives a date when it starts with one; three folders YYYY/MM/DD give the date
    of what is inside them.
    """
    parts = [part for part in re.split(r"[\\/]", path) if part]
    for i in range(len(parts) - 1, -1, -1):
        found = _name_date(parts[i])
        if found is None and 2 <= i < len(parts) - 1:
            found = _folders_date(*parts[i - 2 : i + 1])
        if found is not None:
            return found
    return None


def _name_date(name: str) -> date | None:
    if not (m := _NAME_DATE.match(name)):
        return None
    year, month, day, month8, day8 = m.groups()
    return _valid(year, month or month8, day or day8)


def _folders_date(year: str, month: str, day: str) -> date | None:
    if not (
        _YEAR.fullmatch(year)
        and _MONTH_OR_DAY.fullmatch(month)
        and _MONTH_OR_DAY.fullmatch(day)
    ):
        return None
    return _valid(year, month, day)


def _valid(year: str, month: str, day: str) -> date | None:
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:  # 2016-02-30, 20161399: not a date after all
        return None
