"""Give Editors and Publishers the import and export permissions.

Without them only superusers could import or export, so a newsroom ran its
archive through one account (docs/editing.md: Roles).
"""

from django.db import migrations

GROUPS = ["Editors", "Publishers"]
CODENAMES = ["import_post", "export_post"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(
            content_type__app_label="news", codename__in=CODENAMES
        )
    )
    # 0003 created the permissions; a database built without it has no groups.
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="news", codename__in=CODENAMES
    )
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("news", "0007_post_expires_at")]

    operations = [migrations.RunPython(grant, revoke)]
