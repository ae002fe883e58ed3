"""Settings for the benchmark processes: the development settings with DEBUG off.

Static files are served by name (no manifest), so the list page renders without collectstatic.
"""

from config.settings.dev import *  # noqa: F403

DEBUG = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
