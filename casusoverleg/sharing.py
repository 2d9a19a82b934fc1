"""The rules of sharing data in a case (SPEC art. 4–8, §4; DESIGN invariants 4 and 5).

Pure checks over reference data and the case's table: which categories and legal bases a
professional may choose, who would read an item, and every reason a share must be refused,
each as a message for the field it concerns. `services.shared_item_*` call them inside their
transaction; forms use the choice helpers to offer only what can be accepted.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from consent.checks import ConsentQuestion, covering_consent
from convenant.choices import DataClass
from convenant.models import DataCategory, LegalBasis
from core.permissions import holders
from parties.choices import Secrecy
from parties.models import Professional, User

from .choices import ParticipantKind, Response
from .models import Case, Participant
from .querysets import VIEW_CASE

# Which classes of legal basis can carry a category of each class (SPEC R-4-1, R-4-4, art. 5):
# a mixed category (C8 family situation, C11 agreements) takes the class of its content, which
# the sharer states by choosing an ordinary or a special basis.
BASIS_CLASSES = {
    DataClass.ORDINARY: {DataClass.ORDINARY},
    DataClass.SPECIAL_HEALTH: {DataClass.SPECIAL_HEALTH},
    DataClass.MIXED: {DataClass.ORDINARY, DataClass.SPECIAL_HEALTH},
    DataClass.ANONYMOUS: {DataClass.ORDINARY},
}


def professional_of(user: User) -> Professional | None:
    """The user's Professional row (organisation, capacity, secrecy), if any."""
    return getattr(user, "professional", None)


def has_professional_secrecy(user: User) -> bool:
    """Beroepsgeheim: a youth-care or BIG-registered professional (invariant 4, R-6-2)."""
    professional = professional_of(user)
    return professional is not None and professional.secrecy == Secrecy.PROFESSIONAL_SECRECY


def category_choices(*, case: Case, author: User) -> QuerySet[DataCategory]:
    """The categories `author` can share in `case`: the type's allow-list (R-5-1) without what is
    never shared (geoorloofd verzuim, R-5-2) or excluded (criminal data, BSN, R-5-3); treatment
    information only for professionals with professional secrecy (R-T-2)."""
    categories = case.consultation_type.allowed_categories.filter(
        never_shared=False, excluded=False
    )
    if not has_professional_secrecy(author):
        categories = categories.filter(treatment_information=False)
    return categories.order_by("code")


def basis_choices(*, author: User) -> QuerySet[LegalBasis]:
    """The legal bases of the author's party type and capacity that are in force (R-4-2, R-4-5)."""
    professional = professional_of(author)
    if professional is None:
        return LegalBasis.objects.none()
    today = timezone.localdate()
    return (
        LegalBasis.objects.filter(
            enabled=True,
            party_type=professional.organisation.party_type,
            capacity=professional.capacity,
        )
        .exclude(in_force_from__gt=today)
        .order_by("data_class", "label")
    )


def recipient_choices(*, case: Case, author: User) -> list[Participant]:
    """The professionals an item can be narrowed to: active participants who accepted, other
    than the author; the procesregisseur sits at the head of the table without a seat row."""
    return list(
        case.participants.active()
        .filter(kind=ParticipantKind.PROFESSIONAL, response=Response.ACCEPTED)
        .exclude(user=author)
        .select_related("user__professional__organisation", "organisation")
        .order_by("organisation__name", "user__last_name")
    )


@dataclass
class Reader:
    """Someone who would read an item: a grant holder outside the owner party."""

    user: User
    professional: Professional | None


@dataclass
class ShareCheck:
    """The outcome of the sharing rules: errors per field, the effective class, consent."""

    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    data_class: str = ""
    needs_consent: bool = False
    consent_id: int | None = None

    def refuse(self, field_name: str | None, message: str) -> None:
        """Add a message next to `field_name` (or at the top for None)."""
        self.errors["__all__" if field_name is None else field_name].append(message)

    @property
    def ok(self) -> bool:
        """Nothing refused."""
        return not self.errors


def readers(
    *,
    case: Case,
    owner_id: int,
    owner_capacity: str,
    audience_all: bool,
    recipients: list[Participant],
) -> list[Reader]:
    """Who would read the item besides its owner party: every grant holder of the case (the
    procesregisseur and the professionals who accepted), or only the chosen recipients."""
    if audience_all:
        users = list(
            User.objects.filter(pk__in=list(holders(VIEW_CASE, case)))
            .select_related("professional__organisation")
            .order_by("last_name", "first_name")
        )
    else:
        users = [p.user for p in recipients]
    found = []
    for user in users:
        professional = professional_of(user)
        if is_owner(professional, owner_id=owner_id, owner_capacity=owner_capacity):
            continue  # the owner's own people hold this data already (R-2-1)
        found.append(Reader(user=user, professional=professional))
    return found


def is_owner(professional: Professional | None, *, owner_id: int, owner_capacity: str) -> bool:
    """Whether `professional` belongs to the owner party in the capacity the item was shared in.

    One municipality acts as youth services, leerplicht and RMC at once, on different legal
    bases (SPEC §4, R-P-4): a leerplicht officer is no owner of the wijkteam's items.
    """
    return (
        professional is not None
        and professional.organisation_id == owner_id
        and professional.capacity == owner_capacity
    )


def _receiving_classes(professional: Professional | None) -> set[str]:
    """Data classes the reader's party and capacity may receive on a statutory ground."""
    if professional is None:
        return set()
    classes = set(
        LegalBasis.objects.filter(
            enabled=True,
            consent_basis=False,
            party_type=professional.organisation.party_type,
            capacity=professional.capacity,
        )
        .exclude(in_force_from__gt=timezone.localdate())  # in force, as for providing (R-4-5)
        .values_list("data_class", flat=True)
    )
    if professional.secrecy == Secrecy.NONE:
        classes.discard(DataClass.SPECIAL_HEALTH)  # R-6-1
    return classes | {DataClass.ANONYMOUS}


def _name(reader: Reader) -> str:
    """A reader as a message names them: "name (organisation)"."""
    organisation = reader.professional.organisation.name if reader.professional else ""
    return f"{reader.user.get_full_name()} ({organisation})" if organisation else str(reader.user)


def check_share(
    *,
    case: Case,
    author: User,
    category: DataCategory | None,
    legal_basis: LegalBasis | None,
    audience_all: bool,
    recipients: list[Participant],
    withhold: bool = False,
) -> ShareCheck:
    """Every rule a new or changed item must meet, with a message per refused field.

    `withhold`: the item is recorded as "niet verstrekken" (R-6-3) and read by its owner party
    only, so the disclosure rules (consent, recipients) do not apply; the minimal-data and
    legal-basis rules still do.
    """
    check = ShareCheck()
    professional = professional_of(author)
    if professional is None:
        check.refuse(None, _("Only a professional of a party can share data."))
        return check
    # R-5-1, R-5-2, R-5-3: only the consultation type's minimal data.
    if category is None:
        check.refuse("category", _("Choose what kind of data you share."))
        return check
    if category.never_shared:
        check.refuse("category", _("Authorised absence (geoorloofd verzuim) is never shared."))
    elif category.excluded:
        check.refuse("category", _("Criminal data and the BSN are not processed in a case."))
    elif not case.consultation_type.allowed_categories.filter(pk=category.pk).exists():
        check.refuse(
            "category",
            _("A %(type)s does not share this kind of data. Choose a kind from the list.")
            % {"type": case.consultation_type.name},
        )
    # R-T-2: treatment information only from a professional with professional secrecy.
    if category.treatment_information and professional.secrecy != Secrecy.PROFESSIONAL_SECRECY:
        check.refuse(
            "category",
            _("Only a professional with professional secrecy can share treatment information."),
        )
    # R-4-2, R-4-4, R-T-1: a basis of the providing party for this class of data.
    if legal_basis is None:
        check.refuse("legal_basis", _("Choose the legal basis on which your party shares this."))
        return check
    allowed_classes = BASIS_CLASSES.get(category.data_class, set())
    if (
        legal_basis.party_type != professional.organisation.party_type
        or legal_basis.capacity != professional.capacity
    ):
        check.refuse(
            "legal_basis", _("This legal basis is not one of your party in your capacity.")
        )
    elif not legal_basis.enabled or (
        legal_basis.in_force_from and legal_basis.in_force_from > timezone.localdate()
    ):
        check.refuse("legal_basis", _("This legal basis is not in force."))
    elif legal_basis.data_class not in allowed_classes:
        if category.data_class == DataClass.SPECIAL_HEALTH:
            message = _("This is health data: choose a basis for special data, or consent (R-4-4).")
        else:
            message = _("This legal basis does not cover this kind of data.")
        check.refuse("legal_basis", message)
    if check.errors:
        return check
    check.data_class = (
        DataClass.ANONYMOUS
        if category.data_class == DataClass.ANONYMOUS
        else legal_basis.data_class
    )
    # R-6-1: health data is processed only by people bound by secrecy, its author included.
    if check.data_class == DataClass.SPECIAL_HEALTH and professional.secrecy == Secrecy.NONE:
        check.refuse(
            "legal_basis",
            _("Only professionals bound by secrecy can record health data; you are not."),
        )
        return check
    if withhold:
        return check
    _check_readers(
        check,
        case=case,
        author=author,
        professional=professional,
        category=category,
        legal_basis=legal_basis,
        audience_all=audience_all,
        recipients=recipients,
    )
    return check


def _consent_reasons(
    professional: Professional, category: DataCategory, legal_basis: LegalBasis
) -> list[str]:
    """Why providing this item needs consent (invariant 4), empty when it does not."""
    reasons = []
    if professional.secrecy == Secrecy.PROFESSIONAL_SECRECY:
        reasons.append(_("you have professional secrecy"))
    if category.treatment_information:
        reasons.append(_("it is treatment information"))
    if legal_basis.requires_consent or legal_basis.consent_basis:
        reasons.append(_("the legal basis requires consent"))
    return reasons


def _check_readers(
    check: ShareCheck,
    *,
    case: Case,
    author: User,
    professional: Professional,
    category: DataCategory,
    legal_basis: LegalBasis,
    audience_all: bool,
    recipients: list[Participant],
) -> None:
    """The disclosure rules: who reads it, and on which ground (R-4-2, R-5-2, R-6-1, R-6-2)."""
    seated = recipient_choices(case=case, author=author)
    allowed = {p.pk for p in seated}
    if not audience_all:
        if not recipients:
            check.refuse("recipients", _("Choose who may read it, or share it with everyone."))
            return
        if any(p.pk not in allowed for p in recipients):
            check.refuse("recipients", _("Choose only professionals at the table who accepted."))
            return
    item_readers = readers(
        case=case,
        owner_id=professional.organisation_id,
        owner_capacity=professional.capacity,
        audience_all=audience_all,
        recipients=recipients,
    )
    # R-5-2, R-TYPE-3: zorgelijk geoorloofd verzuim only to leerplicht or the youth doctor. The
    # readers must be named: "everyone" would include whoever joins the table later.
    restricted = set(category.restricted_to_capacities or [])
    if restricted:
        at_table = [p for p in seated if p.user.professional.capacity in restricted]
        if not at_table:
            check.refuse(
                "category",
                _(
                    "This can only be shared with leerplicht or the youth doctor at the table, "
                    "and neither has accepted."
                ),
            )
            return
        if audience_all:
            check.refuse(
                "recipients", _("Choose leerplicht or the youth doctor as the only readers.")
            )
            return
        outside = [
            r
            for r in item_readers
            if r.professional is None or r.professional.capacity not in restricted
        ]
        if outside:
            check.refuse(
                "recipients",
                _("Share this only with leerplicht or the youth doctor; not with: %(names)s.")
                % {"names": ", ".join(_name(r) for r in outside)},
            )
            return
    # R-4-2 (receiving side), R-4-4, R-T-3, R-6-1: each reader needs a ground to receive.
    without_ground = [
        r for r in item_readers if check.data_class not in _receiving_classes(r.professional)
    ]
    reasons = _consent_reasons(professional, category, legal_basis)
    check.needs_consent = bool(reasons or without_ground)
    if not check.needs_consent:
        return
    answer = covering_consent(
        ConsentQuestion(
            case_id=case.pk,
            youth_id=case.youth_id,
            source_organisation_id=professional.organisation_id,
            author_user_id=author.pk,
            category_id=category.pk,
            data_class=check.data_class,
            purpose_id=case.purpose_id,
            recipient_user_ids=tuple(sorted(r.user.pk for r in item_readers)),
            on=timezone.localdate(),
        )
    )
    if answer.covered:
        check.consent_id = answer.consent_id
        return
    if reasons:
        check.refuse(
            "legal_basis",
            _(
                "Sharing this needs the consent of the parents or the youth (%(why)s). No valid "
                "consent covers it, so it cannot be shared. %(detail)s"
            )
            % {"why": ", ".join(reasons), "detail": answer.reason},
        )
    if without_ground:
        check.refuse(
            "recipients",
            _(
                "These readers have no legal ground to receive this kind of data without "
                "consent: %(names)s. Choose other recipients."
            )
            % {"names": ", ".join(_name(r) for r in without_ground)},
        )


def errors_of(check: ShareCheck) -> dict[str, Any]:
    """The check's messages in the shape of a ValidationError's dict."""
    return {key: list(messages) for key, messages in check.errors.items()}
