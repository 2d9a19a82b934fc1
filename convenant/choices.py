"""Closed lists of the convenant app (SPEC §3–§7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataClass(models.TextChoices):
    """The class of a data category; decides which legal bases can carry it (SPEC R-4-1)."""

    ORDINARY = "ordinary", _("Ordinary")
    SPECIAL_HEALTH = "special_health", _("Special (health)")
    CRIMINAL = "criminal", _("Criminal")
    NATIONAL_ID = "national_id", _("National identifier (BSN)")
    ANONYMOUS = "anonymous", _("Anonymous (aggregated)")
    MIXED = "mixed", _("Mixed (highest class of its content)")


class ConsultationRoleCode(models.TextChoices):
    """Roles at the table of a Casusoverleg (SPEC §5.1)."""

    PARENTS = "ouders", _("Parents with authority")
    YOUTH = "jongere", _("Youth")
    TEACHER_MENTOR = "leerkracht_mentor", _("Teacher / mentor")
    CARE_COORDINATOR = "ib_zorgcoordinator", _("Intern begeleider / zorgcoördinator")
    SWV_CONSULTANT = "swv_consultant", _("SWV consultant")
    YOUTH_DOCTOR = "jeugdarts", _("Youth doctor / youth nurse (JGZ)")
    SCHOOL_SOCIAL_WORK = "smw_wijkteam", _("School social work / wijkteam")
    NEIGHBOURHOOD_TEAM = "wijkteam_jeugdhulp", _("Wijkteam / youth care")
    ATTENDANCE_OFFICER = "leerplicht", _("Leerplichtambtenaar")
    BEHAVIOUR_SPECIALIST = "gedragsdeskundige", _("Behaviour specialist / orthopedagoog")
    INTERPRETER = "tolk", _("Interpreter")
    COMMUNITY_POLICE = "wijkagent", _("Community police officer")
    ABSENCE_COORDINATOR = "verzuimcoordinator", _("Absence coordinator / mentor")
    SCHOOL_BOARD = "schoolbestuur", _("School (board) of enrolment")
    SWV = "swv", _("Samenwerkingsverband")
    MUNICIPALITY = "gemeente", _("Municipality (youth / leerplicht)")
    YOUTH_CARE = "jeugdhulp", _("Youth care")
    MENTAL_HEALTH = "ggz", _("GGZ")
    EDUCATION_CARE_PROVIDER = "onderwijszorgaanbieder", _("Education-care provider")
    SCHOOL_PROFESSIONAL = "school", _("School (IB / zorgcoördinator / mentor)")
    YOUTH_PROFESSIONAL = "jeugdprofessional", _("Youth professional")
    MUNICIPAL_COORDINATOR = "gemeente_coordinator", _("Municipal coordinator")
    PARTNERS = "partners", _("Partners")
    ANY = "any", _("Any participant")


class Transition(models.TextChoices):
    """The case states a checklist item gates (SPEC R-PR-2); the state machine comes with cases."""

    PREPARED = "voorbereid", _("Prepared")
    SCHEDULED = "gepland", _("Scheduled")
    HELD = "gehouden", _("Held")
    MINUTES_ADOPTED = "verslag_vastgesteld", _("Minutes adopted")
    CLOSED = "afgesloten", _("Closed")


class ChecklistPhase(models.TextChoices):
    """When a checklist item applies (SPEC §5.3)."""

    BEFORE = "before", _("Before")
    DURING = "during", _("During")
    AFTER = "after", _("After")


class RetentionTrigger(models.TextChoices):
    """The event a retention period counts from (SPEC R-9-2)."""

    CASE_CLOSED = "casus_closed", _("Case closed")
    PUPIL_LEFT_SCHOOL = "pupil_left_school", _("Pupil left school")
    PUPIL_DEREGISTERED = "pupil_deregistered", _("Pupil deregistered")
    LAST_CHANGE = "last_change", _("Last change")
    MEETING_DATE = "meeting_date", _("Meeting date")
    ARRANGEMENT_ENDED = "arrangement_ended", _("End of TLV / arrangement")
    HANDLED = "handled", _("Handled")
    DATA_DELETED = "data_deleted", _("Data it legitimises deleted")
    EVENT = "event", _("Event")
    CLOSED = "closed", _("Closure")


class RetentionAction(models.TextChoices):
    """What happens when the period has passed (SPEC R-9-1)."""

    DELETE = "delete", _("Delete")
    ANONYMISE = "anonymise", _("Anonymise")


class CovenantPartyStatus(models.TextChoices):
    """How an organisation became party (SPEC §3.0)."""

    SIGNATORY = "signatory", _("Signatory")
    MANDATED = "mandated", _("Represented by the SWV (volmacht)")
    ACCEDED = "acceded", _("Acceded (toetredingsformulier)")


class RiskAssessment(models.TextChoices):
    """The FG's assessment of a data breach's risk to the people concerned (AVG art. 33, 34)."""

    NONE = "none", _("No risk: register only")
    RISK = "risk", _("Risk: notify the Autoriteit Persoonsgegevens")
    HIGH_RISK = "high_risk", _("High risk: notify the AP and the people concerned")


class SubjectsException(models.TextChoices):
    """The grounds of AVG art. 34(3) on which the people concerned need not be told."""

    ENCRYPTED = "encrypted", _("The data was unintelligible to others, e.g. encrypted (34(3)(a))")
    MITIGATED = "mitigated", _("Measures taken since make the high risk unlikely (34(3)(b))")
    DISPROPORTIONATE = (
        "disproportionate",
        _(
            "Telling each person would take disproportionate effort; a public notice instead "
            "(34(3)(c))"
        ),
    )


# --- Covenant governance (issue 7) ----------------------------------------------------------


class ResidualRisk(models.TextChoices):
    """The residual risk a DPIA concludes with (AVG art. 35; R-DPIA-1)."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class EndorsementKind(models.TextChoices):
    """How a party that is not a controller of the DPIA made it its own (R-DPIA-1)."""

    ADOPTED = "adopted", _("Adopted")
    ENDORSED = "endorsed", _("Endorsed")


class DPIAReviewTrigger(models.TextChoices):
    """Changes after which the DPIA must be reviewed again (R-DPIA-2)."""

    CONSULTATION_TYPE = "consultation_type", _("New consultation type")
    DATA_CATEGORY = "data_category", _("New data category")
    PARTY_TYPE = "party_type", _("New party type")
    WAMS = "wams", _("Wams enabled")
    HOSTING = "hosting", _("Hosting party changed")
