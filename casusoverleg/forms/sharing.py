"""Forms of sharing data in a case: share an item, correct it, mark it "niet verstrekken".

Every choice comes from the sharing rules (`casusoverleg.sharing`): only the categories of the
consultation type the author may share (R-5-1, R-7-1, R-T-2), only the legal bases of the
author's party and capacity (R-4-2), only the professionals at the table as readers. The
service checks every value again (`sharing.check_share`), and its refusals are put next to these
fields by name: category, kind, text, legal_basis, recipients, withhold_reason, reason.
"""

from itertools import groupby
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casusoverleg.choices import EntryKind
from casusoverleg.forms.minutes import participant_label
from casusoverleg.models import Case, Participant, SharedItem
from casusoverleg.sharing import (
    basis_choices,
    category_choices,
    has_professional_secrecy,
    recipient_choices,
)
from convenant.choices import DataClass
from convenant.models import DataCategory, LegalBasis
from core.forms import MinimisationFormMixin, NLDSFormMixin
from parties.models import User

AUDIENCE_ALL = "all"
AUDIENCE_CHOSEN = "chosen"

# The headings of the legal bases grouped by the class of data they carry (SPEC R-4-1).
BASIS_GROUPS = {
    DataClass.ORDINARY: _("Ordinary data"),
    DataClass.SPECIAL_HEALTH: _("Special data (health)"),
}


class CategoryChoiceField(forms.ModelChoiceField):
    """A data category as the covenant names it: 'C2 — Onderwijsgegevens'."""

    def label_from_instance(self, obj: DataCategory) -> str:
        return f"{obj.code} — {obj.name}"


def basis_label(basis: LegalBasis) -> str:
    """A legal basis with the statute it rests on, so the sharer sees the law, not a code."""
    return f"{basis.label} ({basis.statute_reference})"


def grouped_bases(bases: list[LegalBasis]) -> list[tuple[Any, Any]]:
    """The bases as <optgroup>s by data class, after an empty first choice."""
    choices: list[tuple[Any, Any]] = [("", "—")]
    for data_class, group in groupby(bases, key=lambda b: b.data_class):
        heading = BASIS_GROUPS.get(data_class, DataClass(data_class).label)
        choices.append((heading, [(b.pk, basis_label(b)) for b in group]))
    return choices


class AudienceFieldsMixin(forms.Form):
    """Who reads an item: everyone at the table, or only the chosen professionals (R-8-2)."""

    audience = forms.ChoiceField(
        label=_("Who may read it"),
        choices=[
            (AUDIENCE_ALL, _("Everyone at the table")),
            (AUDIENCE_CHOSEN, _("Only the people I choose")),
        ],
        initial=AUDIENCE_ALL,
        widget=forms.RadioSelect,
        help_text=_(
            "Share only with the people who need it for their task. Your own organisation "
            "always reads what it shares."
        ),
    )
    recipients = forms.MultipleChoiceField(
        label=_("Only for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick the readers if you chose 'only the people I choose' above. Only professionals "
            "at the table who accepted the invitation are listed."
        ),
    )

    def _set_recipient_choices(self, seated: list[Participant], case: Case) -> None:
        """The seated professionals by uuid; `clean_recipients` turns them back into rows."""
        self._seated = {str(p.uuid): p for p in seated}
        self.fields["recipients"].choices = [
            (key, participant_label(p, case=case)) for key, p in self._seated.items()
        ]

    def clean_recipients(self) -> list[Participant]:
        """The chosen participants themselves (the field already refused unknown values)."""
        return [self._seated[key] for key in self.cleaned_data.get("recipients", [])]

    @property
    def audience_all(self) -> bool:
        """Whether the (valid) form shares with everyone at the table."""
        return self.cleaned_data.get("audience") == AUDIENCE_ALL

    @property
    def chosen_recipients(self) -> list[Participant]:
        """The chosen readers; none when shared with everyone."""
        return [] if self.audience_all else self.cleaned_data.get("recipients", [])


class ShareForm(MinimisationFormMixin, NLDSFormMixin, AudienceFieldsMixin):
    """Share one item in a case (SPEC R-2-3, R-5-1, R-7-1, R-8-1, R-6-3)."""

    minimised_fields = ("text",)

    category = CategoryChoiceField(
        label=_("What kind of data"),
        queryset=DataCategory.objects.none(),
        empty_label="—",
        help_text=_("Only the kinds of data this type of consultation may discuss."),
    )
    kind = forms.ChoiceField(
        label=_("Fact, opinion or agreement"),
        choices=EntryKind.choices,
        widget=forms.RadioSelect,
        help_text=_("A fact can be checked; an opinion is what you think; an agreement was made."),
    )
    text = forms.CharField(
        label=_("What you share"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )
    legal_basis = forms.ModelChoiceField(
        label=_("Legal basis (grondslag)"),
        queryset=LegalBasis.objects.none(),
        help_text=_("The law on which your organisation shares this. The covenant is no basis."),
    )
    field_order = ["category", "kind", "text", "legal_basis", "audience", "recipients"]

    def __init__(self, *args: Any, case: Case, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = category_choices(case=case, author=user)
        bases = list(basis_choices(author=user))
        self.fields["legal_basis"].queryset = basis_choices(author=user)
        self.fields["legal_basis"].choices = grouped_bases(bases)
        self._set_recipient_choices(recipient_choices(case=case, author=user), case)
        if has_professional_secrecy(user):
            self._add_withhold_fields()

    def _add_withhold_fields(self) -> None:
        """Jeugdwet 7.3.11 lid 3 (R-6-3): record it, but do not provide it to the others."""
        self.fields["withhold"] = forms.BooleanField(
            label=_("Do not provide (niet verstrekken)"),
            required=False,
            help_text=_(
                "Only your own organisation will read it. Use this when providing it would "
                "harm the youth (Jeugdwet art. 7.3.11 lid 3)."
            ),
            widget=forms.CheckboxInput(
                attrs={"class": "utrecht-checkbox utrecht-checkbox--html-input"}
            ),
        )
        self.fields["withhold_reason"] = forms.CharField(
            label=_("Why you do not provide it"),
            required=False,
            max_length=300,
            help_text=_("Fill this in only when you tick 'niet verstrekken'."),
            widget=forms.TextInput(attrs={"class": "utrecht-textbox utrecht-textbox--html-input"}),
        )

    def clean(self) -> dict[str, Any]:
        """Not providing needs a reason (R-6-3)."""
        data = super().clean()
        if data.get("withhold") and not data.get("withhold_reason", "").strip():
            self.add_error("withhold_reason", _("Give the reason for not providing it."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned values in the shape `services.shared_item_add` takes."""
        data = self.cleaned_data
        return {
            "category": data["category"],
            "kind": data["kind"],
            "text": data["text"],
            "legal_basis": data["legal_basis"],
            "audience_all": self.audience_all,
            "recipients": self.chosen_recipients,
            "withhold_reason": data.get("withhold_reason", "") if data.get("withhold") else "",
        }


class RectifyForm(MinimisationFormMixin, NLDSFormMixin, AudienceFieldsMixin):
    """Correct an item of one's own party or change who reads it (SPEC R-8-2)."""

    minimised_fields = ("text",)

    kind = ShareForm.base_fields["kind"]
    text = ShareForm.base_fields["text"]
    field_order = ["kind", "text", "audience", "recipients"]

    def __init__(self, *args: Any, item: SharedItem, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "kind": item.kind,
                "text": item.text,
                "audience": AUDIENCE_ALL if item.audience_all else AUDIENCE_CHOSEN,
                "recipients": [str(p.uuid) for p in item.recipients.all()],
            },
        )
        super().__init__(*args, **kwargs)
        # The readers are checked on the rules of the item's author and basis, as when shared.
        self._set_recipient_choices(
            recipient_choices(case=item.case, author=item.author), item.case
        )

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned values in the shape `services.shared_item_rectify` takes."""
        return {
            "kind": self.cleaned_data["kind"],
            "text": self.cleaned_data["text"],
            "audience_all": self.audience_all,
            "recipients": self.chosen_recipients,
        }


class WithholdForm(MinimisationFormMixin, NLDSFormMixin, forms.Form):
    """Mark an item "niet verstrekken" (Jeugdwet 7.3.11 lid 3, SPEC R-6-3)."""

    minimised_fields = ("reason",)

    reason = forms.CharField(
        label=_("Why you do not provide it"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For your own organisation's file. The others are told the item was withdrawn, not why."
        ),
        error_messages={"required": _("Give the reason for not providing it.")},
    )


class RevokeForm(MinimisationFormMixin, NLDSFormMixin, forms.Form):
    """Revoke a mis-shared item (SPEC R-BREACH-6): one optional note for the FG."""

    minimised_fields = ("note",)

    note = forms.CharField(
        label=_("What went wrong? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: shared in the wrong case, or with the wrong readers."),
    )
