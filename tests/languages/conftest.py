"""The real SMTP server and worker of the notifications' tests, for the emails in each language."""

from tests.notifications.conftest import run_worker, smtp  # noqa: F401 (fixtures, found by name)
