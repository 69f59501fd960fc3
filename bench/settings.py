"""Settings for the benchmark server and the in-process query counts: the project's settings,
pointed at the benchmark's own PostgreSQL database (``BENCH_DB``), DEBUG off, and ``bench.urls``."""

from __future__ import annotations

import os
import secrets
import warnings

BENCH_DB = os.environ.get("BENCH_DB", "rollbook_bench")
BENCH_PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# The project's own settings build the connection (CONN_MAX_AGE, its PostgreSQL options such as
# JIT off), so the benchmark measures the database as production configures it.
os.environ["DATABASE_URL"] = f"{BENCH_PG}/{BENCH_DB}"
os.environ.setdefault("CONN_MAX_AGE", "600")
# The benchmark's databases are throwaway, and DEBUG is off: a key made for the run. bench/run.py
# makes it once, so the server's workers and the process that times them share it.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

from attendance_site.settings import *  # noqa: E402, F403
from attendance_site.settings import ALLOWED_HOSTS, DATABASES  # noqa: E402

# A statement that runs away (a report that joins too much) fails after this many ms instead of
# holding the benchmark up; the run reports it as an error.
BENCH_STATEMENT_TIMEOUT_MS = int(os.environ.get("BENCH_STATEMENT_TIMEOUT_MS", "20000"))
_options = DATABASES["default"].setdefault("OPTIONS", {})
_options["options"] = f"{_options.get('options', '')} -c statement_timeout={BENCH_STATEMENT_TIMEOUT_MS}".strip()
if "replica" in DATABASES:  # bench/replica_rush.py: the replica's connections, the same options
    DATABASES["replica"]["OPTIONS"] = dict(_options)
DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "127.0.0.1", "localhost", "testserver"]
# The benchmark's logins share one cheap hash (bench/load.py); real logins are not benchmarked.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# WhiteNoise warns when collectstatic has not run; the benchmark does not fetch static files.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
