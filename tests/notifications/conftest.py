"""A real SMTP server (aiosmtpd on a free port) and a real worker process
(``manage.py db_worker --batch``) reading the test's database, at a moment the test names."""

from __future__ import annotations

import email
import email.policy
import os
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SITE_URL = "https://rollbook.example.org"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """What the SMTP server received, parsed."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    def __init__(self, port: int):
        self.port, self.mailbox, self.controller = port, Mailbox(), None

    def start(self):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?tls=false&timeout=5"


@pytest.fixture
def smtp(settings):
    """A running SMTP server; ``smtp.stop()`` and ``smtp.start()`` take it down and up."""
    server = SmtpServer(free_port())
    server.start()
    settings.EMAIL_URL = server.url
    settings.SITE_URL = SITE_URL
    yield server
    server.stop()


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


WORKER = """
import sys, time_machine
from datetime import datetime
time_machine.travel(datetime.fromisoformat(sys.argv[1]), tick=True).start()
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", "db_worker", "--no-startup-delay", "--no-reload", "-v", "0", *sys.argv[2:]])
"""


def worker(smtp_url: str, at: datetime, *options: str) -> subprocess.Popen:
    """A worker process at this moment (ticking). With the default ``--batch`` it runs every
    task due, then exits; ``worker(url, at, "--interval", "0.2")`` keeps running, as
    ``make demo``'s and production's do."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "EMAIL_URL": smtp_url,
        "SITE_URL": SITE_URL,
        "DEFAULT_FROM_EMAIL": "attendance@northfield.example.org",
    }
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, at.isoformat(), *(options or ("--batch",))],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def run_worker(smtp):
    def run(at: datetime) -> None:
        process = worker(smtp.url, at)
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err

    return run
