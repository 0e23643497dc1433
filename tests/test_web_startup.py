"""A web process loads its views and freezes what it loaded before the first request (recruitee/startup.py)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc, sys
import recruitee.wsgi
print(gc.get_freeze_count(), "scheduling.views" in sys.modules, "mailbox.views" in sys.modules)
"""


def test_the_web_entry_point_loads_the_views_and_takes_them_out_of_the_collectors_rounds():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "recruitee.settings.test"}
    finished = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120, check=True)
    frozen, scheduling_views, mailbox_views = finished.stdout.split()[-3:]
    # Django, the apps and their views are well over 10,000 objects; without the freeze the count is 0.
    assert int(frozen) > 10_000
    assert (scheduling_views, mailbox_views) == ("True", "True")
