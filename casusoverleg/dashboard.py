"""Management figures of a region: counts only, small cells suppressed (SPEC art. 20, R-20-1/2).

Every figure is one GROUP BY query over the region's rows of one year; no row of a case, a
youth or a person leaves the database, only (row, column, count) triples. The selectors take the
acting user and answer for that user's region only.

Suppression (R-20-1 "suppressed < 5"; CBS practice):
- a cell of 1 to 4 is shown as "< 5"; 0 is shown as 0 (an empty cell tells nothing about a
  person), 5 and more exactly;
- a total (of a row, a column or the whole table) that sums a suppressed cell would give that
  cell away by subtraction, so it is shown only as a lower bound "≥ n", where n is the sum of
  the exact cells plus 1 for each suppressed one (a bound everyone could work out anyway); a
  total of 1 to 4 is "< 5" like any cell.
Tables count different things (cases opened, closed, meetings...), so no figure of one table
can be derived from another.
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Case as When_
from django.db.models import CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, TruncDate
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casusoverleg.choices import MeetingStatus
from casusoverleg.models import Case, Meeting, SharedItem
from consent.choices import DecisionKind, RequestKind, RequestStatus
from consent.models import ConsentDecision, RightsRequest
from convenant.choices import DataClass
from convenant.models import ConsultationType
from core.csv_export import SafeWriter
from core.permissions import AnyUser
from parties.selectors import professional_of

SUPPRESS_BELOW = 5
SUPPRESSED = "< 5"
MONTHS = list(range(1, 13))


@dataclass(frozen=True)
class Figure:
    """One number as it may be shown: `text` is what the page and the CSV print."""

    value: int
    text: str
    exact: bool


def cell(value: int) -> Figure:
    """A count as shown: 0 and 5+ exactly, 1..4 as "< 5"."""
    if 0 < value < SUPPRESS_BELOW:
        return Figure(value, SUPPRESSED, exact=False)
    return Figure(value, str(value), exact=True)


def total(cells: Iterable[Figure]) -> Figure:
    """The sum of `cells`, shown so that no suppressed cell can be derived from it."""
    cells = list(cells)
    value = sum(c.value for c in cells)
    if 0 < value < SUPPRESS_BELOW:
        return Figure(value, SUPPRESSED, exact=False)
    if all(c.exact for c in cells):
        return Figure(value, str(value), exact=True)
    bound = sum(c.value for c in cells if c.exact) + sum(1 for c in cells if not c.exact)
    return Figure(value, f"≥ {bound}", exact=False)


@dataclass
class Row:
    """One row of a table: its label, its cells and their total."""

    label: str
    cells: list[Figure]
    total: Figure


@dataclass
class Table:
    """A table of counts with suppressed cells and safe totals (module docstring)."""

    key: str
    title: str
    row_heading: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    column_totals: list[Figure] = field(default_factory=list)
    grand_total: Figure = field(default_factory=lambda: cell(0))

    @property
    def bars(self) -> list[tuple[str, int, str]]:
        """(label, width in percent, text) per row for the SVG bar chart; a suppressed row
        total is drawn at its lower bound, never at its real value."""
        values = [_shown_value(r.total) for r in self.rows]
        top = max(values, default=0) or 1
        return [
            (r.label, round(100 * v / top), r.total.text)
            for r, v in zip(self.rows, values, strict=True)
        ]


def _shown_value(figure: Figure) -> int:
    """The number a figure reveals: its value if exact, its bound otherwise (0 for "< 5")."""
    if figure.exact:
        return figure.value
    if figure.text.startswith("≥"):
        return int(figure.text.removeprefix("≥ "))
    return 0


def _table(
    *,
    key: str,
    title: str,
    row_heading: str,
    rows: list[tuple[Any, str]],
    columns: list[tuple[Any, str]],
    counts: dict[tuple[Any, Any], int],
) -> Table:
    """Build a table from (row key, column key) → count; every row and column is shown."""
    table = Table(key=key, title=title, row_heading=row_heading, columns=[c[1] for c in columns])
    grid = [[cell(counts.get((r, c), 0)) for c, _label in columns] for r, _label in rows]
    for (_key, label), cells in zip(rows, grid, strict=True):
        table.rows.append(Row(label=label, cells=cells, total=total(cells)))
    table.column_totals = [total(row[i] for row in grid) for i in range(len(columns))]
    table.grand_total = total(c for row in grid for c in row)
    return table


def _month_columns() -> list[tuple[int, str]]:
    return [(m, str(MONTHS_3[m]).capitalize()) for m in MONTHS]


def _by_month(queryset: QuerySet[Any], row: str, moment: str) -> dict[tuple[Any, Any], int]:
    """(row value, month) → count, in one GROUP BY query (months in the active time zone)."""
    rows = (
        queryset.annotate(_month=ExtractMonth(moment))
        .values(row, "_month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(r[row], r["_month"]): r["n"] for r in rows}


def dashboard_region(*, user: AnyUser) -> Any:
    """The region whose figures `user` may see (their organisation's), or None."""
    professional = professional_of(user=user)
    return professional.organisation.region if professional else None


def years_available(*, now: datetime | None = None) -> list[int]:
    """The years one can choose: this year and the four before it."""
    year = (now or timezone.now()).year
    return list(range(year, year - 5, -1))


def dashboard_tables(*, user: AnyUser, year: int) -> list[Table]:
    """Every table of the dashboard for `user`'s region and `year` (R-20-1); a fixed number of
    queries, whatever the number of cases."""
    region = dashboard_region(user=user)
    if region is None:
        return []
    region_id = region.pk
    types = [(t.pk, t.name) for t in ConsultationType.objects.order_by("name")]
    months = _month_columns()
    cases = Case.objects.filter(covenant__region_id=region_id)
    return [
        _table(
            key="cases_opened",
            title=gettext("Cases opened, by consultation type and month"),
            row_heading=gettext("Consultation type"),
            rows=types,
            columns=months,
            counts=_by_month(
                cases.filter(created_at__year=year), "consultation_type_id", "created_at"
            ),
        ),
        _table(
            key="cases_closed",
            title=gettext("Cases closed, by consultation type and month"),
            row_heading=gettext("Consultation type"),
            rows=types,
            columns=months,
            counts=_by_month(
                cases.filter(closed_at__year=year), "consultation_type_id", "closed_at"
            ),
        ),
        _table(
            key="meetings",
            title=gettext("Meetings, by status and month of the meeting"),
            row_heading=gettext("Status"),
            rows=[(v, str(label)) for v, label in MeetingStatus.choices],
            columns=months,
            counts=_by_month(
                Meeting.objects.filter(case__covenant__region_id=region_id, starts_at__year=year),
                "status",
                "starts_at",
            ),
        ),
        _table(
            key="consents",
            title=gettext("Consent decisions, by decision and month"),
            row_heading=gettext("Decision"),
            rows=[(v, str(label)) for v, label in DecisionKind.choices],
            columns=months,
            counts=_by_month(
                ConsentDecision.objects.filter(
                    consent__case__covenant__region_id=region_id, decided_at__year=year
                ),
                "kind",
                "decided_at",
            ),
        ),
        _requests_table(region_id=region_id, year=year),
        _table(
            key="shares",
            title=gettext("Data shared, by data class and month"),
            row_heading=gettext("Data class"),
            rows=[(v, str(label)) for v, label in DataClass.choices],
            columns=months,
            counts=_by_month(
                SharedItem.objects.filter(
                    case__covenant__region_id=region_id, created_at__year=year
                ),
                "data_class",
                "created_at",
            ),
        ),
    ]


# Where a rights request stands against its deadline (R-13-2): the extended date if extended.
ON_TIME, LATE, OPEN, OVERDUE = "on_time", "late", "open", "overdue"


def _requests_table(*, region_id: int, year: int) -> Table:
    """Rights requests received in `year`, by kind and whether they were answered on time."""
    today = timezone.localdate()
    deadline = Coalesce(F("extended_until"), F("due_on"))
    timeliness = When_(
        When(
            Q(status=RequestStatus.CLOSED) & Q(_answered__lte=deadline),
            then=Value(ON_TIME),
        ),
        When(status=RequestStatus.CLOSED, then=Value(LATE)),
        When(_deadline__lt=today, then=Value(OVERDUE)),
        default=Value(OPEN),
        output_field=CharField(),
    )
    rows = (
        RightsRequest.objects.filter(organisation__region_id=region_id)
        .annotate(_received=Coalesce("received_at", "filed_at"))
        .filter(_received__year=year)
        .annotate(_answered=TruncDate("closed_at"), _deadline=deadline)
        .annotate(_timeliness=timeliness)
        .values("kind", "_timeliness")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _table(
        key="requests",
        title=gettext("Rights requests received, by kind and answer within the term"),
        row_heading=gettext("Request"),
        rows=[(v, str(label)) for v, label in RequestKind.choices],
        columns=[
            (ON_TIME, gettext("Answered on time")),
            (LATE, gettext("Answered late")),
            (OPEN, gettext("Open, within the term")),
            (OVERDUE, gettext("Open, term passed")),
        ],
        counts={(r["kind"], r["_timeliness"]): r["n"] for r in rows},
    )


def evaluation_csv(*, tables: list[Table], region_name: str, year: int, exported_by: str) -> str:
    """The annual evaluation report (R-20-2) as CSV: one line per shown figure, with the same
    suppression as the page, and `#` lines saying who made it when (R-11-2)."""
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(["table", "row", "column", "count"])
    for table in tables:
        for row in table.rows:
            for column, figure in zip(table.columns, row.cells, strict=True):
                writer.writerow([table.title, row.label, column, figure.text])
            writer.writerow([table.title, row.label, gettext("Total"), row.total.text])
        for column, figure in zip(table.columns, table.column_totals, strict=True):
            writer.writerow([table.title, gettext("Total"), column, figure.text])
        writer.writerow([table.title, gettext("Total"), gettext("Total"), table.grand_total.text])
    buffer.write(f"# region: {region_name}\r\n# year: {year}\r\n")
    buffer.write(
        f"# suppression: 1-4 shown as '{SUPPRESSED}'; totals covering a suppressed cell shown "
        "as a lower bound\r\n"
    )
    buffer.write(
        f"# exported by: {exported_by}\r\n"
        f"# exported at: {timezone.localtime().isoformat(timespec='seconds')}\r\n"
    )
    return buffer.getvalue()


TITLE = _("Management figures")
