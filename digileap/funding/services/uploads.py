"""What an uploaded document is, by its content rather than its name: PDF, PNG, JPEG, and office
formats (Word, Excel, PowerPoint as OOXML or the old binary format, OpenDocument). Anything else,
an empty file, or a file over ``FUNDING_UPLOAD_MAX_BYTES`` (default 20 MB) is refused."""

import hashlib
import io
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML_KINDS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def max_upload_bytes() -> int:
    return int(getattr(settings, "FUNDING_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _zip_kind(content: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = archive.namelist()
        if "mimetype" in names:
            mimetype = archive.read("mimetype").decode("ascii", errors="replace").strip()
            if mimetype.startswith("application/vnd.oasis.opendocument."):
                return mimetype
        if "[Content_Types].xml" in names:
            for prefix, kind in OOXML_KINDS.items():
                if any(name.startswith(prefix) for name in names):
                    return kind
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return None
    return None


def content_kind(content: bytes) -> str | None:
    """The content type the bytes show, or None when they are none of the allowed kinds."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(OLE_MAGIC):
        return "application/x-ole-storage"  # .doc, .xls, .ppt
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content)
    return None


def inspect_upload(upload, *, field: str = "file") -> tuple[bytes, str, str]:
    """``(content, content_type, sha256)`` of an allowed upload; a ``ValidationError`` on ``field`` otherwise."""
    if upload is None:
        raise ValidationError({field: [_("Choose a file to upload.")]})
    limit = max_upload_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError({field: [_("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}]})
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError({field: [_("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}]})
    if not content:
        raise ValidationError({field: [_("The file is empty.")]})
    kind = content_kind(content)
    if kind is None:
        name = getattr(upload, "name", "") or _("The file")
        raise ValidationError(
            {field: [_("%(name)s is not a PDF, an image (PNG, JPEG) or an office document.") % {"name": name}]}
        )
    return content, kind, hashlib.sha256(content).hexdigest()
