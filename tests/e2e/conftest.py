"""Browser tests: Playwright (PyPI) driving Debian's chromium (/usr/bin/chromium), against
pytest-django's live server. See /work/shared/design/BROWSER-TESTS.md. The README's test
command installs chromium when it is missing (Makefile, `test`)."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
# around it are still synchronous (Django's documented switch for such runners).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: drives a real browser against the live server")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A browser in China: Chinese first (the portal's default language)."""
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class ConsoleErrors(list):
    """Console errors and uncaught exceptions of a page (a missing favicon is not one)."""

    def watch(self, page):
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.append(f"pageerror: {error}"))
        return page

    def _console(self, message):
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        if "favicon" in where or ("favicon" in message.text):
            return
        self.append(f"{message.text} ({where})")


@pytest.fixture
def console_errors():
    return ConsoleErrors()


def _second_factor(page, username: str) -> None:
    """Pass the two-factor step when the portal asks for it (authority accounts), with a
    code computed from the account's TOTP device, as an authenticator app would."""
    token_input = page.locator("input[name=token]")
    if not token_input.count():
        return
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username).order_by("-confirmed").first()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    token_input.fill(f"{code:0{device.digits}d}")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def login(page, live_server, username: str, password: str, next_url: str = "/") -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    page.wait_for_load_state()
    _second_factor(page, username)
