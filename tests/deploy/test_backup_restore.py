"""deploy/backup.sh and deploy/restore.sh: a backup of a database with data and photos,
restored into an empty database and an empty media folder, holds the same rows and files."""

import hashlib
import os
import subprocess
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from buildings import services as fund_services
from exhibits import services as exhibit_services
from tests import factories
from tests.deploy import servers
from tests.deploy.conftest import database_url, requires_postgresql

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

DEPLOY = servers.BASE_DIR / "deploy"


@pytest.fixture
def empty_database():
    """(URL, name) of a new empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'create database "{name}"')
    url = database_url().rsplit("/", 1)[0] + "/" + name
    yield url, name
    with connection.cursor() as cursor:
        cursor.execute(f'drop database if exists "{name}" with (force)')


def _run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(DEPLOY / script), *args],
        env={**servers.server_env(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _counts(url: str, tables: list[str]) -> dict[str, int]:
    import psycopg2

    with psycopg2.connect(url) as db, db.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f'select count(*) from "{table}"')
            counts[table] = cursor.fetchone()[0]
    db.close()
    return counts


def _key_rows(url: str) -> list:
    import psycopg2

    with psycopg2.connect(url) as db, db.cursor() as cursor:
        cursor.execute("select username, password from communities_user order by username")
        users = cursor.fetchall()
        cursor.execute("select title, status from exhibits_exhibit order by title")
        exhibits = cursor.fetchall()
        cursor.execute("select receipt_no, amount from buildings_donation order by receipt_no")
        donations = cursor.fetchall()
        cursor.execute("select image, content_type from exhibits_exhibitphoto order by image")
        photos = cursor.fetchall()
    db.close()
    return [users, exhibits, donations, photos]


def _files(root) -> dict[str, str]:
    found = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as file:
                found[os.path.relpath(path, root)] = hashlib.sha256(file.read()).hexdigest()
    return found


def test_backup_then_restore_into_empty_database_and_folder(
    exhibit_world, settings, tmp_path, empty_database
):
    world = exhibit_world
    fund = fund_services.fund_create(
        building=world.a.building,
        data={"purpose": "楼馨园", "opened_on": date(2026, 5, 1)},
        by=world.a.secretary,
    )
    for receipt, amount in (("QF-001", "300.00"), ("QF-002", "570.00")):
        fund_services.donation_record(
            fund=fund,
            data={
                "kind": "money",
                "amount": Decimal(amount),
                "date": date(2026, 5, 2),
                "donor_household": world.a.household,
                "receipt_no": receipt,
            },
            token=uuid.uuid4(),
            by=world.a.secretary,
        )
    exhibit_services.exhibit_create(
        corridor=world.ea.corridor,
        data={"kind": "plaque", "title": "楼馨园", "creator_name": "刘铁华", "floor": 1},
        photos=[factories.processed_photo(fmt="PNG"), factories.processed_photo()],
        by=world.a.secretary,
    )
    source_url = database_url()
    target_url, _name = empty_database
    restored_media = tmp_path / "restored-media"
    tables = connection.introspection.table_names()

    backup = _run(
        "backup.sh",
        str(tmp_path / "backups"),
        DATABASE_URL=source_url,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )
    folder = backup.stdout.strip().splitlines()[-1] if backup.returncode == 0 else ""
    restore = _run("restore.sh", folder, DATABASE_URL=target_url, MEDIA_ROOT=str(restored_media))
    again = _run(
        "restore.sh", folder, DATABASE_URL=target_url, MEDIA_ROOT=str(tmp_path / "elsewhere")
    )

    assert backup.returncode == 0, backup.stderr
    assert sorted(os.listdir(folder)) == ["MANIFEST", "SHA256SUMS", "database.dump", "media.tar.gz"]
    assert restore.returncode == 0, restore.stderr
    source_counts = _counts(source_url, tables)
    assert source_counts["exhibits_exhibitphoto"] == 4  # two from the world, two above
    assert source_counts["buildings_donation"] == 2
    assert _counts(target_url, tables) == source_counts
    assert _key_rows(target_url) == _key_rows(source_url)
    source_files = _files(settings.MEDIA_ROOT)
    # Each photo and each side of the two before-and-after pairs: the image, two thumbnails.
    assert len(source_files) == (4 + 2 * 2) * 3
    assert _files(restored_media) == source_files
    # A second restore into the now filled database is refused and changes nothing.
    assert again.returncode != 0
    assert "already has" in again.stderr
    assert not (tmp_path / "elsewhere").exists()
