"""Helpers for browser (Playwright) tests: launching Debian's Chromium, watched pages, the
trainer's sign-in and axe scans.

``open_browser`` is what most tests want: a page of its own, signed in as the trainer if
asked, that fails the test at the end if the page threw a script error or broke the
Content-Security-Policy (``trainer_page()`` makes it a module's ``page`` fixture). Tests
that drive several pages at once take the ``browser`` fixture (tests/conftest.py) and open
a ``WatchedPage`` (or a plain context) for each.

No tests live here. Playwright cannot download its own browser on our machines,
so we always drive Debian's ``/usr/bin/chromium`` (``apt-get install chromium``;
``.ci/run`` installs it when missing).

``vendor/axe.min.js`` is axe-core 4.14.1 from npm (MPL-2.0, see
``vendor/LICENSE-axe-core.txt``), unchanged.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TRAINER_EMAIL, TRAINER_PASSWORD, require

CHROMIUM = "/usr/bin/chromium"

# Verified with Playwright 1.65 and Debian Chromium 156 running as root.
# --no-sandbox: Chromium refuses its setuid/namespace sandbox as root in
#   containers (Playwright adds it by default too; we pass it explicitly).
# --disable-dev-shm-usage: use /tmp instead of /dev/shm for shared memory, so a
#   small /dev/shm (containers often have 64 MiB) cannot crash the renderer.
# The rest keep Chromium from phoning home (only package registries are
# reachable here) and from doing first-run / sync / update work.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"

# Max node targets reported per violation.
_MAX_TARGETS = 5

# ms: how long a page waits for what a test expects; generous for a loaded CI machine,
# passing runs never wait this long.
WAIT = 10_000


def browser_available() -> tuple[bool, str]:
    """Return (True, "") if Playwright and Chromium are usable, else (False, reason).

    This only checks that things are installed; it does not launch the browser.
    """
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on environment
        return False, f"playwright is not installed ({exc})"
    if not os.path.exists(CHROMIUM):
        return False, f"{CHROMIUM} not found (apt-get install chromium)"
    if not os.access(CHROMIUM, os.X_OK):
        return False, f"{CHROMIUM} is not executable"
    if not AXE_JS.is_file():
        return False, f"{AXE_JS} is missing"
    return True, ""


def launch_browser(playwright: Any, **kwargs: Any):
    """Launch headless Debian Chromium with ``LAUNCH_ARGS``.

    ``playwright`` is the object from ``sync_playwright()``; extra keyword
    arguments go to ``playwright.chromium.launch`` (e.g. ``slow_mo``).
    """
    options: dict[str, Any] = {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": list(LAUNCH_ARGS),
        "timeout": 30_000,
    }
    options.update(kwargs)
    return playwright.chromium.launch(**options)


# The browser of the running test module (``module_chromium`` in tests/conftest.py), if any.
_shared: list[Any] = []


@contextmanager
def shared(browser: Any) -> Iterator[None]:
    """While this runs, ``chromium()`` hands out ``browser`` instead of launching another."""
    _shared.append(browser)
    try:
        yield
    finally:
        _shared.remove(browser)


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium through Playwright, closed at the end. Skips the test where it is
    missing (fails it under ``QUIZROOM_REQUIRE_SERVICES=1``). Inside ``shared(browser)`` (a
    test module's browser) it is that browser, and what closes at the end is only the browser
    contexts opened meanwhile."""
    if _shared:
        browser = _shared[-1]
        before = list(browser.contexts)
        try:
            yield browser
        finally:
            for context in browser.contexts:
                if context not in before:
                    context.close()
        return
    ok, reason = browser_available()
    require(ok, reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        try:
            yield browser
        finally:
            browser.close()


class WatchedPage:
    """A page in a browser context of its own (``context_options`` go to ``new_context``)
    whose script errors and Content-Security-Policy violations are collected: ``close()``
    asserts that both stayed empty."""

    def __init__(self, browser: Any, **context_options: Any):
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.blocked = watch_csp(self.page)

    def close(self) -> None:
        assert self.errors == [], self.errors
        assert self.blocked == [], self.blocked  # the pages run under the strict CSP
        self.context.close()


def sign_in(page: Any, base_url: str) -> None:
    """Sign in on the login page as the trainer that ``live_server`` creates."""
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail address").fill(TRAINER_EMAIL)
    page.get_by_label("Password").fill(TRAINER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/decks$"))


@contextmanager
def open_browser(server_url: str | None = None, **context_options: Any) -> Iterator[Any]:
    """A ``WatchedPage`` in a browser context of its own (of the test module's Chromium, or a
    freshly launched one: ``chromium()``), signed in as the trainer on ``server_url`` when one
    is given. Yields the page; at the end asserts that it had no script errors and no CSP
    violations, then closes everything."""
    with chromium() as browser:
        watched = WatchedPage(browser, **context_options)
        if server_url is not None:
            sign_in(watched.page, server_url)
        yield watched.page
        watched.close()


def trainer_page(width: int = 1100, height: int = 900):
    """A ``page`` fixture for a test module: ``open_browser`` signed in on ``live_server`` with
    that viewport (``page = trainer_page()`` at the top of the module)."""

    @pytest.fixture(name="page")
    def fixture(live_server):
        with open_browser(live_server.url, viewport={"width": width, "height": height}) as page:
            yield page

    return fixture


def assert_accessible(page: Any) -> None:
    """axe finds nothing serious or critical on the page."""
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)


def _inject_axe(page: Any) -> None:
    """Load axe-core into ``page`` unless ``window.axe`` is already there.

    ``add_script_tag`` would insert an inline ``<script>``, which our pages'
    Content-Security-Policy (``script-src 'self'``) blocks; the source is run
    through ``page.evaluate`` (CDP Runtime.evaluate), which CSP does not restrict.
    """
    if page.evaluate("typeof window.axe !== 'undefined'"):
        return
    # Through evaluate, never an inline <script>: our pages' CSP would block (and log) one.
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;typeof window.axe")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        raise RuntimeError(f"could not load {AXE_JS} into the page")


def axe_violations(
    page: Any,
    impacts: tuple[str, ...] | list[str] | None = ("serious", "critical"),
    context: Any = None,
    options: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Run axe-core on ``page`` and return the violations with the given impacts.

    axe.min.js is injected only if ``window.axe`` is not defined yet (also under
    a strict Content-Security-Policy, see ``_inject_axe``). Each
    violation is a dict ``{"id", "impact", "help", "helpUrl", "targets"}``
    where ``targets`` holds the CSS selectors of the first few failing nodes.
    ``impacts=None`` returns violations of every impact. ``context`` and
    ``options`` are passed to ``axe.run(context, options)``.
    """
    _inject_axe(page)
    results = page.evaluate(
        """([context, options]) => axe.run(context || document, options || {})""",
        [context, options],
    )
    wanted = None if impacts is None else set(impacts)
    found = []
    for violation in results["violations"]:
        if wanted is not None and violation.get("impact") not in wanted:
            continue
        found.append(
            {
                "id": violation["id"],
                "impact": violation.get("impact"),
                "help": violation.get("help"),
                "helpUrl": violation.get("helpUrl"),
                "targets": [node.get("target") for node in violation["nodes"][:_MAX_TARGETS]],
            }
        )
    return found


def format_violations(violations: list[dict[str, Any]]) -> str:
    """Human-readable summary of ``axe_violations`` output, for assert messages."""
    return "\n".join(f"[{v['impact']}] {v['id']}: {v['help']} -> {v['targets']}" for v in violations)


def watch_csp(page: Any) -> list[str]:
    """Collect the page's Content-Security-Policy violations (console errors) in a list."""
    found: list[str] = []
    page.on(
        "console", lambda message: found.append(message.text) if "Content Security Policy" in message.text else None
    )
    return found
