import django.db.models.deletion
from django.db import migrations, models

from corridor_portal import versions


def install(apps, schema_editor):
    versions.install(schema_editor.connection)


def remove(apps, schema_editor):
    versions.remove(schema_editor.connection)


class Migration(migrations.Migration):
    initial = True

    # The triggers go on the tables of every source of the dashboards' figures.
    dependencies = [
        ("communities", "0002_membership_job_title"),
        ("buildings", "0007_keyset_indexes"),
        ("exhibits", "0001_initial"),
        ("engagement", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "community",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="communities.community",
                    ),
                ),
                ("number", models.BigIntegerField(default=1)),
            ],
            options={"verbose_name": "data version", "verbose_name_plural": "data versions"},
        ),
        migrations.RunPython(install, remove),
    ]
