"""Factories of the parties app: one per model, Traits for states."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from parties.choices import (
    AuthoritySource,
    Capacity,
    PartyType,
    ProfessionalRegister,
    Role,
    Secrecy,
)
from parties.models import (
    ConfidentialityDeclaration,
    Guardian,
    Organisation,
    Professional,
    Region,
    User,
    Youth,
)


class RegionFactory(DjangoModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Regio {n}")


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Organisatie {n}")
    party_type = PartyType.SCHOOL_BOARD
    capacities = factory.LazyAttribute(lambda o: [Capacity.EDUCATION])

    class Params:
        municipality = factory.Trait(
            party_type=PartyType.MUNICIPAL_EXECUTIVE,
            capacities=[Capacity.YOUTH_ACT, Capacity.COMPULSORY_EDUCATION, Capacity.RMC],
        )
        youth_care = factory.Trait(
            party_type=PartyType.YOUTH_CARE_PROVIDER, capacities=[Capacity.YOUTH_CARE]
        )
        youth_health = factory.Trait(
            party_type=PartyType.YOUTH_HEALTH_SERVICE, capacities=[Capacity.YOUTH_HEALTH]
        )


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    # Sequences, not Faker: a random name could equal a test youth's name and fake a leak.
    first_name = factory.Sequence(lambda n: f"Voornaam{n}")
    last_name = factory.Sequence(lambda n: f"Achternaam{n}")
    role = Role.PROFESSIONAL
    password = factory.django.Password("test-password-123")

    @factory.post_generation
    def declared(self: User, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """Professionals and procesregisseurs accepted the geheimhoudingsverklaring (issue 7,
        R-11-1), or no case page would open for them; `declared=False` leaves it out."""
        if create and extracted is not False:
            declare(self)


def declare(user: User, **kwargs: object) -> ConfidentialityDeclaration | None:
    """Give `user` an acceptance of the current declaration if their role must have one and
    they have none in force (idempotent); `kwargs` override the row (version, accepted_at)."""
    from django.utils import timezone

    from parties import confidentiality

    if user.role not in confidentiality.DECLARING_ROLES:
        return None
    fields = {
        "version": confidentiality.VERSION,
        "text_sha256": confidentiality.text_sha256(),
        "accepted_at": timezone.now(),
        **kwargs,
    }
    if (
        not kwargs
        and ConfidentialityDeclaration.objects.in_force(
            version=fields["version"], since=confidentiality.valid_since(timezone.now())
        )
        .filter(user=user)
        .exists()
    ):
        return None
    return ConfidentialityDeclaration.objects.create(user=user, **fields)


class ProfessionalFactory(DjangoModelFactory[Professional]):
    class Meta:
        model = Professional

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    function = "Intern begeleider"
    capacity = Capacity.EDUCATION
    secrecy = Secrecy.DUTY
    professional_register = ProfessionalRegister.NONE

    class Params:
        professional_secrecy = factory.Trait(
            secrecy=Secrecy.PROFESSIONAL_SECRECY,
            professional_register=ProfessionalRegister.SKJ,
            register_number="110012345",
        )


class YouthFactory(DjangoModelFactory[Youth]):
    class Meta:
        model = Youth

    region = factory.SubFactory(RegionFactory)
    given_name = factory.Sequence(lambda n: f"Kindvoornaam{n}")
    family_name = factory.Sequence(lambda n: f"Kindachternaam{n}")
    date_of_birth = date(2014, 3, 1)


class GuardianFactory(DjangoModelFactory[Guardian]):
    class Meta:
        model = Guardian

    youth = factory.SubFactory(YouthFactory)
    given_name = factory.Sequence(lambda n: f"Oudervoornaam{n}")
    family_name = factory.Sequence(lambda n: f"Ouderachternaam{n}")
    has_authority = True
    authority_source = AuthoritySource.REGISTER
    authority_checked_on = date(2026, 1, 1)
    user = factory.SubFactory(UserFactory, role=Role.PARENT)

    class Params:
        without_authority = factory.Trait(
            has_authority=False, authority_source="", authority_checked_on=None
        )
