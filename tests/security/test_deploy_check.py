"""``manage.py check --deploy`` is clean with exactly the production environment docs/operations.md
documents (read from that page, so the two cannot drift apart), and not clean without it."""

from __future__ import annotations

import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def documented_production_environment() -> dict[str, str]:
    """The variables of the ``export`` in the "## Production" section of docs/operations.md."""
    page = (ROOT / "docs" / "operations.md").read_text()
    section = page.split("\n## Production\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1).replace("\\\n", " ")
    (export,) = [line for line in block.splitlines() if line.startswith("export ")]
    words = shlex.split(export, comments=True)[1:]
    return dict(word.split("=", 1) for word in words)


def check_deploy(environment: dict[str, str]) -> subprocess.CompletedProcess:
    # Nothing inherited from the test run (its DATABASE_URL, DEBUG, …): only what is given.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1", **environment}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_operations_page_documents_every_hardening_switch():
    documented = documented_production_environment()
    assert documented["SECRET_KEY"] == "..."  # a placeholder: each school makes its own
    for name in ("SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_PRELOAD", "BEHIND_PROXY"):
        assert documented[name] == "true", name
    assert int(documented["SECURE_HSTS_SECONDS"]) >= 31536000
    assert documented["CACHE_URL"].startswith(("db://", "redis://"))  # shared by the workers


def test_check_deploy_is_clean_with_the_documented_production_environment():
    environment = documented_production_environment()
    environment["SECRET_KEY"] = secrets.token_urlsafe(50)
    result = check_deploy(environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_without_it():
    result = check_deploy({"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "rollbook.example.org"})
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr, warning
