"""Checks on uploaded covenant documents (Toetredingsformulier, DPIA): PDF only, by content.

The project's upload checks (`core.uploads`): the first bytes decide what a file is; its name
and the browser's content type are the sender's claims and are not trusted.
"""

from django.core.files.uploadedfile import UploadedFile

from core.uploads import PDF_ONLY, check_upload

# A signed form or a DPIA report is a scan or a PDF export; 10 MB holds either comfortably.
MAX_BYTES = 10 * 1024 * 1024


def check_pdf(upload: UploadedFile) -> str:
    """The message for a refused upload, or "" when it is a PDF of an acceptable size."""
    return check_upload(upload, max_bytes=MAX_BYTES, types=PDF_ONLY)
