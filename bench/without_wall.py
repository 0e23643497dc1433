"""Settings of bench/rls.py's runs without the tenant wall: the local settings with Django's own PostgreSQL backend,
which sets no tenant before statements. Such a run logs in as a role the policies do not hold for (a superuser):
the application as it was before row-level security."""

from recruitee.settings.local import *  # noqa: F403
from recruitee.settings.local import DATABASES

DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
