"""Signals worth a look and charts of the FG's organisation's events (issue 5).

Each signal is a saved query (`audit.signal_queries.SIGNALS`); each page reads only the FG's
own organisation's events within a bounded period and is itself logged.
"""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from audit.charts import BarChart, stacked_bars
from audit.choices import Action, ActionKind
from audit.decorators import role_required
from audit.display import CASE_PREFIX, pseudonym
from audit.forms import PeriodForm
from audit.services import record
from audit.signal_queries import (
    COUNT_CAP,
    OTHER_KIND,
    PAGE_SIZE,
    SIGNALS,
    DayCounts,
    day_bounds,
    events_page,
    events_per_day,
    last_days,
    many_youths_threshold,
    parse_cursor,
    signal_counts,
    working_hours,
)
from parties.choices import Role

OVERVIEW_DAYS = 7
CHART_DAYS = 30


@role_required(Role.PRIVACY_OFFICER)
@require_GET
def signal_list(request: HttpRequest) -> HttpResponse:
    """The five signals, each with what it means and how often it occurred in the last week."""
    since, until = last_days(OVERVIEW_DAYS)
    with transaction.atomic():
        counts = signal_counts(request.user, *day_bounds(since, until))
        record(actor=request.user, action=Action.ACCESS_LOG_VIEWED, reason="signals")
    signals = [
        {"signal": signal, "count": counts[slug], "capped": counts[slug] >= COUNT_CAP}
        for slug, signal in SIGNALS.items()
    ]
    return render(
        request,
        "audit/signals_list.html",
        {"signals": signals, "since": since, "until": until, "cap": COUNT_CAP - 1},
    )


def _signal_notes(slug: str) -> list[str]:
    """The settings behind a signal, in words (threshold, working hours)."""
    if slug == "veel-jongeren-per-dag":
        threshold = many_youths_threshold()
        return [
            ngettext(
                "Shown from %(count)d different youth per day.",
                "Shown from %(count)d different youths per day.",
                threshold,
            )
            % {"count": threshold}
        ]
    if slug == "buiten-werktijd":
        start, end = working_hours()
        return [
            _("Working hours are %(start)02d:00 to %(end)02d:00 on Monday to Friday.")
            % {"start": start, "end": end}
        ]
    return []


@role_required(Role.PRIVACY_OFFICER)
@require_GET
def signal_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The events (or employee-days) of one signal in a chosen period, a page at a time."""
    signal = SIGNALS.get(slug)
    if signal is None:
        raise Http404
    bound = "since" in request.GET or "until" in request.GET
    form = PeriodForm(request.GET if bound else None)
    context: dict[str, Any] = {
        "signal": signal,
        "form": form,
        "notes": _signal_notes(slug),
        "rows": [],
        "next_url": "",
        "more": False,
        "valid": False,
    }
    with transaction.atomic():
        if not bound or form.is_valid():
            since: date = form.cleaned_data["since"] if bound else form.initial["since"]
            until: date = form.cleaned_data["until"] if bound else form.initial["until"]
            rows = signal.rows(request.user, *day_bounds(since, until))
            context.update(valid=True, since=since, until=until)
            if signal.per_day:
                found = list(rows[: PAGE_SIZE + 1])
                context.update(rows=found[:PAGE_SIZE], more=len(found) > PAGE_SIZE)
            else:
                events, cursor = events_page(rows, parse_cursor(request.GET.get("na", "")))
                context["rows"] = [
                    (e, pseudonym(e.youth_uuid), pseudonym(e.case_uuid, CASE_PREFIX))
                    for e in events
                ]
                if cursor:
                    context["next_url"] = "?" + urlencode(
                        {"since": since.isoformat(), "until": until.isoformat(), "na": cursor}
                    )
        record(actor=request.user, action=Action.ACCESS_LOG_VIEWED, reason=f"signal {slug}")
    return render(request, "audit/signals_detail.html", context)


def _kind_labels() -> dict[str, str]:
    return {**{k: str(label) for k, label in ActionKind.choices}, OTHER_KIND: _("Other")}


def _describe(counts: DayCounts, values: list[int], what: str) -> str:
    """The text alternative of a chart: period, total and the busiest day."""
    total = sum(values)
    first = formats.date_format(counts.days[0], "DATE_FORMAT")
    last = formats.date_format(counts.days[-1], "DATE_FORMAT")
    if not total:
        return _("%(what)s from %(first)s to %(last)s: no events.") % {
            "what": what,
            "first": first,
            "last": last,
        }
    busiest = max(range(len(values)), key=lambda i: (values[i], i))
    return _(
        "%(what)s from %(first)s to %(last)s: %(total)d in total; the busiest day was "
        "%(day)s with %(most)d. The table next to the chart gives every number."
    ) % {
        "what": what,
        "first": first,
        "last": last,
        "total": total,
        "day": formats.date_format(counts.days[busiest], "DATE_FORMAT"),
        "most": values[busiest],
    }


@role_required(Role.PRIVACY_OFFICER)
@require_GET
def charts(request: HttpRequest) -> HttpResponse:
    """Events per day of the FG's organisation over the last 30 days: allowed and denied, and
    per kind of action. Inline SVG drawn on the server (no JavaScript) with a text alternative,
    and a table beside each chart with the same numbers."""
    since, until = last_days(CHART_DAYS)
    with transaction.atomic():
        counts = events_per_day(request.user, since, until)
        record(actor=request.user, action=Action.ACCESS_LOG_VIEWED, reason="charts")
    labels = _kind_labels()
    outcome_chart: BarChart = stacked_bars(
        counts.days, [("allowed", counts.allowed), ("denied", counts.denied)]
    )
    denied_total = sum(counts.denied)
    outcome_description = (
        _describe(counts, counts.totals, _("Events per day"))
        + " "
        + ngettext("%(count)d of them was denied.", "%(count)d of them were denied.", denied_total)
        % {"count": denied_total}
    )
    kinds = [
        {
            "slug": kind,
            "label": labels[kind],
            "chart": stacked_bars(counts.days, [("kind", values)], width=360, height=200),
            "description": _describe(
                counts, values, _("Events of the kind “%(kind)s” per day") % {"kind": labels[kind]}
            ),
            "total": sum(values),
        }
        for kind, values in counts.per_kind.items()
    ]
    table = [
        {
            "day": day,
            "allowed": counts.allowed[i],
            "denied": counts.denied[i],
            "total": counts.totals[i],
            "kinds": [counts.per_kind[k["slug"]][i] for k in kinds],
        }
        for i, day in enumerate(counts.days)
    ]
    return render(
        request,
        "audit/charts.html",
        {
            "since": since,
            "until": until,
            "outcome_chart": outcome_chart,
            "outcome_description": outcome_description,
            "kinds": kinds,
            "table": table,
            "totals": {
                "allowed": sum(counts.allowed),
                "denied": denied_total,
                "total": sum(counts.totals),
                "kinds": [k["total"] for k in kinds],
            },
        },
    )
