"""The "verwerkingsregister-extract" of one party (SPEC art. 15, R-15-2).

Each party records the Casusoverleg processing in its own AVG art. 30 register. This extract
gives it what to record, derived from the covenant's reference data only (no personal data):
purposes, categories of data and data subjects, recipients (the party types it shares with),
legal bases, retention, security measures and the FG contact. The security measures are a fixed
text: they describe the application (docs/architecture.md), not a region's choice.
"""

import io
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from convenant.models import (
    ConsultationType,
    Covenant,
    CovenantParty,
    DataCategory,
    LegalBasis,
    Purpose,
    RetentionRule,
)
from convenant.selectors import covenant_in_force, covenant_party_list, covenant_party_of
from core.csv_export import SafeWriter
from core.permissions import AnyUser
from parties.choices import PartyType
from parties.models import Organisation

from .dashboard import dashboard_region

# Art. 32 AVG measures as built (docs/architecture.md; SPEC art. 10). Fixed text, not data.
SECURITY_MEASURES = (
    _("Two-factor login for every user; sessions end after 15 minutes without activity."),
    _(
        "Access by role and by case: a professional sees a case only while taking part in it "
        "(need to know); FGs and beheerders see no case content."
    ),
    _("A yearly confidentiality declaration by every professional before any case access."),
    _(
        "Every read, change, export and refused access is logged; the log cannot be changed "
        "and is sealed in hash-chained blocks that are verified every night."
    ),
    _(
        "Encryption in transit (TLS) and of free text and shared data at rest; hosting in the "
        "EU/EEA."
    ),
    _("Data minimisation: each consultation type accepts only its allowed data categories."),
    _("Retention periods enforced by a nightly job that deletes or anonymises in time."),
    _("E-mails carry no personal data, only a link into the application."),
    _("Management figures are counts only, with cells below 5 suppressed."),
)

DATA_SUBJECTS = (
    _("Children and young people discussed in a Casusoverleg"),
    _("Their parents or guardians"),
    _("Professionals taking part"),
)


@dataclass
class RegisterExtract:
    """Everything the extract shows; built by `register_extract`, rendered as page, CSV, PDF."""

    organisation: Organisation
    covenant: Covenant | None
    party: CovenantParty | None
    purposes: list[Purpose] = field(default_factory=list)
    categories: list[DataCategory] = field(default_factory=list)
    legal_bases: list[LegalBasis] = field(default_factory=list)
    recipient_types: list[str] = field(default_factory=list)
    retention: list[RetentionRule] = field(default_factory=list)
    security: list[str] = field(default_factory=list)
    data_subjects: list[str] = field(default_factory=list)
    made_on: date | None = None

    @property
    def controller_types(self) -> str:
        return str(self.organisation.get_party_type_display())


def register_parties(*, user: AnyUser) -> QuerySet[Organisation]:
    """The organisations of `user`'s region that an extract can be made for: the parties of
    the covenant in force (reference data, no personal data)."""
    region = dashboard_region(user=user)
    if region is None:
        return Organisation.objects.none()
    covenant = covenant_in_force(region_id=region.pk, on=timezone.localdate())
    if covenant is None:
        return Organisation.objects.none()
    ids = covenant_party_list(covenant=covenant, on=timezone.localdate()).values("organisation_id")
    return Organisation.objects.filter(region=region, pk__in=ids).order_by("name")


def register_organisation(*, user: AnyUser, uuid: object) -> Organisation:
    """The party with `uuid` of the user's region. Raises Organisation.DoesNotExist."""
    return register_parties(user=user).get(uuid=uuid)


def register_extract(*, organisation: Organisation) -> RegisterExtract:
    """The extract for `organisation` from the reference data of the covenant in force."""
    today = timezone.localdate()
    covenant = covenant_in_force(region_id=organisation.region_id, on=today)
    party = (
        covenant_party_of(covenant=covenant, organisation=organisation, on=today)
        if covenant
        else None
    )
    types = ConsultationType.objects.filter(enabled=True)
    purposes = list(
        Purpose.objects.filter(pk__in=types.values("purpose_id")).order_by("code").distinct()
    )
    categories = list(
        DataCategory.objects.filter(
            consultation_types__in=types, excluded=False, never_shared=False
        )
        .distinct()
        .order_by("code")
    )
    capacities = organisation.capacities or []
    legal_bases = list(
        LegalBasis.objects.filter(
            party_type=organisation.party_type, capacity__in=capacities, enabled=True
        ).order_by("data_class", "code")
    )
    recipient_types: list[str] = []
    if covenant is not None:
        kinds = (
            covenant_party_list(covenant=covenant, on=today)
            .exclude(organisation=organisation)
            .values_list("organisation__party_type", flat=True)
            .distinct()
        )
        labels = dict(PartyType.choices)
        recipient_types = sorted({str(labels.get(k, k)) for k in kinds})
    retention = list(
        RetentionRule.objects.filter(
            Q(owner_party_type="") | Q(owner_party_type=organisation.party_type)
        ).order_by("code")
    )
    return RegisterExtract(
        organisation=organisation,
        covenant=covenant,
        party=party,
        purposes=purposes,
        categories=categories,
        legal_bases=legal_bases,
        recipient_types=recipient_types,
        retention=retention,
        security=[str(m) for m in SECURITY_MEASURES],
        data_subjects=[str(s) for s in DATA_SUBJECTS],
        made_on=today,
    )


def _retention_text(rule: RetentionRule) -> str:
    period = (
        gettext("%(n)s months") % {"n": rule.period_months}
        if rule.period_months is not None
        else gettext("set by the party's own policy")
    )
    return f"{period}, {rule.get_trigger_display()}, {rule.get_action_display()}"


def register_csv(*, extract: RegisterExtract, exported_by: str) -> str:
    """The extract as CSV (section, item, detail), with who made it when (R-11-2)."""
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(["section", "item", "detail"])
    org = extract.organisation
    writer.writerow([gettext("Controller"), org.name, extract.controller_types])
    if extract.covenant:
        writer.writerow(
            [gettext("Covenant"), str(extract.covenant), extract.covenant.effective_from]
        )
        if extract.covenant.hosting_organisation:
            writer.writerow(
                [
                    gettext("Processor (hosting party)"),
                    extract.covenant.hosting_organisation.name,
                    extract.covenant.processor_agreement_reference,
                ]
            )
    writer.writerows([gettext("Purpose"), p.name, p.description] for p in extract.purposes)
    writer.writerows([gettext("Data subjects"), s, ""] for s in extract.data_subjects)
    writer.writerows(
        [gettext("Data category"), f"{c.code} {c.name}", c.get_data_class_display()]
        for c in extract.categories
    )
    writer.writerows([gettext("Recipients"), t, ""] for t in extract.recipient_types)
    writer.writerows(
        [
            gettext("Legal basis"),
            b.label,
            f"{b.avg_article}; {b.statute_reference} ({b.get_data_class_display()})",
        ]
        for b in extract.legal_bases
    )
    writer.writerows(
        [gettext("Retention period"), r.record_type, _retention_text(r)] for r in extract.retention
    )
    writer.writerows([gettext("Security measures"), m, ""] for m in extract.security)
    if extract.party:
        writer.writerow(
            [
                gettext("Data protection officer (FG)"),
                extract.party.privacy_officer_name,
                extract.party.privacy_officer_email,
            ]
        )
    buffer.write(
        f"# exported by: {exported_by}\r\n"
        f"# exported at: {timezone.localtime().isoformat(timespec='seconds')}\r\n"
    )
    return buffer.getvalue()


def retention_text(rule: RetentionRule) -> str:
    """How long a record is kept, from when, and what then happens, in one line."""
    return _retention_text(rule)
