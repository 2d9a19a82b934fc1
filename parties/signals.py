"""Security events of the login machinery that the access log records (audit.receivers).

`parties` sits below `audit` (DESIGN layers): it cannot call `audit.record` itself, so it
announces what happened and the audit app, which already listens to Django's login signals,
writes the event. These are not model signals and carry no domain logic.
"""

from django.dispatch import Signal

# A second-factor code was refused (wrong, throttled, or no device). Arguments: user, reason.
second_factor_failed = Signal()
# A second factor was enrolled, or its recovery codes renewed. Arguments: user, what.
second_factor_changed = Signal()
# A deactivated user's live sessions were ended. Arguments: user, count.
sessions_ended = Signal()
