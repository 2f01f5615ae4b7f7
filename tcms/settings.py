"""TCMS settings: everything comes from the environment (see README "Configuration" and .env.example).

The same code runs the embedded default (SQLite + a serverless Celery broker, for trying it out)
and production (PostgreSQL + Redis); only the variables differ.
"""

import os
import re
import secrets
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TCMS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment; the embedded default generates one once per install."""
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if env_bool("TCMS_REQUIRE_SECRET_KEY"):
        raise ImproperlyConfigured("SECRET_KEY must be set (TCMS_REQUIRE_SECRET_KEY is on).")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "modeltranslation",  # before the admin: its TranslationAdmin tabs the per-language reference names
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "core",
    "accounts",
    "partners",
    "projects",
    "delivery",
    "evaluation",
    "alerts",
    "reports",
    "iati",
    "home",
]

MIDDLEWARE = [
    "core.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A constituent opens only the pages of their workspace (home/constituents.py): 403 on any other.
    "home.constituents.ConstituentConfinementMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tcms.urls"
WSGI_APPLICATION = "tcms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.context_processors.navigation",
            ],
            # The formatting layer's filters (percent, money, number, yes_no) in every template: core/formats.py.
            "builtins": ["core.templatetags.display"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DEFAULT_SQLITE_PATH = VAR_DIR / "tcms.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{DEFAULT_SQLITE_PATH}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the worker and beat read and write one file together;
    # IMMEDIATE transactions avoid "database is locked" upgrades under concurrent writers.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # A file (not :memory:) so that a real worker started by an integration test sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_tcms.sqlite3")}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_IS_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
# Offices share computers: closing the browser signs out; SESSION_COOKIE_AGE still caps a session server-side.
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# History rows keep the reason of a change whole (a date revision's reason, an import's file name): a text field,
# not django-simple-history's default 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- Languages and time ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Reference data (regions, objectives, sources of funds, rules...) carry a name per language (translation.py of
# partners, projects, alerts); the English one is the default and what an empty French or Spanish name falls back to.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "fr", "es")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# Dates as day/month/year in every language, one format per page and date field (core/formats.py).
FORMAT_MODULE_PATH = ["core.locale_formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True


def _business_date(name: str, value: str) -> date | None:
    """An ISO date (YYYY-MM-DD), or None for the real date when the variable is empty."""
    value = value.strip()
    if not value:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a date as YYYY-MM-DD (e.g. 2001-10-31), or empty for the real "
                                   f"date; it is {value!r}.") from None


# The business date every page, scan and digest works from (core/clock.py): empty means the real date; a fixed
# date moves all of them together (`make run`'s demo sets its own "today", 2001-10-31). Record timestamps stay real.
TCMS_TODAY = _business_date("TCMS_TODAY", os.environ.get("TCMS_TODAY", ""))

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded and generated files (evaluation reports, report exports, pending imports) are private: they live
# under PRIVATE_ROOT, which no URL serves, and are downloaded through views that check the reader's permission.
PRIVATE_ROOT = Path(os.environ.get("TCMS_PRIVATE_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "core.private_files.PrivateStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
TCMS_MAX_UPLOAD_BYTES = int(os.environ.get("TCMS_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
# Who sends a private file once its view has checked the reader: "off" (Django), "x-accel-redirect" (nginx) or
# "x-sendfile" (Apache mod_xsendfile, lighttpd). TCMS_SENDFILE_PREFIX: nginx's internal location, or the folder in
# which the web server sees PRIVATE_ROOT.
TCMS_SENDFILE = os.environ.get("TCMS_SENDFILE", "").strip().lower() or "off"
if TCMS_SENDFILE not in ("off", "x-accel-redirect", "x-sendfile"):
    raise ImproperlyConfigured("TCMS_SENDFILE must be off, x-accel-redirect or x-sendfile.")
TCMS_SENDFILE_PREFIX = os.environ.get("TCMS_SENDFILE_PREFIX", "").strip() or (
    "/private-files/" if TCMS_SENDFILE == "x-accel-redirect" else f"{PRIVATE_ROOT}/")
# What an imported table may hold (tcms/tabular.py): rows after the header, columns, characters in one cell.
TCMS_MAX_IMPORT_ROWS = int(os.environ.get("TCMS_MAX_IMPORT_ROWS", "200000"))
TCMS_MAX_IMPORT_COLUMNS = int(os.environ.get("TCMS_MAX_IMPORT_COLUMNS", "100"))
TCMS_MAX_CELL_CHARS = int(os.environ.get("TCMS_MAX_CELL_CHARS", "10000"))
# An XLSX is a zip: checked before anything is unpacked. Declared unpacked size of all its parts together and of
# any one part, and how many times smaller than unpacked a part (of more than 1 MiB) may be stored.
TCMS_MAX_XLSX_UNCOMPRESSED_BYTES = int(os.environ.get("TCMS_MAX_XLSX_UNCOMPRESSED_BYTES", str(128 * 1024 * 1024)))
TCMS_MAX_XLSX_PART_BYTES = int(os.environ.get("TCMS_MAX_XLSX_PART_BYTES", str(64 * 1024 * 1024)))
TCMS_MAX_XLSX_COMPRESSION_RATIO = int(os.environ.get("TCMS_MAX_XLSX_COMPRESSION_RATIO", "100"))

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "TCMS <tcms@localhost>")
TCMS_BASE_URL = os.environ.get("TCMS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Celery -----------------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "").strip() or "filesystem://localhost//"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("out", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # A task whose worker died unacknowledged is handed out again after this many seconds (acks_late).
    # Workers look for such abandoned tasks every interval × throttle seconds (kombu's defaults: 10 × 10).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("TCMS_BROKER_VISIBILITY_TIMEOUT", "3600")),
        "unacked_restore_interval": int(os.environ.get("TCMS_BROKER_RESTORE_INTERVAL", "10")),
        "unacked_restore_throttle": int(os.environ.get("TCMS_BROKER_RESTORE_THROTTLE", "10")),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# How old the last worker heartbeat may be before /healthz calls the worker down.
TCMS_WORKER_HEARTBEAT_SECONDS = int(os.environ.get("TCMS_WORKER_HEARTBEAT_SECONDS", "15"))

# --- REST framework ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an unauthenticated request answer 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# API tokens (django-rest-knox): only a SHA-512 digest is stored; a new token expires after TCMS_API_TOKEN_DAYS
# (an administrator may change one token's expiry in the admin).
TCMS_API_TOKEN_DAYS = int(os.environ.get("TCMS_API_TOKEN_DAYS", "90"))
if TCMS_API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured("TCMS_API_TOKEN_DAYS must be at least 1.")
REST_KNOX = {"TOKEN_TTL": timedelta(days=TCMS_API_TOKEN_DAYS), "AUTH_HEADER_PREFIX": "Token"}
SPECTACULAR_SETTINGS = {
    "TITLE": "TCMS API",
    "DESCRIPTION": "Technical-cooperation programme management system",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Fields sharing a name ("status", "kind") carry different choice sets, and one choice set (the rating scale,
    # follow-up status) appears under several field names: each set gets one name of its own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "projects.models.ProjectStatus",
        "EvaluationStatusEnum": "evaluation.models.EvaluationStatus",
        "FollowUpStatusEnum": "evaluation.models.FollowUpStatus",
        "AlertStateEnum": "alerts.models.AlertState",
        "OrganisationKindEnum": "partners.models.OrganisationKind",
        "ResultKindEnum": "evaluation.models.ResultKind",
        "LessonKindEnum": "evaluation.models.LessonKind",
        "RatingEnum": "evaluation.models.RATING_SCALE",
        "ConstituentGroupEnum": "projects.models.ConstituentGroup",
    },
}

# --- Security (the same in every environment; HTTPS-only parts switch on with TCMS_HTTPS) ------
TCMS_HTTPS = env_bool("TCMS_HTTPS")
SESSION_COOKIE_SECURE = TCMS_HTTPS
CSRF_COOKIE_SECURE = TCMS_HTTPS
SECURE_SSL_REDIRECT = TCMS_HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if TCMS_HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = TCMS_HTTPS
SECURE_HSTS_PRELOAD = TCMS_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TCMS_HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# HTMX sends the token from the page (base.html hx-headers); no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Content Security Policy (django-csp 4): only our own scripts, styles and images; no inline code.
# The HTMX indicator style lives in static/css/tcms.css (base.html turns off HTMX's injected <style>).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

# Sign-in throttling (django-axes): after TCMS_LOGIN_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is refused for TCMS_LOGIN_COOLOFF_MINUTES, even with the right password.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("TCMS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("TCMS_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
# Behind a reverse proxy, the number of proxies in front (so the client address is read from X-Forwarded-For).
if int(os.environ.get("TCMS_PROXY_COUNT", "0")):
    AXES_IPWARE_PROXY_COUNT = int(os.environ["TCMS_PROXY_COUNT"])
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# --- Logging ------------------------------------------------------------------------------------
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT if LOG_FORMAT in ("json", "plain")
                    else "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # One line per request comes from tcms.request; Django's own would repeat it.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

# The organisation's IATI identifier (used for publication).
TCMS_ORGANISATION_NAME = os.environ.get("TCMS_ORGANISATION_NAME", "International Labour Organization")
TCMS_ORGANISATION_IATI_REF = os.environ.get("TCMS_ORGANISATION_IATI_REF", "XM-DAC-41302")
# Publish /api/v1/iati/activities.xml without sign-in.
TCMS_IATI_PUBLIC = env_bool("TCMS_IATI_PUBLIC")
