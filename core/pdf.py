"""PDF documents rendered from Django templates with WeasyPrint, tagged PDF/UA for screen readers."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import posixpath
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# A base no real request can reach (.invalid is reserved): relative and /static/ names in the
# templates resolve under it, and the fetcher maps it to the static files found on disk.
STATIC_BASE_URL = "https://portal.invalid/static/"
STYLESHEET = "css/pdf.css"
# The variant implies tags; saying it keeps the intent visible. Custom <meta> names reach the PDF info.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True, "custom_metadata": True}


class ResourceRefused(ValueError):
    """A PDF template asked for something other than one of the portal's own static files."""


class StaticFilesFetcher(URLFetcher):
    """Serves the portal's static files and nothing else.

    Answers typed by users end up in the documents; even if one slipped through unescaped, it could
    make the server read neither the network nor the disk outside the static files.
    """

    def fetch(self, url, headers=None):
        if not url.startswith(STATIC_BASE_URL):
            raise ResourceRefused(f"PDF resources come from the portal's static files only, not {url[:200]!r}.")
        parts = urlsplit(url)
        name = posixpath.normpath(unquote(parts.path).removeprefix("/static/"))
        if name.startswith(("/", "..")) or "\\" in name or parts.query:
            raise ResourceRefused(f"Not a static file name: {url[:200]!r}.")
        path = finders.find(name)
        if not path or not os.path.isfile(path):
            raise ResourceRefused(f"No static file named {name!r}.")
        with open(path, "rb") as file:
            body = file.read()
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def render_pdf(template_name: str, context: dict, *, title: str, language: str = "fr") -> bytes:
    """Render ``template_name`` to a tagged PDF/UA-1 document with the shared print stylesheet.

    The template gets ``pdf_title`` and ``pdf_language`` for its ``<title>`` and ``<html lang>``;
    the PDF metadata takes them from the arguments whatever the template says.
    """
    with translation.override(language):
        html = render_to_string(template_name, {**context, "pdf_title": title, "pdf_language": language})
        fetcher = StaticFilesFetcher()
        document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher).render(
            stylesheets=[CSS(url=STATIC_BASE_URL + STYLESHEET, url_fetcher=fetcher)],
            **PDF_OPTIONS,
        )
        document.metadata.title = title
        document.metadata.lang = language
        return document.write_pdf(**PDF_OPTIONS)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
