"""Closed lists of the access log (NEN 7513 EventActionCode and EventOutcomeIndicator)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    """What was done; namespaced `<subject>.<verb>` (STYLE §4.6). Each has a display text."""

    LOGIN = "auth.login", _("Logged in")
    LOGOUT = "auth.logout", _("Logged out")
    LOGIN_FAILED = "auth.login_failed", _("Failed login")
    YOUTH_VIEWED = "youth.viewed", _("Viewed a youth's data")
    YOUTH_LISTED = "youth.listed", _("Listed a youth")
    ACCESS_LOG_VIEWED = "audit.viewed", _("Viewed the access log")
    REFERENCE_VIEWED = "reference.viewed", _("Viewed covenant data")
    REFERENCE_CREATED = "reference.created", _("Added covenant data")
    REFERENCE_UPDATED = "reference.updated", _("Changed covenant data")
    ACCESS_DENIED = "access.denied", _("Access denied")
    GRANT_ADDED = "grant.added", _("Access granted")
    GRANT_REVOKED = "grant.revoked", _("Access revoked")
    GRANT_EXPIRED = "grant.expired", _("Access ended after the case was closed")
    CASE_OPENED = "case.opened", _("Opened a case")
    CASE_VIEWED = "case.viewed", _("Viewed a case")
    CASE_LISTED = "case.listed", _("Listed a case")
    CASE_UPDATED = "case.updated", _("Changed a case")
    CASE_ADVANCED = "case.advanced", _("Moved a case to its next step")
    CASE_CLOSED = "case.closed", _("Closed a case")
    CASE_HANDED_OVER = "case.handed_over", _("Handed a case to another procesregisseur")
    PARTICIPANT_ADDED = "participant.added", _("Added a participant")
    PARTICIPANT_UPDATED = "participant.updated", _("Changed a participant")
    PARTICIPANT_REMOVED = "participant.removed", _("Removed a participant")
    INVITATION_VIEWED = "invitation.viewed", _("Viewed an invitation")
    INVITATION_ANSWERED = "invitation.answered", _("Answered an invitation")
    INVITATION_SENT = "invitation.sent", _("Sent an invitation")
    NOTICE_GENERATED = "notice.generated", _("Made a privacy notice")
    MEETING_SCHEDULED = "meeting.scheduled", _("Scheduled a meeting")
    MEETING_RESCHEDULED = "meeting.rescheduled", _("Changed a meeting")
    MEETING_CANCELLED = "meeting.cancelled", _("Cancelled a meeting")
    CHECKLIST_UPDATED = "checklist.updated", _("Updated the checklist")
    ATTENDANCE_RECORDED = "attendance.recorded", _("Recorded attendance")
    MINUTES_UPDATED = "minutes.updated", _("Wrote in the minutes")
    MINUTES_ADOPTED = "minutes.adopted", _("Adopted the minutes")
    MINUTES_SHARED = "minutes.shared", _("Shared the minutes with parents and youth")
    ACTION_UPDATED = "action.updated", _("Changed an action")
    ACTION_REMINDED = "action.reminded", _("Sent an action reminder")
    STATEMENT_ADDED = "statement.added", _("Added an own statement")
    DOCUMENT_REQUESTED = "document.requested", _("Asked for a PDF")
    DOCUMENT_GENERATED = "document.generated", _("Made a PDF")
    DOCUMENT_DOWNLOADED = "document.downloaded", _("Downloaded a PDF")
    SHARE_ADDED = "share.added", _("Shared data in a case")
    SHARE_RECTIFIED = "share.rectified", _("Corrected shared data")
    SHARE_DELETED = "share.deleted", _("Deleted shared data")
    SHARE_WITHHELD = "share.withheld", _("Marked shared data as not to be provided")
    SHARE_RELEASED = "share.released", _("Provided data that was withheld")


class Outcome(models.TextChoices):
    """Whether the access was allowed (NEN 7513 EventOutcomeIndicator)."""

    ALLOWED = "allowed", _("Allowed")
    DENIED = "denied", _("Denied")
