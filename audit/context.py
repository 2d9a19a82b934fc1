"""Per-request context for the access log: client address, user agent, request id, path.

The middleware fills it; `audit.record` reads it. Services never read the request (STYLE §4.3),
yet every event still says where it came from.
"""

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    """Where an access came from."""

    client_ip: str | None = None
    user_agent: str = ""
    request_id: str = ""
    path: str = ""
    # Set when the request has logged a denial, so the middleware does not log it twice.
    flags: dict[str, bool] = field(default_factory=dict, compare=False)


EMPTY = RequestContext()
current: ContextVar[RequestContext] = ContextVar("audit_request_context", default=EMPTY)
