"""The task base: a tenant task runs in its company's scope and logs with it; queuing waits for the commit."""

import logging

import pytest
from django.db import transaction
from django_scopes import get_scope

from recruitee.tasking import CompanyLogFilter, backoff_seconds, company_context, queue_after_commit, tenant_task

pytestmark = pytest.mark.django_db

seen: list[dict] = []


@tenant_task()
def remember_scope_task(*, company_id: int | None, label: str) -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "msg", None, None)
    CompanyLogFilter().filter(record)
    seen.append({"label": label, "scope": get_scope().get("company"), "log_company": record.company})


def test_a_tenant_task_runs_in_its_companys_scope_and_logs_with_it(acme) -> None:
    seen.clear()
    remember_scope_task.delay(company_id=acme.pk, label="acme")
    remember_scope_task.delay(company_id=None, label="system")
    assert seen == [
        {"label": "acme", "scope": acme.pk, "log_company": acme.pk},
        {"label": "system", "scope": None, "log_company": "-"},
    ]


def test_queue_after_commit_waits_for_the_commit_and_queues_nothing_on_rollback(
    acme, django_capture_on_commit_callbacks
) -> None:
    seen.clear()
    with django_capture_on_commit_callbacks(execute=True):
        queue_after_commit(remember_scope_task, company_id=acme.pk, label="committed")
        assert seen == []
    assert [s["label"] for s in seen] == ["committed"]

    seen.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                queue_after_commit(remember_scope_task, company_id=acme.pk, label="rolled back")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert callbacks == [] and seen == []


def test_company_context_restores_what_was_there(acme) -> None:
    with company_context(acme.pk):
        assert get_scope().get("company") == acme.pk
    assert get_scope().get("company") in (None, [])


def test_backoff_grows_is_capped_and_jittered() -> None:
    waits = [backoff_seconds(attempt, base=2, cap=60) for attempt in range(1, 10)]
    assert 1 <= waits[0] <= 2 and 2 <= waits[1] <= 4
    assert all(30 <= wait <= 60 for wait in waits[6:])
    assert len({backoff_seconds(5, base=2, cap=60) for _ in range(20)}) > 1
