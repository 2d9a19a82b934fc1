"""The one place where settings read the environment.

Every knob is an environment variable read through `env` (django-environ); `.env.example` lists them
all and `tests/test_deployment_files.py` checks that the two agree.
"""

import environ

env = environ.Env()


class ImproperlyConfiguredError(RuntimeError):
    """A required setting is missing or unsafe; the process must not start."""
