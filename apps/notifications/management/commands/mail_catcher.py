"""A local SMTP server for development (``make demo``): prints every email it receives and saves
it under test-artifacts/mail/ as an .eml file (open it in any mail program)."""

from __future__ import annotations

import email
import email.policy
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Catcher:
    def __init__(self, command: BaseCommand, folder: Path):
        self.command, self.folder = command, folder

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        path = self.folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{abs(hash(envelope.content)) % 10**6}.eml"
        path.write_bytes(envelope.content)
        body = message.get_body(("plain",))
        self.command.stdout.write(
            "\n--- "
            + _("mail to %(to)s: %(subject)s (saved as %(path)s)")
            % {"to": message["To"], "subject": message["Subject"], "path": path}
            + f"\n{body.get_content() if body else ''}"
        )
        return "250 OK"


class Command(BaseCommand):
    help = gettext_lazy("Run a local SMTP server that prints and saves every email (development only).")

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=1025)
        parser.add_argument("--folder", default=str(Path(settings.BASE_DIR) / "test-artifacts" / "mail"))

    def handle(self, *, port, folder, **options):
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        controller = Controller(Catcher(self, target), hostname="127.0.0.1", port=port)
        controller.start()
        self.stdout.write(
            _("Mail catcher on 127.0.0.1:%(port)s; emails printed here and saved in %(folder)s")
            % {"port": port, "folder": target}
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            controller.stop()
