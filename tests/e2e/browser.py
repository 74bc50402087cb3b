"""Helpers for browser (Playwright) tests: launching Debian's Chromium and axe scans.

No tests live here. Playwright cannot download its own browser on our machines,
so we always drive Debian's ``/usr/bin/chromium`` (``apt-get install chromium``;
``.ci/run`` installs it when missing).

``vendor/axe.min.js`` is axe-core 4.14.1 from npm (MPL-2.0, see
``vendor/LICENSE-axe-core.txt``), unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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
