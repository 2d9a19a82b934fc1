"""Forms of holding the meeting and writing the minutes: attendance, hoorrecht, entries, actions.

Choices come from the case the user already sees (its participants, the parties at the table);
the services check every value again, so a forged choice is refused twice.
"""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casusoverleg.choices import EntryKind, ParticipantKind
from casusoverleg.forms.cases import DateInput
from casusoverleg.models import Attendance, Case, Participant
from core.forms import MinimisationFormMixin, NLDSFormMixin
from core.minimisation import MINIMISATION_HINT

PRESENT = "present"
ABSENT = "absent"
TEXTBOX_CLASS = "utrecht-textbox utrecht-textbox--html-input"


def participant_label(participant: Participant, *, case: Case) -> str:
    """'Name — organisation (role)' for a professional, 'Name (parent/youth)' for the family.

    `case` is passed in so that labelling a list costs no query per participant.
    """
    if participant.kind == ParticipantKind.PARENT and participant.guardian_id:
        name = str(participant.guardian)
    elif participant.kind == ParticipantKind.YOUTH and case.youth_id:
        name = str(case.youth)
    elif participant.user_id:
        name = str(participant.user)
    else:
        name = str(participant.get_kind_display())
    if participant.kind == ParticipantKind.PROFESSIONAL:
        organisation = participant.organisation.name if participant.organisation_id else ""
        return f"{name} — {organisation} ({participant.get_role_display()})"
    return f"{name} ({participant.get_kind_display()})"


class AttendanceForm(NLDSFormMixin, forms.Form):
    """Per invited participant: present or absent, and why absent (SPEC §5.3 'during').

    The fields are named `present_<uuid>` and `reason_<uuid>`, the names the service uses for
    its errors, so a missing reason lands next to that participant's field (invariant 9).
    """

    def __init__(
        self,
        *args: Any,
        participants: list[Participant],
        case: Case,
        recorded: dict[int, Attendance] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.participants = participants
        self.case = case
        recorded = recorded or {}
        for participant in participants:
            attendance = recorded.get(participant.pk)
            self.fields[f"present_{participant.uuid}"] = forms.ChoiceField(
                label=_("Attendance"),
                choices=[(PRESENT, _("Present")), (ABSENT, _("Absent"))],
                widget=forms.RadioSelect,
                initial=(PRESENT if attendance.present else ABSENT) if attendance else None,
            )
            self.fields[f"reason_{participant.uuid}"] = forms.CharField(
                label=_("Reason for absence"),
                required=False,
                max_length=300,
                # Added after the mixin styled the declared fields, so styled here.
                widget=forms.TextInput(attrs={"class": TEXTBOX_CLASS}),
                help_text=_("Required when absent. Only what is needed, no details."),
                initial=attendance.absence_reason if attendance else "",
            )

    def rows(self) -> list[dict[str, Any]]:
        """One row per participant: who, and their two bound fields, for the template."""
        return [
            {
                "participant": participant,
                "label": participant_label(participant, case=self.case),
                "present": self[f"present_{participant.uuid}"],
                "reason": self[f"reason_{participant.uuid}"],
            }
            for participant in self.participants
        ]

    def entries(self) -> list[tuple[Participant, bool, str]]:
        """The cleaned answers in the shape `attendance_record` takes."""
        return [
            (
                participant,
                self.cleaned_data[f"present_{participant.uuid}"] == PRESENT,
                self.cleaned_data.get(f"reason_{participant.uuid}", ""),
            )
            for participant in self.participants
        ]


class HearingForm(NLDSFormMixin, forms.Form):
    """How a child under 12 was heard, or why that was not possible (SPEC R-AGE-3)."""

    hearing_note = forms.CharField(
        label=_("How the child's view was heard"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=MINIMISATION_HINT,
    )
    not_possible_reason = forms.CharField(
        label=_("Why the child could not be heard"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Fill this in only when hearing the child was not possible."),
    )


class MinutesEntryForm(MinimisationFormMixin, NLDSFormMixin, forms.Form):
    """One fact, opinion or agreement, owned by a party at the table (SPEC R-8-1, R-2-1, R-7-1).

    The text is checked for BSN-like numbers (R-5-3).
    """

    minimised_fields = ("text",)

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=EntryKind.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=MINIMISATION_HINT,
    )
    owner = forms.ModelChoiceField(
        label=_("Owner party"),
        queryset=None,
        to_field_name="uuid",
        help_text=_("The party that provided this information and answers for it."),
    )

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class ActionForm(NLDSFormMixin, forms.Form):
    """An action agreed at the table: what, who (someone at the table with an account), by when."""

    description = forms.CharField(label=_("What"), max_length=500, help_text=MINIMISATION_HINT)
    assignee = forms.ChoiceField(label=_("Who"))
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())

    def __init__(self, *args: Any, assignees: list[Participant], case: Case, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._assignees = {str(p.uuid): p for p in assignees}
        self.fields["assignee"].choices = [
            ("", "—"),
            *((key, participant_label(p, case=case)) for key, p in self._assignees.items()),
        ]

    def clean_assignee(self) -> Participant:
        """The chosen participant itself (the ChoiceField already refused unknown values)."""
        return self._assignees[self.cleaned_data["assignee"]]


class FollowUpForm(NLDSFormMixin, forms.Form):
    """The follow-up or evaluation date of the case (SPEC §5.3 'after')."""

    follow_up_on = forms.DateField(label=_("Follow-up or evaluation date"), widget=DateInput())

    @classmethod
    def initial_for(cls, follow_up_on: date | None) -> dict[str, Any]:
        """The form's value for the date already set."""
        return {"follow_up_on": follow_up_on} if follow_up_on else {}
