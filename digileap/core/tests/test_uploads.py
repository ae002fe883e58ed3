"""digileap/core/uploads.py: real files of every accepted kind, and the disguises it must see through."""

import io
import zipfile

import openpyxl
import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import override_settings
from django.utils import translation
from PIL import Image
from rest_framework import serializers

from digileap.core import uploads
from digileap.core.uploads import (
    DOCUMENTS,
    SCANS,
    TEXT,
    DocumentFileField,
    UploadValidator,
    check_upload,
)

MIB = 1024 * 1024


# Real files.


def pdf_bytes() -> bytes:
    from weasyprint import HTML

    return HTML(string="<p>Evidence</p>").write_pdf()


def image_bytes(image_format: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, format=image_format)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), members[stored_first], compress_type=zipfile.ZIP_STORED)
        for name, content in members.items():
            if name != stored_first:
                archive.writestr(name, content)
    return out.getvalue()


def content_types(main_type: str, part: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main_type}"/></Types>'
    ).encode()


def docx_bytes(main_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml") -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": content_types(main_type, "word/document.xml"),
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document><w:body><w:p/></w:body></w:document>",
        }
    )


def pptx_bytes() -> bytes:
    main = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    return zip_bytes(
        {
            "[Content_Types].xml": content_types(main, "ppt/presentation.xml"),
            "_rels/.rels": b"<Relationships/>",
            "ppt/presentation.xml": b"<p:presentation/>",
        }
    )


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["school", "devices"])
    workbook.active.append(["Primary", 12])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def odf_bytes(mimetype: str) -> bytes:
    return zip_bytes(
        {"mimetype": mimetype.encode(), "content.xml": b"<office:document-content/>", "META-INF/manifest.xml": b"<m/>"},
        stored_first="mimetype",
    )


def ole2_bytes(stream: str) -> bytes:
    """A compound-file header, then a directory sector with the main stream's entry (UTF-16LE name)."""
    header = uploads.OLE2_MAGIC + b"\0" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + b"\0" * (512 - 32)
    entry = "Root Entry".encode("utf-16-le").ljust(128, b"\0") + stream.encode("utf-16-le").ljust(128, b"\0")
    return header + entry.ljust(512, b"\0")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def refusal(name: str, content: bytes, **options) -> list[str]:
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, content), **options)
    return error.value.messages


# Every accepted kind.


@pytest.mark.parametrize(
    ("name", "make", "kind"),
    [
        ("evidence.pdf", pdf_bytes, uploads.PDF),
        ("photo.png", lambda: image_bytes("PNG"), uploads.PNG),
        ("photo.jpg", lambda: image_bytes("JPEG"), uploads.JPEG),
        ("photo.JPEG", lambda: image_bytes("JPEG"), uploads.JPEG),
        ("photo.gif", lambda: image_bytes("GIF"), uploads.GIF),
        ("photo.webp", lambda: image_bytes("WEBP"), uploads.WEBP),
        ("photo.tiff", lambda: image_bytes("TIFF"), uploads.TIFF),
        ("report.docx", docx_bytes, uploads.DOCX),
        ("budget.xlsx", xlsx_bytes, uploads.XLSX),
        ("slides.pptx", pptx_bytes, uploads.PPTX),
        ("report.odt", lambda: odf_bytes("application/vnd.oasis.opendocument.text"), uploads.ODT),
        ("budget.ods", lambda: odf_bytes("application/vnd.oasis.opendocument.spreadsheet"), uploads.ODS),
        ("slides.odp", lambda: odf_bytes("application/vnd.oasis.opendocument.presentation"), uploads.ODP),
        ("old.doc", lambda: ole2_bytes("WordDocument"), uploads.DOC),
        ("old.xls", lambda: ole2_bytes("Workbook"), uploads.XLS),
        ("old.ppt", lambda: ole2_bytes("PowerPoint Document"), uploads.PPT),
    ],
)
def test_every_document_kind_is_accepted(name, make, kind):
    file = upload(name, make())
    assert check_upload(file) == kind
    assert file.tell() == 0


def test_the_kinds_and_their_names():
    assert (
        uploads.accepted_names(DOCUMENTS)
        == "PDF, PNG, JPEG, GIF, WebP, TIFF, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT"
    )
    assert uploads.accepted_extensions(SCANS) == ".pdf,.png,.jpg,.jpeg,.jpe"
    assert (uploads.DOCX.content_type, uploads.DOCX.extension) == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    )


def test_a_large_file_on_disk_is_read_from_disk():
    content = pptx_bytes()
    file = TemporaryUploadedFile("slides.pptx", "application/octet-stream", len(content), None)
    file.write(content)
    file.seek(0)
    assert check_upload(file) == uploads.PPTX
    file.close()


def test_text_only_where_a_caller_allows_it():
    assert check_upload(upload("list.csv", "school;Zoë\n1;2\n".encode()), allowed=TEXT) == uploads.CSV
    assert check_upload(upload("notes.txt", "caf\xe9\n".encode("cp1252")), allowed=TEXT) == uploads.TXT
    assert refusal("list.csv", b"school;devices\n") == [
        "list.csv: .csv files are not accepted here; accepted are "
        "PDF, PNG, JPEG, GIF, WebP, TIFF, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT."
    ]
    assert refusal("page.txt", b"<!DOCTYPE html><html><script>alert(1)</script>", allowed=TEXT) == [
        "page.txt is not a text file: its content is an HTML page."
    ]
    assert refusal("list.csv", b"MZ\x90\x00\x03\x00\x00\x00", allowed=TEXT) == [
        "list.csv is not a CSV file: its content is a Windows program."
    ]


# The disguises.


def test_a_renamed_program_is_refused():
    assert refusal("scan.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\0" * 100) == [
        "scan.pdf is not a PDF: its content is a Windows program."
    ]
    assert refusal("setup.exe", b"MZ\x90\x00") == [
        "setup.exe: .exe files are not accepted here; accepted are "
        "PDF, PNG, JPEG, GIF, WebP, TIFF, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT."
    ]
    assert refusal("tool.doc", b"\x7fELF\x02\x01\x01") == [
        "tool.doc is not a Word 97-2003 document (DOC): its content is a program."
    ]


def test_html_named_pdf_is_refused():
    assert refusal("invoice.pdf", b"  <!DOCTYPE html>\n<html><body><script>steal()</script></body></html>") == [
        "invoice.pdf is not a PDF: its content is an HTML page."
    ]


def test_svg_is_refused_whatever_its_name():
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert refusal("logo.png", svg) == ["logo.png is not a PNG image: its content is an SVG image."]
    assert refusal("logo.svg", svg) == [
        "logo.svg: SVG images are not accepted (they can carry scripts); accepted are "
        "PDF, PNG, JPEG, GIF, WebP, TIFF, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT."
    ]


def test_a_zip_that_is_not_ooxml_is_refused():
    plain_zip = zip_bytes({"readme.txt": b"hello", "word/document.xml": b"<w/>"})
    assert refusal("report.docx", plain_zip) == [
        "report.docx is not a Word document (DOCX): its content is a ZIP archive."
    ]
    assert refusal("scan.pdf", docx_bytes()) == ["scan.pdf is not a PDF: its content is a ZIP archive."]
    # An ODF file needs its stored mimetype first.
    deflated = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<c/>"})
    assert refusal("report.odt", deflated) == [
        "report.odt is not an OpenDocument text (ODT): its content is a ZIP archive."
    ]


def test_a_macro_document_named_docx_is_refused():
    docm = docx_bytes(main_type="application/vnd.ms-word.document.macroEnabled.main+xml")
    assert refusal("report.docx", docm) == ["report.docx is not a Word document (DOCX): its content is a ZIP archive."]


def test_an_installer_named_doc_is_refused():
    msi = ole2_bytes("\u4840\u3f3f\u4577")  # an MSI's stream names, none of Word's, Excel's or PowerPoint's
    assert refusal("letter.doc", msi) == [
        "letter.doc is not a Word 97-2003 document (DOC): its content is an OLE2 compound file that is not a "
        "Word, Excel or PowerPoint file."
    ]


def test_wrong_extension_for_a_real_kind_is_refused():
    assert refusal("photo.jpg", image_bytes("PNG")) == ["photo.jpg is not a JPEG image: its content is a PNG image."]
    assert refusal("budget.xlsx", docx_bytes()) == [
        "budget.xlsx is not an Excel workbook (XLSX): its content is a Word document (DOCX)."
    ]
    assert refusal("report.odt", odf_bytes("application/vnd.oasis.opendocument.spreadsheet")) == [
        "report.odt is not an OpenDocument text (ODT): its content is an OpenDocument spreadsheet (ODS)."
    ]
    assert refusal("letter.pdf", ole2_bytes("WordDocument")) == [
        "letter.pdf is not a PDF: its content is a Word 97-2003 document (DOC)."
    ]
    assert refusal("old.xls", ole2_bytes("WordDocument")) == [
        "old.xls is not an Excel 97-2003 workbook (XLS): its content is a Word 97-2003 document (DOC)."
    ]
    assert refusal("report", pdf_bytes()) == [
        "report has no file name extension; accepted are "
        "PDF, PNG, JPEG, GIF, WebP, TIFF, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT."
    ]


def test_a_kind_the_caller_does_not_allow_is_refused():
    assert refusal("report.docx", docx_bytes(), allowed=SCANS) == [
        "report.docx: .docx files are not accepted here; accepted are PDF, PNG, JPEG."
    ]


def test_a_zip_bomb_is_refused():
    ten_mib = b"\0" * (10 * MIB)
    members = {f"word/media/zeros{number}.bin": ten_mib for number in range(21)}
    members["[Content_Types].xml"] = content_types(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "word/document.xml"
    )
    members["word/document.xml"] = b"<w:document/>"
    bomb = zip_bytes(members)
    assert len(bomb) < MIB  # 210 MB of zeros in a few hundred kilobytes
    assert refusal("report.docx", bomb) == ["report.docx unpacks to 210.1 MB; the limit is 200 MB."]


def test_an_encrypted_zip_is_refused():
    content = bytearray(docx_bytes())
    # Set the "encrypted" bit of every member, in the local headers and in the central directory
    # (zipfile cannot write encrypted members).
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = content.find(signature)
        while start != -1:
            content[start + flag_offset] |= 0x1
            start = content.find(signature, start + 4)
    assert all(member.flag_bits & 0x1 for member in zipfile.ZipFile(io.BytesIO(bytes(content))).infolist())
    assert refusal("report.docx", bytes(content)) == ["report.docx is encrypted; upload it without a password."]


def test_a_corrupt_zip_is_refused():
    broken = docx_bytes()[:200]
    assert refusal("report.docx", broken) == ["report.docx is damaged: its ZIP directory cannot be read."]


def test_an_empty_file_is_refused():
    assert refusal("empty.pdf", b"") == ["empty.pdf is empty."]


@override_settings(DIGILEAP_UPLOAD_MAX_BYTES=1 * MIB)
def test_the_size_limit_is_exact():
    at_limit = b"%PDF-1.7\n" + b"0" * (MIB - 9)
    assert check_upload(upload("fits.pdf", at_limit)) == uploads.PDF
    assert refusal("over.pdf", at_limit + b"0") == ["over.pdf is 1.1 MB; the limit is 1 MB."]
    assert check_upload(upload("over.pdf", at_limit + b"0"), max_bytes=2 * MIB) == uploads.PDF


def test_the_size_limit_defaults_to_20_mb(settings):
    assert settings.DIGILEAP_UPLOAD_MAX_BYTES == 20 * MIB
    assert uploads.max_upload_bytes() == 20 * MIB


class Sized:
    """A file that only says how large it is (the size is checked before anything is read)."""

    def __init__(self, name: str, size: int):
        self.name, self.size = name, size


def test_the_size_is_named_in_the_active_language():
    big = Sized("x.pdf", round(31.2 * MIB))
    with pytest.raises(ValidationError) as error:
        check_upload(big)
    assert error.value.messages == ["x.pdf is 31.2 MB; the limit is 20 MB."]
    with translation.override("de"), pytest.raises(ValidationError) as error:
        check_upload(big, max_bytes=MIB * 25 // 2)
    assert "31,2" in error.value.messages[0] and "12,5" in error.value.messages[0]
    assert "31.2" not in error.value.messages[0]


def test_a_field_name_puts_the_message_on_that_field():
    with pytest.raises(ValidationError) as error:
        check_upload(upload("scan.pdf", b"PK\x03\x04"), field="scan")
    assert error.value.message_dict == {"scan": ["scan.pdf is not a PDF: its content is a ZIP archive."]}


def test_a_path_in_the_name_is_not_shown():
    assert refusal("C:\\Users\\me\\scan.pdf", b"hello") == ["scan.pdf is not a PDF: its content is text."]


# For forms and serializers.


class EvidenceForm(forms.Form):
    file = DocumentFileField(label="File")
    scan = DocumentFileField(label="Scan", allowed=SCANS, max_bytes=10 * MIB, required=False)


def test_the_form_field_refuses_a_disguise_and_says_what_is_accepted():
    form = EvidenceForm(data={}, files={"file": upload("scan.pdf", b"<html><body>hi</body></html>")})
    assert not form.is_valid()
    assert form.errors == {"file": ["scan.pdf is not a PDF: its content is an HTML page."]}
    assert str(form.fields["scan"].help_text) == "PDF, PNG, JPEG, at most 10 MB."
    assert form.fields["scan"].widget.attrs["accept"] == ".pdf,.png,.jpg,.jpeg,.jpe"
    html = str(form["scan"])
    assert 'accept=".pdf,.png,.jpg,.jpeg,.jpe"' in html
    good = EvidenceForm(data={}, files={"file": upload("photo.png", image_bytes("PNG"))})
    assert good.is_valid(), good.errors


class EvidenceSerializer(serializers.Serializer):
    file = serializers.FileField(validators=[UploadValidator(allowed=SCANS)])


def test_the_validator_in_a_serializer():
    serializer = EvidenceSerializer(data={"file": upload("scan.pdf", docx_bytes())})
    assert not serializer.is_valid()
    assert serializer.errors == {"file": ["scan.pdf is not a PDF: its content is a ZIP archive."]}
    assert EvidenceSerializer(data={"file": upload("scan.jpeg", image_bytes("JPEG"))}).is_valid()
    assert UploadValidator(allowed=SCANS) == UploadValidator(allowed=SCANS)
    assert UploadValidator(allowed=SCANS).deconstruct()[0] == "digileap.core.uploads.UploadValidator"


def test_a_content_file_without_upload_attributes():
    assert check_upload(ContentFile(pdf_bytes(), name="made.pdf")) == uploads.PDF


def test_a_kind_is_allowed_whatever_the_active_language():
    """Found by the full suite: a kind's hash held its lazy label, so in Dutch a PDF was "not accepted
    here" (the set of allowed kinds had been built in English)."""
    from django.utils import translation

    from digileap.core.uploads import DOCUMENTS, PDF, check_upload

    assert PDF in DOCUMENTS
    with translation.override("nl"):
        assert PDF in DOCUMENTS
        assert check_upload(ContentFile(b"%PDF-1.4\n%%EOF\n", name="verslag.pdf")) == PDF
