"""Waiting, in a test, until racing requests all wait for a row lock (PostgreSQL)."""

import time

from django.db import connection


def wait_for_lock_waiters(count: int, timeout: float = 20) -> None:
    """Until `count` other sessions wait for a row lock: the racing requests are all in flight at the same moment."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("select count(*) from pg_stat_activity where wait_event_type = 'Lock' "
                           "and datname = current_database()")
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.05)
    raise AssertionError(f"{count} requests never waited together")
