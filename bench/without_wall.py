"""Settings of bench/rls.py's runs without the tenant wall: the local settings with Django's own PostgreSQL backend,
which sets no tenant before statements. Such a run logs in as a role the policies do not hold for (a superuser):
the application as it was before row-level security. The Sent tab's listing view (mailbox.models.SentListing)
filters by the session's companies itself; here the session names every company once, when it connects
(BENCH_ALL_COMPANY_IDS), as the rows of the single table were all there for such a role."""

import os

from recruitee.db.postgresql.base import PlannedCursor
from recruitee.settings.local import *  # noqa: F403
from recruitee.settings.local import DATABASES

DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
# The rest of OPTIONS (prepared statements) as the application has them.
_options = DATABASES["default"].setdefault("OPTIONS", {})
_options["cursor_factory"] = PlannedCursor  # searches planned for their words, as the application's are
_options["options"] = f"{_options.get('options', '')} -c app.company_ids={os.environ['BENCH_ALL_COMPANY_IDS']}".strip()
