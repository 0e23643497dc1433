"""Test settings: fast hashing, in-memory mail, tasks run inline unless a test starts a real worker."""

import os

from .base import *  # noqa: F403
from .base import env

ENVIRONMENT = "test"
DEBUG = False
SECRET_KEY = "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5
# Serve static files straight from the source folders (the browser tests use them); no collectstatic needed.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Test-only keys (not secrets): the first encrypts, both decrypt.
TOKEN_ENCRYPTION_KEYS = env(
    "TOKEN_ENCRYPTION_KEYS",
    default="dGVzdC1rZXktbnVtYmVyLW9uZS0zMi1ieXRlcy1sb24=,dGVzdC1rZXktbnVtYmVyLXR3by0zMi1ieXRlcy1sb24=",
)
# Push channels need a webhook address the providers can reach; the push tests turn this on.
CALENDAR_PUSH_ENABLED = False
# The sandbox Google provider speaks plain http on loopback; oauthlib refuses http unless told otherwise.
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
