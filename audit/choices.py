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
    # The FG's workbench (issue 5): reading, searching, reviewing and exporting the log.
    AUDIT_SEARCHED = "audit.searched", _("Searched the access log")
    AUDIT_TIMELINE = "audit.timeline", _("Viewed a timeline in the access log")
    AUDIT_REVIEWED = "audit.reviewed", _("Reviewed an access event")
    AUDIT_EXPORTED = "audit.exported", _("Exported part of the access log")
    AUDIT_VERIFIED = "audit.verified", _("Verified the seals of the access log")
    AUDIT_EXPIRED = "audit.expired", _("Removed access events past their retention")
    # Consent, the portal and rights requests (issue 6).
    CONSENT_REQUESTED = "consent.requested", _("Asked for consent")
    CONSENT_VIEWED = "consent.viewed", _("Viewed a consent")
    CONSENT_GIVEN = "consent.given", _("Gave consent")
    CONSENT_DECLINED = "consent.declined", _("Refused consent")
    CONSENT_WITHDRAWN = "consent.withdrawn", _("Withdrew consent")
    CONSENT_RECONFIRMED = "consent.reconfirmed", _("Confirmed consent at 16")
    CONSENT_FLAGGED = "consent.flagged", _("Consent to be confirmed by the youth (16)")
    CONSENT_EXPIRED = "consent.expired", _("Consent expired")
    INCAPACITY_RECORDED = "incapacity.recorded", _("Recorded that a youth cannot judge")
    INCAPACITY_ENDED = "incapacity.ended", _("Ended a judgement that a youth cannot judge")
    PARENT_ACCESS_GIVEN = "parent_access.given", _("Allowed a parent to see")
    PARENT_ACCESS_WITHDRAWN = "parent_access.withdrawn", _("No longer allowed a parent to see")
    ADULTHOOD_APPLIED = "youth.adult", _("Youth turned 18: parents no longer see by default")
    REQUEST_FILED = "request.filed", _("Filed a rights request")
    REQUEST_VIEWED = "request.viewed", _("Viewed a rights request")
    REQUEST_LISTED = "request.listed", _("Listed rights requests")
    REQUEST_UPDATED = "request.updated", _("Handled a rights request")
    REQUEST_CLOSED = "request.closed", _("Answered a rights request")
    REQUEST_REMINDED = "request.reminded", _("Sent a rights request reminder")
    ACCOUNT_INVITED = "account.invited", _("Invited a parent or youth to the portal")
    ACCOUNT_ACTIVATED = "account.activated", _("Activated a portal account")
    SECOND_FACTOR_FAILED = "auth.second_factor_failed", _("Wrong second-factor code")
    # Workplace authentication (issue 7, docs/authentication.md).
    LOCKED_OUT = "auth.locked_out", _("Login blocked after failed attempts")
    SECOND_FACTOR_ENROLLED = "auth.second_factor_enrolled", _("Set up a second factor")
    RECOVERY_CODES_RENEWED = "auth.recovery_codes_renewed", _("Made new recovery codes")
    SESSIONS_ENDED = "auth.sessions_ended", _("Ended the sessions of a deactivated account")
    # Breaches (issue 7, SPEC §7.2): the register and the revoke of a mis-shared item.
    INCIDENT_REPORTED = "incident.reported", _("Reported a data breach")
    INCIDENT_LISTED = "incident.listed", _("Listed the data breach register")
    INCIDENT_VIEWED = "incident.viewed", _("Viewed a data breach")
    INCIDENT_UPDATED = "incident.updated", _("Recorded a step of a data breach")
    INCIDENT_ESCALATED = "incident.escalated", _("Escalated a data breach before its deadline")
    INCIDENT_CLOSED = "incident.closed", _("Closed a data breach")
    SHARE_REVOKED = "share.revoked", _("Revoked shared data as mis-shared")
    # Retention (issue 7): the engine's removals, its pages and legal holds.
    RETENTION_VIEWED = "retention.viewed", _("Viewed what retention removes")
    RETENTION_REMOVED = "retention.removed", _("Removed data past its retention period")
    RETENTION_ANONYMISED = "retention.anonymised", _("Anonymised data past its retention period")
    HOLD_PLACED = "hold.placed", _("Placed a legal hold")
    HOLD_ENDED = "hold.ended", _("Ended a legal hold")
    # Covenant governance (issue 7): versions, accession, leaving, the DPIA gate.
    COVENANT_VERSION_ADDED = "covenant.version_added", _("Added a covenant version")
    ACCESSION_UPLOADED = "accession.uploaded", _("Uploaded a signed accession form")
    ACCESSION_APPROVED = "accession.approved", _("Approved an accession")
    ACCESSION_NOTIFIED = "accession.notified", _("Notified the parties of an accession")
    ACCESSION_DOWNLOADED = "accession.downloaded", _("Downloaded a signed accession form")
    PARTY_LEFT = "party.left", _("Recorded that a party leaves the covenant")
    DPIA_RECORDED = "dpia.recorded", _("Recorded a DPIA")
    DPIA_ENDORSED = "dpia.endorsed", _("Recorded a party's DPIA endorsement")
    DPIA_REVIEW_PROMPTED = "dpia.review_prompted", _("A change needs a DPIA review")
    # Confidentiality declaration, management dashboard and register extract (issue 7, decl).
    DECLARATION_ACCEPTED = "declaration.accepted", _("Accepted the confidentiality declaration")
    DASHBOARD_VIEWED = "dashboard.viewed", _("Viewed the management figures")
    DASHBOARD_EXPORTED = "dashboard.exported", _("Exported the annual evaluation figures")
    REGISTER_VIEWED = "register.viewed", _("Viewed a processing register extract")
    REGISTER_EXPORTED = "register.exported", _("Exported a processing register extract")


class Outcome(models.TextChoices):
    """Whether the access was allowed (NEN 7513 EventOutcomeIndicator)."""

    ALLOWED = "allowed", _("Allowed")
    DENIED = "denied", _("Denied")


class ActionKind(models.TextChoices):
    """The kind of access an action is, in the terms of issue 5 and NEN 7513 (docs/audit-log.md).

    Every `Action` belongs to exactly one kind (a test checks it); the FG filters on kinds.
    """

    VIEW = "view", _("View")
    LIST = "list", _("List")
    SEARCH = "search", _("Search")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")
    PRINT = "print", _("Print")
    DOWNLOAD = "download", _("Download")
    LOGIN = "login", _("Login")
    LOGOUT = "logout", _("Logout")
    LOGIN_FAILED = "login_failed", _("Failed login")
    ACCESS_DENIED = "access_denied", _("Access denied")


ACTION_KIND: dict[str, str] = {
    Action.LOGIN: ActionKind.LOGIN,
    Action.LOGOUT: ActionKind.LOGOUT,
    Action.LOGIN_FAILED: ActionKind.LOGIN_FAILED,
    Action.YOUTH_VIEWED: ActionKind.VIEW,
    Action.YOUTH_LISTED: ActionKind.LIST,
    Action.ACCESS_LOG_VIEWED: ActionKind.VIEW,
    Action.REFERENCE_VIEWED: ActionKind.LIST,
    Action.REFERENCE_CREATED: ActionKind.CREATE,
    Action.REFERENCE_UPDATED: ActionKind.UPDATE,
    Action.ACCESS_DENIED: ActionKind.ACCESS_DENIED,
    Action.GRANT_ADDED: ActionKind.CREATE,
    Action.GRANT_REVOKED: ActionKind.DELETE,
    Action.GRANT_EXPIRED: ActionKind.DELETE,
    Action.CASE_OPENED: ActionKind.CREATE,
    Action.CASE_VIEWED: ActionKind.VIEW,
    Action.CASE_LISTED: ActionKind.LIST,
    Action.CASE_UPDATED: ActionKind.UPDATE,
    Action.CASE_ADVANCED: ActionKind.UPDATE,
    Action.CASE_CLOSED: ActionKind.UPDATE,
    Action.CASE_HANDED_OVER: ActionKind.UPDATE,
    Action.PARTICIPANT_ADDED: ActionKind.CREATE,
    Action.PARTICIPANT_UPDATED: ActionKind.UPDATE,
    Action.PARTICIPANT_REMOVED: ActionKind.UPDATE,
    Action.INVITATION_VIEWED: ActionKind.VIEW,
    Action.INVITATION_ANSWERED: ActionKind.UPDATE,
    Action.INVITATION_SENT: ActionKind.CREATE,
    Action.NOTICE_GENERATED: ActionKind.CREATE,
    Action.MEETING_SCHEDULED: ActionKind.CREATE,
    Action.MEETING_RESCHEDULED: ActionKind.UPDATE,
    Action.MEETING_CANCELLED: ActionKind.UPDATE,
    Action.CHECKLIST_UPDATED: ActionKind.UPDATE,
    Action.ATTENDANCE_RECORDED: ActionKind.UPDATE,
    Action.MINUTES_UPDATED: ActionKind.UPDATE,
    Action.MINUTES_ADOPTED: ActionKind.UPDATE,
    Action.MINUTES_SHARED: ActionKind.UPDATE,
    Action.ACTION_UPDATED: ActionKind.UPDATE,
    Action.ACTION_REMINDED: ActionKind.CREATE,
    Action.STATEMENT_ADDED: ActionKind.CREATE,
    Action.DOCUMENT_REQUESTED: ActionKind.PRINT,
    Action.DOCUMENT_GENERATED: ActionKind.PRINT,
    Action.DOCUMENT_DOWNLOADED: ActionKind.DOWNLOAD,
    Action.SHARE_ADDED: ActionKind.CREATE,
    Action.SHARE_RECTIFIED: ActionKind.UPDATE,
    Action.SHARE_DELETED: ActionKind.DELETE,
    Action.SHARE_WITHHELD: ActionKind.UPDATE,
    Action.SHARE_RELEASED: ActionKind.UPDATE,
    Action.AUDIT_SEARCHED: ActionKind.SEARCH,
    Action.AUDIT_TIMELINE: ActionKind.VIEW,
    Action.AUDIT_REVIEWED: ActionKind.CREATE,
    Action.AUDIT_EXPORTED: ActionKind.EXPORT,
    Action.AUDIT_VERIFIED: ActionKind.VIEW,
    Action.AUDIT_EXPIRED: ActionKind.DELETE,
    Action.CONSENT_REQUESTED: ActionKind.CREATE,
    Action.CONSENT_VIEWED: ActionKind.VIEW,
    Action.CONSENT_GIVEN: ActionKind.UPDATE,
    Action.CONSENT_DECLINED: ActionKind.UPDATE,
    Action.CONSENT_WITHDRAWN: ActionKind.UPDATE,
    Action.CONSENT_RECONFIRMED: ActionKind.UPDATE,
    Action.CONSENT_FLAGGED: ActionKind.UPDATE,
    Action.CONSENT_EXPIRED: ActionKind.UPDATE,
    Action.INCAPACITY_RECORDED: ActionKind.CREATE,
    Action.INCAPACITY_ENDED: ActionKind.UPDATE,
    Action.PARENT_ACCESS_GIVEN: ActionKind.CREATE,
    Action.PARENT_ACCESS_WITHDRAWN: ActionKind.UPDATE,
    Action.ADULTHOOD_APPLIED: ActionKind.UPDATE,
    Action.REQUEST_FILED: ActionKind.CREATE,
    Action.REQUEST_VIEWED: ActionKind.VIEW,
    Action.REQUEST_LISTED: ActionKind.LIST,
    Action.REQUEST_UPDATED: ActionKind.UPDATE,
    Action.REQUEST_CLOSED: ActionKind.UPDATE,
    Action.REQUEST_REMINDED: ActionKind.CREATE,
    Action.ACCOUNT_INVITED: ActionKind.CREATE,
    Action.ACCOUNT_ACTIVATED: ActionKind.UPDATE,
    Action.SECOND_FACTOR_FAILED: ActionKind.LOGIN_FAILED,
    Action.LOCKED_OUT: ActionKind.LOGIN_FAILED,
    Action.SECOND_FACTOR_ENROLLED: ActionKind.UPDATE,
    Action.RECOVERY_CODES_RENEWED: ActionKind.UPDATE,
    Action.SESSIONS_ENDED: ActionKind.LOGOUT,
    # Breaches (issue 7).
    Action.INCIDENT_REPORTED: ActionKind.CREATE,
    Action.INCIDENT_LISTED: ActionKind.LIST,
    Action.INCIDENT_VIEWED: ActionKind.VIEW,
    Action.INCIDENT_UPDATED: ActionKind.UPDATE,
    Action.INCIDENT_ESCALATED: ActionKind.CREATE,
    Action.INCIDENT_CLOSED: ActionKind.UPDATE,
    Action.SHARE_REVOKED: ActionKind.UPDATE,
    Action.RETENTION_VIEWED: ActionKind.VIEW,
    Action.RETENTION_REMOVED: ActionKind.DELETE,
    Action.RETENTION_ANONYMISED: ActionKind.UPDATE,
    Action.HOLD_PLACED: ActionKind.CREATE,
    Action.HOLD_ENDED: ActionKind.UPDATE,
    # Covenant governance (issue 7).
    Action.COVENANT_VERSION_ADDED: ActionKind.CREATE,
    Action.ACCESSION_UPLOADED: ActionKind.CREATE,
    Action.ACCESSION_APPROVED: ActionKind.UPDATE,
    Action.ACCESSION_NOTIFIED: ActionKind.CREATE,
    Action.ACCESSION_DOWNLOADED: ActionKind.DOWNLOAD,
    Action.PARTY_LEFT: ActionKind.UPDATE,
    Action.DPIA_RECORDED: ActionKind.CREATE,
    Action.DPIA_ENDORSED: ActionKind.CREATE,
    Action.DPIA_REVIEW_PROMPTED: ActionKind.CREATE,
    # Issue 7 (decl).
    Action.DECLARATION_ACCEPTED: ActionKind.CREATE,
    Action.DASHBOARD_VIEWED: ActionKind.VIEW,
    Action.DASHBOARD_EXPORTED: ActionKind.EXPORT,
    Action.REGISTER_VIEWED: ActionKind.VIEW,
    Action.REGISTER_EXPORTED: ActionKind.EXPORT,
}

# NEN 7513 / DICOM EventActionCode: Create, Read, Update, Delete, Execute.
KIND_ACTION_CODE: dict[str, str] = {
    ActionKind.VIEW: "R",
    ActionKind.LIST: "R",
    ActionKind.SEARCH: "R",
    ActionKind.CREATE: "C",
    ActionKind.UPDATE: "U",
    ActionKind.DELETE: "D",
    ActionKind.EXPORT: "R",
    ActionKind.PRINT: "R",
    ActionKind.DOWNLOAD: "R",
    ActionKind.LOGIN: "E",
    ActionKind.LOGOUT: "E",
    ActionKind.LOGIN_FAILED: "E",
    ActionKind.ACCESS_DENIED: "E",
}


def actions_of_kind(kind: str) -> list[str]:
    """The actions of one kind, for filtering on it in SQL."""
    return [action for action, action_kind in ACTION_KIND.items() if action_kind == kind]


class Finding(models.TextChoices):
    """What the FG concluded after looking at an access event."""

    IN_ORDER = "in_order", _("In order")
    ASK = "ask", _("Ask the employee about it")
    INCIDENT = "incident", _("Possible data breach")
