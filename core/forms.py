"""Form helpers: NL Design System widget classes, accessible error wiring and the data
minimisation checks of free text (SPEC R-5-3, R-7-1)."""

from typing import Any

from django import forms
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.minimisation import MINIMISATION_HINT, bsn_like_numbers

_WIDGET_CLASSES = {
    forms.CheckboxInput: "utrecht-checkbox utrecht-checkbox--html-input",
    forms.Textarea: "utrecht-textarea utrecht-textarea--html-textarea",
    forms.Select: "utrecht-select utrecht-select--html-select",
    forms.SelectMultiple: "utrecht-select utrecht-select--html-select",
    forms.CheckboxSelectMultiple: "",
    forms.RadioSelect: "",
    forms.ClearableFileInput: "utrecht-textbox utrecht-textbox--html-input",
}


# PostgreSQL's bigint, the widest integer key of the project (BigAutoField).
_BIGINT = 2**63


def _fits_bigint(value: Any) -> bool:
    """True unless `value` is a whole number outside the database's integer range."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return True  # not a number at all: Django's own validation answers it
    return -_BIGINT <= number < _BIGINT


def _refuse_choice(field: forms.ModelChoiceField) -> Any:
    def clean(value: Any) -> Any:
        raise forms.ValidationError(
            field.error_messages["invalid_choice"], code="invalid_choice", params={"value": "…"}
        )

    return clean


class NLDSFormMixin:
    """Gives every widget its Utrecht class and marks invalid fields for assistive technology.

    Django links help text with aria-describedby; this adds aria-invalid and links the error
    message too (WCAG 3.3.1), so the message next to the field is read with it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            css = next(
                (c for kind, c in _WIDGET_CLASSES.items() if type(widget) is kind),
                "utrecht-textbox utrecht-textbox--html-input",
            )
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        """Add the error and mark the field, also for errors a service raises after validation."""
        super().add_error(field, error)  # type: ignore[misc]
        self._mark_invalid()

    def full_clean(self) -> None:
        self._refuse_keys_out_of_range()
        super().full_clean()  # type: ignore[misc]
        self._mark_invalid()

    def _refuse_keys_out_of_range(self) -> None:
        """A choice of a row by a number too large for the database's integer is refused as an
        unknown choice before any query (SQLite raises OverflowError, PostgreSQL an error that
        would end the request as a 500; invariant 9)."""
        if not getattr(self, "is_bound", False):
            return
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            if not isinstance(field, forms.ModelChoiceField):
                continue
            model = field.queryset.model
            key = field.to_field_name
            column = model._meta.pk if not key or key == "pk" else model._meta.get_field(key)
            if not isinstance(column, models.IntegerField | models.AutoField):
                continue
            widget_name = self.add_prefix(name)  # type: ignore[attr-defined]
            data = self.data  # type: ignore[attr-defined]
            if hasattr(data, "getlist"):
                values = data.getlist(widget_name)
            else:
                values = [data.get(widget_name)]
            if any(not _fits_bigint(value) for value in values):
                field.clean = _refuse_choice(field)  # type: ignore[method-assign]

    def _mark_invalid(self) -> None:
        """aria-invalid and aria-describedby (error, help) on every field with an error."""
        for name in self.errors:  # type: ignore[attr-defined]
            if name not in self.fields:  # type: ignore[attr-defined]
                continue
            bound = self[name]  # type: ignore[index]
            widget = self.fields[name].widget  # type: ignore[attr-defined]
            widget.attrs["aria-invalid"] = "true"
            described = [f"{bound.auto_id}_error"]
            if self.fields[name].help_text:  # type: ignore[attr-defined]
                described.append(f"{bound.auto_id}_helptext")
            widget.attrs["aria-describedby"] = " ".join(described)


# The message next to a free-text field holding a BSN-like number (SPEC R-5-3).
BSN_WARNING = _(
    "This looks like a BSN. A BSN does not belong in a casusoverleg. Remove it, or confirm that "
    "it is not a BSN."
)
# The name of the confirmation box that goes with a free-text field.
CONFIRM_SUFFIX = "_not_bsn"


class MinimisationFormMixin:
    """Data minimisation for the free-text fields named in `minimised_fields` (SPEC R-5-3, R-7-1).

    Each such field shows the minimisation hint under its label. When the submitted text holds
    a number that looks like a BSN (nine digits passing the elfproef), the field gets an error
    and, right after it, a checkbox `<field>_not_bsn` to confirm that the number is no BSN;
    ticked, the form goes through. The checkbox exists only while the text holds such a number,
    so forms without one look as before.

    Put it before NLDSFormMixin: `class F(MinimisationFormMixin, NLDSFormMixin, forms.Form)`.
    """

    minimised_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        for name in self.minimised_fields:
            field = fields[name]
            field.help_text = with_minimisation_hint(field.help_text)
        self._add_confirmations()

    def confirmation_name(self, name: str) -> str:
        """The name of the confirmation checkbox of the free-text field `name`."""
        return f"{name}{CONFIRM_SUFFIX}"

    def bsn_like_in(self, name: str) -> list[str]:
        """The BSN-like numbers in the submitted value of the field `name` (none when unbound)."""
        if not self.is_bound:  # type: ignore[attr-defined]
            return []
        value = self.data.get(self.add_prefix(name), "")  # type: ignore[attr-defined]
        return bsn_like_numbers(value if isinstance(value, str) else "")

    def _add_confirmations(self) -> None:
        """Insert a confirmation box right after each field whose text holds a BSN-like number."""
        wanted = {name for name in self.minimised_fields if self.bsn_like_in(name)}
        if not wanted:
            return
        ordered: dict[str, forms.Field] = {}
        for key, field in self.fields.items():  # type: ignore[attr-defined]
            ordered[key] = field
            if key in wanted:
                ordered[self.confirmation_name(key)] = forms.BooleanField(
                    label=_("I have checked it: this number is not a BSN"),
                    required=False,
                    widget=forms.CheckboxInput(
                        attrs={"class": _WIDGET_CLASSES[forms.CheckboxInput]}
                    ),
                )
        self.fields = ordered  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """Refuse a BSN-like number in a free-text field unless its box confirms it is none."""
        data: dict[str, Any] = super().clean()  # type: ignore[misc]
        for name in self.minimised_fields:
            # The box is a question to the user, not data: views pass cleaned_data on as is.
            confirmed = data.pop(self.confirmation_name(name), False)
            value = data.get(name)
            if isinstance(value, str) and bsn_like_numbers(value) and not confirmed:
                self.add_error(name, BSN_WARNING)  # type: ignore[attr-defined]
        return data


def with_minimisation_hint(help_text: Any) -> Any:
    """`help_text` followed by the minimisation hint, once (SPEC R-7-1)."""
    if not help_text or str(help_text) == str(MINIMISATION_HINT):
        return MINIMISATION_HINT
    if str(MINIMISATION_HINT) in str(help_text):
        return help_text
    return format_lazy("{} {}", help_text, MINIMISATION_HINT)
