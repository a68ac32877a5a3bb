"""Create the editorial groups with their permissions (README: Editorial workflow)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Authors": [
        "view_post",
        "add_post",
        "change_post",
        "submit_post",
        "view_reviewcomment",
        "change_reviewcomment",
        "add_previewlink",
        "view_previewlink",
        "change_previewlink",
    ],
    "Editors": [
        "view_post",
        "add_post",
        "change_post",
        "change_any_post",
        "submit_post",
        "approve_post",
        "view_reviewcomment",
        "add_reviewcomment",
        "change_reviewcomment",
        "add_previewlink",
        "view_previewlink",
        "change_previewlink",
    ],
    "Publishers": [
        "view_post",
        "change_post",
        "change_any_post",
        "publish_post",
        "archive_post",
        "view_reviewcomment",
        "add_previewlink",
        "view_previewlink",
        "change_previewlink",
    ],
}
SHARED = ["view_author", "view_category", "view_image", "add_image"]


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="news", codename__in=codenames + SHARED
        )
        missing = set(codenames + SHARED) - {p.codename for p in permissions}
        if missing:
            raise RuntimeError(f"permissions missing: {', '.join(sorted(missing))}")
        group.permissions.add(*permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("news", "0002_workflow"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
