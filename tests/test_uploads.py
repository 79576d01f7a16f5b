import io
import struct
import zipfile
import zlib
from types import SimpleNamespace

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.utils import translation

from core.uploads import CheckedFileField, DetectedType, attachment_response, validate_upload

MB = 1024 * 1024
DOCUMENTS = {"pdf", "office", "image"}


@pytest.fixture(autouse=True)
def english():
    """Messages are checked against their msgids, whatever the catalogues hold."""
    with translation.override("en"):
        yield


def small_pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(body)
    body += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return body + b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


def small_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x0b\x5d\x3b")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def small_docx(main_type: str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main_type}"/>'
            "</Types>",
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def small_odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def refusal(file, kinds=DOCUMENTS, max_bytes=10 * MB) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_upload(file, kinds=kinds, max_bytes=max_bytes)
    return " ".join(caught.value.messages)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("rapport.pdf", small_pdf(), DetectedType("pdf", "application/pdf", "pdf")),
        (
            "Plan d'action.DOCX",
            small_docx(),
            DetectedType("office", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
        ),
        ("note.odt", small_odt(), DetectedType("office", "application/vnd.oasis.opendocument.text", "odt")),
        ("logo.png", small_png(), DetectedType("image", "image/png", "png")),
    ],
)
def test_documents_are_recognised_from_their_content(name, content, expected):
    # The browser's content type is ignored: it says nothing true here.
    assert validate_upload(upload(name, content, "text/html"), kinds=DOCUMENTS, max_bytes=10 * MB) == expected


@pytest.mark.parametrize(
    "content",
    [
        "nom;ville\nHôpital Alpha;Namur\n".encode(),
        "\ufeffnom;ville\nRésidence Bêta;Liège\n".encode(),
        "nom;ville\nRésidence Bêta;Liège\n".encode("latin-1"),
    ],
)
def test_csv_in_utf8_or_latin1_is_accepted(content):
    assert validate_upload(upload("liste.csv", content), kinds={"csv"}, max_bytes=MB).kind == "csv"


def test_the_file_is_read_again_from_the_start_after_the_check():
    file = upload("rapport.pdf", small_pdf())
    validate_upload(file, kinds={"pdf"}, max_bytes=MB)
    assert file.read(5) == b"%PDF-"


def test_a_web_page_renamed_pdf_is_refused_with_what_it_is():
    page = b"  <!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    message = refusal(upload("rapport.pdf", page, "application/pdf"))
    assert message == "This file is a web page, not a PDF. Send a PDF, an office document or an image."


def test_markup_is_not_a_csv():
    assert "web page" in refusal(upload("liste.csv", b"\n<html><p>x</p></html>"), kinds={"csv"})
    assert "XML document" in refusal(upload("liste.csv", b'<?xml version="1.0"?><a/>'), kinds={"csv"})


@pytest.mark.parametrize("name", ["logo.svg", "logo.png"])
def test_svg_is_refused_because_of_scripts(name):
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert refusal(upload(name, svg, "image/svg+xml")) == "SVG images are not accepted because they can carry scripts."


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200,
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200,
        b"#!/bin/sh\nrm -rf ~\n",
    ],
    ids=["windows", "elf", "script"],
)
def test_executables_are_refused_whatever_their_name(content):
    assert refusal(upload("rapport.pdf", content)) == "Executable files are not accepted."
    assert refusal(upload("liste.csv", content), kinds={"csv"}) == "Executable files are not accepted."


def test_a_file_over_the_limit_is_refused_with_its_size():
    content = small_pdf() + b"%" * int(12.3 * MB - len(small_pdf()) - 10)
    message = refusal(upload("rapport.pdf", content), max_bytes=10 * MB)
    assert message.startswith("The file is 12.3 MB; the limit is 10 MB.")


def test_an_empty_file_is_refused():
    assert refusal(upload("rapport.pdf", b"")).startswith("The file is empty.")


def test_a_zip_that_is_not_an_office_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("payload.exe", b"MZ")
    message = refusal(upload("rapport.docx", buffer.getvalue()))
    assert message == "This file is a ZIP archive, not an office document. Send a PDF, an office document or an image."


def test_office_documents_with_macros_are_refused():
    docm = small_docx("application/vnd.ms-word.document.macroEnabled.main+xml")
    assert "macros" in refusal(upload("rapport.docx", docm))


def test_legacy_office_files_are_refused():
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert "old Office format" in refusal(upload("rapport.doc", ole2))


def test_the_name_must_agree_with_the_content():
    assert refusal(upload("rapport.docx", small_pdf())) == (
        "The file name ends in .docx but the file is a PDF. Rename it to end in .pdf."
    )
    assert "has no extension" in refusal(upload("rapport", small_pdf()))
    assert validate_upload(upload("photo.JPEG", b"\xff\xd8\xff\xe0" + b"\x00" * 50), kinds={"image"}, max_bytes=MB)


def test_a_kind_that_is_not_asked_for_is_refused():
    message = refusal(upload("logo.png", small_png()), kinds={"pdf"})
    assert message == "This file is an image. Send a PDF."


def test_binary_content_is_not_a_csv():
    assert "unknown type" in refusal(upload("liste.csv", b"a;b\n\x00\x01\x02"), kinds={"csv"})


class ReportForm(forms.Form):
    title = forms.CharField()
    report = CheckedFileField(kinds=DOCUMENTS, max_bytes=10 * MB)


def test_the_form_field_checks_the_file_in_a_bound_form():
    form = ReportForm({"title": "Bilan"}, {"report": upload("rapport.pdf", small_pdf())})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["report"].detected_type.mime_type == "application/pdf"

    form = ReportForm({"title": "Bilan"}, {"report": upload("rapport.pdf", b"<html></html>")})
    assert not form.is_valid()
    assert form.errors["report"] == ["This file is a web page, not a PDF. Send a PDF, an office document or an image."]

    assert not ReportForm({"title": "Bilan"}, {}).is_valid()  # still required


def test_the_form_field_tells_what_is_accepted():
    form = ReportForm()
    html = str(form["report"])
    assert 'accept=".pdf,.docx,.xlsx,.pptx,.odt,.ods,.odp,.png,.jpg,.jpeg,.webp,.gif"' in html
    assert str(form["report"].help_text) == "PDF, office document or image, 10 MB at most."


def test_the_default_limit_comes_from_the_settings(settings):
    assert settings.UPLOAD_MAX_BYTES == 10 * MB
    assert CheckedFileField(kinds={"csv"}).max_bytes == 10 * MB
    assert str(CheckedFileField(kinds={"csv"}).help_text) == "CSV file, 10 MB at most."


def test_attachment_response_headers(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("stored-name.pdf", ContentFile(small_pdf()))

    field_file = FieldFile(SimpleNamespace(), SimpleNamespace(storage=storage), name)
    response = attachment_response(
        field_file, download_name='../Rapport "2026" – été.pdf', content_type="application/pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == (
        'attachment; filename="Rapport _2026_ ete.pdf"; '
        "filename*=UTF-8''Rapport%20%222026%22%20%E2%80%93%20%C3%A9t%C3%A9.pdf"
    )
    assert b"".join(response.streaming_content) == small_pdf()


def test_plain_text_is_a_text_file_not_a_csv_under_another_name():
    notes = upload("notes.txt", "Compte rendu de l'atelier\nÉtapes suivantes".encode())
    assert refusal(notes) == "This file is a text file. Send a PDF, an office document or an image."
    assert validate_upload(notes, kinds={"text"}, max_bytes=MB).mime_type == "text/plain"
    assert refusal(upload("liste", b"a;b\n1;2\n"), kinds={"csv"}) == "This file is a text file. Send a CSV file."
