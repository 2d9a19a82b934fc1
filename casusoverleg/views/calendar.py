"""The agenda of coordinators and professionals: their meetings as a list, a week or a month.

The list is the primary view: server-rendered, a plain sequence of headings and links that works
with a keyboard and a screen reader, and at 375 px. The week and month views show the same
meetings laid out in time. Every view reads through `meeting_calendar`, which returns only the
meetings of cases the user sees now and logs each youth shown (DESIGN invariants 1 and 2).
"""

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from casusoverleg.models import Meeting
from casusoverleg.selectors import meeting_calendar

from .common import professional_required

MONTH, WEEK, LIST = "maand", "week", "lijst"
VIEW_LABELS = {LIST: _("List"), WEEK: _("Week"), MONTH: _("Month")}
# The agenda looks about two months ahead: far enough to plan, short enough to read.
LIST_DAYS = 56
# Dates outside these years are typing errors, and at the far ends of `date` the period arithmetic
# would overflow; such a `datum` is treated like any other unreadable date.
FIRST_YEAR, LAST_YEAR = 1900, 2999
# ASCII digits only: `\d` would also accept other scripts' digits.
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass
class Day:
    """One day of the agenda with its meetings, in the order they start."""

    date: date
    is_today: bool
    in_period: bool = True
    meetings: list[Meeting] = field(default_factory=list)


@dataclass(frozen=True)
class Period:
    """The days a view shows, [start, end), and the anchors of the periods before and after."""

    start: date
    end: date
    previous: date
    next: date


def parse_anchor(value: str | None, today: date) -> tuple[date, bool]:
    """The day `datum=YYYY-MM-DD` names, and whether it was readable; today when it was not.

    Bad input gets the agenda of today and a note, never an error page (invariant 9).
    """
    if not value:
        return today, True
    if not ISO_DATE.fullmatch(value):
        return today, False
    try:
        anchor = date.fromisoformat(value)
    except ValueError:
        return today, False
    if not FIRST_YEAR <= anchor.year <= LAST_YEAR:
        return today, False
    return anchor, True


def period_of(view: str, anchor: date) -> Period:
    """The period `view` shows around `anchor`: its month grid, its ISO week, or 8 weeks ahead."""
    if view == MONTH:
        weeks = month_weeks(anchor)
        first = anchor.replace(day=1)
        next_month = (first + timedelta(days=31)).replace(day=1)
        previous_month = (first - timedelta(days=1)).replace(day=1)
        # The grid shows whole ISO weeks, so it fetches the adjacent months' days it shows too.
        return Period(weeks[0][0], weeks[-1][-1] + timedelta(days=1), previous_month, next_month)
    if view == WEEK:
        monday = anchor - timedelta(days=anchor.weekday())
        return Period(
            monday, monday + timedelta(days=7), monday - timedelta(7), monday + timedelta(7)
        )
    step = timedelta(days=LIST_DAYS)
    return Period(anchor, anchor + step, anchor - step, anchor + step)


def month_weeks(anchor: date) -> list[list[date]]:
    """The weeks (Monday to Sunday, ISO) of the month of `anchor`, with the days around it."""
    grid = calendar.Calendar(firstweekday=calendar.MONDAY)
    return grid.monthdatescalendar(anchor.year, anchor.month)


def start_of(day: date) -> datetime:
    """Midnight at the start of `day` in the current time zone (Europe/Amsterdam).

    Midnight exists exactly once on every Dutch day: summer time changes at 02:00 and 03:00.
    """
    return timezone.make_aware(datetime.combine(day, time.min))


def meetings_by_day(meetings: list[Meeting]) -> dict[date, list[Meeting]]:
    """The meetings grouped by their local (Amsterdam) date, each day in starting order."""
    days: dict[date, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        days[timezone.localdate(meeting.starts_at)].append(meeting)
    return days


def agenda_url(view: str, day: date | None = None) -> str:
    """The agenda's URL for `view` around `day` (today when None)."""
    query = {"weergave": view}
    if day is not None:
        query["datum"] = day.isoformat()
    return f"{reverse('casusoverleg:calendar')}?{urlencode(query)}"


@require_safe
@professional_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    """The user's meetings as a list (default), a week or a month around `datum`."""
    view = request.GET.get("weergave", LIST)
    if view not in VIEW_LABELS:
        view = LIST
    today = timezone.localdate()
    anchor, readable = parse_anchor(request.GET.get("datum"), today)
    period = period_of(view, anchor)
    meetings = meeting_calendar(
        user=request.user, start=start_of(period.start), end=start_of(period.end)
    )
    by_day = meetings_by_day(meetings)

    def day(d: date, *, in_period: bool = True) -> Day:
        """The agenda day `d` with its meetings; `in_period` is False for other months' days."""
        return Day(d, d == today, in_period, by_day.get(d, []))

    context: dict[str, object] = {
        "view": view,
        "anchor": anchor,
        "anchor_readable": readable,
        "period": period,
        "last_day": period.end - timedelta(days=1),
        "meetings": meetings,
        "previous_url": agenda_url(view, period.previous),
        "next_url": agenda_url(view, period.next),
        "today_url": agenda_url(view),
        "views": [
            {"label": label, "url": agenda_url(key, anchor), "current": key == view}
            for key, label in VIEW_LABELS.items()
        ],
    }
    if view == MONTH:
        context["weeks"] = [
            {
                "number": week[0].isocalendar().week,
                "days": [day(d, in_period=d.month == anchor.month) for d in week],
            }
            for week in month_weeks(anchor)
        ]
    elif view == WEEK:
        context["days"] = [day(period.start + timedelta(days=n)) for n in range(7)]
        context["week_number"] = period.start.isocalendar().week
    else:
        context["days"] = [day(d) for d in sorted(by_day)]
    return render(request, "casusoverleg/calendar.html", context)
