"""Hypothesis profiles for the hostile-input tests (invariant 9, issue 7).

`HYPOTHESIS_PROFILE` chooses one: `fuzz` (the default locally: a few examples per form, so the
whole suite stays quick on two cores), `ci` (the default when `CI` is set: the same number,
derandomised, so a CI run can be repeated and does not fail by chance on a submission that did
not touch the form), or `thorough` (many examples, for a night run or before a release). The
tests apply the profile with `fuzz_settings()` instead of loading it globally, so other
hypothesis tests keep their own.
"""

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    # A POST with its page and two row counts takes tens of milliseconds, far from a deadline
    # that means something; the database is rolled back after every example.
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}
settings.register_profile("fuzz", max_examples=10, **_COMMON)
settings.register_profile("ci", max_examples=10, derandomize=True, **_COMMON)
settings.register_profile("thorough", max_examples=200, **_COMMON)


def fuzz_settings() -> settings:
    """The settings of the profile named by HYPOTHESIS_PROFILE (`ci` under CI, else `fuzz`)."""
    default = "ci" if os.environ.get("CI") else "fuzz"
    return settings(settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE") or default))
