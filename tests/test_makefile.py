"""``make help`` lists every target and the address ``make demo`` and ``make serve`` use, and
``make demo PORT=…`` hands that address to ``seed_demo``, which prints it (tests/school/test_demo.py)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make(*args: str) -> str:
    result = subprocess.run(["make", "-s", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    return result.stdout


def phony_targets() -> list[str]:
    (line,) = [line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith(".PHONY:")]
    return line.split(":", 1)[1].split()


def test_help_lists_every_target():
    targets = phony_targets()
    assert {"install", "serve", "demo", "test", "test-fast", "check-migrations", "migrate"} <= set(targets)
    assert {"lint", "format", "bench", "clean", "help"} <= set(targets)
    listed = re.findall(r"^make ([\w-]+) ", make("help"), re.M)
    assert sorted(listed) == sorted(t for t in targets if t != "help")


def test_help_prints_the_address_it_will_serve():
    assert "http://127.0.0.1:8000" in make("help")
    shown = make("help", "PORT=18432", "HOST=0.0.0.0")
    assert "serve it on http://0.0.0.0:18432" in shown
    assert "HOST=0.0.0.0 PORT=18432" in shown
    assert ":8000" not in shown


def test_demo_passes_its_address_to_seed_demo_and_runserver():
    # -n: print the commands, run none (nothing is installed or served).
    commands = make("-n", "demo", "PORT=18432")
    assert "manage.py seed_demo --reset --url http://127.0.0.1:18432" in commands
    assert "manage.py runserver 127.0.0.1:18432" in commands
    assert ":8000" not in commands
