"""Checking uploaded files, and handing them back, for the whole portal.

The type of a file is read from its content, never from its name or from the content type the
browser sent: both are chosen by the sender. The name's extension must still agree with the
content, so that what a member downloads later opens in the program its name promises.
"""

from __future__ import annotations

import math
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import quote

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEAD_BYTES = 8192  # what filetype needs for its magic numbers
MAX_ZIP_MEMBER_BYTES = 1024 * 1024  # [Content_Types].xml and mimetype are a few kB: more is not an office file


@dataclass(frozen=True)
class DetectedType:
    kind: str
    mime_type: str
    extension: str


@dataclass(frozen=True)
class Kind:
    name: object  # lazy text, as in the help text: "PDF"
    with_article: object  # lazy text, as in a sentence: "a PDF"
    mime_types: dict[str, str]  # canonical extension → MIME type


KINDS: dict[str, Kind] = {
    "pdf": Kind(gettext_lazy("PDF"), gettext_lazy("a PDF"), {"pdf": "application/pdf"}),
    "office": Kind(
        gettext_lazy("office document"),
        gettext_lazy("an office document"),
        {
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "odt": "application/vnd.oasis.opendocument.text",
            "ods": "application/vnd.oasis.opendocument.spreadsheet",
            "odp": "application/vnd.oasis.opendocument.presentation",
        },
    ),
    "image": Kind(
        gettext_lazy("image"),
        gettext_lazy("an image"),
        {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"},
    ),
    "csv": Kind(gettext_lazy("CSV file"), gettext_lazy("a CSV file"), {"csv": "text/csv"}),
    "text": Kind(gettext_lazy("text file"), gettext_lazy("a text file"), {"txt": "text/plain"}),
}
# Other names under which the same content is commonly saved.
EXTENSION_ALIASES = {"jpg": {"jpeg"}}

# The main part's content type of each OOXML document; the macro-enabled variants are refused.
_OOXML_MAIN_PARTS = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
_OOXML_MACRO_PARTS = re.compile(rb"application/vnd\.ms-[a-z]+\.[a-z]+\.macroEnabled", re.IGNORECASE)
_ODF_MIME_TYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}

_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows (also .dll, .scr)
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O, both word sizes and byte orders
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal binary, Java class
    b"#!",  # script with an interpreter line
)
_EXECUTABLE_EXTENSIONS = {"exe", "elf", "wasm", "crx", "swf", "rpm", "deb"}
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<meta", b"<!--")
# C0 control characters that never appear in a spreadsheet export, a sign of binary content.
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class _NotAccepted(Exception):
    """The content was recognised, as something no kind accepts."""

    def __init__(self, description):
        super().__init__(str(description))
        self.description = description


# --- Sizes and lists in messages ------------------------------------------------------------------


def format_size(size: int) -> str:
    """A size in MB (or kB under 1 MB), rounded up so a file just over the limit never reads as equal."""
    megabytes = size / (1024 * 1024)
    if megabytes >= 1:
        value = math.ceil(megabytes * 10) / 10
        # Django's own msgids, so the units are already translated ("Mo" in French).
        return _("%s MB") % number_format(value, 0 if value == int(value) else 1)
    return _("%s KB") % number_format(math.ceil(size / 1024), 0)


def _join_or(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(items)s or %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _ordered(kinds) -> list[Kind]:
    return [kind for key, kind in KINDS.items() if key in kinds]


def describe_kinds(kinds, max_bytes: int) -> str:
    """The help text of an upload field: "PDF, office document or image, 10 MB at most." """
    names = _join_or([str(kind.name) for kind in _ordered(kinds)])
    return _("%(types)s, %(size)s at most.") % {"types": capfirst(names), "size": format_size(max_bytes)}


def accepted_extensions(kinds) -> list[str]:
    extensions = []
    for kind in _ordered(kinds):
        for extension in kind.mime_types:
            extensions += [extension, *sorted(EXTENSION_ALIASES.get(extension, ()))]
    return extensions


# --- Detection ------------------------------------------------------------------------------------


def _read_all(uploaded_file) -> bytes:
    uploaded_file.seek(0)
    return uploaded_file.read()


def _detect_zip(uploaded_file) -> DetectedType:
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                extension = _ODF_MIME_TYPES.get(_read_member(archive, "mimetype").strip())
                if extension and not any(name.startswith(("Basic/", "Scripts/")) for name in names):
                    return _office(extension)
                if extension:
                    raise ValidationError(_macros_message(), code="macros")
            elif "[Content_Types].xml" in names:
                content_types = _read_member(archive, "[Content_Types].xml")
                if _OOXML_MACRO_PARTS.search(content_types) or any(name.endswith("vbaProject.bin") for name in names):
                    raise ValidationError(_macros_message(), code="macros")
                for main_part, extension in _OOXML_MAIN_PARTS.items():
                    if re.search(rb"=\s*[\"']" + re.escape(main_part) + rb"[\"']", content_types):
                        return _office(extension)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, RuntimeError, NotImplementedError, EOFError) as exc:
        # Damaged, encrypted or using a compression method Python does not read.
        raise _NotAccepted(gettext_lazy("a damaged or protected ZIP archive")) from exc
    raise _NotAccepted(gettext_lazy("a ZIP archive"))


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    if archive.getinfo(name).file_size > MAX_ZIP_MEMBER_BYTES:
        raise _NotAccepted(gettext_lazy("a ZIP archive"))
    return archive.read(name)


def _office(extension: str) -> DetectedType:
    return DetectedType("office", KINDS["office"].mime_types[extension], extension)


def _macros_message() -> str:
    return _("Office documents with macros are not accepted. Save the document without macros (.docx, .xlsx, .pptx).")


def _detect_markup(start: bytes):
    lowered = start[:HEAD_BYTES].lower()
    if b"<svg" in lowered:
        raise ValidationError(_("SVG images are not accepted because they can carry scripts."), code="svg")
    if lowered.startswith(_HTML_MARKERS) or b"<html" in lowered:
        raise _NotAccepted(gettext_lazy("a web page"))
    if lowered.startswith(b"<?xml"):
        raise _NotAccepted(gettext_lazy("an XML document"))
    raise _NotAccepted(gettext_lazy("a web page or XML document"))


def _detect_text(uploaded_file) -> DetectedType:
    data = _read_all(uploaded_file)
    # Browsers and programs sniff markup wherever it starts; a CSV never starts with "<".
    start = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    if start.startswith(b"<"):
        _detect_markup(start)
    if b"\x00" in data:
        raise _NotAccepted(gettext_lazy("a file of unknown type"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # never fails: Belgian Excel still saves CSV in Windows-1252
    if _BINARY_CONTROLS.search(text):
        raise _NotAccepted(gettext_lazy("a file of unknown type"))
    return DetectedType("csv", "text/csv", "csv")


def detect_type(uploaded_file) -> DetectedType:
    """The type of the file from its content. Raises ValidationError for what is never accepted,
    ``_NotAccepted`` for what is recognised but belongs to no kind."""
    uploaded_file.seek(0)
    head = uploaded_file.read(HEAD_BYTES)
    guess = filetype.guess(head)
    if head.startswith(_EXECUTABLE_MAGIC) or (guess and guess.extension in _EXECUTABLE_EXTENSIONS):
        raise ValidationError(_("Executable files are not accepted."), code="executable")
    if head.startswith(_OLE2_MAGIC):
        raise ValidationError(
            _(
                "Files in the old Office format (.doc, .xls, .ppt) are not accepted. "
                "Save the document as PDF or in a recent format (.docx, .xlsx, .pptx)."
            ),
            code="legacy_office",
        )
    if guess is None:
        return _detect_text(uploaded_file)
    if guess.extension in {"zip", "epub", *KINDS["office"].mime_types}:
        return _detect_zip(uploaded_file)
    extension = "png" if guess.extension == "apng" else guess.extension
    for key, kind in KINDS.items():
        if extension in kind.mime_types:
            return DetectedType(key, kind.mime_types[extension], extension)
    raise _NotAccepted(gettext_lazy("a %(format)s file") % {"format": guess.extension.upper()})


# --- Validation -----------------------------------------------------------------------------------


def _extension_of(name: str) -> str:
    return PurePath(name or "").suffix.lower().removeprefix(".")


def _kind_of_extension(extension: str) -> Kind | None:
    for kind in KINDS.values():
        if extension in kind.mime_types or any(extension in EXTENSION_ALIASES.get(e, ()) for e in kind.mime_types):
            return kind
    return None


def _wrong_kind(actual, extension: str, kinds) -> ValidationError:
    allowed = _join_or([str(kind.with_article) for kind in _ordered(kinds)])
    claimed = _kind_of_extension(extension)
    if claimed is not None and str(claimed.with_article) != str(actual):
        message = _("This file is %(actual)s, not %(claimed)s. Send %(allowed)s.") % {
            "actual": actual,
            "claimed": claimed.with_article,
            "allowed": allowed,
        }
    else:
        message = _("This file is %(actual)s. Send %(allowed)s.") % {"actual": actual, "allowed": allowed}
    return ValidationError(message, code="type")


def validate_upload(uploaded_file, *, kinds: set[str], max_bytes: int) -> DetectedType:
    """Check an uploaded file's size, content and name; return its type or raise ValidationError."""
    unknown = set(kinds) - set(KINDS)
    if unknown or not kinds:
        raise ValueError(f"Unknown upload kinds: {sorted(unknown) or 'none given'}")
    size = uploaded_file.size
    if not size:
        raise ValidationError(_("The file is empty. Check that you chose the right file."), code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s. Compress it or split it into several files.")
            % {"size": format_size(size), "limit": format_size(max_bytes)},
            code="too_big",
        )
    extension = _extension_of(uploaded_file.name)
    try:
        detected = detect_type(uploaded_file)
    except _NotAccepted as exc:
        raise _wrong_kind(exc.description, extension, kinds) from None
    finally:
        uploaded_file.seek(0)
    if detected.kind == "csv" and extension != "csv":
        # Plain text looks the same as a CSV; only its name says which one the sender meant.
        detected = DetectedType("text", "text/plain", "txt")
    kind = KINDS[detected.kind]
    if detected.kind not in kinds:
        raise _wrong_kind(kind.with_article, extension, kinds)
    if extension not in {detected.extension, *EXTENSION_ALIASES.get(detected.extension, ())}:
        params = {"actual": kind.with_article, "given": extension, "expected": detected.extension}
        if extension:
            message = _(
                "The file name ends in .%(given)s but the file is %(actual)s. Rename it to end in .%(expected)s."
            )
        else:
            message = _("The file name has no extension but the file is %(actual)s. Rename it to end in .%(expected)s.")
        raise ValidationError(message % params, code="extension")
    return detected


# --- Form field -----------------------------------------------------------------------------------


class CheckedFileField(forms.FileField):
    """A file field that checks the content with ``validate_upload``.

    After ``clean`` the uploaded file carries the result as ``detected_type``, for storing the
    content type to send back on download.
    """

    def __init__(self, *, kinds: set[str], max_bytes: int | None = None, **kwargs):
        self.kinds = frozenset(kinds)
        self.max_bytes = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
        if self.kinds - set(KINDS) or not self.kinds:
            raise ValueError(f"Unknown upload kinds: {sorted(self.kinds - set(KINDS)) or 'none given'}")
        # Lazy, so the help text follows the language of each request.
        kwargs.setdefault("help_text", lazy(describe_kinds, str)(self.kinds, self.max_bytes))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if not widget.is_hidden:
            attrs["accept"] = ",".join(f".{extension}" for extension in accepted_extensions(self.kinds))
        return attrs

    def clean(self, data, initial=None):
        cleaned = super().clean(data, initial)
        if isinstance(cleaned, UploadedFile):
            cleaned.detected_type = validate_upload(cleaned, kinds=self.kinds, max_bytes=self.max_bytes)
        return cleaned


# --- Storage --------------------------------------------------------------------------------------

_PLAIN_EXTENSION = re.compile(r"[a-z0-9]{1,8}")


def generated_file_name(folder: str, filename: str) -> str:
    """Where an upload is stored: a random name under ``folder``, with only a plain extension.

    The name a file was sent with is chosen by its sender: models keep it in a field of its own,
    for display and for the download's name, and it never becomes part of a path on disk.
    """
    extension = _extension_of(PurePath(filename or "").name)
    if not _PLAIN_EXTENSION.fullmatch(extension):
        extension = "bin"
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


def original_file_name(uploaded_file) -> str:
    """The last part of the name an upload was sent with, to show and to download it under."""
    name = re.split(r"[/\\]", uploaded_file.name or "")[-1].strip()
    return name[:255] or "document"


# --- Download -------------------------------------------------------------------------------------


def _ascii_fallback(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9._ ()-]+", "_", ascii_name)
    return re.sub(r"\s+", " ", ascii_name).strip(" ._") or "download"


def content_disposition(download_name: str) -> str:
    """An RFC 6266 attachment header: an ASCII ``filename`` for old clients, ``filename*`` for the rest."""
    # Keep the last path part and drop control characters: the name often comes from a user.
    name = re.split(r"[/\\]", download_name)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip() or "download"
    return f"attachment; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def attachment_response(file_field_file, *, download_name: str, content_type: str) -> FileResponse:
    """Send a stored file as a download, for views that have already checked access."""
    response = FileResponse(file_field_file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition(download_name)
    # The content type is ours, from the check at upload; the browser must not guess another one.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
