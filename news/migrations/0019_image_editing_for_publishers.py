"""Give Publishers the permission to change images.

The media library (docs/editing.md) replaces an image's file and sets its
focal point with ``news.change_image``; without this only superusers could.
A replacement changes what published posts show at once, with no review, so
only those who may publish get it.
"""

from django.db import migrations

GROUPS = ["Publishers"]
CODENAMES = ["change_image"]


def _change(apps, method):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(
            content_type__app_label="news", codename__in=CODENAMES
        )
    )
    # 0003 created the permissions; a database built without it has no groups.
    for group in Group.objects.filter(name__in=GROUPS):
        getattr(group.permissions, method)(*permissions)


def grant(apps, schema_editor):
    _change(apps, "add")


def revoke(apps, schema_editor):
    _change(apps, "remove")


class Migration(migrations.Migration):
    dependencies = [("news", "0018_image_focal_point")]

    operations = [migrations.RunPython(grant, revoke)]
