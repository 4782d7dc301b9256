"""Exhibit pages: logging with photos, hostile uploads, sign-offs, photos, the public page."""

import os
import struct
import zlib
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from exhibits import services
from exhibits.models import Exhibit, ExhibitPhoto
from tests import factories

S = Exhibit.Status


@pytest.fixture
def ew(exhibit_world):
    return exhibit_world


def _files(settings):
    root = settings.MEDIA_ROOT
    return sorted(
        os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs
    )


def _post_exhibit(client, corridor, photos, **data):
    fields = {
        "kind": "calligraphy",
        "title": "厚德载物",
        "creator_name": "老年大学学员",
        "floor": "3",
        "photos": photos,
        **data,
    }
    return client.post(reverse("exhibits:exhibit_create", args=[corridor.pk]), fields)


def _png_bomb():
    buffer = BytesIO()
    Image.new("RGB", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    ihdr = data[16:29]
    ihdr[0:8] = struct.pack(">II", 30000, 30000)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


def _jpeg_bytes():
    return factories.image_upload().read()


def test_exhibit_create_with_two_photos_saves_rows_and_files(client, ew, settings):
    client.force_login(ew.a.head)
    before = _files(settings)

    response = _post_exhibit(
        client,
        ew.ea.corridor,
        [factories.image_upload("a.jpg"), factories.image_upload("b.png", fmt="PNG")],
    )

    exhibit = Exhibit.objects.get(title="厚德载物")
    assert response.status_code == 302
    assert exhibit.status == S.DRAFT and exhibit.created_by == ew.a.head
    assert exhibit.photos.count() == 2
    assert len(_files(settings)) == len(before) + 6  # image and two thumbnails each
    assert all(
        ".jpg" not in p.image or p.content_type == "image/jpeg" for p in exhibit.photos.all()
    )


BAD_FILES = [
    ("notes.jpg", b"just some text, not an image", "text/plain"),
    ("report.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "application/pdf"),
    ("cut.jpg", None, "image/jpeg"),
    ("bomb.png", None, "image/png"),
    ("anim.gif", None, "image/gif"),
    (
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "image/svg+xml",
    ),
    ("empty.jpg", b"", "image/jpeg"),
]


def _bad_content(name, content):
    if content is not None:
        return content
    if name == "cut.jpg":
        data = _jpeg_bytes()
        return data[: len(data) // 2]
    if name == "bomb.png":
        return _png_bomb()
    buffer = BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "content", "content_type"), BAD_FILES)
def test_exhibit_create_bad_photo_saves_nothing(client, ew, settings, name, content, content_type):
    client.force_login(ew.a.head)
    before_files = _files(settings)
    before_rows = (Exhibit.objects.count(), ExhibitPhoto.objects.count())
    bad = SimpleUploadedFile(name, _bad_content(name, content), content_type=content_type)

    response = _post_exhibit(client, ew.ea.corridor, [factories.image_upload("good.jpg"), bad])

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["photos"])
    assert name in errors
    assert (Exhibit.objects.count(), ExhibitPhoto.objects.count()) == before_rows
    assert _files(settings) == before_files


def test_exhibit_create_oversize_photo_refused(client, ew, settings):
    settings.PHOTO_MAX_BYTES = 1000
    client.force_login(ew.a.head)
    big = factories.image_upload("big.jpg", size=(800, 800))

    response = _post_exhibit(client, ew.ea.corridor, [big])

    assert "big.jpg" in " ".join(response.context["form"].errors["photos"])
    assert not Exhibit.objects.filter(title="厚德载物").exists()


def test_exhibit_create_too_many_photos_refused(client, ew, settings):
    client.force_login(ew.a.head)
    photos = [factories.image_upload(f"p{i}.jpg") for i in range(13)]

    response = _post_exhibit(client, ew.ea.corridor, photos)

    assert response.context["form"].errors["photos"]
    assert not Exhibit.objects.filter(title="厚德载物").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "长" * 10_000}, "title"),
        ({"kind": "sculpture"}, "kind"),
        ({"creator_name": ""}, "creator_name"),
        ({"floor": "99"}, "floor"),
        ({"floor": "three"}, "floor"),
        ({"installed_on": "2026-13-45"}, "installed_on"),
    ],
)
def test_exhibit_create_bad_fields_refused(client, ew, data, field):
    client.force_login(ew.a.secretary)
    before = Exhibit.objects.count()

    response = _post_exhibit(client, ew.ea.corridor, [], **data)

    assert field in response.context["form"].errors
    assert Exhibit.objects.count() == before


def test_exhibit_create_forged_creator_from_other_community_refused(client, ew):
    client.force_login(ew.a.secretary)

    response = _post_exhibit(client, ew.ea.corridor, [], creator_resident=ew.b.resident.pk)

    assert "creator_resident" in response.context["form"].errors
    assert not Exhibit.objects.filter(title="厚德载物").exists()


def test_exhibit_create_in_other_community_corridor_404(client, ew):
    client.force_login(ew.a.secretary)

    response = _post_exhibit(client, ew.eb.corridor, [])

    assert response.status_code == 404
    assert not Exhibit.objects.filter(title="厚德载物").exists()


def test_queue_check_then_approve_through_pages(client, ew):
    exhibit = ew.ea.exhibit
    services.exhibit_submit(exhibit=exhibit, by=ew.a.head)
    client.force_login(ew.a.secretary)
    queue = reverse("exhibits:check_queue")
    assert exhibit.title in client.get(queue).content.decode()

    client.post(reverse("exhibits:exhibit_transition", args=[exhibit.pk, "check"]), {"next": queue})
    client.force_login(ew.official)
    review = client.get(reverse("exhibits:review_queue")).content.decode()
    client.post(reverse("exhibits:exhibit_transition", args=[exhibit.pk, "approve"]))

    assert exhibit.title in review
    assert Exhibit.objects.get(pk=exhibit.pk).status == S.APPROVED


def test_review_queue_oldest_first_and_filters(client, ew):
    for exhibit in (ew.ea.exhibit, ew.eb.exhibit):
        services.exhibit_submit(exhibit=exhibit, by=exhibit.created_by)
        services.exhibit_check(exhibit=exhibit, by=exhibit.created_by)
    client.force_login(ew.official)

    content = client.get(reverse("exhibits:review_queue")).content.decode()
    only_b = client.get(
        reverse("exhibits:review_queue"), {"community": ew.b.community.pk}
    ).content.decode()

    assert content.index(ew.ea.exhibit.title) < content.index(ew.eb.exhibit.title)
    assert ew.ea.exhibit.title not in only_b and ew.eb.exhibit.title in only_b


def test_secretary_approve_post_forbidden(client, ew):
    exhibit = ew.ea.exhibit
    services.exhibit_submit(exhibit=exhibit, by=ew.a.head)
    services.exhibit_check(exhibit=exhibit, by=ew.a.secretary)
    client.force_login(ew.a.secretary)

    response = client.post(reverse("exhibits:exhibit_transition", args=[exhibit.pk, "approve"]))

    assert response.status_code == 403
    assert Exhibit.objects.get(pk=exhibit.pk).status == S.CHECKED


def test_return_without_note_shows_error(client, ew):
    exhibit = ew.ea.exhibit
    services.exhibit_submit(exhibit=exhibit, by=ew.a.head)
    client.force_login(ew.a.secretary)

    response = client.post(
        reverse("exhibits:exhibit_transition", args=[exhibit.pk, "return"]),
        {"note": ""},
        follow=True,
    )

    assert Exhibit.objects.get(pk=exhibit.pk).status == S.SUBMITTED
    assert list(response.context["messages"])


def test_returned_exhibit_page_shows_note_to_author(client, ew):
    exhibit = ew.ea.exhibit
    services.exhibit_submit(exhibit=exhibit, by=ew.a.head)
    services.exhibit_return(exhibit=exhibit, by=ew.a.secretary, note="请补充创作时间")
    client.force_login(ew.a.head)

    content = client.get(exhibit.get_absolute_url()).content.decode()

    assert "请补充创作时间" in content
    assert reverse("exhibits:exhibit_transition", args=[exhibit.pk, "submit"]) in content


def test_unknown_transition_404(client, ew):
    client.force_login(ew.a.secretary)

    response = client.post(reverse("exhibits:exhibit_transition", args=[ew.ea.exhibit.pk, "burn"]))

    assert response.status_code == 404


# Photos


def _get_photo(client, photo, size="small"):
    response = client.get(reverse("exhibits:photo", args=[photo.pk, size]))
    # Reading to the end closes the file; the test client keeps the connection open.
    body = b"".join(response.streaming_content) if response.streaming else b""
    return response, body


def test_photo_draft_visible_to_own_community_only(client, ew):
    client.force_login(ew.a.secretary)
    own, body = _get_photo(client, ew.ea.photo)
    client.force_login(ew.b.secretary)
    other, _ = _get_photo(client, ew.ea.photo)

    assert own.status_code == 200
    assert own["Content-Type"] == ew.ea.photo.thumb_content_type
    assert own["X-Content-Type-Options"] == "nosniff"
    assert Image.open(BytesIO(body)).size[0] > 0
    assert other.status_code == 404


def test_photo_draft_not_public(client, ew):
    response, _ = _get_photo(client, ew.ea.photo, "full")

    assert response.status_code == 404


def test_photo_approved_is_public(client, ew):
    exhibit = ew.ea.exhibit
    services.exhibit_submit(exhibit=exhibit, by=ew.a.head)
    services.exhibit_check(exhibit=exhibit, by=ew.a.secretary)
    services.exhibit_approve(exhibit=exhibit, by=ew.official)

    response, body = _get_photo(client, ew.ea.photo, "full")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert body.startswith(b"\xff\xd8")


def test_photo_unknown_size_404(client, ew):
    client.force_login(ew.a.secretary)

    response, _ = _get_photo(client, ew.ea.photo, "huge")

    assert response.status_code == 404


# The public gallery


def test_public_gallery_shows_approved_only_and_no_personal_data(client, ew):
    corridor = ew.ea.corridor
    approved = services.exhibit_create(
        corridor=corridor,
        data={"kind": "painting", "title": "共绘美好生活", "creator_resident": ew.a.resident},
        by=ew.a.secretary,
    )
    services.exhibit_submit(exhibit=approved, by=ew.a.secretary)
    services.exhibit_check(exhibit=approved, by=ew.a.secretary)
    services.exhibit_approve(exhibit=approved, by=ew.official)

    content = client.get(corridor.get_public_url()).content.decode()

    assert "共绘美好生活" in content
    assert ew.ea.exhibit.title not in content  # still a draft
    assert ew.a.resident.name not in content  # a resident creator is not named publicly
    assert ew.a.resident.phone not in content
    assert ew.eb.exhibit.title not in content
    assert "/buildings/" not in content


def test_public_gallery_unknown_slug_404(client, db):
    response = client.get(reverse("exhibits:public_gallery", args=["no-such-corridor"]))

    assert response.status_code == 404


def test_poster_has_qr_code_pointing_to_public_page(client, ew):
    client.force_login(ew.a.secretary)

    content = client.get(
        reverse("exhibits:corridor_poster", args=[ew.ea.corridor.pk])
    ).content.decode()

    assert "<svg" in content
    assert ew.ea.corridor.get_public_url() in content


def test_corridor_start_from_unit_by_head(client, world):
    client.force_login(world.a.head)

    response = client.post(
        reverse("exhibits:corridor_create", args=[world.a.unit.pk]),
        {"theme": "学习园地", "style_notes": "", "status": "planning"},
    )

    corridor = world.a.unit.corridor
    assert response.status_code == 302 and response.url == corridor.get_absolute_url()
    assert corridor.theme == "学习园地" and corridor.created_by == world.a.head


def test_corridor_start_certified_status_forged_refused(client, world):
    client.force_login(world.a.secretary)

    response = client.post(
        reverse("exhibits:corridor_create", args=[world.a.unit.pk]),
        {"theme": "学习园地", "status": "certified"},
    )

    assert response.status_code == 200
    assert "status" in response.context["form"].errors


def test_certify_through_page(client, ew):
    corridor = ew.ea.corridor
    type(corridor).objects.filter(pk=corridor.pk).update(status="complete")
    client.force_login(ew.official)

    client.post(reverse("exhibits:corridor_certify", args=[corridor.pk]))

    corridor.refresh_from_db()
    assert corridor.status == "certified"


def test_certify_through_page_by_secretary_forbidden(client, ew):
    corridor = ew.ea.corridor
    type(corridor).objects.filter(pk=corridor.pk).update(status="complete")
    client.force_login(ew.a.secretary)

    response = client.post(reverse("exhibits:corridor_certify", args=[corridor.pk]))

    assert response.status_code == 403
    corridor.refresh_from_db()
    assert corridor.status == "complete"


def test_pair_create_with_bad_after_photo_saves_nothing(client, ew, settings):
    client.force_login(ew.a.secretary)
    before_files = _files(settings)
    pairs = ew.ea.corridor.pairs.count()

    response = client.post(
        reverse("exhibits:pair_create", args=[ew.ea.corridor.pk]),
        {
            "caption": "x",
            "before": factories.image_upload("before.jpg"),
            "after": SimpleUploadedFile("after.jpg", b"nope", content_type="image/jpeg"),
        },
    )

    assert "after.jpg" in " ".join(response.context["form"].errors["after"])
    assert ew.ea.corridor.pairs.count() == pairs
    assert _files(settings) == before_files


def test_exhibit_list_filters_by_building_kind_and_status(client, ew):
    client.force_login(ew.a.secretary)
    other_unit = factories.UnitFactory(building=ew.a.section_building, number=2)
    corridor = services.corridor_create(unit=other_unit, theme="学习园地", by=ew.a.secretary)
    services.exhibit_create(
        corridor=corridor,
        data={"kind": "poster", "title": "社区发展", "creator_name": "居民"},
        by=ew.a.secretary,
    )
    url = reverse("exhibits:exhibit_list")

    by_building = client.get(url, {"building": ew.a.building.pk}).content.decode()
    by_kind = client.get(url, {"kind": "poster"}).content.decode()
    by_status = client.get(url, {"status": "approved"}).content.decode()

    assert ew.ea.exhibit.title in by_building and "社区发展" not in by_building
    assert "社区发展" in by_kind and ew.ea.exhibit.title not in by_kind
    assert "社区发展" not in by_status and ew.ea.exhibit.title not in by_status
    assert ew.eb.exhibit.title not in by_building + by_kind


def test_admin_delete_exhibit_removes_its_files_after_commit(
    client, ew, settings, django_capture_on_commit_callbacks
):
    client.force_login(ew.superuser)
    photo = ew.ea.photo
    names = [photo.image, photo.thumb_small, photo.thumb_large]
    url = reverse("admin:exhibits_exhibit_delete", args=[ew.ea.exhibit.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"post": "yes"})

    from django.core.files.storage import default_storage

    assert response.status_code == 302
    assert not Exhibit.objects.filter(pk=ew.ea.exhibit.pk).exists()
    assert not any(default_storage.exists(name) for name in names)
    assert default_storage.exists(ew.eb.photo.image)  # the other exhibit's files stay


def test_admin_delete_pair_removes_all_four_photos(
    client, ew, settings, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from communities import images

    pair = ew.ea.pair
    names = images.files_of(pair.before_image) + images.files_of(pair.after_image)
    assert all(default_storage.exists(name) for name in names)
    client.force_login(ew.superuser)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:exhibits_beforeafterpair_delete", args=[pair.pk]), {"post": "yes"}
        )

    assert not any(default_storage.exists(name) for name in names)
