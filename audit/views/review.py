"""The FG reviews events: one event with all its metadata, and a reproducible random sample.

Every page is for the FG only, shows only events of their own organisation, and is itself
logged in the same transaction (reading the log is an access too; issue 5).
"""

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit.choices import Action, Outcome
from audit.decorators import role_required
from audit.display import CASE_PREFIX, pseudonym
from audit.forms import ReviewForm, SampleForm
from audit.models import AccessEvent
from audit.services import event_review_add, record
from audit.signal_queries import (
    event_for_review,
    event_reviews,
    events_of_request,
    review_states,
    sample_events,
)
from parties.choices import Role

SAMPLE_FIELDS = ("since", "until", "kind", "size")


def _sample_uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def _sample_query(sample: uuid.UUID, data: dict[str, Any]) -> str:
    """The query string that names a sample: its uuid and what it was drawn from."""
    params = {"sample": str(sample)}
    params.update({name: str(data.get(name) or "") for name in SAMPLE_FIELDS})
    return urlencode(params)


def _sample_of(request: HttpRequest) -> tuple[uuid.UUID | None, str]:
    """The sample an event was opened from (?sample=... with its fields), and its query."""
    sample = _sample_uuid(request.GET.get("sample"))
    if sample is None:
        return None, ""
    form = SampleForm(request.GET)
    return sample, (_sample_query(sample, form.cleaned_data) if form.is_valid() else "")


@role_required(Role.PRIVACY_OFFICER)
@require_http_methods(["GET", "POST"])
def event_detail(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    """One event: every field, earlier reviews, the other events of its request, a review form.

    An event of another organisation (or none) answers 404 and the attempt is logged: the FG
    may not learn whether it exists (DESIGN invariant 1).
    """
    event = event_for_review(user=request.user, event_id=event_id)
    if event is None:
        record(
            actor=request.user,
            action=Action.ACCESS_DENIED,
            outcome=Outcome.DENIED,
            reason=f"audit:event_detail {event_id}",
        )
        raise Http404
    sample_id, sample_query = _sample_of(request)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        event_review_add(
            actor=request.user,
            event=event,
            finding=form.cleaned_data["finding"],
            note=form.cleaned_data["note"],
            sample=sample_id,
        )
        messages.success(request, _("Your review was saved."))
        if sample_query:
            return redirect(f"{reverse('audit:sample')}?{sample_query}")
        target = reverse("audit:event_detail", kwargs={"event_id": event.event_id})
        return redirect(f"{target}?sample={sample_id}" if sample_id else target)
    with transaction.atomic():
        context = {
            "event": event,
            "youth": pseudonym(event.youth_uuid),
            "case": pseudonym(event.case_uuid, CASE_PREFIX),
            "reviews": event_reviews(event=event),
            "related": [
                (e, pseudonym(e.youth_uuid))
                for e in events_of_request(user=request.user, event=event)
            ],
            "form": form,
            "sample": sample_id,
            "sample_query": sample_query,
        }
        record(
            actor=request.user,
            action=Action.ACCESS_LOG_VIEWED,
            target=event,
            reason="event detail",
        )
    return render(request, "audit/review_event.html", context)


@role_required(Role.PRIVACY_OFFICER)
@require_http_methods(["GET", "POST"])
def sample(request: HttpRequest) -> HttpResponse:
    """Draw a random sample of the organisation's events and review it event by event.

    POST draws a new sample: it gets a fresh uuid and the browser goes to its address, which
    holds everything that defines it (uuid, period, kind, size). Nothing else is stored: the
    same address draws the same events again (`signal_queries.sample_ids`), and reviews made
    from it carry the uuid, so progress is "reviews with this uuid".
    """
    if request.method == "POST":
        form = SampleForm(request.POST)
        if form.is_valid():
            query = _sample_query(uuid.uuid4(), form.cleaned_data)
            return redirect(f"{reverse('audit:sample')}?{query}")
        seed = None
    else:
        seed = _sample_uuid(request.GET.get("sample"))
        form = SampleForm(request.GET if seed is not None else None)
    rows: list[dict[str, Any]] = []
    drawn = False
    with transaction.atomic():
        if seed is not None and form.is_valid():
            drawn = True
            data = form.cleaned_data
            events: list[AccessEvent] = sample_events(
                user=request.user,
                seed=seed,
                since=data["since"],
                until=data["until"],
                kind=data["kind"],
                size=data["size"],
            )
            states = review_states(events, seed)
            query = _sample_query(seed, data)
            rows = [
                {
                    "event": e,
                    "youth": pseudonym(e.youth_uuid),
                    "state": states[e.pk],
                    "url": reverse("audit:event_detail", kwargs={"event_id": e.event_id})
                    + f"?{query}",
                }
                for e in events
            ]
        record(
            actor=request.user,
            action=Action.ACCESS_LOG_VIEWED,
            reason=f"sample {seed}" if drawn else "sample: form",
        )
    reviewed = sum(1 for row in rows if row["state"].in_sample is not None)
    return render(
        request,
        "audit/review_sample.html",
        {
            "form": form,
            "drawn": drawn,
            "seed": seed,
            "rows": rows,
            "reviewed": reviewed,
            "requested": form.cleaned_data.get("size") if drawn else None,
        },
    )
