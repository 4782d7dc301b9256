"""Media on S3-compatible object storage (django-storages) against a local endpoint:
moto's server mode, which speaks the S3 API over HTTP on 127.0.0.1.

The storage settings are built by corridor_portal.deployment from S3_* variables, as
settings.py builds them; an exhibit photo goes up through the real upload page and comes
back through the photo view, which still checks scope and sets the headers.
"""

import os

import pytest
from django.urls import reverse

from corridor_portal import deployment
from exhibits import services
from exhibits.models import ExhibitPhoto
from tests import factories
from tests.deploy import servers

BUCKET = "corridor-media"


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    moto = servers.MotoS3(tmp_path_factory.mktemp("moto")).start()
    yield moto.url
    moto.stop()


@pytest.fixture
def s3(s3_endpoint, settings):
    """The default storage is a private bucket at the local endpoint; (boto3 client)."""
    import boto3

    environ = {
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "corridor-test",
        "S3_SECRET_ACCESS_KEY": "corridor-test-secret",
        "S3_ADDRESSING_STYLE": "path",
        "S3_PREFIX": "media",
    }
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="corridor-test",
        aws_secret_access_key="corridor-test-secret",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": deployment.media_storage(environ)}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def _files(root) -> list[str]:
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files]


def test_exhibit_photo_uploaded_to_bucket_and_served_through_portal(client, world, s3, settings):
    corridor = services.corridor_create(unit=world.a.unit, theme="老年之友", by=world.a.secretary)
    client.force_login(world.a.head)

    response = client.post(
        reverse("exhibits:exhibit_create", args=[corridor.pk]),
        {
            "kind": "calligraphy",
            "title": "厚德载物",
            "creator_name": "老年大学学员",
            "floor": "3",
            "photos": [factories.image_upload("厚德载物.JPG")],
        },
    )
    photo = ExhibitPhoto.objects.get(exhibit__title="厚德载物")
    served = client.get(reverse("exhibits:photo", args=[photo.pk, "full"]))
    body = b"".join(served.streaming_content)
    stored = s3.get_object(Bucket=BUCKET, Key=f"media/{photo.image}")

    assert response.status_code == 302
    # The photo and its two thumbnails are objects in the bucket, nothing on local disk.
    assert _keys(s3) == sorted(
        f"media/{name}" for name in (photo.image, photo.thumb_small, photo.thumb_large)
    )
    assert _files(settings.MEDIA_ROOT) == []
    assert stored["ContentType"] == "image/jpeg"
    # Private: the owner's grant only, nothing for everyone or any authenticated user.
    grants = s3.get_object_acl(Bucket=BUCKET, Key=f"media/{photo.image}")["Grants"]
    assert [g["Grantee"].get("URI") for g in grants] == [None]
    # Served by the portal with the type from the database and nosniff, bytes unchanged.
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith("inline;")
    assert body == stored["Body"].read()
    assert body[:3] == b"\xff\xd8\xff"


def test_bucket_photo_still_scoped_and_missing_object_is_404(client, world, s3):
    corridor = services.corridor_create(unit=world.a.unit, theme="老年之友", by=world.a.secretary)
    exhibit = services.exhibit_create(
        corridor=corridor,
        data={"kind": "painting", "title": "楼道新貌", "creator_name": "居民", "floor": 2},
        photos=[factories.processed_photo()],
        by=world.a.secretary,
    )
    photo = exhibit.photos.get()
    url = reverse("exhibits:photo", args=[photo.pk, "small"])

    client.force_login(world.b.secretary)
    other_community = client.get(url)
    client.force_login(world.a.secretary)
    own = client.get(url)
    s3.delete_object(Bucket=BUCKET, Key=f"media/{photo.thumb_small}")
    gone = client.get(url)

    assert other_community.status_code == 404
    assert own.status_code == 200 and own["Content-Type"] == "image/jpeg"
    assert b"".join(own.streaming_content)[:3] == b"\xff\xd8\xff"
    assert gone.status_code == 404
