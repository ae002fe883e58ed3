"""What an uploaded document really is, decided by its content rather than its name.

Every upload of a document (evidence, signed scans, invoices, proofs) goes through
:func:`check_upload`. It reads the first bytes, and for the ZIP-based office formats the ZIP
directory, and accepts a file only when

- it is not empty and not over the size limit (``DIGILEAP_UPLOAD_MAX_BYTES``, 20 MiB by default);
- its content is one of the kinds the caller allows (PDF, images, office formats; CSV and plain
  text only where a caller asks for them; never SVG, which can carry scripts);
- the extension of its name agrees with that content (a ``.pdf`` that is a ZIP archive or a
  renamed program is refused, and so is a PNG named ``.pdf``);
- a ZIP-based file is readable, not encrypted, and does not unpack to more than
  ``ZIP_MAX_UNCOMPRESSED_BYTES`` (a ZIP bomb).

A small explicit sniffer rather than libmagic: the list of what is allowed is short, and each rule
is visible here. Tabular imports (CSV, XLSX, ZIP of CSVs) have their own readers and do not use it.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MEBIBYTE = 1024 * 1024
# What the members of a ZIP-based document may unpack to in all, and how many members it may have.
ZIP_MAX_UNCOMPRESSED_BYTES = 200 * MEBIBYTE
ZIP_MAX_MEMBERS = 10_000
# How much of one ZIP member (``[Content_Types].xml``, ``mimetype``) is read to decide the kind.
ZIP_MEMBER_READ_BYTES = 1 * MEBIBYTE
HEAD_BYTES = 8192
CHUNK_BYTES = 1 * MEBIBYTE


@dataclass(frozen=True)
class UploadKind:
    """A kind of file this project accepts: its canonical extension, content type, the extensions a
    file of this kind may carry, and what a person calls it ("a PDF", "a PNG image")."""

    extension: str
    content_type: str
    extensions: tuple[str, ...]
    short_name: str
    # A lazy translation ("a PDF"). Not part of equality or the hash: a lazy string hashes as the
    # active language writes it, so a kind would not be found in a set built in another language.
    label: object = field(compare=False)

    def __str__(self) -> str:
        return self.short_name


PDF = UploadKind("pdf", "application/pdf", ("pdf",), "PDF", gettext_lazy("a PDF"))
PNG = UploadKind("png", "image/png", ("png",), "PNG", gettext_lazy("a PNG image"))
JPEG = UploadKind("jpg", "image/jpeg", ("jpg", "jpeg", "jpe"), "JPEG", gettext_lazy("a JPEG image"))
GIF = UploadKind("gif", "image/gif", ("gif",), "GIF", gettext_lazy("a GIF image"))
WEBP = UploadKind("webp", "image/webp", ("webp",), "WebP", gettext_lazy("a WebP image"))
TIFF = UploadKind("tif", "image/tiff", ("tif", "tiff"), "TIFF", gettext_lazy("a TIFF image"))
DOCX = UploadKind(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
    "DOCX",
    gettext_lazy("a Word document (DOCX)"),
)
XLSX = UploadKind(
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ("xlsx",),
    "XLSX",
    gettext_lazy("an Excel workbook (XLSX)"),
)
PPTX = UploadKind(
    "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ("pptx",),
    "PPTX",
    gettext_lazy("a PowerPoint presentation (PPTX)"),
)
ODT = UploadKind(
    "odt", "application/vnd.oasis.opendocument.text", ("odt",), "ODT", gettext_lazy("an OpenDocument text (ODT)")
)
ODS = UploadKind(
    "ods",
    "application/vnd.oasis.opendocument.spreadsheet",
    ("ods",),
    "ODS",
    gettext_lazy("an OpenDocument spreadsheet (ODS)"),
)
ODP = UploadKind(
    "odp",
    "application/vnd.oasis.opendocument.presentation",
    ("odp",),
    "ODP",
    gettext_lazy("an OpenDocument presentation (ODP)"),
)
DOC = UploadKind("doc", "application/msword", ("doc",), "DOC", gettext_lazy("a Word 97-2003 document (DOC)"))
XLS = UploadKind("xls", "application/vnd.ms-excel", ("xls",), "XLS", gettext_lazy("an Excel 97-2003 workbook (XLS)"))
PPT = UploadKind(
    "ppt", "application/vnd.ms-powerpoint", ("ppt",), "PPT", gettext_lazy("a PowerPoint 97-2003 presentation (PPT)")
)
CSV = UploadKind("csv", "text/csv", ("csv",), "CSV", gettext_lazy("a CSV file"))
TXT = UploadKind("txt", "text/plain", ("txt",), "TXT", gettext_lazy("a text file"))

IMAGES = frozenset({PNG, JPEG, GIF, WEBP, TIFF})
OFFICE = frozenset({DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT})
DOCUMENTS = frozenset({PDF}) | IMAGES | OFFICE
SCANS = frozenset({PDF, PNG, JPEG})
TEXT = frozenset({CSV, TXT})
ALL_KINDS = DOCUMENTS | TEXT
KIND_BY_EXTENSION = {extension: kind for kind in ALL_KINDS for extension in kind.extensions}

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream that makes an OLE2 compound file a Word, Excel or PowerPoint file (their directory
# entries hold the names in UTF-16LE). An installer (.msi) or an Outlook message is OLE2 too.
OLE2_STREAMS = (
    (DOC, "WordDocument".encode("utf-16-le")),
    (XLS, "Workbook".encode("utf-16-le")),
    (XLS, b"B\0o\0o\0k\0\0\0"),  # Excel 5/95
    (PPT, "PowerPoint Document".encode("utf-16-le")),
)
OOXML_MAIN_PARTS = {
    DOCX: ("word/document.xml", b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    XLSX: ("xl/workbook.xml", b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    PPTX: (
        "ppt/presentation.xml",
        b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
}
ODF_KINDS = {kind.content_type: kind for kind in (ODT, ODS, ODP)}
ZIP_KINDS = frozenset(OOXML_MAIN_PARTS) | frozenset(ODF_KINDS.values())


def max_upload_bytes() -> int:
    return int(getattr(settings, "DIGILEAP_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def accepted_names(allowed) -> str:
    """``PDF, PNG, JPEG`` in a fixed order (the order of ``ALL_KINDS`` by extension)."""
    return ", ".join(kind.short_name for kind in sorted(allowed, key=_kind_order))


def accepted_extensions(allowed) -> str:
    """The ``accept`` attribute of a file input: ``.pdf,.png,.jpg,.jpeg,.jpe``."""
    return ",".join(f".{extension}" for kind in sorted(allowed, key=_kind_order) for extension in kind.extensions)


_ORDER = [PDF, PNG, JPEG, GIF, WEBP, TIFF, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT, CSV, TXT]


def _kind_order(kind: UploadKind) -> int:
    return _ORDER.index(kind)


def _megabytes(size: int, *, round_up: bool) -> str:
    """A size in MB (MiB) with one decimal in the active language's format; a whole limit without one."""
    if not round_up and size % MEBIBYTE == 0:
        return number_format(size // MEBIBYTE, use_l10n=True)
    tenths = -(-size * 10 // MEBIBYTE) if round_up else size * 10 // MEBIBYTE
    return number_format(tenths / 10, decimal_pos=1, use_l10n=True)


# Sniffing.


class _Refusal(Exception):
    """A reason to refuse found while reading the content (damaged, encrypted, a bomb)."""

    def __init__(self, message: str):
        self.message = message


def _size_of(file) -> int:
    size = getattr(file, "size", None)
    if size is not None:
        return int(size)
    position = file.tell()
    file.seek(0, 2)
    size = file.tell()
    file.seek(position)
    return size


def _describe_unknown(head: bytes) -> str:
    """What a person calls content that is none of the kinds this module knows."""
    if head.startswith(b"MZ"):
        return _("a Windows program")
    if head.startswith(b"\x7fELF"):
        return _("a program")
    if head[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe"):
        return _("a program")
    if head.startswith(b"#!"):
        return _("a script")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _("a ZIP archive")
    if head.startswith(OLE2_MAGIC):
        return _("an OLE2 compound file that is not a Word, Excel or PowerPoint file")
    if head.startswith((b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")):
        return _("a compressed archive")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in text[:1024] and (text.startswith(b"<svg") or text.startswith(b"<?xml") or text.startswith(b"<!")):
        return _("an SVG image")
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe")):
        return _("an HTML page")
    if text.startswith(b"<?xml"):
        return _("an XML file")
    if _is_text(head):
        return _("text")
    return _("of an unknown kind")


def _is_text(head: bytes) -> bool:
    if b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the head is still text.
        if error.start < len(head) - 3:
            try:
                decoded = head.decode("cp1252")
            except UnicodeDecodeError:
                return False
            return all(character.isprintable() or character in "\t\r\n\f" for character in decoded)
    return True


def _looks_like_markup(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(b"<")


def _ole2_kind(file) -> UploadKind | None:
    """Which Office file an OLE2 compound file is, by the name of its main stream."""
    file.seek(0)
    tail = b""
    longest = max(len(marker) for _kind, marker in OLE2_STREAMS)
    for chunk in iter(lambda: file.read(CHUNK_BYTES), b""):
        window = tail + chunk
        for kind, marker in OLE2_STREAMS:
            if marker in window:
                return kind
        tail = window[-longest:]
    return None


def _zip_kind(file, display_name: str) -> UploadKind | None:
    """OOXML or OpenDocument by the ZIP directory; None for a ZIP that is neither."""
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise _Refusal(_("%(name)s is damaged: its ZIP directory cannot be read.") % {"name": display_name}) from error
    with archive:
        return _zip_members_kind(archive, display_name)


def _zip_members_kind(archive: zipfile.ZipFile, display_name: str) -> UploadKind | None:
    members = archive.infolist()
    if len(members) > ZIP_MAX_MEMBERS:
        raise _Refusal(
            _("%(name)s holds %(count)s files; at most %(limit)s are accepted.")
            % {
                "name": display_name,
                "count": number_format(len(members), use_l10n=True, force_grouping=True),
                "limit": number_format(ZIP_MAX_MEMBERS, use_l10n=True, force_grouping=True),
            }
        )
    if any(member.flag_bits & 0x1 for member in members):
        raise _Refusal(_("%(name)s is encrypted; upload it without a password.") % {"name": display_name})
    unpacked = sum(member.file_size for member in members)
    if unpacked > ZIP_MAX_UNCOMPRESSED_BYTES:
        raise _Refusal(
            _("%(name)s unpacks to %(size)s MB; the limit is %(limit)s MB.")
            % {
                "name": display_name,
                "size": _megabytes(unpacked, round_up=True),
                "limit": _megabytes(ZIP_MAX_UNCOMPRESSED_BYTES, round_up=False),
            }
        )
    names = {member.filename for member in members}
    try:
        if members and members[0].filename == "mimetype" and members[0].compress_type == zipfile.ZIP_STORED:
            with archive.open(members[0]) as stream:
                mimetype = stream.read(200).decode("ascii", errors="replace").strip()
            if mimetype in ODF_KINDS and "content.xml" in names:
                return ODF_KINDS[mimetype]
            return None
        if "[Content_Types].xml" in names:
            with archive.open("[Content_Types].xml") as stream:
                content_types = stream.read(ZIP_MEMBER_READ_BYTES)
            for kind, (main_part, content_type) in OOXML_MAIN_PARTS.items():
                if main_part in names and content_type in content_types:
                    return kind
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as error:
        raise _Refusal(_("%(name)s is damaged: its ZIP directory cannot be read.") % {"name": display_name}) from error
    return None


def sniff(file, head: bytes, display_name: str, expected: UploadKind) -> UploadKind | None:
    """The kind the content shows, or None; a ``_Refusal`` for damaged, encrypted or bomb ZIPs."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith((b"II*\0", b"MM\0*")):
        return TIFF
    if head.startswith(OLE2_MAGIC):
        return _ole2_kind(file)
    # The ZIP directory is read only when the name claims an office file: a ZIP named .pdf is
    # "a ZIP archive", whether or not its directory is readable.
    if head.startswith(b"PK\x03\x04") and expected in ZIP_KINDS:
        return _zip_kind(file, display_name)
    return None


def _text_kind(head: bytes, expected: UploadKind | None) -> UploadKind | None:
    """CSV or TXT, when the name says so and the content is text that is not markup."""
    if expected in TEXT and _is_text(head) and not _looks_like_markup(head):
        return expected
    return None


# The check.


def check_upload(file, *, allowed=DOCUMENTS, max_bytes: int | None = None, field: str | None = None) -> UploadKind:
    """The kind of ``file`` when it is allowed, by content and name; a ``ValidationError`` naming the
    file and the reason otherwise (on ``field`` when given). ``max_bytes`` defaults to
    ``settings.DIGILEAP_UPLOAD_MAX_BYTES``. The file is left at position 0."""
    try:
        return _check(
            file, allowed=frozenset(allowed), max_bytes=max_upload_bytes() if max_bytes is None else max_bytes
        )
    except ValidationError as error:
        if field is None:
            raise
        raise ValidationError({field: error.error_list}) from None


def _check(file, *, allowed: frozenset, max_bytes: int) -> UploadKind:
    if file is None:
        raise ValidationError(_("Choose a file to upload."), code="required")
    name = (getattr(file, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    display_name = name or _("The file")
    size = _size_of(file)
    if size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": display_name}, code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("%(name)s is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "name": display_name,
                "size": _megabytes(size, round_up=True),
                "limit": _megabytes(max_bytes, round_up=False),
            },
            code="too_large",
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    expected = KIND_BY_EXTENSION.get(extension)
    accepted = accepted_names(allowed)
    if expected is None or expected not in allowed:
        if not extension:
            message = _("%(name)s has no file name extension; accepted are %(accepted)s.")
        elif extension == "svg":
            message = _("%(name)s: SVG images are not accepted (they can carry scripts); accepted are %(accepted)s.")
        else:
            message = _("%(name)s: .%(extension)s files are not accepted here; accepted are %(accepted)s.")
        raise ValidationError(
            message % {"name": display_name, "extension": extension, "accepted": accepted}, code="extension"
        )
    file.seek(0)
    head = file.read(HEAD_BYTES)
    try:
        detected = sniff(file, head, display_name, expected) or _text_kind(head, expected)
    except _Refusal as refusal:
        raise ValidationError(refusal.message, code="damaged") from None
    finally:
        file.seek(0)
    if detected != expected:
        actual = detected.label if detected is not None else _describe_unknown(head)
        raise ValidationError(
            _("%(name)s is not %(expected)s: its content is %(actual)s.")
            % {"name": display_name, "expected": expected.label, "actual": actual},
            code="content",
        )
    return detected


# For forms and serializers.


@deconstructible
class UploadValidator:
    """``check_upload`` as a validator, for a form field, a serializer field or a model field."""

    def __init__(self, allowed=DOCUMENTS, max_bytes: int | None = None):
        self.allowed = frozenset(allowed)
        self.max_bytes = max_bytes

    def __call__(self, file) -> None:
        check_upload(file, allowed=self.allowed, max_bytes=self.max_bytes)

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, UploadValidator) and self.allowed == other.allowed and self.max_bytes == other.max_bytes
        )

    def __hash__(self) -> int:
        return hash((self.allowed, self.max_bytes))


validate_document_upload = UploadValidator()


class DocumentFileField(forms.FileField):
    """A file field that accepts only what ``check_upload`` accepts, and tells the browser which
    extensions to offer and the person what is accepted."""

    def __init__(self, *, allowed=DOCUMENTS, max_bytes: int | None = None, **kwargs):
        self.allowed = frozenset(allowed)
        self.max_bytes = max_bytes
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": accepted_extensions(self.allowed)}))
        super().__init__(**kwargs)
        if not self.help_text:
            self.help_text = document_help_text(self.allowed, max_bytes)

    def validate(self, value):
        super().validate(value)
        if value:
            check_upload(value, allowed=self.allowed, max_bytes=self.max_bytes)


def _help_text(allowed, max_bytes: int | None) -> str:
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    return _("%(accepted)s, at most %(limit)s MB.") % {
        "accepted": accepted_names(allowed),
        "limit": _megabytes(limit, round_up=False),
    }


# "PDF, PNG, JPEG, at most 20 MB.", rendered in the language of the request.
document_help_text = lazy(_help_text, str)
