"""Printed documents (PDF) of every app: a Django template printed by WeasyPrint.

WeasyPrint fetches nothing: stylesheets are inlined in the templates, images are embedded as
data: URIs (`data_uri`), and `DataOnlyFetcher` refuses every other URL (http, https, file,
ftp), so that a document cannot be made to read the server's files or call out. Documents
that go to residents or a court are printed in Chinese (`DOCUMENT_LANGUAGE`) whatever the
user's language: callers render them inside `translation.override(DOCUMENT_LANGUAGE)`.
`templates/core/pdf/base.html` is the A4 page with the Noto CJK fonts that they extend.
"""

from __future__ import annotations

import base64
import logging
import mimetypes

from django.http import HttpResponse
from django.template.loader import render_to_string
from PIL import ImageFile
from weasyprint import HTML
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)

# WeasyPrint's import lets Pillow load truncated images, for the whole process: uploads must
# never be accepted so (core.images, which also sets it back before each check).
ImageFile.LOAD_TRUNCATED_IMAGES = False

DOCUMENT_LANGUAGE = "zh-hans"
# The date filter's format: 2026年12月7日.
DATE_FORMAT = "Y年n月j日"


class DataOnlyFetcher(URLFetcher):
    """Fetches data: URIs and refuses every other URL (http, https, file, ftp)."""

    def fetch(self, url, headers=None):
        if not url.lower().startswith("data:"):
            logger.warning("document: refused to fetch %s", url[:200])
            raise ValueError(f"A document embeds what it shows; refused to fetch {url[:200]}")
        return super().fetch(url, headers)


def render_pdf(template_name: str, context: dict) -> bytes:
    """`template_name` rendered with `context` and printed, fetching only data: URIs."""
    html = render_to_string(template_name, {"date_format": DATE_FORMAT, **context})
    return HTML(string=html, url_fetcher=DataOnlyFetcher()).write_pdf()


def data_uri(file_field, *, what: str = "file") -> str:
    """A stored image as a data: URI to embed; "" when the file is missing from storage (the
    document still prints, and says it is missing)."""
    mime = mimetypes.guess_type(file_field.name)[0] or "image/jpeg"
    try:
        with file_field.open("rb") as image:
            content = image.read()
    except OSError:
        logger.warning("document: %s is missing from storage", what)
        return ""
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """A printed document, shown in the browser and kept by nobody in between."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
