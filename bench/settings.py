"""Settings for the benchmark server and the in-process query counts: the project's settings,
pointed at the benchmark's own PostgreSQL database (``BENCH_DB``), DEBUG off, and ``bench.urls``."""

from __future__ import annotations

import os
import warnings

import dj_database_url

from attendance_site.settings import *  # noqa: F403
from attendance_site.settings import ALLOWED_HOSTS

BENCH_DB = os.environ.get("BENCH_DB", "rollbook_bench")
BENCH_PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")

DATABASES = {"default": dj_database_url.parse(f"{BENCH_PG}/{BENCH_DB}", conn_max_age=600)}
# A statement that runs away (a report that joins too much) fails after this many ms instead of
# holding the benchmark up; the run reports it as an error.
BENCH_STATEMENT_TIMEOUT_MS = int(os.environ.get("BENCH_STATEMENT_TIMEOUT_MS", "20000"))
DATABASES["default"]["OPTIONS"] = {"options": f"-c statement_timeout={BENCH_STATEMENT_TIMEOUT_MS}"}
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
