"""Where a change came from: kept on every mark and every audit entry."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    MANAGEBAC = "managebac", _("Managebac")
    SECTIONS = "sections", _("Sections")
    ACADEMIC = "academic", _("Academic")
    POWERSCHOOL = "powerschool", _("Powerschool")
    IMPORT = "import", _("Import")
    DEMO = "demo", _("Demo")


# The four vendor-compatible APIs: what a client may write is narrower than what the roll may.
API_CHANNELS = frozenset({Channel.MANAGEBAC, Channel.SECTIONS, Channel.ACADEMIC, Channel.POWERSCHOOL})
