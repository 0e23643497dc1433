"""Local development: `make run`. SQLite and the filesystem broker unless the environment says otherwise."""

from .base import *  # noqa: F403
from .base import env

ENVIRONMENT = "local"
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
