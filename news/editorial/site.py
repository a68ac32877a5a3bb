"""The admin site: Django's, with the checks that every admin page needs.

It is the default site (news.apps.AdminConfig), so the stock user, group and
tag admins are registered on it too.
"""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import TO_FIELD_VAR


class AdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        def checked(request, *args, **kwargs):
            # Django checks a non-empty _to_field against the fields it may name,
            # but looks an empty one up as a field called "": every change,
            # delete and history page answered ?_to_field= with a 500.
            if "" in (request.GET.get(TO_FIELD_VAR), request.POST.get(TO_FIELD_VAR)):
                raise DisallowedModelAdminToField("An empty _to_field names no field.")
            return view(request, *args, **kwargs)

        return super().admin_view(update_wrapper(checked, view), cacheable)
