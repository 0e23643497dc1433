"""Refusals that leave an audit entry although they roll back the transaction that was refused.

A refusal raised inside a transaction undoes everything written there, its audit entry too. So the refusal is
recorded by the outermost `refusals_recorded()`, after the transaction inside it has rolled back:

    with refusals_recorded(), transaction.atomic():
        ...  # may raise a RecordedRefusal, e.g. mailbox.limits.SendingLimitReached

Services wrap their own outermost transaction in it; nested ones (message_send inside interview_schedule) leave
the recording to the outermost. Any layer can use it, because the refusal itself knows how to record itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError

_depth: ContextVar[int] = ContextVar("refusals_recorded_depth", default=0)


class RecordedRefusal(ValidationError):
    """A ValidationError whose refusal belongs in the audit log (forms show it like any other)."""

    recorded: bool = False

    def write_audit_entry(self) -> None:
        raise NotImplementedError

    def record(self) -> None:
        if not self.recorded:
            self.write_audit_entry()
            self.recorded = True


@contextmanager
def refusals_recorded() -> Iterator[None]:
    token = _depth.set(_depth.get() + 1)
    try:
        yield
    except RecordedRefusal as refusal:
        if _depth.get() == 1:
            refusal.record()
        raise
    finally:
        _depth.reset(token)
