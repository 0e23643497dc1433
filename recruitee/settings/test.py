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

# Mailbox: retries without waiting, so the delivery tests run in milliseconds.
MAILBOX_SEND_MAX_ATTEMPTS = 3
MAILBOX_RETRY_BACKOFF_SECONDS = 0.0
MAILBOX_RETRY_BACKOFF_MAX_SECONDS = 0.0
EMAIL_TIMEOUT = 5
import os as _os  # noqa: E402
import tempfile as _tempfile  # noqa: E402

# Caught mail of the tests (the probe writes catcher files) goes to the temp folder, not the developer's var/mail;
# one folder for all runs, whose fixed file names overwrite each other instead of piling up.
MAILBOX_CATCHER_DIR = Path(_tempfile.gettempdir()) / "recruitee-test-mail"  # noqa: F405
# An SQLite test database is a file, not memory, because the real Celery worker of tests/integration/ opens it from
# another process; one per test process (xdist adds its worker suffix to the name).
_TEST_FILES = Path(_tempfile.gettempdir()) / f"recruitee-test-{_os.getpid()}"  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(_TEST_FILES.with_name(_TEST_FILES.name + ".sqlite3"))}  # noqa: F405

# Nothing in the tests may reach Google or Microsoft: by default the provider endpoints are a closed local port;
# tests that talk to a provider point these at the sandbox (tests/calendars/conftest.py `providers`).
_NOWHERE = "http://127.0.0.1:9"
GOOGLE_AUTH_URI = f"{_NOWHERE}/o/oauth2/v2/auth"
GOOGLE_TOKEN_URI = f"{_NOWHERE}/token"
GOOGLE_REVOKE_URI = f"{_NOWHERE}/revoke"
GOOGLE_API_ENDPOINT = f"{_NOWHERE}/calendar/v3/"
MICROSOFT_AUTHORITY = "https://127.0.0.1:9/common"
MICROSOFT_GRAPH_URL = "https://127.0.0.1:9/v1.0"
PROVIDER_TIMEOUT_SECONDS = 5.0

# Sending limits: the suite sends more than any person would in ten minutes, and every test company is brand new;
# tests/mailbox/test_limits.py sets the numbers it tests.
MAILBOX_LIMIT_MEMBER_PER_WINDOW = MAILBOX_LIMIT_NEW_MEMBER_PER_WINDOW = 100_000
MAILBOX_LIMIT_MEMBER_PER_DAY = MAILBOX_LIMIT_NEW_MEMBER_PER_DAY = 100_000
MAILBOX_LIMIT_COMPANY_PER_WINDOW = MAILBOX_LIMIT_NEW_COMPANY_PER_WINDOW = 100_000
MAILBOX_LIMIT_COMPANY_PER_DAY = MAILBOX_LIMIT_NEW_COMPANY_PER_DAY = 100_000
# The suite opens booking pages from one address far more often than a person would; the tests of the limits
# set their own numbers.
BOOKING_RATE_PER_CLIENT = BOOKING_RATE_PER_TOKEN_GET = BOOKING_RATE_PER_TOKEN_POST = 0
# allauth's limits live in the cache (Redis when REDIS_URL is set), which outlives a test run: an hourly limit per
# address would trip when the suite runs a few times an hour. A minute is allauth's own default.
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "reset_password": "20/m/ip,5/m/key"}  # noqa: F405
# An audit action without a sentence for the pages fails where it is recorded, not on some reader's page later.
AUDIT_ACTIONS_STRICT = True
