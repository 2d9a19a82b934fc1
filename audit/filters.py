"""The FG's input on the workbench: the search filters (django-filter), the youth lookup and the
month of the employee-month view.

The filters only validate and describe; `audit.selectors.apply_search_filters` does the
filtering, so the search page, its exports and the tests share one code path. Bad input (a
broken uuid, an impossible date, an end before the start) gets a message at the field.
"""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

import django_filters

from core.forms import NLDSFormMixin
from parties.models import User

from .choices import Action, ActionKind, Outcome
from .forms import EARLIEST_DAY, check_day_range, latest_day
from .models import AccessEvent
from .selectors import apply_search_filters, organisation_employees
from .signal_queries import local_today

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
UUID_MESSAGE = _("Enter a complete uuid, such as 3f2a91c0-1b2c-4d5e-8f90-a1b2c3d4e5f6.")
DATE_MESSAGE = _("Enter a valid date, such as 31-01-2025.")
# Without a youth, employee or case a search walks the organisation's whole time index: it is
# bounded to a period (issue 5, performance). Without a period it covers the last DEFAULT_DAYS
# days; a chosen period is at most MAX_DAYS_WITHOUT_SUBJECT days long.
DEFAULT_DAYS = 92
MAX_DAYS_WITHOUT_SUBJECT = 366
SUBJECT_FILTERS = ("youth", "actor", "case")


def default_period(until: date | None = None) -> tuple[date, date]:
    """The DEFAULT_DAYS days up to and including `until` (default: today, local)."""
    end = until or local_today()
    return end - timedelta(days=DEFAULT_DAYS - 1), end


def _date_widget() -> forms.DateInput:
    # type=date gives a date picker and always sends ISO dates; the ISO value format matches it.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AccessEventFilterForm(NLDSFormMixin, forms.Form):
    """The filter form: checks that the period lies in range and runs forward, and bounds it
    when no youth, employee or case narrows the search.

    `defaulted_period` is the (from, to) the form filled in because no start was given without
    a subject; the page says so.
    """

    defaulted_period: tuple[date, date] | None = None

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        check_day_range(self, data, "date_from", "date_to")
        if self.has_error("date_from") or self.has_error("date_to"):
            return data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date lies before the start date."))
            return data
        if any(data.get(name) for name in SUBJECT_FILTERS):
            return data
        if start is None:
            start, end = default_period(end)
            self.defaulted_period = (start, end)
        elif end is None:
            end = max(start, local_today())
        if (end - start).days + 1 > MAX_DAYS_WITHOUT_SUBJECT:
            self.add_error(
                "date_from",
                _("Without a youth, employee or case, choose a period of at most %(days)d days.")
                % {"days": MAX_DAYS_WITHOUT_SUBJECT},
            )
            return data
        data["date_from"], data["date_to"] = start, end
        return data


class AccessEventFilter(django_filters.FilterSet):
    """Search the access log of the FG's own organisation (issue 5).

    The organisation is not a filter: the FG sees their own organisation only, always.
    """

    youth = django_filters.UUIDFilter(
        label=_("Youth"),
        help_text=_(
            "The youth's uuid, from a link in the log. To search by name, use Find a youth."
        ),
        error_messages={"invalid": UUID_MESSAGE},
    )
    actor = django_filters.ModelChoiceFilter(
        label=_("Employee"),
        queryset=User.objects.none(),
        to_field_name="uuid",
        empty_label=_("Any employee"),
    )
    case = django_filters.UUIDFilter(
        label=_("Case"),
        help_text=_("The case's uuid, from a link in the log."),
        error_messages={"invalid": UUID_MESSAGE},
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of access"), choices=ActionKind.choices, empty_label=_("Any kind")
    )
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=Action.choices, empty_label=_("Any action")
    )
    outcome = django_filters.ChoiceFilter(
        label=_("Outcome"), choices=Outcome.choices, empty_label=_("Allowed and denied")
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        widget=_date_widget(),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": DATE_MESSAGE},
    )
    date_to = django_filters.DateFilter(
        label=_("Up to and including"),
        widget=_date_widget(),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": DATE_MESSAGE},
    )

    class Meta:
        model = AccessEvent
        fields: list[str] = []
        form = AccessEventFilterForm

    def __init__(self, data: Any = None, *, user: User, **kwargs: Any) -> None:
        # No queryset of its own: `qs` is never used to read the log unfiltered.
        super().__init__(data, queryset=AccessEvent.objects.none(), **kwargs)
        self.filters["actor"].queryset = organisation_employees(user=user)

    def filter_queryset(self, queryset: Any) -> Any:
        """The selectors' filtering, so that `.qs` and the workbench agree."""
        return apply_search_filters(queryset, self.cleaned_filters())

    def cleaned_filters(self) -> dict[str, Any]:
        """The filled-in, valid filters; {} for an invalid form.

        Without any filter (unbound) the search covers the default period: never the
        organisation's whole history.
        """
        if not self.is_bound:
            since, until = default_period()
            return {"date_from": since, "date_to": until}
        if not self.form.is_valid():
            return {}
        return {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "")}

    @property
    def defaulted_period(self) -> tuple[date, date] | None:
        """The period the search filled in itself (no subject, no start), for the page's note."""
        if not self.is_bound:
            return default_period()
        if not self.form.is_valid():
            return None
        return self.form.defaulted_period


class YouthLookupForm(NLDSFormMixin, forms.Form):
    """Find a youth's timeline by name and birth date; sent by POST, so names stay out of URLs
    and out of the access log's paths."""

    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=150)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=_date_widget(),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": DATE_MESSAGE},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # The browser need not remember the names of children the FG looked up.
            field.widget.attrs["autocomplete"] = "off"


class MonthForm(NLDSFormMixin, forms.Form):
    """The month of the employee-month view (YYYY-MM), from January 2000 up to a year ahead:
    a month outside that range would overflow the month's bounds (DESIGN invariant 9)."""

    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": _("Enter a month, such as 2025-01.")},
    )

    def clean_month(self) -> date:
        month: date = self.cleaned_data["month"].replace(day=1)
        if not EARLIEST_DAY <= month <= latest_day():
            raise forms.ValidationError(
                _("Choose a month from January 2000 up to one year from now.")
            )
        return month
