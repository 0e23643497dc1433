"""Local development: `make run`. SQLite and the filesystem broker unless the environment says otherwise."""

from .base import *  # noqa: F403
from .base import env

ENVIRONMENT = "local"
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

# Serve static files from the source folders and pick up edits without collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def _local_token_key() -> str:
    """A per-checkout key kept in var/, made on first start, so `make run` needs no set-up. Never for production."""
    from cryptography.fernet import Fernet

    path = BASE_DIR / "var" / "dev-token-encryption-key"  # noqa: F405
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return path.read_text().strip()


TOKEN_ENCRYPTION_KEYS = env("TOKEN_ENCRYPTION_KEYS", default="") or _local_token_key()
