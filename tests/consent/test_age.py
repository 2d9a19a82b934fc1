"""Who consents and who exercises the rights, on the date of the action (SPEC §6, R-AGE-1).

The boundary dates of R-AGE-1: 11y364d, 12y0d, 15y364d, 16y0d, 17y364d and 18y0d, for a youth
born on 17 May 2010; joint gezag with the region's `require_both_parents` on and off; the
documented "not able to judge" exception; a parent without gezag never counts.
"""

from datetime import date, timedelta

from django.test import override_settings

import pytest

from consent.age import (
    Consenter,
    may_exercise_rights,
    may_request_destruction,
    required_consenters,
)
from consent.choices import AgeRule, ConsenterKind
from parties.choices import GuardianRelation
from tests.factories.consent import IncapacityJudgementFactory
from tests.factories.parties import (
    GuardianFactory,
    ProfessionalFactory,
    RegionFactory,
    YouthFactory,
)

pytestmark = pytest.mark.django_db

BORN = date(2010, 5, 17)


def _birthday(years: int) -> date:
    return BORN.replace(year=BORN.year + years)


@pytest.fixture
def family():
    """A youth with two parents with joint gezag and one parent without."""
    youth = YouthFactory(region=RegionFactory(), date_of_birth=BORN)
    mother = GuardianFactory(youth=youth)
    father = GuardianFactory(youth=youth)
    GuardianFactory(youth=youth, without_authority=True)
    return youth, mother, father


def _youth():
    return Consenter(ConsenterKind.YOUTH)


def _parent(guardian):
    return Consenter(ConsenterKind.PARENT, guardian.pk)


def _groups(required):
    """The groups in a fixed order: the youth first, then the parents by row id."""
    groups = [set(group.members) for group in required.groups]
    return sorted(groups, key=lambda g: min((not m.is_youth, m.guardian_id or 0) for m in g))


@pytest.mark.parametrize(
    ("on", "age", "rule", "youth_counts", "parents_count"),
    [
        (_birthday(12) - timedelta(days=1), 11, AgeRule.CHILD, False, True),  # 11y364d
        (_birthday(12), 12, AgeRule.TOGETHER, True, True),  # 12y0d
        (_birthday(16) - timedelta(days=1), 15, AgeRule.TOGETHER, True, True),  # 15y364d
        (_birthday(16), 16, AgeRule.ALONE, True, False),  # 16y0d
        (_birthday(18) - timedelta(days=1), 17, AgeRule.ALONE, True, False),  # 17y364d
        (_birthday(18), 18, AgeRule.ALONE, True, False),  # 18y0d
    ],
)
def test_the_age_table_at_every_boundary_date(family, on, age, rule, youth_counts, parents_count):
    """R-AGE-1, SPEC §6: under 12 every parent with gezag; 12–15 the youth and every parent with
    gezag; from 16 the youth alone. The parent without gezag never counts."""
    youth, mother, father = family
    required = required_consenters(youth, on)
    assert required.age == age
    assert required.rule == rule
    assert required.possible
    expected = []
    if youth_counts:
        expected.append({_youth()})
    if parents_count:
        expected += [{_parent(mother)}, {_parent(father)}]
    assert _groups(required) == expected


def test_one_parent_suffices_where_the_region_does_not_ask_for_both(family):
    """R-AGE-1, SPEC §10 Q4: with `require_both_parents` off the parents form one group: either
    parent's consent counts, but one is needed."""
    youth, mother, father = family
    youth.region.require_both_parents = False
    youth.region.save()
    required = required_consenters(youth, _birthday(13))
    assert _groups(required) == [{_youth()}, {_parent(mother), _parent(father)}]


def test_a_minor_judged_not_able_to_judge_is_represented_by_the_parents(family):
    """R-AGE-1: 12–17 with a documented judgement that the youth cannot reasonably assess their
    own interests: the parents consent instead of (12–15: besides) the youth; ended, the normal
    row applies again from the end date."""
    youth, mother, father = family
    professional = ProfessionalFactory().user
    judgement = IncapacityJudgementFactory(
        youth=youth, judged_by=professional, judged_on=_birthday(14)
    )
    for years in (14, 15, 16, 17):
        required = required_consenters(youth, _birthday(years))
        assert required.rule == AgeRule.INCAPABLE_MINOR
        assert _groups(required) == [{_parent(mother)}, {_parent(father)}]
    # Before the judgement the youth consented with the parents.
    assert required_consenters(youth, _birthday(13)).rule == AgeRule.TOGETHER
    judgement.ended_on = _birthday(17)
    judgement.save()
    assert required_consenters(youth, _birthday(17)).rule == AgeRule.ALONE


def test_an_adult_judged_not_able_is_represented_by_a_curator_or_mentor(family):
    """R-AGE-1: from 18 with the judgement, a curator or mentor consents, not the parents; without
    a curator nobody can (the professional is told to record one)."""
    youth, _mother, _father = family
    IncapacityJudgementFactory(
        youth=youth, judged_by=ProfessionalFactory().user, judged_on=_birthday(17)
    )
    required = required_consenters(youth, _birthday(18))
    assert required.rule == AgeRule.INCAPABLE_ADULT
    assert not required.possible
    curator = GuardianFactory(youth=youth, relation=GuardianRelation.CURATOR)
    required = required_consenters(youth, _birthday(18))
    assert required.possible
    assert _groups(required) == [{Consenter(ConsenterKind.REPRESENTATIVE, curator.pk)}]


def test_a_minor_without_a_parent_with_gezag_cannot_consent():
    """R-AGE-1, SPEC §6: a parent without gezag has no consent functions; nobody can consent."""
    youth = YouthFactory(date_of_birth=BORN)
    GuardianFactory(youth=youth, without_authority=True)
    assert not required_consenters(youth, _birthday(10)).possible


@override_settings(AGE_THRESHOLDS={"participates": 12, "decides_alone": 15, "adult": 18})
def test_the_thresholds_are_configuration(family):
    """SPEC §10: the ages are settings; with 15 as the age of deciding alone a 15-year-old
    consents alone."""
    youth, _mother, _father = family
    assert required_consenters(youth, _birthday(15)).rule == AgeRule.ALONE


def test_who_exercises_the_rights_by_age(family):
    """R-13-4, SPEC §6: under 12 the parents; 12–15 the youth and the parents; from 16 the youth
    (a parent only with the youth's permission, checked by the service, R-AGE-5); a parent
    without gezag never; destruction of a youth care file not for a youth under 12."""
    youth, mother, _father = family
    without = youth.guardians.get(has_authority=False)
    assert may_exercise_rights(youth, _parent(mother), _birthday(11))
    assert not may_exercise_rights(youth, _youth(), _birthday(11))
    assert may_exercise_rights(youth, _youth(), _birthday(12))
    assert may_exercise_rights(youth, _parent(mother), _birthday(15))
    assert not may_exercise_rights(youth, _parent(without), _birthday(11))
    assert not may_exercise_rights(youth, _parent(mother), _birthday(18))
    assert not may_request_destruction(youth, _birthday(12) - timedelta(days=1))
    assert may_request_destruction(youth, _birthday(12))
