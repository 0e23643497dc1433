"""Settings of a Celery worker started by tests/integration/worker.py: the test settings plus the overrides it was
given as JSON in RECRUITEE_WORKER_SETTINGS (the test database's name, the broker, the SMTP server of the test...)."""

import json
import os

from recruitee.settings.test import *  # noqa: F403

for _name, _value in json.loads(os.environ.get("RECRUITEE_WORKER_SETTINGS", "{}")).items():
    globals()[_name] = _value
