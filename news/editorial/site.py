"""The admin site: Django's, branded with the site's name, opening on the
editor's desk, with the checks that every admin page needs.

It is the default site (news.apps.AdminConfig), so the stock user, group and
tag admins are registered on it too.
"""

import datetime
from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone

from .. import languages
from ..public import theme
from . import desk


class AdminSite(admin.AdminSite):
    index_template = "admin/desk.html"
    # The models' sidebar took a quarter of a 1280 px screen from every list;
    # the desk lists them on the home page.
    enable_nav_sidebar = False

    def each_context(self, request):
        # Read per request, not at import: the name is the site settings' (a
        # cached read, news.public.theme), or NEWSDESK_SITE_NAME.
        name = theme.current().name
        return {
            **super().each_context(request),
            "site_header": name,
            "site_title": name,
        }

    def index(self, request, extra_context=None):
        """Open on the desk: what this person has to do next, above the models."""
        language = languages.match(request.GET.get("language", ""))
        context = {
            **(extra_context or {}),
            "desk": desk.desk(request.user, language=language),
            "language_filter": languages.filter_choices(language),
        }
        return super().index(request, context)

    def admin_view(self, view, cacheable=False):
        # A ModelAdmin's pages come here as its bound methods.
        model_admin = getattr(view, "__self__", None)

        def checked(request, *args, **kwargs):
            # Django checks a non-empty _to_field against the fields it may name,
            # but looks an empty one up as a field called "": every change,
            # delete and history page answered ?_to_field= with a 500.
            if "" in (request.GET.get(TO_FIELD_VAR), request.POST.get(TO_FIELD_VAR)):
                raise DisallowedModelAdminToField("An empty _to_field names no field.")
            if not isinstance(model_admin, admin.ModelAdmin):
                return view(request, *args, **kwargs)
            if ACTION_CHECKBOX_NAME in request.POST:
                request.POST = selecting_pks_only(request.POST, model_admin.model)
            drilldown = model_admin.date_hierarchy
            if (
                view.__name__ == "changelist_view"
                and drilldown
                and not period_fits(request.GET, drilldown)
            ):
                # What Django's changelist answers to the lookups it cannot use.
                return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
            return view(request, *args, **kwargs)

        return super().admin_view(update_wrapper(checked, view), cacheable)


def selecting_pks_only(data, model):
    """Return the POST ``data`` of a changelist without the selected ids that
    cannot be a pk of ``model``.

    Django filters the changelist by the selection as it comes, and a value
    such as "abc" for an integer pk raised ValueError there: a 500. Left out,
    it selects nothing, as an id of a deleted row does, and selecting nothing
    gets the admin's own message.
    """
    pk = model._meta.pk
    valid = []
    for value in data.getlist(ACTION_CHECKBOX_NAME):
        try:
            pk.to_python(value)
        except ValidationError:
            continue
        valid.append(value)
    data = data.copy()
    data.setlist(ACTION_CHECKBOX_NAME, valid)
    return data


def period_fits(query, field):
    """Return whether the date drill-down of a changelist's ``query`` on
    ``field`` names a year, month or day whose bounds a datetime can hold.

    Django turns ?published_at__year=9999&...month=12&...day=31 into the
    period from that day to the next, and catches only the ValueError of an
    impossible date on the way: a year past 9999, or one too large for C,
    raised OverflowError (a 500).
    """
    year = query.get(f"{field}__year")
    if year is None:
        return True
    month, day = query.get(f"{field}__month"), query.get(f"{field}__day")
    try:
        start = datetime.datetime(int(year), int(month or 1), int(day or 1))
        if day is not None:
            end = start + datetime.timedelta(days=1)
        elif month is not None:
            end = (start + datetime.timedelta(days=32)).replace(day=1)
        else:
            end = start.replace(year=start.year + 1)
        for moment in (start, end):
            timezone.make_aware(moment).astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        return False
    return True
