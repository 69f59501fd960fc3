"""Settings of the test run: the project's own, read from the environment as in production, with
DEBUG off and a throwaway SECRET_KEY made for this run (inherited by the servers and commands the
tests start), since the server refuses to start with DEBUG off and no key of its own."""

import os
import secrets

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

from attendance_site.settings import *  # noqa: E402, F403
