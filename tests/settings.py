"""Settings of the test run: the project's own, read from the environment as in production, with
DEBUG off and a throwaway SECRET_KEY made for this run (inherited by the servers and commands the
tests start), since the server refuses to start with DEBUG off and no key of its own."""

import os
import secrets

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
# Every test's client calls from 127.0.0.1 and the cache outlives a test: the token endpoint's
# limit per address would count the whole run. tests/security/test_rate_limits.py sets its own.
os.environ.setdefault("POWERSCHOOL_TOKEN_RATE_LIMIT", "off")

from attendance_site.settings import *  # noqa: E402, F403
