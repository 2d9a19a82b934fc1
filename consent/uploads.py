"""Checks on uploaded signed forms: type by content, not by name, and size (issue 7 hardening).

A form is a scan or a PDF. The first bytes decide what it is; the name and the browser's
content type are the sender's claims and are not trusted.
"""

from django.conf import settings
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


def check_upload(upload: UploadedFile) -> str:
    """The message for a refused upload, or "" when it may be kept."""
    limit = settings.CONSENT_FORM_MAX_BYTES
    if upload.size is None or upload.size == 0:
        return _("The file is empty.")
    if upload.size > limit:
        return _("The file is too large: at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
    if sniffed_type(upload) is None:
        return _("Upload a PDF, JPEG or PNG file.")
    return ""
