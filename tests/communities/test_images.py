"""The photo pipeline (communities/images.py), with real images made by Pillow."""

import io
import re
import struct
import zlib

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils.datastructures import MultiValueDict
from PIL import Image, ImageCms, ImageFile
from PIL.PngImagePlugin import PngInfo

from communities import images

FOLDER = "photos/exhibits/2026/11"
EXIF_IFD_GPS = 0x8825
EXIF_ORIENTATION = 0x0112


# Builders


def _exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = orientation
    exif[0x010F] = "SecretCam"  # Make
    gps = exif.get_ifd(EXIF_IFD_GPS)
    gps[1] = "N"
    gps[2] = (39.0, 54.0, 27.0)
    gps[3] = "E"
    gps[4] = (116.0, 23.0, 17.0)
    return exif


def _halves(size: tuple[int, int], left="red", right="blue", mode="RGB") -> Image.Image:
    width, height = size
    image = Image.new(mode, size, right)
    image.paste(Image.new(mode, (width // 2, height), left), (0, 0))
    return image


def _jpeg(size=(40, 20), *, exif: Image.Exif | None = None, **params) -> bytes:
    buffer = io.BytesIO()
    image = _halves(size)
    if exif is not None:
        params["exif"] = exif
    image.save(buffer, "JPEG", quality=95, **params)
    return buffer.getvalue()


def _png_transparent(size=(30, 20)) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.paste(Image.new("RGBA", (size[0] // 2, size[1]), (0, 128, 0, 255)), (size[0] // 2, 0))
    text = PngInfo()
    text.add_text("Author", "Secret Person")
    text.add_text("Comment", "GPS 39.9N 116.4E")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=text, exif=_exif_with_gps())
    return buffer.getvalue()


def _webp(size=(50, 30)) -> bytes:
    buffer = io.BytesIO()
    _halves(size).save(buffer, "WEBP", quality=90, exif=_exif_with_gps())
    return buffer.getvalue()


def _bomb_png(width: int, height: int) -> bytes:
    """A real 1x1 PNG whose IHDR then claims ``width`` x ``height`` (CRC recomputed)."""
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def _png_chunks(data: bytes) -> list[str]:
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        chunks.append(data[position + 4 : position + 8].decode("ascii"))
        position += 12 + length
    return chunks


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


class PhotoRejectedInfo:
    def __init__(self, error: images.PhotoRejected):
        self.messages = error.messages
        self.codes = [item.code for item in error.error_list]
        self.text = " ".join(self.messages)


def _rejection(upload) -> PhotoRejectedInfo:
    with pytest.raises(images.PhotoRejected) as caught:
        images.process_photo(upload)
    return PhotoRejectedInfo(caught.value)


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": "/media/"},
        },
    }
    settings.PROTECTED_MEDIA_REDIRECT_PREFIX = ""
    return tmp_path


# Rejections: each names the file


def test_process_photo_text_named_jpg_is_rejected():
    result = _rejection(_upload("x.jpg", b"just some text, not a photo\n" * 10))

    assert result.codes == ["not_image"]
    assert "x.jpg" in result.text


def test_process_photo_pdf_named_jpg_is_rejected():
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

    result = _rejection(_upload("x.jpg", pdf))

    assert result.codes == ["not_image"]
    assert "x.jpg" in result.text


def test_process_photo_truncated_jpeg_is_rejected():
    buffer = io.BytesIO()
    Image.effect_noise((300, 300), 60).convert("RGB").save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()

    result = _rejection(_upload("cut.jpg", data[: len(data) // 2]))

    assert result.codes == ["damaged"]
    assert "cut.jpg" in result.text


def test_process_photo_load_truncated_images_switched_on_refuses(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    with pytest.raises(ImproperlyConfigured):
        images.process_photo(_upload("a.jpg", _jpeg()))


def test_process_photo_decompression_bomb_is_rejected():
    result = _rejection(_upload("bomb.png", _bomb_png(30000, 30000)))

    assert result.codes == ["too_many_pixels"]
    assert "bomb.png" in result.text


def test_process_photo_pixel_limit_is_checked_before_decoding():
    # 8000 x 6000 is under Pillow's own bomb limit but over ours; the file holds one
    # pixel of data, so only a check made before decoding can name the real problem.
    result = _rejection(_upload("big.png", _bomb_png(8000, 6000)))

    assert result.codes == ["too_many_pixels"]
    assert "big.png" in result.text


def test_process_photo_pixel_limit_follows_setting(settings):
    settings.PHOTO_MAX_PIXELS = 40 * 20 - 1

    result = _rejection(_upload("small.jpg", _jpeg((40, 20))))

    assert result.codes == ["too_many_pixels"]
    assert "small.jpg" in result.text


def test_process_photo_gif_is_rejected():
    buffer = io.BytesIO()
    Image.new("P", (10, 10)).save(buffer, "GIF")

    result = _rejection(_upload("anim.gif", buffer.getvalue()))

    assert result.codes == ["not_image"]
    assert "anim.gif" in result.text


def test_process_photo_svg_with_script_is_rejected():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script></svg>"
    )

    result = _rejection(_upload("logo.svg", svg))

    assert result.codes == ["not_image"]
    assert "logo.svg" in result.text


def test_process_photo_empty_file_is_rejected():
    result = _rejection(_upload("empty.jpg", b""))

    assert result.codes == ["empty"]
    assert "empty.jpg" in result.text


def test_process_photo_over_size_limit_is_rejected(settings):
    data = _jpeg()
    settings.PHOTO_MAX_BYTES = len(data) - 1

    result = _rejection(_upload("heavy.jpg", data))

    assert result.codes == ["too_large"]
    assert "heavy.jpg" in result.text


def test_process_photo_at_size_limit_is_accepted(settings):
    data = _jpeg()
    settings.PHOTO_MAX_BYTES = len(data)

    photo = images.process_photo(_upload("exact.jpg", data))

    assert photo.format == "JPEG"


def test_process_photo_size_is_checked_on_read_even_when_size_lies(settings):
    data = _jpeg()
    settings.PHOTO_MAX_BYTES = len(data) - 1
    upload = io.BytesIO(data)
    upload.name = "liar.jpg"
    upload.size = 10

    result = _rejection(upload)

    assert result.codes == ["too_large"]
    assert "liar.jpg" in result.text


def test_process_photo_message_shows_sanitised_name():
    upload = io.BytesIO(b"not an image")
    upload.name = "C:\\Users\\me\\" + "a" * 100 + "\u202egpj.exe"

    result = _rejection(upload)

    (message,) = result.messages
    shown = images.display_name(upload.name)
    assert shown in message
    assert len(shown) <= images.DISPLAY_NAME_MAX
    assert "\u202e" not in message
    assert "Users" not in message
    assert shown.endswith("gpj.exe")


def test_process_photos_more_than_max_files_is_rejected():
    uploads = [_upload(f"p{i}.jpg", _jpeg()) for i in range(13)]

    with pytest.raises(images.PhotoRejected) as caught:
        images.process_photos(uploads)

    assert [item.code for item in caught.value.error_list] == ["too_many_files"]
    assert "12" in caught.value.messages[0]
    assert "13" in caught.value.messages[0]


def test_process_photos_lists_every_bad_file_at_once(media):
    uploads = [
        _upload("good.jpg", _jpeg()),
        _upload("notes.jpg", b"hello"),
        _upload("blank.png", b""),
    ]

    with pytest.raises(images.PhotoRejected) as caught:
        images.process_photos(uploads)

    messages = caught.value.messages
    assert len(messages) == 2
    assert "notes.jpg" in messages[0]
    assert "blank.png" in messages[1]
    assert not any("good.jpg" in message for message in messages)
    assert list(media.rglob("*")) == []


# Processing


def test_process_photo_applies_exif_orientation():
    data = _jpeg((40, 20), exif=_exif_with_gps(orientation=6))

    photo = images.process_photo(_upload("phone.jpg", data))

    assert (photo.width, photo.height) == (20, 40)
    stored = _reopen(photo.data)
    assert stored.size == (20, 40)
    # Orientation 6 means "rotate 90 degrees clockwise": the left (red) half goes on top.
    top, bottom = stored.getpixel((10, 5)), stored.getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_process_photo_jpeg_strips_exif_and_gps():
    data = _jpeg((40, 20), exif=_exif_with_gps(orientation=6), comment=b"secret comment")
    assert _reopen(data).getexif().get_ifd(EXIF_IFD_GPS)  # the input really has GPS

    photo = images.process_photo(_upload("phone.jpg", data))

    for blob in [photo.data, *photo.thumbnails.values()]:
        stored = _reopen(blob)
        assert len(stored.getexif()) == 0
        assert not stored.getexif().get_ifd(EXIF_IFD_GPS)
        assert "exif" not in stored.info
        assert "comment" not in stored.info
        assert b"Exif" not in blob
        assert b"SecretCam" not in blob


def test_process_photo_jpeg_stays_jpeg():
    photo = images.process_photo(_upload("photo.jpg", _jpeg()))

    assert (photo.format, photo.content_type, photo.extension) == ("JPEG", "image/jpeg", "jpg")
    assert _reopen(photo.data).format == "JPEG"


def test_process_photo_png_keeps_transparency_and_drops_text_chunks():
    data = _png_transparent()
    assert _reopen(data).text  # the input really has text chunks

    photo = images.process_photo(_upload("drawing.png", data))

    stored = _reopen(photo.data)
    assert (photo.format, photo.content_type, photo.extension) == ("PNG", "image/png", "png")
    assert stored.format == "PNG"
    assert stored.mode == "RGBA"
    assert stored.getpixel((0, 0))[3] == 0
    assert stored.text == {}
    assert len(stored.getexif()) == 0
    assert b"Secret Person" not in photo.data
    assert set(_png_chunks(photo.data)) <= {"IHDR", "PLTE", "tRNS", "IDAT", "IEND"}


def test_process_photo_palette_png_keeps_palette_and_transparency():
    image = Image.new("P", (8, 8), 1)
    image.putpalette([255, 0, 0, 0, 0, 255])
    image.paste(0, (0, 0, 4, 8))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=0)

    photo = images.process_photo(_upload("icon.png", buffer.getvalue()))

    stored = _reopen(photo.data)
    assert stored.mode == "P"
    assert stored.info.get("transparency") == 0
    assert stored.convert("RGBA").getpixel((0, 0))[3] == 0
    assert stored.convert("RGBA").getpixel((7, 0)) == (0, 0, 255, 255)


def test_process_photo_transparent_png_thumbnail_has_white_background():
    photo = images.process_photo(_upload("drawing.png", _png_transparent()))

    thumbnail = _reopen(photo.thumbnails[400])
    assert thumbnail.format == "JPEG"
    assert thumbnail.mode == "RGB"
    assert min(thumbnail.getpixel((1, 1))) > 245


def test_process_photo_webp_stays_webp_without_exif():
    photo = images.process_photo(_upload("photo.webp", _webp()))

    stored = _reopen(photo.data)
    assert (photo.format, photo.content_type, photo.extension) == ("WEBP", "image/webp", "webp")
    assert stored.format == "WEBP"
    assert len(stored.getexif()) == 0
    assert b"SecretCam" not in photo.data


def test_process_photo_type_comes_from_content_not_name():
    photo = images.process_photo(_upload("holiday.jpg", _png_transparent()))

    assert (photo.format, photo.extension) == ("PNG", "png")


def test_process_photo_mpo_from_camera_is_stored_as_jpeg():
    buffer = io.BytesIO()
    _halves((40, 20)).save(buffer, "MPO", save_all=True, append_images=[Image.new("RGB", (40, 20))])

    photo = images.process_photo(_upload("camera.jpg", buffer.getvalue()))

    assert (photo.format, photo.extension) == ("JPEG", "jpg")
    assert _reopen(photo.data).format == "JPEG"


def test_process_photo_cmyk_jpeg_becomes_rgb():
    buffer = io.BytesIO()
    Image.new("CMYK", (20, 10), (0, 255, 255, 0)).save(buffer, "JPEG")

    photo = images.process_photo(_upload("print.jpg", buffer.getvalue()))

    stored = _reopen(photo.data)
    assert stored.format == "JPEG"
    assert stored.mode == "RGB"


def test_process_photo_colour_profile_is_removed():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = _jpeg(icc_profile=profile)
    assert _reopen(data).info.get("icc_profile")

    photo = images.process_photo(_upload("profiled.jpg", data))

    assert "icc_profile" not in _reopen(photo.data).info


def test_process_photo_sixteen_bit_grey_png_thumbnail_keeps_tones():
    image = Image.new("I;16", (20, 20), 32768)  # mid-grey in 16 bits
    buffer = io.BytesIO()
    image.save(buffer, "PNG")

    photo = images.process_photo(_upload("scan.png", buffer.getvalue()))

    grey = _reopen(photo.thumbnails[400]).convert("L").getpixel((10, 10))
    assert 110 < grey < 145


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((2000, 1000), {400: (400, 200), 1600: (1600, 800)}),
        ((1000, 3000), {400: (133, 400), 1600: (533, 1600)}),
        ((900, 600), {400: (400, 267), 1600: (900, 600)}),
        ((300, 100), {400: (300, 100), 1600: (300, 100)}),
    ],
)
def test_process_photo_thumbnails_fit_long_side_without_upscaling(size, expected):
    photo = images.process_photo(_upload("photo.jpg", _jpeg(size)))

    assert photo.thumbnail_content_type == "image/jpeg"
    assert sorted(photo.thumbnails) == [400, 1600]
    for long_side, thumbnail in photo.thumbnails.items():
        decoded = _reopen(thumbnail)
        assert decoded.format == "JPEG"
        assert decoded.size == expected[long_side]
        assert max(decoded.size) == min(long_side, max(size))


# Storage


def test_store_photo_uses_random_names_with_detected_extension(media):
    upload = io.BytesIO(_png_transparent())
    upload.name = "../../evil.php.jpg"
    photo = images.process_photo(upload)

    stored = images.store_photo(photo, folder=FOLDER)

    assert re.fullmatch(rf"{FOLDER}/[0-9a-f]{{32}}\.png", stored.name)
    token = stored.name.rsplit("/", 1)[1].split(".")[0]
    assert stored.thumbnail_names == {
        400: f"{FOLDER}/{token}_400.jpg",
        1600: f"{FOLDER}/{token}_1600.jpg",
    }
    assert "evil" not in stored.name
    assert photo.original_name == "evil.php.jpg"
    for name in stored.names:
        path = (media / name).resolve()
        assert path.is_file()
        assert path.is_relative_to((media / FOLDER).resolve())
    assert (media / stored.name).read_bytes() == photo.data
    assert (stored.content_type, stored.width, stored.height) == ("image/png", 30, 20)


def test_store_photo_two_stores_get_different_names(media):
    photo = images.process_photo(_upload("a.jpg", _jpeg()))

    first = images.store_photo(photo, folder=FOLDER)
    second = images.store_photo(photo, folder=FOLDER)

    assert first.name != second.name


def test_store_photo_goes_through_default_storage(media, monkeypatch):
    saved = []
    original_save = FileSystemStorage.save

    def recording_save(storage, name, content, max_length=None):
        saved.append(name)
        return original_save(storage, name, content, max_length)

    monkeypatch.setattr(FileSystemStorage, "save", recording_save)
    photo = images.process_photo(_upload("a.jpg", _jpeg()))

    stored = images.store_photo(photo, folder=FOLDER)

    assert saved == stored.names


def test_stored_output_has_no_exif_or_gps(media):
    data = _jpeg((40, 20), exif=_exif_with_gps(orientation=6))
    photo = images.process_photo(_upload("phone.jpg", data))

    stored = images.store_photo(photo, folder=FOLDER)

    for name in stored.names:
        with default_storage.open(name, "rb") as handle:
            reopened = _reopen(handle.read())
        assert len(reopened.getexif()) == 0
        assert not reopened.getexif().get_ifd(EXIF_IFD_GPS)


@pytest.mark.parametrize("folder", ["../outside", "/etc", "photos/../../x", "photos/a b", ""])
def test_store_photo_unsafe_folder_is_refused(media, folder):
    photo = images.process_photo(_upload("a.jpg", _jpeg()))

    with pytest.raises(ValueError):
        images.store_photo(photo, folder=folder)

    assert list(media.rglob("*.*")) == []


def test_store_photo_failed_thumbnail_write_leaves_no_files(media, monkeypatch):
    original_save = FileSystemStorage.save
    calls = []

    def failing_save(storage, name, content, max_length=None):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return original_save(storage, name, content, max_length)

    monkeypatch.setattr(FileSystemStorage, "save", failing_save)
    photo = images.process_photo(_upload("a.jpg", _jpeg()))

    with pytest.raises(OSError):
        images.store_photo(photo, folder=FOLDER)

    assert [path for path in media.rglob("*") if path.is_file()] == []


def test_guard_deletes_every_stored_file_when_block_raises(media):
    photos = images.process_photos(
        [_upload("a.jpg", _jpeg()), _upload("b.png", _png_transparent())]
    )

    with pytest.raises(RuntimeError), images.stored_photos_guard() as guard:
        stored = [guard.store(photo, folder=FOLDER) for photo in photos]
        assert all(default_storage.exists(name) for item in stored for name in item.names)
        raise RuntimeError("the database write failed")

    assert [path for path in media.rglob("*") if path.is_file()] == []


def test_guard_keeps_files_when_block_succeeds(media):
    photo = images.process_photo(_upload("a.jpg", _jpeg()))

    with images.stored_photos_guard() as guard:
        stored = guard.store(photo, folder=FOLDER)

    assert all(default_storage.exists(name) for name in stored.names)


def test_delete_stored_removes_every_file_and_ignores_missing(media):
    photo = images.process_photo(_upload("a.jpg", _jpeg()))
    first = images.store_photo(photo, folder=FOLDER)
    second = images.store_photo(photo, folder=FOLDER)
    default_storage.delete(second.thumbnail_names[400])

    images.delete_stored([first, second])

    assert [path for path in media.rglob("*") if path.is_file()] == []


# Form field


class _PhotoForm(forms.Form):
    photos = images.MultiplePhotoField(required=False)


class _RequiredPhotoForm(forms.Form):
    photos = images.MultiplePhotoField()


def test_multiple_photo_field_returns_processed_photos():
    files = MultiValueDict({"photos": [_upload("a.jpg", _jpeg()), _upload("b.webp", _webp())]})

    form = _PhotoForm(data={}, files=files)

    assert form.is_valid(), form.errors
    assert [photo.format for photo in form.cleaned_data["photos"]] == ["JPEG", "WEBP"]


def test_multiple_photo_field_not_required_and_empty_gives_empty_list():
    form = _PhotoForm(data={}, files=MultiValueDict())

    assert form.is_valid(), form.errors
    assert form.cleaned_data["photos"] == []


def test_multiple_photo_field_required_and_empty_is_an_error():
    form = _RequiredPhotoForm(data={}, files=MultiValueDict())

    assert not form.is_valid()
    assert "photos" in form.errors


def test_multiple_photo_field_shows_every_bad_file():
    files = MultiValueDict(
        {"photos": [_upload("x.jpg", b"text"), _upload("good.jpg", _jpeg()), _upload("y.gif", b"")]}
    )

    form = _PhotoForm(data={}, files=files)

    assert not form.is_valid()
    errors = form.errors["photos"]
    assert len(errors) == 2
    assert "x.jpg" in errors[0]
    assert "y.gif" in errors[1]


def test_multiple_photo_field_renders_multiple_with_accept():
    html = str(_PhotoForm()["photos"])

    assert "multiple" in html
    assert 'accept="image/jpeg,image/png,image/webp"' in html


# Serving


def test_serve_photo_streams_file_with_safe_headers(media):
    photo = images.process_photo(_upload("a.png", _png_transparent()))
    stored = images.store_photo(photo, folder=FOLDER)

    response = images.serve_photo(stored.name, stored.content_type)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert stored.name.rsplit("/", 1)[1] in response["Content-Disposition"]
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == photo.data
    response.file_to_stream.close()  # response.close() would also signal request_finished


def test_serve_photo_missing_file_is_404(media):
    with pytest.raises(Http404):
        images.serve_photo(f"{FOLDER}/{'0' * 32}.jpg", "image/jpeg")


@pytest.mark.parametrize("name", ["../secret.jpg", "/etc/passwd", "photos/../../x.jpg", ""])
def test_serve_photo_unsafe_name_is_404(media, name):
    with pytest.raises(Http404):
        images.serve_photo(name, "image/jpeg")


def test_serve_photo_refuses_non_photo_content_type(media):
    with pytest.raises(ValueError):
        images.serve_photo(f"{FOLDER}/a.jpg", "text/html")


def test_serve_photo_with_redirect_prefix_uses_x_accel_redirect(media, settings):
    settings.PROTECTED_MEDIA_REDIRECT_PREFIX = "/protected-media"
    name = f"{FOLDER}/{'a' * 32}_400.jpg"

    response = images.serve_photo(name, "image/jpeg")

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{name}"
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == b""


def test_photo_rejected_is_a_validation_error():
    assert issubclass(images.PhotoRejected, ValidationError)
