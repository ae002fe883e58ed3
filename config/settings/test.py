"""Tests: tasks run immediately, passwords hash fast, static files need no manifest."""

from .base import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5
# WhiteNoise warns about a missing STATIC_ROOT on every request otherwise.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# A fixed audit key, so that entries are HMACs as in production (docs/audit.md).
DIGILEAP_AUDIT_KEY = "test-audit-key-not-a-secret"
DIGILEAP_AUDIT_KEY_ID = "test"
DIGILEAP_AUDIT_PREVIOUS_KEYS = ""
