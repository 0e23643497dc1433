"""Step 1's answers kept in the session between the wizard's steps, under a random id (one per open wizard)."""

from __future__ import annotations

import secrets

from django.http import HttpRequest, QueryDict

SESSION_KEY = "scheduling_drafts"
MAX_DRAFTS = 10  # a person with many tabs open; older drafts are dropped first


def draft_save(request: HttpRequest, *, candidate_id: int, data: QueryDict, draft_id: str | None = None) -> str:
    drafts = request.session.get(SESSION_KEY, {})
    if not draft_id or draft_id not in drafts:
        draft_id = secrets.token_urlsafe(12)
    fields = {key: data.getlist(key) for key in data if key != "csrfmiddlewaretoken"}
    drafts.pop(draft_id, None)
    drafts[draft_id] = {"candidate": candidate_id, "data": fields}
    while len(drafts) > MAX_DRAFTS:
        drafts.pop(next(iter(drafts)))
    request.session[SESSION_KEY] = drafts
    return draft_id


def draft_load(request: HttpRequest, *, candidate_id: int, draft_id: str | None) -> QueryDict | None:
    """Step 1's data, or None when there is no such draft for this candidate (expired session, another tab)."""
    draft = request.session.get(SESSION_KEY, {}).get(draft_id or "")
    if not draft or draft["candidate"] != candidate_id:
        return None
    data = QueryDict(mutable=True)
    for key, values in draft["data"].items():
        data.setlist(key, values)
    return data


def draft_drop(request: HttpRequest, draft_id: str) -> None:
    drafts = request.session.get(SESSION_KEY, {})
    if drafts.pop(draft_id, None) is not None:
        request.session[SESSION_KEY] = drafts
