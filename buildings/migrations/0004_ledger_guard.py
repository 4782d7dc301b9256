from django.db import migrations

from buildings import ledger


def install(apps, schema_editor):
    ledger.install(schema_editor.connection)


def remove(apps, schema_editor):
    ledger.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("buildings", "0003_funds")]

    operations = [migrations.RunPython(install, remove)]
