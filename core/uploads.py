"""Checks on uploaded files: type by content, not by name, and size (issue 7, invariant 9).

Every upload of the project (a signed consent form, a signed accession form, …) is a scan or a
PDF. The first bytes decide what it is; the name and the browser's content type are the
sender's claims and are not trusted. Each app passes its own size limit from settings.
"""

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# The magic numbers of the accepted types.
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def sniffed_type(upload: UploadedFile) -> str | None:
    """The content type the file's first bytes show, or None for anything else."""
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


# Only PDF: for documents that are signed forms or reports (convenant.uploads).
PDF_ONLY = frozenset({"application/pdf"})


def check_upload(
    upload: UploadedFile, *, max_bytes: int, types: frozenset[str] | None = None
) -> str:
    """The message for a refused upload, or "" when it may be kept.

    `types` narrows the accepted content types (default: every type of SIGNATURES).
    """
    if upload.size is None or upload.size == 0:
        return _("The file is empty.")
    if upload.size > max_bytes:
        return _("The file is too large: at most %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)}
    kind = sniffed_type(upload)
    if types == PDF_ONLY and kind not in types:
        return _("Upload a PDF file.")
    if kind is None or (types is not None and kind not in types):
        return _("Upload a PDF, JPEG or PNG file.")
    return ""
