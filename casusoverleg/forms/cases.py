"""Forms of the case pages: opening a case, participants, meetings, handover and PDFs.

Every choice field is scoped through a selector or the case itself; the services check again.
"""

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casusoverleg.choices import DocumentKind, ParticipantKind, Response, TargetGroup
from casusoverleg.models import Case, Participant
from convenant.choices import ConsultationRoleCode
from convenant.models import ConsultationType
from core.forms import MinimisationFormMixin, NLDSFormMixin
from core.minimisation import MINIMISATION_HINT
from parties.models import User, Youth

FAMILY_ROLES = (ConsultationRoleCode.PARENTS, ConsultationRoleCode.YOUTH)


class DateInput(forms.DateInput):
    """A native date picker (keyboard-usable, localised by the browser)."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    """A native time picker."""

    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class YouthChoiceField(forms.ModelChoiceField):
    """A youth, labelled with name and date of birth so that namesakes can be told apart."""

    def label_from_instance(self, obj: Youth) -> str:
        return f"{obj.given_name} {obj.family_name} ({obj.date_of_birth:%d-%m-%Y})"


def _clean_dates(form: forms.Form, data: dict[str, Any]) -> None:
    """A thuiszitter case counts days without education, so it needs the first day."""
    if data.get("target_group") == TargetGroup.HOME_SITTER and not data.get(
        "out_of_education_since"
    ):
        form.add_error("out_of_education_since", _("Enter the first day without education."))
    since = data.get("out_of_education_since")
    if since and since > timezone.localdate():
        form.add_error("out_of_education_since", _("This date lies in the future."))


class CaseOpenForm(MinimisationFormMixin, NLDSFormMixin, forms.Form):
    """Open a Casusoverleg: youth, type, purpose specification and doelgroep (R-0-1, R-3-1)."""

    minimised_fields = ("purpose_specification",)

    consultation_type = forms.ModelChoiceField(
        label=_("Type of consultation"),
        queryset=ConsultationType.objects.filter(enabled=True).select_related("purpose"),
        help_text=_("The type decides who sits at the table and which data may be discussed."),
    )
    youth = YouthChoiceField(
        label=_("Youth"),
        queryset=Youth.objects.none(),
        required=False,
        help_text=_("Leave empty only for an anonymous consultation."),
    )
    target_group = forms.ChoiceField(
        label=_("Target group"), choices=TargetGroup.choices, widget=forms.RadioSelect
    )
    coordinator_role = forms.ChoiceField(
        label=_("Your role at the table"),
        choices=[
            ("", "—"),
            *[
                (value, label)
                for value, label in ConsultationRoleCode.choices
                if value not in (*FAMILY_ROLES, ConsultationRoleCode.ANY)
            ],
        ],
        required=False,
        help_text=_("Counts for the roles this type of consultation requires."),
    )
    purpose_specification = forms.CharField(
        label=_("Purpose in this case"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=MINIMISATION_HINT,
        max_length=2000,
    )
    out_of_education_since = forms.DateField(
        label=_("Without education since"),
        required=False,
        widget=DateInput(),
        help_text=_("Only for a thuiszitter: the first day without education."),
    )

    def __init__(self, *args: Any, youths: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["youth"].queryset = youths
        self.fields["consultation_type"].label_from_instance = lambda t: (
            f"{t.name} — {t.purpose.name}"
        )

    def clean(self) -> dict[str, Any]:
        """A thuiszitter case needs its first day without education (not in the future)."""
        data = super().clean()
        _clean_dates(self, data)
        return data


class CaseEditForm(MinimisationFormMixin, NLDSFormMixin, forms.Form):
    """Change the purpose specification, doelgroep and thuiszitter date of an open case."""

    minimised_fields = ("purpose_specification",)

    target_group = CaseOpenForm.base_fields["target_group"]
    purpose_specification = CaseOpenForm.base_fields["purpose_specification"]
    out_of_education_since = CaseOpenForm.base_fields["out_of_education_since"]

    def clean(self) -> dict[str, Any]:
        """As when opening: a thuiszitter case needs its first day without education.

        (It used to borrow CaseOpenForm.clean, whose zero-argument super() fails on this class.)
        """
        data = super().clean()
        _clean_dates(self, data)
        return data


class ProfessionalChoiceField(forms.ModelChoiceField):
    """A professional, labelled with organisation and function (never a youth)."""

    def label_from_instance(self, obj: User) -> str:
        professional = obj.professional
        return f"{obj.get_full_name()} — {professional.organisation.name} ({professional.function})"


class ParticipantAddForm(NLDSFormMixin, forms.Form):
    """Invite a professional in a role of the consultation type (need to know, R-P-3)."""

    user = ProfessionalChoiceField(label=_("Professional"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role at the table"))

    def __init__(self, *args: Any, case: Case, professionals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = professionals
        type_roles = [
            (r.role, f"{r.get_role_display()}{' *' if r.required else ''}")
            for r in case.consultation_type.roles.all()
            if r.role not in FAMILY_ROLES and r.role != ConsultationRoleCode.ANY
        ]
        if not type_roles:
            type_roles = [
                (value, label)
                for value, label in ConsultationRoleCode.choices
                if value not in (*FAMILY_ROLES, ConsultationRoleCode.ANY)
            ]
        self.fields["role"].choices = [("", "—"), *type_roles]
        self.fields["role"].help_text = _("* a role this type of consultation requires.")


class FamilyInvitationForm(NLDSFormMixin, forms.Form):
    """Decide whether a parent or the youth is invited; not inviting needs a reason (inv. 6)."""

    is_invited = forms.TypedChoiceField(
        label=_("Invite"),
        choices=[("yes", _("Yes, invite")), ("no", _("No, do not invite"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for not inviting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )
    youth_objected = forms.BooleanField(
        label=_("The youth (16 or 17) objects to inviting this parent"), required=False
    )

    def __init__(self, *args: Any, participant: Participant, may_object: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if participant.kind != ParticipantKind.PARENT or not may_object:
            del self.fields["youth_objected"]

    def clean(self) -> dict[str, Any]:
        """The reason is required when not inviting: the decision must be explainable."""
        data = super().clean()
        if data.get("is_invited") is False and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for not inviting."))
        return data


DURATIONS = [(30, "30 min"), (45, "45 min"), (60, "1 uur"), (90, "1,5 uur"), (120, "2 uur")]


class MeetingForm(NLDSFormMixin, forms.Form):
    """Date, time, duration, place or video link and agenda of the meeting."""

    day = forms.DateField(label=_("Date"), widget=DateInput())
    start = forms.TimeField(label=_("Start time"), widget=TimeInput())
    duration_minutes = forms.TypedChoiceField(
        label=_("Duration"), choices=DURATIONS, coerce=int, initial=60
    )
    location = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=300,
        help_text=_("The place goes into every invitation e-mail: never a family's home address."),
    )
    video_url = forms.URLField(
        label=_("Video link"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("For example a link to the video meeting of your organisation."),
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("Topics only; no personal details of the youth or others."),
    )
    confirm_conflicts = forms.BooleanField(
        label=_("Schedule anyway, although someone already has a meeting then"),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        """A place or a video link; the moment is combined in Europe/Amsterdam."""
        data = super().clean()
        if not ((data.get("location") or "").strip() or (data.get("video_url") or "").strip()):
            self.add_error("location", _("Enter a place or a video link."))
        if data.get("day") and data.get("start"):
            data["starts_at"] = timezone.make_aware(
                datetime.combine(data["day"], data["start"]), timezone.get_current_timezone()
            )
        return data

    @classmethod
    def initial_for(cls, meeting: Any) -> dict[str, Any]:
        """The form's values for an existing meeting, in local time."""
        if meeting is None:
            return {"start": time(9, 0)}
        local = timezone.localtime(meeting.starts_at)
        return {
            "day": local.date(),
            "start": local.time(),
            "duration_minutes": meeting.duration_minutes,
            "location": meeting.location,
            "video_url": meeting.video_url,
            "agenda": meeting.agenda,
        }


class CancelForm(NLDSFormMixin, forms.Form):
    """Why the meeting is cancelled; kept in the case, never put in the e-mail (R-10-3)."""

    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300)


class HandoverForm(NLDSFormMixin, forms.Form):
    """Hand the case to another procesregisseur at the table (R-PR-1)."""

    to_user = ProfessionalChoiceField(label=_("New procesregisseur"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = User.objects.filter(
            participations__case=case,
            participations__kind=ParticipantKind.PROFESSIONAL,
            participations__left_at__isnull=True,
            participations__response=Response.ACCEPTED,
        ).select_related("professional__organisation")


class DocumentRequestForm(NLDSFormMixin, forms.Form):
    """Which PDF to make."""

    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
