"""Checks on uploaded signed consent forms (issue 7 hardening): the project's upload checks
(`core.uploads`, type by content and size) with the consent form's own size limit."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from core.uploads import SIGNATURES, sniffed_type
from core.uploads import check_upload as _check_upload

__all__ = ["SIGNATURES", "check_upload", "sniffed_type"]


def check_upload(upload: UploadedFile) -> str:
    """The message for a refused signed form, or "" when it may be kept."""
    return _check_upload(upload, max_bytes=settings.CONSENT_FORM_MAX_BYTES)
