"""Test settings: the same as production but fast hashing, local e-mail and the test database URL."""

import os

import dj_database_url

from .base import *  # noqa: F401,F403
from .base import DATABASES, VAR_DIR

SECRET_KEY = "test-only-secret-key-not-for-production-0123456789abcdefghij"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
KPI_HOME_CACHE_SECONDS = 0  # each test sees the records it made
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HTTPS = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
AXES_ENABLED = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# A real worker that a test starts as a subprocess (tests/core/test_worker_kill.py) uses the database backend.
if os.environ.get("DOYAK_TEST_TASKS_BACKEND") == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "test-files")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

_test_url = os.environ.get("DOYAK_TEST_DATABASE_URL")
if _test_url:
    DATABASES = {"default": dj_database_url.parse(_test_url)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # a file shared with a worker subprocess
        DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    DATABASES = {"default": {**DATABASES["default"], "NAME": str(VAR_DIR / "test.sqlite3")}}
STATIC_ROOT = VAR_DIR / "test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
