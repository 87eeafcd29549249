"""Loket settings: one module, driven by environment variables.

Defaults are safe for the embedded mode (SQLite under the data directory, a
secret generated on first run and kept in that directory). Production sets
``LOKET_PRODUCTION=1`` and the variables listed in docs/operations.md.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from loket.core.durable import create_once

PACKAGE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _source_checkout() -> Path | None:
    """The source checkout Loket runs from (None for an installed package)."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "src" / "loket").is_dir():
        return root
    return None


_CHECKOUT = _source_checkout()


def _default_data_dir() -> Path:
    """`var/` of the source checkout Loket runs from, else the user's data directory.

    Never the current directory: every command (`loket demo`, `loket demo-otp`, the
    worker) must find the same database and secrets wherever it is started from.
    """
    if _CHECKOUT is not None:
        return _CHECKOUT / "var"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "loket"


DATA_DIR = Path(os.environ.get("LOKET_DATA_DIR") or _default_data_dir()).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _stored_secret(filename: str, make: Callable[[], str]) -> str:
    """Read a secret from the data directory, creating it (mode 0600) on first run:
    synced before use, and the same in every process started at once (core.durable)."""
    path = DATA_DIR / filename
    if path.exists():
        return path.read_text().strip()
    return create_once(path, make().encode()).decode().strip()


PRODUCTION = _env_bool("LOKET_PRODUCTION")
DEBUG = _env_bool("LOKET_DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY") or _stored_secret(
    "secret_key", lambda: secrets.token_urlsafe(50)
)

# Personal data (NIK, phone) is encrypted at rest with these Fernet keys. The
# first key encrypts; every key decrypts, so a new key can be put first and the
# old ones re-encrypted away (`loket rotate-pii-keys`).
PII_KEYS = _env_list("LOKET_PII_KEYS") or [
    _stored_secret("pii_key", lambda: Fernet.generate_key().decode())
]
# Keyed hash for looking up personal data without decrypting every row.
PII_HASH_KEY = os.environ.get("LOKET_PII_HASH_KEY") or _stored_secret(
    "pii_hash_key", lambda: secrets.token_hex(32)
)
# Keys the public ledger's commitments and case pseudonyms (loket.ledger.commitments):
# without it nobody can confirm a guessed reason or tracking number. Back it up.
LEDGER_COMMITMENT_KEY = os.environ.get("LOKET_LEDGER_COMMITMENT_KEY") or _stored_secret(
    "ledger_commitment_key", lambda: secrets.token_hex(32)
)

ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")
PUBLIC_BASE_URL = os.environ.get("LOKET_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",  # serves the API docs' Swagger UI files itself (no CDN)
    "django_tasks",
    "django_tasks_db",
    "loket.core",
    "loket.org",
    "loket.calendar",
    "loket.catalog",
    "loket.cases",
    "loket.documents",
    "loket.ledger",
    "loket.notify",
    "loket.payments",
    "loket.accounts",
    "loket.surveys",
    "loket.portal",
    "loket.workspace",
    "loket.api",
    "loket.complaints",
    "loket.insights",
    "loket.opendata",
    "loket.demo",  # the demo agency: last, nothing imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "loket.core.csp.CSPMiddleware",  # django-csp's, policy built once (core/csp.py)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the session or a view queries the database: NUL bytes and
    # lone surrogates in paths, query strings, cookies and bodies get a 400 naming the field.
    "loket.core.safeinput.RefuseUnsafeInput",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Pages in Indonesian unless the visitor chose English; the APIs negotiate (core/locale.py).
    "loket.core.locale.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "loket.accounts.middleware.SessionTimeoutMiddleware",
    "loket.core.messages.PageMessageMiddleware",  # not on the JSON API (core/messages.py)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "loket.urls"
WSGI_APPLICATION = "loket.wsgi.application"
ASGI_APPLICATION = "loket.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "loket.org.branding.context",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'loket.sqlite3'}"
# Persistent connections on both databases: opening one costs ~1.5 ms on SQLite (the
# PRAGMAs below) and a TCP+auth round trip on PostgreSQL, on every request otherwise.
# Health checks replace a connection the server dropped before the request uses it.
# Behind PgBouncer in transaction mode, set LOKET_DB_CONN_MAX_AGE=0 (docs/operations.md).
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=int(os.environ.get("LOKET_DB_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
# Pages in SQLite's WAL before a committing connection checkpoints it itself (~40 MB):
# a backstop, since the worker checkpoints every round (loket.core.checkpoint, ADR 0033).
LOKET_SQLITE_AUTOCHECKPOINT_PAGES = 10_000
# What a commit on SQLite survives (docs/operations.md). NORMAL, in WAL mode: a crash of
# the process loses nothing and the file is never corrupted, but a power cut may undo
# the last commits (a receipt already given). FULL syncs the log at every commit.
LOKET_SQLITE_SYNCHRONOUS = os.environ.get("LOKET_SQLITE_SYNCHRONOUS", "NORMAL").strip().upper()
if LOKET_SQLITE_SYNCHRONOUS not in {"NORMAL", "FULL"}:
    raise ImproperlyConfigured(
        f"LOKET_SQLITE_SYNCHRONOUS must be NORMAL or FULL, not {LOKET_SQLITE_SYNCHRONOUS!r}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with the write lock handed over promptly (core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "loket.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer commits; IMMEDIATE takes the
        # write lock at BEGIN so two writers queue instead of deadlocking.
        "init_command": (
            f"PRAGMA journal_mode=WAL; PRAGMA synchronous={LOKET_SQLITE_SYNCHRONOUS}; "
            f"PRAGMA wal_autocheckpoint={LOKET_SQLITE_AUTOCHECKPOINT_PAGES};"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("TEST", {})
    if os.environ.get("LOKET_TEST_DB_NAME"):
        DATABASES["default"]["TEST"]["NAME"] = os.environ["LOKET_TEST_DB_NAME"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("LOKET_TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# The shared layout's CSS, icons and vendored htmx live in the package, not in an app.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    # Uploads and issued documents hold personal data: encrypted at rest (core/storage.py).
    "default": {
        "BACKEND": "loket.core.storage.EncryptedFileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files")},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
MEDIA_ROOT = DATA_DIR / "files"
# Stored files are readable by the service account only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
WHITENOISE_USE_FINDERS = not PRODUCTION

# Uploads larger than this are streamed to a temporary file, never held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
LOKET_MAX_UPLOAD_BYTES = int(os.environ.get("LOKET_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = DATA_DIR / "outbox-mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Loket <noreply@loket.localhost>")

# SMS goes through an HTTP gateway in production; the demo writes to a file.
LOKET_SMS_BACKEND = os.environ.get("LOKET_SMS_BACKEND", "loket.notify.channels.FileSmsGateway")
LOKET_SMS_GATEWAY_URL = os.environ.get("LOKET_SMS_GATEWAY_URL", "")
LOKET_SMS_GATEWAY_TOKEN = os.environ.get("LOKET_SMS_GATEWAY_TOKEN", "")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("LOKET_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# A worker signing a licence holds it this long; past it (the worker died) the sweep
# of issue_parked_documents gives it to another with the number already reserved.
LOKET_ISSUE_LEASE_SECONDS = int(os.environ.get("LOKET_ISSUE_LEASE_SECONDS", "120"))

LOGIN_URL = "accounts:login"
# Sign-in rate limiting (docs/decisions/0002-login-rate-limiting.md): the first
# backend refuses a username+IP pair after 5 failures, for 15 minutes; the second
# locks an account after LOKET_ACCOUNT_FAILURE_LIMIT failures from any address.
AUTHENTICATION_BACKENDS = [
    "loket.accounts.backends.RateLimitedBackend",
    "loket.accounts.backends.AccountLockingBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_VERBOSE = False
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "loket.api.views.locked_out"
OTP_TOTP_ISSUER = "Loket"
SESSION_COOKIE_HTTPONLY = True
# Absolute lifetime of any session (was Django's 14 days), and idle timeouts
# (loket/accounts/middleware.py): officers and administrators, applicants.
SESSION_COOKIE_AGE = int(os.environ.get("LOKET_SESSION_MAX_HOURS", "12")) * 3600
LOKET_OFFICER_IDLE_MINUTES = int(os.environ.get("LOKET_OFFICER_IDLE_MINUTES", "30"))
LOKET_APPLICANT_IDLE_MINUTES = int(os.environ.get("LOKET_APPLICANT_IDLE_MINUTES", "60"))
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The visitor's choice of English (core/locale.py) outlives the browser session: a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp): scripts and styles only from
# our own static files (htmx is vendored), no inline code. The one inline style, in the
# self-contained 500 page, is allowed by its hash; frames only from ourselves (the
# workspace shows uploaded PDFs and images in a frame).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'sha256-2IC4XT/BkeFvga/qtIv/DF7WnMCRxS3Gj2Z8EITJlnY='"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("LOKET_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("LOKET_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "loket_cache",
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "pii": {"()": "loket.core.logging.RedactPersonalData"},
        "worker_chatter": {"()": "loket.core.logging.DropWorkerChatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["pii", "worker_chatter"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOKET_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Seven "Step N - …" lines for every PDF rendered: a wall of them in the console
        # when `loket demo` issues a year of licences, and nothing an operator acts on.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# Ledger signing key (Ed25519 PEM); unset: generated on first use as
# DATA_DIR/ledger_ed25519.pem (0600). Origin names the log in checkpoints.
LOKET_LOG_KEY = os.environ.get("LOKET_LOG_KEY", "")
LOKET_LOG_ORIGIN = os.environ.get("LOKET_LOG_ORIGIN", "")

# Where the demo and `loket services` look for service definitions.
# The checkout's services/ (not the current directory's) unless configured.
LOKET_SERVICES_DIR = Path(
    os.environ.get("LOKET_SERVICES_DIR") or (_CHECKOUT or Path.cwd()) / "services"
)
# Complaint categories as code, one YAML file per agency (next to the services folder).
LOKET_COMPLAINT_CATEGORIES_DIR = Path(
    os.environ.get(
        "LOKET_COMPLAINT_CATEGORIES_DIR", LOKET_SERVICES_DIR.parent / "complaint-categories"
    )
)

# Behind a reverse proxy, the client address is the proxy's unless we trust its
# X-Forwarded-For; set the number of proxies in front (0 = none) so login and
# access-code limits count per real client, not per proxy.
LOKET_TRUSTED_PROXIES = int(os.environ.get("LOKET_TRUSTED_PROXIES", "0"))
if LOKET_TRUSTED_PROXIES:
    AXES_IPWARE_PROXY_COUNT = LOKET_TRUSTED_PROXIES
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

LOKET_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("LOKET_NOTIFY_MAX_ATTEMPTS", "10"))
LOKET_NOTIFY_BACKOFF_BASE_SECONDS = float(os.environ.get("LOKET_NOTIFY_BACKOFF_BASE_SECONDS", "60"))
LOKET_NOTIFY_BACKOFF_CAP_SECONDS = float(
    os.environ.get("LOKET_NOTIFY_BACKOFF_CAP_SECONDS", "21600")
)
LOKET_NOTIFY_LEASE_SECONDS = float(os.environ.get("LOKET_NOTIFY_LEASE_SECONDS", "600"))
# How long an officer's API token (POST /api/v1/auth/token) stays valid.
LOKET_API_TOKEN_HOURS = int(os.environ.get("LOKET_API_TOKEN_HOURS", "12"))
# How long a process trusts its cached copy of an agency calendar edited elsewhere.
LOKET_CALENDAR_RECHECK_SECONDS = float(os.environ.get("LOKET_CALENDAR_RECHECK_SECONDS", "30"))

# -- Brakes on abuse (docs/security.md, "Limits"); each can be tuned by environment. --
# Access codes: wrong codes per client address and tracking number, per address across
# numbers, and per number from any address (which only alerts and tightens the
# per-address limit to the storm value: the owner's right code always works).
LOKET_TRACK_WINDOW_SECONDS = int(os.environ.get("LOKET_TRACK_WINDOW_SECONDS", str(15 * 60)))
LOKET_TRACK_FAILURES_PER_CLIENT_NUMBER = int(
    os.environ.get("LOKET_TRACK_FAILURES_PER_CLIENT_NUMBER", "10")
)
LOKET_TRACK_FAILURES_PER_CLIENT = int(os.environ.get("LOKET_TRACK_FAILURES_PER_CLIENT", "100"))
LOKET_TRACK_FAILURES_PER_NUMBER = int(os.environ.get("LOKET_TRACK_FAILURES_PER_NUMBER", "50"))
LOKET_TRACK_STORM_FAILURES_PER_CLIENT_NUMBER = int(
    os.environ.get("LOKET_TRACK_STORM_FAILURES_PER_CLIENT_NUMBER", "3")
)

# Sign-in: failures of one account from any address within the window lock it for
# LOKET_ACCOUNT_LOCK_MINUTES (an administrator can unlock it earlier in the admin).
LOKET_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("LOKET_ACCOUNT_FAILURE_LIMIT", "20"))
LOKET_ACCOUNT_FAILURE_WINDOW_MINUTES = int(
    os.environ.get("LOKET_ACCOUNT_FAILURE_WINDOW_MINUTES", "60")
)
LOKET_ACCOUNT_LOCK_MINUTES = int(os.environ.get("LOKET_ACCOUNT_LOCK_MINUTES", "30"))
# Applications (each mails and texts the contacts it names): per client address, per
# e-mail address and per phone number within the window.
LOKET_SUBMISSION_WINDOW_SECONDS = int(os.environ.get("LOKET_SUBMISSION_WINDOW_SECONDS", "3600"))
LOKET_SUBMISSIONS_PER_ADDRESS = int(os.environ.get("LOKET_SUBMISSIONS_PER_ADDRESS", "30"))
LOKET_SUBMISSIONS_PER_EMAIL = int(os.environ.get("LOKET_SUBMISSIONS_PER_EMAIL", "10"))
LOKET_SUBMISSIONS_PER_PHONE = int(os.environ.get("LOKET_SUBMISSIONS_PER_PHONE", "10"))
# "Lupa kode akses?": new codes asked for per client address and per tracking number
# within the window (each one mails or texts the applicant).
# The agency this site speaks for (its code): name and crest in the header. Empty:
# the only agency, if there is exactly one.
LOKET_SITE_AGENCY = os.environ.get("LOKET_SITE_AGENCY", "")
LOKET_RECOVERY_WINDOW_SECONDS = int(os.environ.get("LOKET_RECOVERY_WINDOW_SECONDS", "3600"))
LOKET_RECOVERY_PER_ADDRESS = int(os.environ.get("LOKET_RECOVERY_PER_ADDRESS", "10"))
LOKET_RECOVERY_PER_NUMBER = int(os.environ.get("LOKET_RECOVERY_PER_NUMBER", "3"))
# SMS of any kind to one phone number within the window; past it, texts are dropped
# (the e-mail and in-app copies still go) and a warning is logged.
LOKET_SMS_WINDOW_SECONDS = int(os.environ.get("LOKET_SMS_WINDOW_SECONDS", "3600"))
LOKET_SMS_PER_PHONE = int(os.environ.get("LOKET_SMS_PER_PHONE", "10"))
# Account mails (verification, "already registered", password reset): per e-mail
# address (past it, silently not sent) and per client address (past it, 429).
LOKET_ACCOUNT_MAIL_WINDOW_SECONDS = int(os.environ.get("LOKET_ACCOUNT_MAIL_WINDOW_SECONDS", "3600"))
LOKET_ACCOUNT_MAILS_PER_EMAIL = int(os.environ.get("LOKET_ACCOUNT_MAILS_PER_EMAIL", "3"))
LOKET_ACCOUNT_MAILS_PER_ADDRESS = int(os.environ.get("LOKET_ACCOUNT_MAILS_PER_ADDRESS", "20"))
# Application drafts live in the database (a lost cookie loses nothing) this many
# days after their last change; a one-time code sent to the draft's contact gives
# one back, valid for LOKET_RESUME_CODE_MINUTES, at most LOKET_RESUME_CODES_PER_CONTACT
# codes per contact in the account-mail window (SMS also count against SMS_PER_PHONE).
LOKET_DRAFT_DAYS = int(os.environ.get("LOKET_DRAFT_DAYS", "30"))
LOKET_RESUME_CODE_MINUTES = int(os.environ.get("LOKET_RESUME_CODE_MINUTES", "15"))
LOKET_RESUME_CODES_PER_CONTACT = int(os.environ.get("LOKET_RESUME_CODES_PER_CONTACT", "3"))
# A failed CSRF check gets a branded page that keeps what was typed (not Django's).
CSRF_FAILURE_VIEW = "loket.portal.errors.csrf_failure"
# Payments: the shared secret of the bank's callback (HMAC-SHA256, docs/payments.md);
# unset, the bank provider is off. The demo provider (a page where the applicant
# "pays") is on unless LOKET_PRODUCTION; never turn it on in production.
LOKET_PAYMENT_BANK_SECRET = os.environ.get("LOKET_PAYMENT_BANK_SECRET", "")
LOKET_PAYMENT_DEMO = _env_bool("LOKET_PAYMENT_DEMO", default=not PRODUCTION)
# Callbacks with a bad signature from one address within 15 minutes before it gets 429s.
LOKET_PAYMENT_BAD_SIGNATURES_PER_ADDRESS = int(
    os.environ.get("LOKET_PAYMENT_BAD_SIGNATURES_PER_ADDRESS", "20")
)
# Limits on hostile input (docs/security.md, "Limits"). JSON nested deeper than this is
# refused with a 400 before it is parsed; images with more pixels than this are refused
# before they are decoded (a 10 MB PNG can hold hundreds of megapixels).
LOKET_MAX_JSON_DEPTH = int(os.environ.get("LOKET_MAX_JSON_DEPTH", "32"))
LOKET_MAX_IMAGE_PIXELS = int(os.environ.get("LOKET_MAX_IMAGE_PIXELS", "50000000"))
# Service definitions: YAML nested deeper than this is refused with file:line before it is
# composed; a CEL expression whose estimated cost exceeds the budget fails `validate`, and
# one that still runs longer than the time budget fails cleanly as a rule error.
LOKET_DEFINITION_MAX_DEPTH = int(os.environ.get("LOKET_DEFINITION_MAX_DEPTH", "64"))
LOKET_CEL_COST_BUDGET = int(os.environ.get("LOKET_CEL_COST_BUDGET", "5000"))
LOKET_CEL_TIME_BUDGET_SECONDS = float(os.environ.get("LOKET_CEL_TIME_BUDGET_SECONDS", "1.0"))
# SKM survey rules the regulation's copies disagree on or that are unverified (grade
# bands, answer labels, element order, Krejcie-Morgan constants): see surveys/rules.yaml.
LOKET_SURVEY_RULES_FILE = os.environ.get("LOKET_SURVEY_RULES_FILE", "")
# Anomaly flags for internal supervision (loket.insights.anomalies). No regulation fixes
# these thresholds [unverified]: each agency tunes them.
LOKET_ANOMALY_FAST_FRACTION = float(os.environ.get("LOKET_ANOMALY_FAST_FRACTION", "0.1"))
LOKET_ANOMALY_MIN_SAMPLE = int(os.environ.get("LOKET_ANOMALY_MIN_SAMPLE", "20"))
LOKET_ANOMALY_OFFICER_SHARE = float(os.environ.get("LOKET_ANOMALY_OFFICER_SHARE", "0.8"))
LOKET_ANOMALY_APPLICANT_CASES = int(os.environ.get("LOKET_ANOMALY_APPLICANT_CASES", "5"))
LOKET_ANOMALY_REPEATS = int(os.environ.get("LOKET_ANOMALY_REPEATS", "3"))
LOKET_ANOMALY_REPEAT_DAYS = int(os.environ.get("LOKET_ANOMALY_REPEAT_DAYS", "30"))

# Open data (issue 16). Counts below this threshold are published as "<N" and the
# statistics computed from them left blank, so no cell can single out a person.
LOKET_OPENDATA_MIN_CELL = int(os.environ.get("LOKET_OPENDATA_MIN_CELL", "5"))
LOKET_OPENDATA_LICENSE_ID = os.environ.get("LOKET_OPENDATA_LICENSE_ID", "cc-by-4.0")
LOKET_OPENDATA_LICENSE_TITLE = os.environ.get(
    "LOKET_OPENDATA_LICENSE_TITLE", "Creative Commons Attribution 4.0"
)
LOKET_OPENDATA_LICENSE_URL = os.environ.get(
    "LOKET_OPENDATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/"
)
# Absolute site address used in CKAN, data.json and DCAT links when there is no request.
LOKET_OPENDATA_SITE_URL = os.environ.get("LOKET_OPENDATA_SITE_URL", "http://localhost:8000")
# The desk harvesters write to when an agency has no public e-mail address of its own.
LOKET_OPENDATA_CONTACT_EMAIL = os.environ.get("LOKET_OPENDATA_CONTACT_EMAIL", "data@localhost")
LOKET_OPENDATA_CATALOG_TITLE = os.environ.get("LOKET_OPENDATA_CATALOG_TITLE", "Data Terbuka Loket")
