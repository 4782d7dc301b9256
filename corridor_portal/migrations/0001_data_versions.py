from django.db import migrations

from corridor_portal import versions


def install(apps, schema_editor):
    versions.install(schema_editor.connection)


def remove(apps, schema_editor):
    versions.remove(schema_editor.connection)


class Migration(migrations.Migration):
    initial = True

    # The triggers go on the tables of every source of the cached figures and pages; the
    # table they write is communities.DataVersion.
    dependencies = [
        ("communities", "0004_data_version"),
        ("buildings", "0007_keyset_indexes"),
        ("exhibits", "0001_initial"),
        ("engagement", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, remove)]
