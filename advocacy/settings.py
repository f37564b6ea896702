"""Settings for the whole project, read from the environment.

Safe defaults: DEBUG is off unless DJANGO_DEBUG=1 (the run command sets it), and with DEBUG off
a missing secret stops start-up instead of falling back to something guessable.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it (50+ random characters) or run with "
            "DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-only-key-do-not-use-in-production-0123456789"  # noqa: S105

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "guardian",
    "axes",
    "csp",
    "viewflow",
    "viewflow.workflow",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "health_check",
    "advocacy.reference",
    "advocacy.accounts",
    "advocacy.crypto",
    "advocacy.audit",
    "advocacy.cases",
    "advocacy.access",
    "advocacy.meetings",
    "advocacy.stats",
    "advocacy.court",
    "advocacy.portal",
    "advocacy.outreach",
    "advocacy.ledger",
    "advocacy.demo",
    "workflows",
]
# Every call of a cached statement (advocacy.statements) also compiled afresh and compared:
# on in the test suite, so that a build whose SQL depends on a value fails there.
ADVOCACY_STATEMENTS_CHECKED = env_bool("ADVOCACY_STATEMENTS_CHECKED", False)
# A test-only app with small models for the encryption tests and benchmarks.
if env_bool("ADVOCACY_TEST_APPS", False):
    INSTALLED_APPS.append("tests.testapp")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Moves a used session's idle expiry at most once a minute, not a write every request.
    "advocacy.accounts.sessions.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Adds user.is_verified(); the next one asks for the second factor on every URL.
    "django_otp.middleware.OTPMiddleware",
    "advocacy.accounts.middleware.SecondFactorMiddleware",
    "advocacy.audit.middleware.RequestContextMiddleware",
    # One JSON line per request, inside the request's context (advocacy.logs).
    "advocacy.logs.RequestLogMiddleware",
    # Records every refusal (each 403, each refusal-404 a view marks) once: access.refusals.
    "advocacy.access.refusals.RefusalAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "advocacy.crypto.middleware.KeyCacheMiddleware",
    # Axes must come last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "advocacy.urls"
WSGI_APPLICATION = "advocacy.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Form widgets render through TEMPLATES, so the project's templates/django/forms/ override
# apply to every form (no silent maxlength cut: see templates/django/forms/widgets/attrs.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite file by default, DATABASE_URL selects PostgreSQL.
_default_db_url = f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
_database_url = os.environ.get("DATABASE_URL", "") or _default_db_url
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except Exception as exc:  # dj_database_url raises several kinds; all mean "bad URL"
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a usable database URL ({type(exc).__name__})"
    ) from None
if DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ImproperlyConfigured("DATABASE_URL must name a postgres:// or sqlite:// database")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(
        "DATABASE_TEST_NAME", "test_advocacy"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite creates the file but not its folder: make the default's folder (var/), and stop
    # with one line for any other path whose folder is missing, rather than a raw
    # "unable to open database file" at the first query.
    _sqlite_folder = Path(DATABASES["default"]["NAME"]).parent
    if str(DATABASES["default"]["NAME"]) == str(BASE_DIR / "var" / "db.sqlite3"):
        _sqlite_folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    elif not _sqlite_folder.is_dir():
        raise ImproperlyConfigured(
            f"DATABASE_URL names a SQLite file in {_sqlite_folder}, which does not exist; "
            "create the folder or set DATABASE_URL to another path."
        )
    # An in-memory test database would be shared between the test thread and the browser
    # tests' live-server thread as one connection, which hung CI; a file gives each thread its
    # own connection. WAL lets readers go on while one connection writes.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(
        "DATABASE_TEST_NAME", str(BASE_DIR / "var" / "test" / "test.sqlite3")
    )
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"
    )
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    # Take the write lock when a transaction begins: a read-then-write transaction would
    # otherwise fail at once with "database is locked" when another connection writes.
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
# Statistics may read from a replica; without one they use the default connection.
_stats_url = os.environ.get("STATS_DATABASE_URL", "")
if _stats_url:
    try:
        DATABASES["stats"] = dj_database_url.parse(_stats_url)
    except Exception as exc:
        raise ImproperlyConfigured(
            f"STATS_DATABASE_URL is not a usable database URL ({type(exc).__name__})"
        ) from None
# PostgreSQL compiles queries it costs above 100,000 to machine code (JIT). Here those are the
# committee report's aggregates, which lose about 100 ms a page to compiling and gain nothing
# (bench/bench_stats.py); an `options` given in the URL wins.
for _db in DATABASES.values():
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

# The statistics' covering indexes INCLUDE columns on PostgreSQL; on SQLite they are plain
# indexes on purpose (docs/decisions.md, 23), which Django would otherwise warn about.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# No guardian "AnonymousUser" row: anonymous visitors never hold object permissions. (The
# setting is guardian's own name, without a GUARDIAN_ prefix.)
ANONYMOUS_USER_NAME = None

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: Japanese first, English available.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Production serves hashed files collected by `collectstatic`; development and tests serve
# straight from the apps' folders.
STATIC_MANIFEST = env_bool("DJANGO_STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "advocacy.storage.StaticStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST
MEDIA_ROOT = BASE_DIR / "var" / "media"

# Sessions and cookies: short idle expiry, renewed on activity (at most once a minute:
# advocacy.accounts.sessions, decision 105).
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
ADVOCACY_SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# HTTPS hardening is on whenever DEBUG is off, unless explicitly disabled (tests over http).
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp 4 format). Everything is served from this origin;
# viewflow's Material components set inline styles, so styles allow 'unsafe-inline'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Login throttling: lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Field encryption keys live outside the database (see docs/encryption.md).
ADVOCACY_KEY_FILE = Path(
    os.environ.get("ADVOCACY_KEY_FILE", "") or (BASE_DIR / "var" / "keys.json")
)
if not ADVOCACY_KEY_FILE.is_absolute():
    ADVOCACY_KEY_FILE = BASE_DIR / ADVOCACY_KEY_FILE
# Tests and throw-away demos only: create a fresh key file when none exists.
ADVOCACY_KEY_FILE_AUTOCREATE = env_bool("ADVOCACY_KEY_FILE_AUTOCREATE", False)
# Bits kept of each blind index: 2**11 buckets, so ~10,000 people put about five in each.
ADVOCACY_BLIND_INDEX_BITS = env_int("ADVOCACY_BLIND_INDEX_BITS", 11)
# The family court a new petition's form preselects (a reference.FamilyCourt code).
ADVOCACY_DEFAULT_COURT = os.environ.get("ADVOCACY_DEFAULT_COURT", "otsu")

# How many persons of other organisations (or cases they may not open) the intake's duplicate
# warning may name to one worker in a day; past it the warning names none and the worker's
# supervisors are told (docs/decisions.md 47).
ADVOCACY_DUPLICATE_MATCHES_PER_DAY = env_int("ADVOCACY_DUPLICATE_MATCHES_PER_DAY", 10)

# Meetings (docs/decisions.md 68): an outside member of a 支援会議 sees its pack from the day
# the agenda is sent until this many days after the meeting; then access ends by itself.
ADVOCACY_MEETING_PACK_DAYS_AFTER = env_int("ADVOCACY_MEETING_PACK_DAYS_AFTER", 7)
# The 定例会's proposed agenda: open cases with no contact for this many months, a task past
# its due date, or a review due within this many days.
ADVOCACY_REVIEW_NO_CONTACT_MONTHS = env_int("ADVOCACY_REVIEW_NO_CONTACT_MONTHS", 3)
ADVOCACY_REVIEW_DUE_WITHIN_DAYS = env_int("ADVOCACY_REVIEW_DUE_WITHIN_DAYS", 30)

# The second factor (TOTP): professionals always give one; every other account too when
# this is on. On by default in production (DEBUG off), off for the DEBUG demo; the test suite
# turns it off in tests/conftest.py and on where it tests it.
ADVOCACY_OTP_FOR_STAFF = env_bool("ADVOCACY_OTP_FOR_STAFF", not DEBUG)
# django-otp's back-off after a wrong code: the wait before the next code is checked is this
# many seconds, doubled with each further wrong code (1, 2, 4 …); a right code resets it.
OTP_TOTP_THROTTLE_FACTOR = env_int("ADVOCACY_OTP_THROTTLE_FACTOR", 1)
# The name an authenticator app shows beside the codes (the otpauth URI's issuer).
OTP_TOTP_ISSUER = os.environ.get("ADVOCACY_OTP_ISSUER", "権利擁護支援 中核機関")

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# SMTP from the environment. Without DEBUG a missing host or sender stops start-up: reminders
# and the portal's notices would otherwise fail only when the first one is sent.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_STARTTLS", True)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_TLS", False)
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "DJANGO_EMAIL_STARTTLS and DJANGO_EMAIL_TLS are both on; set one of them to 0."
    )
if not DEBUG and EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    _missing_mail = [
        name
        for name in ("DJANGO_EMAIL_HOST", "DJANGO_DEFAULT_FROM_EMAIL")
        if not os.environ.get(name, "")
    ]
    if _missing_mail:
        raise ImproperlyConfigured(
            f"{' and '.join(_missing_mail)} not set: mail is sent by SMTP when DEBUG is off "
            "(see docs/operations.md)."
        )
if not DEFAULT_FROM_EMAIL:
    DEFAULT_FROM_EMAIL = "noreply@localhost"
    SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The health endpoint (/health/) answers only clients at these addresses or networks
# (REMOTE_ADDR) that did not come through the proxy; everyone else gets the site's 404.
ADVOCACY_HEALTH_ALLOWED = [
    a.strip()
    for a in os.environ.get("ADVOCACY_HEALTH_ALLOWED", "127.0.0.1,::1").split(",")
    if a.strip()
]
# The probe asks over plain HTTP on loopback: no redirect to HTTPS for it.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

VIEWFLOW: dict[str, object] = {}

# Logs are JSON lines (python-json-logger) carrying the request id, user id and organisation id
# (advocacy.logs); they name events, routes and ids, never personal data or a query string, and
# there is no request-body logging. ADVOCACY_LOG_FORMAT=plain gives plain lines instead.
_log_format = os.environ.get("ADVOCACY_LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "advocacy.logs.RequestContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            # "time" is ISO 8601 in UTC with its offset, so lines from servers and the
            # database's logs line up whatever each machine's local zone is.
            "fmt": "%(levelname)s %(name)s %(message)s",
            "timestamp": "time",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s u%(user_id)s "
            "o%(organisation_id)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain" if _log_format == "plain" else "json",
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django logs the full request of a 500 at ERROR; keep the message, drop the body.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # runserver's own request lines carry the query string; the request log replaces them.
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
    },
}
