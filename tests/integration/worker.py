"""A real Celery worker process on Redis, for tests that need the whole path: commit, broker, worker, database.

Use the `celery_worker` fixture in a test that commits for real. Tests in tests/integration/ have it; elsewhere
register it in a conftest: `from tests.integration.worker import celery_worker, worker_settings  # noqa: F401`.

    pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

    def test_it_syncs_after_a_crash(celery_worker):
        some_task.delay(...)              # production code publishes as always (.delay, on_commit)
        celery_worker.wait_for_log(r"some_task.*succeeded")   # a regex over its log lines
        celery_worker.kill()              # SIGKILL to the worker and its pool, as the OOM killer does
        mark = celery_worker.log_length
        celery_worker.restart()           # same queue and settings; returns once it consumes again
        celery_worker.wait_for_log(r"Task .* received", since=mark)  # only lines of the new process
        celery_worker.output()            # everything it logged so far, for assertion messages

Settings for the worker: override the `worker_settings` fixture (a dict of Django settings, JSON-serializable) in
your test module or conftest, e.g. `{"GOOGLE_API_ENDPOINT": sandbox.url}`. Outside a function-scoped test, use
`with running_worker(settings) as worker:` (the fixture's body), or `start_worker(settings)` for a bare worker
that this process does not publish to (`.stop()` it yourself).

What it arranges, so that parallel runs and other tests never notice:
- the worker uses the test database of this test process (pytest-django's `test_…` database; with SQLite a file,
  see recruitee/settings/test.py), hence `transaction=True`: the worker sees committed rows only;
- the broker is Redis at REDIS_URL (unset: redis://127.0.0.1:6379/14), with a queue name and a key prefix unique to
  the worker (all its Redis keys are deleted at the end);
- this process's Celery app publishes there instead of running tasks eagerly, until the fixture ends;
- a task that a killed worker held comes back after VISIBILITY_TIMEOUT s (+ about 1 s of restore sweep);
  keep countdowns and tasks shorter than that in these tests.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import kombu.pools
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
VISIBILITY_TIMEOUT = 4
READY_TIMEOUT = 30
_DATABASE_KEYS = ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS", "CONN_MAX_AGE", "TIME_ZONE")


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def transport_options(prefix: str) -> dict:
    return {
        "visibility_timeout": VISIBILITY_TIMEOUT,
        "unacked_restore_interval": 1,  # sweep every second (kombu's default: 10 s x throttle 10)
        "unacked_restore_throttle": 1,
        "global_keyprefix": prefix,
    }


@dataclass
class WorkerHandle:
    """A running `celery -A recruitee worker`; see the module docstring."""

    queue: str
    settings: dict
    env: dict[str, str]
    process: subprocess.Popen | None = None
    _lines: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> WorkerHandle:
        argv = [
            sys.executable, "-m", "celery", "-A", "recruitee", "worker", "--loglevel", "INFO",
            "--queues", self.queue, "--hostname", f"{self.queue}@%h", "--concurrency", "1", "--pool", "prefork",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            argv, cwd=REPO_ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, errors="replace",
            process_group=0,  # its own group: kill() reaches the pool processes too
        )
        threading.Thread(target=self._pump, args=(self.process,), daemon=True).start()
        self.wait_for_log(r"\bready\.", timeout=READY_TIMEOUT, since=len(self._lines))
        return self

    def _pump(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            with self._lock:
                self._lines.append(line.rstrip("\n"))

    def output(self) -> str:
        with self._lock:
            return "\n".join(self._lines)

    def wait_for_log(self, pattern: str, *, timeout: float = 20, since: int = 0) -> str:
        """The first log line (from line `since` on) matching the regex `pattern`; fails with the log if none."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for line in self._lines[since:]:
                    if regex.search(line):
                        return line
            if self.process and self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"worker log has no line matching {pattern!r} within {timeout} s:\n{self.output()}")

    @property
    def log_length(self) -> int:
        with self._lock:
            return len(self._lines)

    def kill(self) -> None:
        """SIGKILL to the whole process group: no warm shutdown, unacknowledged tasks stay with the broker."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def restart(self) -> WorkerHandle:
        self.stop()
        return self.start()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()


def _database_settings() -> dict:
    from django.db import connection

    database = {key: connection.settings_dict[key] for key in _DATABASE_KEYS if key in connection.settings_dict}
    if database["ENGINE"] == "django.db.backends.sqlite3" and "memory" in str(database["NAME"]):
        raise RuntimeError("The worker cannot open an in-memory SQLite test database; use a file (settings.test).")
    return {"default": database}


def _require_redis() -> None:
    import redis

    client = redis.Redis.from_url(redis_url(), socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis does not answer at {redis_url()} ({error}): start it, or set REDIS_URL.")
    finally:
        client.close()


def start_worker(settings: dict | None = None) -> WorkerHandle:
    """Start a worker with these extra Django settings; `.stop()` it when done."""
    _require_redis()
    name = f"integration-{uuid.uuid4().hex[:12]}"
    overrides = {
        "DATABASES": _database_settings(),
        "CELERY_BROKER_URL": redis_url(),
        "CELERY_BROKER_TRANSPORT_OPTIONS": transport_options(f"{name}:"),
        "CELERY_TASK_DEFAULT_QUEUE": name,
        "CELERY_TASK_ALWAYS_EAGER": False,
        **(settings or {}),
    }
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.integration.worker_settings",
           "RECRUITEE_WORKER_SETTINGS": json.dumps(overrides), "PYTHONUNBUFFERED": "1"}
    return WorkerHandle(queue=name, settings=overrides, env=env).start()


class _Publishing:
    """This process's Celery app: publish to the worker's queue on Redis instead of running tasks eagerly."""

    KEYS = ("task_always_eager", "broker_url", "broker_transport_options", "task_default_queue")

    def __init__(self, worker: WorkerHandle):
        from recruitee.celery import app

        self.app = app
        self.saved = {key: app.conf[key] for key in self.KEYS}
        self._forget_connections()
        app.conf.update(
            task_always_eager=False, broker_url=worker.settings["CELERY_BROKER_URL"],
            broker_transport_options=worker.settings["CELERY_BROKER_TRANSPORT_OPTIONS"],
            task_default_queue=worker.queue,
        )

    def restore(self) -> None:
        self._forget_connections()
        self.app.conf.update(self.saved)

    def _forget_connections(self) -> None:
        # Pooled connections keep the broker URL and transport options they were made with. (app.close() would
        # also unregister the app, which the tasks of later tests need.) kombu also keeps every pool in a
        # process-wide registry keyed by the connection's settings: a pool closed here but left registered would be
        # handed to the next test that publishes with the same settings ("Acquire on closed pool").
        kombu.pools.reset()
        self.app._pool = None
        amqp = self.app.__dict__.get("amqp")
        if amqp is not None:
            amqp._producer_pool = None


def _forget_redis_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url())
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def worker_settings() -> dict:
    """Extra Django settings for the worker; override this fixture to set them."""
    return {}


@contextmanager
def running_worker(settings: dict | None = None) -> Iterator[WorkerHandle]:
    """A worker, with this process publishing to it, for the duration of the block; everything undone after."""
    worker = start_worker(settings)
    publishing = _Publishing(worker)
    try:
        yield worker
    finally:
        worker.stop()
        publishing.restore()
        _forget_redis_keys(f"{worker.queue}:")


@pytest.fixture
def celery_worker(transactional_db, worker_settings) -> Iterator[WorkerHandle]:
    with running_worker(worker_settings) as worker:
        yield worker


__all__ = ["WorkerHandle", "celery_worker", "redis_url", "running_worker", "start_worker", "worker_settings"]
