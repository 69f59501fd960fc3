"""Fixtures of the roster tests: the background worker, run for real."""

from __future__ import annotations

import io
import signal
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command


def run_worker() -> str:
    """Run every queued task with django-tasks-db's own worker (``db_worker --batch``), as
    production does, and give back what it logged. The worker sets its own signal handlers;
    the test run's are put back afterwards."""
    caught = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGQUIT", None)) if s is not None]
    handlers = {s: signal.getsignal(s) for s in caught}
    out = io.StringIO()
    try:
        call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False, stdout=out, stderr=out)
    finally:
        for s, handler in handlers.items():
            signal.signal(s, handler)
    return out.getvalue()


@pytest.fixture
def worker():
    return run_worker


def zipped(folder: Path, *, inside: str = "") -> bytes:
    """The export in ``folder`` as a .zip's bytes (its files at the top, or in one folder)."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, f"{inside}{file.name}")
    return data.getvalue()
