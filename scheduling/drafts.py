"""The wizard's drafts: step 1's answers and what step 2 holds so far, one row per open wizard.

A draft lives in the database, not the session: two tabs of one browser share a session, and "send" must use a
draft up exactly once (see `services.interview_schedule`). Only the member who started a draft can open it.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.http import QueryDict
from django.utils import timezone

from recruitee.recruiting.models import Candidate
from recruitee.tenancy.models import Membership

from .models import ScheduleDraft

LIFETIME = timedelta(days=14)  # an untouched draft is gone after this ("expired")
MAX_OPEN_PER_MEMBER = 50  # a person with many tabs open; the oldest unused drafts go first
MAX_VALUE_CHARS = 25_000
MAX_VALUES = 200  # interviewers picked at once
_KEY = re.compile(r"[A-Za-z0-9_-]{1,32}")


def draft_load(*, owner: Membership, candidate: Candidate, key: str | None) -> ScheduleDraft | None:
    """The member's draft for this candidate, used or not; None for no such (or an expired, or another's) draft."""
    if not key or not _KEY.fullmatch(key):
        return None
    return (ScheduleDraft.objects.filter(company=owner.company, owner=owner, candidate=candidate, key=key,
                                         updated_at__gte=timezone.now() - LIFETIME)
            .select_related("interview").first())


def draft_save_step1(*, owner: Membership, candidate: Candidate, data: QueryDict, fields: list[str],
                     draft: ScheduleDraft | None) -> ScheduleDraft:
    """Keep step 1's answers (the named fields only) in the open draft, or in a new one."""
    values = _values(data, fields)
    if draft is not None and not draft.is_used:
        draft.step1 = values
        draft.save(update_fields=["step1", "updated_at"])
        return draft
    _prune(owner)
    return ScheduleDraft.objects.create(company=owner.company, owner=owner, candidate=candidate,
                                        key=secrets.token_urlsafe(12), step1=values)


def draft_save_step2(*, draft: ScheduleDraft, data: QueryDict, fields: list[str],
                     written_against: dict[str, dict[str, str]]) -> None:
    """Keep what step 2 holds. An audience's values stay those its text was written against until the text
    itself changes."""
    values = _values(data, fields)
    kept = dict(draft.written_against)
    for audience, current in written_against.items():
        text_fields = (f"{audience}_subject", f"{audience}_body")
        unchanged = audience in kept and all(draft.step2.get(f) == values.get(f) for f in text_fields)
        if not unchanged:
            kept[audience] = current
    ScheduleDraft.objects.filter(pk=draft.pk, used_at__isnull=True).update(
        step2=values, written_against=kept, updated_at=timezone.now())
    draft.step2, draft.written_against = values, kept


def as_query_dict(values: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, items in values.items():
        data.setlist(key, items)
    return data


def _values(data: QueryDict, fields: list[str]) -> dict[str, list[str]]:
    # NUL cannot be stored in JSON on PostgreSQL, and no person types it: the form itself reports it. Nothing the
    # forms accept is longer than MAX_VALUE_CHARS; a longer value is refused by the form anyway.
    return {name: [str(v).replace("\x00", "")[:MAX_VALUE_CHARS] for v in data.getlist(name)][:MAX_VALUES]
            for name in fields if name in data}


def _prune(owner: Membership) -> None:
    drafts = ScheduleDraft.objects.filter(company=owner.company, owner=owner)
    drafts.filter(updated_at__lt=timezone.now() - LIFETIME).delete()
    open_ones = drafts.filter(used_at__isnull=True).order_by("-updated_at", "-pk").values_list("pk", flat=True)
    stale = list(open_ones[MAX_OPEN_PER_MEMBER - 1:])
    if stale:
        ScheduleDraft.objects.filter(pk__in=stale).delete()
