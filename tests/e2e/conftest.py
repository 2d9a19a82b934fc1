"""Browser tests: Playwright drives the system's Chromium (/usr/bin/chromium), never a download."""

import os
import shutil
from io import StringIO
from pathlib import Path

from django.core.management import call_command

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls in these tests are
# plain synchronous setup, so Django's guard against async contexts is lifted for them only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("Chromium is not installed: apt-get install -y chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """A Dutch browser, as our users have (Chromium sends en-US otherwise)."""
    return {**browser_context_args, "locale": "nl-NL"}


@pytest.fixture
def demo(reference_data) -> None:
    """The demo region with its cases, on top of the model covenant's reference data."""
    call_command("seed_demo", stdout=StringIO())
