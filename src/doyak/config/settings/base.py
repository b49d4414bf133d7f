"""doyak settings.

Everything that differs between a laptop and production comes from ``DOYAK_*`` environment
variables; nothing here defaults to an unsafe value except where the variable is absent on a
developer's machine (an ephemeral secret key, SQLite under ``var/``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # src/doyak
PROJECT_DIR = Path(os.environ.get("DOYAK_PROJECT_DIR", PACKAGE_DIR.parents[1]))
VAR_DIR = Path(os.environ.get("DOYAK_VAR_DIR", PROJECT_DIR / "var"))
NODE_MODULES_DIR = Path(os.environ.get("DOYAK_NODE_MODULES", PROJECT_DIR / "node_modules"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DOYAK_DEBUG", False)


def _secret_key() -> str:
    """DOYAK_SECRET_KEY, or a random key kept in var/secret_key so sessions survive a restart."""
    if os.environ.get("DOYAK_SECRET_KEY"):
        return os.environ["DOYAK_SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.touch(mode=0o600)
    path.write_text(key)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DOYAK_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DOYAK_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "doyak.core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "doyak.accounts",
    "doyak.policies",
    "doyak.regions",
    "doyak.organizations",
    "doyak.programs",
    "doyak.calls",
    "doyak.proposals",
    "doyak.evaluation",
    "doyak.portfolio",
    "doyak.agreements",
    "doyak.finance",
    "doyak.execution",  # after finance: where both translate one English word, the ledger's wording wins
    "doyak.max",
    "doyak.regulation",
    "doyak.kpi",
    "doyak.capacity",  # innovation capacity: surveys, fund, talent, joint labs, graduate schools
    "doyak.demo",
    "django.forms",  # its widget templates, after core's KRDS overrides (FORM_RENDERER below)
]

# The home page's cards and sections, in page order (doyak.core.home): each app's selectors provide
# their own, so core imports no domain app. Cards of all providers come first, then their sections.
HOME_PAGE_PROVIDERS = [
    "doyak.policies.selectors.home_content",
    "doyak.programs.selectors.home_content",
    "doyak.organizations.selectors.home_content",
    "doyak.calls.selectors.home_content",
    "doyak.proposals.selectors.home_content",
    "doyak.evaluation.selectors.home_content",
    "doyak.regulation.selectors.home_content",
    "doyak.kpi.selectors.home_content",
    "doyak.capacity.selectors.home_content",
    "doyak.core.selectors.home_content",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "doyak.core.middleware.KoreanFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "doyak.core.error_pages.NotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "doyak.core.middleware.DoyakErrorMiddleware",
]

# Every form renders KRDS markup through the project's templates (doyak.core.forms).
FORM_RENDERER = "doyak.core.forms.KrdsFormRenderer"

# The KPI cards on the ministry side's home page are computed at most once a minute per process (0: always).
KPI_HOME_CACHE_SECONDS = int(os.environ.get("DOYAK_KPI_HOME_CACHE_SECONDS", "60") or 0)

ROOT_URLCONF = "doyak.config.urls"
WSGI_APPLICATION = "doyak.config.wsgi.application"
ASGI_APPLICATION = "doyak.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "doyak.core.context_processors.navigation",
            ],
        },
    }
]

# --- Database: SQLite under var/ unless DOYAK_DATABASE_URL names another (PostgreSQL in production).
DATABASE_URL = os.environ.get("DOYAK_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'doyak.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "doyak.accounts.hashers.DoyakArgon2PasswordHasher",  # OWASP's Argon2id cost; see the module
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (django-axes 8): repeated failures lock the account (from any address) and, separately,
# the client address (for any account). Behind the reverse proxy the address is the one the trusted proxy
# reports in X-Forwarded-For (doyak.accounts.client_ip), never the proxy's own, which is every user's.
# A locked account's API tokens are refused too (doyak.accounts.services.api_token_authenticate).
AXES_FAILURE_LIMIT = int(os.environ.get("DOYAK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("DOYAK_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "doyak.accounts.client_ip.client_ip_address"
DOYAK_BEHIND_PROXY = env_bool("DOYAK_BEHIND_PROXY", False)
DOYAK_TRUSTED_PROXIES = env_list("DOYAK_TRUSTED_PROXIES", "127.0.0.1,::1")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# --- Sessions and transport security
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("DOYAK_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
HTTPS = env_bool("DOYAK_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("DOYAK_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("DOYAK_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if DOYAK_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp 4): everything from our own origin, no inline or evaluated script
# (htmx runs with allowEval off and its indicator styles in doyak.css, see base.html). Inline style
# *attributes* stay allowed, and only they (style-src-attr): templates draw data-driven widths (progress
# and budget bars, charts) with style="width: N%", which cannot run script; <style> elements and
# stylesheets from elsewhere are refused. data: images are KRDS's and Swagger UI's inline SVG icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Korean first
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True
# Off: with it on, every integer a template prints gets separators, ids included (id="member-1,273",
# value="1,273" in forms), which breaks anchors and forms once ids pass 999. Amounts and counts are
# formatted where they are shown (the won filters, presentation helpers).
USE_THOUSAND_SEPARATOR = False

# --- Open data (doyak.kpi.exports): the funder named in 360Giving and IATI files and the grant id prefix.
OPEN_DATA_FUNDER = {"id": os.environ.get("DOYAK_OPEN_DATA_FUNDER_ID", "KR-GOV-MOTIE"),
                    "name": os.environ.get("DOYAK_OPEN_DATA_FUNDER_NAME", "산업통상부")}
OPEN_DATA_GRANT_PREFIX = os.environ.get("DOYAK_OPEN_DATA_GRANT_PREFIX", "360G-doyak-")

# --- Static and uploaded files. Front-end packages come from npm at set-up (node_modules).
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DOYAK_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [
    ("krds", NODE_MODULES_DIR / "krds-uiux" / "resources"),
    # krds-uiux 1.1.0's component.css points at ../../img/img/…; serve the images there too.
    ("krds/img/img", NODE_MODULES_DIR / "krds-uiux" / "resources" / "img"),
    ("pretendard", NODE_MODULES_DIR / "pretendard" / "dist" / "web" / "variable"),
    ("htmx", NODE_MODULES_DIR / "htmx.org" / "dist"),
    ("swagger-ui", NODE_MODULES_DIR / "swagger-ui-dist"),
    ("echarts", NODE_MODULES_DIR / "echarts" / "dist"),
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.is_dir()]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(os.environ.get("DOYAK_MEDIA_ROOT", VAR_DIR / "files")))},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Email
EMAIL_BACKEND = os.environ.get("DOYAK_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("DOYAK_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DOYAK_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DOYAK_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DOYAK_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DOYAK_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DOYAK_DEFAULT_FROM_EMAIL", "doyak <noreply@doyak.invalid>")
# Where people write when something goes wrong (shown on the error pages); empty: "the program's office".
DOYAK_HELP_EMAIL = os.environ.get("DOYAK_HELP_EMAIL", "")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background jobs: django-tasks, database backend, run by `doyak db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

# Covering indexes (INCLUDE) speed up PostgreSQL; SQLite ignores the extra columns, which is fine.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DOYAK_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
