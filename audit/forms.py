"""Forms of the FG's workbench: a review of an event, a sample, a period for signals and charts.

Bad input gets a message at the field (DESIGN invariant 9). Periods are whole local days and
bounded, so that no query of the workbench reads an unbounded part of the log.
"""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.choices import ActionKind, Finding
from audit.signal_queries import last_days, local_today, previous_month
from core.forms import MinimisationFormMixin, NLDSFormMixin

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# The workbench reads days from here up to a year ahead (DESIGN invariant 9): no log is older,
# and a day outside this range (year 1, year 9999) would overflow the conversion to UTC.
EARLIEST_DAY = date(2000, 1, 1)
DAY_RANGE_MESSAGE = _("Choose a day from 1 January 2000 up to one year from today.")


def latest_day() -> date:
    """The last day a workbench form accepts: a year from today (local)."""
    return local_today() + timedelta(days=366)


def day_in_range(day: date) -> bool:
    """Whether `day` lies between EARLIEST_DAY and `latest_day()`, both included."""
    return EARLIEST_DAY <= day <= latest_day()


def check_day_range(form: forms.Form, data: dict[str, Any], *names: str) -> None:
    """Put DAY_RANGE_MESSAGE at each named date field whose day is out of range."""
    for name in names:
        day = data.get(name)
        if isinstance(day, date) and not day_in_range(day):
            form.add_error(name, DAY_RANGE_MESSAGE)


class ReviewForm(MinimisationFormMixin, NLDSFormMixin, forms.Form):
    """The FG's finding on one event, with a short note (no case content, no BSN)."""

    finding = forms.ChoiceField(
        label=_("Finding"), choices=Finding.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("At most 500 characters. Needed when you ask about it or suspect a breach."),
    )
    minimised_fields = ("note",)

    def clean(self) -> dict[str, Any]:
        """A finding other than "in order" says what to ask or what went wrong."""
        data = super().clean()
        if (
            data.get("finding") in (Finding.ASK, Finding.INCIDENT)
            and not (data.get("note") or "").strip()
        ):
            self.add_error("note", _("Write what you want to ask or what may have gone wrong."))
        return data


class _PeriodMixin(forms.Form):
    """From and to (inclusive) as whole local days, at most `max_days` long."""

    max_days = 92
    since = forms.DateField(label=_("From"), widget=DATE_INPUT)
    until = forms.DateField(label=_("Up to and including"), widget=DATE_INPUT)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        check_day_range(self, data, "since", "until")
        since, until = data.get("since"), data.get("until")
        if isinstance(since, date) and isinstance(until, date):
            if until < since:
                self.add_error("until", _("Choose a day on or after the first day."))
            elif (until - since).days + 1 > self.max_days:
                self.add_error(
                    "since",
                    _("Choose a period of at most %(days)d days.") % {"days": self.max_days},
                )
        return data


class PeriodForm(NLDSFormMixin, _PeriodMixin):
    """The period of a signal (default: the last seven days, today included)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        since, until = last_days(7)
        kwargs.setdefault("initial", {"since": since, "until": until})
        super().__init__(*args, **kwargs)

    def clean_until(self) -> date:
        until: date = self.cleaned_data["until"]
        if until > local_today():
            raise forms.ValidationError(_("Choose today or a day before today."))
        return until


class SampleForm(NLDSFormMixin, _PeriodMixin):
    """What to draw a sample from: a closed period, optionally one kind of action, N events."""

    max_days = 366
    kind = forms.ChoiceField(
        label=_("Kind of action"),
        choices=[("", _("All kinds")), *ActionKind.choices],
        required=False,
    )
    size = forms.IntegerField(
        label=_("Number of events"),
        min_value=1,
        max_value=100,
        initial=20,
        help_text=_("At most 100."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        since, until = previous_month()
        kwargs.setdefault("initial", {"since": since, "until": until, "size": 20})
        super().__init__(*args, **kwargs)

    def clean_until(self) -> date:
        """Only a period that has ended: its events no longer change, so neither does the
        sample drawn from it (it is stored as nothing but its uuid and these fields)."""
        until: date = self.cleaned_data["until"]
        if until >= local_today():
            raise forms.ValidationError(
                _("Choose a day before today: a sample is drawn from a period that has ended.")
            )
        return until
