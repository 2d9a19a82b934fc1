"""Who must consent, and who exercises a youth's rights, on a given date (SPEC §6, R-AGE-1, R-13-4).

Age is computed at the date of the action (the consent, the request), never at case creation.
The thresholds are configuration (settings.AGE_THRESHOLDS, SPEC §10); whether both parents with
joint gezag must consent is a setting of the region (`Region.require_both_parents`, SPEC §10 Q4).
A documented professional judgement that the youth cannot reasonably assess their own interests
(`IncapacityJudgement`) moves consent and rights to the parents, or from 18 to a curator or mentor.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings

from parties.choices import GuardianRelation
from parties.models import Guardian, Youth

from .choices import AgeRule, ConsenterKind


@dataclass(frozen=True)
class Consenter:
    """One person whose decision counts: a guardian row, or the youth themselves."""

    kind: str
    guardian_id: int | None = None

    @property
    def is_youth(self) -> bool:
        """The youth, not a guardian."""
        return self.kind == ConsenterKind.YOUTH


@dataclass(frozen=True)
class ConsenterGroup:
    """People of whom one consent suffices: one parent when the region does not ask for both."""

    members: tuple[Consenter, ...]


@dataclass(frozen=True)
class RequiredConsenters:
    """The answer of the age table for one youth on one date."""

    age: int
    rule: str
    groups: tuple[ConsenterGroup, ...]

    @property
    def consenters(self) -> tuple[Consenter, ...]:
        """Everyone whose decision counts, in group order."""
        return tuple(member for group in self.groups for member in group.members)

    @property
    def possible(self) -> bool:
        """Whether anyone can consent at all (a minor without a parent with gezag cannot)."""
        return bool(self.groups) and all(group.members for group in self.groups)

    def includes(self, consenter: Consenter) -> bool:
        """Whether `consenter` is one of the people whose decision counts."""
        return consenter in self.consenters


def _guardians(youth: Youth, *, representatives: bool) -> list[Guardian]:
    """The youth's guardians with authority: parents and voogden, or curators and mentors."""
    guardians = [g for g in youth.guardians.all() if g.has_authority]
    if representatives:
        return [g for g in guardians if g.relation == GuardianRelation.CURATOR]
    return [g for g in guardians if g.relation != GuardianRelation.CURATOR]


def is_incapable(youth: Youth, on: date) -> bool:
    """Whether a judgement in force on `on` says the youth cannot judge their own interests."""
    return any(
        judgement.judged_on <= on and (judgement.ended_on is None or judgement.ended_on > on)
        for judgement in youth.incapacity_judgements.all()
    )


def _parent_groups(youth: Youth) -> tuple[ConsenterGroup, ...]:
    """Each parent with gezag on their own, or all of them as one group (SPEC §10 Q4)."""
    parents = tuple(
        Consenter(ConsenterKind.PARENT, guardian.pk)
        for guardian in _guardians(youth, representatives=False)
    )
    if not parents:
        return (ConsenterGroup(members=()),)  # nobody can consent: `possible` is False
    if youth.region.require_both_parents:
        return tuple(ConsenterGroup(members=(parent,)) for parent in parents)
    return (ConsenterGroup(members=parents),)


def required_consenters(youth: Youth, on: date) -> RequiredConsenters:
    """Whose consent a share about `youth` needs on `on` (SPEC R-AGE-1).

    - under 12: every parent with gezag;
    - 12 to 15: the youth and every parent with gezag (the parents only, if the youth is judged
      not able to assess their own interests);
    - 16 and 17: the youth (the parents, if judged not able);
    - 18 and older: the youth (a curator or mentor, if judged not able).
    "Every parent" means each parent with joint gezag unless the region asks for one (Q4).
    """
    thresholds = settings.AGE_THRESHOLDS
    age = youth.age_on(on)
    youth_group = ConsenterGroup(members=(Consenter(ConsenterKind.YOUTH),))
    incapable = age >= thresholds["participates"] and is_incapable(youth, on)
    if age >= thresholds["adult"]:
        if incapable:
            representatives = tuple(
                Consenter(ConsenterKind.REPRESENTATIVE, guardian.pk)
                for guardian in _guardians(youth, representatives=True)
            )
            return RequiredConsenters(
                age, AgeRule.INCAPABLE_ADULT, (ConsenterGroup(members=representatives),)
            )
        return RequiredConsenters(age, AgeRule.ALONE, (youth_group,))
    if incapable:
        return RequiredConsenters(age, AgeRule.INCAPABLE_MINOR, _parent_groups(youth))
    if age >= thresholds["decides_alone"]:
        return RequiredConsenters(age, AgeRule.ALONE, (youth_group,))
    if age >= thresholds["participates"]:
        return RequiredConsenters(age, AgeRule.TOGETHER, (youth_group, *_parent_groups(youth)))
    return RequiredConsenters(age, AgeRule.CHILD, _parent_groups(youth))


def may_exercise_rights(youth: Youth, consenter: Consenter, on: date) -> bool:
    """Whether `consenter` may file a rights request about `youth` on `on` (SPEC §6, R-13-4).

    Under 12 the parents with gezag; from 12 to 15 the youth and the parents (together: either
    may file, each sees the answer); from 16 the youth alone, a parent only with the youth's
    permission (R-AGE-5, checked by the caller); if the youth is judged not able, the parents
    (or from 18 a curator or mentor). A parent without gezag has no rights functions.
    """
    thresholds = settings.AGE_THRESHOLDS
    age = youth.age_on(on)
    if consenter.is_youth:
        return age >= thresholds["participates"] and not is_incapable(youth, on)
    guardian_ids = {
        g.pk for g in _guardians(youth, representatives=consenter.kind == "representative")
    }
    if consenter.guardian_id not in guardian_ids:
        return False
    if consenter.kind == ConsenterKind.REPRESENTATIVE:
        return age >= thresholds["adult"] and is_incapable(youth, on)
    return age < thresholds["adult"]


def decides_alone(youth: Youth, on: date) -> bool:
    """From 16 the youth decides alone what their parents see (SPEC §6, R-AGE-5, R-AGE-6)."""
    return youth.age_on(on) >= settings.AGE_THRESHOLDS["decides_alone"]


def may_request_destruction(youth: Youth, on: date) -> bool:
    """Jeugdwet 7.3.9: a youth under 12 or not able to judge has no right to destruction."""
    return youth.age_on(on) >= settings.AGE_THRESHOLDS["participates"] and not is_incapable(
        youth, on
    )
