"""Template tags of covenant governance (issue 7)."""

from typing import Any

from django import template

from convenant.governance_selectors import open_review_prompts
from parties.choices import Role
from parties.selectors import professional_of

register = template.Library()


@register.inclusion_tag("convenant/governance/_prompts.html", takes_context=True)
def dpia_review_prompts(context: dict[str, Any]) -> dict[str, Any]:
    """The open DPIA review prompts of the viewer's region, for the beheerder's and the FG's
    overview pages (R-DPIA-2).

    Usage: `{% load governance %}{% dpia_review_prompts %}`
    Variables: + request (from the context); shows nothing for other roles.
    """
    user = context["request"].user
    if getattr(user, "role", None) not in (Role.ADMINISTRATOR, Role.PRIVACY_OFFICER):
        return {"prompts": []}
    professional = professional_of(user=user)
    if professional is None:
        return {"prompts": []}
    return {"prompts": list(open_review_prompts(region_id=professional.organisation.region_id))}
