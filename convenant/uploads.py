"""Checks on uploaded covenant documents (Toetredingsformulier, DPIA): PDF only, by content.

The same pattern as consent/uploads.py: the first bytes decide what a file is; its name and the
browser's content type are the sender's claims and are not trusted.
"""

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

PDF_SIGNATURE = b"%PDF-"
# A signed form or a DPIA report is a scan or a PDF export; 10 MB holds either comfortably.
MAX_BYTES = 10 * 1024 * 1024


def check_pdf(upload: UploadedFile) -> str:
    """The message for a refused upload, or "" when it is a PDF of an acceptable size."""
    if upload.size is None or upload.size == 0:
        return _("The file is empty.")
    if upload.size > MAX_BYTES:
        return _("The file is too large: at most %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
    head = upload.read(len(PDF_SIGNATURE))
    upload.seek(0)
    if head != PDF_SIGNATURE:
        return _("Upload a PDF file.")
    return ""
