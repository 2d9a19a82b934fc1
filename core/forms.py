"""Form helpers: NL Design System widget classes and accessible error wiring."""

from typing import Any

from django import forms

_WIDGET_CLASSES = {
    forms.CheckboxInput: "utrecht-checkbox utrecht-checkbox--html-input",
    forms.Textarea: "utrecht-textarea utrecht-textarea--html-textarea",
    forms.Select: "utrecht-select utrecht-select--html-select",
    forms.SelectMultiple: "utrecht-select utrecht-select--html-select",
    forms.CheckboxSelectMultiple: "",
    forms.RadioSelect: "",
    forms.ClearableFileInput: "utrecht-textbox utrecht-textbox--html-input",
}


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
        super().full_clean()  # type: ignore[misc]
        self._mark_invalid()

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
