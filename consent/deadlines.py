"""Legal deadlines of rights requests (SPEC R-13-2, R-RIGHTS-1, §7.1).

A month runs from the day of receipt to the same day of the next month; where that month is
shorter, to its last day (31 January → 28 or 29 February), as the EDPB reads AVG art. 12(3).
"""

import calendar
from datetime import date

from .choices import RequestKind

# AVG art. 12(3): one month; Jeugdwet 7.3.9: three months for destroying a youth care file.
MONTHS_TO_ANSWER = {RequestKind.DESTRUCTION: 3}
DEFAULT_MONTHS = 1
# AVG art. 12(3): the deadline may be extended by at most two further months, with notice.
MAX_EXTENSION_MONTHS = 2
# Reminders to the handlers before the deadline (R-RIGHTS-1).
REMINDER_DAYS = (7, 1)


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, clamped to the last day of a shorter month."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def due_on(kind: str, received_on: date) -> date:
    """The day by which a request of `kind` received on `received_on` must be answered."""
    return add_months(received_on, MONTHS_TO_ANSWER.get(kind, DEFAULT_MONTHS))


def latest_extension(kind: str, received_on: date) -> date:
    """The furthest an extension can move the deadline: two months past the first deadline,
    counted from the day of receipt (31 January: 28 February, then 30 April, not 28 April)."""
    months = MONTHS_TO_ANSWER.get(kind, DEFAULT_MONTHS) + MAX_EXTENSION_MONTHS
    return add_months(received_on, months)
