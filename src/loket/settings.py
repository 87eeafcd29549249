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
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("LOKET_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _stored_secret(filename: str, make: Callable[[], str]) -> str:
    """Read a secret from the data directory, creating it (mode 0600) on first run."""
    path = DATA_DIR / filename
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
    return path.read_text().strip()


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
    "loket.accounts",
    "loket.portal",
    "loket.workspace",
    "loket.api",
    "loket.complaints",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'loket.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer commits; IMMEDIATE takes the
        # write lock at BEGIN so two writers queue instead of deadlocking.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
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
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files")},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
MEDIA_ROOT = DATA_DIR / "files"
WHITENOISE_USE_FINDERS = not PRODUCTION

# Uploads larger than this are streamed to a temporary file, never held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
LOKET_MAX_UPLOAD_BYTES = int(os.environ.get("LOKET_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))

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

LOGIN_URL = "accounts:login"
# Sign-in rate limiting (docs/decisions/0002-login-rate-limiting.md): the first
# backend refuses a username+IP pair after 5 failures, for 15 minutes.
AUTHENTICATION_BACKENDS = [
    "loket.accounts.backends.RateLimitedBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_VERBOSE = False
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "loket.accounts.views.locked_out"
OTP_TOTP_ISSUER = "Loket"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
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
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Ledger signing key (Ed25519 PEM); unset: generated on first use as
# DATA_DIR/ledger_ed25519.pem (0600). Origin names the log in checkpoints.
LOKET_LOG_KEY = os.environ.get("LOKET_LOG_KEY", "")
LOKET_LOG_ORIGIN = os.environ.get("LOKET_LOG_ORIGIN", "")

# Where the demo and `loket services` look for service definitions.
LOKET_SERVICES_DIR = Path(os.environ.get("LOKET_SERVICES_DIR", Path.cwd() / "services"))
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
# How long a process trusts its cached copy of an agency calendar edited elsewhere.
LOKET_CALENDAR_RECHECK_SECONDS = float(os.environ.get("LOKET_CALENDAR_RECHECK_SECONDS", "30"))
