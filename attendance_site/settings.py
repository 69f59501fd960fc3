"""Rollbook settings: one module, every deployment-specific value read from the environment."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp import constants as _csp_constants
from django.core.exceptions import ImproperlyConfigured

from attendance_site import keys, mail

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


DEBUG = env_bool("DEBUG", False)

# With DEBUG off the server refuses to start on a missing, short or public key (the development
# key only signs sessions when DEBUG is on). Old keys stay valid for reading signed values while
# SECRET_KEY_FALLBACKS lists them: docs/operations.md, "Rotating keys".
SECRET_KEY = os.environ.get("SECRET_KEY", "")
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
if DEBUG:
    SECRET_KEY = SECRET_KEY or keys.DEVELOPMENT_SECRET_KEY
else:
    for _name, _value in [("SECRET_KEY", SECRET_KEY), *(("SECRET_KEY_FALLBACKS", v) for v in SECRET_KEY_FALLBACKS)]:
        if _problem := keys.secret_key_problem(_value):
            raise ImproperlyConfigured(
                f"{_name} {_problem}. With DEBUG off Rollbook needs a long random SECRET_KEY of your own "
                f"({keys.MAKE_ONE}); see docs/operations.md, Production. For development only, set DEBUG=true."
            )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Section-style (Schoology) clients may sign their URLs for the vendor's host (api.schoology.com);
# signatures are also checked against these hosts, which are therefore allowed as Host headers too,
# on the section-style paths (/v1/) only (apps/api/sections/hosts.py).
SECTIONS_SIGNED_HOSTS = env_list("SECTIONS_SIGNED_HOSTS", [])
ALLOWED_HOSTS += [host for host in SECTIONS_SIGNED_HOSTS if host not in ALLOWED_HOSTS]

# Lifetime of a PowerSchool (OAuth2 client credentials) access token.
POWERSCHOOL_TOKEN_SECONDS = env_int("POWERSCHOOL_TOKEN_SECONDS", 3600)

# Key that encrypts recoverable secrets (OAuth 1.0a consumer secrets) at rest. Defaults to one
# derived from SECRET_KEY; set it on its own to rotate SECRET_KEY safely. Secrets encrypted with
# a key in FIELD_ENCRYPTION_KEY_FALLBACKS (or derived from SECRET_KEY or its fallbacks) still open,
# until `manage.py reencrypt_secrets` has encrypted them all with FIELD_ENCRYPTION_KEY.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")
FIELD_ENCRYPTION_KEY_FALLBACKS = env_list("FIELD_ENCRYPTION_KEY_FALLBACKS", [])
for _name, _value in [
    *([("FIELD_ENCRYPTION_KEY", FIELD_ENCRYPTION_KEY)] if FIELD_ENCRYPTION_KEY else []),
    *(("FIELD_ENCRYPTION_KEY_FALLBACKS", v) for v in FIELD_ENCRYPTION_KEY_FALLBACKS),
]:
    if _problem := keys.field_key_problem(_value, debug=DEBUG):
        raise ImproperlyConfigured(f"{_name} {_problem}; see docs/operations.md, Rotating keys.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "django_filters",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "apps.school",
    "apps.classes",
    "apps.homeroom",
    "apps.excusals",
    "apps.reports",
    "apps.attendance",
    "apps.audit",
    "apps.api",
    "apps.notifications",
    "apps.demo",
    "apps.roster",
    "apps.languages",
]

MIDDLEWARE = [
    # Which reads may go to the replica, and who wrote a moment ago (attendance_site/replica.py);
    # it does nothing without DATABASE_REPLICA_URL.
    "attendance_site.replica.ReplicaReadsMiddleware",
    # First: one request reads the user's roles, a school's codes and periods once (apps/school/memo.py).
    "apps.school.memo.RequestMemoMiddleware",
    # Before anything reads the host: a section-style client's foreign Host gets the dialect's
    # answer, and a host allowed for it (SECTIONS_SIGNED_HOSTS) is refused on every other path.
    "apps.api.sections.hosts.SectionsHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the user is known: the language each page is in (apps/languages/choice.py), in place
    # of Django's LocaleMiddleware; the API dialects' paths always answer in LANGUAGE_CODE.
    "apps.languages.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Innermost of those that answer a view's exception: a lost database is a 503, not a 500.
    "attendance_site.unavailable.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "attendance_site.urls"
WSGI_APPLICATION = "attendance_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.school.context_processors.roles",
                "attendance_site.hardening.csp_nonce",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (the dev server, a test live server) share one file: wait rather than fail.
    # IMMEDIATE takes the write lock at BEGIN, so a writer waits instead of failing mid-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("POSTGRES_JIT", False):
    # Term reports aggregate hundreds of thousands of marks, and PostgreSQL's JIT compiled each
    # such query anew (0.4 s of a 1.2 s school report) for no gain: off, unless POSTGRES_JIT=on.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg prepares a statement once it has run 5 times on a connection, but only a statement
    # bound on the server: a tap's (apps/school/prepared.py). Every other cursor binds on the
    # client and is never prepared. A pooler in transaction mode (PgBouncer's) hands a client
    # another server connection per transaction, where its prepared statements are not:
    # POSTGRES_PREPARED_STATEMENTS=false there.
    prepare = 5 if env_bool("POSTGRES_PREPARED_STATEMENTS", True) else None
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", prepare)

# A PostgreSQL streaming replica for reports, exports and API reads (attendance_site/replica.py).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
REPLICA_STICKY_SECONDS = env_int("REPLICA_STICKY_SECONDS", 5)
REPLICA_READ_PATHS = (
    "/office/reports/",
    "/office/chronic-absence/",
    "/office/charts/",
    "/office/audit/",
    "/v2/",
    "/v2p1/",
    "/v1/",
    "/academic/",
    "/ws/",
)
if DATABASE_REPLICA_URL:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL: a replica follows a primary")
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
    )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    # Tests of a configuration with a replica read their one test database through both names.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["attendance_site.replica.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (roster uploads, emails) goes through Django's Tasks API: the django-tasks
# backport on Django 5.2, stored in the database by django-tasks-db and run by `manage.py
# db_worker` beside the web server (`make serve` starts both; `--batch` runs what is due, then
# exits). Task code does not change with the backend.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The pages and emails speak these languages (docs/translations.md); a person's own choice is
# kept on their login, a school has a default, and before sign-in the browser's Accept-Language
# decides (apps/languages/choice.py). Wire formats of the APIs never change with it.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("es", "Spanish"), ("fr", "French"), ("ar", "Arabic")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language chosen before sign-in (apps/languages/views.py), for a year.
LANGUAGE_COOKIE_NAME = "rollbook_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Production hardening, switched on by the environment (see docs/operations.md, "Production", and SECURITY.md).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
# The pages send the CSRF token from the page (hx-headers, hidden inputs), never from the cookie.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): our own scripts and styles only, every <script> with the
# request's nonce. Style attributes stay allowed (style-src-attr): the roll and report pages colour
# each code from the school's settings (validated #rrggbb), and an attribute cannot load or run anything.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", _csp_constants.NONCE],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Sign-in throttling (django-axes): LOGIN_FAILURE_LIMIT failed sign-ins for one username from one
# address lock that pair out for LOGIN_COOLOFF_MINUTES, whether or not the username exists.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with the user read in the session's own query (apps/school/sessions.py).
    "apps.school.sessions.Backend",
]
SESSION_ENGINE = "apps.school.sessions"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "attendance_site.hardening.lockout_response"
if BEHIND_PROXY:
    # The proxy appends the client's address to X-Forwarded-For: trust its last entry only.
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_PROXY_COUNT = 1

# Requests per API client (any dialect), e.g. "600/min", "20/s", "50000/day"; "off" for none.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/min").strip().lower()
_RATE = r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)"
if API_RATE_LIMIT != "off" and not re.fullmatch(_RATE, API_RATE_LIMIT):
    raise ImproperlyConfigured(f"API_RATE_LIMIT must be like 600/min or off, not {API_RATE_LIMIT!r}")

# Token requests to /oauth/access_token (PowerSchool), right or wrong, per client id and per address.
POWERSCHOOL_TOKEN_RATE_LIMIT = os.environ.get("POWERSCHOOL_TOKEN_RATE_LIMIT", "30/min").strip().lower()
if POWERSCHOOL_TOKEN_RATE_LIMIT != "off" and not re.fullmatch(_RATE, POWERSCHOOL_TOKEN_RATE_LIMIT):
    raise ImproperlyConfigured(
        f"POWERSCHOOL_TOKEN_RATE_LIMIT must be like 30/min or off, not {POWERSCHOOL_TOKEN_RATE_LIMIT!r}"
    )

# The rate limits count in the cache. The default (memory) counts per process: with several
# workers set CACHE_URL to a cache they share, e.g. db://rollbook_cache (after
# `manage.py createcachetable`) or redis://host:6379/0 (needs the redis package).
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
if not CACHE_URL or CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_URL.startswith("db://") and len(CACHE_URL) > len("db://"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_URL[len("db://") :]}
    }
elif CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    raise ImproperlyConfigured(f"CACHE_URL must be db://<table> or redis://host:port/db, not {CACHE_URL!r}")

# Email (docs/notifications.md): EMAIL_URL says where mail goes (smtp://user:pass@host:587,
# smtps://..., options ?tls=false&timeout=10); unset, no email is written or sent and the
# schools' notifications are off. A bad value stops the server here (attendance_site/mail.py).
EMAIL_URL = os.environ.get("EMAIL_URL", "").strip()
if EMAIL_URL:
    globals().update(mail.parse_email_url(EMAIL_URL))
DEFAULT_FROM_EMAIL = mail.check_from_address(os.environ.get("DEFAULT_FROM_EMAIL", "rollbook@localhost"))
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Every link in an email starts with SITE_URL, never with a request's Host. Needed with EMAIL_URL
# (with DEBUG on it defaults to the development server's address).
SITE_URL = os.environ.get("SITE_URL", "").strip()
if SITE_URL:
    SITE_URL = mail.check_site_url(SITE_URL)
elif DEBUG:
    SITE_URL = "http://127.0.0.1:8000"
elif EMAIL_URL:
    raise ImproperlyConfigured(
        "SITE_URL is not set: with EMAIL_URL, Rollbook needs the address its emails link to, "
        "like SITE_URL=https://rollbook.example.org"
    )

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    # Per API client, at API_RATE_LIMIT; each dialect answers 429 in its own shape with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["apps.api.throttling.ApiClientRateThrottle"],
    # A limit by address counts the address the proxy appended to X-Forwarded-For (BEHIND_PROXY),
    # never one a client wrote there itself.
    "NUM_PROXIES": 1 if BEHIND_PROXY else 0,
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Rollbook attendance APIs",
    "DESCRIPTION": (
        "Four vendor-compatible attendance APIs over one attendance book: ManageBac (v2, v2p1), "
        "section-style (Schoology), course-offering (Athena) and PowerSchool."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge fetched from validator.swagger.io: the docs page loads nothing from elsewhere (CSP).
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
}

# Secrets never reach a log: every record is scrubbed of tokens, passwords, client secrets,
# Authorization headers and session ids as it is made (attendance_site/hardening.py).
LOGGING_CONFIG = "attendance_site.hardening.configure_logging"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub_secrets": {"()": "attendance_site.hardening.ScrubSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["scrub_secrets"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
