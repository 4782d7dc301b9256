"""The photo pipeline: validate, clean, store and serve uploaded photos.

Exhibit photos (``exhibits``) and expense receipt photos (``buildings``) both use it, so it
lives in the lowest app: apps depend one way (exhibits -> buildings -> communities).
See docs/photos.md.

Intended use, in two steps so that a bad photo never leaves a file behind::

    photos = form.cleaned_data["photos"]          # MultiplePhotoField: list[ProcessedPhoto]
    # or: photos = process_photos(request.FILES.getlist("photos"))
    with transaction.atomic(), stored_photos_guard() as guard:
        for processed in photos:
            stored = guard.store(processed, folder="photos/exhibits/2026/11")
            ExhibitPhoto.objects.create(image=stored.name, ...)

1. ``process_photos`` (or the form field) validates and re-encodes every upload in memory
   and raises one ``PhotoRejected`` naming every bad file; nothing is written.
2. Inside the transaction, ``guard.store`` writes each photo through ``default_storage``;
   if anything raises before the guard exits, every file it stored is deleted again.

Invariants of what is stored:

- the type is what Pillow decoded (JPEG, PNG or WebP), never the client's name or
  content type; the stored name is ``<folder>/<uuid4 hex>.<detected extension>``;
- the pixels are re-encoded from pixel data: no EXIF (GPS included), XMP, comments, text
  chunks or ICC profiles survive; the EXIF orientation is applied to the pixels and
  embedded colour profiles are converted to sRGB first;
- every photo has one JPEG thumbnail per ``settings.PHOTO_THUMB_SIZES`` (long side, never
  upscaled), named ``<folder>/<uuid4 hex>_<size>.jpg``.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import posixpath
import re
import struct
import unicodedata
import uuid
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageCms, ImageFile, ImageOps

logger = logging.getLogger(__name__)

# Pillow format name -> (stored format, content type, extension). MPO is how Pillow names
# a JPEG with extra pictures (many phone cameras write them); it is stored as a JPEG.
FORMATS = {
    "JPEG": ("JPEG", "image/jpeg", "jpg"),
    "MPO": ("JPEG", "image/jpeg", "jpg"),
    "PNG": ("PNG", "image/png", "png"),
    "WEBP": ("WEBP", "image/webp", "webp"),
}
PILLOW_FORMATS = ["JPEG", "PNG", "WEBP"]
CONTENT_TYPES = frozenset(content_type for _fmt, content_type, _ext in FORMATS.values())
ACCEPT = "image/jpeg,image/png,image/webp"

THUMBNAIL_CONTENT_TYPE = "image/jpeg"
JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80
WEBP_QUALITY = 85

DISPLAY_NAME_MAX = 60

# What a damaged or hostile file can make Pillow raise while it is opened or decoded.
DECODE_ERRORS = (
    OSError,  # includes UnidentifiedImageError and "image file is truncated"
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    struct.error,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)

_SAFE_FOLDER = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*")


class PhotoRejected(ValidationError):
    """One or more uploads are not acceptable photos; every message names its file."""


@dataclass(frozen=True)
class ProcessedPhoto:
    """A validated photo, cleaned and encoded in memory, not yet stored.

    ``data`` holds no metadata; ``format`` is the detected one (JPEG, PNG or WEBP);
    ``width`` and ``height`` are after the EXIF orientation was applied; ``thumbnails``
    maps each size of ``settings.PHOTO_THUMB_SIZES`` to JPEG bytes whose long side is
    ``min(size, max(width, height))``.
    """

    original_name: str
    format: str
    content_type: str
    extension: str
    width: int
    height: int
    data: bytes = field(repr=False)
    thumbnails: dict[int, bytes] = field(repr=False)
    thumbnail_content_type: str = THUMBNAIL_CONTENT_TYPE


@dataclass(frozen=True)
class StoredPhoto:
    """The storage names of one stored photo and its thumbnails (keyed by size)."""

    name: str
    thumbnail_names: dict[int, str]
    content_type: str
    width: int
    height: int
    thumbnail_content_type: str = THUMBNAIL_CONTENT_TYPE

    @property
    def names(self) -> list[str]:
        return [self.name, *self.thumbnail_names.values()]


# Settings


def max_bytes() -> int:
    return int(getattr(settings, "PHOTO_MAX_BYTES", 15 * 1024 * 1024))


def max_pixels() -> int:
    return int(getattr(settings, "PHOTO_MAX_PIXELS", 40_000_000))


def max_files() -> int:
    return int(getattr(settings, "PHOTO_MAX_FILES", 12))


def thumb_sizes() -> tuple[int, ...]:
    return tuple(sorted({int(s) for s in getattr(settings, "PHOTO_THUMB_SIZES", (400, 1600))}))


# Validation and processing


def display_name(name: object) -> str:
    """The client's file name made safe to show: basename, no control or bidi characters,
    at most ``DISPLAY_NAME_MAX`` characters (the end, with its extension, is kept)."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(
        " " if ch.isspace() else ch for ch in text if not unicodedata.category(ch).startswith("C")
    )
    text = " ".join(text.split())
    if not text:
        return _("unnamed file")
    if len(text) > DISPLAY_NAME_MAX:
        tail = 16
        text = text[: DISPLAY_NAME_MAX - tail - 1] + "…" + text[-tail:]
    return text


def _rejected(message: str, code: str, **params) -> PhotoRejected:
    return PhotoRejected(message, code=code, params=params)


def _read(upload, name: str) -> bytes:
    limit = max_bytes()
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        # Refuse before reading a huge temporary file into memory.
        raise _rejected(
            _("%(name)s is larger than %(max)s."),
            "too_large",
            name=name,
            max=filesizeformat(limit),
        )
    with contextlib.suppress(AttributeError, OSError, ValueError):
        upload.seek(0)
    data = upload.read(limit + 1) or b""
    if len(data) > limit:
        raise _rejected(
            _("%(name)s is larger than %(max)s."), "too_large", name=name, max=filesizeformat(limit)
        )
    if not data:
        raise _rejected(_("%(name)s is empty."), "empty", name=name)
    return data


def _too_many_pixels(name: str) -> PhotoRejected:
    return _rejected(
        _("%(name)s has too many pixels; a photo may have at most %(max)s megapixels."),
        "too_many_pixels",
        name=name,
        max=f"{max_pixels() / 1_000_000:g}",
    )


def _decode(data: bytes, name: str) -> Image.Image:
    """Open with the format allow-list, check the pixel count from the header, then decode
    every pixel with warnings as errors (a truncated file fails here, not later)."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Something switched Pillow to accept cut-off files; refuse rather than store them.
        raise ImproperlyConfigured("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must be False.")
    not_image = _rejected(_("%(name)s is not a JPEG, PNG or WebP image."), "not_image", name=name)
    try:
        with warnings.catch_warnings():
            # Opening also parses metadata (EXIF for the DPI of a JPEG): broken metadata
            # warns, but it is dropped anyway, so only a bomb warning counts here.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=PILLOW_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(name) from None
    except DECODE_ERRORS:
        raise not_image from None
    if image.format not in FORMATS:
        raise not_image
    width, height = image.size
    if width <= 0 or height <= 0:
        raise not_image
    if width * height > max_pixels():
        raise _too_many_pixels(name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(name) from None
    except (*DECODE_ERRORS, Warning):
        raise _rejected(
            _("%(name)s could not be read completely; it may be damaged or cut off."),
            "damaged",
            name=name,
        ) from None
    return image


def _orient(image: Image.Image) -> None:
    """Apply the EXIF orientation to the pixels, in place. Broken EXIF is not a reason to
    refuse a photo: it is dropped anyway, so the photo keeps its stored orientation."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ImageOps.exif_transpose(image, in_place=True)
    except DECODE_ERRORS:
        logger.info("Ignoring unreadable EXIF orientation", exc_info=True)


@functools.cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert pixels with an embedded colour profile (e.g. Display P3, CMYK) to sRGB, so
    colours stay right once the profile is stripped. Falls back to the pixels as they are."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK") or "transparency" in image.info:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(
            image,
            source,
            _srgb_profile(),
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, *DECODE_ERRORS):
        logger.info("Ignoring unusable colour profile", exc_info=True)
        return image


def _sixteen_to_eight(image: Image.Image) -> Image.Image:
    # Pillow's I;16 -> L conversion clips instead of scaling: a mid-grey would turn white.
    return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")


def _flatten(image: Image.Image) -> Image.Image:
    """An RGB or L image for JPEG: transparency on white, CMYK/P/16-bit converted."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return _sixteen_to_eight(image)
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("RGB", "L"):
        return image
    return image.convert("RGB")


def _for_format(image: Image.Image, fmt: str) -> Image.Image:
    if fmt == "JPEG":
        return _flatten(image)
    if fmt == "WEBP":
        if image.mode in ("RGB", "RGBA"):
            return image
        if image.mode.startswith("I"):
            return _sixteen_to_eight(image).convert("RGB")
        return image.convert("RGBA" if image.has_transparency_data else "RGB")
    # PNG keeps its own modes (palette, grey, 16-bit grey, alpha).
    if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
        return image
    return image.convert("RGBA" if image.has_transparency_data else "RGB")


def _strip(image: Image.Image, fmt: str) -> Image.Image:
    """Drop every piece of metadata Pillow would otherwise write back (PNG re-writes the
    ICC profile from ``info``, JPEG the comment). PNG keeps only its transparency key."""
    kept = {}
    if fmt == "PNG" and "transparency" in image.info and image.mode in ("1", "L", "P", "RGB"):
        kept["transparency"] = image.info["transparency"]
    image.info = kept
    image.encoderinfo = {}
    return image


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif fmt == "WEBP":
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def _fit(image: Image.Image, size: int) -> Image.Image:
    """``image`` scaled to fit ``size`` x ``size``; never enlarged (then returned as is)."""
    width, height = image.size
    scale = min(size / width, size / height)
    if scale >= 1:
        return image
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _thumbnails(image: Image.Image) -> dict[int, bytes]:
    """One JPEG per configured size, each fitting size x size, never upscaled. Each is made
    from the next larger one, and plain RGB/alpha images are scaled before they are
    flattened, so a 40-megapixel photo is not copied at full size again."""
    resizable = image.mode in ("RGB", "L", "RGBA", "LA") and "transparency" not in image.info
    current = image if resizable else _flatten(image)
    thumbnails = {}
    for size in sorted(thumb_sizes(), reverse=True):
        current = _strip(_flatten(_fit(current, size)), "JPEG")
        buffer = io.BytesIO()
        current.save(buffer, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
        thumbnails[size] = buffer.getvalue()
    return dict(sorted(thumbnails.items()))


def process_photo(upload) -> ProcessedPhoto:
    """Validate one upload and return it cleaned and encoded, with thumbnails.

    ``upload`` is a Django ``UploadedFile`` or any file-like with ``.name`` and ``.read``
    (``.size`` is used when present). Raises ``PhotoRejected`` naming the file when it is
    empty, larger than ``PHOTO_MAX_BYTES``, not a JPEG/PNG/WebP by its content, has more
    than ``PHOTO_MAX_PIXELS`` pixels, or cannot be decoded completely. Writes nothing.
    """
    name = display_name(getattr(upload, "name", ""))
    data = _read(upload, name)
    image = _decode(data, name)
    del data
    fmt, content_type, extension = FORMATS[image.format]
    try:
        _orient(image)
        image = _strip(_for_format(_to_srgb(image), fmt), fmt)
        encoded = _encode(image, fmt)
        thumbnails = _thumbnails(image)
    except DECODE_ERRORS:
        # Decoded fine but cannot be re-encoded (e.g. a mode the encoder refuses).
        logger.warning("Could not re-encode photo %r", name, exc_info=True)
        raise _rejected(
            _("%(name)s could not be read completely; it may be damaged or cut off."),
            "damaged",
            name=name,
        ) from None
    return ProcessedPhoto(
        original_name=name,
        format=fmt,
        content_type=content_type,
        extension=extension,
        width=image.width,
        height=image.height,
        data=encoded,
        thumbnails=thumbnails,
    )


def process_photos(uploads: Iterable) -> list[ProcessedPhoto]:
    """Validate and process every upload; raise one ``PhotoRejected`` listing every bad
    file (or only the count, when there are more than ``PHOTO_MAX_FILES``)."""
    uploads = list(uploads)
    limit = max_files()
    if len(uploads) > limit:
        raise PhotoRejected(
            ngettext(
                "You can upload at most %(max)d photo at a time; you chose %(count)d.",
                "You can upload at most %(max)d photos at a time; you chose %(count)d.",
                limit,
            ),
            code="too_many_files",
            params={"max": limit, "count": len(uploads)},
        )
    processed, errors = [], []
    for upload in uploads:
        try:
            processed.append(process_photo(upload))
        except PhotoRejected as error:
            errors.extend(error.error_list)
    if errors:
        raise PhotoRejected(errors)
    return processed


# Storage


def _check_folder(folder: str) -> str:
    folder = folder.rstrip("/")
    if not _SAFE_FOLDER.fullmatch(folder):
        raise ValueError(f"Unsafe photo folder: {folder!r}")
    return folder


def store_photo(processed: ProcessedPhoto, *, folder: str) -> StoredPhoto:
    """Write a processed photo and its thumbnails through ``default_storage`` under random
    names in ``folder`` (letters, digits, ``_``, ``-`` and ``/`` only). Either every file
    is written or, when one write fails, the ones already written are deleted again."""
    folder = _check_folder(folder)
    token = uuid.uuid4().hex
    written: list[str] = []
    try:
        name = default_storage.save(
            f"{folder}/{token}.{processed.extension}", ContentFile(processed.data)
        )
        written.append(name)
        thumbnail_names = {}
        for size, data in processed.thumbnails.items():
            thumbnail_names[size] = default_storage.save(
                f"{folder}/{token}_{size}.jpg", ContentFile(data)
            )
            written.append(thumbnail_names[size])
    except BaseException:
        _delete_names(written)
        raise
    return StoredPhoto(
        name=name,
        thumbnail_names=thumbnail_names,
        content_type=processed.content_type,
        width=processed.width,
        height=processed.height,
        thumbnail_content_type=processed.thumbnail_content_type,
    )


def _delete_names(names: Iterable[str]) -> Exception | None:
    """Try to delete every name; a missing file is fine. Return the first failure."""
    first_error = None
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except FileNotFoundError:
            pass
        except Exception as error:  # keep deleting the others; storage backends vary
            logger.exception("Could not delete stored photo file %s", name)
            first_error = first_error or error
    return first_error


def files_of(name: str) -> list[str]:
    """A stored photo's file and its thumbnails, by the naming ``store_photo`` uses."""
    if not name:
        return []
    stem = name.rsplit(".", 1)[0]
    return [name, *(f"{stem}_{size}.jpg" for size in thumb_sizes())]


def delete_files_on_commit(names: Iterable[str]) -> None:
    """Delete files once the transaction that removed their rows has committed.

    If it rolls back, the rows stay and so do their files.
    """
    names = [name for name in names if name]
    transaction.on_commit(lambda: _delete_names(names))


def delete_stored(stored_photos: Iterable[StoredPhoto]) -> None:
    """Delete every file (photo and thumbnails) of each stored photo; missing files are
    ignored. Every file is attempted; then the first other failure, if any, is raised."""
    error = _delete_names(name for stored in stored_photos for name in stored.names)
    if error is not None:
        raise error


class StoredPhotosGuard:
    """Remembers what it stored so that ``stored_photos_guard`` can delete it again."""

    def __init__(self) -> None:
        self.stored: list[StoredPhoto] = []

    def store(self, processed: ProcessedPhoto, *, folder: str) -> StoredPhoto:
        stored = store_photo(processed, folder=folder)
        self.stored.append(stored)
        return stored


@contextlib.contextmanager
def stored_photos_guard() -> Iterator[StoredPhotosGuard]:
    """Store photos with ``guard.store(...)``; if anything raises before the block ends,
    delete every file stored through the guard and re-raise.

    Put the guard inside ``transaction.atomic()`` around the rows that point at the files,
    so that an error rolls back the rows and deletes the files. Files are not deleted when
    a transaction further out rolls back after the guard has exited; keep the guard
    around the last write of the transaction.
    """
    guard = StoredPhotosGuard()
    try:
        yield guard
    except BaseException:
        _delete_names(name for stored in guard.stored for name in stored.names)
        raise


# Forms


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that accepts several photos (Django's documented pattern)."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__({"accept": ACCEPT, **(attrs or {})})


class MultiplePhotoField(forms.FileField):
    """Several photo uploads; ``clean()`` returns ``list[ProcessedPhoto]`` (empty when the
    field is not required and nothing was chosen) or raises one error per bad file."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data]
        uploads = [upload for upload in uploads if upload]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        photos = process_photos(uploads)
        self.run_validators(photos)
        return photos

    def has_changed(self, initial, data):
        return not self.disabled and bool(data)


# Serving


def serve_photo(name: str, content_type: str) -> HttpResponse:
    """Answer with a stored photo or thumbnail; the caller has already checked that the
    user may see it. ``content_type`` must be a photo type (as stored by ``store_photo``).

    With ``settings.PROTECTED_MEDIA_REDIRECT_PREFIX`` set, the body is left to the web
    server (nginx ``X-Accel-Redirect`` to an ``internal`` location, which answers 404 for a
    missing file). Otherwise the file is streamed from ``default_storage``; Http404 when
    it does not exist.
    """
    if content_type not in CONTENT_TYPES:
        raise ValueError(f"Not a photo content type: {content_type!r}")
    normalised = posixpath.normpath(name or "")
    if not name or normalised != name or name.startswith(("/", ".")) or "\\" in name:
        raise Http404
    prefix = getattr(settings, "PROTECTED_MEDIA_REDIRECT_PREFIX", "") or ""
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{quote(name)}"
    else:
        try:
            file = default_storage.open(name, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise Http404 from None
        response = FileResponse(file, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{_safe_filename(name)}"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, max_age=3600)
    return response


def _safe_filename(name: str) -> str:
    base = posixpath.basename(name)
    return re.sub(r"[^A-Za-z0-9._-]", "_", base) or "photo"
