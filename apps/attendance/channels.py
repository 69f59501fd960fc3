"""Where a change came from: kept on every mark and every audit entry."""

from django.db import models


class Channel(models.TextChoices):
    WEB = "web"
    MANAGEBAC = "managebac"
    SECTIONS = "sections"
    ACADEMIC = "academic"
    POWERSCHOOL = "powerschool"
    IMPORT = "import"
    DEMO = "demo"


# The four vendor-compatible APIs: what a client may write is narrower than what the roll may.
API_CHANNELS = frozenset({Channel.MANAGEBAC, Channel.SECTIONS, Channel.ACADEMIC, Channel.POWERSCHOOL})
