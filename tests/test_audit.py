"""The CI dependency audit (.ci/audit_dependencies.py) fails on a known vulnerability and
says so when it could not audit anything (pip-audit itself passes silently then)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def test_a_known_vulnerability_fails_the_audit():
    report = {
        "dependencies": [
            {"name": "flask", "version": "3.1.3", "vulns": []},
            {"name": "jinja2", "version": "2.10", "vulns": [{"id": "PYSEC-2019-217", "fix_versions": ["2.10.1"]}]},
        ]
    }
    lines, status = audit.summarize(report)
    assert status == 1
    assert "VULNERABLE jinja2 2.10: PYSEC-2019-217 (fixed in: 2.10.1)" in lines
    assert "2 packages, 2 audited, 0 not audited, 1 known vulnerabilities" in lines[-1]


def test_a_clean_audit_passes():
    lines, status = audit.summarize({"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []}]})
    assert status == 0 and not any("NOT PERFORMED" in line for line in lines)


def test_an_audit_that_looked_nothing_up_says_so():
    skipped = {"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited: flask (3.1.3)"}
    lines, status = audit.summarize({"dependencies": [skipped]})
    assert status == 0
    assert lines[-1].startswith("AUDIT NOT PERFORMED")
