"""How our Celery tasks run, written once: in one company's scope, queued after the commit, one backoff policy.

    @tenant_task(acks_late=True)
    def thing_do_task(*, company_id: int, thing_id: int) -> None:
        ...  # runs inside scope(company=company_id); log lines carry the company

    queue_after_commit(thing_do_task, company_id=thing.company_id, thing_id=thing.pk)

Tasks carry ids only and load what they need: a task may run long after it was queued, on another machine.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from celery import Task, shared_task
from django.db import transaction
from django_scopes import scope

logger = logging.getLogger(__name__)

_company_id: ContextVar[int | None] = ContextVar("task_company_id", default=None)


class CompanyLogFilter(logging.Filter):
    """Adds `company` to every log record: the id of the company whose task is running, or "-"."""

    def filter(self, record: logging.LogRecord) -> bool:
        company_id = _company_id.get()
        record.company = "-" if company_id is None else company_id
        return True


@contextmanager
def company_context(company_id: int | None) -> Iterator[None]:
    """The company's scope and log context; with None (system work, such as password-reset mail) neither:
    `scope(company=None)` would mean "every company"."""
    token = _company_id.set(company_id)
    try:
        if company_id is None:
            yield
        else:
            with scope(company=company_id):
                yield
    finally:
        _company_id.reset(token)


class TenantTask(Task):
    """A task that works for one company, named by its `company_id` keyword argument."""

    abstract = True

    def __call__(self, *args, **kwargs):
        # Runs for the worker and for eager execution alike, so tests see the same scope as production.
        with company_context(kwargs.get("company_id")):
            return super().__call__(*args, **kwargs)


def tenant_task(**options):
    """`shared_task` for work of one company: called with company_id=..., it runs inside that company's scope."""
    return shared_task(base=TenantTask, **options)


def queue_after_commit(task: Task, /, *args, countdown: float | None = None, **kwargs) -> None:
    """Queue `task` once the current transaction commits (at once outside one), so a worker never looks for rows
    that are not there yet and a rolled-back request queues nothing.

    Robust: a broker that is down is logged and does not fail the request or task whose work already committed;
    the beat's sweepers find such work again.
    """
    transaction.on_commit(lambda: task.apply_async(args, kwargs, countdown=countdown), robust=True)


def backoff_seconds(attempt: int, *, base: float, cap: float) -> float:
    """The wait before retry number `attempt` (1 for the first retry): exponential up to `cap`, then a random point
    in the upper half of that, so many workers that hit one limit together do not come back in lockstep."""
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return random.uniform(ceiling / 2, ceiling)
